//! Where a build may write: output folders resolved and checked against the
//! site's sources and each other, and the rule for which folders hubgen may
//! replace.

use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

use super::{sibling, MARKER, MARKER_TEXT, OLD, SPARE, STAGING};
use crate::diagnostics::{Diagnostic, Diagnostics};

/// `path` made absolute against `base`, with `.` and `..` resolved lexically,
/// and then with its longest existing prefix resolved against the file system
/// (so a symbolic link cannot make two different spellings of one folder look
/// different).
pub fn resolve(base: &Path, path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        base.join(path)
    };
    let joined = std::path::absolute(&joined).unwrap_or(joined);
    let mut lexical = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::ParentDir => {
                lexical.pop();
            }
            Component::CurDir => {}
            other => lexical.push(other),
        }
    }
    // The longest prefix that exists, resolved; the rest appended as written.
    let mut existing = lexical.clone();
    let mut rest = Vec::new();
    loop {
        if let Ok(real) = fs::canonicalize(&existing) {
            let mut out = real;
            out.extend(rest.iter().rev());
            return out;
        }
        match (
            existing.file_name().map(ToOwned::to_owned),
            existing.parent(),
        ) {
            (Some(name), Some(parent)) => {
                rest.push(name);
                existing = parent.to_path_buf();
            }
            _ => return lexical,
        }
    }
}

/// One target's output folder, as configured.
#[derive(Clone, Debug)]
pub struct OutputDir {
    /// The name of the target written there.
    pub target: String,
    /// Resolved by [`resolve`].
    pub path: PathBuf,
    /// Where it was configured: `site.toml` line and column, or (0, 0) for a
    /// default or `--output`.
    pub at: (usize, usize),
}

impl OutputDir {
    /// A problem with this output folder, located where site.toml sets it
    /// (an `--output` on the command line has no place in a file).
    pub fn problem(&self, message: String) -> Diagnostic {
        let d = Diagnostic::error("output", message);
        if self.at.0 > 0 {
            d.at(crate::config::CONFIG_FILE, self.at.0, self.at.1)
        } else {
            d
        }
    }
}

/// The longest folder name an output may have: its staging sibling adds
/// `.NAME.hubgen-staging`, and common file systems stop at 255 bytes.
const MAX_OUTPUT_NAME: usize = 200;

/// The parts of a site that no output folder may overlap, with how to name them.
fn protected(root: &Path, themes: &Path) -> Vec<(PathBuf, &'static str)> {
    let mut out = vec![(resolve(root, themes), "the themes folder")];
    for (name, what) in [
        ("content", "the content folder"),
        ("templates", "the templates folder"),
        ("static", "the static folder"),
        (".git", "the git repository"),
        (".hubgen-cache", "hubgen's cache"),
        ("site.toml", "site.toml"),
    ] {
        out.push((resolve(root, Path::new(name)), what));
    }
    out
}

/// Marks `dir` (which hubgen made) as hubgen's output, as every build's
/// output is marked: the live preview's folder then holds what a build's does.
pub fn mark(dir: &Path) -> io::Result<()> {
    let marker = dir.join(MARKER);
    if fs::read(&marker).is_ok_and(|b| b == MARKER_TEXT.as_bytes()) {
        return Ok(());
    }
    fs::write(marker, MARKER_TEXT)
}

