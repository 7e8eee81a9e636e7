//! What a target's output is made of: every file, and who makes it.
//!
//! Every output file is claimed once, by whatever produces it — a page, an
//! alias, a list or term page or one of their pagination pages, the search
//! page and index, the feed, the sitemap, a static or content file. A second
//! claim to the same file is an error naming both, located where the editor
//! can fix it, instead of one silently replacing the other.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::Target;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::output::{MANIFEST, MARKER, WORDS};
use crate::site::DocId;
use crate::site::Site;

use super::theme::template_files;
use super::TargetView;
use crate::urls::{alias_path, feed_url, file_of, has_section, paged, section_url};

/// One generated file of a target, by what it is made from.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Job {
    /// A document's page, with its collection's template.
    Doc(DocId),
    /// The home page (`index.html`).
    Home,
    /// Page `page` (0-based) of the list of the `coll`-th collection the target publishes.
    Section {
        /// The collection's place among those the target publishes.
        coll: usize,
        /// Which page of its list: 0 is the first, at the list's own URL.
        page: usize,
    },
    /// The index page of the taxonomy of this name, listing its terms.
    TaxonomyIndex(String),
    /// One page of the list of documents carrying a term.
    Term {
        /// The taxonomy's name.
        tax: String,
        /// The term as it appears in its page's URL.
        slug: String,
        /// Which page of the term's list: 0 is the first.
        page: usize,
    },
    /// A redirect from one of a document's `aliases` to its page.
    Alias {
        /// The document redirected to.
        to: DocId,
    },
    /// The page a host serves for an address the site does not have (`404.html`).
    NotFound,
    /// The search page, which `search.js` fills in the reader's browser.
    Search,
    /// `sitemap.xml`, for search engines.
    Sitemap,
    /// The Atom feed of the documents changed last (`atom.xml`).
    Feed,
    /// The Atom feed of the `n`-th collection the target publishes
    /// (`guides/feed.xml`).
    CollectionFeed(usize),
    /// `robots.txt`, which points crawlers to the sitemap.
    Robots,
}

impl Job {
    /// The template that renders this job.
    pub fn template<'a>(&self, site: &'a Site, view: &'a TargetView) -> &'a str {
        match self {
            Job::Doc(id) => &site.collection_of(&site.docs[*id]).template,
            Job::Section { coll, .. } => &view.sections[*coll].0.list_template,
            Job::Home => "index.html",
            Job::TaxonomyIndex(_) => "taxonomy.html",
            Job::Term { .. } => "term.html",
            Job::Alias { .. } => "alias.html",
            Job::NotFound => "404.html",
            Job::Search => "search.html",
            Job::Sitemap => "sitemap.xml",
            Job::Feed | Job::CollectionFeed(_) => "atom.xml",
            Job::Robots => "robots.txt",
        }
    }

    /// Whether this job makes a page a reader visits (rather than a redirect, feed or sitemap).
    pub fn is_page(&self) -> bool {
        matches!(
            self,
            Job::Doc(_)
                | Job::Home
                | Job::Section { .. }
                | Job::TaxonomyIndex(_)
                | Job::Term { .. }
        )
    }
}

/// Everything a target's output is made of.
pub struct Plan {
    /// Output file → (its URL below the base, the job that renders it).
    pub pages: BTreeMap<String, (String, Job)>,
    /// Output file → the file copied there as it is, or the bytes hubgen
    /// writes there (the browser editor's page and configuration).
    pub statics: BTreeMap<String, Source>,
}

/// What a file that is not rendered from a template is made of.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// A file copied as it is.
    File(PathBuf),
    /// A resized copy of a content image, made when written (or taken
    /// from the cache of copies in the site at `root`).
    Resized {
        /// The site root.
        root: PathBuf,
        /// The `content/` folder.
        content: PathBuf,
        /// Which copy of which image.
        variant: crate::images::Variant,
    },
    /// Bytes hubgen made.
    Bytes(Arc<[u8]>),
}

/// The folder of the search index, which the index writer fills.
const SEARCH_DIR: &str = "search/";

/// Who makes an output file, for the error when two want the same one.
struct Claimant {
    what: String,
    /// The file and line to fix (0: the whole file), for claims an editor
    /// made; site.toml for the site's own.
    at: Option<(PathBuf, usize)>,
}

