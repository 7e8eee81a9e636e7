//! `hubgen build`: every target of the site, written atomically.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::time::{Duration, Instant};

use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::output::{self, Lock, OutputDir, Staged};
use crate::search::static_index::IndexStats;
use crate::timings::Timings;
use crate::{load, render, search};

/// What the user asked of the build.
#[derive(Clone, Debug, Default, clap::Args)]
pub struct Options {
    /// Build only this target (repeat for several).
    #[arg(long = "target", short = 't', value_name = "NAME")]
    pub targets: Vec<String>,
    /// Write the output here (one target), or into DIR/NAME (several).
    #[arg(long, short = 'o', value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Replace the target's base URL (one target only).
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Include documents marked `draft: true`, and those dated in the future.
    #[arg(long)]
    pub drafts: bool,
    /// Include documents whose `date` is after today (left out until then).
    #[arg(long)]
    pub future: bool,
    /// Print where the time went, stage by stage: as a table, or with
    /// `--timings=json` as one JSON object on stdout (the summary then goes to stderr).
    #[arg(long, value_name = "FORMAT", num_args = 0..=1, require_equals = true, default_missing_value = "table")]
    pub timings: Option<TimingsFormat>,
    /// Write no search index (every page is built as usual, but the search box
    /// finds nothing): for measuring what search costs, not for publishing.
    #[arg(long)]
    pub no_search: bool,
}

/// How `--timings` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum TimingsFormat {
    /// A table for people.
    Table,
    /// One JSON object, for scripts.
    Json,
}

/// What was built, one entry per target.
#[derive(Debug)]
pub struct Report {
    /// How many documents were loaded, drafts included (a build publishes
    /// them only with `--drafts`).
    pub documents: usize,
    /// How long reading site.toml, checking the output folders and loading
    /// every document took.
    pub load_time: Duration,
    /// Each target built, in site.toml's order.
    pub targets: Vec<TargetReport>,
    /// Where the time went, stage by stage.
    pub timings: Timings,
    /// The whole build's wall time.
    pub total_time: Duration,
}

/// What was built of one target, for its line of the build's report.
#[derive(Debug)]
pub struct TargetReport {
    /// The target's name.
    pub name: String,
    /// How many pages a reader can visit: documents, lists, taxonomy and term
    /// pages, and the home page (not redirects, the feed or the sitemap).
    pub pages: usize,
    /// How many files were written into its output, search index included.
    pub files: usize,
    /// What its search index came to.
    pub search: IndexStats,
    /// Of `time`, how long the search index took.
    pub search_time: Duration,
    /// The folder it was written to.
    pub output: PathBuf,
    /// How long the target took, from its staging folder to its last file.
    pub time: Duration,
}

/// The site, when nothing in it stops it from being published: what
/// `hubgen check` calls an error stops a build too, all of it reported at once.
/// Documents unchanged since the build that wrote `kept` are taken from it;
/// what this build may keep for the next comes with the site.
fn load_for_publishing(
    config: Config,
    opts: &Options,
    timings: &Timings,
    kept: Option<&Path>,
) -> Result<(crate::site::Site, load::cache::Kept), Diagnostics> {
    let (site, mut problems, keep) = load::load_keeping(
        config,
        opts.drafts,
        opts.drafts || opts.future,
        timings,
        kept,
    );
    problems.extend(timings.time("check", None, || crate::check::blocking(&site)));
    if problems.has_errors() {
        return Err(problems);
    }
    // What reading and checking used beside the site itself.
    output::release_free_memory();
    Ok((site, keep))
}

