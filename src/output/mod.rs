//! Every path hubgen writes or deletes is decided here.
//!
//! A target is written into a staging folder beside its output folder and
//! swapped in only when every target built, so a failed build never leaves a
//! half-written site and never touches the last good one. What makes this
//! safe by construction rather than by the inputs someone thought of:
//!
//! - an output folder is resolved lexically *and* against the file system and
//!   refused when it overlaps the site's sources or another target's output
//!   ([`check_outputs`]);
//! - hubgen replaces or deletes only folders that carry its [`MARKER`] file, so
//!   a typo'd `--output` pointing at someone's documents is refused, not
//!   emptied ([`remove_owned`]);
//! - every file written into staging has a plain relative path ([`checked`]);
//! - builds writing the same output take a lock ([`Lock`]), and a swap that a
//!   kill interrupted is repaired before anything else ([`repair`]).

use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

use rayon::prelude::*;

use crate::timings::Timings;

mod lock;
mod manifest;
mod paths;
mod reuse;
mod staged;
pub use lock::{Lock, LOCK_FILE};
pub(crate) use manifest::program;
pub use manifest::{KeyHasher, MANIFEST};
use paths::owned;
pub use paths::{check_outputs, check_replaceable, mark, resolve, OutputDir};
pub use staged::Staged;

/// The file that marks a folder as hubgen's own output: hubgen replaces or
/// deletes a folder only when it holds this file (or is empty).
pub const MARKER: &str = ".hubgen-output";

/// hubgen's own file in which a build leaves each document's words for the
/// next build's search index (see [`crate::search::words_cache`]).
pub const WORDS: &str = ".hubgen-words";

const MARKER_TEXT: &str = "This folder is made by hubgen. Each build replaces it whole: edit the sources, not these files.\n";

/// Where a target's files go: a staging folder for `build`, nowhere for `check`.
pub trait Sink: Sync {
    /// Writes `bytes` to `rel` (a `/`-separated path below the target's root).
    fn write(&self, rel: &str, bytes: &[u8]) -> io::Result<()>;
    /// Copies the file at `from` to `rel`.
    fn copy(&self, from: &Path, rel: &str) -> io::Result<()>;
    /// Where this build wrote `rel` on disk, for another output to link to.
    fn written_at(&self, _rel: &str) -> Option<PathBuf> {
        None
    }
    /// Writes `bytes` to `rel`, which `from` has just written with the same
    /// bytes: a hard link to its file where both are on disk, so that the
    /// two outputs share one copy, else a write.
    fn link(&self, _from: &dyn Sink, rel: &str, bytes: &[u8]) -> io::Result<()> {
        self.write(rel, bytes)
    }
    /// Whether this sink keeps pages' keys, to keep pages a later build makes
    /// from the same keys ([`Sink::keep_page`]): only then are keys worked out.
    fn keeps_pages(&self) -> bool {
        false
    }
    /// Keeps the page at `rel` as an earlier build made it from the same
    /// `key`, if one did: true then, and it need not be rendered.
    fn keep_page(&self, _rel: &str, _key: u128) -> bool {
        false
    }
    /// Writes the page at `rel`, made from `key`.
    fn write_page(&self, rel: &str, bytes: &[u8], _key: Option<u128>) -> io::Result<()> {
        self.write(rel, bytes)
    }
    /// hubgen's own file `name` ([`is_own_file`]) as an earlier build left
    /// it in this output, if one did: what a build keeps for the next.
    fn read_own(&self, _name: &str) -> Option<Vec<u8>> {
        None
    }
    /// Leaves hubgen's own file `name`, the `parts` one after the other, in
    /// this output for the next build: not a file of the site, and not in
    /// its manifest.
    fn write_own(&self, _name: &str, _parts: &[Vec<u8>]) -> io::Result<()> {
        Ok(())
    }
}

/// Renders everything and keeps nothing: `hubgen check` writes no files.
pub struct Discard;

impl Sink for Discard {
    fn write(&self, rel: &str, _: &[u8]) -> io::Result<()> {
        checked(rel).map(|_| ())
    }
    fn copy(&self, from: &Path, rel: &str) -> io::Result<()> {
        checked(rel)?;
        fs::metadata(from).map(|_| ())
    }
}

