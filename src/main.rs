//! The `hubgen` command line: parses arguments and hands each subcommand to
//! its entry point in `hubgen::cmd`, then turns the outcome into an exit code:
//! 0 success, 1 problems found in the site (or, for `search`, nothing found).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use hubgen::cmd;
use hubgen::cmd::build::TimingsFormat;
use hubgen::diagnostics::Diagnostics;
use hubgen::text::Date;

#[derive(Parser)]
#[command(
    name = "hubgen",
    version = concat!(env!("CARGO_PKG_VERSION"), " (", env!("HUBGEN_COMMIT"), ")"),
    about = "Builds knowledge-hub sites from one Markdown source",
    propagate_version = true
)]
struct Cli {
    /// The site's folder (the one holding site.toml); paths given on the command
    /// line, such as `--output`, stay relative to where you are.
    #[arg(short = 'C', value_name = "DIR", global = true, default_value = ".")]
    dir: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build every target in site.toml (or those chosen with --target).
    Build(cmd::build::Options),
    /// Check everything build checks, and links, anchors, images, review dates and
    /// personal data; writes nothing. Exit 0 clean, 1 findings, 2 could not run.
    Check(cmd::check::Options),
    /// Create a page in a collection, with every field of its schema, each explained.
    New {
        /// The collection, by its name or in the singular (`guides` or `guide`; see `hubgen schema`).
        collection: String,
        /// The page's title; its file name is made from it.
        title: String,
    },
    /// Create a new, minimal site in DIR.
    Init {
        /// The folder to create (empty or absent).
        #[arg(value_name = "DIR")]
        folder: PathBuf,
    },
    /// Print each collection's front-matter fields: types, required or not, allowed values.
    Schema {
        /// Only this collection.
        collection: Option<String>,
    },
    /// Build a target, serve it on 127.0.0.1, and rebuild and reload the open pages on every save.
    Serve {
        /// The target to preview (default: the first in site.toml).
        #[arg(long, short = 't', value_name = "NAME")]
        target: Option<String>,
        /// The port (default: 1111, or the next free one; 0 for any free port).
        #[arg(long, short = 'p')]
        port: Option<u16>,
        /// The address to listen on; anything but 127.0.0.1 shows the preview to the network.
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        /// Open the preview in a browser.
        #[arg(long)]
        open: bool,
        /// Leave out documents marked `draft: true` and those dated in the future (the preview shows both by default, each marked).
        #[arg(long)]
        no_drafts: bool,
        /// Also run the browser editor against this folder's files (needs Node.js: it
        /// starts Decap's local backend with npx on 127.0.0.1:8081).
        #[arg(long)]
        editor: bool,
    },
    /// Upload built targets to where [targets.NAME.deploy] in site.toml says, changing only what
    /// changed. Credentials come from the usual AWS environment variables.
    Deploy(cmd::deploy::Options),
    /// Search a target from the command line, ranked as the sites' search box ranks.
    Search(cmd::search::Options),
}

/// mimalloc rather than the system's allocator: a build allocates and frees
/// millions of small strings on every core, where glibc's allocator spent a
/// fifth of the time and musl's (the static Linux release) is slower still.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Memory in the system's small pages only. mimalloc asks Linux for huge
/// pages (2 MiB) where it may, and each is resident as a whole from its first
/// byte used: a 10,000-page build peaked a seventh higher with them (242 MiB
/// against 207 MiB), and spent longer in the kernel zeroing and compacting
/// them, each time the allocator gave memory back between stages and took it
/// again. Turned off for this process alone, before it allocates much; where
/// the system refuses, nothing changes but the memory used.
fn small_pages_only() {
    #[cfg(target_os = "linux")]
    let _ = rustix::thread::disable_transparent_huge_pages(true);
}

