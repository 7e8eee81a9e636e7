//! Splits a content file into YAML front matter and Markdown body, and parses
//! the front matter.
//!
//! This is the only module that knows about serde_yaml: the rest of hubgen
//! sees [`Raw`] values with the line each top-level key was written on.

use std::collections::HashMap;

use crate::diagnostics::{line_col, Diagnostic};

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

/// How deep lists and mappings may nest in front matter. Fields are flat, so
/// this is generous; libyaml takes quadratic time on deep nesting before
/// serde_yaml's own limit applies (100,000 `{a:` took a minute).
const MAX_NESTING: usize = 64;

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
            Ok(Entry { value, key, line })
        })
        .collect()
}

/// A located, plain-words diagnostic for what serde_yaml refused.
fn yaml_error(e: &serde_yaml::Error, yaml: &str) -> Diagnostic {
    let message = e.to_string();
    // serde_yaml appends " at line L column C"; the location is reported separately.
    let message = message.split(" at line ").next().unwrap_or(&message);
    let at = |offset: usize| {
        let (line, col) = line_col(yaml, offset);
        (line + 1, col)
    };
    let (line, col) = e.location().map_or((0, 0), |l| (l.line() + 1, l.column()));
    if message == "repetition limit exceeded" {
        // A "billion laughs": aliases of aliases that expand beyond any real page.
        let (line, col) = first_alias(yaml).map_or((line, col), at);
        return Diagnostic::error(
            "yaml",
            "this front matter repeats an anchor (&name / *name) too often: written out, it would be far too large",
        )
        .with_position(line, col)
        .with_hint("write the values out instead of repeating them with `&name` and `*name`");
    }
    if message.starts_with("control characters are not allowed") {
        let offset = yaml.find(|c: char| c.is_control() && !"\t\n\r".contains(c));
        let (line, col) = offset.map_or((line, col), at);
        return Diagnostic::error(
            "yaml",
            "the front matter holds an invisible control character",
        )
        .with_position(line, col)
        .with_hint("delete it: such characters often come with text pasted from elsewhere");
    }
    // Inside a nested mapping the message starts with the path to it (`x: `).
    if let Some(key) = message
        .split_once("duplicate entry with key \"")
        .and_then(|(_, k)| k.strip_suffix('"'))
    {
        // serde_yaml reports a duplicate key at the start of its mapping; the
        // second time the key is written is what the editor has to fix.
        if let Some((first, again, column)) = duplicate_key(yaml, key, e.location()) {
            return Diagnostic::error(
                "yaml",
                format!("the field `{key}` is written twice (first on line {first})"),
            )
            .with_position(again, column)
            .with_hint("keep one of them, with the value you mean");
        }
    }
    Diagnostic::error("yaml", format!("front matter is not valid YAML: {message}"))
        .with_position(line, col)
        .with_hint(
            "check indentation, and quote values that contain `: ` or start with a special character",
        )
}

/// The file lines of the first and second time `key` is written in the
/// block mapping that starts at `start`, and the column of the second.
fn duplicate_key(
    yaml: &str,
    key: &str,
    start: Option<serde_yaml::Location>,
) -> Option<(usize, usize, usize)> {
    let start = start?;
    let column = start.column().max(1) - 1;
    let mut found = Vec::new();
    for (i, line) in yaml.lines().enumerate().skip(start.line().max(1) - 1) {
        let indent = line.len() - line.trim_start().len();
        let text = line.trim_start();
        if text.is_empty() || text.starts_with('#') {
            continue;
        }
        if indent < column && !found.is_empty() {
            break; // the mapping has ended
        }
        // `- key:` starts a mapping inside a list: its keys are after the dashes.
        let mut at = indent;
        while line[at..].starts_with("- ") {
            at += 1 + line[at + 1..].len() - line[at + 1..].trim_start().len();
        }
        let written = line[at..]
            .split_once(':')
            .map(|(k, _)| k.trim().trim_matches(['"', '\'']));
        if at == column && written == Some(key) {
            found.push(i + 2);
            if let [first, again] = found[..] {
                return Some((first, again, column + 1));
            }
        }
    }
    None
}

/// The byte offset of the first alias (`*name`) in `yaml`.
fn first_alias(yaml: &str) -> Option<usize> {
    yaml.match_indices('*')
        .find(|&(i, _)| {
            let before = yaml[..i].chars().next_back();
            let after = yaml[i + 1..].chars().next();
            before.is_none_or(|c| c.is_whitespace() || "[{,:-".contains(c))
                && after.is_some_and(|c| c.is_alphanumeric() || c == '_')
        })
        .map(|(i, _)| i)
}

