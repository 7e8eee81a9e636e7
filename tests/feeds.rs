//! Atom feeds: the site's (`atom.xml`) and one per collection with a list
//! (`guides/feed.xml`), linked from that list's head. A page without a
//! `date` is in them by when it last changed (its `updated`, else its last
//! commit), and every entry's `<updated>` is the date its page shows as
//! "Last updated". Each feed is well-formed Atom with the elements RFC 4287
//! requires; collections kept from readers (the editors' pages) have none.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::*;
use quick_xml::events::Event;

/// A feed as a reader's feed reader sees it.
#[derive(Debug, Default)]
struct Feed {
    /// The feed's own elements: `title`, `id`, `updated`, `author/name`.
    head: BTreeMap<String, String>,
    /// `rel` → `href` of the feed's links.
    links: BTreeMap<String, String>,
    entries: Vec<Entry>,
}

#[derive(Debug, Default)]
struct Entry {
    /// `title`, `id`, `updated`, `published`, `summary`, `link` (alternate).
    fields: BTreeMap<String, String>,
    category: String,
}

/// Parses `xml` as Atom, failing on anything that is not well-formed.
fn parse(xml: &str) -> Feed {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut feed = Feed::default();
    let mut path: Vec<String> = Vec::new();
    loop {
        let event = reader
            .read_event()
            .unwrap_or_else(|e| panic!("not well-formed: {e}\n{xml}"));
        match event {
            Event::Start(e) => {
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                if path.len() == 1 && name == "entry" {
                    feed.entries.push(Entry::default());
                }
                path.push(name);
            }
            Event::Empty(e) => {
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                let attrs: BTreeMap<String, String> = e
                    .attributes()
                    .map(|a| {
                        let a = a.unwrap();
                        (
                            String::from_utf8(a.key.as_ref().to_vec()).unwrap(),
                            a.normalized_value(quick_xml::XmlVersion::Explicit1_0)
                                .unwrap()
                                .into_owned(),
                        )
                    })
                    .collect();
                match (path.len(), name.as_str()) {
                    (1, "link") => {
                        feed.links
                            .insert(attrs["rel"].clone(), attrs["href"].clone());
                    }
                    (2, "link") if attrs["rel"] == "alternate" => {
                        let entry = feed.entries.last_mut().unwrap();
                        entry.fields.insert("link".into(), attrs["href"].clone());
                    }
                    (2, "category") => {
                        feed.entries
                            .last_mut()
                            .unwrap()
                            .category
                            .clone_from(&attrs["term"]);
                    }
                    _ => {}
                }
            }
            Event::Text(_) | Event::GeneralRef(_) => {
                let text = match &event {
                    Event::Text(t) => t.decode().unwrap().into_owned(),
                    Event::GeneralRef(r) => {
                        let name = r.decode().unwrap();
                        match name.as_ref() {
                            "amp" => "&".into(),
                            "lt" => "<".into(),
                            "gt" => ">".into(),
                            "quot" => "\"".into(),
                            "apos" => "'".into(),
                            _ => r
                                .resolve_char_ref()
                                .unwrap()
                                .unwrap_or_else(|| panic!("unknown entity &{name};"))
                                .to_string(),
                        }
                    }
                    _ => unreachable!(),
                };
                let at = path.join("/");
                if let Some(field) = at.strip_prefix("feed/entry/") {
                    let entry = feed.entries.last_mut().unwrap();
                    entry
                        .fields
                        .entry(field.to_string())
                        .or_default()
                        .push_str(&text);
                } else if let Some(field) = at.strip_prefix("feed/") {
                    feed.head
                        .entry(field.to_string())
                        .or_default()
                        .push_str(&text);
                }
            }
            Event::End(_) => {
                path.pop();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert!(path.is_empty(), "unclosed elements: {path:?}");
    feed
}

/// RFC 3339, as Atom's dates must be.
fn is_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    s.len() == 20
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
        && b[19] == b'Z'
        && s.chars().filter(char::is_ascii_digit).count() == 14
}

/// Holds `feed` (at `what`) to what RFC 4287 requires of a feed and its entries.
fn assert_valid(feed: &Feed, what: &str) {
    for field in ["title", "id", "updated", "author/name"] {
        assert!(
            feed.head.get(field).is_some_and(|v| !v.trim().is_empty()),
            "{what}: the feed has no {field}"
        );
    }
    assert!(
        is_rfc3339(&feed.head["updated"]),
        "{what}: {}",
        feed.head["updated"]
    );
    assert!(
        feed.links.contains_key("self") && feed.links.contains_key("alternate"),
        "{what}"
    );
    let mut ids = std::collections::BTreeSet::new();
    for e in &feed.entries {
        for field in ["title", "id", "updated", "link", "summary"] {
            assert!(
                e.fields.get(field).is_some_and(|v| !v.trim().is_empty()),
                "{what}: an entry has no {field}: {e:?}"
            );
        }
        assert!(is_rfc3339(&e.fields["updated"]), "{what}: {e:?}");
        if let Some(p) = e.fields.get("published") {
            assert!(is_rfc3339(p) && p <= &e.fields["updated"], "{what}: {e:?}");
        }
        assert!(
            ids.insert(e.fields["id"].clone()),
            "{what}: two entries with one id"
        );
        // The feed's updated is its latest entry's.
        assert!(e.fields["updated"] <= feed.head["updated"], "{what}: {e:?}");
    }
    let updated: Vec<&String> = feed.entries.iter().map(|e| &e.fields["updated"]).collect();
    assert!(
        updated.windows(2).all(|w| w[0] >= w[1]),
        "{what}: latest first: {updated:?}"
    );
}

/// The date a built page shows as "Last updated", else as "Published".
fn shown_date(page: &str) -> String {
    let dates = page
        .split("<p class=\"dates\">")
        .nth(1)
        .expect("the page shows its dates");
    let dates = dates.split("</p>").next().unwrap();
    let after = dates.split("Last updated").nth(1).unwrap_or(dates);
    let at = after.find("datetime=\"").unwrap() + "datetime=\"".len();
    after[at..at + 10].to_string()
}

/// The output file of an absolute `url` on the hub.
fn file_of(out: &Path, base: &str, url: &str) -> std::path::PathBuf {
    out.join(url.strip_prefix(base).unwrap()).join("index.html")
}

#[test]
fn every_collection_with_a_list_has_a_valid_feed_that_its_list_links_to() {
    let tmp = tempfile::tempdir().unwrap();
    build_ok(&repo(), tmp.path(), &[]);
    let base = "https://knowledgehub.example.org/productivity/";
    let hub = tmp.path().join("hub");
    for (coll, title) in [
        ("guides", "Guides and toolkits"),
        ("opportunities", "Productivity Opportunities"),
        ("case-studies", "Case studies"),
    ] {
        let what = format!("hub/{coll}/feed.xml");
        let feed = parse(&read(hub.join(coll).join("feed.xml")));
        assert_valid(&feed, &what);
        assert_eq!(feed.head["title"], format!("{title} · Knowledge Hub"));
        assert_eq!(feed.links["self"], format!("{base}{coll}/feed.xml"));
        assert_eq!(feed.links["alternate"], format!("{base}{coll}/"));
        assert!(!feed.entries.is_empty(), "{what} is empty");
        assert!(feed.entries.iter().all(|e| e.category == coll), "{what}");
        // Every entry is a page of the site, dated as the page shows.
        for e in &feed.entries {
            let page = read(file_of(&hub, base, &e.fields["link"]));
            assert_eq!(
                e.fields["updated"][..10],
                shown_date(&page),
                "{what}: {}",
                e.fields["link"]
            );
        }
        let list = read(hub.join(coll).join("index.html"));
        let head = list.split("</head>").next().unwrap();
        assert!(
            head.contains(&format!("<link rel=\"alternate\" type=\"application/atom+xml\" title=\"{title} · Knowledge Hub\" href=\"{base}{coll}/feed.xml\">")),
            "hub/{coll}/index.html does not link to its feed"
        );
    }
    // The site's feed holds guides and opportunities, which have no `date`.
    let site = parse(&read(hub.join("atom.xml")));
    assert_valid(&site, "hub/atom.xml");
    let kinds: std::collections::BTreeSet<&str> =
        site.entries.iter().map(|e| e.category.as_str()).collect();
    for coll in ["guides", "opportunities"] {
        assert!(
            kinds.contains(coll),
            "hub/atom.xml has no {coll}: {kinds:?}"
        );
    }
    // Pages for editors, and the About pages (no list), have no feed and are in none.
    assert!(
        !kinds.contains("editors") && !kinds.contains("pages"),
        "{kinds:?}"
    );
    assert!(!hub.join("editors/feed.xml").exists());
    assert!(!hub.join("feed.xml").exists());
    // The programme's updates have a feed too.
    assert_valid(
        &parse(&read(tmp.path().join("programme/updates/feed.xml"))),
        "programme/updates/feed.xml",
    );
}

/// A site outside git, so that only the front matter dates its pages.
fn dated_site(dir: &Path) {
    let notes = one_collection_site(dir, "Dates", "notes", "https://dates.example.org/");
    for (name, front) in [
        ("published", "date: 2011-01-10"),
        ("revised", "date: 2010-12-03\nupdated: 2011-02-01"),
        ("undated-but-updated", "updated: 2011-01-20"),
        ("never-dated", ""),
    ] {
        std::fs::write(
            notes.join(format!("{name}.md")),
            format!("---\ntitle: {name}\nsummary: The {name} note.\n{front}\n---\n\nText.\n"),
        )
        .unwrap();
    }
}

#[test]
fn a_page_without_a_date_is_in_the_feeds_by_its_updated() {
    let tmp = tempfile::tempdir().unwrap();
    dated_site(tmp.path());
    let out = tmp.path().join("out");
    build_ok(tmp.path(), &out, &[]);
    for file in ["atom.xml", "notes/feed.xml"] {
        let feed = parse(&read(out.join(file)));
        assert_valid(&feed, file);
        let got: Vec<(&str, &str, Option<&str>)> = feed
            .entries
            .iter()
            .map(|e| {
                (
                    e.fields["title"].as_str(),
                    &e.fields["updated"][..10],
                    e.fields.get("published").map(|p| &p[..10]),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("revised", "2011-02-01", Some("2010-12-03")),
                ("undated-but-updated", "2011-01-20", None),
                ("published", "2011-01-10", Some("2011-01-10")),
            ],
            "{file}: a page with no date at all (and no commit) is left out"
        );
        assert_eq!(feed.head["updated"], "2011-02-01T00:00:00Z");
    }
}
