//! The pipeline's direction holds: no cycle between the top-level modules of
//! `src/`, and no pipeline module reaches for the command line (`cmd`) or the
//! live preview (`serve`). Read from the source's `crate::` paths, test code
//! and comments aside.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Top-level module → the top-level modules it uses.
fn module_graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for entry in walkdir::WalkDir::new(src) {
        let entry = entry.unwrap();
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let rel = path.strip_prefix(src).unwrap();
        let first = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let module = first.trim_end_matches(".rs").to_string();
        if module == "main" || module == "lib" {
            continue;
        }
        let text = std::fs::read_to_string(path).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        let used = edges.entry(module.clone()).or_default();
        for line in code.lines().map(str::trim_start) {
            if line.starts_with("//") {
                continue;
            }
            for (i, _) in line.match_indices("crate::") {
                let rest = &line[i + "crate::".len()..];
                if let Some(group) = rest.strip_prefix('{') {
                    // `use crate::{a, b::c};`
                    for part in group.split([',', '}']) {
                        let name: String = part
                            .trim()
                            .chars()
                            .take_while(|c| c.is_alphanumeric() || *c == '_')
                            .collect();
                        if !name.is_empty() && name != module {
                            used.insert(name);
                        }
                    }
                } else {
                    let name: String = rest
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    if !name.is_empty() && name != module {
                        used.insert(name);
                    }
                }
            }
        }
    }
    let known: BTreeSet<String> = edges.keys().cloned().collect();
    for used in edges.values_mut() {
        used.retain(|m| known.contains(m));
    }
    edges
}

/// A cycle through `start`, if there is one.
fn cycle_from(graph: &BTreeMap<String, BTreeSet<String>>, start: &str) -> Option<Vec<String>> {
    fn walk(
        graph: &BTreeMap<String, BTreeSet<String>>,
        start: &str,
        at: &str,
        path: &mut Vec<String>,
        seen: &mut BTreeSet<String>,
    ) -> bool {
        for next in &graph[at] {
            if next == start {
                path.push(next.clone());
                return true;
            }
            if seen.insert(next.clone()) {
                path.push(next.clone());
                if walk(graph, start, next, path, seen) {
                    return true;
                }
                path.pop();
            }
        }
        false
    }
    let mut path = vec![start.to_string()];
    let mut seen = BTreeSet::new();
    walk(graph, start, start, &mut path, &mut seen).then_some(path)
}

