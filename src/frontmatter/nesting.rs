//! The guard against deeply nested front matter, run before `serde_yaml`.

use crate::diagnostics::Diagnostic;

/// How deep lists and mappings may nest in front matter. Fields are flat, so
/// this is generous; libyaml takes quadratic time on deep nesting before
/// `serde_yaml`'s own limit applies (100,000 `{a:` took a minute).
const MAX_NESTING: usize = 64;

/// Nesting deeper than [`MAX_NESTING`], found before `serde_yaml` sees it:
/// flow collections (`{`, `[`), and block levels (indentation and `- `).
/// It reads just enough YAML to tell structure from text: quoted strings,
/// comments and block scalars (`|`, `>`) are skipped.
pub(super) fn nesting_problem(yaml: &str) -> Option<Diagnostic> {
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
                        quote = Some(c);
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

/// The error for nesting deeper than [`MAX_NESTING`], at `line` and `column`.
fn too_deep(line: usize, column: usize) -> Diagnostic {
    Diagnostic::error(
        "yaml",
        format!("the front matter nests lists or mappings more than {MAX_NESTING} levels deep"),
    )
    .with_position(line, column)
    .with_hint("fields are `name: value` or a list like `[a, b]`; check for a `{` or `[` that is never closed")
}
