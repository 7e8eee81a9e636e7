//! `hubgen check --external`: every address on another site that a page
//! links to, asked for once. Never part of a build or of a plain check: it
//! needs the network, and its answers change without any edit to the site.
//!
//! Requests run on a few threads at once, but one at a time per host, with a
//! pause between them, so that a site is never hammered by a page that links
//! to it a hundred times. Considered answers (a page, a page gone, a move)
//! are kept for a day in `.hubgen-cache/`, so that a second run costs only
//! the addresses that are new.

mod cache;
mod links;
mod probe;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use crate::diagnostics::{Diagnostic, Severity};
use crate::site::Site;
use probe::{Answer, Outcome};

/// How the external check runs.
#[derive(Clone, Debug)]
pub struct Options {
    /// How long one request may take.
    pub timeout: Duration,
    /// How many hosts are asked at once.
    pub concurrency: usize,
    /// The pause between two requests to one host.
    pub pause: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            timeout: Duration::from_secs(10),
            concurrency: 8,
            pause: Duration::from_millis(200),
        }
    }
}

/// Where a page writes an address.
type Place = (PathBuf, usize, usize);

/// The broken and moved external links of `site`'s published pages.
pub fn check_external(site: &Site, opts: &Options) -> Vec<Diagnostic> {
    let skip = &site.config.check.skip_external;
    let mut places: BTreeMap<String, Vec<Place>> = BTreeMap::new();
    for doc in site.docs.iter().filter(|d| site.is_published(d)) {
        let Ok(text) = std::fs::read_to_string(site.config.root.join(&doc.source)) else {
            continue;
        };
        for link in links::external_links(&text) {
            if skip.iter().any(|p| links::matches(p, &link.url)) {
                continue;
            }
            places
                .entry(link.url)
                .or_default()
                .push((doc.source.clone(), link.line, link.column));
        }
    }
    let cache_path = site.config.root.join(cache::CACHE_FILE);
    let now = cache::now();
    let mut known = cache::load(&cache_path, now);
    let asked: Vec<&str> = places
        .keys()
        .map(String::as_str)
        .filter(|u| !known.contains_key(*u))
        .collect();
    for (url, outcome) in ask_all(&asked, opts) {
        known.insert(url, (now, outcome));
    }
    cache::save(&cache_path, &known);
    let mut out = Vec::new();
    for (url, at) in &places {
        let Some((_, outcome)) = known.get(url) else {
            continue;
        };
        if let Some(d) = finding(url, outcome, opts) {
            out.extend(
                at.iter()
                    .map(|(path, line, column)| d.clone().at(path, *line, *column)),
            );
        }
    }
    out
}

/// Asks about every address in `urls`: hosts in parallel, each host's
/// addresses one after another.
fn ask_all(urls: &[&str], opts: &Options) -> Vec<(String, Outcome)> {
    let mut by_host: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for url in urls {
        let host = url.split("://").nth(1).unwrap_or(url);
        let host = host.split(['/', '?', '#']).next().unwrap_or(host);
        by_host.entry(host).or_default().push(url);
    }
    let queue = Mutex::new(by_host.into_values().collect::<Vec<_>>());
    let results = Mutex::new(Vec::new());
    let agent = probe::agent(opts.timeout);
    std::thread::scope(|scope| {
        for _ in 0..opts.concurrency.max(1) {
            scope.spawn(|| loop {
                let Some(host) = queue.lock().expect("no worker panics").pop() else {
                    return;
                };
                for (i, url) in host.iter().enumerate() {
                    if i > 0 {
                        std::thread::sleep(opts.pause);
                    }
                    let outcome = probe::probe(&agent, url);
                    results
                        .lock()
                        .expect("no worker panics")
                        .push(((*url).to_string(), outcome));
                }
            });
        }
    });
    results.into_inner().expect("no worker panics")
}

/// What to tell the editor about `url`, if anything.
fn finding(url: &str, outcome: &Outcome, opts: &Options) -> Option<Diagnostic> {
    let (severity, message, hint) = match (&outcome.answer, &outcome.moved_to) {
        (Answer::Found, None) => return None,
        (Answer::Found, Some(to)) => (
            Severity::Warning,
            format!("the link to {url} redirects to {to}"),
            format!("link to {to} instead, so readers go straight there"),
        ),
        (Answer::Gone { status }, _) => (
            Severity::Error,
            match &outcome.moved_to {
                Some(to) => format!("the link to {url} is broken: it redirects to {to}, which answers {status} ({})", reason(*status)),
                None => format!("the link to {url} is broken: the site answers {status} ({})", reason(*status)),
            },
            "find where the page has moved (search its site) and link there, or remove the link".to_string(),
        ),
        (Answer::NoHost, _) => (
            Severity::Error,
            format!("the link to {url} is broken: no site has that name"),
            "check the spelling of the address, or remove the link".to_string(),
        ),
        (Answer::Refused, _) => (
            Severity::Error,
            format!("the link to {url} is broken: nothing answers at that address"),
            "check the address; if the site is down for now, check again later".to_string(),
        ),
        (Answer::Status { status }, _) => (
            Severity::Warning,
            format!("the link to {url} answered {status} ({})", reason(*status)),
            "open the link in a browser: if readers see the page, all is well; if not, fix or remove the link".to_string(),
        ),
        (Answer::TimedOut, _) => (
            Severity::Warning,
            format!(
                "the link to {url} did not answer within {} second{}",
                opts.timeout.as_secs(),
                crate::diagnostics::plural(opts.timeout.as_secs() as usize)
            ),
            "the site may be slow or down for now: check again later".to_string(),
        ),
        (Answer::Failed { reason }, _) => (
            Severity::Warning,
            format!("the link to {url} could not be checked: {reason}"),
            "open the link in a browser to see whether it works".to_string(),
        ),
    };
    let mut d = Diagnostic::error("external-link", message).with_hint(hint);
    d.severity = severity;
    Some(d)
}

/// A status in words.
fn reason(status: u16) -> &'static str {
    match status {
        401 => "sign-in needed",
        403 => "forbidden",
        404 => "not found",
        410 => "gone",
        429 => "too many requests",
        500..=599 => "a server error",
        _ => "not a page",
    }
}
