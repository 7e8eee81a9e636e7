//! Related content: the documents that share the most with a page (its
//! references and tags), found through an index of what each document
//! carries. The live preview uses the same index to work out whose related
//! content an edit may change.

use std::collections::HashMap;

use crate::config::Target;
use crate::markdown::DocId;
use crate::site::{Document, Site};

/// How many neighbours on each side, in a shared tag's or reference's list of
/// documents, a page considers for its related content. Bounded, so that an
/// edit changes the related content of a bounded number of pages.
pub const RELATED_WINDOW: usize = 8;
/// How many related documents a page shows.
const RELATED_SHOWN: usize = 5;

/// Documents (published by one target) by each key they carry, in id order.
pub type RelatedIndex = HashMap<String, Vec<DocId>>;

/// What a document shares with others for related content, with weights:
/// a referenced document (its workstream) counts twice, a tag once.
pub fn related_keys(doc: &Document) -> Vec<(String, u32)> {
    let mut keys: Vec<(String, u32)> = doc
        .refs
        .iter()
        .flat_map(|(_, ids)| ids.iter().map(|id| (format!("ref:{id}"), 2)))
        .collect();
    keys.extend(
        doc.meta
            .tags
            .iter()
            .map(|t| (format!("tag:{}", crate::text::slugify(t)), 1)),
    );
    keys.sort();
    keys.dedup();
    keys
}

/// The related-content index of `target`.
pub fn related_index(site: &Site, target: &Target) -> RelatedIndex {
    let mut index: RelatedIndex = HashMap::new();
    for doc in site.docs_of(target) {
        for (key, _) in related_keys(doc) {
            index.entry(key).or_default().push(doc.id);
        }
    }
    index
}

/// The documents within `window` places of `doc` in each of its keys' lists
/// ([`RELATED_WINDOW`] for related content).
pub fn related_candidates(
    index: &RelatedIndex,
    doc: &Document,
    window: usize,
) -> Vec<(DocId, u32)> {
    let mut out = Vec::new();
    for (key, weight) in related_keys(doc) {
        let Some(list) = index.get(&key) else {
            continue;
        };
        let pos = list.partition_point(|&d| d < doc.id);
        let from = pos.saturating_sub(window);
        let to = (pos + window + 1).min(list.len());
        out.extend(
            list[from..to]
                .iter()
                .filter(|&&d| d != doc.id)
                .map(|&d| (d, weight)),
        );
    }
    out
}

/// Up to five documents that share the most with `doc` (its workstream counts
/// twice, each tag once), nearest first among equals; and every document
/// weighed to find them, which is what the choice depends on.
pub(super) fn related(index: &RelatedIndex, doc: &Document) -> (Vec<DocId>, Vec<DocId>) {
    let mut scores: HashMap<DocId, u32> = HashMap::new();
    for (id, weight) in related_candidates(index, doc, RELATED_WINDOW) {
        *scores.entry(id).or_default() += weight;
    }
    let mut ranked: Vec<(DocId, u32)> = scores.into_iter().collect();
    ranked.sort_by(|a, b| {
        b.1.cmp(&a.1)
            .then(a.0.abs_diff(doc.id).cmp(&b.0.abs_diff(doc.id)))
            .then(a.0.cmp(&b.0))
    });
    let weighed = ranked.iter().map(|&(id, _)| id).collect();
    let shown = ranked
        .into_iter()
        .take(RELATED_SHOWN)
        .map(|(id, _)| id)
        .collect();
    (shown, weighed)
}
