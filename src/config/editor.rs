//! `[editor]` in site.toml: the browser editor hubgen writes into one target,
//! so that editors who never open a terminal still commit Markdown through
//! git. Off unless the table is there.

use serde::Deserialize;
use toml::Spanned;

use super::validate::Err;
use super::Target;
use crate::diagnostics::{Diagnostic, Diagnostics};

/// `[editor]` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawEditor {
    #[serde(default = "yes")]
    enabled: bool,
    target: Option<Spanned<String>>,
    path: Option<Spanned<String>>,
    backend: Option<Spanned<String>>,
    repo: Option<Spanned<String>>,
    branch: Option<String>,
    api_root: Option<String>,
    #[serde(default)]
    editorial_workflow: bool,
    media_folder: Option<Spanned<String>>,
    public_folder: Option<String>,
}

fn yes() -> bool {
    true
}

/// The git host the editor commits through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GitHost {
    /// GitHub (or GitHub Enterprise with `api_root`).
    GitHub,
    /// GitLab.
    GitLab,
    /// Gitea or Forgejo.
    Gitea,
}

impl GitHost {
    /// The backend's name as the editor's configuration writes it.
    pub fn name(self) -> &'static str {
        match self {
            GitHost::GitHub => "github",
            GitHost::GitLab => "gitlab",
            GitHost::Gitea => "gitea",
        }
    }
}

/// The browser editor: where it is served and where it commits.
#[derive(Clone, Debug)]
pub struct Editor {
    /// The target whose output holds the editor.
    pub target: String,
    /// Its folder in that output, without slashes at either end (`admin`).
    pub path: String,
    /// The git host.
    pub host: GitHost,
    /// The repository on the host, `owner/name`.
    pub repo: String,
    /// The branch edits are committed to.
    pub branch: String,
    /// The host's API address, for a self-hosted GitHub, GitLab or Gitea.
    pub api_root: Option<String>,
    /// Edits become pull requests to review before they are published.
    pub editorial_workflow: bool,
    /// Where uploaded images are committed, from the repository's root.
    pub media_folder: String,
    /// The address the site serves `media_folder` at.
    pub public_folder: String,
}

/// Checks `[editor]` against the targets and the repository settings.
pub(super) fn editor(
    raw: Option<&Spanned<RawEditor>>,
    targets: &[Target],
    repo_url: Option<&str>,
    branch: &str,
    err: &Err<'_>,
    errors: &mut Diagnostics,
) -> Option<Editor> {
    let spanned = raw?;
    if !spanned.get_ref().enabled {
        return None;
    }
    match resolve(spanned, targets, repo_url, branch, err) {
        Ok(editor) => editor,
        Err(d) => {
            errors.push(d);
            None
        }
    }
}

fn resolve(
    spanned: &Spanned<RawEditor>,
    targets: &[Target],
    repo_url: Option<&str>,
    branch: &str,
    err: &Err<'_>,
) -> Result<Option<Editor>, Diagnostic> {
    let e = spanned.get_ref();
    let at = |s: &Option<Spanned<String>>| s.as_ref().map_or(spanned.span(), Spanned::span);
    let target = match &e.target {
        Some(t) if targets.iter().any(|x| &x.name == t.get_ref()) => t.get_ref().clone(),
        Some(t) => {
            let names: Vec<&str> = targets.iter().map(|t| t.name.as_str()).collect();
            return Err(err(
                t.span(),
                format!("the editor's target `{}` is not a target", t.get_ref()),
            )
            .with_hint(format!("use one of: {}", names.join(", "))));
        }
        None => match targets.first() {
            Some(t) => t.name.clone(),
            None => return Ok(None),
        },
    };
    let path = e
        .path
        .as_ref()
        .map_or("admin", |p| p.get_ref().trim_matches('/'));
    if !plain(path) {
        return Err(err(
            at(&e.path),
            format!("the editor's path `{path}` is not a plain folder"),
        )
        .with_hint("write path = \"/admin/\": letters, digits, - and _ between slashes"));
    }
    let host = match e
        .backend
        .as_ref()
        .map_or("github", |b| b.get_ref().as_str())
    {
        "github" => GitHost::GitHub,
        "gitlab" => GitHost::GitLab,
        "gitea" => GitHost::Gitea,
        other => {
            return Err(err(
                at(&e.backend),
                format!("the editor's backend `{other}` is not one hubgen knows"),
            )
            .with_hint("write backend = \"github\", \"gitlab\" or \"gitea\""))
        }
    };
    let written = e.repo.as_ref().map(|r| r.get_ref().clone());
    let repo = written
        .or_else(|| repo_url.and_then(owner_and_name))
        .filter(|r| r.split('/').count() >= 2 && !r.contains(' '))
        .ok_or_else(|| {
            err(
                at(&e.repo),
                "the editor does not know which repository to commit to".into(),
            )
            .with_hint("write repo = \"owner/name\" under [editor], or set repo_url")
        })?;
    let media_folder = e
        .media_folder
        .as_ref()
        .map_or("static/images", |m| m.get_ref().trim_matches('/'))
        .to_string();
    if !plain(&media_folder) {
        return Err(err(
            at(&e.media_folder),
            format!("the editor's media_folder `{media_folder}` is not a plain folder"),
        )
        .with_hint("write media_folder = \"static/images\""));
    }
    let public_folder = e.public_folder.clone().unwrap_or_else(|| {
        format!(
            "/{}",
            media_folder
                .strip_prefix("static/")
                .unwrap_or(&media_folder)
        )
    });
    Ok(Some(Editor {
        target,
        path: path.to_string(),
        host,
        repo,
        branch: e.branch.clone().unwrap_or_else(|| branch.to_string()),
        api_root: e.api_root.clone(),
        editorial_workflow: e.editorial_workflow,
        media_folder,
        public_folder,
    }))
}

/// A folder path of plain names: letters, digits, `-` and `_` between slashes.
fn plain(s: &str) -> bool {
    !s.is_empty()
        && s.split('/').all(|seg| {
            !seg.is_empty()
                && seg
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

/// `owner/name` from a repository's web address
/// (`https://github.com/owner/name` → `owner/name`).
fn owner_and_name(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let (_, path) = rest.split_once('/')?;
    let path = path.trim_end_matches('/').trim_end_matches(".git");
    path.contains('/').then(|| path.to_string())
}
