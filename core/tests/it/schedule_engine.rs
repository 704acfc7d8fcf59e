//! Schedule engine behaviour beyond the shared vectors: located errors, dialect rules (one test
//! per row of the AWS feature matrix), descriptions, bounded iteration, window bounds.

use jiff::Timestamp;
use ssmpatch::schedule::{Backend, FieldName, Schedule, Timing, WindowSettings};

fn ts(s: &str) -> Timestamp {
    s.parse().expect("test timestamp")
}

fn next(expr: &str, tz: &str, after: &str, n: usize) -> Vec<String> {
    let s = Schedule::parse(expr).expect("valid expression");
    let t = Timing::in_zone(tz).expect("valid zone");
    s.next_n(&t, ts(after), n).expect("valid timing").iter().map(|z| z.timestamp().to_string()).collect()
}

fn err(expr: &str) -> ssmpatch::schedule::ScheduleError {
    Schedule::parse(expr).expect_err("expected a parse error")
}

#[test]
fn errors_name_field_column_and_hint() {
    let e = err("cron(0 10 5 * MON *)");
    assert_eq!(e.message, "day-of-month and day-of-week are both set");
    assert!(e.hint.as_deref().is_some_and(|h| h.contains("put `?` in one of them")), "{e}");

    let e = err("cron(0 65 * * ? *)");
    assert_eq!(e.field, Some(FieldName::Hours));
    assert_eq!(e.column, Some(8));
    assert_eq!(e.message, "hours value 65 is out of range");

    let e = err("cron(0 0 1 MON ? *)");
    assert_eq!(e.field, Some(FieldName::Month));
    assert_eq!(e.column, Some(12));

    let e = err("cron(0 1-7/2,11-23/2, * * ? *)");
    assert_eq!(e.message, "empty element in a list");
    assert_eq!(e.column, Some(22));

    let e = err("rate(5 minute)");
    assert!(e.message.contains("singular"), "{e}");
    assert_eq!(e.hint.as_deref(), Some("write `rate(5 minutes)`"));

    let e = err("CRON(0 10 * * ? *)");
    assert!(e.hint.as_deref().is_some_and(|h| h.contains("lower case")), "{e}");

    let e = err("cron(0 10 * * ?)");
    assert!(e.message.contains("6 fields"), "{e}");

    let e = err("  cron(0 10 * * ? *");
    assert_eq!(e.message, "missing closing parenthesis");

    let e = err("at(2026-02-30T10:00:00)");
    assert!(e.message.contains("not a valid date"), "{e}");

    // The full rendering has the location and a hint line.
    let text = err("cron(0 0 ? * 2#6 *)").to_string();
    assert!(text.contains("(in the day-of-week field, column 14)"), "{text}");
    assert!(text.contains("\nhint: "), "{text}");
}

#[test]
fn steps_are_limited_as_quartz_limits_them() {
    // Quartz (AWS's cron) refuses increments above 59 for minutes, 23 for hours, 31 for day of
    // month, 12 for month, 7 for day of week: a step of the whole range is refused too.
    for (expr, field, column, max) in [
        ("cron(0/60 * * * ? *)", FieldName::Minutes, 8, 59),
        ("cron(0 */24 * * ? *)", FieldName::Hours, 10, 23),
        ("cron(0 0 1/32 * ? *)", FieldName::DayOfMonth, 12, 31),
        ("cron(0 0 1 1/13 ? *)", FieldName::Month, 14, 12),
        ("cron(0 0 ? * 1/8 *)", FieldName::DayOfWeek, 16, 7),
    ] {
        let e = err(expr);
        assert_eq!((e.field, e.column), (Some(field), Some(column)), "{expr}: {e}");
        assert!(e.message.starts_with("step ") && e.message.ends_with("field allows"), "{expr}: {e}");
        assert_eq!(e.hint, Some(format!("the largest step of the {field} field is {max}")), "{expr}");
    }
    for expr in ["cron(0/59 * * * ? *)", "cron(0 0/23 * * ? *)", "cron(0 0 1/31 * ? *)", "cron(0 0 ? * 1/7 *)"] {
        Schedule::parse(expr).unwrap_or_else(|e| panic!("{expr}: {e}"));
    }
}

