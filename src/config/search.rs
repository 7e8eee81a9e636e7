//! What site.toml says about search: which front-matter fields it indexes,
//! with what weight, and which targets' pages each target's search covers.

use super::validate::Err;
use super::{FieldType, RawConfig, RawField, RawTarget};
use crate::diagnostics::{did_you_mean, Diagnostics};

/// How much a field counts in search: its `weight` (1 unless set) if it is
/// text that search indexes, else 0.
pub(super) fn field_weight(
    name: &str,
    f: &RawField,
    err: &Err<'_>,
    errors: &mut Diagnostics,
) -> u32 {
    let text = matches!(
        f.kind,
        FieldType::String | FieldType::Text | FieldType::List
    );
    let on = f.search.as_ref().is_none_or(|s| *s.get_ref());
    if let (Some(s), false) = (&f.search, text) {
        if *s.get_ref() {
            errors.push(
                err(
                    s.span(),
                    format!("field `{name}` is not text, so search cannot index it"),
                )
                .with_hint(
                    "only string, text and list fields are searched; remove `search = true`",
                ),
            );
        }
    }
    let weight = match &f.weight {
        Some(w) if !(1..=5).contains(w.get_ref()) => {
            errors.push(
                err(
                    w.span(),
                    format!(
                        "field `{name}` has weight {}, which search cannot use",
                        w.get_ref()
                    ),
                )
                .with_hint("a weight is a whole number from 1 (like the page's text) to 5"),
            );
            1
        }
        Some(w) if !text || !on => {
            errors.push(
                err(
                    w.span(),
                    format!("field `{name}` has a search weight, but search leaves it out"),
                )
                .with_hint("remove `weight`, or let search index the field"),
            );
            1
        }
        Some(w) => *w.get_ref(),
        None => 1,
    };
    if text && on {
        weight
    } else {
        0
    }
}

/// The targets whose pages a target's search covers: its `search` list, or every target.
pub(super) fn searched(
    raw: &RawConfig,
    (name, span): (&str, std::ops::Range<usize>),
    t: &RawTarget,
    err: &Err<'_>,
    errors: &mut Diagnostics,
) -> Vec<String> {
    let Some(list) = &t.search else {
        return raw.targets.keys().map(|k| k.get_ref().clone()).collect();
    };
    for s in list {
        if !raw.targets.contains_key(s.get_ref().as_str()) {
            let mut d = err(
                s.span(),
                format!(
                    "target `{name}` searches `{}`, which is not a target",
                    s.get_ref()
                ),
            );
            if let Some(m) = did_you_mean(
                s.get_ref(),
                raw.targets.keys().map(|k| k.get_ref().as_str()),
            ) {
                d = d.with_hint(format!("did you mean `{m}`?"));
            }
            errors.push(d);
        }
    }
    if list.is_empty() {
        errors.push(
            err(span, format!("target `{name}` searches no target")).with_hint(format!(
                "leave `search` out to search every target, or list at least \"{name}\""
            )),
        );
    }
    raw.targets
        .keys()
        .map(|k| k.get_ref().clone())
        .filter(|k| list.iter().any(|s| s.get_ref() == k))
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use crate::diagnostics::{Diagnostic, Diagnostics};

    const SITE: &str = r#"
title = "T"
[collections.guides.fields.champion]
type = "string"
[collections.guides.fields.questions]
type = "list"
weight = 3
[collections.guides.fields.owner]
type = "string"
search = false
[collections.guides.fields.review_by]
type = "date"
[targets.one]
base_url = "https://example.org/"
theme = "t"
collections = ["guides"]
[targets.two]
base_url = "https://example.org/two/"
theme = "t"
collections = ["guides"]
search = ["two"]
"#;

    fn parse(text: &str) -> Result<Config, Vec<Diagnostic>> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("themes/t/templates")).unwrap();
        Config::parse(dir.path(), text).map_err(Diagnostics::into_sorted)
    }

    #[test]
    fn text_fields_are_searched_with_their_weight_unless_opted_out() {
        let c = parse(SITE).unwrap();
        let g = c.collection("guides").unwrap();
        let weight = |f: &str| g.field(f).unwrap().search_weight;
        assert_eq!(
            [
                weight("champion"),
                weight("questions"),
                weight("owner"),
                weight("review_by")
            ],
            [1, 3, 0, 0]
        );
        assert_eq!(c.target("one").unwrap().search, ["one", "two"]);
        assert_eq!(c.target("two").unwrap().search, ["two"]);
    }

    #[test]
    fn bad_search_settings_are_located_errors() {
        let text = SITE
            .replace("weight = 3", "weight = 9")
            .replace("type = \"date\"", "type = \"date\"\nsearch = true")
            .replace("search = [\"two\"]", "search = [\"one\", \"programe\"]")
            .replace("[targets.two]", "[targets.programme]");
        let errs = parse(&text).unwrap_err();
        let msgs: Vec<String> = errs.iter().map(ToString::to_string).collect();
        assert_eq!(msgs.len(), 3, "{msgs:?}");
        assert!(
            msgs[0].contains("site.toml:7:") && msgs[0].contains("weight 9"),
            "{}",
            msgs[0]
        );
        assert!(msgs[1].contains("`review_by` is not text"), "{}", msgs[1]);
        assert!(
            msgs[2].contains("searches `programe`, which is not a target"),
            "{}",
            msgs[2]
        );
        assert!(
            msgs[2].contains("did you mean `programme`?"),
            "{:?}",
            errs[2]
        );
    }
}
