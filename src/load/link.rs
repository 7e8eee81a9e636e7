//! Everything about a document that depends on other documents, derived
//! from the loaded documents as they are now: references and who refers to
//! whom, drafts linked from published pages, aliases, taxonomy terms. The
//! live preview runs it again after an edit.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;

use crate::config::FieldType;
use crate::diagnostics::{did_you_mean, Diagnostic, Diagnostics};
use crate::schema::Value;
use crate::site::DocId;
use crate::site::{Document, Site, Terms};
use crate::text::slugify;
use crate::urls::{alias_path, has_section, section_url};

/// Derives everything that depends on more than one document — references and
/// who refers to whom, drafts linked from published pages, URLs claimed twice,
/// taxonomy terms — from the documents as they are now.
pub fn relink(site: &mut Site) -> Diagnostics {
    let mut problems = Diagnostics::new();
    problems.extend(resolve_references(site));
    problems.extend(check_drafts(site));
    problems.extend(check_urls(site));
    problems.extend(check_terms(site));
    site.by_url = Arc::new(
        site.docs
            .iter()
            .filter(|d| site.is_published(d) && !d.url.is_empty())
            .map(|d| (d.url.clone(), d.id))
            .collect(),
    );
    let ids: Vec<DocId> = (0..site.docs.len()).collect();
    problems.extend(check_addresses(site, &ids));
    problems.extend(check_footer(site));
    if problems.has_errors() {
        return with_sources(&site.config.root, problems);
    }
    site.taxonomies = collect_terms(site);
    with_sources(&site.config.root, problems)
}

/// site.toml's menu and footer links to pages: each page must exist and be published.
fn check_footer(site: &Site) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let menu = site.config.menu.iter().flatten().map(|l| ("menu", l));
    let footer = site.config.footer.iter().map(|l| ("footer", l));
    for (what, link) in menu.chain(footer) {
        let crate::config::LinkTo::Page(page) = &link.to else {
            continue;
        };
        let shown = crate::text::slashed(page);
        let problem = match site.doc_at(page) {
            None => Some(format!(
                "the {what} link \"{}\" goes to content/{shown}, which does not exist",
                link.title
            )),
            Some(doc) if !site.is_published(doc) => Some(format!(
                "the {what} link \"{}\" goes to content/{shown}, which is a draft",
                link.title
            )),
            Some(_) => None,
        };
        if let Some(message) = problem {
            let paths = site
                .docs
                .iter()
                .map(|d| crate::text::slashed(&d.path))
                .collect::<Vec<_>>();
            let hint = match did_you_mean(&shown, paths.iter().map(String::as_str)) {
                Some(m) => format!("did you mean \"{m}\"?"),
                None => "give the page's path below content/, such as pages/about.md".to_string(),
            };
            problems.push(
                Diagnostic::error(what, message)
                    .at(crate::config::CONFIG_FILE, link.line, 1)
                    .with_hint(hint),
            );
        }
    }
    problems
}

/// Links written as addresses on the site (`/guides/x/`): an error when no
/// page or list is there, else a warning to link to the page's file, which
/// keeps working when the page's address changes.
fn check_addresses(site: &Site, ids: &[DocId]) -> Vec<Diagnostic> {
    let lists: Vec<String> = site
        .config
        .collections
        .iter()
        .filter(|c| has_section(c))
        .map(section_url)
        .collect();
    let mut problems = Vec::new();
    for &id in ids {
        let doc = &site.docs[id];
        for address in &doc.body.addresses {
            let at = |d: Diagnostic| d.at(&doc.source, address.line, address.column);
            let written = &address.written;
            if let Some(&to) = site.by_url.get(&address.path) {
                let file = crate::markdown::relative_link(&doc.path, &site.docs[to].path);
                problems.push(at(Diagnostic::warning(
                    "address-link",
                    format!("link to the address {written}: a link to the page's file keeps working if its address changes"),
                ))
                .with_hint(format!("link to \"{file}\" instead")));
            } else if !address.path.is_empty() && !lists.contains(&address.path) {
                let known = site
                    .by_url
                    .keys()
                    .map(String::as_str)
                    .chain(lists.iter().map(String::as_str));
                let hint = match did_you_mean(&address.path, known) {
                    Some(m) => format!("did you mean the address …/{m}?"),
                    None => "copy the address of the page from the published site, or link to its .md file".to_string(),
                };
                problems.push(
                    at(Diagnostic::error(
                        "broken-link",
                        format!("link to {written}, which is no page of this site"),
                    ))
                    .with_hint(hint),
                );
            }
        }
    }
    problems
}

/// For documents whose front matter did not change: checks only what their
/// bodies can break across documents (links to drafts), leaving the rest of
/// [`relink`]'s work as it was.
pub fn relink_bodies(site: &Site, ids: &[DocId]) -> Diagnostics {
    let mut problems: Vec<Diagnostic> = ids
        .iter()
        .flat_map(|&id| draft_problems(site, &site.docs[id]))
        .collect();
    problems.extend(check_addresses(site, ids));
    with_sources(&site.config.root, problems.into())
}

