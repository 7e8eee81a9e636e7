//! What a rebuild need not write again, and removing a tree on both cores.
//!
//! A build reuses the output before last (kept beside the output as its
//! spare folder): brought up to date by changing only the files that differ,
//! it becomes the new output, and the output it replaces becomes the next
//! spare. Files of the new output that equal the live output's are
//! hard-linked from it rather than written. Which files are the same is told
//! by each folder's [`Manifest`] (lengths and hashes), and where an output
//! has none (one made by an older hubgen) by comparing bytes. The live output
//! is only ever read here; where a link cannot be made (another file system
//! mounted on the output folder, a file system without hard links) the file
//! is written as usual.

use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::manifest::{Entry, Manifest};
use super::paths::owned;

/// Removes the folders above `path`, up to `root`, that are left empty,
/// nearest first: one that is not empty stays, with those above it. Of
/// several files of one folder removed at once, the last one's call removes
/// the folder.
pub(super) fn remove_empty_folders_above(root: &Path, path: &Path) {
    for folder in path.ancestors().skip(1).take_while(|f| *f != root) {
        if fs::remove_dir(folder).is_err() {
            break;
        }
    }
}

/// How much of two files is compared at a time.
const CHUNK: usize = 64 * 1024;

/// The last output of a target, which a new build may link unchanged files from.
#[derive(Debug)]
pub(super) struct Previous {
    root: PathBuf,
    /// What it holds, when it says (an output made by an older hubgen does not).
    manifest: Option<Manifest>,
}

impl Previous {
    /// The output at `dest`, when it is a folder (not a link to one) that hubgen made.
    pub(super) fn of(dest: &Path) -> Option<Previous> {
        let meta = fs::symlink_metadata(dest).ok()?;
        (meta.is_dir() && owned(dest).unwrap_or(false)).then(|| Previous {
            root: dest.to_path_buf(),
            manifest: Manifest::read(dest),
        })
    }

    /// Links `to` to the previous output's `rel` when that file holds the
    /// bytes `entry` describes (`bytes`). False when it does not, or the
    /// link cannot be made.
    pub(super) fn link_if_same(&self, rel: &str, to: &Path, entry: &Entry, bytes: &[u8]) -> bool {
        let old = self.root.join(rel);
        let same = match &self.manifest {
            Some(m) => m
                .get(rel)
                .is_some_and(|e| e.same_bytes(entry) && m.vouches_for(&old, e)),
            None => regular_file(&old, entry.len).is_some_and(|f| same_bytes(f, bytes, entry.len)),
        };
        same && fs::hard_link(&old, to).is_ok()
    }

    /// The previous output's page `rel`, with its entry, when the previous
    /// build (by this program) made it from the same `key`.
    pub(super) fn rendered(&self, rel: &str, key: u128) -> Option<(Entry, PathBuf)> {
        let m = self.manifest.as_ref().filter(|m| m.by_this_program)?;
        let old = self.root.join(rel);
        let e = m.get(rel)?;
        (e.key == Some(key) && m.vouches_for(&old, e)).then_some((*e, old))
    }
}

