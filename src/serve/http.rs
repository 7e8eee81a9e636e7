//! The preview's HTTP side: static files from the output folder (never from
//! outside it), the live-reload script injected into HTML pages, and the
//! server-sent events that tell open pages to reload or show an error.
//!
//! tiny_http serves it: a small, well-kept, synchronous server with no async
//! runtime to pull in, which is all a preview on 127.0.0.1 needs; each
//! request gets its own thread, so an open event stream never blocks a page.

use std::io::Write;
use std::net::IpAddr;
use std::path::{Component, Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tiny_http::{Header, Method, Request, Response, StatusCode};

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
    fn wire(&self) -> String {
        match self {
            Event::Reload => "event: reload\ndata: {}\n\n".into(),
            Event::Error(json) => format!("event: build-error\ndata: {json}\n\n"),
            Event::Indexed => "event: indexed\ndata: {}\n\n".into(),
        }
    }
}

/// Open event streams, and the error they should show on connecting, if any.
#[derive(Default)]
pub struct Hub {
    clients: Mutex<Vec<Sender<Event>>>,
    current_error: Mutex<Option<String>>,
}

impl Hub {
    /// Sends `event` to every open page; pages that went away are forgotten.
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

    fn subscribe(&self) -> Receiver<Event> {
        let (tx, rx) = mpsc::channel();
        if let Some(json) = self.current_error.lock().expect("not poisoned").clone() {
            let _ = tx.send(Event::Error(json));
        }
        self.clients.lock().expect("not poisoned").push(tx);
        rx
    }

    pub fn clients(&self) -> usize {
        self.clients.lock().expect("not poisoned").len()
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

/// Answers requests until the server is dropped.
pub fn serve(server: Arc<tiny_http::Server>, root: PathBuf, hub: Arc<Hub>, hosts: Hosts) {
    for request in server.incoming_requests() {
        let root = root.clone();
        let hub = hub.clone();
        let hosts = hosts.clone();
        std::thread::spawn(move || handle(request, &root, &hub, &hosts));
    }
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("valid header")
}

/// Why a request's `Host` is refused, or `None` when it may be answered. A
/// request without one (HTTP/1.0) comes from no browser page and is answered.
fn refused_host(request: &Request, hosts: &Hosts) -> Option<String> {
    let given: Vec<&str> = request
        .headers()
        .iter()
        .filter(|h| h.field.equiv("Host"))
        .map(|h| h.value.as_str())
        .collect();
    match given[..] {
        [] => None,
        [host] if hosts.allows(host.trim()) => None,
        [host] => {
            let shown: String = host.chars().filter(|c| !c.is_control()).take(100).collect();
            Some(format!(
                "This is hubgen's preview on port {port}: it answers requests for 127.0.0.1:{port} \
                 or localhost:{port}, not for \"{shown}\" (a safeguard against DNS rebinding).\n",
                port = hosts.port
            ))
        }
        _ => Some("A request may have only one Host header.\n".to_string()),
    }
}

fn handle(request: Request, root: &Path, hub: &Hub, hosts: &Hosts) {
    if let Some(why) = refused_host(&request, hosts) {
        let _ = request.respond(
            Response::from_string(why)
                .with_status_code(421)
                .with_header(header("Content-Type", "text/plain; charset=utf-8"))
                .with_header(header("Cache-Control", "no-store")),
        );
        return;
    }
    if !matches!(request.method(), Method::Get | Method::Head) {
        let _ = request.respond(
            Response::from_string("only GET and HEAD\n")
                .with_status_code(405)
                .with_header(header("Allow", "GET, HEAD")),
        );
        return;
    }
    let url = request.url().to_string();
    let path = url.split(['?', '#']).next().unwrap_or("/");
    if path == EVENTS_PATH {
        return events(request, hub);
    }
    let response = match resolve(root, path) {
        Resolved::File(file) => file_response(&file, root),
        Resolved::Redirect(to) => Response::from_data(Vec::new())
            .with_status_code(301)
            .with_header(header("Location", &to)),
        Resolved::NotFound => not_found(root),
        Resolved::Bad => Response::from_data(b"bad request\n".to_vec()).with_status_code(400),
    };
    let _ = request.respond(response);
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
                to.push_str(&percent_encode(part));
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

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// A path segment as it may appear in a `Location` header: anything but
/// unreserved characters and a few harmless ones is percent-encoded, so a
/// slash or backslash in a segment can never start a new one.
fn percent_encode(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The content type of a file, by its extension.
pub fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "pdf" => "application/pdf",
        "woff2" => "font/woff2",
        "wasm" => "application/wasm",
        _ => "application/octet-stream",
    }
}

fn file_response(file: &Path, root: &Path) -> Response<std::io::Cursor<Vec<u8>>> {
    let Ok(mut bytes) = std::fs::read(file) else {
        return not_found(root);
    };
    let kind = content_type(file);
    if kind.starts_with("text/html") {
        bytes = inject(bytes);
    }
    Response::from_data(bytes)
        .with_header(header("Content-Type", kind))
        .with_header(header("Cache-Control", "no-store"))
}

/// The theme's 404 page, with status 404.
fn not_found(root: &Path) -> Response<std::io::Cursor<Vec<u8>>> {
    let body = std::fs::read(root.join("404.html"))
        .map(inject)
        .unwrap_or_else(|_| b"not found\n".to_vec());
    Response::from_data(body)
        .with_status_code(StatusCode(404))
        .with_header(header("Content-Type", "text/html; charset=utf-8"))
        .with_header(header("Cache-Control", "no-store"))
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

/// A server-sent event stream: held open, one event per change.
fn events(request: Request, hub: &Hub) {
    let rx = hub.subscribe();
    let mut writer = request.into_writer();
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: keep-alive\r\nX-Accel-Buffering: no\r\n\r\nretry: 500\n\n";
    if writer
        .write_all(head.as_bytes())
        .and_then(|_| writer.flush())
        .is_err()
    {
        return;
    }
    loop {
        let text = match rx.recv_timeout(Duration::from_secs(15)) {
            Ok(event) => event.wire(),
            Err(RecvTimeoutError::Timeout) => ": keep-alive\n\n".into(),
            Err(RecvTimeoutError::Disconnected) => return,
        };
        if writer
            .write_all(text.as_bytes())
            .and_then(|_| writer.flush())
            .is_err()
        {
            return;
        }
    }
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
    fn injects_before_the_end_of_the_body() {
        let out =
            String::from_utf8(inject(b"<html><body><p>x</p></body></html>".to_vec())).unwrap();
        assert!(out.starts_with("<html><body><p>x</p><script>"));
        assert!(out.ends_with("</script></body></html>"));
    }
}
