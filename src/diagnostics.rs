//! Problems found in a site, as values, and the one place that turns them into
//! what a person reads.
//!
//! Every stage reports problems as [`Diagnostic`]s instead of stopping at the
//! first one, so an editor sees everything wrong with a change in one run.

use std::fmt;
use std::path::{Path, PathBuf};

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Must be fixed: a build stops on the errors it finds, and `hubgen check`
    /// exits 1 on any.
    Error,
    /// Worth a look but publishable (a page nothing links to, a passed review
    /// date): `hubgen check` reports it and, unless `--strict`, exits 0.
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// One problem, tied to a place in a file where there is one.
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use = "a problem found must be reported, or it is lost"]
pub struct Diagnostic {
    /// Whether it must be fixed or is only worth a look.
    pub severity: Severity,
    /// A short, stable name for the kind of problem (`unknown-field`, `broken-link`…).
    pub code: &'static str,
    /// The file, relative to the site root where it lies inside it.
    pub path: Option<PathBuf>,
    /// 1-based line; 0 when the problem is about the whole file.
    pub line: usize,
    /// 1-based column; 0 when unknown.
    pub column: usize,
    /// What is wrong, in one line, in words an editor can act on.
    pub message: String,
    /// The text of the offending line, shown under the message.
    pub source_line: Option<String>,
    /// What to do about it.
    pub hint: Option<String>,
}

impl Diagnostic {
    /// An error of kind `code`, not yet tied to a place.
    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            path: None,
            line: 0,
            column: 0,
            message: message.into(),
            source_line: None,
            hint: None,
        }
    }

    /// `what` could not be written, for the reason `e`. When the disk (or the
    /// user's share of it) is full, the message names no file, so that the
    /// thousands of files a full disk stops are one problem, said once.
    pub fn cannot_write(what: impl std::fmt::Display, e: &std::io::Error) -> Self {
        if disk_full(e) {
            Diagnostic::error(
                "disk-full",
                format!("the disk is full, so the output could not be written ({e})"),
            )
            .with_hint(
                "free some space on the disk, then run the same command again: \
                 what an earlier build published is as it was",
            )
        } else {
            Diagnostic::error("io", format!("cannot write {what}: {e}"))
        }
    }

    /// The file `from` could not be copied to `to`, for the reason `e`; a
    /// full disk is said as [`Diagnostic::cannot_write`] says it.
    pub fn cannot_copy(from: &std::path::Path, to: &str, e: &std::io::Error) -> Self {
        if disk_full(e) {
            Diagnostic::cannot_write(to, e)
        } else {
            Diagnostic::error("io", format!("cannot copy {}: {e}", from.display()))
        }
    }

    /// A warning of kind `code`: reported, but it stops nothing (unless `--strict`).
    pub fn warning(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    /// Places it at `line` and `column` (1-based) of the file `path`.
    pub fn at(mut self, path: impl Into<PathBuf>, line: usize, column: usize) -> Self {
        self.path = Some(path.into());
        self.line = line;
        self.column = column;
        self
    }

    /// Sets line and column without a path (the loader adds the path).
    pub fn with_position(mut self, line: usize, column: usize) -> Self {
        self.line = line;
        self.column = column;
        self
    }

    /// Ties it to the file `path` as a whole, with no line.
    pub fn in_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// Attaches the text of line `self.line` of `source`, if there is such a line.
    pub fn with_source(mut self, source: &str) -> Self {
        if self.line > 0 {
            self.source_line = source
                .lines()
                .nth(self.line - 1)
                .map(|l| l.trim_end().to_string());
        }
        self
    }

    /// Like [`Diagnostic::with_source`], with the lines of the source indexed
    /// once: a file with thousands of problems would otherwise be scanned from
    /// its start for each of them.
    pub fn with_source_lines(mut self, lines: &SourceLines<'_>) -> Self {
        if self.line > 0 {
            self.source_line = lines.line(self.line).map(|l| l.trim_end().to_string());
        }
        self
    }

    /// Adds what to do about it, printed last, after `= hint:`.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// This finding as a JSON object: what `hubgen check --format json`
    /// prints and the preview's error overlay reads.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "file": self.path.as_ref().map(|p| crate::text::slashed(p)),
            "line": self.line,
            "column": self.column,
            "severity": self.severity.to_string(),
            "code": self.code,
            "message": self.message,
            "hint": self.hint,
        })
    }

    fn sort_key(&self) -> (Option<&Path>, usize, usize, &str) {
        (self.path.as_deref(), self.line, self.column, &self.message)
    }
}

impl fmt::Display for Diagnostic {
    /// `path:line:col: error: message`, then the source line and the hint.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(path) = &self.path {
            write!(f, "{}", path.display())?;
            if self.line > 0 {
                write!(f, ":{}", self.line)?;
                if self.column > 0 {
                    write!(f, ":{}", self.column)?;
                }
            }
            f.write_str(": ")?;
        }
        write!(f, "{}: {}", self.severity, self.message)?;
        if let Some(src) = &self.source_line {
            let num = self.line.to_string();
            let pad = " ".repeat(num.len());
            write!(f, "\n {pad} |\n {num} | {src}")?;
            if self.column > 0 {
                let lead: String = src
                    .chars()
                    .take(self.column - 1)
                    .map(|c| if c == '\t' { '\t' } else { ' ' })
                    .collect();
                write!(f, "\n {pad} | {lead}^")?;
            }
        }
        if let Some(hint) = &self.hint {
            write!(f, "\n  = hint: {hint}")?;
        }
        Ok(())
    }
}

