//! The documents a build read, kept for the next build.
//!
//! Reading a content file means parsing its front matter, checking it against
//! its collection's schema and rendering its Markdown: most of a rebuild's
//! read stage, done again for every file that did not change. A build
//! therefore keeps, in the site's cache ([`CACHE_FILE`]), what reading each
//! document gave (front matter, address, summary, excerpt, rendered body)
//! under a key made of everything that went into it. The next build reads
//! each file, works out its key, and takes the document from the cache when
//! the key is there, instead of reading it afresh.
//!
//! A key covers the document's path, collection and text, and the file's
//! *context* covers the rest: this program, the collections and the targets'
//! addresses as configured, and every content path in order (the rendered
//! body names the pages it links to by their place). A document with images
//! is never kept (its HTML holds each image's size and resized copies, read
//! from the image files), nor one with a problem, so that every problem is
//! reported by every build.
//!
//! The file is a cache and is trusted as one: of another format, program or
//! context (its header), or with a damaged index (the index's hash), it is
//! ignored whole; a damaged entry (its own hash) is ignored alone. Entries
//! are read from disk one by one as documents ask for them, so the file
//! never sits whole in memory. The same documents give the same bytes.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustc_hash::FxHashMap;

use crate::config::Config;
use crate::output::KeyHasher;
use crate::schema::{FrontMatter, Value};
use crate::site::{Address, Document, Heading, Link, Packed, Rendered};
use crate::text::Date;
use crate::varint::{put, put_bytes, Reader};

/// Where a site keeps its documents for the next build, below its root.
pub const CACHE_FILE: &str = ".hubgen-cache/docs";

/// The first line of the file: its format, so that another is never misread.
const HEADER: &str = "hubgen docs 1\n";
/// The file ends with the index's offset, length and hash, 8 bytes each.
const FOOTER: u64 = 24;

/// What a build that read the content needs to keep it for the next:
/// the context, and the key of each document that may be kept (by id).
#[derive(Debug, Default)]
pub struct Kept {
    /// None when nothing is kept (no output to keep it in).
    pub context: Option<u128>,
    /// Each document's key, by id: none for one that is not kept.
    pub keys: Vec<Option<u128>>,
}

/// Where an entry is in the file, and its bytes' hash.
#[derive(Clone, Copy, Debug)]
struct Place {
    offset: u64,
    len: u64,
    hash: u64,
}

/// The documents an earlier build kept, read entry by entry when asked for.
#[derive(Debug, Default)]
pub struct DocsCache {
    /// The context this build reads in; none when it keeps nothing.
    context: Option<u128>,
    file: Option<File>,
    places: FxHashMap<u128, Place>,
}

/// What reading one document gave, as kept.
pub struct Entry {
    /// [`Document::meta`].
    pub meta: FrontMatter,
    /// [`Document::slug`].
    pub slug: String,
    /// [`Document::url`].
    pub url: String,
    /// [`Document::summary`].
    pub summary: String,
    /// [`Document::excerpt`].
    pub excerpt: Packed,
    /// [`Document::body`], without the texts a build lets go of once read.
    pub body: Rendered,
}

/// The context of a build of `config` reading `files` (content paths and
/// their collections, in id order).
pub fn context(config: &Config, files: &[(PathBuf, usize)]) -> u128 {
    let mut h = KeyHasher::new();
    let mut part = |bytes: &[u8]| {
        h.add(&(bytes.len() as u64).to_le_bytes());
        h.add(bytes);
    };
    part(crate::output::program().as_bytes());
    // What reading a file depends on besides its text: its collection (its
    // schema, permalink and options; the sections that lists link to), the
    // targets' addresses (links written as addresses), the content folder.
    part(format!("{:?}", config.collections).as_bytes());
    for base in super::site_bases(config) {
        part(base.as_bytes());
    }
    part(
        config
            .root
            .join(super::CONTENT_DIR)
            .as_os_str()
            .as_encoded_bytes(),
    );
    for (path, collection) in files {
        part(crate::text::slashed(path).as_bytes());
        part(&(*collection as u64).to_le_bytes());
    }
    h.finish()
}

impl DocsCache {
    /// Keeps nothing and finds nothing: the preview, `hubgen check`.
    pub fn off() -> Self {
        DocsCache::default()
    }

    /// The documents kept at `path` for `context`, if an earlier build of
    /// this program in the same context left them there; none else. A build
    /// in this context keeps its documents either way.
    pub fn open(path: &Path, context: u128) -> Self {
        let mut cache = DocsCache {
            context: Some(context),
            ..DocsCache::default()
        };
        if let Some((file, places)) = read_index(path, context) {
            cache.file = Some(file);
            cache.places = places;
        }
        cache
    }

