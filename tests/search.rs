//! `hubgen search` on a copy of the programme's own site: one search over both
//! sites, front-matter fields, typos, and what site.toml says about them.

mod common;

use std::path::Path;

use common::*;

/// A copy of the repository's site (site.toml, content, themes) in a fresh folder.
fn site_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(repo().join("site.toml"), dir.path().join("site.toml")).unwrap();
    for folder in ["content", "themes"] {
        for entry in walkdir::WalkDir::new(repo().join(folder)) {
            let entry = entry.unwrap();
            let dest = dir.path().join(entry.path().strip_prefix(repo()).unwrap());
            if entry.file_type().is_dir() {
                std::fs::create_dir_all(&dest).unwrap();
            } else {
                std::fs::copy(entry.path(), &dest).unwrap();
            }
        }
    }
    dir
}

fn search(site: &Path, args: &[&str]) -> String {
    let mut all = vec!["search"];
    all.extend_from_slice(args);
    let out = hubgen(site, &all);
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{}",
        stderr(&out)
    );
    stdout(&out)
}

fn edit(site: &Path, from: &str, to: &str) {
    let path = site.join("site.toml");
    let text = read(&path);
    assert!(text.contains(from), "site.toml has no {from:?}");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn one_search_over_both_sites_finds_champions_and_forgives_typos() {
    let site = site_copy();
    let out = search(site.path(), &["--site", "hub", "-n", "1", "Bettison"]);
    assert!(
        out.contains(
            "1. Procurement, Capital and Shared Assets (Workstreams, Local Productivity Programme)"
        ) && out.contains(
            "https://productivity.example.org/workstreams/procurement-capital-and-shared-assets/"
        ),
        "{out}"
    );

    let out = search(
        site.path(),
        &["--target", "programme", "-n", "3", "hampshre"],
    );
    assert!(
        out.starts_with("Showing results for \"hampshire\""),
        "{out}"
    );
    assert!(
        out.contains("Hampshire and Wigan: practice exchange on capital assets (Case studies, Knowledge Hub)"),
        "{out}"
    );
    let out = search(site.path(), &["--exact", "hampshre"]);
    assert!(out.starts_with("no results for \"hampshre\""), "{out}");
}

#[test]
fn site_toml_limits_what_is_searched() {
    let site = site_copy();
    edit(
        site.path(),
        "description = \"The workstream's member champion\"",
        "description = \"The workstream's member champion\"\nsearch = false",
    );
    edit(
        site.path(),
        "output = \"public/hub\"",
        "output = \"public/hub\"\nsearch = [\"hub\"]",
    );
    let out = search(site.path(), &["Bettison"]);
    assert!(out.starts_with("no results"), "{out}");
    let out = search(site.path(), &["--site", "hub", "-n", "20", "procurement"]);
    assert!(
        !out.contains("Local Productivity Programme") && out.contains("Knowledge Hub"),
        "{out}"
    );

    // The hub's own index has no site facet, since it searches itself alone.
    let public = site.path().join("built");
    build_ok(site.path(), &public, &[]);
    let manifest = read(public.join("hub/search/manifest.json"));
    assert!(!manifest.contains("\"site\""), "{manifest}");
    assert!(read(public.join("programme/search/manifest.json")).contains("\"name\":\"site\""));
}

/// The editors' pages (`search = false` on their collection) are in no
/// reader's search, on either site; with the setting off, they are.
#[test]
fn a_collection_kept_out_of_search_is_not_found() {
    let site = site_copy();
    let query = ["--site", "hub", "-n", "50", "editors guide publish pages"];
    let out = search(site.path(), &query);
    assert!(!out.contains("/publishing-on-the-hub/"), "{out}");
    let public = site.path().join("built");
    build_ok(site.path(), &public, &[]);
    for target in ["hub", "programme"] {
        // The index's files (the search page itself links to the guide in
        // its footer, as every page does).
        let meta: String = snapshot(&public.join(target).join("search"))
            .into_iter()
            .filter(|(name, _)| Path::new(name).extension().is_none_or(|e| e != "html"))
            .map(|(_, bytes)| String::from_utf8_lossy(&bytes).into_owned())
            .collect();
        assert!(
            !meta.contains("publishing-on-the-hub"),
            "{target}'s index has the editors' guide"
        );
    }
    // The check can fail: with the collection searched, the guide is found.
    edit(
        site.path(),
        "permalink = \"/{slug}/\"\nsearch = false",
        "permalink = \"/{slug}/\"",
    );
    let out = search(site.path(), &query);
    assert!(out.contains("/publishing-on-the-hub/"), "{out}");
}

/// Both sites search the same pages, so their indexes differ only in the
/// manifest (which site each is, its base path) and the facets: the other
/// files are written once and linked, one copy on disk for both sites.
#[test]
fn both_sites_share_one_copy_of_the_index_files() {
    use std::os::unix::fs::MetadataExt;
    let site = site_copy();
    let public = site.path().join("built");
    build_ok(site.path(), &public, &[]);
    let (hub, programme) = (public.join("hub/search"), public.join("programme/search"));
    let mut shared = 0;
    for entry in walkdir::WalkDir::new(&hub) {
        let entry = entry.unwrap();
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry.path().strip_prefix(&hub).unwrap();
        let other = programme.join(rel);
        let (a, b) = (
            entry.metadata().unwrap(),
            std::fs::metadata(&other).unwrap(),
        );
        let same_file = (a.dev(), a.ino()) == (b.dev(), b.ino());
        let own = ["manifest.json", "facets.json", "index.html"].contains(&rel.to_str().unwrap());
        assert_eq!(same_file, !own, "{}", rel.display());
        if same_file {
            shared += 1;
        } else {
            assert_ne!(read(entry.path()), read(&other), "{}", rel.display());
        }
    }
    assert!(shared >= 5, "{shared} files shared");
    let manifest = |dir: &Path| -> serde_json::Value {
        serde_json::from_str(&read(dir.join("manifest.json"))).unwrap()
    };
    let (h, p) = (manifest(&hub), manifest(&programme));
    assert_eq!(h["sites"], p["sites"]);
    assert_eq!(
        h["sites"][h["self"].as_u64().unwrap() as usize]["title"],
        "Knowledge Hub"
    );
    assert_eq!(
        p["sites"][p["self"].as_u64().unwrap() as usize]["title"],
        "Local Productivity Programme"
    );
}