/// `rel` as a path below an output folder, or an error when it is not a plain
/// relative path: empty, absolute, with `.`/`..`/empty segments, backslashes
/// or NUL. Nothing upstream should produce such a path; this is the backstop
/// that makes writing outside the output impossible whatever they produce.
pub fn checked(rel: &str) -> io::Result<&Path> {
    let plain = !rel.is_empty()
        && !rel.contains(['\\', '\0'])
        && rel
            .split('/')
            .all(|seg| !seg.is_empty() && seg != "." && seg != "..")
        && Path::new(rel)
            .components()
            .all(|c| matches!(c, Component::Normal(_)));
    if plain {
        Ok(Path::new(rel))
    } else {
        Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("`{rel}` is not a path inside the output folder"),
        ))
    }
}

/// Deletes `dir` if hubgen made it: refused when it holds files but no marker.
/// The marker goes last, so a folder half-deleted by a kill is still
/// recognised as hubgen's by the next run.
pub fn remove_owned(dir: &Path) -> io::Result<()> {
    match fs::symlink_metadata(dir) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
        Ok(m) if !m.is_dir() => {
            return Err(io::Error::other(format!(
                "{} is not a folder hubgen made",
                dir.display()
            )))
        }
        Ok(_) => {}
    }
    if !owned(dir).map_err(io::Error::other)? {
        return Err(io::Error::other(format!(
            "{} holds files that hubgen did not make; it was left as it is",
            dir.display()
        )));
    }
    // Never follows symbolic links: a link is removed, not what it points to.
    let entries: Vec<fs::DirEntry> = fs::read_dir(dir)?.collect::<io::Result<_>>()?;
    entries
        .par_iter()
        .filter(|e| e.file_name() != MARKER)
        .try_for_each(|e| {
            reuse::remove_entry(e)?;
            fault_point("removing");
            Ok::<_, io::Error>(())
        })?;
    match fs::remove_file(dir.join(MARKER)) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    fs::remove_dir(dir)
}

/// Ends the process on the spot, as a kill would, when the environment
/// variable `HUBGEN_FAULT` names this point: how the tests cut a build at
/// exact moments of its swap and check that the next build repairs it.
/// Costs one look-up of a variable read once.
pub fn fault_point(name: &str) {
    if fault_here(name) {
        std::process::abort();
    }
}

/// Whether `HUBGEN_FAULT` names this point (a test asking for a failure here).
fn fault_here(name: &str) -> bool {
    static FAULT: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    FAULT
        .get_or_init(|| std::env::var("HUBGEN_FAULT").ok())
        .as_deref()
        == Some(name)
}

/// Whether `rel`, a file of an output folder, is one hubgen keeps there for
/// itself (its marker, its manifest, the words it keeps for the next build)
/// rather than a file of the site: not published, not served.
pub fn is_own_file(rel: &Path) -> bool {
    rel == Path::new(MARKER) || rel == Path::new(MANIFEST) || rel == Path::new(WORDS)
}

/// The hidden siblings of an output folder that hubgen uses (suffixes of
/// [`sibling`]): staging, while a build writes; the previous output, during
/// the swap; and the spare, the output before the live one, kept for the
/// next build to bring up to date instead of writing every file again.
const STAGING: &str = "hubgen-staging";
const OLD: &str = "hubgen-old";
const SPARE: &str = "hubgen-spare";

fn sibling(dest: &Path, suffix: &str) -> PathBuf {
    let name = dest
        .file_name()
        .map_or_else(|| "site".into(), |n| n.to_string_lossy().into_owned());
    dest.with_file_name(format!(".{name}.{suffix}"))
}

/// Finishes or undoes a swap that a crash or kill interrupted, before a build
/// writes anything: the last good output is put back where it belongs, and
/// staging and previous-output folders left behind are removed.
pub fn repair(dest: &Path) -> io::Result<()> {
    let old = sibling(dest, OLD);
    if !dest.exists() && old.join(MARKER).is_file() {
        fs::rename(&old, dest)?;
    }
    remove_owned(&old)?;
    remove_owned(&sibling(dest, STAGING))
}

