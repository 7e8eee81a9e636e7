//! What a rebuild need not write again, and removing a tree on both cores.
//!
//! A file whose bytes equal the previous output's file at the same path is
//! hard-linked from it into staging instead of written: a rebuild after a
//! small edit then writes only what changed, and removing the previous
//! output after the swap frees almost nothing, since the new output still
//! holds those files. The previous output is only ever read here; where a
//! link cannot be made (another file system mounted on the output folder, a
//! file system without hard links) the file is written as usual.

use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::paths::owned;

/// How much of two files is compared at a time.
const CHUNK: usize = 64 * 1024;

/// The last output of a target, which a new build may link unchanged files from.
#[derive(Debug)]
pub(super) struct Previous {
    root: PathBuf,
}

impl Previous {
    /// The output at `dest`, when it is a folder (not a link to one) that hubgen made.
    pub(super) fn of(dest: &Path) -> Option<Previous> {
        let meta = fs::symlink_metadata(dest).ok()?;
        (meta.is_dir() && owned(dest).unwrap_or(false)).then(|| Previous {
            root: dest.to_path_buf(),
        })
    }

    /// Links `to` to the previous output's `rel` when that file holds exactly
    /// `bytes`. False when it does not, or the link cannot be made.
    pub(super) fn link_if_same(&self, rel: &Path, to: &Path, bytes: &[u8]) -> bool {
        let old = self.root.join(rel);
        let len = bytes.len() as u64;
        regular_file(&old, len).is_some_and(|f| same_bytes(f, bytes, len))
            && fs::hard_link(&old, to).is_ok()
    }

    /// As [`Previous::link_if_same`], for the bytes of the file at `from`.
    pub(super) fn link_if_same_file(&self, rel: &Path, to: &Path, from: &Path) -> bool {
        let old = self.root.join(rel);
        let Ok(len) = fs::metadata(from).map(|m| m.len()) else {
            return false;
        };
        let (Some(before), Ok(now)) = (regular_file(&old, len), File::open(from)) else {
            return false;
        };
        same_bytes(before, now, len) && fs::hard_link(&old, to).is_ok()
    }
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

    #[test]
    fn equal_bytes_are_linked_and_others_are_not() {
        let tmp = tempfile::tempdir().unwrap();
        let prev = previous(&tmp.path().join("out"));
        let big: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        fs::write(tmp.path().join("out/big.bin"), &big).unwrap();
        fs::write(tmp.path().join("out/a.html"), "same").unwrap();
        let new = tmp.path().join("new");
        fs::create_dir(&new).unwrap();

        assert!(prev.link_if_same(Path::new("a.html"), &new.join("a.html"), b"same"));
        let (a, b) = (
            fs::metadata(tmp.path().join("out/a.html")).unwrap(),
            fs::metadata(new.join("a.html")).unwrap(),
        );
        assert_eq!(a.ino(), b.ino(), "linked, not copied");

        assert!(prev.link_if_same(Path::new("big.bin"), &new.join("big.bin"), &big));
        let mut changed = big.clone();
        *changed.last_mut().unwrap() ^= 1;
        assert!(!prev.link_if_same(Path::new("big.bin"), &new.join("x.bin"), &changed));
        assert!(!prev.link_if_same(Path::new("a.html"), &new.join("b.html"), b"samE"));
        assert!(!prev.link_if_same(Path::new("a.html"), &new.join("c.html"), b"same!"));
        assert!(!prev.link_if_same(Path::new("none.html"), &new.join("d.html"), b""));
        assert!(!new.join("x.bin").exists() && !new.join("b.html").exists());

        let src = tmp.path().join("src.bin");
        fs::write(&src, &big).unwrap();
        assert!(prev.link_if_same_file(Path::new("big.bin"), &new.join("copy.bin"), &src));
        fs::write(&src, &changed).unwrap();
        assert!(!prev.link_if_same_file(Path::new("big.bin"), &new.join("copy2.bin"), &src));
    }

    #[test]
    fn a_link_in_the_previous_output_is_never_followed() {
        let tmp = tempfile::tempdir().unwrap();
        let prev = previous(&tmp.path().join("out"));
        let secret = tmp.path().join("secret.txt");
        fs::write(&secret, "same").unwrap();
        std::os::unix::fs::symlink(&secret, tmp.path().join("out/a.html")).unwrap();
        assert!(!prev.link_if_same(Path::new("a.html"), &tmp.path().join("n.html"), b"same"));
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
