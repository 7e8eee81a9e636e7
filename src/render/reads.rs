//! What each output file read of the site ([`Reads`], recorded as its context
//! is built), what an edit changed ([`Changed`], found by comparing the view
//! before the edit with the view after it), and whether the one touches the
//! other. The live preview re-renders exactly the files an edit touches.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::{Arc, PoisonError};

use crate::config::SortBy;
use crate::site::DocId;
use crate::site::Site;

use super::related::{related_keys, RelatedKey};
use super::{sort_ids, ListItem, TargetView, TermLists};

/// A list of documents in the order pages show them.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ListKey {
    /// A collection's published documents, in its `sort_by` order.
    Collection(String),
    /// The documents the target publishes that carry a taxonomy term (taxonomy,
    /// term slug), newest first.
    Term(String, String),
}

/// Which part of a list a page shows: the places `from..to`, and, when
/// `len` is set, how long the list is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    /// The first place shown, from 0.
    pub from: usize,
    /// The place after the last one shown; no place when equal to `from`.
    pub to: usize,
    /// Whether the page shows how long the list is (a count, a number of pages).
    pub len: bool,
}

impl Span {
    /// The places `from..to`.
    pub fn places(from: usize, to: usize) -> Span {
        Span {
            from,
            to,
            len: false,
        }
    }

    /// The length alone.
    pub fn len() -> Span {
        Span {
            from: 0,
            to: 0,
            len: true,
        }
    }

    /// Both spans' places (and everything between), and the length if either reads it.
    fn union(self, other: Span) -> Span {
        let (from, to) = match (self.from < self.to, other.from < other.to) {
            (true, true) => (self.from.min(other.from), self.to.max(other.to)),
            (true, false) => (self.from, self.to),
            (false, _) => (other.from, other.to),
        };
        Span {
            from,
            to,
            len: self.len || other.len,
        }
    }

    /// Whether a page that read `self` shows something of what `changed` covers.
    fn meets(self, changed: Span) -> bool {
        (self.len && changed.len) || (self.from < changed.to && changed.from < self.to)
    }

    /// The places where `old` and `new` differ, and whether their lengths do;
    /// `None` when they are the same.
    pub fn diff(old: &[DocId], new: &[DocId]) -> Option<Span> {
        let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
        if old.len() != new.len() {
            return Some(Span {
                from: prefix,
                to: old.len().max(new.len()),
                len: true,
            });
        }
        if prefix == old.len() {
            return None;
        }
        let suffix = old
            .iter()
            .rev()
            .zip(new.iter().rev())
            .take_while(|(a, b)| a == b)
            .count();
        Some(Span::places(prefix, old.len() - suffix))
    }
}

/// What rendering one output file read of the site: what it depends on,
/// besides the `site` value every page gets (see [`Changed::site`]).
///
/// Recorded as the page's context is built, so it holds what the context
/// holds, whether or not the template shows all of it; and the templates
/// as far as their text says (see `theme::template_uses`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reads {
    /// Documents whose page the file holds: its own, or a redirect's target.
    pub documents: BTreeSet<DocId>,
    /// Documents whose list item (title, URL, summary, dates, tags, fields)
    /// the file shows, including those its body links to.
    pub items: BTreeSet<DocId>,
    /// Lists the file shows part of, and which part.
    pub lists: BTreeMap<ListKey, Span>,
    /// Documents whose previous and next (in their collection's order) the file shows.
    pub neighbours: BTreeSet<DocId>,
    /// Related-content keys whose documents the file weighed.
    pub related: BTreeSet<RelatedKey>,
    /// Taxonomies whose set of terms the file lists.
    pub taxonomies: BTreeSet<String>,
    /// The file depends on every document's URL and dates (the feed, the sitemap).
    pub dates: bool,
    /// Templates rendered, by name: the job's own and every one it uses.
    pub templates: BTreeSet<String>,
}

impl Reads {
    /// Records that the file shows `span` of `list`.
    pub(super) fn list(&mut self, list: ListKey, span: Span) {
        let at = self.lists.entry(list).or_insert(span);
        *at = at.union(span);
    }

    /// Whether `changed` touches anything this file read.
    pub fn touched_by(&self, changed: &Changed) -> bool {
        changed.site
            || self.dates && changed.dates
            || self.documents.iter().any(|d| changed.documents.contains(d))
            || self.items.iter().any(|d| changed.items.contains(d))
            || self
                .neighbours
                .iter()
                .any(|d| changed.neighbours.contains(d))
            || self.related.iter().any(|k| changed.related.contains(k))
            || self
                .taxonomies
                .iter()
                .any(|t| changed.taxonomies.contains(t))
            || self.templates.iter().any(|t| changed.templates.contains(t))
            || self.lists.iter().any(|(list, span)| {
                changed
                    .lists
                    .get(list)
                    .is_some_and(|&changed| span.meets(changed))
            })
    }
}

