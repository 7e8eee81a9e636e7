//! The live preview's model of one target: the site, its theme, the list items
//! of its documents, the plan of its output and what each output file read,
//! kept between edits so that an edit re-renders exactly the files it touches.
//!
//! Every update makes the next model as a new value beside the current one
//! (the documents an edit did not change are shared between them), renders
//! into memory, and writes only when all of it succeeded, and only the files
//! whose bytes changed. A failed update is dropped: the model and the served
//! files stay as they were, and its changes are tried again with the next.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rayon::prelude::*;

use crate::config::{Config, Target};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::load;
use crate::output::Sink;
use crate::render::{
    self, Changed, Job, ListItem, Plan, ReadsByFile, RelatedIndex, TargetView, Theme,
};
use crate::site::DocId;
use crate::site::Site;

/// How the preview builds its target.
#[derive(Clone, Debug)]
pub struct Settings {
    /// The site's root folder.
    pub root: PathBuf,
    /// The name of the target previewed.
    pub target: String,
    /// The preview's own address, which replaces the target's base URL so
    /// that links stay on the preview.
    pub base_url: String,
    /// Whether drafts are rendered.
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
    /// Whether nothing changed that the preview must redo.
    pub fn is_empty(&self) -> bool {
        *self == Changes::default()
    }

    /// Adds `other`'s changes to these.
    fn merge(&mut self, other: &Changes) {
        self.documents.extend(other.documents.iter().cloned());
        self.templates.extend(other.templates.iter().cloned());
        self.statics |= other.statics;
        self.everything |= other.everything;
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

/// What the served files are made from. Cheap to clone: everything large is shared.
#[derive(Clone)]
struct Model {
    site: Site,
    theme: Arc<Theme>,
    /// Each document's list item, `None` where the target does not publish it.
    items: Vec<Option<Arc<ListItem>>>,
    related: Arc<RelatedIndex>,
    plan: Arc<Plan>,
}

impl Model {
    fn target(&self, name: &str) -> &Target {
        self.site
            .config
            .target(name)
            .expect("the target was checked when the preview started")
    }

    fn view(&self, name: &str) -> TargetView<'_> {
        TargetView::with_items(&self.site, self.target(name), &self.theme, &self.items[..])
            .with_related_index(self.related.clone())
    }
}

/// The next model, the files it rendered (in memory), what they read, and
/// the files of the current plan it no longer has.
struct Next {
    model: Model,
    memory: Memory,
    reads: ReadsByFile,
    removed: Vec<String>,
    /// Documents whose words for the search index must be read again.
    reread: Vec<DocId>,
}

/// The preview of one target, kept up to date edit by edit: the model its
/// served files are made from, and what each of them read.
pub struct Live {
    /// How it builds its target.
    pub settings: Settings,
    model: Model,
    /// What each output file read when it was last rendered.
    reads: ReadsByFile,
    /// Each document's words for the search index, kept between edits: only
    /// the documents an edit changed are read again.
    vocabulary: crate::search::Vocabulary,
    words: HashMap<DocId, crate::search::DocWords>,
    /// Whether documents changed since the search index was last written.
    index_stale: bool,
    /// The changes of updates that failed (a broken edit, perhaps beside a
    /// good one), applied again with the next update.
    pending: Changes,
    /// Writing the files failed part-way: the folder may be between two
    /// models, so the next update starts again from the files on disk.
    failed: bool,
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
        t.base_url.clone_from(&settings.base_url);
        t.output.clone_from(&settings.out);
        let site = load::load(config, settings.drafts)?;
        let target = site.config.target(&settings.target).expect("checked above");
        let theme = Theme::load(&site, target)?;
        let view = TargetView::new(&site, target, &theme);
        let plan = render::plan(&site, target, &view)?;
        let memory = Memory::default();
        let hidden = indicatif::ProgressBar::hidden();
        let reads = render::render_jobs_reading(&view, &plan.pages, &memory, &hidden)?;
        render::copy_statics(&plan.statics, &memory)?;
        let related = view.related_index().clone();
        let items = view.items.into_owned();
        let model = Model {
            site,
            theme: Arc::new(theme),
            items,
            related,
            plan: Arc::new(plan),
        };
        let live = Live {
            settings,
            model,
            reads,
            vocabulary: crate::search::Vocabulary::default(),
            words: HashMap::new(),
            index_stale: true,
            pending: Changes::default(),
            failed: false,
        };
        let mut update = live.write(memory)?;
        // Files a previous session left that this plan does not make; the
        // search index cleans up after itself when it is written.
        let plan = &live.model.plan;
        let keep: HashSet<&String> = plan.pages.keys().chain(plan.statics.keys()).collect();
        update
            .changed
            .extend(live.remove_all_but(&keep, |rel| rel.starts_with("search/")));
        Ok((live, update))
    }

