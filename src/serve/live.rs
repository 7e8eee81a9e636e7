//! The live preview's model of one target: the site, its theme, the list items
//! of its documents and the plan of its output, kept between edits so that an
//! edit re-renders only the files it touches.
//!
//! Every update renders into memory first and writes only when all of it
//! succeeded, and only the files whose bytes changed; a failed update leaves
//! the model and the served files as they were.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rayon::prelude::*;

use crate::config::{Config, Target};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::load;
use crate::markdown::DocId;
use crate::output::Sink;
use crate::render::{self, Job, ListItem, Plan, TargetView, Theme};
use crate::site::Site;

/// How the preview builds its target.
#[derive(Clone, Debug)]
pub struct Settings {
    pub root: PathBuf,
    pub target: String,
    pub base_url: String,
    pub drafts: bool,
    /// Where the preview's files are written and served from.
    pub out: PathBuf,
}

/// What changed on disk, sorted out by the watcher.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Changes {
    /// Existing Markdown files that were modified (paths relative to `content/`).
    pub documents: BTreeSet<PathBuf>,
    /// Templates that changed, by file name below a `templates/` folder.
    pub templates: BTreeSet<String>,
    /// Static files or assets beside the content changed.
    pub statics: bool,
    /// site.toml changed, or content files appeared or went away: start again.
    pub everything: bool,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        *self == Changes::default()
    }
}

/// What an update did.
#[derive(Debug, Default)]
pub struct Update {
    /// Output files rendered.
    pub rendered: usize,
    /// Output files whose bytes changed (written or removed).
    pub changed: Vec<String>,
}

/// A plan's pages: output file → (its URL, the job that renders it).
type PlannedPages = BTreeMap<String, (String, Job)>;

pub struct Live {
    pub settings: Settings,
    site: Site,
    theme: Theme,
    items: Vec<Option<ListItem>>,
    plan: Plan,
    /// Each document's words for the search index, kept between edits: only
    /// the documents an edit changed are read again.
    vocabulary: crate::search::Vocabulary,
    words: HashMap<DocId, crate::search::DocWords>,
    /// Whether documents changed since the search index was last written.
    index_stale: bool,
    /// An update failed: part of it may have reached the model and not the
    /// files, or not the model at all (a good edit beside a broken one). The
    /// next update starts again from the files on disk.
    failed: bool,
    /// An update re-rendered what it worked out an edit touches, which is
    /// quick but hand-made: [`Live::settle`] re-renders everything when the
    /// preview is idle, so that the folder always ends up as a full build.
    unsettled: bool,
}

/// Collects rendered files in memory.
#[derive(Default)]
struct Memory(Mutex<Vec<(String, Vec<u8>)>>);

impl Sink for Memory {
    fn write(&self, rel: &str, bytes: &[u8]) -> std::io::Result<()> {
        self.0
            .lock()
            .expect("not poisoned")
            .push((rel.to_string(), bytes.to_vec()));
        Ok(())
    }
    fn copy(&self, from: &Path, rel: &str) -> std::io::Result<()> {
        let bytes = std::fs::read(from)?;
        self.write(rel, &bytes)
    }
}

fn target_of<'a>(site: &'a Site, name: &str) -> &'a Target {
    site.config
        .target(name)
        .expect("the target was checked when the preview started")
}

