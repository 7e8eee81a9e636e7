//! The editor's configuration, one field type at a time: each gets the widget
//! and options Decap needs to write what `hubgen check` accepts.

use std::path::Path;

use super::*;
use crate::config::Config;

const SITE: &str = r#"title = "Test"
repo_url = "https://github.com/example/hub"

[editor]

[collections.workstreams]
required = ["summary"]

[collections.guides]
description = "How-to guides."

[collections.guides.fields.audience]
type = "string"
description = "Who the guide is for."

[collections.guides.fields.notes]
type = "text"

[collections.guides.fields.review_by]
type = "date"
required = true

[collections.guides.fields.illustrative]
type = "bool"
default = true

[collections.guides.fields.rank]
type = "integer"

[collections.guides.fields.keywords]
type = "list"

[collections.guides.fields.stage]
type = "string"
allowed = ["draft plan", "agreed"]

[collections.guides.fields.themes]
type = "list"
allowed = ["money", "people"]

[collections.guides.fields.workstream]
type = "reference"
collection = "workstreams"

[collections.guides.fields.related]
type = "references"
collection = "guides"

[targets.site]
base_url = "https://example.org/hub/"
theme = "base"
collections = ["workstreams", "guides"]
"#;

/// The generated configuration, parsed back as YAML into JSON values.
fn generated(site: &str) -> serde_json::Value {
    let config =
        Config::parse(Path::new(env!("CARGO_MANIFEST_DIR")), site).expect("the test site is valid");
    let editor = config.editor.as_ref().expect("[editor] is on");
    let yml = config_yml(&config, editor, &config.targets[0]).unwrap();
    assert!(yml.starts_with("# Written by hubgen from site.toml"));
    crate::frontmatter::yaml_to_json(&yml).unwrap()
}

