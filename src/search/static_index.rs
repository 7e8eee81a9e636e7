//! The static search index that `search.js` reads, written into a target's
//! `search/` folder.
//!
//! ```text
//! search/manifest.json   what the browser loads first: shard boundaries, counts, facets,
//!                        the sites and which one this is
//! search/s/N.json        shard N: the surface words and stems in one range of the sorted
//!                        term space, with postings (document, BM25 score) for each stem:
//!                        a long list's best postings only, with its page count and
//!                        its other blocks' files and best scores
//!                        (see [`postings`](super::postings))
//! search/t/N.json        the second blocks of long postings lists, neighbouring stems
//! search/r/N.json        together; and the rest of them
//! search/m/N.json        documents N×CHUNK … N×CHUNK+CHUNK-1: title, path, the sites
//!                        that publish it, type, excerpt text
//! search/facets.json     for each facet value, the documents that have it
//! search/f/N.json        the typo index: vocabulary words by their first and last
//!                        two letters (see [`fuzzy`](super::fuzzy))
//! ```
//!
//! Numbers in postings are written as variable-length base-64 strings (five
//! bits a character, the sixth says another follows), document ids as gaps,
//! scores as one character each (see [`postings`](super::postings)).
//! A query downloads the manifest, the shard of each word, a list's next
//! block only when its pages could still reach the results shown, and the metadata chunks of
//! the results it shows: never the whole index.
//!
//! Only the manifest and the facets depend on the target (its base path, its
//! taxonomies); targets that search the same documents share every other
//! file, written once and linked ([`SharedFiles`]).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde_json::{json, Value as Json};

use super::emit::Emit;
use super::entries::{facets, facets_json, meta, Rarity};
use super::postings::{self, BlockFiles, Encoded};
use super::{analyze, words_cache, Analyzed};
use crate::config::Target;
use crate::output::Sink;
use crate::output::WORDS;
use crate::site::Site;
use crate::site::{DocId, Document};

/// Documents per metadata file.
pub const CHUNK: usize = 22;
/// Shards aim at this many bytes, or more so that there are at most `MAX_SHARDS`.
const MIN_SHARD_BYTES: usize = 12 * 1024;
const MAX_SHARDS: usize = 350;
/// Files of second blocks of long postings lists (see
/// [`postings`](super::postings)) aim at this many bytes; those of the rest, at
/// `REST_BYTES`, fetched seldom.
const MID_BYTES: usize = 24 * 1024;
const REST_BYTES: usize = 72 * 1024;

/// The digits of the index's base-64, by value.
pub const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Appends `n` in the index's variable-length base-64.
pub fn push_number(out: &mut String, mut n: u32) {
    while n >= 32 {
        out.push(ALPHABET[(32 | (n & 31)) as usize] as char);
        n >>= 5;
    }
    out.push(ALPHABET[n as usize] as char);
}

/// Reads numbers written by [`push_number`].
pub fn read_numbers(s: &str) -> Vec<u32> {
    let mut out = Vec::new();
    let (mut n, mut shift) = (0u32, 0);
    for c in s.bytes() {
        let v = ALPHABET.iter().position(|&a| a == c).unwrap_or(0) as u32;
        n |= (v & 31) << shift;
        if v & 32 != 0 {
            shift += 5;
        } else {
            out.push(n);
            n = 0;
            shift = 0;
        }
    }
    out
}

/// What was written, for the build's report and the benchmarks.
#[derive(Debug, Default, Clone, Copy)]
pub struct IndexStats {
    /// How many files it is split into: the manifest, the facets, the term
    /// shards and the results' metadata.
    pub files: usize,
    /// Their total size, in bytes.
    pub bytes: usize,
    /// How many distinct terms (stems) it indexes.
    pub terms: usize,
}

/// Writes the search index of `target` into `out/search/`.
pub fn write(site: &Site, target: &Target, out: &dyn Sink) -> std::io::Result<IndexStats> {
    write_analyzed(site, target, analyze(site, target), out)
}

