//! Whatever names an editor or a site.toml gives — file names, slugs,
//! permalinks, aliases, target names, output paths, made from `..`, `/`, `\`,
//! `%2e`, unicode, empty and very long parts — a build either fails with
//! located errors and changes nothing, or writes only inside its output
//! folders.

mod common;

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};

use common::*;
use proptest::prelude::*;

/// Parts that have broken path handling somewhere, some time.
fn nasty() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("..".to_string()),
        Just(".".to_string()),
        Just("/".to_string()),
        Just("\\".to_string()),
        Just("%2e%2e".to_string()),
        Just("日本語".to_string()),
        Just(String::new()),
        Just("x".repeat(300)),
        Just(" ".to_string()),
        Just("~".to_string()),
        Just("{slug}".to_string()),
        Just("{foo}".to_string()),
        Just("index.html".to_string()),
        Just("search".to_string()),
        Just("content".to_string()),
        Just(".git".to_string()),
        Just("public".to_string()),
        "[a-z]{1,6}",
    ]
}

/// One to four nasty parts joined by `/`.
fn path() -> impl Strategy<Value = String> {
    prop::collection::vec(nasty(), 1..4).prop_map(|p| p.join("/"))
}

#[derive(Debug, Clone)]
struct Case {
    target: String,
    output: Option<String>,
    folder: Option<String>,
    permalink: Option<String>,
    file: String,
    alias: String,
}

fn case() -> impl Strategy<Value = Case> {
    (
        prop_oneof![Just("main".to_string()), nasty()],
        prop::option::of(path()),
        prop::option::of(path()),
        prop::option::of(path().prop_map(|p| format!("/{p}/{{slug}}/"))),
        nasty(),
        path().prop_map(|p| format!("/{p}")),
    )
        .prop_map(|(target, output, folder, permalink, file, alias)| Case {
            target,
            output,
            folder,
            permalink,
            file,
            alias,
        })
}

/// The site sits four folders down, so that `..` in a generated output path
/// stays inside the temporary folder the test watches.
fn write_site(tmp: &Path, c: &Case) -> PathBuf {
    let root = tmp.join("a/b/c/d/site");
    let mut toml = format!(
        "title = \"Props\"\nthemes_dir = {:?}\n\n[collections.guides]\n",
        repo().join("themes").display().to_string()
    );
    if let Some(f) = &c.folder {
        let _ = writeln!(toml, "folder = {f:?}");
    }
    if let Some(p) = &c.permalink {
        let _ = writeln!(toml, "permalink = {p:?}");
    }
    let _ = writeln!(
        toml,
        "\n[targets.{:?}]\nbase_url = \"https://example.org/\"\ntheme = \"base\"\ncollections = [\"guides\"]",
        c.target
    );
    if let Some(o) = &c.output {
        let _ = writeln!(toml, "output = {o:?}");
    }
    let folder = c.folder.clone().unwrap_or_else(|| "guides".into());
    let write = |rel: &Path, text: &str| {
        // Only where the test can watch: a generated path that climbs out is
        // simply not written (the build then says the folder is missing).
        let p = normal(&root.join(rel));
        if p.starts_with(tmp) && !p.as_os_str().is_empty() {
            if let Some(dir) = p.parent() {
                let _ = std::fs::create_dir_all(dir);
            }
            let _ = std::fs::write(&p, text);
        }
    };
    write(Path::new("site.toml"), &toml);
    let page = format!(
        "---\ntitle: A page\naliases: [{:?}]\n---\n\nText.\n",
        c.alias
    );
    write(
        &Path::new("content")
            .join(&folder)
            .join(format!("{}.md", c.file)),
        &page,
    );
    write(
        &Path::new("content").join(&folder).join("plain.md"),
        "---\ntitle: Plain\n---\n\nText.\n",
    );
    root
}

/// `path` with `.` and `..` resolved as written.
fn normal(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

fn tree(tmp: &Path) -> BTreeMap<String, Vec<u8>> {
    snapshot(tmp)
        .into_iter()
        .filter(|(k, _)| !k.contains(".hubgen-cache/"))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 192, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn a_build_fails_located_or_writes_only_inside_its_output(c in case()) {
        let tmp = tempfile::tempdir().unwrap();
        let tmp_path = tmp.path().canonicalize().unwrap();
        let root = write_site(&tmp_path, &c);
        let before = tree(&tmp_path);
        let o = hubgen(&root, &["build"]);
        let err = stderr(&o);
        let after = tree(&tmp_path);
        let changed = differing(&before, &after);
        match o.status.code() {
            Some(0) => {
                let output = normal(&root.join(c.output.clone().unwrap_or_else(|| format!("public/{}", c.target))));
                let output = output.strip_prefix(&tmp_path).unwrap_or(&output).to_string_lossy().into_owned();
                for k in &changed {
                    prop_assert!(
                        k.starts_with(&format!("{output}/")),
                        "{k} was written outside the output folder {output}"
                    );
                }
            }
            Some(1) => {
                prop_assert!(changed.is_empty(), "a failed build changed {changed:?}\n{err}");
                for line in err.lines().filter(|l| l.contains("error: ") && !l.starts_with("error: build failed")) {
                    let located = line.starts_with("site.toml") || line.starts_with("content/");
                    prop_assert!(located, "an error without its place: {line}\n{err}");
                }
            }
            other => prop_assert!(false, "exit {other:?}:\n{err}"),
        }
    }
}
