//! `hubgen deploy` against a real S3-compatible server on 127.0.0.1 (moto,
//! see tests/s3/mod.rs): what it uploads, with which headers, what it
//! leaves alone and deletes, `--dry-run`, and a killed deploy run again.

mod common;
mod s3;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use common::{build_ok, fixture, read, repo, stderr, stdout};

/// The files of the build in `out` that a deploy uploads: all but hubgen's
/// own files in its output folders (its marker and manifest).
fn snapshot(out: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = common::built(out);
    files.remove(".hubgen-output");
    files
}
use s3::S3Server;

/// `hubgen -C site deploy ARGS…` with test credentials and nothing else of
/// the environment's AWS settings.
fn deploy_cmd(site: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hubgen"));
    cmd.arg("-C").arg(site).arg("deploy").args(args);
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("AWS_") {
            cmd.env_remove(k);
        }
    }
    cmd.env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env_remove("CI");
    cmd
}

fn deploy(site: &Path, args: &[&str]) -> Output {
    let o = deploy_cmd(site, args).output().expect("hubgen runs");
    assert!(
        o.status.success(),
        "deploy failed:\n{}{}",
        stdout(&o),
        stderr(&o)
    );
    o
}

/// The deploy table the test sites get, with two header rules.
fn deploy_table(target: &str, bucket: &str, endpoint: &str) -> String {
    format!(
        r#"
[targets.{target}.deploy]
bucket = "{bucket}"
prefix = "site"
endpoint = "{endpoint}"

[[targets.{target}.deploy.headers]]
glob = "search/**"
cache_control = "public, max-age=31536000"

[[targets.{target}.deploy.headers]]
glob = "**/*.html"
cache_control = "public, max-age=300"
"#
    )
}

/// A copy of the `good` fixture in a temporary folder whose `beta` target
/// deploys to `bucket`.
fn good_site(dir: &Path, server: &S3Server, bucket: &str) {
    let from = fixture("good");
    for entry in walkdir::WalkDir::new(&from) {
        let entry = entry.unwrap();
        let to = dir.join(entry.path().strip_prefix(&from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&to).unwrap();
        } else {
            std::fs::copy(entry.path(), &to).unwrap();
        }
    }
    let themes = repo().join("themes");
    let toml = read(dir.join("site.toml")).replace(
        "themes_dir = \"../../../themes\"",
        &format!("themes_dir = {:?}", themes.display().to_string()),
    ) + &deploy_table("beta", bucket, &server.endpoint);
    std::fs::write(dir.join("site.toml"), toml).unwrap();
    std::fs::write(
        dir.join("content/guides/retired.md"),
        "---\ntitle: A retired guide\ntopic: waste\n---\n\nNo longer needed.\n",
    )
    .unwrap();
    server.create_bucket(bucket);
}

/// The keys a deploy of `out` should leave under `site/`: every file, and
/// the manifest.
fn expected_keys(out: &Path) -> Vec<String> {
    let mut keys: Vec<String> = snapshot(out)
        .keys()
        .map(|k| format!("site/{k}"))
        .chain(["site/.hubgen-deploy.json".to_string()])
        .collect();
    keys.sort();
    keys
}

/// The headers and bytes the first deploy gave a page, a search file and a
/// stylesheet: by type, by the first matching rule, or none.
fn first_deploy_headers(server: &S3Server, built: &BTreeMap<String, Vec<u8>>) {
    let (h, body) = server.object("beta-site", "site/index.html");
    assert_eq!(body, built["index.html"]);
    assert_eq!(h["content-type"], "text/html; charset=utf-8");
    assert_eq!(h["cache-control"], "public, max-age=300");
    assert_eq!(h["x-amz-meta-hubgen-sha256"].len(), 64);
    let search = built
        .keys()
        .find(|k| k.starts_with("search/"))
        .expect("a search file");
    let (h, body) = server.object("beta-site", &format!("site/{search}"));
    assert_eq!(body, built[search]);
    assert_eq!(h["cache-control"], "public, max-age=31536000");
    let css = built
        .keys()
        .find(|k| Path::new(k).extension().is_some_and(|e| e == "css"))
        .expect("a stylesheet");
    let (h, _) = server.object("beta-site", &format!("site/{css}"));
    assert_eq!(h["content-type"], "text/css; charset=utf-8");
    assert!(!h.contains_key("cache-control"), "{h:?}");
}

