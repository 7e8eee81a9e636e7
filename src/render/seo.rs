//! What a page says about itself to browsers, search engines and link
//! previews: the `meta` value templates put in `<title>`, the description,
//! the canonical link and Open Graph and Twitter tags; and the JSON-LD graph.

use std::borrow::Cow;

use serde::Serialize;

use super::{Job, TargetView};
use crate::urls::{has_section, section_url};

/// What a page says about itself: the `meta` variable of every template.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct Meta<'a> {
    /// The page's own title: a document's title, a list's or taxonomy's
    /// title, "Taxonomy: term", "Search", "Page not found"; the target's
    /// title elsewhere (the home page). Themes leave it out of `<title>`
    /// when it equals `site.title`.
    pub title: Cow<'a, str>,
    /// A document's summary, a collection's description, else the target's description.
    pub description: &'a str,
    /// The page's canonical, absolute URL: for a document, on the target that owns it.
    pub canonical: String,
    /// The Open Graph type: `article` for documents, `website` for everything else.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The site's language as an Open Graph locale (`en_GB`).
    pub locale: &'a str,
}

/// The `meta` value of the page at `url` made by `job`, and its JSON-LD
/// graph (`WebSite` with its `SearchAction` everywhere; `Article` and
/// `BreadcrumbList` on documents), escaped for a `<script>` element.
pub(super) fn meta<'v>(view: &'v TargetView, url: &str, job: &Job) -> (Meta<'v>, String) {
    let t = view.target;
    let here = format!("{}{url}", t.base_url);
    let plain = |title: Cow<'v, str>, description: &'v str| Meta {
        title,
        description,
        canonical: here.clone(),
        kind: "website",
        locale: &view.locale,
    };
    // The graph's members after the target's own WebSite, each written
    // after a comma.
    let mut more = String::new();
    let meta = match job {
        Job::Doc(id) => {
            let doc = &view.site.docs[*id];
            let canonical = view.site.permalink(doc).unwrap_or_else(|| here.clone());
            for member in article(view, *id, &canonical) {
                more.push(',');
                more.push_str(&member);
            }
            Meta {
                title: Cow::Borrowed(&doc.meta.title),
                description: &doc.summary,
                canonical,
                kind: "article",
                locale: &view.locale,
            }
        }
        Job::Section { coll, .. } => {
            let c = view.sections[*coll].0;
            let d = if c.description.is_empty() {
                &t.description
            } else {
                &c.description
            };
            plain(Cow::Borrowed(&c.title), d)
        }
        Job::TaxonomyIndex(name) | Job::Term { tax: name, .. } => {
            let title: Cow<'v, str> = match view.site.config.taxonomy(name) {
                Some(x) => Cow::Borrowed(&x.title),
                None => Cow::Owned(name.clone()),
            };
            let title = match job {
                Job::Term { tax, slug, .. } => Cow::Owned(format!(
                    "{title}: {}",
                    view.site.taxonomies[tax.as_str()].terms[slug.as_str()].0
                )),
                _ => title,
            };
            plain(title, &t.description)
        }
        Job::Search => plain(Cow::Borrowed("Search"), &t.description),
        Job::NotFound => plain(Cow::Borrowed("Page not found"), &t.description),
        _ => plain(Cow::Borrowed(&t.title), &t.description),
    };
    let ld = format!(
        "{{\"@context\":\"https://schema.org\",\"@graph\":[{}{}]}}",
        view.website_ld,
        for_script(more)
    );
    (meta, ld)
}

/// `json` as it may sit in a `<script>` element: nothing in it can end the
/// element (each `<`, `>` and `&` escaped, as JSON allows).
fn for_script(json: String) -> String {
    if !json.contains(['<', '>', '&']) {
        return json;
    }
    json.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

// The graph's members as typed values, serialised with their keys in byte
// order (as a JSON object of serde_json's sorts them), one allocation each
// rather than a map per object.

#[derive(Serialize)]
struct WebSite<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    name: &'a str,
    #[serde(rename = "potentialAction")]
    potential_action: SearchAction,
    url: &'a str,
}

#[derive(Serialize)]
struct SearchAction {
    #[serde(rename = "@type")]
    kind: &'static str,
    #[serde(rename = "query-input")]
    query_input: &'static str,
    target: String,
}

#[derive(Serialize)]
struct Article<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    #[serde(rename = "dateModified")]
    date_modified: Option<String>,
    #[serde(rename = "datePublished")]
    date_published: Option<String>,
    description: &'a str,
    headline: &'a str,
    #[serde(rename = "inLanguage")]
    in_language: &'a str,
    publisher: Organization<'a>,
    url: &'a str,
}

#[derive(Serialize)]
struct Organization<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    name: &'a str,
}

#[derive(Serialize)]
struct BreadcrumbList<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    #[serde(rename = "itemListElement")]
    items: Vec<Crumb<'a>>,
}

#[derive(Serialize)]
struct Crumb<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    item: Cow<'a, str>,
    name: &'a str,
    position: usize,
}

/// The target as a schema.org `WebSite`, with its search, as JSON escaped
/// for a `<script>` element: the first member of every page's graph.
pub(super) fn website(target: &crate::config::Target) -> String {
    let site = WebSite {
        kind: "WebSite",
        name: &target.title,
        potential_action: SearchAction {
            kind: "SearchAction",
            query_input: "required name=search_term_string",
            target: format!("{}search/?q={{search_term_string}}", target.base_url),
        },
        url: &target.base_url,
    };
    // Plain data: it always serialises.
    for_script(serde_json::to_string(&site).unwrap_or_default())
}

/// Document `id` as a schema.org Article, and its breadcrumbs, as JSON.
fn article(view: &TargetView, id: usize, canonical: &str) -> [String; 2] {
    let (t, site) = (view.target, view.site);
    let doc = &site.docs[id];
    let coll = site.collection_of(doc);
    let crumb = |position: usize, name, item| Crumb {
        kind: "ListItem",
        item,
        name,
        position,
    };
    let mut crumbs = vec![crumb(1, "Home", Cow::Borrowed(t.base_url.as_str()))];
    if has_section(coll) {
        let list = format!("{}{}", t.base_url, section_url(coll));
        crumbs.push(crumb(2, &coll.title, Cow::Owned(list)));
    }
    crumbs.push(crumb(
        crumbs.len() + 1,
        &doc.meta.title,
        Cow::Borrowed(canonical),
    ));
    let organisation = site
        .config
        .extra
        .get("organisation")
        .and_then(serde_json::Value::as_str)
        .unwrap_or(&site.config.title);
    let article = Article {
        kind: "Article",
        date_modified: doc.last_updated.or(doc.meta.date).map(|d| d.to_string()),
        date_published: doc.meta.date.map(|d| d.to_string()),
        description: &doc.summary,
        headline: &doc.meta.title,
        in_language: &site.config.language,
        publisher: Organization {
            kind: "Organization",
            name: organisation,
        },
        url: canonical,
    };
    let list = BreadcrumbList {
        kind: "BreadcrumbList",
        items: crumbs,
    };
    // Plain data: they always serialise.
    [
        serde_json::to_string(&article).unwrap_or_default(),
        serde_json::to_string(&list).unwrap_or_default(),
    ]
}
