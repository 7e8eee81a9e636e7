//! The documents kept for the next build, read back.

use super::*;

/// The repository's own site, read with `kept` (or keeping nothing).
fn repo(kept: Option<&Path>) -> (crate::site::Site, Kept) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = Config::load(root).expect("the repository's site.toml loads");
    let (site, _, keep) =
        super::super::load_keeping(config, false, false, &crate::timings::Timings::new(), kept);
    (site, keep)
}

/// Everything of a document that reading it gives, to compare.
#[allow(clippy::type_complexity)]
fn read_of(
    doc: &Document,
) -> (
    &FrontMatter,
    [&str; 3],
    [&Packed; 2],
    (&[Heading], &[Link], &[Address], &[String], usize),
) {
    let b = &doc.body;
    (
        &doc.meta,
        [&doc.slug, &doc.url, &doc.summary],
        [&doc.excerpt, &b.html],
        (&b.toc, &b.links, &b.addresses, &b.footnotes, b.word_count),
    )
}

#[test]
fn a_second_read_takes_every_kept_document_and_gets_what_reading_it_gave() {
    let dir = tempfile::tempdir().unwrap();
    let at = dir.path().join("docs");
    let (first, keep) = repo(Some(&at));
    let kept = keep.keys.iter().flatten().count();
    assert!(kept > 10, "only {kept} documents kept");
    write(File::create(&at).unwrap(), &first.docs, &keep).unwrap();

    let cache = DocsCache::open(&at, keep.context.unwrap());
    assert_eq!(cache.places.len(), kept);
    for (doc, key) in first.docs.iter().zip(&keep.keys) {
        let Some(key) = key else { continue };
        let entry = cache.get(*key).expect("a kept document reads back");
        let again = Document {
            meta: entry.meta,
            slug: entry.slug,
            url: entry.url,
            summary: entry.summary,
            excerpt: entry.excerpt,
            body: entry.body,
            ..(**doc).clone()
        };
        assert_eq!(read_of(&again), read_of(doc), "{}", doc.path.display());
    }

    // Read again through the cache: the same site, and the same file.
    let (second, keep2) = repo(Some(&at));
    assert_eq!(keep2.keys, keep.keys);
    for (a, b) in first.docs.iter().zip(&second.docs) {
        assert_eq!(read_of(a), read_of(b), "{}", a.path.display());
        assert_eq!(a.refs, b.refs);
    }
    let mut bytes = Vec::new();
    write(&mut bytes, &second.docs, &keep2).unwrap();
    assert_eq!(bytes, std::fs::read(&at).unwrap());
}

#[test]
fn a_file_of_another_context_or_damaged_is_ignored_and_a_damaged_entry_alone() {
    let dir = tempfile::tempdir().unwrap();
    let at = dir.path().join("docs");
    let (site, keep) = repo(Some(&at));
    write(File::create(&at).unwrap(), &site.docs, &keep).unwrap();
    let context = keep.context.unwrap();
    let bytes = std::fs::read(&at).unwrap();
    let kept = keep.keys.iter().flatten().count();

    assert!(DocsCache::open(&at, context ^ 1).places.is_empty());
    assert!(DocsCache::open(&dir.path().join("none"), context)
        .places
        .is_empty());

    // Cut short anywhere: ignored whole, never a panic.
    for cut in [0, 10, bytes.len() / 2, bytes.len() - 1] {
        std::fs::write(&at, &bytes[..cut]).unwrap();
        assert!(
            DocsCache::open(&at, context).places.is_empty(),
            "cut at {cut}"
        );
    }
    // A byte of the index changed: ignored whole.
    let mut index = bytes.clone();
    let last = index.len() - FOOTER as usize - 3;
    index[last] ^= 0x20;
    std::fs::write(&at, &index).unwrap();
    assert!(DocsCache::open(&at, context).places.is_empty());

    // A byte of the first entry changed: that entry alone is refused.
    let mut entry = bytes.clone();
    entry[header(context).len() + 3] ^= 0x20;
    std::fs::write(&at, &entry).unwrap();
    let cache = DocsCache::open(&at, context);
    assert_eq!(cache.places.len(), kept);
    let found = keep
        .keys
        .iter()
        .flatten()
        .filter(|k| cache.get(**k).is_some())
        .count();
    assert_eq!(found, kept - 1);

    // A link in its place is not followed.
    #[cfg(unix)]
    {
        let real = dir.path().join("real");
        std::fs::write(&real, &bytes).unwrap();
        std::fs::remove_file(&at).unwrap();
        std::os::unix::fs::symlink(&real, &at).unwrap();
        assert!(DocsCache::open(&at, context).places.is_empty());
    }
}

#[test]
fn every_value_and_date_round_trips() {
    let doc = {
        let (site, _) = repo(None);
        let mut doc = (*site.docs[0]).clone();
        doc.meta.fields = vec![
            ("a".into(), Value::String("x".into())),
            ("b".into(), Value::Date(Date::parse("2024-02-29").unwrap())),
            ("c".into(), Value::Bool(true)),
            ("d".into(), Value::Integer(-7)),
            ("e".into(), Value::Integer(i64::MIN)),
            ("f".into(), Value::List(vec!["p".into(), String::new()])),
        ];
        doc.meta.weight = -3;
        doc.meta.summary = None;
        doc.meta.updated = None;
        doc
    };
    let mut out = Vec::new();
    encode(&mut out, &doc);
    let entry = decode(&out).expect("reads back");
    assert_eq!(entry.meta, doc.meta);
    for cut in 0..out.len() {
        assert!(decode(&out[..cut]).is_none());
    }
    // A day that is not in the calendar is refused.
    let mut bad = Vec::new();
    put_date(
        &mut bad,
        Some(Date {
            year: 2023,
            month: 2,
            day: 29,
        }),
    );
    assert_eq!(read_date(&mut Reader(&bad)), None);
}