/// Output file → what rendering it read.
pub type ReadsByFile = BTreeMap<String, Reads>;

/// What an edit changed, in the terms of [`Reads`].
#[derive(Debug, Default)]
pub struct Changed {
    /// Documents that are not what they were (their file, or who refers to them).
    pub documents: HashSet<DocId>,
    /// Documents whose list item differs.
    pub items: HashSet<DocId>,
    /// Lists that differ, and where.
    pub lists: HashMap<ListKey, Span>,
    /// Documents whose previous or next differs.
    pub neighbours: HashSet<DocId>,
    /// Related-content keys whose documents differ.
    pub related: HashSet<RelatedKey>,
    /// Taxonomies whose set of terms differs.
    pub taxonomies: HashSet<String>,
    /// Some document's URL, dates or publication differs.
    pub dates: bool,
    /// Templates whose text differs, by name.
    pub templates: HashSet<String>,
    /// The `site` value every page gets differs (a list's length, a footer
    /// page's address): every page.
    pub site: bool,
}

impl Changed {
    /// What differs between `old` and `new`, two views of the same target over
    /// the same documents (an edit that adds or removes a document renders
    /// everything again). Documents are compared by identity: the edit made
    /// new ones for those it changed and left the others shared.
    pub fn between(old: &TargetView, new: &TargetView) -> Changed {
        let (before, after) = (old.site, new.site);
        let mut changed = Changed {
            documents: (0..after.docs.len())
                .filter(|&id| !Arc::ptr_eq(&before.docs[id], &after.docs[id]))
                .collect(),
            ..Changed::default()
        };
        // A list item shows the titles of the documents its references name.
        let mut showing: BTreeSet<DocId> = changed.documents.iter().copied().collect();
        for &id in &changed.documents {
            showing.extend(before.docs[id].referrers.iter().copied());
            showing.extend(after.docs[id].referrers.iter().copied());
        }
        changed.items = showing
            .into_iter()
            .filter(|&id| old.item_of(id) != new.item_of(id))
            .collect();
        changed.site = serde_json::to_value(&old.site_context).ok()
            != serde_json::to_value(&new.site_context).ok();
        let shown_elsewhere = changed.documents.iter().any(|&id| {
            let (a, b) = (&before.docs[id], &after.docs[id]);
            a.meta != b.meta || a.url != b.url || a.refs != b.refs
        });
        if shown_elsewhere {
            changed.lists_between(old, new);
            changed.related_between(old, new);
            changed.dates = changed.documents.iter().any(|&id| {
                let (a, b) = (&before.docs[id], &after.docs[id]);
                a.url != b.url
                    || a.meta.date != b.meta.date
                    || a.meta.updated != b.meta.updated
                    || before.is_published(a) != after.is_published(b)
            });
        }
        changed
    }

    /// The collections' and terms' lists, and each document's neighbours.
    fn lists_between(&mut self, old: &TargetView, new: &TargetView) {
        for (i, coll) in new.site.config.collections.iter().enumerate() {
            let (a, b) = (collection_list(old.site, i), collection_list(new.site, i));
            let Some(span) = Span::diff(&a, &b) else {
                continue;
            };
            self.lists
                .insert(ListKey::Collection(coll.name.clone()), span);
            let (a, b) = (neighbours(&a), neighbours(&b));
            for (id, around) in &b {
                if a.get(id) != Some(around) {
                    self.neighbours.insert(*id);
                }
            }
        }
        let mut terms: BTreeSet<(&str, &str)> = BTreeSet::new();
        for view in [old, new] {
            for (tax, t) in &view.site.taxonomies {
                for (slug, (_, ids)) in &t.terms {
                    if ids.iter().any(|id| self.documents.contains(id)) {
                        terms.insert((tax, slug));
                    }
                }
            }
        }
        for (tax, slug) in terms {
            let (a, b) = (old.term_list(tax, slug), new.term_list(tax, slug));
            if let Some(span) = Span::diff(&a, &b) {
                self.lists
                    .insert(ListKey::Term(tax.to_string(), slug.to_string()), span);
            }
        }
        // Terms that came, went or are now written another way.
        for (tax, t) in &new.site.taxonomies {
            let had = old.site.taxonomies.get(tax);
            if had.is_some_and(|had| had.terms.keys().eq(t.terms.keys())) {
                for (slug, (name, _)) in &t.terms {
                    if had
                        .and_then(|h| h.terms.get(slug))
                        .is_some_and(|(n, _)| n != name)
                    {
                        self.taxonomies.insert(tax.clone());
                        let everything = Span {
                            from: 0,
                            to: usize::MAX,
                            len: true,
                        };
                        self.lists
                            .insert(ListKey::Term(tax.clone(), slug.clone()), everything);
                    }
                }
            } else {
                self.taxonomies.insert(tax.clone());
            }
        }
    }

