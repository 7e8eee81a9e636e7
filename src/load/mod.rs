//! Reads `content/`, checks every document and builds the [`Site`].
//!
//! Files are read and parsed in parallel; every problem in the tree is
//! collected, so one run reports all of them.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::config::Config;
use crate::diagnostics::{line_col, Diagnostic, Diagnostics, SourceLines};
use crate::frontmatter;
use crate::markdown::{self, LinkContext};
use crate::schema;
use crate::site::DocId;
use crate::site::{Document, Packed, Site};
use crate::text::{slugify, truncate_words, Date};
use crate::timings::Timings;

pub mod cache;
mod discover;
mod link;
use discover::discover;
pub use discover::{is_editor_leftover, is_markdown};
pub use link::{relink, relink_bodies, same_links};

/// The folder, under the site root, that holds the Markdown sources.
pub const CONTENT_DIR: &str = "content";

/// How long a summary drawn from the first paragraph may be, in characters.
const SUMMARY_CHARS: usize = 200;
/// How much of a page's text is kept for search excerpts, in characters: the
/// search index ships the passages of it that no other page repeats.
const EXCERPT_CHARS: usize = 2000;

/// Loads and checks the whole site. `drafts` includes documents marked `draft: true`.
pub fn load(config: Config, drafts: bool) -> Result<Site, Diagnostics> {
    let (site, problems) = load_all(config, drafts);
    if problems.has_errors() {
        return Err(problems);
    }
    Ok(site)
}

/// Loads the whole site as far as it can, and every problem found on the
/// way, in one pass: a document with errors is still part of the site (with
/// what of it could be read), so that the checks across documents run over
/// all of them and an editor sees every mistake at once. A site with errors
/// is for checking, never for publishing.
pub fn load_all(config: Config, drafts: bool) -> (Site, Diagnostics) {
    load_all_dated(config, drafts, drafts)
}

/// As [`load_all`], and `future` includes documents dated after today,
/// which are otherwise left out until their date.
pub fn load_all_dated(config: Config, drafts: bool, future: bool) -> (Site, Diagnostics) {
    load_all_timed(config, drafts, future, &Timings::new())
}

/// As [`load_all_dated`], recording how long each of its stages took.
pub fn load_all_timed(
    config: Config,
    drafts: bool,
    future: bool,
    timings: &Timings,
) -> (Site, Diagnostics) {
    let (site, problems, _) = load_keeping(config, drafts, future, timings, None);
    (site, problems)
}

/// As [`load_all_timed`], taking each unchanged document from what an
/// earlier build kept at `kept` (see [`cache`]), if given: and what this
/// build may keep for the next.
pub fn load_keeping(
    config: Config,
    drafts: bool,
    future: bool,
    timings: &Timings,
    kept: Option<&Path>,
) -> (Site, Diagnostics, cache::Kept) {
    let content = config.root.join(CONTENT_DIR);
    let (files, mut problems) = timings.time("discover", None, || discover(&config, &content));
    let cache = kept.map_or_else(cache::DocsCache::off, |at| {
        cache::DocsCache::open(at, cache::context(&config, &files))
    });

    let by_path: HashMap<PathBuf, DocId> = files
        .iter()
        .enumerate()
        .map(|(i, (p, _))| (p.clone(), i))
        .collect();
    let lookup = |p: &Path| by_path.get(p).copied();
    let all_paths = || files.iter().map(|(p, _)| crate::text::slashed(p)).collect();
    let sources = Sources::new(&config, &lookup, &all_paths);

    // What git knows of the content is asked while the files are read: the
    // git process then runs beside the readers, not after them. The "git
    // dates" stage is what is left to wait for once they are done.
    let (loaded, (git_dates, repo_prefix)) = std::thread::scope(|scope| {
        let git = scope.spawn(|| {
            (
                crate::git::last_changed(&config.root, CONTENT_DIR),
                crate::git::prefix(&config.root),
            )
        });
        let loaded: Vec<Loaded> = timings.time("read", None, || {
            files
                .par_iter()
                .enumerate()
                .map(|(id, (path, collection))| load_one(&sources, &cache, id, path, *collection))
                .collect()
        });
        let git = timings.time("git dates", None, || {
            git.join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        });
        (loaded, git)
    });

    // Each document goes into its Arc as it is taken: collecting a list of
    // documents into a list of Arcs afterwards reuses the first list's buffer,
    // whole, as the second's spare room.
    let mut docs = Vec::with_capacity(loaded.len());
    let mut unread = std::collections::BTreeSet::new();
    let mut keys = Vec::with_capacity(loaded.len());
    for ((id, (path, collection)), (doc, errs, key)) in files.iter().enumerate().zip(loaded) {
        problems.extend(errs);
        keys.push(key);
        let mut doc = doc.unwrap_or_else(|| {
            unread.insert(id);
            unreadable(id, *collection, path)
        });
        // The editor's `updated` says when the page last changed in substance;
        // a commit may only have moved or reformatted it.
        doc.last_updated = doc
            .meta
            .updated
            .or_else(|| git_dates.get(&doc.source).copied());
        docs.push(Arc::new(doc));
    }

    let today = Date::today();
    let mut site = Site {
        config,
        docs,
        drafts,
        until: (!future).then_some(today),
        today,
        taxonomies: BTreeMap::new(),
        repo_prefix,
        git_dates: Arc::new(git_dates),
        by_path: Arc::new(by_path),
        by_url: Arc::default(),
        unreadable: unread,
    };
    let found = timings.time("link", None, || relink(&mut site));
    problems.extend(found.into_sorted());
    let kept = cache::Kept {
        context: cache.context(),
        keys,
    };
    (site, problems, kept)
}