impl Live {
    /// Loads and renders the whole target, writing what differs from what `out` holds.
    pub fn start(settings: Settings) -> Result<(Live, Update), Diagnostics> {
        let mut config = Config::load(&settings.root)?;
        // site.toml may have changed since the preview started.
        config.target_named(&settings.target)?;
        let t = config
            .targets
            .iter_mut()
            .find(|t| t.name == settings.target)
            .expect("checked just above");
        t.base_url = settings.base_url.clone();
        t.output = settings.out.clone();
        let site = load::load(config, settings.drafts)?;
        let target = target_of(&site, &settings.target);
        let theme = Theme::load(&site, target)?;
        let view = TargetView::new(&site, target, &theme);
        let plan = render::plan(&site, target, &view)?;
        let memory = Memory::default();
        let hidden = indicatif::ProgressBar::hidden();
        render::render_jobs(&view, &plan.pages, &memory, &hidden)?;
        render::copy_statics(&plan.statics, &memory)?;
        let items = view.items.into_owned();
        let live = Live {
            settings,
            site,
            theme,
            items,
            plan,
            vocabulary: Default::default(),
            words: HashMap::new(),
            index_stale: true,
            failed: false,
            unsettled: false,
        };
        let mut update = live.write(memory)?;
        // Files a previous session left that this plan does not make; the
        // search index cleans up after itself when it is written.
        let keep: HashSet<&String> = live
            .plan
            .pages
            .keys()
            .chain(live.plan.statics.keys())
            .collect();
        update
            .changed
            .extend(live.remove_all_but(&keep, |rel| rel.starts_with("search/")));
        Ok((live, update))
    }

    pub fn site(&self) -> &Site {
        &self.site
    }

    /// Writes the search index (recomputed from every document's words, since
    /// BM25 statistics are global; only changed documents are read again),
    /// touching only the files whose bytes changed.
    pub fn index_stale(&self) -> bool {
        self.index_stale
    }

    pub fn write_search_index(&mut self) -> Result<Update, Diagnostics> {
        let target = target_of(&self.site, &self.settings.target);
        let docs: Vec<&crate::site::Document> = self.site.docs_of(target).collect();
        let unread: Vec<&crate::site::Document> = docs
            .iter()
            .filter(|d| !self.words.contains_key(&d.id))
            .copied()
            .collect();
        let read = crate::search::tokenize(&unread, &mut self.vocabulary);
        for (doc, words) in unread.iter().zip(read) {
            self.words.insert(doc.id, words);
        }
        let words: Vec<&crate::search::DocWords> =
            docs.iter().map(|d| &self.words[&d.id]).collect();
        let analyzed = crate::search::index_words(
            docs.iter().map(|d| d.id).collect(),
            &words,
            &self.vocabulary,
        );
        let memory = Memory::default();
        crate::search::static_index::write_analyzed(&self.site, target, &analyzed, &memory)
            .map_err(|e| Diagnostic::error("io", format!("cannot write the search index: {e}")))?;
        let index: Vec<String> = memory
            .0
            .lock()
            .expect("not poisoned")
            .iter()
            .map(|(rel, _)| rel.clone())
            .collect();
        let mut update = self.write(memory)?;
        // Shards of an earlier index that this one does not have.
        let keep: HashSet<&String> = index
            .iter()
            .chain(self.plan.pages.keys())
            .chain(self.plan.statics.keys())
            .collect();
        update
            .changed
            .extend(self.remove_all_but(&keep, |rel| !rel.starts_with("search/")));
        self.index_stale = false;
        Ok(update)
    }

    /// Applies `changes`: re-reads what changed, re-renders what depends on it.
    /// After a failed update, or when site.toml, a theme or the set of pages
    /// changed, the whole target is loaded and rendered again (writing only
    /// the files whose bytes changed).
    pub fn apply(&mut self, changes: &Changes) -> Result<Update, Diagnostics> {
        if changes.everything || self.failed {
            // Until a start succeeds, the model is behind the files on disk.
            self.failed = true;
            let (live, update) = Live::start(self.settings.clone())?;
            *self = live;
            return Ok(update);
        }
        let result = self.apply_incrementally(changes);
        // Whatever part of the update reached the model, the next one starts afresh.
        self.failed = result.is_err();
        result
    }

