//! Renders one target of a [`Site`] with tera into a staging folder: the
//! theme (`theme`), the plan of every output file ([`plan`]), the context
//! each template gets ([`context`], whose types are the theme API), related
//! content (`related`) and what a page says about itself to search engines
//! and link previews (`seo`).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, OnceLock};

use rayon::prelude::*;

use crate::config::{Collection, SortBy, Target};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::output::Sink;
use crate::site::DocId;
use crate::site::Site;
use crate::timings::Timings;

pub mod context;
mod fragments;
mod key;
mod plan;
mod reads;
mod related;
mod seo;
mod theme;
#[cfg(test)]
mod themes_doc;

pub use context::ListItem;
pub use plan::{plan, Job, Plan, Source};
pub use reads::{Changed, ListKey, Reads, ReadsByFile, Span};
pub use related::{reindex, related_index, related_keys, RelatedIndex, RelatedKey};
pub use seo::Meta;
pub use theme::Theme;

/// What a target's pages are made from, computed once per target.
pub struct TargetView<'a> {
    site: &'a Site,
    target: &'a Target,
    theme: &'a Theme,
    /// For each document this target publishes: its list item.
    pub items: std::borrow::Cow<'a, [Option<Arc<ListItem>>]>,
    /// Per published collection, its documents in list order.
    pub sections: Vec<(&'a Collection, Vec<DocId>)>,
    /// For each document: previous and next in its collection's order.
    neighbours: HashMap<DocId, (Option<DocId>, Option<DocId>)>,
    /// The `site` value every template gets.
    site_context: context::SiteContext<'a>,
    /// The site's language as an Open Graph locale (`en_GB`).
    locale: String,
    /// The target as a schema.org `WebSite`, in JSON: the first member of
    /// every page's JSON-LD graph.
    website_ld: String,
    /// Documents by what they share (a tag, a referenced document), made when
    /// first needed unless given.
    related_index: OnceLock<Arc<RelatedIndex>>,
    /// Each term's documents in list order, once a page has asked for them.
    term_lists: Mutex<TermLists>,
    /// Every list item a page can show (those of documents this target does
    /// not publish, linking to the target that does, made once a page lists
    /// them), and their HTML as the theme's `item` macro renders it, made once.
    fragments: Arc<fragments::Fragments>,
}

/// Term lists by taxonomy and term slug (see [`TargetView::term_list`]).
type TermLists = HashMap<(String, String), Arc<[DocId]>>;

/// Renders `jobs` (output file, URL, job) into `out`.
pub fn render_jobs<'j>(
    view: &TargetView,
    jobs: impl IntoParallelIterator<Item = (&'j String, &'j (String, Job))>,
    out: &dyn Sink,
    progress: &indicatif::ProgressBar,
) -> Result<(), Diagnostics> {
    render_all(view, jobs, out, progress, false).map(drop)
}

/// As [`render_jobs`], and returns what each output file read of the site
/// (documents, lists, terms, templates), for working out which files an edit touches.
pub fn render_jobs_reading<'j>(
    view: &TargetView,
    jobs: impl IntoParallelIterator<Item = (&'j String, &'j (String, Job))>,
    out: &dyn Sink,
    progress: &indicatif::ProgressBar,
) -> Result<ReadsByFile, Diagnostics> {
    render_all(view, jobs, out, progress, true).map(|r| r.into_iter().collect())
}

