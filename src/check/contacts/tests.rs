//! The contact details an editor might publish, and the look-alikes they
//! might write, as a table: each line with what must be found in it, as
//! written, in order (nothing, for a miss).

use super::super::normal::{may_hold_contact, normalise};
use super::*;

/// What the scan of a page finds in `line`: lines that cannot hold a contact
/// are skipped before they are normalised, as there.
fn found(line: &str) -> Vec<String> {
    if !may_hold_contact(line) {
        return Vec::new();
    }
    let n = normalise(line);
    let mut all = emails(&n);
    all.extend(phones(&n));
    all.sort_by_key(|f| f.column);
    all.into_iter().map(|f| f.text).collect()
}

/// Phone numbers of people, in the forms pages and signatures use.
const PHONES: &[(&str, &[&str])] = &[
    ("Call 020 7946 0958 today", &["020 7946 0958"]),
    ("Mobile: 07700 900123.", &["07700 900123"]),
    ("07700900123", &["07700900123"]),
    ("07700 900 123", &["07700 900 123"]),
    ("07700-900-123", &["07700-900-123"]),
    ("07700.900.123", &["07700.900.123"]),
    ("07700/900123", &["07700/900123"]),
    ("+44 7700 900123", &["+44 7700 900123"]),
    ("+447700900123", &["+447700900123"]),
    ("+44-7700-900123", &["+44-7700-900123"]),
    ("+44 (0)7700 900123", &["+44 (0)7700 900123"]),
    ("+44 (0) 7700 900123", &["+44 (0) 7700 900123"]),
    ("+44(0)20 7946 0958", &["+44(0)20 7946 0958"]),
    ("+44 20 7946 0958", &["+44 20 7946 0958"]),
    ("0044 7700 900123", &["0044 7700 900123"]),
    ("Tel 0044 (0)20 7946 0958", &["0044 (0)20 7946 0958"]),
    ("(020) 7946 0958", &["(020) 7946 0958"]),
    ("(01632) 960 001", &["(01632) 960 001"]),
    ("01632 960123", &["01632 960123"]),
    ("0113 496 0123", &["0113 496 0123"]),
    ("0117 496 0123", &["0117 496 0123"]),
    ("0161 496 0000", &["0161 496 0000"]),
    ("028 9649 6123", &["028 9649 6123"]),
    ("029 2018 0123", &["029 2018 0123"]),
    ("020 7664 3000", &["020 7664 3000"]),
    ("07700\u{a0}900123", &["07700\u{a0}900123"]),
    ("07700\u{202f}900123", &["07700\u{202f}900123"]),
    ("07700\u{2013}900123", &["07700\u{2013}900123"]),
    (
        "07700\u{2011}900\u{2011}123",
        &["07700\u{2011}900\u{2011}123"],
    ),
    ("０７７００ ９００１２３", &["０７７００ ９００１２３"]),
    ("Ring ٠٧٧٠٠ ٩٠٠١٢٣", &["٠٧٧٠٠ ٩٠٠١٢٣"]),
    ("0\u{200b}7700 900123", &["0\u{200b}7700 900123"]),
    ("[Call Jo](tel:+447700900123)", &["+447700900123"]),
    ("| Jo | 07700 900123 |", &["07700 900123"]),
    ("**07700 900123**", &["07700 900123"]),
    (
        "07700 900123 or 07700 900124",
        &["07700 900123", "07700 900124"],
    ),
    ("Paris: +33 1 42 68 53 00", &["+33 1 42 68 53 00"]),
    ("Dublin: +353 1 234 5678", &["+353 1 234 5678"]),
    ("Washington: +1 202 555 0143", &["+1 202 555 0143"]),
];

/// Numbers that are not a person's phone number.
const NOT_PHONES: &[&str] = &[
    "01 234 567 890",
    "ISBN 0-340-83296-1",
    "On 2010-12-03, over 80 opportunities and 120 officers",
    "2010\u{2013}2011 and 2011/12",
    "Freephone 0800 123 4567",
    "Council tax: 0300 123 4567",
    "0845 123 4567",
    "Premium 0909 879 0000",
    "07700 90012",
    "0207 946 095",
    "id 0123456789012 is too long",
    "logo_07700900123.png",
    "https://example.org/07700900123/",
    "v0.12.3 and 192.0.2.1",
    "£1,234,567 in 2010/11, a 0.5% saving",
    "0123456789",
    "12345678901",
];

