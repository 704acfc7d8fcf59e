//! AWS Systems Manager schedule expressions, exactly as AWS evaluates them.
//!
//! Layers: [`parse`](Schedule::parse) → compile (bitsets) → iterate ([`Schedule::occurrences`])
//! → describe ([`Schedule::describe`]); per-backend dialect checks are [`check`] ([`Schedule::check`]).
//!
//! ```
//! use ssmpatch::schedule::{Backend, Schedule, Timing};
//!
//! let s = Schedule::parse("cron(0 2 ? * 1L *)")?;
//! let tokyo = Timing::in_zone("Asia/Tokyo")?;
//! let after: jiff::Timestamp = "2026-06-01T00:00:00Z".parse()?;
//! let next: Vec<String> = s.next_n(&tokyo, after, 2)?.iter().map(|z| z.timestamp().to_string()).collect();
//! assert_eq!(next, ["2026-06-27T17:00:00Z", "2026-07-25T17:00:00Z"]);
//! assert_eq!(s.describe(&tokyo), "02:00 on the last Sunday of every month, Asia/Tokyo");
//! assert!(s.check(Backend::MaintenanceWindow, &tokyo).is_ok());
//! assert!(!s.check(Backend::Association, &tokyo).is_ok()); // associations run in UTC only
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod cron;
mod describe;
mod dialect;
mod error;
pub(crate) mod iter;
mod parse;

use std::fmt;
use std::str::FromStr;

use jiff::tz::TimeZone;
use jiff::{Timestamp, Zoned};

pub use dialect::{Backend, Rule, RuleStatus, Verdict, Violation, WindowSettings, check};
pub use error::{FieldName, ScheduleError};
pub use iter::{AT_TIME_ZONE_IS_UTC, Instants, Occurrences};
pub use parse::{
    CronExpr, Expression, Field, FieldSpec, Item, MAX_EXPRESSION_CHARS, MAX_RATE_DAYS, Rate, RateUnit, StepBase,
};

use cron::CompiledCron;

/// A parsed and compiled schedule expression: `cron(...)`, `rate(...)` or `at(...)`.
#[derive(Debug, Clone)]
pub struct Schedule {
    text: String,
    // Boxed: schedules live inside plan types and enums; keep `Schedule` itself small.
    expr: Box<Expression>,
    compiled: Option<Box<CompiledCron>>,
}

impl PartialEq for Schedule {
    fn eq(&self, other: &Self) -> bool {
        self.expr == other.expr
    }
}

impl Schedule {
    /// Parse an AWS schedule expression. Errors name the field and column, with a hint.
    pub fn parse(text: &str) -> Result<Schedule, ScheduleError> {
        let expr = parse::parse(text)?;
        let compiled = match &expr {
            Expression::Cron(c) => Some(Box::new(CompiledCron::compile(c))),
            _ => None,
        };
        Ok(Schedule { text: text.trim().to_string(), expr: Box::new(expr), compiled })
    }

    /// The expression as given (trimmed).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The syntax tree.
    pub fn expression(&self) -> &Expression {
        &self.expr
    }

    /// True for `cron(...)`.
    pub fn is_cron(&self) -> bool {
        matches!(*self.expr, Expression::Cron(_))
    }

    pub(crate) fn compiled(&self) -> Option<&CompiledCron> {
        self.compiled.as_deref()
    }

    /// Run times strictly after `after`, ascending. Fails when `timing` does not fit the
    /// expression (an offset on a rate, an offset outside 1-6, StartDate after EndDate).
    pub fn occurrences<'a>(&'a self, timing: &'a Timing, after: Timestamp) -> Result<Occurrences<'a>, ScheduleError> {
        Occurrences::new(self, timing, after)
    }

    /// The run times of [`occurrences`](Schedule::occurrences) as instants, for callers that
    /// do not need each one in the schedule's time zone (cheaper: no zoned value per run).
    pub fn instants<'a>(&'a self, timing: &'a Timing, after: Timestamp) -> Result<Instants<'a>, ScheduleError> {
        Instants::new(self, timing, after)
    }

    /// The first `n` run times strictly after `after`.
    pub fn next_n(&self, timing: &Timing, after: Timestamp, n: usize) -> Result<Vec<Zoned>, ScheduleError> {
        Ok(self.occurrences(timing, after)?.take(n).collect())
    }

    /// An English description, e.g. "02:00 on the last Sunday of every month, Asia/Tokyo".
    pub fn describe(&self, timing: &Timing) -> String {
        describe::describe(self, timing)
    }

    /// Whether `backend` accepts this schedule with this timing (dialect, zone, offset, interval).
    pub fn check(&self, backend: Backend, timing: &Timing) -> Verdict {
        dialect::check(self, backend, timing)
    }

