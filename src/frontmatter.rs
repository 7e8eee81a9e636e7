//! Splits a content file into YAML front matter and Markdown body, and parses
//! the front matter.
//!
//! This is the only module that knows about serde_yaml: the rest of hubgen
//! sees [`Raw`] values with the line each top-level key was written on.

use crate::diagnostics::Diagnostic;

/// A front-matter value as written, before it is checked against a schema.
#[derive(Clone, Debug, PartialEq)]
pub enum Raw {
    Null,
    Bool(bool),
    Integer(i64),
    Float(f64),
    String(String),
    List(Vec<Raw>),
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
    pub key: String,
    pub value: Raw,
    /// 1-based line of the key in the whole file.
    pub line: usize,
}

/// A content file, split.
#[derive(Debug)]
pub struct Split<'a> {
    pub entries: Vec<Entry>,
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

/// Parses the YAML between the fences; lines are counted from the opening fence.
fn parse_yaml(yaml: &str) -> Result<Vec<Entry>, Diagnostic> {
    if yaml.trim().is_empty() {
        return Ok(Vec::new());
    }
    let value: serde_yaml::Value = serde_yaml::from_str(yaml).map_err(|e| {
        let (line, col) = e.location().map_or((0, 0), |l| (l.line() + 1, l.column()));
        let message = e.to_string();
        // serde_yaml appends " at line L column C"; the location is reported separately.
        let message = message.split(" at line ").next().unwrap_or(&message).to_string();
        Diagnostic::error("yaml", format!("front matter is not valid YAML: {message}"))
            .with_position(line, col)
            .with_hint("check indentation, and quote values that contain `: ` or start with a special character")
    })?;
    let serde_yaml::Value::Mapping(map) = value else {
        return Err(Diagnostic::error(
            "yaml",
            "front matter must be a set of `field: value` lines",
        )
        .with_position(2, 1));
    };
    let lines = key_lines(yaml);
    map.into_iter()
        .map(|(k, v)| {
            let key = match k {
                serde_yaml::Value::String(s) => s,
                other => scalar_text(&other),
            };
            let line = lines.iter().find(|(k, _)| *k == key).map_or(2, |(_, l)| *l);
            Ok(Entry {
                value: to_raw(v),
                key,
                line,
            })
        })
        .collect()
}

/// The line (1-based within the YAML) of every top-level key.
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

fn scalar_text(v: &serde_yaml::Value) -> String {
    match v {
        serde_yaml::Value::Bool(b) => b.to_string(),
        serde_yaml::Value::Number(n) => n.to_string(),
        serde_yaml::Value::String(s) => s.clone(),
        serde_yaml::Value::Null => String::new(),
        _ => "?".into(),
    }
}

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

impl Diagnostic {
    /// Sets line and column without a path (the loader adds the path).
    pub fn with_position(mut self, line: usize, column: usize) -> Self {
        self.line = line;
        self.column = column;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_and_records_key_lines() {
        let s = split("---\ntitle: A guide\ntags:\n  - one\n  - two\n---\nBody\n").unwrap();
        assert_eq!(s.body, "Body\n");
        assert_eq!(s.body_line, 7);
        assert_eq!(
            s.entries[0],
            Entry {
                key: "title".into(),
                value: Raw::String("A guide".into()),
                line: 2
            }
        );
        assert_eq!(s.entries[1].line, 3);
        assert_eq!(
            s.entries[1].value,
            Raw::List(vec![Raw::String("one".into()), Raw::String("two".into())])
        );
    }

    #[test]
    fn dates_stay_strings() {
        let s = split("---\ndate: 2010-12-03\n---\n").unwrap();
        assert_eq!(s.entries[0].value, Raw::String("2010-12-03".into()));
    }

    #[test]
    fn unterminated_front_matter() {
        let e = split("---\ntitle: x\nbody text\n").unwrap_err();
        assert!(e.message.contains("not closed"));
        assert_eq!((e.line, e.column), (1, 1));
    }

    #[test]
    fn missing_front_matter() {
        let e = split("# Just markdown\n").unwrap_err();
        assert!(e.message.contains("does not start with front matter"));
    }

    #[test]
    fn malformed_yaml_reports_file_line() {
        let e = split("---\ntitle: ok\nsummary: [unclosed\nweight: 2\n---\n").unwrap_err();
        assert_eq!(e.code, "yaml");
        assert!(e.line >= 3, "{e:?}");
        let e = split("---\ntitle: a: b\n---\n").unwrap_err();
        assert_eq!(e.line, 2, "{e:?}");
    }

    #[test]
    fn crlf_and_bom() {
        let s = split("\u{feff}---\r\ntitle: x\r\n---\r\nBody").unwrap();
        assert_eq!(s.entries[0].value, Raw::String("x".into()));
        assert_eq!(s.body, "Body");
    }

    #[test]
    fn empty_front_matter_and_non_mapping() {
        assert!(split("---\n---\n").unwrap().entries.is_empty());
        assert!(split("---\n- a\n- b\n---\n").is_err());
    }
}
