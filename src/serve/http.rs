//! The preview's HTTP side: every request goes through the `Host` check
//! ([`super::hosts`]), then to the event stream that live-reloads open pages
//! ([`super::reload`]) or to a file of the output folder ([`super::files`]).
//!
//! axum serves it, on a tokio runtime that only `hubgen serve` starts (a
//! build never pays for it). Files are read on tokio's blocking pool, so an
//! open event stream or a large file never holds up another request.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::header::{ALLOW, CACHE_CONTROL, CONTENT_TYPE, LOCATION};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;

use super::files::{file_response, not_found, resolve, Resolved};
use super::hosts::{refused_host, Hosts};
use super::reload::{events, Hub, EVENTS_PATH};

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
        let Ok((stream, _)) = listener.accept().await else {
            // Out of file descriptors, or a connection reset before it was
            // accepted: wait a moment rather than spin, and go on.
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
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

/// A plain-text answer that is never cached.
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

/// The one handler: the `Host` check, then GET and HEAD only, then the
/// event stream or a file.
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
