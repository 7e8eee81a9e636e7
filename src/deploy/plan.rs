//! What a deploy has to do, worked out from the build, the store's listing
//! and the manifest the last deploy left: which files to upload (and in
//! which order), which are unchanged, which objects to delete.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::local::LocalFile;

/// The key of the manifest object, from the deploy's folder in the bucket:
/// the hash and size of every file the last complete deploy uploaded.
pub const MANIFEST: &str = ".hubgen-deploy.json";

/// What the last complete deploy uploaded, by key.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// The manifest's format; 1.
    pub version: u32,
    /// Each file uploaded, by key.
    pub files: BTreeMap<String, Entry>,
    /// Set while a deploy is under way (written before its first upload):
    /// the store may then hold what this manifest does not say, so the next
    /// deploy lists the store rather than trusting the manifest.
    #[serde(default)]
    pub in_progress: bool,
    /// Objects the deploy that wrote it was about to delete: deleted again
    /// by the next deploy, in case it stopped before.
    #[serde(default)]
    pub deleting: Vec<String>,
}

impl Manifest {
    /// Whether the store is known to hold exactly what this manifest says
    /// (its files, and perhaps the objects it was deleting).
    pub fn trusted(&self) -> bool {
        !self.in_progress
    }

    /// The store's objects as a trusted manifest has them, by key, with size.
    pub fn objects(&self) -> BTreeMap<String, u64> {
        let files = self.files.iter().map(|(k, e)| (k.clone(), e.size));
        let deleting = self.deleting.iter().map(|k| (k.clone(), 0));
        files
            .chain(deleting)
            .chain([(MANIFEST.to_string(), 0)])
            .collect()
    }
}

/// One file in the manifest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The file's hash (see [`LocalFile::hash`]).
    pub hash: String,
    /// Its size in bytes.
    pub size: u64,
}

/// What the store holds before the deploy.
#[derive(Debug, Default)]
pub struct Remote {
    /// Every object under the deploy's folder, by key, with its size.
    pub objects: BTreeMap<String, u64>,
    /// The manifest the last complete deploy wrote, if there is one and it
    /// could be read.
    pub manifest: Option<Manifest>,
}

/// What the deploy does, in its order.
#[derive(Debug, Default)]
pub struct Plan {
    /// Files that are not pages, new or changed: uploaded first, so that no
    /// page is published before what it links to.
    pub files: Vec<LocalFile>,
    /// Pages, new or changed: uploaded next.
    pub pages: Vec<LocalFile>,
    /// How many files the store already has as they are.
    pub unchanged: usize,
    /// The manifest to write once every upload is done, or `None` when the
    /// store's is already right.
    pub manifest: Option<Manifest>,
    /// Objects the build no longer has: deleted last.
    pub delete: Vec<String>,
}

impl Plan {
    /// Every upload, in order.
    pub fn uploads(&self) -> impl Iterator<Item = &LocalFile> {
        self.files.iter().chain(&self.pages)
    }

    /// How many bytes the uploads come to.
    pub fn upload_bytes(&self) -> u64 {
        self.uploads().map(|f| f.size).sum()
    }

    /// Whether the deploy has nothing to do.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
            && self.pages.is_empty()
            && self.manifest.is_none()
            && self.delete.is_empty()
    }
}

