//! The context each template gets, as types: one per kind of page, each
//! made by `Builder`, which also records what the page read of the site.
//!
//! These types are the theme API: `docs/themes.md` is generated from them
//! (their doc comments are its text), and a test fails when it is out of
//! date. Field names are what templates write (`page.title`), so renaming
//! one breaks every theme that uses it.
//!
//! Everything borrows from the [`Site`] and the [`TargetView`](super::TargetView), so building
//! a page's context copies nothing but the URLs it computes; list items are
//! made once per target and shared by every page that shows them.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value as Json;

use crate::config::{Collection, Target};
use crate::site::Site;
use crate::site::{DocId, Heading};
use crate::text::Date;

use super::seo::Meta;
use crate::urls::{has_section, section_url};

mod build;
mod item;
mod nav;

pub(in crate::render) use build::{Builder, Made};
pub use item::{FieldValue, ListItem, RefLink, TagLink, TermLink};
use nav::default_menu;
pub use nav::NavLinkContext;

/// The `site` variable: the target being built, the same on every page.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct SiteContext<'a> {
    /// The target's title (`[targets.NAME] title`).
    pub title: &'a str,
    /// The whole site's title (site.toml's top-level `title`).
    pub name: &'a str,
    /// The target's description.
    pub description: &'a str,
    /// The site's language (`en-GB`), for `<html lang>`.
    pub language: &'a str,
    /// The target's absolute base URL, ending in `/`.
    pub base_url: &'a str,
    /// The path part of the base URL (`/productivity/`): prefix of every link on the site.
    pub base_path: &'a str,
    /// The target's name (`hub`).
    pub target: &'a str,
    /// Every target of the site, in site.toml's order.
    pub targets: Vec<TargetLink<'a>>,
    /// The collections this target lists, each with its list page, in the target's order.
    pub sections: Vec<SectionLink<'a>>,
    /// The taxonomies this target has, each with its index page.
    pub taxonomies: Vec<TaxonomyLink<'a>>,
    /// The Atom feed's absolute URL.
    pub feed_url: String,
    /// The menu at the head of every page: site.toml's `[[menu]]` links, in
    /// its order, leaving out lists this target does not publish and the
    /// link to this target itself; without `[[menu]]`, each list of this
    /// target and then each other target.
    pub menu: Vec<NavLinkContext<'a>>,
    /// site.toml's `[[footer]]` links, in its order: each page's URL on this
    /// target (or on the target that publishes it), or the address as written.
    pub footer: Vec<NavLinkContext<'a>>,
    /// site.toml's `[extra]` table, as written.
    pub extra: &'a Json,
}

/// A target of the site, for links between the sites.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct TargetLink<'a> {
    /// Its name in site.toml.
    pub name: &'a str,
    /// Its title.
    pub title: &'a str,
    /// Its absolute base URL.
    pub url: &'a str,
    /// Whether it is the target being built.
    pub current: bool,
}

/// A collection this target lists.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct SectionLink<'a> {
    /// The collection's name.
    pub name: &'a str,
    /// The collection's title.
    pub title: &'a str,
    /// Its list page.
    pub url: String,
    /// How many documents it has on this target.
    pub count: usize,
}

/// A taxonomy this target has.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct TaxonomyLink<'a> {
    /// The taxonomy's name.
    pub name: &'a str,
    /// The taxonomy's title.
    pub title: &'a str,
    /// Its index page, listing its terms.
    pub url: String,
}

impl<'a> SiteContext<'a> {
    /// The places in `menu` of the links current at `path` (see [`Common::menu_current`]).
    pub(crate) fn menu_current(&self, path: &str) -> Vec<usize> {
        self.menu
            .iter()
            .enumerate()
            .filter(|(_, l)| match l.kind {
                "list" => path.starts_with(&l.url),
                "page" => path == l.url,
                _ => false,
            })
            .map(|(i, _)| i)
            .collect()
    }

