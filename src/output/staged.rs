//! [`Staged`]: a target's output while a build writes it, beside the live
//! output, starting from the spare (the output before last) where there is
//! one, and ending with the manifest of what it holds.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use rayon::prelude::*;

use super::manifest::{Entry, Manifest};
use super::{
    checked, fault_point, mark, remove_owned, reuse, sibling, Lock, Sink, MARKER, SPARE, STAGING,
};

/// A target's output while it is being written.
#[derive(Debug)]
pub struct Staged {
    /// Where the finished output goes.
    pub dest: PathBuf,
    /// Where it is written meanwhile: a hidden sibling of `dest`, so that the
    /// final rename stays on one file system and is atomic.
    pub staging: PathBuf,
    /// The output the last build left at `dest`, which files that have not
    /// changed are linked from.
    previous: Option<reuse::Previous>,
    /// When staging began as the spare (the output before last): what it
    /// still holds of it. Those files are kept where this build makes the
    /// same bytes, and removed at the end where it makes none.
    reused: Option<Manifest>,
    /// Every file this build placed: the new manifest, and how a second
    /// maker of one file is caught.
    placed: Mutex<BTreeMap<String, Entry>>,
}

impl Staged {
    /// A staging folder for `dest`, marked as hubgen's: the spare brought
    /// back when there is one that says what it holds, else a fresh, empty
    /// folder. The caller holds the site's [`Lock`] and has [`repair`]ed `dest`.
    pub fn create(dest: &Path, _lock: &Lock) -> io::Result<Staged> {
        let staging = sibling(dest, STAGING);
        remove_owned(&staging)?;
        if let Some(parent) = staging.parent() {
            fs::create_dir_all(parent)?;
        }
        let reused = reuse_spare(dest, &staging)?;
        if reused.is_none() {
            fs::create_dir(&staging)?;
            mark(&staging)?;
        }
        Ok(Staged {
            dest: dest.to_path_buf(),
            staging,
            previous: reuse::Previous::of(dest),
            reused,
            placed: Mutex::default(),
        })
    }

    /// Throws the staged output away.
    pub fn discard(self) {
        let _ = remove_owned(&self.staging);
    }