/// Checks the output folders of a build before anything is written. Each
/// built output (`built`) may not be the site root or a parent of it, overlap
/// the site's sources, or be a file, a mount point, or a non-empty folder
/// that hubgen did not make; and no output, built or not (`others`, the rest
/// of site.toml's targets), may be, contain or sit inside another.
pub fn check_outputs(
    root: &Path,
    themes: &Path,
    built: &[OutputDir],
    others: &[OutputDir],
) -> Diagnostics {
    let root = resolve(Path::new("."), root);
    let protected = protected(&root, themes);
    let mut problems = Diagnostics::new();
    let refuse = |o: &OutputDir, message: String, hint: &str| o.problem(message).with_hint(hint);
    for (i, o) in built.iter().enumerate() {
        let shown = o.path.display();
        let name = &o.target;
        if let Err(why) = placement(o, &root, &protected) {
            problems.push(refuse(
                o,
                format!("the output folder of target `{name}` ({shown}) {why}"),
                "choose an output folder of its own, such as public/NAME",
            ));
            continue;
        }
        let mut placed = true;
        for other in built[i + 1..].iter().chain(others) {
            let sibling_of = |a: &Path, b: &Path| {
                [STAGING, OLD, SPARE]
                    .iter()
                    .any(|suffix| sibling(a, suffix) == b)
            };
            if o.path.starts_with(&other.path)
                || other.path.starts_with(&o.path)
                || sibling_of(&o.path, &other.path)
                || sibling_of(&other.path, &o.path)
            {
                placed = false;
                // Located where site.toml can be changed, if either can be.
                let at = if o.at.0 > 0 { o } else { other };
                problems.push(refuse(
                    at,
                    format!(
                        "targets `{name}` and `{}` write to the same or nested folders ({shown} and {})",
                        other.target,
                        other.path.display()
                    ),
                    "give each target an output folder of its own",
                ));
            }
        }
        if !placed {
            continue;
        }
        if let Err(why) = replaceable(&o.path) {
            problems.push(refuse(o, format!("target `{name}`: {why}"), "build into a new or empty folder (or, if an earlier version of hubgen made this one, delete it once): hubgen replaces only folders that hold its .hubgen-output file, and only what it wrote there"));
        }
    }
    problems
}

/// Why `o` cannot be an output folder at all, wherever the others are.
fn placement(o: &OutputDir, root: &Path, protected: &[(PathBuf, &str)]) -> Result<(), String> {
    if o.path
        .components()
        .any(|c| c.as_os_str().len() > MAX_OUTPUT_NAME)
    {
        return Err(format!(
            "has a name longer than {MAX_OUTPUT_NAME} characters"
        ));
    }
    let name = o.path.file_name().map(|n| n.to_string_lossy().into_owned());
    if name.is_some_and(|n| n.ends_with(STAGING) || n.ends_with(OLD) || n.ends_with(SPARE)) {
        return Err("is named like the folders hubgen keeps beside an output".into());
    }
    if root.starts_with(&o.path) {
        return Err("holds the whole site: building would replace its sources".into());
    }
    if let Some((_, what)) = protected
        .iter()
        .find(|(p, _)| o.path.starts_with(p) || p.starts_with(&o.path))
    {
        return Err(format!("overlaps {what}, one of the site's own sources"));
    }
    if is_mount_point(&o.path) {
        return Err("is a mount point: hubgen swaps a finished build in by renaming folders, which a mount point does not allow; build into a folder inside it instead".into());
    }
    Ok(())
}

/// Whether `dir` is where another file system is mounted.
#[cfg(unix)]
fn is_mount_point(dir: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    let (Ok(here), Some(Ok(parent))) = (fs::symlink_metadata(dir), dir.parent().map(fs::metadata))
    else {
        return false;
    };
    here.is_dir() && here.dev() != parent.dev()
}

#[cfg(not(unix))]
fn is_mount_point(_: &Path) -> bool {
    false
}

/// Whether `dir` may be replaced by a build: it does not exist, is empty, or
/// carries the marker and holds nothing a build would wrongly delete (a git
/// repository someone made inside it to publish from).
fn replaceable(dir: &Path) -> Result<(), String> {
    let meta = match fs::symlink_metadata(dir) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(format!("cannot read {}: {e}", dir.display())),
    };
    if !meta.is_dir() {
        return Err(format!("{} exists and is not a folder", dir.display()));
    }
    if !owned(dir)? {
        return Err(format!(
            "{} holds files that hubgen did not make",
            dir.display()
        ));
    }
    if dir.join(".git").exists() {
        return Err(format!(
            "{} holds a git repository (.git) that a build would delete",
            dir.display()
        ));
    }
    Ok(())
}

/// Whether the live preview may use `dir` as its folder: the rule of a
/// build's output.
pub fn check_replaceable(dir: &Path) -> Result<(), String> {
    replaceable(dir)
}

/// A folder is hubgen's when it carries the marker or is empty.
pub(super) fn owned(dir: &Path) -> Result<bool, String> {
    if dir.join(MARKER).is_file() {
        return Ok(true);
    }
    let mut entries =
        fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    Ok(entries.next().is_none())
}
