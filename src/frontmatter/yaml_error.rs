//! Plain-words, located errors for front matter that `serde_yaml` refuses:
//! where an over-used alias or a control character is, and where a
//! duplicate key is written the second time.

use crate::diagnostics::{line_col, Diagnostic};

/// A located, plain-words diagnostic for what `serde_yaml` refused.
pub(super) fn yaml_error(e: &serde_yaml::Error, yaml: &str) -> Diagnostic {
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
    let plain = if message.contains("mapping values are not allowed") {
        "a value holds `: `, which reads as the start of another field"
    } else if message.contains("did not find expected") || message.contains("while parsing a flow")
    {
        "a bracket or quotation mark opened earlier is not closed"
    } else if message.contains("found character that cannot start any token") {
        "a value starts with a character that has a special meaning (such as @ or `)"
    } else if message.contains("did not find expected key") || message.contains("block") {
        "the fields are not lined up: each starts at the beginning of its line"
    } else {
        "its layout is not what the fields need"
    };
    Diagnostic::error(
        "yaml",
        format!("the fields at the top of the page cannot be read: {plain} (the YAML reader says: {message})"),
    )
    .with_position(line, col)
    .with_hint(
        "check the lines just above: close brackets and quotes, start each field at the line's beginning, and put quotes round values that contain `: ` or start with a special character",
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
