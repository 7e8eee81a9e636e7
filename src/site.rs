//! The site model: every document, checked and cross-referenced, built once by
//! [`crate::load`] and then only read.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::{Collection, Config, Target};
use crate::schema::FrontMatter;
use crate::text::Date;

// What reading a document's body produces (see `crate::markdown`), kept in
// the model: the model is what every stage reads, so it depends on none of them.

/// Index of a document in the site model.
pub type DocId = usize;

/// A heading, as listed in the table of contents.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Heading {
    /// 1 for `#`, to 6 for `######`.
    pub level: u8,
    /// Its anchor, unique in the page: its `{#id}`, or made from its text.
    pub id: String,
    /// Its text, without markup.
    pub title: String,
}

/// A link from one content file to another.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    /// The document linked to.
    pub doc: DocId,
    /// The part of it linked to: the `#part` of the link, without the `#`.
    pub anchor: Option<String>,
    /// 1-based line in the source file.
    pub line: usize,
    /// 1-based column of the link's start, in characters.
    pub column: usize,
}

/// A link written as an address on one of the site's own targets, pasted
/// from a browser (`/guides/x/`, `https://hub.example.org/guides/x/`): it is
/// resolved to the page at that address, per target, like a link to its file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Address {
    /// The link as written.
    pub written: String,
    /// The address below the target's base (`guides/x/`).
    pub path: String,
    /// 1-based line in the source file.
    pub line: usize,
    /// 1-based column of the link's start, in characters.
    pub column: usize,
}

/// An image in a document's body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Image {
    /// Its address as written (`../images/map.png`).
    pub dest: String,
    /// Its alt text, which `hubgen check` asks for; empty when it has none.
    pub alt: String,
    /// 1-based line in the source file.
    pub line: usize,
    /// 1-based column in the source file.
    pub column: usize,
}

/// Text held compressed for the whole build, such as a page's body HTML: the
/// bodies are the largest part of a large site in memory, and each is read a
/// few times in a build (for search, and by each target that publishes the
/// page), each time quickly unpacked.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Packed(Box<[u8]>);

impl Packed {
    /// `text`, compressed (LZ4, its length first).
    pub fn pack(text: &str) -> Self {
        if text.is_empty() {
            return Packed::default();
        }
        Packed(lz4_flex::compress_prepend_size(text.as_bytes()).into_boxed_slice())
    }

    /// Text packed as [`Packed::as_bytes`] gave it, if `bytes` unpack to text.
    pub fn from_packed(bytes: &[u8]) -> Option<Self> {
        if bytes.is_empty() {
            return Some(Packed::default());
        }
        let text = lz4_flex::decompress_size_prepended(bytes).ok()?;
        std::str::from_utf8(&text).ok()?;
        Some(Packed(bytes.into()))
    }

    /// The packed bytes: the same text packs to the same bytes, for one
    /// build of hubgen.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The text, as packed.
    pub fn unpack(&self) -> String {
        if self.0.is_empty() {
            return String::new();
        }
        let bytes = lz4_flex::decompress_size_prepended(&self.0)
            .expect("Packed holds only what pack compressed");
        String::from_utf8(bytes).expect("Packed packs only strings")
    }
}

impl std::fmt::Debug for Packed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Packed({:?})", self.unpack())
    }
}

/// What rendering a document's body produces.
#[derive(Clone, Debug, Default)]
pub struct Rendered {
    /// HTML with link markers; see [`crate::markdown::resolve_links`].
    pub html: Packed,
    /// The headings, in order: the table of contents, and what a link's
    /// anchor may name.
    pub toc: Vec<Heading>,
    /// The text alone, blocks separated by newlines.
    pub plain: String,
    /// The plain text of the first paragraph.
    pub first_paragraph: String,
    /// The links to content files, in order: to other pages, and to a part
    /// of this one (`#part`, with this document as their `doc`).
    pub links: Vec<Link>,
    /// The links written as addresses on the site's own targets, in order;
    /// the HTML holds a marker for each (see [`crate::markdown::resolve_links`]).
    pub addresses: Vec<Address>,
    /// The labels of the footnotes (`[^label]: …`), which are their anchors.
    pub footnotes: Vec<String>,
    /// The images, in order, for `hubgen check` (missing files, missing alt text).
    pub images: Vec<Image>,
    /// How many words the text has, for the page's reading time.
    pub word_count: usize,
}

/// One content file.
#[derive(Clone, Debug)]
pub struct Document {
    /// Its place in [`Site::docs`], by which links, references and lists name it.
    pub id: DocId,
    /// Index into `config.collections`.
    pub collection: usize,
    /// Path relative to `content/`, e.g. `guides/x.md`.
    pub path: PathBuf,
    /// Path relative to the site root, as shown in messages, e.g. `content/guides/x.md`.
    pub source: PathBuf,
    /// Its file name as a URL part (`Writing Well.md` → `writing-well`; a
    /// folder's `index.md` takes the folder's name): the `{slug}` of its
    /// permalink, and what reference fields name it by.
    pub slug: String,
    /// URL path below a target's base, e.g. `guides/x/`.
    pub url: String,
    /// Its front matter, checked against its collection's schema.
    pub meta: FrontMatter,
    /// The front matter's summary, or the start of the first paragraph.
    pub summary: String,
    /// The start of the page's text, for search results.
    pub excerpt: Packed,
    /// Its Markdown body rendered: the HTML, headings, links and images.
    pub body: Rendered,
    /// Resolved reference fields: field name and the documents it names.
    pub refs: Vec<(String, Vec<DocId>)>,
    /// Documents whose reference fields name this one, in id order.
    pub referrers: Vec<DocId>,
    /// When the file last changed: its last commit, else its front matter's `updated`.
    pub last_updated: Option<Date>,
}

