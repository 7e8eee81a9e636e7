//! Small text helpers shared by the stages: slugs, dates, truncation, paths.

use std::fmt;
use std::path::Path;

/// A path relative to some folder, with `/` between its parts on every system.
pub fn slashed(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// A URL-safe slug: lower-case ASCII letters and digits separated by single
/// hyphens, other scripts transliterated (as Zola does, with `deunicode`).
///
/// ```
/// assert_eq!(hubgen::text::slugify("Procurement, Capital & Shared Assets"), "procurement-capital-shared-assets");
/// assert_eq!(hubgen::text::slugify("Children’s Services"), "childrens-services");
/// ```
pub fn slugify(s: &str) -> String {
    // "Children's" reads better as "childrens" than "children-s"; the
    // apostrophes go before and after transliteration (which turns ’ into ').
    let without = |t: &str| t.replace(['\'', '’', '‘'], "");
    let ascii = without(&deunicode::deunicode(&without(s)));
    let mut out = String::with_capacity(ascii.len());
    let mut pending_dash = false;
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() {
            if pending_dash && !out.is_empty() {
                out.push('-');
            }
            pending_dash = false;
            out.push(c.to_ascii_lowercase());
        } else {
            pending_dash = true;
        }
    }
    out
}

/// A calendar date, as written in front matter (`YYYY-MM-DD`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// The year (`2024`).
    pub year: u16,
    /// 1 (January) to 12.
    pub month: u8,
    /// 1 to the month's last day.
    pub day: u8,
}

/// Serialised as written, `YYYY-MM-DD`.
impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Year, month and day of `s` when it is written as `YYYY-MM-DD` (digits
/// and dashes), whether or not that day exists.
fn written_date(s: &str) -> Option<(u32, u32, u32)> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = &s[r];
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    Some((num(0..4)?, num(5..7)?, num(8..10)?))
}

impl Date {
    /// Parses `YYYY-MM-DD`, checking that the day exists.
    pub fn parse(s: &str) -> Option<Date> {
        let (year, month, day) = written_date(s)?;
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date {
            year: year as u16,
            month: month as u8,
            day: day as u8,
        })
    }

    /// Why `s`, written as `YYYY-MM-DD`, is not a day of the calendar, in
    /// words: "February 2012 has 29 days". `None` when it is a date, or not
    /// written as one at all.
    pub fn why_not(s: &str) -> Option<String> {
        if Date::parse(s).is_some() {
            return None;
        }
        let (year, month, day) = written_date(s)?;
        if !(1..=12).contains(&month) {
            return Some(format!(
                "there is no month {month}: months run from 01 to 12"
            ));
        }
        let days = days_in_month(year, month);
        (day == 0 || day > days)
            .then(|| format!("{} {year} has {days} days", MONTHS[month as usize - 1]))
    }

    /// The same day `years` years later; 29 February becomes 28 February
    /// in a year that has none.
    #[must_use]
    pub fn years_later(self, years: u16) -> Date {
        let year = self.year.saturating_add(years);
        let last =
            u8::try_from(days_in_month(u32::from(year), u32::from(self.month))).unwrap_or(28);
        Date {
            year,
            month: self.month,
            day: self.day.min(last),
        }
    }

    /// The date `days` days after 1970-01-01 (the civil-from-days algorithm).
    pub fn from_unix_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as u16;
        Date { year, month, day }
    }

    /// Today, by the system clock (UTC), or by `SOURCE_DATE_EPOCH` (seconds
    /// since 1970) when it is set: the reproducible-builds convention, so
    /// that a build that depends on the day (future-dated pages, overdue
    /// reviews) can be repeated byte for byte.
    pub fn today() -> Date {
        let pinned = std::env::var("SOURCE_DATE_EPOCH")
            .ok()
            .and_then(|s| s.trim().parse::<i64>().ok());
        let secs = pinned.unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0))
        });
        Date::from_unix_days(secs.div_euclid(86_400))
    }

    /// "3 December 2010".
    pub fn long(&self) -> String {
        format!(
            "{} {} {}",
            self.day,
            MONTHS[self.month as usize - 1],
            self.year
        )
    }
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// What ends a sentence: `.`, `!`, `?`, `…` and the CJK full stops. Search
/// splits passages after them (search.js splits excerpts after the same).
pub const SENTENCE_STOPS: [char; 7] = [
    '.', '!', '?', '\u{2026}', '\u{3002}', '\u{FF01}', '\u{FF1F}',
];

/// What may close a sentence after its stop: `“Yes.”` (not a bracket, which
/// more often closes an aside within a sentence: `(see p. 4.) and`).
pub const CLOSING_QUOTES: [char; 5] = ['"', '\'', '\u{201D}', '\u{2019}', '\u{BB}'];

