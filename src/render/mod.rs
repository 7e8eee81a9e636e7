//! Renders one target of a [`Site`] with tera into a staging folder: the
//! theme ([`theme`]), the plan of every output file ([`plan`]), and the
//! context each template gets.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use rayon::prelude::*;
use serde_json::{json, Map, Value as Json};
use tera::Context;

use crate::config::{Collection, SortBy, Target};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::markdown::{resolve_links, DocId};
use crate::output::Sink;

mod plan;
mod theme;
use crate::schema::Value;
use crate::site::{Document, Site};
pub use plan::{file_of, plan, Job, Plan};
use plan::{paged, pages_of};
pub use theme::{template_uses, Theme};

/// How many items of each collection the home page's context holds.
const HOME_ITEMS: usize = 50;
/// How many entries the Atom feed holds.
const FEED_ITEMS: usize = 20;

/// The URL path of a collection's list, below the base (`guides/`); empty when
/// its documents sit at the site's root (`/{slug}/`), which means it has no list.
pub fn section_url(c: &Collection) -> String {
    let before = c.permalink.split('{').next().unwrap_or_default();
    // The folders before the first placeholder: `/guides-{slug}/` has none.
    let folders = before.rfind('/').map_or("", |i| &before[..=i]);
    folders.trim_start_matches('/').to_string()
}

fn has_section(c: &Collection) -> bool {
    !section_url(c).is_empty()
}

/// What a target's pages are made from, computed once per target.
pub struct TargetView<'a> {
    site: &'a Site,
    target: &'a Target,
    theme: &'a Theme,
    /// For each document this target publishes: its list item.
    pub items: std::borrow::Cow<'a, [Option<Json>]>,
    /// Per published collection, its documents in list order.
    pub sections: Vec<(&'a Collection, Vec<DocId>)>,
    /// For each document: previous and next in its collection's order.
    neighbours: HashMap<DocId, (Option<DocId>, Option<DocId>)>,
    /// The `site` value every template gets.
    site_json: Json,
    /// Documents by what they share (a tag, a referenced document), made when first needed.
    related_index: std::sync::OnceLock<RelatedIndex>,
}

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

/// Renders `jobs` (output file, URL, job) into `out`.
pub fn render_jobs<'j>(
    view: &TargetView,
    jobs: impl IntoParallelIterator<Item = (&'j String, &'j (String, Job))>,
    out: &dyn Sink,
    progress: &indicatif::ProgressBar,
) -> Result<(), Diagnostics> {
    let results: Vec<Diagnostic> = jobs
        .into_par_iter()
        .filter_map(|(file, (url, job))| {
            progress.inc(1);
            let html = match view.render(url, job) {
                Ok(h) => h,
                Err(d) => return Some(d),
            };
            out.write(file, html.as_bytes())
                .err()
                .map(|e| Diagnostic::error("io", format!("cannot write {file}: {e}")))
        })
        .collect();
    if results.is_empty() {
        Ok(())
    } else {
        Err(results.into())
    }
}

/// Copies `files` (output path → source) into `out`.
pub fn copy_statics(files: &BTreeMap<String, PathBuf>, out: &dyn Sink) -> Result<(), Diagnostics> {
    let problems: Vec<Diagnostic> = files
        .par_iter()
        .filter_map(|(rel, from)| {
            out.copy(from, rel)
                .err()
                .map(|e| Diagnostic::error("io", format!("cannot copy {}: {e}", from.display())))
        })
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.into())
    }
}

/// Summary figures of one rendered target.
pub struct Rendered {
    pub pages: usize,
    pub files: usize,
}

/// Renders every page of `target` and copies its static files into `out`.
pub fn render_target(
    site: &Site,
    target: &Target,
    out: &dyn Sink,
    progress: &indicatif::ProgressBar,
) -> Result<Rendered, Diagnostics> {
    let theme = Theme::load(site, target)?;
    let view = TargetView::new(site, target, &theme);
    let plan = plan(site, target, &view)?;
    progress.set_length((plan.pages.len() + plan.statics.len()) as u64);
    render_jobs(&view, &plan.pages, out, progress)?;
    copy_statics(&plan.statics, out)?;
    Ok(Rendered {
        pages: plan.pages.values().filter(|(_, j)| j.is_page()).count(),
        files: plan.pages.len() + plan.statics.len(),
    })
}