    /// The site as the served files show it.
    pub fn site(&self) -> &Site {
        &self.model.site
    }

    /// Whether documents changed since the search index was last written.
    pub fn index_stale(&self) -> bool {
        self.index_stale
    }

    /// Writes the search index (recomputed from every document's words, since
    /// BM25 statistics are global; only changed documents are read again),
    /// touching only the files whose bytes changed.
    pub fn write_search_index(&mut self) -> Result<Update, Diagnostics> {
        let site = &self.model.site;
        let target = self.model.target(&self.settings.target);
        let docs = crate::search::searched_docs(site, target);
        let unread: Vec<&crate::site::Document> = docs
            .iter()
            .filter(|d| !self.words.contains_key(&d.id))
            .copied()
            .collect();
        let read = crate::search::tokenize(site, &unread, &mut self.vocabulary);
        for (doc, words) in unread.iter().zip(read) {
            self.words.insert(doc.id, words);
        }
        let words: Vec<&crate::search::DocWords> =
            docs.iter().map(|d| &self.words[&d.id]).collect();
        let analyzed = crate::search::index_words(
            docs.iter().map(|d| d.id).collect(),
            words,
            &self.vocabulary,
        );
        let memory = Memory::default();
        crate::search::static_index::write_analyzed(site, target, analyzed, &memory)
            .map_err(|e| Diagnostic::cannot_write("the search index", &e))?;
        let index: Vec<String> = memory
            .0
            .lock()
            .expect("not poisoned")
            .iter()
            .map(|(rel, _)| rel.clone())
            .collect();
        let mut update = self.write(memory)?;
        // Shards of an earlier index that this one does not have.
        let plan = &self.model.plan;
        let keep: HashSet<&String> = index
            .iter()
            .chain(plan.pages.keys())
            .chain(plan.statics.keys())
            .collect();
        update
            .changed
            .extend(self.remove_all_but(&keep, |rel| !rel.starts_with("search/")));
        self.index_stale = false;
        Ok(update)
    }

    /// Applies `changes` (with those of updates that failed since the last
    /// one that succeeded): re-reads what changed and re-renders the files
    /// that read any of it. When site.toml or the set of content files
    /// changed, or writing failed before, the whole target is loaded and
    /// rendered again (writing only the files whose bytes changed).
    pub fn apply(&mut self, changes: &Changes) -> Result<Update, Diagnostics> {
        let mut all = std::mem::take(&mut self.pending);
        all.merge(changes);
        if all.everything || self.failed {
            // Until a start succeeds, the model is behind the files on disk.
            self.failed = true;
            let (live, update) = Live::start(self.settings.clone())?;
            *self = live;
            return Ok(update);
        }
        let next = match self.next(&all) {
            Ok(next) => next,
            Err(problems) => {
                self.pending = all;
                return Err(problems);
            }
        };
        let rendered = next.reads.len();
        let written = self.write(next.memory);
        let mut update = match written {
            Ok(update) => update,
            Err(problems) => {
                self.failed = true;
                return Err(problems);
            }
        };
        update.rendered = rendered;
        for file in next.removed {
            self.reads.remove(&file);
            if std::fs::remove_file(self.settings.out.join(&file)).is_ok() {
                update.changed.push(file);
            }
        }
        self.reads.extend(next.reads);
        for id in &next.reread {
            self.words.remove(id);
        }
        self.index_stale |= !next.reread.is_empty();
        self.model = next.model;
        Ok(update)
    }

