//! Splits a content file into YAML front matter and Markdown body, and parses
//! the front matter; and writes YAML where hubgen writes some.
//!
//! This is the only module that knows about `serde_yaml`: the rest of hubgen
//! sees [`Raw`] values with the line each top-level key was written on.

mod control_chars;
mod nesting;
#[cfg(test)]
mod tests;
mod yaml_error;

use std::collections::HashMap;

use crate::diagnostics::Diagnostic;
use control_chars::{control_char, control_char_error};
use nesting::nesting_problem;
use yaml_error::yaml_error;

/// `value` written as YAML (for the files hubgen writes in that language,
/// such as the browser editor's configuration), or why it cannot be.
pub fn to_yaml<T: serde::Serialize>(value: &T) -> Result<String, String> {
    serde_yaml::to_string(value).map_err(|e| e.to_string())
}

/// YAML text read as a JSON value (for YAML files hubgen reads whole, such as
/// a hand-written editor configuration), or why it cannot be.
pub fn yaml_to_json(text: &str) -> Result<serde_json::Value, String> {
    serde_yaml::from_str(text).map_err(|e| e.to_string())
}

/// A front-matter value as written, before it is checked against a schema.
#[derive(Clone, Debug, PartialEq)]
pub enum Raw {
    /// Nothing after the colon (`summary:`), or `null` or `~`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A whole number (`weight: 3`).
    Integer(i64),
    /// Any other number (`1.5`), which a string field takes as its text.
    Float(f64),
    /// Text, quoted or not; dates (`2024-01-31`) arrive as text too.
    String(String),
    /// A list, written `[a, b]` or as `- ` lines.
    List(Vec<Raw>),
    /// A nested `key: value` mapping, which no field accepts; its keys in the
    /// order written.
    Map(Vec<(String, Raw)>),
}

impl Raw {
    /// What kind of value this is, for messages ("a list", "a number"…).
    pub fn describe(&self) -> &'static str {
        match self {
            Raw::Null => "empty",
            Raw::Bool(_) => "true/false",
            Raw::Integer(_) | Raw::Float(_) => "a number",
            Raw::String(_) => "a string",
            Raw::List(_) => "a list",
            Raw::Map(_) => "a mapping",
        }
    }
}

/// One top-level `key: value` of the front matter.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// The field's name as written.
    pub key: String,
    /// Its value as YAML read it.
    pub value: Raw,
    /// 1-based line of the key in the whole file.
    pub line: usize,
}

/// A content file, split.
#[derive(Debug)]
pub struct Split<'a> {
    /// The front matter's fields, in the order written.
    pub entries: Vec<Entry>,
    /// The Markdown after the closing `---`.
    pub body: &'a str,
    /// 1-based line of the file on which the body starts.
    pub body_line: usize,
}

/// Splits `source` into front matter and body and parses the front matter.
///
/// Errors carry line and column in the whole file (the caller adds the path).
pub fn split(source: &str) -> Result<Split<'_>, Diagnostic> {
    let source = source.strip_prefix('\u{feff}').unwrap_or(source);
    let first_line_end = source.find('\n').unwrap_or(source.len());
    if source[..first_line_end].trim_end() != "---" {
        return Err(Diagnostic::error("front-matter", "the file does not start with front matter")
            .with_position(1, 1)
            .with_hint("start the file with a line `---`, the YAML fields (at least `title:`), and another `---`"));
    }
    // Find the closing fence: a line that is exactly `---` (or `...`).
    let mut offset = (first_line_end + 1).min(source.len());
    let yaml_start = offset;
    let mut line = 2;
    let (yaml_end, body_start) = loop {
        if offset >= source.len() {
            return Err(Diagnostic::error(
                "front-matter",
                "front matter is not closed: no line `---` after the opening one",
            )
            .with_position(1, 1)
            .with_hint("add a line with just `---` after the last front-matter field"));
        }
        let end = source[offset..]
            .find('\n')
            .map_or(source.len(), |i| offset + i);
        let text = source[offset..end].trim_end();
        if text == "---" || text == "..." {
            break (offset, (end + 1).min(source.len()));
        }
        offset = end + 1;
        line += 1;
    };
    let yaml = &source[yaml_start..yaml_end];
    let entries = parse_yaml(yaml)?;
    Ok(Split {
        entries,
        body: &source[body_start..],
        body_line: line + 1,
    })
}

