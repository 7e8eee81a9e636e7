//! How hubgen is published and shipped: the publish workflow deploys every
//! target site.toml declares (GitHub Pages for the one with `pages = true`,
//! `hubgen deploy` for those with a deploy table), only after the tests
//! pass; the release workflow builds every platform; `hubgen --version`
//! names the commit.

mod common;

use std::process::Command;

use common::{read, repo, stdout};
use hubgen::config::Config;
use serde_yaml::Value;

fn workflow(name: &str) -> Value {
    serde_yaml::from_str(&read(repo().join(".github/workflows").join(name))).unwrap()
}

/// Every step of `job`, as YAML.
fn steps<'a>(wf: &'a Value, job: &str) -> &'a Vec<Value> {
    wf["jobs"][job]["steps"]
        .as_sequence()
        .unwrap_or_else(|| panic!("job {job} has steps"))
}

/// The jobs a job waits for.
fn needs(wf: &Value, job: &str) -> Vec<String> {
    match &wf["jobs"][job]["needs"] {
        Value::String(s) => vec![s.clone()],
        Value::Sequence(v) => v
            .iter()
            .filter_map(|s| s.as_str().map(String::from))
            .collect(),
        _ => Vec::new(),
    }
}

/// The job whose steps use an action starting with `uses`, or run a
/// command holding `run`.
fn job_with(wf: &Value, uses: Option<&str>, run: Option<&str>) -> Option<String> {
    wf["jobs"].as_mapping()?.iter().find_map(|(name, job)| {
        let found = job["steps"].as_sequence()?.iter().any(|s| {
            uses.is_some_and(|u| s["uses"].as_str().is_some_and(|x| x.starts_with(u)))
                || run.is_some_and(|r| s["run"].as_str().is_some_and(|x| x.contains(r)))
        });
        found.then(|| name.as_str().unwrap().to_string())
    })
}

/// The job that runs every test: its steps run `./scripts/test.sh`, or it
/// calls a workflow of this repository whose steps do.
fn tests_job(wf: &Value) -> Option<String> {
    job_with(wf, None, Some("./scripts/test.sh")).or_else(|| {
        wf["jobs"].as_mapping()?.iter().find_map(|(name, job)| {
            let called = job["uses"].as_str()?.strip_prefix("./")?;
            let inner: Value = serde_yaml::from_str(&read(repo().join(called))).ok()?;
            job_with(&inner, None, Some("./scripts/test.sh"))?;
            Some(name.as_str()?.to_string())
        })
    })
}

/// Whether `job` waits, directly or not, for `other`.
fn after(wf: &Value, job: &str, other: &str) -> bool {
    needs(wf, job)
        .iter()
        .any(|n| n == other || after(wf, n, other))
}

