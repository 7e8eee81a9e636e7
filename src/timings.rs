//! Where a build's time goes: the stages `hubgen build --timings` prints.
//!
//! A [`Timings`] is shared by reference between the stages of one build; each
//! stage records how long it took, with the target it worked for if any.
//! Stages that run at the same time (the two halves of a target, say) each
//! record their own wall time, so the rows may add up to more than the total.

use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// One measured stage of a build.
#[derive(Clone, Debug)]
pub struct Stage {
    /// What was done: `read`, `link`, `render`, `search`, `swap`, …
    pub name: &'static str,
    /// The target it was done for, when it was done for one.
    pub target: Option<String>,
    /// How long it took, from its start to its end.
    pub time: Duration,
}

/// The stages of one build, in the order they finished.
#[derive(Debug)]
pub struct Timings {
    start: Instant,
    stages: Mutex<Vec<Stage>>,
}

impl Default for Timings {
    fn default() -> Self {
        Self::new()
    }
}

impl Timings {
    /// Starts the clock for the whole build.
    #[must_use]
    pub fn new() -> Self {
        Timings {
            start: Instant::now(),
            stages: Mutex::new(Vec::new()),
        }
    }

    /// Runs `f` as the stage `name` (of `target`, if given) and records how long it took.
    pub fn time<T>(&self, name: &'static str, target: Option<&str>, f: impl FnOnce() -> T) -> T {
        let start = Instant::now();
        let value = f();
        self.record(name, target, start.elapsed());
        value
    }

    /// Records that the stage `name` (of `target`, if given) took `time`.
    pub fn record(&self, name: &'static str, target: Option<&str>, time: Duration) {
        let stage = Stage {
            name,
            target: target.map(str::to_string),
            time,
        };
        self.stages
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(stage);
    }

    /// The stages recorded so far, in the order they finished.
    #[must_use]
    pub fn stages(&self) -> Vec<Stage> {
        self.stages
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// The time since the build started.
    #[must_use]
    pub fn total(&self) -> Duration {
        self.start.elapsed()
    }

    /// The stages as a table for people: one row each, then the total.
    #[must_use]
    pub fn table(&self, total: Duration) -> String {
        let stages = self.stages();
        let label = |s: &Stage| match &s.target {
            Some(t) => format!("{} ({t})", s.name),
            None => s.name.to_string(),
        };
        let width = stages
            .iter()
            .map(|s| label(s).len())
            .max()
            .unwrap_or(0)
            .max(5);
        let mut out = String::new();
        let _ = writeln!(out, "{:<width$}  {:>9}  {:>6}", "stage", "time", "share");
        for s in &stages {
            let share = s.time.as_secs_f64() / total.as_secs_f64().max(1e-9) * 100.0;
            let _ = writeln!(
                out,
                "{:<width$}  {:>7.3} s  {share:>5.1}%",
                label(s),
                s.time.as_secs_f64()
            );
        }
        let _ = writeln!(
            out,
            "{:<width$}  {:>7.3} s",
            "total (wall)",
            total.as_secs_f64()
        );
        out
    }

    /// The stages as one JSON object:
    /// `{"total_seconds": …, "stages": [{"stage": …, "target": …, "seconds": …}, …]}`.
    #[must_use]
    pub fn json(&self, total: Duration) -> String {
        let stages: Vec<serde_json::Value> = self
            .stages()
            .into_iter()
            .map(|s| {
                let mut row = serde_json::Map::new();
                row.insert("stage".into(), s.name.into());
                if let Some(t) = s.target {
                    row.insert("target".into(), t.into());
                }
                row.insert("seconds".into(), seconds(s.time).into());
                row.into()
            })
            .collect();
        serde_json::json!({ "total_seconds": seconds(total), "stages": stages }).to_string()
    }
}

/// Seconds, to the microsecond: finer than any stage is worth reading.
fn seconds(d: Duration) -> f64 {
    (d.as_secs_f64() * 1e6).round() / 1e6
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_come_out_in_order_as_a_table_and_as_json() {
        let t = Timings::new();
        t.record("read", None, Duration::from_millis(1500));
        assert_eq!(t.time("render", Some("hub"), || 7), 7);
        let table = t.table(Duration::from_secs(3));
        let lines: Vec<&str> = table.lines().collect();
        assert!(lines[0].starts_with("stage"), "{table}");
        assert!(
            lines[1].starts_with("read") && lines[1].contains("1.500 s"),
            "{table}"
        );
        assert!(lines[1].contains("50.0%"), "{table}");
        assert!(lines[2].starts_with("render (hub)"), "{table}");
        assert!(lines[3].starts_with("total (wall)") && lines[3].contains("3.000 s"));

        let json: serde_json::Value =
            serde_json::from_str(&t.json(Duration::from_secs(3))).unwrap();
        assert_eq!(json["total_seconds"], 3.0);
        assert_eq!(json["stages"][0]["stage"], "read");
        assert_eq!(json["stages"][0]["seconds"], 1.5);
        assert!(json["stages"][0].get("target").is_none());
        assert_eq!(json["stages"][1]["target"], "hub");
    }
}
