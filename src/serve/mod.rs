//! `hubgen serve`: a live preview. The target is built into a folder of its
//! own, served over HTTP on 127.0.0.1, and rebuilt — only as much as an edit
//! touches — whenever content, templates, static files or site.toml change;
//! open pages reload through server-sent events, or show what went wrong.

pub mod http;
pub mod live;

use std::collections::HashSet;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use notify::{RecursiveMode, Watcher};

use crate::config::{Config, CONFIG_FILE};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::load::CONTENT_DIR;
use http::{Event, Hub};
use live::{Changes, Live, Settings};

/// The port tried first, then the next few, before any free one.
pub const DEFAULT_PORT: u16 = 1111;
/// Where the preview's output goes, below the site root.
pub const SERVE_DIR: &str = ".hubgen-cache/serve";

/// How long the watcher waits for a burst of events (an editor's save) to end.
const QUIET: Duration = Duration::from_millis(10);
const MAX_WAIT: Duration = Duration::from_millis(250);

#[derive(Clone, Debug)]
pub struct Options {
    pub target: Option<String>,
    /// `None`: the default port, or the next free one.
    pub port: Option<u16>,
    pub bind: IpAddr,
    pub drafts: bool,
    pub open: bool,
}

/// A running preview, for the command and for tests.
pub struct Preview {
    pub url: String,
    pub out: PathBuf,
    pub hub: Arc<Hub>,
    settings: Settings,
    server: Arc<tiny_http::Server>,
    /// Held while the preview runs: see [`lock_target`].
    _lock: Option<std::fs::File>,
}