    fn apply_incrementally(&mut self, changes: &Changes) -> Result<Update, Diagnostics> {
        let mut jobs = BTreeSet::new();
        let mut removed = BTreeSet::new();
        let mut statics = changes.statics;
        if !changes.templates.is_empty() {
            let theme = Theme::load(&self.site, target_of(&self.site, &self.settings.target))?;
            self.theme = theme;
            let uses = self.theme.users_of(&changes.templates);
            let view = TargetView::with_items(
                &self.site,
                target_of(&self.site, &self.settings.target),
                &self.theme,
                &self.items[..],
            );
            for (file, (_, job)) in &self.plan.pages {
                if uses.contains(job.template(&self.site, &view)) {
                    jobs.insert(file.clone());
                }
            }
            statics = true;
            // Which templates use which is read from their text, which a
            // template can hide (a name made at render time).
            self.unsettled = true;
        }
        if !changes.documents.is_empty() {
            let (files, old) = self.apply_documents(&changes.documents)?;
            self.index_stale = true;
            jobs.extend(files);
            if let Some(old) = old {
                removed.extend(old.into_keys().filter(|f| !self.plan.pages.contains_key(f)));
            }
        }
        if statics {
            // Static files may have appeared or gone: list them again.
            let old = self.replan()?;
            removed.extend(
                old.into_keys()
                    .filter(|f| !self.plan.statics.contains_key(f)),
            );
        }
        removed.retain(|f| !self.plan.pages.contains_key(f) && !self.plan.statics.contains_key(f));
        let mut update = self.render(&jobs, statics)?;
        for file in removed {
            if std::fs::remove_file(self.settings.out.join(&file)).is_ok() {
                update.changed.push(file);
            }
        }
        Ok(update)
    }

    /// Plans the target again; returns the static files of the plan before.
    fn replan(&mut self) -> Result<BTreeMap<String, PathBuf>, Diagnostics> {
        let target = target_of(&self.site, &self.settings.target);
        let view = TargetView::with_items(&self.site, target, &self.theme, &self.items[..]);
        let plan = render::plan(&self.site, target, &view)?;
        Ok(std::mem::replace(&mut self.plan, plan).statics)
    }

    /// Whether an update since the last [`Live::settle`] took a short cut.
    pub fn unsettled(&self) -> bool {
        self.unsettled
    }

    /// Renders every file of the target again from the model as it is, and
    /// writes (and removes) what differs: whatever an update's short cut
    /// missed is caught here. Works in slices and stops as soon as `stop`
    /// says an edit is waiting, leaving the work for the next idle moment;
    /// `Ok(None)` then.
    pub fn settle(&mut self, stop: &dyn Fn() -> bool) -> Result<Option<Update>, Diagnostics> {
        const SLICE: usize = 256;
        let result = self.settle_slices(SLICE, stop);
        match &result {
            Ok(Some(_)) => self.unsettled = false,
            Ok(None) => {}
            Err(_) => {
                self.unsettled = false;
                self.failed = true;
            }
        }
        result
    }

    fn settle_slices(
        &mut self,
        slice: usize,
        stop: &dyn Fn() -> bool,
    ) -> Result<Option<Update>, Diagnostics> {
        let target = target_of(&self.site, &self.settings.target);
        // List items too are made afresh: an edit may change another document's.
        let view = TargetView::new(&self.site, target, &self.theme);
        let plan = render::plan(&self.site, target, &view)?;
        let jobs: Vec<(&String, &(String, Job))> = plan.pages.iter().collect();
        let mut update = Update::default();
        for chunk in jobs.chunks(slice) {
            if stop() {
                return Ok(None);
            }
            let memory = Memory::default();
            render::render_jobs(
                &view,
                chunk.to_vec(),
                &memory,
                &indicatif::ProgressBar::hidden(),
            )?;
            let u = self.write(memory)?;
            update.rendered += u.rendered;
            update.changed.extend(u.changed);
        }
        let memory = Memory::default();
        render::copy_statics(&plan.statics, &memory)?;
        let u = self.write(memory)?;
        update.rendered += u.rendered;
        update.changed.extend(u.changed);
        let keep: HashSet<&String> = plan.pages.keys().chain(plan.statics.keys()).collect();
        update
            .changed
            .extend(self.remove_all_but(&keep, |rel| rel.starts_with("search/")));
        let items = view.items.into_owned();
        self.items = items;
        self.plan = plan;
        Ok(Some(update))
    }

