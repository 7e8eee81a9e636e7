//! `hubgen build` on fixture sites: what a user and CI see for good and bad input.

mod common;

use common::*;

/// Builds a bad fixture over the last good output of another site and checks
/// that the build fails with exactly `expected` (each `path:line:col: error: …`
/// prefix in order), exits 1, and leaves the previous output byte-for-byte alone.
fn fails_without_touching_output(name: &str, expected: &[&str]) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    build_ok(&fixture("good"), &out, &["--target", "alpha"]);
    let before = snapshot(&out);
    assert!(before.contains_key("index.html"));

    let o = hubgen(
        &fixture(name),
        &["build", "--output", out.to_str().unwrap()],
    );
    let err = stderr(&o);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{name}: expected exit 1, got {:?}\n{err}",
        o.status
    );
    let headlines: Vec<&str> = err.lines().filter(|l| l.contains(": error: ")).collect();
    assert_eq!(
        headlines.len(),
        expected.len(),
        "{name}: wrong number of problems:\n{err}"
    );
    for (line, want) in headlines.iter().zip(expected) {
        assert!(
            line.starts_with(want),
            "{name}: expected a line starting {want:?}, got {line:?}\n{err}"
        );
    }
    assert!(err.contains("nothing was written"), "{err}");
    assert_eq!(
        snapshot(&out),
        before,
        "{name}: the previous output changed"
    );
    let leftovers: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers, ["site"], "{name}: staging folders left behind");
    err
}

#[test]
fn malformed_yaml() {
    let err = fails_without_touching_output(
        "bad-yaml",
        &["content/guides/broken.md:3:11: error: the fields at the top of the page cannot be read: a value holds `: `, which reads as the start of another field"],
    );
    assert!(err.contains(" 3 | summary: a: b"), "{err}");
    assert!(
        err.contains("put quotes round values that contain `: `"),
        "{err}"
    );
}

#[test]
fn unterminated_front_matter() {
    fails_without_touching_output(
        "unterminated",
        &["content/guides/open.md:1:1: error: front matter is not closed"],
    );
}

#[test]
fn missing_required_field() {
    let err = fails_without_touching_output(
        "missing-field",
        &["content/guides/no-audience.md:1:1: error: required field `audience` is missing"],
    );
    assert!(err.contains("hint: add `audience: Some text`"), "{err}");
}

#[test]
fn wrong_type() {
    let err = fails_without_touching_output(
        "wrong-type",
        &["content/guides/bad-date.md:5:1: error: `review_by` must be a date (YYYY-MM-DD), but is \"next spring\""],
    );
    assert!(err.contains(" 5 | review_by: next spring"), "{err}");
}

#[test]
fn value_not_allowed() {
    let err = fails_without_touching_output(
        "not-allowed",
        &["content/topics/waste.md:3:1: error: \"finished\" is not an allowed value of `status`"],
    );
    assert!(err.contains("hint: allowed: \"open\", \"closed\""), "{err}");
}

#[test]
fn unknown_field_suggests_the_near_one() {
    let err = fails_without_touching_output(
        "unknown-field",
        &["content/guides/typo.md:5:1: error: unknown field \"reveiw_by\""],
    );
    assert!(err.contains("hint: did you mean \"review_by\"?"), "{err}");
}

#[test]
fn reference_to_a_missing_document() {
    let err = fails_without_touching_output(
        "missing-reference",
        &["content/guides/dangling.md:4:1: error: `topic` refers to \"enrgy\", but there is no such document in `topics`"],
    );
    assert!(err.contains("hint: did you mean \"energy\"?"), "{err}");
}

#[test]
fn two_documents_with_one_url() {
    let err = fails_without_touching_output(
        "duplicate-url",
        &[
            "content/topics/energy.md:1:1: error: this page's URL /topics/energy/ is already taken by content/notes/energy.md",
            // Both collections' permalinks start /topics/, so their lists clash too.
            "site.toml: error: the list of `notes` would be written to topics/index.html, which is already the list of `topics`",
        ],
    );
    assert!(err.contains("hint: rename the file"), "{err}");
}

#[test]
fn file_that_is_not_utf8() {
    let err = fails_without_touching_output(
        "not-utf8",
        &["content/guides/latin1.md:2:11: error: the file is not valid UTF-8 (byte 0xE9"],
    );
    assert!(err.contains("save the file as UTF-8"), "{err}");
}

#[test]
fn link_to_a_missing_markdown_file() {
    let err = fails_without_touching_output(
        "broken-link",
        &["content/guides/links.md:9:5: error: link to \"../topics/wast.md\", but content/topics/wast.md does not exist"],
    );
    assert!(
        err.contains("did you mean \"../topics/energy.md\""),
        "{err}"
    );
}