/// Writes the search index of each of `targets` into its sink, reading each
/// document once whatever the number of targets that search it: its words
/// are counted once, and targets that search the same documents (each site
/// searching both, the default) share one analysis, BM25 statistics and all.
/// Returns each target's figures and the time its index took: its share of
/// the reading, all of the analysis it needed, and its own files.
pub fn write_all(
    site: &Site,
    targets: &[(&Target, &dyn Sink)],
) -> std::io::Result<Vec<(IndexStats, Duration)>> {
    let start = Instant::now();
    let sets: Vec<Vec<&Document>> = targets
        .iter()
        .map(|(t, _)| super::searched_docs(site, t))
        .collect();
    // Every document some target searches, in site order, read once.
    let mut read: Vec<Option<usize>> = vec![None; site.docs.len()];
    for d in sets.iter().flatten() {
        read[d.id] = Some(0);
    }
    let union: Vec<&Document> = site
        .docs
        .iter()
        .map(AsRef::as_ref)
        .filter(|d: &&Document| read[d.id].is_some())
        .collect();
    for (i, d) in union.iter().enumerate() {
        read[d.id] = Some(i);
    }
    let (vocab, mut words, keys) = read_words(site, &union, targets);
    let mut keys = Some(keys);
    let reading = start.elapsed() / u32::try_from(targets.len().max(1)).unwrap_or(u32::MAX);

    let mut out = vec![(IndexStats::default(), Duration::ZERO); targets.len()];
    let mut done = vec![false; targets.len()];
    for i in 0..targets.len() {
        if done[i] {
            continue;
        }
        let t0 = Instant::now();
        let ids: Vec<DocId> = sets[i].iter().map(|d| d.id).collect();
        // The targets that search exactly these documents share this analysis.
        let group: Vec<usize> = (i..targets.len())
            .filter(|&j| !done[j] && sets[j].iter().map(|d| d.id).eq(ids.iter().copied()))
            .collect();
        for &j in &group {
            done[j] = true;
        }
        // The words kept for the next build, encoded (a third of their size
        // in memory) before the first analysis, and written while it is made.
        let kept = keys.take().map(|keys| {
            let keyed: Vec<(words_cache::Keys, &super::DocWords)> =
                keys.into_iter().zip(&words).collect();
            words_cache::encode(&vocab, &keyed)
        });
        let keep = || kept.map_or(Ok(()), |parts| keep_words(targets, &parts));
        let last = done.iter().all(|&d| d);
        let (kept, mut analyzed) = if last && ids.iter().copied().eq(union.iter().map(|d| d.id)) {
            // The last analysis, of every document read (in the same order):
            // it takes the words, and drops them as their postings are made.
            let words = std::mem::take(&mut words);
            rayon::join(keep, || super::index_words(ids, words, &vocab))
        } else {
            let at = |id: DocId| read[id].expect("every searched document was read");
            let refs: Vec<&super::DocWords> = ids.iter().map(|&id| &words[at(id)]).collect();
            let made = rayon::join(keep, || super::index_words(ids, refs, &vocab));
            if last {
                // Freed before the files are made.
                words = Vec::new();
            }
            made
        };
        kept?;
        // What making the postings used (and, after the last analysis, the
        // words) goes back to the system before the index files are made,
        // rather than the files adding to it.
        crate::output::release_free_memory();
        // The files every target of the group shares go out as they are
        // made: written into the first target's output, linked into the
        // others', and dropped, so that the index is never held whole.
        let sinks: Vec<&dyn Sink> = group.iter().map(|&j| targets[j].1).collect();
        let emit = Emit::new(&sinks);
        let shared = SharedFiles::build(site, &mut analyzed, &emit);
        let (shared_files, shared_bytes) = emit.finish()?;
        let analysis = t0.elapsed();
        for j in group {
            let t1 = Instant::now();
            let (target, sink) = targets[j];
            let own = shared.target_files(site, target, &analyzed);
            write_files(&own, sink)?;
            let stats = IndexStats {
                files: shared_files + own.len(),
                bytes: shared_bytes + own.iter().map(|(_, b)| b.len()).sum::<usize>(),
                terms: analyzed.stems.len(),
            };
            out[j] = (stats, reading + analysis + t1.elapsed());
        }
    }
    Ok(out)
}

