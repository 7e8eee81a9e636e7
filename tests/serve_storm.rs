//! A storm of edits against `hubgen serve`: hundreds of random edits in a few
//! seconds (text, titles, summaries, tags, references, dates, aliases, drafts,
//! new and deleted pages, broken edits later fixed, templates, static files,
//! site.toml), after which the preview's folder must equal a full build, byte
//! for byte, whatever order and batches the watcher saw them in.
//!
//! The edits come from a seeded generator; the seed is printed, and
//! `HUBGEN_STORM_SEED=N` replays one.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::*;

/// Words for the storm's edits.
impl Rng {
    fn word(&mut self) -> &'static str {
        const WORDS: [&str; 16] = [
            "storm",
            "council",
            "ledger",
            "harbour",
            "quartz",
            "meadow",
            "budget",
            "lantern",
            "orchard",
            "pylon",
            "savings",
            "tundra",
            "velvet",
            "workforce",
            "zephyr",
            "market",
        ];
        WORDS[self.below(WORDS.len())]
    }
}

struct Server {
    child: Child,
    url: String,
    /// Every line the preview printed, with when it arrived.
    log: Arc<Mutex<Vec<(Instant, String)>>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(site: &Path, target: &str) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hubgen"))
        .arg("-C")
        .arg(site)
        .args(["serve", "--port", "0", "--target", target])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().expect("serve prints its address").unwrap();
    let url = first.split(" at ").nth(1).unwrap().split(' ').next();
    let url = url.unwrap().to_string();
    let log = Arc::new(Mutex::new(Vec::new()));
    let sink = log.clone();
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            sink.lock().unwrap().push((Instant::now(), line));
        }
    });
    Server { child, url, log }
}