#[test]
fn impossible_expressions_end_without_hanging() {
    assert!(next("cron(0 0 30 2 ? *)", "UTC", "2026-01-01T00:00:00Z", 3).is_empty());
    assert!(next("cron(0 0 31 4,6,9,11 ? *)", "Asia/Tokyo", "1970-01-01T00:00:00Z", 3).is_empty());
    assert!(next("cron(0 0 ? 2 1#5 2027)", "UTC", "2026-01-01T00:00:00Z", 3).is_empty());
    assert!(next("cron(0 0 L-30 2 ? *)", "UTC", "2026-01-01T00:00:00Z", 3).is_empty());
    assert!(next("rate(1 day)", "UTC", "2026-01-01T00:00:00Z", 0).is_empty());
    assert!(next("at(2020-01-01T00:00:00)", "UTC", "2026-01-01T00:00:00Z", 3).is_empty());
    assert_eq!(next("at(2030-01-01T00:00:00)", "Asia/Tokyo", "2026-01-01T00:00:00Z", 3), ["2030-01-01T00:00:00Z"]);
}

#[test]
fn offsets_are_validated_and_never_pull_a_run_back() {
    let s = Schedule::parse("cron(0 0 ? * THU#2 *)").expect("valid");
    for bad in [0, 7, 12] {
        let t = Timing::utc().with_offset(Some(bad));
        let e = s.next_n(&t, ts("2026-01-01T00:00:00Z"), 1).expect_err("offset out of range");
        assert!(e.message.contains("out of range"), "{e}");
    }
    let rate = Schedule::parse("rate(1 day)").expect("valid");
    assert!(rate.next_n(&Timing::utc().with_offset(Some(1)), ts("2026-01-01T00:00:00Z"), 1).is_err());
    // Offsets add calendar days in the zone: 02:00 local stays 02:00 local across DST.
    let s = Schedule::parse("cron(0 2 ? * SAT#2 *)").expect("valid");
    let t = Timing::in_zone("America/New_York").expect("zone").with_offset(Some(1));
    let runs = s.next_n(&t, ts("2026-03-01T00:00:00Z"), 1).expect("runs");
    // Saturday 2026-03-14 02:00 EDT + 1 day = Sunday 2026-03-15 02:00 EDT.
    assert_eq!(runs[0].timestamp().to_string(), "2026-03-15T06:00:00Z");
}

#[test]
fn window_valid_period_bounds_runs() {
    let s = Schedule::parse("cron(0 2 ? * SUN *)").expect("valid");
    let mut t = Timing::utc();
    t.start_date = Some(ts("2026-07-01T00:00:00Z"));
    t.end_date = Some(ts("2026-07-20T00:00:00Z"));
    let runs: Vec<String> =
        s.occurrences(&t, ts("2026-06-01T00:00:00Z")).expect("ok").map(|z| z.timestamp().to_string()).collect();
    assert_eq!(runs, ["2026-07-05T02:00:00Z", "2026-07-12T02:00:00Z", "2026-07-19T02:00:00Z"]);
    t.start_date = Some(ts("2026-08-01T00:00:00Z"));
    assert!(s.occurrences(&t, ts("2026-06-01T00:00:00Z")).is_err(), "start after end is rejected");
}

fn verdict(expr: &str, backend: Backend, tz: &str, offset: Option<u32>) -> Result<(), String> {
    let s = Schedule::parse(expr).expect("valid expression");
    let t = Timing::in_zone(tz).expect("zone").with_offset(offset);
    match s.check(backend, &t).violation() {
        None => Ok(()),
        Some(v) => Err(format!("{}: {}", v.rule, v.reason)),
    }
}

