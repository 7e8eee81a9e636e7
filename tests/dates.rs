//! Dates as readers see them, on the `dates` fixture: the editor's `updated`
//! wins over the file's last commit; a guide past its `review_by` says so,
//! with its owner; an update dated in the future is left out of every page,
//! list, feed, sitemap and search index until its date, unless
//! `hubgen build --future` (or `--drafts`).

mod common;

use common::*;

fn build(extra: &[&str], epoch: Option<&str>) -> tempfile::TempDir {
    let out = tempfile::tempdir().unwrap();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_hubgen"));
    cmd.arg("-C")
        .arg(fixture("dates"))
        .args(["build", "--output"])
        .arg(out.path())
        .args(extra);
    match epoch {
        Some(e) => cmd.env("SOURCE_DATE_EPOCH", e),
        None => cmd.env_remove("SOURCE_DATE_EPOCH"),
    };
    let o = cmd.output().expect("hubgen runs");
    assert!(o.status.success(), "{}", stderr(&o));
    out
}

#[test]
fn the_editors_updated_date_wins_over_the_files_last_commit() {
    // The fixture's files are committed in this repository, so each has a
    // commit date; the page shows the date the editor wrote.
    let out = build(&[], None);
    let html = read(out.path().join("guides/reviewed/index.html"));
    assert!(
        html.contains("Last updated <time datetime=\"2011-03-15\">15 March 2011</time>"),
        "{html}"
    );
}

#[test]
fn a_guide_past_its_review_date_says_so_and_names_its_owner() {
    let out = build(&[], None);
    let overdue = read(out.path().join("guides/overdue/index.html"));
    assert!(
        overdue.contains("This page was due for review on <time datetime=\"2011-06-30\">30 June 2011</time> by its owner, the Programme web editor."),
        "{overdue}"
    );
    assert!(overdue.contains("<dt>Next review due</dt>"), "{overdue}");
    let reviewed = read(out.path().join("guides/reviewed/index.html"));
    assert!(!reviewed.contains("due for review"), "{reviewed}");
    // On a day before the review date (SOURCE_DATE_EPOCH: 1 January 2011), no notice.
    let early = build(&[], Some("1293840000"));
    let overdue = read(early.path().join("guides/overdue/index.html"));
    assert!(!overdue.contains("due for review"), "{overdue}");
}

#[test]
fn a_future_dated_update_is_absent_until_its_date_unless_future() {
    let out = build(&[], None);
    let root = out.path();
    assert!(!root.join("updates/2999/to-come").exists());
    assert!(root.join("updates/2011/past/index.html").exists());
    for file in [
        "updates/index.html",
        "index.html",
        "atom.xml",
        "sitemap.xml",
        "search/manifest.json",
    ] {
        let text = read(root.join(file));
        assert!(
            !text.contains("still to come"),
            "{file} lists the future update:\n{text}"
        );
    }
    let all = snapshot(root);
    for (path, bytes) in &all {
        assert!(
            !String::from_utf8_lossy(bytes).contains("An update still to come"),
            "{path} mentions the future update"
        );
    }

    for flag in ["--future", "--drafts"] {
        let out = build(&[flag], None);
        let page = read(out.path().join("updates/2999/to-come/index.html"));
        assert!(page.contains("not yet published"), "{flag}: {page}");
        assert!(
            read(out.path().join("updates/index.html")).contains("An update still to come"),
            "{flag}"
        );
    }
    // Once its day has come (SOURCE_DATE_EPOCH: 1 January 2999), it is published, unmarked.
    let later = build(&[], Some("32472144000"));
    let page = read(later.path().join("updates/2999/to-come/index.html"));
    assert!(!page.contains("not yet published"), "{page}");
}

#[test]
fn a_link_to_a_page_not_yet_published_is_a_located_error_that_says_why() {
    let site = tempfile::tempdir().unwrap();
    let from = fixture("dates");
    for entry in walkdir::WalkDir::new(&from) {
        let entry = entry.unwrap();
        let dest = site.path().join(entry.path().strip_prefix(&from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
    let config = read(site.path().join("site.toml")).replace(
        "../../../themes",
        &repo().join("themes").to_string_lossy().replace('\\', "/"),
    );
    std::fs::write(site.path().join("site.toml"), config).unwrap();
    let past = site.path().join("content/updates/past.md");
    let text = read(&past) + "\nSee [what comes next](to-come.md).\n";
    std::fs::write(&past, text).unwrap();
    let out = tempfile::tempdir().unwrap();
    let o = hubgen(
        site.path(),
        &["build", "--output", out.path().to_str().unwrap()],
    );
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(
        err.contains("past.md:9:5: error: links to content/updates/to-come.md, which is dated 1 January 2999, after today, and is not published until then"),
        "{err}"
    );
    assert!(err.contains("build with --future to preview"), "{err}");
    let o = hubgen(
        site.path(),
        &[
            "build",
            "--future",
            "--output",
            out.path().to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
}
