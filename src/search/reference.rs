//! `hubgen search`: a real tantivy index of a target, cached on disk and
//! rebuilt when the content changes, queried with the same analyzer and field
//! weights as the static index.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    BooleanQuery, BoostQuery, DisjunctionMaxQuery, FuzzyTermQuery, Occur, Query, TermQuery,
};
use tantivy::schema::{
    IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions, Value,
};
use tantivy::{doc, Index, IndexReader, ReloadPolicy, TantivyDocument, Term};

use super::{analysis, field_texts, fuzzy, searched_docs, BOOSTS, FIELDS, NFIELDS};
use crate::config::Target;
use crate::diagnostics::Diagnostic;
use crate::site::DocId;
use crate::site::Site;

/// Where `hubgen search` keeps its indexes, below the site root.
pub const CACHE_DIR: &str = ".hubgen-cache/search";

/// One result.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Hit {
    /// Position of the document in the target's index (the same as the static index's).
    pub position: u32,
    /// The document, in the site.
    #[serde(skip)]
    pub doc: DocId,
    /// Its title.
    pub title: String,
    /// Its address as linked from the target searched: a path there, or the
    /// absolute URL on the target that owns it.
    pub url: String,
    /// Its collection's title: the result's type, as `hubgen search` prints it.
    #[serde(rename = "type")]
    pub kind: String,
    /// The title of the site it links to: the target searched when that
    /// publishes it, else the one that owns it.
    pub site: String,
    /// Its BM25 score, higher first: what the browser's ranking is held to.
    pub score: f32,
}

/// How much a match of a word near a misspelt one counts, against an exact match.
pub const FUZZY: f32 = 0.5;

/// The analyzer of the field of surface words that typos are matched against.
const WORDS_ANALYZER: &str = "hubgen-words";

/// A target's tantivy index, opened.
pub struct ReferenceIndex {
    reader: IndexReader,
    fields: [tantivy::schema::Field; NFIELDS],
    position: tantivy::schema::Field,
    /// Every field's words, unstemmed: what typos are matched against.
    words: tantivy::schema::Field,
    docs: Vec<DocId>,
}

fn io_error(path: &Path, e: impl std::fmt::Display) -> Diagnostic {
    Diagnostic::error(
        "search-index",
        format!("search index at {}: {e}", path.display()),
    )
    .with_hint(format!("delete {CACHE_DIR}/ and run again"))
}

/// Registers the analyzers the index's fields name.
fn register(index: &Index) {
    index
        .tokenizers()
        .register(analysis::ANALYZER, analysis::analyzer());
    index
        .tokenizers()
        .register(WORDS_ANALYZER, analysis::surface_analyzer());
}

