//! A line of text as the personal-data scanners read it: the forms a phone
//! number or an e-mail address takes on a page, when pasted from a word
//! processor or an e-mail signature, or written to dodge harvesters, all
//! brought to one plain form, with each character remembering where it stood
//! in the line the editor wrote.

use unicode_normalization::UnicodeNormalization;

/// A normalised line: its characters, and for each the span of the original
/// line (1-based columns, first and last) it came from.
pub(super) struct Normal {
    /// The normalised characters.
    pub(super) chars: Vec<char>,
    /// `spans[i]` is where `chars[i]` came from: first and last column.
    pub(super) spans: Vec<(usize, usize)>,
    /// The original line, by character, to quote what was found as written.
    original: Vec<char>,
}

impl Normal {
    /// The original text behind normalised characters `from..to` (exclusive).
    pub(super) fn original(&self, from: usize, to: usize) -> String {
        let first = self.spans[from].0;
        let last = self.spans[to - 1].1;
        self.original[first - 1..last].iter().collect()
    }

    /// The column in the original line of normalised character `i`.
    pub(super) fn column(&self, i: usize) -> usize {
        self.spans[i].0
    }
}

/// Characters that are there to be invisible: zero-width spaces and joiners,
/// the word joiner, the byte-order mark, the soft hyphen.
fn invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}'
    )
}

/// Dashes and minus signs a word processor puts where a hyphen was typed.
fn dash(c: char) -> bool {
    matches!(
        c,
        '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}' | '\u{FF0D}'
    )
}

/// The zero of each block of decimal digits that NFKC leaves as it is
/// (Arabic-Indic, Devanagari, Bengali, Thai and others): a number written in
/// them is still a number.
const DIGIT_ZEROS: [u32; 18] = [
    0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6, 0x0D66,
    0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x17E0, 0x1810,
];

fn other_digit(c: char) -> Option<char> {
    let c = c as u32;
    DIGIT_ZEROS
        .iter()
        .find(|&&zero| (zero..zero + 10).contains(&c))
        .and_then(|zero| char::from_digit(c - zero, 10))
}

/// `%40` and the like: an address copied from a link's `mailto:`.
fn percent_escape(chars: &[char], i: usize) -> Option<char> {
    if chars[i] != '%' {
        return None;
    }
    let hi = chars.get(i + 1)?.to_digit(16)?;
    let lo = chars.get(i + 2)?.to_digit(16)?;
    let byte = hi * 16 + lo;
    // Printable ASCII only: a percent-encoded UTF-8 sequence is not an address's.
    (0x20..0x7F)
        .contains(&byte)
        .then(|| char::from_u32(byte))
        .flatten()
}

/// Whether `line` may hold an e-mail address or a phone number, however
/// written. [`normalise`] leaves a line of plain ASCII without `%` as it is
/// but for its spelt-out `[at]` and `[dot]`: such a line holds an address
/// only with an `@` or a spelt-out one, and a phone number only with as many
/// digits as the shortest has. Most lines of prose, and of Markdown with its
/// links and numbered lists, are neither: they skip [`normalise`].
///
/// One pass over the line's bytes, which ends at the first that decides it:
/// every line of every published file is asked this on each build.
pub(super) fn may_hold_contact(line: &str) -> bool {
    let bytes = line.as_bytes();
    let mut digits = 0;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'0'..=b'9' => digits += 1,
            b'@' | b'%' | 0x80.. => return true,
            b'[' | b'(' | b'{' if spelt_at(&bytes[i..]) => return true,
            _ => {}
        }
    }
    digits >= *super::contacts::PHONE_DIGITS.start()
}

/// Whether `from` starts with a bracketed `at`: `[at]`, `(AT)`, `{at}`.
fn spelt_at(from: &[u8]) -> bool {
    let [open, a, t, close, ..] = from else {
        return false;
    };
    let closing = match open {
        b'[' => b']',
        b'(' => b')',
        b'{' => b'}',
        _ => return false,
    };
    a.eq_ignore_ascii_case(&b'a') && t.eq_ignore_ascii_case(&b't') && *close == closing
}

/// `line` normalised: Unicode NFKC (full-width digits and `＠` become ASCII),
/// invisible characters dropped, every kind of space a space and every dash a
/// hyphen, other decimal digits as ASCII digits, `%XX` decoded, and the
/// bracketed spellings `[at]`, `(at)`, `{at}`, `[dot]`, `(dot)`, `{dot}` as
/// `@` and `.`.
pub(super) fn normalise(line: &str) -> Normal {
    let original: Vec<char> = line.chars().collect();
    let mut chars = Vec::with_capacity(original.len());
    let mut spans = Vec::with_capacity(original.len());
    let mut i = 0;
    while i < original.len() {
        let c = original[i];
        let col = i + 1;
        if let Some(decoded) = percent_escape(&original, i) {
            chars.push(decoded);
            spans.push((col, col + 2));
            i += 3;
            continue;
        }
        i += 1;
        if invisible(c) {
            continue;
        }
        let plain = if c.is_whitespace() {
            Some(' ')
        } else if dash(c) {
            Some('-')
        } else {
            other_digit(c)
        };
        if let Some(p) = plain {
            chars.push(p);
            spans.push((col, col));
            continue;
        }
        // NFKC leaves ASCII as it is: most characters need no look-up.
        if c.is_ascii() {
            chars.push(c);
            spans.push((col, col));
            continue;
        }
        for n in std::iter::once(c).nfkc() {
            chars.push(n);
            spans.push((col, col));
        }
    }
    let mut normal = Normal {
        chars,
        spans,
        original,
    };
    spell_out(&mut normal, "at", '@');
    spell_out(&mut normal, "dot", '.');
    normal
}

