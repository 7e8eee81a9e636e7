//! The text a result's excerpt is taken from: the page's own sentences.
//!
//! `search.js` shows the sentence of a result that holds most of the query's
//! words, with those words marked. It can only choose from text the index
//! ships, and every character shipped is paid for by every query that shows
//! the page, so each document ships the few of its own sentences most likely
//! to be the passage that matched, up to [`OWN_CHARS`] characters:
//!
//! - its own: sentences that other pages repeat word for word are left out
//!   (a standard notice every illustrative page opens with says nothing about
//!   the page that matched);
//! - most distinctive first: a page is found by the words few other pages
//!   have, so among the sentences of its opening ([`READ_CHARS`]) those with
//!   the rarest words are taken first, and shown in the page's order;
//! - whole where they fit; the last one, if long, cut to the run of words
//!   holding most of its rarest, marked with `…`.

use std::hash::{Hash, Hasher};

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet, FxHasher};

use crate::text::{CLOSING_QUOTES, SENTENCE_STOPS};

/// At most this many characters of a page's own sentences are shipped.
pub const OWN_CHARS: usize = 160;
/// The sentences chosen from are those that start in the first this many
/// bytes of a page's own text: a page's opening says what it is about.
const READ_CHARS: usize = 1200;
/// A sentence is not cut to fewer characters than this.
const MIN_CUT: usize = 40;
/// A sentence found on this many pages or more is boilerplate, not the page's own.
const REPEATED_ON: u32 = 3;

/// The sentences of the pages' texts that are repeated on several pages,
/// by a 64-bit hash of their text.
#[derive(Debug, Default)]
pub struct Repeated(FxHashSet<u64>);

impl Repeated {
    /// Whether `sentence` is one of them.
    pub fn contains(&self, sentence: &str) -> bool {
        self.0.contains(&hash(sentence))
    }
}

fn hash(sentence: &str) -> u64 {
    let mut h = FxHasher::default();
    sentence.hash(&mut h);
    h.finish()
}

/// Splits text into sentences: after a stop (`.`, `!`, `?`, `…`), with any
/// closing quotes, followed by a space.
fn sentences(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text.trim();
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let end = rest
            .match_indices(SENTENCE_STOPS)
            .map(|(i, m)| {
                let after = &rest[i + m.len()..];
                rest.len() - after.trim_start_matches(CLOSING_QUOTES).len()
            })
            .find(|&i| rest[i..].starts_with(' '))
            .unwrap_or(rest.len());
        let (s, r) = rest.split_at(end);
        rest = r.trim_start();
        Some(s.trim())
    })
}

/// Counts, over the pages' texts (in parallel), the pages each sentence is
/// on; keeps those on [`REPEATED_ON`] pages or more.
pub fn repeated<T: AsRef<str>>(texts: impl ParallelIterator<Item = T>) -> Repeated {
    let counts = texts
        .fold(FxHashMap::<u64, u32>::default, |mut counts, text| {
            let mut mine: Vec<u64> = sentences(text.as_ref()).map(hash).collect();
            mine.sort_unstable();
            mine.dedup();
            for s in mine {
                *counts.entry(s).or_default() += 1;
            }
            counts
        })
        .reduce(FxHashMap::default, |mut a, b| {
            for (s, n) in b {
                *a.entry(s).or_default() += n;
            }
            a
        });
    Repeated(
        counts
            .into_iter()
            .filter(|&(_, n)| n >= REPEATED_ON)
            .map(|(s, _)| s)
            .collect(),
    )
}

/// How rare each word of a sentence that the index knows is (higher is
/// rarer), and the byte where it starts.
pub type Rarities = Vec<(f32, usize)>;

/// The page's own sentences most likely to match a query, in the page's
/// order, up to [`OWN_CHARS`] characters. `rarities` gives a sentence's words.
pub fn own_text(
    text: &str,
    repeated: &Repeated,
    mut rarities: impl FnMut(&str) -> Rarities,
) -> String {
    let mut seen = 0;
    let own: Vec<(&str, Rarities)> = sentences(text)
        .filter(|s| !repeated.contains(s))
        .take_while(|s| {
            seen += s.len();
            seen - s.len() < READ_CHARS
        })
        .map(|s| (s, rarities(s)))
        .collect();
    let weight = |i: usize| rarest(&own[i].1);
    let mut order: Vec<usize> = (0..own.len()).collect();
    // Rarest first; among equals, the earlier.
    order.sort_by(|&a, &b| weight(b).total_cmp(&weight(a)).then(a.cmp(&b)));
    let mut chosen: Vec<(usize, String)> = Vec::new();
    let mut room = OWN_CHARS;
    for i in order {
        let (s, words) = &own[i];
        let len = s.chars().count();
        if len < room {
            chosen.push((i, (*s).to_string()));
            room -= len + 1;
        } else {
            if room > MIN_CUT {
                chosen.push((i, window(s, words, room - 1)));
            }
            break;
        }
    }
    chosen.sort_by_key(|c| c.0);
    let parts: Vec<String> = chosen.into_iter().map(|c| c.1).collect();
    parts.join(" ")
}

/// The rarity of the rarest of `words`; 0 for none.
fn rarest(words: &Rarities) -> f32 {
    words.iter().map(|w| w.0).fold(0.0, f32::max)
}