/// Reads the document at `path` (relative to `content/`) again, as it is now on
/// disk. Its id stays; cross-document fields are left for [`relink`].
pub fn reload_doc(site: &Site, path: &Path) -> Result<Document, Diagnostics> {
    let id = *site.by_path.get(path).ok_or_else(|| {
        Diagnostic::error("io", "not a known content file")
            .in_file(Path::new(CONTENT_DIR).join(path))
    })?;
    let lookup = |p: &Path| site.by_path.get(p).copied();
    let all_paths = || {
        site.docs
            .iter()
            .map(|d| crate::text::slashed(&d.path))
            .collect()
    };
    let sources = Sources::new(&site.config, &lookup, &all_paths);
    let (doc, problems, _) = load_one(
        &sources,
        &cache::DocsCache::off(),
        id,
        path,
        site.docs[id].collection,
    );
    let mut doc = match doc {
        Some(doc) if problems.is_empty() => doc,
        _ => return Err(problems.into()),
    };
    doc.last_updated = doc
        .meta
        .updated
        .or_else(|| site.git_dates.get(&doc.source).copied());
    Ok(doc)
}

/// What reading one file gave: the document as far as it could be read
/// (`None` when the file could not be read, or split into front matter and
/// body), every problem found in it, and its key when it may be kept for the
/// next build.
type Loaded = (Option<Document>, Vec<Diagnostic>, Option<u128>);

/// Reads, splits, checks and renders one file, or takes what reading it gave
/// from `cache` when an earlier build kept it.
fn load_one(
    sources: &Sources<'_>,
    cache: &cache::DocsCache,
    id: DocId,
    path: &Path,
    collection: usize,
) -> Loaded {
    let source = Path::new(CONTENT_DIR).join(path);
    let text = match read_text(&sources.content.join(path), &source) {
        Ok(text) => text,
        Err(problem) => return (None, vec![problem], None),
    };
    let key = cache.key(path, collection, &text);
    if let Some(kept) = key.and_then(|key| cache.get(key)) {
        let doc = Document {
            id,
            collection,
            path: path.to_path_buf(),
            source,
            slug: kept.slug,
            url: kept.url,
            meta: kept.meta,
            summary: kept.summary,
            excerpt: kept.excerpt,
            body: kept.body,
            refs: Vec::new(),
            referrers: Vec::new(),
            last_updated: None,
        };
        return (Some(doc), Vec::new(), key);
    }
    let (doc, problems) = read_one(sources, id, path, collection, &source, &text);
    let key = key.filter(|_| {
        doc.as_ref()
            .is_some_and(|d| cache::may_keep(d, problems.len()))
    });
    (doc, problems, key)
}

