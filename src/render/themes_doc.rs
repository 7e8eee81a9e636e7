//! `docs/themes.md`, written from the context types: their JSON Schema
//! (schemars reads the same serde attributes that name the fields, and the
//! doc comments) rendered as Markdown. The test fails when the file differs
//! from what the types give, and rewrites it when `HUBGEN_BLESS=1` is set;
//! another checks the schema against the keys of contexts really built, so
//! neither the doc nor the schema can drift from what templates get.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use schemars::{JsonSchema, SchemaGenerator};
use serde_json::{Map, Value as Json};

use super::context::*;

const DOC: &str = "docs/themes.md";

/// A kind of page: its heading, which templates render it, and its context type's schema.
struct Kind {
    title: &'static str,
    templates: &'static str,
    schema: fn(&mut SchemaGenerator) -> Json,
}

fn schema_of<T: JsonSchema>(generator: &mut SchemaGenerator) -> Json {
    generator.root_schema_for::<T>().to_value()
}

fn kinds() -> Vec<Kind> {
    vec![
        Kind {
            title: "Document pages",
            templates: "the collection's `template` in site.toml (`page.html` unless set)",
            schema: schema_of::<PageContext>,
        },
        Kind {
            title: "Home page",
            templates: "`index.html`",
            schema: schema_of::<HomeContext>,
        },
        Kind {
            title: "List pages",
            templates: "the collection's `list_template` (`section.html` unless set), once per page of the list",
            schema: schema_of::<ListContext>,
        },
        Kind {
            title: "Taxonomy pages",
            templates: "`taxonomy.html`, listing a taxonomy's terms",
            schema: schema_of::<TaxonomyContext>,
        },
        Kind {
            title: "Term pages",
            templates: "`term.html`, once per page of a term's documents",
            schema: schema_of::<TermContext>,
        },
        Kind {
            title: "Redirects",
            templates: "`alias.html`, at each of a document's `aliases`",
            schema: schema_of::<AliasContext>,
        },
        Kind {
            title: "Sitemap",
            templates: "`sitemap.xml`",
            schema: schema_of::<SitemapContext>,
        },
        Kind {
            title: "Feed",
            templates: "`atom.xml`, for the site (`atom.xml`) and for each collection with a list (`guides/feed.xml`)",
            schema: schema_of::<FeedContext>,
        },
        Kind {
            title: "Other pages",
            templates: "`404.html`, `search.html` and `robots.txt`",
            schema: schema_of::<PlainContext>,
        },
    ]
}

/// How a property's type reads: `string`, `list of [ListItem](#listitem)`, ….
fn type_name(schema: &Json) -> String {
    let Some(obj) = schema.as_object() else {
        return "any value".into();
    };
    if let Some(r) = obj.get("$ref").and_then(Json::as_str) {
        let name = r.rsplit('/').next().unwrap_or(r);
        return format!("[{name}](#{})", name.to_lowercase());
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(options) = obj.get(key).and_then(Json::as_array) {
            return or_null(options.iter().map(type_name).collect());
        }
    }
    match obj.get("type") {
        Some(Json::Array(types)) => {
            let names = types
                .iter()
                .map(|t| {
                    let mut one = obj.clone();
                    one.insert("type".into(), t.clone());
                    type_name(&Json::Object(one))
                })
                .collect();
            or_null(names)
        }
        Some(Json::String(t)) => match t.as_str() {
            "array" => format!(
                "list of {}",
                obj.get("items").map_or("any value".into(), type_name)
            ),
            "object" => match obj.get("additionalProperties") {
                Some(v) => format!("map of name → {}", type_name(v)),
                None => "map".into(),
            },
            "null" => "null".into(),
            "integer" => "integer".into(),
            other => other.to_string(),
        },
        _ => "any value".into(),
    }
}

/// `A or B or null`, nulls last.
fn or_null(mut names: Vec<String>) -> String {
    names.dedup();
    names.sort_by_key(|n| n == "null");
    names.join(" or ")
}

/// The rows of a properties table, with what each property means.
fn table(out: &mut String, heading: &str, properties: &Map<String, Json>, skip: &BTreeSet<String>) {
    let _ = write!(out, "| {heading} | Type | Meaning |\n| --- | --- | --- |\n");
    for (name, schema) in properties.iter().filter(|(n, _)| !skip.contains(*n)) {
        let meaning = schema
            .get("description")
            .and_then(Json::as_str)
            .unwrap_or_default()
            .replace('\n', " ")
            // A `|` would end the table's cell.
            .replace('|', "\\|");
        let _ = writeln!(out, "| `{name}` | {} | {meaning} |", type_name(schema));
    }
}