fn render_all<'j>(
    view: &TargetView,
    jobs: impl IntoParallelIterator<Item = (&'j String, &'j (String, Job))>,
    out: &dyn Sink,
    progress: &indicatif::ProgressBar,
    record: bool,
) -> Result<Vec<(String, Reads)>, Diagnostics> {
    let results: Vec<Result<(String, Reads), Diagnostic>> = jobs
        .into_par_iter()
        .map(|(file, (url, job))| {
            progress.inc(1);
            // A page an earlier build made from the same key is kept as it is.
            let keep = |key: u128| out.keep_page(file, key);
            let kept: Option<&(dyn Fn(u128) -> bool + Sync)> = out.keeps_pages().then_some(&keep);
            let (made, mut reads) = view.render(url, job, kept)?;
            if let Some((html, key)) = made {
                out.write_page(file, html.as_bytes(), key)
                    .map_err(|e| Diagnostic::cannot_write(file, &e))?;
            }
            if record {
                reads.templates = view.theme.templates_read(job.template(view.site, view));
            }
            Ok((file.clone(), reads))
        })
        .collect();
    let mut done = Vec::with_capacity(results.len());
    let mut problems = Vec::new();
    for r in results {
        match r {
            Ok(r) => done.push(r),
            Err(d) => problems.push(d),
        }
    }
    if problems.is_empty() {
        Ok(done)
    } else {
        Err(problems.into())
    }
}

