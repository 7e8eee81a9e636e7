//! What an editor does, on a copy of the programme's own site: start a page
//! with `hubgen new`, and follow the editors' guide step by step.

mod common;

use std::path::Path;

use common::*;

/// Copies the site at the repository root (site.toml, content, themes,
/// static files) into `to`.
fn copy_site(to: &Path) {
    let from = repo();
    std::fs::copy(from.join("site.toml"), to.join("site.toml")).unwrap();
    for dir in ["content", "themes", "static", "archetypes"]
        .into_iter()
        .filter(|d| from.join(d).is_dir())
    {
        for entry in walkdir::WalkDir::new(from.join(dir)) {
            let entry = entry.unwrap();
            let dest = to.join(entry.path().strip_prefix(&from).unwrap());
            if entry.file_type().is_dir() {
                std::fs::create_dir_all(&dest).unwrap();
            } else {
                std::fs::copy(entry.path(), &dest).unwrap();
            }
        }
    }
}

/// The findings of `hubgen check --format json` as JSON values, and its exit code.
fn check(site: &Path) -> (Option<i32>, Vec<serde_json::Value>) {
    let o = hubgen(site, &["check", "--format", "json"]);
    let found = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (o.status.code(), found)
}

/// The fields `hubgen schema COLLECTION` lists, with whether each is required.
fn schema_fields(site: &Path, collection: &str) -> Vec<(String, bool)> {
    let o = hubgen(site, &["schema", collection]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    text.lines()
        .skip_while(|l| l.trim() != "fields:")
        .skip(1)
        .map(|l| {
            let words: Vec<&str> = l.split_whitespace().collect();
            (words[0].to_string(), words[2].starts_with("required"))
        })
        .collect()
}

#[test]
fn a_new_page_of_any_collection_passes_check_once_its_summary_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path();
    copy_site(site);
    let config: toml::Table = read(site.join("site.toml")).parse().unwrap();
    let collections: Vec<String> = config["collections"]
        .as_table()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    assert!(collections.len() >= 7, "{collections:?}");
    for collection in &collections {
        // The singular works as well as the collection's name: `new guide`.
        let asked = collection.strip_suffix("ies").map_or_else(
            || collection.trim_end_matches('s').to_string(),
            |s| format!("{s}y"),
        );
        // A title of its own: two collections may share a permalink pattern
        // (the Hub's pages and the editors' pages are both at /{slug}/).
        let title = format!("A new {asked} to test");
        let o = hubgen(site, &["new", &asked, &title]);
        assert!(o.status.success(), "new {asked}: {}", stderr(&o));
        let rel = stdout(&o).trim().to_string();
        assert!(rel.starts_with(&format!("content/{collection}/")), "{rel}");
        let path = site.join(&rel);
        let page = read(&path);

        // Every field of the schema, each saying whether it is required and what it is for.
        for (field, required) in schema_fields(site, collection) {
            let line = page
                .lines()
                .find(|l| l.starts_with(&format!("{field}:")))
                .unwrap_or_else(|| panic!("{collection}: no {field} in\n{page}"));
            let word = if required {
                "# Required: "
            } else {
                "# Optional: "
            };
            let (_, about) = line
                .split_once(word)
                .unwrap_or_else(|| panic!("{collection}: {line:?} does not say {word}"));
            assert!(
                about.len() > 10,
                "{collection}: {line:?} says what the field is for"
            );
        }

        // Before the summary is written, check names it (and nothing else) in this page.
        let (_, found) = check(site);
        // A page of a collection no list shows (the editors' pages) is an
        // orphan until a page links to it: a warning, and rightly so.
        let mine: Vec<&serde_json::Value> = found
            .iter()
            .filter(|f| f["file"] == rel.as_str() && f["code"] != "orphan")
            .collect();
        let summary_line = page
            .lines()
            .position(|l| l.starts_with("summary:"))
            .unwrap()
            + 1;
        let summary_required =
            schema_fields(site, collection).contains(&("summary".to_string(), true));
        if summary_required {
            assert_eq!(mine.len(), 1, "{collection}: {mine:#?}\n{page}");
            assert_eq!(mine[0]["code"], "missing-field", "{mine:#?}");
            assert_eq!(mine[0]["line"], summary_line, "{mine:#?}");
        }

        // The editor writes the summary: the whole site passes.
        let filled = page.replacen(
            "summary: \"\"",
            "summary: \"A page written to test hubgen new.\"",
            1,
        );
        std::fs::write(&path, filled).unwrap();
        let (code, found) = check(site);
        let errors: Vec<&serde_json::Value> =
            found.iter().filter(|f| f["severity"] == "error").collect();
        assert!(errors.is_empty(), "{collection}: {errors:#?}\n{page}");
        assert_eq!(code, Some(0), "{collection}: {found:#?}");
        // Kept, so that the next collection's page checks with this one in place.
    }
}

