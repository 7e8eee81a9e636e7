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
//! Either part is a list of (document gap, score) pairs in document order:
//! the gap in the index's variable-length base-64 ([`push_number`]), the
//! score as one character, a level from 1 to [`LEVELS`] of the list's step.
//! A list's step is its best score over [`LEVELS`]: the head (or whole list)
//! opens with that best score, scaled by [`TOP_SCALE`], and each block's best
//! is given as a level. One character a score keeps the shards small; the
//! rounding is at most half a step, under 1% of the word's best score.

use std::collections::BTreeMap;

use super::emit::Emit;
use super::static_index::{push_number, ALPHABET};

/// Postings a long list keeps beside its term: its best, by score.
pub const HEAD: usize = 64;
/// Postings in a long list's second block, the one fetched first.
pub const MID: usize = 192;
/// Lists longer than this are split; a shorter one is cheaper whole than
/// with a block to fetch for the few postings past its head.
pub const SPLIT_ABOVE: usize = 2 * HEAD;
/// Scores are written as levels 1 ..= LEVELS of a list's step: one character each.
pub const LEVELS: u32 = 63;
/// A list's best score is written as `round(best × TOP_SCALE)`.
pub const TOP_SCALE: f32 = 1024.0;

/// One term's postings, encoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Encoded {
    /// Every posting, in document order, after the list's scaled best score.
    Whole(String),
    /// A long list cut by impact.
    Split {
        /// The list's scaled best score, then its [`HEAD`] highest-scoring
        /// postings, in document order.
        head: String,
        /// The next [`MID`] postings, then the rest (if any), each in
        /// document order, with the highest level it holds: what a page the
        /// earlier blocks do not list can score at most.
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

/// A list's step: the score one level stands for, from its scaled best.
pub fn step(top: u32) -> f32 {
    top as f32 / TOP_SCALE / LEVELS as f32
}

/// Encodes a term's postings, given in document order with their scores.
pub fn encode(postings: &[(u32, f32)]) -> Encoded {
    let best = postings.iter().map(|p| p.1).fold(0.0_f32, f32::max);
    // Scores are positive and far below u32::MAX / TOP_SCALE.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let top = ((best * TOP_SCALE).round() as u32).max(1);
    let unit = step(top);
    let level = |score: f32| -> u32 {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let q = (score / unit).round() as u32;
        q.clamp(1, LEVELS)
    };
    let mut scored: Vec<(u32, u32)> = postings.iter().map(|&(d, s)| (d, level(s))).collect();
    let mut head = String::new();
    push_number(&mut head, top);
    if scored.len() <= SPLIT_ABOVE {
        head.push_str(&gaps(&scored));
        return Encoded::Whole(head);
    }
    let count = scored.len();
    // Best first; among equal levels the earlier document, as results are ranked.
    scored.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut rest = scored.split_off(HEAD);
    let mut blocks = Vec::new();
    while !rest.is_empty() {
        let later = if blocks.is_empty() && rest.len() > MID {
            rest.split_off(MID)
        } else {
            Vec::new()
        };
        let max = rest.iter().map(|p| p.1).max().unwrap_or(1);
        rest.sort_unstable();
        blocks.push((gaps(&rest), max));
        rest = later;
    }
    scored.sort_unstable();
    head.push_str(&gaps(&scored));
    Encoded::Split {
        head,
        blocks,
        count,
    }
}

/// (document, level) pairs in document order, documents written as gaps,
/// levels as one character.
fn gaps(postings: &[(u32, u32)]) -> String {
    let mut s = String::with_capacity(postings.len() * 3);
    let mut prev = 0;
    for &(d, level) in postings {
        push_number(&mut s, d - prev);
        s.push(ALPHABET[level as usize] as char);
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
    pub(super) fn add(&mut self, stem: &'a str, tail: String, files: &Emit) -> usize {
        let n = self.written;
        self.bytes += stem.len() + tail.len() + 6;
        self.current.insert(stem, tail);
        if self.bytes >= self.size {
            self.flush(files);
        }
        n
    }

    /// Writes the file being filled, if it holds anything.
    pub(super) fn flush(&mut self, files: &Emit) {
        if self.current.is_empty() {
            return;
        }
        let body = serde_json::json!(self.current).to_string();
        files.put(
            &format!("search/{}/{}.json", self.folder, self.written),
            &body,
        );
        self.written += 1;
        self.current.clear();
        self.bytes = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::super::static_index::read_numbers;
    use super::*;

    /// (document, level) pairs as `search.js` reads them.
    fn pairs(s: &str) -> Vec<(u32, u32)> {
        let value = |c: u8| ALPHABET.iter().position(|&a| a == c).unwrap() as u32;
        let (mut out, mut doc, mut gap, mut shift, mut in_gap) = (Vec::new(), 0, 0, 0, true);
        for c in s.bytes() {
            let v = value(c);
            if !in_gap {
                out.push((doc, v));
                in_gap = true;
                continue;
            }
            gap |= (v & 31) << shift;
            if v & 32 != 0 {
                shift += 5;
            } else {
                doc += gap;
                (gap, shift, in_gap) = (0, 0, false);
            }
        }
        assert!(in_gap && shift == 0, "a gap without its score");
        out
    }

    /// A head or whole list: its scaled best score, then its pairs.
    fn head(s: &str) -> (u32, Vec<(u32, u32)>) {
        let end = s
            .bytes()
            .position(|b| ALPHABET.iter().position(|&a| a == b).unwrap() < 32)
            .unwrap()
            + 1;
        (read_numbers(&s[..end])[0], pairs(&s[end..]))
    }

    #[test]
    fn a_short_list_is_written_whole() {
        let p: Vec<(u32, f32)> = (0..SPLIT_ABOVE as u32)
            .map(|d| (d * 3, 1.0 + (d % 4) as f32))
            .collect();
        let Encoded::Whole(s) = encode(&p) else {
            panic!("split a short list")
        };
        let (top, list) = head(&s);
        assert_eq!(top, 4 * TOP_SCALE as u32, "the best score, scaled");
        assert_eq!(list.len(), SPLIT_ABOVE);
        assert_eq!(list[3], (9, LEVELS), "the best score is the top level");
        assert_eq!(list[1].0, 3);
        assert!(
            (list[1].1 as f32 - LEVELS as f32 / 2.0).abs() <= 0.5,
            "half the best is the middle level"
        );
    }

    #[test]
    fn a_long_list_keeps_its_best_beside_the_term_and_the_rest_below_them() {
        // Scores rise and fall so that the best are spread over the documents.
        let p: Vec<(u32, f32)> = (0..1000u32)
            .map(|d| (d * 2, 1.0 + ((d * 37) % 101) as f32 / 10.0))
            .collect();
        let Encoded::Split {
            head: h,
            blocks,
            count,
        } = encode(&p)
        else {
            panic!("a long list was written whole")
        };
        let (top, head) = head(&h);
        assert_eq!(count, 1000);
        assert_eq!(head.len(), HEAD);
        assert_eq!(blocks.len(), 2);
        assert_eq!(pairs(&blocks[0].0).len(), MID);
        let mut all = head.clone();
        let mut floor = head.iter().map(|h| h.1).min().unwrap();
        for (block, max) in &blocks {
            let block = pairs(block);
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
        assert_eq!(all.len(), p.len(), "nothing lost");
        let unit = step(top);
        for (&(d, level), &(doc, score)) in all.iter().zip(&p) {
            assert_eq!(d, doc);
            let read = level as f32 * unit;
            assert!(
                (read - score).abs() <= unit / 2.0 + 1e-4,
                "{doc}: {score} read as {read}"
            );
        }
    }
}
