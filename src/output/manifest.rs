//! What an output folder holds, written into it as the build's last file:
//! each file's path, length and content hash, and for a page the key of what
//! it was rendered from. The next build reads it to change only what differs
//! (see [`super::Staged`]) instead of comparing every file's bytes.
//!
//! The file is trusted only as far as the folder agrees with it: a file whose
//! length differs, or that was modified after the manifest was written, is
//! not the file the manifest describes (see [`Manifest::vouches_for`]).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::io::{self, Write};
use std::path::Path;
use std::time::SystemTime;

use rustc_hash::FxHashMap;

/// The manifest's name inside an output folder.
pub const MANIFEST: &str = ".hubgen-manifest";

/// The first line of a manifest: its format, so that another format is never misread.
const HEADER: &str = "hubgen manifest 1";

/// This program, as far as its version, commit and file tell, hashed: the
/// second line of a manifest. A page's key covers what the page is made
/// from, not the program that makes it, so pages are kept by their keys
/// only from an output this same program made; a hubgen built again from
/// changed sources renders every page afresh.
pub(crate) fn program() -> &'static str {
    static PROGRAM: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    PROGRAM.get_or_init(|| {
        let mut h = KeyHasher::new();
        h.add(env!("CARGO_PKG_VERSION").as_bytes());
        h.add(&[0]);
        h.add(env!("HUBGEN_COMMIT").as_bytes());
        if let Ok(meta) = std::env::current_exe().and_then(fs::metadata) {
            h.add(&meta.len().to_le_bytes());
            let since = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .unwrap_or_default();
            h.add(&since.as_nanos().to_le_bytes());
        }
        format!("program {:032x}", h.finish())
    })
}

/// One file of an output folder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Entry {
    /// Its length in bytes.
    pub(super) len: u64,
    /// Its bytes' hash ([`hash`]).
    pub(super) hash: u128,
    /// For a page, the hash of everything it was rendered from (its template
    /// context and the theme), so that a page whose key is unchanged need not
    /// be rendered again; none for other files.
    pub(super) key: Option<u128>,
}

impl Entry {
    /// The entry of a file holding `bytes`.
    pub(super) fn of(bytes: &[u8], key: Option<u128>) -> Entry {
        Entry {
            len: bytes.len() as u64,
            hash: hash(bytes),
            key,
        }
    }

    /// Whether the file holds the same bytes as `other` describes.
    pub(super) fn same_bytes(&self, other: &Entry) -> bool {
        self.len == other.len && self.hash == other.hash
    }
}

/// The 128-bit XXH3 hash of `bytes`: what tells two files apart.
pub(super) fn hash(bytes: &[u8]) -> u128 {
    twox_hash::XxHash3_128::oneshot(bytes)
}

/// A hash of several parts, as [`hash`] of one: the key of a page.
///
/// A page's context comes in thousands of small parts; the streaming hasher
/// copies each into its own buffer, which cost more than the hashing. The
/// parts are gathered here instead and hashed in large blocks (the hash of
/// the same bytes, however they were split).
pub struct KeyHasher {
    streaming: Option<twox_hash::XxHash3_128>,
    gathered: Vec<u8>,
}

/// How many bytes [`KeyHasher`] gathers before it hashes them.
const GATHER: usize = 64 * 1024;

impl KeyHasher {
    /// A hasher that has seen nothing.
    pub fn new() -> KeyHasher {
        KeyHasher {
            streaming: None,
            gathered: Vec::with_capacity(4096),
        }
    }

    /// Adds `bytes`.
    // Inlined: most parts are a tag or a length, copied as a few stores.
    #[inline]
    pub fn add(&mut self, bytes: &[u8]) {
        if self.gathered.len() + bytes.len() <= GATHER {
            self.gathered.extend_from_slice(bytes);
        } else {
            self.hash_gathered_then(bytes);
        }
    }

