//! Search: one analysis of a target's documents, read two ways.
//!
//! - [`static_index`] writes the sharded index that `search.js` reads in the
//!   browser, with each posting's BM25 score computed at build time.
//! - [`reference`](mod@reference) builds a real tantivy index of the same documents for
//!   `hubgen search`, the reference the browser's ranking is tested against.
//!
//! Both use the analyzer of [`analysis`] and the field weights below, and
//! [`bm25`] scores exactly as tantivy does, so the two rank alike.

pub mod analysis;
pub mod bm25;
mod emit;
mod entries;
pub mod fuzzy;
pub mod passages;
pub mod postings;
pub mod reference;
pub mod static_index;
pub mod words_cache;

use std::borrow::Borrow;

use rustc_hash::FxHashMap;

use rayon::prelude::*;

use crate::config::Target;
use crate::schema::Value;
use crate::site::DocId;
use crate::site::{Document, Site};
use bm25::FieldStats;
use words_cache::Keys;

/// How many fields a document is indexed under.
pub const NFIELDS: usize = 5;
/// The fields a document is indexed under, most important first: its title,
/// summary, headings, the text of the front-matter fields site.toml lets
/// search index, and the text of its body.
pub const FIELDS: [&str; NFIELDS] = ["title", "summary", "headings", "fields", "body"];
/// How much a match in each field counts: title above summary above headings
/// and front matter above body.
pub const BOOSTS: [f32; NFIELDS] = [3.0, 2.0, 1.5, 1.5, 1.0];

/// Bits of [`Tf`] per field: a title counts a word up to 15 times, a summary
/// 31, headings 63, front-matter fields 127 and the body 1,023.
const TF_BITS: [u32; NFIELDS] = [4, 5, 6, 7, 10];

/// How many times a word occurs in each field of one document, in 32 bits,
/// each field's count saturating at what its bits hold ([`TF_BITS`]). A large
/// site's analysis holds tens of millions of these; BM25, which saturates in
/// the term frequency, all but cannot tell a 1,023rd repetition from a 2,000th.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tf(u32);

impl Tf {
    /// Where field `f`'s bits start.
    fn shift(f: usize) -> u32 {
        TF_BITS[..f].iter().sum()
    }

    /// The largest count field `f` holds.
    fn max(f: usize) -> u32 {
        (1 << TF_BITS[f]) - 1
    }

    /// Counts per field, each saturated.
    pub fn of(counts: [u32; NFIELDS]) -> Tf {
        Tf((0..NFIELDS).fold(0, |bits, f| {
            bits | (counts[f].min(Tf::max(f)) << Tf::shift(f))
        }))
    }

    /// The count in field `f`.
    pub fn get(self, f: usize) -> u32 {
        (self.0 >> Tf::shift(f)) & Tf::max(f)
    }

    /// Both counts added, field by field, each saturated.
    #[must_use]
    pub fn plus(self, other: Tf) -> Tf {
        Tf::of(std::array::from_fn(|f| self.get(f) + other.get(f)))
    }
}

/// The text of each field of a document. A front-matter field's text is
/// repeated as many times as its search weight: each of its words counts that
/// many times (BM25F's weighted term frequency), in the browser as in tantivy.
pub fn field_texts(site: &Site, doc: &Document) -> [String; NFIELDS] {
    let [title, summary, headings, fields] = head_texts(site, doc);
    [title, summary, headings, fields, body_text(doc)]
}

/// Every field's text but the body's ([`field_texts`]): made from the front
/// matter and the headings, each quickly.
fn head_texts(site: &Site, doc: &Document) -> [String; NFIELDS - 1] {
    let headings: Vec<&str> = doc.body.toc.iter().map(|h| h.title.as_str()).collect();
    let mut fields = String::new();
    for f in &site.collection_of(doc).fields {
        let text = match doc.meta.get(&f.name) {
            _ if f.search_weight == 0 => continue,
            Some(Value::String(s)) => s.clone(),
            Some(Value::List(l)) => l.join("\n"),
            _ => continue,
        };
        for _ in 0..f.search_weight {
            fields.push_str(&text);
            fields.push('\n');
        }
    }
    [
        doc.meta.title.clone(),
        doc.summary.clone(),
        headings.join("\n"),
        fields,
    ]
}