/// Nesting deeper than [`MAX_NESTING`], found before serde_yaml sees it:
/// flow collections (`{`, `[`), and block levels (indentation and `- `).
/// It reads just enough YAML to tell structure from text: quoted strings,
/// comments and block scalars (`|`, `>`) are skipped.
fn nesting_problem(yaml: &str) -> Option<Diagnostic> {
    let mut levels: Vec<usize> = Vec::new(); // columns of the open block levels
    let mut flow = 0usize;
    let mut quote: Option<char> = None;
    let mut block_scalar_of: Option<usize> = None;
    for (i, line) in yaml.lines().enumerate() {
        let indent = line.len() - line.trim_start_matches(' ').len();
        let content = line[indent..].trim_end();
        if let Some(parent) = block_scalar_of {
            if content.is_empty() || indent > parent {
                continue;
            }
            block_scalar_of = None;
        }
        let mut start = indent;
        if flow == 0 && quote.is_none() {
            if content.is_empty() || content.starts_with('#') {
                continue;
            }
            while levels.last().is_some_and(|&c| c >= indent) {
                levels.pop();
            }
            levels.push(indent);
            // Each `- ` opens a sequence, and what follows it is one level deeper.
            while line[start..].starts_with("- ") || &line[start..] == "-" {
                start += 1 + line[start + 1..].len() - line[start + 1..].trim_start().len();
                levels.push(start);
            }
        }
        let mut value_start = true;
        let mut prev = ' ';
        let mut chars = line[start..].char_indices().peekable();
        while let Some((j, c)) = chars.next() {
            match quote {
                Some('"') if c == '\\' => {
                    chars.next();
                }
                Some(q) if c == q => {
                    if q == '\'' && chars.peek().is_some_and(|&(_, n)| n == '\'') {
                        chars.next(); // '' is a quote inside a single-quoted string
                    } else {
                        quote = None;
                    }
                }
                Some(_) => {}
                None => match c {
                    '#' if prev.is_whitespace() => break,
                    '"' | '\'' if value_start || (flow > 0 && "[{, ".contains(prev)) => {
                        quote = Some(c)
                    }
                    '[' | '{' if flow > 0 || value_start => {
                        flow += 1;
                        if levels.len() + flow > MAX_NESTING {
                            return Some(too_deep(i + 2, start + j + 1));
                        }
                    }
                    ']' | '}' if flow > 0 => flow -= 1,
                    _ => {}
                },
            }
            value_start = quote.is_none() && flow == 0 && prev == ':' && c == ' '
                || (value_start && c == ' ');
            prev = c;
        }
        if levels.len() > MAX_NESTING {
            return Some(too_deep(i + 2, start + 1));
        }
        if flow == 0 && quote.is_none() && opens_block_scalar(content) {
            block_scalar_of = Some(indent);
        }
    }
    None
}

/// Whether a line ends with a block scalar header (`key: |`, `- >-`): the
/// lines indented under it are text, whatever characters they hold.
fn opens_block_scalar(content: &str) -> bool {
    let body = content.split(" #").next().unwrap_or(content);
    let mut tokens = body.split_whitespace().rev();
    let (Some(last), Some(before)) = (tokens.next(), tokens.next()) else {
        return false;
    };
    (before.ends_with(':') || before == "-")
        && last.starts_with(['|', '>'])
        && last[1..]
            .chars()
            .all(|c| c.is_ascii_digit() || c == '+' || c == '-')
}