/// Splits, checks and renders the file at `path` (shown as `source`), which
/// holds `text`: the document as far as it could be read, and every problem
/// found in it.
fn read_one(
    sources: &Sources<'_>,
    id: DocId,
    path: &Path,
    collection: usize,
    source: &Path,
    text: &str,
) -> (Option<Document>, Vec<Diagnostic>) {
    let config = sources.config;
    let source = source.to_path_buf();
    let lines = SourceLines::new(text);
    let located = |d: Diagnostic| {
        let (line, col) = (d.line, d.column);
        d.at(&source, line, col).with_source_lines(&lines)
    };
    let coll = &config.collections[collection];
    let mut problems = Vec::new();
    // When the front matter cannot be read, the body still can: its links
    // and images are checked all the same.
    let (meta, body, body_line, read_fields) = match frontmatter::split(text) {
        Ok(split) => {
            let (meta, found) = schema::check(split.entries, coll);
            problems.extend(found);
            (meta, split.body, split.body_line, true)
        }
        Err(problem) => {
            problems.push(problem);
            match frontmatter::body_of(text) {
                Some((body, line)) => (schema::FrontMatter::default(), body, line, false),
                None => return (None, problems.into_iter().map(located).collect()),
            }
        }
    };
    let slug = slug_of(path);
    if slug.is_empty() {
        problems.push(
            Diagnostic::error("file-name", "the file name has no letters or digits to make the page's address from")
                .with_position(1, 1)
                .with_hint("rename the file using letters, digits and hyphens, such as sharing-capital-assets.md"),
        );
    }
    let url = expand_permalink(&coll.permalink, &slug, &meta, &coll.name).unwrap_or_else(|e| {
        // Only when the front matter could be read: else it has no date to give.
        if read_fields {
            problems.push(e);
        }
        String::new()
    });
    let list_of = |folder: &Path| {
        config
            .collections
            .iter()
            .position(|c| Path::new(&c.folder) == folder && crate::urls::has_section(c))
    };
    let ctx = LinkContext {
        file: path,
        lookup: sources.lookup,
        all_paths: sources.all_paths,
        list_of: &list_of,
        bases: &sources.bases,
        up: markdown::up_from(&url),
        content: &sources.content,
        raw_html: coll.raw_html,
    };
    let (mut body, link_problems) = markdown::render(body, body_line, &ctx);
    problems.extend(link_problems);
    let summary = match &meta.summary {
        Some(s) => s.clone(),
        None => truncate_words(&body.first_paragraph, SUMMARY_CHARS),
    };
    // Only the summary needed it; the text is kept only as the start of the page,
    // for search excerpts (search reads the rest from the HTML when it indexes).
    body.first_paragraph = String::new();
    let excerpt = Packed::pack(&truncate_words(
        &crate::text::as_sentences(&body.plain),
        EXCERPT_CHARS,
    ));
    body.plain = String::new();
    let doc = Document {
        id,
        collection,
        path: path.to_path_buf(),
        source: source.clone(),
        slug,
        url,
        meta,
        summary,
        excerpt,
        body,
        refs: Vec::new(),
        referrers: Vec::new(),
        last_updated: None,
    };
    (Some(doc), problems.into_iter().map(located).collect())
}

/// What loading any one file needs of the whole site, made once per load.
struct Sources<'a> {
    config: &'a Config,
    /// The `content/` folder.
    content: PathBuf,
    /// Finds the document at a path below `content/`.
    lookup: &'a (dyn Fn(&Path) -> Option<DocId> + Sync),
    /// Every content path, for suggestions when a link is broken.
    all_paths: &'a (dyn Fn() -> Vec<String> + Sync),
    /// Where links are addresses on the site (see [`site_bases`]).
    bases: Vec<String>,
}

impl<'a> Sources<'a> {
    fn new(
        config: &'a Config,
        lookup: &'a (dyn Fn(&Path) -> Option<DocId> + Sync),
        all_paths: &'a (dyn Fn() -> Vec<String> + Sync),
    ) -> Self {
        Sources {
            config,
            content: config.root.join(CONTENT_DIR),
            lookup,
            all_paths,
            bases: site_bases(config),
        }
    }
}

/// The base URLs and base paths of the site's targets (as published, and as
/// built), longest first, so that a link is taken as an address on the most
/// specific one.
fn site_bases(config: &Config) -> Vec<String> {
    let mut bases: Vec<String> = config
        .targets
        .iter()
        .flat_map(|t| {
            [
                t.published_url.clone(),
                t.published_path().to_string(),
                t.base_url.clone(),
                t.base_path().to_string(),
            ]
        })
        .collect();
    bases.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    bases.dedup();
    bases
}

/// A document whose file could not be read, standing in the site so that
/// the others can still be checked: no fields, no body, no URL.
fn unreadable(id: DocId, collection: usize, path: &Path) -> Document {
    Document {
        id,
        collection,
        path: path.to_path_buf(),
        source: Path::new(CONTENT_DIR).join(path),
        slug: slug_of(path),
        url: String::new(),
        meta: schema::FrontMatter::default(),
        summary: String::new(),
        excerpt: Packed::default(),
        body: markdown::Rendered::default(),
        refs: Vec::new(),
        referrers: Vec::new(),
        last_updated: None,
    }
}

