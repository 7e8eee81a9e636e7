//! `hubgen serve`: a live preview. The target is built into a folder of its
//! own, served over HTTP on 127.0.0.1, and rebuilt — only as much as an edit
//! touches — whenever content, templates, static files or site.toml change;
//! open pages reload through server-sent events, or show what went wrong.

pub mod files;
pub mod hosts;
pub mod http;
pub mod live;
pub mod reload;

use std::collections::HashSet;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::Arc;
use std::sync::PoisonError;
use std::time::{Duration, Instant};

use notify_debouncer_full::notify::{self, RecursiveMode};
use notify_debouncer_full::{new_debouncer, DebounceEventResult, Debouncer, RecommendedCache};

use crate::config::{Config, CONFIG_FILE};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::load::CONTENT_DIR;
use live::{Changes, Live, Settings};
use reload::{Event, Hub};

/// The port tried first, then the next few, before any free one.
pub const DEFAULT_PORT: u16 = 1111;
/// Where the preview's output goes, below the site root.
pub const SERVE_DIR: &str = ".hubgen-cache/serve";

/// How long an event waits before it is passed on, so that the events of one
/// save (open, write, close; or write a copy, rename it over) arrive together.
const DEBOUNCE: Duration = Duration::from_millis(10);
/// How often the debouncer looks for events that waited long enough: an edit
/// is seen between [`DEBOUNCE`] and `DEBOUNCE + TICK` after it is made. The
/// debouncer wakes this often even when nothing happens: 200 times a second
/// cost about 1% of one core while idle, where waiting for an event cost none.
const TICK: Duration = Duration::from_millis(5);
/// How long the watcher waits for an edit before doing work left for quiet moments.
const QUIET: Duration = Duration::from_millis(10);

/// What `hubgen serve` was asked for.
#[derive(Clone, Debug)]
pub struct Options {
    /// The target to preview; the first in site.toml when `None`.
    pub target: Option<String>,
    /// `None`: the default port, or the next free one.
    pub port: Option<u16>,
    /// The address to listen on: 127.0.0.1 unless `--bind` shows the preview
    /// to the network.
    pub bind: IpAddr,
    /// Whether drafts are shown (they are, unless `--no-drafts`).
    pub drafts: bool,
    /// Whether to open the preview in a browser once it is ready.
    pub open: bool,
}

/// A running preview, for the command and for tests.
pub struct Preview {
    /// The address it is served at, ending in `/`: the base URL of its pages.
    pub url: String,
    /// The folder its files are written to and served from.
    pub out: PathBuf,
    /// The open pages' event streams, which hear of each reload and error.
    pub hub: Arc<Hub>,
    settings: Settings,
    /// Runs the HTTP server; made by [`start`], so only `hubgen serve` has one.
    runtime: Option<tokio::runtime::Runtime>,
    /// Held while the preview runs: see [`lock_target`].
    _lock: Option<std::fs::File>,
    /// The problems last printed in the terminal, while they are not fixed:
    /// the events of one save can reach two batches, and an editor should
    /// read each problem once.
    printed: std::sync::Mutex<Option<String>>,
}

