//! `hubgen serve`: the live preview.

use std::io::Write;
use std::path::Path;

use crate::diagnostics::Diagnostics;
use crate::serve::{self, Options};

/// Entry point for `hubgen serve`: builds, serves and watches until interrupted.
pub fn run(root: &Path, opts: &Options) -> Result<(), Diagnostics> {
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
