//! E-mail addresses and phone numbers in a normalised line (see
//! [`super::normal`]): what a reader could use to reach a person.
//!
//! Candidates are found here, by the shapes they take in running text;
//! whether a run of digits is a phone number is then decided by
//! `phonenumber`, a port of Google's libphonenumber, with its metadata for
//! every country: it reads `+44 (0)20…`, `0044…` and national forms, knows
//! which UK ranges exist and which are freephone or shared-cost, and keeps
//! up with Ofcom's numbering plan as a hand-written pattern would not.

use phonenumber::metadata::DATABASE;
use phonenumber::{country, Mode, PhoneNumber, Type};

use super::normal::Normal;

/// A contact detail found in a line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Found {
    /// The 1-based column where it starts, in the line as written.
    pub(super) column: usize,
    /// The detail as written on the page.
    pub(super) text: String,
    /// The form compared with site.toml's allowed lists: an address in lower
    /// case, a number in international form (`+442079460000`).
    pub(super) key: String,
}

/// Local parts of shared mailboxes: an address like `enquiries@…` reaches a
/// team, not a person, and is no one's personal data.
const ROLE_MAILBOXES: &[&str] = &[
    "accessibility",
    "admin",
    "comms",
    "communications",
    "complaints",
    "contact",
    "contactus",
    "customerservices",
    "dataprotection",
    "donotreply",
    "dpo",
    "enquiries",
    "enquiry",
    "events",
    "feedback",
    "foi",
    "hello",
    "help",
    "helpdesk",
    "info",
    "media",
    "news",
    "noreply",
    "office",
    "postmaster",
    "press",
    "privacy",
    "reception",
    "support",
    "switchboard",
    "team",
    "webmaster",
];

/// Endings of file names, which follow an `@` in `logo@2x.png` but end no
/// e-mail address.
const FILE_ENDINGS: &[&str] = &[
    "avif", "bmp", "css", "csv", "doc", "docx", "gif", "htm", "html", "ico", "jpeg", "jpg", "js",
    "json", "md", "pdf", "png", "svg", "tif", "tiff", "txt", "webp", "xls", "xlsx",
];

fn local_char(c: char) -> bool {
    c.is_alphanumeric() || "._+-'".contains(c)
}

fn domain_char(c: char) -> bool {
    c.is_alphanumeric() || c == '-' || c == '.'
}

/// The e-mail addresses in `n`, role mailboxes left out.
pub(super) fn emails(n: &Normal) -> Vec<Found> {
    let c = &n.chars;
    let mut out = Vec::new();
    for at in (0..c.len()).filter(|&i| c[i] == '@') {
        let mut start = at;
        while start > 0 && local_char(c[start - 1]) {
            start -= 1;
        }
        while start < at && c[start] == '.' {
            start += 1;
        }
        // "https://name@host/": a web address's user name, not an e-mail address.
        if start == at || (start >= 3 && c[start - 3..start] == [':', '/', '/']) {
            continue;
        }
        let Some((host, end)) = host_at(c, at + 1) else {
            continue;
        };
        // "git@github.com:org/repo": a repository address.
        if c.get(end) == Some(&':')
            && c.get(end + 1)
                .is_some_and(|&x| x.is_alphanumeric() || x == '/')
        {
            continue;
        }
        let local: String = c[start..at].iter().collect();
        let role: String = local
            .to_lowercase()
            .chars()
            .filter(|x| !".-_".contains(*x))
            .collect();
        if ROLE_MAILBOXES.contains(&role.as_str()) {
            continue;
        }
        out.push(Found {
            column: n.column(start),
            text: n.original(start, end),
            key: format!("{local}@{host}").to_lowercase(),
        });
    }
    out
}

/// The host of an address starting at `from` (after the `@`), and where it
/// ends: a domain with a dot and a real top-level domain, or an IP address in
/// brackets.
fn host_at(c: &[char], from: usize) -> Option<(String, usize)> {
    if c.get(from) == Some(&'[') {
        let close = from + c[from..].iter().position(|&x| x == ']')?;
        let inside: String = c[from + 1..close].iter().collect();
        let ip = inside.strip_prefix("IPv6:").unwrap_or(&inside);
        ip.parse::<std::net::IpAddr>().ok()?;
        return Some((format!("[{inside}]"), close + 1));
    }
    let mut end = from;
    while end < c.len() && domain_char(c[end]) {
        end += 1;
    }
    while end > from && matches!(c[end - 1], '.' | '-') {
        end -= 1;
    }
    let host: String = c[from..end].iter().collect();
    let labels: Vec<&str> = host.split('.').collect();
    let tld = labels.last()?.to_lowercase();
    let real_tld = tld.starts_with("xn--")
        || (tld.chars().count() >= 2 && tld.chars().all(char::is_alphabetic));
    (labels.len() >= 2
        && labels.iter().all(|l| !l.is_empty())
        && real_tld
        && !FILE_ENDINGS.contains(&tld.as_str()))
    .then_some((host, end))
}

/// Characters that, just before a run of digits, make it part of something
/// else: a word, a web address, a file name, a reference number.
fn joined(c: char) -> bool {
    c.is_alphanumeric() || "._/-+@#=&%~\\".contains(c)
}

