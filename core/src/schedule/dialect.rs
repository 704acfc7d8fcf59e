//! What each scheduling backend accepts: one table of rules, each with its source.
//!
//! Evaluation is the same on every backend; only acceptance differs. A rule marked
//! Sources: the "cron page" is
//! <https://docs.aws.amazon.com/systems-manager/latest/userguide/reference-cron-and-rate-expressions.html>,
//! the "association section" its `#reference-cron-and-rate-expressions-association` part, and
//! patch policies are described at
//! <https://docs.aws.amazon.com/systems-manager/latest/userguide/quick-setup-patch-manager.html>.
//!
//! A rule marked [`RuleStatus::Unconfirmed`] follows the documented list of supported forms where AWS never
//! says the other forms are rejected; changing such a rule is a one-line edit of [`RULES`].

use std::fmt;
use std::str::FromStr;

use super::parse::{Expression, FieldSpec, Item, StepBase};
use super::{Schedule, Timing};

/// A way to schedule Patch Manager.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Backend {
    /// Quick Setup patch policy (a State Manager association underneath).
    PatchPolicy,
    /// State Manager association running AWS-RunPatchBaseline.
    Association,
    /// Maintenance window with a Run Command task.
    MaintenanceWindow,
}

impl Backend {
    /// All backends, simplest first (the order `auto` tries them in).
    pub const ALL: [Backend; 3] = [Backend::PatchPolicy, Backend::Association, Backend::MaintenanceWindow];

    /// `patch-policy`, `association`, `maintenance-window`.
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::PatchPolicy => "patch-policy",
            Backend::Association => "association",
            Backend::MaintenanceWindow => "maintenance-window",
        }
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Backend {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Backend::ALL
            .into_iter()
            .find(|b| b.as_str() == s)
            .ok_or_else(|| format!("unknown backend `{s}` (expected patch-policy, association or maintenance-window)"))
    }
}

/// How sure we are that AWS enforces a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum RuleStatus {
    /// AWS documents the rule (or the API model enforces it).
    Documented,
    /// AWS documents only the supported forms; rejection of others is not confirmed.
    Unconfirmed,
}

/// One acceptance rule.
#[derive(Debug)]
pub struct Rule {
    /// Stable identifier, e.g. `association.no-month`.
    pub id: &'static str,
    /// Backends the rule applies to.
    pub backends: &'static [Backend],
    /// Documented or not.
    pub status: RuleStatus,
    /// Where the rule comes from.
    pub source: &'static str,
    check: fn(&Schedule, &Timing) -> Option<(String, String)>,
}

/// Why a backend rejects a schedule.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Violation {
    /// The rule id.
    pub rule: &'static str,
    /// What is wrong.
    pub reason: String,
    /// What to do instead.
    pub hint: String,
    /// Documented or not.
    pub status: RuleStatus,
    /// The rule's source.
    pub source: &'static str,
}

/// The result of checking a schedule against a backend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The backend accepts it.
    Accepted,
    /// The first rule that rejects it.
    Rejected(Violation),
}

impl Verdict {
    /// True when accepted.
    pub fn is_ok(&self) -> bool {
        matches!(self, Verdict::Accepted)
    }

    /// The violation, if rejected.
    pub fn violation(&self) -> Option<&Violation> {
        match self {
            Verdict::Accepted => None,
            Verdict::Rejected(v) => Some(v),
        }
    }
}

const MW: &[Backend] = &[Backend::MaintenanceWindow];
const ASSOC: &[Backend] = &[Backend::Association];
const PP: &[Backend] = &[Backend::PatchPolicy];
const ASSOC_PP: &[Backend] = &[Backend::Association, Backend::PatchPolicy];
const MW_ASSOC: &[Backend] = &[Backend::MaintenanceWindow, Backend::Association];

fn cron(s: &Schedule) -> Option<&super::CronExpr> {
    match s.expression() {
        Expression::Cron(c) => Some(c),
        _ => None,
    }
}

fn fail(reason: impl Into<String>, hint: impl Into<String>) -> Option<(String, String)> {
    Some((reason.into(), hint.into()))
}

fn interval_phrase(secs: i64) -> String {
    if secs % 3600 == 0 {
        let h = secs / 3600;
        format!("{h} hour{}", if h == 1 { "" } else { "s" })
    } else if secs % 60 == 0 {
        let m = secs / 60;
        format!("{m} minute{}", if m == 1 { "" } else { "s" })
    } else {
        format!("{secs} seconds")
    }
}

