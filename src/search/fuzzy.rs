//! The typo index: which vocabulary words are near a misspelt query word,
//! found by the browser in one or two small fetches.
//!
//! A word of five letters or more is allowed one edit (an inserted, deleted or
//! changed letter, or two letters swapped), one of nine or more two, as Algolia
//! does. One edit cannot change both a word's first two letters and its last
//! two, so every word of the vocabulary is filed twice: under its first two
//! letters (`^pr`) and under its last two (`nt$`). A misspelt word's neighbours
//! are in its own two buckets, and the buckets are spread over `search/f/N.json`
//! by a hash of their key, so a query fetches at most two files. (Two edits
//! may touch both ends of a word; its neighbours at that distance whose first
//! and last two letters both differ are not found.)

use std::collections::BTreeMap;

use serde_json::json;

use super::Analyzed;

/// The shortest vocabulary word filed: a five-letter query word one edit
/// from it is four letters long.
const MIN_WORD: usize = 4;
/// Bucket files aim at this many bytes.
const FILE_BYTES: usize = 32 * 1024;
/// At most this many bucket files.
const MAX_FILES: usize = 1024;

/// At most this many near words stand for a misspelt one: the nearest, then
/// those on most pages (each costs the browser its postings).
pub const MAX_NEAR: usize = 3;

/// The edits allowed between a query word of `len` letters and a vocabulary word.
pub fn max_distance(len: usize) -> u8 {
    match len {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    }
}

/// The two bucket keys of a word: its first two letters and its last two.
pub fn keys(word: &str) -> [String; 2] {
    let chars: Vec<char> = word.chars().collect();
    let first: String = chars.iter().take(2).collect();
    let last: String = chars[chars.len().saturating_sub(2)..].iter().collect();
    [format!("^{first}"), format!("{last}$")]
}

/// FNV-1a over the key's UTF-8 bytes: which of `files` holds its bucket
/// (`search.js` computes the same).
pub fn file_of(key: &str, files: u32) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in key.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h % files.max(1)
}

/// A bucket: its words, each with its stem and the number of pages with it.
type Bucket<'a> = BTreeMap<&'a str, (&'a str, usize)>;

/// The bucket files, by path, and how many there are (for the manifest).
/// Each holds its buckets' words, each with its stem (empty when the word is
/// its own stem, as the term shards write it) and the number of pages with
/// that stem, by which the browser chooses among near words without their
/// postings.
pub fn build_files(a: &Analyzed, pages: &[u32]) -> (Vec<(String, String)>, u32) {
    let mut buckets: BTreeMap<String, Bucket> = BTreeMap::new();
    let mut bytes = 0;
    for (word, stem) in &a.surfaces {
        if word.chars().count() < MIN_WORD || word.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        let pages = pages[*stem as usize] as usize;
        let stem = a.stems[*stem as usize].as_str();
        let stem = if stem == word { "" } else { stem };
        for key in keys(word) {
            bytes += word.len() + stem.len() + 12;
            buckets.entry(key).or_default().insert(word, (stem, pages));
        }
    }
    let files = (bytes / FILE_BYTES).clamp(1, MAX_FILES) as u32;
    // Every file is written, empty or not: a misspelt word may hash to any of them.
    let mut by_file: BTreeMap<u32, BTreeMap<&str, &Bucket>> =
        (0..files).map(|n| (n, BTreeMap::new())).collect();
    for (key, words) in &buckets {
        by_file
            .entry(file_of(key, files))
            .or_default()
            .insert(key, words);
    }
    let out = by_file
        .into_iter()
        .map(|(n, b)| (format!("search/f/{n}.json"), json!(b).to_string()))
        .collect();
    (out, files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_edit_keeps_one_of_the_two_keys() {
        let word = keys("procurement");
        for typo in [
            "procuremnt",
            "rpocurement",
            "xprocurement",
            "procurementt",
            "procurenemt",
        ] {
            let k = keys(typo);
            assert!(k[0] == word[0] || k[1] == word[1], "{typo}");
        }
        assert_eq!(keys("hampshire"), ["^ha", "re$"]);
    }

    #[test]
    fn every_bucket_file_is_written() {
        let words: Vec<String> = (0..3000).map(|i| format!("word{i:05}x")).collect();
        let a = crate::search::Analyzed {
            docs: Vec::new(),
            lengths: Vec::new(),
            stems: words.clone(),
            postings: vec![Vec::new(); 3000],
            surfaces: words
                .iter()
                .enumerate()
                .map(|(i, w)| (w.clone(), i as u32))
                .collect(),
            stats: std::array::from_fn(|_| crate::search::bm25::FieldStats { docs: 0, tokens: 0 }),
        };
        let pages: Vec<u32> = a.postings.iter().map(|p| p.len() as u32).collect();
        let (out, files) = build_files(&a, &pages);
        assert!(files > 1);
        let names: Vec<String> = (0..files).map(|n| format!("search/f/{n}.json")).collect();
        assert_eq!(
            out.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>().len(),
            names.len()
        );
        for name in names {
            assert!(out.iter().any(|(p, _)| *p == name), "{name} is missing");
        }
    }

    #[test]
    fn distances_follow_word_length() {
        assert_eq!([2, 4, 5, 8, 9, 14].map(max_distance), [0, 0, 1, 1, 2, 2]);
    }

    #[test]
    fn the_hash_is_fnv1a() {
        // FNV-1a 32 of "a" is 0xe40c292c.
        assert_eq!(file_of("a", u32::MAX), 0xe40c_292c);
        assert_eq!(file_of("^pr", 1), 0);
    }
}