/// Replaces `[word]`, `(word)` or `{word}` (any case, spaces around it
/// allowed) with `with`, when it stands between two words.
fn spell_out(n: &mut Normal, word: &str, with: char) {
    let w: Vec<char> = word.chars().collect();
    let mut i = 0;
    while i < n.chars.len() {
        let close = match n.chars[i] {
            '[' => ']',
            '(' => ')',
            '{' => '}',
            _ => {
                i += 1;
                continue;
            }
        };
        let end = i + 1 + w.len();
        let matches = n.chars.get(end) == Some(&close)
            && n.chars[i + 1..end]
                .iter()
                .zip(&w)
                .all(|(a, b)| a.eq_ignore_ascii_case(b));
        if !matches {
            i += 1;
            continue;
        }
        // The spaces either side go with it: "jo [at] example [dot] org".
        let mut from = i;
        while from > 0 && n.chars[from - 1] == ' ' {
            from -= 1;
        }
        let mut to = end + 1;
        while n.chars.get(to) == Some(&' ') {
            to += 1;
        }
        let between_words = from > 0
            && n.chars[from - 1].is_alphanumeric()
            && n.chars.get(to).is_some_and(|c| c.is_alphanumeric());
        if !between_words {
            i += 1;
            continue;
        }
        let span = (n.spans[from].0, n.spans[to - 1].1);
        n.chars.splice(from..to, [with]);
        n.spans.splice(from..to, [span]);
        i = from + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn plain(s: &str) -> String {
        normalise(s).chars.into_iter().collect()
    }

    /// The prefilter as first written, four passes over the line.
    fn may_hold_contact_by_passes(line: &str) -> bool {
        if !line.is_ascii() || line.contains(['@', '%']) {
            return true;
        }
        let digits = line.bytes().filter(u8::is_ascii_digit).count();
        digits >= *super::super::contacts::PHONE_DIGITS.start()
            || line.as_bytes().windows(4).any(|w| {
                let close = match w[0] {
                    b'[' => b']',
                    b'(' => b')',
                    b'{' => b'}',
                    _ => return false,
                };
                w[1..3].eq_ignore_ascii_case(b"at") && w[3] == close
            })
    }

    proptest! {
        #[test]
        fn the_one_pass_prefilter_decides_as_the_four_passes(
            line in "([a-zA-Z0-9 \\[\\](){}@%.+-]|[aAtT]|\\[at\\]|\\(AT\\)|\\{aT\\}|é|\u{FF20}){0,40}"
        ) {
            prop_assert_eq!(may_hold_contact(&line), may_hold_contact_by_passes(&line));
        }
    }

    #[test]
    fn the_prefilter_finds_each_sign_of_a_contact() {
        for line in [
            "a@b",
            "50%",
            "café",
            "x [at] y",
            "x (AT) y",
            "{at}",
            "0123456789",
        ] {
            assert!(may_hold_contact(line), "{line:?}");
        }
        for line in ["plain prose", "12345678 digits", "[a t]", "(at", "[at}", ""] {
            assert!(!may_hold_contact(line), "{line:?}");
        }
    }

    #[test]
    fn brings_every_spelling_to_one_form() {
        assert_eq!(plain("０７７００\u{a0}９００１２３"), "07700 900123");
        assert_eq!(plain("07700\u{2013}900123"), "07700-900123");
        assert_eq!(plain("jo\u{200b}@example.org"), "jo@example.org");
        assert_eq!(plain("mailto:jo%40example.org"), "mailto:jo@example.org");
        assert_eq!(plain("jo [at] example [DOT] org"), "jo@example.org");
        assert_eq!(plain("jo(at)example(dot)org"), "jo@example.org");
        assert_eq!(plain("٠٧٧٠٠ ٩٠٠١٢٣"), "07700 900123");
        // Not between words: left alone.
        assert_eq!(plain("(at) noon"), "(at) noon");
        assert_eq!(plain("[at]"), "[at]");
    }

    #[test]
    fn remembers_where_each_character_came_from() {
        let n = normalise("a%40b [at] c");
        assert_eq!(n.chars.iter().collect::<String>(), "a@b@c");
        assert_eq!(n.column(1), 2);
        assert_eq!(n.column(2), 5);
        assert_eq!(n.column(4), 12);
        assert_eq!(n.original(0, 5), "a%40b [at] c");
        assert_eq!(n.original(1, 3), "%40b");
    }
}