/// Text of one block per line (headings, paragraphs, list items, table
/// cells) as one line of sentences: a block that does not end in punctuation
/// gets a full stop, so that a heading does not run into the text after it
/// ("Map what you hold. List every building", not "Map what you hold List
/// every building").
pub fn as_sentences(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 32);
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(line);
        // Punctuation may sit inside a closing quote or bracket: `(as agreed.)`.
        let end = line.trim_end_matches(|c| CLOSING_QUOTES.contains(&c) || matches!(c, ')' | ']'));
        // A block ending in `:`, `;` or `,` leads into the next: no stop either.
        if !(end.ends_with(SENTENCE_STOPS) || end.ends_with([':', ';', ','])) {
            out.push('.');
        }
    }
    out
}

/// The first `max` characters of `text`, cut at a word boundary, with an ellipsis when cut.
pub fn truncate_words(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut = text.char_indices().nth(max).map_or(text.len(), |(i, _)| i);
    let head = &text[..cut];
    let head = head.rfind(char::is_whitespace).map_or(head, |i| &head[..i]);
    format!(
        "{}…",
        head.trim_end_matches(|c: char| c.is_ascii_punctuation() || c.is_whitespace())
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn blocks_become_sentences() {
        use super::as_sentences;
        assert_eq!(
            as_sentences("Map what you hold\nList every building.\n\nAsk:\nWho uses it?\n"),
            "Map what you hold. List every building. Ask: Who uses it?"
        );
        assert_eq!(as_sentences("  \n\n"), "");
        assert_eq!(
            as_sentences("He said \u{201C}yes.\u{201D}\n(2019)"),
            "He said \u{201C}yes.\u{201D} (2019)."
        );
        assert_eq!(as_sentences("Wait\u{2026}\nThen"), "Wait\u{2026} Then.");
        assert_eq!(
            as_sentences("\u{8A08}\u{753B}\u{3002}\nPlan"),
            "\u{8A08}\u{753B}\u{3002} Plan."
        );
    }

    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slugify("  Hello,  World! "), "hello-world");
        assert_eq!(slugify("Café Ünïcode"), "cafe-unicode");
        assert_eq!(
            slugify("2.1 Democratic Leadership"),
            "2-1-democratic-leadership"
        );
        assert_eq!(slugify("!!!"), "");
        // Letters beyond Latin-1 are transliterated, not dropped.
        assert_eq!(slugify("Straße"), "strasse");
        assert_eq!(slugify("Łódź"), "lodz");
        assert_eq!(slugify("Æsop"), "aesop");
        assert_eq!(slugify("日本語"), "ri-ben-yu");
    }

    #[test]
    fn a_year_later() {
        let d = |s: &str| Date::parse(s).unwrap();
        assert_eq!(d("2026-11-26").years_later(1), d("2027-11-26"));
        assert_eq!(d("2028-02-29").years_later(1), d("2029-02-28"));
    }

    #[test]
    fn why_a_date_is_not_one_in_words() {
        assert_eq!(
            Date::why_not("2012-02-30").as_deref(),
            Some("February 2012 has 29 days")
        );
        assert_eq!(
            Date::why_not("2011-02-29").as_deref(),
            Some("February 2011 has 28 days")
        );
        assert_eq!(
            Date::why_not("2011-04-31").as_deref(),
            Some("April 2011 has 30 days")
        );
        assert!(Date::why_not("2011-13-01")
            .unwrap()
            .starts_with("there is no month 13"));
        assert_eq!(Date::why_not("2012-02-29"), None);
        assert_eq!(Date::why_not("next week"), None);
    }

    #[test]
    fn dates() {
        assert_eq!(Date::parse("2010-12-03").unwrap().long(), "3 December 2010");
        assert_eq!(Date::parse("2012-02-29").unwrap().to_string(), "2012-02-29");
        assert!(Date::parse("2011-02-29").is_none());
        assert!(Date::parse("2011-13-01").is_none());
        assert!(Date::parse("2011-1-01").is_none());
        assert!(Date::parse("20x1-01-01").is_none());
        assert!(Date::parse("2011-01-0٣").is_none());
    }

    #[test]
    fn days_since_the_epoch() {
        assert_eq!(Date::from_unix_days(0).to_string(), "1970-01-01");
        assert_eq!(Date::from_unix_days(15_011).to_string(), "2011-02-06");
        assert_eq!(Date::from_unix_days(11_016).to_string(), "2000-02-29");
        assert_eq!(Date::from_unix_days(20_417).to_string(), "2025-11-25");
    }

    #[test]
    fn truncation() {
        assert_eq!(truncate_words("short", 10), "short");
        assert_eq!(truncate_words("one two three four", 9), "one two…");
    }
}
