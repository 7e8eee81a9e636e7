//! The text a result's excerpt is taken from: the page's own sentences.
//!
//! `search.js` shows the sentence of a result that holds most of the query's
//! words, with those words marked. It can only choose from text the index
//! ships, so each document ships the start of its text (see `load`) less
//! the sentences that other pages repeat word for word — a standard notice
//! every illustrative page opens with says nothing about the page that
//! matched — up to [`OWN_CHARS`] characters.

use std::collections::HashMap;

/// At most this many characters of a page's own sentences are shipped.
pub const OWN_CHARS: usize = 400;
/// A sentence found on this many pages or more is boilerplate, not the page's own.
const REPEATED_ON: u32 = 3;

/// The sentences of the pages' texts that are repeated on several pages.
pub type Repeated = HashMap<String, u32>;

/// Splits text into sentences: after `.`, `!` or `?` followed by a space.
fn sentences(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text.trim();
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let end = rest
            .match_indices(['.', '!', '?'])
            .map(|(i, m)| i + m.len())
            .find(|&i| rest[i..].starts_with(' '))
            .unwrap_or(rest.len());
        let (s, r) = rest.split_at(end);
        rest = r.trim_start();
        Some(s.trim())
    })
}

/// Counts, over the pages' texts, the pages each sentence is on; keeps those
/// on [`REPEATED_ON`] pages or more.
pub fn repeated<T: AsRef<str>>(texts: impl Iterator<Item = T>) -> Repeated {
    let mut counts: Repeated = HashMap::new();
    for text in texts {
        let mut mine: Vec<&str> = sentences(text.as_ref()).collect();
        mine.sort_unstable();
        mine.dedup();
        for s in mine {
            *counts.entry(s.to_string()).or_default() += 1;
        }
    }
    counts.retain(|_, n| *n >= REPEATED_ON);
    counts
}

/// The page's own sentences, in order, up to [`OWN_CHARS`] characters (the
/// last cut at a word, with `…`).
pub fn own_text(text: &str, repeated: &Repeated) -> String {
    let mut out = String::new();
    for s in sentences(text).filter(|s| !repeated.contains_key(*s)) {
        if !out.is_empty() {
            out.push(' ');
        }
        let room = OWN_CHARS.saturating_sub(out.chars().count());
        if s.chars().count() <= room {
            out.push_str(s);
            continue;
        }
        let cut: String = s.chars().take(room).collect();
        let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(a, _)| a);
        out.push_str(cut);
        out.push('…');
        break;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_split_after_stops() {
        let s: Vec<&str> = sentences("One. Two 3.5 and more! Three? Four").collect();
        assert_eq!(s, ["One.", "Two 3.5 and more!", "Three?", "Four"]);
    }

    #[test]
    fn repeated_sentences_are_left_out() {
        let notice = "This page is an example.";
        let texts = [
            format!("{notice} Waste contracts are long."),
            format!("{notice} Energy is bought together."),
            format!("{notice} Buildings are shared. {notice}"),
        ];
        let rep = repeated(texts.iter().map(String::as_str));
        assert_eq!(rep.len(), 1);
        assert_eq!(own_text(&texts[0], &rep), "Waste contracts are long.");
        let long = "word ".repeat(200);
        let own = own_text(&long, &rep);
        assert!(
            own.ends_with('…') && own.chars().count() <= OWN_CHARS + 1,
            "{own}"
        );
    }
}
