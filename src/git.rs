//! What git knows about the content: when each file last changed, and where the
//! site sits in its repository.
//!
//! This uses the git command line rather than a library: CI and editors'
//! machines have git already, one `git log` pass over the history answers for
//! every file at once, and hubgen gains no large dependency for it. Outside a
//! repository (or without git) every answer is empty, and pages fall back to
//! their front matter's `updated`: never to a file's modification time, which
//! would make the output differ from one checkout to the next.

use std::collections::HashMap;
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