fn sort_ids(site: &Site, ids: &mut [DocId], by: SortBy) {
    let docs = &site.docs;
    match by {
        SortBy::Date => ids.sort_by(|&a, &b| {
            let (a, b) = (&docs[a].meta, &docs[b].meta);
            b.date.cmp(&a.date).then_with(|| a.title.cmp(&b.title))
        }),
        SortBy::Weight => ids.sort_by(|&a, &b| {
            let (a, b) = (&docs[a].meta, &docs[b].meta);
            a.weight.cmp(&b.weight).then_with(|| a.title.cmp(&b.title))
        }),
        SortBy::Title => ids.sort_by(|&a, &b| docs[a].meta.title.cmp(&docs[b].meta.title)),
    }
}

impl<'a> TargetView<'a> {
    /// Everything `target`'s pages need, computed from `site`.
    pub fn new(site: &'a Site, target: &'a Target, theme: &'a Theme) -> Self {
        let items: Vec<Option<Json>> = (0..site.docs.len())
            .into_par_iter()
            .map(|id| Self::item_for(site, target, id))
            .collect();
        Self::with_items(site, target, theme, items)
    }

    /// The list item of document `id` as `target` shows it, or `None` when it does not publish it.
    pub fn item_for(site: &Site, target: &Target, id: DocId) -> Option<Json> {
        let doc = &site.docs[id];
        site.publishes(target, doc).then(|| item(site, target, doc))
    }

    /// As [`TargetView::new`], with the documents' list items already made
    /// (the live preview keeps them, and remakes only those an edit touches).
    pub fn with_items(
        site: &'a Site,
        target: &'a Target,
        theme: &'a Theme,
        items: impl Into<std::borrow::Cow<'a, [Option<Json>]>>,
    ) -> Self {
        let sections = Self::sections(site, target);
        let mut neighbours = HashMap::new();
        for (_, ids) in &sections {
            for (i, &id) in ids.iter().enumerate() {
                let prev = i.checked_sub(1).map(|p| ids[p]);
                neighbours.insert(id, (prev, ids.get(i + 1).copied()));
            }
        }
        let items = items.into();
        Self::finish(site, target, theme, items, sections, neighbours)
    }

    /// Per collection `target` publishes, its documents in list order.
    pub fn sections(site: &'a Site, target: &Target) -> Vec<(&'a Collection, Vec<DocId>)> {
        let mut sections = Vec::new();
        for name in &target.collections {
            let Some(coll) = site.config.collection(name) else {
                continue;
            };
            let idx = site
                .config
                .collections
                .iter()
                .position(|c| c.name == *name)
                .unwrap_or_default();
            let mut ids: Vec<DocId> = site
                .docs
                .iter()
                .filter(|d| d.collection == idx && site.publishes(target, d))
                .map(|d| d.id)
                .collect();
            sort_ids(site, &mut ids, coll.sort_by);
            sections.push((coll, ids));
        }
        sections
    }

    fn build_site_json(
        site: &Site,
        target: &Target,
        sections: &[(&Collection, Vec<DocId>)],
    ) -> Json {
        let base_path = target.base_path();
        json!({
            "title": target.title,
            "name": site.config.title,
            "description": target.description,
            "language": site.config.language,
            "base_url": target.base_url,
            "base_path": base_path,
            "target": target.name,
            "targets": site.config.targets.iter().map(|t| json!({"name": t.name, "title": t.title, "url": t.base_url, "current": t.name == target.name})).collect::<Vec<_>>(),
            "sections": sections.iter().filter(|(c, _)| has_section(c)).map(|(c, ids)| json!({"name": c.name, "title": c.title, "url": format!("{base_path}{}", section_url(c)), "count": ids.len()})).collect::<Vec<_>>(),
            "taxonomies": site.config.taxonomies.iter().filter(|t| target.taxonomies.contains(&t.name)).map(|t| json!({"name": t.name, "title": t.title, "url": format!("{base_path}{}/", t.name)})).collect::<Vec<_>>(),
            "feed_url": format!("{}atom.xml", target.base_url),
            "extra": site.config.extra,
        })
    }
}