/// Every document of `union` tokenized, but those whose words an earlier
/// build kept in one of the targets' outputs (see [`words_cache`]): the
/// vocabulary, each document's words, and each one's key.
fn read_words(
    site: &Site,
    union: &[&Document],
    targets: &[(&Target, &dyn Sink)],
) -> (
    super::Vocabulary,
    Vec<super::DocWords>,
    Vec<words_cache::Keys>,
) {
    let mut cached = targets
        .iter()
        .find_map(|(_, sink)| sink.read_own(WORDS))
        .and_then(words_cache::decode)
        .unwrap_or_default();
    let mut vocab = std::mem::take(&mut cached.vocab);
    let (words, keys) = super::tokenize_known(site, union, &mut vocab, &cached);
    (vocab, words, keys)
}

/// Keeps the words a build read (encoded as [`words_cache::encode`] does,
/// in `parts`) in the first target's output, for the next build.
fn keep_words(targets: &[(&Target, &dyn Sink)], parts: &[Vec<u8>]) -> std::io::Result<()> {
    match targets.first() {
        Some((_, sink)) => sink.write_own(WORDS, parts),
        None => Ok(()),
    }
}

/// Writes `files` into `out`, in parallel.
fn write_files(files: &[(String, String)], out: &dyn Sink) -> std::io::Result<()> {
    files
        .par_iter()
        .try_for_each(|(path, body)| out.write(path, body.as_bytes()))
}

/// Writes the index of documents already analysed.
pub fn write_analyzed(
    site: &Site,
    target: &Target,
    analyzed: Analyzed,
    out: &dyn Sink,
) -> std::io::Result<IndexStats> {
    let terms = analyzed.stems.len();
    let mut analyzed = analyzed;
    let sinks = [out];
    let emit = Emit::new(&sinks);
    let shared = SharedFiles::build(site, &mut analyzed, &emit);
    let (files, bytes) = emit.finish()?;
    let own = shared.target_files(site, target, &analyzed);
    write_files(&own, out)?;
    Ok(IndexStats {
        files: files + own.len(),
        bytes: bytes + own.iter().map(|(_, b)| b.len()).sum::<usize>(),
        terms,
    })
}

/// One entry of the sorted term space.
enum Key<'a> {
    Surface(&'a str, &'a str),
    Stem(&'a str, Encoded),
}

impl<'a> Key<'a> {
    fn key(&self) -> &'a str {
        match self {
            Key::Surface(k, _) | Key::Stem(k, _) => k,
        }
    }
    fn size(&self) -> usize {
        match self {
            Key::Surface(k, s) => k.len() + s.len() + 6,
            Key::Stem(k, p) => k.len() + p.shard_bytes() + 6,
        }
    }
}

/// What the files of an index that are the same whichever target publishes
/// it (term shards, postings blocks, metadata and the typo index) tell the
/// manifest. Targets that search the same documents write them once and link them.
pub struct SharedFiles {
    /// The first key of each term shard, as the manifest lists them.
    bounds: Vec<String>,
    /// The typo index's parameters, as the manifest gives them.
    fuzzy: u32,
}

impl SharedFiles {
    /// Shards, blocks, metadata chunks and typo index of documents analysed.
    /// Their postings are dropped once encoded (the rest of the index needs
    /// none), so that a large site never holds both in full.
    /// Each file goes to `out` as soon as it is made.
    fn build(site: &Site, a: &mut Analyzed, out: &Emit) -> Self {
        // How many pages each stem is on: how rare a word of an excerpt is.
        let pages: Vec<u32> = a
            .postings
            .iter()
            .map(|p| u32::try_from(p.len()).unwrap_or(u32::MAX))
            .collect();
        // The postings go first (encoded, each list dropped as it is), and
        // what they held back to the system, before the rest is made.
        let encoded = encode_postings(a);
        crate::output::release_free_memory();
        let a = &*a;
        // Parts that do not depend on each other run side by side: the typo
        // index while repeated passages are found, the shards (one thread's
        // work) while the metadata chunks are written.
        let ((typos, fuzzy), repeated) = rayon::join(
            || super::fuzzy::build_files(a, &pages),
            || {
                super::passages::repeated(
                    a.docs.par_iter().map(|&id| site.docs[id].excerpt.unpack()),
                )
            },
        );
        for (path, body) in typos {
            out.put(&path, &body);
        }
        let rarity = Rarity::new(&a.surfaces, &pages, a.docs.len() as u64);
        let (bounds, ()) = rayon::join(
            || push_shards(term_space(a, encoded), out),
            || {
                a.docs.par_chunks(CHUNK).enumerate().for_each(|(n, ids)| {
                    let mut rarities = |s: &str| rarity.of(s);
                    let metas = ids
                        .iter()
                        .map(|&id| meta(site, id, &repeated, &mut rarities))
                        .collect();
                    out.put(
                        &format!("search/m/{n}.json"),
                        &Json::Array(metas).to_string(),
                    );
                });
            },
        );
        SharedFiles { bounds, fuzzy }
    }