impl Drop for Preview {
    fn drop(&mut self) {
        // Open event streams never end by themselves: stop without waiting for them.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// Binds the server, builds the target and starts serving; returns once the
/// first build is done. [`watch`] then keeps it up to date.
pub fn start(
    root: &Path,
    opts: &Options,
) -> Result<(Preview, Option<Live>, Diagnostics), Diagnostics> {
    let config = Config::load(root)?;
    let target = match &opts.target {
        Some(t) => t.clone(),
        None => config.targets[0].name.clone(),
    };
    config.target_named(&target)?;
    let lock = lock_target(root, &target)?;
    let listener = bind(opts.bind, opts.port)?;
    let port = listener.local_addr().map_or(0, |a| a.port());
    let host = if opts.bind.is_unspecified() {
        "127.0.0.1".to_string()
    } else {
        opts.bind.to_string()
    };
    let host = if host.contains(':') {
        format!("[{host}]")
    } else {
        host
    };
    let url = format!("http://{host}:{port}/");
    let out = root.join(SERVE_DIR).join(&target);
    // The preview's folder is replaced file by file: it must be one hubgen made.
    crate::output::check_replaceable(&out).map_err(|why| {
        Diagnostic::error("io", format!("the preview's folder: {why}")).with_hint(format!(
            "remove {} and start the preview again",
            out.display()
        ))
    })?;
    std::fs::create_dir_all(&out)
        .and_then(|()| crate::output::mark(&out))
        .map_err(|e| Diagnostic::error("io", format!("{}: {e}", out.display())))?;
    let settings = Settings {
        root: root.to_path_buf(),
        target,
        base_url: url.clone(),
        drafts: opts.drafts,
        out: out.clone(),
    };
    let hub = Arc::new(Hub::default());
    let (live, problems) = match Live::start(settings.clone()) {
        Ok((mut live, _)) => {
            let problems = live.write_search_index().err().unwrap_or_default();
            (Some(live), problems)
        }
        Err(problems) => {
            hub.broadcast(&Event::Error(report_json(&problems)));
            (None, problems)
        }
    };
    let hosts = hosts::Hosts {
        bind: opts.bind,
        port,
    };
    let router = http::router(out.clone(), hub.clone(), hosts);
    let runtime = runtime()?;
    let listener = {
        let _entered = runtime.enter();
        listener
            .set_nonblocking(true)
            .and_then(|()| tokio::net::TcpListener::from_std(listener))
            .map_err(|e| Diagnostic::error("io", format!("cannot serve on port {port}: {e}")))?
    };
    runtime.spawn(http::serve(listener, router));
    Ok((
        Preview {
            url,
            out,
            hub,
            settings,
            runtime: Some(runtime),
            _lock: lock,
            printed: std::sync::Mutex::default(),
        },
        live,
        problems,
    ))
}

/// Takes the lock of `target`'s preview folder, so that a second `hubgen serve`
/// of the same target does not write into the folder the first one serves.
/// The operating system's file lock goes with the process that holds it, so a
/// killed preview never leaves a stale lock behind. `None` where the file
/// system cannot lock files: the preview then runs unguarded, as it used to.
fn lock_target(root: &Path, target: &str) -> Result<Option<std::fs::File>, Diagnostics> {
    use std::fs::TryLockError;
    use std::io::{Read, Seek, Write};
    let dir = root.join(SERVE_DIR);
    let io = |e: std::io::Error, path: &Path| {
        Diagnostic::error("io", format!("{}: {e}", path.display()))
    };
    std::fs::create_dir_all(&dir).map_err(|e| io(e, &dir))?;
    let path = dir.join(format!("{target}.lock"));
    // Not truncated on opening: the pid in it belongs to whoever holds the lock.
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|e| io(e, &path))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            let mut pid = String::new();
            let _ = file.read_to_string(&mut pid);
            let pid = match pid.trim() {
                "" => "pid unknown".to_string(),
                p => format!("pid {p}"),
            };
            return Err(Diagnostic::error(
                "usage",
                format!("another preview of target `{target}` is running ({pid})"),
            )
            .with_hint("stop it, or use --target to preview another target")
            .into());
        }
        Err(TryLockError::Error(e)) if e.kind() == std::io::ErrorKind::Unsupported => {
            return Ok(None)
        }
        Err(TryLockError::Error(e)) => return Err(io(e, &path).into()),
    }
    let written = file
        .set_len(0)
        .and_then(|()| file.rewind())
        .and_then(|()| writeln!(file, "{}", std::process::id()));
    written.map_err(|e| io(e, &path))?;
    Ok(Some(file))
}

/// The runtime the HTTP server runs on. Two workers are plenty for one
/// person's browser (and the 50 clients of the tests); reading files happens
/// on tokio's blocking pool besides.
fn runtime() -> Result<tokio::runtime::Runtime, Diagnostics> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("hubgen-http")
        .enable_io()
        .enable_time()
        .build()
        .map_err(|e| Diagnostic::error("io", format!("cannot start the HTTP server: {e}")).into())
}