#[test]
fn the_publish_workflow_publishes_every_target_after_the_tests() {
    let config = Config::load(&repo()).unwrap();
    let wf = workflow("publish.yml");
    let on = &wf["on"]["push"]["branches"];
    assert_eq!(on[0].as_str(), Some("main"));
    let tests = tests_job(&wf).expect("a job runs every test");
    let build = job_with(&wf, None, Some("hubgen build")).expect("a job builds the sites");
    assert!(after(&wf, &build, &tests), "the build waits for the tests");

    let pages: Vec<_> = config.targets.iter().filter(|t| t.pages).collect();
    let deployed: Vec<_> = config
        .targets
        .iter()
        .filter(|t| t.deploy.is_some())
        .collect();
    assert_eq!(
        pages.len() + deployed.len(),
        config.targets.len(),
        "every target is published one way"
    );
    assert!(
        pages.len() == 1 && !deployed.is_empty(),
        "this repository has both kinds"
    );

    // The pages target is handed to GitHub Pages, and published once built.
    let handed = steps(&wf, &build)
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("actions/upload-pages-artifact"))
        })
        .expect("the build hands a site to GitHub Pages");
    assert_eq!(
        handed["with"]["path"].as_str(),
        Some(pages[0].output.to_str().unwrap())
    );
    let publish =
        job_with(&wf, Some("actions/deploy-pages"), None).expect("a job publishes on Pages");
    assert!(after(&wf, &publish, &tests));

    // Every deploy target's build is fetched where `hubgen deploy` reads it,
    // and `hubgen deploy` runs for all of them, with the credentials.
    let deploy = job_with(&wf, None, Some("hubgen deploy")).expect("a job runs hubgen deploy");
    assert!(after(&wf, &deploy, &tests) && after(&wf, &deploy, &build));
    let fetched: Vec<&str> = steps(&wf, &deploy)
        .iter()
        .filter(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("actions/download-artifact"))
        })
        .filter_map(|s| s["with"]["path"].as_str())
        .collect();
    let uploaded: Vec<(&str, &str)> = steps(&wf, &build)
        .iter()
        .filter(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("actions/upload-artifact"))
        })
        .filter_map(|s| Some((s["with"]["name"].as_str()?, s["with"]["path"].as_str()?)))
        .collect();
    for t in &deployed {
        let out = t.output.to_str().unwrap();
        assert!(
            fetched.contains(&out),
            "{} is fetched into {out}: {fetched:?}",
            t.name
        );
        assert!(
            uploaded.iter().any(|(_, p)| *p == out),
            "{} is kept by the build",
            t.name
        );
    }
    let run = steps(&wf, &deploy)
        .iter()
        .find(|s| {
            s["run"]
                .as_str()
                .is_some_and(|r| r.contains("hubgen deploy"))
        })
        .unwrap();
    let command = run["run"].as_str().unwrap();
    assert!(
        !command.contains("--target") || deployed.iter().all(|t| command.contains(&t.name)),
        "{command}"
    );
    for secret in ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"] {
        assert_eq!(
            run["env"][secret].as_str(),
            Some(format!("${{{{ secrets.{secret} }}}}").as_str())
        );
        assert!(
            read(repo().join("README.md")).contains(secret),
            "README names {secret}"
        );
    }
}

#[test]
fn the_release_workflow_builds_every_platform_with_checksums() {
    let wf = workflow("release.yml");
    assert!(wf["on"]["push"]["tags"][0]
        .as_str()
        .is_some_and(|t| t.starts_with('v')));
    let targets: Vec<&str> = wf["jobs"]["build"]["strategy"]["matrix"]["include"]
        .as_sequence()
        .unwrap()
        .iter()
        .filter_map(|m| m["target"].as_str())
        .collect();
    for t in [
        "x86_64-unknown-linux-musl",
        "aarch64-unknown-linux-musl",
        "aarch64-apple-darwin",
        "x86_64-apple-darwin",
        "x86_64-pc-windows-msvc",
    ] {
        assert!(targets.contains(&t), "{t}: {targets:?}");
    }
    let release = serde_yaml::to_string(&wf["jobs"]["release"]).unwrap();
    assert!(
        release.contains("sha256sum") && release.contains("gh release"),
        "{release}"
    );
}

#[test]
fn version_names_the_commit() {
    let o = common::hubgen(&repo(), &["--version"]);
    assert!(o.status.success());
    let head = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(repo())
        .output()
        .unwrap();
    let head = String::from_utf8_lossy(&head.stdout).trim().to_string();
    assert_eq!(
        stdout(&o).trim(),
        format!("hubgen {} (commit {head})", env!("CARGO_PKG_VERSION"))
    );
}

/// The test workflow runs the README's test command on every pull request,
/// and publish.yml calls it on main; the check above finds the tests there.
#[test]
fn every_pull_request_runs_every_test_and_publishing_needs_them() {
    let wf = workflow("test.yml");
    assert!(wf["on"].get("pull_request").is_some(), "on pull requests");
    assert!(
        wf["on"].get("workflow_call").is_some(),
        "callable by publish.yml"
    );
    assert!(job_with(&wf, None, Some("./scripts/test.sh")).is_some());
    assert!(read(repo().join("README.md")).contains("./scripts/test.sh"));
    let publish = workflow("publish.yml");
    let tests = tests_job(&publish).expect("publish.yml runs the tests");
    assert_eq!(
        publish["jobs"][tests.as_str()]["uses"].as_str(),
        Some("./.github/workflows/test.yml")
    );
    // A publish workflow whose build does not wait for the tests is caught.
    let mut loose = publish.clone();
    loose["jobs"]["build"]["needs"] = Value::Sequence(Vec::new());
    assert!(!after(&loose, "build", &tests));
}
