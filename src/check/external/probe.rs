//! Asking a server about one address: HEAD first (no body to download),
//! GET when a server does not answer HEAD properly; redirects followed by
//! hand, so that the new address can be reported.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// What a server said about an address.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub(super) enum Answer {
    /// A page is there (2xx).
    Found,
    /// 404 Not Found or 410 Gone.
    Gone {
        /// The status.
        status: u16,
    },
    /// Any other status that is not a page (401, 403, 429, 5xx…).
    Status {
        /// The status.
        status: u16,
    },
    /// No such host: the name does not resolve.
    NoHost,
    /// The host is there but nothing answers on its port.
    Refused,
    /// No answer within the time allowed.
    TimedOut,
    /// Anything else (a TLS failure, a broken response).
    Failed {
        /// What went wrong, as the HTTP client says it.
        reason: String,
    },
}

/// What was found at an address: the answer at the end of any redirects,
/// and the address redirected to, if it moved.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Outcome {
    /// The last answer.
    pub(super) answer: Answer,
    /// Where the address redirects to (the last address asked).
    pub(super) moved_to: Option<String>,
}

impl Outcome {
    /// Whether the outcome is the server's considered answer, which may be
    /// kept for a day: a page, a move, or a page that is gone.
    pub(super) fn lasting(&self) -> bool {
        matches!(self.answer, Answer::Found | Answer::Gone { .. })
    }
}

/// The most redirects followed before giving up.
const MAX_HOPS: usize = 10;

/// One client for every request: connections to a host are reused.
pub(super) fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .max_redirects(0)
        .http_status_as_error(false)
        .user_agent(concat!("hubgen-link-check/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

/// Asks about `url`, following redirects.
pub(super) fn probe(agent: &ureq::Agent, url: &str) -> Outcome {
    let mut at = url.to_string();
    let mut moved_to = None;
    for _ in 0..MAX_HOPS {
        match ask(agent, &at) {
            Step::Redirect(location) => {
                at = resolve(&at, &location);
                moved_to = Some(at.clone());
            }
            Step::Done(answer) => return Outcome { answer, moved_to },
        }
    }
    Outcome {
        answer: Answer::Failed {
            reason: format!("more than {MAX_HOPS} redirects"),
        },
        moved_to,
    }
}

enum Step {
    Redirect(String),
    Done(Answer),
}

/// One request for `url`: HEAD, then GET if HEAD is refused or fails.
fn ask(agent: &ureq::Agent, url: &str) -> Step {
    let head = agent.head(url).call();
    let response = match head {
        Ok(r) if !matches!(r.status().as_u16(), 400 | 403 | 404 | 405 | 501) => Ok(r),
        // Some servers answer HEAD wrongly (405, 501, or 404/403 for what GET
        // finds): GET is the request a reader's browser makes.
        Ok(_) | Err(ureq::Error::Protocol(_) | ureq::Error::Io(_)) => agent.get(url).call(),
        Err(e) => Err(e),
    };
    match response {
        Ok(r) => {
            let status = r.status().as_u16();
            let location = r
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            match (status, location) {
                (300..=399, Some(l)) => Step::Redirect(l),
                (200..=299, _) => Step::Done(Answer::Found),
                (404 | 410, _) => Step::Done(Answer::Gone { status }),
                (status, _) => Step::Done(Answer::Status { status }),
            }
        }
        Err(e) => Step::Done(failure(&e)),
    }
}

fn failure(e: &ureq::Error) -> Answer {
    match e {
        ureq::Error::HostNotFound => Answer::NoHost,
        ureq::Error::Timeout(_) => Answer::TimedOut,
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            Answer::Refused
        }
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => Answer::TimedOut,
        ureq::Error::ConnectionFailed => Answer::Refused,
        other => Answer::Failed {
            reason: other.to_string(),
        },
    }
}

/// `location` (from a redirect) as an absolute address, from `base`.
fn resolve(base: &str, location: &str) -> String {
    if location.contains("://") {
        return location.to_string();
    }
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let host_end = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |i| scheme_end + i);
    if let Some(rest) = location.strip_prefix("//") {
        return format!("{}{rest}", &base[..scheme_end]);
    }
    if location.starts_with('/') {
        return format!("{}{location}", &base[..host_end]);
    }
    let dir_end = base[host_end..]
        .rfind('/')
        .map_or(base.len(), |i| host_end + i + 1);
    let dir = &base[..dir_end];
    if dir.ends_with('/') {
        format!("{dir}{location}")
    } else {
        format!("{dir}/{location}")
    }
}

#[cfg(test)]
mod tests {
    use super::resolve;

    #[test]
    fn redirects_resolve_against_the_address_asked() {
        let base = "https://example.org/a/b?x=1";
        assert_eq!(resolve(base, "https://other.org/"), "https://other.org/");
        assert_eq!(resolve(base, "/c/"), "https://example.org/c/");
        assert_eq!(resolve(base, "c"), "https://example.org/a/c");
        assert_eq!(resolve(base, "//cdn.org/x"), "https://cdn.org/x");
        assert_eq!(
            resolve("https://example.org", "/c"),
            "https://example.org/c"
        );
    }
}