#[test]
fn deploys_upload_everything_then_nothing_then_only_what_changed() {
    let server = S3Server::start();
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    good_site(&site, &server, "beta-site");
    let out = tmp.path().join("out");
    build_ok(&site, &out, &["--target", "beta"]);

    // The first deploy uploads every file, with its headers.
    let mark = server.mark();
    let o = deploy(&site, &["--output", out.to_str().unwrap()]);
    let built = snapshot(&out);
    assert!(built.len() > 10, "{built:?}");
    assert!(
        stdout(&o).contains(&format!("uploaded {} files", built.len())),
        "{}",
        stdout(&o)
    );
    assert_eq!(server.keys("beta-site"), expected_keys(&out));
    assert_eq!(
        server.written_since(mark, "PUT", "beta-site").len(),
        built.len() + 1
    );
    first_deploy_headers(&server, &built);

    // A second deploy of the same build sends nothing but its reads.
    let mark = server.mark();
    let o = deploy(&site, &["--output", out.to_str().unwrap()]);
    assert!(stdout(&o).contains("uploaded 0 files"), "{}", stdout(&o));
    let sent = server.requests_since(mark);
    assert!(sent.iter().all(|(m, _)| m == "GET"), "{sent:?}");

    // One edited page: only the files whose bytes changed, and the manifest.
    let page = site.join("content/guides/tariffs.md");
    std::fs::write(&page, read(&page).replace("tariff", "energy tariff")).unwrap();
    build_ok(&site, &out, &["--target", "beta"]);
    let rebuilt = snapshot(&out);
    let changed: Vec<String> = rebuilt
        .iter()
        .filter(|(k, v)| built.get(*k) != Some(*v))
        .map(|(k, _)| format!("site/{k}"))
        .chain(["site/.hubgen-deploy.json".to_string()])
        .collect();
    assert!(
        changed.len() > 1 && changed.len() < rebuilt.len() / 2,
        "{changed:?}"
    );
    // --dry-run lists them and changes nothing.
    let mark = server.mark();
    let o = deploy(&site, &["--output", out.to_str().unwrap(), "--dry-run"]);
    assert!(
        stdout(&o).contains("upload guides/tariffs/index.html"),
        "{}",
        stdout(&o)
    );
    let sent = server.requests_since(mark);
    assert!(sent.iter().all(|(m, _)| m == "GET"), "{sent:?}");
    assert_eq!(
        server
            .object("beta-site", "site/guides/tariffs/index.html")
            .1,
        built["guides/tariffs/index.html"]
    );

    let mark = server.mark();
    deploy(&site, &["--output", out.to_str().unwrap()]);
    let mut changed = changed;
    changed.sort();
    // The manifest is written twice: marked in progress, then complete.
    let mut written = server.written_since(mark, "PUT", "beta-site");
    written.dedup();
    assert_eq!(written, changed);
    assert_eq!(
        server
            .object("beta-site", "site/guides/tariffs/index.html")
            .1,
        rebuilt["guides/tariffs/index.html"]
    );

    // A removed page is deleted; --keep-deleted would have kept it.
    std::fs::remove_file(site.join("content/guides/retired.md")).unwrap();
    build_ok(&site, &out, &["--target", "beta"]);
    let o = deploy(
        &site,
        &["--output", out.to_str().unwrap(), "--keep-deleted"],
    );
    assert!(stdout(&o).contains("deleted 0"), "{}", stdout(&o));
    assert!(server
        .keys("beta-site")
        .contains(&"site/guides/retired/index.html".to_string()));
    let o = deploy(&site, &["--output", out.to_str().unwrap()]);
    assert!(stdout(&o).contains("deleted 1 "), "{}", stdout(&o));
    assert_eq!(server.keys("beta-site"), expected_keys(&out));
    // --force uploads everything again.
    let o = deploy(&site, &["--output", out.to_str().unwrap(), "--force"]);
    assert!(
        stdout(&o).contains(&format!("uploaded {} files", snapshot(&out).len())),
        "{}",
        stdout(&o)
    );
}

/// Every object of `bucket`: its key, bytes and the headers a deploy sets.
fn objects(server: &S3Server, bucket: &str) -> BTreeMap<String, (Vec<u8>, Vec<Option<String>>)> {
    server
        .keys(bucket)
        .into_iter()
        .map(|k| {
            let (h, body) = server.object(bucket, &k);
            let headers = ["content-type", "cache-control", "x-amz-meta-hubgen-sha256"]
                .iter()
                .map(|n| h.get(*n).cloned())
                .collect();
            (k, (body, headers))
        })
        .collect()
}

