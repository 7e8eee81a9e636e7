//! The preview's HTTP side: static files from the output folder (never from
//! outside it), the live-reload script injected into HTML pages, and the
//! server-sent events that tell open pages to reload or show an error.
//!
//! axum serves it, on a tokio runtime that only `hubgen serve` starts (a
//! build never pays for it). Files are read on tokio's blocking pool, so an
//! open event stream or a large file never holds up another request.

use std::convert::Infallible;
use std::net::IpAddr;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::{ALLOW, CACHE_CONTROL, CONTENT_TYPE, HOST, LOCATION};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::sse::{self, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Router;
use futures_util::stream::{self, Stream, StreamExt};
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};

/// Where open pages listen for events.
pub const EVENTS_PATH: &str = "/__hubgen/events";

/// The script added to every HTML page the preview serves.
const LIVE_SCRIPT: &str = include_str!("live.js");

/// An event for open pages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// The site changed: reload.
    Reload,
    /// The last change could not be built: show this (JSON: file, line, message).
    Error(String),
    /// The search index caught up with the last change.
    Indexed,
}

impl Event {
    /// The event as live.js listens for it.
    fn sse(&self) -> sse::Event {
        match self {
            Event::Reload => sse::Event::default().event("reload").data("{}"),
            Event::Error(json) => sse::Event::default().event("build-error").data(json),
            Event::Indexed => sse::Event::default().event("indexed").data("{}"),
        }
    }
}

/// Open event streams, and the error they should show on connecting, if any.
#[derive(Default)]
pub struct Hub {
    clients: Mutex<Vec<UnboundedSender<Event>>>,
    current_error: Mutex<Option<String>>,
}

impl Hub {
    /// Sends `event` to every open page; pages that went away are forgotten.
    /// Called from the watcher's thread: sending never waits.
    pub fn broadcast(&self, event: Event) {
        match &event {
            Event::Error(json) => {
                *self.current_error.lock().expect("not poisoned") = Some(json.clone())
            }
            Event::Reload => *self.current_error.lock().expect("not poisoned") = None,
            Event::Indexed => {}
        }
        self.clients
            .lock()
            .expect("not poisoned")
            .retain(|c| c.send(event.clone()).is_ok());
    }

    /// Whether open pages are showing a build error.
    pub fn showing_error(&self) -> bool {
        self.current_error.lock().expect("not poisoned").is_some()
    }

    fn subscribe(&self) -> UnboundedReceiver<Event> {
        let (tx, rx) = mpsc::unbounded_channel();
        if let Some(json) = self.current_error.lock().expect("not poisoned").clone() {
            let _ = tx.send(Event::Error(json));
        }
        self.clients.lock().expect("not poisoned").push(tx);
        rx
    }

    pub fn clients(&self) -> usize {
        let mut clients = self.clients.lock().expect("not poisoned");
        clients.retain(|c| !c.is_closed());
        clients.len()
    }
}

/// The `Host` values the preview answers to.
///
/// A page on an attacker's domain can make that domain resolve to 127.0.0.1
/// (DNS rebinding) and then read the preview, drafts included, as if it were
/// its own origin. The browser still sends the attacker's name as `Host`, so
/// answering only the names the preview is really reached by closes that door.
/// IP literals cannot be rebound: a page can only have such an origin by being
/// served from that address.
#[derive(Clone, Debug)]
pub struct Hosts {
    pub bind: IpAddr,
    pub port: u16,
}

impl Hosts {
    /// Whether a request whose `Host` header is `host` may be answered.
    pub fn allows(&self, host: &str) -> bool {
        let (name, port) = split_host(host);
        let port_ok = match port {
            Some(p) => p.parse::<u16>().ok() == Some(self.port),
            // Browsers leave out the default port only.
            None => self.port == 80,
        };
        if !port_ok {
            return false;
        }
        if name.eq_ignore_ascii_case("localhost") {
            return true;
        }
        let ip = match name.strip_prefix('[').and_then(|n| n.strip_suffix(']')) {
            Some(v6) => v6.parse::<std::net::Ipv6Addr>().ok().map(IpAddr::V6),
            // An IPv6 address must be bracketed in a Host header.
            None => name.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4),
        };
        let Some(ip) = ip else {
            return false; // a domain name: rebindable
        };
        ip.is_loopback()
            || ip == self.bind
            // Listening on every address: the machine's own addresses reach it.
            || self.bind.is_unspecified()
    }
}