    /// Removes the files of the output folder that are not in `keep` and that
    /// `spare` does not spare; returns them.
    fn remove_all_but(&self, keep: &HashSet<&String>, spare: impl Fn(&str) -> bool) -> Vec<String> {
        let mut removed = Vec::new();
        for entry in walkdir::WalkDir::new(&self.settings.out)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
        {
            let rel = entry
                .path()
                .strip_prefix(&self.settings.out)
                .unwrap_or(entry.path())
                .to_string_lossy()
                .replace('\\', "/");
            if !keep.contains(&rel)
                && rel != crate::output::MARKER
                && !spare(&rel)
                && std::fs::remove_file(entry.path()).is_ok()
            {
                removed.push(rel);
            }
        }
        removed
    }

    /// Swaps in the new versions of `paths` and works out which output files
    /// they affect. Returns those files and, when the plan changed, the plan before.
    fn apply_documents(
        &mut self,
        paths: &BTreeSet<PathBuf>,
    ) -> Result<(BTreeSet<String>, Option<PlannedPages>), Diagnostics> {
        let mut fresh = Vec::new();
        let mut problems = Diagnostics::new();
        for p in paths {
            match load::reload_doc(&self.site, p) {
                Ok(doc) => fresh.push(doc),
                Err(e) => problems.extend(e.into_sorted()),
            }
        }
        if problems.has_errors() {
            return Err(problems);
        }
        let target_name = self.settings.target.clone();
        let ids: Vec<DocId> = fresh.iter().map(|d| d.id).collect();
        for id in &ids {
            self.words.remove(id);
        }

        // The common case: only the text changed. Nothing another page shows
        // (title, summary, URL, dates, tags, references) is different, so only
        // the pages themselves are rendered again.
        let same_outside = fresh.iter().all(|d| {
            let old = &self.site.docs[d.id];
            d.meta == old.meta && d.url == old.url && d.summary == old.summary
        });
        if same_outside {
            let mut old_docs = Vec::new();
            for mut doc in fresh {
                let id = doc.id;
                let old = &mut self.site.docs[id];
                doc.refs = std::mem::take(&mut old.refs);
                doc.referrers = std::mem::take(&mut old.referrers);
                old_docs.push(std::mem::replace(old, doc));
            }
            let problems = load::relink_bodies(&self.site, &ids);
            if problems.has_errors() {
                for mut old in old_docs {
                    let id = old.id;
                    let now = &mut self.site.docs[id];
                    old.refs = std::mem::take(&mut now.refs);
                    old.referrers = std::mem::take(&mut now.referrers);
                    self.site.docs[id] = old;
                }
                return Err(problems);
            }
            let files = self
                .plan
                .pages
                .iter()
                .filter(|(_, (_, job))| matches!(job, Job::Doc(id) if ids.contains(id)))
                .map(|(f, _)| f.clone())
                .collect();
            return Ok((files, None));
        }
        // What other pages show of these documents changed: the pages worked
        // out below are rendered now, and every page once the preview is idle.
        self.unsettled = true;
        // Who is near the changed documents before the change.
        let mut touched: HashSet<DocId> = ids.iter().copied().collect();
        let mut old_terms: Vec<(String, String)> = Vec::new();
        touched.extend(self.related(&ids));
        for &id in &ids {
            old_terms.extend(self.terms_of(id));
        }
        let positions = |site: &Site| -> HashMap<DocId, (usize, usize)> {
            let target = target_of(site, &target_name);
            let mut at = HashMap::new();
            for (c, (_, list)) in TargetView::sections(site, target).iter().enumerate() {
                for (pos, id) in list.iter().enumerate() {
                    if ids.contains(id) {
                        at.insert(*id, (c, pos));
                    }
                }
            }
            at
        };
        let old_positions = positions(&self.site);
        let mut old_docs = Vec::new();
        for doc in fresh {
            let id = doc.id;
            old_docs.push(std::mem::replace(&mut self.site.docs[id], doc));
        }
        let problems = load::relink(&mut self.site);
        if problems.has_errors() {
            for old in old_docs {
                let id = old.id;
                self.site.docs[id] = old;
            }
            let _ = load::relink(&mut self.site);
            return Err(problems);
        }
        // And after it.
        touched.extend(self.related(&ids));
        // List items: the changed documents', and those that show their titles.
        let target = target_of(&self.site, &target_name);
        let remake: Vec<DocId> = touched.iter().copied().collect();
        let made: Vec<(DocId, Option<ListItem>)> = remake
            .par_iter()
            .map(|&id| (id, TargetView::item_for(&self.site, target, id)))
            .collect();
        // Documents whose list item changed because of this edit (a guide shows
        // its workstream's title): the list and term pages that show them too.
        let mut reshown: Vec<DocId> = Vec::new();
        for (id, item) in made {
            if !ids.contains(&id) && self.items[id] != item {
                reshown.push(id);
            }
            self.items[id] = item;
        }
        let view = TargetView::with_items(&self.site, target, &self.theme, &self.items[..]);
        let old_term_set: HashSet<(String, String)> = old_terms.into_iter().collect();
        let new_term_set: HashSet<(String, String)> =
            ids.iter().flat_map(|&id| self.terms_of(id)).collect();
        // The list of output files changes only with URLs, aliases, drafts and terms.
        let same_files = old_term_set == new_term_set
            && old_docs.iter().all(|old| {
                let new = &self.site.docs[old.id];
                new.url == old.url
                    && new.meta.aliases == old.meta.aliases
                    && new.meta.draft == old.meta.draft
            });
        let old_plan = if same_files {
            None
        } else {
            let new_plan = render::plan(&self.site, target, &view)?;
            Some(std::mem::replace(&mut self.plan, new_plan))
        };
        let mut terms: HashSet<(String, String)> =
            old_term_set.union(&new_term_set).cloned().collect();
        for &id in &reshown {
            terms.extend(self.terms_of(id));
        }

        // List pages: those from where each document was to where it is now (the
        // pages between show shifted items); to the end when it came or went.
        let new_positions = positions(&self.site);
        let mut list_pages: HashSet<(usize, usize)> = HashSet::new();
        for id in &ids {
            let (old, new) = (old_positions.get(id), new_positions.get(id));
            let Some(&(coll, _)) = old.or(new) else {
                continue;
            };
            let per_page = view.sections[coll].0.paginate_by;
            let len = view.sections[coll].1.len() + 1;
            let (from, to) = match (old, new) {
                (Some(&(_, a)), Some(&(_, b))) => (a.min(b), a.max(b)),
                (Some(&(_, a)), None) | (None, Some(&(_, a))) => (a, len),
                (None, None) => continue,
            };
            for page in from / per_page..=to / per_page {
                list_pages.insert((coll, page));
            }
        }
        if !reshown.is_empty() {
            for (c, (coll, list)) in view.sections.iter().enumerate() {
                for (pos, id) in list.iter().enumerate() {
                    if reshown.contains(id) {
                        list_pages.insert((c, pos / coll.paginate_by));
                    }
                }
            }
        }
        let mut files = BTreeSet::new();
        for (file, (_, job)) in &self.plan.pages {
            let hit = match job {
                Job::Doc(id) | Job::Alias { to: id } => touched.contains(id),
                Job::Section { coll, page } => list_pages.contains(&(*coll, *page)),
                Job::Term { tax, slug, .. } => terms.contains(&(tax.clone(), slug.clone())),
                Job::TaxonomyIndex(_) | Job::Home | Job::Sitemap | Job::Feed => true,
                Job::NotFound | Job::Search | Job::Robots => false,
            };
            let new_file = old_plan
                .as_ref()
                .is_some_and(|old| !old.pages.contains_key(file));
            if hit || new_file {
                files.insert(file.clone());
            }
        }
        Ok((files, old_plan.map(|p| p.pages)))
    }