    /// The context documents are kept in, if they are.
    pub fn context(&self) -> Option<u128> {
        self.context
    }

    /// The key of the document at `path` (below `content/`) of `collection`
    /// whose file holds `text`; none when nothing is kept.
    pub fn key(&self, path: &Path, collection: usize, text: &str) -> Option<u128> {
        let context = self.context?;
        let mut h = KeyHasher::new();
        h.add(&context.to_le_bytes());
        for bytes in [crate::text::slashed(path).as_bytes(), text.as_bytes()] {
            h.add(&(bytes.len() as u64).to_le_bytes());
            h.add(bytes);
        }
        h.add(&(collection as u64).to_le_bytes());
        Some(h.finish())
    }

    /// The document kept under `key`, if there is one and it reads whole.
    pub fn get(&self, key: u128) -> Option<Entry> {
        let place = self.places.get(&key)?;
        let mut bytes = vec![0; usize::try_from(place.len).ok()?];
        read_at(self.file.as_ref()?, &mut bytes, place.offset).ok()?;
        if check(&bytes) != place.hash {
            return None;
        }
        decode(&bytes)
    }
}

/// The file at `path`, and where each entry is in it, when it is a regular
/// file written by this program for `context`, its index whole.
fn read_index(path: &Path, context: u128) -> Option<(File, FxHashMap<u128, Place>)> {
    if !std::fs::symlink_metadata(path).ok()?.is_file() {
        return None;
    }
    let file = File::open(path).ok()?;
    let size = file.metadata().ok()?.len();
    let head = header(context);
    let mut found = vec![0; head.len()];
    read_at(&file, &mut found, 0).ok()?;
    if found != head.as_bytes() {
        return None;
    }
    let mut footer = [0; FOOTER as usize];
    read_at(&file, &mut footer, size.checked_sub(FOOTER)?).ok()?;
    let word =
        |i: usize| u64::from_le_bytes(footer[i * 8..i * 8 + 8].try_into().unwrap_or_default());
    let (offset, len, hash) = (word(0), word(1), word(2));
    let start = head.len() as u64;
    if offset < start || offset.checked_add(len)?.checked_add(FOOTER)? != size {
        return None;
    }
    let mut index = vec![0; usize::try_from(len).ok()?];
    read_at(&file, &mut index, offset).ok()?;
    if check(&index) != hash {
        return None;
    }
    let mut r = Reader(&index);
    let n = r.count()?;
    let mut places = FxHashMap::default();
    places.reserve(n);
    for _ in 0..n {
        let key = u128::from_le_bytes(r.take(16)?.try_into().ok()?);
        let place = Place {
            offset: r.get()?,
            len: r.get()?,
            hash: u64::from_le_bytes(r.take(8)?.try_into().ok()?),
        };
        if place.offset < start || place.offset.checked_add(place.len)? > offset {
            return None;
        }
        places.insert(key, place);
    }
    r.is_done().then_some((file, places))
}

/// The hash an entry or the index is checked against.
fn check(bytes: &[u8]) -> u64 {
    twox_hash::XxHash3_128::oneshot(bytes) as u64
}

/// The file's first lines for `context`.
fn header(context: u128) -> String {
    format!("{HEADER}{}\n{context:032x}\n", crate::output::program())
}

/// Fills `buf` from `file` at `offset`, leaving the file's position alone
/// (every reader thread shares the file).
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<()> {
    #[cfg(unix)]
    {
        std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
    }
    #[cfg(windows)]
    {
        let mut done = 0;
        while done < buf.len() {
            let n = std::os::windows::fs::FileExt::seek_read(
                file,
                &mut buf[done..],
                offset + done as u64,
            )?;
            if n == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            done += n;
        }
        Ok(())
    }
    #[cfg(not(any(unix, windows)))]
    {
        let _ = (file, buf, offset);
        Err(io::ErrorKind::Unsupported.into())
    }
}

/// Keeps `docs` (those with a key in `kept`) for the next build, in the
/// cache of the site at `root`: written beside [`CACHE_FILE`] and renamed
/// into place, so that a build stopped half-way never leaves half a file.
/// A cache: when it cannot be written, the next build reads every document.
pub fn keep(root: &Path, docs: &[Arc<Document>], kept: &Kept) {
    if kept.context.is_none() {
        return;
    }
    let at = root.join(CACHE_FILE);
    let Some(dir) = at.parent() else {
        return;
    };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    // One build of a site at a time (its lock), so one name will do; one a
    // killed build left is replaced.
    let tmp = at.with_extension("tmp");
    let _ = std::fs::remove_file(&tmp);
    let written = File::create_new(&tmp).and_then(|file| write(file, docs, kept));
    if written.is_err() || std::fs::rename(&tmp, &at).is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
}