/// The body of `source` and the line it starts on, when the front matter's
/// fences are there, whatever lies between them: so that a page whose front
/// matter is broken still has its links and images checked.
pub fn body_of(source: &str) -> Option<(&str, usize)> {
    let source = source.strip_prefix('\u{feff}').unwrap_or(source);
    let mut lines = source.split_inclusive('\n');
    if lines.next()?.trim_end() != "---" {
        return None;
    }
    let mut offset = source.find('\n')? + 1;
    for (i, line) in lines.enumerate() {
        offset += line.len();
        let text = line.trim_end();
        if text == "---" || text == "..." {
            return Some((&source[offset.min(source.len())..], i + 3));
        }
    }
    None
}

/// Parses the YAML between the fences; lines are counted from the opening fence.
fn parse_yaml(yaml: &str) -> Result<Vec<Entry>, Diagnostic> {
    if yaml.trim().is_empty() {
        return Ok(Vec::new());
    }
    if let Some(d) = nesting_problem(yaml) {
        return Err(d);
    }
    let keys = key_lines(yaml);
    let value: serde_yaml::Value = serde_yaml::from_str(yaml).map_err(|e| yaml_error(&e, yaml))?;
    let serde_yaml::Value::Mapping(map) = value else {
        return Err(Diagnostic::error(
            "yaml",
            "front matter must be a set of `field: value` lines",
        )
        .with_position(2, 1));
    };
    let first_line: HashMap<&str, usize> =
        keys.iter().rev().map(|(k, l)| (k.as_str(), *l)).collect();
    // serde_yaml keeps the keys in the order written; when every key was
    // found on a line of its own, the n-th key is on the n-th key line.
    let in_order = keys.len() == map.len();
    map.into_iter()
        .enumerate()
        .map(|(i, (k, v))| {
            let key = match k {
                serde_yaml::Value::String(s) => s,
                other => scalar_text(&other),
            };
            let line = if in_order {
                keys[i].1
            } else {
                first_line.get(key.as_str()).copied().unwrap_or(2)
            };
            if key.is_empty() {
                return Err(Diagnostic::error("yaml", "a field has no name")
                    .with_position(line, 1)
                    .with_hint("write the field's name before the colon, like `title: …`"));
            }
            let value = to_raw(v);
            if let Some(c) = control_char(&key, &value) {
                return Err(control_char_error(&key, c, yaml, line, &keys));
            }
            Ok(Entry { key, value, line })
        })
        .collect()
}

/// The line (1-based in the whole file) of every top-level key, in order.
fn key_lines(yaml: &str) -> Vec<(String, usize)> {
    yaml.lines()
        .enumerate()
        .filter(|(_, l)| l.starts_with(|c: char| !c.is_whitespace() && c != '#' && c != '-'))
        .filter_map(|(i, l)| {
            let key = l.split_once(':')?.0.trim().trim_matches(['"', '\'']);
            Some((key.to_string(), i + 2))
        })
        .collect()
}

/// A mapping key as text: a number or `true` as written, `~` as empty.
fn scalar_text(v: &serde_yaml::Value) -> String {
    match v {
        serde_yaml::Value::Bool(b) => b.to_string(),
        serde_yaml::Value::Number(n) => n.to_string(),
        serde_yaml::Value::String(s) => s.clone(),
        serde_yaml::Value::Null => String::new(),
        _ => "?".into(),
    }
}

/// `serde_yaml`'s value as a [`Raw`]; tags are dropped.
fn to_raw(v: serde_yaml::Value) -> Raw {
    match v {
        serde_yaml::Value::Null => Raw::Null,
        serde_yaml::Value::Bool(b) => Raw::Bool(b),
        serde_yaml::Value::Number(n) => match n.as_i64() {
            Some(i) => Raw::Integer(i),
            None => Raw::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        serde_yaml::Value::String(s) => Raw::String(s),
        serde_yaml::Value::Sequence(items) => Raw::List(items.into_iter().map(to_raw).collect()),
        serde_yaml::Value::Mapping(m) => Raw::Map(
            m.into_iter()
                .map(|(k, v)| (scalar_text(&k), to_raw(v)))
                .collect(),
        ),
        serde_yaml::Value::Tagged(t) => to_raw(t.value),
    }
}
