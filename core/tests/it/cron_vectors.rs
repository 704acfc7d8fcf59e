//! The shared corpus of AWS schedule vectors: every vector must pass.
//!
//! Vectors tagged `disputed*` follow the decisions in the README's schedule semantics.

use jiff::Timestamp;
use serde::Deserialize;
use ssmpatch::schedule::{Schedule, Timing};

#[derive(Debug, Deserialize)]
struct Vector {
    id: String,
    expr: String,
    tz: String,
    start: String,
    #[serde(default)]
    schedule_offset_days: Option<u32>,
    #[serde(default)]
    expected_next: Option<Vec<String>>,
    #[serde(default)]
    expected_error: bool,
}

fn run(v: &Vector) -> Result<Vec<String>, String> {
    let schedule = Schedule::parse(&v.expr).map_err(|e| e.to_string())?;
    let timing = Timing::in_zone(&v.tz).map_err(|e| e.to_string())?.with_offset(v.schedule_offset_days);
    let start: Timestamp = v.start.parse().map_err(|e| format!("bad start: {e}"))?;
    let n = v.expected_next.as_ref().map_or(5, |e| e.len().max(5));
    let runs = schedule.next_n(&timing, start, n).map_err(|e| e.to_string())?;
    Ok(runs.iter().map(|z| z.timestamp().to_string()).collect())
}

#[test]
fn every_vector_passes() {
    let data = include_str!("../data/cron-vectors.jsonl");
    let mut failures = Vec::new();
    let mut count = 0;
    for (i, line) in data.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let v: Vector = serde_json::from_str(line).unwrap_or_else(|e| panic!("line {}: {e}", i + 1));
        count += 1;
        match (run(&v), v.expected_error, &v.expected_next) {
            (Err(_), true, _) => {}
            (Ok(got), true, _) => failures.push(format!("{} {}: expected an error, got {:?}", v.id, v.expr, got)),
            (Err(e), false, _) => failures.push(format!("{} {}: unexpected error: {e}", v.id, v.expr)),
            (Ok(got), false, Some(want)) => {
                let got: Vec<_> = got.into_iter().take(want.len()).collect();
                if &got != want {
                    failures.push(format!(
                        "{} {} [{}] from {}:\n   want {:?}\n    got {:?}",
                        v.id, v.expr, v.tz, v.start, want, got
                    ));
                }
            }
            (Ok(_), false, None) => {
                failures.push(format!("{}: vector has neither expected_next nor expected_error", v.id))
            }
        }
    }
    assert_eq!(count, 162, "the corpus has 162 vectors");
    assert!(failures.is_empty(), "{} of {count} vectors failed:\n{}", failures.len(), failures.join("\n"));
}
