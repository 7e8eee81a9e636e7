//! [`Builder`]: the context of one output file, made from the target's view.

use std::borrow::Cow;
use std::collections::BTreeMap;

use crate::config::Collection;
use crate::markdown::{resolve_links, Linked};
use crate::schema::Value;
use crate::site::DocId;
use crate::site::Document;
use crate::text::Date;

use super::{
    AliasContext, Attachment, CollectionSummary, Common, FeedContext, FeedEntry, HomeContext,
    HomeSection, ListContext, ListItem, Page, PageContext, PageLink, PageSection, Paginator,
    PlainContext, SectionInfo, SitemapContext, SitemapEntry, TaxonomyContext, TaxonomyIndex,
    TaxonomyInfo, TermContext, TermInfo,
};
use crate::render::plan::pages_of;
use crate::render::reads::{collection_list, ListKey, Span};
use crate::render::{related, seo, Job, Reads, TargetView};
use crate::urls::{feed_url, has_section, paged, section_url};

/// How many items of each collection the home page's context holds.
const HOME_ITEMS: usize = 50;
/// How many entries each Atom feed holds.
const FEED_ITEMS: usize = 20;

/// Builds the context of one output file, and records what it reads.
pub(in crate::render) struct Builder<'v> {
    view: &'v TargetView<'v>,
    pub(in crate::render) reads: Reads,
    /// Asked with the key of the finished context (see `render::key`) whether
    /// the file made from it is there already; none when nothing is kept.
    kept: Option<&'v (dyn Fn(u128) -> bool + Sync)>,
}

/// A context ready for tera, and the template to render it with.
#[cfg(test)]
pub(in crate::render) type Built<'v> = (tera::Context, &'v str);

/// What [`Builder::build`] made of an output file.
pub(in crate::render) enum Made<'v> {
    /// Its context and template, and the context's key when one was asked for.
    Context(tera::Context, &'v str, Option<u128>),
    /// Nothing: the file made from the same key is there already.
    Kept,
}

impl<'v> Builder<'v> {
    pub(in crate::render) fn new(view: &'v TargetView<'v>) -> Self {
        Builder {
            view,
            reads: Reads::default(),
            kept: None,
        }
    }

    /// A builder that asks `kept` whether each file is there already, by its key.
    pub(in crate::render) fn keeping(
        view: &'v TargetView<'v>,
        kept: &'v (dyn Fn(u128) -> bool + Sync),
    ) -> Self {
        Builder {
            kept: Some(kept),
            ..Builder::new(view)
        }
    }