#[test]
fn a_killed_deploy_run_again_converges_to_an_uninterrupted_one() {
    let server = S3Server::start();
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    common::corpus(&site, 400);
    // The corpus has the repository's site.toml: its hub's deploy table is
    // replaced by one for the test's buckets.
    let mut toml = String::new();
    let mut skipping = false;
    for line in read(site.join("site.toml")).lines() {
        if line.starts_with('[') {
            skipping = line.contains("targets.hub.deploy");
        }
        if !skipping {
            toml.push_str(line);
            toml.push('\n');
        }
    }
    let target = "hub";
    let out = tmp.path().join("out");
    let with = |toml: &str, bucket: &str| {
        let table = deploy_table(target, bucket, &server.endpoint);
        std::fs::write(site.join("site.toml"), format!("{toml}{table}")).unwrap();
    };
    let args = ["--target", target, "--output", out.to_str().unwrap()];
    with(&toml, "whole");
    server.create_bucket("whole");
    server.create_bucket("killed");
    build_ok(&site, &out, &["--target", target]);
    deploy(&site, &args);

    // A first deploy, killed once it has uploaded some files but not all,
    // then run again: the same objects, headers and bytes.
    with(&toml, "killed");
    kill_after_uploads(&server, &site, &args, "killed");
    let partial = server.keys("killed");
    assert!(
        !partial.contains(&"site/.hubgen-deploy.json".to_string()),
        "{partial:?}"
    );
    assert!(partial.len() < server.keys("whole").len());
    deploy(&site, &args);
    assert_eq!(objects(&server, "killed"), objects(&server, "whole"));
    let o = deploy(&site, &args);
    assert!(stdout(&o).contains("uploaded 0 files"), "{}", stdout(&o));

    // A redeploy of a changed build (every page), killed half-way over a
    // complete deploy, then run again: the same again.
    let toml = toml.replace("title = \"Knowledge Hub\"", "title = \"The Knowledge Hub\"");
    with(&toml, "whole");
    build_ok(&site, &out, &["--target", target]);
    deploy(&site, &args);
    with(&toml, "killed");
    kill_after_uploads(&server, &site, &args, "killed");
    deploy(&site, &args);
    assert_eq!(objects(&server, "killed"), objects(&server, "whole"));
}

/// Starts a deploy into `bucket` and kills it after its 40th upload.
fn kill_after_uploads(server: &S3Server, site: &Path, args: &[&str], bucket: &str) {
    let mark = server.mark();
    let mut child = deploy_cmd(site, args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let prefix = format!("/{bucket}/");
    let puts = || {
        server
            .logged_since(mark)
            .iter()
            .filter(|(m, p)| m == "PUT" && p.starts_with(&prefix))
            .count()
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while puts() < 40 {
        assert!(Instant::now() < deadline, "the deploy uploads nothing");
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(
        !status.success(),
        "the deploy finished before it was killed"
    );
}

#[test]
fn dry_run_on_this_repository_lists_what_would_be_uploaded() {
    let server = S3Server::start();
    let toml = read(repo().join("site.toml"));
    let bucket = toml
        .split("[targets.hub.deploy]")
        .nth(1)
        .and_then(|t| t.split("bucket = \"").nth(1))
        .and_then(|b| b.split('"').next())
        .expect("site.toml deploys the hub")
        .to_string();
    server.create_bucket(&bucket);
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("hub");
    build_ok(&repo(), &out, &["--target", "hub"]);
    let mark = server.mark();
    let o = deploy_cmd(
        &repo(),
        &[
            "--target",
            "hub",
            "--output",
            out.to_str().unwrap(),
            "--dry-run",
        ],
    )
    .env("AWS_ENDPOINT_URL", &server.endpoint)
    .output()
    .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    let n = snapshot(&out).len();
    assert!(text.contains("upload index.html ("), "{text}");
    assert!(
        text.contains(&format!("hub: would upload {n} files")),
        "{text}"
    );
    let sent = server.requests_since(mark);
    assert!(sent.iter().all(|(m, _)| m == "GET"), "{sent:?}");
    assert!(server.keys(&bucket).is_empty());
}

#[test]
fn deploy_problems_are_plain_and_located() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    let server = S3Server::start();
    good_site(&site, &server, "beta-site");
    let toml = read(site.join("site.toml"));

    // A bad bucket name and glob, each at its line.
    let bad = toml
        .replace("bucket = \"beta-site\"", "bucket = \"Beta_Site\"")
        .replace("glob = \"search/**\"", "glob = \"search/[\"");
    std::fs::write(site.join("site.toml"), &bad).unwrap();
    let o = deploy_cmd(&site, &["--dry-run"]).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    let line = |needle: &str| bad.lines().position(|l| l.contains(needle)).unwrap() + 1;
    assert!(
        err.contains(&format!("site.toml:{}", line("Beta_Site"))),
        "{err}"
    );
    assert!(
        err.contains("bucket `Beta_Site` may hold only lowercase letters"),
        "{err}"
    );
    assert!(
        err.contains(&format!("site.toml:{}", line("search/["))),
        "{err}"
    );

    // A target without a deploy table; no credentials; no build.
    std::fs::write(site.join("site.toml"), &toml).unwrap();
    let o = deploy_cmd(&site, &["--target", "alpha"]).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("target `alpha` has no [targets.alpha.deploy] table"),
        "{}",
        stderr(&o)
    );
    let o = deploy_cmd(&site, &[]).output().unwrap();
    assert!(
        stderr(&o).contains("there is no build to deploy"),
        "{}",
        stderr(&o)
    );
    build_ok(&site, &site.join("public"), &[]);
    let o = deploy_cmd(&site, &[])
        .env_remove("AWS_ACCESS_KEY_ID")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("no credentials for s3://beta-site/site"),
        "{}",
        stderr(&o)
    );
    assert!(server.keys("beta-site").is_empty());
}