/// The text of the file at `path` (shown as `source`): UTF-8, or a located error.
fn read_text(path: &Path, source: &Path) -> Result<String, Diagnostic> {
    let bytes = std::fs::read(path)
        .map_err(|e| Diagnostic::error("io", format!("cannot read: {e}")).in_file(source))?;
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let bytes = e.into_bytes();
        let lossy = String::from_utf8_lossy(&bytes).into_owned();
        let prefix = String::from_utf8_lossy(&bytes[..valid]);
        let (line, col) = line_col(&prefix, prefix.len());
        Diagnostic::error(
            "encoding",
            format!("the file is not valid UTF-8 (byte 0x{:02X} cannot start a character)", bytes[valid]),
        )
        .at(source, line, col)
        .with_source(&lossy)
        .with_hint("save the file as UTF-8 (most editors have an \"encoding\" setting; Windows-1252 is a common culprit)")
    })
}

/// `guides/writing-well.md` → `writing-well`; `guides/bundle/index.md` → `bundle`.
fn slug_of(path: &Path) -> String {
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    let name = if stem == "index" {
        path.parent()
            .and_then(|p| p.file_name())
            .and_then(|s| s.to_str())
            .unwrap_or(stem)
    } else {
        stem
    };
    slugify(name)
}

/// The URL path below a target's base (no leading `/`).
fn expand_permalink(
    pattern: &str,
    slug: &str,
    meta: &schema::FrontMatter,
    collection: &str,
) -> Result<String, Diagnostic> {
    crate::urls::document_url(pattern, slug, meta.date).ok_or_else(|| {
        Diagnostic::error(
            "missing-field",
            format!("the permalink of `{collection}` ({pattern}) uses the date, but this document has no `date`"),
        )
        .with_position(1, 1)
        .with_hint("add `date: YYYY-MM-DD`")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    const SITE: &str = r#"
title = "T"
[collections.guides]
[collections.guides.fields.topic]
type = "reference"
collection = "guides"
[collections.guides.fields.review_by]
type = "date"
[collections.guides.fields.questions]
type = "list"
[targets.site]
base_url = "https://example.org/"
theme = "t"
collections = ["guides"]
"#;

    const DOC: &str = "---\ntitle: \"A guide: with colon\"\nsummary: One line.\ntopic: other\nreview_by: 2030-01-01\nquestions:\n  - Why?\n  - 'How?'\ntags: [a, b]\n---\n\n# Heading {#id}\n\nText with [a link](other.md#x), `code`, *em* and a table:\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- [ ] task\n\nNote[^1].\n\n[^1]: Footnote.\n";

    /// No input can make loading panic: every prefix of a document, and every
    /// position of it overwritten with characters that matter to YAML or Markdown.
    #[test]
    fn mangled_documents_never_panic() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("themes/t/templates")).unwrap();
        let config = Config::parse(dir.path(), SITE).unwrap();
        let content = dir.path().join(CONTENT_DIR);
        std::fs::create_dir_all(content.join("guides")).unwrap();
        let lookup = |p: &Path| (p == Path::new("guides/other.md")).then_some(1);
        let all = || vec!["guides/other.md".to_string()];
        let path = Path::new("guides/a.md");

        let mut variants: Vec<Vec<u8>> = Vec::new();
        for end in 0..=DOC.len() {
            variants.push(DOC.as_bytes()[..end].to_vec());
        }
        for i in 0..DOC.len() {
            for b in [
                b':', b'-', b'\n', b'"', b'[', b'{', b'#', b'\t', b'|', b'&', b'*', b'!', 0, 0xE9,
                b']',
            ] {
                let mut v = DOC.as_bytes().to_vec();
                v[i] = b;
                variants.push(v);
            }
        }
        for v in variants {
            std::fs::write(content.join(path), &v).unwrap();
            let _ = load_one(
                &Sources::new(&config, &lookup, &all),
                &cache::DocsCache::off(),
                0,
                path,
                0,
            );
        }
    }

    #[test]
    fn slugs_of_files() {
        assert_eq!(slug_of(Path::new("guides/Writing Well.md")), "writing-well");
        assert_eq!(slug_of(Path::new("guides/bundle/index.md")), "bundle");
    }
}
