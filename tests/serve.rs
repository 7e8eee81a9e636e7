//! `hubgen serve` for real: the binary on an ephemeral port on 127.0.0.1,
//! edited files, server-sent events, traversal attempts, many clients.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::*;

/// A copy of the good fixture that the test may edit, with themes from the repository.
fn editable_site() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    for entry in walkdir::WalkDir::new(fixture("good")) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(fixture("good")).unwrap();
        let to = tmp.path().join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&to).unwrap();
        } else {
            std::fs::copy(entry.path(), &to).unwrap();
        }
    }
    let toml = read(tmp.path().join("site.toml")).replace(
        "themes_dir = \"../../../themes\"",
        &format!("themes_dir = {:?}", repo().join("themes").to_string_lossy()),
    );
    std::fs::write(tmp.path().join("site.toml"), toml).unwrap();
    tmp
}

struct Server {
    child: Child,
    url: String,
    port: u16,
    /// What the preview printed (both streams), line by line.
    log: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Builds target `beta` of `site` as the preview does (drafts, its URL) and
/// checks that the preview's folder holds the same files, byte for byte.
fn preview_equals_full_build(
    site: &Path,
    server: &Server,
    what: &str,
) -> std::collections::BTreeMap<String, Vec<u8>> {
    let full = tempfile::tempdir().unwrap();
    build_ok(
        site,
        full.path(),
        &["--target", "beta", "--drafts", "--base-url", &server.url],
    );
    let served = snapshot(&site.join(".hubgen-cache/serve/beta"));
    let built = built(full.path());
    assert_eq!(
        served.keys().collect::<Vec<_>>(),
        built.keys().collect::<Vec<_>>(),
        "{what}"
    );
    for (path, bytes) in &built {
        assert!(
            served[path] == *bytes,
            "{what}: {path} differs from a full build"
        );
    }
    built
}

fn serve(site: &Path, args: &[&str]) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hubgen"))
        .arg("-C")
        .arg(site)
        .args(["serve", "--port", "0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().expect("serve prints its address").unwrap();
    // Keep draining both streams so the server never blocks on a full pipe.
    let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let keep = log.clone();
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            keep.lock().unwrap().push(line);
        }
    });
    let keep = log.clone();
    let errors = BufReader::new(child.stderr.take().unwrap()).lines();
    std::thread::spawn(move || {
        for line in errors.map_while(Result::ok) {
            keep.lock().unwrap().push(line);
        }
    });
    let url = first
        .split(" at ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "{first}");
    let port = url
        .trim_end_matches('/')
        .rsplit(':')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    Server {
        child,
        url,
        port,
        log,
    }
}

/// A raw HTTP/1.1 request, with the `Host` a browser sends; returns (status, headers, body).
fn request(port: u16, method: &str, path: &str) -> (u16, String, Vec<u8>) {
    raw_request(
        port,
        &format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"),
    )
}

/// Sends `text` as it is; returns (status, headers, body) of a response that ends.
fn raw_request(port: u16, text: &str) -> (u16, String, Vec<u8>) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(text.as_bytes()).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete response");
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, head, raw[split + 4..].to_vec())
}

fn get(port: u16, path: &str) -> (u16, String) {
    let (status, _, body) = request(port, "GET", path);
    (status, String::from_utf8_lossy(&body).into_owned())
}

/// Server-sent events, as (event, data) pairs, on a channel.
fn events(port: u16) -> mpsc::Receiver<(String, String)> {
    let (tx, rx) = mpsc::channel();
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        s,
        "GET /__hubgen/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n"
    )
    .unwrap();
    // The server subscribes before it answers: once its first line arrives, no event is missed.
    let mut reader = BufReader::new(s);
    let mut line = String::new();
    while !line.starts_with("retry:") {
        line.clear();
        assert!(
            reader.read_line(&mut line).unwrap() > 0,
            "the event stream closed"
        );
    }
    std::thread::spawn(move || {
        let mut event = String::new();
        for line in reader.lines() {
            let Ok(line) = line else { return };
            if let Some(e) = line.strip_prefix("event: ") {
                event = e.to_string();
            } else if let Some(d) = line.strip_prefix("data: ") {
                if tx.send((event.clone(), d.to_string())).is_err() {
                    return;
                }
            }
        }
    });
    rx
}