fn min_interval(s: &Schedule, floor: i64, who: &str) -> Option<(String, String)> {
    let secs = s.min_interval_seconds()?;
    (secs < floor).then(|| {
        (
            format!(
                "runs every {} at the shortest; {who} run at most every {}",
                interval_phrase(secs),
                interval_phrase(floor)
            ),
            format!("space the runs at least {} apart", interval_phrase(floor)),
        )
    })
}

/// Is this hours/minutes pair one of the association's documented time forms?
fn documented_time_form(c: &super::CronExpr) -> bool {
    let single = |f: &FieldSpec| f.single_value().is_some();
    let step_from_zero = |f: &FieldSpec| -> Option<u16> {
        match f {
            FieldSpec::List(items) => match items.as_slice() {
                [Item::Step { base: StepBase::All | StepBase::From(0), step }] => Some(*step),
                _ => None,
            },
            _ => None,
        }
    };
    let every_day = (c.day_of_month.spec.is_all() && c.day_of_week.spec.is_no_specific())
        || (c.day_of_month.spec.is_no_specific() && c.day_of_week.spec.is_all());
    let (m, h) = (&c.minutes.spec, &c.hours.spec);
    // "at a specific time": one minute, one hour.
    if single(m) && single(h) {
        return true;
    }
    // "every 1/2 ... hours" forms run every day.
    if !every_day {
        return false;
    }
    // every 30 minutes: cron(0/30 * * * ? *)
    if step_from_zero(m) == Some(30) && h.is_all() {
        return true;
    }
    // every 1, 2, 4, 8 or 12 hours: cron(0 0/2 * * ? *); `*` is every hour.
    single(m) && (h.is_all() || step_from_zero(h).is_some_and(|n| [1, 2, 4, 8, 12].contains(&n)))
}

