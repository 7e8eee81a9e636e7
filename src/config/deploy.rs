//! `[targets.NAME.deploy]` in site.toml: where `hubgen deploy` uploads a
//! built target (an S3-compatible bucket) and the headers each file is served
//! with (`[[targets.NAME.deploy.headers]]`, matched by glob). Credentials are
//! never read from here: they come from the usual environment variables.

use globset::{GlobBuilder, GlobMatcher};
use serde::Deserialize;
use toml::Spanned;

use super::validate::Err;
use crate::diagnostics::Diagnostics;

/// `[targets.NAME.deploy]` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDeploy {
    bucket: Spanned<String>,
    #[serde(default)]
    prefix: Option<Spanned<String>>,
    region: Option<Spanned<String>>,
    endpoint: Option<Spanned<String>>,
    #[serde(default)]
    headers: Vec<Spanned<RawHeaderRule>>,
}

/// One `[[targets.NAME.deploy.headers]]` rule as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawHeaderRule {
    glob: Spanned<String>,
    cache_control: Option<String>,
    content_type: Option<String>,
}

/// Where a target is deployed to, and with which headers.
#[derive(Clone, Debug)]
pub struct Deploy {
    /// The bucket's name.
    pub bucket: String,
    /// The folder inside the bucket the site goes into: empty for the
    /// bucket's root, else `a/b` (no slash at either end).
    pub prefix: String,
    /// The store's region (`eu-west-2`); the environment's
    /// (`AWS_REGION`/`AWS_DEFAULT_REGION`) when not set.
    pub region: Option<String>,
    /// The store's address, for stores other than AWS S3 (Cloudflare R2,
    /// `MinIO`…); the environment's (`AWS_ENDPOINT_URL`) when not set.
    pub endpoint: Option<String>,
    /// The header rules, in site.toml's order: for each header, the first
    /// rule that matches a file and sets it wins.
    pub headers: Vec<HeaderRule>,
}

/// Headers for the files whose path (from the output folder's root, such as
/// `search/terms-0.json`) matches a glob.
#[derive(Clone, Debug)]
pub struct HeaderRule {
    /// The glob as written.
    pub glob: String,
    /// The compiled glob: `*` stays inside a folder, `**` crosses folders.
    pub matcher: GlobMatcher,
    /// `Cache-Control` for the files it matches.
    pub cache_control: Option<String>,
    /// `Content-Type` for the files it matches, instead of the one their
    /// extension gives.
    pub content_type: Option<String>,
}

/// What a deploy table looks like, for hints.
const EXAMPLE: &str = "for example:\n    [targets.hub.deploy]\n    bucket = \"knowledge-hub\"\n    region = \"eu-west-2\"";

/// Checks one target's `[deploy]` table.
pub(super) fn deploy(raw: &RawDeploy, err: &Err<'_>, errors: &mut Diagnostics) -> Deploy {
    let bucket = raw.bucket.get_ref();
    if let Err(why) = check_bucket(bucket) {
        errors.push(
            err(raw.bucket.span(), format!("bucket `{bucket}` {why}")).with_hint(format!(
                "write the bucket's name as the store shows it; {EXAMPLE}"
            )),
        );
    }
    let prefix = match &raw.prefix {
        Some(p) => {
            let v = p.get_ref().trim_matches('/');
            if v.contains(['\\', '\0'])
                || v.split('/').any(|s| s.is_empty() || s == "." || s == "..")
            {
                errors.push(
                    err(p.span(), format!("prefix `{}` is not a folder path", p.get_ref().escape_debug()))
                        .with_hint("write the folder inside the bucket with `/` between names, such as \"productivity\" or \"sites/hub\", or leave prefix out for the bucket's root"),
                );
            }
            v.to_string()
        }
        None => String::new(),
    };
    let text = |s: &Option<Spanned<String>>, what: &str, hint: &str, errors: &mut Diagnostics| {
        let s = s.as_ref()?;
        let v = s.get_ref().trim();
        if v.is_empty() || v.contains(char::is_whitespace) {
            errors.push(
                err(
                    s.span(),
                    format!("{what} `{}` is empty or holds a space", s.get_ref()),
                )
                .with_hint(hint.to_string()),
            );
        }
        Some(v.to_string())
    };
    let region = text(
        &raw.region,
        "region",
        "write the region's code, such as \"eu-west-2\", or \"auto\" for Cloudflare R2",
        errors,
    );
    let endpoint = text(
        &raw.endpoint,
        "endpoint",
        "write the store's address, such as \"https://ACCOUNT.r2.cloudflarestorage.com\"",
        errors,
    );
    if let (Some(e), Some(s)) = (&endpoint, &raw.endpoint) {
        if !(e.starts_with("https://") || e.starts_with("http://")) {
            errors.push(
                err(s.span(), format!("endpoint `{e}` is not a web address"))
                    .with_hint("write it with https:// in front, such as \"https://ACCOUNT.r2.cloudflarestorage.com\""),
            );
        }
    }
    let headers = raw
        .headers
        .iter()
        .filter_map(|rule| header_rule(rule, err, errors))
        .collect();
    Deploy {
        bucket: bucket.clone(),
        prefix,
        region,
        endpoint,
        headers,
    }
}