    /// The files that are `target`'s own: its facets (its taxonomies, its
    /// sites) and the manifest (its base path, which site it is).
    pub fn target_files(
        &self,
        site: &Site,
        target: &Target,
        a: &Analyzed,
    ) -> Vec<(String, String)> {
        let facets = facets(site, target, &a.docs);
        let facet_names: Vec<Json> = facets
            .iter()
            .map(|(name, title, _)| json!({"name": name, "title": title}))
            .collect();
        let sites: Vec<Json> = site
            .config
            .targets
            .iter()
            .map(|t| json!({"title": t.title, "url": t.base_url}))
            .collect();
        let me = site
            .config
            .targets
            .iter()
            .position(|t| t.name == target.name)
            .unwrap_or(0);
        let manifest = json!({
            "version": 3,
            "base": target.base_path(),
            "docs": a.docs.len(),
            "chunk": CHUNK,
            "shards": self.bounds,
            "fuzzy": self.fuzzy,
            "facets": facet_names,
            "sites": sites,
            "self": me,
        });
        vec![
            ("search/facets.json".into(), facets_json(&facets)),
            ("search/manifest.json".into(), manifest.to_string()),
        ]
    }
}

/// Postings, scored and encoded stem by stem, each stem's list dropped as
/// soon as it is encoded: the postings leave `a` (the rest of the index
/// needs none of them).
fn encode_postings(a: &mut Analyzed) -> Vec<Encoded> {
    let postings = std::mem::take(&mut a.postings);
    let a = &*a;
    postings
        .into_par_iter()
        .map(|p| postings::encode(&a.scores(&p)))
        .collect()
}

/// The sorted term space: surface words and stems together.
fn term_space(a: &Analyzed, encoded: Vec<Encoded>) -> Vec<Key<'_>> {
    let mut keys: Vec<Key> = Vec::with_capacity(a.surfaces.len() + a.stems.len());
    for (w, s) in &a.surfaces {
        let stem = a.stems[*s as usize].as_str();
        // A word that is its own stem is written with an empty stem.
        keys.push(Key::Surface(w, if stem == w { "" } else { stem }));
    }
    for (stem, p) in a.stems.iter().zip(encoded) {
        keys.push(Key::Stem(stem, p));
    }
    keys.sort_by(|x, y| x.key().cmp(y.key()));
    keys
}

/// Cuts the sorted `keys` into shards of about the same size and adds a file
/// for each to `files`; returns the first key of each shard (the first one
/// empty), as the manifest lists them. The later blocks of long postings
/// lists go to block files, tier by tier, in the same order.
fn push_shards(keys: Vec<Key>, files: &Emit) -> Vec<String> {
    let total: usize = keys.iter().map(Key::size).sum();
    let target_bytes = MIN_SHARD_BYTES.max(total / MAX_SHARDS + 1);

    let mut bounds: Vec<String> = Vec::new();
    let mut shard = Shard::default();
    let mut tiers = [
        BlockFiles::new("t", MID_BYTES),
        BlockFiles::new("r", REST_BYTES),
    ];
    // Each key's postings move into its shard or block file, so that they
    // are held once, not twice, until written.
    let mut previous: Option<&str> = None;
    for k in keys {
        let key = k.key();
        if previous.is_none() || (shard.bytes >= target_bytes && previous != Some(key)) {
            if previous.is_some() {
                shard.flush(files, bounds.len() - 1);
            }
            bounds.push(if previous.is_none() {
                String::new()
            } else {
                key.to_string()
            });
        }
        previous = Some(key);
        shard.bytes += k.size();
        match k {
            Key::Surface(w, s) => {
                shard.words.insert(w, Json::from(s));
            }
            Key::Stem(s, Encoded::Whole(p)) => {
                shard.postings.insert(s, Json::from(p));
            }
            Key::Stem(
                s,
                Encoded::Split {
                    head,
                    blocks,
                    count,
                },
            ) => {
                let mut entry = vec![Json::from(head), Json::from(count)];
                for (tier, (block, max)) in blocks.into_iter().enumerate() {
                    entry.push(Json::from(tiers[tier].add(s, block, files)));
                    entry.push(Json::from(max));
                }
                shard.postings.insert(s, Json::Array(entry));
            }
        }
    }
    if previous.is_some() {
        shard.flush(files, bounds.len() - 1);
    }
    for t in &mut tiers {
        t.flush(files);
    }
    bounds
}

