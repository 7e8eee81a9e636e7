//! What the search index says of each document beside its words: its entry
//! in the metadata chunks (title, path, sites, type, excerpt text) and the
//! facet values it has.

use std::collections::BTreeMap;

use serde_json::{json, Value as Json};
use tantivy::tokenizer::TextAnalyzer;

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

/// The words of a sentence that the index knows, each with its inverse
/// document frequency (`pages` gives each of the sorted `stems`' page
/// count, out of `docs`) and the byte where it starts.
pub(super) fn rarities(
    analyzer: &mut TextAnalyzer,
    sentence: &str,
    stems: &[String],
    pages: &[u32],
    docs: u64,
) -> super::passages::Rarities {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(sentence);
    while let Some(token) = stream.next() {
        if let Ok(i) = stems.binary_search_by(|s| s.as_str().cmp(&token.text)) {
            out.push((
                super::bm25::idf(u64::from(pages[i]), docs),
                token.offset_from,
            ));
        }
    }
    out
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