#[test]
fn new_never_overwrites_and_refuses_titles_it_cannot_use() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path();
    copy_site(site);
    let o = hubgen(site, &["new", "guide", "Sharing capital assets"]);
    assert_eq!(o.status.code(), Some(1), "the guide exists already");
    assert!(
        stderr(&o).contains("already exists; nothing was written"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        read(site.join("content/guides/sharing-capital-assets.md")),
        read(repo().join("content/guides/sharing-capital-assets.md"))
    );

    let o = hubgen(site, &["new", "guide", "Two\nlines"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("line break"), "{}", stderr(&o));
    let long = "word ".repeat(60);
    let o = hubgen(site, &["new", "guide", &long]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("characters long"), "{}", stderr(&o));

    // A title that looks like a path still makes a page inside content/guides/.
    let o = hubgen(site, &["new", "guide", "../../outside/it"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o).trim(), "content/guides/outside-it.md");
    assert!(!site.join("outside").exists());
}

/// The fenced blocks of a Markdown file, in order: (info string, text).
fn fenced_blocks(markdown: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    // (info string, text, the fence's indent: blocks in a numbered list are indented)
    let mut open: Option<(String, String, usize)> = None;
    for line in markdown.lines() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        match (&mut open, trimmed.strip_prefix("```")) {
            (None, Some(info)) => open = Some((info.trim().to_string(), String::new(), indent)),
            (Some(_), Some(_)) => {
                let (info, text, _) = open.take().unwrap();
                out.push((info, text));
            }
            (Some((_, text, indent)), None) => {
                text.push_str(line.get(*indent..).unwrap_or_default());
                text.push('\n');
            }
            (None, None) => {}
        }
    }
    out
}

/// A running `hubgen serve`, stopped when dropped.
struct Preview {
    child: std::process::Child,
    port: u16,
    log: std::sync::Arc<std::sync::Mutex<String>>,
}