impl ReferenceIndex {
    /// Opens the cached index of `target`, building it first if it is missing or stale.
    pub fn open(site: &Site, target: &Target) -> Result<ReferenceIndex, Diagnostic> {
        let dir: PathBuf = site.config.root.join(CACHE_DIR).join(&target.name);
        let docs = searched_docs(site, target);
        let texts: Vec<[String; NFIELDS]> = docs.iter().map(|d| field_texts(site, d)).collect();
        let fingerprint = {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            (
                env!("CARGO_PKG_VERSION"),
                "words",
                BOOSTS.map(f32::to_bits),
                &texts,
            )
                .hash(&mut h);
            format!("{:016x}", h.finish())
        };
        let stamp = dir.join("fingerprint");

        let mut schema = Schema::builder();
        let text = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(analysis::ANALYZER)
                .set_index_option(IndexRecordOption::WithFreqs),
        );
        let fields = FIELDS.map(|name| schema.add_text_field(name, text.clone()));
        let position = schema.add_u64_field("position", NumericOptions::default().set_stored());
        let words = schema.add_text_field(
            "words",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(WORDS_ANALYZER)
                    .set_index_option(IndexRecordOption::Basic),
            ),
        );
        let schema = schema.build();

        let fresh = std::fs::read_to_string(&stamp).is_ok_and(|s| s == fingerprint);
        let index = if fresh {
            Index::open_in_dir(&dir).map_err(|e| io_error(&dir, e))?
        } else {
            if dir.exists() {
                std::fs::remove_dir_all(&dir).map_err(|e| io_error(&dir, e))?;
            }
            std::fs::create_dir_all(&dir).map_err(|e| io_error(&dir, e))?;
            let index =
                Index::create_in_dir(&dir, schema.clone()).map_err(|e| io_error(&dir, e))?;
            register(&index);
            // One thread, one commit: documents keep their order.
            let mut writer = index
                .writer_with_num_threads(1, 200_000_000)
                .map_err(|e| io_error(&dir, e))?;
            for (pos, t) in texts.iter().enumerate() {
                let mut document = doc!(position => pos as u64);
                for (field, text) in fields.iter().zip(t) {
                    document.add_text(*field, text);
                    document.add_text(words, text);
                }
                writer
                    .add_document(document)
                    .map_err(|e| io_error(&dir, e))?;
            }
            writer.commit().map_err(|e| io_error(&dir, e))?;
            writer
                .wait_merging_threads()
                .map_err(|e| io_error(&dir, e))?;
            std::fs::write(&stamp, &fingerprint).map_err(|e| io_error(&dir, e))?;
            index
        };
        register(&index);
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(|e| io_error(&dir, e))?;
        Ok(ReferenceIndex {
            reader,
            fields,
            position,
            words,
            docs: docs.iter().map(|d| d.id).collect(),
        })
    }

    /// The best `limit` documents for `query`, best first; ties go to the earlier
    /// document. With `typos`, a word of five letters or more that no page
    /// has is matched against the words within one edit of it (two from nine
    /// letters), found by tantivy's `FuzzyTermQuery` automaton; their matches
    /// count [`FUZZY`] of an exact match's.
    pub fn search(
        &self,
        site: &Site,
        target: &Target,
        query: &str,
        limit: usize,
        typos: bool,
    ) -> Result<Results, Diagnostic> {
        let err =
            |e: tantivy::TantivyError| Diagnostic::error("search", format!("search failed: {e}"));
        let searcher = self.reader.searcher();
        let mut words = Vec::new();
        analysis::for_each_word(&mut analysis::surface_analyzer(), query, |w| {
            if !words.iter().any(|x: &String| x == w) {
                words.push(w.to_string());
            }
        });
        let mut stemmer = analysis::WordStemmer::default();
        let mut seen = std::collections::HashSet::new();
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut shown = Vec::new();
        let mut corrected = false;
        for word in &words {
            let stem = stemmer.stem(word);
            let known = self
                .fields
                .iter()
                .map(|f| searcher.doc_freq(&Term::from_field_text(*f, &stem)))
                .try_fold(0, |n, df| df.map(|d| n + d))
                .map_err(err)?
                > 0;
            let distance = fuzzy::max_distance(word.chars().count());
            if known || !typos || distance == 0 {
                if seen.insert(stem.clone()) {
                    clauses.push((Occur::Should, self.stem_query(&stem)));
                }
                shown.push(word.clone());
                continue;
            }
            let near = self.near_words(&searcher, word, distance).map_err(err)?;
            let near = self
                .nearest(&searcher, &mut stemmer, word, near)
                .map_err(err)?;
            let mut stems: Vec<String> = near.iter().map(|w| stemmer.stem(w)).collect();
            stems.sort();
            stems.dedup();
            let best = near.first().cloned();
            shown.push(best.clone().unwrap_or_else(|| word.clone()));
            corrected |= best.is_some();
            let per_stem: Vec<Box<dyn Query>> = stems.iter().map(|s| self.stem_query(s)).collect();
            clauses.push((
                Occur::Should,
                Box::new(BoostQuery::new(
                    Box::new(DisjunctionMaxQuery::new(per_stem)),
                    FUZZY,
                )),
            ));
        }
        if clauses.is_empty() || limit == 0 {
            return Ok(Results::default());
        }
        let query = BooleanQuery::new(clauses);
        // Collect past the limit so that ties at the cut are broken by position, not by chance.
        let top = searcher
            .search(
                &query,
                &TopDocs::with_limit(limit * 2 + 10).order_by_score(),
            )
            .map_err(err)?;
        let mut hits = Vec::with_capacity(top.len());
        for (score, address) in top {
            let stored: TantivyDocument = searcher.doc(address).map_err(err)?;
            let position = stored
                .get_first(self.position)
                .and_then(|v| v.as_u64())
                .unwrap_or(0) as u32;
            let doc = &site.docs[self.docs[position as usize]];
            hits.push(Hit {
                position,
                doc: doc.id,
                title: doc.meta.title.clone(),
                url: site.url_from(doc, target).unwrap_or_default(),
                kind: site.collection_of(doc).title.clone(),
                site: super::home_of(site, doc, target).title.clone(),
                score,
            });
        }
        hits.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then(a.position.cmp(&b.position))
        });
        hits.truncate(limit);
        Ok(Results {
            hits,
            corrected: corrected.then(|| shown.join(" ")),
        })
    }

    /// The [`fuzzy::MAX_NEAR`] words of `near` that stand for `word`, the
    /// correction shown first: the nearest, then those on most pages, then
    /// alphabetically (as `search.js` orders them).
    fn nearest(
        &self,
        searcher: &tantivy::Searcher,
        stemmer: &mut analysis::WordStemmer,
        word: &str,
        near: Vec<String>,
    ) -> tantivy::Result<Vec<String>> {
        let mut keyed = Vec::with_capacity(near.len());
        for w in near {
            let pages = searcher.search(self.stem_query(&stemmer.stem(&w)).as_ref(), &Count)?;
            keyed.push((strsim::osa_distance(word, &w), std::cmp::Reverse(pages), w));
        }
        keyed.sort();
        keyed.truncate(fuzzy::MAX_NEAR);
        Ok(keyed.into_iter().map(|k| k.2).collect())
    }

    /// A stem in every field, each with its weight: BM25 summed over the fields.
    fn stem_query(&self, stem: &str) -> Box<dyn Query> {
        let clauses: Vec<(Occur, Box<dyn Query>)> = self
            .fields
            .iter()
            .enumerate()
            .map(|(f, field)| {
                let term = TermQuery::new(
                    Term::from_field_text(*field, stem),
                    IndexRecordOption::WithFreqs,
                );
                let boosted: Box<dyn Query> = Box::new(BoostQuery::new(Box::new(term), BOOSTS[f]));
                (Occur::Should, boosted)
            })
            .collect();
        Box::new(BooleanQuery::new(clauses))
    }

    /// The words of the pages within `distance` edits of `word` (a swap of
    /// two letters is one edit), from tantivy's fuzzy automaton over the
    /// dictionary of surface words.
    fn near_words(
        &self,
        searcher: &tantivy::Searcher,
        word: &str,
        distance: u8,
    ) -> tantivy::Result<Vec<String>> {
        let fuzzy = FuzzyTermQuery::new(Term::from_field_text(self.words, word), distance, true);
        let mut out = std::collections::BTreeSet::new();
        for segment in searcher.segment_readers() {
            let index = segment.inverted_index(self.words)?;
            let mut stream = index.terms().search(fuzzy.automaton()?).into_stream()?;
            while stream.advance() {
                out.insert(String::from_utf8_lossy(stream.key()).into_owned());
            }
        }
        out.remove(word);
        Ok(out.into_iter().collect())
    }
}

/// What a search found.
#[derive(Debug, Default)]
pub struct Results {
    /// The best documents, best first.
    pub hits: Vec<Hit>,
    /// When words were taken for near ones: the query as searched
    /// ("procurement" for "procuremnt").
    pub corrected: Option<String>,
}
