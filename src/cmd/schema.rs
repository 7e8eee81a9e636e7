//! `hubgen schema [COLLECTION]`: the front-matter fields of each collection, from site.toml.

use std::io::Write;
use std::path::Path;

use crate::config::{Collection, Config, BUILTIN_FIELDS};
use crate::diagnostics::{Diagnostic, Diagnostics};

/// Entry point for `hubgen schema`: prints the reference an editor needs.
pub fn run(root: &Path, collection: Option<&str>, out: &mut dyn Write) -> Result<(), Diagnostics> {
    let config = Config::load(root)?;
    let chosen: Vec<&Collection> = match collection {
        None => config.collections.iter().collect(),
        Some(name) => vec![config.collection_named(name)?],
    };
    let io = |e: std::io::Error| Diagnostics::from(Diagnostic::error("io", e.to_string()));
    for (i, c) in chosen.iter().enumerate() {
        if i > 0 {
            writeln!(out).map_err(io)?;
        }
        describe(&config, c, out).map_err(io)?;
    }
    Ok(())
}

fn describe(config: &Config, c: &Collection, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(
        out,
        "{} — content/{}/*.md → {}",
        c.name, c.folder, c.permalink
    )?;
    if !c.description.is_empty() {
        writeln!(out, "  {}", c.description)?;
    }
    let targets: Vec<&str> = config
        .targets
        .iter()
        .filter(|t| t.publishes(&c.name))
        .map(|t| t.name.as_str())
        .collect();
    writeln!(
        out,
        "  published on: {}",
        if targets.is_empty() {
            "no target".into()
        } else {
            targets.join(", ")
        }
    )?;
    writeln!(out, "  fields:")?;
    for (name, kind) in BUILTIN_FIELDS {
        let required = c.requires(name);
        writeln!(
            out,
            "    {name:<14} {:<12} {}",
            kind.name(),
            if required { "required" } else { "optional" }
        )?;
    }
    for f in &c.fields {
        write!(
            out,
            "    {:<14} {:<12} {}",
            f.name,
            f.kind.name(),
            if f.required { "required" } else { "optional" }
        )?;
        if let Some(target) = &f.collection {
            write!(out, ", a slug from `{target}`")?;
        }
        if !f.allowed.is_empty() {
            write!(out, ", one of: {}", f.allowed.join(" | "))?;
        }
        if let Some(d) = &f.default {
            write!(out, ", default {d}")?;
        }
        if !f.description.is_empty() {
            write!(out, " — {}", f.description)?;
        }
        writeln!(out)?;
    }
    Ok(())
}
