//! Content that could run code in a reader's browser, front matter reported at
//! the wrong place, and inputs that took quadratic time: `hubgen build` refuses
//! each with a located error, exit 1 and the previous output left alone.

mod common;

use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::*;

/// How long a generated worst case may take in a debug build. It only guards
/// against the quadratic blow-up (minutes before the fixes), not speed.
const GENERATED_LIMIT: Duration = Duration::from_secs(10);

/// Builds `site` over the last good output of the `good` fixture and checks
/// that the build fails with exactly `expected` (each `path:line:col: error: …`
/// prefix, in order), exits 1 and leaves the previous output byte for byte.
/// Returns stderr and how long the failing build took.
fn fails_without_touching_output(site: &Path, expected: &[&str]) -> (String, Duration) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    build_ok(&fixture("good"), &out, &["--target", "alpha"]);
    let before = snapshot(&out);
    assert!(before.contains_key("index.html"));

    let start = Instant::now();
    let o = hubgen(site, &["build", "--output", out.to_str().unwrap()]);
    let took = start.elapsed();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "expected exit 1\n{err}");
    let headlines: Vec<&str> = err.lines().filter(|l| l.contains(": error: ")).collect();
    assert_eq!(
        headlines.len(),
        expected.len(),
        "wrong number of problems:\n{err}"
    );
    for (line, want) in headlines.iter().zip(expected) {
        assert!(
            line.starts_with(want),
            "expected a line starting {want:?}, got {line:?}"
        );
    }
    assert!(err.contains("nothing was written"), "{err}");
    assert_eq!(snapshot(&out), before, "the previous output changed");
    (err, took)
}

/// A one-collection site in a temporary folder, with `files` (name, text) in content/guides/.
fn generated_site(files: &[(&str, String)]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let themes = repo().join("themes");
    std::fs::write(
        dir.path().join("site.toml"),
        format!(
            "title = \"Generated\"\nthemes_dir = '{}'\n\n[collections.guides]\n\n[targets.site]\nbase_url = \"https://example.org/\"\ntheme = \"hub\"\ncollections = [\"guides\"]\n",
            themes.display()
        ),
    )
    .unwrap();
    let guides = dir.path().join("content/guides");
    std::fs::create_dir_all(&guides).unwrap();
    for (name, text) in files {
        std::fs::write(guides.join(name), text).unwrap();
    }
    let root = dir.path().to_path_buf();
    (dir, root)
}

#[test]
fn script_capable_markup_is_refused_where_it_is() {
    let (err, _) = fails_without_touching_output(
        &fixture("content-unsafe"),
        &[
            "content/guides/pasted.md:7:1: error: `<script>` runs code in readers' browsers",
            "content/guides/pasted.md:9:14: error: this link's address starts with `javascript:`",
            "content/guides/pasted.md:11:12: error: a heading may only have an id and classes, like {#id .class}, not `onclick=alert(1)`",
            "content/guides/pasted.md:13:34: error: the `onerror` attribute runs code in readers' browsers",
            "content/guides/pasted.md:15:6: error: this image's address is a `data:` URL that is not an image",
            "content/guides/pasted.md:17:8: error: this link's address starts with `vbscript:`",
            "content/guides/pasted.md:19:1: error: `<iframe>` can run code or change how the page behaves",
            "content/guides/pasted.md:21:1: error: this `<!--` comment is never closed, so it would hide the rest of the page",
        ],
    );
    assert!(
        err.contains("hint: remove the script; if this collection really needs raw HTML, set `raw_html = true` for it in site.toml"),
        "{err}"
    );
    assert!(err.contains(" 13 | <img src=\"chart.png\" alt=\"Chart\" onerror=\"alert(1)\">"));
    assert!(err.contains("hint: end the comment with `-->`"), "{err}");
}

#[test]
fn the_safe_subset_passes_and_raw_html_collections_opt_in() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    build_ok(&fixture("content-raw-html"), &out, &[]);
    let guide = read(out.join("guides/safe/index.html"));
    for kept in [
        "Press <kbd>Ctrl</kbd> + <kbd>P</kbd>; the <abbr title=\"Local Government Association\">LGA</abbr> says x<sup>2</sup>.<br>",
        "<details>\n<summary>More</summary>\n<p>Hidden <em>text</em>.</p>\n</details>",
        "<!-- a note for editors -->",
    ] {
        assert!(guide.contains(kept), "{kept:?} missing from\n{guide}");
    }
    let note = read(out.join("notes/embed/index.html"));
    assert!(note.contains("<iframe src=\"https://maps.example.org/embed\" title=\"Map\"></iframe>"));
    assert!(note.contains("<script>window.mapReady = true</script>"));
}

#[test]
fn front_matter_errors_are_located_and_plain() {
    let (err, _) = fails_without_touching_output(
        &fixture("content-front-matter"),
        &[
            "content/guides/control.md:2:10: error: `title` holds an invisible control character (U+0001)",
            "content/guides/deep.md:3:73: error: the front matter nests lists or mappings more than 64 levels deep",
            "content/guides/dup-aliases.md:5:1: error: the field `aliases` is written twice (first on line 3)",
            "content/guides/dup-status.md:6:1: error: the field `status` is written twice (first on line 3)",
            "content/guides/laughs.md:4:8: error: this front matter repeats an anchor (&name / *name) too often",
            "content/guides/null-key.md:3:1: error: a field has no name",
        ],
    );
    assert!(err.contains(" 6 | status: closed"), "{err}");
    assert!(err.contains(" 3 | ~: c"), "{err}");
}

#[test]
fn many_identical_headings_build_in_linear_time() {
    let body = "## Same\n\nText.\n\n".repeat(50_000);
    let (_dir, site) = generated_site(&[("same.md", format!("---\ntitle: Same\n---\n\n{body}"))]);
    let out = site.join("public");
    let start = Instant::now();
    build_ok(&site, &out, &[]);
    let took = start.elapsed();
    let page = read(out.join("guides/same/index.html"));
    assert!(page.contains("<h2 id=\"same-49999\">Same</h2>"));
    assert!(took < GENERATED_LIMIT, "50,000 headings took {took:?}");
}

#[test]
fn many_unknown_keys_are_reported_in_linear_time() {
    let keys = (0..20_000).fold(String::new(), |mut keys, i| {
        let _ = writeln!(keys, "k{i}: v");
        keys
    });
    let (_dir, site) =
        generated_site(&[("many.md", format!("---\ntitle: Many\n{keys}---\n\nBody.\n"))]);
    let expected: Vec<String> = (0..20_000)
        .map(|i| {
            format!(
                "content/guides/many.md:{}:1: error: unknown field \"k{i}\"",
                i + 3
            )
        })
        .collect();
    let expected: Vec<&str> = expected.iter().map(String::as_str).collect();
    let (err, took) = fails_without_touching_output(&site, &expected);
    assert!(
        err.contains(" 20002 | k19999: v"),
        "the source line is shown"
    );
    assert!(took < GENERATED_LIMIT, "20,000 unknown keys took {took:?}");
}

#[test]
fn deep_nesting_is_refused_early() {
    let (_dir, site) = generated_site(&[(
        "deep.md",
        format!(
            "---\ntitle: Deep\nsummary: {}\n---\n",
            "{a: ".repeat(100_000)
        ),
    )]);
    let (_, took) = fails_without_touching_output(
        &site,
        &["content/guides/deep.md:3:262: error: the front matter nests lists or mappings more than 64 levels deep"],
    );
    assert!(
        took < GENERATED_LIMIT,
        "100,000 nested mappings took {took:?}"
    );
}