    /// Records that this build makes `rel`; an error if something already did.
    fn claim(&self, rel: &str, entry: Entry) -> io::Result<()> {
        let mut placed = self.placed.lock().unwrap_or_else(PoisonError::into_inner);
        if placed.insert(rel.to_string(), entry).is_some() {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!("`{rel}` was written twice"),
            ));
        }
        Ok(())
    }

    /// Whether the reused spare already holds `entry`'s bytes at `rel` (`path`).
    fn holds(&self, rel: &str, path: &Path, entry: &Entry) -> bool {
        self.reused
            .as_ref()
            .and_then(|m| m.get(rel))
            .is_some_and(|e| e.same_bytes(entry) && is_file_of(path, e.len))
    }

    /// Makes room for a new file at `path` (`rel`) in a reused spare: what
    /// stands there (an older file, or a folder of older files) is removed,
    /// never written over, since it may be shared with the live output by a
    /// hard link. The folders above it are made, an older file standing in
    /// the way of one removed first.
    fn make_room(&self, rel: &str, path: &Path) -> io::Result<()> {
        if self.reused.is_some() {
            match fs::symlink_metadata(path) {
                Ok(m) if m.is_dir() => {
                    self.unclaimed_below(rel)?;
                    reuse::remove_tree(path)?;
                }
                Ok(_) => fs::remove_file(path)?,
                // Nothing there, or a file where a folder above it goes (below).
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
                    ) => {}
                Err(e) => return Err(e),
            }
        }
        let Some(parent) = path.parent() else {
            return Ok(());
        };
        match fs::create_dir_all(parent) {
            Err(e) if self.reused.is_some() => {
                // An older file where a folder now goes: `about` was a
                // file, `about/index.html` is wanted.
                let mut at = self.staging.clone();
                for seg in rel
                    .split('/')
                    .collect::<Vec<_>>()
                    .split_last()
                    .map_or(&[][..], |(_, s)| s)
                {
                    at.push(seg);
                    if fs::symlink_metadata(&at).is_ok_and(|m| !m.is_dir()) {
                        let above = at.strip_prefix(&self.staging).map_err(io::Error::other)?;
                        let above = above
                            .to_string_lossy()
                            .replace(std::path::MAIN_SEPARATOR, "/");
                        if self
                            .placed
                            .lock()
                            .unwrap_or_else(PoisonError::into_inner)
                            .contains_key(&above)
                        {
                            return Err(e);
                        }
                        // Another thread making a folder there may have removed it first.
                        match fs::remove_file(&at) {
                            Err(e) if e.kind() != io::ErrorKind::NotFound && !at.is_dir() => {
                                return Err(e)
                            }
                            _ => {}
                        }
                    }
                }
                fs::create_dir_all(parent)
            }
            other => other,
        }
    }

    /// An error when this build has placed a file below the folder `rel`.
    fn unclaimed_below(&self, rel: &str) -> io::Result<()> {
        let below = format!("{rel}/");
        let placed = self.placed.lock().unwrap_or_else(PoisonError::into_inner);
        match placed.range(below.clone()..).next() {
            Some((r, _)) if r.starts_with(&below) => Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!("`{rel}` is both a file and a folder of this output"),
            )),
            _ => Ok(()),
        }
    }

    /// Places `bytes` at `rel`: kept where the reused spare holds them,
    /// linked from `other` (another output of this build that wrote them)
    /// or from the live output where it holds them, else written.
    fn place(
        &self,
        rel: &str,
        bytes: &[u8],
        key: Option<u128>,
        other: Option<&dyn Sink>,
    ) -> io::Result<()> {
        let checked_rel = checked(rel)?;
        let entry = Entry::of(bytes, key);
        self.claim(rel, entry)?;
        let path = self.staging.join(checked_rel);
        if self.holds(rel, &path, &entry) {
            return Ok(());
        }
        if self.reused.is_some() {
            fault_point("reusing");
        }
        self.make_room(rel, &path)?;
        // Another file system, or no such file: written as any other.
        if let Some(source) = other.and_then(|o| o.written_at(rel)) {
            if fs::hard_link(&source, &path).is_ok() {
                return Ok(());
            }
        }
        if let Some(previous) = &self.previous {
            if previous.link_if_same(rel, &path, &entry, bytes) {
                return Ok(());
            }
        }
        // A new file, never an existing one: every output file has one
        // producer, and a second write would mean two claimed the same path.
        File::create_new(&path)?.write_all(bytes)
    }

    /// Brings the staged output to its end: files of the reused spare that
    /// this build did not make are removed, with folders left empty, and
    /// the manifest of what it holds is written.
    pub(super) fn finish(&self) -> io::Result<()> {
        let placed =
            std::mem::take(&mut *self.placed.lock().unwrap_or_else(PoisonError::into_inner));
        if let Some(reused) = &self.reused {
            let stale: Vec<&String> = reused
                .files()
                .map(|(rel, _)| rel)
                .filter(|rel| !placed.contains_key(*rel))
                .collect();
            stale.par_iter().try_for_each(|rel| {
                // Gone already where a folder of this build took its place.
                let path = self.staging.join(rel.as_str());
                if fs::symlink_metadata(&path).is_ok_and(|m| !m.is_dir()) {
                    fs::remove_file(&path)?;
                }
                reuse::remove_empty_folders_above(&self.staging, &path);
                Ok::<_, io::Error>(())
            })?;
        }
        Manifest::write(&self.staging, &placed)
    }
}

/// The spare folder of `dest`, renamed to `staging` and made true to its
/// manifest, when there is one that has a manifest; otherwise it is removed
/// (if it is hubgen's) and there is none. From the rename on, a kill leaves
/// a staging folder, which the next build removes: a spare half brought up
/// to date is never used.
fn reuse_spare(dest: &Path, staging: &Path) -> io::Result<Option<Manifest>> {
    let spare = sibling(dest, SPARE);
    let Ok(meta) = fs::symlink_metadata(&spare) else {
        return Ok(None);
    };
    // Not when the output itself is gone (deleting it asks for a build
    // from nothing), nor where names that differ only in case or Unicode
    // form are one file (`Files/` and `files/`): the spare's names would
    // stay as they were.
    let usable = meta.is_dir()
        && spare.join(MARKER).is_file()
        && fs::symlink_metadata(dest).is_ok_and(|m| m.is_dir())
        && names_are_exact(&spare)?;
    let manifest = usable.then(|| Manifest::read(&spare)).flatten();
    let Some(mut manifest) = manifest else {
        remove_owned(&spare)?;
        return Ok(None);
    };
    fs::rename(&spare, staging)?;
    Manifest::remove(staging)?;
    reuse::tidy(staging, &mut manifest)?;
    Ok(Some(manifest))
}