    /// The related-content keys whose documents changed.
    fn related_between(&mut self, old: &TargetView, new: &TargetView) {
        for &id in &self.documents {
            let keys = |view: &TargetView| {
                let doc = &view.site.docs[id];
                if view.site.publishes(view.target, doc) {
                    related_keys(doc)
                } else {
                    Vec::new()
                }
            };
            let (a, b) = (keys(old), keys(new));
            self.related
                .extend(a.iter().filter(|k| !b.contains(k)).cloned());
            self.related
                .extend(b.iter().filter(|k| !a.contains(k)).cloned());
        }
    }
}

/// The published documents of collection `i`, in its order.
pub(super) fn collection_list(site: &Site, i: usize) -> Vec<DocId> {
    let coll = &site.config.collections[i];
    let mut ids: Vec<DocId> = site
        .docs
        .iter()
        .filter(|d| d.collection == i && site.is_published(d))
        .map(|d| d.id)
        .collect();
    sort_ids(site, &mut ids, coll.sort_by);
    ids
}

/// Each document's previous and next in `list`.
fn neighbours(list: &[DocId]) -> HashMap<DocId, (Option<DocId>, Option<DocId>)> {
    list.iter()
        .enumerate()
        .map(|(i, &id)| {
            let prev = i.checked_sub(1).map(|p| list[p]);
            (id, (prev, list.get(i + 1).copied()))
        })
        .collect()
}

impl TargetView<'_> {
    /// Document `id`'s list item as this target shows it: its own, or one
    /// linking to the target that publishes it.
    pub(super) fn item_of(&self, id: DocId) -> std::borrow::Cow<'_, ListItem> {
        // Another target's document, made once however many pages list it
        // (a workstream page lists thousands of the Hub's documents).
        std::borrow::Cow::Borrowed(self.fragments.item(id, || {
            ListItem::new(self.site, self.target, &self.site.docs[id])
        }))
    }

    /// The documents this target publishes with term `slug` of taxonomy `tax`,
    /// newest first. Worked out once per view: every page of a long term list
    /// asks for it.
    pub(super) fn term_list(&self, tax: &str, slug: &str) -> Arc<[DocId]> {
        let key = (tax.to_string(), slug.to_string());
        let cached = |cache: &TermLists| cache.get(&key).cloned();
        if let Some(ids) = cached(
            &self
                .term_lists
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        ) {
            return ids;
        }
        let Some((_, ids)) = self
            .site
            .taxonomies
            .get(tax)
            .and_then(|t| t.terms.get(slug))
        else {
            return Arc::from([]);
        };
        let mut ids: Vec<DocId> = ids
            .iter()
            .copied()
            .filter(|&id| self.items[id].is_some())
            .collect();
        sort_ids(self.site, &mut ids, SortBy::Date);
        let ids: Arc<[DocId]> = ids.into();
        self.term_lists
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key, Arc::clone(&ids));
        ids
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_diff_covers_what_moved() {
        assert_eq!(Span::diff(&[1, 2, 3], &[1, 2, 3]), None);
        // 2 moved after 4: places 1 to 3 hold other documents.
        assert_eq!(
            Span::diff(&[1, 2, 3, 4, 5], &[1, 3, 4, 2, 5]),
            Some(Span::places(1, 4))
        );
        // One more: everything from where it came in, and the length.
        let grown = Span::diff(&[1, 2, 3], &[1, 9, 2, 3]).expect("differs");
        assert_eq!((grown.from, grown.to, grown.len), (1, 4, true));
    }

    #[test]
    fn a_page_is_touched_by_what_it_shows() {
        let page2 = Span::places(10, 20);
        assert!(!page2.meets(Span::places(0, 10)));
        assert!(page2.meets(Span::places(19, 25)));
        assert!(!page2.meets(Span {
            from: 30,
            to: 31,
            len: true
        }));
        let paged = Span { len: true, ..page2 };
        assert!(paged.meets(Span {
            from: 30,
            to: 31,
            len: true
        }));
        assert!(Span::len().meets(Span {
            from: 3,
            to: 4,
            len: true
        }));
        assert!(!Span::len().meets(Span::places(3, 4)));
        assert_eq!(
            Span::places(0, 2).union(Span::len()),
            Span {
                from: 0,
                to: 2,
                len: true
            }
        );
    }
}
