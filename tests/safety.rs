//! hubgen never loses a file: it writes only inside its own output folders,
//! deletes only folders it made, and never publishes a partial or hijacked
//! site. Each test below makes one mistake an editor or a careless command
//! line could make, runs the real binary, and checks the exit code, the
//! located error, and that every file of the site and around it (the last
//! good output included) is byte for byte as it was.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

use common::*;

/// A small site with two targets in a temporary folder, beside a folder of
/// someone else's files that no build may touch.
struct Site {
    tmp: tempfile::TempDir,
}

const SITE_TOML: &str = r#"title = "Safety"

[collections.pages]
permalink = "/{slug}/"

[collections.guides]

[taxonomies.tags]

[targets.main]
base_url = "https://example.org/"
theme = "programme"
collections = ["pages", "guides"]

[targets.other]
base_url = "https://other.example.org/hub/"
theme = "hub"
collections = ["guides"]
"#;

impl Site {
    fn new() -> Site {
        Site::in_dir(&std::env::temp_dir())
    }

    /// The site in a new folder inside `parent`.
    fn in_dir(parent: &Path) -> Site {
        let tmp = tempfile::tempdir_in(parent).unwrap();
        let s = Site { tmp };
        copy_dir(&repo().join("themes"), &s.root().join("themes"));
        s.write("site.toml", SITE_TOML);
        s.write(
            "content/pages/about.md",
            "---\ntitle: About\nsummary: What this is.\n---\n\nAbout us.\n",
        );
        s.write(
            "content/guides/one.md",
            "---\ntitle: One\nsummary: The first guide.\ntags: [energy]\n---\n\n## Start\n\nText.\n",
        );
        s.write(
            "content/guides/two.md",
            "---\ntitle: Two\nsummary: The second guide.\ntags: [energy, waste]\n---\n\nMore text.\n",
        );
        s.write("elsewhere/letter.txt", "someone else's work");
        s.write("site/README.md", "the site's own readme");
        s.write("site/src/lib.rs", "// someone's code");
        s.write("site/.git/HEAD", "ref: refs/heads/main\n");
        s
    }

    /// The site's root.
    fn root(&self) -> PathBuf {
        self.tmp.path().join("site")
    }

    fn write(&self, rel: &str, text: &str) {
        let path = if rel.starts_with("elsewhere/") || rel.starts_with("site/") {
            self.tmp.path().join(rel)
        } else {
            self.root().join(rel)
        };
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn run(&self, args: &[&str]) -> Output {
        hubgen(&self.root(), args)
    }

    /// Builds both targets, which must succeed.
    fn build_ok(&self) {
        let o = self.run(&["build"]);
        assert!(o.status.success(), "{}", stderr(&o));
    }

    /// Every file in the temporary folder with its bytes, but hubgen's cache.
    fn tree(&self) -> BTreeMap<String, Vec<u8>> {
        snapshot(self.tmp.path())
            .into_iter()
            .filter(|(k, _)| !k.starts_with("site/.hubgen-cache/"))
            .collect()
    }
}

fn copy_dir(from: &Path, to: &Path) {
    for e in walkdir::WalkDir::new(from) {
        let e = e.unwrap();
        let dest = to.join(e.path().strip_prefix(from).unwrap());
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(e.path(), &dest).unwrap();
        }
    }
}

/// Runs `args` on a site where `mistake` was made after a good build, and
/// checks what [`refused_on`] checks.
fn refused(mistake: impl FnOnce(&Site), args: &[&str], expected: &[&str]) -> String {
    let site = Site::new();
    site.build_ok();
    assert!(site.root().join("public/main/index.html").is_file());
    mistake(&site);
    refused_on(&site, args, expected)
}