#[test]
fn unknown_key_in_site_toml() {
    let err = fails_without_touching_output(
        "bad-config",
        &["site.toml:28:1: error: unknown field `base_ur`"],
    );
    assert!(err.contains("hint: did you mean `base_url`?"), "{err}");
}

#[test]
fn template_error_names_file_and_line() {
    let err = fails_without_touching_output(
        "template-error",
        &["templates/page.html:4:20: error: template error: Failed to render 'page.html': Filter 'no_such_filter' not found"],
    );
    assert!(
        err.contains(" 4 | <p>{{ page.title | no_such_filter }}</p>"),
        "{err}"
    );
}

#[test]
fn every_problem_in_the_tree_is_reported_at_once() {
    fails_without_touching_output(
        "many-problems",
        &[
            "content/guides/a.md:1:1: error: required field `audience` is missing",
            "content/guides/b.md:5:1: error: unknown field \"colour\"",
            "content/guides/b.md:8:1: error: link to \"nowhere.md\"",
            "content/topics/c.md:3:1: error: \"maybe\" is not an allowed value of `status`",
        ],
    );
}

#[test]
fn good_site_builds_every_target() {
    let tmp = tempfile::tempdir().unwrap();
    let o = build_ok(&fixture("good"), tmp.path(), &[]);
    let out = stdout(&o);
    assert!(out.contains("alpha: "), "{out}");
    assert!(out.contains("beta: "), "{out}");
    for f in [
        "alpha/index.html",
        "alpha/topics/energy/index.html",
        "alpha/topics/index.html",
        "alpha/404.html",
        "alpha/sitemap.xml",
        "alpha/atom.xml",
        "alpha/robots.txt",
        "alpha/tags/energy/index.html",
        "beta/guides/buying-energy/index.html",
        "beta/guides/index.html",
        "beta/style.css",
    ] {
        assert!(tmp.path().join(f).is_file(), "missing {f}");
    }
    // Lists are paginated, with links between the pages.
    let first = read(tmp.path().join("alpha/topics/index.html"));
    assert!(
        first.contains("<a href=\"/topics/page/2/\" rel=\"next\">Next</a>"),
        "{first}"
    );
    let second = read(tmp.path().join("alpha/topics/page/2/index.html"));
    assert!(
        second.contains(">Waste</a>") && !second.contains(">Energy</a></h3>"),
        "{second}"
    );
    // Drafts are left out unless asked for.
    assert!(!tmp.path().join("beta/guides/work-in-progress").exists());
    let page = read(tmp.path().join("alpha/topics/energy/index.html"));
    assert!(
        page.contains("<h2 id=\"why-it-matters\">"),
        "unique heading ids"
    );
    assert!(
        page.contains("<h2 id=\"why-it-matters-1\">"),
        "unique heading ids"
    );
    assert!(
        page.contains("<link rel=\"canonical\" href=\"https://alpha.example.org/topics/energy/\">")
    );
    // Autoescape: a title with markup shows as text.
    let guide = read(tmp.path().join("beta/guides/buying-energy/index.html"));
    assert!(
        guide.contains("<h1>Buying energy &lt;together&gt;"),
        "{guide}"
    );
    assert!(guide.contains("<table>"));
}

#[test]
fn drafts_are_built_when_asked() {
    let tmp = tempfile::tempdir().unwrap();
    build_ok(
        &fixture("good"),
        tmp.path(),
        &["--target", "beta", "--drafts"],
    );
    let page = read(tmp.path().join("guides/work-in-progress/index.html"));
    assert!(page.contains("class=\"draft\""));
}

#[test]
fn links_between_targets_go_to_the_owner() {
    let tmp = tempfile::tempdir().unwrap();
    build_ok(&fixture("good"), tmp.path(), &[]);
    let guide = read(tmp.path().join("beta/guides/buying-energy/index.html"));
    let hrefs = attr_values(&guide, "href");
    // A link to a page this target does not publish: the absolute URL on the target that does.
    assert!(
        hrefs.contains(&"https://alpha.example.org/topics/energy/#why-it-matters-1".to_string()),
        "{hrefs:?}"
    );
    // A link within the target: a path under its base.
    assert!(
        hrefs.contains(&"/docs/guides/other/".to_string()),
        "{hrefs:?}"
    );
    // The reference field links across too.
    assert!(
        hrefs.contains(&"https://alpha.example.org/topics/energy/".to_string()),
        "{hrefs:?}"
    );
    // And back: the topic lists the guide that refers to it, on the other site.
    let topic = read(tmp.path().join("alpha/topics/energy/index.html"));
    assert!(attr_values(&topic, "href")
        .contains(&"https://beta.example.org/docs/guides/buying-energy/".to_string()));
}

