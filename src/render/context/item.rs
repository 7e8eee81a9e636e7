//! The list item: a document as every list, and every page that shows it, sees it.

use std::collections::BTreeMap;

use serde::Serialize;
#[cfg(test)]
use serde_json::Value as Json;

use crate::config::Target;
use crate::schema::Value;
use crate::site::DocId;
use crate::site::{Document, Site};
use crate::text::Date;

/// A document as lists show it, with URLs as seen from the target being built.
// Made once per document and target, and owned: the live preview keeps them
// between edits while the documents they came from are replaced.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct ListItem {
    /// The document's number in this build (its place in the sorted list of content files).
    pub id: DocId,
    /// Its title.
    pub title: String,
    /// The front matter's summary, or the start of the first paragraph.
    pub summary: String,
    /// The front matter's summary only, if it has one.
    pub description: Option<String>,
    /// The front matter's `date` (`YYYY-MM-DD`); `date_long` formats it.
    #[cfg_attr(test, schemars(with = "Option<String>"))]
    pub date: Option<Date>,
    /// The front matter's `updated` (`YYYY-MM-DD`).
    #[cfg_attr(test, schemars(with = "Option<String>"))]
    pub updated: Option<Date>,
    /// The front matter's `weight` (0 unless set).
    pub weight: i64,
    /// Whether it is a draft (shown only in builds with drafts).
    pub draft: bool,
    /// Whether its `date` is after the day of the build (shown only in
    /// builds with `--future` or drafts, such as the preview).
    pub future: bool,
    /// The last part of its URL, from its file name.
    pub slug: String,
    /// Its collection's name (`guides`).
    pub collection: String,
    /// Its collection's title (`Guides and toolkits`).
    pub collection_title: String,
    /// Where to link to it: a path on this site, or its absolute URL on the
    /// target that publishes it.
    pub url: Option<String>,
    /// Its canonical, absolute URL, on the first target that publishes it.
    pub permalink: Option<String>,
    /// Whether it lives on another target (`url` then points there).
    pub external: bool,
    /// Its tags, each linked to its term page when this target has a taxonomy of `tags`.
    pub tags: Vec<TagLink>,
    /// By taxonomy name (other than the one of tags): the terms it carries,
    /// for each taxonomy this target has (`terms.region`).
    pub terms: BTreeMap<String, Vec<TermLink>>,
    /// The collection's own front-matter fields that are set, by name.
    pub fields: BTreeMap<String, FieldValue>,
}

/// A tag of a document.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct TagLink {
    /// The tag as written.
    pub name: String,
    /// Its term page, if this target lists tags.
    pub url: Option<String>,
}

/// A term a document carries, in a taxonomy of this target.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct TermLink {
    /// The term as written.
    pub name: String,
    /// Its term page.
    pub url: String,
}

/// The value of a front-matter field: a reference field's documents, or the value as written.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(untagged)]
pub enum FieldValue {
    /// A `reference` or `references` field: the documents it names.
    References(Vec<RefLink>),
    /// Any other field: a string, a date (`YYYY-MM-DD`), a boolean, an integer or a list of strings.
    Value(#[cfg_attr(test, schemars(with = "Json"))] Value),
}

/// A document a reference field names.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct RefLink {
    /// Its title.
    pub title: String,
    /// The last part of its URL.
    pub slug: String,
    /// Where to link to it, as a list item's `url`.
    pub url: Option<String>,
}

impl ListItem {
    /// Document `doc` as `target` lists it.
    pub fn new(site: &Site, target: &Target, doc: &Document) -> ListItem {
        let coll = site.collection_of(doc);
        let base_path = target.base_path();
        let tags_tax = site
            .config
            .taxonomies
            .iter()
            .find(|t| t.field == "tags" && target.taxonomies.contains(&t.name));
        let tags = doc
            .meta
            .tags
            .iter()
            .map(|t| TagLink {
                name: t.clone(),
                url: tags_tax
                    .map(|tax| format!("{base_path}{}/{}/", tax.name, crate::text::slugify(t))),
            })
            .collect();
        let fields = doc
            .meta
            .fields
            .iter()
            .map(|(name, value)| {
                let is_ref = coll.field(name).is_some_and(|f| f.collection.is_some());
                let v = if is_ref {
                    // References show as their documents' titles and URLs.
                    let ids = doc
                        .refs
                        .iter()
                        .find(|(f, _)| f == name)
                        .map(|(_, ids)| ids.as_slice())
                        .unwrap_or_default();
                    FieldValue::References(
                        ids.iter()
                            .map(|&id| {
                                let d = &site.docs[id];
                                RefLink {
                                    title: d.meta.title.clone(),
                                    slug: d.slug.clone(),
                                    url: site.url_from(d, target),
                                }
                            })
                            .collect(),
                    )
                } else {
                    FieldValue::Value(value.clone())
                };
                (name.clone(), v)
            })
            .collect();
        ListItem {
            id: doc.id,
            title: doc.meta.title.clone(),
            summary: doc.summary.clone(),
            description: doc.meta.summary.clone(),
            date: doc.meta.date,
            updated: doc.meta.updated,
            weight: doc.meta.weight,
            draft: doc.meta.draft,
            future: doc.meta.date.is_some_and(|d| d > site.today),
            slug: doc.slug.clone(),
            collection: coll.name.clone(),
            collection_title: coll.title.clone(),
            url: site.url_from(doc, target),
            permalink: site.permalink(doc),
            external: !site.publishes(target, doc),
            tags,
            terms: item_terms(site, target, doc),
            fields,
        }
    }
}

/// The terms `doc` carries in each of `target`'s taxonomies other than tags.
fn item_terms(site: &Site, target: &Target, doc: &Document) -> BTreeMap<String, Vec<TermLink>> {
    let base_path = target.base_path();
    site.config
        .taxonomies
        .iter()
        .filter(|t| t.field != "tags" && target.taxonomies.contains(&t.name))
        .filter_map(|t| {
            let values: Vec<&str> = match doc.meta.get(&t.field)? {
                Value::String(s) => vec![s.as_str()],
                Value::List(l) => l.iter().map(String::as_str).collect(),
                _ => return None,
            };
            let links = values
                .iter()
                .map(|v| TermLink {
                    name: v.to_string(),
                    url: format!("{base_path}{}/{}/", t.name, crate::text::slugify(v)),
                })
                .collect();
            Some((t.name.clone(), links))
        })
        .collect()
}
