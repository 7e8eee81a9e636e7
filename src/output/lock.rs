//! Locks that make builds take turns.

use std::fs::{self, File};
use std::io;
use std::path::Path;

/// Exclusive locks held for a whole build: the site's own (so that two builds
/// of one site take turns), and on Unix one on the folder that holds each
/// output (so that builds of different sites, or checkouts, into one output
/// folder take turns too: they share its staging folder). The operating
/// system releases them when the process ends, however it ends, so a killed
/// build never leaves a stale lock.
#[derive(Debug)]
pub struct Lock {
    _files: Vec<File>,
}

/// The lock file of a site's builds, in hubgen's cache.
pub const LOCK_FILE: &str = ".hubgen-cache/build.lock";

impl Lock {
    /// Takes the build lock of the site at `root` and of the folders holding
    /// `outputs`, saying so on stderr while another build has one.
    pub fn take(root: &Path, outputs: &[&Path]) -> io::Result<Lock> {
        let path = root.join(LOCK_FILE);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(|e| {
                io::Error::new(
                    e.kind(),
                    format!(
                        "{}: {e} (it should be a folder hubgen can write to)",
                        dir.display()
                    ),
                )
            })?;
        }
        let site = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)?;
        let mut files = vec![exclusive(site, "this site")?];
        // In one order, so that two builds cannot each wait for the other.
        let mut parents: Vec<&Path> = outputs.iter().filter_map(|o| o.parent()).collect();
        parents.sort();
        parents.dedup();
        for parent in parents {
            fs::create_dir_all(parent)?;
            if let Some(f) = folder_lock(parent)? {
                files.push(exclusive(f, &parent.display().to_string())?);
            }
        }
        Ok(Lock { _files: files })
    }
}

/// `file`, locked; waits (saying so) while another process holds it.
fn exclusive(file: File, what: &str) -> io::Result<File> {
    match file.try_lock() {
        Ok(()) => {}
        Err(fs::TryLockError::WouldBlock) => {
            eprintln!("waiting for another hubgen build of {what} to finish…");
            file.lock()?;
        }
        Err(fs::TryLockError::Error(e)) => return Err(e),
    }
    Ok(file)
}

/// A folder opened to be locked (`flock` takes folders on Unix).
#[cfg(unix)]
fn folder_lock(dir: &Path) -> io::Result<Option<File>> {
    File::open(dir).map(Some)
}

#[cfg(not(unix))]
fn folder_lock(_: &Path) -> io::Result<Option<File>> {
    Ok(None)
}