#[test]
fn aliases_redirect_to_the_new_address() {
    let tmp = tempfile::tempdir().unwrap();
    build_ok(&fixture("good"), tmp.path(), &["--target", "alpha"]);
    for alias in ["old-energy/index.html", "legacy/energy.html"] {
        let page = read(tmp.path().join(alias));
        assert!(
            page.contains("<meta http-equiv=\"refresh\" content=\"0; url=/topics/energy/\">"),
            "{alias}: {page}"
        );
        assert!(
            page.contains(
                "<link rel=\"canonical\" href=\"https://alpha.example.org/topics/energy/\">"
            ),
            "{page}"
        );
        assert!(
            page.contains("<a href=\"/topics/energy/\">Energy</a>"),
            "{page}"
        );
    }
}

#[test]
fn base_url_and_output_can_be_overridden() {
    let tmp = tempfile::tempdir().unwrap();
    build_ok(
        &fixture("good"),
        tmp.path(),
        &[
            "--target",
            "beta",
            "--base-url",
            "http://127.0.0.1:8000/preview",
        ],
    );
    let guide = read(tmp.path().join("guides/buying-energy/index.html"));
    assert!(guide.contains("href=\"/preview/guides/other/\""), "{guide}");
    assert!(
        guide.contains("http://127.0.0.1:8000/preview/guides/buying-energy/"),
        "canonical on the new base"
    );
}

