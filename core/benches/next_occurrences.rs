//! Next-occurrence throughput, per expression, for ssmpatch and the general-purpose Rust cron
//! crates: up to `count` runs from `start` of each case in `bench-expressions.json`, the expression
//! parsed in every rep (as each crate's public API has it: saffron's iterator consumes its
//! `Cron`), reported as elements/s.
//!
//! Each case is the criterion group `next-1000/NN` (NN its index in the JSON) with one function
//! per engine that can express it:
//! - `ssmpatch` — `Schedule::occurrences` (zoned values); `ssmpatch-instants` —
//!   `Schedule::instants` (timestamps).
//! - `saffron` 0.1 (5 fields, no `?`, no year field, UTC only; has L, W and #),
//!   `cron` 0.17 (7 fields, seconds first; no L, W or #), `croner` 4 (5 fields, SUN = 0,
//!   `FRI#L` for "last Friday"; no year field).
//!
//! The translations are in [`equivalents`] and are checked, not trusted: before measuring, each
//! crate's runs must equal ssmpatch's first ones, or the bench stops; a crate that stops early
//! (`cron` ends at 2100) is credited with the runs it gives.
//!
//! `scripts/bench-cron.py` runs this and prints the geometric means per engine over the UTC
//! set, the subset every engine can express, and the time-zone set.
//!
//! Run: `cargo bench -p ssmpatch --bench next_occurrences`

use std::hint::black_box;
use std::str::FromStr;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use jiff::Timestamp;
use serde::Deserialize;
use ssmpatch::schedule::{Schedule, Timing};

#[derive(Deserialize)]
struct Bench {
    count: usize,
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    expr: String,
    tz: String,
    start: String,
}

/// A case's equivalents in the other crates' dialects, where the crate can express it.
#[derive(Default)]
struct Equivalents {
    croner: Option<&'static str>,
    cron: Option<&'static str>,
    saffron: Option<&'static str>,
}

/// Hand translations of the UTC cases (`None`: the crate lacks a field or feature the case uses).
fn equivalents(expr: &str) -> Equivalents {
    let e = |croner, cron, saffron| Equivalents { croner, cron, saffron };
    match expr {
        "cron(0 10 * * ? *)" => e(Some("0 10 * * ?"), Some("0 0 10 * * ? *"), Some("0 10 * * *")),
        "cron(15 12 * * ? *)" => e(Some("15 12 * * ?"), Some("0 15 12 * * ? *"), Some("15 12 * * *")),
        "cron(0 18 ? * MON-FRI *)" => {
            e(Some("0 18 ? * MON-FRI"), Some("0 0 18 ? * MON-FRI *"), Some("0 18 * * MON-FRI"))
        }
        "cron(0 8 1 * ? *)" => e(Some("0 8 1 * ?"), Some("0 0 8 1 * ? *"), Some("0 8 1 * *")),
        "cron(0/15 * * * ? *)" => e(Some("*/15 * * * ?"), Some("0 0/15 * * * ? *"), Some("0/15 * * * *")),
        "cron(0/10 * ? * MON-FRI *)" => {
            e(Some("*/10 * ? * MON-FRI"), Some("0 0/10 * ? * MON-FRI *"), Some("0/10 * * * MON-FRI"))
        }
        "cron(0/5 8-17 ? * MON-FRI *)" => {
            e(Some("*/5 8-17 ? * MON-FRI"), Some("0 0/5 8-17 ? * MON-FRI *"), Some("0/5 8-17 * * MON-FRI"))
        }
        "cron(5,35 14 * * ? *)" => e(Some("5,35 14 * * ?"), Some("0 5,35 14 * * ? *"), Some("5,35 14 * * *")),
        "cron(0 2 ? * THU#3 *)" => e(Some("0 2 ? * THU#3"), None, Some("0 2 * * THU#3")),
        "cron(0 2 L * ? *)" => e(Some("0 2 L * ?"), None, Some("0 2 L * *")),
        "cron(15 10 ? * 6L *)" => e(Some("15 10 ? * FRI#L"), None, Some("15 10 * * 6L")),
        "cron(0 9 15W * ? *)" => e(Some("0 9 15W * ?"), None, Some("0 9 15W * *")),
        "cron(0 0 LW * ? *)" => e(Some("0 0 LW * ?"), None, Some("0 0 LW * *")),
        "cron(0 */3 */1 * ? *)" => e(Some("0 */3 */1 * ?"), Some("0 0 */3 */1 * ? *"), Some("0 */3 */1 * *")),
        "cron(23,24,25 17,18 25 * ? *)" => {
            e(Some("23,24,25 17,18 25 * ?"), Some("0 23,24,25 17,18 25 * ? *"), Some("23,24,25 17,18 25 * *"))
        }
        "cron(30 9 ? * 2#1 *)" => e(Some("30 9 ? * MON#1"), None, Some("30 9 * * 2#1")),
        "cron(0 0 1,15 * ? *)" => e(Some("0 0 1,15 * ?"), Some("0 0 0 1,15 * ? *"), Some("0 0 1,15 * *")),
        "cron(* * * * ? *)" => e(Some("* * * * ?"), Some("0 * * * * ? *"), Some("* * * * *")),
        "cron(10-50/20 * * * ? *)" => {
            e(Some("10-50/20 * * * ?"), Some("0 10-50/20 * * * ? *"), Some("10-50/20 * * * *"))
        }
        // Years 2026-2199 from a 2026 start are every year for 1,000 runs; `cron` has a year
        // field, croner and saffron do not (so they would say something else near 2199).
        "cron(0 6,18 ? * SAT,SUN 2026-2199)" => e(Some("0 6,18 ? * SAT,SUN"), Some("0 0 6,18 ? * SAT,SUN *"), None),
        _ => Equivalents::default(),
    }
}