/// Listens before anything else starts, so a taken port is reported at once.
fn bind(ip: IpAddr, port: Option<u16>) -> Result<std::net::TcpListener, Diagnostics> {
    let try_port = |p: u16| std::net::TcpListener::bind(SocketAddr::new(ip, p));
    match port {
        Some(p) => try_port(p).map_err(|e| {
            Diagnostic::error("usage", format!("cannot listen on {ip}:{p}: {e}"))
                .with_hint("choose another --port, or leave it out to use a free one")
                .into()
        }),
        None => (DEFAULT_PORT..DEFAULT_PORT + 10)
            .find_map(|p| try_port(p).ok())
            .map_or_else(|| try_port(0), Ok)
            .map_err(|e| Diagnostic::error("usage", format!("cannot listen on {ip}: {e}")).into()),
    }
}

/// Problems as the JSON the page overlay shows.
pub fn report_json(problems: &Diagnostics) -> String {
    let list: Vec<serde_json::Value> = problems.iter().map(Diagnostic::to_json).collect();
    serde_json::json!({ "problems": list }).to_string()
}

/// What the watcher sends: when the first of its edits was seen, and which
/// paths changed (`None`: events were lost, so anything may have changed).
type Message = (Instant, Option<Vec<PathBuf>>);

type Watcher = Debouncer<notify::RecommendedWatcher, RecommendedCache>;

/// The folders the preview watches besides the site root, and which of them
/// exist and are watched already.
struct Folders {
    dirs: Vec<PathBuf>,
    watched: HashSet<PathBuf>,
}

impl Folders {
    /// Watches the folders that exist; true if one appeared since the last call.
    fn watch_new(&mut self, watcher: &mut Watcher) -> bool {
        let mut appeared = false;
        for dir in &self.dirs {
            if dir.is_dir()
                && !self.watched.contains(dir)
                && watcher.watch(dir, RecursiveMode::Recursive).is_ok()
            {
                appeared |= !self.watched.is_empty();
                self.watched.insert(dir.clone());
            }
        }
        appeared
    }
}

/// Watches the site and applies every change until the process ends.
/// `log` gets one line per rebuild (and the problems of a failed one).
/// `ready` is called once the watches are in place: an edit made after it is seen.
pub fn watch(
    root: &Path,
    preview: &Preview,
    mut live: Option<Live>,
    ready: &mut dyn FnMut(),
    log: &mut dyn FnMut(String),
) -> Result<(), Diagnostics> {
    let config = Config::load(root)?;
    let (tx, rx) = mpsc::channel::<Message>();
    // notify-debouncer-full holds each event for DEBOUNCE, merges the events of
    // one save, pairs the two halves of a rename and, when a folder is
    // deleted, reports the folder alone (see `classify`).
    let handler = move |result: DebounceEventResult| {
        let message = match result {
            // The kernel's queue overflowed: events were lost.
            Ok(events) if events.iter().any(|e| e.need_rescan()) => (Instant::now(), None),
            Ok(events) => {
                let events: Vec<_> = events
                    .into_iter()
                    .filter(|e| changes_content(e.kind))
                    .collect();
                let Some(first) = events.iter().map(|e| e.time).min() else {
                    return;
                };
                let paths = events.into_iter().flat_map(|e| e.event.paths).collect();
                (first, Some(paths))
            }
            // The watcher failed: events may have been lost.
            Err(_) => (Instant::now(), None),
        };
        let _ = tx.send(message);
    };
    let mut watcher = new_debouncer(DEBOUNCE, Some(TICK), handler)
        .map_err(|e| Diagnostic::error("watch", format!("cannot watch files: {e}")))?;
    watcher
        .watch(root, RecursiveMode::NonRecursive)
        .map_err(|e| Diagnostic::error("watch", format!("cannot watch {}: {e}", root.display())))?;
    let mut folders = Folders {
        dirs: vec![
            root.join(CONTENT_DIR),
            root.join("templates"),
            root.join("static"),
            config.themes_dir.clone(),
        ],
        watched: HashSet::new(),
    };
    folders.watch_new(&mut watcher);
    ready();
    let themes_dir = config
        .themes_dir
        .canonicalize()
        .unwrap_or(config.themes_dir.clone());
    let root_abs = root.canonicalize().unwrap_or(root.to_path_buf());
    loop {
        let idle_work = live.as_ref().is_some_and(Live::index_stale);
        let message = if idle_work {
            match rx.recv_timeout(QUIET) {
                Ok(m) => m,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if let Some(l) = live.as_mut() {
                        when_idle(l, preview, log);
                    }
                    continue;
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => return Ok(()),
            }
        } else {
            match rx.recv() {
                Ok(m) => m,
                Err(_) => return Ok(()),
            }
        };
        let (first, all, lost) = collect_batch(&rx, message);
        let mut changes = classify(&all, &root_abs, &themes_dir, live.as_ref());
        // A folder such as templates/ or static/ that did not exist before: watch it, and start again.
        if folders.watch_new(&mut watcher) || lost {
            changes.everything = true;
        }
        if !changes.is_empty() {
            rebuild(preview, &mut live, &changes, first, log);
        }
    }
}

