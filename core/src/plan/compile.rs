//! The schedule compiler: an operation's intended schedule → each backend's native form,
//! verified against the intent over [`VERIFY_YEARS`] years.
//!
//! Candidates are generated, filtered by the backend's dialect ([`Schedule::check`]) and compared
//! occurrence by occurrence with the intent, using the same engine that previews AWS schedules.
//! "Exact" therefore means: over the whole horizon (DST changes included), AWS would run the
//! native form at exactly the instants the rule names. Nothing is approximated: when no candidate
//! is exact, the result says so, shows where the closest one differs and — for maintenance
//! windows — offers one-shot `at()` windows that `apply` rolls forward.

use jiff::civil::{self, Weekday};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan, Zoned};
use serde::Serialize;

use super::calendar::{CalendarRule, Nth, Recurrence, weekday_abbrev};
use crate::schedule::{AT_TIME_ZONE_IS_UTC, Backend, Expression, FieldSpec, Item, Schedule, Timing};

/// Years over which a native form is compared with its rule.
pub const VERIFY_YEARS: i16 = 10;

/// How many one-shot `at()` windows the fallback keeps ahead by default.
pub const DEFAULT_FALLBACK_WINDOWS: usize = 2;

/// How many differing runs an inexact result shows.
const SHOWN_DIFFERENCES: usize = 3;

/// An operation's schedule after relative references are resolved: what should happen, where.
#[derive(Debug, Clone)]
pub struct Intent {
    /// The rule or expression.
    pub kind: IntentKind,
    /// IANA name of the zone the rule speaks in.
    pub time_zone: String,
    /// That zone.
    pub tz: TimeZone,
}

/// The two shapes of intent.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum IntentKind {
    /// A calendar rule (also what a simple weekly / nth-weekday cron is turned into).
    Calendar(CalendarRule),
    /// Any other AWS expression, shifted by whole calendar days in its zone.
    Expression {
        /// The expression.
        schedule: Schedule,
        /// Days added to each run (from a relative operation or a ScheduleOffset).
        shift_days: i32,
    },
}

impl Intent {
    /// An intent from an AWS expression; a cron that names one time on a weekly, daily or
    /// nth-weekday basis becomes a calendar rule, so it can also compile for UTC-only backends.
    pub fn from_expression(schedule: Schedule, shift_days: i32, time_zone: &str, tz: TimeZone) -> Intent {
        let kind = match as_calendar(&schedule) {
            Some(rule) => IntentKind::Calendar(rule.shifted(shift_days, None)),
            None => IntentKind::Expression { schedule, shift_days },
        };
        Intent { kind, time_zone: time_zone.to_string(), tz }
    }

    /// An intent from a calendar rule.
    pub fn from_rule(rule: CalendarRule, time_zone: &str, tz: TimeZone) -> Intent {
        Intent { kind: IntentKind::Calendar(rule), time_zone: time_zone.to_string(), tz }
    }

    /// The same intent `days` later, optionally at another wall-clock time (for relative
    /// operations). `None` when the time cannot be changed (an expression that is not a rule).
    pub fn shifted(&self, days: i32, time: Option<civil::Time>) -> Option<Intent> {
        let kind = match &self.kind {
            IntentKind::Calendar(r) => IntentKind::Calendar(r.shifted(days, time)),
            IntentKind::Expression { schedule, shift_days } => {
                if time.is_some() {
                    return None;
                }
                IntentKind::Expression { schedule: schedule.clone(), shift_days: shift_days + days }
            }
        };
        Some(Intent { kind, ..self.clone() })
    }

    /// The one wall-clock time a calendar rule runs at (`None` for other expressions).
    pub fn time(&self) -> Option<civil::Time> {
        match &self.kind {
            IntentKind::Calendar(r) => Some(r.time),
            IntentKind::Expression { .. } => None,
        }
    }