fn properties(schema: &Json) -> Map<String, Json> {
    schema
        .get("properties")
        .and_then(Json::as_object)
        .cloned()
        .unwrap_or_default()
}

/// The whole of `docs/themes.md`.
fn render_doc() -> String {
    let mut generator = SchemaGenerator::default();
    let mut out = String::from(
        "# Theme variables\n\n\
         What each template of a theme gets, by kind of page. Written from the \
         types in `src/render/context.rs` and `src/render/seo.rs` by a test \
         (`HUBGEN_BLESS=1 cargo test --lib themes_doc` rewrites it): edit the \
         doc comments there, not this file.\n\n\
         Dates are strings `YYYY-MM-DD` (the `date_long` filter writes them out); \
         URLs are paths on this site (`/productivity/guides/x/`) unless said to be absolute.\n\n\
         Besides tera's own filters, `flatten` joins a list of lists into one list \
         (`paginator.pages | map(attribute=\"tags\") | flatten` is every tag of the page's \
         documents, in order); building a list with `concat` in a loop copies it at every \
         step, which is slow on long lists.\n\n\
         A list shows each of its documents with `{{ list_item(id=p.id) }}`, which gives \
         the HTML of the `item` macro of `macros.html` for that list item (`show_type=` \
         and `level=` are passed on to the macro; those not given keep the macro's \
         defaults; the macro sees `site` and its arguments, nothing else of the page). \
         hubgen renders it the first time a page of the site shows the \
         document that way, and reuses it on every other page: a document is listed on \
         many pages, and calling the macro on each would render it each time. A theme \
         that overrides `macros.html` changes every list.\n\n\
         In the same way, `{{ shared_partial(template=\"partials/menu.html\", current=menu_current) }}` \
         renders a template with `site` and the arguments given, and nothing else of \
         the page, once for each set of arguments, and reuses it: the base theme's \
         header menu (given the page's `menu_current`) and footer are rendered so. \
         Neither a shared partial nor the `item` macro can call `list_item` or \
         `shared_partial`.\n\n",
    );
    let common = schema_of::<Common>(&mut generator);
    let common_names: BTreeSet<String> = properties(&common).keys().cloned().collect();
    out.push_str("## Every page\n\nEvery template gets these.\n\n");
    table(&mut out, "Variable", &properties(&common), &BTreeSet::new());
    let mut defs: BTreeMap<String, Json> = BTreeMap::new();
    let mut collect = |schema: &Json| {
        if let Some(d) = schema.get("$defs").and_then(Json::as_object) {
            defs.extend(d.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
    };
    collect(&common);
    for kind in kinds() {
        let schema = (kind.schema)(&mut generator);
        collect(&schema);
        let _ = write!(
            out,
            "\n## {}\n\nRendered with {}. Besides what every page gets:\n\n",
            kind.title, kind.templates
        );
        let own = properties(&schema);
        if own.keys().all(|k| common_names.contains(k)) {
            out.push_str("Nothing more.\n");
        } else {
            table(&mut out, "Variable", &own, &common_names);
        }
    }
    out.push_str("\n## Types\n");
    for (name, schema) in &defs {
        let description = schema
            .get("description")
            .and_then(Json::as_str)
            .unwrap_or_default();
        let _ = write!(out, "\n### {name}\n\n{description}\n\n");
        let props = properties(schema);
        if props.is_empty() {
            let _ = writeln!(out, "Either: {}.", type_name(schema));
        } else {
            table(&mut out, "Field", &props, &BTreeSet::new());
        }
    }
    out
}

/// Every property, of every context and type, that has no description.
fn undocumented() -> Vec<String> {
    let mut generator = SchemaGenerator::default();
    let mut missing = Vec::new();
    let mut check = |owner: &str, schema: &Json| {
        for (name, p) in properties(schema) {
            if p.get("description").is_none() {
                missing.push(format!("{owner}.{name}"));
            }
        }
    };
    let mut schemas = vec![("Common".to_string(), schema_of::<Common>(&mut generator))];
    for kind in kinds() {
        schemas.push((kind.title.to_string(), (kind.schema)(&mut generator)));
    }
    for (owner, schema) in &schemas {
        check(owner, schema);
        if let Some(defs) = schema.get("$defs").and_then(Json::as_object) {
            for (name, def) in defs {
                check(name, def);
            }
        }
    }
    missing.sort();
    missing.dedup();
    missing
}

#[test]
fn every_variable_is_documented() {
    assert_eq!(
        undocumented(),
        Vec::<String>::new(),
        "give these fields a doc comment: it is what docs/themes.md says they mean"
    );
}

#[test]
fn themes_doc_is_up_to_date() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(DOC);
    let want = render_doc();
    if std::env::var_os("HUBGEN_BLESS").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &want).unwrap();
        return;
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "{DOC} is out of date with the context types: run \
         `HUBGEN_BLESS=1 cargo test --lib themes_doc` and commit it"
    );
}

