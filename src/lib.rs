//! hubgen: a static site generator for knowledge hubs.
//!
//! One Markdown source with YAML front matter becomes several published
//! sites. The pipeline runs one way, a module per stage:
//!
//! `site.toml` → [`config`] → [`load`] (with [`frontmatter`], [`schema`],
//! [`markdown`]) → [`site::Site`] → for each target: [`render`] → [`output`].

pub mod check;
pub mod cmd;
pub mod config;
pub mod deploy;
pub mod diagnostics;
pub mod editor;
pub mod frontmatter;
pub mod git;
pub mod images;
pub mod load;
pub mod markdown;
pub mod output;
pub mod render;
pub mod schema;
pub mod search;
pub mod serve;
pub mod site;
pub mod text;
pub mod timings;
pub mod urls;
mod varint;