    /// Runs strictly after `after`, up to and including `until`.
    pub fn occurrences(&self, after: Timestamp, until: Timestamp) -> Vec<Timestamp> {
        match &self.kind {
            IntentKind::Calendar(rule) => rule.occurrences(&self.tz, after, until),
            IntentKind::Expression { schedule, shift_days } => {
                let timing =
                    Timing { time_zone: self.tz.clone(), time_zone_name: self.time_zone.clone(), ..Timing::utc() };
                let start =
                    after.checked_sub((i64::from(shift_days.unsigned_abs()) * 24 + 48).hours()).unwrap_or(after);
                let Ok(it) = schedule.occurrences(&timing, start) else { return Vec::new() };
                let mut out = Vec::new();
                for z in it {
                    if z.timestamp()
                        > until.checked_add((i64::from(shift_days.unsigned_abs()) * 24 + 48).hours()).unwrap_or(until)
                    {
                        break;
                    }
                    let Ok(s) = z.checked_add(i64::from(*shift_days).days()) else { continue };
                    let t = s.timestamp();
                    if t > after && t <= until {
                        out.push(t);
                    }
                }
                out
            }
        }
    }

    /// Human description.
    pub fn describe(&self) -> String {
        match &self.kind {
            IntentKind::Calendar(r) => format!("{r}, {}", self.time_zone),
            IntentKind::Expression { schedule, shift_days } => {
                let timing =
                    Timing { time_zone: self.tz.clone(), time_zone_name: self.time_zone.clone(), ..Timing::utc() };
                match shift_days {
                    0 => schedule.describe(&timing),
                    d if *d > 0 => format!("{}, then {d} days later", schedule.describe(&timing)),
                    d => format!("{}, {} days earlier", schedule.describe(&timing), -d),
                }
            }
        }
    }
}

/// A cron with one minute, one hour, any month and year, and a daily, weekly or nth-weekday day.
fn as_calendar(schedule: &Schedule) -> Option<CalendarRule> {
    let Expression::Cron(c) = schedule.expression() else { return None };
    if c.seconds.as_ref().is_some_and(|s| s.spec.single_value() != Some(0)) {
        return None;
    }
    let minute = c.minutes.spec.single_value()?;
    let hour = c.hours.spec.single_value()?;
    if !c.month.spec.is_all() || !(c.year.spec.is_all()) {
        return None;
    }
    let time = civil::Time::new(i8::try_from(hour).ok()?, i8::try_from(minute).ok()?, 0, 0).ok()?;
    let dom_any = c.day_of_month.spec.is_all() || c.day_of_month.spec.is_no_specific();
    if !dom_any {
        return None;
    }
    let recurrence = match &c.day_of_week.spec {
        s if s.is_all() || s.is_no_specific() => {
            if !c.day_of_month.spec.is_all() && !c.day_of_week.spec.is_all() {
                return None;
            }
            Recurrence::Daily
        }
        FieldSpec::List(items) if items.len() == 1 => match items[0] {
            Item::Value(v) => Recurrence::Weekly(aws_weekday(v)?),
            _ => return None,
        },
        FieldSpec::NthDayOfWeek { weekday, nth } => {
            let nth = match nth {
                1 => Nth::First,
                2 => Nth::Second,
                3 => Nth::Third,
                4 => Nth::Fourth,
                _ => return None,
            };
            Recurrence::Monthly { nth, weekday: aws_weekday(u16::from(*weekday))? }
        }
        FieldSpec::LastDayOfWeek(day) => Recurrence::Monthly { nth: Nth::Last, weekday: aws_weekday(u16::from(*day))? },
        _ => return None,
    };
    Some(CalendarRule { recurrence, shift_days: 0, time })
}

/// AWS day-of-week numbers: 1 = Sunday … 7 = Saturday.
fn aws_weekday(v: u16) -> Option<Weekday> {
    Some(match v {
        1 => Weekday::Sunday,
        2 => Weekday::Monday,
        3 => Weekday::Tuesday,
        4 => Weekday::Wednesday,
        5 => Weekday::Thursday,
        6 => Weekday::Friday,
        7 => Weekday::Saturday,
        _ => return None,
    })
}

/// A backend's native schedule: what ssmpatch writes into the resource.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NativeForm {
    /// `cron(...)`, `rate(...)` or `at(...)`.
    pub expression: String,
    /// The zone the expression is evaluated in (`UTC` for associations and patch policies).
    pub time_zone: String,
    /// ScheduleOffset in days.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset_days: Option<u32>,
    /// Association `ApplyOnlyAtCronInterval`: set on every cron association, so nothing runs
    /// when it is created or updated or when a node becomes a target (required with an offset).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub apply_only_at_cron_interval: bool,
}

