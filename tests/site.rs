//! The programme's own site, built from the repository's content/: what readers get.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::*;

/// The repository's site, built once per test into a temporary folder.
fn build_repo() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    build_ok(&repo(), tmp.path(), &[]);
    tmp
}

#[test]
fn two_builds_give_identical_bytes() {
    let a = build_repo();
    let b = build_repo();
    let (sa, sb) = (snapshot(a.path()), snapshot(b.path()));
    assert!(
        sa.len() > 100,
        "expected a real site, got {} files",
        sa.len()
    );
    assert_eq!(sa.keys().collect::<Vec<_>>(), sb.keys().collect::<Vec<_>>());
    for (path, bytes) in &sa {
        assert!(bytes == &sb[path], "{path} differs between two builds");
    }
    let fixture_a = tempfile::tempdir().unwrap();
    let fixture_b = tempfile::tempdir().unwrap();
    build_ok(&fixture("good"), fixture_a.path(), &[]);
    build_ok(&fixture("good"), fixture_b.path(), &[]);
    assert_eq!(snapshot(fixture_a.path()), snapshot(fixture_b.path()));
}

/// Base URL → output folder, for every target in the repo's site.toml.
fn targets(out: &Path) -> Vec<(String, PathBuf)> {
    vec![
        (
            "https://productivity.example.org/".into(),
            out.join("programme"),
        ),
        (
            "https://knowledgehub.example.org/productivity/".into(),
            out.join("hub"),
        ),
    ]
}

/// Resolves a link found on a page of `target_base` to a file and fragment, if it
/// points into one of the built sites.
fn resolve(
    href: &str,
    page_base: &str,
    sites: &[(String, PathBuf)],
) -> Option<(PathBuf, Option<String>)> {
    let (path, fragment) = match href.split_once('#') {
        Some((p, f)) => (p, Some(f.to_string())),
        None => (href, None),
    };
    let (dir, rest) =
        if let Some((base, dir)) = sites.iter().find(|(b, _)| path.starts_with(b.as_str())) {
            (dir.clone(), path[base.len()..].to_string())
        } else if path.starts_with('/') {
            let base_path = &page_base[page_base.find("://").unwrap() + 3..];
            let base_path = &base_path[base_path.find('/').unwrap()..];
            let (_, dir) = sites.iter().find(|(b, _)| b == page_base).unwrap();
            assert!(
                path.starts_with(base_path),
                "{href} is outside the site's base path {base_path}"
            );
            (dir.clone(), path[base_path.len()..].to_string())
        } else {
            return None;
        };
    let file = if rest.is_empty() || rest.ends_with('/') {
        dir.join(rest).join("index.html")
    } else {
        dir.join(rest)
    };
    Some((file, fragment))
}

#[test]
fn every_internal_link_resolves_to_a_file() {
    let out = build_repo();
    let sites = targets(out.path());
    let mut checked = 0;
    let mut broken: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (base, dir) in &sites {
        for (rel, bytes) in snapshot(dir) {
            if !Path::new(&rel)
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("html"))
            {
                continue;
            }
            let html = String::from_utf8(bytes).unwrap();
            for href in attr_values(&html, "href")
                .into_iter()
                .chain(attr_values(&html, "src"))
            {
                let href = if href.starts_with('#') {
                    format!("{base}{}{href}", rel.trim_end_matches("index.html"))
                } else {
                    href
                };
                let Some((file, fragment)) = resolve(&href, base, &sites) else {
                    continue;
                };
                checked += 1;
                if !file.is_file() {
                    broken.entry(rel.clone()).or_default().push(href);
                    continue;
                }
                if let Some(f) = fragment.filter(|f| !f.is_empty() && f != "main") {
                    let target = read(&file);
                    if !target.contains(&format!(" id=\"{f}\"")) {
                        broken.entry(rel.clone()).or_default().push(href);
                    }
                }
            }
        }
    }
    assert!(checked > 1000, "only {checked} links checked");
    assert!(broken.is_empty(), "broken links: {broken:#?}");
}

#[test]
fn the_programme_and_the_hub_each_publish_their_own() {
    let out = build_repo();
    let p = out.path().join("programme");
    let h = out.path().join("hub");
    // Nine workstreams and three programmes on the programme site.
    let count = |dir: &Path| {
        std::fs::read_dir(dir).map_or(0, |d| {
            d.filter(|e| e.as_ref().unwrap().path().join("index.html").is_file())
                .count()
        })
    };
    assert_eq!(count(&p.join("workstreams")), 9);
    assert_eq!(count(&p.join("programmes")), 3);
    assert!(count(&h.join("opportunities")) >= 12);
    assert!(count(&h.join("guides")) >= 3);
    assert!(count(&h.join("case-studies")) >= 2);
    assert!(!h.join("workstreams").exists());
    assert!(!p.join("guides").exists());
    // Member champions on the workstream pages.
    let w = read(p.join("workstreams/procurement-capital-and-shared-assets/index.html"));
    assert!(w.contains("Councillor Paul Bettison"));
    // The two sites link to each other.
    assert!(read(p.join("index.html"))
        .contains("href=\"https://knowledgehub.example.org/productivity/\""));
    assert!(read(h.join("index.html")).contains("href=\"https://productivity.example.org/\""));
}