    pub(super) fn new(
        site: &'a Site,
        target: &'a Target,
        sections: &[(&'a Collection, Vec<DocId>)],
    ) -> Self {
        let base_path = target.base_path();
        SiteContext {
            title: &target.title,
            name: &site.config.title,
            description: &target.description,
            language: &site.config.language,
            base_url: &target.base_url,
            base_path,
            target: &target.name,
            targets: site
                .config
                .targets
                .iter()
                .map(|t| TargetLink {
                    name: &t.name,
                    title: &t.title,
                    url: &t.base_url,
                    current: t.name == target.name,
                })
                .collect(),
            sections: sections
                .iter()
                .filter(|(c, _)| has_section(c))
                .map(|(c, ids)| SectionLink {
                    name: &c.name,
                    title: &c.title,
                    url: format!("{base_path}{}", section_url(c)),
                    count: ids.len(),
                })
                .collect(),
            taxonomies: site
                .config
                .taxonomies
                .iter()
                .filter(|t| target.taxonomies.contains(&t.name))
                .map(|t| TaxonomyLink {
                    name: &t.name,
                    title: &t.title,
                    url: format!("{base_path}{}/", t.name),
                })
                .collect(),
            feed_url: format!("{}atom.xml", target.base_url),
            menu: match &site.config.menu {
                Some(links) => links
                    .iter()
                    .filter_map(|link| NavLinkContext::new(site, target, link, true))
                    .collect(),
                None => default_menu(site, target, sections),
            },
            footer: site
                .config
                .footer
                .iter()
                .filter_map(|link| NavLinkContext::new(site, target, link, false))
                .collect(),
            extra: &site.config.extra,
        }
    }
}

/// What every template gets, whatever the page.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct Common<'a> {
    /// The target being built.
    pub site: &'a SiteContext<'a>,
    /// This page's path, from the host on (`/productivity/guides/`): compare
    /// with `site.sections[].url` to mark the current section.
    pub current_path: String,
    /// This page's absolute URL.
    pub current_url: String,
    /// The places in `site.menu` (from 0) of the links that are current on
    /// this page: a `list` link when the page is at or below its URL, a `page`
    /// link when it is that page. A menu rendered with `shared_partial`, given
    /// these, is rendered once for all the pages with the same.
    pub menu_current: Vec<usize>,
    /// What the page says about itself to browsers, search engines and link previews.
    pub meta: Meta<'a>,
    /// The page's JSON-LD graph (schema.org `WebSite`; `Article` and
    /// `BreadcrumbList` on documents), escaped for a `<script>` element: output it with `| safe`.
    pub json_ld: String,
}

/// A document's page (the collection's `template`, `page.html` by default).
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct PageContext<'a> {
    /// What every template gets, at the top level of the context.
    #[serde(flatten)]
    pub common: Common<'a>,
    /// The document.
    pub page: Page<'a>,
}

/// Everything a page template gets about its document: its list item and more.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct Page<'a> {
    /// What lists show of the document, at the top level of `page`
    /// (`page.title`, `page.url`…).
    #[serde(flatten)]
    pub item: Cow<'a, ListItem>,
    /// The body as HTML, links resolved: output it with `| safe`.
    pub content: String,
    /// The headings of the body, in order.
    #[cfg_attr(test, schemars(with = "Vec<TocEntry>"))]
    pub toc: &'a [Heading],
    /// How many words the body has.
    pub word_count: usize,
    /// Minutes to read it, at 200 words a minute; at least 1.
    pub reading_minutes: usize,
    /// By reference field name: the documents it names, as list items.
    pub refs: BTreeMap<&'a str, Vec<Cow<'a, ListItem>>>,
    /// By collection name: the documents whose reference fields name this
    /// one (a workstream's guides), as list items, in id order.
    pub referrers: BTreeMap<&'a str, Vec<Cow<'a, ListItem>>>,
    /// The document before this one in its collection's list, if any.
    pub previous: Option<Cow<'a, ListItem>>,
    /// The document after this one in its collection's list, if any.
    pub next: Option<Cow<'a, ListItem>>,
    /// Its file, from the site root (`content/guides/x.md`).
    pub source: String,
    /// Its front matter's `aliases`: the old URLs that redirect here.
    pub aliases: &'a [String],
    /// Up to five documents that share the most with it (a referenced
    /// document counts twice, each tag once).
    pub related: Vec<Cow<'a, ListItem>>,
    /// When it last changed: its front matter's `updated`, else its file's last commit.
    #[cfg_attr(test, schemars(with = "Option<String>"))]
    pub last_updated: Option<Date>,
    /// Its `review_by` date, when that is before the day of the build: the
    /// page says it may be out of date.
    #[cfg_attr(test, schemars(with = "Option<String>"))]
    pub review_overdue: Option<Date>,
    /// "Edit this page": its file in the repository, when site.toml has `repo_url`.
    pub edit_url: Option<String>,
    /// The files its front matter's `attachments` lists, published beside the content.
    pub attachments: Vec<Attachment>,
    /// Its collection.
    pub section: PageSection<'a>,
}

