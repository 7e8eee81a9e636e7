//! What a page says about itself to browsers, search engines and link
//! previews: the `meta` value templates put in `<title>`, the description,
//! the canonical link and Open Graph and Twitter tags; and the JSON-LD graph.

use std::borrow::Cow;

use serde::Serialize;
use serde_json::{json, Value as Json};

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
    let mut graph = vec![website(view)];
    let plain = |title: Cow<'v, str>, description: &'v str| Meta {
        title,
        description,
        canonical: here.clone(),
        kind: "website",
        locale: &view.locale,
    };
    let meta = match job {
        Job::Doc(id) => {
            let doc = &view.site.docs[*id];
            let canonical = view.site.permalink(doc).unwrap_or_else(|| here.clone());
            graph.extend(article(view, *id, &canonical));
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
    let ld = json!({"@context": "https://schema.org", "@graph": graph}).to_string();
    // Nothing in it may end the <script> element it sits in.
    let ld = ld
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026");
    (meta, ld)
}

/// The target as a schema.org `WebSite`, with its search.
fn website(view: &TargetView) -> Json {
    let t = view.target;
    json!({
        "@type": "WebSite",
        "name": t.title,
        "url": t.base_url,
        "potentialAction": {
            "@type": "SearchAction",
            "target": format!("{}search/?q={{search_term_string}}", t.base_url),
            "query-input": "required name=search_term_string",
        },
    })
}

/// Document `id` as a schema.org Article, and its breadcrumbs.
fn article(view: &TargetView, id: usize, canonical: &str) -> [Json; 2] {
    let (t, site) = (view.target, view.site);
    let doc = &site.docs[id];
    let coll = site.collection_of(doc);
    let mut crumbs =
        vec![json!({"@type": "ListItem", "position": 1, "name": "Home", "item": t.base_url})];
    if has_section(coll) {
        crumbs.push(json!({"@type": "ListItem", "position": 2, "name": coll.title, "item": format!("{}{}", t.base_url, section_url(coll))}));
    }
    crumbs.push(json!({"@type": "ListItem", "position": crumbs.len() + 1, "name": doc.meta.title, "item": canonical}));
    let organisation = site
        .config
        .extra
        .get("organisation")
        .and_then(Json::as_str)
        .unwrap_or(&site.config.title);
    [
        json!({
            "@type": "Article",
            "headline": doc.meta.title,
            "description": doc.summary,
            "url": canonical,
            "datePublished": doc.meta.date.map(|d| d.to_string()),
            "dateModified": doc.last_updated.or(doc.meta.date).map(|d| d.to_string()),
            "inLanguage": site.config.language,
            "publisher": {"@type": "Organization", "name": organisation},
        }),
        json!({"@type": "BreadcrumbList", "itemListElement": crumbs}),
    ]
}
