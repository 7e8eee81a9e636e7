//! The copies made by earlier builds, in `.hubgen-cache/images/`, one file
//! per original and width. Each entry starts with the SHA-256 of the rest,
//! so that an entry cut short or damaged is noticed and made again, never
//! published; a cache that cannot be read or written only costs time.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use sha2::{Digest, Sha256};

/// The length of the checksum at the start of an entry.
const SUM: usize = 32;

/// The copy kept at `entry`, if there is one and it is whole.
pub(super) fn read(entry: &Path) -> Option<Vec<u8>> {
    let mut bytes = std::fs::read(entry).ok()?;
    if bytes.len() <= SUM || Sha256::digest(&bytes[SUM..]).as_slice() != &bytes[..SUM] {
        return None;
    }
    bytes.drain(..SUM);
    Some(bytes)
}

/// Keeps `bytes` at `entry`: written beside it and renamed into place, so
/// that a build stopped half-way, or another writing the same copy at the
/// same time, never leaves half an entry.
pub(super) fn write(entry: &Path, bytes: &[u8]) {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let Some(dir) = entry.parent() else {
        return;
    };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    let tmp = entry.with_extension(format!(
        "{}.{}.tmp",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let mut out = Vec::with_capacity(SUM + bytes.len());
    out.extend_from_slice(&Sha256::digest(bytes));
    out.extend_from_slice(bytes);
    if std::fs::write(&tmp, out).is_err() || std::fs::rename(&tmp, entry).is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
}

#[cfg(test)]
mod tests {
    use super::{read, write};

    #[test]
    fn a_whole_entry_is_read_back_and_a_damaged_one_is_not() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let entry = dir.path().join("images/abc-480.png");
        assert_eq!(read(&entry), None, "nothing kept yet");
        write(&entry, b"the bytes of a copy");
        assert_eq!(read(&entry).as_deref(), Some(&b"the bytes of a copy"[..]));
        let mut damaged = std::fs::read(&entry).expect("the entry");
        let last = damaged.len() - 1;
        damaged[last] ^= 1;
        std::fs::write(&entry, &damaged).expect("damaged");
        assert_eq!(read(&entry), None, "a flipped bit is noticed");
        std::fs::write(&entry, &damaged[..20]).expect("cut short");
        assert_eq!(read(&entry), None, "an entry cut short is noticed");
        let left: Vec<_> = std::fs::read_dir(entry.parent().expect("its folder"))
            .expect("listed")
            .collect();
        assert_eq!(left.len(), 1, "no temporary file is left behind");
    }
}
