//! What the search index says of each document beside its words: its entry
//! in the metadata chunks (title, path, sites, type, excerpt text) and the
//! facet values it has.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;

use serde_json::{json, Value as Json};

use super::static_index::push_number;
use crate::config::{FieldType, Target};
use crate::schema::Value;
use crate::site::{DocId, Site};

/// `facets.json`: for each facet, each value with its documents' positions
/// written as gaps.
pub(super) fn facets_json(facets: &[Facet]) -> String {
    let facet_json: Vec<Json> = facets
        .iter()
        .map(|(name, _, values)| {
            let values: Vec<Json> = values
                .iter()
                .map(|(v, docs)| {
                    let mut s = String::new();
                    let mut prev = 0;
                    for &d in docs {
                        push_number(&mut s, d - prev);
                        prev = d;
                    }
                    json!([v, s])
                })
                .collect();
            json!({"name": name, "values": values})
        })
        .collect();
    json!({"facets": facet_json}).to_string()
}

/// A document's entry in the metadata chunks, the same for every target:
/// its path below the base of the sites that publish it, and `o`, those
/// sites by their positions in site.toml (the manifest's `sites`).
/// `search.js` links a page its own site publishes by that path, any other
/// by its canonical URL on the first site that publishes it (its owner),
/// and names that site.
pub(super) fn meta(
    site: &Site,
    id: DocId,
    repeated: &super::passages::Repeated,
    rarities: &mut dyn FnMut(&str) -> super::passages::Rarities,
) -> Json {
    let doc = &site.docs[id];
    let coll = site.collection_of(doc);
    let workstream: Vec<&str> = reference_titles(site, doc);
    let sites: Vec<usize> = site
        .config
        .targets
        .iter()
        .enumerate()
        .filter(|(_, t)| site.publishes(t, doc))
        .map(|(i, _)| i)
        .collect();
    json!({
        "t": doc.meta.title,
        "u": doc.url,
        "o": sites,
        "y": coll.title,
        "w": workstream.join(", "),
        "s": doc.summary,
        "x": super::passages::own_text(&doc.excerpt.unpack(), repeated, rarities),
    })
}

/// How rare each word of the index is: its inverse document frequency, by
/// its surface form (lower-cased, as the index keeps it). Excerpt sentences
/// are weighed by it without being analysed again.
pub(super) struct Rarity<'a>(FxHashMap<&'a str, f32>);

impl<'a> Rarity<'a> {
    /// From the index's surface words (each with its stem) and each stem's
    /// page count, out of `docs`.
    pub(super) fn new(surfaces: &'a [(String, u32)], pages: &[u32], docs: u64) -> Self {
        Rarity(
            surfaces
                .iter()
                .map(|(w, s)| {
                    let pages = u64::from(pages[*s as usize]);
                    (w.as_str(), super::bm25::idf(pages, docs))
                })
                .collect(),
        )
    }

    /// The words of `sentence` that the index knows, each with its rarity and
    /// the byte where it starts.
    pub(super) fn of(&self, sentence: &str) -> super::passages::Rarities {
        let mut out = Vec::new();
        let mut word = String::new();
        let mut start = None;
        for (i, c) in sentence
            .char_indices()
            .chain(std::iter::once((sentence.len(), ' ')))
        {
            let letter = if c.is_ascii() {
                c.is_ascii_alphanumeric()
            } else {
                c.is_alphanumeric()
            };
            if letter {
                start.get_or_insert(i);
                if c.is_ascii() {
                    word.push(c.to_ascii_lowercase());
                } else {
                    word.extend(c.to_lowercase());
                }
            } else if let Some(at) = start.take() {
                if let Some(&r) = self.0.get(word.as_str()) {
                    out.push((r, at));
                }
                word.clear();
            }
        }
        out
    }
}