/// Where `value` does not have the properties `schema` names (looked up in `defs`).
fn mismatch(value: &Json, schema: &Json, defs: &Map<String, Json>, at: &str) -> Option<String> {
    if let Some(r) = schema.get("$ref").and_then(Json::as_str) {
        let def = &defs[r.rsplit('/').next().unwrap_or(r)];
        return mismatch(value, def, defs, at);
    }
    if let Some(options) = schema.get("anyOf").and_then(Json::as_array) {
        let found: Vec<String> = options
            .iter()
            .filter_map(|o| mismatch(value, o, defs, at))
            .collect();
        return (found.len() == options.len()).then(|| found.join("; or "));
    }
    match value {
        Json::Null => {
            let nullable = schema.get("type").is_some_and(|t| {
                t == "null"
                    || t.as_array()
                        .is_some_and(|a| a.contains(&Json::from("null")))
            });
            (!nullable && !schema.as_object().is_some_and(Map::is_empty))
                .then(|| format!("{at}: null where the schema does not allow it"))
        }
        Json::Array(items) => {
            let each = schema.get("items")?;
            items
                .iter()
                .find_map(|i| mismatch(i, each, defs, &format!("{at}[]")))
        }
        Json::Object(map) => {
            if let Some(props) = schema.get("properties").and_then(Json::as_object) {
                let have: BTreeSet<&String> = map.keys().collect();
                let want: BTreeSet<&String> = props.keys().collect();
                if have != want {
                    return Some(format!("{at}: has {have:?}, the schema says {want:?}"));
                }
                map.iter()
                    .find_map(|(k, v)| mismatch(v, &props[k], defs, &format!("{at}.{k}")))
            } else if let Some(each) = schema.get("additionalProperties") {
                map.iter()
                    .find_map(|(k, v)| mismatch(v, each, defs, &format!("{at}.{k}")))
            } else {
                None
            }
        }
        _ => None,
    }
}

/// The kind (in [`kinds`]) whose context `job` gets.
fn kind_of(job: &super::Job) -> &'static str {
    use super::Job;
    match job {
        Job::Doc(_) => "Document pages",
        Job::Home => "Home page",
        Job::Section { .. } => "List pages",
        Job::TaxonomyIndex(_) => "Taxonomy pages",
        Job::Term { .. } => "Term pages",
        Job::Alias { .. } => "Redirects",
        Job::Sitemap => "Sitemap",
        Job::Feed | Job::CollectionFeed(_) => "Feed",
        Job::NotFound | Job::Search | Job::Robots => "Other pages",
    }
}

#[test]
fn the_schema_names_what_built_contexts_hold() {
    let site = super::tests::fixture_site();
    let kinds = kinds();
    for target in &site.config.targets {
        let theme = super::Theme::load(&site, target).expect("the theme loads");
        let view = super::TargetView::new(&site, target, &theme);
        let plan = super::plan(&site, target, &view).expect("it plans");
        for (file, (url, job)) in &plan.pages {
            let (context, _) = Builder::new(&view).build(url, job).expect("it builds");
            let kind = kinds.iter().find(|k| k.title == kind_of(job)).unwrap();
            let schema = (kind.schema)(&mut SchemaGenerator::default());
            let defs = schema
                .get("$defs")
                .and_then(Json::as_object)
                .cloned()
                .unwrap_or_default();
            if let Some(problem) = mismatch(&context.into_json(), &schema, &defs, file) {
                panic!("{problem}");
            }
        }
    }
}
