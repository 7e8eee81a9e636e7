//! `hubgen check`, `new`, `init` and `schema`, and last-updated dates from git:
//! what an editor and CI see.

mod common;

use std::path::Path;

use common::*;

const TODAY: &str = "2026-11-25";

/// `hubgen check --format json` on a fixture: exit code and the JSON lines.
fn check_json(site: &Path, extra: &[&str]) -> (Option<i32>, Vec<String>) {
    let mut args = vec!["check", "--format", "json", "--today", TODAY];
    args.extend_from_slice(extra);
    let o = hubgen(site, &args);
    (
        o.status.code(),
        stdout(&o).lines().map(str::to_string).collect(),
    )
}

fn finding(
    file: &str,
    line: usize,
    column: usize,
    severity: &str,
    code: &str,
    message: &str,
    hint: &str,
) -> String {
    serde_json::json!({"file": file, "line": line, "column": column, "severity": severity, "code": code, "message": message, "hint": hint}).to_string()
}

#[test]
fn a_clean_site_passes() {
    let o = hubgen(&fixture("good"), &["check", "--today", TODAY]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("check passed: no problems found"));
    assert_eq!(
        check_json(&fixture("good"), &["--strict"]),
        (Some(0), vec![])
    );
}

#[test]
fn the_repository_content_passes() {
    // On a fixed day, so that a guide falling due for review fails CI's check of a
    // pull request (which uses the real date), not this test of the tool.
    let o = hubgen(&repo(), &["check", "--strict", "--today", TODAY]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
}

#[test]
fn broken_anchor() {
    assert_eq!(
        check_json(&fixture("check-anchor"), &[]),
        (
            Some(1),
            vec![finding(
                "content/guides/links.md",
                7,
                1,
                "error",
                "broken-anchor",
                "link to #how-to-buy in content/topics/energy.md, which has no such heading or footnote",
                "the headings of content/topics/energy.md are #why-it-matters"
            )]
        )
    );
}

#[test]
fn page_nothing_links_to() {
    let (code, lines) = check_json(&fixture("check-orphan"), &[]);
    assert_eq!(code, Some(0), "a warning alone does not fail the check");
    assert_eq!(
        lines,
        [finding(
            "content/pages/lonely.md",
            1,
            1,
            "warning",
            "orphan",
            "no page links to this one and no list shows it (lonely/)",
            "link to it from a related page, or give it tags"
        )]
    );
    assert_eq!(
        check_json(&fixture("check-orphan"), &["--strict"]).0,
        Some(1)
    );
}

#[test]
fn missing_images_attachments_and_alt_text() {
    assert_eq!(
        check_json(&fixture("check-images"), &[]),
        (Some(1), vec![
            finding("content/guides/pictures.md", 4, 1, "error", "missing-attachment", "attachment \"files/missing.pdf\" does not exist",
                "attachments are paths relative to the Markdown file, like files/toolkit.pdf"),
            finding("content/guides/pictures.md", 9, 1, "error", "image-alt", "image \"chart.png\" has no alt text",
                "describe the image in the brackets: ![A chart of spending by year](chart.png); readers using screen readers depend on it"),
            finding("content/guides/pictures.md", 11, 1, "error", "missing-image", "image \"missing.png\" does not exist",
                "put the image beside the page (paths are relative to the Markdown file) or in static/"),
        ])
    );
}

#[test]
fn review_dates_that_have_passed() {
    let warning = finding(
        "content/guides/old.md",
        4,
        1,
        "warning",
        "review-overdue",
        "this page was due for review on 30 June 2011",
        "review the page, then set a new review_by date",
    );
    assert_eq!(
        check_json(&fixture("check-review"), &[]),
        (Some(0), vec![warning.clone()])
    );
    assert_eq!(
        check_json(&fixture("check-review"), &["--strict"]),
        (Some(1), vec![warning.replace("\"warning\"", "\"error\"")])
    );
    // The day is what decides: before the review date, nothing is due.
    let o = hubgen(
        &fixture("check-review"),
        &["check", "--format", "json", "--today", "2011-06-01"],
    );
    assert_eq!((o.status.code(), stdout(&o)), (Some(0), String::new()));
}

#[test]
fn personal_contact_details() {
    assert_eq!(
        check_json(&fixture("check-personal"), &[]),
        (Some(1), vec![
            // A text file published beside the page is scanned too; the
            // switchboard is allowed in whatever form it is written.
            finding("content/guides/contacts.csv", 4, 11, "error", "personal-data", "phone number 07700\u{a0}900456 is published",
                "replace it with the switchboard or the team's number; a published personal number is refused (a site's developers can allow a shared number in site.toml)"),
            finding("content/guides/contacts.md", 8, 21, "error", "personal-data", "e-mail address jo.bloggs@example.org is published",
                "replace it with the team's shared mailbox; a published personal address is refused (a site's developers can allow a role mailbox in site.toml)"),
            finding("content/guides/contacts.md", 8, 44, "error", "personal-data", "phone number 07700 900123 is published",
                "replace it with the switchboard or the team's number; a published personal number is refused (a site's developers can allow a shared number in site.toml)"),
        ])
    );
}

#[test]
fn github_and_human_formats() {
    let o = hubgen(
        &fixture("check-anchor"),
        &["check", "--format", "github", "--today", TODAY],
    );
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(
        out.starts_with("::error file=tests/fixtures/check-anchor/content/guides/links.md,line=7,col=1,title=hubgen broken-anchor::link to #how-to-buy"),
        "{out}"
    );
    let o = hubgen(&fixture("check-anchor"), &["check", "--today", TODAY]);
    let out = stdout(&o);
    assert!(
        out.starts_with("content/guides/links.md:7:1: error: link to #how-to-buy"),
        "{out}"
    );
    assert!(out.contains("check found 1 error and 0 warnings"), "{out}");
}

#[test]
fn build_errors_are_check_findings_and_nothing_is_written() {
    let (code, lines) = check_json(&fixture("unknown-field"), &[]);
    assert_eq!(code, Some(1));
    assert_eq!(lines.len(), 1);
    assert!(lines[0].contains("\"code\":\"unknown-field\""), "{lines:?}");
    assert!(!fixture("unknown-field").join("public").exists());
    let tmp = tempfile::tempdir().unwrap();
    assert_eq!(
        hubgen(tmp.path(), &["check"]).status.code(),
        Some(2),
        "no site: could not run"
    );
}

#[test]
fn init_new_and_last_updated_from_git() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("my-hub");
    let o = hubgen(tmp.path(), &["init", "my-hub"]);
    assert!(o.status.success(), "{}", stderr(&o));
    // A new site builds and checks clean.
    build_ok(&site, &tmp.path().join("out"), &[]);
    let o = hubgen(&site, &["check", "--strict"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    // init refuses a folder that is not empty.
    assert_eq!(
        hubgen(tmp.path(), &["init", "my-hub"]).status.code(),
        Some(1)
    );

    // new: a page with every required field, never over an existing one.
    let o = hubgen(&site, &["new", "guides", "Buying energy together"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        stdout(&o).trim(),
        "content/guides/buying-energy-together.md"
    );
    let page = read(site.join("content/guides/buying-energy-together.md"));
    assert!(
        page.contains("\ntitle: \"Buying energy together\"  # Required: the page's title")
            && page.contains("\nsummary: \"\"  # "),
        "{page}"
    );

    let o = hubgen(&site, &["new", "guides", "Buying energy together"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("already exists"), "{}", stderr(&o));
    assert_eq!(
        read(site.join("content/guides/buying-energy-together.md")),
        page
    );
    let o = hubgen(&site, &["new", "guids", "X"]);
    assert!(
        stderr(&o).contains("did you mean `guides`?"),
        "{}",
        stderr(&o)
    );
    // The editor fills in the summary; the page then builds.
    std::fs::write(
        site.join("content/guides/buying-energy-together.md"),
        page.replace("summary: \"\"", "summary: \"How to buy together.\""),
    )
    .unwrap();

    // Two versions of a page, committed on two dates: the page shows the later.
    git_ok(&site, &["init", "-q"], Some("2011-01-05T10:00:00Z"));
    git_ok(&site, &["add", "."], Some("2011-01-05T10:00:00Z"));
    git_ok(
        &site,
        &["commit", "-qm", "first"],
        Some("2011-01-05T10:00:00Z"),
    );
    let path = site.join("content/guides/getting-started.md");
    std::fs::write(&path, read(&path) + "\nA second version.\n").unwrap();
    git_ok(
        &site,
        &["commit", "-qam", "second"],
        Some("2011-03-09T10:00:00Z"),
    );
    let out = tmp.path().join("built");
    build_ok(&site, &out, &[]);
    let html = read(out.join("guides/getting-started/index.html"));
    assert!(
        html.contains("Last updated <time datetime=\"2011-03-09\">9 March 2011</time>"),
        "{html}"
    );
    let other = read(out.join("guides/buying-energy-together/index.html"));
    assert!(
        other.contains("Last updated <time datetime=\"2011-01-05\">5 January 2011</time>"),
        "{other}"
    );
}

#[test]
fn edit_links_point_into_the_repository() {
    let tmp = tempfile::tempdir().unwrap();
    build_ok(&repo(), tmp.path(), &["--target", "hub"]);
    let html = read(tmp.path().join("publishing-on-the-hub/index.html"));
    assert!(
        html.contains("/edit/main/content/editors/publishing-on-the-hub.md\">Edit this page</a>"),
        "{html}"
    );
}

#[test]
fn schema_is_the_reference_from_site_toml() {
    let o = hubgen(&repo(), &["schema", "guides"]);
    assert!(o.status.success());
    let out = stdout(&o);
    assert!(
        out.starts_with("guides — content/guides/*.md → /guides/{slug}/"),
        "{out}"
    );
    assert!(
        out.contains("review_by      date         required"),
        "{out}"
    );
    assert!(
        out.contains("workstream     reference    optional, a slug from `workstreams`"),
        "{out}"
    );
    let o = hubgen(&repo(), &["schema"]);
    assert!(stdout(&o).contains("status         string       required, one of: proposed for mainstreaming | proposed for a phase-two programme"), "{}", stdout(&o));
}

/// Seventeen mistakes of fifteen kinds in five files, among them a page whose
/// front matter cannot be read: one `hubgen check` reports every one, each
/// where it is written; `hubgen build` refuses the site and writes nothing.
#[test]
fn every_mistake_is_reported_in_one_run() {
    let site = fixture("one-run");
    let (code, lines) = check_json(&site, &[]);
    assert_eq!(code, Some(1), "{lines:#?}");
    let found: Vec<(String, u64, u64, String)> = lines
        .iter()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                v["file"]
                    .as_str()
                    .unwrap()
                    .trim_start_matches("content/")
                    .to_string(),
                v["line"].as_u64().unwrap(),
                v["column"].as_u64().unwrap(),
                v["code"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected = [
        ("guides/a.md", 5, 1, "unknown-field"),
        ("guides/a.md", 6, 1, "wrong-type"), // 30 February
        ("guides/a.md", 9, 6, "broken-link"),
        ("guides/a.md", 9, 40, "broken-anchor"),
        ("guides/a.md", 11, 1, "missing-image"),
        ("guides/a.md", 13, 1, "image-alt"),
        ("guides/a.md", 15, 12, "personal-data"),
        ("guides/a.md", 15, 37, "personal-data"),
        ("guides/b.md", 4, 9, "yaml"),
        // b.md's front matter is broken, and its links are checked all the same.
        ("guides/b.md", 7, 9, "broken-anchor"),
        ("guides/c.md", 1, 1, "missing-field"),
        ("guides/c.md", 3, 1, "missing-reference"),
        ("guides/c.md", 4, 1, "wrong-type"),
        ("guides/c.md", 7, 23, "broken-link"), // ../topicz/: no collection's folder
        // Addresses pasted from a browser: one is a page (a warning: link to
        // its file), the other is no page at all.
        ("guides/c.md", 9, 24, "address-link"),
        ("guides/c.md", 9, 69, "broken-link"),
        ("topics/waste.md", 3, 1, "not-allowed"),
        ("topics/waste.md", 6, 5, "broken-anchor"),
        ("topics/waste.md", 6, 51, "broken-anchor"), // #fn-x: no such footnote
        // site.toml's footer names a page that does not exist.
        ("site.toml", 30, 1, "footer"),
    ];
    let expected: Vec<(String, u64, u64, String)> = expected
        .iter()
        .map(|(f, l, c, k)| (f.to_string(), *l, *c, k.to_string()))
        .collect();
    assert_eq!(found, expected, "{lines:#?}");

    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("public");
    let o = hubgen(&site, &["build", "--output", target.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(!target.exists(), "a refused build writes nothing");
    for (file, line, column, _) in &expected {
        let at = if file == "site.toml" {
            format!("{file}:{line}:{column}:")
        } else {
            format!("content/{file}:{line}:{column}:")
        };
        assert!(
            stderr(&o).contains(&at) || stdout(&o).contains(&at),
            "build names {at}"
        );
    }
}

/// A pull request's check: findings in the files it changes (made errors by
/// --strict), and errors anywhere; a review date passed in a page it does
/// not touch is left to the weekly review.
#[test]
fn changed_since_reports_what_a_change_touches() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path();
    for entry in walkdir::WalkDir::new(fixture("check-review")) {
        let entry = entry.unwrap();
        let to = site.join(entry.path().strip_prefix(fixture("check-review")).unwrap());
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
    git_ok(
        site,
        &["init", "-q", "-b", "main"],
        Some("2011-01-05T10:00:00Z"),
    );
    git_ok(site, &["add", "."], Some("2011-01-05T10:00:00Z"));
    git_ok(
        site,
        &["commit", "-qm", "first"],
        Some("2011-01-05T10:00:00Z"),
    );
    git_ok(
        site,
        &["checkout", "-qb", "change"],
        Some("2011-01-05T10:00:00Z"),
    );

    // Nothing changed yet: the old guide's passed review is not this change's.
    let (code, lines) = check_json(site, &["--strict", "--changed-since", "main"]);
    assert_eq!((code, lines), (Some(0), vec![]));

    // The change: the current guide's review date, committed; a new guide, not
    // yet committed, naming a topic that does not exist.
    let current = site.join("content/guides/current.md");
    std::fs::write(&current, read(&current).replace("2030-06-30", "2012-01-31")).unwrap();
    git_ok(
        site,
        &["commit", "-qam", "a date"],
        Some("2011-02-05T10:00:00Z"),
    );
    std::fs::write(
        site.join("content/guides/new.md"),
        "---\ntitle: New\ntopic: energy\nreview_by: 2011-07-01\n---\n\nText.\n",
    )
    .unwrap();
    // And the deletion of a topic that an unchanged guide refers to.
    std::fs::remove_file(site.join("content/topics/energy.md")).unwrap();
    let (code, lines) = check_json(site, &["--strict", "--changed-since", "main"]);
    let found: Vec<(String, String, String)> = lines
        .iter()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let s = |k: &str| v[k].as_str().unwrap().to_string();
            (s("file"), s("severity"), s("code"))
        })
        .collect();
    let expect = |f: &str, s: &str, c: &str| (f.to_string(), s.to_string(), c.to_string());
    assert_eq!(
        found,
        vec![
            expect("content/guides/current.md", "error", "missing-reference"),
            expect("content/guides/current.md", "error", "review-overdue"),
            expect("content/guides/new.md", "error", "missing-reference"),
            expect("content/guides/new.md", "error", "review-overdue"),
            // Not changed, but broken by the change: still an error.
            expect("content/guides/old.md", "error", "missing-reference"),
        ],
        "{lines:#?}"
    );
    assert_eq!(code, Some(1));

    let o = hubgen(site, &["check", "--changed-since", "no-such-branch"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("cannot tell which files changed since no-such-branch"),
        "{}",
        stderr(&o)
    );
}
