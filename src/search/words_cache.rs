//! The words of every document, kept in the output for the next build.
//!
//! Tokenizing is the largest part of a search index's cost, and a rebuild
//! after one page changed would tokenize thousands of documents exactly as
//! before. A build therefore leaves hubgen's own file [`WORDS`] in its first
//! target's output (never published, never served): the site's vocabulary,
//! and for each document its two keys ([`Keys`]) with its field lengths and
//! words. The next build looks each document up by what its texts are made
//! from, which is quick; failing that, by its texts themselves, which takes
//! working out its body's text; and tokenizes only documents found by
//! neither.
//!
//! The file is a cache and is trusted as one: made by another program (its
//! second line), of another format, or damaged in any way (its third line
//! is the hash of the rest), it is ignored whole, and every document is
//! tokenized. It is written the same for the
//! same documents, whatever it was read from: its words sorted, each
//! document's words in that order.
//!
//! [`WORDS`]: crate::output::WORDS

use std::ops::Range;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::{DocWords, Tf, Vocabulary, NFIELDS};
use crate::output::KeyHasher;
use crate::site::Packed;
use crate::varint::{put, Reader};

/// The first line of the file: its format, so that another is never misread.
const HEADER: &str = "hubgen words 3\n";

/// A document's two keys, each the hash of texts with their lengths, so
/// that two documents share a key only if every text is the same.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Keys {
    /// The hash of what its fields' texts are made from (see
    /// [`super::field_texts`]): every field's text but the body's, and the
    /// body's HTML as the build holds it (compressed). Quick to work out;
    /// the same HTML gives the same text for the program that wrote the
    /// file, and a file another program wrote is never read. But the HTML
    /// names the pages it links to by their place in the site, which moves
    /// for every page after a file that is added or removed.
    pub source: u128,
    /// The hash of its fields' texts themselves, which stay the same when
    /// that happens.
    pub text: u128,
}

/// [`Keys::source`] of a document whose texts but the body's are `head`,
/// and whose body's HTML is `body`.
pub fn source_key(head: &[String; NFIELDS - 1], body: &Packed) -> u128 {
    hash_texts(head, body.as_bytes())
}

/// [`Keys::text`] of a document whose texts but the body's are `head`, and
/// whose body's text is `body`.
pub fn text_key(head: &[String; NFIELDS - 1], body: &str) -> u128 {
    hash_texts(head, body.as_bytes())
}

/// The hash of `head` and then `body`, each with its length.
fn hash_texts(head: &[String; NFIELDS - 1], body: &[u8]) -> u128 {
    let mut h = KeyHasher::new();
    for text in head.iter().map(String::as_bytes).chain([body]) {
        h.add(&(text.len() as u64).to_le_bytes());
        h.add(text);
    }
    h.finish()
}

/// What an earlier build left: its vocabulary, and where each key's words
/// (their ids in that vocabulary) are in the file, read only when a
/// document asks for them ([`Cached::words`]), in parallel.
#[derive(Default)]
pub struct Cached {
    /// The vocabulary the words' ids refer to; a build starts from it (and
    /// may take it, the words still being read).
    pub vocab: Vocabulary,
    /// How many words it had.
    nwords: u64,
    /// The file's bytes.
    bytes: Vec<u8>,
    /// By each document's source key: its text key, and where its words are in `bytes`.
    by_source: FxHashMap<u128, (u128, Range<usize>)>,
    /// By each document's text key: where its words are in `bytes`.
    by_text: FxHashMap<u128, Range<usize>>,
}

impl Cached {
    /// The text key and the words of the document whose source key is
    /// `source`, if the file holds them whole.
    pub fn by_source(&self, source: u128) -> Option<(u128, DocWords)> {
        let (text, part) = self.by_source.get(&source)?;
        Some((*text, self.words(part.clone())?))
    }

    /// The words of the document whose text key is `text`, if the file holds them whole.
    pub fn by_text(&self, text: u128) -> Option<DocWords> {
        self.words(self.by_text.get(&text)?.clone())
    }

    /// The words at `part` of the file.
    fn words(&self, part: Range<usize>) -> Option<DocWords> {
        let part = self.bytes.get(part)?;
        let nwords = self.nwords;
        let mut r = Reader(part);
        let mut lengths = [0; NFIELDS];
        for l in &mut lengths {
            *l = u32::try_from(r.get()?).ok()?;
        }
        let n = r.count()?;
        let mut words = Vec::with_capacity(n);
        let mut w = 0u64;
        for _ in 0..n {
            w = w.checked_add(r.get()?)?;
            if w >= nwords {
                return None;
            }
            let bits = u32::try_from(r.get()?).ok()?;
            words.push((w as u32, Tf(bits.rotate_left(TF_BODY_SHIFT))));
        }
        r.0.is_empty().then_some(DocWords { lengths, words })
    }
}

