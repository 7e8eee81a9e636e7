//! `hubgen search`: ranked results for a target from the command line.

use std::io::Write;
use std::path::Path;

use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::load;
use crate::search::reference::ReferenceIndex;

#[derive(Clone, Debug)]
pub struct Options {
    pub target: Option<String>,
    pub limit: usize,
    pub json: bool,
    pub drafts: bool,
    pub query: String,
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
    let hits = index.search(&site, target, &opts.query, opts.limit)?;
    let io = |e: std::io::Error| Diagnostics::from(Diagnostic::error("io", e.to_string()));
    if opts.json {
        serde_json::to_writer_pretty(&mut *out, &hits).map_err(|e| io(e.into()))?;
        writeln!(out).map_err(io)?;
    } else if hits.is_empty() {
        writeln!(out, "no results for {:?} in {name}", opts.query).map_err(io)?;
    } else {
        for (i, h) in hits.iter().enumerate() {
            writeln!(
                out,
                "{:>2}. {} ({})\n    {}  score {:.3}",
                i + 1,
                h.title,
                h.kind,
                h.url,
                h.score
            )
            .map_err(io)?;
        }
    }
    Ok(hits.len())
}