/// The lines of a source text, found once, when first asked for (most files
/// have no problem to show).
pub struct SourceLines<'a> {
    text: &'a str,
    /// Byte offset at which each line starts.
    starts: std::cell::OnceCell<Vec<usize>>,
}

impl<'a> SourceLines<'a> {
    /// The lines of `text`, not yet looked for.
    pub fn new(text: &'a str) -> Self {
        SourceLines {
            text,
            starts: std::cell::OnceCell::new(),
        }
    }

    /// Line `n` (1-based) without its line break, as `str::lines` gives it.
    pub fn line(&self, n: usize) -> Option<&'a str> {
        let starts = self.starts.get_or_init(|| {
            std::iter::once(0)
                .chain(self.text.match_indices('\n').map(|(i, _)| i + 1))
                .filter(|&s| s < self.text.len())
                .collect()
        });
        let start = *starts.get(n.checked_sub(1)?)?;
        let end = starts.get(n).copied().unwrap_or(self.text.len());
        let line = &self.text[start..end];
        let line = line.strip_suffix('\n').unwrap_or(line);
        Some(line.strip_suffix('\r').unwrap_or(line))
    }
}

/// Every problem found by a run, kept in a stable order.
#[derive(Debug, Default)]
pub struct Diagnostics(Vec<Diagnostic>);

impl Diagnostics {
    /// None found yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one problem.
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }

    /// Adds every problem of `ds`.
    pub fn extend(&mut self, ds: impl IntoIterator<Item = Diagnostic>) {
        self.0.extend(ds);
    }

    /// Whether any of them is an error, which stops a build.
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(|d| d.severity == Severity::Error)
    }

    /// Whether none was found.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many were found, counting repeats (see [`Diagnostics::into_sorted`]).
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Each of them, in the order they were found.
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }

    /// Sorted by file, line and column, with exact repeats removed.
    pub fn into_sorted(mut self) -> Vec<Diagnostic> {
        self.0.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        self.0.dedup();
        self.0
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Diagnostics(vec![d])
    }
}

impl From<Vec<Diagnostic>> for Diagnostics {
    fn from(v: Vec<Diagnostic>) -> Self {
        Diagnostics(v)
    }
}

/// The nearest of `candidates` to `word`, if it is near enough to be a likely typo.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, c)| c)
}

/// Whether `e` says the disk, or the user's share of it, is full.
pub fn disk_full(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded
    )
}

/// "s" unless `n` is one: `format!("{n} problem{}", plural(n))`.
pub fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// "no target named `x`", with the nearest name as a hint, or the list of names.
pub fn unknown_name<'a>(
    kind: &str,
    name: &str,
    names: impl IntoIterator<Item = &'a str>,
) -> Diagnostic {
    let names: Vec<&str> = names.into_iter().collect();
    let d = Diagnostic::error("usage", format!("no {kind} named `{name}`"));
    match did_you_mean(name, names.iter().copied()) {
        Some(m) => d.with_hint(format!("did you mean `{m}`?")),
        None => d.with_hint(format!(
            "the {kind}s in site.toml are: {}",
            names.join(", ")
        )),
    }
}

/// 1-based line and column of byte `offset` in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..floor_char_boundary(text, offset)];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_location_source_and_hint() {
        let d = Diagnostic::error("unknown-field", "unknown field \"workstrem\"")
            .at("content/guides/a.md", 3, 1)
            .with_source("---\ntitle: A\nworkstrem: x\n---\n")
            .with_hint("did you mean \"workstream\"?");
        assert_eq!(
            d.to_string(),
            "content/guides/a.md:3:1: error: unknown field \"workstrem\"\n   |\n 3 | workstrem: x\n   | ^\n  = hint: did you mean \"workstream\"?"
        );
    }

    #[test]
    fn indexed_source_lines_are_the_lines() {
        for text in ["", "a", "a\n", "a\r\nb\n\nc", "\n\nx\r\n", "é\nü"] {
            let lines = SourceLines::new(text);
            let want: Vec<&str> = text.lines().collect();
            let got: Vec<&str> = (1..=want.len() + 1).map_while(|n| lines.line(n)).collect();
            assert_eq!(got, want, "{text:?}");
            assert_eq!(lines.line(0), None);
        }
    }

    #[test]
    fn suggests_near_names_only() {
        let fields = ["title", "workstream", "summary"];
        assert_eq!(did_you_mean("workstrem", fields), Some("workstream"));
        assert_eq!(did_you_mean("colour", fields), None);
    }

    #[test]
    fn line_col_counts_from_one() {
        assert_eq!(line_col("ab\ncd", 0), (1, 1));
        assert_eq!(line_col("ab\ncd", 4), (2, 2));
        assert_eq!(line_col("é\nx", 1), (1, 1));
    }
}