/// A term shard being filled: surface words → stem, stem → postings.
#[derive(Default)]
struct Shard<'a> {
    words: BTreeMap<&'a str, Json>,
    postings: BTreeMap<&'a str, Json>,
    bytes: usize,
}

impl Shard<'_> {
    fn flush(&mut self, files: &Emit, n: usize) {
        let body = json!({"w": self.words, "p": self.postings}).to_string();
        files.put(&format!("search/s/{n}.json"), &body);
        *self = Shard::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// Files kept in memory, by path.
    #[derive(Default)]
    struct Files(Mutex<BTreeMap<String, Vec<u8>>>);

    impl Sink for Files {
        fn write(&self, rel: &str, bytes: &[u8]) -> std::io::Result<()> {
            self.0.lock().unwrap().insert(rel.into(), bytes.to_vec());
            Ok(())
        }
        fn copy(&self, _: &std::path::Path, _: &str) -> std::io::Result<()> {
            unreachable!("the search index copies no file")
        }
    }

    /// The repository's site, its first target searching only itself when `alone`.
    fn repo_site(alone: bool) -> Site {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut config =
            crate::config::Config::load(root).expect("the repository's site.toml loads");
        if alone {
            config.targets[0].search = vec![config.targets[0].name.clone()];
        }
        crate::load::load_all(config, false).0
    }

    #[test]
    fn reading_each_document_once_for_every_target_writes_what_each_target_alone_would() {
        for alone in [false, true] {
            let site = repo_site(alone);
            let sinks: Vec<Files> = site
                .config
                .targets
                .iter()
                .map(|_| Files::default())
                .collect();
            let pairs: Vec<(&Target, &dyn Sink)> = site
                .config
                .targets
                .iter()
                .zip(&sinks)
                .map(|(t, s)| (t, s as &dyn Sink))
                .collect();
            let stats = write_all(&site, &pairs).unwrap();
            for ((target, together), (stats, _)) in
                site.config.targets.iter().zip(&sinks).zip(stats)
            {
                let alone_files = Files::default();
                let expected = write(&site, target, &alone_files).unwrap();
                let (a, b) = (together.0.lock().unwrap(), alone_files.0.lock().unwrap());
                assert!(a.len() > 5, "{}: {} files", target.name, a.len());
                assert!(
                    *a == *b,
                    "{} (searching itself only: {alone}) differs",
                    target.name
                );
                assert_eq!((stats.files, stats.bytes), (expected.files, expected.bytes));
            }
            let manifests: Vec<Vec<u8>> = sinks
                .iter()
                .map(|s| s.0.lock().unwrap()["search/manifest.json"].clone())
                .collect();
            let docs = |m: &[u8]| serde_json::from_slice::<Json>(m).unwrap()["docs"].clone();
            assert_eq!(docs(&manifests[0]) == docs(&manifests[1]), !alone);
        }
    }

    #[test]
    fn numbers_round_trip() {
        let values = [0, 1, 31, 32, 33, 1023, 1024, 65_535, 1 << 20, u32::MAX];
        let mut s = String::new();
        for v in values {
            push_number(&mut s, v);
        }
        assert_eq!(read_numbers(&s), values);
        let mut one = String::new();
        push_number(&mut one, 5);
        assert_eq!(one, "F");
    }
}
