//! Occurrences: when a schedule runs, in a time zone, with ScheduleOffset and a valid period.
//!
//! Every semantic decision AWS leaves open lives in exactly one place here, and
//! `schedule-semantics` in the docs lists them:
//! - `next` is strictly after the given instant ([`Occurrences`]).
//! - Cron fields are evaluated in the schedule's time zone; a local time that does not exist
//!   (spring-forward gap) is skipped for that day, one that occurs twice (fall-back) fires once,
//!   at the first occurrence ([`resolve_local`]).
//! - `rate(N unit)` fires at `anchor + k × interval`, k ≥ 1, as fixed durations that ignore the
//!   time zone; the anchor is the given instant, or the window's StartDate when that is later
//!   ([`rate_anchor`]).
//! - `at(...)` is a UTC timestamp ([`AT_TIME_ZONE_IS_UTC`]).
//! - ScheduleOffset adds whole calendar days in the schedule's time zone to each cron occurrence;
//!   an occurrence whose cron time is not after the start instant is never shifted into the
//!   future ([`apply_offset`]).
//! - StartDate/EndDate bound the run times (after the offset) and do not change the time zone.

use jiff::civil;
use jiff::tz::{AmbiguousOffset, TimeZone};
use jiff::{Timestamp, ToSpan, Zoned};

use super::cron::{Civil, CompiledCron, MonthDays};
use super::error::ScheduleError;
use super::parse::Expression;
use super::{Schedule, Timing};

/// AWS: "you can specify a timestamp in Coordinated Universal Time (UTC) format so that it runs
/// once at the specified time" (reference-cron-and-rate-expressions). If AWS is shown to apply a
/// maintenance window's ScheduleTimezone to `at()`, flip this.
pub const AT_TIME_ZONE_IS_UTC: bool = true;

/// The instant of a local time: `None` in a gap (skipped), the earlier instant in a fold.
pub(crate) fn resolve_local(tz: &TimeZone, dt: civil::DateTime) -> Option<Timestamp> {
    let amb = tz.to_ambiguous_timestamp(dt);
    match amb.offset() {
        AmbiguousOffset::Unambiguous { .. } => amb.unambiguous().ok(),
        AmbiguousOffset::Gap { .. } => None,
        AmbiguousOffset::Fold { .. } => amb.earlier().ok(),
    }
}

/// Adds `days` calendar days in `tz` (a window at 02:00 local stays at 02:00 local).
fn apply_offset(tz: &TimeZone, base: Timestamp, days: u32) -> Option<Timestamp> {
    let z = base.to_zoned(tz.clone());
    z.checked_add(i64::from(days).days()).ok().map(|z| z.timestamp())
}

fn rate_anchor(after: Timestamp, timing: &Timing) -> Timestamp {
    match timing.start_date {
        Some(s) if s > after => s,
        _ => after,
    }
}

/// A walk over a cron expression's occurrences in one time zone, before any offset.
///
/// It keeps the local time it reached, so each step continues the search where the last one
/// ended instead of converting the last instant back to local time; in a fixed-offset zone (UTC
/// among them) a local time becomes an instant by subtracting the offset, without the time-zone
/// rules. Both give what a fresh search from the previous instant gives (the property tests and
/// `cron_walk_continues_like_a_fresh_search` compare them).
#[derive(Debug, Clone, Default)]
pub(crate) struct CronWalk {
    /// The offset of a fixed-offset zone, in seconds.
    fixed: Option<i64>,
    /// The last local time the search reached, once it has started.
    last: Option<Civil>,
    month: Option<MonthDays>,
}

impl CronWalk {
    pub(crate) fn new(tz: &TimeZone) -> CronWalk {
        CronWalk { fixed: tz.to_fixed_offset().ok().map(|o| i64::from(o.seconds())), last: None, month: None }
    }