/// Swaps every staged output into place. Called only once every target has
/// been written without error, with the build's [`Lock`] held.
///
/// First every target is swapped in, its previous output kept beside it;
/// if one cannot be, those already swapped are put back, so the targets
/// change together or not at all. Only then are the previous outputs removed.
// By value: once committed, or put back, the staging folders are gone.
#[allow(clippy::needless_pass_by_value)]
pub fn commit(staged: Vec<Staged>, timings: &Timings) -> io::Result<()> {
    timings.time("manifest", None, || {
        staged.par_iter().try_for_each(Staged::finish)
    })?;
    let start = std::time::Instant::now();
    fault_point("staged");
    for s in &staged {
        // A staging folder without the marker is not one this build made.
        if !s.staging.join(MARKER).is_file() {
            return Err(io::Error::other(format!(
                "{} is not the staging folder this build wrote",
                s.staging.display()
            )));
        }
    }
    let mut swapped: Vec<&Staged> = Vec::new();
    for s in &staged {
        let result = if swapped.len() == 1 && fault_here("second-swap") {
            Err(io::Error::other("a fault injected by the tests"))
        } else {
            swap_in(&s.staging, &s.dest)
        };
        if let Err(e) = result {
            for done in swapped.iter().rev() {
                let _ = swap_back(&done.dest);
            }
            for s in &staged {
                let _ = remove_owned(&s.staging);
            }
            return Err(e);
        }
        swapped.push(s);
        fault_point("swapped-one");
    }
    timings.record("swap", None, start.elapsed());
    // Each previous output is kept as the spare, for the next build to
    // bring up to date.
    timings.time("cleanup", None, || {
        staged.iter().try_for_each(|s| {
            let (old, spare) = (sibling(&s.dest, OLD), sibling(&s.dest, SPARE));
            if fs::symlink_metadata(&old).is_err() {
                return Ok(());
            }
            remove_owned(&spare)?;
            fs::rename(&old, &spare)?;
            fault_point("spared");
            Ok(())
        })
    })
}

/// Puts `staging` where `dest` is and the previous output, if any, at the
/// `OLD` sibling. Where the platform can exchange two folders in one step,
/// `dest` is never missing, not even for an instant; elsewhere it is missing
/// between two renames, and [`repair`] undoes a kill in that window.
fn swap_in(staging: &Path, dest: &Path) -> io::Result<()> {
    let old = sibling(dest, OLD);
    remove_owned(&old)?;
    if fs::symlink_metadata(dest).is_err() {
        return fs::rename(staging, dest);
    }
    if exchange(staging, dest).is_ok() {
        // `staging` now holds the previous output.
        fault_point("exchanged");
        return fs::rename(staging, &old);
    }
    fs::rename(dest, &old)?;
    if let Err(e) = fs::rename(staging, dest) {
        // Put the last good output back before reporting.
        let _ = fs::rename(&old, dest);
        return Err(e);
    }
    Ok(())
}

/// Undoes [`swap_in`]: the previous output goes back to `dest` (or, if there
/// was none, the new one goes), and the new one is removed.
fn swap_back(dest: &Path) -> io::Result<()> {
    let old = sibling(dest, OLD);
    if fs::symlink_metadata(&old).is_err() {
        return remove_owned(dest);
    }
    if exchange(&old, dest).is_err() {
        let new = sibling(dest, STAGING);
        fs::rename(dest, &new)?;
        fs::rename(&old, dest)?;
        return remove_owned(&new);
    }
    remove_owned(&old)
}

/// Exchanges two paths atomically (Linux `renameat2(RENAME_EXCHANGE)`).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(io::Error::from)
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> io::Result<()> {
    Err(io::Error::from(io::ErrorKind::Unsupported))
}

/// Hands the memory a finished stage freed back to the system.
///
/// An allocator keeps freed memory for reuse, so without this the peak of a
/// build is the sum of its stages' peaks rather than the largest of them: the
/// search index of one target, then the pages of another, each growing the
/// process instead of reusing what the last one let go. hubgen's allocator is
/// mimalloc (see `main.rs`); this asks it to return what it holds free.
pub fn release_free_memory() {
    // Each thread has its own heap: every worker collects its own, then this one.
    rayon::broadcast(|_| collect());
    collect();
}

/// Returns to the system what this thread's heap holds free.
// The one unsafe call in hubgen: mimalloc's collect, which has no safe wrapper.
#[allow(unsafe_code)]
fn collect() {
    // SAFETY: mi_collect only frees pages the allocator holds unused; it is
    // thread-safe and takes no pointers.
    unsafe {
        libmimalloc_sys::mi_collect(true);
    }
}

#[cfg(test)]
mod tests {
    use super::Sink;
    use super::*;

    fn build(dest: &Path, file: &str, text: &[u8]) -> Staged {
        let lock = Lock::take(dest.parent().unwrap(), &[dest]).unwrap();
        repair(dest).unwrap();
        let s = Staged::create(dest, &lock).unwrap();
        s.write(file, text).unwrap();
        s
    }

    #[test]
    fn swaps_in_and_discards() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("public/site");
        commit(vec![build(&dest, "old.html", b"old")], &Timings::new()).unwrap();