/// `name:port` → (`name`, `Some(port)`); `[::1]:80` → (`[::1]`, `Some(80)`).
fn split_host(host: &str) -> (&str, Option<&str>) {
    if host.starts_with('[') {
        return match host.find(']') {
            Some(end) => {
                let rest = &host[end + 1..];
                (&host[..=end], rest.strip_prefix(':'))
            }
            None => (host, None),
        };
    }
    match host.rsplit_once(':') {
        Some((name, port)) => (name, Some(port)),
        None => (host, None),
    }
}

/// What every request handler shares.
struct Shared {
    root: PathBuf,
    hub: Arc<Hub>,
    hosts: Hosts,
}

/// The preview's routes. Everything goes through one handler: the `Host`
/// check comes first for every path, the event stream included.
pub fn router(root: PathBuf, hub: Arc<Hub>, hosts: Hosts) -> Router {
    Router::new()
        .fallback(handle)
        .with_state(Arc::new(Shared { root, hub, hosts }))
}

/// Answers connections on `listener` until the runtime it runs on stops.
///
/// hyper's own connection loop rather than `axum::serve`, for one setting:
/// header names go out as `Location`, `Content-Type`, as they always have,
/// not lower-cased; scripts that read the preview's answers see what they saw.
/// With a timer, hyper also drops a connection that sends no complete request
/// head within 30 seconds, so no half-open connection is kept for ever.
pub async fn serve(listener: tokio::net::TcpListener, router: Router) {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use hyper_util::service::TowerToHyperService;
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            // Out of file descriptors, or a connection reset before it was
            // accepted: wait a moment rather than spin, and go on.
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let service = TowerToHyperService::new(router.clone());
        tokio::spawn(async move {
            let _ = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .title_case_headers(true)
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

fn text(status: StatusCode, body: impl Into<String>) -> Response {
    (
        status,
        [
            (CONTENT_TYPE, "text/plain; charset=utf-8"),
            (CACHE_CONTROL, "no-store"),
        ],
        body.into(),
    )
        .into_response()
}

/// Why a request's `Host` is refused, or `None` when it may be answered. A
/// request without one (HTTP/1.0) comes from no browser page and is answered.
/// A request line with a full address (`GET http://name/ HTTP/1.1`) names its
/// host there, and that name is held to the same rule.
fn refused_host(headers: &HeaderMap, uri: &Uri, hosts: &Hosts) -> Option<String> {
    let given: Vec<String> = headers
        .get_all(HOST)
        .iter()
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .collect();
    let refuse = |host: &str| {
        let shown: String = host.chars().filter(|c| !c.is_control()).take(100).collect();
        Some(format!(
            "This is hubgen's preview on port {port}: it answers requests for 127.0.0.1:{port} \
             or localhost:{port}, not for \"{shown}\" (a safeguard against DNS rebinding).\n",
            port = hosts.port
        ))
    };
    if let Some(authority) = uri.authority() {
        let host = authority.as_str().rsplit('@').next().unwrap_or_default();
        if !hosts.allows(host) {
            return refuse(host);
        }
    }
    match &given[..] {
        [] => None,
        [host] if hosts.allows(host.trim()) => None,
        [host] => refuse(host),
        _ => Some("A request may have only one Host header.\n".to_string()),
    }
}

async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    if let Some(why) = refused_host(request.headers(), request.uri(), &shared.hosts) {
        return text(StatusCode::MISDIRECTED_REQUEST, why);
    }
    if !matches!(*request.method(), Method::GET | Method::HEAD) {
        let mut response = text(StatusCode::METHOD_NOT_ALLOWED, "only GET and HEAD\n");
        response
            .headers_mut()
            .insert(ALLOW, HeaderValue::from_static("GET, HEAD"));
        return response;
    }
    let path = request.uri().path().to_string();
    if path == EVENTS_PATH {
        return events(&shared.hub);
    }
    // Resolving touches the file system (canonical paths, reads): off the
    // async workers, so a slow disk holds up only this request.
    let done = tokio::task::spawn_blocking(move || respond(&shared.root, &path)).await;
    done.unwrap_or_else(|_| text(StatusCode::INTERNAL_SERVER_ERROR, "internal error\n"))
}

/// The answer to a request for `path`. HEAD gets the same head and no body:
/// hyper leaves the body out.
fn respond(root: &Path, path: &str) -> Response {
    match resolve(root, path) {
        Resolved::File(file) => file_response(&file, root),
        Resolved::Redirect(to) => match HeaderValue::from_str(&to) {
            Ok(to) => (StatusCode::MOVED_PERMANENTLY, [(LOCATION, to)]).into_response(),
            Err(_) => text(StatusCode::BAD_REQUEST, "bad request\n"),
        },
        Resolved::NotFound => not_found(root),
        Resolved::Bad => text(StatusCode::BAD_REQUEST, "bad request\n"),
    }
}

/// What a request path leads to.
#[derive(Debug, PartialEq, Eq)]
pub enum Resolved {
    File(PathBuf),
    /// A folder asked for without its trailing slash.
    Redirect(String),
    NotFound,
    Bad,
}

/// Maps a request path to a file inside `root`, refusing anything that could
/// leave it: `..` (also percent-encoded), backslashes, NUL, and symbolic links
/// that point outside.
pub fn resolve(root: &Path, raw_path: &str) -> Resolved {
    let Some(decoded) = percent_decode(raw_path) else {
        return Resolved::Bad;
    };
    if !decoded.starts_with('/') || decoded.contains(['\\', '\0']) {
        return Resolved::Bad;
    }
    let mut rel = PathBuf::new();
    let parts: Vec<&str> = decoded.split('/').filter(|p| !p.is_empty()).collect();
    for part in &parts {
        match Path::new(part).components().next() {
            Some(Component::Normal(_)) if *part != "." && *part != ".." => rel.push(part),
            _ => return Resolved::Bad,
        }
    }
    let candidate = root.join(&rel);
    let Ok(real_root) = root.canonicalize() else {
        return Resolved::NotFound;
    };
    let Ok(real) = candidate.canonicalize() else {
        return Resolved::NotFound;
    };
    if !real.starts_with(&real_root) {
        return Resolved::NotFound;
    }
    if real.is_dir() {
        if !decoded.ends_with('/') {
            // Made from the cleaned path, never from what was asked: `//guides`
            // would otherwise send the browser to the host `guides`.
            let mut to = String::from("/");
            for part in &parts {
                to.extend(utf8_percent_encode(part, SEGMENT));
                to.push('/');
            }
            return Resolved::Redirect(to);
        }
        let index = real.join("index.html");
        return if index.is_file() {
            Resolved::File(index)
        } else {
            Resolved::NotFound
        };
    }
    if real.is_file() {
        Resolved::File(real)
    } else {
        Resolved::NotFound
    }
}

/// Decodes `%XX` escapes into UTF-8. Stricter than the crate on its own: a
/// `%` not followed by two hex digits makes the path bad rather than being
/// kept as it is, so no request is read two ways.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let malformed = bytes.iter().enumerate().any(|(i, &b)| {
        b == b'%'
            && !bytes
                .get(i + 1..i + 3)
                .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit))
    });
    if malformed {
        return None;
    }
    percent_decode_str(s)
        .decode_utf8()
        .ok()
        .map(|d| d.into_owned())
}