impl Drop for Preview {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `hubgen ARGS` (a `serve` command as the guide writes it) and waits
/// for the address it prints.
fn preview(site: &Path, args: &[&str]) -> Preview {
    use std::io::BufRead;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_hubgen"))
        .arg("-C")
        .arg(site)
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().expect("serve prints its address").unwrap();
    let log = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    for stream in [
        Box::new(lines.map_while(Result::ok)) as Box<dyn Iterator<Item = String> + Send>,
        Box::new(
            std::io::BufReader::new(child.stderr.take().unwrap())
                .lines()
                .map_while(Result::ok),
        ),
    ] {
        let keep = log.clone();
        std::thread::spawn(move || {
            for line in stream {
                let mut log = keep.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
    }
    // "Serving hub at http://127.0.0.1:1111/ (Ctrl+C to stop)"
    let url = first
        .split(" at ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap();
    assert!(url.starts_with("http://127.0.0.1:"), "{first}");
    let port = url
        .trim_end_matches('/')
        .rsplit(':')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    Preview { child, port, log }
}

/// GET `path` from the preview: status and body.
fn get(port: u16, path: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let raw = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    (
        head.split(' ').nth(1).unwrap().parse().unwrap(),
        body.to_string(),
    )
}

/// Waits up to 20 seconds for `done`.
fn within_20s(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !done() {
        assert!(std::time::Instant::now() < deadline, "{what} within 20 s");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

/// The editors' guide (content/editors/publishing-on-the-hub.md), followed
/// step by step on a copy of the site: each command it shows is run as it
/// is written there, and does what the guide says it does.
#[test]
fn the_editors_guide_followed_step_by_step() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path();
    copy_site(site);
    let guide = read(repo().join("content/editors/publishing-on-the-hub.md"));
    let blocks = fenced_blocks(&guide);
    // The hubgen commands; the install steps before them unpack a downloaded
    // release, which only exists once release.yml has published one.
    let commands: Vec<&str> = blocks
        .iter()
        .filter(|(info, _)| info == "sh")
        .map(|(_, text)| text.trim())
        .filter(|text| text.starts_with("hubgen "))
        .collect();
    let words = |c: &str| -> Vec<String> {
        // The title is one argument, in quotes, as a shell reads it.
        let (head, quoted) = c.split_once(" \"").unwrap_or((c, ""));
        let mut w: Vec<String> = head.split_whitespace().map(str::to_string).collect();
        if !quoted.is_empty() {
            w.push(quoted.trim_end_matches('"').to_string());
        }
        w
    };
    let [new, serve, check] = commands[..] else {
        panic!("the guide's commands changed: {commands:?}; follow the new ones here")
    };

    // 1. Start a page: it prints the path the guide names, made from the title.
    let new = words(new);
    assert_eq!(new[..3], ["hubgen", "new", "guide"], "{new:?}");
    let o = hubgen(
        site,
        &new[1..].iter().map(String::as_str).collect::<Vec<_>>(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let rel = stdout(&o).trim().to_string();
    assert!(
        guide.contains(&format!("This creates `{rel}` and prints its path")),
        "{rel}"
    );
    let slug = rel
        .trim_start_matches("content/guides/")
        .trim_end_matches(".md")
        .to_string();
    let page_path = site.join(&rel);
    let made = read(&page_path);
    assert!(
        made.contains("# Required: ") && made.contains("# Optional: "),
        "{made}"
    );
    let again = hubgen(
        site,
        &new[1..].iter().map(String::as_str).collect::<Vec<_>>(),
    );
    assert_eq!(again.status.code(), Some(1), "it never overwrites a page");
    assert_eq!(read(&page_path), made);

    // "Writing a page": the guide's example page, written into the new file.
    let (_, example) = blocks.iter().find(|(info, _)| info == "markdown").unwrap();
    let page = example.replace('…', "Agree who pays for what before anyone moves in.");
    std::fs::write(&page_path, &page).unwrap();

    watch_it(site, &words(serve), &guide, &rel, &slug, &page);

    // 3. Check it: nothing to report; every problem at once; nothing written.
    let check = words(check);
    let args: Vec<&str> = check[1..].iter().map(String::as_str).collect();
    let o = hubgen(site, &args);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(!stdout(&o).contains("error"), "{}", stdout(&o));
    // "When something is wrong": the guide's example message, exactly.
    let typo = page.replace("workstream:", "workstrem:");
    std::fs::write(&page_path, &typo).unwrap();
    let o = hubgen(site, &args);
    assert_eq!(o.status.code(), Some(1));
    let (_, shown) = blocks
        .iter()
        .find(|(info, text)| info == "text" && text.contains("workstrem"))
        .unwrap();
    assert!(
        stdout(&o).contains(shown.trim_end()),
        "the guide shows\n{shown}\ncheck says\n{}",
        stdout(&o)
    );
    assert!(!site.join("public").exists(), "check writes nothing");

    // 5. A pull request: the same check, as annotations on the line.
    let workflow = read(repo().join(".github/workflows/check.yml"));
    assert!(
        workflow.contains("hubgen check --format github"),
        "{workflow}"
    );
    let o = hubgen(site, &["check", "--format", "github"]);
    assert!(
        stdout(&o).contains(&format!("::error file={rel},line=4,col=1,")),
        "{}",
        stdout(&o)
    );
    std::fs::write(&page_path, &page).unwrap();

    // 4. Build both sites: they appear where the guide says.
    assert!(guide
        .contains("with `hubgen build`; they appear in\n   `public/programme/` and `public/hub/`"));
    let o = hubgen(site, &["build"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(site.join("public/programme/index.html").is_file());
    assert!(site
        .join(format!("public/hub/guides/{slug}/index.html"))
        .is_file());

    // "hubgen schema guides gives": the reference exactly as the guide shows it.
    let o = hubgen(site, &["schema", "guides"]);
    let (_, reference) = blocks
        .iter()
        .find(|(info, text)| info == "text" && text.starts_with("guides — "))
        .unwrap();
    assert_eq!(stdout(&o), *reference);
}

/// Step 2 of the guide: the preview shows the page, reloads it on save, and
/// on a mistake names the file and line while it keeps the last good page.
fn watch_it(site: &Path, serve: &[String], guide: &str, rel: &str, slug: &str, page: &str) {
    let page_path = site.join(rel);
    let words = |c: &str| -> Vec<String> { c.split_whitespace().map(str::to_string).collect() };
    assert_eq!(serve[..2], ["hubgen", "serve"]);
    let hub = preview(
        site,
        &serve[1..].iter().map(String::as_str).collect::<Vec<_>>(),
    );
    let url = format!("/guides/{slug}/");
    let (status, html) = get(hub.port, &url);
    assert_eq!(status, 200, "{url}");
    assert!(html.contains("Sharing a building with partners"), "{html}");
    std::fs::write(
        &page_path,
        page.replace("Agree who pays", "First agree who pays"),
    )
    .unwrap();
    within_20s("the saved page reloads", || {
        get(hub.port, &url).1.contains("First agree who pays")
    });
    let broken = page.replace("audience: Asset managers\n", "");
    std::fs::write(&page_path, &broken).unwrap();
    within_20s("the preview names the file and line", || {
        hub.log
            .lock()
            .unwrap()
            .contains(&format!("{rel}:1:1: error: required field `audience`"))
    });
    assert!(
        get(hub.port, &url).1.contains("First agree who pays"),
        "the last good page stays"
    );
    std::fs::write(&page_path, page).unwrap();
    within_20s("the fixed page reloads", || {
        !get(hub.port, &url).1.contains("First agree who pays")
    });
    drop(hub);
    // …or the programme site, for an update or a workstream.
    let programme = "hubgen serve --target programme";
    assert!(guide.contains(&format!("`{programme}`")));
    let prog = preview(
        site,
        &words(programme)[1..]
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    assert_eq!(get(prog.port, "/workstreams/").0, 200);
    drop(prog);
}