/// One header rule, or `None` (and an error) when its glob does not compile
/// or it sets no header.
fn header_rule(
    rule: &Spanned<RawHeaderRule>,
    err: &Err<'_>,
    errors: &mut Diagnostics,
) -> Option<HeaderRule> {
    let r = rule.get_ref();
    let glob = r.glob.get_ref();
    let matcher = match GlobBuilder::new(glob.trim_start_matches('/'))
        .literal_separator(true)
        .build()
    {
        Ok(g) => g.compile_matcher(),
        Err(e) => {
            errors.push(
                err(r.glob.span(), format!("glob `{glob}` cannot be read: {}", e.kind()))
                    .with_hint("`*` matches within a folder, `**` across folders: for example \"search/**\" or \"**/*.html\""),
            );
            return None;
        }
    };
    if r.cache_control.is_none() && r.content_type.is_none() {
        errors.push(
            err(
                rule.span(),
                format!("the header rule for `{glob}` sets no header"),
            )
            .with_hint("give it cache_control = \"…\" or content_type = \"…\", or remove it"),
        );
        return None;
    }
    for (name, value) in [
        ("cache_control", &r.cache_control),
        ("content_type", &r.content_type),
    ] {
        if let Some(v) = value {
            if v.trim().is_empty() || v.chars().any(|c| c.is_control() || !c.is_ascii()) {
                errors.push(
                    err(rule.span(), format!("{name} `{}` of the rule for `{glob}` is empty or holds characters a header cannot", v.escape_debug()))
                        .with_hint("write plain ASCII, such as \"public, max-age=300\""),
                );
                return None;
            }
        }
    }
    Some(HeaderRule {
        glob: glob.clone(),
        matcher,
        cache_control: r.cache_control.clone(),
        content_type: r.content_type.clone(),
    })
}

/// Why `name` is not a bucket name S3 accepts: 3 to 63 lowercase letters,
/// digits, dots and hyphens, starting and ending with a letter or digit.
fn check_bucket(name: &str) -> Result<(), &'static str> {
    if !(3..=63).contains(&name.len()) {
        return Err("must be 3 to 63 characters long");
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-')
    {
        return Err("may hold only lowercase letters, digits, dots and hyphens");
    }
    if !name.starts_with(|c: char| c.is_ascii_alphanumeric())
        || !name.ends_with(|c: char| c.is_ascii_alphanumeric())
    {
        return Err("must start and end with a letter or digit");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check_bucket;
    use crate::config::Config;

    /// The problems site.toml `text` has, as "line: message".
    fn problems(text: &str) -> Vec<String> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("themes/t/templates")).unwrap();
        match Config::parse(dir.path(), text) {
            Ok(_) => Vec::new(),
            Err(d) => d
                .into_sorted()
                .iter()
                .map(|d| format!("{}: {}", d.line, d.message))
                .collect(),
        }
    }

    const SITE: &str = r#"title = "T"
[collections.guides]
[targets.a]
base_url = "https://a.example.org/"
theme = "t"
collections = ["guides"]
pages = true
[targets.b]
base_url = "https://b.example.org/"
theme = "t"
collections = ["guides"]
[targets.b.deploy]
bucket = "b-site"
prefix = "/hub/"
endpoint = "https://store.example.org"
[[targets.b.deploy.headers]]
glob = "**/*.html"
cache_control = "public, max-age=300"
"#;

    #[test]
    fn a_deploy_table_is_read_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("themes/t/templates")).unwrap();
        let config = Config::parse(dir.path(), SITE).unwrap();
        assert!(config.targets[0].pages && config.targets[0].deploy.is_none());
        let d = config.targets[1].deploy.as_ref().unwrap();
        assert_eq!((d.bucket.as_str(), d.prefix.as_str()), ("b-site", "hub"));
        assert!(d.headers[0].matcher.is_match("index.html"));

        let bad = SITE
            .replace("\"b-site\"", "\"B\"")
            .replace("\"/hub/\"", "\"a/../b\"")
            .replace("https://store", "store")
            .replace("**/*.html", "**/[")
            .replace("[targets.b.deploy]", "pages = true\n[targets.b.deploy]");
        assert_eq!(
            problems(&bad),
            [
                "12: more than one target says pages = true",
                "12: target `b` says both pages = true and [targets.b.deploy]",
                "14: bucket `B` must be 3 to 63 characters long",
                "15: prefix `a/../b` is not a folder path",
                "16: endpoint `store.example.org` is not a web address",
                "18: glob `**/[` cannot be read: unclosed character class; missing ']'",
            ]
        );
        let no_header = SITE.replace("cache_control = \"public, max-age=300\"\n", "");
        assert_eq!(
            problems(&no_header),
            ["16: the header rule for `**/*.html` sets no header"]
        );
    }

    #[test]
    fn bucket_names() {
        assert!(check_bucket("knowledge-hub").is_ok());
        assert!(check_bucket("a.b-c1").is_ok());
        assert!(check_bucket("ab").is_err());
        assert!(check_bucket("Knowledge_Hub").is_err());
        assert!(check_bucket("-hub").is_err());
    }
}