impl Drop for Preview {
    fn drop(&mut self) {
        self.server.unblock();
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
    let server = bind(opts.bind, opts.port)?;
    let port = match server.server_addr() {
        tiny_http::ListenAddr::IP(addr) => addr.port(),
        #[allow(unreachable_patterns)]
        _ => 0,
    };
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
            hub.broadcast(Event::Error(report_json(&problems)));
            (None, problems)
        }
    };
    let server = Arc::new(server);
    let (s, o, h) = (server.clone(), out.clone(), hub.clone());
    let hosts = http::Hosts {
        bind: opts.bind,
        port,
    };
    std::thread::spawn(move || http::serve(s, o, h, hosts));
    Ok((
        Preview {
            url,
            out,
            hub,
            settings,
            server,
            _lock: lock,
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
        .and_then(|_| file.rewind())
        .and_then(|_| writeln!(file, "{}", std::process::id()));
    written.map_err(|e| io(e, &path))?;
    Ok(Some(file))
}

fn bind(ip: IpAddr, port: Option<u16>) -> Result<tiny_http::Server, Diagnostics> {
    let try_port = |p: u16| tiny_http::Server::http(SocketAddr::new(ip, p));
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

/// What the watcher sends: when, and which paths changed (`None`: events were
/// lost, so anything may have changed).
type Message = (Instant, Option<Vec<PathBuf>>);

/// The folders the preview watches besides the site root, and which of them
/// exist and are watched already.
struct Folders {
    dirs: Vec<PathBuf>,
    watched: HashSet<PathBuf>,
}

impl Folders {
    /// Watches the folders that exist; true if one appeared since the last call.
    fn watch_new(&mut self, watcher: &mut notify::RecommendedWatcher) -> bool {
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
    // Messages sent, so that work done while idle can stop as soon as one waits.
    let sent = Arc::new(AtomicU64::new(0));
    let counter = sent.clone();
    let mut watcher = notify::recommended_watcher(move |e: notify::Result<notify::Event>| {
        let paths = match e {
            // The kernel's queue overflowed, or the watcher failed: events were lost.
            Ok(e) if e.need_rescan() => None,
            Ok(e) if changes_content(&e.kind) => Some(e.paths),
            Ok(_) => return,
            Err(_) => None,
        };
        counter.fetch_add(1, Ordering::SeqCst);
        let _ = tx.send((Instant::now(), paths));
    })
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
    let mut received: u64 = 0;
    loop {
        let idle_work = live
            .as_ref()
            .is_some_and(|l| l.index_stale() || l.unsettled());
        let message = if idle_work {
            match rx.recv_timeout(QUIET) {
                Ok(m) => m,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    let waiting = || sent.load(Ordering::SeqCst) > received;
                    if let Some(l) = live.as_mut() {
                        when_idle(l, preview, &waiting, log);
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
        let (first, all, lost) = collect_batch(&rx, message, &mut received);
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

/// Gathers one burst of changes (an editor's save is often several events)
/// starting with `message`: everything already waiting, then whatever follows
/// within [`QUIET`], for at most [`MAX_WAIT`]. Returns when the burst began,
/// the paths, and whether events were lost.
fn collect_batch(
    rx: &mpsc::Receiver<Message>,
    message: Message,
    received: &mut u64,
) -> (Instant, HashSet<PathBuf>, bool) {
    let mut all = HashSet::new();
    let mut lost = false;
    let mut add = |(_, paths): Message| match paths {
        Some(p) => all.extend(p),
        None => lost = true,
    };
    let first = message.0;
    add(message);
    *received += 1;
    // Measured from now, not from the first event: after a long rebuild the
    // events waiting are many and old, and must all go into this batch.
    let start = Instant::now();
    loop {
        let next = match rx.try_recv() {
            Ok(m) => Some(m),
            Err(_) if start.elapsed() < MAX_WAIT => rx.recv_timeout(QUIET).ok(),
            Err(_) => None,
        };
        let Some(m) = next else { break };
        add(m);
        *received += 1;
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
            if let Some(l) = fresh {
                *live = Some(l);
            }
            preview.hub.broadcast(Event::Reload);
            log(format!(
                "rebuilt in {:.0?}: {} files rendered, {} changed",
                first.elapsed(),
                update.rendered,
                update.changed.len()
            ));
        }
        Err(problems) => {
            preview.hub.broadcast(Event::Error(report_json(&problems)));
            log(render_problems(&problems));
        }
    }
}

/// Work left for quiet moments, one piece at a time so that an edit never
/// waits long: the search index (made from every document, so not redone
/// after each of a burst of edits), then the check of every page.
fn when_idle(
    live: &mut Live,
    preview: &Preview,
    waiting: &dyn Fn() -> bool,
    log: &mut dyn FnMut(String),
) {
    let t = Instant::now();
    if live.index_stale() {
        match live.write_search_index() {
            Ok(u) => {
                preview.hub.broadcast(Event::Indexed);
                log(format!(
                    "search index updated in {:.0?}: {} of its files changed",
                    t.elapsed(),
                    u.changed.len()
                ));
            }
            Err(problems) => log(render_problems(&problems)),
        }
        return;
    }
    match live.settle(waiting) {
        Ok(Some(u)) if !u.changed.is_empty() => {
            preview.hub.broadcast(Event::Reload);
            log(format!(
                "checked every page in {:.0?}: {} files the quick update missed were updated",
                t.elapsed(),
                u.changed.len()
            ));
        }
        Ok(_) => {}
        Err(problems) => {
            preview.hub.broadcast(Event::Error(report_json(&problems)));
            log(render_problems(&problems));
        }
    }
}

/// Whether an event can change what a file holds. Reading a file is an event
/// too (inotify reports opens and closes), and the preview reads the files it
/// rebuilds from: reacting to those would rebuild for ever.
fn changes_content(kind: &notify::EventKind) -> bool {
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
        if file_name.starts_with('.') || file_name.ends_with('~') || file_name.ends_with(".swp") {
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
            } else if !path.is_dir() {
                changes.statics = true;
            }
        } else if path.starts_with(themes_dir)
            || path.starts_with(root.join("templates"))
            || path.starts_with(root.join("static"))
        {
            let s = path.to_string_lossy().replace('\\', "/");
            if let Some((_, name)) = s.split_once("/templates/") {
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