/// Gathers the changes to apply at once, starting with `message`: after a
/// long rebuild the debouncer may have sent several batches, and they all go
/// into this one. Returns when the first edit was seen, the paths, and whether
/// events were lost.
fn collect_batch(
    rx: &mpsc::Receiver<Message>,
    message: Message,
) -> (Instant, HashSet<PathBuf>, bool) {
    let mut all = HashSet::new();
    let mut lost = false;
    let mut first = message.0;
    let mut add = |(at, paths): Message| {
        first = first.min(at);
        match paths {
            Some(p) => all.extend(p),
            None => lost = true,
        }
    };
    add(message);
    while let Ok(m) = rx.try_recv() {
        add(m);
    }
    (first, all, lost)
}

/// Applies `changes` and tells the open pages.
fn rebuild(
    preview: &Preview,
    live: &mut Option<Live>,
    changes: &Changes,
    first: Instant,
    log: &mut dyn FnMut(String),
) {
    let result = match live.as_mut() {
        Some(l) => l.apply(changes).map(|u| (u, None)),
        None => Live::start(preview.settings.clone()).map(|(l, u)| (u, Some(l))),
    };
    match result {
        Ok((update, fresh)) => {
            // The events of one save can reach two batches: the second
            // changes nothing, and the page need not reload for it. A page
            // showing an error reloads whatever happened, to clear it.
            let restarted = fresh.is_some();
            if let Some(l) = fresh {
                *live = Some(l);
            }
            if restarted || !update.changed.is_empty() || preview.hub.showing_error() {
                preview.hub.broadcast(&Event::Reload);
            }
            *preview
                .printed
                .lock()
                .unwrap_or_else(PoisonError::into_inner) = None;
            log(format!(
                "rebuilt in {:.0?}: {} files rendered, {} changed",
                first.elapsed(),
                update.rendered,
                update.changed.len()
            ));
        }
        Err(problems) => {
            preview.hub.broadcast(&Event::Error(report_json(&problems)));
            let text = render_problems(&problems);
            let mut printed = preview
                .printed
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if printed.as_deref() != Some(text.as_str()) {
                log(text.clone());
                *printed = Some(text);
            }
        }
    }
}

/// Work left for quiet moments: the search index, made from every document,
/// so not redone after each of a burst of edits.
fn when_idle(live: &mut Live, preview: &Preview, log: &mut dyn FnMut(String)) {
    let t = Instant::now();
    match live.write_search_index() {
        Ok(u) => {
            preview.hub.broadcast(&Event::Indexed);
            log(format!(
                "search index updated in {:.0?}: {} of its files changed",
                t.elapsed(),
                u.changed.len()
            ));
        }
        Err(problems) => log(render_problems(&problems)),
    }
}

