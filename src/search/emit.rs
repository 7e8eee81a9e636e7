//! Where the shared files of a search index go as they are made.

use std::sync::{Mutex, PoisonError};

use crate::output::Sink;

/// Where the shared files of an index go as they are made: each is written
/// into the first of `sinks` and linked from there into the others, then
/// dropped. The first error stops the writing; [`Emit::finish`] returns it.
pub(super) struct Emit<'a> {
    sinks: &'a [&'a dyn Sink],
    /// Files and bytes written so far.
    written: Mutex<(usize, usize)>,
    error: Mutex<Option<std::io::Error>>,
}

impl<'a> Emit<'a> {
    pub(super) fn new(sinks: &'a [&'a dyn Sink]) -> Self {
        Emit {
            sinks,
            written: Mutex::new((0, 0)),
            error: Mutex::new(None),
        }
    }

    /// Writes the file at `path` into every sink.
    pub(super) fn put(&self, path: &str, body: &str) {
        if self
            .error
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_some()
        {
            return;
        }
        let bytes = body.as_bytes();
        let written = match self.sinks.split_first() {
            None => Ok(()),
            Some((first, rest)) => first
                .write(path, bytes)
                .and_then(|()| rest.iter().try_for_each(|s| s.link(*first, path, bytes))),
        };
        match written {
            Ok(()) => {
                let mut w = self.written.lock().unwrap_or_else(PoisonError::into_inner);
                w.0 += 1;
                w.1 += bytes.len();
            }
            Err(e) => {
                self.error
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .get_or_insert(e);
            }
        }
    }

    /// How many files and bytes went into each sink, or the first error.
    pub(super) fn finish(self) -> std::io::Result<(usize, usize)> {
        match self
            .error
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
        {
            Some(e) => Err(e),
            None => Ok(self
                .written
                .into_inner()
                .unwrap_or_else(PoisonError::into_inner)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use std::io;

    /// Files kept in memory; a write of `fails` gives an error.
    #[derive(Default)]
    struct Memory {
        files: Mutex<BTreeMap<String, Vec<u8>>>,
        linked: Mutex<Vec<String>>,
        fails: Option<&'static str>,
    }

    impl Sink for Memory {
        fn write(&self, rel: &str, bytes: &[u8]) -> io::Result<()> {
            if self.fails == Some(rel) {
                return Err(io::Error::other("the disk is full"));
            }
            self.files
                .lock()
                .unwrap()
                .insert(rel.into(), bytes.to_vec());
            Ok(())
        }
        fn copy(&self, _: &std::path::Path, _: &str) -> io::Result<()> {
            unreachable!("no file is copied")
        }
        fn link(&self, _from: &dyn Sink, rel: &str, bytes: &[u8]) -> io::Result<()> {
            self.linked.lock().unwrap().push(rel.into());
            self.write(rel, bytes)
        }
    }

    #[test]
    fn each_file_is_written_into_the_first_sink_and_linked_into_the_others() {
        let (a, b) = (Memory::default(), Memory::default());
        let sinks: [&dyn Sink; 2] = [&a, &b];
        let emit = Emit::new(&sinks);
        emit.put("search/s/0.json", "{}");
        emit.put("search/m/0.json", "[1,2]");
        assert_eq!(emit.finish().unwrap(), (2, 7));
        assert_eq!(*a.files.lock().unwrap(), *b.files.lock().unwrap());
        assert_eq!(a.files.lock().unwrap().len(), 2);
        assert!(a.linked.lock().unwrap().is_empty());
        assert_eq!(b.linked.lock().unwrap().len(), 2);
    }

    #[test]
    fn the_first_error_stops_the_writing_and_is_returned() {
        let a = Memory {
            fails: Some("search/s/1.json"),
            ..Memory::default()
        };
        let sinks: [&dyn Sink; 1] = [&a];
        let emit = Emit::new(&sinks);
        emit.put("search/s/0.json", "{}");
        emit.put("search/s/1.json", "{}");
        emit.put("search/s/2.json", "{}");
        let err = emit.finish().unwrap_err();
        assert_eq!(err.to_string(), "the disk is full");
        let written: Vec<String> = a.files.lock().unwrap().keys().cloned().collect();
        assert_eq!(written, ["search/s/0.json"]);
    }
}
