//! Writes a target into a staging folder beside its output folder and swaps it
//! in only when the whole build succeeded, so a failed build never leaves a
//! half-written site and never touches the last good one.

use std::io;
use std::path::{Path, PathBuf};

/// Where a target's files go: a staging folder for `build`, nowhere for `check`.
pub trait Sink: Sync {
    /// Writes `bytes` to `rel` (a `/`-separated path below the target's root).
    fn write(&self, rel: &str, bytes: &[u8]) -> io::Result<()>;
    /// Copies the file at `from` to `rel`.
    fn copy(&self, from: &Path, rel: &str) -> io::Result<()>;
}

/// Renders everything and keeps nothing: `hubgen check` writes no files.
pub struct Discard;

impl Sink for Discard {
    fn write(&self, _: &str, _: &[u8]) -> io::Result<()> {
        Ok(())
    }
    fn copy(&self, from: &Path, _: &str) -> io::Result<()> {
        std::fs::metadata(from).map(|_| ())
    }
}

/// A target's output while it is being written.
#[derive(Debug)]
pub struct Staged {
    /// Where the finished output goes.
    pub dest: PathBuf,
    /// Where it is written meanwhile: a hidden sibling of `dest`, so that the
    /// final rename stays on one file system and is atomic.
    pub staging: PathBuf,
}

fn sibling(dest: &Path, suffix: &str) -> PathBuf {
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "site".into());
    dest.with_file_name(format!(".{name}.{suffix}"))
}

impl Staged {
    /// Creates a fresh, empty staging folder for `dest`.
    pub fn create(dest: &Path) -> io::Result<Staged> {
        let staging = sibling(dest, "hubgen-staging");
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent)?;
        }
        if staging.exists() {
            std::fs::remove_dir_all(&staging)?;
        }
        std::fs::create_dir_all(&staging)?;
        Ok(Staged {
            dest: dest.to_path_buf(),
            staging,
        })
    }

    /// Throws the staged output away.
    pub fn discard(self) {
        let _ = std::fs::remove_dir_all(&self.staging);
    }
}

impl Sink for Staged {
    fn write(&self, rel: &str, bytes: &[u8]) -> io::Result<()> {
        let path = self.staging.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, bytes)
    }

    fn copy(&self, from: &Path, rel: &str) -> io::Result<()> {
        let path = self.staging.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::copy(from, &path).map(|_| ())
    }
}

/// Swaps every staged output into place. Called only once every target has
/// been written without error.
pub fn commit(staged: Vec<Staged>) -> io::Result<()> {
    for s in staged {
        let old = sibling(&s.dest, "hubgen-old");
        if old.exists() {
            std::fs::remove_dir_all(&old)?;
        }
        let had_old = s.dest.exists();
        if had_old {
            std::fs::rename(&s.dest, &old)?;
        }
        if let Err(e) = std::fs::rename(&s.staging, &s.dest) {
            // Put the last good output back before reporting.
            if had_old {
                let _ = std::fs::rename(&old, &s.dest);
            }
            return Err(e);
        }
        if had_old {
            std::fs::remove_dir_all(&old)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::Sink;
    use super::*;

    #[test]
    fn swaps_in_and_discards() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("public/site");
        std::fs::create_dir_all(&dest).unwrap();
        std::fs::write(dest.join("old.html"), "old").unwrap();

        let s = Staged::create(&dest).unwrap();
        s.write("a/index.html", b"new").unwrap();
        s.discard();
        assert_eq!(
            std::fs::read_to_string(dest.join("old.html")).unwrap(),
            "old"
        );

        let s = Staged::create(&dest).unwrap();
        s.write("a/index.html", b"new").unwrap();
        commit(vec![s]).unwrap();
        assert!(!dest.join("old.html").exists());
        assert_eq!(
            std::fs::read_to_string(dest.join("a/index.html")).unwrap(),
            "new"
        );
        let left: Vec<_> = std::fs::read_dir(dir.path().join("public"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left, ["site"]);
    }
}

/// Hands the memory a finished stage freed back to the system.
///
/// glibc keeps freed memory in its per-thread arenas, so without this the
/// peak of a build is the sum of its stages' peaks rather than the largest
/// of them: the search index of one target, then the pages of another, each
/// growing the process instead of reusing what the last one let go.
pub fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        extern "C" {
            fn malloc_trim(pad: usize) -> std::os::raw::c_int;
        }
        // SAFETY: malloc_trim only returns free heap pages to the kernel; it is
        // thread-safe and takes no pointers.
        unsafe {
            malloc_trim(0);
        }
    }
}
