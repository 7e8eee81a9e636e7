//! Numbers and byte strings as hubgen's own files keep them (the words and
//! documents a build leaves for the next): LEB128 numbers, and byte strings
//! after their length. Reading never panics, whatever the bytes.

/// Appends `n`, seven bits a byte, lowest first.
pub(crate) fn put(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// Appends `bytes` after their length.
pub(crate) fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    put(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

/// Reads what [`put`] and [`put_bytes`] wrote, failing (never panicking) at
/// damaged bytes.
pub(crate) struct Reader<'a>(pub(crate) &'a [u8]);

impl<'a> Reader<'a> {
    /// The next number.
    pub(crate) fn get(&mut self) -> Option<u64> {
        let mut n = 0u64;
        for shift in (0..64).step_by(7) {
            let (&b, rest) = self.0.split_first()?;
            self.0 = rest;
            n |= u64::from(b & 0x7f).checked_shl(shift)?;
            if b & 0x80 == 0 {
                return Some(n);
            }
        }
        None
    }

    /// The next number, as a count of things still to read: never more than
    /// the bytes left, so that damaged bytes cannot ask for a huge allocation.
    pub(crate) fn count(&mut self) -> Option<usize> {
        let n = usize::try_from(self.get()?).ok()?;
        (n <= self.0.len()).then_some(n)
    }

    /// The next `n` bytes.
    pub(crate) fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.0.len() {
            return None;
        }
        let (taken, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(taken)
    }

    /// The next byte string [`put_bytes`] wrote.
    pub(crate) fn bytes(&mut self) -> Option<&'a [u8]> {
        let n = self.count()?;
        self.take(n)
    }

    /// The next byte string, as UTF-8 text.
    pub(crate) fn string(&mut self) -> Option<String> {
        std::str::from_utf8(self.bytes()?).ok().map(str::to_string)
    }

    /// Whether every byte has been read.
    pub(crate) fn is_done(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_strings_round_trip_and_damage_fails_without_panicking() {
        let mut out = Vec::new();
        for n in [0, 1, 127, 128, 300, u64::from(u32::MAX), u64::MAX] {
            put(&mut out, n);
        }
        put_bytes(&mut out, "Straße".as_bytes());
        let mut r = Reader(&out);
        for n in [0, 1, 127, 128, 300, u64::from(u32::MAX), u64::MAX] {
            assert_eq!(r.get(), Some(n));
        }
        assert_eq!(r.string().as_deref(), Some("Straße"));
        assert!(r.is_done());
        for cut in 0..out.len() {
            let mut r = Reader(&out[..cut]);
            while r.get().is_some() {}
        }
        // A length past the end is refused, not allocated.
        let mut long = Vec::new();
        put(&mut long, 1 << 40);
        assert_eq!(Reader(&long).bytes(), None);
        // Eleven continuation bytes overflow a u64.
        assert_eq!(Reader(&[0xff; 11]).get(), None);
    }
}
