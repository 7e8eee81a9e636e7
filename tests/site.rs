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

/// Resolves a link found on the page `rel` of the site at `page_base` to a
/// file and fragment, if it points into one of the built sites: absolute
/// addresses of either site, root-relative paths, and paths relative to the
/// page (images and attachments are often linked so). Other schemes and other
/// hosts are not ours to check.
fn resolve(
    href: &str,
    page_base: &str,
    rel: &str,
    sites: &[(String, PathBuf)],
) -> Option<(PathBuf, Option<String>)> {
    let (path, fragment) = match href.split_once('#') {
        Some((p, f)) => (p, Some(f.to_string())),
        None => (href, None),
    };
    let path = path.split_once('?').map_or(path, |(p, _)| p);
    let base_path = &page_base[page_base.find("://").unwrap() + 3..];
    let base_path = &base_path[base_path.find('/').unwrap()..];
    let (_, own) = sites.iter().find(|(b, _)| b == page_base).unwrap();
    let (dir, rest) =
        if let Some((base, dir)) = sites.iter().find(|(b, _)| path.starts_with(b.as_str())) {
            (dir.clone(), path[base.len()..].to_string())
        } else if path.starts_with('/') {
            assert!(
                path.starts_with(base_path),
                "{href} is outside the site's base path {base_path}"
            );
            (own.clone(), path[base_path.len()..].to_string())
        } else if path.contains(':') || path.starts_with("//") {
            return None;
        } else {
            // Relative to the page's folder, `..` resolved; never above the site.
            let mut parts: Vec<&str> = rel.split('/').collect();
            parts.pop();
            for part in path.split('/') {
                match part {
                    "." => {}
                    ".." => {
                        assert!(parts.pop().is_some(), "{href} on {rel} leaves the site");
                    }
                    p => parts.push(p),
                }
            }
            (own.clone(), parts.join("/"))
        };
    let file = if rest.is_empty() || rest.ends_with('/') {
        dir.join(rest).join("index.html")
    } else {
        dir.join(rest)
    };
    Some((file, fragment))
}

/// Every `href` and `src` of every HTML page of `sites` that points into a
/// built site: how many were checked, and the broken ones by page (no such
/// file, or no such `id` for the fragment).
fn broken_links(sites: &[(String, PathBuf)]) -> (usize, BTreeMap<String, Vec<String>>) {
    let mut checked = 0;
    let mut broken: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (base, dir) in sites {
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
                let Some((file, fragment)) = resolve(&href, base, &rel, sites) else {
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
    (checked, broken)
}

#[test]
fn every_internal_link_resolves_to_a_file() {
    let out = build_repo();
    let sites = targets(out.path());
    let (checked, broken) = broken_links(&sites);
    assert!(checked > 1000, "only {checked} links checked");
    assert!(broken.is_empty(), "broken links: {broken:#?}");

    // The check can fail: a page with a broken relative image, a broken
    // relative attachment and a broken anchor on another page is reported,
    // with nothing else.
    let page = out.path().join("hub/guides/broken/index.html");
    std::fs::create_dir_all(page.parent().unwrap()).unwrap();
    std::fs::write(
        &page,
        "<img src=\"missing.png\" alt=\"\"><a href=\"../../files/none.pdf\">a</a>\
         <a href=\"../sharing-capital-assets/#no-such-heading\">b</a><a href=\"../\">ok</a>",
    )
    .unwrap();
    let (_, broken) = broken_links(&sites);
    assert_eq!(
        broken.into_iter().collect::<Vec<_>>(),
        [(
            "guides/broken/index.html".to_string(),
            vec![
                "../../files/none.pdf".to_string(),
                "../sharing-capital-assets/#no-such-heading".to_string(),
                "missing.png".to_string(),
            ]
        )]
    );
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

/// UK phone numbers in `text`, as national digits: runs of digits with single
/// spaces, hyphens, dots or brackets between them, written nationally
/// (`020 7664 3000`, `(020) 7664 3000`, `07700-900123`) or internationally
/// (`+44 20 7664 3000`, `+44 (0)20 7664 3000`, `0044 20…`), of 10 or 11
/// national digits starting with 0. Dates and years do not start with 0 or
/// have too few digits.
fn uk_phone_numbers(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let starts = chars[i] == '+' || chars[i] == '(' || chars[i].is_ascii_digit();
        if !starts || (i > 0 && chars[i - 1].is_ascii_alphanumeric()) {
            i += 1;
            continue;
        }
        let mut raw = String::new();
        let mut j = i;
        while j < chars.len() {
            let c = chars[j];
            let next_digitish = chars
                .get(j + 1)
                .is_some_and(|n| n.is_ascii_digit() || *n == '(');
            if c.is_ascii_digit() || c == '(' || c == ')' || (c == '+' && j == i) {
                raw.push(c);
            } else if " -.\u{a0}".contains(c) && next_digitish {
                raw.push(' ');
            } else {
                break;
            }
            j += 1;
        }
        let international = raw.starts_with('+') || raw.starts_with("00");
        let mut digits: String = raw.chars().filter(char::is_ascii_digit).collect();
        if international {
            let rest = digits.trim_start_matches("00");
            digits = match rest.strip_prefix("44") {
                // `+44 (0)20…`: the bracketed 0 is the national prefix.
                Some(national) if national.starts_with('0') => national.to_string(),
                Some(national) => format!("0{national}"),
                None => String::new(),
            };
        }
        if digits.starts_with('0') && (10..=11).contains(&digits.len()) {
            found.push(digits);
        }
        i = j.max(i + 1);
    }
    found
}

/// Whether `rel` (below the output folder) is one of Decap's files that the
/// base theme's `editor/` folder holds, copied into the browser editor's folder.
fn is_vendored_editor_file(rel: &str) -> bool {
    rel.starts_with("programme/admin/")
        && rel
            .rsplit('/')
            .next()
            .is_some_and(|name| repo().join("themes/base/editor").join(name).is_file())
}

#[test]
fn no_personal_contact_details_are_published() {
    assert_eq!(
        uk_phone_numbers(
            "call 020 7664 3000 or 07700900123, +44 20 7664 3001, +44 (0)20 7664 3002, \
             (020) 7664 3003, 07700-900124, 0044 1632 960000; not 2010-12-03, \
             3 December 2010, 1,247 lines, 2 × 10,000 pages or 0.82 s"
        ),
        [
            "02076643000",
            "07700900123",
            "02076643001",
            "02076643002",
            "02076643003",
            "07700900124",
            "01632960000"
        ]
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
        if is_vendored_editor_file(&rel) {
            continue; // Decap's own code, copied as the npm package ships it
        }
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
            if html.contains("<script src=\"decap-cms.js\">") {
                continue; // the browser editor: Decap's application, not a page to read
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