/// The file's bytes for `docs` (each its keys and its words, ids in `vocab`):
/// [`HEADER`], the program's line, the hash of the rest, then the words.
/// Only the words some document uses are written, sorted, so that the same
/// documents give the same bytes whatever vocabulary they were counted in.
/// The bytes come in parts, to be written one after the other, each held once.
pub fn encode(vocab: &Vocabulary, docs: &[(Keys, &DocWords)]) -> Vec<Vec<u8>> {
    let mut used = vocab.in_use(docs.iter().map(|&(_, d)| d));
    used.par_sort_unstable_by(|&a, &b| vocab.words[a as usize].cmp(&vocab.words[b as usize]));
    let mut renumbered = vec![u32::MAX; vocab.words.len()];
    for (new, &old) in (0u32..).zip(&used) {
        renumbered[old as usize] = new;
    }

    let mut out = Vec::with_capacity(used.len() * 12 + docs.len() * 20);
    put(&mut out, used.len() as u64);
    for &w in &used {
        let word = vocab.words[w as usize].as_bytes();
        put(&mut out, word.len() as u64);
        out.extend_from_slice(word);
    }
    let parts: Vec<Vec<u8>> = docs
        .par_iter()
        .map(|(_, d)| {
            let mut words: Vec<(u32, Tf)> = d
                .words
                .iter()
                .map(|&(w, tf)| (renumbered[w as usize], tf))
                .collect();
            words.sort_unstable_by_key(|&(w, _)| w);
            let mut part = Vec::with_capacity(24 + words.len() * 3);
            for &l in &d.lengths {
                put(&mut part, u64::from(l));
            }
            put(&mut part, words.len() as u64);
            let mut last = 0;
            for (w, tf) in words {
                put(&mut part, u64::from(w - last));
                put(&mut part, u64::from(tf_bits(tf)));
                last = w;
            }
            part
        })
        .collect();
    // A table of keys and their parts' lengths, then the parts.
    put(&mut out, docs.len() as u64);
    for ((keys, _), part) in docs.iter().zip(&parts) {
        out.extend_from_slice(&keys.source.to_le_bytes());
        out.extend_from_slice(&keys.text.to_le_bytes());
        put(&mut out, part.len() as u64);
    }
    let mut hash = twox_hash::XxHash3_128::new();
    hash.write(&out);
    for part in &parts {
        hash.write(part);
    }
    let head = format!(
        "{HEADER}{}\n{:032x}\n",
        crate::output::program(),
        hash.finish_128()
    );
    [head.into_bytes(), out].into_iter().chain(parts).collect()
}

/// A [`Tf`]'s bits turned so that the body's count comes first: most words
/// of a document occur in its body alone, and their counts then take one byte.
fn tf_bits(tf: Tf) -> u32 {
    tf.0.rotate_right(TF_BODY_SHIFT)
}

/// Where the body's count starts in a [`Tf`] (it is the last field).
const TF_BODY_SHIFT: u32 = 32 - super::TF_BITS[NFIELDS - 1];

