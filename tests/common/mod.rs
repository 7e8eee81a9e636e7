//! Helpers shared by the integration tests: run the real binary, read a built site.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The folder of fixture site `name`.
pub(crate) fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// The repository root: the programme's own site.
pub(crate) fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `hubgen -C site ARGS…`.
pub(crate) fn hubgen(site: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hubgen"))
        .arg("-C")
        .arg(site)
        .args(args)
        .output()
        .expect("the hubgen binary runs")
}

pub(crate) fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub(crate) fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Generates a hub of `pages` pages into `site` with the benchmark's corpus
/// generator (several collections, references, tags, pagination, aliases).
pub(crate) fn corpus(site: &Path, pages: usize) {
    let gen = Command::new("python3")
        .arg(repo().join("bench/corpus.py"))
        .args(["--pages", &pages.to_string(), "--out"])
        .arg(site)
        .output()
        .expect("python3 runs");
    assert!(
        gen.status.success(),
        "{}",
        String::from_utf8_lossy(&gen.stderr)
    );
}

/// Writes into `dir` a site of one collection, `collection`, published by one
/// target, `hub` (the hub theme, at `base_url`, into `public`); returns the
/// collection's content folder, made empty.
pub(crate) fn one_collection_site(
    dir: &Path,
    title: &str,
    collection: &str,
    base_url: &str,
) -> PathBuf {
    collection_site(dir, title, collection, base_url, "")
}

/// As [`one_collection_site`], with `settings` (TOML: the collection's own
/// keys, then any tables below it, such as its fields) after the
/// collection's table header.
pub(crate) fn collection_site(
    dir: &Path,
    title: &str,
    collection: &str,
    base_url: &str,
    settings: &str,
) -> PathBuf {
    let folder = dir.join("content").join(collection);
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(
        dir.join("site.toml"),
        format!(
            "title = \"{title}\"\nlanguage = \"en-GB\"\nthemes_dir = \"{}\"\n\n[collections.{collection}]\n{settings}\n[targets.hub]\nbase_url = \"{base_url}\"\ntheme = \"hub\"\ncollections = [\"{collection}\"]\noutput = \"public\"\n",
            repo().join("themes").display()
        ),
    )
    .unwrap();
    folder
}

/// Runs `git ARGS…` in `dir` as a fixed author, with the author and commit
/// dates `date` when given; asserts that it succeeded and returns its output.
pub(crate) fn git_ok(dir: &Path, args: &[&str], date: Option<&str>) -> String {
    let mut git = Command::new("git");
    git.current_dir(dir).args([
        "-c",
        "user.name=Editor",
        "-c",
        "user.email=editor@example.org",
        "-c",
        "commit.gpgsign=false",
    ]);
    if let Some(date) = date {
        git.env("GIT_AUTHOR_DATE", date)
            .env("GIT_COMMITTER_DATE", date);
    }
    let o = git.args(args).output().expect("git runs");
    assert!(
        o.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

/// Builds `site` into `out` and asserts that it succeeded.
pub(crate) fn build_ok(site: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["build", "--output", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    let o = hubgen(site, &args);
    assert!(
        o.status.success(),
        "build of {} failed:\n{}",
        site.display(),
        stderr(&o)
    );
    o
}

/// The paths whose contents differ between two snapshots of a tree (as
/// [`snapshot`] takes them), a path present in only one of them included.
pub(crate) fn differing<'a, V: PartialEq>(
    a: &'a BTreeMap<String, V>,
    b: &'a BTreeMap<String, V>,
) -> std::collections::BTreeSet<&'a String> {
    a.keys()
        .chain(b.keys())
        .filter(|k| a.get(*k) != b.get(*k))
        .collect()
}

/// Every file under `dir`, by `/`-separated relative path, with its bytes.
pub(crate) fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    if !dir.exists() {
        return out;
    }
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let rel = entry
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            out.insert(rel, std::fs::read(entry.path()).unwrap());
        }
    }
    out
}

/// The files of an output folder that a build made, as [`snapshot`], without
/// the manifest of them it ends with and the words it keeps for the next
/// build (which the live preview's folder does not have, and a deploy
/// leaves out).
pub(crate) fn built(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = snapshot(dir);
    files.remove(".hubgen-manifest");
    files.remove(".hubgen-words");
    files
}

pub(crate) fn read(path: impl AsRef<Path>) -> String {
    let path = path.as_ref();
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The values of every `attr="…"` in `html`, with the entities tera and
/// pulldown-cmark write decoded.
pub(crate) fn attr_values(html: &str, attr: &str) -> Vec<String> {
    let needle = format!(" {attr}=\"");
    html.match_indices(&needle)
        .map(|(i, _)| {
            let rest = &html[i + needle.len()..];
            let v = &rest[..rest.find('"').unwrap()];
            v.replace("&amp;", "&")
                .replace("&#x2F;", "/")
                .replace("&#39;", "'")
                .replace("&quot;", "\"")
        })
        .collect()
}

/// xorshift64*: small, and the same sequence on every platform.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Replaces the front-matter line starting with `key: `, or adds one.
pub(crate) fn set_field(text: &str, key: &str, value: Option<&str>) -> String {
    let end = text[4..].find("\n---").map_or(text.len(), |i| i + 4);
    let (head, body) = text.split_at(end);
    // A field is its `key:` line and, for a block value, the indented or `- ` lines after it.
    let mut lines: Vec<String> = Vec::new();
    let mut in_field = false;
    for line in head.lines() {
        let continues = line.starts_with(' ') || (line.starts_with('-') && line != "---");
        if line.starts_with(&format!("{key}: ")) || line == format!("{key}:") {
            in_field = true;
        } else if !(in_field && continues) {
            in_field = false;
            lines.push(line.to_string());
        }
    }
    if let Some(v) = value {
        lines.insert(1, format!("{key}: {v}"));
    }
    lines.join("\n") + body
}

/// The value of the front-matter line starting with `key: `.
pub(crate) fn field<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    let end = text[4..].find("\n---").map_or(text.len(), |i| i + 4);
    text[..end]
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{key}: ")))
}