fn next_event(rx: &mpsc::Receiver<(String, String)>, want: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match rx.recv_timeout(left) {
            Ok((e, d)) if e == want => return d,
            Ok(_) => {}
            Err(_) => break,
        }
    }
    panic!("no {want} event within 20 s");
}

fn write_file(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
}

#[test]
fn edits_reload_errors_overlay_and_the_result_equals_a_full_build() {
    let site = editable_site();
    let server = serve(site.path(), &["--target", "beta"]);
    let rx = events(server.port);
    let (status, page) = get(server.port, "/guides/other/");
    assert_eq!(status, 200);
    assert!(page.contains("Back to"));
    assert!(
        page.contains("/__hubgen/events"),
        "the live-reload script is injected"
    );
    // Drafts show in the preview, marked.
    let (status, draft) = get(server.port, "/guides/work-in-progress/");
    assert_eq!(status, 200);
    assert!(draft.contains("class=\"draft\""));

    // Nothing happens until something changes: the server's own reading of files
    // is not a change.
    std::thread::sleep(Duration::from_millis(300));
    let quiet = events(server.port);
    let _ = get(server.port, "/guides/other/");

    // Edit a page: a reload event arrives and the new text is served.
    let other = site.path().join("content/guides/other.md");
    let original = read(&other);
    write_file(&other, &original.replace("Back to", "Straight back to"));
    next_event(&rx, "reload");
    assert!(get(server.port, "/guides/other/")
        .1
        .contains("Straight back to"));

    // One edit, one rebuild: no further reload follows the first.
    next_event(&quiet, "reload");
    next_event(&quiet, "indexed");
    assert!(
        quiet.recv_timeout(Duration::from_millis(600)).is_err(),
        "a rebuild without a change"
    );

    // Break its front matter: the error names file and line; the old page stays.
    write_file(&other, &original.replace("topic: waste", "topic: [waste"));
    let error = next_event(&rx, "build-error");
    assert!(
        error.contains("\"file\":\"content/guides/other.md\""),
        "{error}"
    );
    assert!(error.contains("\"line\":4"), "{error}"); // where libyaml notices the unclosed list
    assert!(get(server.port, "/guides/other/")
        .1
        .contains("Straight back to"));
    // A page opened now gets the error too, as soon as it connects.
    let late = events(server.port);
    assert!(next_event(&late, "build-error").contains("content/guides/other.md"));

    // Fix it: reload again.
    write_file(&other, &original.replace("Back to", "Fixed: back to"));
    next_event(&rx, "reload");
    assert!(get(server.port, "/guides/other/")
        .1
        .contains("Fixed: back to"));

    // An edit that changes a title reaches the lists and the pages that show it.
    let energy = site.path().join("content/guides/buying-energy.md");
    write_file(
        &energy,
        &read(&energy).replace("title: Buying energy <together>", "title: Buying power"),
    );
    next_event(&rx, "reload");
    next_event(&rx, "indexed");
    assert!(get(server.port, "/guides/").1.contains(">Buying power</a>"));

    // Renaming a topic (the other target publishes it) reaches the guides here that
    // name it, on their pages and in their list items.
    let topic = site.path().join("content/topics/waste.md");
    write_file(
        &topic,
        &read(&topic).replace("title: Waste", "title: Waste and recycling"),
    );
    next_event(&rx, "reload");
    next_event(&rx, "indexed");
    assert!(get(server.port, "/guides/other/")
        .1
        .contains("Waste and recycling"));

    // A template of the site's own: the pages that use it change, the others do not.
    let before_home = get(server.port, "/").1;
    std::fs::create_dir_all(site.path().join("templates")).unwrap();
    write_file(&site.path().join("templates/term.html"), "{% extends \"base/term.html\" %}{% block title %}Term: {{ term.name }}{% endblock title %}");
    next_event(&rx, "reload");
    assert!(get(server.port, "/tags/energy/")
        .1
        .contains("<title>Term: energy</title>"));
    assert_eq!(get(server.port, "/").1, before_home);
    // A static file of the site's own is served as it is.
    std::fs::create_dir_all(site.path().join("static")).unwrap();
    write_file(
        &site.path().join("static/extra.css"),
        "body { color: black }",
    );
    next_event(&rx, "reload");
    assert_eq!(
        get(server.port, "/extra.css"),
        (200, "body { color: black }".to_string())
    );

    // What the preview serves is byte for byte what a full build makes.
    preview_equals_full_build(site.path(), &server, "after the edits");
}

