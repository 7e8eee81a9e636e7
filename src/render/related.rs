//! Related content: the documents that share the most with a page (its
//! references and tags), found through an index of what each document
//! carries. A page records the keys it looked up (see [`super::Reads`]), so
//! the live preview knows whose related content an edit may change.

use std::collections::HashMap;

use crate::config::Target;
use crate::site::DocId;
use crate::site::{Document, Site};

/// How many neighbours on each side, in a shared tag's or reference's list of
/// documents, a page considers for its related content. Bounded, so that an
/// edit changes the related content of a bounded number of pages.
const RELATED_WINDOW: usize = 8;
/// How many related documents a page shows.
const RELATED_SHOWN: usize = 5;

/// What documents can share for related content.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RelatedKey {
    /// A document that reference fields name (a workstream).
    Ref(DocId),
    /// A tag, by its slug.
    Tag(String),
}

impl RelatedKey {
    /// How much sharing this key counts: a referenced document twice, a tag once.
    fn weight(&self) -> u32 {
        match self {
            RelatedKey::Ref(_) => 2,
            RelatedKey::Tag(_) => 1,
        }
    }
}

/// Documents (published by one target) by each key they carry, in id order.
pub type RelatedIndex = HashMap<RelatedKey, Vec<DocId>>;

/// What a document shares with others for related content.
pub fn related_keys(doc: &Document) -> Vec<RelatedKey> {
    let mut keys: Vec<RelatedKey> = doc
        .refs
        .iter()
        .flat_map(|(_, ids)| ids.iter().map(|&id| RelatedKey::Ref(id)))
        .collect();
    keys.extend(
        doc.meta
            .tags
            .iter()
            .map(|t| RelatedKey::Tag(crate::text::slugify(t))),
    );
    keys.sort();
    keys.dedup();
    keys
}

/// The related-content index of `target`.
pub fn related_index(site: &Site, target: &Target) -> RelatedIndex {
    let mut index: RelatedIndex = HashMap::new();
    for doc in site.docs_of(target) {
        for key in related_keys(doc) {
            index.entry(key).or_default().push(doc.id);
        }
    }
    index
}

/// Moves `id` in `index` from the keys it carried (`before`) to those it
/// carries now (`after`, empty when the target no longer publishes it).
pub fn reindex(index: &mut RelatedIndex, id: DocId, before: &[RelatedKey], after: &[RelatedKey]) {
    for key in before.iter().filter(|k| !after.contains(k)) {
        if let Some(list) = index.get_mut(key) {
            list.retain(|&d| d != id);
            if list.is_empty() {
                index.remove(key);
            }
        }
    }
    for key in after.iter().filter(|k| !before.contains(k)) {
        let list = index.entry(key.clone()).or_default();
        if let Err(at) = list.binary_search(&id) {
            list.insert(at, id);
        }
    }
}

/// The documents within [`RELATED_WINDOW`] places of `doc` in the lists of
/// its `keys` (see [`related_keys`]), with the weight of the key they share.
fn related_candidates(
    index: &RelatedIndex,
    doc: &Document,
    keys: &[RelatedKey],
) -> Vec<(DocId, u32)> {
    let window = RELATED_WINDOW;
    let mut out = Vec::new();
    for key in keys {
        let weight = key.weight();
        let Some(list) = index.get(key) else {
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
/// twice, each tag once), nearest first among equals, leaving out those the
/// page already lists (what it refers to, and what refers to it). Which they
/// are depends on the documents that carry `doc`'s keys: see [`related_keys`].
pub(super) fn related(index: &RelatedIndex, doc: &Document, keys: &[RelatedKey]) -> Vec<DocId> {
    let listed =
        |id: &DocId| doc.referrers.contains(id) || doc.refs.iter().any(|(_, ids)| ids.contains(id));
    let mut scores: HashMap<DocId, u32> = HashMap::new();
    for (id, weight) in related_candidates(index, doc, keys)
        .into_iter()
        .filter(|(id, _)| !listed(id))
    {
        *scores.entry(id).or_default() += weight;
    }
    let mut ranked: Vec<(DocId, u32)> = scores.into_iter().collect();
    ranked.sort_by(|a, b| {
        b.1.cmp(&a.1)
            .then(a.0.abs_diff(doc.id).cmp(&b.0.abs_diff(doc.id)))
            .then(a.0.cmp(&b.0))
    });
    ranked
        .into_iter()
        .take(RELATED_SHOWN)
        .map(|(id, _)| id)
        .collect()
}