/// Runs `args` on `site` and checks that it fails with every `expected` text
/// in its errors, exit 1, and that not one byte of any file changed.
fn refused_on(site: &Site, args: &[&str], expected: &[&str]) -> String {
    let before = site.tree();
    let o = site.run(args);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "expected exit 1:\n{err}");
    for want in expected {
        assert!(err.contains(want), "expected {want:?} in:\n{err}");
    }
    let after = site.tree();
    let changed = differing(&before, &after);
    assert!(changed.is_empty(), "files changed: {changed:?}\n{err}");
    err
}

fn set_output(site: &Site, target: &str, output: &str) {
    let toml = SITE_TOML.replace(
        &format!("[targets.{target}]\n"),
        &format!("[targets.{target}]\noutput = {output:?}\n"),
    );
    site.write("site.toml", &toml);
}

#[test]
fn an_output_folder_over_the_sources_is_refused() {
    for (output, what) in [
        ("public/../content", "overlaps the content folder"),
        ("content/guides", "overlaps the content folder"),
        ("themes/../themes", "overlaps the themes folder"),
        ("public/../themes/hub", "overlaps the themes folder"),
        (".git", "overlaps the git repository"),
        ("site.toml", "overlaps site.toml"),
        (".", "holds the whole site"),
        ("..", "holds the whole site"),
        ("/", "holds the whole site"),
    ] {
        let err = refused(
            |s| set_output(s, "main", output),
            &["build"],
            &["site.toml:", what],
        );
        assert!(err.contains("nothing was written"), "{err}");
    }
}