fn main() -> ExitCode {
    small_pages_only();
    let cli = Cli::parse();
    match cli.command {
        Command::Build(opts) => match cmd::build::run(&cli.dir, &opts) {
            Ok(report) => {
                print_build_report(&report, opts.timings);
                ExitCode::SUCCESS
            }
            Err(problems) => report_problems(problems, "build", true),
        },
        Command::Check(opts) => {
            match cmd::check::run(&cli.dir, &opts) {
                cmd::check::Outcome::CouldNotRun(d) => {
                    eprintln!("{d}");
                    ExitCode::from(2)
                }
                cmd::check::Outcome::Findings(findings) => {
                    match cmd::check::print(&findings, opts.format, &mut std::io::stdout().lock()) {
                        Ok(true) => ExitCode::from(1),
                        Ok(false) => ExitCode::SUCCESS,
                        // A reader that stops reading ends the listing.
                        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
                        Err(e) => {
                            eprintln!("error: {e}");
                            ExitCode::from(2)
                        }
                    }
                }
            }
        }
        Command::New { collection, title } => {
            match cmd::new::run(&cli.dir, &collection, &title, Date::today()) {
                Ok(path) => {
                    println!("{}", path.display());
                    ExitCode::SUCCESS
                }
                Err(problems) => report_problems(problems, "new", true),
            }
        }
        Command::Init { folder } => match cmd::init::run(&cli.dir.join(&folder)) {
            Ok(()) => {
                println!(
                    "created a new site in {}: try `hubgen -C {} build`",
                    folder.display(),
                    folder.display()
                );
                ExitCode::SUCCESS
            }
            Err(problems) => report_problems(problems, "init", true),
        },
        Command::Schema { collection } => {
            match cmd::schema::run(
                &cli.dir,
                collection.as_deref(),
                &mut std::io::stdout().lock(),
            ) {
                Ok(()) => ExitCode::SUCCESS,
                Err(problems) => report_problems(problems, "schema", false),
            }
        }
        Command::Serve {
            target,
            port,
            bind,
            open,
            no_drafts,
            editor,
        } => {
            let opts = hubgen::serve::Options {
                target,
                port,
                bind,
                drafts: !no_drafts,
                open,
            };
            match cmd::serve::run(&cli.dir, &opts, editor) {
                Ok(()) => ExitCode::SUCCESS,
                Err(problems) => report_problems(problems, "serve", false),
            }
        }
        Command::Deploy(opts) => {
            match cmd::deploy::run(&cli.dir, &opts, &mut std::io::stdout().lock()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(problems) => report_problems(problems, "deploy", false),
            }
        }
        Command::Search(opts) => {
            match cmd::search::run(&cli.dir, &opts, &mut std::io::stdout().lock()) {
                Ok(0) => ExitCode::from(1),
                Ok(_) => ExitCode::SUCCESS,
                // Like grep: 1 is "nothing found", 2 "could not search".
                Err(problems) => {
                    report_problems(problems, "search", false);
                    ExitCode::from(2)
                }
            }
        }
    }
}

/// One line for the documents loaded, then one per target built.
fn print_build_report(report: &cmd::build::Report, timings: Option<TimingsFormat>) {
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    // With `--timings=json`, stdout holds the JSON alone, for scripts.
    let mut out: Box<dyn Write> = if timings == Some(TimingsFormat::Json) {
        Box::new(stderr.lock())
    } else {
        Box::new(stdout.lock())
    };
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
    drop(out);
    match timings {
        Some(TimingsFormat::Table) => {
            let _ = write!(
                stdout.lock(),
                "\n{}",
                report.timings.table(report.total_time)
            );
        }
        Some(TimingsFormat::Json) => {
            let _ = writeln!(stdout.lock(), "{}", report.timings.json(report.total_time));
        }
        None => {}
    }
}

/// Prints every problem to stderr, then a one-line count; exit 1. A command
/// that writes files (`build`, `new`, `init`) says that it wrote none: each
/// refuses to write anything once it found a problem.
fn report_problems(problems: Diagnostics, what: &str, writes_files: bool) -> ExitCode {
    let mut err = std::io::stderr().lock();
    let list = problems.into_sorted();
    for d in &list {
        let _ = writeln!(err, "{d}\n");
    }
    let n = list.len();
    let _ = writeln!(
        err,
        "error: {what} failed: {n} problem{} found{}",
        hubgen::diagnostics::plural(n),
        if writes_files {
            "; nothing was written"
        } else {
            ""
        }
    );
    ExitCode::from(1)
}
