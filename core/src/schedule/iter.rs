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

use super::cron::CompiledCron;
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

/// The next cron occurrence strictly after `after`, in `tz`, before any offset.
pub(crate) fn next_cron(cron: &CompiledCron, tz: &TimeZone, after: Timestamp) -> Option<Timestamp> {
    // Candidates are whole seconds: the first one that counts is at or after floor(after) + 1s.
    let floor = Timestamp::from_second(after.as_second()).ok()?;
    let t0 = floor.checked_add(1.second()).ok()?;
    let mut from = tz.to_datetime(t0);
    loop {
        let c = cron.next_civil(from)?;
        if let Some(ts) = resolve_local(tz, c)
            && ts >= t0
        {
            return Some(ts);
        }
        from = c.checked_add(1.second()).ok()?;
    }
}

/// An iterator over run times, strictly after a start instant, in ascending order.
#[derive(Debug, Clone)]
pub struct Occurrences<'a> {
    schedule: &'a Schedule,
    timing: &'a Timing,
    /// For cron: the last base occurrence. For rate: the anchor. For at: unused.
    cursor: Timestamp,
    step: i64,
    done: bool,
}

impl<'a> Occurrences<'a> {
    pub(crate) fn new(schedule: &'a Schedule, timing: &'a Timing, after: Timestamp) -> Result<Self, ScheduleError> {
        timing.validate_for(schedule)?;
        let cursor = match schedule.expression() {
            Expression::Rate(_) => rate_anchor(after, timing),
            _ => after,
        };
        Ok(Occurrences { schedule, timing, cursor, step: 0, done: false })
    }

    fn in_bounds(&mut self, ts: Timestamp) -> Option<bool> {
        if self.timing.end_date.is_some_and(|e| ts > e) {
            self.done = true;
            return None;
        }
        Some(self.timing.start_date.is_none_or(|s| ts >= s))
    }
}

impl Iterator for Occurrences<'_> {
    type Item = Zoned;

    fn next(&mut self) -> Option<Zoned> {
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
                    let Some(base) = next_cron(cron, tz, self.cursor) else {
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
                Some(true) => return Some(ts.to_zoned(tz.clone())),
                Some(false) => continue,
                None => return None,
            }
        }
        None
    }
}