    /// Hashes what was gathered, then gathers `bytes` (or hashes them too, when large).
    #[cold]
    fn hash_gathered_then(&mut self, bytes: &[u8]) {
        let h = self
            .streaming
            .get_or_insert_with(twox_hash::XxHash3_128::new);
        h.write(&self.gathered);
        self.gathered.clear();
        if bytes.len() > GATHER {
            h.write(bytes);
        } else {
            self.gathered.extend_from_slice(bytes);
        }
    }

    /// The hash of everything added.
    pub fn finish(&self) -> u128 {
        match &self.streaming {
            None => twox_hash::XxHash3_128::oneshot(&self.gathered),
            Some(h) => {
                let mut h = h.clone();
                h.write(&self.gathered);
                h.finish_128()
            }
        }
    }
}

impl Default for KeyHasher {
    fn default() -> Self {
        KeyHasher::new()
    }
}

/// The manifest of an output folder, as read back.
#[derive(Debug, Default)]
pub(super) struct Manifest {
    files: FxHashMap<String, Entry>,
    /// When the manifest was written: a file modified later is not the one it describes.
    written: Option<SystemTime>,
    /// Whether this program wrote it (see [`program`]).
    pub(super) by_this_program: bool,
}

impl Manifest {
    /// The manifest of the folder `dir`, or none when it has none, or one
    /// that cannot be read or is not in this format.
    pub(super) fn read(dir: &Path) -> Option<Manifest> {
        let path = dir.join(MANIFEST);
        let meta = fs::symlink_metadata(&path).ok()?;
        if !meta.is_file() {
            return None;
        }
        let text = fs::read_to_string(&path).ok()?;
        let mut lines = text.split('\n');
        if lines.next()? != HEADER {
            return None;
        }
        let by_this_program = lines.next()? == program();
        let mut files = FxHashMap::default();
        for line in lines.filter(|l| !l.is_empty()) {
            let (rel, entry) = parse_line(line)?;
            files.insert(rel, entry);
        }
        Some(Manifest {
            files,
            written: Some(meta.modified().ok()?),
            by_this_program,
        })
    }

    /// The entry of `rel`, if the manifest lists it.
    pub(super) fn get(&self, rel: &str) -> Option<&Entry> {
        self.files.get(rel)
    }

    /// Every file the manifest lists.
    pub(super) fn files(&self) -> impl Iterator<Item = (&String, &Entry)> {
        self.files.iter()
    }

    /// Forgets `rel` (its file is gone, or not the one described).
    pub(super) fn forget(&mut self, rel: &str) {
        self.files.remove(rel);
    }

    /// Whether the file at `path` (the folder's `rel`) is the one the
    /// manifest describes as far as the file system tells without reading
    /// it: a regular file (not a link) of the listed length, last modified no
    /// later than the manifest itself. A file edited in place after the build
    /// fails this, and is then treated as unknown.
    pub(super) fn vouches_for(&self, path: &Path, entry: &Entry) -> bool {
        let (Ok(meta), Some(written)) = (fs::symlink_metadata(path), self.written) else {
            return false;
        };
        meta.is_file() && meta.len() == entry.len && meta.modified().is_ok_and(|m| m <= written)
    }

    /// Writes the manifest of `files` into `dir`, in path order (the same
    /// output gives the same manifest), replacing any there.
    pub(super) fn write(dir: &Path, files: &BTreeMap<String, Entry>) -> io::Result<()> {
        let mut text = String::with_capacity(64 * (files.len() + 1));
        text.push_str(HEADER);
        text.push('\n');
        text.push_str(program());
        text.push('\n');
        for (rel, e) in files {
            let key = e
                .key
                .map_or_else(|| "-".to_string(), |k| format!("{k:032x}"));
            let rel = serde_json::to_string(rel).map_err(io::Error::other)?;
            let _ = writeln!(text, "{:032x} {} {key} {rel}", e.hash, e.len);
        }
        let path = dir.join(MANIFEST);
        // Never written in place: the folder's files may be shared with the
        // live output by hard links, and the manifest is replaced as a whole.
        let temp = dir.join(format!("{MANIFEST}.new"));
        let _ = fs::remove_file(&temp);
        fs::File::create_new(&temp)?.write_all(text.as_bytes())?;
        fs::rename(&temp, &path)
    }