/// A heading of the body.
// For the schema only: the context holds the markdown module's own type.
#[cfg(test)]
#[derive(schemars::JsonSchema)]
#[allow(dead_code)]
pub struct TocEntry {
    /// 1 to 6.
    level: u8,
    /// Its anchor: link to it with `#id`.
    id: String,
    /// Its text.
    title: String,
}

/// A file attached to a document.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct Attachment {
    /// The file's name.
    pub name: String,
    /// Where it is published.
    pub url: String,
}

/// A document's collection.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct PageSection<'a> {
    /// The collection's name.
    pub name: &'a str,
    /// The collection's title.
    pub title: &'a str,
    /// Its list page; none when the collection has no list (`/{slug}/` permalinks).
    pub url: Option<String>,
}

/// The home page (`index.html`).
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct HomeContext<'a> {
    /// What every template gets, at the top level of the context.
    #[serde(flatten)]
    pub common: Common<'a>,
    /// By name, each collection this target publishes, with its first 50 documents.
    pub collections: BTreeMap<&'a str, HomeSection<'a>>,
    /// By name, every collection of the site, also those other targets
    /// publish (their items link there), with its first 50 documents.
    pub all_collections: BTreeMap<&'a str, CollectionSummary<'a>>,
}

/// A collection this target publishes, on the home page.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct HomeSection<'a> {
    /// The collection's title.
    pub title: &'a str,
    /// Its list page; the home page for a collection at the site's root, which has no list.
    pub url: String,
    /// How many documents it has.
    pub count: usize,
    /// Its first documents, in list order.
    pub pages: Vec<Cow<'a, ListItem>>,
}

/// A collection of the site, wherever it is published.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct CollectionSummary<'a> {
    /// The collection's title.
    pub title: &'a str,
    /// How many documents it has in this build.
    pub count: usize,
    /// Its first documents, in list order.
    pub pages: Vec<Cow<'a, ListItem>>,
}

/// A page of a collection's list (its `list_template`, `section.html` by default).
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct ListContext<'a> {
    /// What every template gets, at the top level of the context.
    #[serde(flatten)]
    pub common: Common<'a>,
    /// The collection listed.
    pub section: SectionInfo<'a>,
    /// This page of its documents, in the collection's order.
    pub paginator: Paginator<'a>,
}

/// The collection a list page lists.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct SectionInfo<'a> {
    /// The collection's name.
    pub name: &'a str,
    /// The collection's title.
    pub title: &'a str,
    /// The collection's description in site.toml (may be empty).
    pub description: &'a str,
    /// Its first list page.
    pub url: String,
    /// Its Atom feed's absolute URL, which its list page links to in its
    /// head; none when it has no feed (`search = false`).
    pub feed_url: Option<String>,
}

/// One page of a paginated list.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct Paginator<'a> {
    /// This page's number, from 1.
    pub current: usize,
    /// How many pages the list has.
    pub total_pages: usize,
    /// How many documents the whole list has.
    pub total_items: usize,
    /// The documents on this page.
    pub pages: Vec<Cow<'a, ListItem>>,
    /// The first page.
    pub first: String,
    /// The last page.
    pub last: String,
    /// The page before, if any.
    pub previous: Option<String>,
    /// The page after, if any.
    pub next: Option<String>,
    /// The page numbers to show, as the GOV.UK Design System shows them: the
    /// first and last pages, and those within two of this one; a link whose
    /// `gap_before` is set follows pages left out. (A list of a thousand
    /// pages is not a thousand links on each of them.)
    pub links: Vec<PageLink>,
}

/// A page of a paginated list, for page numbers.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct PageLink {
    /// From 1.
    pub number: usize,
    /// The page.
    pub url: String,
    /// Whether it is the page being rendered.
    pub current: bool,
    /// Whether pages were left out between the link before this one and it.
    pub gap_before: bool,
}