/// Copies or writes `files` (output path → source) into `out`.
pub fn copy_statics(files: &BTreeMap<String, Source>, out: &dyn Sink) -> Result<(), Diagnostics> {
    let problems: Vec<Diagnostic> = files
        .par_iter()
        .filter_map(|(rel, from)| match from {
            Source::File(from) => out
                .copy(from, rel)
                .err()
                .map(|e| Diagnostic::cannot_copy(from, rel, &e)),
            Source::Bytes(bytes) => out
                .write(rel, bytes)
                .err()
                .map(|e| Diagnostic::cannot_write(rel, &e)),
            Source::Resized {
                root,
                content,
                variant,
            } => match crate::images::make(root, content, variant) {
                Ok(bytes) => out
                    .write(rel, &bytes)
                    .err()
                    .map(|e| Diagnostic::cannot_write(rel, &e)),
                Err(d) => Some(d),
            },
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
    /// How many pages a reader can visit (see [`Job::is_page`]).
    pub pages: usize,
    /// How many files were written or copied, the search index aside.
    pub files: usize,
}

/// Renders every page of `target` and copies its static files into `out`.
pub fn render_target(
    site: &Site,
    target: &Target,
    out: &dyn Sink,
    progress: &indicatif::ProgressBar,
    timings: &Timings,
) -> Result<Rendered, Diagnostics> {
    let name = Some(target.name.as_str());
    let start = std::time::Instant::now();
    let theme = Theme::load(site, target)?;
    let view = TargetView::new(site, target, &theme);
    let plan = plan(site, target, &view)?;
    timings.record("plan", name, start.elapsed());
    progress.set_length((plan.pages.len() + plan.statics.len()) as u64);
    // The static files first: resizing a picture needs its pixels in memory
    // for a moment, which then adds to the least the build holds, not to
    // what rendering the pages holds at its end.
    timings.time("files", name, || copy_statics(&plan.statics, out))?;
    timings.time("pages", name, || {
        render_jobs(&view, &plan.pages, out, progress)
    })?;
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
        let items: Vec<Option<Arc<ListItem>>> = (0..site.docs.len())
            .into_par_iter()
            .map(|id| Self::item_for(site, target, id))
            .collect();
        Self::with_items(site, target, theme, items)
    }

    /// The list item of document `id` as `target` shows it, or `None` when it does not publish it.
    pub fn item_for(site: &Site, target: &Target, id: DocId) -> Option<Arc<ListItem>> {
        let doc = &site.docs[id];
        site.publishes(target, doc)
            .then(|| Arc::new(ListItem::new(site, target, doc)))
    }

    /// As [`TargetView::new`], with the documents' list items already made
    /// (the live preview keeps them, and remakes only those an edit touches).
    pub fn with_items(
        site: &'a Site,
        target: &'a Target,
        theme: &'a Theme,
        items: impl Into<std::borrow::Cow<'a, [Option<Arc<ListItem>>]>>,
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
            // site.toml's targets name only collections it has (config::validate).
            let Some(idx) = site.config.collections.iter().position(|c| c.name == *name) else {
                continue;
            };
            let coll = &site.config.collections[idx];
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
}

impl<'a> TargetView<'a> {
    fn finish(
        site: &'a Site,
        target: &'a Target,
        theme: &'a Theme,
        items: std::borrow::Cow<'a, [Option<Arc<ListItem>>]>,
        sections: Vec<(&'a Collection, Vec<DocId>)>,
        neighbours: HashMap<DocId, (Option<DocId>, Option<DocId>)>,
    ) -> Self {
        let site_context = context::SiteContext::new(site, target, &sections);
        TargetView {
            site,
            target,
            theme,
            fragments: Arc::new(fragments::Fragments::new(
                items.to_vec(),
                // A site's context is plain data: it always serialises.
                serde_json::to_value(&site_context).unwrap_or_default(),
            )),
            items,
            sections,
            neighbours,
            site_context,
            locale: site.config.language.replace('-', "_"),
            website_ld: seo::website(target),
            related_index: OnceLock::new(),
            term_lists: Mutex::default(),
        }
    }

    /// Gives the view its related-content index, made beforehand (the live
    /// preview keeps one and updates it with each edit).
    #[must_use]
    pub fn with_related_index(self, index: Arc<RelatedIndex>) -> Self {
        let _ = self.related_index.set(index);
        self
    }

    /// The related-content index of the target, made now if not yet made or given.
    pub fn related_index(&self) -> &Arc<RelatedIndex> {
        self.related_index
            .get_or_init(|| Arc::new(related::related_index(self.site, self.target)))
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.target.base_path())
    }

    /// The URL of an address below a target's base that is not a document's:
    /// a collection's list page, or else the home page (the only other
    /// addresses a check lets through).
    fn address_url(&self, path: &str) -> String {
        self.site
            .config
            .collections
            .iter()
            .position(|c| crate::urls::has_section(c) && crate::urls::section_url(c) == path)
            .map_or_else(|| self.url(path), |coll| self.list_url(coll))
    }

    /// The URL of collection `coll`'s list page as linked from this target: a
    /// path on this site, or the absolute URL on the first target that lists it.
    fn list_url(&self, coll: usize) -> String {
        let c = &self.site.config.collections[coll];
        let path = crate::urls::section_url(c);
        if self.target.publishes(&c.name) {
            return self.url(&path);
        }
        self.site
            .config
            .targets
            .iter()
            .find(|t| t.publishes(&c.name))
            .map(|t| format!("{}{path}", t.base_url))
            .unwrap_or_default()
    }

    /// Renders the output file at `url` that `job` makes; returns it (with
    /// its key when `kept` is given) and what it read. Nothing is rendered
    /// when `kept` says the file made from its key is there already.
    #[allow(clippy::type_complexity)]
    fn render(
        &self,
        url: &str,
        job: &Job,
        kept: Option<&(dyn Fn(u128) -> bool + Sync)>,
    ) -> Result<(Option<(String, Option<u128>)>, Reads), Diagnostic> {
        let mut builder = match kept {
            Some(kept) => context::Builder::keeping(self, kept),
            None => context::Builder::new(self),
        };
        let made = builder.build_or_keep(url, job).map_err(|e| {
            Diagnostic::error(
                "template",
                format!("cannot make the context of /{url}: {e}"),
            )
        })?;
        let context::Made::Context(ctx, template, key) = made else {
            return Ok((None, builder.reads));
        };
        let html = fragments::rendering(&self.fragments, || self.theme.render(template, &ctx))?;
        Ok((Some((html, key)), builder.reads))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::output::Discard;

    /// The fixture site of the integration tests, loaded.
    pub(crate) fn fixture_site() -> Site {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/good");
        let config = crate::config::Config::load(&root).expect("the fixture's site.toml loads");
        crate::load::load(config, false).expect("the fixture loads")
    }

    /// What each output file of target `name` of the fixture read.
    fn reads_of(site: &Site, name: &str) -> ReadsByFile {
        let target = site.config.target(name).expect("the fixture has it");
        let theme = Theme::load(site, target).expect("its theme loads");
        let view = TargetView::new(site, target, &theme);
        let plan = plan(site, target, &view).expect("it plans");
        let hidden = indicatif::ProgressBar::hidden();
        let reads = render_jobs_reading(&view, &plan.pages, &Discard, &hidden).expect("it renders");
        assert_eq!(
            reads.keys().collect::<Vec<_>>(),
            plan.pages.keys().collect::<Vec<_>>(),
            "every output file has its reads"
        );
        reads
    }

    fn doc_id(site: &Site, path: &str) -> DocId {
        site.doc_at(std::path::Path::new(path))
            .expect("the fixture has it")
            .id
    }

    #[test]
    fn a_guide_reads_its_topic_and_the_templates_it_extends() {
        let site = fixture_site();
        let reads = reads_of(&site, "beta");
        let guide = &reads["guides/buying-energy/index.html"];
        assert!(guide
            .documents
            .contains(&doc_id(&site, "guides/buying-energy.md")));
        // Its `topic` reference shows the topic's list item; the topic is on another target.
        assert!(guide.items.contains(&doc_id(&site, "topics/energy.md")));
        for t in ["page.html", "base.html", "macros.html"] {
            assert!(guide.templates.contains(t), "{t} in {:?}", guide.templates);
        }
        assert!(!guide.templates.contains("term.html"));
        // Its previous and next come from the list of guides.
        assert!(guide
            .neighbours
            .contains(&doc_id(&site, "guides/buying-energy.md")));
        // Its related content weighs the documents that share its tags.
        assert!(guide.related.contains(&RelatedKey::Tag("energy".into())));
        assert!(guide.lists.is_empty() && !guide.dates);
    }

    #[test]
    fn lists_terms_and_redirects_read_what_they_show() {
        let site = fixture_site();
        let beta = reads_of(&site, "beta");
        let term = &beta["tags/energy/index.html"];
        let energy = ListKey::Term("tags".into(), "energy".into());
        assert_eq!(term.lists.keys().collect::<Vec<_>>(), [&energy]);
        assert!(term.lists[&energy].len);
        assert!(term
            .items
            .contains(&doc_id(&site, "guides/buying-energy.md")));
        assert!(term.documents.is_empty());
        assert!(term.templates.contains("term.html"));
        let list = &beta["guides/index.html"];
        let guides = &list.lists[&ListKey::Collection("guides".into())];
        assert_eq!((guides.from, guides.len), (0, true));
        let tags = &beta["tags/index.html"];
        assert_eq!(tags.lists[&energy], Span::len());
        assert!(tags.taxonomies.contains("tags"));
        assert!(beta["sitemap.xml"].dates && beta["atom.xml"].dates);

        let alpha = reads_of(&site, "alpha");
        let alias = &alpha["old-energy/index.html"];
        assert_eq!(
            alias.items.iter().collect::<Vec<_>>(),
            [&doc_id(&site, "topics/energy.md")]
        );
        assert!(alias.templates.contains("alias.html"));
        // The second page of the topics (one a page) shows the second topic only.
        let page2 = &alpha["topics/page/2/index.html"];
        let topics = alpha_topics(&page2.lists);
        assert_eq!((topics.from, topics.to, topics.len), (1, 2, true));
        assert_eq!(page2.items.len(), 1);
        assert_eq!(
            alpha["404.html"],
            Reads {
                templates: alpha["404.html"].templates.clone(),
                ..Reads::default()
            }
        );
    }

    fn alpha_topics(lists: &BTreeMap<ListKey, Span>) -> Span {
        lists[&ListKey::Collection("topics".into())]
    }
}