#[test]
fn usage_errors_are_clear() {
    let o = hubgen(&fixture("good"), &["build", "--target", "alhpa"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("error: no target named `alhpa`"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("did you mean `alpha`?"));

    let o = hubgen(
        &fixture("good"),
        &["build", "--base-url", "https://x.example/"],
    );
    assert!(
        stderr(&o).contains("--base-url applies to one target"),
        "{}",
        stderr(&o)
    );

    let tmp = tempfile::tempdir().unwrap();
    let o = hubgen(tmp.path(), &["build"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("site.toml: error: cannot read site.toml"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn output_never_overwrites_the_sources() {
    let site = fixture("good");
    let content = site.join("content");
    let o = hubgen(
        &site,
        &[
            "build",
            "--target",
            "alpha",
            "--output",
            content.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("overlaps the content folder, one of the site's own sources"),
        "{}",
        stderr(&o)
    );
    assert!(content.join("topics/energy.md").is_file());
}

#[test]
fn cli_help_and_version() {
    let o = hubgen(&fixture("good"), &["--help"]);
    assert!(o.status.success());
    assert!(stdout(&o).contains("build"));
    let o = hubgen(&fixture("good"), &["build", "--help"]);
    assert!(stdout(&o).contains("--drafts"));
    let o = hubgen(&fixture("good"), &["--version"]);
    assert!(stdout(&o).starts_with("hubgen "));
}

/// A link to a collection's folder (`../guides/`) goes to its list page, on
/// the target that lists it when the page's own target does not.
#[test]
fn a_folder_link_goes_to_the_collection_s_list() {
    let tmp = tempfile::tempdir().unwrap();
    build_ok(&fixture("good"), tmp.path(), &[]);
    let energy = read(tmp.path().join("alpha/topics/energy/index.html"));
    assert!(
        energy.contains("one of <a href=\"https://beta.example.org/docs/guides/\">the guides</a>"),
        "{energy}"
    );
}

/// A link pasted from a browser as an address on one of the site's targets
/// is resolved to the page there, like a link to its file: written for the
/// published site, it still reaches the page on a build at another address.
#[test]
fn an_address_pasted_from_a_browser_reaches_its_page_wherever_the_site_is_built() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    for entry in walkdir::WalkDir::new(fixture("good")) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(fixture("good")).unwrap();
        let to = site.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&to).unwrap();
        } else {
            std::fs::copy(entry.path(), &to).unwrap();
        }
    }
    let toml = read(site.join("site.toml")).replace(
        "themes_dir = \"../../../themes\"",
        &format!("themes_dir = {:?}", repo().join("themes").to_string_lossy()),
    );
    std::fs::write(site.join("site.toml"), toml).unwrap();
    let other = site.join("content/guides/other.md");
    let text =
        read(&other) + "\nSee [the tariffs](https://beta.example.org/docs/guides/tariffs/#top).\n";
    std::fs::write(&other, text).unwrap();
    let out = tmp.path().join("out");
    build_ok(
        &site,
        &out,
        &[
            "--target",
            "beta",
            "--base-url",
            "http://127.0.0.1:9/preview/",
        ],
    );
    let page = read(out.join("guides/other/index.html"));
    assert!(
        page.contains("<a href=\"/preview/guides/tariffs/#top\">the tariffs</a>"),
        "{page}"
    );
}

/// A site made with `hubgen init` has no copy of Decap: turning the browser
/// editor on says which files to copy where, and builds nothing.
#[test]
fn the_editor_without_its_files_is_a_plain_error() {
    let tmp = tempfile::tempdir().unwrap();
    assert!(hubgen(tmp.path(), &["init", "my-hub"]).status.success());
    let site = tmp.path().join("my-hub");
    let toml = read(site.join("site.toml"));
    std::fs::write(
        site.join("site.toml"),
        format!("repo_url = \"https://github.com/team/hub\"\n{toml}\n[editor]\n"),
    )
    .unwrap();
    let before = snapshot(&site);
    let o = hubgen(&site, &["build"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("no theme of it has the editor's files"),
        "{err}"
    );
    assert!(err.contains("decap-cms 3.16.3"), "{err}");
    let after = snapshot(&site);
    let mut changed = differing(&before, &after);
    changed.retain(|k| !k.starts_with(".hubgen-cache/"));
    assert!(changed.is_empty(), "written: {changed:?}");
}

/// An image that is there but is not a picture (damaged, or named .png but
/// something else) is an error at the line that shows it, and nothing is built.
#[test]
fn an_unreadable_image_is_a_located_error() {
    let tmp = tempfile::tempdir().unwrap();
    assert!(hubgen(tmp.path(), &["init", "my-hub"]).status.success());
    let site = tmp.path().join("my-hub");
    std::fs::write(site.join("content/guides/map.png"), "this is not a picture").unwrap();
    std::fs::write(
        site.join("content/guides/mapped.md"),
        "---\ntitle: Mapped\nsummary: A page with a map.\naudience: Editors\n---\n\nText.\n\n![A map of the region](map.png)\n",
    )
    .unwrap();
    let o = hubgen(&site, &["build"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains(
            "content/guides/mapped.md:9:1: error: image \"map.png\" cannot be read as a picture"
        ),
        "{err}"
    );
    // The check can fail: a real picture passes.
    let png: &[u8] = &[
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0,
        0, 2, 0, 0, 0, 1, 8, 6, 0, 0, 0,
    ];
    std::fs::write(site.join("content/guides/map.png"), png).unwrap();
    let o = hubgen(&site, &["check"]);
    assert!(!stdout(&o).contains("cannot be read"), "{}", stdout(&o));
}

#[test]
fn timings_say_where_the_time_went() {
    let tmp = tempfile::tempdir().unwrap();
    let o = build_ok(&fixture("good"), tmp.path(), &["--timings"]);
    let text = stdout(&o);
    for row in [
        "read",
        "link",
        "search ",
        "pages (beta)",
        "swap",
        "cleanup",
        "total (wall)",
    ] {
        assert!(
            text.lines().any(|l| l.starts_with(row)),
            "no `{row}` row:\n{text}"
        );
    }

    // As JSON, stdout holds the object alone and the summary moves to stderr.
    let o = build_ok(&fixture("good"), tmp.path(), &["--timings=json"]);
    let json: serde_json::Value = serde_json::from_str(stdout(&o).trim())
        .unwrap_or_else(|e| panic!("stdout is not one JSON object ({e}):\n{}", stdout(&o)));
    let stages = json["stages"].as_array().unwrap();
    let total = json["total_seconds"].as_f64().unwrap();
    assert!(total > 0.0);
    let of = |name: &str, target: Option<&str>| {
        stages
            .iter()
            .find(|s| s["stage"] == name && s["target"].as_str() == target)
            .unwrap_or_else(|| panic!("no {name} {target:?} in {json}"))["seconds"]
            .as_f64()
            .unwrap()
    };
    assert!(of("pages", Some("alpha")) <= total && of("read", None) <= total);
    // The previous output existed this time, so it was removed after the swap.
    of("cleanup", None);
    assert!(stderr(&o).contains("alpha:"), "{}", stderr(&o));

    let o = hubgen(&fixture("good"), &["build", "--timings=xml"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn no_search_builds_every_page_without_an_index() {
    let (with, without) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    build_ok(&fixture("good"), with.path(), &[]);
    build_ok(&fixture("good"), without.path(), &["--no-search"]);
    let files = |root: &std::path::Path| -> Vec<String> {
        walkdir::WalkDir::new(root)
            .sort_by_file_name()
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                e.path()
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            // The manifest lists the index's files too; the words kept for
            // the next build's index are left by a build with search only.
            .filter(|rel| !rel.ends_with(".hubgen-manifest") && !rel.ends_with(".hubgen-words"))
            .collect()
    };
    let (a, b) = (files(with.path()), files(without.path()));
    let index: Vec<&String> = a.iter().filter(|f| !b.contains(f)).collect();
    assert!(
        !index.is_empty() && index.iter().all(|f| f.contains("search/")),
        "{index:?}"
    );
    for f in &b {
        assert_eq!(
            std::fs::read(with.path().join(f)).unwrap(),
            std::fs::read(without.path().join(f)).unwrap(),
            "{f} differs without search"
        );
    }
}
