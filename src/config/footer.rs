//! `[[footer]]` in site.toml: the links at the foot of every page of every
//! target, each to a page (its file in `content/`) or an address.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use super::validate::Err;
use crate::diagnostics::{line_col, Diagnostics};

/// One `[[footer]]` link: a title, and a page (`page = "pages/about.md"`) or
/// an address (`url = "mailto:team@example.org"`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFooterLink {
    title: String,
    page: Option<String>,
    url: Option<String>,
}

/// A link at the foot of every page.
#[derive(Clone, Debug)]
pub struct FooterLink {
    /// What the link says.
    pub title: String,
    /// Where it goes: a page (its path below `content/`) or an address.
    pub to: FooterTarget,
    /// Its line in site.toml, for errors.
    pub line: usize,
}

/// Where a footer link goes.
#[derive(Clone, Debug)]
pub enum FooterTarget {
    /// A page, by its path below `content/` (`pages/about.md`): linked on
    /// each target like a link to its file.
    Page(PathBuf),
    /// An address as written: another site, or a `mailto:` role mailbox.
    Url(String),
}

/// The `[[footer]]` links, each with a title and one of `page` and `url`.
pub(super) fn footer(
    raw: &[Spanned<RawFooterLink>],
    text: &str,
    err: &Err<'_>,
    errors: &mut Diagnostics,
) -> Vec<FooterLink> {
    let mut links = Vec::new();
    for link in raw {
        let span = link.span();
        let line = line_col(text, span.start).0;
        let l = link.get_ref();
        let to = match (&l.page, &l.url) {
            (Some(page), None)
                if Path::new(page).extension().is_some_and(|e| e == "md")
                    && !page.contains("..") =>
            {
                FooterTarget::Page(PathBuf::from(page.trim_start_matches('/')))
            }
            (None, Some(url)) if url.contains(':') => FooterTarget::Url(url.clone()),
            _ => {
                errors.push(
                    err(span, format!("the footer link \"{}\" needs a page or a url", l.title))
                        .with_hint("write page = \"pages/about.md\" (a file in content/) or url = \"mailto:team@example.org\""),
                );
                continue;
            }
        };
        if l.title.trim().is_empty() {
            errors.push(
                err(span, "a footer link has no title".into()).with_hint("write title = \"About\""),
            );
            continue;
        }
        links.push(FooterLink {
            title: l.title.clone(),
            to,
            line,
        });
    }
    links
}
