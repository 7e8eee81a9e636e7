//! Postings as the static index writes them: a short list whole, beside its
//! term; a long one split by impact, so that a query reads only what can
//! reach its top results.
//!
//! A common word's list holds a large part of the site. Most queries show ten
//! results, and those come from the word's highest-scoring pages, so a long
//! list is cut into blocks by score, as impact-ordered indexes do: its
//! [`HEAD`] best postings stay in the term's shard; the next [`MID`] go to a
//! small block file, the rest to a large one, each file shared with
//! neighbouring terms' blocks of the same tier, and the shard notes each
//! block's file and best score. `search.js` reads the heads, and fetches a
//! word's next block only while the pages it holds could still reach the top
//! results (their best score, added to what they may score for the query's
//! other words, beats the last result's).
//!
//! Either part is a list of (document gap, score) pairs in document order,
//! in the index's variable-length base-64 ([`push_number`]).

use std::collections::BTreeMap;

use super::static_index::{push_number, SCALE};

/// Postings a long list keeps beside its term: its best, by score.
pub const HEAD: usize = 64;
/// Postings in a long list's second block, the one fetched first.
pub const MID: usize = 448;
/// Lists longer than this are split; a shorter one is cheaper whole than
/// with a block to fetch for the few postings past its head.
pub const SPLIT_ABOVE: usize = 2 * HEAD;

/// One term's postings, encoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Encoded {
    /// Every posting, in document order.
    Whole(String),
    /// A long list cut by impact.
    Split {
        /// The [`HEAD`] highest-scoring postings, in document order.
        head: String,
        /// The next [`MID`] postings, then the rest (if any), each in
        /// document order, with the highest (scaled) score it holds: what a
        /// page the earlier blocks do not list can score at most.
        blocks: Vec<(String, u32)>,
        /// How many pages the whole list holds.
        count: usize,
    },
}

impl Encoded {
    /// Bytes the term's entry takes in its shard (the tail is elsewhere).
    pub fn shard_bytes(&self) -> usize {
        match self {
            Encoded::Whole(s) => s.len(),
            Encoded::Split { head, .. } => head.len() + 24,
        }
    }
}

/// A score as the index stores it: scaled, rounded, at least 1.
pub fn scaled(score: f32) -> u32 {
    // Scores are positive and far below u32::MAX / SCALE.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let q = (score * SCALE).round() as u32;
    q.max(1)
}

/// Encodes a term's postings, given in document order with their scores.
pub fn encode(postings: &[(u32, f32)]) -> Encoded {
    let mut scored: Vec<(u32, u32)> = postings.iter().map(|&(d, s)| (d, scaled(s))).collect();
    if scored.len() <= SPLIT_ABOVE {
        return Encoded::Whole(gaps(&scored));
    }
    let count = scored.len();
    // Best first; among equal scores the earlier document, as results are ranked.
    scored.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut rest = scored.split_off(HEAD);
    let mut blocks = Vec::new();
    while !rest.is_empty() {
        let later = if blocks.is_empty() && rest.len() > MID {
            rest.split_off(MID)
        } else {
            Vec::new()
        };
        let max = rest[0].1;
        rest.sort_unstable();
        blocks.push((gaps(&rest), max));
        rest = later;
    }
    scored.sort_unstable();
    Encoded::Split {
        head: gaps(&scored),
        blocks,
        count,
    }
}

/// (document, score) pairs in document order, documents written as gaps.
fn gaps(postings: &[(u32, u32)]) -> String {
    let mut s = String::with_capacity(postings.len() * 3);
    let mut prev = 0;
    for &(d, score) in postings {
        push_number(&mut s, d - prev);
        push_number(&mut s, score);
        prev = d;
    }
    s
}

/// Block files of one tier being filled: stem → its block of postings.
pub struct BlockFiles<'a> {
    folder: &'static str,
    size: usize,
    current: BTreeMap<&'a str, String>,
    bytes: usize,
    written: usize,
}

impl<'a> BlockFiles<'a> {
    /// Files `search/FOLDER/N.json` of about `size` bytes each.
    pub fn new(folder: &'static str, size: usize) -> Self {
        BlockFiles {
            folder,
            size,
            current: BTreeMap::new(),
            bytes: 0,
            written: 0,
        }
    }

    /// Adds a stem's tail; returns the number of the tail file that holds it.
    pub fn add(&mut self, stem: &'a str, tail: String, files: &mut Vec<(String, String)>) -> usize {
        let n = self.written;
        self.bytes += stem.len() + tail.len() + 6;
        self.current.insert(stem, tail);
        if self.bytes >= self.size {
            self.flush(files);
        }
        n
    }

    /// Writes the file being filled, if it holds anything.
    pub fn flush(&mut self, files: &mut Vec<(String, String)>) {
        if self.current.is_empty() {
            return;
        }
        let body = serde_json::json!(self.current).to_string();
        files.push((
            format!("search/{}/{}.json", self.folder, self.written),
            body,
        ));
        self.written += 1;
        self.current.clear();
        self.bytes = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::super::static_index::read_numbers;
    use super::*;

    fn decode(s: &str) -> Vec<(u32, u32)> {
        let n = read_numbers(s);
        let mut doc = 0;
        n.chunks(2)
            .map(|p| {
                doc += p[0];
                (doc, p[1])
            })
            .collect()
    }

    #[test]
    fn a_short_list_is_written_whole() {
        let p: Vec<(u32, f32)> = (0..SPLIT_ABOVE as u32).map(|d| (d * 3, 1.0)).collect();
        let Encoded::Whole(s) = encode(&p) else {
            panic!("split a short list")
        };
        assert_eq!(decode(&s).len(), SPLIT_ABOVE);
        assert_eq!(decode(&s)[2], (6, 32));
    }

    #[test]
    fn a_long_list_keeps_its_best_beside_the_term_and_the_rest_below_them() {
        // Scores rise and fall so that the best are spread over the documents.
        let p: Vec<(u32, f32)> = (0..1000u32)
            .map(|d| (d * 2, 1.0 + ((d * 37) % 101) as f32 / 10.0))
            .collect();
        let Encoded::Split {
            head,
            blocks,
            count,
        } = encode(&p)
        else {
            panic!("a long list was written whole")
        };
        let head = decode(&head);
        assert_eq!(count, 1000);
        assert_eq!(head.len(), HEAD);
        assert_eq!(blocks.len(), 2);
        assert_eq!(decode(&blocks[0].0).len(), MID);
        let mut all = head.clone();
        let mut floor = head.iter().map(|h| h.1).min().unwrap();
        for (block, max) in &blocks {
            let block = decode(block);
            assert!(
                block.windows(2).all(|w| w[0].0 < w[1].0),
                "in document order"
            );
            assert_eq!(block.iter().map(|t| t.1).max(), Some(*max));
            assert!(*max <= floor, "no posting of a block beats an earlier one");
            floor = block.iter().map(|h| h.1).min().unwrap();
            all.extend(block);
        }
        all.sort_unstable();
        let expected: Vec<(u32, u32)> = p.iter().map(|&(d, s)| (d, scaled(s))).collect();
        assert_eq!(all, expected, "nothing lost or changed");
    }
}