fn separator(c: char) -> bool {
    " -./()".contains(c)
}

/// How many digits a phone number has, its country code included.
pub(super) const PHONE_DIGITS: std::ops::RangeInclusive<usize> = 9..=15;

/// The phone numbers of people in `n`: mobile, geographic and personal
/// numbers, in the UK (national or international form) or anywhere else
/// (international form); not freephone, shared-cost or premium numbers, which
/// belong to organisations.
pub(super) fn phones(n: &Normal) -> Vec<Found> {
    let c = &n.chars;
    let mut out = Vec::new();
    let mut i = 0;
    while i < c.len() {
        let starts = match c[i] {
            '+' => c.get(i + 1).is_some_and(char::is_ascii_digit),
            '(' => c.get(i + 1).is_some_and(|&x| x == '0' || x == '+'),
            x => x.is_ascii_digit(),
        } && (i == 0 || !joined(c[i - 1]));
        if !starts {
            i += 1;
            continue;
        }
        let end = number_end(c, i);
        if let Some(found) = phone_at(n, i, end) {
            out.push(found);
        }
        i = end.max(i + 1);
    }
    out
}

/// The end (exclusive) of the run of digits and separators starting at
/// `from`, without separators at its end.
fn number_end(c: &[char], from: usize) -> usize {
    let mut end = from + 1;
    let mut j = from + 1;
    let mut gap = 0;
    while j < c.len() {
        if c[j].is_ascii_digit() {
            gap = 0;
            end = j + 1;
        } else if separator(c[j]) && gap < 3 {
            gap += 1;
        } else {
            break;
        }
        j += 1;
    }
    end
}

fn phone_at(n: &Normal, from: usize, to: usize) -> Option<Found> {
    let c = &n.chars;
    // Glued to a word or another number after it: not a phone number.
    if c.get(to).is_some_and(|&x| x.is_alphanumeric()) {
        return None;
    }
    let written: String = c[from..to].iter().collect();
    let written = written.trim_start_matches('(');
    let international = written.starts_with('+') || written.starts_with("00");
    // "+44 (0)20 …": the (0) is the trunk prefix, dialled only inside the UK.
    let written = if international {
        written.replacen("(0)", "", 1)
    } else {
        written.to_string()
    };
    let digits: String = written.chars().filter(char::is_ascii_digit).collect();
    if !PHONE_DIGITS.contains(&digits.len()) {
        return None;
    }
    let dialled = if international {
        format!("+{}", digits.strip_prefix("00").unwrap_or(&digits))
    } else {
        // A national number starts with the trunk 0, and its first group is
        // an area or mobile code of three digits or more: "01 234 567 890"
        // is a reference, not a number.
        let first_group = written
            .split(separator)
            .find(|g| !g.is_empty())
            .unwrap_or_default();
        if !digits.starts_with('0') || digits.starts_with("00") || first_group.len() < 3 {
            return None;
        }
        digits
    };
    let number = phonenumber::parse(Some(country::Id::GB), &dialled).ok()?;
    if !personal(&number) {
        return None;
    }
    Some(Found {
        column: n.column(from),
        text: n.original(from, to),
        key: number.format().mode(Mode::E164).to_string(),
    })
}

/// Whether `number` could be a person's: it exists (or is one of Ofcom's
/// numbers for drama, which look real to a reader), and is not a freephone,
/// shared-cost, premium-rate or non-geographic organisation number.
fn personal(number: &PhoneNumber) -> bool {
    let kind = number.number_type(&DATABASE);
    if matches!(
        kind,
        Type::TollFree
            | Type::PremiumRate
            | Type::SharedCost
            | Type::Uan
            | Type::Emergency
            | Type::ShortCode
            | Type::Carrier
    ) {
        return false;
    }
    number.is_valid() || (number.code().value() == 44 && fictional(&number.national().to_string()))
}

/// Ofcom's ranges for drama and examples (mobile 07700 900xxx, London
/// 020 7946 0xxx, and the like): numbers no one answers, written exactly as
/// a real one would be, so a page that shows one would show a real one.
fn fictional(national: &str) -> bool {
    const RANGES: &[&str] = &[
        "7700900", "1632960", "2079460", "1134960", "1144960", "1154960", "1164960", "1174960",
        "1184960", "1214960", "1314960", "1414960", "1514960", "1614960", "1914980", "2920180",
        "2896496",
    ];
    national.len() == 10 && RANGES.iter().any(|r| national.starts_with(r))
}

/// `s` (a number from site.toml's allowed list) in the form [`Found::key`] has.
pub(super) fn phone_key(s: &str) -> String {
    let normal = super::normal::normalise(s);
    let plain: String = normal.chars.iter().collect();
    let plain = plain.replacen("(0)", "", 1);
    let plain = match plain.trim().strip_prefix("00") {
        Some(rest) => format!("+{rest}"),
        None => plain,
    };
    phonenumber::parse(Some(country::Id::GB), plain.trim()).map_or_else(
        |_| plain.chars().filter(char::is_ascii_digit).collect(),
        |n| n.format().mode(Mode::E164).to_string(),
    )
}

#[cfg(test)]
mod tests;
