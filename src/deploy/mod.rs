//! `hubgen deploy`'s engine: uploads a built target to the S3-compatible
//! bucket its `[targets.NAME.deploy]` table names, changing only what
//! changed.
//!
//! The store is compared with the build through a manifest object (the hash
//! and size of every file the last complete deploy uploaded) and the store's
//! own listing, so a deploy costs one listing and one small read when
//! nothing changed. The order keeps readers safe mid-deploy: new and changed
//! files that are not pages first, then pages (so no page is published
//! before what it links to), then the manifest, deletions last. A deploy
//! that stops half-way leaves the old manifest, so the next one uploads
//! again whatever it may have left half-done, and converges.

mod local;
mod plan;
mod store;

use std::path::Path;

pub use local::{headers, LocalFile};
pub use plan::{Entry, Manifest, Plan, Remote, MANIFEST};
pub use store::Store;

use crate::config::Deploy;
use crate::diagnostics::Diagnostic;

/// What the deploy is asked to do beyond the default.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// Upload every file, changed or not.
    pub force: bool,
    /// Leave objects the build no longer has in the store.
    pub keep_deleted: bool,
}

/// A deploy worked out and ready to run: the store and what to do to it.
pub struct Prepared {
    /// The store the target is deployed to.
    pub store: Store,
    /// What to upload and delete.
    pub plan: Plan,
}

/// What a deploy did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Done {
    /// Files uploaded.
    pub uploaded: usize,
    /// Their bytes.
    pub bytes: u64,
    /// Files the store already had as they are.
    pub unchanged: usize,
    /// Objects deleted.
    pub deleted: usize,
}

/// Reads the build in `dir` and the store `deploy` names, and works out
/// what a deploy has to do.
pub fn prepare(deploy: &Deploy, dir: &Path, opts: Options) -> Result<Prepared, Diagnostic> {
    if !dir.is_dir() {
        return Err(Diagnostic::error(
            "deploy",
            format!("there is no build to deploy in {}", dir.display()),
        )
        .with_hint("run `hubgen build` first, then `hubgen deploy`"));
    }
    if !dir.join(crate::output::MARKER).is_file() {
        return Err(Diagnostic::error(
            "deploy",
            format!("{} is not a folder hubgen built", dir.display()),
        )
        .with_hint("deploy the output folder of `hubgen build` (the target's `output` in site.toml, or the folder given to --output)"));
    }
    let local = local::scan(dir, &deploy.headers)?;
    if local.is_empty() {
        return Err(Diagnostic::error(
            "deploy",
            format!(
                "{} is empty: deploying it would delete the whole published site",
                dir.display()
            ),
        )
        .with_hint("run `hubgen build` first, then `hubgen deploy`"));
    }
    let store = Store::open(deploy)?;
    let objects = store.list()?;
    // A manifest that cannot be read (from another tool, or damaged) is as
    // good as none: every file is uploaded again, and a new one written.
    let manifest = if objects.contains_key(MANIFEST) {
        store
            .get(MANIFEST)?
            .and_then(|bytes| serde_json::from_slice::<Manifest>(&bytes).ok())
    } else {
        None
    };
    let remote = Remote { objects, manifest };
    let plan = plan::plan(local, &remote, opts.force, opts.keep_deleted);
    Ok(Prepared { store, plan })
}

impl Prepared {
    /// Runs the plan, in its order; calls `progress` with each key uploaded
    /// or deleted.
    pub fn run(&self, progress: &(dyn Fn(&str) + Sync)) -> Result<Done, Diagnostic> {
        let plan = &self.plan;
        self.store.upload(&plan.files, &|f| progress(&f.key))?;
        self.store.upload(&plan.pages, &|f| progress(&f.key))?;
        if let Some(manifest) = &plan.manifest {
            let bytes = serde_json::to_vec(manifest).expect("a manifest is JSON");
            self.store
                .put_bytes(MANIFEST, bytes, "application/json; charset=utf-8")?;
        }
        self.store.delete(&plan.delete, progress)?;
        Ok(Done {
            uploaded: plan.files.len() + plan.pages.len(),
            bytes: plan.upload_bytes(),
            unchanged: plan.unchanged,
            deleted: plan.delete.len(),
        })
    }
}