/// Writes the file that keeps `docs` (those with a key in `kept`) into
/// `out`: the header, each entry, the index, the footer.
pub fn write(out: impl Write, docs: &[Arc<Document>], kept: &Kept) -> io::Result<()> {
    let Some(context) = kept.context else {
        return Ok(());
    };
    let mut out = io::BufWriter::with_capacity(1 << 16, out);
    let head = header(context);
    out.write_all(head.as_bytes())?;
    let mut at = head.len() as u64;
    let mut index = Vec::new();
    let mut n = 0u64;
    let mut entry = Vec::new();
    for (doc, key) in docs.iter().zip(&kept.keys) {
        let Some(key) = key else { continue };
        entry.clear();
        encode(&mut entry, doc);
        out.write_all(&entry)?;
        index.extend_from_slice(&key.to_le_bytes());
        put(&mut index, at);
        put(&mut index, entry.len() as u64);
        index.extend_from_slice(&check(&entry).to_le_bytes());
        at += entry.len() as u64;
        n += 1;
    }
    let mut table = Vec::with_capacity(index.len() + 10);
    put(&mut table, n);
    table.extend_from_slice(&index);
    out.write_all(&table)?;
    for word in [at, table.len() as u64, check(&table)] {
        out.write_all(&word.to_le_bytes())?;
    }
    out.flush()
}

/// Whether a document read with `problems` may be kept: without any, and
/// without images (see the module's documentation).
pub fn may_keep(doc: &Document, problems: usize) -> bool {
    problems == 0 && doc.body.images.is_empty()
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    put_bytes(out, s.as_bytes());
}

fn put_strs(out: &mut Vec<u8>, list: &[String]) {
    put(out, list.len() as u64);
    for s in list {
        put_str(out, s);
    }
}

fn put_date(out: &mut Vec<u8>, date: Option<Date>) {
    match date {
        None => out.push(0),
        Some(d) => {
            out.push(1);
            put(out, u64::from(d.year));
            out.push(d.month);
            out.push(d.day);
        }
    }
}

/// A signed number, zigzagged so that small ones take one byte.
fn put_signed(out: &mut Vec<u8>, n: i64) {
    put(out, ((n << 1) ^ (n >> 63)) as u64);
}

fn put_opt_str(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        None => out.push(0),
        Some(s) => {
            out.push(1);
            put_str(out, s);
        }
    }
}

/// Appends what reading `doc` gave.
fn encode(out: &mut Vec<u8>, doc: &Document) {
    let m = &doc.meta;
    put_str(out, &m.title);
    put_opt_str(out, m.summary.as_deref());
    put_date(out, m.date);
    put_date(out, m.updated);
    put_strs(out, &m.tags);
    out.push(u8::from(m.draft));
    put_strs(out, &m.aliases);
    put_signed(out, m.weight);
    put(out, m.fields.len() as u64);
    for (name, value) in &m.fields {
        put_str(out, name);
        match value {
            Value::String(s) => {
                out.push(0);
                put_str(out, s);
            }
            Value::Date(d) => {
                out.push(1);
                put_date(out, Some(*d));
            }
            Value::Bool(b) => out.extend([2, u8::from(*b)]),
            Value::Integer(n) => {
                out.push(3);
                put_signed(out, *n);
            }
            Value::List(list) => {
                out.push(4);
                put_strs(out, list);
            }
        }
    }
    // Sorted, so that the same document gives the same bytes.
    let mut lines: Vec<(&String, &usize)> = m.lines.iter().collect();
    lines.sort_unstable();
    put(out, lines.len() as u64);
    for (name, line) in lines {
        put_str(out, name);
        put(out, *line as u64);
    }
    put_str(out, &doc.slug);
    put_str(out, &doc.url);
    put_str(out, &doc.summary);
    put_bytes(out, doc.excerpt.as_bytes());
    let b = &doc.body;
    put_bytes(out, b.html.as_bytes());
    put(out, b.toc.len() as u64);
    for h in &b.toc {
        out.push(h.level);
        put_str(out, &h.id);
        put_str(out, &h.title);
    }
    put(out, b.links.len() as u64);
    for l in &b.links {
        put(out, l.doc as u64);
        put_opt_str(out, l.anchor.as_deref());
        put(out, l.line as u64);
        put(out, l.column as u64);
    }
    put(out, b.addresses.len() as u64);
    for a in &b.addresses {
        put_str(out, &a.written);
        put_str(out, &a.path);
        put(out, a.line as u64);
        put(out, a.column as u64);
    }
    put_strs(out, &b.footnotes);
    put(out, b.word_count as u64);
}