/// Makes `manifest` true of the folder `root` it was read from, as far as
/// the file system tells: files it does not list, or does not vouch for
/// (changed since, or links), are removed, and entries whose file is gone
/// are forgotten. What is left can be kept by a build that makes the same
/// bytes. The marker and the manifest itself are left alone.
pub(super) fn tidy(root: &Path, manifest: &mut Manifest) -> io::Result<()> {
    let mut found = Vec::new();
    for entry in walkdir::WalkDir::new(root).min_depth(1).follow_links(false) {
        let entry = entry.map_err(io::Error::other)?;
        if entry.file_type().is_dir() {
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(root)
            .ok()
            .and_then(Path::to_str)
            .map(|r| r.replace(std::path::MAIN_SEPARATOR, "/"));
        found.push((entry.into_path(), rel));
    }
    let verdicts: Vec<(Option<String>, bool)> = found
        .into_par_iter()
        .map(|(path, rel)| {
            let keep = match &rel {
                Some(r) if super::is_own_file(Path::new(r)) => return Ok((None, true)),
                Some(r) => manifest
                    .get(r)
                    .is_some_and(|e| manifest.vouches_for(&path, e)),
                None => false,
            };
            if !keep {
                fs::remove_file(&path)?;
                remove_empty_folders_above(root, &path);
            }
            Ok((rel, keep))
        })
        .collect::<io::Result<_>>()?;
    let kept: std::collections::HashSet<String> = verdicts
        .into_iter()
        .filter_map(|(rel, keep)| rel.filter(|_| keep))
        .collect();
    let listed: Vec<String> = manifest.files().map(|(r, _)| r.clone()).collect();
    for rel in listed.iter().filter(|r| !kept.contains(*r)) {
        manifest.forget(rel);
    }
    Ok(())
}

/// Whether `old` and `new` both hold `len` bytes first, the same ones, read
/// a [`CHUNK`] at a time.
fn same_bytes(mut old: impl Read, mut new: impl Read, len: u64) -> bool {
    let size = usize::try_from(len.min(CHUNK as u64)).unwrap_or(CHUNK);
    let (mut was, mut is) = (vec![0; size], vec![0; size]);
    let mut left = len;
    while left > 0 {
        let n = usize::try_from(left.min(CHUNK as u64)).unwrap_or(CHUNK);
        let read = old.read_exact(&mut was[..n]).is_ok() && new.read_exact(&mut is[..n]).is_ok();
        if !read || was[..n] != is[..n] {
            return false;
        }
        left -= n as u64;
    }
    true
}

/// The file at `path`, opened, when it is a regular file (not a link) of `len` bytes.
fn regular_file(path: &Path, len: u64) -> Option<File> {
    let meta = fs::symlink_metadata(path).ok()?;
    if !meta.is_file() || meta.len() != len {
        return None;
    }
    File::open(path).ok()
}

/// Removes `dir` and everything below it, the entries of each folder in
/// parallel. Never follows a symbolic link: a link is removed, not what it
/// points to.
pub(super) fn remove_tree(dir: &Path) -> io::Result<()> {
    let entries: Vec<fs::DirEntry> = fs::read_dir(dir)?.collect::<io::Result<_>>()?;
    entries.par_iter().try_for_each(remove_entry)?;
    fs::remove_dir(dir)
}

/// Removes one entry of a folder: a folder with everything in it, or a file or link.
pub(super) fn remove_entry(entry: &fs::DirEntry) -> io::Result<()> {
    if entry.file_type()?.is_dir() {
        remove_tree(&entry.path())
    } else {
        fs::remove_file(entry.path())
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::MetadataExt;

    fn previous(dir: &Path) -> Previous {
        fs::create_dir_all(dir).unwrap();
        super::super::mark(dir).unwrap();
        Previous::of(dir).expect("a marked folder is a previous output")
    }

    /// `prev.link_if_same` for `bytes`.
    fn link(prev: &Previous, rel: &str, to: &Path, bytes: &[u8]) -> bool {
        prev.link_if_same(rel, to, &Entry::of(bytes, None), bytes)
    }

    #[test]
    fn equal_bytes_are_linked_and_others_are_not() {
        let tmp = tempfile::tempdir().unwrap();
        let big: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        let out = tmp.path().join("out");
        fs::create_dir_all(&out).unwrap();
        fs::write(out.join("big.bin"), &big).unwrap();
        fs::write(out.join("a.html"), "same").unwrap();
        // Told by comparing bytes (an output without a manifest), then by its manifest.
        for with_manifest in [false, true] {
            if with_manifest {
                let files = [("big.bin", &big[..]), ("a.html", b"same")]
                    .map(|(r, b)| (r.to_string(), Entry::of(b, None)));
                Manifest::write(&out, &files.into_iter().collect()).unwrap();
            }
            let prev = previous(&out);
            assert_eq!(prev.manifest.is_some(), with_manifest);
            let new = tmp.path().join(format!("new-{with_manifest}"));
            fs::create_dir(&new).unwrap();

            assert!(link(&prev, "a.html", &new.join("a.html"), b"same"));
            let (a, b) = (
                fs::metadata(out.join("a.html")).unwrap(),
                fs::metadata(new.join("a.html")).unwrap(),
            );
            assert_eq!(a.ino(), b.ino(), "linked, not copied");

            assert!(link(&prev, "big.bin", &new.join("big.bin"), &big));
            let mut changed = big.clone();
            *changed.last_mut().unwrap() ^= 1;
            assert!(!link(&prev, "big.bin", &new.join("x.bin"), &changed));
            assert!(!link(&prev, "a.html", &new.join("b.html"), b"samE"));
            assert!(!link(&prev, "a.html", &new.join("c.html"), b"same!"));
            assert!(!link(&prev, "none.html", &new.join("d.html"), b""));
            assert!(!new.join("x.bin").exists() && !new.join("b.html").exists());
        }
    }

    #[test]
    fn tidying_leaves_only_what_the_manifest_vouches_for() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        fs::create_dir_all(out.join("a")).unwrap();
        super::super::mark(&out).unwrap();
        let files = [
            ("a/index.html", "kept"),
            ("b.html", "edited later"),
            ("gone.html", "x"),
        ];
        for (rel, text) in files {
            fs::write(out.join(rel), text).unwrap();
        }
        let listed = files.map(|(r, t)| (r.to_string(), Entry::of(t.as_bytes(), None)));
        Manifest::write(&out, &listed.into_iter().collect()).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        fs::write(out.join("b.html"), "EDITED LATER").unwrap();
        fs::write(out.join("a/extra.html"), "not listed").unwrap();
        fs::remove_file(out.join("gone.html")).unwrap();
        std::os::unix::fs::symlink(tmp.path(), out.join("link.html")).unwrap();

        let mut m = Manifest::read(&out).unwrap();
        tidy(&out, &mut m).unwrap();
        let mut left: Vec<String> = m.files().map(|(r, _)| r.clone()).collect();
        left.sort();
        assert_eq!(left, ["a/index.html"]);
        assert!(out.join("a/index.html").is_file() && out.join(super::super::MARKER).is_file());
        for gone in ["b.html", "a/extra.html", "link.html"] {
            assert!(fs::symlink_metadata(out.join(gone)).is_err(), "{gone}");
        }
        assert!(tmp.path().exists(), "a link is removed, not followed");
    }

    #[test]
    fn a_link_in_the_previous_output_is_never_followed() {
        let tmp = tempfile::tempdir().unwrap();
        let prev = previous(&tmp.path().join("out"));
        let secret = tmp.path().join("secret.txt");
        fs::write(&secret, "same").unwrap();
        std::os::unix::fs::symlink(&secret, tmp.path().join("out/a.html")).unwrap();
        assert!(!link(&prev, "a.html", &tmp.path().join("n.html"), b"same"));
        // Nor is an unmarked folder, or a link to a marked one, a previous output.
        assert!(Previous::of(tmp.path()).is_none());
        std::os::unix::fs::symlink(tmp.path().join("out"), tmp.path().join("via")).unwrap();
        assert!(Previous::of(&tmp.path().join("via")).is_none());
    }

    #[test]
    fn a_tree_is_removed_without_following_links() {
        let tmp = tempfile::tempdir().unwrap();
        let keep = tmp.path().join("keep");
        fs::create_dir(&keep).unwrap();
        fs::write(keep.join("file"), "kept").unwrap();
        let tree = tmp.path().join("tree");
        for i in 0..20 {
            fs::create_dir_all(tree.join(format!("d{i}/e"))).unwrap();
            fs::write(tree.join(format!("d{i}/e/f.html")), "x").unwrap();
        }
        std::os::unix::fs::symlink(&keep, tree.join("link")).unwrap();
        remove_tree(&tree).unwrap();
        assert!(!tree.exists());
        assert_eq!(fs::read_to_string(keep.join("file")).unwrap(), "kept");
    }
}