impl NativeForm {
    /// The schedule and timing the engine evaluates it with.
    pub fn timing(&self) -> Option<(Schedule, Timing)> {
        let schedule = Schedule::parse(&self.expression).ok()?;
        let mut timing = Timing::in_zone(&self.time_zone).ok()?.with_offset(self.offset_days);
        timing.apply_only_at_cron_interval = Some(self.apply_only_at_cron_interval);
        Some((schedule, timing))
    }

    /// Runs strictly after `after` up to `until` (started early, so offsets are covered).
    pub fn occurrences(&self, after: Timestamp, until: Timestamp) -> Vec<Timestamp> {
        let mut out = Vec::new();
        self.walk(after, until, |t| {
            out.push(t);
            true
        });
        out
    }

    /// True when the runs in (`after`, `until`] are exactly `expected` (stops at the first miss).
    fn matches(&self, expected: &[Timestamp], after: Timestamp, until: Timestamp) -> bool {
        let mut k = 0;
        let mut same = true;
        self.walk(after, until, |t| {
            same = expected.get(k) == Some(&t);
            k += 1;
            same
        });
        same && k == expected.len()
    }

    fn walk(&self, after: Timestamp, until: Timestamp, mut visit: impl FnMut(Timestamp) -> bool) {
        let Some((schedule, timing)) = self.timing() else { return };
        let start = after.checked_sub(((i64::from(self.offset_days.unwrap_or(0)) + 2) * 24).hours()).unwrap_or(after);
        let Ok(it) = schedule.occurrences(&timing, start) else { return };
        for t in it.map(|z| z.timestamp()).skip_while(|t| *t <= after) {
            if t > until || !visit(t) {
                return;
            }
        }
    }
}

/// One place where a native form and its rule disagree: the k-th run of each.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Difference {
    /// When the rule runs (local time, RFC 3339 with offset); `None` when it has no k-th run.
    pub rule: Option<String>,
    /// When the native form runs.
    pub native: Option<String>,
}

/// The result of compiling one operation for one backend.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "result", rename_all = "kebab-case")]
pub enum Compiled {
    /// The native form runs exactly when the rule does, over the whole horizon.
    Exact {
        /// The form.
        native: NativeForm,
    },
    /// Only one-shot `at()` windows run it exactly (maintenance windows).
    Fallback {
        /// Why no recurring form is exact.
        reason: String,
        /// The closest recurring form and where it differs.
        #[serde(skip_serializing_if = "Option::is_none")]
        closest: Option<NativeForm>,
        /// The first differing runs.
        differences: Vec<Difference>,
        /// The next one-shot windows; `apply` rolls them forward once per period.
        windows: Vec<NativeForm>,
    },
    /// The backend cannot run it.
    Inexpressible {
        /// Why.
        reason: String,
        /// What to do instead.
        hint: String,
        /// The closest form and where it differs, if any form was accepted at all.
        #[serde(skip_serializing_if = "Option::is_none")]
        closest: Option<NativeForm>,
        /// The first differing runs.
        differences: Vec<Difference>,
    },
}

impl Compiled {
    /// True for an exact recurring form.
    pub fn is_exact(&self) -> bool {
        matches!(self, Compiled::Exact { .. })
    }

    /// True when the backend can run the operation exactly (recurring or `at()` windows).
    pub fn runs_exactly(&self) -> bool {
        !matches!(self, Compiled::Inexpressible { .. })
    }
}

/// Options for [`compile`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CompileOptions {
    /// The start of the verification horizon (normally now).
    pub from: Timestamp,
    /// One-shot windows to keep ahead in the fallback.
    pub fallback_windows: usize,
}

impl CompileOptions {
    /// Verification from `from`, with the default fallback depth.
    pub fn from(from: Timestamp) -> CompileOptions {
        CompileOptions { from, fallback_windows: DEFAULT_FALLBACK_WINDOWS }
    }

    fn until(&self) -> Timestamp {
        let z = self.from.to_zoned(TimeZone::UTC);
        z.checked_add(i64::from(VERIFY_YEARS).years()).map(|z| z.timestamp()).unwrap_or(Timestamp::MAX)
    }
}