/// The plan for uploading `local` (sorted by key) over `remote`. A file is
/// uploaded when `force` says so, when the store lacks it or has another
/// size, or when the manifest does not have its hash (so a deploy that
/// stopped half-way, before writing the manifest, uploads again what it may
/// have left half-done). Objects the build lacks are deleted unless
/// `keep_deleted`; the manifest itself is never deleted.
pub(super) fn plan(
    local: Vec<LocalFile>,
    remote: &Remote,
    force: bool,
    keep_deleted: bool,
) -> Plan {
    let empty = Manifest::default();
    let known = remote.manifest.as_ref().unwrap_or(&empty);
    let mut plan = Plan::default();
    let mut manifest = Manifest {
        version: 1,
        ..Manifest::default()
    };
    let mut local_keys = std::collections::BTreeSet::new();
    for file in local {
        if file.key == MANIFEST {
            continue;
        }
        local_keys.insert(file.key.clone());
        let entry = Entry {
            hash: file.hash.clone(),
            size: file.size,
        };
        let same = !force
            && remote.objects.get(&file.key) == Some(&file.size)
            && known.files.get(&file.key) == Some(&entry);
        manifest.files.insert(file.key.clone(), entry);
        if same {
            plan.unchanged += 1;
        } else if file.is_page() {
            plan.pages.push(file);
        } else {
            plan.files.push(file);
        }
    }
    let gone = remote
        .objects
        .iter()
        .filter(|(k, _)| *k != MANIFEST && !local_keys.contains(*k));
    if keep_deleted {
        // Kept, and still in the manifest, so that a later deploy without
        // --keep-deleted knows to delete them.
        for (key, size) in gone {
            let entry = known.files.get(key).cloned().unwrap_or(Entry {
                hash: String::new(),
                size: *size,
            });
            manifest.files.insert(key.clone(), entry);
        }
    } else {
        plan.delete = gone.map(|(k, _)| k.clone()).collect();
    }
    manifest.deleting.clone_from(&plan.delete);
    if force || remote.manifest.as_ref() != Some(&manifest) {
        plan.manifest = Some(manifest);
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(key: &str, body: &str) -> LocalFile {
        let ty = if std::path::Path::new(key)
            .extension()
            .is_some_and(|e| e == "html")
        {
            "text/html; charset=utf-8"
        } else {
            "text/css"
        };
        LocalFile {
            key: key.into(),
            path: key.into(),
            size: body.len() as u64,
            hash: format!("h-{body}"),
            content_type: ty.into(),
            cache_control: None,
        }
    }

    /// The store as a complete deploy of `files` leaves it.
    fn deployed(files: &[LocalFile]) -> Remote {
        let p = plan(files.to_vec(), &Remote::default(), false, false);
        let mut objects: BTreeMap<String, u64> =
            p.uploads().map(|f| (f.key.clone(), f.size)).collect();
        objects.insert(MANIFEST.into(), 100);
        Remote {
            objects,
            manifest: p.manifest,
        }
    }

    #[test]
    fn a_first_deploy_uploads_files_then_pages() {
        let local = vec![
            file("a.css", "x"),
            file("index.html", "y"),
            file("s/t.json", "z"),
        ];
        let p = plan(local, &Remote::default(), false, false);
        let keys = |v: &[LocalFile]| v.iter().map(|f| f.key.clone()).collect::<Vec<_>>();
        assert_eq!(keys(&p.files), ["a.css", "s/t.json"]);
        assert_eq!(keys(&p.pages), ["index.html"]);
        assert_eq!(p.manifest.unwrap().files.len(), 3);
    }

    #[test]
    fn a_second_deploy_does_nothing_and_a_change_uploads_only_it() {
        let local = vec![file("a.css", "x"), file("index.html", "y")];
        let remote = deployed(&local);
        let p = plan(local.clone(), &remote, false, false);
        assert!(p.is_empty(), "{p:?}");
        assert_eq!(p.unchanged, 2);

        let changed = vec![file("a.css", "x"), file("index.html", "new")];
        let p = plan(changed, &remote, false, false);
        assert!(p.files.is_empty());
        assert_eq!(p.pages.len(), 1);
        assert!(p.manifest.is_some());
        assert!(plan(local, &remote, true, false).uploads().count() == 2);
    }

    #[test]
    fn gone_files_are_deleted_unless_kept_and_the_manifest_never_is() {
        let remote = deployed(&[file("a.css", "x"), file("old/index.html", "y")]);
        let p = plan(vec![file("a.css", "x")], &remote, false, false);
        assert_eq!(p.delete, ["old/index.html"]);
        let kept = plan(vec![file("a.css", "x")], &remote, false, true);
        assert!(kept.delete.is_empty());
        assert!(
            kept.manifest.is_none(),
            "the store's manifest still names it"
        );
        // A change kept with --keep-deleted keeps naming it, so that a later
        // deploy deletes it.
        let kept = plan(vec![file("a.css", "x2")], &remote, false, true);
        let manifest = kept.manifest.unwrap();
        assert!(manifest.files.contains_key("old/index.html"));
        let later = Remote {
            objects: manifest.objects(),
            manifest: Some(manifest),
        };
        let p = plan(vec![file("a.css", "x2")], &later, false, false);
        assert_eq!(p.delete, ["old/index.html"]);
        assert_eq!(p.manifest.unwrap().deleting, ["old/index.html"]);
    }

    #[test]
    fn without_a_manifest_or_with_a_missing_object_files_upload_again() {
        let local = vec![file("a.css", "x"), file("index.html", "y")];
        let mut remote = deployed(&local);
        remote.objects.remove("a.css");
        assert_eq!(plan(local.clone(), &remote, false, false).files.len(), 1);
        remote.manifest = None;
        assert_eq!(plan(local, &remote, false, false).uploads().count(), 2);
    }
}