/// Reads what [`encode`] wrote.
fn decode(bytes: &[u8]) -> Option<Entry> {
    let mut r = Reader(bytes);
    let title = r.string()?;
    let summary = opt_str(&mut r)?;
    let date = read_date(&mut r)?;
    let updated = read_date(&mut r)?;
    let tags = strs(&mut r)?;
    let draft = flag(&mut r)?;
    let aliases = strs(&mut r)?;
    let weight = signed(&mut r)?;
    let nfields = r.count()?;
    let mut fields = Vec::with_capacity(nfields);
    for _ in 0..nfields {
        let name = r.string()?;
        let value = match r.take(1)?[0] {
            0 => Value::String(r.string()?),
            1 => Value::Date(read_date(&mut r)??),
            2 => Value::Bool(flag(&mut r)?),
            3 => Value::Integer(signed(&mut r)?),
            4 => Value::List(strs(&mut r)?),
            _ => return None,
        };
        fields.push((name, value));
    }
    let nlines = r.count()?;
    let mut lines = std::collections::HashMap::with_capacity(nlines);
    for _ in 0..nlines {
        let name = r.string()?;
        lines.insert(name, usize::try_from(r.get()?).ok()?);
    }
    let meta = FrontMatter {
        title,
        summary,
        date,
        updated,
        tags,
        draft,
        aliases,
        weight,
        fields,
        lines,
    };
    let slug = r.string()?;
    let url = r.string()?;
    let summary = r.string()?;
    let excerpt = Packed::from_packed(r.bytes()?)?;
    let html = Packed::from_packed(r.bytes()?)?;
    let ntoc = r.count()?;
    let mut toc = Vec::with_capacity(ntoc);
    for _ in 0..ntoc {
        toc.push(Heading {
            level: r.take(1)?[0],
            id: r.string()?,
            title: r.string()?,
        });
    }
    let nlinks = r.count()?;
    let mut links = Vec::with_capacity(nlinks);
    for _ in 0..nlinks {
        links.push(Link {
            doc: usize::try_from(r.get()?).ok()?,
            anchor: opt_str(&mut r)?,
            line: usize::try_from(r.get()?).ok()?,
            column: usize::try_from(r.get()?).ok()?,
        });
    }
    let naddresses = r.count()?;
    let mut addresses = Vec::with_capacity(naddresses);
    for _ in 0..naddresses {
        addresses.push(Address {
            written: r.string()?,
            path: r.string()?,
            line: usize::try_from(r.get()?).ok()?,
            column: usize::try_from(r.get()?).ok()?,
        });
    }
    let footnotes = strs(&mut r)?;
    let word_count = usize::try_from(r.get()?).ok()?;
    let body = Rendered {
        html,
        toc,
        links,
        addresses,
        footnotes,
        word_count,
        ..Rendered::default()
    };
    r.is_done().then_some(Entry {
        meta,
        slug,
        url,
        summary,
        excerpt,
        body,
    })
}

fn flag(r: &mut Reader<'_>) -> Option<bool> {
    match r.take(1)?[0] {
        0 => Some(false),
        1 => Some(true),
        _ => None,
    }
}

fn signed(r: &mut Reader<'_>) -> Option<i64> {
    let n = r.get()?;
    Some((n >> 1).cast_signed() ^ -(n & 1).cast_signed())
}

// The outer `None` says the bytes are damaged, the inner one that none was kept.
#[allow(clippy::option_option)]
fn opt_str(r: &mut Reader<'_>) -> Option<Option<String>> {
    Some(if flag(r)? { Some(r.string()?) } else { None })
}

fn strs(r: &mut Reader<'_>) -> Option<Vec<String>> {
    let n = r.count()?;
    (0..n).map(|_| r.string()).collect()
}

/// A date as [`put_date`] wrote it: `Some(None)` for none, `None` when damaged.
#[allow(clippy::option_option)]
fn read_date(r: &mut Reader<'_>) -> Option<Option<Date>> {
    if !flag(r)? {
        return Some(None);
    }
    let year = u16::try_from(r.get()?).ok()?;
    let month_day = r.take(2)?;
    let date = Date {
        year,
        month: month_day[0],
        day: month_day[1],
    };
    // Only a day of the calendar, as front matter gives.
    Date::parse(&date.to_string()).map(Some)
}

#[cfg(test)]
mod tests;
