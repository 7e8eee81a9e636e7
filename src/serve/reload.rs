//! Live reload: the script added to every HTML page the preview serves, and
//! the server-sent events that tell open pages to reload or show an error.

use std::convert::Infallible;
use std::sync::Mutex;
use std::time::Duration;

use axum::http::header::CACHE_CONTROL;
use axum::http::HeaderValue;
use axum::response::sse::{self, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream::{self, Stream, StreamExt};
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
    pub fn broadcast(&self, event: &Event) {
        match event {
            Event::Error(json) => {
                *self.current_error.lock().expect("not poisoned") = Some(json.clone());
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

    /// How many pages are listening; streams that have closed are forgotten.
    pub fn clients(&self) -> usize {
        let mut clients = self.clients.lock().expect("not poisoned");
        clients.retain(|c| !c.is_closed());
        clients.len()
    }
}

/// Adds the live-reload script before `</body>` (or at the end).
pub(super) fn inject(mut html: Vec<u8>) -> Vec<u8> {
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
pub(super) fn events(hub: &Hub) -> Response {
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
    fn injects_before_the_end_of_the_body() {
        let out =
            String::from_utf8(inject(b"<html><body><p>x</p></body></html>".to_vec())).unwrap();
        assert!(out.starts_with("<html><body><p>x</p><script>"));
        assert!(out.ends_with("</script></body></html>"));
    }
}