    /// Documents whose pages show something of `ids`: those they link to or refer
    /// to and those that link or refer to them, and their neighbours in lists.
    fn related(&self, ids: &[DocId]) -> Vec<DocId> {
        let site = &self.site;
        let target = target_of(site, &self.settings.target);
        let index = render::related_index(site, target);
        let sections = TargetView::sections(site, target);
        let mut out = Vec::new();
        for &id in ids {
            let doc = &site.docs[id];
            out.extend(doc.refs.iter().flat_map(|(_, ids)| ids.iter().copied()));
            out.extend(doc.referrers.iter().copied());
            out.extend(
                site.docs
                    .iter()
                    .filter(|d| d.body.links.iter().any(|l| l.doc == id))
                    .map(|d| d.id),
            );
            // Pages whose related content may show it: its neighbours in each list it
            // shares, one place further than a page looks, since adding or removing
            // this page in a list moves the edge of its neighbours' windows.
            if site.publishes(target, doc) {
                out.extend(
                    render::related_candidates(&index, doc, render::RELATED_WINDOW + 1)
                        .into_iter()
                        .map(|(d, _)| d),
                );
            }
            // Neighbours: the documents just before and after it in its collection's order.
            for (_, list) in &sections {
                if let Some(i) = list.iter().position(|&d| d == id) {
                    out.extend(i.checked_sub(1).map(|p| list[p]));
                    out.extend(list.get(i + 1).copied());
                }
            }
        }
        out
    }