fn too_deep(line: usize, column: usize) -> Diagnostic {
    Diagnostic::error(
        "yaml",
        format!("the front matter nests lists or mappings more than {MAX_NESTING} levels deep"),
    )
    .with_position(line, column)
    .with_hint("fields are `name: value` or a list like `[a, b]`; check for a `{` or `[` that is never closed")
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

/// The first control character (other than tab and newline) in a key or value:
/// they cannot be shown, and they make the Atom feed invalid XML.
fn control_char(key: &str, value: &Raw) -> Option<char> {
    let bad = |s: &str| {
        s.chars().find(|&c| {
            (c.is_control() && c != '\t' && c != '\n') || c == '\u{fffe}' || c == '\u{ffff}'
        })
    };
    bad(key).or_else(|| match value {
        Raw::String(s) => bad(s),
        Raw::List(items) => items.iter().find_map(|v| control_char("", v)),
        Raw::Map(entries) => entries.iter().find_map(|(k, v)| control_char(k, v)),
        _ => None,
    })
}

/// The error for control character `c` in field `key` on `line`, pointing at
/// the escape that wrote it when there is one.
fn control_char_error(
    key: &str,
    c: char,
    yaml: &str,
    line: usize,
    keys: &[(String, usize)],
) -> Diagnostic {
    let next_key = keys
        .iter()
        .map(|(_, l)| *l)
        .find(|&l| l > line)
        .unwrap_or(usize::MAX);
    let escape = yaml
        .lines()
        .enumerate()
        .map(|(i, text)| (i + 2, text))
        .skip_while(|&(l, _)| l < line)
        .take_while(|&(l, _)| l < next_key)
        .find_map(|(l, text)| control_escape(text).map(|col| (l, col)));
    let (line, column) = escape.unwrap_or((line, 1));
    Diagnostic::error(
        "control-character",
        format!(
            "`{key}` holds an invisible control character (U+{:04X}), which would break the site's feeds",
            c as u32
        ),
    )
    .with_position(line, column)
    .with_hint("remove the escape that writes it (only tab and line breaks may be written this way)")
}

/// The 1-based column of the first double-quoted escape in `text` that
/// writes a control character, like `\u0001`, `\x1b` or `\e`.
fn control_escape(text: &str) -> Option<usize> {
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c != '\\' {
            continue;
        }
        let Some((_, e)) = chars.next() else { break };
        let digits = match e {
            'x' => 2,
            'u' => 4,
            'U' => 8,
            '0' | 'a' | 'b' | 'e' | 'f' | 'v' | 'r' | 'N' => {
                return Some(text[..i].chars().count() + 1)
            }
            _ => continue,
        };
        let hex: String = text[i + 2..].chars().take(digits).collect();
        let code = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32);
        if code.is_some_and(|c| c.is_control() && c != '\t' && c != '\n') {
            return Some(text[..i].chars().count() + 1);
        }
    }
    None
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

    /// Line, column and message of the error for front matter `yaml`.
    fn error(yaml: &str) -> (usize, usize, String) {
        let e = split(&format!("---\n{yaml}---\nBody\n")).unwrap_err();
        (e.line, e.column, e.message)
    }

    #[test]
    fn a_duplicate_key_is_reported_where_it_is_written_again() {
        let (line, col, msg) = error("title: a\nstatus: x\nb: 1\nc: 2\nstatus: y\n");
        assert_eq!((line, col), (6, 1));
        assert_eq!(msg, "the field `status` is written twice (first on line 3)");
        let (line, _, msg) = error("title: a\naliases: [/x/]\nweight: 1\n\"aliases\": [/y/]\n");
        assert_eq!(line, 5, "{msg}");
        // Nested duplicates are located by serde_yaml itself.
        assert_eq!(error("title: a\nx:\n  a: 1\n  a: 2\n").0, 5);
    }

    #[test]
    fn keys_that_are_not_names_are_located() {
        assert_eq!(
            error("title: a\n~: c\n"),
            (3, 1, "a field has no name".to_string())
        );
        let s = split("---\ntitle: a\n3: x\nnull: y\n---\n").unwrap_err();
        assert_eq!(s.line, 4, "{s:?}");
        let s = split("---\ntitle: a\n3: x\n---\n").unwrap();
        assert_eq!((s.entries[1].key.as_str(), s.entries[1].line), ("3", 3));
    }

    #[test]
    fn billion_laughs_is_a_located_plain_error() {
        let mut yaml = String::from("title: x\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (name, prev) in ["b", "c", "d", "e", "f", "g", "h", "i"]
            .iter()
            .zip(["a", "b", "c", "d", "e", "f", "g", "h"])
        {
            let refs = vec![format!("*{prev}"); 9].join(",");
            yaml.push_str(&format!("{name}: &{name} [{refs}]\n"));
        }
        let (line, col, msg) = error(&yaml);
        assert_eq!((line, col), (4, 8));
        assert!(
            msg.starts_with("this front matter repeats an anchor (&name / *name) too often"),
            "{msg}"
        );
    }

    #[test]
    fn control_characters_are_refused_where_written() {
        let (line, col, msg) = error("title: \"a\\u0001b\"\n");
        assert_eq!((line, col), (2, 10));
        assert!(
            msg.contains("`title` holds an invisible control character (U+0001)"),
            "{msg}"
        );
        assert_eq!(error("title: x\ntags:\n  - ok\n  - \"b\\x1bc\"\n").0, 5);
        assert_eq!(error("title: x\nsummary: \"a\\e\"\n").1, 12);
        assert_eq!(error("title: x\nsummary: \"a\\N\"\n").1, 12);
        // Literal control characters are refused by the YAML parser: located too.
        assert_eq!(error("title: x\nsummary: a\u{7}b\n").0, 3);
        // Tabs and line breaks are text.
        let s = split("---\ntitle: \"a\\tb\"\nsummary: \"x\\ny\"\n---\n").unwrap();
        assert_eq!(s.entries[0].value, Raw::String("a\tb".into()));
    }

    #[test]
    fn deep_nesting_is_refused_early() {
        let deep = format!("title: x\nsummary: {}\n", "{a: ".repeat(100_000));
        let start = std::time::Instant::now();
        let (line, col, msg) = error(&deep);
        assert!(start.elapsed().as_secs() < 10, "{:?}", start.elapsed());
        assert_eq!((line, col), (3, 10 + 4 * 63));
        assert!(msg.contains("more than 64 levels deep"), "{msg}");
        assert_eq!(error(&format!("t: {}\n", "[".repeat(100))).1, 4 + 63);
        let dashes = format!("t:\n{}x\n", "- ".repeat(100));
        assert_eq!(error(&dashes).0, 3);
        let mut indented = String::from("t:\n");
        for i in 1..100 {
            indented.push_str(&format!("{}k{i}:\n", " ".repeat(i)));
        }
        assert_eq!(error(&indented).0, 66);
    }

    #[test]
    fn text_is_not_structure() {
        let brackets = "[[[[[[[[[[".repeat(10);
        let yaml = format!(
            "title: \"{brackets}\"\nsummary: '{brackets} it''s {{'\nbody: |\n  {brackets}\n    {brackets}\nplain: a [[[[ {brackets} # {brackets}\ntags: [\"]\", '[', x]\nweight: 1\n"
        );
        let source = format!("---\n{yaml}---\n");
        let s = split(&source).unwrap();
        assert_eq!(s.entries.len(), 6);
        assert_eq!(s.entries[5].line, 9);
    }

    /// Finding each key's line searched every line for every key: 300,000
    /// unknown keys took minutes.
    #[test]
    fn many_keys_stay_linear() {
        let yaml: String = (0..100_000).map(|i| format!("k{i}: v\n")).collect();
        let start = std::time::Instant::now();
        let source = format!("---\n{yaml}---\n");
        let s = split(&source).unwrap();
        assert!(start.elapsed().as_secs() < 10, "{:?}", start.elapsed());
        assert_eq!(s.entries.len(), 100_000);
        assert_eq!(
            (s.entries[99_999].key.as_str(), s.entries[99_999].line),
            ("k99999", 100_001)
        );
    }

    /// The scans that run before serde_yaml (nesting, duplicates, escapes)
    /// never panic: every prefix of tricky front matter, and every position
    /// overwritten with a character that matters to them.
    #[test]
    fn mangled_front_matter_never_panics() {
        let yaml = "title: \"a\\u0001é\\x1b\"\ns: 'it''s [x'\nb: |\n  {[\nl:\n  - - {a: [1, *x]}\n  - &x \"q\"\n~: c\ns: d\n";
        let doc = format!("---\n{yaml}---\n");
        let mut variants: Vec<String> = (0..=doc.len())
            .filter(|&end| doc.is_char_boundary(end))
            .map(|end| doc[..end].to_string())
            .collect();
        for (i, _) in doc.char_indices() {
            for c in [
                '\\', '"', '\'', '[', '{', '-', ' ', '\n', '*', '#', '|', ':', 'é',
            ] {
                let mut v = doc.clone();
                let len = v[i..].chars().next().unwrap().len_utf8();
                v.replace_range(i..i + len, &c.to_string());
                variants.push(v);
            }
        }
        for v in variants {
            let _ = split(&v);
        }
    }

    #[test]
    fn empty_front_matter_and_non_mapping() {
        assert!(split("---\n---\n").unwrap().entries.is_empty());
        assert!(split("---\n- a\n- b\n---\n").is_err());
    }
}