    /// The model after `changes`, and the files it renders differently.
    fn next(&self, changes: &Changes) -> Result<Next, Diagnostics> {
        let name = &self.settings.target;
        let mut model = self.model.clone();
        let mut templates = HashSet::new();
        if !changes.templates.is_empty() {
            let theme = Theme::load(&model.site, model.target(name))?;
            templates = theme.users_of(&changes.templates);
            model.theme = Arc::new(theme);
        }
        let (reread, relinked) = self.next_documents(&mut model, &changes.documents)?;
        // The list of output files changes only with URLs, aliases, drafts and
        // terms (which a relink follows), the static files and the theme.
        let replan = relinked || changes.statics || !changes.templates.is_empty();
        let new_plan = if replan {
            let view = model.view(name);
            Some(Arc::new(render::plan(
                &model.site,
                model.target(name),
                &view,
            )?))
        } else {
            None
        };
        if let Some(plan) = new_plan {
            model.plan = plan;
        }
        let view = model.view(name);
        let mut changed = Changed::between(&self.model.view(name), &view);
        changed.templates = templates;
        let plan = &model.plan;
        let old_plan = &self.model.plan;
        let removed: Vec<String> = old_plan
            .pages
            .keys()
            .chain(old_plan.statics.keys())
            .filter(|f| !plan.pages.contains_key(*f) && !plan.statics.contains_key(*f))
            .cloned()
            .collect();
        let jobs: Vec<(&String, &(String, Job))> = plan
            .pages
            .iter()
            .filter(|(file, _)| self.reads.get(*file).is_none_or(|r| r.touched_by(&changed)))
            .collect();
        let memory = Memory::default();
        let hidden = indicatif::ProgressBar::hidden();
        let reads = render::render_jobs_reading(&view, jobs, &memory, &hidden)?;
        if changes.statics {
            render::copy_statics(&plan.statics, &memory)?;
        }
        drop(view);
        Ok(Next {
            model,
            memory,
            reads,
            removed,
            reread,
        })
    }

    /// Puts the documents at `paths` as they are on disk now into `model`,
    /// with their links to and from others, list items and related keys.
    /// Returns the documents that changed, and whether the links between
    /// documents were worked out again (see [`load::same_links`]).
    fn next_documents(
        &self,
        model: &mut Model,
        paths: &BTreeSet<PathBuf>,
    ) -> Result<(Vec<DocId>, bool), Diagnostics> {
        if paths.is_empty() {
            return Ok((Vec::new(), false));
        }
        let mut fresh = Vec::new();
        let mut problems = Diagnostics::new();
        for p in paths {
            match load::reload_doc(&model.site, p) {
                Ok(doc) => fresh.push(doc),
                Err(e) => problems.extend(e.into_sorted()),
            }
        }
        if problems.has_errors() {
            return Err(problems);
        }
        let site = &mut model.site;
        // The common case: the text, the title, a date changed, but not how
        // the documents link to each other (references, terms, URLs, drafts).
        let same_links = fresh
            .iter()
            .all(|d| load::same_links(site, &site.docs[d.id], d));
        let ids: Vec<DocId> = fresh.iter().map(|d| d.id).collect();
        for mut doc in fresh {
            let id = doc.id;
            if same_links {
                doc.refs.clone_from(&site.docs[id].refs);
                doc.referrers.clone_from(&site.docs[id].referrers);
            }
            site.docs[id] = Arc::new(doc);
        }
        let problems = if same_links {
            load::relink_bodies(site, &ids)
        } else {
            load::relink(site)
        };
        if problems.has_errors() {
            return Err(problems);
        }
        let before = &self.model.site;
        let changed: Vec<DocId> = (0..site.docs.len())
            .filter(|&id| !Arc::ptr_eq(&before.docs[id], &site.docs[id]))
            .collect();
        let target = model
            .site
            .config
            .target(&self.settings.target)
            .expect("checked when the preview started");
        // List items: the changed documents', and those that show their titles.
        let mut remake: BTreeSet<DocId> = changed.iter().copied().collect();
        for &id in &changed {
            remake.extend(before.docs[id].referrers.iter().copied());
            remake.extend(model.site.docs[id].referrers.iter().copied());
        }
        let site = &model.site;
        let made: Vec<(DocId, Option<Arc<ListItem>>)> = remake
            .into_par_iter()
            .map(|id| (id, TargetView::item_for(site, target, id)))
            .collect();
        for (id, item) in made {
            model.items[id] = item;
        }
        if !same_links {
            let index = Arc::make_mut(&mut model.related);
            for &id in &changed {
                let keys = |site: &Site| {
                    let doc = &site.docs[id];
                    if site.publishes(target, doc) {
                        render::related_keys(doc)
                    } else {
                        Vec::new()
                    }
                };
                render::reindex(index, id, &keys(before), &keys(&model.site));
            }
        }
        Ok((changed, !same_links))
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
            let rel = crate::text::slashed(
                entry
                    .path()
                    .strip_prefix(&self.settings.out)
                    .unwrap_or(entry.path()),
            );
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