/// The body's text ([`field_texts`]), from its HTML (unpacked).
fn body_text(doc: &Document) -> String {
    crate::markdown::html_text(&doc.body.html.unpack())
}

/// The documents the search of `target` covers: every document of the
/// targets it searches (site.toml's `search`), each once, in site order, but
/// those of collections kept out of search (`search = false`).
pub fn searched_docs<'a>(site: &'a Site, target: &'a Target) -> Vec<&'a Document> {
    let targets: Vec<&Target> = target
        .search
        .iter()
        .filter_map(|t| site.config.target(t))
        .collect();
    site.docs
        .iter()
        .map(AsRef::as_ref)
        .filter(|d| site.collection_of(d).search)
        .filter(|d| targets.iter().any(|t| site.publishes(t, d)))
        .collect()
}

/// The target a result of `target`'s search links to: `target` itself when it
/// publishes the document, else the target that owns it (its canonical site).
pub fn home_of<'a>(site: &'a Site, doc: &Document, target: &'a Target) -> &'a Target {
    if site.publishes(target, doc) {
        target
    } else {
        site.owner(doc).unwrap_or(target)
    }
}

/// A target's documents, analysed.
pub struct Analyzed {
    /// Index position → document id in the site.
    pub docs: Vec<DocId>,
    /// Per document, the length of each field in tokens.
    pub lengths: Vec<[u32; NFIELDS]>,
    /// Sorted stems; postings refer to them by index.
    pub stems: Vec<String>,
    /// Per stem: (document position, term frequency in each field), by position.
    pub postings: Vec<Vec<(u32, Tf)>>,
    /// Every surface word, sorted, with the index of its stem.
    pub surfaces: Vec<(String, u32)>,
    /// Per field, what BM25 needs to know of it over all the documents.
    pub stats: [FieldStats; NFIELDS],
}

impl Analyzed {
    /// One stem's postings (taken out of `postings`) with their summed,
    /// boosted BM25 scores.
    pub fn scores(&self, postings: &[(u32, Tf)]) -> Vec<(u32, f32)> {
        let df: [u64; NFIELDS] =
            std::array::from_fn(|f| postings.iter().filter(|(_, tf)| tf.get(f) > 0).count() as u64);
        postings
            .iter()
            .map(|&(d, tf)| {
                let len = self.lengths[d as usize];
                let score = (0..NFIELDS)
                    .filter(|&f| tf.get(f) > 0)
                    .map(|f| bm25::score(self.stats[f], df[f], BOOSTS[f], len[f], tf.get(f)))
                    .sum();
                (d, score)
            })
            .collect()
    }
}

/// Documents analysed at once; their words are interned while the next batch
/// is analysed, so that the site's vocabulary is held as strings only once.
const BATCH: usize = 128;

/// Surface words, each held once, by id.
#[derive(Default)]
pub struct Vocabulary {
    words: Vec<String>,
    ids: FxHashMap<String, u32>,
}

impl Vocabulary {
    /// The ids of the words some of `docs` use, in order.
    fn in_use<'a>(&self, docs: impl Iterator<Item = &'a DocWords>) -> Vec<u32> {
        let mut in_use = vec![false; self.words.len()];
        for d in docs {
            for &(w, _) in &d.words {
                in_use[w as usize] = true;
            }
        }
        (0..self.words.len() as u32)
            .filter(|&w| in_use[w as usize])
            .collect()
    }

    fn intern(&mut self, word: String) -> u32 {
        if let Some(&id) = self.ids.get(&word) {
            return id;
        }
        let id = self.words.len() as u32;
        self.words.push(word.clone());
        self.ids.insert(word, id);
        id
    }
}

/// One document's words: field lengths, and (word id, frequency in each field).
#[derive(Clone, Debug, Default)]
pub struct DocWords {
    /// The length of each field in tokens.
    pub lengths: [u32; NFIELDS],
    /// Each distinct word (its id in the [`Vocabulary`]), with how many times
    /// it occurs in each field.
    pub words: Vec<(u32, Tf)>,
}

/// Per document: its fields' lengths, and each word's count per field.
type DocCounts = ([u32; NFIELDS], FxHashMap<String, [u32; NFIELDS]>);