#[test]
fn no_module_cycles_and_no_pipeline_module_uses_cmd_or_serve() {
    let graph = module_graph(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    assert!(graph.len() > 10, "the module graph was not read: {graph:?}");
    let mut problems = Vec::new();
    for module in graph.keys() {
        if let Some(cycle) = cycle_from(&graph, module) {
            problems.push(format!("cycle: {}", cycle.join(" -> ")));
        }
        if module != "cmd" && module != "serve" {
            for used in &graph[module] {
                if used == "cmd" || used == "serve" {
                    problems.push(format!("{module} uses {used}"));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_check_sees_a_cycle() {
    let graph: BTreeMap<String, BTreeSet<String>> = [
        ("load", vec!["render"]),
        ("render", vec!["site", "load"]),
        ("site", vec![]),
    ]
    .into_iter()
    .map(|(m, u)| (m.to_string(), u.into_iter().map(String::from).collect()))
    .collect();
    assert_eq!(
        cycle_from(&graph, "load"),
        Some(vec!["load".into(), "render".into(), "load".into()])
    );
    assert_eq!(cycle_from(&graph, "site"), None);
}

/// Longest file in `src/`, in lines.
const MAX_FILE_LINES: usize = 600;
/// Longest function, in lines from its `fn` to its closing brace.
const MAX_FN_LINES: usize = 100;

/// Each function of `text` (formatted by rustfmt) longer than `max` lines:
/// its name, first line and length.
fn long_functions(text: &str, max: usize) -> Vec<(String, usize, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut long = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let code = line.trim_start();
        let indent = line.len() - code.len();
        let after_fn = [
            "fn ",
            "pub fn ",
            "pub(crate) fn ",
            "pub(super) fn ",
            "const fn ",
        ]
        .iter()
        .find_map(|p| code.strip_prefix(p))
        .or_else(|| {
            let rest = code.strip_prefix("pub(in ")?;
            rest.split_once(") fn ").map(|(_, after)| after)
        });
        let Some(after_fn) = after_fn else {
            continue;
        };
        let name: String = after_fn
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        // The signature may run over several lines; a declaration ends in `;`.
        let Some(open) = lines[i..]
            .iter()
            .position(|l| l.contains('{') || l.trim_end().ends_with(';'))
        else {
            continue;
        };
        if !lines[i + open].contains('{') || lines[i + open].trim_end().ends_with('}') {
            continue; // a declaration, or a function on one line
        }
        let close = format!("{}}}", " ".repeat(indent));
        let Some(end) = lines[i..].iter().position(|l| *l == close) else {
            continue;
        };
        if end + 1 > max {
            long.push((name, i + 1, end + 1));
        }
    }
    long
}

#[test]
fn no_long_files_or_functions() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut problems = Vec::new();
    let mut files = 0;
    for entry in walkdir::WalkDir::new(&src).sort_by_file_name() {
        let entry = entry.unwrap();
        if entry.path().extension().is_none_or(|e| e != "rs") {
            continue;
        }
        files += 1;
        let rel = entry
            .path()
            .strip_prefix(&src)
            .unwrap()
            .display()
            .to_string();
        let text = std::fs::read_to_string(entry.path()).unwrap();
        let n = text.lines().count();
        if n > MAX_FILE_LINES {
            problems.push(format!(
                "src/{rel} has {n} lines (at most {MAX_FILE_LINES})"
            ));
        }
        for (name, line, len) in long_functions(&text, MAX_FN_LINES) {
            problems.push(format!(
                "src/{rel}:{line}: fn {name} has {len} lines (at most {MAX_FN_LINES})"
            ));
        }
    }
    assert!(files > 20, "the sources were not read");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_length_check_sees_a_long_function() {
    let body = "    let x = 1;\n".repeat(120);
    let text = format!(
        "fn short() {{\n}}\n\npub(crate) fn long(\n    a: u8,\n) {{\n{body}}}\n\nfn decl();\n"
    );
    assert_eq!(long_functions(&text, 100), [("long".to_string(), 4, 124)]);
    assert!(long_functions(&text, 200).is_empty());
}

/// The preview's server stack (a tokio runtime, axum, hyper) is used by
/// `serve` alone, so that `hubgen build` never links a code path that starts
/// it. The one other user of tokio is `deploy`: `object_store`, its S3
/// client, is async, so a deploy runs its uploads on a runtime of its own;
/// it may not use the HTTP server crates.
#[test]
fn only_the_preview_and_the_deploy_use_the_async_runtime() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut users = Vec::new();
    for entry in walkdir::WalkDir::new(&src).sort_by_file_name() {
        let entry = entry.unwrap();
        if entry.path().extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let rel = entry.path().strip_prefix(&src).unwrap();
        let text = std::fs::read_to_string(entry.path()).unwrap();
        let uses = |crates: &[&str]| {
            text.lines()
                .map(str::trim_start)
                .any(|l| !l.starts_with("//") && crates.iter().any(|c| l.contains(c)))
        };
        let server = uses(&["axum::", "hyper::", "hyper_util::"]);
        let runtime = uses(&["tokio::"]);
        if (server && !rel.starts_with("serve"))
            || (runtime && !rel.starts_with("serve") && !rel.starts_with("deploy"))
        {
            users.push(rel.display().to_string());
        }
    }
    assert!(
        users.is_empty(),
        "outside serve/ (and deploy/ for tokio): {users:?}"
    );
}
