//! The links of the menu and the footer, as a target shows them.

use serde::Serialize;

use crate::config::{Collection, LinkTo, NavLink, Target};
use crate::site::{DocId, Site};
use crate::urls::{has_section, section_url};

/// A link of the menu or the footer (site.toml's `[[menu]]`, `[[footer]]`).
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct NavLinkContext<'a> {
    /// What the link says (`Accessibility statement`).
    pub title: &'a str,
    /// Where it goes.
    pub url: String,
    /// What it goes to: `page`, `list` (a collection's list: mark it current
    /// on every page below its URL), `site` (another target's home page) or
    /// `address` (as written in site.toml).
    pub kind: &'static str,
    /// Whether it leaves this site (another target, another site, an e-mail).
    pub external: bool,
}

impl<'a> NavLinkContext<'a> {
    /// `link` as `target` shows it, or `None` when it does not show it (a
    /// list it does not publish in the menu, a link to itself).
    pub(super) fn new(site: &Site, target: &Target, link: &'a NavLink, menu: bool) -> Option<Self> {
        let (url, kind, external) = match &link.to {
            LinkTo::Page(page) => match site.doc_at(page) {
                Some(doc) => (
                    site.url_from(doc, target).unwrap_or_default(),
                    "page",
                    !site.publishes(target, doc),
                ),
                // A missing page is an error of the build before anything renders.
                None => (String::new(), "page", false),
            },
            LinkTo::List(name) => {
                let c = site.config.collections.iter().find(|c| c.name == *name)?;
                let owner = if target.publishes(name) {
                    Some(target)
                } else if menu {
                    None
                } else {
                    site.config.targets.iter().find(|t| t.publishes(name))
                }?;
                let external = owner.name != target.name;
                let base = if external {
                    owner.base_url.as_str()
                } else {
                    owner.base_path()
                };
                (format!("{base}{}", section_url(c)), "list", external)
            }
            LinkTo::Site(name) if *name == target.name => return None,
            LinkTo::Site(name) => {
                let t = site.config.target(name)?;
                (t.base_url.clone(), "site", true)
            }
            LinkTo::Url(url) => (url.clone(), "address", true),
        };
        Some(NavLinkContext {
            title: &link.title,
            url,
            kind,
            external,
        })
    }
}

/// The menu of a site without `[[menu]]`: each list of `target`, then each other target.
pub(super) fn default_menu<'a>(
    site: &'a Site,
    target: &'a Target,
    sections: &[(&'a Collection, Vec<DocId>)],
) -> Vec<NavLinkContext<'a>> {
    let lists = sections
        .iter()
        .filter(|(c, _)| has_section(c))
        .map(|(c, _)| NavLinkContext {
            title: &c.title,
            url: format!("{}{}", target.base_path(), section_url(c)),
            kind: "list",
            external: false,
        });
    let sites = site
        .config
        .targets
        .iter()
        .filter(|t| t.name != target.name)
        .map(|t| NavLinkContext {
            title: &t.title,
            url: t.base_url.clone(),
            kind: "site",
            external: true,
        });
    lists.chain(sites).collect()
}
