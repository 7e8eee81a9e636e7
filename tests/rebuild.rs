//! A rebuild over the last output gives the bytes a clean build gives, and
//! long lists link a window of their pages, not every one of them.

mod common;

use common::*;

#[test]
fn a_rebuild_after_a_one_page_edit_equals_a_clean_build() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    corpus(&site, 600);
    let (rebuilt, clean) = (tmp.path().join("rebuilt"), tmp.path().join("clean"));
    build_ok(&site, &rebuilt, &[]);
    let before = published(&rebuilt);
    long_lists_link_their_ends_and_the_pages_near_this_one(&rebuilt);

    // One guide's text changes, and one update moves to the end of the
    // archive: pages, lists, related content and the search index all move.
    let guides = site.join("content/guides");
    let guide = markdown_in(&guides).max().unwrap();
    let untouched = markdown_in(&guides).min().unwrap();
    let untouched = rebuilt.join(format!(
        "hub/guides/{}/index.html",
        untouched.file_stem().unwrap().to_str().unwrap()
    ));
    let inode = |p: &std::path::Path| {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(p).unwrap().ino()
    };
    let first_inode = inode(&untouched);
    let text = read(&guide);
    let guide_text = text.clone();
    std::fs::write(
        &guide,
        format!("{text}\nA sentence added by the rebuild test.\n"),
    )
    .unwrap();
    let updates = site.join("content/updates");
    let moved = markdown_in(&updates)
        .filter(|p| read(p).contains("\ndate: 20"))
        .min()
        .unwrap();
    let text = read(&moved);
    let moved_text = text.clone();
    let at = text.find("\ndate: ").unwrap() + "\ndate: ".len();
    std::fs::write(
        &moved,
        format!("{}2001-01-01{}", &text[..at], &text[at + 10..]),
    )
    .unwrap();

    build_ok(&site, &rebuilt, &[]);
    build_ok(&site, &clean, &[]);
    let (after, expected) = (published(&rebuilt), published(&clean));
    assert_ne!(before, after, "the edit changed nothing");
    let differ = differing(&expected, &after);
    assert!(
        differ.is_empty(),
        "the rebuild differs from a clean build in {differ:?}"
    );
    assert_eq!(
        inode(&untouched),
        first_inode,
        "an unchanged page is linked, not written again"
    );

    // The edits undone: the third build starts from the first output (kept
    // beside the output as its spare) and must give the first bytes again.
    assert!(rebuilt.join(".hub.hubgen-spare/.hubgen-manifest").is_file());
    std::fs::write(&guide, guide_text).unwrap();
    std::fs::write(&moved, moved_text).unwrap();
    build_ok(&site, &rebuilt, &[]);
    let third = published(&rebuilt);
    let differ = differing(&before, &third);
    assert!(
        differ.is_empty(),
        "a build from the spare differs from a clean build in {differ:?}"
    );
    assert_eq!(
        inode(&untouched),
        first_inode,
        "an unchanged page is kept, not written again"
    );
    // And once more, from the second output.
    build_ok(&site, &rebuilt, &[]);
    let fourth = published(&rebuilt);
    assert!(differing(&before, &fourth).is_empty());
}

/// Every file of the targets' outputs in `dir` (not the spares beside them).
fn published(dir: &std::path::Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut all = snapshot(dir);
    all.retain(|rel, _| !rel.starts_with('.'));
    all
}

/// The Markdown files directly in `dir`.
fn markdown_in(dir: &std::path::Path) -> impl Iterator<Item = std::path::PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
}

/// Page 6 of the updates archive links pages 1, 4 to 8 and the last, with a
/// gap between 1 and 4 and one between 8 and the last.
fn long_lists_link_their_ends_and_the_pages_near_this_one(out: &std::path::Path) {
    let page = read(out.join("programme/updates/page/6/index.html"));
    let nav = &page[page
        .find("<nav class=\"pagination\"")
        .expect("a pagination nav")..];
    let nav = &nav[..nav.find("</nav>").unwrap()];
    let numbers: Vec<&str> = nav
        .split("\">")
        .skip(1)
        .filter_map(|s| s.split('<').next())
        .filter(|s| s.parse::<usize>().is_ok())
        .collect();
    let last = numbers.last().unwrap().parse::<usize>().unwrap();
    assert!(
        last >= 10,
        "the corpus's updates list is too short to test: {nav}"
    );
    assert_eq!(
        numbers,
        ["1", "4", "5", "6", "7", "8", &last.to_string()],
        "{nav}"
    );
    assert_eq!(
        nav.matches("class=\"pagination-gap\" aria-hidden=\"true\"")
            .count(),
        2,
        "{nav}"
    );
    assert!(nav.contains("aria-current=\"page\">6<"), "{nav}");
}