/// Whether the file system of `dir` (a folder hubgen made) tells apart
/// names that differ only in case, or only in Unicode normal form: a probe
/// file made under one name, looked for under the others.
fn names_are_exact(dir: &Path) -> io::Result<bool> {
    let probe = dir.join(".hubgen-probe-\u{e9}");
    let _ = fs::remove_file(&probe);
    File::create_new(&probe)?;
    let exact = [".HUBGEN-PROBE-\u{c9}", ".hubgen-probe-e\u{301}"]
        .iter()
        .all(|other| fs::symlink_metadata(dir.join(other)).is_err());
    fs::remove_file(&probe)?;
    Ok(exact)
}

impl Sink for Staged {
    fn write(&self, rel: &str, bytes: &[u8]) -> io::Result<()> {
        self.place(rel, bytes, None, None)
    }

    fn copy(&self, from: &Path, rel: &str) -> io::Result<()> {
        let bytes = fs::read(from)?;
        self.place(rel, &bytes, None, None)
    }

    fn written_at(&self, rel: &str) -> Option<PathBuf> {
        checked(rel).ok().map(|rel| self.staging.join(rel))
    }

    fn link(&self, from: &dyn Sink, rel: &str, bytes: &[u8]) -> io::Result<()> {
        self.place(rel, bytes, None, Some(from))
    }

    fn keeps_pages(&self) -> bool {
        true
    }

    fn keep_page(&self, rel: &str, key: u128) -> bool {
        let Ok(checked_rel) = checked(rel) else {
            return false;
        };
        let path = self.staging.join(checked_rel);
        // In the reused spare, made from the same key by this program.
        let spare = self
            .reused
            .as_ref()
            .filter(|m| m.by_this_program)
            .and_then(|m| m.get(rel));
        if let Some(e) = spare.filter(|e| e.key == Some(key) && is_file_of(&path, e.len)) {
            return self.claim(rel, *e).is_ok();
        }
        // In the live output: linked from it.
        let Some(previous) = &self.previous else {
            return false;
        };
        let Some((e, from)) = previous.rendered(rel, key) else {
            return false;
        };
        if self.claim(rel, e).is_err() {
            return false;
        }
        if self.make_room(rel, &path).is_ok() && fs::hard_link(from, &path).is_ok() {
            return true;
        }
        // Rendered after all (a file it removed is not held any more).
        self.placed
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(rel);
        false
    }

    fn write_page(&self, rel: &str, bytes: &[u8], key: Option<u128>) -> io::Result<()> {
        self.place(rel, bytes, key, None)
    }

    // The live output's, else the one staging holds when it began as the
    // spare; only a regular file (not a link to elsewhere, nor a device).
    fn read_own(&self, name: &str) -> Option<Vec<u8>> {
        [&self.dest, &self.staging].into_iter().find_map(|dir| {
            let path = dir.join(name);
            fs::symlink_metadata(&path)
                .is_ok_and(|m| m.is_file())
                .then(|| fs::read(&path).ok())
                .flatten()
        })
    }

    fn write_own(&self, name: &str, parts: &[Vec<u8>]) -> io::Result<()> {
        let path = self.staging.join(checked(name)?);
        // The spare's own copy, if staging began as the spare, is replaced.
        match fs::remove_file(&path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
        let mut file = io::BufWriter::new(File::create_new(&path)?);
        for part in parts {
            file.write_all(part)?;
        }
        file.into_inner().map_err(io::IntoInnerError::into_error)?;
        Ok(())
    }
}

/// Whether `path` is a regular file of `len` bytes.
fn is_file_of(path: &Path, len: u64) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| m.is_file() && m.len() == len)
}

#[cfg(test)]
mod tests {
    use super::super::{commit, is_own_file, repair};
    use super::*;
    use crate::timings::Timings;

    /// A build of `files` into `dest`, swapped in.
    fn build_all(dest: &Path, files: &[(&str, &str)]) {
        let lock = Lock::take(dest.parent().unwrap(), &[dest]).unwrap();
        repair(dest).unwrap();
        let s = Staged::create(dest, &lock).unwrap();
        for (rel, text) in files {
            s.write(rel, text.as_bytes()).unwrap();
        }
        commit(vec![s], &Timings::new()).unwrap();
    }