/// What a path segment keeps as it is in a `Location` header: unreserved
/// characters and a few harmless ones. Everything else is percent-encoded, so
/// a slash or backslash in a segment can never start a new one.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'!')
    .remove(b'$')
    .remove(b'&')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b'+')
    .remove(b',')
    .remove(b';')
    .remove(b'=')
    .remove(b':')
    .remove(b'@');

/// The content type of a file, by its extension; text types say they are
/// UTF-8, as everything hubgen writes is.
pub fn content_type(path: &Path) -> String {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    let guess = mime_guess::from_ext(ext).first_or_octet_stream();
    let essence = match guess.essence_str() {
        // Feeds and sitemaps are served as application/xml, as they always were.
        "text/xml" => "application/xml",
        // The one name for JavaScript since RFC 9239; mime_guess still gives
        // the old one for .mjs.
        "application/javascript" => "text/javascript",
        other => other,
    };
    if essence.starts_with("text/") || essence == "application/xml" {
        format!("{essence}; charset=utf-8")
    } else {
        essence.to_string()
    }
}

fn file_response(file: &Path, root: &Path) -> Response {
    let Ok(mut bytes) = std::fs::read(file) else {
        return not_found(root);
    };
    let kind = content_type(file);
    if kind.starts_with("text/html") {
        bytes = inject(bytes);
    }
    (
        [
            (
                CONTENT_TYPE,
                HeaderValue::from_str(&kind)
                    .unwrap_or(HeaderValue::from_static("application/octet-stream")),
            ),
            (CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        Body::from(bytes),
    )
        .into_response()
}

/// The theme's 404 page, with status 404.
fn not_found(root: &Path) -> Response {
    let body = std::fs::read(root.join("404.html"))
        .map(inject)
        .unwrap_or_else(|_| b"not found\n".to_vec());
    (
        StatusCode::NOT_FOUND,
        [
            (CONTENT_TYPE, "text/html; charset=utf-8"),
            (CACHE_CONTROL, "no-store"),
        ],
        Body::from(body),
    )
        .into_response()
}

/// Adds the live-reload script before `</body>` (or at the end).
fn inject(mut html: Vec<u8>) -> Vec<u8> {
    let tag = format!("<script>{LIVE_SCRIPT}</script>");
    let at = html
        .windows(7)
        .rposition(|w| w.eq_ignore_ascii_case(b"</body>"))
        .unwrap_or(html.len());
    html.splice(at..at, tag.into_bytes());
    html
}

/// A server-sent event stream: held open, one event per change. The page is
/// subscribed before the answer starts, so once its first line (`retry:`)
/// arrives, no event is missed.
fn events(hub: &Hub) -> Response {
    let rx = hub.subscribe();
    let first = stream::once(async { sse::Event::default().retry(Duration::from_millis(500)) });
    let rest = stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|event| (event.sse(), rx))
    });
    let stream: std::pin::Pin<Box<dyn Stream<Item = Result<sse::Event, Infallible>> + Send>> =
        Box::pin(first.chain(rest).map(Ok));
    let mut response = Sse::new(stream)
        .keep_alive(
            KeepAlive::new()
                .interval(Duration::from_secs(15))
                .text("keep-alive"),
        )
        .into_response();
    let headers = response.headers_mut();
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // A proxy in front (nginx) would otherwise hold events back.
    headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_to_leave_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        std::fs::create_dir_all(root.join("guides/x")).unwrap();
        std::fs::write(root.join("guides/x/index.html"), "<p>x</p>").unwrap();
        std::fs::write(dir.path().join("secret.txt"), "secret").unwrap();
        std::os::unix::fs::symlink(dir.path().join("secret.txt"), root.join("link.txt")).unwrap();
        assert_eq!(
            resolve(&root, "/guides/x/"),
            Resolved::File(root.canonicalize().unwrap().join("guides/x/index.html"))
        );
        assert_eq!(
            resolve(&root, "/guides/x"),
            Resolved::Redirect("/guides/x/".into())
        );
        for bad in [
            "/../secret.txt",
            "/guides/../../secret.txt",
            "/%2e%2e/secret.txt",
            "/%2E%2E%2Fsecret.txt",
            "/..%5csecret.txt",
            "/guides\\..\\..\\secret.txt",
            "/%00",
            "/%zz",
            "relative",
        ] {
            assert_eq!(resolve(&root, bad), Resolved::Bad, "{bad}");
        }
        assert_eq!(
            resolve(&root, "/link.txt"),
            Resolved::NotFound,
            "a symlink out of the root"
        );
        assert_eq!(resolve(&root, "//etc/passwd"), Resolved::NotFound);
        assert_eq!(resolve(&root, "/missing.html"), Resolved::NotFound);
    }

    #[test]
    fn redirects_never_leave_the_site() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("guides/a b")).unwrap();
        for asked in [
            "//guides",
            "///guides",
            "/%2f%2fguides",
            "/%2F/guides",
            "/guides//",
            "//guides/",
        ] {
            match resolve(root, asked) {
                Resolved::Redirect(to) => assert_eq!(to, "/guides/", "{asked}"),
                Resolved::NotFound | Resolved::File(_) => {}
                Resolved::Bad => panic!("{asked}: refused"),
            }
        }
        assert_eq!(
            resolve(root, "//guides/a%20b"),
            Resolved::Redirect("/guides/a%20b/".into())
        );
        for bad in ["/\\guides", "/%5cguides", "/%5C%5Cguides", "/\\/guides"] {
            assert_eq!(resolve(root, bad), Resolved::Bad, "{bad}");
        }
    }

    #[test]
    fn answers_only_the_hosts_it_is_reached_by() {
        let local = Hosts {
            bind: "127.0.0.1".parse().unwrap(),
            port: 1111,
        };
        for ok in [
            "127.0.0.1:1111",
            "localhost:1111",
            "LocalHost:1111",
            "[::1]:1111",
        ] {
            assert!(local.allows(ok), "{ok}");
        }
        for refused in [
            "evil.example:1111",
            "localhost.evil.example:1111",
            "127.0.0.1.nip.io:1111",
            "localhost:1112",
            "localhost",
            "127.0.0.1",
            "192.168.1.5:1111",
            "[::1]",
            "::1:1111",
            "",
            ":1111",
            "localhost:1111:1111",
        ] {
            assert!(!local.allows(refused), "{refused}");
        }
        let lan = Hosts {
            bind: "192.168.1.5".parse().unwrap(),
            port: 80,
        };
        assert!(lan.allows("192.168.1.5") && lan.allows("192.168.1.5:80"));
        assert!(!lan.allows("192.168.1.6:80") && !lan.allows("intranet:80"));
        let everywhere = Hosts {
            bind: "0.0.0.0".parse().unwrap(),
            port: 1111,
        };
        assert!(everywhere.allows("10.0.0.7:1111") && everywhere.allows("[fe80::1]:1111"));
        assert!(!everywhere.allows("my-laptop.local:1111"));
    }

    #[test]
    fn content_types_are_what_the_preview_always_sent() {
        for (file, expected) in [
            ("a.html", "text/html; charset=utf-8"),
            ("a.htm", "text/html; charset=utf-8"),
            ("a.css", "text/css; charset=utf-8"),
            ("a.js", "text/javascript; charset=utf-8"),
            ("a.mjs", "text/javascript; charset=utf-8"),
            ("a.json", "application/json"),
            ("sitemap.xml", "application/xml; charset=utf-8"),
            ("a.txt", "text/plain; charset=utf-8"),
            ("a.svg", "image/svg+xml"),
            ("a.png", "image/png"),
            ("a.jpg", "image/jpeg"),
            ("a.jpeg", "image/jpeg"),
            ("a.gif", "image/gif"),
            ("a.webp", "image/webp"),
            ("favicon.ico", "image/x-icon"),
            ("a.pdf", "application/pdf"),
            ("a.woff2", "font/woff2"),
            ("a.wasm", "application/wasm"),
            ("CNAME", "application/octet-stream"),
            ("a.unknown-extension", "application/octet-stream"),
            // Types the old table did not know, now named.
            ("a.csv", "text/csv; charset=utf-8"),
        ] {
            assert_eq!(content_type(Path::new(file)), expected, "{file}");
        }
    }

    #[test]
    fn injects_before_the_end_of_the_body() {
        let out =
            String::from_utf8(inject(b"<html><body><p>x</p></body></html>".to_vec())).unwrap();
        assert!(out.starts_with("<html><body><p>x</p><script>"));
        assert!(out.ends_with("</script></body></html>"));
    }
}
