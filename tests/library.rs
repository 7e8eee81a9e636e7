//! A library list (`list_template = "library.html"`): readers filter it in
//! the browser by the values its documents have. Each filter offers every
//! value on its page once, sorted, and never an empty one.

mod common;

use std::path::Path;

use common::*;

/// A site of one library collection, `cases`, with a list field and an
/// optional string field, published by one target into `public`.
fn library_site(dir: &Path) {
    let cases = collection_site(
        dir,
        "Library",
        "cases",
        "https://library.example.org/",
        "list_template = \"library.html\"\nsort_by = \"title\"\n\n\
         [collections.cases.fields.councils]\ntype = \"list\"\n\n\
         [collections.cases.fields.region]\ntype = \"string\"\n",
    );
    for (name, front) in [
        (
            "a",
            "tags: [Waste, Assets]\ncouncils: [Wigan, Hampshire]\nregion: South",
        ),
        (
            "b",
            "tags: [assets]\ncouncils: [Leeds, \"\"]\nregion: north",
        ),
        ("c", "tags: [Budgets]\nregion: \"\""),
        ("d", "councils: [Wigan]"),
    ] {
        std::fs::write(
            cases.join(format!("{name}.md")),
            format!("---\ntitle: Case {name}\nsummary: Case {name}.\n{front}\n---\n\nText.\n"),
        )
        .unwrap();
    }
}

/// The options of the `<select>` with id `id` in `html`, as readers see them.
fn options(html: &str, id: &str) -> Vec<String> {
    let start = html
        .find(&format!("<select id=\"{id}\""))
        .unwrap_or_else(|| panic!("no select {id} in\n{html}"));
    let select = &html[start..start + html[start..].find("</select>").unwrap()];
    select
        .split("<option")
        .skip(1)
        .map(|o| {
            let text = &o[o.find('>').unwrap() + 1..];
            text[..text.find("</option>").unwrap()].to_string()
        })
        .collect()
}

#[test]
fn a_librarys_filters_offer_each_value_of_its_documents_once_sorted_and_never_empty() {
    let tmp = tempfile::tempdir().unwrap();
    library_site(tmp.path());
    let out = tmp.path().join("out");
    build_ok(tmp.path(), &out, &[]);
    let html = read(out.join("cases/index.html"));
    // Case-insensitively unique (the first spelling stays), then sorted as text.
    assert_eq!(
        options(&html, "filter-tag"),
        ["Any", "Assets", "Budgets", "Waste"]
    );
    assert_eq!(
        options(&html, "filter-council"),
        ["Any", "Hampshire", "Leeds", "Wigan"]
    );
    // An empty region is no choice to offer: "Any" already means every page.
    assert_eq!(options(&html, "filter-region"), ["Any", "South", "north"]);
    // A field no document has gets no filter at all.
    assert!(!html.contains("filter-workstream"), "{html}");
}