/// Output files by who claimed them, compared as the file systems sites are
/// edited on compare them (`About/` and `about/` are one folder on Windows
/// and macOS).
#[derive(Default)]
struct Claims {
    by_file: HashMap<String, Claimant>,
    /// Every folder that holds a claimed file, with the first file's owner:
    /// a file cannot be claimed where a folder must be, nor the other way round.
    folders: HashMap<String, String>,
    problems: Diagnostics,
}

impl Claims {
    /// Who already has `key` (lower-cased), as a file or as a folder of
    /// others' files, or has one of its folders as a file.
    fn owner_of(&self, key: &str) -> Option<String> {
        if key.starts_with(SEARCH_DIR) && key != "search/index.html" {
            return Some("the search index".into());
        }
        if let Some(c) = self.by_file.get(key) {
            return Some(c.what.clone());
        }
        if let Some(who) = self.folders.get(key) {
            return Some(who.clone());
        }
        key.match_indices('/')
            .find_map(|(i, _)| self.by_file.get(&key[..i]))
            .map(|c| c.what.clone())
    }

    /// Claims `file` for `who`; reports a clash, located at `who` when it has
    /// a place, and returns whether the claim was granted.
    fn claim(
        &mut self,
        file: &str,
        who: Claimant,
        message: impl FnOnce(&str) -> (String, &'static str),
    ) -> bool {
        let key = file.to_lowercase();
        if let Some(other) = self.owner_of(&key) {
            let (text, hint) = message(&other);
            let d = Diagnostic::error("duplicate-url", text).with_hint(hint);
            self.problems.push(match &who.at {
                Some((path, 0)) => d.in_file(path),
                Some((path, line)) => d.at(path, *line, 1),
                None => d.in_file(crate::config::CONFIG_FILE),
            });
            return false;
        }
        for (i, _) in key.match_indices('/') {
            self.folders
                .entry(key[..i].to_string())
                .or_insert_with(|| who.what.clone());
        }
        self.by_file.insert(key, who);
        true
    }

    /// Claims a file the site generates (not one an editor named).
    fn generated(&mut self, file: &str, what: String) {
        let shown = what.clone();
        self.claim(file, Claimant { what, at: None }, |other| {
            (
                format!("{shown} would be written to {file}, which is already {other}"),
                "give each collection and taxonomy an address of its own in site.toml (a collection's list is at the start of its permalink; a taxonomy's at its name)",
            )
        });
    }
}

/// Lists every file of `target`'s output and what makes it.
pub fn plan(site: &Site, target: &Target, view: &TargetView) -> Result<Plan, Diagnostics> {
    let mut claims = Claims::default();
    claims.generated(MARKER, "hubgen's marker file".into());
    claims.generated(MANIFEST, "hubgen's manifest of the output".into());
    claims.generated(WORDS, "hubgen's words kept for the next build".into());
    let mut pages: BTreeMap<String, (String, Job)> = BTreeMap::new();
    // What the site itself makes comes first, so that an editor's page or
    // alias that clashes with it is the one reported, where it can be fixed.
    plan_generated(&mut claims, &mut pages, site, target, view);
    // Theme and site static files may override each other (a child theme's
    // style.css replaces its parent's); beyond that, each file is one more
    // claimant. The theme's come before the pages, so that a page or alias
    // that clashes with one is what is reported; files beside the content
    // come last.
    let mut statics = BTreeMap::new();
    let themed = static_files(&view.theme.static_dirs);
    claim_files(&mut claims, site, themed, &mut statics);
    claim_editor(&mut claims, site, target, view, &mut statics);
    plan_documents(&mut claims, &mut pages, site, target);
    let assets = content_assets(site, target);
    let pictures: Vec<String> = assets.keys().cloned().collect();
    claim_files(&mut claims, site, assets, &mut statics);
    claim_copies(&mut claims, site, &pictures, &mut statics);
    if claims.problems.has_errors() {
        return Err(claims.problems);
    }
    Ok(Plan { pages, statics })
}

/// Claims the file of `url` for `job`, which the site generates.
fn add(
    claims: &mut Claims,
    pages: &mut BTreeMap<String, (String, Job)>,
    url: String,
    job: Job,
    what: String,
) {
    let file = file_of(&url);
    claims.generated(&file, what);
    pages.insert(file, (url, job));
}

/// Plans the files the site makes of its own: the home, 404 and search
/// pages, the sitemap, feed and robots.txt, and every list and term page.
fn plan_generated(
    claims: &mut Claims,
    pages: &mut BTreeMap<String, (String, Job)>,
    site: &Site,
    target: &Target,
    view: &TargetView,
) {
    let fixed = [
        ("", Job::Home, "the home page"),
        ("404.html", Job::NotFound, "the 404 page"),
        (SEARCH_DIR, Job::Search, "the search page"),
        ("sitemap.xml", Job::Sitemap, "the sitemap"),
        ("atom.xml", Job::Feed, "the Atom feed"),
        ("robots.txt", Job::Robots, "robots.txt"),
    ];
    for (url, job, what) in fixed {
        add(claims, pages, url.into(), job, what.into());
    }
    for (i, (coll, ids)) in view.sections.iter().enumerate() {
        let problems = claims.problems.len();
        if has_section(coll) {
            for page in 0..pages_of(ids.len(), coll.paginate_by) {
                let what = match page {
                    0 => format!("the list of `{}`", coll.name),
                    p => format!("page {} of the list of `{}`", p + 1, coll.name),
                };
                let job = Job::Section { coll: i, page };
                add(claims, pages, paged(&section_url(coll), page), job, what);
            }
        }
        // A list that clashes with another is reported once, not again for its feed.
        if let Some(url) = feed_url(coll).filter(|_| claims.problems.len() == problems) {
            let what = format!("the Atom feed of `{}`", coll.name);
            add(claims, pages, url, Job::CollectionFeed(i), what);
        }
    }
    for tax in site
        .config
        .taxonomies
        .iter()
        .filter(|t| target.taxonomies.contains(&t.name))
    {
        add(
            claims,
            pages,
            format!("{}/", tax.name),
            Job::TaxonomyIndex(tax.name.clone()),
            format!("the `{}` taxonomy page", tax.name),
        );
        for (slug, (_, ids)) in &site.taxonomies[&tax.name].terms {
            let n = ids.iter().filter(|&&id| view.items[id].is_some()).count();
            if n == 0 {
                continue; // every document with this term is on another target
            }
            for page in 0..pages_of(n, tax.paginate_by) {
                let job = Job::Term {
                    tax: tax.name.clone(),
                    slug: slug.clone(),
                    page,
                };
                let url = paged(&format!("{}/{slug}/", tax.name), page);
                let what = format!("the page of `{slug}` in `{}`", tax.name);
                add(claims, pages, url, job, what);
            }
        }
    }
}

/// Plans each document's page, then each of its aliases.
fn plan_documents(
    claims: &mut Claims,
    pages: &mut BTreeMap<String, (String, Job)>,
    site: &Site,
    target: &Target,
) {
    for doc in site.docs_of(target) {
        let file = file_of(&doc.url);
        let who = Claimant {
            what: doc.source.display().to_string(),
            at: Some((doc.source.clone(), 1)),
        };
        if claims.claim(&file, who, |other| {
            (
                format!("this page's URL /{} is already taken by {other}", doc.url),
                "rename the file, or change the collection's permalink in site.toml",
            )
        }) {
            pages.insert(file, (doc.url.clone(), Job::Doc(doc.id)));
        }
    }
    for doc in site.docs_of(target) {
        for alias in &doc.meta.aliases {
            let Some(url) = alias_path(alias) else {
                continue;
            }; // reported when loading
            let file = file_of(&url);
            let who = Claimant {
                what: format!("an alias of {}", doc.source.display()),
                at: Some((doc.source.clone(), doc.meta.line_of("aliases"))),
            };
            if claims.claim(&file, who, |other| {
                (
                    format!("alias \"{alias}\" is already taken by {other}"),
                    "remove the alias, or make it unique",
                )
            }) {
                pages.insert(file, (url, Job::Alias { to: doc.id }));
            }
        }
    }
}

/// Claims each of `files` (output path → source) and keeps those granted.
fn claim_files(
    claims: &mut Claims,
    site: &Site,
    files: BTreeMap<String, PathBuf>,
    kept: &mut BTreeMap<String, Source>,
) {
    for (rel, path) in files {
        let shown = path
            .strip_prefix(&site.config.root)
            .unwrap_or(&path)
            .to_path_buf();
        let who = Claimant {
            what: format!("the file {}", shown.display()),
            at: Some((shown, 0)),
        };
        if claims.claim(&rel, who, |other| {
            (
                format!("static file {rel} has the same path as {other}"),
                "rename or move the file",
            )
        }) {
            kept.insert(rel, Source::File(path));
        }
    }
}

/// Claims the resized copies of the pictures among `assets` (paths below
/// `content/`), each beside its original, as the pages' `srcset` names them.
fn claim_copies(
    claims: &mut Claims,
    site: &Site,
    assets: &[String],
    kept: &mut BTreeMap<String, Source>,
) {
    let content = site.config.root.join(crate::load::CONTENT_DIR);
    for rel in assets {
        if crate::images::Format::of(rel).is_none() {
            continue;
        }
        let Some(found) = crate::images::variants_of(&content, Path::new(rel)) else {
            continue; // not a picture after all: `hubgen check` says so
        };
        for variant in found.variants {
            let file = crate::text::slashed(&variant.path);
            let shown = Path::new(crate::load::CONTENT_DIR).join(rel);
            let who = Claimant {
                what: format!(
                    "the {} pixel wide copy of {}",
                    variant.width,
                    shown.display()
                ),
                at: Some((shown, 0)),
            };
            if claims.claim(&file, who, |other| {
                (
                    format!("the smaller copy {file} of this picture has the same path as {other}"),
                    "rename the other file: names ending in -WIDTHw-HASH are kept for the copies hubgen makes",
                )
            }) {
                let root = site.config.root.clone();
                let content = content.clone();
                kept.insert(file, Source::Resized { root, content, variant });
            }
        }
    }
}

/// The browser editor's files, when `target` serves it: the page and
/// configuration hubgen writes from site.toml, and Decap's own files from the
/// themes' `editor/` folders.
fn claim_editor(
    claims: &mut Claims,
    site: &Site,
    target: &Target,
    view: &TargetView,
    kept: &mut BTreeMap<String, Source>,
) {
    let Some(editor) = site
        .config
        .editor
        .as_ref()
        .filter(|e| e.target == target.name)
    else {
        return;
    };
    let written = match crate::editor::written_files(&site.config, target) {
        Ok(w) => w,
        Err(d) => {
            claims.problems.push(d);
            return;
        }
    };
    for (rel, bytes) in written {
        let who = Claimant {
            what: "the browser editor".into(),
            at: Some((PathBuf::from(crate::config::CONFIG_FILE), 0)),
        };
        if claims.claim(&rel, who, |other| {
            (
                format!("the browser editor's {rel} has the same path as {other}"),
                "give the editor another path under [editor] in site.toml",
            )
        }) {
            kept.insert(rel, Source::Bytes(bytes.into()));
        }
    }
    let decap: BTreeMap<String, PathBuf> = static_files(&view.theme.editor_dirs)
        .into_iter()
        .map(|(rel, path)| (format!("{}/{rel}", editor.path), path))
        .collect();
    if !decap.contains_key(&format!("{}/decap-cms.js", editor.path)) {
        claims.problems.push(
            Diagnostic::error(
                "editor",
                format!(
                    "the browser editor is on for {}, but no theme of it has the editor's files (editor/decap-cms.js)",
                    target.name
                ),
            )
            .in_file(crate::config::CONFIG_FILE)
            .with_hint(format!(
                "copy the files of the npm package decap-cms {} (its dist/ folder, without the .map files) into themes/base/editor/, or remove [editor]",
                crate::editor::DECAP_VERSION
            )),
        );
        return;
    }
    claim_files(claims, site, decap, kept);
}

pub(super) fn pages_of(items: usize, per_page: usize) -> usize {
    items.div_ceil(per_page).max(1)
}

/// Files other than Markdown beside the content of the collections `target`
/// publishes (images, PDFs), by their path below `content/`, which is where
/// they are published and where the Markdown renderer points links to them.
fn content_assets(site: &Site, target: &Target) -> BTreeMap<String, PathBuf> {
    let content = site.config.root.join(crate::load::CONTENT_DIR);
    let mut out = BTreeMap::new();
    for coll in target
        .collections
        .iter()
        .filter_map(|c| site.config.collection(c))
    {
        for (rel, path) in template_files(&content.join(&coll.folder)) {
            let hidden = rel.split('/').any(|part| part.starts_with('.'));
            let name = rel.rsplit('/').next().unwrap_or(&rel);
            if !crate::load::is_markdown(Path::new(name))
                && !hidden
                && !crate::load::is_editor_leftover(name)
            {
                out.insert(format!("{}/{rel}", coll.folder), path);
            }
        }
    }
    out
}

/// Static files of every folder, later folders overriding earlier ones, by output path.
fn static_files(dirs: &[PathBuf]) -> BTreeMap<String, PathBuf> {
    let mut out = BTreeMap::new();
    for dir in dirs {
        for (rel, path) in template_files(dir) {
            out.insert(rel, path);
        }
    }
    out
}