    /// (taxonomy, term slug) of every term `id` carries.
    fn terms_of(&self, id: DocId) -> Vec<(String, String)> {
        self.site
            .taxonomies
            .iter()
            .flat_map(|(tax, terms)| {
                terms
                    .terms
                    .iter()
                    .filter(|(_, (_, ids))| ids.contains(&id))
                    .map(move |(slug, _)| (tax.clone(), slug.clone()))
            })
            .collect()
    }

    /// Renders `files` of the plan (and the static files, if asked) and writes what changed.
    fn render(&self, files: &BTreeSet<String>, statics: bool) -> Result<Update, Diagnostics> {
        let target = target_of(&self.site, &self.settings.target);
        let view = TargetView::with_items(&self.site, target, &self.theme, &self.items[..]);
        let jobs: Vec<(&String, &(String, Job))> = self
            .plan
            .pages
            .iter()
            .filter(|(f, _)| files.contains(*f))
            .collect();
        let memory = Memory::default();
        render::render_jobs(&view, jobs, &memory, &indicatif::ProgressBar::hidden())?;
        if statics {
            render::copy_statics(&self.plan.statics, &memory)?;
        }
        let rendered = files.len();
        let mut update = self.write(memory)?;
        update.rendered = rendered;
        Ok(update)
    }

    /// Writes the files in `memory` whose bytes differ from those on disk.
    fn write(&self, memory: Memory) -> Result<Update, Diagnostics> {
        let files = memory.0.into_inner().expect("not poisoned");
        let rendered = files.len();
        let changed: Vec<Result<Option<String>, Diagnostic>> = files
            .into_par_iter()
            .map(|(rel, bytes)| {
                let path = self.settings.out.join(&rel);
                if std::fs::read(&path).is_ok_and(|old| old == bytes) {
                    return Ok(None);
                }
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent).map_err(|e| {
                        Diagnostic::error("io", format!("{}: {e}", parent.display()))
                    })?;
                }
                std::fs::write(&path, bytes)
                    .map_err(|e| Diagnostic::error("io", format!("{}: {e}", path.display())))?;
                Ok(Some(rel))
            })
            .collect();
        let mut update = Update {
            rendered,
            changed: Vec::new(),
        };
        let mut problems = Diagnostics::new();
        for c in changed {
            match c {
                Ok(Some(rel)) => update.changed.push(rel),
                Ok(None) => {}
                Err(d) => problems.push(d),
            }
        }
        if problems.has_errors() {
            return Err(problems);
        }
        update.changed.sort();
        Ok(update)
    }
}