/// The run of words of `sentence` that holds the most of its rarest words
/// (those nearly as rare as the rarest), then the most rarity, in at most
/// `room` characters with the `…` that marks each cut end.
fn window(sentence: &str, rarities: &Rarities, room: usize) -> String {
    let words: Vec<(usize, &str)> = sentence
        .split(' ')
        .scan(0, |start, w| {
            let here = *start;
            *start += w.len() + 1;
            Some((here, w))
        })
        .filter(|(_, w)| !w.is_empty())
        .collect();
    let top = rarest(rarities) * 0.9;
    // Each word's rarity, from the rarities of the words the index saw in it.
    let mut weight = vec![0.0_f32; words.len()];
    for &(r, at) in rarities {
        if let Some(i) = words.iter().rposition(|&(start, _)| start <= at) {
            weight[i] = weight[i].max(r);
        }
    }
    let chars: Vec<usize> = words.iter().map(|w| w.1.chars().count()).collect();
    let (mut best, mut best_score) = ((0, 0), (0, -1.0_f32));
    for from in 0..words.len() {
        let (mut width, mut score) = (usize::from(from > 0), (0, 0.0_f32));
        for to in from..words.len() {
            width += chars[to] + usize::from(to > from);
            let cut_end = usize::from(to + 1 < words.len());
            if width + cut_end > room {
                break;
            }
            score.0 += usize::from(weight[to] >= top && top > 0.0);
            score.1 += weight[to];
            if score.0 > best_score.0 || (score.0 == best_score.0 && score.1 > best_score.1) {
                (best, best_score) = ((from, to + 1), score);
            }
        }
    }
    if best.1 == best.0 {
        // Not even one word fits: the start of the rarest, cut.
        let at = (0..words.len())
            .max_by(|&a, &b| weight[a].total_cmp(&weight[b]).then(b.cmp(&a)))
            .unwrap_or(0);
        let cut: String = words[at].1.chars().take(room.saturating_sub(2)).collect();
        return format!("{}{cut}…", if at > 0 { "…" } else { "" });
    }
    let (from, to) = best;
    let mut out = String::new();
    if from > 0 {
        out.push('…');
    }
    let text: Vec<&str> = words[from..to].iter().map(|w| w.1).collect();
    out.push_str(&text.join(" "));
    if to < words.len() {
        out.push('…');
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
        let s: Vec<&str> =
            sentences("He said \u{201C}yes.\u{201D} Then (as agreed.) on. Wait\u{2026} Go")
                .collect();
        assert_eq!(
            s,
            [
                "He said \u{201C}yes.\u{201D}",
                "Then (as agreed.) on.",
                "Wait\u{2026}",
                "Go"
            ]
        );
    }

    /// Rarity as the length of each word: enough to tell words apart here.
    fn lengths(s: &str) -> Rarities {
        s.split(' ')
            .scan(0, |at, w| {
                let here = *at;
                *at += w.len() + 1;
                Some((
                    w.trim_matches(|c: char| !c.is_alphanumeric()).len() as f32,
                    here,
                ))
            })
            .collect()
    }

    #[test]
    fn repeated_sentences_are_left_out() {
        let notice = "This page is an example.";
        let texts = [
            format!("{notice} Waste contracts are long."),
            format!("{notice} Energy is bought together."),
            format!("{notice} Buildings are shared. {notice}"),
        ];
        let rep = repeated(texts.par_iter().map(String::as_str));
        assert_eq!(rep.0.len(), 1);
        assert!(rep.contains(notice));
        assert_eq!(
            own_text(&texts[0], &rep, lengths),
            "Waste contracts are long."
        );
    }

    #[test]
    fn the_rarest_sentences_are_shipped_in_the_page_order() {
        let rep = Repeated::default();
        let text = "It is. A sentence with nothing unusual in it at all, padded out with plain words to fill the room. \
                    Councils share extraordinarily. Then more plain words follow here.";
        let own = own_text(text, &rep, lengths);
        assert!(own.chars().count() <= OWN_CHARS, "{own}");
        assert!(own.contains("Councils share extraordinarily."), "{own}");
        let rare = own.find("extraordinarily").unwrap();
        let plain = own.find("padded").unwrap();
        assert!(plain < rare, "in the page's order: {own}");
    }

    #[test]
    fn a_long_sentence_is_cut_around_its_rarest_word() {
        let rep = Repeated::default();
        let long = format!(
            "{} so buying together can remove duplication, {}.",
            "word ".repeat(60).trim(),
            "more ".repeat(60).trim()
        );
        let own = own_text(&long, &rep, lengths);
        assert!(own.starts_with('…') && own.ends_with('…'), "{own}");
        assert!(own.contains("remove duplication,"), "{own}");
        assert!(
            own.chars().count() <= OWN_CHARS,
            "{} chars: {own}",
            own.chars().count()
        );
    }

    #[test]
    fn odd_text_is_cut_within_the_room_and_never_panics() {
        let rep = Repeated::default();
        let cases = [
            "x".repeat(1000),
            format!("{} end.", "長い文章".repeat(200)),
            format!("Start {}\t{} ok.", "🙂".repeat(300), "ü".repeat(90)),
            "a\u{a0}b ".repeat(100),
            " . ! ? ".to_string(),
            String::new(),
        ];
        for text in &cases {
            for f in [lengths as fn(&str) -> Rarities, |_: &str| Vec::new()] {
                let own = own_text(text, &rep, f);
                assert!(
                    own.chars().count() <= OWN_CHARS + 1,
                    "{} chars from {:?}",
                    own.chars().count(),
                    &text[..text.len().min(40)]
                );
            }
        }
    }
}