/// Whether an event can change what a file holds. Reading a file is an event
/// too (inotify reports opens and closes), and the preview reads the files it
/// rebuilds from: reacting to those would rebuild for ever.
fn changes_content(kind: notify::EventKind) -> bool {
    use notify::event::{AccessKind, AccessMode, EventKind, ModifyKind};
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) | EventKind::Modify(ModifyKind::Metadata(_)) => false,
        _ => true,
    }
}

fn render_problems(problems: &Diagnostics) -> String {
    problems
        .iter()
        .map(|d| format!("{d}\n"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Whether `path` (`rel` below content/) is a folder that holds pages, or
/// held pages the site knows and is gone.
fn folder_of_pages(path: &Path, rel: &Path, live: Option<&Live>) -> bool {
    if path.is_dir() {
        walkdir::WalkDir::new(path)
            .into_iter()
            .filter_map(Result::ok)
            .any(|e| e.path().extension().is_some_and(|x| x == "md"))
    } else {
        !path.exists()
            && live.is_some_and(|l| l.site().docs.iter().any(|d| d.path.starts_with(rel)))
    }
}

/// The documents whose bodies show the image at `rel` (below `content/`).
fn showing(site: &crate::site::Site, rel: &Path) -> Vec<PathBuf> {
    site.docs
        .iter()
        .filter(|d| {
            d.body.images.iter().any(|img| {
                let dest = img.dest.split(['?', '#']).next().unwrap_or(&img.dest);
                crate::markdown::resolve_path(&d.path, dest).is_some_and(|p| p == rel)
            })
        })
        .map(|d| d.path.clone())
        .collect()
}

/// Sorts changed paths into what must be redone.
fn classify(
    paths: &HashSet<PathBuf>,
    root: &Path,
    themes_dir: &Path,
    live: Option<&Live>,
) -> Changes {
    let mut changes = Changes::default();
    let content = root.join(CONTENT_DIR);
    for path in paths {
        let file_name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if file_name.starts_with('.')
            || file_name.ends_with('~')
            || path.extension().is_some_and(|e| e == "swp")
        {
            continue; // editors' temporary files
        }
        if path == &root.join(CONFIG_FILE) {
            changes.everything = true;
        } else if let Ok(rel) = path.strip_prefix(&content) {
            if path.extension().is_some_and(|e| e == "md") {
                let known = live.is_some_and(|l| l.site().doc_at(rel).is_some());
                if known && path.is_file() {
                    changes.documents.insert(rel.to_path_buf());
                } else if known || path.is_file() {
                    changes.everything = true; // a page appeared or went away
                }
            } else if folder_of_pages(path, rel, live) {
                // The debouncer reports a folder deleted or moved as the
                // folder alone, not as each page in it.
                changes.everything = true;
            } else if !path.is_dir() {
                changes.statics = true;
                // A page showing a picture carries its size and its copies'
                // names, which the picture's bytes decide.
                if let Some(live) = live {
                    changes.documents.extend(showing(live.site(), rel));
                }
            }
        } else if path.starts_with(themes_dir)
            || path.starts_with(root.join("templates"))
            || path.starts_with(root.join("static"))
        {
            let s = crate::text::slashed(path);
            if let Some((_, name)) = s.split_once("/templates/") {
                // A folder of templates, made or gone: which templates were in
                // it is not known (see `folder_of_pages`).
                if path.is_dir() || (!path.exists() && path.extension().is_none()) {
                    changes.everything = true;
                }
                changes.templates.insert(name.to_string());
            } else if s.contains("/static/") || path.starts_with(root.join("static")) {
                changes.statics = true;
            } else if file_name == "theme.toml" {
                changes.everything = true;
            }
        }
    }
    if live.is_none() && !paths.is_empty() {
        changes.everything = true;
    }
    changes
}
