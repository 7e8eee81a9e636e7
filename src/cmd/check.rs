//! `hubgen check`: every validation of `build`, and more, writing nothing.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::config::{Config, CONFIG_FILE};
use crate::diagnostics::{plural, Diagnostic, Diagnostics, Severity};
use crate::output::Discard;
use crate::text::Date;
use crate::{check, load, render};

/// How findings are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For a terminal: `file:line:col`, the source line, a hint.
    Human,
    /// One JSON object per finding, one per line.
    Json,
    /// GitHub Actions workflow commands, so findings show on a pull request's lines.
    Github,
}

/// What the user asked of the check.
#[derive(Clone, Debug, clap::Args)]
pub struct Options {
    /// How to print findings.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Treat warnings (such as a passed review date) as errors.
    #[arg(long)]
    pub strict: bool,
    /// Compare review dates with this day instead of today (YYYY-MM-DD).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub today: Option<Date>,
    /// Include documents marked `draft: true`.
    #[arg(long)]
    pub drafts: bool,
    /// Report only what concerns the files changed since git REF (a pull
    /// request's base, such as origin/main): their findings, with --strict
    /// applying to them alone, and errors anywhere (a deleted page breaks the
    /// links to it). The whole site is still loaded and checked.
    #[arg(long, value_name = "REF")]
    pub changed_since: Option<String>,
    /// Also check links to other sites: broken ones are errors, moved ones
    /// warnings. Needs the network; answers are kept a day in .hubgen-cache/.
    #[arg(long)]
    pub external: bool,
    /// With --external: how long to wait for a site to answer, in seconds.
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 10,
        requires = "external"
    )]
    pub timeout: u64,
}

/// A `YYYY-MM-DD` argument.
fn parse_date(s: &str) -> Result<Date, String> {
    Date::parse(s).ok_or_else(|| format!("`{s}` is not a date: write it as YYYY-MM-DD"))
}

/// The outcome of a check.
pub enum Outcome {
    /// The findings, sorted (possibly none).
    Findings(Vec<Diagnostic>),
    /// The check could not run at all.
    CouldNotRun(Diagnostic),
}

/// Entry point for `hubgen check`: everything `build` validates (configuration,
/// front matter, references, links, URLs, templates), and the checks of
/// [`crate::check`]; nothing is written.
pub fn run(root: &Path, opts: &Options) -> Outcome {
    if !root.join(CONFIG_FILE).is_file() {
        return Outcome::CouldNotRun(
            Diagnostic::error("usage", format!("no {CONFIG_FILE} in {}", root.display()))
                .with_hint("run hubgen in the folder that holds site.toml, or pass -C DIR"),
        );
    }
    let changed = match &opts.changed_since {
        None => None,
        Some(reference) => match crate::git::changed_since(root, reference) {
            Ok(files) => Some(files),
            Err(why) => {
                return Outcome::CouldNotRun(
                    Diagnostic::error(
                        "usage",
                        format!("cannot tell which files changed since {reference}: {why}"),
                    )
                    .with_hint("name a branch or commit of this repository, such as origin/main (in CI, fetch the history: fetch-depth: 0)"),
                )
            }
        },
    };
    let findings = match Config::load(root) {
        Err(problems) => problems.into_sorted(),
        Ok(config) => {
            // Everything in one pass: what loading found, and the checks
            // across documents over every document that could be read.
            let (site, mut found) = load::load_all(config, opts.drafts);
            if !found.has_errors() {
                // Templates are tried only on a site that loaded cleanly:
                // a broken page would only repeat its problems as theirs.
                let hidden = indicatif::ProgressBar::hidden();
                for target in &site.config.targets {
                    if let Err(problems) = render::render_target(
                        &site,
                        target,
                        &Discard,
                        &hidden,
                        &crate::timings::Timings::new(),
                    ) {
                        found.extend(problems.into_sorted());
                    }
                }
            }
            let today = opts.today.unwrap_or_else(Date::today);
            found.extend(check::check(
                &site,
                &check::Options {
                    strict: opts.strict && changed.is_none(),
                    today,
                },
            ));
            if opts.external {
                let mut external = check::external::check_external(
                    &site,
                    &check::external::Options {
                        timeout: std::time::Duration::from_secs(opts.timeout.max(1)),
                        ..check::external::Options::default()
                    },
                );
                if opts.strict && changed.is_none() {
                    for d in &mut external {
                        d.severity = Severity::Error;
                    }
                }
                found.extend(external);
            }
            if let Some(files) = &changed {
                found = only_changed(found, files, opts.strict);
            }
            let prefix = site.repo_prefix.clone().unwrap_or_default();
            let mut list = found.into_sorted();
            if opts.format == Format::Github {
                // Annotations name files from the repository's root.
                for d in &mut list {
                    if let Some(p) = &d.path {
                        d.path = Some(Path::new(&prefix).join(p));
                    }
                }
            }
            list
        }
    };
    Outcome::Findings(findings)
}

/// What `--changed-since` reports: every finding in a changed file (an
/// error with `strict`), and errors elsewhere; warnings about files the
/// change does not touch (a review date passed) are left to the scheduled
/// review.
fn only_changed(found: Diagnostics, files: &HashSet<PathBuf>, strict: bool) -> Diagnostics {
    let mut kept = Diagnostics::default();
    for mut d in found.into_sorted() {
        let in_change = d.path.as_ref().is_none_or(|p| files.contains(p));
        if in_change && strict {
            d.severity = Severity::Error;
        }
        if in_change || d.severity == Severity::Error {
            kept.push(d);
        }
    }
    kept
}

/// Prints `findings` in `format`; returns whether any is an error.
pub fn print(
    findings: &[Diagnostic],
    format: Format,
    out: &mut dyn Write,
) -> std::io::Result<bool> {
    let errors = findings
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = findings.len() - errors;
    for d in findings {
        match format {
            Format::Human => writeln!(out, "{d}\n")?,
            Format::Json => writeln!(out, "{}", d.to_json())?,
            Format::Github => writeln!(out, "{}", github(d))?,
        }
    }
    if format == Format::Human {
        if findings.is_empty() {
            writeln!(out, "check passed: no problems found")?;
        } else {
            writeln!(
                out,
                "check found {errors} error{} and {warnings} warning{}",
                plural(errors),
                plural(warnings)
            )?;
        }
    }
    Ok(errors > 0)
}

/// One finding as a GitHub Actions workflow command.
fn github(d: &Diagnostic) -> String {
    let level = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let mut props = Vec::new();
    if let Some(p) = &d.path {
        props.push(format!(
            "file={}",
            escape_property(&crate::text::slashed(p))
        ));
        if d.line > 0 {
            props.push(format!("line={}", d.line));
        }
        if d.column > 0 {
            props.push(format!("col={}", d.column));
        }
    }
    props.push(format!(
        "title={}",
        escape_property(&format!("hubgen {}", d.code))
    ));
    let mut message = d.message.clone();
    if let Some(h) = &d.hint {
        message.push_str("\nhint: ");
        message.push_str(h);
    }
    format!("::{level} {}::{}", props.join(","), escape_data(&message))
}

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_annotations_escape_their_text() {
        let d = Diagnostic::error("unknown-field", "unknown field \"a,b\": 100%")
            .at("content/x,y.md", 3, 1)
            .with_hint("fix it");
        assert_eq!(
            github(&d),
            "::error file=content/x%2Cy.md,line=3,col=1,title=hubgen unknown-field::unknown field \"a,b\": 100%25%0Ahint: fix it"
        );
    }
}
