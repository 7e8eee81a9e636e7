//! The list item: a document as every list, and every page that shows it, sees it.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::{Serialize, Serializer};
#[cfg(test)]
use serde_json::Value as Json;

use crate::config::Target;
use crate::schema::Value;
use crate::site::DocId;
use crate::site::{Document, Site};
use crate::text::Date;

/// A document as lists show it, with URLs as seen from the target being built.
// Made once per document and target, never changed, and owned: the live
// preview keeps them between edits while the documents they came from are
// replaced. Serialised as its fields (see `Shown`), but for a page's key,
// which takes in the hash of them, worked out once (see `Serialize` below).
#[derive(Clone, Debug, PartialEq)]
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
    /// The hash of the fields above as a page's key takes them in.
    #[cfg_attr(test, schemars(skip))]
    digest: Digest,
}

/// What a template sees of a [`ListItem`]: every field but its digest.
#[derive(Serialize)]
#[serde(remote = "ListItem")]
struct Shown {
    id: DocId,
    title: String,
    summary: String,
    description: Option<String>,
    date: Option<Date>,
    updated: Option<Date>,
    weight: i64,
    draft: bool,
    future: bool,
    slug: String,
    collection: String,
    collection_title: String,
    url: Option<String>,
    permalink: Option<String>,
    external: bool,
    tags: Vec<TagLink>,
    terms: BTreeMap<String, Vec<TermLink>>,
    fields: BTreeMap<String, FieldValue>,
}

/// A [`ListItem`]'s fields, to serialise whole.
struct Whole<'a>(&'a ListItem);

impl Serialize for Whole<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        Shown::serialize(self.0, s)
    }
}

impl Serialize for ListItem {
    /// Its fields; but where a page's key is made (the one serialiser that
    /// is not human-readable, see [`crate::render::key`]), the hash of them:
    /// an item is shown on many pages, and hashed once.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            return Shown::serialize(self, s);
        }
        match self
            .digest
            .0
            .get_or_init(|| crate::render::key::digest(&Whole(self)))
        {
            Some(digest) => s.serialize_newtype_struct("ListItem", digest),
            // The page has no key, and is rendered.
            None => Err(serde::ser::Error::custom(
                "a list item that cannot be hashed",
            )),
        }
    }
}

/// The hash of a [`ListItem`]'s fields, worked out the first time a page's
/// key needs it (none if they cannot be hashed). Items are equal when their
/// fields are, whether or not it was worked out yet.
#[derive(Clone, Debug, Default)]
struct Digest(OnceLock<Option<u128>>);

impl PartialEq for Digest {
    fn eq(&self, _: &Digest) -> bool {
        true
    }
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
            digest: Digest::default(),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn item(title: &str) -> ListItem {
        ListItem {
            id: 1,
            title: title.into(),
            summary: "What it is.".into(),
            description: None,
            date: None,
            updated: None,
            weight: 0,
            draft: false,
            future: false,
            slug: "s".into(),
            collection: "guides".into(),
            collection_title: "Guides".into(),
            url: Some("/guides/s/".into()),
            permalink: None,
            external: false,
            tags: vec![],
            terms: BTreeMap::new(),
            fields: BTreeMap::new(),
            digest: Digest::default(),
        }
    }

    #[test]
    fn templates_see_an_items_fields_and_page_keys_the_hash_of_them() {
        let one = item("One");
        let json = serde_json::to_value(&one).unwrap();
        assert_eq!(json["title"], "One");
        assert_eq!(json["url"], "/guides/s/");
        assert!(json.get("digest").is_none(), "{json}");
        let key = |i: &ListItem| crate::render::key::page_key(1, "list.html", &vec![i]).unwrap();
        let first = key(&one);
        // Worked out once, then the same; and the same for an equal item.
        assert_eq!(key(&one), first);
        assert_eq!(key(&item("One")), first);
        assert_eq!(one, item("One"));
        // Any field that differs shows.
        assert_ne!(key(&item("Two")), first);
        let mut other = item("One");
        other.url = None;
        assert_ne!(key(&other), first);
        let mut other = item("One");
        other.tags.push(TagLink {
            name: "Data".into(),
            url: None,
        });
        assert_ne!(key(&other), first);
    }
}
