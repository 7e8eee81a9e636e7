//! `[[menu]]` and `[[footer]]` in site.toml: the links at the head and at the
//! foot of every page, each to a page (its file in `content/`), a
//! collection's list, another target's home page, or an address.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use super::validate::Err;
use super::{Collection, Target};
use crate::diagnostics::{did_you_mean, line_col, Diagnostics};

/// One `[[menu]]` or `[[footer]]` link as written: a title, and exactly one
/// of `page`, `collection`, `site` and `url`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawLink {
    title: Option<String>,
    page: Option<String>,
    collection: Option<String>,
    site: Option<String>,
    url: Option<String>,
}

/// A link of the menu or the footer.
#[derive(Clone, Debug)]
pub struct NavLink {
    /// What the link says.
    pub title: String,
    /// Where it goes.
    pub to: LinkTo,
    /// Its line in site.toml, for errors.
    pub line: usize,
}

/// Where a menu or footer link goes.
#[derive(Clone, Debug)]
pub enum LinkTo {
    /// A page, by its path below `content/` (`pages/about.md`): linked on
    /// each target like a link to its file.
    Page(PathBuf),
    /// A collection's list page, by the collection's name: shown only on
    /// the targets that publish the collection.
    List(String),
    /// Another target's home page, by the target's name: shown on every
    /// target but that one.
    Site(String),
    /// An address as written: another site, or a `mailto:` role mailbox.
    Url(String),
}

const HINT: &str = "write one of page = \"pages/about.md\" (a file in content/), collection = \"guides\" (its list), site = \"hub\" (another target's home page) or url = \"mailto:team@example.org\"";

/// The links of one `[[menu]]` or `[[footer]]` array (`what` names it in
/// errors), each checked against the collections and targets.
pub(super) fn links(
    what: &str,
    raw: &[Spanned<RawLink>],
    (collections, targets): (&[Collection], &[Target]),
    text: &str,
    err: &Err<'_>,
    errors: &mut Diagnostics,
) -> Vec<NavLink> {
    let mut links = Vec::new();
    for link in raw {
        let span = link.span();
        let line = line_col(text, span.start).0;
        let l = link.get_ref();
        let named = l.title.as_deref().unwrap_or("(untitled)");
        let given = [&l.page, &l.collection, &l.site, &l.url]
            .iter()
            .filter(|v| v.is_some())
            .count();
        if given != 1 {
            errors.push(
                err(
                    span,
                    format!("the {what} link \"{named}\" needs exactly one of page, collection, site and url"),
                )
                .with_hint(HINT),
            );
            continue;
        }
        let (to, default_title) = if let Some(page) = &l.page {
            if Path::new(page).extension().is_none_or(|e| e != "md") || page.contains("..") {
                errors.push(
                    err(span, format!("the {what} link \"{named}\" names page \"{page}\", which is not a Markdown file below content/"))
                        .with_hint("write the page's path below content/, such as page = \"pages/about.md\""),
                );
                continue;
            }
            (
                LinkTo::Page(PathBuf::from(page.trim_start_matches('/'))),
                None,
            )
        } else if let Some(name) = &l.collection {
            let Some(c) = collections.iter().find(|c| c.name == *name) else {
                let hint = did_you_mean(name, collections.iter().map(|c| c.name.as_str()))
                    .map_or_else(
                        || "name a [collections.NAME] of site.toml".to_string(),
                        |m| format!("did you mean \"{m}\"?"),
                    );
                errors.push(
                    err(span, format!("the {what} link \"{named}\" names collection \"{name}\", which site.toml does not have")).with_hint(hint),
                );
                continue;
            };
            (LinkTo::List(name.clone()), Some(c.title.clone()))
        } else if let Some(name) = &l.site {
            let Some(t) = targets.iter().find(|t| t.name == *name) else {
                let hint = did_you_mean(name, targets.iter().map(|t| t.name.as_str())).map_or_else(
                    || "name a [targets.NAME] of site.toml".to_string(),
                    |m| format!("did you mean \"{m}\"?"),
                );
                errors.push(
                    err(span, format!("the {what} link \"{named}\" names site \"{name}\", which is not a target of site.toml")).with_hint(hint),
                );
                continue;
            };
            (LinkTo::Site(name.clone()), Some(t.title.clone()))
        } else {
            let url = l.url.clone().unwrap_or_default();
            if !url.contains(':') {
                errors.push(
                    err(span, format!("the {what} link \"{named}\" has url \"{url}\", which is not a full address"))
                        .with_hint("write the whole address, such as https://example.org/ or mailto:team@example.org; for a page of these sites, use page = \"…\""),
                );
                continue;
            }
            (LinkTo::Url(url), None)
        };
        let Some(title) = l
            .title
            .clone()
            .filter(|t| !t.trim().is_empty())
            .or(default_title)
        else {
            errors.push(
                err(span, format!("a {what} link has no title"))
                    .with_hint("write title = \"About\""),
            );
            continue;
        };
        links.push(NavLink { title, to, line });
    }
    links
}

#[cfg(test)]
mod tests {
    use super::LinkTo;
    use crate::config::Config;
    use crate::diagnostics::Diagnostics;

    const SITE: &str = r#"
title = "T"
[collections.guides]
[targets.hub]
title = "The Hub"
base_url = "https://example.org/"
theme = "t"
collections = ["guides"]
"#;

    fn parse(menu: &str) -> Result<Config, Vec<String>> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("themes/t/templates")).unwrap();
        Config::parse(dir.path(), &format!("{SITE}{menu}")).map_err(|e| {
            Diagnostics::into_sorted(e)
                .iter()
                .map(ToString::to_string)
                .collect()
        })
    }

    #[test]
    fn menu_links_take_their_titles_from_what_they_name() {
        let c = parse(
            "[[menu]]\ncollection = \"guides\"\n[[menu]]\nsite = \"hub\"\n[[menu]]\ntitle = \"About\"\npage = \"pages/about.md\"\n",
        )
        .expect("it parses");
        let menu = c.menu.expect("site.toml has a menu");
        let titles: Vec<_> = menu.iter().map(|l| l.title.as_str()).collect();
        assert_eq!(titles, ["Guides", "The Hub", "About"]);
        assert!(matches!(&menu[0].to, LinkTo::List(c) if c == "guides"));
        assert_eq!(menu[2].line, 13);
        assert!(parse("").expect("it parses").menu.is_none());
    }

    #[test]
    fn a_menu_link_to_nothing_known_is_a_located_error_with_a_suggestion() {
        let errs = parse(
            "[[menu]]\ncollection = \"guide\"\n[[menu]]\nsite = \"hubb\"\n[[footer]]\ntitle = \"x\"\npage = \"a.md\"\nurl = \"https://x.org/\"\n[[menu]]\ntitle = \"Home\"\nurl = \"/\"\n",
        )
        .unwrap_err();
        assert_eq!(errs.len(), 4, "{errs:#?}");
        assert!(
            errs[0].starts_with(
                "site.toml:9:1: error: the menu link \"(untitled)\" names collection \"guide\""
            ),
            "{}",
            errs[0]
        );
        assert!(errs[0].contains("did you mean \"guides\"?"), "{}", errs[0]);
        assert!(
            errs[1].contains("names site \"hubb\", which is not a target"),
            "{}",
            errs[1]
        );
        assert!(
            errs[2].contains(
                "the footer link \"x\" needs exactly one of page, collection, site and url"
            ),
            "{}",
            errs[2]
        );
        assert!(
            errs[3].contains("has url \"/\", which is not a full address"),
            "{}",
            errs[3]
        );
    }
}
