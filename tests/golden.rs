//! Golden output: one file of every kind, for both themes, of the fixture site
//! and of this repository's own site, held byte for byte in
//! `tests/snapshots/`, and a digest of every other file they build. A change
//! to how pages are rendered that changes no template must leave all of
//! these as they are.
//!
//! Both sites are copied outside any git repository first, so that the
//! "last updated" dates come from the front matter and not from this
//! repository's history, which moves with every commit.
//!
//! To accept a deliberate change: `INSTA_UPDATE=always cargo test --test golden`,
//! then review the diff of `tests/snapshots/` before committing it.

mod common;

use std::fmt::Write;
use std::path::Path;

use common::*;

/// Output files snapshotted whole, per target: one of every kind.
const FIXTURE_FILES: &[(&str, &[&str])] = &[
    (
        "alpha",
        &[
            "index.html",
            "topics/energy/index.html",
            "topics/index.html",
            "topics/page/2/index.html",
            "tags/index.html",
            "tags/energy/index.html",
            "old-energy/index.html",
            "404.html",
            "search/index.html",
            "sitemap.xml",
            "atom.xml",
            "robots.txt",
            "search/manifest.json",
        ],
    ),
    (
        "beta",
        &[
            "index.html",
            "guides/buying-energy/index.html",
            "guides/index.html",
            "tags/index.html",
            "tags/energy/index.html",
            "404.html",
            "search/index.html",
            "sitemap.xml",
            "atom.xml",
            "robots.txt",
            "search/manifest.json",
        ],
    ),
];

const REPO_FILES: &[(&str, &[&str])] = &[
    (
        "programme",
        &[
            "index.html",
            "about/index.html",
            "admin/index.html",
            "admin/config.yml",
            "workstreams/procurement-capital-and-shared-assets/index.html",
            "programmes/future-ways-of-working/index.html",
            "updates/2011/change-of-name/index.html",
            "workstreams/index.html",
            "updates/index.html",
            "tags/index.html",
            "tags/procurement/index.html",
            "place-based-productivity-programme/news/change-of-name/index.html",
            "404.html",
            "search/index.html",
            "sitemap.xml",
            "atom.xml",
            "robots.txt",
            "search/manifest.json",
            "search/facets.json",
        ],
    ),
    (
        "hub",
        &[
            "index.html",
            "guides/sharing-capital-assets/index.html",
            "opportunities/aggregate-energy-purchasing/index.html",
            "case-studies/hampshire-wigan-capital-assets/index.html",
            "about/index.html",
            "guides/index.html",
            "opportunities/index.html",
            "case-studies/index.html",
            "tags/index.html",
            "tags/procurement/index.html",
            "councils/index.html",
            "councils/wigan-council/index.html",
            "region/national/index.html",
            "place-based-productivity-programme/about/index.html",
            "404.html",
            "search/index.html",
            "sitemap.xml",
            "atom.xml",
            "robots.txt",
            "search/manifest.json",
            "search/facets.json",
        ],
    ),
];

/// Copies `from` into `to`, leaving out what a build makes or git keeps.
fn copy_site(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from).into_iter().filter_entry(|e| {
        let name = e.file_name().to_string_lossy();
        e.depth() == 0
            || !(name.starts_with('.')
                || (e.depth() == 1
                    && ["target", "public", "node_modules", "tests", "bench"]
                        .contains(&name.as_ref())))
    }) {
        let entry = entry.unwrap();
        let dest = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else if entry.file_type().is_file() {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

/// FNV-1a, 64 bits: a digest that is the same on every machine and Rust version.
fn fnv64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The snapshot name of `file` of `target` of `site`: insta names files after it.
fn snapshot_name(site: &str, target: &str, file: &str) -> String {
    let file: String = file
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    format!("{site}-{target}-{file}")
}

/// Builds the site at `root` into a fresh folder and checks its output.
fn check_site(name: &str, root: &Path, files: &[(&str, &[&str])]) {
    // The build's day is fixed (26 November 2026, before the guides' review
    // dates), so that what depends on it (overdue reviews, future-dated
    // pages) does not change the snapshots as the calendar moves on.
    std::env::set_var("SOURCE_DATE_EPOCH", "1795651200");
    let out = tempfile::tempdir().unwrap();
    build_ok(root, out.path(), &[]);
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| {
        for (target, wanted) in files {
            let built = snapshot(&out.path().join(target));
            for file in *wanted {
                let bytes = built
                    .get(*file)
                    .unwrap_or_else(|| panic!("{name}: {target} has no {file}"));
                let text = String::from_utf8(bytes.clone()).expect("UTF-8 output");
                insta::assert_snapshot!(snapshot_name(name, target, file), text);
            }
            // Every other file, by length and digest: nothing may change unseen.
            // Not hubgen's own files, its manifest and the words it keeps for
            // the next build: they name the program that wrote them, so they
            // change with every commit, and they are not published (a deploy
            // leaves them out); what the manifest lists, every file's bytes, is here.
            let digest = built
                .iter()
                .filter(|(path, _)| !matches!(path.as_str(), ".hubgen-manifest" | ".hubgen-words"))
                .fold(String::new(), |mut digest, (path, bytes)| {
                    let _ = writeln!(digest, "{path} {} {:016x}", bytes.len(), fnv64(bytes));
                    digest
                });
            insta::assert_snapshot!(format!("{name}-{target}-all-files"), digest);
        }
    });
}

#[test]
fn fixture_site_output_is_unchanged() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("good");
    copy_site(&fixture("good"), &site);
    // The fixture names its themes relative to where it sits in the repository.
    let themes = repo().join("themes");
    let toml = read(site.join("site.toml"));
    let toml: String = toml
        .lines()
        .map(|l| {
            if l.starts_with("themes_dir") {
                format!("themes_dir = {:?}\n", themes.to_str().unwrap())
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    std::fs::write(site.join("site.toml"), toml).unwrap();
    check_site("fixture", &site, FIXTURE_FILES);
}

#[test]
fn repository_site_output_is_unchanged() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    copy_site(&repo(), &site);
    assert!(
        !site.join(".git").exists(),
        "the copy must be outside git, or its dates would move with every commit"
    );
    check_site("repo", &site, REPO_FILES);
}
