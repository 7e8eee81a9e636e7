//! The live preview re-renders exactly what an edit touches, worked out from
//! what each file read when it was rendered. Checked the strict way: after
//! every one of a seeded run of edits to a generated site (titles, dates,
//! summaries, tags, references, aliases, drafts, weights, links, text), the
//! preview's folder equals a render of the whole target from scratch. An
//! edit the site refuses (a published page linking to a new draft) is put
//! back, and the preview must then show the site as it was.
//!
//! `HUBGEN_READS_SEED=N` replays one run.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use common::*;
use hubgen::serve::live::{Changes, Live, Settings};

const WORDS: [&str; 8] = [
    "energy",
    "waste",
    "procurement",
    "adults",
    "transport",
    "zebra",
    "apple",
    "market",
];

/// A changed version of `text` (the file `rel`), and what the change was.
fn edit(rng: &mut Rng, n: usize, rel: &Path, text: &str, docs: &[PathBuf]) -> (String, String) {
    let word = |rng: &mut Rng| *rng.pick(&WORDS);
    match rng.below(11) {
        0 => (
            "text".into(),
            format!("{text}\n{} paragraph {n}.\n", word(rng)),
        ),
        1 => {
            // Titles decide the order of collections sorted by title or weight.
            let title = format!("\"{} {} {n}\"", word(rng), word(rng));
            ("title".into(), set_field(text, "title", Some(&title)))
        }
        2 => {
            let summary = (rng.below(3) > 0).then(|| format!("\"{} summary {n}.\"", word(rng)));
            (
                "summary".into(),
                set_field(text, "summary", summary.as_deref()),
            )
        }
        3 => {
            let tags: Vec<String> = (0..rng.below(3))
                .map(|_| format!("\"{}\"", word(rng)))
                .collect();
            let tags = format!("[{}]", tags.join(", "));
            ("tags".into(), set_field(text, "tags", Some(&tags)))
        }
        4 if field(text, "workstream").is_some() => {
            let ws = [
                "childrens-services",
                "adult-social-care",
                "democratic-leadership",
                "no-such-workstream",
            ];
            let ws = *rng.pick(&ws);
            ("workstream".into(), set_field(text, "workstream", Some(ws)))
        }
        5 if field(text, "date").is_some() => {
            let date = format!(
                "20{:02}-{:02}-{:02}",
                5 + rng.below(15),
                1 + rng.below(12),
                1 + rng.below(28)
            );
            ("date".into(), set_field(text, "date", Some(&date)))
        }
        6 => {
            let alias = (rng.below(2) == 0).then(|| format!("[\"/reads/alias-{n}/\"]"));
            (
                "aliases".into(),
                set_field(text, "aliases", alias.as_deref()),
            )
        }
        7 => {
            let draft = field(text, "draft").is_none().then_some("true");
            ("draft".into(), set_field(text, "draft", draft))
        }
        8 => {
            let weight = rng.below(20).to_string();
            ("weight".into(), set_field(text, "weight", Some(&weight)))
        }
        9 => {
            let to = rng.pick(docs);
            let up = "../".repeat(rel.components().count() - 1);
            let link = format!("{text}\nSee [the other page]({up}{}).\n", to.display());
            ("link".into(), link)
        }
        _ => ("text".into(), text.replacen("council", "Council", 1)),
    }
}

fn served(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut files = snapshot(dir);
    files.retain(|k, _| !k.starts_with("search/"));
    files
}

fn run(seed: u64, target: &str, edits: usize) {
    eprintln!("seed {seed}, target {target} (HUBGEN_READS_SEED={seed} replays it)");
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    corpus(&site, 160);
    let content = site.join("content");
    let docs: Vec<PathBuf> = walkdir::WalkDir::new(&content)
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .map(|p| p.strip_prefix(&content).unwrap().to_path_buf())
        .collect();
    let settings = |out: &str| Settings {
        root: site.clone(),
        target: target.to_string(),
        base_url: "http://127.0.0.1:1/".into(),
        drafts: false,
        out: tmp.path().join(out),
    };
    let (mut live, _) = Live::start(settings("live")).unwrap_or_else(|e| panic!("{e:?}"));
    let mut rng = Rng::new(seed);
    let (mut refused, mut rendered) = (0, 0);
    for n in 0..edits {
        let rel = rng.pick(&docs).clone();
        let path = content.join(&rel);
        let before = read(&path);
        let (kind, after) = edit(&mut rng, n, &rel, &before, &docs);
        std::fs::write(&path, &after).unwrap();
        let changes = Changes {
            documents: BTreeSet::from([rel.clone()]),
            ..Changes::default()
        };
        let what = format!("edit {n} ({kind} of {})", rel.display());
        if let Ok(update) = live.apply(&changes) {
            rendered += update.rendered;
        } else {
            // Refused: put it back, and the preview must show the site as it was.
            refused += 1;
            std::fs::write(&path, &before).unwrap();
            live.apply(&changes)
                .unwrap_or_else(|e| panic!("{what}, put back: {e:?}"));
        }
        let full_dir = format!("full-{n}");
        Live::start(settings(&full_dir)).unwrap_or_else(|e| panic!("{what}: {e:?}"));
        let (now, full) = (
            served(&tmp.path().join("live")),
            served(&tmp.path().join(&full_dir)),
        );
        let differ = differing(&full, &now);
        assert!(
            differ.is_empty(),
            "seed {seed}: after {what} the preview differs from a full render in {differ:?}"
        );
        std::fs::remove_dir_all(tmp.path().join(&full_dir)).unwrap();
    }
    eprintln!("seed {seed}: {edits} edits, {refused} refused, {rendered} files rendered");
    // Re-rendering exactly what an edit touches is much less than everything.
    let files = served(&tmp.path().join("live")).len();
    assert!(
        rendered < edits * files / 4,
        "{rendered} files rendered for {edits} edits of a {files}-file site"
    );
}

fn seeds() -> Vec<u64> {
    if let Ok(s) = std::env::var("HUBGEN_READS_SEED") {
        vec![s.parse().expect("HUBGEN_READS_SEED is a number")]
    } else {
        let base = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
            % 100_000;
        vec![base]
    }
}

#[test]
fn every_edit_re_renders_exactly_what_read_it_hub() {
    for seed in seeds() {
        run(seed, "hub", 40);
    }
}

#[test]
fn every_edit_re_renders_exactly_what_read_it_programme() {
    for seed in seeds() {
        run(seed + 7, "programme", 40);
    }
}