/// What [`encode`] wrote, if `bytes` are that and this program wrote them.
pub fn decode(bytes: Vec<u8>) -> Option<Cached> {
    let rest = bytes.strip_prefix(HEADER.as_bytes())?;
    let program = crate::output::program().as_bytes();
    let rest = rest.strip_prefix(program)?.strip_prefix(b"\n")?;
    // The hash of the rest: a file damaged anywhere is not read.
    let (check, rest) = rest.split_at_checked(33)?;
    let check = std::str::from_utf8(check.strip_suffix(b"\n")?).ok()?;
    if u128::from_str_radix(check, 16).ok()? != twox_hash::XxHash3_128::oneshot(rest) {
        return None;
    }
    let mut r = Reader(rest);
    let nwords = r.count()?;
    let mut vocab = Vocabulary::default();
    for _ in 0..nwords {
        let len = r.count()?;
        let word = std::str::from_utf8(r.take(len)?).ok()?;
        if vocab.ids.contains_key(word) {
            return None;
        }
        vocab.intern(word.to_string());
    }
    let ndocs = r.count()?;
    let mut table = Vec::with_capacity(ndocs);
    for _ in 0..ndocs {
        let source = u128::from_le_bytes(r.take(16)?.try_into().ok()?);
        let text = u128::from_le_bytes(r.take(16)?.try_into().ok()?);
        table.push((Keys { source, text }, r.count()?));
    }
    // The parts follow, each where the one before ends, and fill the rest.
    let mut at = bytes.len() - r.0.len();
    let mut by_source = FxHashMap::default();
    let mut by_text = FxHashMap::default();
    by_source.reserve(ndocs);
    by_text.reserve(ndocs);
    for (keys, len) in table {
        by_source.insert(keys.source, (keys.text, at..at + len));
        by_text.insert(keys.text, at..at + len);
        at += len;
    }
    (at == bytes.len()).then_some(Cached {
        nwords: vocab.words.len() as u64,
        vocab,
        bytes,
        by_source,
        by_text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(source: u128, text: u128) -> Keys {
        Keys { source, text }
    }

    fn words(vocab: &mut Vocabulary, list: &[(&str, [u32; NFIELDS])]) -> DocWords {
        DocWords {
            lengths: [1, 2, 3, 4, 500],
            words: list
                .iter()
                .map(|(w, tf)| (vocab.intern(w.to_string()), Tf::of(*tf)))
                .collect(),
        }
    }

    /// The words of a document as strings, sorted, to compare across vocabularies.
    fn spelled(vocab: &Vocabulary, d: &DocWords) -> Vec<(String, Tf)> {
        let mut out: Vec<(String, Tf)> = d
            .words
            .iter()
            .map(|&(w, tf)| (vocab.words[w as usize].clone(), tf))
            .collect();
        out.sort_by_key(|(w, tf)| (w.clone(), tf.0));
        out
    }

    #[test]
    fn what_is_encoded_decodes_to_the_same_words_and_unused_words_are_left_out() {
        let mut vocab = Vocabulary::default();
        vocab.intern("unused".into());
        let a = words(
            &mut vocab,
            &[("zebra", [1, 0, 0, 0, 3]), ("apple", [0, 0, 0, 0, 1023])],
        );
        let b = words(
            &mut vocab,
            &[("apple", [15, 31, 63, 127, 1023]), ("é", [0, 1, 0, 0, 0])],
        );
        let (ka, kb) = (keys(7, 70), keys(u128::MAX, 1));
        let bytes = encode(&vocab, &[(ka, &a), (kb, &b)]).concat();
        let cached = decode(bytes).expect("decodes");
        assert_eq!(cached.vocab.words, ["apple", "zebra", "é"]);
        let (text, a2) = cached.by_source(7).expect("a's words");
        assert_eq!(text, 70);
        assert_eq!(spelled(&cached.vocab, &a2), spelled(&vocab, &a));
        assert_eq!(a2.lengths, a.lengths);
        let b2 = cached.by_text(1).expect("b's words, by their text");
        assert_eq!(spelled(&cached.vocab, &b2), spelled(&vocab, &b));
        assert!(cached.by_source(8).is_none());
        assert!(
            cached.by_source(70).is_none(),
            "a text key is not a source key"
        );
        assert!(
            cached.by_text(7).is_none(),
            "a source key is not a text key"
        );
    }

    #[test]
    fn the_same_documents_give_the_same_bytes_whatever_their_vocabulary() {
        let mut one = Vocabulary::default();
        let a1 = words(&mut one, &[("b", [0, 0, 0, 0, 2]), ("a", [0, 0, 0, 0, 1])]);
        let mut two = Vocabulary::default();
        two.intern("old".into());
        let a2 = words(&mut two, &[("a", [0, 0, 0, 0, 1]), ("b", [0, 0, 0, 0, 2])]);
        assert_eq!(
            encode(&one, &[(keys(1, 2), &a1)]).concat(),
            encode(&two, &[(keys(1, 2), &a2)]).concat()
        );
    }

    #[test]
    fn damaged_or_foreign_bytes_are_ignored_without_panicking() {
        let mut vocab = Vocabulary::default();
        let a = words(
            &mut vocab,
            &[("word", [0, 0, 0, 0, 2]), ("other", [1, 0, 0, 0, 0])],
        );
        let bytes = encode(&vocab, &[(keys(3, 4), &a)]).concat();
        assert!(decode(bytes.clone()).and_then(|c| c.by_source(3)).is_some());
        // Every shorter file, and every single byte changed, either decodes
        // to something well formed or is refused: never a panic.
        for n in 0..bytes.len() {
            assert!(decode(bytes[..n].to_vec()).is_none(), "cut at {n}");
        }
        for i in 0..bytes.len() {
            for b in [0u8, 0x7f, 0x80, 0xff] {
                let mut damaged = bytes.clone();
                damaged[i] = b;
                if let Some(d) = decode(damaged).and_then(|c| {
                    let n = c.vocab.words.len();
                    c.by_source(3).map(|(_, d)| (d, n))
                }) {
                    assert!(d.0.words.iter().all(|&(w, _)| (w as usize) < d.1));
                }
            }
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(decode(longer).is_none());
        let other = String::from_utf8_lossy(&bytes).replace("program ", "program 0");
        assert!(decode(other.into_bytes()).is_none());
        assert!(decode(Vec::new()).is_none());
    }

    #[test]
    fn keys_tell_apart_texts_split_differently_between_fields() {
        let head = |a: &str, b: &str| [a.into(), b.into(), String::new(), String::new()];
        let source = |a: &str, b: &str, body: &str| source_key(&head(a, b), &Packed::pack(body));
        assert_eq!(source("ab", "c", "d"), source("ab", "c", "d"));
        assert_ne!(source("ab", "c", ""), source("a", "bc", ""));
        assert_ne!(source("ab", "", ""), source("a", "", "b"));
        assert_ne!(source("a", "", "<p>b</p>"), source("a", "", "<p>c</p>"));
        let text = |a: &str, b: &str, body: &str| text_key(&head(a, b), body);
        assert_eq!(text("ab", "c", "d"), text("ab", "c", "d"));
        assert_ne!(text("ab", "c", ""), text("a", "bc", ""));
        assert_ne!(text("ab", "", ""), text("a", "", "b"));
    }
}