/// E-mail addresses of people, however written.
const EMAILS: &[(&str, &[&str])] = &[
    (
        "Write to jo.webb@example.gov.uk today.",
        &["jo.webb@example.gov.uk"],
    ),
    ("Write to jo@example.org.", &["jo@example.org"]),
    ("<jo@example.org>", &["jo@example.org"]),
    ("JO.WEBB@EXAMPLE.ORG", &["JO.WEBB@EXAMPLE.ORG"]),
    ("jo+news@example.org", &["jo+news@example.org"]),
    ("o'brien@example.org", &["o'brien@example.org"]),
    ("[Jo](mailto:jo@example.org)", &["jo@example.org"]),
    ("mailto:jo%40example.org", &["jo%40example.org"]),
    (
        "jo@example.co.uk, sam@example.org",
        &["jo@example.co.uk", "sam@example.org"],
    ),
    ("jo@bücher.example", &["jo@bücher.example"]),
    ("jo@пример.рф", &["jo@пример.рф"]),
    ("jo@xn--bcher-kva.example", &["jo@xn--bcher-kva.example"]),
    ("jo@[192.0.2.1]", &["jo@[192.0.2.1]"]),
    ("jo@[IPv6:2001:db8::1]", &["jo@[IPv6:2001:db8::1]"]),
    (
        "jo.webb\u{200b}@example.org",
        &["jo.webb\u{200b}@example.org"],
    ),
    (
        "jo\u{200b}.webb@example.org",
        &["jo\u{200b}.webb@example.org"],
    ),
    (
        "ｊｏ＠ｅｘａｍｐｌｅ．ｏｒｇ",
        &["ｊｏ＠ｅｘａｍｐｌｅ．ｏｒｇ"],
    ),
    ("jo [at] example [dot] org", &["jo [at] example [dot] org"]),
    ("jo(at)example(dot)org", &["jo(at)example(dot)org"]),
    ("jo{AT}example.org", &["jo{AT}example.org"]),
];

/// Look-alikes and shared mailboxes.
const NOT_EMAILS: &[&str] = &[
    "logo@2x.png",
    "![Logo](images/icon@3x.webp)",
    "git@github.com:org/repo",
    "enquiries@example.org",
    "info@example.org",
    "customer.services@example.org",
    "FOI@example.gov.uk",
    "follow @lgagroup",
    "a@b, x@y.z1",
    "user@localhost",
    "jo@example",
    "https://jo@example.org/",
    "price @ £5",
    "meet (at) noon",
];

#[test]
fn people_s_phone_numbers_are_found() {
    for (line, want) in PHONES {
        assert_eq!(found(line), *want, "in {line:?}");
    }
}

#[test]
fn other_numbers_are_not() {
    for line in NOT_PHONES {
        assert_eq!(found(line), Vec::<String>::new(), "in {line:?}");
    }
}

#[test]
fn people_s_e_mail_addresses_are_found() {
    for (line, want) in EMAILS {
        assert_eq!(found(line), *want, "in {line:?}");
    }
}

#[test]
fn shared_mailboxes_and_look_alikes_are_not() {
    for line in NOT_EMAILS {
        assert_eq!(found(line), Vec::<String>::new(), "in {line:?}");
    }
}

#[test]
fn the_table_covers_what_the_issue_listed_and_more() {
    let cases = PHONES.len() + NOT_PHONES.len() + EMAILS.len() + NOT_EMAILS.len();
    assert!(cases >= 57, "{cases}");
}

#[test]
fn columns_and_keys() {
    let n = normalise("Jo: 07700\u{a0}900123, jo%40example.org");
    let p = phones(&n);
    assert_eq!((p[0].column, p[0].key.as_str()), (5, "+447700900123"));
    let e = emails(&n);
    assert_eq!((e[0].column, e[0].key.as_str()), (19, "jo@example.org"));
    assert_eq!(phone_key("+44 (0)20 7946 0000"), phone_key("020 7946 0000"));
    assert_eq!(phone_key("0044 20 7946 0000"), "+442079460000");
}

/// The lines skipped before normalising hold nothing that normalising would
/// have found: every line of the tables, and each cut short and joined to
/// another, changed in every way that could make a contact of it.
#[test]
fn lines_skipped_before_normalising_hold_no_contact() {
    let mut lines: Vec<String> = PHONES
        .iter()
        .map(|(l, _)| *l)
        .chain(NOT_PHONES.iter().copied())
        .chain(EMAILS.iter().map(|(l, _)| *l))
        .chain(NOT_EMAILS.iter().copied())
        .map(str::to_string)
        .collect();
    let originals = lines.clone();
    for l in &originals {
        for cut in 0..=l.len() {
            if let (Some(a), Some(b)) = (l.get(..cut), l.get(cut..)) {
                lines.push(a.to_string());
                lines.push(format!("{b} {a}"));
                for insert in ["[at]", "(AT)", "{dot}", " 0", "9", "@", "%40"] {
                    lines.push(format!("{a}{insert}{b}"));
                }
            }
        }
    }
    for line in &lines {
        if !may_hold_contact(line) {
            let n = normalise(line);
            assert!(emails(&n).is_empty(), "an address in skipped {line:?}");
            assert!(phones(&n).is_empty(), "a number in skipped {line:?}");
        }
    }
}
