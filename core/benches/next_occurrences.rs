//! Next-occurrence throughput over the 20 (+4 time-zone) expressions of
//! `bench-expressions.json`: `count` runs from `start` per iteration, reported as elements/s.
//!
//! The same UTC expressions also run through `croner` and `cron` (the fastest general Rust
//! cron crates) for comparison; neither speaks the AWS dialect, so each case carries its
//! hand-translated equivalent (or none where the crate lacks the feature).
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

/// croner (5 fields, SUN = 0) and cron (7 fields, seconds first) equivalents of the UTC cases.
fn equivalents(expr: &str) -> (Option<&'static str>, Option<&'static str>) {
    match expr {
        "cron(0 10 * * ? *)" => (Some("0 10 * * ?"), Some("0 0 10 * * ? *")),
        "cron(15 12 * * ? *)" => (Some("15 12 * * ?"), Some("0 15 12 * * ? *")),
        "cron(0 18 ? * MON-FRI *)" => (Some("0 18 ? * MON-FRI"), Some("0 0 18 ? * MON-FRI *")),
        "cron(0 8 1 * ? *)" => (Some("0 8 1 * ?"), Some("0 0 8 1 * ? *")),
        "cron(0/15 * * * ? *)" => (Some("*/15 * * * ?"), Some("0 0/15 * * * ? *")),
        "cron(0/10 * ? * MON-FRI *)" => (Some("*/10 * ? * MON-FRI"), Some("0 0/10 * ? * MON-FRI *")),
        "cron(0/5 8-17 ? * MON-FRI *)" => (Some("*/5 8-17 ? * MON-FRI"), Some("0 0/5 8-17 ? * MON-FRI *")),
        "cron(5,35 14 * * ? *)" => (Some("5,35 14 * * ?"), Some("0 5,35 14 * * ? *")),
        "cron(0 2 ? * THU#3 *)" => (Some("0 2 ? * THU#3"), None),
        "cron(0 2 L * ? *)" => (Some("0 2 L * ?"), None),
        "cron(15 10 ? * 6L *)" => (Some("15 10 ? * FRI#L"), None),
        "cron(0 9 15W * ? *)" => (Some("0 9 15W * ?"), None),
        "cron(0 0 LW * ? *)" => (Some("0 0 LW * ?"), None),
        "cron(0 */3 */1 * ? *)" => (Some("0 */3 */1 * ?"), Some("0 0 */3 */1 * ? *")),
        "cron(23,24,25 17,18 25 * ? *)" => (Some("23,24,25 17,18 25 * ?"), Some("0 23,24,25 17,18 25 * ? *")),
        "cron(30 9 ? * 2#1 *)" => (Some("30 9 ? * MON#1"), None),
        "cron(0 0 1,15 * ? *)" => (Some("0 0 1,15 * ?"), Some("0 0 0 1,15 * ? *")),
        "cron(* * * * ? *)" => (Some("* * * * ?"), Some("0 * * * * ? *")),
        "cron(10-50/20 * * * ? *)" => (Some("10-50/20 * * * ?"), Some("0 10-50/20 * * * ? *")),
        "cron(0 6,18 ? * SAT,SUN 2026-2199)" => (Some("0 6,18 ? * SAT,SUN"), Some("0 0 6,18 ? * SAT,SUN *")),
        _ => (None, None),
    }
}

fn load() -> Bench {
    serde_json::from_str(include_str!("bench-expressions.json")).expect("bench-expressions.json")
}

fn all_cases(c: &mut Criterion) {
    let bench = load();
    let n = bench.count;
    let prepared: Vec<(Schedule, Timing, Timestamp)> = bench
        .cases
        .iter()
        .map(|k| {
            (
                Schedule::parse(&k.expr).expect("valid"),
                Timing::in_zone(&k.tz).expect("zone"),
                k.start.parse().expect("start"),
            )
        })
        .collect();
    let utc: Vec<usize> = (0..bench.cases.len()).filter(|i| bench.cases[*i].tz == "UTC").collect();

    let mut g = c.benchmark_group("next-1000/all-utc-cases");
    g.throughput(Throughput::Elements((n * utc.len()) as u64));
    g.bench_function("ssmpatch", |b| {
        b.iter(|| {
            for &i in &utc {
                let (s, t, start) = &prepared[i];
                black_box(s.occurrences(t, *start).expect("ok").take(n).count());
            }
        })
    });
    let croner: Vec<croner::Cron> = utc
        .iter()
        .filter_map(|&i| equivalents(&bench.cases[i].expr).0)
        .map(|e| croner::Cron::from_str(e).expect("croner equivalent"))
        .collect();
    let start = chrono::DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z").expect("start").to_utc();
    assert_eq!(croner.len(), utc.len(), "croner covers every UTC case");
    g.bench_function("croner", |b| {
        b.iter(|| {
            for c in &croner {
                black_box(c.iter_after(start).take(n).count());
            }
        })
    });
    g.finish();

    // `cron` lacks L, W and #: compare on the subset it parses.
    let subset: Vec<usize> = utc.iter().copied().filter(|&i| equivalents(&bench.cases[i].expr).1.is_some()).collect();
    let mut g = c.benchmark_group("next-1000/cron-crate-subset");
    g.throughput(Throughput::Elements((n * subset.len()) as u64));
    g.bench_function("ssmpatch", |b| {
        b.iter(|| {
            for &i in &subset {
                let (s, t, start) = &prepared[i];
                black_box(s.occurrences(t, *start).expect("ok").take(n).count());
            }
        })
    });
    let crons: Vec<cron::Schedule> = subset
        .iter()
        .filter_map(|&i| equivalents(&bench.cases[i].expr).1)
        .map(|e| cron::Schedule::from_str(e).expect("cron equivalent"))
        .collect();
    g.bench_function("cron", |b| {
        b.iter(|| {
            for s in &crons {
                black_box(s.after(&start).take(n).count());
            }
        })
    });
    g.finish();

    let tz: Vec<usize> = (0..bench.cases.len()).filter(|i| bench.cases[*i].tz != "UTC").collect();
    let mut g = c.benchmark_group("next-1000/time-zone-cases");
    g.throughput(Throughput::Elements((n * tz.len()) as u64));
    g.bench_function("ssmpatch", |b| {
        b.iter(|| {
            for &i in &tz {
                let (s, t, start) = &prepared[i];
                black_box(s.occurrences(t, *start).expect("ok").take(n).count());
            }
        })
    });
    g.finish();

    let mut g = c.benchmark_group("next-1000/per-case");
    g.throughput(Throughput::Elements(n as u64));
    for (k, (s, t, start)) in bench.cases.iter().zip(&prepared) {
        g.bench_function(format!("{} {}", k.expr, k.tz), |b| {
            b.iter(|| black_box(s.occurrences(t, *start).expect("ok").take(n).count()))
        });
    }
    g.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_secs(2))
        .sample_size(20)
}

criterion_group! { name = benches; config = config(); targets = all_cases }
criterion_main!(benches);