/// Tokenizes `docs` in parallel, interning their words into `vocab`.
pub fn tokenize(site: &Site, docs: &[&Document], vocab: &mut Vocabulary) -> Vec<DocWords> {
    tokenize_known(site, docs, vocab, &words_cache::Cached::default()).0
}

/// As [`tokenize`], but a document one of whose keys ([`Keys`]) is in
/// `known` takes the words found there (their ids in `vocab`, which holds
/// the vocabulary they were counted in) without being tokenized again.
/// Each document's keys too.
///
/// Interning is one thread's work (ids follow the documents' order, so the
/// index is the same on every run); it runs while the next batch is
/// tokenized, not between batches with the other core idle.
pub fn tokenize_known(
    site: &Site,
    docs: &[&Document],
    vocab: &mut Vocabulary,
    known: &words_cache::Cached,
) -> (Vec<DocWords>, Vec<Keys>) {
    let analyse = |batch: &[&Document]| -> Vec<(Keys, Result<DocWords, DocCounts>)> {
        batch
            .par_iter()
            .map_init(analysis::surface_analyzer, |analyzer, doc| {
                let head = head_texts(site, doc);
                let source = words_cache::source_key(&head, &doc.body.html);
                if let Some((text, words)) = known.by_source(source) {
                    return (Keys { source, text }, Ok(words));
                }
                let body = body_text(doc);
                let key = Keys {
                    source,
                    text: words_cache::text_key(&head, &body),
                };
                if let Some(words) = known.by_text(key.text) {
                    return (key, Ok(words));
                }
                let mut words: FxHashMap<String, [u32; NFIELDS]> = FxHashMap::default();
                let mut lengths = [0; NFIELDS];
                for (f, text) in head.iter().chain([&body]).enumerate() {
                    lengths[f] = analysis::for_each_word(analyzer, text, |w| {
                        if let Some(tf) = words.get_mut(w) {
                            tf[f] += 1;
                        } else {
                            let mut tf = [0; NFIELDS];
                            tf[f] = 1;
                            words.insert(w.to_string(), tf);
                        }
                    });
                }
                (key, Err((lengths, words)))
            })
            .collect()
    };
    let mut out = Vec::with_capacity(docs.len());
    let mut keys = Vec::with_capacity(docs.len());
    let mut batches = docs.chunks(BATCH);
    overlapped(
        || batches.next().map(analyse),
        |analysed| {
            for (key, read) in analysed {
                keys.push(key);
                out.push(match read {
                    Ok(known) => known,
                    Err((lengths, words)) => DocWords {
                        lengths,
                        words: words
                            .into_iter()
                            .map(|(w, tf)| (vocab.intern(w), Tf::of(tf)))
                            .collect(),
                    },
                });
            }
        },
    );
    (out, keys)
}

/// Hands each batch `next` makes to `take`, in order, while `next` makes
/// the one after: `take` is one thread's work (interning, adding to lists)
/// that would otherwise leave a core idle between batches.
fn overlapped<B: Send>(mut next: impl FnMut() -> Option<B> + Send, mut take: impl FnMut(B) + Send) {
    let mut pending = next();
    while let Some(batch) = pending {
        pending = rayon::join(|| take(batch), &mut next).1;
    }
}

/// Analyses every document the search of `target` covers.
pub fn analyze(site: &Site, target: &Target) -> Analyzed {
    let docs = searched_docs(site, target);
    let mut vocab = Vocabulary::default();
    let words = tokenize(site, &docs, &mut vocab);
    index_words(docs.iter().map(|d| d.id).collect(), words, &vocab)
}

/// Documents whose words are turned into postings at once: the words of those
/// done are dropped (when owned) as they go, so a large site never holds all
/// its words and all its postings at once (at most two batches' entries).
const POSTINGS_BATCH: usize = 2048;

