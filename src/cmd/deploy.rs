//! `hubgen deploy`: uploads built targets to where site.toml's
//! `[targets.NAME.deploy]` says, and prints what changed.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};

use crate::config::{Config, Target, CONFIG_FILE};
use crate::deploy::{self, Prepared};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::output::Lock;

/// What the user asked of the deploy.
#[derive(Clone, Debug, Default, clap::Args)]
pub struct Options {
    /// Deploy only this target (repeat for several); every target with a
    /// [targets.NAME.deploy] table otherwise.
    #[arg(long = "target", short = 't', value_name = "NAME")]
    pub targets: Vec<String>,
    /// Deploy the build in DIR (one target), or in DIR/NAME (several),
    /// instead of the target's output folder.
    #[arg(long, short = 'o', value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// List what would be uploaded and deleted, and change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Upload every file, changed or not.
    #[arg(long)]
    pub force: bool,
    /// Leave files the build no longer has in the store.
    #[arg(long)]
    pub keep_deleted: bool,
}

/// Entry point for `hubgen deploy`: deploys each chosen target in turn,
/// printing a summary line for each (and, with `--dry-run`, every change).
pub fn run(root: &Path, opts: &Options, out: &mut dyn Write) -> Result<(), Diagnostics> {
    let config = Config::load(root)?;
    let targets = chosen(&config, opts)?;
    let dirs: Vec<PathBuf> = targets
        .iter()
        .map(|t| match &opts.output {
            Some(dir) if targets.len() == 1 => dir.clone(),
            Some(dir) => dir.join(&t.name),
            None => root.join(&t.output),
        })
        .collect();
    // A build swapping in a new output while it is read would mix two builds.
    let held: Vec<&Path> = dirs.iter().map(PathBuf::as_path).collect();
    let _lock = Lock::take(root, &held).map_err(|e| {
        Diagnostic::error("io", format!("cannot take the build lock: {e}"))
            .with_hint("another program may be holding a file hubgen needs; try again")
    })?;
    let deploy_opts = deploy::Options {
        force: opts.force,
        keep_deleted: opts.keep_deleted,
    };
    for (target, dir) in targets.iter().zip(&dirs) {
        let settings = target.deploy.as_ref().expect("chosen targets deploy");
        let start = Instant::now();
        let prepared = deploy::prepare(settings, dir, deploy_opts)?;
        if opts.dry_run {
            print_plan(&target.name, &prepared, out);
            continue;
        }
        let bar = progress_bar(&target.name, &prepared);
        let done = prepared.run(&|_| bar.inc(1));
        bar.finish_and_clear();
        let done = done?;
        let _ = writeln!(
            out,
            "{}: uploaded {} ({}), {} unchanged, deleted {} in {:.2?} → {}",
            target.name,
            files(done.uploaded),
            size(done.bytes),
            done.unchanged,
            done.deleted,
            start.elapsed(),
            prepared.store.name()
        );
        let _ = out.flush();
    }
    Ok(())
}

/// The targets to deploy: those named with --target, each with a deploy
/// table, or every target with one.
fn chosen<'a>(config: &'a Config, opts: &Options) -> Result<Vec<&'a Target>, Diagnostics> {
    if opts.targets.is_empty() {
        let all: Vec<&Target> = config
            .targets
            .iter()
            .filter(|t| t.deploy.is_some())
            .collect();
        if all.is_empty() {
            return Err(Diagnostic::error("config", "no target in site.toml has a [targets.NAME.deploy] table, so there is nothing to deploy")
                .in_file(CONFIG_FILE)
                .with_hint("add one to the target to deploy, for example:\n    [targets.hub.deploy]\n    bucket = \"knowledge-hub\"\n    region = \"eu-west-2\"")
                .into());
        }
        return Ok(all);
    }
    let mut problems = Diagnostics::new();
    let mut chosen = Vec::new();
    for name in &opts.targets {
        match config.target_named(name) {
            Err(d) => problems.push(d),
            Ok(t) if t.deploy.is_none() => problems.push(
                Diagnostic::error("config", format!("target `{name}` has no [targets.{name}.deploy] table, so hubgen deploy does not know where to upload it"))
                    .in_file(CONFIG_FILE)
                    .with_hint(if t.pages {
                        "it says pages = true: CI publishes it on GitHub Pages instead".to_string()
                    } else {
                        format!("add one, for example:\n    [targets.{name}.deploy]\n    bucket = \"{name}-site\"\n    region = \"eu-west-2\"")
                    }),
            ),
            Ok(t) => chosen.push(t),
        }
    }
    if problems.has_errors() {
        return Err(problems);
    }
    Ok(chosen)
}

/// `--dry-run`'s listing: each upload and deletion, then the totals.
fn print_plan(name: &str, prepared: &Prepared, out: &mut dyn Write) {
    let plan = &prepared.plan;
    let _ = writeln!(
        out,
        "{name} → {} (dry run: nothing is changed)",
        prepared.store.name()
    );
    for f in plan.uploads() {
        let _ = writeln!(out, "  upload {} ({})", f.key, size(f.size));
    }
    for key in &plan.delete {
        let _ = writeln!(out, "  delete {key}");
    }
    let _ = writeln!(
        out,
        "{name}: would upload {} ({}), {} unchanged, would delete {}",
        files(plan.uploads().count()),
        size(plan.upload_bytes()),
        plan.unchanged,
        plan.delete.len()
    );
}

/// A bar of uploads and deletions done, on a terminal only.
fn progress_bar(name: &str, prepared: &Prepared) -> ProgressBar {
    if !std::io::stderr().is_terminal() || std::env::var_os("CI").is_some() {
        return ProgressBar::hidden();
    }
    let plan = &prepared.plan;
    let bar = ProgressBar::new((plan.uploads().count() + plan.delete.len()) as u64);
    if let Ok(style) =
        ProgressStyle::with_template("{prefix:>12} [{bar:32}] {pos}/{len} files {eta}")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_prefix(name.to_string());
    bar
}

/// "1 file", "12 files".
fn files(n: usize) -> String {
    format!("{n} file{}", crate::diagnostics::plural(n))
}

/// A size in bytes, KiB or MiB.
fn size(bytes: u64) -> String {
    match bytes {
        b if b < 1024 => format!("{b} B"),
        b if b < 1024 * 1024 => format!("{:.1} KiB", b as f64 / 1024.0),
        b => format!("{:.1} MiB", b as f64 / (1024.0 * 1024.0)),
    }
}