        build(&dest, "a/index.html", b"new").discard();
        assert_eq!(fs::read_to_string(dest.join("old.html")).unwrap(), "old");

        commit(vec![build(&dest, "a/index.html", b"new")], &Timings::new()).unwrap();
        assert!(!dest.join("old.html").exists());
        assert_eq!(
            fs::read_to_string(dest.join("a/index.html")).unwrap(),
            "new"
        );
        let mut left: Vec<_> = fs::read_dir(dir.path().join("public"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(left, [".hubgen-cache", ".site.hubgen-spare", "site"]);
    }

    #[test]
    fn a_file_another_output_wrote_is_linked_else_written_and_never_replaced() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("public/a"), dir.path().join("public/b"));
        let lock = Lock::take(&dir.path().join("public"), &[&a, &b]).unwrap();
        let (sa, sb) = (
            Staged::create(&a, &lock).unwrap(),
            Staged::create(&b, &lock).unwrap(),
        );
        sa.write("search/s/0.json", b"{}").unwrap();
        sb.link(&sa, "search/s/0.json", b"{}").unwrap();
        let ino = |p: PathBuf| fs::metadata(p).unwrap().ino();
        assert_eq!(
            ino(sa.staging.join("search/s/0.json")),
            ino(sb.staging.join("search/s/0.json"))
        );
        // Nothing to link to: written all the same.
        sb.link(&sa, "search/m/0.json", b"[]").unwrap();
        assert_eq!(fs::read(sb.staging.join("search/m/0.json")).unwrap(), b"[]");
        // A sink that is not on disk lends no file: written.
        sb.link(&Discard, "search/f/0.json", b"{}").unwrap();
        assert_eq!(fs::read(sb.staging.join("search/f/0.json")).unwrap(), b"{}");
        // A second producer of one path is an error, linked or written.
        assert!(sb.link(&sa, "search/s/0.json", b"{}").is_err());
        assert!(sb.link(&sa, "../escape.json", b"{}").is_err());
        sa.discard();
        sb.discard();
    }

    #[test]
    fn only_plain_relative_paths_are_written() {
        for bad in [
            "",
            "/etc/x",
            "../x",
            "a/../../x",
            "a//b",
            "./a",
            "a\\b",
            "a/.",
            "a\0b",
        ] {
            assert!(checked(bad).is_err(), "{bad:?}");
        }
        for good in ["index.html", "a/b/index.html", ".well-known/x", "a..b/c"] {
            assert!(checked(good).is_ok(), "{good:?}");
        }
    }

    #[test]
    fn a_folder_without_the_marker_is_never_deleted() {
        let dir = tempfile::tempdir().unwrap();
        let mine = dir.path().join("documents");
        fs::create_dir(&mine).unwrap();
        fs::write(mine.join("letter.txt"), "keep me").unwrap();
        assert!(remove_owned(&mine).is_err());
        assert_eq!(
            fs::read_to_string(mine.join("letter.txt")).unwrap(),
            "keep me"
        );
        // An empty folder is nobody's work.
        let empty = dir.path().join("empty");
        fs::create_dir(&empty).unwrap();
        remove_owned(&empty).unwrap();
        assert!(!empty.exists());
    }

    #[test]
    fn a_swap_cut_between_its_renames_is_repaired() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("site");
        commit(vec![build(&dest, "index.html", b"good")], &Timings::new()).unwrap();
        // What the two-rename swap leaves if killed between them.
        let staged = build(&dest, "index.html", b"new");
        fs::rename(&dest, sibling(&dest, OLD)).unwrap();
        drop(staged);
        repair(&dest).unwrap();
        assert_eq!(fs::read_to_string(dest.join("index.html")).unwrap(), "good");
        assert!(!sibling(&dest, OLD).exists());
        assert!(!sibling(&dest, STAGING).exists());
    }

    #[test]
    fn paths_are_resolved_lexically_and_on_disk() {
        let dir = tempfile::tempdir().unwrap();
        let root = resolve(Path::new("."), dir.path());
        fs::create_dir(root.join("content")).unwrap();
        assert_eq!(
            resolve(&root, Path::new("public/../content")),
            root.join("content")
        );
        assert_eq!(
            resolve(&root, Path::new("./public/./x")),
            root.join("public/x")
        );
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(root.join("content"), root.join("link")).unwrap();
            assert_eq!(
                resolve(&root, Path::new("link/new")),
                root.join("content/new")
            );
        }
    }
}
