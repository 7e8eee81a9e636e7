//! What git knows about the content: when each file last changed, and where the
//! site sits in its repository.
//!
//! This uses the git command line rather than a library: CI and editors'
//! machines have git already, one `git log` pass over the history answers for
//! every file at once, and hubgen gains no large dependency for it. Outside a
//! repository (or without git) every answer is empty, and pages fall back to
//! their front matter's `updated`: never to a file's modification time, which
//! would make the output differ from one checkout to the next.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::text::Date;

/// The date of the last commit that touched each file under `root/dir`, by path
/// relative to `root` (e.g. `content/guides/x.md`).
pub fn last_changed(root: &Path, dir: &str) -> HashMap<PathBuf, Date> {
    let output = Command::new("git")
        .arg("-C")
        .arg(root)
        .args([
            "log",
            "--format=%x00%cs",
            "--name-only",
            "--no-renames",
            "--relative",
            "--",
            dir,
        ])
        .output();
    let Ok(output) = output else {
        return HashMap::new();
    };
    if !output.status.success() {
        return HashMap::new();
    }
    parse_log(&String::from_utf8_lossy(&output.stdout))
}

/// Reads `git log --format=%x00%cs --name-only`: newest commit first, so the
/// first date seen for a file is its last change.
fn parse_log(log: &str) -> HashMap<PathBuf, Date> {
    let mut out = HashMap::new();
    let mut current = None;
    for line in log.lines() {
        if let Some(date) = line.strip_prefix('\0') {
            current = Date::parse(date.trim());
        } else if let (Some(date), false) = (current, line.trim().is_empty()) {
            out.entry(PathBuf::from(line.trim())).or_insert(date);
        }
    }
    out
}

/// The path of `root` inside its repository (`""` at the top, `docs/site/` below it),
/// or `None` outside a repository.
pub fn prefix(root: &Path) -> Option<String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["rev-parse", "--show-prefix"])
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_string())
}

/// The files below `root` (by path relative to it) that differ from where
/// the current branch left `reference`: changed, added or deleted since their
/// common ancestor, committed or not, and new files git does not ignore. This
/// is what a pull request into `reference` changes.
pub fn changed_since(root: &Path, reference: &str) -> Result<HashSet<PathBuf>, String> {
    let git = |args: &[&str]| -> Result<String, String> {
        let output = Command::new("git")
            .arg("-C")
            .arg(root)
            .args(args)
            .output()
            .map_err(|e| format!("git could not run: {e}"))?;
        if output.status.success() {
            Ok(String::from_utf8_lossy(&output.stdout).into_owned())
        } else {
            Err(String::from_utf8_lossy(&output.stderr).trim().to_string())
        }
    };
    let base = git(&["merge-base", reference, "HEAD"])?;
    let mut changed: HashSet<PathBuf> = git(&[
        "diff",
        "--name-only",
        "--no-renames",
        "--relative",
        "-z",
        base.trim(),
    ])?
    .split('\0')
    .filter(|p| !p.is_empty())
    .map(PathBuf::from)
    .collect();
    changed.extend(
        git(&["ls-files", "--others", "--exclude-standard", "-z"])?
            .split('\0')
            .filter(|p| !p.is_empty())
            .map(PathBuf::from),
    );
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newest_commit_wins() {
        let log =
            "\x002011-02-01\n\ncontent/a.md\n\n\x002011-01-01\n\ncontent/a.md\ncontent/b.md\n";
        let m = parse_log(log);
        assert_eq!(m[Path::new("content/a.md")].to_string(), "2011-02-01");
        assert_eq!(m[Path::new("content/b.md")].to_string(), "2011-01-01");
    }

    #[test]
    fn outside_a_repository_nothing_is_known() {
        let dir = tempfile::tempdir().unwrap();
        assert!(last_changed(dir.path(), "content").is_empty());
        assert_eq!(prefix(dir.path()), None);
    }
}