/// A generated hub: a few hundred pages in several collections, with
/// references, tags, pagination, aliases, and a theme of its own to edit.
fn generate(dir: &Path) -> PathBuf {
    let site = dir.join("site");
    corpus(&site, 300);
    copy_dir(&repo().join("themes"), &site.join("themes"));
    let toml = read(site.join("site.toml"));
    let toml: String = toml
        .lines()
        .filter(|l| !l.starts_with("themes_dir = "))
        .map(|l| {
            // Short lists, so that edits move pages across page boundaries.
            if l == "[collections.guides]" || l == "[collections.case-studies]" {
                format!("{l}\npaginate_by = 9\n")
            } else if l.starts_with("paginate_by = ") {
                String::new()
            } else if l == "[taxonomies.tags]" {
                format!("{l}\npaginate_by = 3")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(site.join("site.toml"), toml + "\n").unwrap();
    let guides = files_of(&site, "guides");
    for (i, g) in guides.iter().enumerate().step_by(7) {
        let text = read(g).replacen(
            "---\n",
            &format!("---\naliases: [\"/old/guide-{i}/\"]\n"),
            1,
        );
        std::fs::write(g, text).unwrap();
    }
    std::fs::create_dir_all(site.join("templates")).unwrap();
    std::fs::create_dir_all(site.join("static")).unwrap();
    std::fs::write(site.join("templates/page.html"), page_template(0)).unwrap();
    std::fs::write(site.join("static/storm.css"), "/* 0 */\n").unwrap();
    site
}

fn page_template(n: usize) -> String {
    format!("{{% extends \"base/page.html\" %}}{{% block main %}}<p class=\"storm\">version {n}</p>{{{{ super() }}}}{{% endblock main %}}")
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let dest = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

fn files_of(site: &Path, collection: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(site.join("content").join(collection))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    v.sort();
    v
}

/// The edits, what each file should hold at the end, and which files are broken.
struct Storm {
    rng: Rng,
    site: PathBuf,
    /// Every content file the storm may edit, with the text it means it to have.
    docs: BTreeMap<PathBuf, String>,
    /// Files written broken, with the text that fixes them.
    broken: BTreeMap<PathBuf, String>,
    /// Pages nothing links to or refers to, which may be deleted.
    deletable: BTreeSet<PathBuf>,
    workstreams: Vec<String>,
    link_targets: Vec<String>,
    n: usize,
}

impl Storm {
    fn new(seed: u64, site: &Path) -> Storm {
        let mut docs = BTreeMap::new();
        for coll in [
            "guides",
            "case-studies",
            "opportunities",
            "updates",
            "workstreams",
        ] {
            for f in files_of(site, coll) {
                docs.insert(f.clone(), read(&f));
            }
        }
        let all: String = docs.values().cloned().collect();
        let deletable = files_of(site, "updates")
            .into_iter()
            .filter(|f| {
                let slug = f.file_stem().unwrap().to_string_lossy();
                !all.contains(&format!("/{slug}.md")) && !read(f).contains("aliases")
            })
            .collect();
        let workstreams = files_of(site, "workstreams")
            .iter()
            .map(|f| f.file_stem().unwrap().to_string_lossy().into_owned())
            .collect();
        let link_targets = files_of(site, "guides")
            .iter()
            .map(|f| format!("../guides/{}", f.file_name().unwrap().to_string_lossy()))
            .collect();
        Storm {
            rng: Rng::new(seed),
            site: site.to_path_buf(),
            docs,
            broken: BTreeMap::new(),
            deletable,
            workstreams,
            link_targets,
            n: 0,
        }
    }

    fn words(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| self.rng.word())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// A document that is not broken, of a collection other than workstreams when `pages`.
    fn some_doc(&mut self, pages: bool) -> PathBuf {
        let choices: Vec<&PathBuf> = self
            .docs
            .keys()
            .filter(|p| !self.broken.contains_key(*p))
            .filter(|p| !pages || !p.parent().unwrap().ends_with("workstreams"))
            .collect();
        (*self.rng.pick(&choices)).clone()
    }

    fn write(&mut self, path: &Path, text: String) {
        std::fs::write(path, &text).unwrap();
        self.docs.insert(path.to_path_buf(), text);
    }

    /// One random edit.
    fn edit(&mut self) {
        self.n += 1;
        let n = self.n;
        let roll = self.rng.below(100);
        match roll {
            0..=70 => self.edit_page(roll, n),
            71..=75 => self.new_page(n),
            76..=79 => {
                let choices: Vec<PathBuf> = self
                    .deletable
                    .iter()
                    .filter(|p| !self.broken.contains_key(*p))
                    .cloned()
                    .collect();
                if !choices.is_empty() {
                    let doc = self.rng.pick(&choices).clone();
                    std::fs::remove_file(&doc).unwrap();
                    self.docs.remove(&doc);
                    self.deletable.remove(&doc);
                }
            }
            80..=83 => self.break_something(n),
            84..=87 => {
                if let Some(path) = self.broken.keys().next().cloned() {
                    let good = self.broken.remove(&path).unwrap();
                    std::fs::write(&path, good).unwrap();
                }
            }
            88..=93 => {
                let page = self.site.join("templates/page.html");
                if !self.broken.contains_key(&page) {
                    std::fs::write(page, page_template(n)).unwrap();
                }
            }
            94..=96 => {
                std::fs::write(self.site.join("static/storm.css"), format!("/* {n} */\n")).unwrap();
                let extra = self.site.join(format!("static/extra-{}.txt", n % 3));
                if self.rng.below(2) == 0 {
                    let _ = std::fs::remove_file(extra);
                } else {
                    std::fs::write(extra, format!("{n}\n")).unwrap();
                }
            }
            _ => {
                let toml = self.site.join("site.toml");
                let text = read(&toml);
                // The guides' description, which their list page shows.
                let line = text
                    .lines()
                    .skip_while(|l| *l != "[collections.guides]")
                    .find(|l| l.starts_with("description = \""))
                    .expect("the guides have a description in site.toml")
                    .to_string();
                let rest = line["description = \"".len()..].trim_start_matches(|c: char| {
                    c == '(' || c == ')' || c == ' ' || c.is_ascii_digit()
                });
                let new = format!("description = \"({n}) {rest}");
                std::fs::write(toml, text.replace(&line, &new)).unwrap();
            }
        }
    }

    /// An edit to a page's text or front matter, for a `roll` below 71.
    fn edit_page(&mut self, roll: usize, n: usize) {
        match roll {
            0..=29 => {
                let doc = self.some_doc(false);
                let line = format!("\n{} {n}.\n", self.words(6));
                let text = self.docs[&doc].clone() + &line;
                self.write(&doc, text);
            }
            30..=39 => {
                let doc = self.some_doc(false);
                let title = format!("\"{} {n}\"", self.words(3));
                let text = set_field(&self.docs[&doc], "title", Some(&title));
                self.write(&doc, text);
            }
            40..=46 => {
                let doc = self.some_doc(false);
                let summary = format!("\"{} {n}.\"", self.words(8));
                let text = set_field(&self.docs[&doc], "summary", Some(&summary));
                self.write(&doc, text);
            }
            47..=54 => {
                let doc = self.some_doc(false);
                let tags: Vec<String> = (0..=self.rng.below(3))
                    .map(|_| format!("\"{}\"", self.rng.word()))
                    .collect();
                let text = set_field(
                    &self.docs[&doc],
                    "tags",
                    Some(&format!("[{}]", tags.join(", "))),
                );
                self.write(&doc, text);
            }
            55..=60 => {
                let doc = self.some_doc(true);
                if field(&self.docs[&doc], "workstream").is_some() {
                    let ws = self.rng.pick(&self.workstreams).clone();
                    let text = set_field(&self.docs[&doc], "workstream", Some(&ws));
                    self.write(&doc, text);
                }
            }
            61..=65 => {
                let doc = self.some_doc(true);
                if field(&self.docs[&doc], "date").is_some() {
                    let date = format!(
                        "20{:02}-{:02}-{:02}",
                        5 + self.rng.below(20),
                        1 + self.rng.below(12),
                        1 + self.rng.below(28)
                    );
                    let text = set_field(&self.docs[&doc], "date", Some(&date));
                    self.write(&doc, text);
                }
            }
            66..=68 => {
                let doc = self.some_doc(true);
                let alias = (self.rng.below(2) == 0).then(|| format!("[\"/storm/alias-{n}/\"]"));
                let text = set_field(&self.docs[&doc], "aliases", alias.as_deref());
                self.write(&doc, text);
            }
            69..=70 => {
                let doc = self.some_doc(true);
                let draft = field(&self.docs[&doc], "draft").is_none().then_some("true");
                let text = set_field(&self.docs[&doc], "draft", draft);
                self.write(&doc, text);
            }
            _ => unreachable!("a page edit's roll is below 71"),
        }
    }

    fn new_page(&mut self, n: usize) {
        let path = self.site.join(format!("content/guides/storm-page-{n}.md"));
        let ws = self.rng.pick(&self.workstreams).clone();
        let link = self.rng.pick(&self.link_targets).clone();
        let tag = self.rng.word();
        let title = self.words(3);
        let body = self.words(12);
        let text = format!(
            "---\ntitle: \"{title} {n}\"\nsummary: \"A page the storm made.\"\ntags: [\"{tag}\"]\nworkstream: {ws}\naudience: \"Editors\"\nowner: Programme web editor\nupdated: 2020-01-01\nreview_by: 2040-01-01\n---\n\n{body}, see [a guide]({link}).\n"
        );
        self.write(&path, text);
        self.deletable.insert(path);
    }

    /// A broken edit: bad YAML, an unknown reference, or a template that does not parse.
    fn break_something(&mut self, n: usize) {
        match self.rng.below(3) {
            0 => {
                let doc = self.some_doc(true);
                let good = self.docs[&doc].clone();
                std::fs::write(&doc, set_field(&good, "title", Some("[unclosed"))).unwrap();
                self.broken.insert(doc, good);
            }
            1 => {
                let doc = self.some_doc(true);
                let good = self.docs[&doc].clone();
                if field(&good, "workstream").is_some() {
                    std::fs::write(
                        &doc,
                        set_field(&good, "workstream", Some("no-such-workstream")),
                    )
                    .unwrap();
                    self.broken.insert(doc, good);
                }
            }
            _ => {
                let page = self.site.join("templates/page.html");
                if let std::collections::btree_map::Entry::Vacant(e) =
                    self.broken.entry(page.clone())
                {
                    let bad = "{% extends \"base/page.html\" %}{% block main %}{% if %}";
                    std::fs::write(&page, bad).unwrap();
                    e.insert(page_template(n));
                }
            }
        }
    }

    /// Fixes every broken file: the site builds again.
    fn fix_all(&mut self) {
        for (path, good) in std::mem::take(&mut self.broken) {
            std::fs::write(path, good).unwrap();
        }
    }
}

/// What differs between two folders: missing, extra and changed files.
fn differences(
    served: &BTreeMap<String, Vec<u8>>,
    built: &BTreeMap<String, Vec<u8>>,
) -> Vec<String> {
    let mut out = Vec::new();
    for (k, v) in built {
        match served.get(k) {
            None => out.push(format!("missing {k}")),
            Some(s) if s != v => out.push(format!("differs {k}")),
            _ => {}
        }
    }
    out.extend(
        served
            .keys()
            .filter(|k| !built.contains_key(*k))
            .map(|k| format!("extra {k}")),
    );
    out
}

fn storm(seed: u64, edits: usize) {
    eprintln!("storm seed {seed} (HUBGEN_STORM_SEED={seed} replays it)");
    let tmp = tempfile::tempdir().unwrap();
    let site = generate(tmp.path());
    let server = serve(&site, "hub");
    let mut storm = Storm::new(seed, &site);
    let started = Instant::now();
    for _ in 0..edits {
        storm.edit();
        std::thread::sleep(Duration::from_micros(storm.rng.below(16_000) as u64));
    }
    storm.fix_all();
    eprintln!("seed {seed}: {edits} edits in {:.1?}", started.elapsed());

    let full = tmp.path().join("full");
    build_ok(
        &site,
        &full,
        &["--target", "hub", "--drafts", "--base-url", &server.url],
    );
    let built = built(&full);
    let served_dir = site.join(".hubgen-cache/serve/hub");
    // Quiet: nothing printed for a while, and the folder equals the full build.
    // A few seconds are enough on two cores; a preview still catching up
    // long after the storm has fallen behind.
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut last = Vec::new();
    loop {
        let quiet_since = server.log.lock().unwrap().last().map(|(t, _)| *t);
        let quiet = quiet_since.is_none_or(|t| t.elapsed() > Duration::from_millis(1500));
        if quiet {
            last = differences(&snapshot(&served_dir), &built);
            if last.is_empty() {
                break;
            }
        }
        if Instant::now() > deadline {
            let log: Vec<String> = server
                .log
                .lock()
                .unwrap()
                .iter()
                .map(|(_, l)| l.clone())
                .collect();
            panic!(
                "seed {seed}: the preview never came to equal a full build; {} files differ: {:?}\nlast lines of the preview:\n{}",
                last.len(),
                &last[..last.len().min(20)],
                log[log.len().saturating_sub(15)..].join("\n")
            );
        }
        std::thread::sleep(Duration::from_millis(300));
    }
    eprintln!(
        "seed {seed}: equal to a full build {:.1?} after the storm began",
        started.elapsed()
    );
}

#[test]
fn after_a_storm_of_edits_the_preview_equals_a_full_build() {
    let seeds: Vec<u64> = if let Ok(s) = std::env::var("HUBGEN_STORM_SEED") {
        vec![s.parse().expect("HUBGEN_STORM_SEED is a number")]
    } else {
        let base = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
            % 100_000;
        vec![base, base + 1, base + 2]
    };
    for seed in seeds {
        storm(seed, 250);
    }
}
