//! The `hubgen` command line: parses arguments and hands each subcommand to
//! its entry point in `hubgen::cmd`, then turns the outcome into an exit code:
//! 0 success, 1 problems found in the site (or, for `search`, nothing found).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use hubgen::cmd;
use hubgen::diagnostics::Diagnostics;

#[derive(Parser)]
#[command(
    name = "hubgen",
    version,
    about = "Builds knowledge-hub sites from one Markdown source",
    propagate_version = true
)]
struct Cli {
    /// Run as if started in DIR (the folder holding site.toml).
    #[arg(short = 'C', value_name = "DIR", global = true, default_value = ".")]
    dir: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build every target in site.toml (or those chosen with --target).
    Build {
        /// Build only this target (repeat for several).
        #[arg(long = "target", short = 't', value_name = "NAME")]
        targets: Vec<String>,
        /// Write the output here (one target), or into DIR/NAME (several).
        #[arg(long, short = 'o', value_name = "DIR")]
        output: Option<PathBuf>,
        /// Replace the target's base URL (one target only).
        #[arg(long, value_name = "URL")]
        base_url: Option<String>,
        /// Include documents marked `draft: true`.
        #[arg(long)]
        drafts: bool,
    },
    /// Search a target from the command line, ranked as the sites' search box ranks.
    Search {
        /// The target to search (default: the first in site.toml).
        #[arg(long, short = 't', value_name = "NAME")]
        target: Option<String>,
        /// How many results to print.
        #[arg(long, short = 'n', default_value_t = 10)]
        limit: usize,
        /// Print the results as JSON.
        #[arg(long)]
        json: bool,
        /// Include documents marked `draft: true`.
        #[arg(long)]
        drafts: bool,
        /// What to search for.
        #[arg(required = true, num_args = 1..)]
        query: Vec<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build {
            targets,
            output,
            base_url,
            drafts,
        } => {
            let opts = cmd::build::Options {
                targets,
                output,
                base_url,
                drafts,
            };
            match cmd::build::run(&cli.dir, &opts) {
                Ok(report) => {
                    let mut out = std::io::stdout().lock();
                    let _ = writeln!(
                        out,
                        "{} documents loaded in {:.2?}",
                        report.documents, report.load_time
                    );
                    for t in &report.targets {
                        let _ = writeln!(
                            out,
                            "{}: {} pages, {} files in {:.2?} (search: {} terms, {} files, {} KiB in {:.2?}) → {}",
                            t.name,
                            t.pages,
                            t.files,
                            t.time,
                            t.search.terms,
                            t.search.files,
                            t.search.bytes / 1024,
                            t.search_time,
                            t.output.display()
                        );
                    }
                    ExitCode::SUCCESS
                }
                Err(problems) => report_problems(problems, "build"),
            }
        }
        Command::Search {
            target,
            limit,
            json,
            drafts,
            query,
        } => {
            let opts = cmd::search::Options {
                target,
                limit,
                json,
                drafts,
                query: query.join(" "),
            };
            match cmd::search::run(&cli.dir, &opts, &mut std::io::stdout().lock()) {
                Ok(0) => ExitCode::from(1),
                Ok(_) => ExitCode::SUCCESS,
                Err(problems) => report_problems(problems, "search"),
            }
        }
    }
}

/// Prints every problem to stderr, then a one-line count; exit 1.
fn report_problems(problems: Diagnostics, what: &str) -> ExitCode {
    let mut err = std::io::stderr().lock();
    let list = problems.into_sorted();
    for d in &list {
        let _ = writeln!(err, "{d}\n");
    }
    let n = list.len();
    let _ = writeln!(
        err,
        "error: {what} failed: {n} problem{} found; nothing was written",
        if n == 1 { "" } else { "s" }
    );
    ExitCode::from(1)
}
