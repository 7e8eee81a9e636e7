//! What external addresses answered, kept for a day in
//! `.hubgen-cache/external-links.json`, so that checking again is cheap.

use std::collections::BTreeMap;
use std::path::Path;

use super::probe::Outcome;

/// The cache file, from the site's root (`.hubgen-cache/` holds what hubgen
/// keeps between runs, and is never published).
pub(super) const CACHE_FILE: &str = ".hubgen-cache/external-links.json";

/// How long an answer is kept.
const DAY: u64 = 24 * 60 * 60;

/// Each address's answer, and when (seconds since 1970) it was given.
pub(super) type Known = BTreeMap<String, (u64, Outcome)>;

/// Seconds since 1970, now.
pub(super) fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The answers in the cache at `path` that are less than a day old; none if
/// there is no cache or it cannot be read (it is only ever a shortcut).
pub(super) fn load(path: &Path, now: u64) -> Known {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Known::new();
    };
    let known: Known = serde_json::from_str(&text).unwrap_or_default();
    known
        .into_iter()
        .filter(|(_, (at, outcome))| outcome.lasting() && now.saturating_sub(*at) < DAY)
        .collect()
}

/// Writes the lasting answers of `known` to `path`; a cache that cannot be
/// written only means the next run asks again.
pub(super) fn save(path: &Path, known: &Known) {
    let lasting: Known = known
        .iter()
        .filter(|(_, (_, o))| o.lasting())
        .map(|(u, v)| (u.clone(), v.clone()))
        .collect();
    let Ok(text) = serde_json::to_string_pretty(&lasting) else {
        return;
    };
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    // Written beside and renamed, so a cache is never half-written.
    let tmp = path.with_extension("json.tmp");
    if std::fs::write(&tmp, text).is_ok() {
        let _ = std::fs::rename(&tmp, path);
    }
}
