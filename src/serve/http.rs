//! The preview's HTTP side: static files from the output folder (never from
//! outside it), the live-reload script injected into HTML pages, and the
//! server-sent events that tell open pages to reload or show an error.
//!
//! tiny_http serves it: a small, well-kept, synchronous server with no async
//! runtime to pull in, which is all a preview on 127.0.0.1 needs; each
//! request gets its own thread, so an open event stream never blocks a page.

use std::io::Write;
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

/// Answers requests until the server is dropped.
pub fn serve(server: Arc<tiny_http::Server>, root: PathBuf, hub: Arc<Hub>) {
    for request in server.incoming_requests() {
        let root = root.clone();
        let hub = hub.clone();
        std::thread::spawn(move || handle(request, &root, &hub));
    }
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("valid header")
}

fn handle(request: Request, root: &Path, hub: &Hub) {
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
    for part in decoded.split('/').filter(|p| !p.is_empty()) {
        match Path::new(part).components().next() {
            Some(Component::Normal(_)) if part != "." && part != ".." => rel.push(part),
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
            return Resolved::Redirect(format!("{raw_path}/"));
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
    fn injects_before_the_end_of_the_body() {
        let out =
            String::from_utf8(inject(b"<html><body><p>x</p></body></html>".to_vec())).unwrap();
        assert!(out.starts_with("<html><body><p>x</p><script>"));
        assert!(out.ends_with("</script></body></html>"));
    }
}