/// Entry point for `hubgen build`: loads the site at `root` and writes every
/// selected target, or nothing at all if any problem is found.
pub fn run(root: &Path, opts: &Options) -> Result<Report, Diagnostics> {
    let start = Instant::now();
    let timings = Timings::new();
    let (config, chosen) = select_targets(Config::load(root)?, opts)?;
    let (outputs, lock) = prepare_outputs(root, &config, &chosen)?;
    timings.record("prepare", None, start.elapsed());
    let kept_at = root.join(load::cache::CACHE_FILE);
    let (mut site, keep) = load_for_publishing(config, opts, &timings, Some(&kept_at))?;
    let load_time = start.elapsed();

    let picked: Vec<usize> = (0..site.config.targets.len())
        .filter(|&i| chosen.contains(&site.config.targets[i].name))
        .collect();
    let staged = stage_all(&targets_at(&site, &picked), &outputs, &lock)?;
    // The documents are kept for the next build while the search index is made.
    let indexes = std::thread::scope(|scope| {
        scope.spawn(|| load::cache::keep(&site.config.root, &site.docs, &keep));
        write_search(&site, &targets_at(&site, &picked), &staged, opts, &timings)
    });
    let indexes = match indexes {
        Ok(i) => i,
        Err(e) => {
            staged.into_iter().for_each(Staged::discard);
            return Err(e);
        }
    };
    // Only the search index shows them.
    site.forget_excerpts();
    let mut reports = Vec::new();
    for ((target, stage), index) in targets_at(&site, &picked)
        .into_iter()
        .zip(&staged)
        .zip(indexes)
    {
        match render_target(&site, target, stage, index, &timings) {
            Ok(report) => reports.push(report),
            Err(e) => {
                staged.into_iter().for_each(Staged::discard);
                return Err(e);
            }
        }
    }
    output::commit(staged, &timings).map_err(|e| {
        Diagnostic::error("io", format!("cannot move the new output into place: {e}"))
    })?;
    drop(lock);
    let report = Report {
        documents: site.docs.len(),
        load_time,
        targets: reports,
        timings,
        total_time: start.elapsed(),
    };
    // Freeing every document of a large site takes a noticeable time (a
    // tenth of a second at 50,000 pages), and nothing waits for it: the
    // summary is printed meanwhile, and at exit nothing is left to free.
    // Where no thread can be made, the site is freed here, as before.
    let _ = std::thread::Builder::new()
        .name("free the site".into())
        .spawn(move || drop(site));
    Ok(report)
}

/// Before anything is read or written: where each chosen target goes,
/// whether hubgen may write there, and no other build writing there at once.
fn prepare_outputs(
    root: &Path,
    config: &Config,
    chosen: &[String],
) -> Result<(Vec<OutputDir>, Lock), Diagnostics> {
    let output_of = |t: &crate::config::Target| OutputDir {
        target: t.name.clone(),
        path: output::resolve(root, &t.output),
        at: t.output_at,
    };
    let (built, others): (Vec<_>, Vec<_>) = config
        .targets
        .iter()
        .partition(|t| chosen.contains(&t.name));
    let outputs: Vec<OutputDir> = built.into_iter().map(output_of).collect();
    let others: Vec<OutputDir> = others.into_iter().map(output_of).collect();
    let problems = output::check_outputs(root, &config.themes_dir, &outputs, &others);
    if problems.has_errors() {
        return Err(problems);
    }
    let lock = lock_outputs(root, &outputs)?;
    Ok((outputs, lock))
}

/// A staging folder beside each target's output, or none at all.
fn stage_all(
    chosen: &[&crate::config::Target],
    outputs: &[OutputDir],
    lock: &Lock,
) -> Result<Vec<Staged>, Diagnostics> {
    let mut staged = Vec::new();
    for target in chosen {
        let out = outputs
            .iter()
            .find(|o| o.target == target.name)
            .expect("every chosen target has an output");
        match Staged::create(&out.path, lock) {
            Ok(s) => staged.push(s),
            Err(e) => {
                staged.into_iter().for_each(Staged::discard);
                return Err(out
                    .problem(format!(
                        "cannot create a staging folder beside {}: {e}",
                        out.path.display()
                    ))
                    .into());
            }
        }
    }
    Ok(staged)
}

/// The search indexes first, every document read once for all targets:
/// their working memory is freed before rendering needs its own, which keeps
/// the peak lower than the other way round. Each target's figures and time.
fn write_search(
    site: &crate::site::Site,
    chosen: &[&crate::config::Target],
    staged: &[Staged],
    opts: &Options,
    timings: &Timings,
) -> Result<Vec<(IndexStats, Duration)>, Diagnostics> {
    if opts.no_search {
        return Ok(vec![(IndexStats::default(), Duration::ZERO); chosen.len()]);
    }
    let sinks: Vec<(&crate::config::Target, &dyn output::Sink)> = chosen
        .iter()
        .zip(staged)
        .map(|(t, s)| (*t, s as &dyn output::Sink))
        .collect();
    let indexes = timings
        .time("search", None, || {
            search::static_index::write_all(site, &sinks)
        })
        .map_err(|e| Diagnostic::cannot_write("the search index", &e))?;
    output::release_free_memory();
    Ok(indexes)
}

