//! `hubgen deploy`'s engine: uploads a built target to the S3-compatible
//! bucket its `[targets.NAME.deploy]` table names, changing only what
//! changed.
//!
//! The store is compared with the build through a manifest object: the hash
//! and size of every file the last complete deploy uploaded. When the last
//! deploy finished, the manifest alone says what the store holds, so a
//! deploy of an unchanged build costs one small read. The order keeps
//! readers safe mid-deploy: new and changed files that are not pages first,
//! then pages (so no page is published before what it links to), then the
//! manifest, deletions last. Before its first upload a deploy marks the
//! manifest as in progress, so if it stops half-way the next one lists the
//! store, uploads again whatever may have been left half-done, deletes what
//! the build lacks, and converges; deletions interrupted after the new
//! manifest are named in it and done again.

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
    /// The manifest the store had.
    old_manifest: Option<Manifest>,
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
    // A manifest that cannot be read (from another tool, or damaged) is as
    // good as none: every file is uploaded again, and a new one written.
    let manifest = store
        .get(MANIFEST)?
        .and_then(|bytes| serde_json::from_slice::<Manifest>(&bytes).ok());
    // The last deploy finished: the manifest says what the store holds, and
    // one read stands for a listing of thousands of objects. Otherwise (a
    // first deploy, one that stopped half-way, --force) the listing decides.
    let objects = match &manifest {
        Some(m) if m.trusted() && !opts.force => m.objects(),
        _ => store.list()?,
    };
    let remote = Remote { objects, manifest };
    let plan = plan::plan(local, &remote, opts.force, opts.keep_deleted);
    Ok(Prepared {
        store,
        plan,
        old_manifest: remote.manifest,
    })
}

impl Prepared {
    /// Runs the plan, in its order; calls `progress` with each key uploaded
    /// or deleted.
    pub fn run(&self, progress: &(dyn Fn(&str) + Sync)) -> Result<Done, Diagnostic> {
        let plan = &self.plan;
        let write = |manifest: &Manifest| {
            let bytes = serde_json::to_vec(manifest).expect("a manifest is JSON");
            self.store
                .put_bytes(MANIFEST, bytes, "application/json; charset=utf-8")
        };
        if plan.uploads().next().is_some() {
            if let Some(old) = &self.old_manifest {
                // Until the new manifest is written, the old one may not be
                // trusted: a deploy stopped from here on is listed next time.
                write(&Manifest {
                    in_progress: true,
                    ..old.clone()
                })?;
            }
        }
        self.store.upload(&plan.files, &|f| progress(&f.key))?;
        self.store.upload(&plan.pages, &|f| progress(&f.key))?;
        if let Some(manifest) = &plan.manifest {
            write(manifest)?;
        }
        self.store.delete(&plan.delete, progress)?;
        // Deleted: the manifest need not name them any more.
        let last = plan.manifest.as_ref().or(self.old_manifest.as_ref());
        if let Some(manifest) = last.filter(|_| !plan.delete.is_empty()) {
            write(&Manifest {
                deleting: Vec::new(),
                ..manifest.clone()
            })?;
        }
        Ok(Done {
            uploaded: plan.files.len() + plan.pages.len(),
            bytes: plan.upload_bytes(),
            unchanged: plan.unchanged,
            deleted: plan.delete.len(),
        })
    }
}