/// Titles of the documents a document's reference fields name.
fn reference_titles<'a>(site: &'a Site, doc: &crate::site::Document) -> Vec<&'a str> {
    doc.refs
        .iter()
        .flat_map(|(_, ids)| ids.iter().map(|&i| site.docs[i].meta.title.as_str()))
        .collect()
}

/// A facet: its name, its title, and each value with its documents' positions.
pub(super) type Facet = (String, String, Vec<(String, Vec<u32>)>);

/// Facets: site, content type, each collection referred to, and the target's taxonomies;
/// for each, its values with the positions of the documents that have them.
pub(super) fn facets(site: &Site, target: &Target, docs: &[DocId]) -> Vec<Facet> {
    let mut out = Vec::new();
    let mut add = |name: String, title: String, value_of: &dyn Fn(DocId) -> Vec<String>| {
        let mut values: BTreeMap<String, Vec<u32>> = BTreeMap::new();
        for (pos, &id) in docs.iter().enumerate() {
            let mut vs = value_of(id);
            vs.sort();
            vs.dedup();
            for v in vs {
                values.entry(v).or_default().push(pos as u32);
            }
        }
        if !values.is_empty() {
            out.push((name, title, values.into_iter().collect()));
        }
    };
    if target.search.len() > 1 {
        add("site".into(), "Site".into(), &|id| {
            vec![super::home_of(site, &site.docs[id], target).title.clone()]
        });
    }
    add("type".into(), "Content type".into(), &|id| {
        vec![site.collection_of(&site.docs[id]).title.clone()]
    });
    // One facet per collection that pages refer to, whatever each collection
    // calls its field (a guide's `workstream`, a programme's `workstreams`):
    // readers filter by workstream, once.
    let mut referred: Vec<&str> = target
        .search
        .iter()
        .filter_map(|t| site.config.target(t))
        .flat_map(|t| &t.collections)
        .filter_map(|c| site.config.collection(c))
        .flat_map(|c| {
            c.fields
                .iter()
                .filter(|f| matches!(f.kind, FieldType::Reference | FieldType::References))
                .filter_map(|f| f.collection.as_deref())
        })
        .collect();
    referred.sort_unstable();
    referred.dedup();
    for name in referred {
        let Some(coll) = site.config.collection(name) else {
            continue;
        };
        add(name.to_string(), coll.title.clone(), &|id| {
            site.docs[id]
                .refs
                .iter()
                .flat_map(|(_, ids)| ids.iter())
                .filter(|&&i| site.collection_of(&site.docs[i]).name == name)
                .map(|&i| site.docs[i].meta.title.clone())
                .collect()
        });
    }
    for tax in site
        .config
        .taxonomies
        .iter()
        .filter(|t| target.taxonomies.contains(&t.name))
    {
        add(tax.name.clone(), tax.title.clone(), &|id| {
            let doc = &site.docs[id];
            if tax.field == "tags" {
                return doc.meta.tags.clone();
            }
            match doc.meta.get(&tax.field) {
                Some(Value::String(s)) => vec![s.clone()],
                Some(Value::List(l)) => l.clone(),
                _ => Vec::new(),
            }
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sentence_s_words_are_weighed_by_how_few_pages_have_them() {
        let surfaces: Vec<(String, u32)> = [("council", 0), ("councils", 0), ("duplication", 1)]
            .iter()
            .map(|&(w, s)| (w.to_string(), s))
            .collect();
        let rarity = Rarity::new(&surfaces, &[90, 1], 100);
        let words = rarity.of("Councils share «duplication»: Ünknown COUNCIL");
        let at: Vec<usize> = words.iter().map(|w| w.1).collect();
        assert_eq!(at, [0, 17, 41], "byte offsets: {words:?}");
        assert!(words[1].0 > words[0].0, "the word on one page is rarer");
        assert!(
            (words[0].0 - words[2].0).abs() < f32::EPSILON,
            "a stem's words are as rare as each other"
        );
        assert!(rarity.of("").is_empty());
    }
}