    /// Document `id`'s list item (linking to the target that publishes it
    /// when this one does not), recorded as read.
    fn item(&mut self, id: DocId) -> Cow<'v, ListItem> {
        self.reads.items.insert(id);
        self.view.item_of(id)
    }

    fn items(&mut self, ids: impl IntoIterator<Item = DocId>) -> Vec<Cow<'v, ListItem>> {
        ids.into_iter().map(|id| self.item(id)).collect()
    }

    fn common(&mut self, url: &str, job: &Job) -> Common<'v> {
        let view = self.view;
        let (meta, json_ld) = seo::meta(view, url, job);
        let current_path = view.url(url);
        Common {
            site: &view.site_context,
            menu_current: view.site_context.menu_current(&current_path),
            current_path,
            current_url: format!("{}{url}", view.target.base_url),
            meta,
            json_ld,
        }
    }

    /// The finished context `ctx` for `template`: nothing when the file made
    /// from it is there already.
    fn made(&self, template: &'v str, ctx: impl serde::Serialize) -> tera::Result<Made<'v>> {
        let key = match self.kept {
            Some(kept) => {
                let key = self
                    .view
                    .theme
                    .key
                    .and_then(|theme| crate::render::key::page_key(theme, template, &ctx));
                if key.is_some_and(kept) {
                    return Ok(Made::Kept);
                }
                key
            }
            None => None,
        };
        Ok(Made::Context(
            tera::Context::from_serialize(ctx)?,
            template,
            key,
        ))
    }

    /// The context of the output file at `url` (below the base) that `job`
    /// makes, and the template to render it with.
    #[cfg(test)]
    pub(in crate::render) fn build(&mut self, url: &str, job: &Job) -> tera::Result<Built<'v>> {
        match self.build_or_keep(url, job)? {
            Made::Context(ctx, template, _) => Ok((ctx, template)),
            Made::Kept => Err(tera::Error::msg(
                "a builder that keeps files was asked for a context",
            )),
        }
    }

    /// As [`Builder::build`], or nothing when the file is there already.
    pub(in crate::render) fn build_or_keep(
        &mut self,
        url: &str,
        job: &Job,
    ) -> tera::Result<Made<'v>> {
        let view = self.view;
        let common = self.common(url, job);
        let template = job.template(view.site, view);
        match job {
            Job::Doc(id) => {
                self.reads.documents.insert(*id);
                let page = self.page(&view.site.docs[*id]);
                self.made(template, PageContext { common, page })
            }
            Job::Home => {
                let ctx = self.home(common);
                self.made(template, ctx)
            }
            Job::Section { coll, page } => {
                let ctx = self.list(common, *coll, *page);
                self.made(template, ctx)
            }
            Job::TaxonomyIndex(name) => {
                let ctx = self.taxonomy(common, name);
                self.made(template, ctx)
            }
            Job::Term { tax, slug, page } => {
                let ctx = self.term(common, tax, slug, *page);
                self.made(template, ctx)
            }
            Job::Alias { to } => {
                let doc = &view.site.docs[*to];
                self.reads.items.insert(*to);
                self.made(
                    template,
                    AliasContext {
                        common,
                        target_url: view.site.url_from(doc, view.target),
                        permalink: view.site.permalink(doc),
                        title: &doc.meta.title,
                    },
                )
            }
            Job::NotFound | Job::Search | Job::Robots => {
                self.made(template, PlainContext { common })
            }
            Job::Sitemap => {
                let ctx = self.sitemap(common);
                self.made(template, ctx)
            }
            Job::Feed => {
                let ctx = self.feed(common, None);
                self.made(template, ctx)
            }
            Job::CollectionFeed(coll) => {
                let ctx = self.feed(common, Some(*coll));
                self.made(template, ctx)
            }
        }
    }

    /// Everything a page template gets about `doc`.
    fn page(&mut self, doc: &'v Document) -> Page<'v> {
        let view = self.view;
        let site = view.site;
        let item = self.item(doc.id);
        let mut linked = Vec::new();
        let content = resolve_links(&doc.body.html.unpack(), |to| match to {
            Linked::Doc(id) => {
                linked.push(id);
                site.url_from(&site.docs[id], view.target)
                    .unwrap_or_default()
            }
            // A list is made from site.toml alone: nothing to record.
            Linked::List(coll) => view.list_url(coll),
            Linked::Address(n) => {
                let address = &doc.body.addresses[n];
                match view.site.by_url.get(&address.path) {
                    Some(&id) => {
                        linked.push(id);
                        site.url_from(&site.docs[id], view.target)
                            .unwrap_or_default()
                    }
                    None => view.address_url(&address.path),
                }
            }
        });
        self.reads.items.extend(linked);
        let mut refs = BTreeMap::new();
        for (field, ids) in &doc.refs {
            refs.insert(field.as_str(), self.items(ids.iter().copied()));
        }
        let mut referrers: BTreeMap<&'v str, Vec<Cow<'v, ListItem>>> = BTreeMap::new();
        for &id in doc
            .referrers
            .iter()
            .filter(|&&id| site.is_published(&site.docs[id]))
        {
            let item = self.item(id);
            referrers
                .entry(site.collection_of(&site.docs[id]).name.as_str())
                .or_default()
                .push(item);
        }
        let coll = site.collection_of(doc);
        let (prev, next) = view.neighbours.get(&doc.id).copied().unwrap_or_default();
        if view.neighbours.contains_key(&doc.id) {
            self.reads.neighbours.insert(doc.id);
        }
        let keys = related::related_keys(doc);
        let related = related::related(view.related_index(), doc, &keys);
        self.reads.related.extend(keys);
        Page {
            item,
            content,
            toc: &doc.body.toc,
            word_count: doc.body.word_count,
            reading_minutes: doc.body.word_count.div_ceil(200).max(1),
            refs,
            referrers,
            previous: prev.map(|id| self.item(id)),
            next: next.map(|id| self.item(id)),
            source: crate::text::slashed(&doc.source),
            aliases: &doc.meta.aliases,
            related: self.items(related),
            last_updated: doc.last_updated,
            review_overdue: match doc.meta.get("review_by") {
                Some(Value::Date(due)) if *due < site.today => Some(*due),
                _ => None,
            },
            edit_url: site.edit_url(doc),
            attachments: self.attachments(doc),
            section: PageSection {
                name: &coll.name,
                title: &coll.title,
                url: has_section(coll).then(|| view.url(&section_url(coll))),
            },
        }
    }

    fn attachments(&self, doc: &Document) -> Vec<Attachment> {
        let Some(Value::List(files)) = doc.meta.get("attachments") else {
            return Vec::new();
        };
        files
            .iter()
            .filter_map(|f| crate::markdown::resolve_path(&doc.path, f))
            .map(|p| {
                let p = crate::text::slashed(&p);
                let name = p.rsplit('/').next().unwrap_or(&p).to_string();
                Attachment {
                    name,
                    url: self.view.url(&p),
                }
            })
            .collect()
    }

    fn home(&mut self, common: Common<'v>) -> HomeContext<'v> {
        let view = self.view;
        let site = view.site;
        let mut collections = BTreeMap::new();
        for (coll, ids) in &view.sections {
            let shown = Span {
                len: true,
                ..Span::places(0, HOME_ITEMS)
            };
            self.reads
                .list(ListKey::Collection(coll.name.clone()), shown);
            let pages = self.items(ids.iter().take(HOME_ITEMS).copied());
            let section = HomeSection {
                title: &coll.title,
                url: view.url(&section_url(coll)),
                count: ids.len(),
                pages,
            };
            collections.insert(coll.name.as_str(), section);
        }
        // Every collection, also those another target publishes (linked there),
        // so that a home page can offer, say, browsing by workstream.
        let mut all_collections = BTreeMap::new();
        for (i, coll) in site.config.collections.iter().enumerate() {
            let shown = Span {
                len: true,
                ..Span::places(0, HOME_ITEMS)
            };
            self.reads
                .list(ListKey::Collection(coll.name.clone()), shown);
            let ids = collection_list(site, i);
            let pages = self.items(ids.iter().take(HOME_ITEMS).copied());
            let summary = CollectionSummary {
                title: &coll.title,
                count: ids.len(),
                pages,
            };
            all_collections.insert(coll.name.as_str(), summary);
        }
        HomeContext {
            common,
            collections,
            all_collections,
        }
    }

    fn list(&mut self, common: Common<'v>, coll: usize, page: usize) -> ListContext<'v> {
        let view = self.view;
        let (c, ids) = &view.sections[coll];
        let shown = Span {
            len: true,
            ..Span::places(page * c.paginate_by, (page + 1) * c.paginate_by)
        };
        self.reads.list(ListKey::Collection(c.name.clone()), shown);
        let base = section_url(c);
        ListContext {
            common,
            section: SectionInfo {
                name: &c.name,
                title: &c.title,
                description: &c.description,
                url: view.url(&base),
                feed_url: feed_url(c).map(|f| format!("{}{f}", view.target.base_url)),
            },
            paginator: self.paginator(&base, ids, page, c.paginate_by),
        }
    }

    fn taxonomy(&mut self, common: Common<'v>, name: &str) -> TaxonomyContext<'v> {
        let view = self.view;
        let tax = view.site.config.taxonomy(name).expect("taxonomy exists");
        let mut terms = Vec::new();
        self.reads.taxonomies.insert(name.to_string());
        for (slug, (term, ids)) in &view.site.taxonomies[name].terms {
            let list = ListKey::Term(name.to_string(), slug.clone());
            self.reads.list(list, Span::len());
            let count = ids.iter().filter(|&&id| view.items[id].is_some()).count();
            if count > 0 {
                terms.push(TermInfo {
                    name: term,
                    slug,
                    url: view.url(&format!("{name}/{slug}/")),
                    count,
                });
            }
        }
        TaxonomyContext {
            common,
            taxonomy: TaxonomyIndex {
                info: TaxonomyInfo {
                    name: &tax.name,
                    title: &tax.title,
                    url: view.url(&format!("{name}/")),
                },
                terms,
            },
        }
    }

    fn term(&mut self, common: Common<'v>, tax: &str, slug: &str, page: usize) -> TermContext<'v> {
        let view = self.view;
        let t = view.site.config.taxonomy(tax).expect("taxonomy exists");
        let (slug, (term, _)) = view.site.taxonomies[tax]
            .terms
            .get_key_value(slug)
            .expect("the plan lists terms that exist");
        let shown = Span {
            len: true,
            ..Span::places(page * t.paginate_by, (page + 1) * t.paginate_by)
        };
        self.reads
            .list(ListKey::Term(tax.to_string(), slug.clone()), shown);
        let ids = view.term_list(tax, slug);
        let base = format!("{tax}/{slug}/");
        TermContext {
            common,
            taxonomy: TaxonomyInfo {
                name: &t.name,
                title: &t.title,
                url: view.url(&format!("{tax}/")),
            },
            term: TermInfo {
                name: term,
                slug,
                url: view.url(&base),
                count: ids.len(),
            },
            paginator: self.paginator(&base, &ids, page, t.paginate_by),
        }
    }

    fn paginator(
        &mut self,
        base: &str,
        ids: &[DocId],
        page: usize,
        per_page: usize,
    ) -> Paginator<'v> {
        let view = self.view;
        let total = pages_of(ids.len(), per_page);
        let pages = self.items(ids.iter().skip(page * per_page).take(per_page).copied());
        let link = |p: usize| view.url(&paged(base, p));
        Paginator {
            current: page + 1,
            total_pages: total,
            total_items: ids.len(),
            pages,
            first: link(0),
            last: link(total - 1),
            previous: page.checked_sub(1).map(link),
            next: (page + 1 < total).then(|| link(page + 1)),
            links: page_window(page, total)
                .into_iter()
                .map(|(p, gap_before)| PageLink {
                    number: p + 1,
                    url: link(p),
                    current: p == page,
                    gap_before,
                })
                .collect(),
        }
    }

    fn sitemap(&mut self, common: Common<'v>) -> SitemapContext<'v> {
        let view = self.view;
        let (site, target) = (view.site, view.target);
        self.reads.dates = true;
        let mut entries = vec![SitemapEntry {
            url: target.base_url.clone(),
            updated: None,
        }];
        for (coll, _) in view.sections.iter().filter(|(c, _)| has_section(c)) {
            entries.push(SitemapEntry {
                url: format!("{}{}", target.base_url, section_url(coll)),
                updated: None,
            });
        }
        for doc in site
            .docs_of(target)
            .filter(|d| site.owner(d).is_some_and(|o| o.name == target.name))
        {
            entries.push(SitemapEntry {
                url: format!("{}{}", target.base_url, doc.url),
                updated: doc.meta.updated.or(doc.meta.date),
            });
        }
        SitemapContext { common, entries }
    }

    /// The feed of the `coll`-th collection the target publishes, or, for
    /// `None`, of the site: the documents of the collections that have
    /// feeds, each dated by when it last changed as its page shows it (its
    /// `updated`, else its last commit), or when it was published.
    fn feed(&mut self, common: Common<'v>, coll: Option<usize>) -> FeedContext<'v> {
        let view = self.view;
        let site = view.site;
        let target = view.target;
        let changed = |d: &Document| d.last_updated.max(d.meta.date);
        let in_feed = |c: &Collection| match coll {
            Some(i) => std::ptr::eq(c, view.sections[i].0),
            None => feed_url(c).is_some(),
        };
        let mut dated: Vec<(Date, DocId)> = site
            .docs_of(target)
            .filter(|d| in_feed(site.collection_of(d)))
            .filter_map(|d| Some((changed(d)?, d.id)))
            .collect();
        // Which are the latest depends on every document's dates.
        self.reads.dates = true;
        let docs = &site.docs;
        dated.sort_by(|(a, x), (b, y)| {
            b.cmp(a)
                .then_with(|| docs[*x].meta.title.cmp(&docs[*y].meta.title))
                .then(x.cmp(y))
        });
        dated.truncate(FEED_ITEMS);
        let updated = dated.first().map(|(d, _)| *d);
        let entries = dated
            .into_iter()
            .map(|(updated, id)| FeedEntry {
                page: self.item(id),
                updated,
            })
            .collect();
        let (title, path) = match coll {
            Some(i) => {
                let c = view.sections[i].0;
                (format!("{} · {}", c.title, target.title), section_url(c))
            }
            None => (target.title.clone(), String::new()),
        };
        let url = coll
            .and_then(|i| feed_url(view.sections[i].0))
            .unwrap_or_else(|| "atom.xml".into());
        let feed_url = format!("{}{url}", target.base_url);
        FeedContext {
            common,
            title,
            id: match coll {
                Some(_) => feed_url.clone(),
                None => target.base_url.clone(),
            },
            feed_url,
            page_url: format!("{}{path}", target.base_url),
            entries,
            updated,
        }
    }
}

/// How many pages either side of the current one get a link of their own.
const PAGE_WINDOW: usize = 2;

/// The pages (from 0) a paginator links to out of `total`, each with whether
/// pages were skipped before it: the first, the last, and those within
/// [`PAGE_WINDOW`] of `page`. A gap of a single page is shown as the page,
/// since a link takes no more room than the mark for a gap.
fn page_window(page: usize, total: usize) -> Vec<(usize, bool)> {
    let Some(last_page) = total.checked_sub(1) else {
        return Vec::new();
    };
    let mut pages: Vec<usize> = [0, last_page]
        .into_iter()
        .chain(page.saturating_sub(PAGE_WINDOW)..=(page + PAGE_WINDOW).min(last_page))
        .collect();
    pages.sort_unstable();
    pages.dedup();
    let mut out: Vec<(usize, bool)> = Vec::with_capacity(pages.len() + 2);
    for p in pages {
        match out.last() {
            Some(&(l, _)) if p == l + 2 => out.extend([(l + 1, false), (p, false)]),
            Some(&(l, _)) => out.push((p, p > l + 1)),
            None => out.push((p, false)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::page_window;

    fn shown(page: usize, total: usize) -> String {
        page_window(page, total)
            .iter()
            .map(|&(p, gap)| format!("{}{}", if gap { "… " } else { "" }, p + 1))
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn long_lists_link_the_ends_and_the_neighbours() {
        assert_eq!(shown(0, 1), "1");
        assert_eq!(shown(0, 0), "");
        assert_eq!(shown(2, 7), "1 2 3 4 5 6 7");
        assert_eq!(shown(0, 100), "1 2 3 … 100");
        assert_eq!(shown(49, 100), "1 … 48 49 50 51 52 … 100");
        assert_eq!(shown(99, 100), "1 … 98 99 100");
        // A gap of one page shows the page instead.
        assert_eq!(shown(4, 100), "1 2 3 4 5 6 7 … 100");
        assert_eq!(shown(95, 100), "1 … 94 95 96 97 98 99 100");
    }
}