fn zone_of(backend: Backend, intent: &Intent) -> (String, TimeZone) {
    match backend {
        Backend::MaintenanceWindow => (intent.time_zone.clone(), intent.tz.clone()),
        Backend::Association | Backend::PatchPolicy => ("UTC".to_string(), TimeZone::UTC),
    }
}

fn offsets(backend: Backend) -> std::ops::RangeInclusive<u32> {
    match backend {
        Backend::PatchPolicy => 0..=0,
        Backend::Association | Backend::MaintenanceWindow => 0..=6,
    }
}

fn form(backend: Backend, expression: String, time_zone: &str, offset: u32) -> NativeForm {
    let cron = expression.starts_with("cron(");
    NativeForm {
        expression,
        time_zone: time_zone.to_string(),
        offset_days: (offset > 0).then_some(offset),
        // Every cron association waits for its schedule: by default State Manager "runs it
        // immediately after it is created … and when target changes are detected", and "when you
        // update an association, the association immediately runs" (CreateAssociation,
        // UpdateAssociation). A rate() expression cannot carry it ("isn't supported for rate
        // expressions"), so an install is never placed on a rate() association (explain).
        apply_only_at_cron_interval: backend == Backend::Association && cron,
    }
}

/// Recurring candidates for a calendar intent on `backend`, most natural first.
fn calendar_candidates(
    backend: Backend,
    intent: &Intent,
    rule: &CalendarRule,
    first: Option<Timestamp>,
) -> Vec<NativeForm> {
    let (zone_name, zone) = zone_of(backend, intent);
    // The wall-clock time in the backend's zone: the rule's own, or that of its first run.
    let time = match (backend, first) {
        (Backend::MaintenanceWindow, _) => rule.time,
        (_, Some(t)) => zone.to_datetime(t).time(),
        (_, None) => rule.time,
    };
    let (m, h) = (time.minute(), time.hour());
    let mut days: Vec<String> = Vec::new();
    // The rule's own weekday first, then the others.
    let own = match rule.recurrence {
        Recurrence::Daily => None,
        Recurrence::Weekly(w) | Recurrence::Monthly { weekday: w, .. } => Some(w),
    };
    let mut weekdays: Vec<Weekday> = own.into_iter().collect();
    let mut w = Weekday::Monday;
    for _ in 0..7 {
        if Some(w) != own {
            weekdays.push(w);
        }
        w = w.wrapping_add(1);
    }
    days.push("* * ? *".to_string());
    for w in weekdays {
        days.push(format!("? * {} *", weekday_abbrev(w)));
        for n in Nth::ALL {
            days.push(format!("? * {} *", n.cron_day_of_week(w)));
        }
    }
    let mut out = Vec::new();
    for offset in offsets(backend) {
        for d in &days {
            out.push(form(backend, format!("cron({m} {h} {d})"), &zone_name, offset));
        }
    }
    out
}

fn accepted(backend: Backend, f: &NativeForm) -> bool {
    f.timing().is_some_and(|(s, t)| s.check(backend, &t).is_ok())
}

