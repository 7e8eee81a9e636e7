//! The guard against control characters in front-matter keys and values,
//! and where the escape that wrote one is.

use super::Raw;
use crate::diagnostics::Diagnostic;

/// The first control character (other than tab and newline) in a key or value:
/// they cannot be shown, and they make the Atom feed invalid XML.
pub(super) fn control_char(key: &str, value: &Raw) -> Option<char> {
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
pub(super) fn control_char_error(
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
