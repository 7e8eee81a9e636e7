//! The `Host` check: the names the preview answers to, against DNS rebinding.

use std::net::IpAddr;

use axum::http::header::HOST;
use axum::http::{HeaderMap, Uri};

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
    /// The address the preview listens on (`--bind`): a `Host` naming it is
    /// answered too.
    pub bind: IpAddr,
    /// The port it listens on, which a `Host` must name unless it is 80.
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

/// Why a request's `Host` is refused, or `None` when it may be answered. A
/// request without one (HTTP/1.0) comes from no browser page and is answered.
/// A request line with a full address (`GET http://name/ HTTP/1.1`) names its
/// host there, and that name is held to the same rule.
pub(super) fn refused_host(headers: &HeaderMap, uri: &Uri, hosts: &Hosts) -> Option<String> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