fn load() -> Bench {
    serde_json::from_str(include_str!("bench-expressions.json")).expect("bench-expressions.json")
}

fn ssmpatch_runs(expr: &str, timing: &Timing, start: Timestamp, n: usize) -> Vec<i64> {
    let s = Schedule::parse(expr).expect("valid");
    s.occurrences(timing, start).expect("ok").take(n).map(|z| z.timestamp().as_second()).collect()
}

/// Stops the bench when a translation says something other than ssmpatch; returns how many
/// runs the crate gives (fewer when it stops early: `cron` ends at 2100), which is what its
/// throughput counts.
fn check(engine: &str, expr: &str, want: &[i64], got: impl Iterator<Item = i64>) -> u64 {
    let got: Vec<i64> = got.take(want.len()).collect();
    if let Some(i) = got.iter().zip(want).position(|(g, w)| g != w) {
        panic!("{engine}'s translation of {expr} differs from ssmpatch at run {i}: {} against {}", got[i], want[i]);
    }
    got.len() as u64
}

fn all_cases(c: &mut Criterion) {
    let bench = load();
    let n = bench.count;
    for (i, case) in bench.cases.iter().enumerate() {
        let timing = Timing::in_zone(&case.tz).expect("zone");
        let start: Timestamp = case.start.parse().expect("start");
        let chrono_start = chrono::DateTime::from_timestamp(start.as_second(), 0).expect("start");
        let want = ssmpatch_runs(&case.expr, &timing, start, n);
        let expr = case.expr.as_str();

        let mut g = c.benchmark_group(format!("next-1000/{i:02}"));
        g.throughput(Throughput::Elements(want.len() as u64));
        g.bench_function("ssmpatch", |b| {
            b.iter(|| {
                let s = Schedule::parse(black_box(expr)).expect("valid");
                black_box(s.occurrences(&timing, start).expect("ok").take(n).count())
            })
        });
        let instants: Vec<i64> = Schedule::parse(expr)
            .expect("valid")
            .instants(&timing, start)
            .expect("ok")
            .take(n)
            .map(|t| t.as_second())
            .collect();
        assert_eq!(instants, want, "instants and occurrences differ for {expr}");
        g.bench_function("ssmpatch-instants", |b| {
            b.iter(|| {
                let s = Schedule::parse(black_box(expr)).expect("valid");
                black_box(s.instants(&timing, start).expect("ok").take(n).count())
            })
        });
        if case.tz == "UTC" {
            let eq = equivalents(expr);
            if let Some(text) = eq.saffron {
                let parsed = saffron::Cron::from_str(text).expect("saffron equivalent");
                let runs = check("saffron", expr, &want, parsed.iter_after(chrono_start).map(|t| t.timestamp()));
                g.throughput(Throughput::Elements(runs));
                g.bench_function("saffron", |b| {
                    b.iter(|| {
                        let s = saffron::Cron::from_str(black_box(text)).expect("saffron equivalent");
                        black_box(s.iter_after(chrono_start).take(n).count())
                    })
                });
            }
            if let Some(text) = eq.cron {
                let parsed = cron::Schedule::from_str(text).expect("cron equivalent");
                let runs = check("cron", expr, &want, parsed.after(&chrono_start).map(|t| t.timestamp()));
                g.throughput(Throughput::Elements(runs));
                g.bench_function("cron", |b| {
                    b.iter(|| {
                        let s = cron::Schedule::from_str(black_box(text)).expect("cron equivalent");
                        black_box(s.after(&chrono_start).take(n).count())
                    })
                });
            }
            if let Some(text) = eq.croner {
                let parsed = croner::Cron::from_str(text).expect("croner equivalent");
                let runs = check("croner", expr, &want, parsed.iter_after(chrono_start).map(|t| t.timestamp()));
                g.throughput(Throughput::Elements(runs));
                g.bench_function("croner", |b| {
                    b.iter(|| {
                        let s = croner::Cron::from_str(black_box(text)).expect("croner equivalent");
                        black_box(s.iter_after(chrono_start).take(n).count())
                    })
                });
            }
        }
        g.finish();
    }
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(std::time::Duration::from_millis(300))
        .measurement_time(std::time::Duration::from_secs(1))
        .sample_size(20)
}

criterion_group! { name = benches; config = config(); targets = all_cases }
criterion_main!(benches);