    /// Every file below `dir` but hubgen's own, with its text.
    fn files_of(dir: &Path) -> BTreeMap<String, String> {
        walkdir::WalkDir::new(dir)
            .into_iter()
            .map(Result::unwrap)
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                e.path()
                    .strip_prefix(dir)
                    .unwrap()
                    .to_str()
                    .unwrap()
                    .to_string()
            })
            .filter(|rel| !is_own_file(Path::new(rel)))
            .map(|rel| (rel.clone(), fs::read_to_string(dir.join(&rel)).unwrap()))
            .collect()
    }

    #[test]
    fn a_rebuild_brings_the_spare_up_to_date_changing_only_what_differs() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("public/site");
        let spare = sibling(&dest, SPARE);
        let ino = |p: PathBuf| fs::metadata(p).unwrap().ino();
        let first = [
            ("index.html", "home"),
            ("a/index.html", "a"),
            ("b/index.html", "b"),
            ("gone/x/index.html", "g"),
            ("about", "a file"),
        ];
        build_all(&dest, &first);
        assert!(!spare.exists(), "nothing to keep after a first build");
        let second = [
            ("index.html", "home"),
            ("a/index.html", "a"),
            ("b/index.html", "b2"),
            ("gone/x/index.html", "g"),
            ("about", "a file"),
        ];
        build_all(&dest, &second);
        assert_eq!(
            files_of(&spare),
            files_of_list(&first),
            "the first output is the spare"
        );
        let kept = ino(spare.join("a/index.html"));

        // The third build starts from the first output.
        let third = [
            ("index.html", "home"),
            ("a/index.html", "a"),
            ("b/index.html", "b3"),
            ("new/index.html", "n"),
            ("about/index.html", "a folder now"),
        ];
        build_all(&dest, &third);
        assert_eq!(files_of(&dest), files_of_list(&third));
        assert_eq!(
            ino(dest.join("a/index.html")),
            kept,
            "an unchanged file is kept, not written"
        );
        assert!(!dest.join("gone").exists(), "folders emptied are removed");
        assert_eq!(
            files_of(&spare),
            files_of_list(&second),
            "the second output is the spare"
        );
        let m = Manifest::read(&dest).expect("the output says what it holds");
        assert_eq!(m.files().count(), third.len());
        assert!(m
            .get("about/index.html")
            .is_some_and(|e| e.same_bytes(&Entry::of(b"a folder now", None))));

        // A file of the spare edited in place (it is the live output's too,
        // through a link) is not kept: the output is what the build made.
        std::thread::sleep(std::time::Duration::from_millis(20));
        fs::write(dest.join("index.html"), "HOME").unwrap();
        fs::write(spare.join("stray.html"), "not made by a build").unwrap();
        build_all(&dest, &third);
        assert_eq!(files_of(&dest), files_of_list(&third));
        build_all(&dest, &third);
        assert_eq!(files_of(&dest), files_of_list(&third));

        // The output deleted by hand: the next build starts from nothing.
        fs::remove_dir_all(&dest).unwrap();
        build_all(&dest, &second);
        assert_eq!(files_of(&dest), files_of_list(&second));
        assert!(
            !spare.exists(),
            "the spare is not used, and nothing replaced makes one"
        );
        assert!(names_are_exact(dest.parent().unwrap()).unwrap());
    }

    fn files_of_list(files: &[(&str, &str)]) -> BTreeMap<String, String> {
        files
            .iter()
            .map(|(r, t)| (r.to_string(), t.to_string()))
            .collect()
    }

    #[test]
    fn a_second_maker_of_one_file_is_an_error_in_a_reused_spare_too() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("site");
        build_all(&dest, &[("a.html", "1")]);
        build_all(&dest, &[("a.html", "2")]);
        let lock = Lock::take(dir.path(), &[&dest]).unwrap();
        repair(&dest).unwrap();
        let s = Staged::create(&dest, &lock).unwrap();
        assert!(s.reused.is_some());
        s.write("a.html", b"1").unwrap();
        assert!(s.write("a.html", b"1").is_err());
        assert!(s.write("a.html", b"3").is_err());
        s.write("b/c.html", b"x").unwrap();
        assert!(s.write("b", b"a file where a folder was made").is_err());
        s.discard();
        assert_eq!(fs::read_to_string(dest.join("a.html")).unwrap(), "2");
    }
}
