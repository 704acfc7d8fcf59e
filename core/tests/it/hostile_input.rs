//! Hostile input never panics, hangs or runs out of memory (issue 16): huge `rate()` values and
//! long iterations, schedule expressions longer than AWS takes.

use jiff::Timestamp;
use ssmpatch::plan::{Plan, Source};
use ssmpatch::schedule::{MAX_EXPRESSION_CHARS, MAX_RATE_DAYS, Schedule, Timing};

fn ts(s: &str) -> Timestamp {
    s.parse().expect("test timestamp")
}

/// The seed plan with the install operation's schedule replaced.
fn seed_with_install_schedule(schedule: &str) -> String {
    let seed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/seed-monthly.toml"))
        .expect("seed plan");
    let old = "schedule = \"last sunday at 03:00\"";
    assert!(seed.contains(old), "the seed plan changed");
    seed.replace(old, &format!("schedule = \"{schedule}\""))
}

#[test]
fn rates_longer_than_the_bound_are_parse_errors_that_name_the_value() {
    // The trial's panics (`core/src/schedule/iter.rs:121`), and the first value past the bound in
    // each unit.
    let max_hours = u64::from(MAX_RATE_DAYS) * 24;
    let max_minutes = max_hours * 60;
    for expr in [
        "rate(7304850 days)".to_string(),
        "rate(180000000 hours)".to_string(),
        "rate(4294967295 days)".to_string(),
        "rate(4294967295 minutes)".to_string(),
        format!("rate({} days)", MAX_RATE_DAYS + 1),
        format!("rate({} hours)", max_hours + 1),
        format!("rate({} minutes)", max_minutes + 1),
    ] {
        let e = Schedule::parse(&expr).expect_err(&expr);
        assert!(e.message.contains("longer than"), "{expr}: {e}");
        assert!(e.message.contains(&format!("{MAX_RATE_DAYS} days")), "{expr}: {e}");
        assert_eq!(e.column, Some(6), "{expr}: the column of the value");
        assert!(e.hint.is_some(), "{expr}");
    }
    // The bound itself is accepted in every unit.
    for expr in [
        format!("rate({MAX_RATE_DAYS} days)"),
        format!("rate({max_hours} hours)"),
        format!("rate({max_minutes} minutes)"),
    ] {
        Schedule::parse(&expr).unwrap_or_else(|e| panic!("{expr}: {e}"));
    }
}

#[test]
fn the_longest_rate_iterates_to_the_end_of_time_without_panicking() {
    // 10,000 is the most `schedule next --count` asks for; 3650 days × 10,000 lies far beyond the
    // last instant jiff can represent, so iteration has to stop there, not panic.
    let s = Schedule::parse(&format!("rate({MAX_RATE_DAYS} days)")).expect("the bound parses");
    let runs = s.next_n(&Timing::utc(), ts("2026-01-01T00:00:00Z"), 10_000).expect("valid timing");
    assert!(!runs.is_empty() && runs.len() < 10_000, "{} runs", runs.len());
    assert!(runs.windows(2).all(|w| w[0].timestamp() < w[1].timestamp()));
    // Started near the end of time, the first step already leaves the range.
    let late = Timestamp::MAX.checked_sub(jiff::SignedDuration::from_hours(1)).expect("an hour before the end");
    assert!(s.next_n(&Timing::utc(), late, 3).expect("valid timing").is_empty());
}

#[test]
fn schedule_expressions_longer_than_aws_takes_are_refused() {
    // CreateMaintenanceWindow `Schedule` and CreateAssociation `ScheduleExpression` are 1-256
    // characters (API reference).
    let long = format!("cron(0 2 ? * SUN *{})", " ".repeat(MAX_EXPRESSION_CHARS));
    let e = Schedule::parse(&long).expect_err("over 256 characters");
    assert!(e.message.contains(&MAX_EXPRESSION_CHARS.to_string()), "{e}");
    let huge = format!("cron(0 0 ? * {} *)", "X".repeat(3_000_000));
    let e = Schedule::parse(&huge).expect_err("3 MB");
    assert!(e.to_string().len() < 1_000, "the message does not echo the expression: {} bytes", e.to_string().len());
    // Leading and trailing blanks are not sent to AWS and do not count.
    let padded = format!("{}cron(0 2 ? * SUN *){}", " ".repeat(300), "\n".repeat(300));
    Schedule::parse(&padded).expect("blanks around a short expression");
}

#[test]
fn a_plan_with_a_huge_rate_is_a_located_error_in_every_offline_command() {
    for rate in ["rate(7400000 days)", "rate(4294967295 days)", "rate(180000000 hours)"] {
        let text = seed_with_install_schedule(rate);
        let errors = Plan::from_source(Source::new(Some("huge-rate.toml"), text.as_str()))
            .expect_err("a rate beyond the bound is invalid");
        let e = &errors.0[0];
        assert_eq!(e.path, "operations.install.schedule", "{errors}");
        assert!(e.message.contains("longer than"), "{errors}");
        let line = text.lines().position(|l| l.contains(rate)).expect("the line") + 1;
        assert_eq!(e.line, Some(line as u32), "{errors}");
    }
}
