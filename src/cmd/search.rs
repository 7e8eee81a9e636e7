//! `hubgen search`: ranked results for a target from the command line.

use std::io::Write;
use std::path::Path;

use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::load;
use crate::search::reference::ReferenceIndex;

/// What the user asked of the search.
#[derive(Clone, Debug, clap::Args)]
pub struct Options {
    /// The target to search from, as its search page would (default: the
    /// first in site.toml). Its search covers the pages of every target it
    /// searches (site.toml's `search`, every target unless set).
    #[arg(long, short = 't', visible_alias = "site", value_name = "NAME")]
    pub target: Option<String>,
    /// How many results to print.
    #[arg(long, short = 'n', default_value_t = 10)]
    pub limit: usize,
    /// Print the results as JSON.
    #[arg(long)]
    pub json: bool,
    /// Match only the words as typed: no near words for ones no page has.
    #[arg(long)]
    pub exact: bool,
    /// Include documents marked `draft: true`.
    #[arg(long)]
    pub drafts: bool,
    /// What to search for.
    #[arg(required = true, num_args = 1..)]
    pub query: Vec<String>,
}

/// Entry point for `hubgen search`: prints the results and returns how many there were.
pub fn run(root: &Path, opts: &Options, out: &mut dyn Write) -> Result<usize, Diagnostics> {
    let config = Config::load(root)?;
    let name = match &opts.target {
        Some(t) => t.clone(),
        None => config.targets[0].name.clone(),
    };
    config.target_named(&name)?;
    let site = load::load(config, opts.drafts)?;
    let target = site.config.target(&name).expect("checked above");
    let index = ReferenceIndex::open(&site, target)?;
    let query = opts.query.join(" ");
    let results = index.search(&site, target, &query, opts.limit, !opts.exact)?;
    let hits = results.hits;
    // A reader that stops reading (`hubgen search x | head -1`) ends the
    // listing; it is not an error.
    let io = |e: std::io::Error| {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        Diagnostics::from(Diagnostic::error("io", e.to_string()))
    };
    if opts.json {
        serde_json::to_writer_pretty(&mut *out, &hits).map_err(|e| io(e.into()))?;
        writeln!(out).map_err(io)?;
    } else if hits.is_empty() {
        writeln!(out, "no results for {query:?} in {name}").map_err(io)?;
    } else {
        if let Some(c) = &results.corrected {
            writeln!(
                out,
                "Showing results for {c:?} (search for {query:?} only with --exact)"
            )
            .map_err(io)?;
        }
        for (i, h) in hits.iter().enumerate() {
            writeln!(
                out,
                "{:>2}. {} ({}, {})\n    {}  score {:.3}",
                i + 1,
                h.title,
                h.kind,
                h.site,
                h.url,
                h.score
            )
            .map_err(io)?;
        }
    }
    Ok(hits.len())
}