    /// The next occurrence strictly after `after` (the instant the walk started from, or the
    /// occurrence it returned last).
    pub(crate) fn next(&mut self, cron: &CompiledCron, tz: &TimeZone, after: Timestamp) -> Option<Timestamp> {
        // Candidates are whole seconds: the first one that counts is at or after floor(after) + 1s.
        let t0 = after.as_second().checked_add(1)?;
        let mut from = match self.last {
            Some(c) => c.search_after(),
            None => {
                let dt = tz.to_datetime(Timestamp::from_second(t0).ok()?);
                let time = (dt.hour() as u32, dt.minute() as u32, dt.second() as u32);
                (dt.year(), dt.month(), dt.day() as u32, Some(time))
            }
        };
        loop {
            let c = cron.search(&mut self.month, from.0, from.1, from.2, from.3)?;
            self.last = Some(c);
            let ts = match self.fixed {
                Some(offset) => Timestamp::from_second(c.local_seconds - offset).ok(),
                None => resolve_local(tz, c.to_datetime()?),
            };
            if let Some(ts) = ts
                && ts.as_second() >= t0
            {
                return Some(ts);
            }
            from = c.search_after();
        }
    }
}

/// An iterator over run times, strictly after a start instant, in ascending order, as
/// instants ([`Schedule::instants`](super::Schedule::instants)): the same runs as
/// [`Occurrences`] without building a zoned value for each.
#[derive(Debug, Clone)]
pub struct Instants<'a> {
    schedule: &'a Schedule,
    timing: &'a Timing,
    /// For cron: the last base occurrence. For rate: the anchor. For at: unused.
    cursor: Timestamp,
    step: i64,
    done: bool,
    walk: CronWalk,
}

impl<'a> Instants<'a> {
    pub(crate) fn new(schedule: &'a Schedule, timing: &'a Timing, after: Timestamp) -> Result<Self, ScheduleError> {
        timing.validate_for(schedule)?;
        let cursor = match schedule.expression() {
            Expression::Rate(_) => rate_anchor(after, timing),
            _ => after,
        };
        Ok(Instants { schedule, timing, cursor, step: 0, done: false, walk: CronWalk::new(&timing.time_zone) })
    }

    fn in_bounds(&mut self, ts: Timestamp) -> Option<bool> {
        if self.timing.end_date.is_some_and(|e| ts > e) {
            self.done = true;
            return None;
        }
        Some(self.timing.start_date.is_none_or(|s| ts >= s))
    }
}

impl Iterator for Instants<'_> {
    type Item = Timestamp;

    fn next(&mut self) -> Option<Timestamp> {
        while !self.done {
            let tz = &self.timing.time_zone;
            let ts = match self.schedule.expression() {
                Expression::At(dt) => {
                    self.done = true;
                    let zone = if AT_TIME_ZONE_IS_UTC { TimeZone::UTC } else { tz.clone() };
                    let ts = resolve_local(&zone, *dt)?;
                    if ts <= self.cursor {
                        return None;
                    }
                    ts
                }
                Expression::Rate(rate) => {
                    self.step += 1;
                    // Checked all the way: a step past the last instant ends the iteration.
                    let secs = rate.interval_seconds().checked_mul(self.step)?;
                    let ts = self.cursor.checked_add(jiff::SignedDuration::from_secs(secs)).ok();
                    match ts {
                        Some(ts) => ts,
                        None => {
                            self.done = true;
                            return None;
                        }
                    }
                }
                Expression::Cron(_) => {
                    let cron = self.schedule.compiled()?;
                    let Some(base) = self.walk.next(cron, tz, self.cursor) else {
                        self.done = true;
                        return None;
                    };
                    self.cursor = base;
                    match self.timing.offset_days {
                        Some(days) => apply_offset(tz, base, days)?,
                        None => base,
                    }
                }
            };
            match self.in_bounds(ts) {
                Some(true) => return Some(ts),
                Some(false) => continue,
                None => return None,
            }
        }
        None
    }
}

/// An iterator over run times, strictly after a start instant, in ascending order, each in the
/// schedule's time zone ([`Schedule::occurrences`](super::Schedule::occurrences)).
#[derive(Debug, Clone)]
pub struct Occurrences<'a> {
    instants: Instants<'a>,
}

impl<'a> Occurrences<'a> {
    pub(crate) fn new(schedule: &'a Schedule, timing: &'a Timing, after: Timestamp) -> Result<Self, ScheduleError> {
        Ok(Occurrences { instants: Instants::new(schedule, timing, after)? })
    }
}