/// A taxonomy's index page (`taxonomy.html`).
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct TaxonomyContext<'a> {
    /// What every template gets, at the top level of the context.
    #[serde(flatten)]
    pub common: Common<'a>,
    /// The taxonomy, with its terms.
    pub taxonomy: TaxonomyIndex<'a>,
}

/// A taxonomy.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct TaxonomyInfo<'a> {
    /// The taxonomy's name (and the start of its URLs).
    pub name: &'a str,
    /// The taxonomy's title.
    pub title: &'a str,
    /// Its index page.
    pub url: String,
}

/// A taxonomy with its terms.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct TaxonomyIndex<'a> {
    /// The taxonomy's name, title and URL, at the top level of `taxonomy`.
    #[serde(flatten)]
    pub info: TaxonomyInfo<'a>,
    /// The terms documents of this target carry, by slug.
    pub terms: Vec<TermInfo<'a>>,
}

/// A term of a taxonomy.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct TermInfo<'a> {
    /// The term as first written.
    pub name: &'a str,
    /// The term as it appears in URLs.
    pub slug: &'a str,
    /// Its page.
    pub url: String,
    /// How many documents of this target carry it.
    pub count: usize,
}

/// A page of a term's list (`term.html`).
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct TermContext<'a> {
    /// What every template gets, at the top level of the context.
    #[serde(flatten)]
    pub common: Common<'a>,
    /// The term's taxonomy (without its terms).
    pub taxonomy: TaxonomyInfo<'a>,
    /// The term.
    pub term: TermInfo<'a>,
    /// The documents that carry the term, newest first.
    pub paginator: Paginator<'a>,
}

/// A redirect from one of a document's `aliases` (`alias.html`).
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct AliasContext<'a> {
    /// What every template gets, at the top level of the context.
    #[serde(flatten)]
    pub common: Common<'a>,
    /// Where the alias sends readers: the document's URL as seen from this target.
    pub target_url: Option<String>,
    /// The document's canonical, absolute URL.
    pub permalink: Option<String>,
    /// The document's title.
    pub title: &'a str,
}

/// The pages that get only what every page gets: `404.html`, `search.html`, `robots.txt`.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct PlainContext<'a> {
    /// What every template gets, at the top level of the context.
    #[serde(flatten)]
    pub common: Common<'a>,
}

/// The sitemap (`sitemap.xml`).
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct SitemapContext<'a> {
    /// What every template gets, at the top level of the context.
    #[serde(flatten)]
    pub common: Common<'a>,
    /// The home page, each list and every document this target owns (its
    /// canonical home); documents in id order.
    pub entries: Vec<SitemapEntry>,
}

/// A URL of the sitemap.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct SitemapEntry {
    /// Absolute.
    pub url: String,
    /// A document's `updated`, else its `date` (`YYYY-MM-DD`); none for lists.
    #[cfg_attr(test, schemars(with = "Option<String>"))]
    pub updated: Option<Date>,
}

/// An Atom feed: the site's (`atom.xml`) or a collection's (`guides/feed.xml`).
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct FeedContext<'a> {
    /// What every template gets, at the top level of the context.
    #[serde(flatten)]
    pub common: Common<'a>,
    /// The feed's title: the site's, or the collection's and the site's.
    pub title: String,
    /// The feed's own absolute URL (its `rel="self"`).
    pub feed_url: String,
    /// Its Atom `id`, which feed readers know it by: the site's base URL
    /// for the site's (as it always was), its own URL for a collection's.
    pub id: String,
    /// The absolute URL of the page it follows: the home page, or the
    /// collection's list.
    pub page_url: String,
    /// The 20 documents changed last, latest first: of every collection
    /// with a feed for the site's, of the one collection for a
    /// collection's. A document without `date`, `updated` or a commit is
    /// left out.
    pub entries: Vec<FeedEntry<'a>>,
    /// The latest of the entries' `updated`.
    #[cfg_attr(test, schemars(with = "Option<String>"))]
    pub updated: Option<Date>,
}

/// One entry of a feed.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct FeedEntry<'a> {
    /// The document, as lists show it.
    pub page: Cow<'a, ListItem>,
    /// When it last changed, as its page says (`YYYY-MM-DD`): its
    /// `updated`, else the date of its last commit, else its `date`; never
    /// before its `date`.
    #[cfg_attr(test, schemars(with = "String"))]
    pub updated: Date,
}