    /// Removes the manifest from `dir`: the folder is about to change, and
    /// until a new one is written nothing in it is vouched for.
    pub(super) fn remove(dir: &Path) -> io::Result<()> {
        match fs::remove_file(dir.join(MANIFEST)) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}

/// `HASH LEN KEY "PATH"`, KEY being `-` for a file that is not a page.
fn parse_line(line: &str) -> Option<(String, Entry)> {
    let mut parts = line.splitn(4, ' ');
    let hash = u128::from_str_radix(parts.next()?, 16).ok()?;
    let len = parts.next()?.parse().ok()?;
    let key = match parts.next()? {
        "-" => None,
        k => Some(u128::from_str_radix(k, 16).ok()?),
    };
    let rel: String = serde_json::from_str(parts.next()?).ok()?;
    Some((rel, Entry { len, hash, key }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_the_hash_of_its_bytes_however_they_come() {
        let bytes: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 251) as u8).collect();
        for sizes in [
            &[1usize, 3, 17][..],
            &[4096],
            &[GATHER - 1, 2],
            &[GATHER + 5, 9],
        ] {
            let mut h = KeyHasher::new();
            let mut at = 0;
            for size in sizes.iter().cycle() {
                let end = (at + size).min(bytes.len());
                h.add(&bytes[at..end]);
                at = end;
                if at == bytes.len() {
                    break;
                }
            }
            assert_eq!(h.finish(), hash(&bytes), "parts of {sizes:?}");
        }
        let mut small = KeyHasher::new();
        small.add(b"a page");
        assert_eq!(small.finish(), hash(b"a page"));
    }

    #[test]
    fn a_manifest_reads_back_what_was_written() {
        let dir = tempfile::tempdir().unwrap();
        let mut files = BTreeMap::new();
        files.insert("index.html".to_string(), Entry::of(b"<p>home</p>", Some(7)));
        files.insert("a b/odd\n\"name\".css".to_string(), Entry::of(b"x", None));
        Manifest::write(dir.path(), &files).unwrap();
        let m = Manifest::read(dir.path()).expect("it reads back");
        assert!(m.by_this_program);
        assert_eq!(m.files().count(), 2);
        for (rel, e) in &files {
            assert_eq!(m.get(rel), Some(e), "{rel:?}");
        }
        let again = fs::read(dir.path().join(MANIFEST)).unwrap();
        Manifest::write(dir.path(), &files).unwrap();
        assert_eq!(
            fs::read(dir.path().join(MANIFEST)).unwrap(),
            again,
            "the same bytes"
        );
    }

    #[test]
    fn a_damaged_or_foreign_manifest_is_none() {
        let dir = tempfile::tempdir().unwrap();
        assert!(Manifest::read(dir.path()).is_none());
        for text in [
            "",
            "hubgen manifest 2\nprogram 0\n",
            "hubgen manifest 1\nprogram 0\nzz 1 - \"a\"\n",
            "hubgen manifest 1\nprogram 0\n00 1 - a\n",
        ] {
            fs::write(dir.path().join(MANIFEST), text).unwrap();
            assert!(Manifest::read(dir.path()).is_none(), "{text:?}");
        }
    }

    #[test]
    fn a_file_changed_after_the_manifest_is_not_vouched_for() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.html");
        fs::write(&file, "same").unwrap();
        let entry = Entry::of(b"same", None);
        Manifest::write(dir.path(), &BTreeMap::from([("a.html".to_string(), entry)])).unwrap();
        let m = Manifest::read(dir.path()).unwrap();
        assert!(m.vouches_for(&file, &entry));
        // Another length.
        assert!(!m.vouches_for(&file, &Entry::of(b"longer", None)));
        // Edited after the build, at the same length.
        std::thread::sleep(std::time::Duration::from_millis(20));
        fs::write(&file, "SAME").unwrap();
        assert!(!m.vouches_for(&file, &entry));
        // Not there.
        assert!(!m.vouches_for(&dir.path().join("none.html"), &entry));
    }
}