    /// The shortest time between two runs, in seconds (`None` for `at()`, which runs once).
    pub fn min_interval_seconds(&self) -> Option<i64> {
        match &*self.expr {
            Expression::At(_) => None,
            Expression::Rate(r) => Some(r.interval_seconds()),
            Expression::Cron(_) => {
                let c = self.compiled.as_deref()?;
                let mut first = None;
                let mut prev: Option<u32> = None;
                let mut min = i64::MAX;
                for t in c.times_of_day() {
                    first.get_or_insert(t);
                    if let Some(p) = prev {
                        min = min.min(i64::from(t - p));
                    }
                    prev = Some(t);
                }
                if let (Some(f), Some(l)) = (first, prev)
                    && c.may_run_on_consecutive_days()
                {
                    min = min.min(86_400 - i64::from(l) + i64::from(f));
                }
                Some(if min == i64::MAX { 86_400 } else { min })
            }
        }
    }
}

impl FromStr for Schedule {
    type Err = ScheduleError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Schedule::parse(s)
    }
}

impl fmt::Display for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Where and how a schedule runs: time zone, ScheduleOffset, valid period.
#[derive(Debug, Clone)]
pub struct Timing {
    /// The zone cron fields are evaluated in.
    pub time_zone: TimeZone,
    /// Its IANA name as given (e.g. `Asia/Tokyo`); `UTC` by default.
    pub time_zone_name: String,
    /// ScheduleOffset in days (1-6, cron only).
    pub offset_days: Option<u32>,
    /// Maintenance window StartDate: no run before it.
    pub start_date: Option<Timestamp>,
    /// Maintenance window EndDate: no run after it.
    pub end_date: Option<Timestamp>,
    /// Association `ApplyOnlyAtCronInterval`; `None` lets ssmpatch set it when an offset needs it.
    pub apply_only_at_cron_interval: Option<bool>,
}

impl Default for Timing {
    fn default() -> Self {
        Timing::utc()
    }
}

impl Timing {
    /// UTC, no offset, no valid period.
    pub fn utc() -> Timing {
        Timing {
            time_zone: TimeZone::UTC,
            time_zone_name: "UTC".to_string(),
            offset_days: None,
            start_date: None,
            end_date: None,
            apply_only_at_cron_interval: None,
        }
    }

    /// A timing in an IANA time zone (the bundled tz database, so results do not depend on the
    /// machine).
    pub fn in_zone(name: &str) -> Result<Timing, ScheduleError> {
        Ok(Timing { time_zone: time_zone(name)?, time_zone_name: name.to_string(), ..Timing::utc() })
    }

    /// The same timing with a ScheduleOffset.
    pub fn with_offset(mut self, days: Option<u32>) -> Timing {
        self.offset_days = days;
        self
    }

    /// True when the zone is UTC (by name or by rules).
    pub fn is_utc(&self) -> bool {
        matches!(
            self.time_zone_name.as_str(),
            "UTC" | "Etc/UTC" | "Etc/UCT" | "UCT" | "Etc/Universal" | "Universal" | "Zulu" | "Etc/Zulu"
        )
    }

    /// Checks that this timing can apply to `schedule` at all (on any backend).
    pub fn validate_for(&self, schedule: &Schedule) -> Result<(), ScheduleError> {
        if let Some(days) = self.offset_days {
            if !(1..=6).contains(&days) {
                return Err(ScheduleError::new(format!("schedule offset {days} is out of range"))
                    .with_hint("ScheduleOffset is 1 to 6 days; for a longer shift, use a calendar rule in a plan (e.g. `patch-tuesday + 8 days`)"));
            }
            if !schedule.is_cron() {
                return Err(ScheduleError::new("a schedule offset applies to cron expressions only")
                    .with_hint("remove the offset, or use a `cron(...)` expression"));
            }
        }
        if let (Some(s), Some(e)) = (self.start_date, self.end_date)
            && s > e
        {
            return Err(ScheduleError::new(format!("start date {s} is after end date {e}"))
                .with_hint("the valid period must start before it ends"));
        }
        Ok(())
    }
}

/// Look up an IANA time zone in the bundled database.
pub fn time_zone(name: &str) -> Result<TimeZone, ScheduleError> {
    if name.is_empty() {
        return Err(
            ScheduleError::new("empty time zone name").with_hint("use an IANA name such as `Asia/Tokyo` or `UTC`")
        );
    }
    jiff::tz::db().get(name).map_err(|_| {
        ScheduleError::new(format!("unknown time zone `{}`", crate::input::echo(name)))
            .with_hint("use an IANA name such as `America/New_York`, `Europe/Berlin` or `UTC`")
    })
}