/// Stems, postings and statistics from documents' words (`words[i]` belongs to
/// `docs[i]`), borrowed (the live preview keeps them across edits, a build
/// writes them for the next one meanwhile) or owned (dropped batch by batch
/// as their postings are made). Only the words some document uses take
/// part, so a vocabulary kept across edits, or read from an earlier build,
/// gives what a fresh one would.
pub fn index_words<W>(docs: Vec<DocId>, words: Vec<W>, vocab: &Vocabulary) -> Analyzed
where
    W: std::borrow::Borrow<DocWords> + Send,
{
    // The words in use, stemmed once each.
    let used = vocab.in_use(words.iter().map(Borrow::borrow));
    let stemmed: Vec<String> = used
        .par_iter()
        .map_init(analysis::WordStemmer::default, |s, &w| {
            s.stem(&vocab.words[w as usize])
        })
        .collect();
    let mut stems: Vec<String> = stemmed.clone();
    stems.par_sort_unstable();
    stems.dedup();
    let mut stem_of: Vec<u32> = vec![u32::MAX; vocab.words.len()];
    for (&w, s) in used.iter().zip(&stemmed) {
        stem_of[w as usize] = stems.binary_search(s).expect("every stem is listed") as u32;
    }
    drop(stemmed);
    let lengths: Vec<[u32; NFIELDS]> = words.iter().map(|d| d.borrow().lengths).collect();

    // Postings by stem, in document order, a batch of documents at a time,
    // each list allocated once at (at least) its length: the documents with
    // a word of its stem.
    let mut postings: Vec<Vec<(u32, Tf)>> = {
        let mut sizes = vec![0usize; stems.len()];
        for d in &words {
            for (w, _) in &d.borrow().words {
                sizes[stem_of[*w as usize] as usize] += 1;
            }
        }
        sizes.into_iter().map(Vec::with_capacity).collect()
    };
    // Each batch's entries are added to the lists (one thread's work) while
    // the next batch's are worked out.
    let mut words = words.into_iter();
    let next_batch = || -> Option<Vec<Vec<(u32, Tf)>>> {
        let batch: Vec<W> = words.by_ref().take(POSTINGS_BATCH).collect();
        (!batch.is_empty()).then(|| {
            batch
                .into_par_iter()
                .map(|doc| by_stem(&doc.borrow().words, &stem_of))
                .collect()
        })
    };
    let mut first = 0u32;
    overlapped(next_batch, |per_doc| {
        for (d, entries) in (first..).zip(per_doc) {
            for (s, tf) in entries {
                postings[s as usize].push((d, tf));
            }
        }
        first += POSTINGS_BATCH as u32;
    });

    let n = docs.len() as u64;
    let stats = std::array::from_fn(|f| FieldStats {
        docs: n,
        tokens: lengths.iter().map(|l| u64::from(l[f])).sum(),
    });
    let mut surfaces: Vec<(String, u32)> = used
        .iter()
        .map(|&w| (vocab.words[w as usize].clone(), stem_of[w as usize]))
        .collect();
    surfaces.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
    Analyzed {
        docs,
        lengths,
        stems,
        postings,
        surfaces,
        stats,
    }
}

/// A document's words as stems, with the frequencies of words sharing a stem added.
fn by_stem(words: &[(u32, Tf)], stem_of: &[u32]) -> Vec<(u32, Tf)> {
    let mut by_stem: Vec<(u32, Tf)> = words
        .iter()
        .map(|&(w, tf)| (stem_of[w as usize], tf))
        .collect();
    by_stem.sort_unstable_by_key(|(s, _)| *s);
    let mut merged: Vec<(u32, Tf)> = Vec::with_capacity(by_stem.len());
    for (s, tf) in by_stem {
        match merged.last_mut() {
            Some((last, acc)) if *last == s => *acc = acc.plus(tf),
            _ => merged.push((s, tf)),
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::{Tf, NFIELDS, TF_BITS};

    #[test]
    fn term_frequencies_pack_into_32_bits_and_saturate_field_by_field() {
        assert_eq!(TF_BITS.iter().sum::<u32>(), 32);
        let counts = [1, 2, 3, 4, 5];
        let tf = Tf::of(counts);
        assert_eq!((0..NFIELDS).map(|f| tf.get(f)).collect::<Vec<_>>(), counts);
        let full = Tf::of([u32::MAX; NFIELDS]);
        assert_eq!(
            (0..NFIELDS).map(|f| full.get(f)).collect::<Vec<_>>(),
            [15, 31, 63, 127, 1023]
        );
        let sum = Tf::of([10, 0, 0, 100, 1000]).plus(Tf::of([10, 1, 0, 100, 1000]));
        assert_eq!(
            (0..NFIELDS).map(|f| sum.get(f)).collect::<Vec<_>>(),
            [15, 1, 0, 127, 1023]
        );
        assert_eq!(Tf::of([0; NFIELDS]), Tf::default());
    }
}