#[test]
fn an_output_folder_of_someone_elses_files_is_refused() {
    for (output, what) in [
        ("src", "holds files that hubgen did not make"),
        ("../elsewhere", "holds files that hubgen did not make"),
        ("README.md", "exists and is not a folder"),
    ] {
        refused(|s| set_output(s, "main", output), &["build"], &[what]);
    }
    // The same from the command line.
    let site = Site::new();
    let elsewhere = site.tmp.path().join("elsewhere");
    refused_on(
        &site,
        &[
            "build",
            "--target",
            "other",
            "--output",
            elsewhere.to_str().unwrap(),
        ],
        &["holds files that hubgen did not make"],
    );
    // An empty folder, or one hubgen made, is fine.
    let fresh = site.tmp.path().join("fresh");
    std::fs::create_dir(&fresh).unwrap();
    for _ in 0..2 {
        let o = site.run(&[
            "build",
            "--target",
            "other",
            "--output",
            fresh.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    assert!(fresh.join(".hubgen-output").is_file());
}

#[test]
fn targets_may_not_share_or_nest_their_outputs() {
    refused(
        |s| set_output(s, "other", "public/main"),
        &["build"],
        &["targets `main` and `other` write to the same or nested folders"],
    );
    refused(
        |s| set_output(s, "other", "public/main/other"),
        &["build"],
        &["write to the same or nested folders"],
    );
}

#[test]
fn names_that_are_paths_are_refused_where_they_are_written() {
    let cases: [(&str, &str, &str); 7] = [
        (
            "[targets.other]",
            "[targets.\"../content\"]",
            "site.toml:15:10: error: target name `../content` must start with a letter or digit",
        ),
        (
            "[targets.other]",
            "[targets.\"..\"]",
            "target name `..` must start with a letter or digit",
        ),
        (
            "[collections.guides]",
            "[collections.guides]\nfolder = \"../..\"",
            "site.toml:7:10: error: folder `../..` must be a folder inside content/",
        ),
        (
            "[collections.pages]\npermalink = \"/{slug}/\"",
            "[collections.pages]\npermalink = \"/../../../outside/{slug}/\"",
            "permalink `/../../../outside/{slug}/` has an empty, `.` or `..` part",
        ),
        (
            "[collections.pages]\npermalink = \"/{slug}/\"",
            "[collections.pages]\npermalink = \"/{foo}/{slug}/\"",
            "uses a placeholder hubgen does not know",
        ),
        (
            "theme = \"hub\"",
            "theme = \"../../other/themes/hub\"",
            "theme `../../other/themes/hub` must start with a letter or digit",
        ),
        (
            "base_url = \"https://other.example.org/hub/\"",
            "base_url = \"https://\"",
            "base_url `https://` has no valid host name",
        ),
    ];
    for (from, to, want) in cases {
        refused(
            |s| s.write("site.toml", &SITE_TOML.replace(from, to)),
            &["build"],
            &[want],
        );
    }
    refused(
        |s| {
            s.write(
                "site.toml",
                &SITE_TOML.replace(
                    "[collections.guides]",
                    "[collections.guides]\npaginate_by = 0",
                ),
            );
        },
        &["build"],
        &["site.toml:7:15: error: paginate_by must be at least 1"],
    );
}

#[test]
fn serve_refuses_a_target_that_is_a_path() {
    refused(
        |_| {},
        &["serve", "--target", "../../content", "--port", "0"],
        &["../../content"],
    );
}

#[test]
fn a_file_name_without_letters_is_refused() {
    for name in ["_.md", "---.md", "!!!.md"] {
        refused(
            |s| {
                s.write(
                    &format!("content/pages/{name}"),
                    "---\ntitle: Unnamed\n---\nText.\n",
                );
            },
            &["build"],
            &[&format!(
                "content/pages/{name}:1:1: error: the file name has no letters or digits"
            )],
        );
    }
}

/// Other scripts are transliterated for the address, not dropped.
#[test]
fn a_file_name_in_another_script_gets_an_address() {
    let site = Site::new();
    site.write(
        "content/pages/日本語.md",
        "---\ntitle: Japanese\n---\nText.\n",
    );
    site.build_ok();
    assert!(site
        .root()
        .join("public/main/ri-ben-yu/index.html")
        .is_file());
}

/// An alias or a page may not take the place of another page or of a file
/// the site generates; the error names both.
#[test]
fn aliases_and_pages_cannot_take_anothers_file() {
    let cases = [
        ("/index.html", "is already taken by the home page"),
        (
            "/about/index.html",
            "is already taken by content/pages/about.md",
        ),
        ("/ABOUT/", "is already taken by content/pages/about.md"),
        ("/404.html", "is already taken by the 404 page"),
        ("/search/", "is already taken by the search page"),
        (
            "/search/manifest.json",
            "is already taken by the search index",
        ),
        (
            "/tags/energy/",
            "is already taken by the page of `energy` in `tags`",
        ),
        ("/tags/", "is already taken by the `tags` taxonomy page"),
        ("/guides/", "is already taken by the list of `guides`"),
        ("/sitemap.xml", "is already taken by the sitemap"),
        ("/atom.xml", "is already taken by the Atom feed"),
        ("/robots.txt", "is already taken by robots.txt"),
        ("/style.css", "is already taken by the file themes/"),
        (
            "/.hubgen-output",
            "is already taken by hubgen's marker file",
        ),
    ];
    for (alias, want) in cases {
        refused(
            |s| {
                s.write(
                    "content/guides/three.md",
                    &format!("---\ntitle: Three\naliases: [\"{alias}\"]\n---\nText.\n"),
                );
            },
            &["build"],
            &[
                &format!("content/guides/three.md:3:1: error: alias \"{alias}\""),
                want,
            ],
        );
    }
    refused(
        |s| s.write("content/pages/search.md", "---\ntitle: Search\n---\nText.\n"),
        &["build"],
        &["content/pages/search.md:1:1: error: this page's URL /search/ is already taken by the search page"],
    );
    refused(
        |s| {
            s.write(
                "site.toml",
                &SITE_TOML.replace("[taxonomies.tags]", "[taxonomies.guides]\nfield = \"tags\""),
            );
        },
        &["build"],
        &["the `guides` taxonomy page would be written to guides/index.html, which is already the list of `guides`"],
    );
    refused(
        |s| s.write("static/sitemap.xml", "<urlset/>"),
        &["build"],
        &["static/sitemap.xml: error: static file sitemap.xml has the same path as the sitemap"],
    );
}

#[test]
fn two_pages_with_one_slug_are_located() {
    refused(
        |s| {
            s.write(
                "site.toml",
                &SITE_TOML.replace(
                    "[collections.guides]",
                    "[collections.guides]\npermalink = \"/guides/{slug}/\"",
                ),
            );
            s.write(
                "content/guides/sub/one.md",
                "---\ntitle: One again\n---\nText.\n",
            );
        },
        &["build"],
        &["content/guides/sub/one.md:1:1: error: "],
    );
}

#[test]
fn editors_backups_and_odd_markdown_are_never_published() {
    let site = Site::new();
    let secret = "---\ntitle: Secret\ndraft: true\n---\nNot for publication.\n";
    site.write("content/guides/secret.md", secret);
    for leftover in [
        "secret.md~",
        "secret.md.orig",
        ".#secret.md",
        "#secret.md#",
        "secret.bak",
        ".secret.md.swp",
    ] {
        site.write(&format!("content/guides/{leftover}"), secret);
    }
    site.build_ok();
    for target in ["main", "other"] {
        let out = snapshot(&site.root().join("public").join(target));
        assert!(
            out.iter().all(|(k, v)| !k.contains("secret")
                && !String::from_utf8_lossy(v).contains("Not for publication")),
            "{target} publishes a backup: {:?}",
            out.keys()
                .filter(|k| k.contains("secret"))
                .collect::<Vec<_>>()
        );
    }
    for odd in ["upper.MD", "long.markdown"] {
        refused(
            |s| s.write(&format!("content/guides/{odd}"), secret),
            &["build"],
            &[&format!(
                "content/guides/{odd}: error: hubgen reads pages only from files ending in `.md`"
            )],
        );
    }
}

#[cfg(unix)]
#[test]
fn a_symlinked_page_is_published_only_from_inside_the_site() {
    let site = Site::new();
    site.write(
        "drafts/linked.md",
        "---\ntitle: Linked\n---\nFrom inside.\n",
    );
    std::os::unix::fs::symlink(
        site.root().join("drafts/linked.md"),
        site.root().join("content/guides/linked.md"),
    )
    .unwrap();
    site.build_ok();
    assert!(site
        .root()
        .join("public/main/guides/linked/index.html")
        .is_file());

    refused(
        |s| {
            s.write(
                "elsewhere/outside.md",
                "---\ntitle: Outside\n---\nSecret.\n",
            );
            std::os::unix::fs::symlink(
                s.tmp.path().join("elsewhere/outside.md"),
                s.root().join("content/guides/outside.md"),
            )
            .unwrap();
        },
        &["build"],
        &["content/guides/outside.md: error: this is a link to a file or folder outside the site"],
    );
}

#[test]
fn new_refuses_titles_it_cannot_make_a_file_of() {
    refused(
        |_| {},
        &["new", "pages", "multi\nline"],
        &["the title has a line break"],
    );
    refused(
        |_| {},
        &["new", "pages", &"a".repeat(300)],
        &["the title is 300 characters long"],
    );
    // A long title that fits still makes a file name every system accepts.
    let site = Site::new();
    let title = "word ".repeat(39);
    let o = site.run(&["new", "pages", title.trim()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let path = stdout(&o);
    let name = Path::new(path.trim()).file_name().unwrap().len();
    assert!(name <= 83, "{path}");
}

/// The two-rename swap, cut between its renames (as a kill would leave it on
/// a platform that cannot exchange folders), is repaired by the next build.
#[test]
fn a_swap_cut_half_way_is_repaired_by_the_next_build() {
    let site = Site::new();
    site.build_ok();
    let public = site.root().join("public");
    std::fs::rename(public.join("main"), public.join(".main.hubgen-old")).unwrap();
    std::fs::create_dir(public.join(".other.hubgen-staging")).unwrap();
    std::fs::write(public.join(".other.hubgen-staging/.hubgen-output"), "").unwrap();
    std::fs::write(public.join(".other.hubgen-staging/half.html"), "half").unwrap();
    site.build_ok();
    let mut left: Vec<String> = std::fs::read_dir(&public)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    left.sort();
    // Each output, and the output before it kept for the next build.
    assert_eq!(
        left,
        [".main.hubgen-spare", ".other.hubgen-spare", "main", "other"]
    );
    assert!(public.join("main/index.html").is_file());
}

/// Outputs of targets that are not being built count too: building one
/// target may not write over another's published site.
#[test]
fn one_target_cannot_take_another_targets_output() {
    let site = Site::new();
    site.build_ok();
    let other = site.root().join("public/other");
    refused_on(
        &site,
        &[
            "build",
            "--target",
            "main",
            "--output",
            other.to_str().unwrap(),
        ],
        &["targets `main` and `other` write to the same or nested folders"],
    );
    refused(
        |s| {
            s.write(
                "site.toml",
                &SITE_TOML.replace("[targets.other]\n", "[targets.other]\noutput = \"public/main/hub\"\n"),
            );
        },
        &["build", "--target", "other"],
        &["site.toml:16:10: error: targets `other` and `main` write to the same or nested folders"],
    );
    // An output named like another's staging folder would be taken for it.
    refused(
        |s| {
            s.write(
                "site.toml",
                &SITE_TOML.replace(
                    "[targets.other]\n",
                    "[targets.other]\noutput = \"public/.main.hubgen-staging\"\n",
                ),
            );
        },
        &["build"],
        &["is named like the folders hubgen keeps beside an output"],
    );
}

#[test]
fn an_output_that_holds_a_git_repository_is_not_replaced() {
    refused(
        |s| s.write("public/main/.git/HEAD", "ref: refs/heads/gh-pages\n"),
        &["build"],
        &["holds a git repository (.git) that a build would delete"],
    );
}

#[cfg(unix)]
#[test]
fn a_collection_folder_linked_from_outside_is_refused() {
    refused(
        |s| {
            s.write(
                "elsewhere/private/p.md",
                "---\ntitle: Private\n---\nSecret.\n",
            );
            s.write("elsewhere/private/secret.txt", "secret");
            std::fs::remove_dir_all(s.root().join("content/guides")).unwrap();
            std::os::unix::fs::symlink(
                s.tmp.path().join("elsewhere/private"),
                s.root().join("content/guides"),
            )
            .unwrap();
        },
        &["build"],
        &["content/guides: error: this is a link to a file or folder outside the site"],
    );
}

#[cfg(unix)]
#[test]
fn the_preview_never_takes_over_a_folder_it_did_not_make() {
    refused(
        |s| {
            s.write("elsewhere/docs/letter.txt", "keep me");
            std::fs::create_dir_all(s.root().join(".hubgen-cache/serve")).unwrap();
            std::os::unix::fs::symlink(
                s.tmp.path().join("elsewhere/docs"),
                s.root().join(".hubgen-cache/serve/main"),
            )
            .unwrap();
        },
        &["serve", "--target", "main", "--port", "0"],
        &["the preview's folder", "is not a folder"],
    );
}

#[test]
fn names_too_long_for_a_file_system_are_located() {
    refused(
        |s| {
            s.write(
                "content/guides/three.md",
                &format!(
                    "---\ntitle: Three\ntags: [{}]\n---\nText.\n",
                    "t".repeat(230)
                ),
            );
        },
        &["build"],
        &["content/guides/three.md:3:1: error: `tags` has a value of 230 characters"],
    );
    refused(
        |s| {
            s.write(
                "content/guides/three.md",
                "---\ntitle: Three\naliases: [\"/old//page/\"]\n---\nText.\n",
            );
        },
        &["build"],
        &["content/guides/three.md:3:1: error: alias \"/old//page/\" is not a path on this site"],
    );
}

/// When one target cannot be swapped in, the ones already swapped go back:
/// the targets change together or not at all.
#[test]
fn targets_are_swapped_in_together_or_not_at_all() {
    let site = Site::new();
    site.build_ok();
    site.write(
        "content/guides/one.md",
        "---\ntitle: One, edited\nsummary: The first guide.\n---\n\nNew text.\n",
    );
    let before = site.tree();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_hubgen"))
        .arg("-C")
        .arg(site.root())
        .arg("build")
        .env("HUBGEN_FAULT", "second-swap")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("cannot move the new output into place"));
    let after = site.tree();
    let changed = differing(&before, &after);
    assert!(changed.is_empty(), "changed: {changed:?}");
    site.build_ok();
    assert!(read(site.root().join("public/other/guides/one/index.html")).contains("New text."));
}

#[test]
fn a_list_is_written_only_where_a_permalink_has_a_folder() {
    let site = Site::new();
    site.write(
        "site.toml",
        &SITE_TOML.replace(
            "[collections.guides]",
            "[collections.guides]\npermalink = \"/guides-{slug}/\"",
        ),
    );
    site.build_ok();
    assert!(site
        .root()
        .join("public/main/guides-one/index.html")
        .is_file());
    assert!(!site.root().join("public/main/guides-").exists());
}

/// A mount point cannot be swapped by renaming: refused before anything is
/// written, rather than failing half-way through the swap. Mounting needs
/// root; elsewhere the test says so and checks nothing more.
#[cfg(target_os = "linux")]
#[test]
fn a_mount_point_is_refused_as_an_output() {
    let site = Site::new();
    let mount = site.tmp.path().join("mounted");
    std::fs::create_dir(&mount).unwrap();
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "none"])
        .arg(&mount)
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        eprintln!("cannot mount a tmpfs here (not root?): the mount-point check is not exercised");
        return;
    }
    let o = site.run(&[
        "build",
        "--target",
        "other",
        "--output",
        mount.to_str().unwrap(),
    ]);
    let _ = std::process::Command::new("umount").arg(&mount).status();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("is a mount point"), "{}", stderr(&o));
}