/// Whether `new`, a new version of `old`, stands to the other documents as
/// `old` did: the same URL, aliases, draft state, reference fields and
/// taxonomy terms. Then [`relink_bodies`] is all the change needs.
pub fn same_links(site: &Site, old: &Document, new: &Document) -> bool {
    let references_same = site
        .collection_of(old)
        .fields
        .iter()
        .filter(|f| matches!(f.kind, FieldType::Reference | FieldType::References))
        .all(|f| old.meta.get(&f.name) == new.meta.get(&f.name));
    let terms_same = site
        .config
        .taxonomies
        .iter()
        .all(|t| term_values(old, &t.field) == term_values(new, &t.field));
    old.url == new.url
        && old.slug == new.slug
        && old.meta.draft == new.meta.draft
        && old.meta.aliases == new.meta.aliases
        && references_same
        && terms_same
}

/// Resolves reference fields to documents and records who refers to whom.
fn resolve_references(site: &mut Site) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let mut by_slug: HashMap<(usize, &str), DocId> = HashMap::new();
    for doc in &site.docs {
        if let Some(first) = by_slug.insert((doc.collection, doc.slug.as_str()), doc.id) {
            problems.push(
                Diagnostic::error(
                    "duplicate-slug",
                    format!(
                        "the slug \"{}\" is also used by {}",
                        doc.slug,
                        site.docs[first].source.display()
                    ),
                )
                .at(&doc.source, 1, 1)
                .with_hint("rename one of the files: references and URLs use the file name"),
            );
        }
    }
    let mut resolved: Vec<Vec<(String, Vec<DocId>)>> = Vec::with_capacity(site.docs.len());
    for doc in &site.docs {
        let coll = site.collection_of(doc);
        let mut refs = Vec::new();
        for field in &coll.fields {
            if !matches!(field.kind, FieldType::Reference | FieldType::References) {
                continue;
            }
            let Some(target_name) = field.collection.as_deref() else {
                continue;
            };
            let Some(target) = site
                .config
                .collections
                .iter()
                .position(|c| c.name == target_name)
            else {
                continue;
            };
            let slugs: Vec<&str> = match doc.meta.get(&field.name) {
                Some(Value::String(s)) => vec![s.as_str()],
                Some(Value::List(l)) => l.iter().map(String::as_str).collect(),
                _ => continue,
            };
            let mut ids = Vec::new();
            for slug in slugs {
                if let Some(&id) = by_slug.get(&(target, slug)) {
                    ids.push(id);
                } else {
                    let line = doc.meta.line_of(&field.name);
                    let candidates = site
                        .docs
                        .iter()
                        .filter(|d| d.collection == target)
                        .map(|d| d.slug.as_str());
                    let hint = match did_you_mean(slug, candidates) {
                        Some(m) => format!("did you mean \"{m}\"?"),
                        None => format!(
                            "use the file name (without .md) of a document in content/{}/",
                            site.config.collections[target].folder
                        ),
                    };
                    problems.push(
                        Diagnostic::error(
                            "missing-reference",
                            format!("`{}` refers to \"{slug}\", but there is no such document in `{target_name}`", field.name),
                        )
                        .at(&doc.source, line, 1)
                        .with_hint(hint),
                    );
                }
            }
            refs.push((field.name.clone(), ids));
        }
        resolved.push(refs);
    }
    let mut referrers: Vec<Vec<DocId>> = vec![Vec::new(); site.docs.len()];
    for (id, refs) in resolved.iter().enumerate() {
        for (_, targets) in refs {
            for &t in targets {
                if referrers[t].last() != Some(&id) {
                    referrers[t].push(id);
                }
            }
        }
    }
    // Only the documents whose links changed are copied: the others stay
    // shared with the site this one was made from (see [`Site`]).
    for ((doc, refs), by) in site.docs.iter_mut().zip(resolved).zip(referrers) {
        if doc.refs != refs || doc.referrers != by {
            let doc = Arc::make_mut(doc);
            doc.refs = refs;
            doc.referrers = by;
        }
    }
    problems
}

/// Why a document this build leaves out is left out, in words.
fn not_published(doc: &Document) -> String {
    match doc.meta.date {
        Some(date) if !doc.meta.draft => format!(
            "is dated {}, after today, and is not published until then",
            date.long()
        ),
        _ => "is a draft and is not published".to_string(),
    }
}

/// Published pages may not link or refer to drafts that this build leaves out.
fn check_drafts(site: &Site) -> Vec<Diagnostic> {
    site.docs
        .iter()
        .flat_map(|doc| draft_problems(site, doc))
        .collect()
}