/// The `srcset` of the first `<img>` of `html`.
fn srcset(html: &str) -> String {
    attr_values(html, "srcset")
        .into_iter()
        .next()
        .unwrap_or_default()
}

#[test]
fn a_changed_picture_gets_new_copies_and_its_page_lists_them() {
    let site = editable_site();
    let chart = site.path().join("content/guides/chart.png");
    // Saved beside and renamed into place, as image editors save, so that
    // the preview never reads half a picture.
    let picture = |w: u32, shade: u8| {
        let tmp = chart.with_file_name(".chart.tmp.png");
        image::RgbImage::from_fn(w, w / 2, |x, _| image::Rgb([(x % 256) as u8, shade, 60]))
            .save(&tmp)
            .unwrap();
        std::fs::rename(&tmp, &chart).unwrap();
    };
    picture(900, 10);
    let other = site.path().join("content/guides/other.md");
    write_file(
        &other,
        &(read(&other) + "\n![A chart of costs](chart.png)\n"),
    );
    let server = serve(site.path(), &["--target", "beta"]);
    let rx = events(server.port);
    let before = srcset(&get(server.port, "/guides/other/").1);
    assert!(before.ends_with("chart.png 900w"), "{before}");
    let first_copy = before
        .split(' ')
        .next()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    assert_eq!(get(server.port, &format!("/guides/{first_copy}")).0, 200);

    // A wider, different picture under the same name: new copies, new names.
    picture(1400, 200);
    next_event(&rx, "reload");
    let after = srcset(&get(server.port, "/guides/other/").1);
    assert!(after.ends_with("chart.png 1400w"), "{after}");
    assert!(after.contains(" 1200w"), "{after}");
    assert!(
        !after.contains(&first_copy),
        "the page still lists the old copy: {after}"
    );
    assert_eq!(
        get(server.port, &format!("/guides/{first_copy}")).0,
        404,
        "the old copy is gone"
    );
    preview_equals_full_build(site.path(), &server, "after the picture changed");

    // Saved in place, the preview may first see half a picture; it settles
    // on the whole one.
    image::RgbImage::from_fn(1000, 500, |x, _| image::Rgb([(x % 256) as u8, 90, 90]))
        .save(&chart)
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !srcset(&get(server.port, "/guides/other/").1).ends_with("chart.png 1000w") {
        assert!(
            Instant::now() < deadline,
            "the preview never showed the picture saved in place"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(500));
    preview_equals_full_build(site.path(), &server, "after the picture was saved in place");
}

#[test]
fn http_semantics_and_traversal() {
    let site = editable_site();
    let server = serve(site.path(), &["--target", "alpha"]);
    let port = server.port;
    let (status, head, body) = request(port, "HEAD", "/topics/energy/");
    assert_eq!(status, 200);
    assert!(
        head.to_lowercase()
            .contains("content-type: text/html; charset=utf-8"),
        "{head}"
    );
    assert!(body.is_empty(), "HEAD has no body");
    let (_, head, _) = request(port, "GET", "/style.css");
    assert!(
        head.to_lowercase().contains("content-type: text/css"),
        "{head}"
    );
    let (_, head, _) = request(port, "GET", "/sitemap.xml");
    assert!(
        head.to_lowercase()
            .contains("content-type: application/xml"),
        "{head}"
    );
    let (status, head, _) = request(port, "GET", "/topics/energy");
    assert_eq!(status, 301);
    assert!(head.contains("Location: /topics/energy/"), "{head}");
    let (status, body) = get(port, "/no/such/page/");
    assert_eq!(status, 404);
    assert!(body.contains("Page not found"), "the theme's 404 page");

    // Nothing outside the output folder, however it is asked for.
    std::fs::write(site.path().join("secret.txt"), "TOP SECRET").unwrap();
    let out: PathBuf = site.path().join(".hubgen-cache/serve/alpha");
    std::os::unix::fs::symlink(site.path().join("secret.txt"), out.join("leak.txt")).unwrap();
    std::os::unix::fs::symlink(site.path(), out.join("up")).unwrap();
    for path in [
        "/../../../secret.txt",
        "/%2e%2e/%2e%2e/%2e%2e/secret.txt",
        "/%2E%2E%2F%2E%2E%2F%2E%2E%2Fsecret.txt",
        "/..%2f..%2f..%2fsecret.txt",
        "/..\\..\\..\\secret.txt",
        "/%5c..%5c..%5csecret.txt",
        "/leak.txt",
        "/up/secret.txt",
        "/up/site.toml",
        "//etc/passwd",
        "/%00secret.txt",
    ] {
        let (status, body) = get(port, path);
        assert!(status == 400 || status == 404, "{path}: {status}");
        assert!(
            !body.contains("TOP SECRET") && !body.contains("root:"),
            "{path} leaked"
        );
    }
}

#[test]
fn fifty_concurrent_clients_get_every_page() {
    let site = editable_site();
    let server = serve(site.path(), &["--target", "beta"]);
    let out = site.path().join(".hubgen-cache/serve/beta");
    let pages: Vec<String> = snapshot(&out)
        .keys()
        .filter(|p| p.ends_with("index.html"))
        .map(|p| format!("/{}", p.trim_end_matches("index.html")))
        .collect();
    assert!(pages.len() >= 8, "{pages:?}");
    let port = server.port;
    let handles: Vec<_> = (0..50)
        .map(|_| {
            let pages = pages.clone();
            let out = out.clone();
            std::thread::spawn(move || {
                for page in &pages {
                    let (status, body) = get(port, page);
                    assert_eq!(status, 200, "{page}");
                    let file = read(out.join(page.trim_start_matches('/')).join("index.html"));
                    let expected_start = &file[..file.rfind("</body>").unwrap()];
                    assert!(
                        body.starts_with(expected_start),
                        "{page} differs from the file"
                    );
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
}

#[test]
fn an_unknown_target_is_an_error_not_an_empty_preview() {
    let site = editable_site();
    let o = Command::new(env!("CARGO_BIN_EXE_hubgen"))
        .arg("-C")
        .arg(site.path())
        .args(["serve", "--port", "0", "--target", "bta"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no target named `bta`"));
    assert!(String::from_utf8_lossy(&o.stderr).contains("did you mean `beta`?"));
}

/// What an edit is, the file it changes, and how.
type Edit<'a> = (&'a str, &'a Path, &'a dyn Fn(String) -> String);

/// Every kind of edit, on a generated site big enough for long lists and
/// related content: after each, the preview's folder equals a full build.
#[test]
fn incremental_rebuilds_equal_full_builds_on_a_generated_site() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    corpus(&site, 300);
    let server = serve(&site, &["--target", "hub"]);
    let rx = events(server.port);
    let files = |dir: &str| -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(site.join("content").join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        v.sort();
        v
    };
    let guides = files("guides");
    let cases = files("case-studies");
    let opportunities = files("opportunities");
    let workstream = site.join("content/workstreams/data-and-transparency.md");
    let edit = |path: &Path, f: &dyn Fn(String) -> String| {
        let before = read(path);
        let after = f(before.clone());
        assert_ne!(before, after, "the edit changes {}", path.display());
        write_file(path, &after);
    };
    let retitle = |s: String| {
        let start = s.find("title: \"").unwrap() + 8;
        format!("{}Aardvark {}", &s[..start], &s[start..])
    };
    let edits: Vec<Edit> = vec![
        ("text", &guides[3], &|s| s + "\nA new closing sentence.\n"),
        ("title moves it in its list", &guides[40], &retitle),
        ("summary", &guides[7], &|s: String| {
            s.replacen("summary: \"", "summary: \"Revised. ", 1)
        }),
        ("a new tag", &opportunities[2], &|s: String| {
            s.replacen("tags: [", "tags: [\"brand new tag\", ", 1)
        }),
        ("another workstream", &cases[5], &|s: String| {
            let line = s
                .lines()
                .find(|l| l.starts_with("workstream: "))
                .unwrap()
                .to_string();
            let other = if line.ends_with("data-and-transparency") {
                "adult-social-care"
            } else {
                "data-and-transparency"
            };
            s.replace(&line, &format!("workstream: {other}"))
        }),
        ("an earlier date", &cases[9], &|s: String| {
            let line = s
                .lines()
                .find(|l| l.starts_with("date: "))
                .unwrap()
                .to_string();
            s.replace(&line, "date: 2001-01-01")
        }),
        (
            "a workstream's title, shown on the Hub's pages",
            &workstream,
            &|s: String| {
                s.replacen(
                    "title: \"Data and Transparency\"",
                    "title: \"Data, Transparency and Open Standards\"",
                    1,
                )
            },
        ),
        ("a draft", &guides[12], &|s: String| {
            s.replacen("---\n", "---\ndraft: true\n", 1)
        }),
    ];
    for (what, path, f) in edits {
        edit(path, f);
        next_event(&rx, "reload");
        next_event(&rx, "indexed");
        hub_preview_equals_full_build(&site, &tmp.path().join("full"), &server, what);
    }
}

/// After `what`, builds the `hub` target of `site` afresh into `full` and
/// checks that the preview's folder holds the same files, byte for byte.
fn hub_preview_equals_full_build(site: &Path, full: &Path, server: &Server, what: &str) {
    let _ = std::fs::remove_dir_all(full);
    build_ok(
        site,
        full,
        &["--target", "hub", "--drafts", "--base-url", &server.url],
    );
    let served = snapshot(&site.join(".hubgen-cache/serve/hub"));
    let built = built(full);
    let missing: Vec<&String> = built.keys().filter(|k| !served.contains_key(*k)).collect();
    let extra: Vec<&String> = served.keys().filter(|k| !built.contains_key(*k)).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "after {what}: missing {missing:?}, extra {extra:?}"
    );
    let differ: Vec<&String> = built
        .iter()
        .filter(|(k, v)| served[*k] != **v)
        .map(|(k, _)| k)
        .collect();
    assert!(
        differ.is_empty(),
        "after {what}: these differ from a full build: {differ:?}"
    );
}

/// An update that fails while rendering leaves its work for the next one: here
/// a title breaks a template, and the fix is to the template, not the page.
#[test]
fn work_left_by_a_failed_update_is_done_by_the_next() {
    let site = editable_site();
    let templates = site.path().join("templates");
    std::fs::create_dir_all(&templates).unwrap();
    let strict = "{% extends \"base/page.html\" %}{% block main %}{% if page.title is containing(\"BOOM\") %}{{ no_such_variable }}{% endif %}{{ super() }}{% endblock main %}";
    write_file(&templates.join("page.html"), strict);
    let server = serve(site.path(), &["--target", "beta"]);
    let rx = events(server.port);

    let other = site.path().join("content/guides/other.md");
    write_file(
        &other,
        &read(&other).replace("title: Another guide", "title: Another guide BOOM"),
    );
    let error = next_event(&rx, "build-error");
    assert!(error.contains("templates/page.html"), "{error}");
    assert!(
        !get(server.port, "/guides/").1.contains("BOOM"),
        "nothing was written"
    );

    write_file(
        &templates.join("page.html"),
        "{% extends \"base/page.html\" %}",
    );
    next_event(&rx, "reload");
    assert!(
        get(server.port, "/guides/")
            .1
            .contains("Another guide BOOM"),
        "the list left undone is written now"
    );
    next_event(&rx, "indexed");
    preview_equals_full_build(site.path(), &server, "at the end");
}

/// DNS rebinding: a page on another domain that resolves to 127.0.0.1 sends
/// its own name as `Host`. Only the names the preview is reached by are answered,
/// on every path, the event stream included.
#[test]
fn only_requests_for_the_preview_s_own_address_are_answered() {
    let site = editable_site();
    let server = serve(site.path(), &["--target", "beta"]);
    let port = server.port;
    let get_as = |host: &str, path: &str| {
        raw_request(
            port,
            &format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"),
        )
    };
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("[::1]:{port}"),
    ] {
        let (status, _, body) = get_as(&host, "/guides/work-in-progress/");
        assert_eq!(status, 200, "{host}");
        assert!(String::from_utf8_lossy(&body).contains("class=\"draft\""));
    }
    // HTTP/1.0 without a Host header: no browser page sends that.
    let (status, _, _) = raw_request(port, "GET /guides/other/ HTTP/1.0\r\n\r\n");
    assert_eq!(status, 200);

    for host in [
        format!("attacker.example:{port}"),
        format!("localhost.attacker.example:{port}"),
        format!("127.0.0.1.nip.io:{port}"),
        format!("localhost:{}", port.wrapping_add(1)),
        "localhost".to_string(),
        "attacker.example".to_string(),
    ] {
        for path in [
            "/",
            "/guides/work-in-progress/",
            "/guides/other",
            "/no/such/page/",
            "/__hubgen/events",
        ] {
            let (status, head, body) = get_as(&host, path);
            let body = String::from_utf8_lossy(&body);
            assert_eq!(status, 421, "{host} {path}: {head}");
            assert!(body.contains("DNS rebinding"), "{host} {path}: {body}");
            assert!(!head.contains("Location"), "{host} {path}: {head}");
            assert!(!body.contains("<html"), "{host} {path}: {body}");
        }
    }
}

/// A folder asked for without its slash is redirected; the new address never
/// leaves the site, however the path starts.
#[test]
fn redirects_never_leave_the_site() {
    let site = editable_site();
    let server = serve(site.path(), &["--target", "beta"]);
    for path in [
        "//guides",
        "///guides",
        "/%2f%2fguides",
        "/%2F%2Fguides",
        "/%2f/guides",
        "//%2fguides",
        "//guides?next=//evil.example",
    ] {
        let (status, head, _) = request(server.port, "GET", path);
        assert_eq!(status, 301, "{path}: {head}");
        let location = head
            .lines()
            .find_map(|l| l.strip_prefix("Location: "))
            .unwrap_or_else(|| panic!("{path}: no Location in {head}"));
        assert_eq!(location, "/guides/", "{path}");
    }
    for path in [
        "/\\guides",
        "/%5cguides",
        "/%5C%5Cguides",
        "/\\/guides",
        "/%5c/guides",
    ] {
        let (status, head, _) = request(server.port, "GET", path);
        assert!(status == 400 || status == 404, "{path}: {head}");
        assert!(!head.contains("Location"), "{path}: {head}");
    }
}

/// Two previews of one target would write into the same folder: the second
/// is refused, naming the first; another target is fine; and a killed
/// preview leaves nothing behind that stops the next.
#[test]
fn one_preview_per_target_and_a_killed_one_leaves_no_lock() {
    let site = editable_site();
    let first = serve(site.path(), &["--target", "beta"]);
    let mut second = Command::new(env!("CARGO_BIN_EXE_hubgen"))
        .arg("-C")
        .arg(site.path())
        .args(["serve", "--port", "0", "--target", "beta"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = second.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = second.kill();
            let _ = second.wait();
            panic!("a second preview of the same target kept running");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut err = String::new();
    second
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert_eq!(status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!(
            "another preview of target `beta` is running (pid {})",
            first.child.id()
        )),
        "{err}"
    );
    assert!(err.contains("--target"), "{err}");
    assert_eq!(get(first.port, "/guides/other/").0, 200);

    let other = serve(site.path(), &["--target", "alpha"]);
    assert_eq!(get(other.port, "/").0, 200);

    drop(first); // killed, as Ctrl+C or a crash would
    let again = serve(site.path(), &["--target", "beta"]);
    assert_eq!(get(again.port, "/guides/other/").0, 200);
}

/// A good edit that arrives with a broken one, in one batch of the watcher,
/// is not lost: once the broken file is fixed, the preview shows both, and
/// its folder equals a full build.
#[test]
fn a_good_edit_beside_a_broken_one_is_not_dropped() {
    let site = editable_site();
    let server = serve(site.path(), &["--target", "beta"]);
    let rx = events(server.port);
    let other = site.path().join("content/guides/other.md");
    let energy = site.path().join("content/guides/buying-energy.md");
    let (other_text, energy_text) = (read(&other), read(&energy));
    // Both in one save burst: the good text edit, then the broken front matter.
    write_file(
        &other,
        &other_text.replace("Back to", "Edited while another page was broken: back to"),
    );
    write_file(
        &energy,
        &energy_text.replace("topic: energy", "topic: [energy"),
    );
    let error = next_event(&rx, "build-error");
    assert!(error.contains("buying-energy.md"), "{error}");

    write_file(
        &energy,
        &energy_text.replace("title: Buying energy <together>", "title: Buying power"),
    );
    next_event(&rx, "reload");
    assert!(
        get(server.port, "/guides/other/")
            .1
            .contains("Edited while another page was broken"),
        "the good edit made beside the broken one is served"
    );
    assert!(get(server.port, "/guides/").1.contains(">Buying power</a>"));
    next_event(&rx, "indexed");
    preview_equals_full_build(site.path(), &server, "at the end");
}

/// The watcher reports a folder moved in, or deleted, as the folder alone:
/// the pages in it still appear and go away, and the preview equals a full build.
#[test]
fn folders_of_pages_moved_in_and_deleted() {
    let site = editable_site();
    let server = serve(site.path(), &["--target", "beta"]);
    let rx = events(server.port);
    let outside = site.path().join("drafts-elsewhere");
    std::fs::create_dir_all(&outside).unwrap();
    for name in ["first", "second"] {
        write_file(
            &outside.join(format!("{name}.md")),
            &format!("---\ntitle: \"The {name} moved guide\"\nsummary: \"Moved in with its folder.\"\ntopic: energy\ndate: 2012-04-01\n---\n\nA page that arrived in a folder.\n"),
        );
    }
    let moved = site.path().join("content/guides/moved");
    std::fs::rename(&outside, &moved).unwrap();
    next_event(&rx, "reload");
    let equal_to_a_full_build = |what: &str| preview_equals_full_build(site.path(), &server, what);
    let built = equal_to_a_full_build("after the folder moved in");
    assert!(
        built.keys().any(|k| k.contains("first")) && built.keys().any(|k| k.contains("second")),
        "{:?}",
        built.keys().collect::<Vec<_>>()
    );
    assert!(get(server.port, "/guides/")
        .1
        .contains("The second moved guide"));

    std::fs::remove_dir_all(&moved).unwrap();
    next_event(&rx, "reload");
    let built = equal_to_a_full_build("after the folder was deleted");
    assert!(!built.keys().any(|k| k.contains("first")));
    assert!(!get(server.port, "/guides/").1.contains("moved guide"));
}

/// A save that changes nothing the site shows (the same bytes written again)
/// does not reload the open pages.
#[test]
fn a_save_that_changes_nothing_does_not_reload() {
    let site = editable_site();
    let server = serve(site.path(), &["--target", "beta"]);
    let rx = events(server.port);
    let other = site.path().join("content/guides/other.md");
    write_file(&other, &read(&other));
    let until = Instant::now() + Duration::from_millis(600);
    while let Some(left) = until.checked_duration_since(Instant::now()) {
        if let Ok((event, _)) = rx.recv_timeout(left) {
            assert_ne!(event, "reload", "a reload for nothing");
        }
    }
    write_file(&other, &read(&other).replace("Back to", "Now back to"));
    next_event(&rx, "reload");
}

/// Methods other than GET and HEAD, a request line naming another host, two
/// Host headers, and a malformed request: each gets a plain refusal.
#[test]
fn odd_requests_are_refused_plainly() {
    let site = editable_site();
    let server = serve(site.path(), &["--target", "beta"]);
    let port = server.port;
    let (status, head, _) = request(port, "POST", "/guides/other/");
    assert_eq!(status, 405, "{head}");
    assert!(head.contains("Allow: GET, HEAD"), "{head}");
    let (status, _, body) = raw_request(
        port,
        &format!("GET http://attacker.example:{port}/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"),
    );
    assert_eq!(status, 421);
    assert!(String::from_utf8_lossy(&body).contains("DNS rebinding"));
    let (status, _, _) = raw_request(
        port,
        &format!("GET http://127.0.0.1:{port}/guides/other/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"),
    );
    assert_eq!(status, 200);
    let (status, _, body) = raw_request(
        port,
        &format!("GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nHost: attacker.example\r\nConnection: close\r\n\r\n"),
    );
    assert_eq!(status, 421);
    assert!(String::from_utf8_lossy(&body).contains("only one Host"));
    let (status, _, _) = raw_request(port, "GET /guides/\x01 HTTP/1.1\r\n\r\n");
    assert_eq!(status, 400);
    // The server is still there.
    assert_eq!(get(port, "/guides/other/").0, 200);
}

/// A page created while the preview shows an error appears once the error is
/// fixed, and each error is printed once in the terminal.
#[test]
fn a_page_made_while_an_error_shows_appears_once_it_is_fixed() {
    let site = editable_site();
    let server = serve(site.path(), &["--target", "beta"]);
    let rx = events(server.port);
    let energy = site.path().join("content/guides/buying-energy.md");
    let energy_text = read(&energy);
    write_file(
        &energy,
        &energy_text.replace("topic: energy", "topic: [energy"),
    );
    let error = next_event(&rx, "build-error");
    assert!(error.contains("buying-energy.md"), "{error}");
    write_file(
        &site.path().join("content/guides/made-meanwhile.md"),
        "---\ntitle: \"Made while broken\"\nsummary: \"A page written while another was broken.\"\ntopic: energy\ndate: 2012-05-01\n---\n\nNew.\n",
    );
    next_event(&rx, "build-error");
    write_file(&energy, &energy_text);
    next_event(&rx, "reload");
    let (status, body) = get(server.port, "/guides/made-meanwhile/");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("Made while broken"));
    next_event(&rx, "indexed");
    preview_equals_full_build(site.path(), &server, "after the fix");
    let log = server.log.lock().unwrap().join("\n");
    // Printed once, though the error was shown twice (after the break, and
    // after the new page) and one save may reach the preview as two batches.
    let printed = log.matches("buying-energy.md:").count();
    assert_eq!(printed, 1, "each error once: {printed} times in\n{log}");
}
