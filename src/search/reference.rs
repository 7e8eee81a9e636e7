//! `hubgen search`: a real tantivy index of a target, cached on disk and
//! rebuilt when the content changes, queried with the same analyzer and field
//! weights as the static index.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions, Value,
};
use tantivy::{doc, Index, IndexReader, ReloadPolicy, TantivyDocument, Term};

use super::{analysis, field_texts, searched_docs, BOOSTS, FIELDS, NFIELDS};
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

/// A target's tantivy index, opened.
pub struct ReferenceIndex {
    reader: IndexReader,
    fields: [tantivy::schema::Field; NFIELDS],
    position: tantivy::schema::Field,
    docs: Vec<DocId>,
}

fn io_error(path: &Path, e: impl std::fmt::Display) -> Diagnostic {
    Diagnostic::error(
        "search-index",
        format!("search index at {}: {e}", path.display()),
    )
    .with_hint(format!("delete {CACHE_DIR}/ and run again"))
}

impl ReferenceIndex {
    /// Opens the cached index of `target`, building it first if it is missing or stale.
    pub fn open(site: &Site, target: &Target) -> Result<ReferenceIndex, Diagnostic> {
        let dir: PathBuf = site.config.root.join(CACHE_DIR).join(&target.name);
        let docs = searched_docs(site, target);
        let texts: Vec<[String; NFIELDS]> = docs.iter().map(|d| field_texts(site, d)).collect();
        let fingerprint = {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            (env!("CARGO_PKG_VERSION"), BOOSTS.map(f32::to_bits), &texts).hash(&mut h);
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
            index
                .tokenizers()
                .register(analysis::ANALYZER, analysis::analyzer());
            // One thread, one commit: documents keep their order.
            let mut writer = index
                .writer_with_num_threads(1, 200_000_000)
                .map_err(|e| io_error(&dir, e))?;
            for (pos, t) in texts.iter().enumerate() {
                let mut document = doc!(position => pos as u64);
                for (field, text) in fields.iter().zip(t) {
                    document.add_text(*field, text);
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
        index
            .tokenizers()
            .register(analysis::ANALYZER, analysis::analyzer());
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(|e| io_error(&dir, e))?;
        Ok(ReferenceIndex {
            reader,
            fields,
            position,
            docs: docs.iter().map(|d| d.id).collect(),
        })
    }

    /// The best `limit` documents for `query`, best first; ties go to the earlier document.
    pub fn search(
        &self,
        site: &Site,
        target: &Target,
        query: &str,
        limit: usize,
    ) -> Result<Vec<Hit>, Diagnostic> {
        let mut stems = analysis::stems(query);
        let mut seen = std::collections::HashSet::new();
        stems.retain(|s| seen.insert(s.clone()));
        if stems.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for stem in &stems {
            for (f, field) in self.fields.iter().enumerate() {
                let term = TermQuery::new(
                    Term::from_field_text(*field, stem),
                    IndexRecordOption::WithFreqs,
                );
                clauses.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(term), BOOSTS[f])),
                ));
            }
        }
        let query = BooleanQuery::new(clauses);
        let searcher = self.reader.searcher();
        let err =
            |e: tantivy::TantivyError| Diagnostic::error("search", format!("search failed: {e}"));
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
        Ok(hits)
    }
}
