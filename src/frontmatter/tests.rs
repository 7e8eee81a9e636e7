use std::fmt::Write;

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
        let _ = writeln!(yaml, "{name}: &{name} [{refs}]");
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
        let _ = writeln!(indented, "{}k{i}:", " ".repeat(i));
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
    let yaml = (0..100_000).fold(String::new(), |mut yaml, i| {
        let _ = writeln!(yaml, "k{i}: v");
        yaml
    });
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

/// The scans that run before `serde_yaml` (nesting, duplicates, escapes)
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
