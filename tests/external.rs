//! `hubgen check --external` against a real HTTP server on 127.0.0.1,
//! started here: a page, a page gone, a move, a server error, a server too
//! slow to answer, a port nothing listens on, a server that refuses HEAD.

mod common;

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;

/// Requests the server has had, by path.
type Seen = Arc<Mutex<BTreeMap<String, usize>>>;

/// Answers one request as the path asks.
fn answer(mut stream: TcpStream, seen: &Seen) {
    let mut raw = Vec::new();
    let mut buf = [0u8; 1024];
    while !raw.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => raw.extend_from_slice(&buf[..n]),
        }
    }
    let head = String::from_utf8_lossy(&raw).into_owned();
    let mut words = head.split(' ');
    let (method, path) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
    *seen.lock().unwrap().entry(path.to_string()).or_default() += 1;
    let (status, location) = match (method, path) {
        (_, "/ok" | "/new") | ("GET", "/no-head") => ("200 OK", None),
        (_, "/gone") => ("404 Not Found", None),
        (_, "/old") => ("301 Moved Permanently", Some("/new")),
        (_, "/error") => ("500 Internal Server Error", None),
        (_, "/slow") => {
            std::thread::sleep(Duration::from_secs(3));
            ("200 OK", None)
        }
        ("HEAD", "/no-head") => ("405 Method Not Allowed", None),
        _ => ("400 Bad Request", None),
    };
    let body = if method == "HEAD" { "" } else { "<p>hello</p>" };
    let location = location.map_or(String::new(), |l| format!("Location: {l}\r\n"));
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: text/html\r\nContent-Length: 12\r\nConnection: close\r\n{location}\r\n{body}"
    );
}

/// A server on 127.0.0.1, on a port of its own, for the life of the test.
fn server() -> (u16, Seen) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Seen::default();
    let keep = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().map_while(Result::ok) {
            let seen = keep.clone();
            std::thread::spawn(move || answer(stream, &seen));
        }
    });
    (port, seen)
}

/// `hubgen -C site ARGS`, with no proxy between it and 127.0.0.1.
fn run(site: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hubgen"));
    for var in [
        "http_proxy",
        "https_proxy",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "all_proxy",
    ] {
        cmd.env_remove(var);
    }
    cmd.arg("-C").arg(site).args(args).output().unwrap()
}

/// (line, column, severity, message) of each JSON finding.
fn findings(o: &Output) -> Vec<(u64, u64, String, String)> {
    stdout(o)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                v["line"].as_u64().unwrap(),
                v["column"].as_u64().unwrap(),
                v["severity"].as_str().unwrap().to_string(),
                v["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn broken_and_moved_links_to_other_sites_are_found_at_their_line() {
    let (port, seen) = server();
    // A port nothing listens on: bound, then let go.
    let refused = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path();
    let at = format!("http://127.0.0.1:{port}");
    std::fs::write(
        site.join("site.toml"),
        format!(
            "title = \"External\"\nthemes_dir = {:?}\n\n[check]\nskip_external = [\"{at}/skipped*\"]\n\n\
             [collections.guides]\n\n[targets.site]\nbase_url = \"https://example.org/\"\ntheme = \"base\"\ncollections = [\"guides\"]\n",
            repo().join("themes").to_string_lossy()
        ),
    )
    .unwrap();
    std::fs::create_dir_all(site.join("content/guides")).unwrap();
    std::fs::write(
        site.join("content/guides/links.md"),
        format!(
            "---\ntitle: Links\n---\n\n[ok]({at}/ok)\n[gone]({at}/gone)\n[moved]({at}/old)\n[error]({at}/error)\n\
             [slow]({at}/slow)\n[refused](http://127.0.0.1:{refused}/)\n[no head]({at}/no-head)\n\
             [skipped]({at}/skipped/x)\nAgain: [gone]({at}/gone)\n"
        ),
    )
    .unwrap();

    // Neither a plain check nor a build asks the network anything.
    let o = run(site, &["check", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let out = tempfile::tempdir().unwrap();
    build_ok(site, out.path(), &[]);
    assert!(
        seen.lock().unwrap().is_empty(),
        "{:?}",
        seen.lock().unwrap()
    );

    let args = ["check", "--format", "json", "--external", "--timeout", "1"];
    let o = run(site, &args);
    let error = |l: u64, c: u64, m: String| (l, c, "error".to_string(), m);
    let warning = |l: u64, c: u64, m: String| (l, c, "warning".to_string(), m);
    let gone = format!("the link to {at}/gone is broken: the site answers 404 (not found)");
    let expected = vec![
        error(6, 1, gone.clone()),
        warning(7, 1, format!("the link to {at}/old redirects to {at}/new")),
        warning(8, 1, format!("the link to {at}/error answered 500 (a server error)")),
        warning(9, 1, format!("the link to {at}/slow did not answer within 1 second")),
        error(
            10,
            1,
            format!("the link to http://127.0.0.1:{refused}/ is broken: nothing answers at that address"),
        ),
        error(13, 8, gone.clone()),
    ];
    assert_eq!(findings(&o), expected, "{}", stderr(&o));
    assert_eq!(o.status.code(), Some(1));
    let first = seen.lock().unwrap().clone();
    // Each address once (HEAD, and GET where HEAD is not answered well),
    // however often it is linked; skipped ones never.
    assert_eq!(first.get("/gone"), Some(&2), "{first:?}");
    assert_eq!(first.get("/no-head"), Some(&2), "{first:?}");
    assert_eq!(first.get("/ok"), Some(&1), "{first:?}");
    assert!(!first.contains_key("/skipped/x"), "{first:?}");

    // Again: the considered answers come from the cache; only the server
    // error and the slow server are asked again.
    let o = run(site, &args);
    assert_eq!(findings(&o), expected);
    let second = seen.lock().unwrap().clone();
    for path in ["/ok", "/gone", "/old", "/new", "/no-head"] {
        assert_eq!(
            second.get(path),
            first.get(path),
            "{path} came from the cache"
        );
    }
    assert!(second["/error"] > first["/error"], "{second:?}");
    assert!(site.join(".hubgen-cache/external-links.json").is_file());
}