fn local(t: Timestamp, tz: &TimeZone) -> String {
    let z: Zoned = t.to_zoned(tz.clone());
    z.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

fn differences(rule: &[Timestamp], native: &[Timestamp], tz: &TimeZone) -> Vec<Difference> {
    let n = rule.len().max(native.len());
    (0..n)
        .filter(|&k| rule.get(k) != native.get(k))
        .take(SHOWN_DIFFERENCES)
        .map(|k| Difference { rule: rule.get(k).map(|t| local(*t, tz)), native: native.get(k).map(|t| local(*t, tz)) })
        .collect()
}

/// How many runs two ascending lists share.
fn shared(a: &[Timestamp], b: &[Timestamp]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// The one-shot windows for the next `k` runs.
fn at_windows(intent: &Intent, runs: &[Timestamp], k: usize) -> Vec<NativeForm> {
    runs.iter()
        .take(k)
        .map(|t| {
            let (zone_name, dt) = if AT_TIME_ZONE_IS_UTC {
                ("UTC".to_string(), TimeZone::UTC.to_datetime(*t))
            } else {
                (intent.time_zone.clone(), intent.tz.to_datetime(*t))
            };
            NativeForm {
                expression: format!("at({})", dt.strftime("%Y-%m-%dT%H:%M:%S")),
                time_zone: zone_name,
                offset_days: None,
                apply_only_at_cron_interval: false,
            }
        })
        .collect()
}

/// Compile `intent` for `backend`.
pub fn compile(intent: &Intent, backend: Backend, opts: &CompileOptions) -> Compiled {
    let until = opts.until();
    let expected = intent.occurrences(opts.from, until);
    let candidates: Vec<NativeForm> = match &intent.kind {
        IntentKind::Calendar(rule) => calendar_candidates(backend, intent, rule, expected.first().copied()),
        IntentKind::Expression { schedule, shift_days } => {
            let (zone_name, _) = zone_of(backend, intent);
            match u32::try_from(*shift_days) {
                Ok(off) if off <= 6 => vec![form(backend, schedule.as_str().to_string(), &zone_name, off)],
                _ => Vec::new(),
            }
        }
    };
    // First pass: exact match, stopping each candidate at its first differing run.
    let accepted_forms: Vec<NativeForm> = candidates.into_iter().filter(|c| accepted(backend, c)).collect();
    let any_accepted = !accepted_forms.is_empty();
    for c in &accepted_forms {
        if c.matches(&expected, opts.from, until) {
            return Compiled::Exact { native: c.clone() };
        }
    }
    // Second pass: the closest form, for the report: most shared runs, fewest missing and extra.
    let mut best: Option<(i64, NativeForm, Vec<Timestamp>)> = None;
    for c in accepted_forms {
        let got = c.occurrences(opts.from, until);
        let both = shared(&expected, &got) as i64;
        let score = 2 * both - expected.len() as i64 - got.len() as i64;
        if best.as_ref().is_none_or(|(s, _, _)| score > *s) {
            best = Some((score, c, got));
        }
    }
    let (closest, diffs) = match best {
        Some((_, c, got)) => {
            let d = differences(&expected, &got, &intent.tz);
            (Some(c), d)
        }
        None => (None, Vec::new()),
    };
    let reason = inexact_reason(intent, backend, any_accepted);
    if backend == Backend::MaintenanceWindow && !expected.is_empty() {
        return Compiled::Fallback {
            reason,
            closest,
            differences: diffs,
            windows: at_windows(intent, &expected, opts.fallback_windows.max(1)),
        };
    }
    let hint = match backend {
        Backend::MaintenanceWindow => "the rule has no runs in the next years; check its dates".to_string(),
        _ => "use a maintenance window, whose one-shot `at()` windows run any rule exactly".to_string(),
    };
    Compiled::Inexpressible { reason, hint, closest, differences: diffs }
}

fn inexact_reason(intent: &Intent, backend: Backend, any_accepted: bool) -> String {
    let utc_only = backend != Backend::MaintenanceWindow;
    let zone_moves = utc_only && intent.time_zone != "UTC" && has_dst(&intent.tz);
    match &intent.kind {
        IntentKind::Calendar(r) if zone_moves => format!(
            "{} observes daylight saving time, so `{r}` falls at different UTC times through the year; {} runs in UTC only",
            intent.time_zone,
            backend.as_str()
        ),
        IntentKind::Calendar(r) => match backend {
            Backend::PatchPolicy => format!(
                "no cron without a schedule offset runs exactly at `{r}` (patch policies take no offset, and cron can \
                 name only the first to fourth or the last weekday of a month)"
            ),
            _ => format!(
                "no cron with a schedule offset of 0-6 days runs exactly at `{r}` (cron can name only the first to \
                 fourth or the last weekday of a month)"
            ),
        },
        IntentKind::Expression { schedule, shift_days } => {
            if !any_accepted {
                format!("{} does not accept `{}` with this time zone and offset", backend.as_str(), schedule.as_str())
            } else {
                format!(
                    "`{}` shifted by {shift_days} days has no recurring form on {}",
                    schedule.as_str(),
                    backend.as_str()
                )
            }
        }
    }
}

fn has_dst(tz: &TimeZone) -> bool {
    let now = Timestamp::now();
    let later = now.checked_add((400 * 24).hours()).unwrap_or(now);
    tz.following(now).take_while(|t| t.timestamp() < later).next().is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::calendar::ScheduleSpec;

    fn intent(text: &str, zone: &str) -> Intent {
        let tz = TimeZone::get(zone).expect("zone");
        match ScheduleSpec::parse(text).expect("parse") {
            ScheduleSpec::Calendar(r) => Intent::from_rule(r, zone, tz),
            ScheduleSpec::Expression(s) => Intent::from_expression(s, 0, zone, tz),
            ScheduleSpec::Relative { .. } => panic!("relative"),
        }
    }

    fn opts() -> CompileOptions {
        CompileOptions::from("2026-01-01T00:00:00Z".parse().expect("ts"))
    }

    fn exact(c: &Compiled) -> &NativeForm {
        match c {
            Compiled::Exact { native } => native,
            other => panic!("not exact: {other:#?}"),
        }
    }

    #[test]
    fn patch_tuesday_plus_n_is_exact_on_windows_and_associations() {
        for n in 0..=20 {
            let i = intent(&format!("patch tuesday + {n} days at 02:00"), "UTC");
            for b in [Backend::MaintenanceWindow, Backend::Association] {
                let f = exact(&compile(&i, b, &opts())).clone();
                assert!(f.offset_days.unwrap_or(0) <= 6, "{n} {b}: {f:?}");
            }
        }
        let f = exact(&compile(&intent("patch tuesday + 8 days at 02:00", "UTC"), Backend::MaintenanceWindow, &opts()))
            .clone();
        assert_eq!((f.expression.as_str(), f.offset_days), ("cron(0 2 ? * TUE#3 *)", Some(1)));
    }

    #[test]
    fn tokyo_sunday_compiles_to_utc_with_the_day_shift() {
        // 02:00 Sunday in Tokyo is 17:00 Saturday UTC. The Saturday before the second Sunday is
        // not always the second Saturday: it is the first Sunday + 6 days.
        let i = intent("second sunday at 02:00", "Asia/Tokyo");
        let f = exact(&compile(&i, Backend::Association, &opts())).clone();
        assert_eq!(
            (f.expression.as_str(), f.time_zone.as_str(), f.offset_days, f.apply_only_at_cron_interval),
            ("cron(0 17 ? * SUN#1 *)", "UTC", Some(6), true)
        );
        // Patch policies take no offset: not expressible, and never approximated.
        assert!(matches!(compile(&i, Backend::PatchPolicy, &opts()), Compiled::Inexpressible { .. }));
        // Weekly: the day shift is just the UTC weekday.
        let weekly =
            exact(&compile(&intent("every sunday at 02:00", "Asia/Tokyo"), Backend::PatchPolicy, &opts())).clone();
        assert_eq!(weekly.expression, "cron(0 17 ? * SAT *)");
        let mw =
            exact(&compile(&intent("last sunday at 02:00", "Asia/Tokyo"), Backend::MaintenanceWindow, &opts())).clone();
        assert_eq!((mw.expression.as_str(), mw.time_zone.as_str()), ("cron(0 2 ? * SUNL *)", "Asia/Tokyo"));
    }

    #[test]
    fn last_sunday_minus_seven_takes_the_fallback() {
        let i = intent("last sunday - 7 days at 03:00", "Asia/Tokyo");
        match compile(&i, Backend::MaintenanceWindow, &opts()) {
            Compiled::Fallback { windows, differences, .. } => {
                assert_eq!(windows.len(), 2);
                assert_eq!(windows[0].expression, "at(2026-01-17T18:00:00)");
                assert!(!differences.is_empty());
            }
            other => panic!("{other:#?}"),
        }
        assert!(matches!(compile(&i, Backend::Association, &opts()), Compiled::Inexpressible { .. }));
    }

    #[test]
    fn dst_zone_is_not_exact_in_utc() {
        let i = intent("second tuesday at 02:00", "Europe/Berlin");
        assert!(compile(&i, Backend::MaintenanceWindow, &opts()).is_exact());
        match compile(&i, Backend::Association, &opts()) {
            Compiled::Inexpressible { reason, differences, .. } => {
                assert!(reason.contains("daylight saving"), "{reason}");
                assert!(!differences.is_empty());
            }
            other => panic!("{other:#?}"),
        }
    }
}