impl Iterator for Occurrences<'_> {
    type Item = Zoned;

    fn next(&mut self) -> Option<Zoned> {
        let ts = self.instants.next()?;
        Some(ts.to_zoned(self.instants.timing.time_zone.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::Schedule;

    /// Each step of a walk equals a fresh search from the previous occurrence, through the
    /// transitions of zones with DST (gaps and folds at 01:00-03:00 local), a half-hour DST
    /// (Lord Howe), a zone without transitions (`Etc/GMT-14`, a TZif zone: the rules path) and
    /// UTC (the fixed-offset path), up to the last year an expression can name.
    #[test]
    fn cron_walk_continues_like_a_fresh_search() {
        let exprs = [
            "cron(0/15 * * * ? *)",
            "cron(30 1 * * ? *)",
            "cron(0,30 1-3 ? * SUN *)",
            "cron(59 0-23 L * ? *)",
            "cron(0 2 ? * 1#2 *)",
            "cron(* 2 * * ? *)",
            "cron(0 0 29 2 ? *)",
            "cron(10 3 ? * 6L 2026-2030)",
            "cron(0 0 1 1 ? 2026,2198-2199)",
        ];
        let zones = ["UTC", "America/New_York", "Europe/London", "Australia/Lord_Howe", "Etc/GMT-14"];
        let start: Timestamp = "2026-03-01T00:00:00.5Z".parse().expect("start");
        for expr in exprs {
            let schedule = Schedule::parse(expr).expect("valid");
            let cron = schedule.compiled().expect("cron");
            for zone in zones {
                let tz = jiff::tz::TimeZone::get(zone).expect("zone");
                let mut walk = CronWalk::new(&tz);
                let mut prev = start;
                for step in 0..400 {
                    let fresh = CronWalk::new(&tz).next(cron, &tz, prev);
                    let walked = walk.next(cron, &tz, prev);
                    assert_eq!(walked, fresh, "{expr} in {zone}, step {step} after {prev}");
                    let Some(next) = walked else { break };
                    assert!(next > prev, "{expr} in {zone}: {next} not after {prev}");
                    prev = next;
                }
            }
        }
        // The walk ends after the last year.
        let last = Schedule::parse("cron(0 0 1 1 ? 2026,2198-2199)").expect("valid");
        let runs: Vec<Timestamp> =
            last.instants(&crate::schedule::Timing::utc(), start).expect("ok").take(10).collect();
        assert_eq!(runs.len(), 2, "{runs:?}");
        assert_eq!(runs[1].to_string(), "2199-01-01T00:00:00Z");
    }

    /// In a fixed-offset zone a local time becomes an instant by subtracting the offset; that
    /// arithmetic gives what the zone's rules give (the walk with `fixed` unset), for offsets east
    /// and west, whole and half hours, and UTC.
    #[test]
    fn fixed_offset_arithmetic_matches_the_zone_rules() {
        let exprs =
            ["cron(0/15 * * * ? *)", "cron(30 23 L * ? *)", "cron(0 0 1 1 ? *)", "cron(45 9 ? * 2#1 2026-2199)"];
        let offsets = [0, 14 * 3600, -12 * 3600, -(9 * 3600 + 1800), 5 * 3600 + 2700];
        let start: Timestamp = "2026-12-31T23:59:59.5Z".parse().expect("start");
        for expr in exprs {
            let schedule = Schedule::parse(expr).expect("valid");
            let cron = schedule.compiled().expect("cron");
            for secs in offsets {
                let tz = jiff::tz::TimeZone::fixed(jiff::tz::Offset::from_seconds(secs).expect("offset"));
                let mut fast = CronWalk::new(&tz);
                assert_eq!(fast.fixed, Some(i64::from(secs)), "a fixed zone takes the arithmetic path");
                let mut rules = CronWalk { fixed: None, ..CronWalk::new(&tz) };
                let mut prev = start;
                for step in 0..300 {
                    let a = fast.next(cron, &tz, prev);
                    assert_eq!(a, rules.next(cron, &tz, prev), "{expr} at offset {secs} s, step {step}");
                    let Some(next) = a else { break };
                    prev = next;
                }
            }
        }
    }
}