fn field<'a>(config: &'a serde_json::Value, coll: &str, name: &str) -> &'a serde_json::Value {
    let c = config["collections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == coll)
        .unwrap();
    c["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == name)
        .unwrap_or_else(|| panic!("no field {name} in {coll}"))
}

#[test]
fn backend_and_collections_come_from_site_toml() {
    let c = generated(SITE);
    assert_eq!(c["backend"]["name"], "github");
    assert_eq!(c["backend"]["repo"], "example/hub");
    assert_eq!(c["backend"]["branch"], "main");
    assert_eq!(c["local_backend"], true);
    assert!(c.get("publish_mode").is_none());
    assert_eq!(c["media_folder"], "static/images");
    assert_eq!(c["public_folder"], "/images");
    let guides = &c["collections"][1];
    assert_eq!(guides["name"], "guides");
    assert_eq!(guides["label"], "Guides");
    assert_eq!(guides["label_singular"], "Guide");
    assert_eq!(guides["folder"], "content/guides");
    assert_eq!(guides["create"], true);
    assert_eq!(guides["format"], "yaml-frontmatter");
    assert_eq!(guides["description"], "How-to guides.");
    let last = guides["fields"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["name"], "body");
    assert_eq!(last["widget"], "markdown");
}

#[test]
fn built_in_fields_are_there_and_required_as_the_collection_says() {
    let c = generated(SITE);
    assert_eq!(field(&c, "guides", "title")["required"], true);
    assert_eq!(field(&c, "guides", "summary")["required"], false);
    assert_eq!(field(&c, "workstreams", "summary")["required"], true);
    assert_eq!(field(&c, "guides", "summary")["widget"], "text");
    assert_eq!(field(&c, "guides", "draft")["widget"], "boolean");
    assert_eq!(field(&c, "guides", "draft")["default"], false);
    assert_eq!(field(&c, "guides", "tags")["widget"], "list");
    assert_eq!(field(&c, "guides", "weight")["value_type"], "int");
    assert_eq!(field(&c, "guides", "date")["widget"], "datetime");
}

#[test]
fn string_and_text() {
    let c = generated(SITE);
    let f = field(&c, "guides", "audience");
    assert_eq!(f["widget"], "string");
    assert_eq!(f["required"], false);
    assert_eq!(f["hint"], "Who the guide is for.");
    assert_eq!(field(&c, "guides", "notes")["widget"], "text");
}

#[test]
fn date_is_a_date_picker_writing_yyyy_mm_dd() {
    let c = generated(SITE);
    let f = field(&c, "guides", "review_by");
    assert_eq!(f["widget"], "datetime");
    assert_eq!(f["format"], "YYYY-MM-DD");
    assert_eq!(f["date_format"], "YYYY-MM-DD");
    assert_eq!(f["time_format"], false);
    assert_eq!(f["required"], true);
}

#[test]
fn bool_integer_and_list() {
    let c = generated(SITE);
    let b = field(&c, "guides", "illustrative");
    assert_eq!(b["widget"], "boolean");
    assert_eq!(b["default"], true);
    let n = field(&c, "guides", "rank");
    assert_eq!(n["widget"], "number");
    assert_eq!(n["value_type"], "int");
    assert_eq!(field(&c, "guides", "keywords")["widget"], "list");
}

#[test]
fn allowed_values_are_a_select() {
    let c = generated(SITE);
    let one = field(&c, "guides", "stage");
    assert_eq!(one["widget"], "select");
    assert_eq!(one["options"], serde_json::json!(["draft plan", "agreed"]));
    assert_eq!(one["multiple"], false);
    let many = field(&c, "guides", "themes");
    assert_eq!(many["widget"], "select");
    assert_eq!(many["multiple"], true);
}

#[test]
fn references_are_relations_to_the_referenced_collection_by_file_name() {
    let c = generated(SITE);
    let one = field(&c, "guides", "workstream");
    assert_eq!(one["widget"], "relation");
    assert_eq!(one["collection"], "workstreams");
    assert_eq!(one["value_field"], "{{slug}}");
    assert_eq!(one["search_fields"], serde_json::json!(["title"]));
    assert_eq!(one["display_fields"], serde_json::json!(["title"]));
    assert_eq!(one["multiple"], false);
    assert_eq!(field(&c, "guides", "related")["multiple"], true);
}

#[test]
fn editorial_workflow_and_other_hosts() {
    let site = SITE.replace(
        "[editor]\n",
        "[editor]\nbackend = \"gitea\"\nrepo = \"team/site\"\nbranch = \"edits\"\napi_root = \"https://git.example.org/api/v1\"\neditorial_workflow = true\n",
    );
    let c = generated(&site);
    assert_eq!(c["backend"]["name"], "gitea");
    assert_eq!(c["backend"]["repo"], "team/site");
    assert_eq!(c["backend"]["branch"], "edits");
    assert_eq!(c["backend"]["api_root"], "https://git.example.org/api/v1");
    assert_eq!(c["publish_mode"], "editorial_workflow");
}

fn shown(d: crate::diagnostics::Diagnostics) -> String {
    d.into_sorted()
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn a_bad_editor_table_is_located_in_site_toml() {
    for (table, says) in [
        (
            "[editor]\nbackend = \"svn\"\n",
            "the editor's backend `svn`",
        ),
        (
            "[editor]\ntarget = \"nope\"\n",
            "the editor's target `nope`",
        ),
        ("[editor]\npath = \"../up\"\n", "not a plain folder"),
    ] {
        let site = SITE.replace("[editor]\n", table);
        let e = Config::parse(Path::new(env!("CARGO_MANIFEST_DIR")), &site).expect_err("refused");
        let text = shown(e);
        assert!(text.contains(says), "{text}");
        assert!(text.contains("site.toml:5:"), "{text}");
    }
    let no_repo = SITE.replace("repo_url = \"https://github.com/example/hub\"\n", "");
    let e = Config::parse(Path::new(env!("CARGO_MANIFEST_DIR")), &no_repo).expect_err("refused");
    assert!(shown(e).contains("which repository"));
}

#[test]
fn the_page_keeps_out_of_search_engines_and_loads_decap_from_the_site() {
    let config = Config::parse(Path::new(env!("CARGO_MANIFEST_DIR")), SITE).unwrap();
    let html = index_html(&config, &config.targets[0]);
    assert!(html.contains(r#"<meta name="robots" content="noindex, nofollow">"#));
    assert!(html.contains(r#"<script src="decap-cms.js"></script>"#));
    assert!(html.contains(r#"CMS.registerPreviewStyle("/hub/style.css")"#));
    assert!(!html.contains("https://"), "no other host: {html}");
}

#[test]
fn a_date_in_the_permalink_makes_the_date_required() {
    let site = SITE.replace(
        "[collections.workstreams]\n",
        "[collections.workstreams]\npermalink = \"/workstreams/{year}/{slug}/\"\n",
    );
    let c = generated(&site);
    assert_eq!(field(&c, "workstreams", "date")["required"], true);
    assert_eq!(field(&c, "guides", "date")["required"], false);
}
