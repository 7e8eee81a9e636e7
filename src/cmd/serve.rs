//! `hubgen serve`: the live preview.

use std::io::Write;
use std::path::Path;

use crate::config::{Config, CONFIG_FILE};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::serve::{self, Options};

/// Entry point for `hubgen serve`: builds, serves and watches until
/// interrupted; with `editor`, runs the browser editor's local backend too.
pub fn run(root: &Path, opts: &Options, editor: bool) -> Result<(), Diagnostics> {
    let backend = if editor {
        Some(LocalBackend::start(root, opts.target.as_deref())?)
    } else {
        None
    };
    let (preview, live, problems) = serve::start(root, opts)?;
    let mut err = std::io::stderr();
    if !problems.is_empty() {
        for d in problems.iter() {
            let _ = writeln!(err, "{d}\n");
        }
    }
    if !opts.bind.is_loopback() {
        let _ = writeln!(
            err,
            "warning: serving on {}, so other machines on the network can see the preview (drafts too)",
            opts.bind
        );
    }
    let name = preview
        .out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let url = preview.url.clone();
    // The address is printed once every watch is in place, so that whoever reads
    // it (an editor, a script) can count on the next save being seen.
    let mut ready = || {
        println!("Serving {name} at {url} (Ctrl+C to stop)");
        if let Some(b) = &backend {
            println!(
                "Browser editor at {url}{}/ (what you save there is written into this folder's files; nothing is committed)",
                b.path
            );
        }
        let _ = std::io::stdout().flush();
        if opts.open {
            open_browser(&url);
        }
    };
    serve::watch(root, &preview, live, &mut ready, &mut |line| {
        println!("{line}");
        let _ = std::io::stdout().flush();
    })
}

fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    if std::process::Command::new(opener).arg(url).spawn().is_err() {
        eprintln!("warning: could not open a browser; visit {url}");
    }
}

/// Decap's local backend (`decap-server`, at the version the vendored editor
/// expects), run beside the preview so that the browser editor reads and
/// writes this folder's files. Stopped with the preview.
struct LocalBackend {
    child: std::process::Child,
    /// The editor's folder in the served target (`admin`).
    path: String,
}

/// Where Decap's editor looks for its local backend unless told otherwise.
const LOCAL_BACKEND_PORT: u16 = 8081;

impl LocalBackend {
    fn start(root: &Path, target: Option<&str>) -> Result<LocalBackend, Diagnostics> {
        let config = Config::load(root)?;
        let target = match target {
            Some(t) => t.to_string(),
            None => config
                .targets
                .first()
                .map(|t| t.name.clone())
                .unwrap_or_default(),
        };
        let editor = config
            .editor
            .as_ref()
            .filter(|e| e.target == target)
            .ok_or_else(|| {
                Diagnostic::error(
                    "editor",
                    format!("site.toml has no browser editor on the target `{target}`"),
                )
                .in_file(CONFIG_FILE)
                .with_hint(
                    "add an [editor] table to site.toml, or preview its target with --target",
                )
            })?;
        if std::net::TcpListener::bind(("127.0.0.1", LOCAL_BACKEND_PORT)).is_err() {
            return Err(Diagnostic::error(
                "editor",
                format!("port {LOCAL_BACKEND_PORT} is in use, and the browser editor's local backend needs it"),
            )
            .with_hint("stop whatever uses it (another `hubgen serve --editor`?) and try again")
            .into());
        }
        let npx = if cfg!(windows) { "npx.cmd" } else { "npx" };
        let child = std::process::Command::new(npx)
            .args(["--yes", &format!("decap-server@{}", crate::editor::DECAP_SERVER_VERSION)])
            .current_dir(root)
            .env("PORT", LOCAL_BACKEND_PORT.to_string())
            .env("BIND_HOST", "127.0.0.1")
            .env("GIT_REPO_DIRECTORY", root)
            .env("MODE", "fs")
            .env("LOG_LEVEL", "warn")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .spawn()
            .map_err(|e| {
                Diagnostic::error(
                    "editor",
                    format!("cannot start the browser editor's local backend ({npx} decap-server): {e}"),
                )
                .with_hint("it needs Node.js, which brings npx: install it from nodejs.org, or preview without --editor")
            })?;
        Ok(LocalBackend {
            child,
            path: editor.path.clone(),
        })
    }
}

impl Drop for LocalBackend {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
