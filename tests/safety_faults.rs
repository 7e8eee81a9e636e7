//! A build cut short, or two at once, never publishes half a site: on a
//! generated site of 5,000 pages, kill builds at exact points of the swap and
//! at random moments of the write, and run builds side by side with a
//! preview; every output is always whole, and the next build matches a clean one.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

const PAGES: usize = 5_000;

/// A generated two-target site of `pages` guides.
fn generated_site(dir: &Path, pages: usize) -> PathBuf {
    let root = dir.join("site");
    let write = |rel: &str, text: &str| {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    write(
        "site.toml",
        &format!(
            r#"title = "Faults"
themes_dir = "{}"

[collections.pages]
permalink = "/{{slug}}/"

[collections.guides]
paginate_by = 100

[taxonomies.tags]

[targets.main]
base_url = "https://example.org/"
theme = "programme"
collections = ["pages", "guides"]

[targets.other]
base_url = "https://other.example.org/hub/"
theme = "hub"
collections = ["guides"]
"#,
            repo().join("themes").display()
        ),
    );
    write(
        "content/pages/about.md",
        "---\ntitle: About\nsummary: What this is.\n---\n\nAbout us.\n",
    );
    for i in 0..pages {
        write(
            &format!("content/guides/guide-{i:05}.md"),
            &format!(
                "---\ntitle: Guide {i}\nsummary: How to do thing {i}.\ntags: [t{}, t{}]\n---\n\n## Why\n\nBecause {i} matters to councils.\n\n## How\n\nStep by step, {} ways.\n",
                i % 17,
                i % 5,
                i % 9
            ),
        );
    }
    root
}

fn build(root: &Path, fault: Option<&str>) -> Child {
    let mut c = Command::new(env!("CARGO_BIN_EXE_hubgen"));
    c.arg("-C").arg(root).arg("build");
    if let Some(f) = fault {
        c.env("HUBGEN_FAULT", f);
    }
    c.stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn finish(child: Child) -> std::process::Output {
    child.wait_with_output().unwrap()
}

/// Each target's output, whole: what a clean build writes.
fn outputs(root: &Path) -> Outputs {
    ["main", "other"]
        .into_iter()
        .map(|t| (t.to_string(), snapshot(&root.join("public").join(t))))
        .collect()
}

/// What `public/` holds besides the two outputs and their spares (the
/// output before last, kept for the next build): a staging or old folder
/// left behind.
fn leftovers(root: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root.join("public"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| {
            !["main", "other", ".main.hubgen-spare", ".other.hubgen-spare"].contains(&n.as_str())
        })
        .collect();
    names.sort();
    names
}

type Outputs = BTreeMap<String, BTreeMap<String, Vec<u8>>>;

/// Each target's output, compared with what clean builds wrote: which of
/// them it is whole, else what is wrong.
fn which_whole(now: &Outputs, t: &str, cleans: &[&Outputs]) -> Result<usize, String> {
    let got = &now[t];
    let mut why = Vec::new();
    for (i, clean) in cleans.iter().enumerate() {
        let files = &clean[t];
        let missing = files.keys().filter(|k| !got.contains_key(*k)).count();
        let differ = files
            .iter()
            .filter(|(k, v)| got.get(*k).is_some_and(|g| g != *v))
            .count();
        if missing == 0 && differ == 0 && got.len() == files.len() {
            return Ok(i);
        }
        why.push(format!(
            "{missing} missing, {differ} different, {} files of {}",
            got.len(),
            files.len()
        ));
    }
    Err(why.join("; "))
}

fn assert_whole(root: &Path, clean: &Outputs, when: &str) {
    let now = outputs(root);
    for t in clean.keys() {
        if let Err(why) = which_whole(&now, t, &[clean]) {
            panic!("{when}: target {t} is not whole: {why}");
        }
    }
}

/// A guide edited, one removed and one added: a second version of the site.
fn edit(root: &Path, on: bool) {
    let guides = root.join("content/guides");
    let (edited, removed, added) = (
        guides.join("guide-00007.md"),
        guides.join("guide-00011.md"),
        guides.join("guide-new.md"),
    );
    let text = std::fs::read_to_string(&edited).unwrap();
    let line = "\nA sentence an editor added.\n";
    if on {
        std::fs::write(&edited, format!("{text}{line}")).unwrap();
        std::fs::rename(&removed, guides.join("guide-00011.md.off")).unwrap();
        std::fs::write(
            &added,
            "---\ntitle: A new guide\nsummary: New.\ntags: [t1]\n---\n\nNew.\n",
        )
        .unwrap();
    } else {
        std::fs::write(&edited, text.replace(line, "")).unwrap();
        std::fs::rename(guides.join("guide-00011.md.off"), &removed).unwrap();
        std::fs::remove_file(&added).unwrap();
    }
}

#[test]
fn a_build_killed_anywhere_leaves_whole_sites_and_the_next_build_repairs() {
    let tmp = tempfile::tempdir().unwrap();
    let root = generated_site(tmp.path(), PAGES);
    // Clean builds of the site's two versions, each into new folders.
    edit(&root, true);
    let o = finish(build(&root, None));
    assert!(o.status.success(), "{}", stderr(&o));
    let edited = outputs(&root);
    std::fs::remove_dir_all(root.join("public")).unwrap();
    edit(&root, false);
    let t0 = Instant::now();
    let o = finish(build(&root, None));
    assert!(o.status.success(), "{}", stderr(&o));
    let took = t0.elapsed();
    let clean = outputs(&root);
    assert!(clean["main"].len() > PAGES && clean["other"].len() > PAGES);
    assert_ne!(clean, edited);

    // Exact points of the swap, building what is there already.
    for point in ["staged", "exchanged", "swapped-one", "spared"] {
        let o = finish(build(&root, Some(point)));
        assert!(
            !o.status.success(),
            "{point}: the fault point was not reached"
        );
        assert_whole(&root, &clean, &format!("killed at {point}"));
        let o = finish(build(&root, None));
        assert!(o.status.success(), "after {point}: {}", stderr(&o));
        assert_whole(&root, &clean, &format!("rebuilt after {point}"));
        assert_eq!(leftovers(&root), Vec::<String>::new(), "after {point}");
    }
    // While the spare is brought up to date for an edit: the live output is
    // untouched, and the half-changed spare is never used.
    edit(&root, true);
    let o = finish(build(&root, Some("reusing")));
    assert!(
        !o.status.success(),
        "reusing: the fault point was not reached"
    );
    assert_whole(&root, &clean, "killed while reusing the spare");
    let o = finish(build(&root, None));
    assert!(o.status.success(), "after reusing: {}", stderr(&o));
    assert_whole(&root, &edited, "rebuilt after reusing");
    assert_eq!(leftovers(&root), Vec::<String>::new(), "after reusing");

    // Random moments of a whole build, with a seed printed for reproduction,
    // the site changing between the two versions each round: each output is
    // always one version whole, and the next build makes the version there.
    let mut seed: u64 = std::env::var("HUBGEN_TEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        });
    println!("seed {seed}");
    let span = took.as_millis().max(50) as u64;
    let mut on = true;
    for round in 0..4 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        on = !on;
        edit(&root, on);
        let wait = Duration::from_millis(seed % (span + span / 4));
        let mut child = build(&root, None);
        std::thread::sleep(wait);
        let _ = child.kill();
        let _ = child.wait();
        let now = outputs(&root);
        for t in ["main", "other"] {
            if let Err(why) = which_whole(&now, t, &[&clean, &edited]) {
                panic!("round {round}, killed after {wait:?}: target {t} is not whole: {why}");
            }
        }
        let o = finish(build(&root, None));
        assert!(o.status.success(), "round {round}: {}", stderr(&o));
        assert_whole(
            &root,
            if on { &edited } else { &clean },
            &format!("round {round}, rebuilt"),
        );
        assert_eq!(leftovers(&root), Vec::<String>::new(), "round {round}");
    }
}

#[test]
fn two_builds_and_a_preview_at_once_never_mix() {
    let tmp = tempfile::tempdir().unwrap();
    let root = generated_site(tmp.path(), 2_000);
    let o = finish(build(&root, None));
    assert!(o.status.success(), "{}", stderr(&o));
    let clean = outputs(&root);

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let preview = Preview(
        Command::new(env!("CARGO_BIN_EXE_hubgen"))
            .arg("-C")
            .arg(&root)
            .args(["serve", "--target", "other", "--port", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    for round in 0..2 {
        let (a, b) = (build(&root, None), build(&root, None));
        let (a, b) = (finish(a), finish(b));
        assert!(a.status.success(), "round {round}: {}", stderr(&a));
        assert!(b.status.success(), "round {round}: {}", stderr(&b));
        assert_whole(&root, &clean, &format!("round {round}"));
        assert_eq!(leftovers(&root), Vec::<String>::new());
    }
    // The preview kept its own folder and still serves whole pages.
    let deadline = Instant::now() + Duration::from_secs(120);
    let page = loop {
        if let Ok(p) = get(port, "/guides/guide-00042/") {
            break p;
        }
        assert!(Instant::now() < deadline, "the preview never answered");
        std::thread::sleep(Duration::from_millis(200));
    };
    assert!(page.contains("Because 42 matters to councils"), "{page}");
    drop(preview);
    assert_whole(&root, &clean, "after the preview");
}

/// A running preview, stopped however the test ends.
struct Preview(Child);

impl Drop for Preview {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A plain HTTP GET on 127.0.0.1, with the status checked.
fn get(port: u16, path: &str) -> std::io::Result<String> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port))?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )?;
    let mut text = String::new();
    s.read_to_string(&mut text)?;
    if text.starts_with("HTTP/1.1 200") {
        Ok(text)
    } else {
        Err(std::io::Error::other(text))
    }
}

/// Two checkouts of one site building into one folder (two CI jobs deploying
/// to the same place) take turns: the folder always ends whole and marked.
#[test]
fn two_checkouts_building_into_one_folder_take_turns() {
    let tmp = tempfile::tempdir().unwrap();
    let first = generated_site(&tmp.path().join("one"), 1_500);
    let second = generated_site(&tmp.path().join("two"), 1_500);
    let shared = tmp.path().join("shared");
    let run = |root: &Path| {
        Command::new(env!("CARGO_BIN_EXE_hubgen"))
            .arg("-C")
            .arg(root)
            .args(["build", "--target", "other", "--output"])
            .arg(&shared)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let o = finish(run(&first));
    assert!(o.status.success(), "{}", stderr(&o));
    let clean = snapshot(&shared);
    for round in 0..3 {
        let (a, b) = (run(&first), run(&second));
        let (a, b) = (finish(a), finish(b));
        assert!(a.status.success(), "round {round}: {}", stderr(&a));
        assert!(b.status.success(), "round {round}: {}", stderr(&b));
        assert!(
            snapshot(&shared) == clean,
            "round {round}: the shared output is not whole"
        );
    }
    let mut left: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    left.sort();
    assert_eq!(left, [".shared.hubgen-spare", "one", "shared", "two"]);
}