/// Every acceptance rule, in the order they are checked.
pub(super) static RULES: &[Rule] = &[
    Rule {
        id: "utc-only",
        backends: ASSOC_PP,
        status: RuleStatus::Documented,
        source: "botocore ssm CreateAssociationRequest has no ScheduleTimezone; the AWS SDK doc: \"The schedule runs in Coordinated Universal Time (UTC).\"; patch policy parameters have no time zone (quick-setup-patch-manager)",
        check: |_, t| {
            (!t.is_utc()).then(|| {
                (
                    format!("runs in UTC only, but the schedule is in {}", t.time_zone_name),
                    "use a maintenance window (ScheduleTimezone), or write the cron in UTC — a plan's calendar rule compiles a local time to UTC exactly".to_string(),
                )
            })
        },
    },
    Rule {
        id: "offset.none",
        backends: PP,
        status: RuleStatus::Documented,
        source: "Quick Setup patch policy parameters have no schedule offset (aws-facts §1.3, §6)",
        check: |_, t| {
            t.offset_days.and_then(|_| {
                fail(
                    "patch policies have no schedule offset",
                    "use an association or a maintenance window, or a cron that names the day itself",
                )
            })
        },
    },
    Rule {
        id: "offset.range",
        backends: MW_ASSOC,
        status: RuleStatus::Documented,
        source: "botocore ssm ScheduleOffset: min 1, max 6",
        check: |_, t| match t.offset_days {
            Some(d) if !(1..=6).contains(&d) => fail(
                format!("schedule offset {d} is out of range (1-6 days)"),
                "for a longer shift use a plan calendar rule such as `patch-tuesday + 8 days`",
            ),
            _ => None,
        },
    },
    Rule {
        id: "offset.cron-only",
        backends: MW_ASSOC,
        status: RuleStatus::Documented,
        source: "\"Associations and maintenance windows support schedule offsets for cron expressions only.\" (cron page)",
        check: |s, t| {
            (t.offset_days.is_some() && !s.is_cron()).then(|| {
                (
                    "a schedule offset applies to cron expressions only".to_string(),
                    "remove the offset or use cron(...)".to_string(),
                )
            })
        },
    },
    Rule {
        id: "offset.apply-only-at-cron-interval",
        backends: ASSOC,
        status: RuleStatus::Documented,
        source: "CreateAssociation ScheduleOffset: \"To use offsets, you must specify the ApplyOnlyAtCronInterval parameter.\"",
        check: |_, t| {
            (t.offset_days.is_some() && t.apply_only_at_cron_interval == Some(false)).then(|| {
                (
                    "a schedule offset needs ApplyOnlyAtCronInterval".to_string(),
                    "set apply-only-at-cron-interval = true (ssmpatch sets it when left unset)".to_string(),
                )
            })
        },
    },
    Rule {
        id: "rate.apply-only-at-cron-interval",
        backends: ASSOC,
        status: RuleStatus::Documented,
        source: "CreateAssociation ApplyOnlyAtCronInterval: \"This parameter isn't supported for rate expressions.\"",
        check: |s, t| {
            (matches!(s.expression(), Expression::Rate(_)) && t.apply_only_at_cron_interval == Some(true)).then(|| {
                (
                    "ApplyOnlyAtCronInterval is not supported for rate expressions".to_string(),
                    "use a cron expression, or leave apply-only-at-cron-interval unset".to_string(),
                )
            })
        },
    },
    Rule {
        id: "at.unsupported",
        backends: PP,
        status: RuleStatus::Unconfirmed,
        source: "patch policy schedules are documented as cron (quick-setup-patch-manager); at() is not offered",
        check: |s, _| {
            matches!(s.expression(), Expression::At(_)).then(|| {
                (
                    "patch policies take recurring cron schedules, not at()".to_string(),
                    "use a maintenance window or an association for a one-time run".to_string(),
                )
            })
        },
    },
    Rule {
        id: "interval.5-minutes",
        backends: MW,
        status: RuleStatus::Documented,
        source: "\"Cron expressions that lead to rates faster than five (5) minute aren't supported.\" (cron page)",
        check: |s, _| min_interval(s, 300, "maintenance windows"),
    },
    Rule {
        id: "interval.30-minutes",
        backends: ASSOC_PP,
        status: RuleStatus::Documented,
        source: "\"Associations support the following rate expressions: intervals of 30 minutes or greater\"; every 1/2 hour is the fastest cron form (association section)",
        check: |s, _| min_interval(s, 1800, "associations"),
    },
    Rule {
        id: "rate.under-31-days",
        backends: ASSOC_PP,
        status: RuleStatus::Documented,
        source: "\"intervals of 30 minutes or greater and less than 31 days\" (association section)",
        check: |s, _| match s.expression() {
            Expression::Rate(r) if r.interval_seconds() >= 31 * 86_400 => fail(
                format!("rate({}) is 31 days or longer; associations take rates under 31 days", r.phrase()),
                "use a cron expression for monthly runs, e.g. `cron(0 2 ? * SUN#1 *)`",
            ),
            _ => None,
        },
    },
    Rule {
        id: "seconds.zero",
        backends: ASSOC_PP,
        status: RuleStatus::Documented,
        source: "\"If you specify the optional Seconds field, its value can be 0 (zero).\" (association section)",
        check: |s, _| {
            let c = cron(s)?;
            let sec = c.seconds.as_ref()?;
            (sec.spec.single_value() != Some(0)).then(|| {
                (
                    format!("the seconds field is `{}`; associations allow only 0", sec.text),
                    "drop the seconds field or set it to 0".to_string(),
                )
            })
        },
    },
    Rule {
        id: "month.any",
        backends: ASSOC_PP,
        status: RuleStatus::Documented,
        source: "\"State Manager doesn't currently support specifying months in cron expressions for associations.\" (cron page)",
        check: |s, _| {
            let c = cron(s)?;
            (!c.month.spec.is_all()).then(|| {
                (
                    format!("the month field is `{}`; associations cannot name months", c.month.text),
                    "put `*` in the month field; for specific months use a maintenance window".to_string(),
                )
            })
        },
    },
    Rule {
        id: "day-of-week.one-day",
        backends: ASSOC_PP,
        status: RuleStatus::Documented,
        source: "association section: \"every day, every week, every nth day, or the last x day of the month\"; ranges such as MON-FRI are rejected (confirmed by the seed case)",
        check: |s, _| {
            let c = cron(s)?;
            let ok = match &c.day_of_week.spec {
                FieldSpec::NoSpecific
                | FieldSpec::LastDayOfWeek(_)
                | FieldSpec::NthDayOfWeek { .. }
                | FieldSpec::SaturdayL => true,
                f => f.is_all() || f.single_value().is_some(),
            };
            (!ok).then(|| {
                (
                    format!(
                        "day-of-week `{}` names several days; associations run every day or on one day of the week",
                        c.day_of_week.text
                    ),
                    "use one day (`MON`, `TUE#2`, `SUNL`), one association per day, or a maintenance window"
                        .to_string(),
                )
            })
        },
    },
    Rule {
        id: "day-of-month.any",
        backends: ASSOC_PP,
        status: RuleStatus::Unconfirmed,
        source: "the documented association forms never set day-of-month (association section); W, L and day numbers are not listed",
        check: |s, _| {
            let c = cron(s)?;
            let f = &c.day_of_month.spec;
            (!(f.is_all() || f.is_no_specific())).then(|| {
                (
                    format!("day-of-month `{}` is not among the documented association forms", c.day_of_month.text),
                    "use a day-of-week form (`SUN#1`, `SUNL`), or a maintenance window".to_string(),
                )
            })
        },
    },
    Rule {
        id: "year.any",
        backends: ASSOC_PP,
        status: RuleStatus::Unconfirmed,
        source: "every documented association example has `*` in the year field",
        check: |s, _| {
            let c = cron(s)?;
            (!c.year.spec.is_all()).then(|| {
                (
                    format!("the year field is `{}`; associations are documented with `*` only", c.year.text),
                    "put `*` in the year field".to_string(),
                )
            })
        },
    },
    Rule {
        id: "time.documented-forms",
        backends: ASSOC_PP,
        status: RuleStatus::Documented,
        source: "\"Associations support the following cron expressions: every 1/2, 1, 2, 4, 8, or 12 hours; every day, every week, every nth day, or the last x day of the month at a specific time.\"",
        check: |s, _| {
            let c = cron(s)?;
            (!documented_time_form(c)).then(|| (format!("minutes `{}` and hours `{}` are not an association form", c.minutes.text, c.hours.text), "use one time of day (`0 2`), every 30 minutes (`0/30 *`) or every 1, 2, 4, 8 or 12 hours (`0 0/4`)".to_string()))
        },
    },
];