/// A build refused with `expected` in its errors that changes not one byte
/// ([`refused_on`]) and leaves no staging folder, not even an empty one.
/// Used where the failure comes late, after another target was staged.
fn changes_nothing(site: &Site, expected: &str) {
    refused_on(site, &["build"], &[expected]);
    let leftovers: Vec<_> = std::fs::read_dir(site.root().join("public"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "main" && n != "other")
        .collect();
    assert!(leftovers.is_empty(), "staging left behind: {leftovers:?}");
}

/// The second target's theme fails while rendering, after the first target
/// was staged in full: neither target's last good output changes.
#[test]
fn a_template_error_in_the_second_target_leaves_both_outputs_as_they_were() {
    let site = Site::new();
    site.build_ok();
    site.write(
        "content/guides/one.md",
        "---\ntitle: One, edited\nsummary: The first guide.\n---\n\nNew text.\n",
    );
    // The check can fail: with the theme still good, the build succeeds and
    // changes both outputs, and `changes_nothing` says so.
    let copy = Site::new();
    copy.build_ok();
    copy.write(
        "content/guides/one.md",
        "---\ntitle: One, edited\nsummary: The first guide.\n---\n\nNew text.\n",
    );
    assert!(std::panic::catch_unwind(|| changes_nothing(&copy, "no_such_value")).is_err());
    let hub = site.root().join("themes/hub/templates/index.html");
    let text = read(&hub);
    site.write(
        "themes/hub/templates/index.html",
        &text.replace(
            "{% block main %}",
            "{% block main %}{{ no_such_value.field }}",
        ),
    );
    // The first target alone still builds: the error is the hub theme's.
    changes_nothing(&site, "no_such_value");
    let scratch = site.tmp.path().join("scratch");
    let o = site.run(&[
        "build",
        "--target",
        "main",
        "--output",
        scratch.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(read(scratch.join("guides/one/index.html")).contains("New text."));
}

/// The second target's output sits on a file system that became read-only
/// after the last build: the build fails there, after the first target was
/// staged, and neither output changes. Mounting needs root; elsewhere the
/// test says so and checks nothing more.
#[cfg(target_os = "linux")]
#[test]
fn an_unwritable_second_output_leaves_both_outputs_as_they_were() {
    let site = Site::new();
    let mount = site.tmp.path().join("mounted");
    std::fs::create_dir(&mount).unwrap();
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "none"])
        .arg(&mount)
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        eprintln!("cannot mount a tmpfs here (not root?): the unwritable output is not exercised");
        return;
    }
    let unmount = || {
        let _ = std::process::Command::new("umount").arg(&mount).status();
    };
    let output = mount.join("hub");
    site.write(
        "site.toml",
        &SITE_TOML.replace(
            "theme = \"hub\"",
            &format!("theme = \"hub\"\noutput = {:?}", output.to_str().unwrap()),
        ),
    );
    site.build_ok();
    let remounted = std::process::Command::new("mount")
        .args(["-o", "remount,ro"])
        .arg(&mount)
        .status()
        .is_ok_and(|s| s.success());
    assert!(remounted, "cannot remount the tmpfs read-only");
    site.write(
        "content/guides/one.md",
        "---\ntitle: One, edited\nsummary: The first guide.\n---\n\nNew text.\n",
    );
    let result = std::panic::catch_unwind(|| {
        changes_nothing(&site, "cannot create a staging folder");
    });
    unmount();
    if let Err(e) = result {
        std::panic::resume_unwind(e);
    }
}