#[test]
fn old_name_addresses_keep_working() {
    let out = build_repo();
    let p = out.path().join("programme");
    let old = read(p.join("place-based-productivity-programme/index.html"));
    assert!(old.contains("url=/about/"), "{old}");
    let news = read(p.join("place-based-productivity-programme/news/change-of-name/index.html"));
    assert!(news.contains("url=/updates/2011/change-of-name/"), "{news}");
}

/// Runs of 11 digits starting with 0, allowing single spaces between them: UK phone numbers.
fn uk_phone_numbers(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut found = Vec::new();
    for i in 0..chars.len() {
        if chars[i] != '0' || (i > 0 && chars[i - 1].is_ascii_digit()) {
            continue;
        }
        let mut digits = String::new();
        let mut j = i;
        while j < chars.len()
            && (chars[j].is_ascii_digit()
                || (chars[j] == ' ' && chars.get(j + 1).is_some_and(char::is_ascii_digit)))
        {
            if chars[j].is_ascii_digit() {
                digits.push(chars[j]);
            }
            j += 1;
        }
        if digits.len() == 11 {
            found.push(digits);
        }
    }
    found
}

#[test]
fn no_personal_contact_details_are_published() {
    assert_eq!(
        uk_phone_numbers("call 020 7664 3000 or 07700900123, not 2010-12-03"),
        ["02076643000", "07700900123"]
    );
    // Role mailboxes that site.toml's `[check] allowed_emails` lets through
    // (the accessibility statement's contact) are published on purpose.
    let config: toml::Table = toml::from_str(&read(repo().join("site.toml"))).unwrap();
    let allowed: Vec<String> = config["check"]["allowed_emails"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap().to_lowercase())
        .collect();
    let out = build_repo();
    for (rel, bytes) in snapshot(out.path()) {
        let text = String::from_utf8_lossy(&bytes);
        for (i, _) in text.match_indices('@') {
            let local: String = text[..i]
                .chars()
                .rev()
                .take_while(|c| c.is_ascii_alphanumeric() || "._-".contains(*c))
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            let domain: String = text[i + 1..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || ".-".contains(*c))
                .collect();
            let domain = domain.trim_end_matches('.');
            if local.is_empty() || !domain.contains('.') {
                continue;
            }
            let address = format!("{local}@{domain}").to_lowercase();
            assert!(
                allowed.contains(&address),
                "{rel} contains the e-mail address {address} near byte {i}, which is not a role mailbox allowed in site.toml"
            );
        }
        assert_eq!(
            uk_phone_numbers(&text),
            Vec::<String>::new(),
            "{rel} contains a phone number"
        );
    }
}

/// From every page of both sites, a reader reaches About, Governance, the
/// accessibility statement, a contact mailbox and the other site in one
/// click: the footer site.toml's `[[footer]]` gives every page.
#[test]
fn every_page_links_to_about_governance_accessibility_and_the_other_site() {
    let out = build_repo();
    for (base, dir) in targets(out.path()) {
        let mut pages = 0;
        for entry in walkdir::WalkDir::new(&dir) {
            let entry = entry.unwrap();
            let path = entry.path();
            if path.extension().is_none_or(|e| e != "html") {
                continue;
            }
            let html = read(path);
            if html.contains("http-equiv=\"refresh\"") {
                continue; // a redirect from an old address
            }
            pages += 1;
            let footer = &html[html
                .find("<footer")
                .unwrap_or_else(|| panic!("{}: no footer", path.display()))..];
            for want in [
                ">About</a>",
                ">Governance</a>",
                ">Accessibility statement</a>",
                "href=\"mailto:",
                "publishing-on-the-hub/\">Contribute",
            ] {
                assert!(
                    footer.contains(want),
                    "{}: the footer has no {want}",
                    path.display()
                );
            }
            let other = if dir.ends_with("hub") {
                ">Local Productivity Programme<"
            } else {
                ">Knowledge Hub<"
            };
            assert!(
                footer.contains(other),
                "{}: no link to the other site",
                path.display()
            );
        }
        assert!(pages > 20, "{base}: {pages} pages");
    }
}

/// The editors' guide (`content/editors/`) is for editors: reachable from
/// every page's "Contribute" link, but not listed to readers as a guide.
#[test]
fn the_editors_guide_is_not_listed_to_readers() {
    let out = build_repo();
    let hub = out.path().join("hub");
    assert!(hub.join("publishing-on-the-hub/index.html").exists());
    for file in ["index.html", "guides/index.html", "atom.xml"] {
        let text = read(hub.join(file));
        let text = text.split("<footer").next().unwrap_or_default();
        assert!(
            !text.contains("publishing-on-the-hub")
                && !text.contains("Publishing on the programme site"),
            "hub/{file} lists the editors' guide to readers"
        );
    }
}