fn rule_of(r: Result<(), String>) -> String {
    r.err().map(|e| e.split(':').next().unwrap_or_default().to_string()).unwrap_or_else(|| "ok".into())
}

use Backend::{Association as A, MaintenanceWindow as MW, PatchPolicy as PP};

/// One assertion per row of aws-facts §1.4 (the feature matrix), for each backend.
#[test]
fn feature_matrix_rows() {
    // 6-field cron: all three.
    for b in [MW, A, PP] {
        assert_eq!(rule_of(verdict("cron(0 2 ? * SUN *)", b, "UTC", None)), "ok", "{b}");
    }
    // 7-field (seconds first): MW any value; associations only 0.
    assert_eq!(rule_of(verdict("cron(24 30 09 ? * * *)", MW, "UTC", None)), "ok");
    assert_eq!(rule_of(verdict("cron(24 30 09 ? * * *)", A, "UTC", None)), "seconds.zero");
    assert_eq!(rule_of(verdict("cron(0 30 09 ? * * *)", A, "UTC", None)), "ok");
    assert_eq!(rule_of(verdict("cron(24 30 09 ? * * *)", PP, "UTC", None)), "seconds.zero");
    // Month value: MW yes; associations and patch policies no.
    assert_eq!(rule_of(verdict("cron(0 2 ? JAN SUN *)", MW, "UTC", None)), "ok");
    assert_eq!(rule_of(verdict("cron(0 2 ? JAN SUN *)", A, "UTC", None)), "month.any");
    assert_eq!(rule_of(verdict("cron(0 2 ? 1/3 SUN *)", PP, "UTC", None)), "month.any");
    // MON-FRI: MW yes; associations no (seed case).
    assert_eq!(rule_of(verdict("cron(15 10 ? * MON-FRI *)", MW, "UTC", None)), "ok");
    assert_eq!(rule_of(verdict("cron(15 10 ? * MON-FRI *)", A, "UTC", None)), "day-of-week.one-day");
    assert_eq!(rule_of(verdict("cron(15 10 ? * MON,WED *)", PP, "UTC", None)), "day-of-week.one-day");
    // L: MW in both day fields; associations `nL` in day-of-week.
    assert_eq!(rule_of(verdict("cron(0 2 L * ? *)", MW, "UTC", None)), "ok");
    assert_eq!(rule_of(verdict("cron(15 10 ? * 6L *)", MW, "UTC", None)), "ok");
    assert_eq!(rule_of(verdict("cron(0 0 ? * 3L *)", A, "UTC", None)), "ok");
    assert_eq!(rule_of(verdict("cron(0 0 ? * 3L *)", PP, "UTC", None)), "ok");
    assert_eq!(rule_of(verdict("cron(0 2 L * ? *)", A, "UTC", None)), "day-of-month.any");
    // W: MW yes; associations not listed.
    assert_eq!(rule_of(verdict("cron(0 2 15W * ? *)", MW, "UTC", None)), "ok");
    assert_eq!(rule_of(verdict("cron(0 2 15W * ? *)", A, "UTC", None)), "day-of-month.any");
    // #: all three.
    for (b, e) in [(MW, "cron(0 2 ? * THU#3 *)"), (A, "cron(30 23 ? * TUE#3 *)"), (PP, "cron(0 2 ? * SAT#1 *)")] {
        assert_eq!(rule_of(verdict(e, b, "UTC", None)), "ok", "{b} {e}");
    }
    // ?: required in one day field (a parse rule, the same everywhere).
    assert!(Schedule::parse("cron(0 10 * * * *)").is_err());
    // rate(): MW from 5 minutes; associations 30 minutes to under 31 days.
    assert_eq!(rule_of(verdict("rate(5 minutes)", MW, "UTC", None)), "ok");
    assert_eq!(rule_of(verdict("rate(1 minute)", MW, "UTC", None)), "interval.5-minutes");
    assert_eq!(rule_of(verdict("rate(30 minutes)", A, "UTC", None)), "ok");
    assert_eq!(rule_of(verdict("rate(15 minutes)", A, "UTC", None)), "interval.30-minutes");
    assert_eq!(rule_of(verdict("rate(30 days)", A, "UTC", None)), "ok");
    assert_eq!(rule_of(verdict("rate(31 days)", A, "UTC", None)), "rate.under-31-days");
    // at(): MW and associations yes; patch policies not offered.
    assert_eq!(rule_of(verdict("at(2030-07-07T15:55:00)", MW, "UTC", None)), "ok");
    assert_eq!(rule_of(verdict("at(2030-07-07T15:55:00)", A, "UTC", None)), "ok");
    assert_eq!(rule_of(verdict("at(2030-07-07T15:55:00)", PP, "UTC", None)), "at.unsupported");
    // Fastest cron: MW 5 minutes; associations 30 minutes.
    assert_eq!(rule_of(verdict("cron(0/5 * * * ? *)", MW, "UTC", None)), "ok");
    assert_eq!(rule_of(verdict("cron(0/4 * * * ? *)", MW, "UTC", None)), "interval.5-minutes");
    assert_eq!(rule_of(verdict("cron(0,58 0,23 * * ? *)", MW, "UTC", None)), "interval.5-minutes");
    assert_eq!(rule_of(verdict("cron(0/30 * * * ? *)", A, "UTC", None)), "ok");
    assert_eq!(rule_of(verdict("cron(0/15 * * * ? *)", A, "UTC", None)), "interval.30-minutes");
    for e in [
        "cron(0 0/1 * * ? *)",
        "cron(0 0/2 * * ? *)",
        "cron(0 0/4 * * ? *)",
        "cron(0 0/8 * * ? *)",
        "cron(0 0/12 * * ? *)",
    ] {
        assert_eq!(rule_of(verdict(e, A, "UTC", None)), "ok", "{e}");
    }
    assert_eq!(rule_of(verdict("cron(0 0/3 * * ? *)", A, "UTC", None)), "time.documented-forms");
    // ScheduleOffset: MW and associations 1-6 with cron; patch policies none.
    assert_eq!(rule_of(verdict("cron(0 0 ? * THU#2 *)", MW, "UTC", Some(3))), "ok");
    assert_eq!(rule_of(verdict("cron(0 0 ? * THU#2 *)", A, "UTC", Some(3))), "ok");
    assert_eq!(rule_of(verdict("cron(0 0 ? * THU#2 *)", PP, "UTC", Some(3))), "offset.none");
    assert_eq!(rule_of(verdict("cron(0 0 ? * THU#2 *)", MW, "UTC", Some(7))), "offset.range");
    assert_eq!(rule_of(verdict("rate(1 day)", A, "UTC", Some(1))), "offset.cron-only");
    // Time zone: MW yes; associations and patch policies UTC only.
    assert_eq!(rule_of(verdict("cron(0 2 ? * SUN *)", MW, "Asia/Tokyo", None)), "ok");
    assert_eq!(rule_of(verdict("cron(0 2 ? * SUN *)", A, "Asia/Tokyo", None)), "utc-only");
    assert_eq!(rule_of(verdict("cron(0 2 ? * SUN *)", PP, "Europe/Berlin", None)), "utc-only");
    // Run-on-create control: offsets on associations need ApplyOnlyAtCronInterval, rates refuse it.
    let s = Schedule::parse("cron(0 0 ? * THU#2 *)").expect("valid");
    let mut t = Timing::utc().with_offset(Some(2));
    t.apply_only_at_cron_interval = Some(false);
    assert_eq!(s.check(A, &t).violation().map(|v| v.rule), Some("offset.apply-only-at-cron-interval"));
    let r = Schedule::parse("rate(1 day)").expect("valid");
    let mut t = Timing::utc();
    t.apply_only_at_cron_interval = Some(true);
    assert_eq!(r.check(A, &t).violation().map(|v| v.rule), Some("rate.apply-only-at-cron-interval"));
}