/// A small file system of its own (tmpfs), unmounted when dropped.
struct SmallDisk(tempfile::TempDir);

impl SmallDisk {
    /// None where this user may not mount one (it needs root, as CI has).
    fn mount(size: &str) -> Option<SmallDisk> {
        let dir = tempfile::tempdir().unwrap();
        let ok = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .output()
            .is_ok_and(|o| o.status.success());
        ok.then_some(SmallDisk(dir))
    }

    fn path(&self) -> &Path {
        self.0.path()
    }

    /// Fills the disk but for about `left` bytes.
    fn fill(&self, left: u64) {
        let free = String::from_utf8(
            std::process::Command::new("df")
                .args(["--output=avail", "-B1"])
                .arg(self.path())
                .output()
                .unwrap()
                .stdout,
        )
        .unwrap();
        let free: u64 = free.lines().nth(1).unwrap().trim().parse().unwrap();
        let filler = std::fs::File::create(self.path().join("filler")).unwrap();
        filler.set_len(free.saturating_sub(left)).unwrap();
        // A sparse file takes no space on tmpfs until written: write it.
        let mut f = std::io::BufWriter::new(filler);
        std::io::Write::write_all(
            &mut f,
            &vec![0u8; usize::try_from(free.saturating_sub(left)).unwrap()],
        )
        .unwrap();
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg(self.0.path())
            .status();
    }
}

#[test]
fn a_full_disk_is_one_plain_problem_and_the_last_build_stays_published() {
    let Some(disk) = SmallDisk::mount("64m") else {
        eprintln!("skipped: mounting a small file system needs root");
        return;
    };
    let site = Site::in_dir(disk.path());
    site.build_ok();
    let published = site.tree();
    disk.fill(64 * 1024);
    site.write(
        "content/guides/three.md",
        "---\ntitle: Three\nsummary: The third guide.\n---\n\nText.\n",
    );
    let o = site.run(&["build"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert_eq!(
        err.matches("the disk is full").count(),
        1,
        "said once: {err}"
    );
    assert!(err.contains("free some space"), "{err}");
    assert!(!err.contains("cannot write"), "no file by file list: {err}");
    assert!(
        err.contains("1 problem found; nothing was written"),
        "{err}"
    );
    let mut after = site.tree();
    assert!(
        after.remove("site/content/guides/three.md").is_some(),
        "the new page is kept"
    );
    assert_eq!(
        after, published,
        "the last build is still what is published"
    );

    std::fs::remove_file(disk.path().join("filler")).unwrap();
    site.build_ok();
}
