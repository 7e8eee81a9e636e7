//! Records the commit hubgen is built from, for `hubgen --version`: the
//! `HUBGEN_COMMIT` environment variable if set (a release build may set
//! it), else `git rev-parse`, else "unknown commit" (a build from a source
//! archive).

use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=HUBGEN_COMMIT");
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .filter(|s| !s.is_empty())
    };
    // Built again when HEAD moves (a commit, a checkout).
    for path in ["HEAD", "refs/heads"] {
        if let Some(p) = git(&["rev-parse", "--git-path", path]) {
            println!("cargo:rerun-if-changed={p}");
        }
    }
    let commit = std::env::var("HUBGEN_COMMIT")
        .ok()
        .filter(|c| !c.is_empty())
        .or_else(|| git(&["rev-parse", "--short=12", "HEAD"]))
        .map_or_else(|| "unknown commit".to_string(), |c| format!("commit {c}"));
    println!("cargo:rustc-env=HUBGEN_COMMIT={commit}");
}