/// What is wrong with `doc`'s links and references to pages this build leaves out.
fn draft_problems(site: &Site, doc: &Document) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    if site.is_published(doc) {
        for link in doc.body.links.iter().filter(|l| l.doc != doc.id) {
            let to = &site.docs[link.doc];
            if !site.is_published(to) {
                problems.push(
                    Diagnostic::error("draft-link", format!("links to {}, which {}", to.source.display(), not_published(to)))
                        .at(&doc.source, link.line, link.column)
                        .with_hint(if to.meta.draft {
                            "remove the link, or publish the page by removing `draft: true` (build with --drafts to preview)"
                        } else {
                            "remove the link until that day, or give the page today's date (build with --future to preview)"
                        }),
                );
            }
        }
        for (field, ids) in &doc.refs {
            for &id in ids {
                if !site.is_published(&site.docs[id]) {
                    problems.push(
                        Diagnostic::error(
                            "draft-link",
                            format!(
                                "`{field}` refers to {}, which {}",
                                site.docs[id].source.display(),
                                not_published(&site.docs[id])
                            ),
                        )
                        .at(&doc.source, doc.meta.line_of(field), 1)
                        .with_hint(
                            "publish that document first, or build with --drafts to preview",
                        ),
                    );
                }
            }
        }
        if site.owner(doc).is_none() {
            let coll = site.collection_of(doc);
            problems.push(
                Diagnostic::error(
                    "unpublished",
                    format!("no target publishes collection `{}`", coll.name),
                )
                .in_file(&doc.source)
                .with_hint(format!(
                    "add \"{}\" to a target's `collections` in site.toml",
                    coll.name
                )),
            );
        }
    }
    problems
}

/// The longest part of an address hubgen writes as a file or folder name, in
/// bytes: common file systems stop at 255.
const MAX_SEGMENT: usize = 200;

/// Aliases must be plain paths on the site. Whether two things claim the same
/// output file is decided where every output file is planned
/// ([`crate::render::plan`]).
fn check_urls(site: &Site) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    for doc in &site.docs {
        for alias in &doc.meta.aliases {
            if let Some(long) = alias.split('/').find(|seg| seg.len() > MAX_SEGMENT) {
                problems.push(
                    Diagnostic::error(
                        "bad-alias",
                        format!(
                            "alias \"{alias}\" has a part of {} characters; file systems refuse names over {MAX_SEGMENT}",
                            long.chars().count()
                        ),
                    )
                    .at(&doc.source, doc.meta.line_of("aliases"), 1)
                    .with_hint("shorten the old address, or leave it out"),
                );
            } else if alias_path(alias).is_none() {
                problems.push(
                    Diagnostic::error(
                        "bad-alias",
                        format!("alias \"{alias}\" is not a path on this site"),
                    )
                    .at(&doc.source, doc.meta.line_of("aliases"), 1)
                    .with_hint("write aliases as paths from the site root, like /old-name/"),
                );
            }
        }
    }
    problems
}

/// The values of a taxonomy's `field` in `doc`: its terms before slugging.
fn term_values<'a>(doc: &'a Document, field: &str) -> Vec<&'a str> {
    if field == "tags" {
        return doc.meta.tags.iter().map(String::as_str).collect();
    }
    match doc.meta.get(field) {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::List(l)) => l.iter().map(String::as_str).collect(),
        _ => Vec::new(),
    }
}

/// Taxonomy terms become folder names: one longer than a file system takes
/// is an error where it is written, not an unreadable one when it is written out.
fn check_terms(site: &Site) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    for tax in &site.config.taxonomies {
        for doc in &site.docs {
            let values = term_values(doc, &tax.field);
            for v in values
                .into_iter()
                .filter(|v| slugify(v).len() > MAX_SEGMENT)
            {
                problems.push(
                    Diagnostic::error(
                        "long-term",
                        format!(
                            "`{}` has a value of {} characters; its page's address would be longer than file systems allow",
                            tax.field,
                            v.chars().count()
                        ),
                    )
                    .at(&doc.source, doc.meta.line_of(&tax.field), 1)
                    .with_hint(format!("keep each value under {MAX_SEGMENT} characters")),
                );
            }
        }
    }
    problems
}

/// Collects, for every taxonomy, its terms over every published document.
fn collect_terms(site: &Site) -> BTreeMap<String, Terms> {
    let mut out = BTreeMap::new();
    for tax in &site.config.taxonomies {
        let mut terms = Terms::default();
        for doc in site.docs.iter().filter(|d| site.is_published(d)) {
            let values = term_values(doc, &tax.field);
            for v in values {
                let slug = slugify(v);
                if slug.is_empty() {
                    continue;
                }
                let entry = terms
                    .terms
                    .entry(slug)
                    .or_insert_with(|| (v.to_string(), Vec::new()));
                if entry.1.last() != Some(&doc.id) {
                    entry.1.push(doc.id);
                }
            }
        }
        out.insert(tax.name.clone(), terms);
    }
    out
}

/// Adds the offending line to diagnostics found after loading, reading the
/// file again: cheap, and only ever done for files that have a problem.
fn with_sources(root: &Path, problems: Diagnostics) -> Diagnostics {
    problems
        .into_sorted()
        .into_iter()
        .map(|d| match (&d.path, d.line, &d.source_line) {
            (Some(path), 1.., None) => match std::fs::read_to_string(root.join(path)) {
                Ok(text) => d.with_source(&text),
                Err(_) => d,
            },
            _ => d,
        })
        .collect::<Vec<_>>()
        .into()
}