/// Renders one target's pages into its staging folder.
fn render_target(
    site: &crate::site::Site,
    target: &crate::config::Target,
    stage: &Staged,
    (index, search_time): (IndexStats, Duration),
    timings: &Timings,
) -> Result<TargetReport, Diagnostics> {
    let start = Instant::now();
    let progress = progress_bar(&target.name);
    let rendered = render::render_target(site, target, stage, &progress, timings);
    progress.finish_and_clear();
    output::release_free_memory();
    let r = rendered?;
    Ok(TargetReport {
        name: target.name.clone(),
        pages: r.pages,
        files: r.files + index.files,
        search: index,
        search_time,
        output: stage.dest.clone(),
        time: start.elapsed() + search_time,
    })
}

/// The site's targets at `picked`.
fn targets_at<'s>(site: &'s crate::site::Site, picked: &[usize]) -> Vec<&'s crate::config::Target> {
    picked.iter().map(|&i| &site.config.targets[i]).collect()
}

/// Takes the site's build lock and repairs any swap a killed build left
/// half-done in the output folders.
fn lock_outputs(root: &Path, outputs: &[OutputDir]) -> Result<Lock, Diagnostics> {
    let dests: Vec<&Path> = outputs.iter().map(|o| o.path.as_path()).collect();
    let lock = Lock::take(root, &dests).map_err(|e| {
        Diagnostic::error("io", format!("cannot take the build lock: {e}"))
            .with_hint("another program may be holding a file hubgen needs; try again, or check the folder's permissions")
    })?;
    for o in outputs {
        output::repair(&o.path).map_err(|e| {
            o.problem(format!(
                "cannot prepare the output folder {}: {e}",
                o.path.display()
            ))
        })?;
    }
    Ok(lock)
}

/// A progress bar for a target's pages: drawn on a terminal once a target has
/// taken more than a second, never in CI or when stderr is not a terminal.
fn progress_bar(name: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() || std::env::var_os("CI").is_some() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
    if let Ok(style) = ProgressStyle::with_template("{prefix:>12} [{bar:32}] {pos}/{len} files") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_prefix(name.to_string());
    let delayed = bar.clone();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(1));
        if !delayed.is_finished() {
            delayed.set_draw_target(ProgressDrawTarget::stderr());
        }
    });
    bar
}

/// Applies `--target`, `--output` and `--base-url` to the configuration, and
/// returns it with the names of the targets to build. Targets not built stay in
/// the configuration: links to pages they own still need their URLs.
fn select_targets(
    mut config: Config,
    opts: &Options,
) -> Result<(Config, Vec<String>), Diagnostics> {
    let chosen: Vec<String> = if opts.targets.is_empty() {
        config.targets.iter().map(|t| t.name.clone()).collect()
    } else {
        let mut problems = Diagnostics::new();
        for name in &opts.targets {
            if let Err(d) = config.target_named(name) {
                problems.push(d);
            }
        }
        if problems.has_errors() {
            return Err(problems);
        }
        opts.targets.clone()
    };
    let single = chosen.len() == 1;
    if let Some(url) = &opts.base_url {
        if !single {
            return Err(Diagnostic::error(
                "usage",
                "--base-url applies to one target, and this build has several",
            )
            .with_hint("choose one with --target NAME")
            .into());
        }
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(Diagnostic::error(
                "usage",
                format!("--base-url `{url}` must be an absolute http(s) URL"),
            )
            .into());
        }
        let t = config
            .targets
            .iter_mut()
            .find(|t| t.name == chosen[0])
            .expect("a chosen target exists");
        t.base_url = if url.ends_with('/') {
            url.clone()
        } else {
            format!("{url}/")
        };
    }
    if let Some(out) = &opts.output {
        let out = std::path::absolute(out).unwrap_or_else(|_| out.clone());
        for t in config
            .targets
            .iter_mut()
            .filter(|t| chosen.contains(&t.name))
        {
            t.output = if single {
                out.clone()
            } else {
                out.join(&t.name)
            };
            t.output_at = (0, 0);
        }
    }
    Ok((config, chosen))
}