impl<'a> TargetView<'a> {
    fn finish(
        site: &'a Site,
        target: &'a Target,
        theme: &'a Theme,
        items: std::borrow::Cow<'a, [Option<Json>]>,
        sections: Vec<(&'a Collection, Vec<DocId>)>,
        neighbours: HashMap<DocId, (Option<DocId>, Option<DocId>)>,
    ) -> Self {
        let site_json = Self::build_site_json(site, target, &sections);
        TargetView {
            site,
            target,
            theme,
            items,
            sections,
            neighbours,
            site_json,
            related_index: std::sync::OnceLock::new(),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.target.base_path())
    }

    fn item_of(&self, id: DocId) -> Json {
        match &self.items[id] {
            Some(item) => item.clone(),
            // Published by another target: link there.
            None => item(self.site, self.target, &self.site.docs[id]),
        }
    }

    fn context(&self, url: &str) -> Context {
        let mut ctx = Context::new();
        ctx.insert("site", &self.site_json);
        ctx.insert("current_path", &self.url(url));
        ctx.insert("current_url", &format!("{}{url}", self.target.base_url));
        ctx
    }

    fn render(&self, url: &str, job: &Job) -> Result<String, Diagnostic> {
        let mut ctx = self.context(url);
        let template = match job {
            Job::Doc(id) => {
                let doc = &self.site.docs[*id];
                ctx.insert("page", &self.page(doc));
                self.site.collection_of(doc).template.as_str()
            }
            Job::Home => {
                let mut collections = Map::new();
                for (coll, ids) in &self.sections {
                    let items: Vec<Json> = ids
                        .iter()
                        .take(HOME_ITEMS)
                        .map(|&id| self.item_of(id))
                        .collect();
                    collections.insert(coll.name.clone(), json!({"title": coll.title, "url": self.url(&section_url(coll)), "count": ids.len(), "pages": items}));
                }
                ctx.insert("collections", &collections);
                // Every collection, also those another target publishes (linked there),
                // so that a home page can offer, say, browsing by workstream.
                let mut everywhere = Map::new();
                for (i, coll) in self.site.config.collections.iter().enumerate() {
                    let mut ids: Vec<DocId> = self
                        .site
                        .docs
                        .iter()
                        .filter(|d| d.collection == i && self.site.is_published(d))
                        .map(|d| d.id)
                        .collect();
                    sort_ids(self.site, &mut ids, coll.sort_by);
                    let items: Vec<Json> = ids
                        .iter()
                        .take(HOME_ITEMS)
                        .map(|&id| self.item_of(id))
                        .collect();
                    everywhere.insert(
                        coll.name.clone(),
                        json!({"title": coll.title, "count": ids.len(), "pages": items}),
                    );
                }
                ctx.insert("all_collections", &everywhere);
                "index.html"
            }
            Job::Section { coll, page } => {
                let (c, ids) = &self.sections[*coll];
                ctx.insert("section", &json!({"name": c.name, "title": c.title, "description": c.description, "url": self.url(&section_url(c))}));
                ctx.insert(
                    "paginator",
                    &self.paginator(&section_url(c), ids, *page, c.paginate_by),
                );
                c.list_template.as_str()
            }
            Job::TaxonomyIndex(name) => {
                let tax = self.site.config.taxonomy(name).expect("taxonomy exists");
                let terms: Vec<Json> = self.site.taxonomies[name.as_str()]
                    .terms
                    .iter()
                    .filter_map(|(slug, (term, ids))| {
                        let n = ids.iter().filter(|&&id| self.items[id].is_some()).count();
                        (n > 0).then(|| json!({"name": term, "slug": slug, "url": self.url(&format!("{name}/{slug}/")), "count": n}))
                    })
                    .collect();
                ctx.insert("taxonomy", &json!({"name": tax.name, "title": tax.title, "url": self.url(&format!("{name}/")), "terms": terms}));
                "taxonomy.html"
            }
            Job::Term { tax, slug, page } => {
                let t = self.site.config.taxonomy(tax).expect("taxonomy exists");
                let (term, ids) = &self.site.taxonomies[tax.as_str()].terms[slug.as_str()];
                let mut ids: Vec<DocId> = ids
                    .iter()
                    .copied()
                    .filter(|&id| self.items[id].is_some())
                    .collect();
                sort_ids(self.site, &mut ids, SortBy::Date);
                ctx.insert(
                    "taxonomy",
                    &json!({"name": t.name, "title": t.title, "url": self.url(&format!("{tax}/"))}),
                );
                ctx.insert("term", &json!({"name": term, "slug": slug, "url": self.url(&format!("{tax}/{slug}/")), "count": ids.len()}));
                ctx.insert(
                    "paginator",
                    &self.paginator(&format!("{tax}/{slug}/"), &ids, *page, t.paginate_by),
                );
                "term.html"
            }
            Job::Alias { to, .. } => {
                let doc = &self.site.docs[*to];
                ctx.insert("target_url", &self.site.url_from(doc, self.target));
                ctx.insert("permalink", &self.site.permalink(doc));
                ctx.insert("title", &doc.meta.title);
                "alias.html"
            }
            Job::NotFound => "404.html",
            Job::Search => "search.html",
            Job::Sitemap => {
                let mut entries: Vec<Json> =
                    vec![json!({"url": self.target.base_url, "updated": Json::Null})];
                for (coll, _) in self.sections.iter().filter(|(c, _)| has_section(c)) {
                    entries.push(json!({"url": format!("{}{}", self.target.base_url, section_url(coll)), "updated": Json::Null}));
                }
                for doc in self.site.docs_of(self.target).filter(|d| {
                    self.site
                        .owner(d)
                        .is_some_and(|o| o.name == self.target.name)
                }) {
                    let updated = doc.meta.updated.or(doc.meta.date).map(|d| d.to_string());
                    entries.push(json!({"url": format!("{}{}", self.target.base_url, doc.url), "updated": updated}));
                }
                ctx.insert("entries", &entries);
                "sitemap.xml"
            }
            Job::Feed => {
                let mut ids: Vec<DocId> = self
                    .site
                    .docs_of(self.target)
                    .filter(|d| d.meta.date.is_some())
                    .map(|d| d.id)
                    .collect();
                sort_ids(self.site, &mut ids, SortBy::Date);
                ids.truncate(FEED_ITEMS);
                let updated = ids
                    .iter()
                    .filter_map(|&id| {
                        let m = &self.site.docs[id].meta;
                        m.updated.max(m.date)
                    })
                    .max();
                let entries: Vec<Json> = ids
                    .iter()
                    .map(|&id| {
                        let mut it = self.item_of(id);
                        it["permalink"] = json!(self.site.permalink(&self.site.docs[id]));
                        it
                    })
                    .collect();
                ctx.insert("entries", &entries);
                ctx.insert("updated", &updated.map(|d| d.to_string()));
                "atom.xml"
            }
            Job::Robots => "robots.txt",
        };
        let (meta, ld) = self.meta(url, job);
        ctx.insert("meta", &meta);
        ctx.insert("json_ld", &ld);
        self.theme.render(template, &ctx)
    }

    /// What a page says about itself to browsers, search engines and link
    /// previews: title, description, canonical URL, Open Graph type, and the
    /// JSON-LD graph (WebSite with its SearchAction everywhere; Article and
    /// BreadcrumbList on documents), escaped for a `<script>` element.
    fn meta(&self, url: &str, job: &Job) -> (Json, String) {
        let t = self.target;
        let here = format!("{}{url}", t.base_url);
        let website = json!({
            "@type": "WebSite",
            "name": t.title,
            "url": t.base_url,
            "potentialAction": {
                "@type": "SearchAction",
                "target": format!("{}search/?q={{search_term_string}}", t.base_url),
                "query-input": "required name=search_term_string",
            },
        });
        let mut graph = vec![website];
        let (title, description, canonical, kind) = match job {
            Job::Doc(id) => {
                let doc = &self.site.docs[*id];
                let coll = self.site.collection_of(doc);
                let canonical = self.site.permalink(doc).unwrap_or_else(|| here.clone());
                let mut crumbs = vec![
                    json!({"@type": "ListItem", "position": 1, "name": "Home", "item": t.base_url}),
                ];
                if has_section(coll) {
                    crumbs.push(json!({"@type": "ListItem", "position": 2, "name": coll.title, "item": format!("{}{}", t.base_url, section_url(coll))}));
                }
                crumbs.push(json!({"@type": "ListItem", "position": crumbs.len() + 1, "name": doc.meta.title, "item": canonical}));
                let organisation = self
                    .site
                    .config
                    .extra
                    .get("organisation")
                    .and_then(Json::as_str)
                    .unwrap_or(&self.site.config.title);
                graph.push(json!({
                    "@type": "Article",
                    "headline": doc.meta.title,
                    "description": doc.summary,
                    "url": canonical,
                    "datePublished": doc.meta.date.map(|d| d.to_string()),
                    "dateModified": doc.last_updated.or(doc.meta.date).map(|d| d.to_string()),
                    "inLanguage": self.site.config.language,
                    "publisher": {"@type": "Organization", "name": organisation},
                }));
                graph.push(json!({"@type": "BreadcrumbList", "itemListElement": crumbs}));
                (
                    doc.meta.title.clone(),
                    doc.summary.clone(),
                    canonical,
                    "article",
                )
            }
            Job::Section { coll, .. } => {
                let c = self.sections[*coll].0;
                let d = if c.description.is_empty() {
                    t.description.clone()
                } else {
                    c.description.clone()
                };
                (c.title.clone(), d, here.clone(), "website")
            }
            Job::TaxonomyIndex(name) | Job::Term { tax: name, .. } => {
                let title = self
                    .site
                    .config
                    .taxonomy(name)
                    .map_or(name.clone(), |x| x.title.clone());
                let title = match job {
                    Job::Term { tax, slug, .. } => format!(
                        "{title}: {}",
                        self.site.taxonomies[tax.as_str()].terms[slug.as_str()].0
                    ),
                    _ => title,
                };
                (title, t.description.clone(), here.clone(), "website")
            }
            Job::Search => (
                "Search".into(),
                t.description.clone(),
                here.clone(),
                "website",
            ),
            Job::NotFound => (
                "Page not found".into(),
                t.description.clone(),
                here.clone(),
                "website",
            ),
            _ => (
                t.title.clone(),
                t.description.clone(),
                here.clone(),
                "website",
            ),
        };
        let ld = json!({"@context": "https://schema.org", "@graph": graph}).to_string();
        // Nothing in it may end the <script> element it sits in.
        let ld = ld
            .replace('<', "\\u003c")
            .replace('>', "\\u003e")
            .replace('&', "\\u0026");
        let meta = json!({
            "title": title,
            "description": description,
            "canonical": canonical,
            "type": kind,
            "locale": self.site.config.language.replace('-', "_"),
        });
        (meta, ld)
    }

    /// Up to five documents that share the most with `doc` (its workstream counts
    /// twice, each tag once), nearest first among equals.
    fn related(&self, doc: &Document) -> Vec<Json> {
        let index = self
            .related_index
            .get_or_init(|| related_index(self.site, self.target));
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
        ranked
            .into_iter()
            .take(RELATED_SHOWN)
            .map(|(id, _)| self.item_of(id))
            .collect()
    }

    fn paginator(&self, base: &str, ids: &[DocId], page: usize, per_page: usize) -> Json {
        let total = pages_of(ids.len(), per_page);
        let items: Vec<Json> = ids
            .iter()
            .skip(page * per_page)
            .take(per_page)
            .map(|&id| self.item_of(id))
            .collect();
        let link = |p: usize| self.url(&paged(base, p));
        json!({
            "current": page + 1,
            "total_pages": total,
            "total_items": ids.len(),
            "pages": items,
            "first": link(0),
            "last": link(total - 1),
            "previous": page.checked_sub(1).map(link),
            "next": (page + 1 < total).then(|| link(page + 1)),
            "links": (0..total).map(|p| json!({"number": p + 1, "url": link(p), "current": p == page})).collect::<Vec<_>>(),
        })
    }

    /// Everything a page template gets about a document.
    fn page(&self, doc: &Document) -> Json {
        let site = self.site;
        let mut page = self.item_of(doc.id);
        let html = resolve_links(&doc.body.html, |id| {
            site.url_from(&site.docs[id], self.target)
                .unwrap_or_default()
        });
        let mut refs = Map::new();
        for (field, ids) in &doc.refs {
            refs.insert(
                field.clone(),
                Json::Array(ids.iter().map(|&id| self.item_of(id)).collect()),
            );
        }
        let mut referrers: BTreeMap<String, Vec<Json>> = BTreeMap::new();
        for &id in doc
            .referrers
            .iter()
            .filter(|&&id| site.is_published(&site.docs[id]))
        {
            let other = &site.docs[id];
            referrers
                .entry(site.collection_of(other).name.clone())
                .or_default()
                .push(self.item_of(id));
        }
        let (prev, next) = self.neighbours.get(&doc.id).copied().unwrap_or_default();
        let coll = site.collection_of(doc);
        let obj = page.as_object_mut().expect("an item is an object");
        obj.insert("content".into(), json!(html));
        obj.insert("toc".into(), json!(doc.body.toc));
        obj.insert("word_count".into(), json!(doc.body.word_count));
        obj.insert(
            "reading_minutes".into(),
            json!(doc.body.word_count.div_ceil(200).max(1)),
        );
        obj.insert("refs".into(), Json::Object(refs));
        obj.insert("referrers".into(), json!(referrers));
        obj.insert("previous".into(), json!(prev.map(|id| self.item_of(id))));
        obj.insert("next".into(), json!(next.map(|id| self.item_of(id))));
        obj.insert(
            "source".into(),
            json!(doc.source.to_string_lossy().replace('\\', "/")),
        );
        obj.insert("aliases".into(), json!(doc.meta.aliases));
        obj.insert("related".into(), json!(self.related(doc)));
        obj.insert(
            "last_updated".into(),
            json!(doc.last_updated.map(|d| d.to_string())),
        );
        obj.insert("edit_url".into(), json!(site.edit_url(doc)));
        let attachments: Vec<Json> = match doc.meta.get("attachments") {
            Some(Value::List(files)) => files
                .iter()
                .filter_map(|f| crate::markdown::resolve_path(&doc.path, f))
                .map(|p| {
                    let p = p.to_string_lossy().replace('\\', "/");
                    let name = p.rsplit('/').next().unwrap_or(&p).to_string();
                    json!({"name": name, "url": self.url(&p)})
                })
                .collect(),
            _ => Vec::new(),
        };
        obj.insert("attachments".into(), json!(attachments));
        obj.insert("section".into(), json!({"name": coll.name, "title": coll.title, "url": has_section(coll).then(|| self.url(&section_url(coll)))}));
        page
    }
}

/// A document as it appears in lists, with URLs as seen from `target`.
fn item(site: &Site, target: &Target, doc: &Document) -> Json {
    let coll = site.collection_of(doc);
    let base_path = target.base_path();
    let tags_tax = site
        .config
        .taxonomies
        .iter()
        .find(|t| t.field == "tags" && target.taxonomies.contains(&t.name));
    let tags: Vec<Json> = doc
        .meta
        .tags
        .iter()
        .map(|t| {
            let url =
                tags_tax.map(|tax| format!("{base_path}{}/{}/", tax.name, crate::text::slugify(t)));
            json!({"name": t, "url": url})
        })
        .collect();
    let mut fields = Map::new();
    for (name, value) in &doc.meta.fields {
        let field = coll.field(name);
        let v = match (value, field.and_then(|f| f.collection.as_deref())) {
            // References show as their documents' titles and URLs.
            (_, Some(_)) => {
                let ids = doc
                    .refs
                    .iter()
                    .find(|(f, _)| f == name)
                    .map(|(_, ids)| ids.as_slice())
                    .unwrap_or_default();
                Json::Array(ids.iter().map(|&id| {
                    let d = &site.docs[id];
                    json!({"title": d.meta.title, "slug": d.slug, "url": site.url_from(d, target)})
                }).collect())
            }
            (v, None) => serde_json::to_value(v).unwrap_or_default(),
        };
        fields.insert(name.clone(), v);
    }
    let terms: Map<String, Json> = site.config.taxonomies.iter()
        .filter(|t| t.field != "tags" && target.taxonomies.contains(&t.name))
        .filter_map(|t| {
            let values: Vec<&str> = match doc.meta.get(&t.field)? {
                Value::String(s) => vec![s.as_str()],
                Value::List(l) => l.iter().map(String::as_str).collect(),
                _ => return None,
            };
            Some((t.name.clone(), Json::Array(values.iter().map(|v| json!({"name": v, "url": format!("{base_path}{}/{}/", t.name, crate::text::slugify(v))})).collect())))
        })
        .collect();
    json!({
        "id": doc.id,
        "title": doc.meta.title,
        "summary": doc.summary,
        "description": doc.meta.summary,
        "date": doc.meta.date.map(|d| d.to_string()),
        "updated": doc.meta.updated.map(|d| d.to_string()),
        "weight": doc.meta.weight,
        "draft": doc.meta.draft,
        "slug": doc.slug,
        "collection": coll.name,
        "collection_title": coll.title,
        "url": site.url_from(doc, target),
        "permalink": site.permalink(doc),
        "external": !site.publishes(target, doc),
        "tags": tags,
        "terms": terms,
        "fields": fields,
    })
}