/// Check `schedule` against `backend`'s rules; the first failing rule wins.
pub fn check(schedule: &Schedule, backend: Backend, timing: &Timing) -> Verdict {
    for rule in RULES.iter().filter(|r| r.backends.contains(&backend)) {
        if let Some((reason, hint)) = (rule.check)(schedule, timing) {
            let reason = if backend == Backend::PatchPolicy && rule.backends.contains(&Backend::Association) {
                format!("{reason} (a patch policy schedules through a State Manager association)")
            } else {
                reason
            };
            let reason = match rule.status {
                RuleStatus::Documented => reason,
                RuleStatus::Unconfirmed => format!(
                    "{reason} (rule `{}` follows the documented forms; AWS does not confirm the rejection)",
                    rule.id
                ),
            };
            return Verdict::Rejected(Violation {
                rule: rule.id,
                reason,
                hint,
                status: rule.status,
                source: rule.source,
            });
        }
    }
    Verdict::Accepted
}

/// Maintenance window Duration and Cutoff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct WindowSettings {
    /// Hours the window is open (1-24).
    pub duration_hours: u32,
    /// Hours before the end when no new task starts (0-23).
    pub cutoff_hours: u32,
}

impl WindowSettings {
    /// Checks the API ranges (botocore: Duration 1-24, Cutoff 0-23) and that tasks can start at
    /// all (cutoff < duration; UNCONFIRMED whether the service rejects it, but a window whose
    /// cutoff is its whole duration never starts a task).
    pub fn validate(&self) -> Result<(), Violation> {
        let v = |rule, reason: String, hint: &str, status| Violation {
            rule,
            reason,
            hint: hint.to_string(),
            status,
            source: "botocore ssm CreateMaintenanceWindowRequest",
        };
        if !(1..=24).contains(&self.duration_hours) {
            return Err(v(
                "window.duration",
                format!("duration {}h is out of range (1-24 hours)", self.duration_hours),
                "a maintenance window is open 1 to 24 hours",
                RuleStatus::Documented,
            ));
        }
        if self.cutoff_hours > 23 {
            return Err(v(
                "window.cutoff",
                format!("cutoff {}h is out of range (0-23 hours)", self.cutoff_hours),
                "cutoff is 0 to 23 hours",
                RuleStatus::Documented,
            ));
        }
        if self.cutoff_hours >= self.duration_hours {
            return Err(v(
                "window.cutoff-before-end",
                format!(
                    "cutoff {}h is not shorter than the duration {}h, so no task could start",
                    self.cutoff_hours, self.duration_hours
                ),
                "make the cutoff shorter than the duration",
                RuleStatus::Unconfirmed,
            ));
        }
        Ok(())
    }
}