/// The words a build keeps for the next one are hubgen's own: a damaged,
/// truncated or foreign file, or one that is not a file at all, is ignored,
/// and the rebuild still gives a clean build's bytes.
#[test]
fn kept_words_that_are_damaged_are_ignored() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    corpus(&site, 120);
    let (rebuilt, clean) = (tmp.path().join("rebuilt"), tmp.path().join("clean"));
    build_ok(&site, &rebuilt, &[]);
    build_ok(&site, &clean, &[]);
    let words = rebuilt.join("programme/.hubgen-words");
    let good = std::fs::read(&words).unwrap();
    assert!(good.starts_with(b"hubgen words 3\n"));
    let expected = published(&clean);
    let mut flipped = good.clone();
    let at = flipped.len() / 2;
    flipped[at] ^= 0x55;
    let truncated = good[..good.len() * 2 / 3].to_vec();
    let damages: Vec<(&str, Option<Vec<u8>>)> = vec![
        ("truncated", Some(truncated)),
        ("one byte changed", Some(flipped)),
        ("empty", Some(Vec::new())),
        ("another format", Some(b"hubgen words 9\n".to_vec())),
        ("a link to a device", None),
    ];
    for (what, bytes) in damages {
        std::fs::remove_file(&words).unwrap();
        match bytes {
            Some(b) => std::fs::write(&words, b).unwrap(),
            None => std::os::unix::fs::symlink("/dev/zero", &words).unwrap(),
        }
        // The spare, which the build would read next, holds no words either.
        let _ = std::fs::remove_file(rebuilt.join(".programme.hubgen-spare/.hubgen-words"));
        build_ok(&site, &rebuilt, &[]);
        let after = published(&rebuilt);
        let differ = differing(&expected, &after);
        assert!(
            differ.is_empty(),
            "{what}: differs from a clean build in {differ:?}"
        );
        assert!(
            std::fs::symlink_metadata(&words).unwrap().is_file(),
            "{what}: a build leaves its words"
        );
    }
}

/// The documents a build keeps for the next one are a cache: a damaged,
/// truncated or foreign file, or one that is not a file at all, is ignored,
/// the rebuild still gives a clean build's bytes, and the file is made again.
#[test]
fn kept_documents_that_are_damaged_are_ignored() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    corpus(&site, 120);
    let (rebuilt, clean) = (tmp.path().join("rebuilt"), tmp.path().join("clean"));
    build_ok(&site, &clean, &[]);
    let docs = site.join(".hubgen-cache/docs");
    let good = std::fs::read(&docs).unwrap();
    assert!(good.starts_with(b"hubgen docs 1\n"));
    build_ok(&site, &rebuilt, &[]);
    assert_eq!(
        std::fs::read(&docs).unwrap(),
        good,
        "the same documents give the same bytes"
    );
    let expected = published(&clean);
    assert!(differing(&expected, &published(&rebuilt)).is_empty());
    let flip = |at: usize| {
        let mut b = good.clone();
        b[at] ^= 0x55;
        b
    };
    let damages: Vec<(&str, Option<Vec<u8>>)> = vec![
        ("truncated", Some(good[..good.len() * 2 / 3].to_vec())),
        ("a byte of an entry changed", Some(flip(good.len() / 3))),
        ("a byte of the index changed", Some(flip(good.len() - 40))),
        ("empty", Some(Vec::new())),
        ("another format", Some(b"hubgen docs 9\n".to_vec())),
        ("a link to a device", None),
    ];
    for (what, bytes) in damages {
        std::fs::remove_file(&docs).unwrap();
        match bytes {
            Some(b) => std::fs::write(&docs, b).unwrap(),
            None => std::os::unix::fs::symlink("/dev/zero", &docs).unwrap(),
        }
        build_ok(&site, &rebuilt, &[]);
        let after = published(&rebuilt);
        let differ = differing(&expected, &after);
        assert!(
            differ.is_empty(),
            "{what}: differs from a clean build in {differ:?}"
        );
        assert_eq!(
            std::fs::read(&docs).unwrap(),
            good,
            "{what}: a build keeps its documents again"
        );
    }
    let left: Vec<_> = std::fs::read_dir(site.join(".hubgen-cache"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n.to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

/// A document taken unchanged from what the last build kept is checked
/// against today's files: when a page it links to is deleted, the broken
/// link is reported, as a clean build reports it.
#[test]
fn a_kept_document_whose_link_breaks_is_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    corpus(&site, 120);
    let out = tmp.path().join("out");
    build_ok(&site, &out, &[]);
    let guides = site.join("content/guides");
    let (linking, target) = markdown_in(&guides)
        .find_map(|p| {
            let text = read(&p);
            let at = text.find("](../guides/")? + "](../guides/".len();
            let name = &text[at..at + text[at..].find(')')?];
            let target = guides.join(name);
            (target != p && target.is_file()).then_some((p, target))
        })
        .expect("a guide links to another guide");
    std::fs::remove_file(&target).unwrap();
    let o = hubgen(&site, &["build", "--output", out.to_str().unwrap()]);
    assert!(
        !o.status.success(),
        "the build went ahead with a broken link"
    );
    let err = stderr(&o);
    let name = linking.file_name().unwrap().to_str().unwrap();
    assert!(err.contains(name), "the linking page is not named:\n{err}");
}