/// A taxonomy's terms and the documents carrying each.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Terms {
    /// Term slug → (display name, documents in id order).
    pub terms: BTreeMap<String, (String, Vec<DocId>)>,
}

/// The whole site. Cloning it is cheap: the documents and what was read from
/// git are shared, so the live preview makes each edit's site as a new value
/// beside the old one, and simply drops it when the edit fails.
#[derive(Clone, Debug)]
pub struct Site {
    /// site.toml, checked.
    pub config: Config,
    /// Sorted by path; a document's id is its index.
    pub docs: Vec<Arc<Document>>,
    /// Whether drafts are part of this build.
    pub drafts: bool,
    /// Documents dated after this day are not published yet (like Hugo,
    /// until their date); none when the build includes them (`--future`,
    /// `--drafts`, and the preview unless `--no-drafts`).
    pub until: Option<Date>,
    /// The day of the build: a page past its `review_by` date says so.
    pub today: Date,
    /// Taxonomy name → terms, over every published document.
    pub taxonomies: BTreeMap<String, Terms>,
    /// Where the site root sits in its git repository, if it is in one.
    pub repo_prefix: Option<String>,
    /// The last commit date of each content file, by path from the site root.
    pub git_dates: Arc<HashMap<PathBuf, Date>>,
    pub(crate) by_path: Arc<HashMap<PathBuf, DocId>>,
    /// Each published document by its URL below a target's base (`guides/x/`),
    /// for links written as addresses.
    pub by_url: Arc<HashMap<String, DocId>>,
    /// Documents whose file could not be read or split into front matter and
    /// body (their problems are reported): they stand in the site only so
    /// that the others can be checked, with no fields and no body.
    pub unreadable: std::collections::BTreeSet<DocId>,
}

impl Site {
    /// Lets go of every document's excerpt, once the search index that shows
    /// them is written: no page shows them, and a build renders its pages
    /// with that much less memory.
    pub fn forget_excerpts(&mut self) {
        for doc in &mut self.docs {
            if let Some(doc) = Arc::get_mut(doc) {
                doc.excerpt = Packed::default();
            }
        }
    }

    /// The collection `doc` belongs to.
    pub fn collection_of(&self, doc: &Document) -> &Collection {
        &self.config.collections[doc.collection]
    }

    /// Whether `doc` is in this build at all (drafts and documents dated
    /// in the future are left out unless asked for).
    pub fn is_published(&self, doc: &Document) -> bool {
        (self.drafts || !doc.meta.draft)
            && self
                .until
                .is_none_or(|until| doc.meta.date.is_none_or(|date| date <= until))
    }

    /// Whether `target` publishes `doc`.
    pub fn publishes(&self, target: &Target, doc: &Document) -> bool {
        self.is_published(doc) && target.publishes(&self.collection_of(doc).name)
    }

    /// The documents `target` publishes, in id order.
    pub fn docs_of<'a>(&'a self, target: &'a Target) -> impl Iterator<Item = &'a Document> + 'a {
        self.docs
            .iter()
            .map(Arc::as_ref)
            .filter(move |d| self.publishes(target, d))
    }

    /// The target a document belongs to: the first in site.toml that publishes it.
    pub fn owner(&self, doc: &Document) -> Option<&Target> {
        self.config.targets.iter().find(|t| self.publishes(t, doc))
    }

    /// The URL of `doc` as linked from a page of `from`: a path on the same
    /// site, or the absolute URL on the target that owns it.
    pub fn url_from(&self, doc: &Document, from: &Target) -> Option<String> {
        if self.publishes(from, doc) {
            Some(format!("{}{}", from.base_path(), doc.url))
        } else {
            self.permalink(doc)
        }
    }

    /// The canonical, absolute URL of `doc`.
    pub fn permalink(&self, doc: &Document) -> Option<String> {
        self.owner(doc)
            .map(|t| format!("{}{}", t.base_url, doc.url))
    }

    /// The "Edit this page" address of `doc`, when site.toml names the repository.
    pub fn edit_url(&self, doc: &Document) -> Option<String> {
        let repo = self.config.repo_url.as_deref()?;
        let prefix = self.repo_prefix.as_deref().unwrap_or_default();
        let path = crate::text::slashed(&doc.source);
        Some(format!("{repo}/edit/{}/{prefix}{path}", self.config.branch))
    }

    /// The document at `path` relative to `content/`.
    pub fn doc_at(&self, path: &Path) -> Option<&Document> {
        self.by_path.get(path).map(|&id| self.docs[id].as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::Packed;

    #[test]
    fn packed_text_unpacks_to_what_was_packed() {
        let long = "<p>Shared services across areas, tiers and partnerships.</p>\n".repeat(200);
        for html in ["", "<p>é — 日本語 \0c0\0</p>", long.as_str()] {
            let packed = Packed::pack(html);
            assert_eq!(packed.unpack(), html);
            assert_eq!(packed, Packed::pack(html));
        }
        assert!(Packed::pack(&long).0.len() < long.len() / 4);
        assert_eq!(Packed::default().unpack(), "");
    }
}