#[test]
fn unconfirmed_rules_say_so() {
    let v = verdict("cron(0 2 15W * ? *)", A, "UTC", None).expect_err("rejected");
    assert!(v.contains("AWS does not confirm"), "{v}");
    let v = verdict("cron(0 2 ? JAN SUN *)", A, "UTC", None).expect_err("rejected");
    assert!(!v.contains("AWS does not confirm"), "{v}");
}

#[test]
fn window_duration_and_cutoff() {
    assert!(WindowSettings { duration_hours: 3, cutoff_hours: 1 }.validate().is_ok());
    assert_eq!(
        WindowSettings { duration_hours: 0, cutoff_hours: 0 }.validate().map_err(|v| v.rule),
        Err("window.duration")
    );
    assert_eq!(
        WindowSettings { duration_hours: 25, cutoff_hours: 0 }.validate().map_err(|v| v.rule),
        Err("window.duration")
    );
    assert_eq!(
        WindowSettings { duration_hours: 24, cutoff_hours: 24 }.validate().map_err(|v| v.rule),
        Err("window.cutoff")
    );
    assert_eq!(
        WindowSettings { duration_hours: 2, cutoff_hours: 2 }.validate().map_err(|v| v.rule),
        Err("window.cutoff-before-end")
    );
}

#[test]
fn descriptions() {
    let d = |e: &str, tz: &str| Schedule::parse(e).expect("valid").describe(&Timing::in_zone(tz).expect("zone"));
    assert_eq!(d("cron(0 2 ? * 1L *)", "Asia/Tokyo"), "02:00 on the last Sunday of every month, Asia/Tokyo");
    assert_eq!(d("cron(0 10 * * ? *)", "UTC"), "10:00 every day, UTC");
    assert_eq!(d("cron(15 13 ? * MON *)", "UTC"), "13:15 every Monday, UTC");
    assert_eq!(d("cron(0 18 ? * MON-FRI *)", "UTC"), "18:00 every Monday through Friday, UTC");
    assert_eq!(d("cron(30 23 ? * TUE#3 *)", "UTC"), "23:30 on the third Tuesday of every month, UTC");
    assert_eq!(d("cron(0 2 L * ? *)", "UTC"), "02:00 on the last day of every month, UTC");
    assert_eq!(d("cron(0/15 * * * ? *)", "UTC"), "every 15 minutes every day, UTC");
    assert_eq!(d("cron(0 0/4 * * ? *)", "UTC"), "every 4 hours at minute 0 every day, UTC");
    assert_eq!(d("cron(24 30 09 ? * * *)", "UTC"), "09:30:24 every day, UTC");
    assert_eq!(d("cron(0 0 1 NOV-FEB ? 2030)", "UTC"), "00:00 on day 1 of November through February in 2030, UTC");
    assert_eq!(d("cron(0 0 15W * ? *)", "UTC"), "00:00 on the weekday nearest day 15 of every month, UTC");
    assert_eq!(d("rate(30 minutes)", "UTC"), "every 30 minutes");
    assert_eq!(d("at(2030-07-07T15:55:00)", "UTC"), "once at 2030-07-07 15:55:00 UTC");
    let with_offset =
        Schedule::parse("cron(0 0 ? * THU#2 *)").expect("valid").describe(&Timing::utc().with_offset(Some(3)));
    assert_eq!(with_offset, "00:00 on the second Thursday of every month, UTC, then 3 days later");
}

#[test]
fn unknown_time_zone_is_an_error() {
    let e = Timing::in_zone("Mars/Olympus").expect_err("unknown zone");
    assert!(e.message.contains("unknown time zone"), "{e}");
}
