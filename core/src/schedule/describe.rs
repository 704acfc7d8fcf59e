//! English descriptions: "02:00 on the last Sunday of every month, Asia/Tokyo".

use super::parse::{CronExpr, Expression, Field, FieldSpec, Item, StepBase};
use super::{Schedule, Timing};
use crate::schedule::FieldName;

const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAY_NAMES: [&str; 7] = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const ORDINALS: [&str; 5] = ["first", "second", "third", "fourth", "fifth"];

pub(crate) fn describe(s: &Schedule, timing: &Timing) -> String {
    let mut out = match s.expression() {
        Expression::At(dt) => format!(
            "once at {} {}",
            dt.strftime("%Y-%m-%d %H:%M:%S"),
            if super::AT_TIME_ZONE_IS_UTC { "UTC" } else { &timing.time_zone_name }
        ),
        Expression::Rate(r) => format!("every {}", r.phrase()),
        Expression::Cron(c) => format!("{}, {}", cron_text(c), timing.time_zone_name),
    };
    if let Some(d) = timing.offset_days {
        out.push_str(&format!(", then {d} day{} later", if d == 1 { "" } else { "s" }));
    }
    out
}

fn name_of(field: FieldName, v: u16) -> String {
    match field {
        FieldName::Month => MONTH_NAMES.get(usize::from(v).wrapping_sub(1)).map_or(v.to_string(), |s| s.to_string()),
        FieldName::DayOfWeek => DAY_NAMES.get(usize::from(v).wrapping_sub(1)).map_or(v.to_string(), |s| s.to_string()),
        _ => v.to_string(),
    }
}

fn join(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [a] => a.clone(),
        [a, b] => format!("{a} and {b}"),
        [rest @ .., last] => format!("{}, and {last}", rest.join(", ")),
    }
}

fn item_text(field: FieldName, item: &Item) -> String {
    match *item {
        Item::All => "every value".to_string(),
        Item::Value(v) => name_of(field, v),
        Item::Range(a, b) => format!("{} through {}", name_of(field, a), name_of(field, b)),
        Item::Step { base, step } => {
            let from = match base {
                StepBase::All => String::new(),
                StepBase::From(a) => format!(" starting at {}", name_of(field, a)),
                StepBase::Range(a, b) => {
                    format!(" from {} through {}", name_of(field, a), name_of(field, b))
                }
            };
            format!("every {step}{}{from}", ordinal_suffix(step))
        }
    }
}

fn ordinal_suffix(n: u16) -> &'static str {
    match (n % 10, n % 100) {
        (1, 11) | (2, 12) | (3, 13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    }
}

fn list_text(f: &Field) -> String {
    match &f.spec {
        FieldSpec::List(items) => join(&items.iter().map(|i| item_text(f.name, i)).collect::<Vec<_>>()),
        _ => f.text.clone(),
    }
}

fn time_text(c: &CronExpr) -> String {
    let sec = c.seconds.as_ref().and_then(|s| s.spec.single_value()).unwrap_or(0);
    let secs_plain = c.seconds.as_ref().is_none_or(|s| s.spec.single_value().is_some());
    let (m, h) = (c.minutes.spec.single_value(), c.hours.spec.single_value());
    if let (Some(m), Some(h), true) = (m, h, secs_plain) {
        return if sec == 0 { format!("{h:02}:{m:02}") } else { format!("{h:02}:{m:02}:{sec:02}") };
    }
    let step = |f: &FieldSpec| match f {
        FieldSpec::List(items) => match items.as_slice() {
            [Item::Step { base: StepBase::All | StepBase::From(0), step }] => Some(*step),
            _ => None,
        },
        _ => None,
    };
    let mut text = match (step(&c.minutes.spec), c.hours.spec.is_all(), m) {
        (Some(n), true, _) => format!("every {n} minute{}", if n == 1 { "" } else { "s" }),
        (_, true, _) if c.minutes.spec.is_all() => "every minute".to_string(),
        (_, _, Some(m)) if c.hours.spec.is_all() => format!("at minute {m} of every hour"),
        (_, _, Some(m)) => match step(&c.hours.spec) {
            Some(n) => format!("every {n} hour{} at minute {m}", if n == 1 { "" } else { "s" }),
            None => format!("at minute {m} past hour {}", list_text(&c.hours)),
        },
        _ => format!("at minute {} past hour {}", list_text(&c.minutes), list_text(&c.hours)),
    };
    if !secs_plain {
        if let Some(s) = &c.seconds {
            text = format!("at second {} {text}", list_text(s));
        }
    } else if sec != 0 {
        text.push_str(&format!(" at second {sec}"));
    }
    text
}

fn cron_text(c: &CronExpr) -> String {
    let months = if c.month.spec.is_all() { "every month".to_string() } else { list_text(&c.month) };
    let of_months = if c.month.spec.is_all() { "of every month".to_string() } else { format!("of {months}") };
    let days = match (&c.day_of_month.spec, &c.day_of_week.spec) {
        (FieldSpec::NoSpecific, FieldSpec::SaturdayL) => "every Saturday".to_string(),
        (FieldSpec::NoSpecific, FieldSpec::LastDayOfWeek(w)) => {
            format!("on the last {} {of_months}", name_of(FieldName::DayOfWeek, u16::from(*w)))
        }
        (FieldSpec::NoSpecific, FieldSpec::NthDayOfWeek { weekday, nth }) => {
            format!(
                "on the {} {} {of_months}",
                ORDINALS[usize::from(nth.saturating_sub(1)).min(4)],
                name_of(FieldName::DayOfWeek, u16::from(*weekday))
            )
        }
        (FieldSpec::NoSpecific, dow) if dow.is_all() => every_day(c, &months),
        (FieldSpec::NoSpecific, _) => {
            let mut s = format!("every {}", list_text(&c.day_of_week));
            if !c.month.spec.is_all() {
                s.push_str(&format!(" in {months}"));
            }
            s
        }
        (FieldSpec::LastDayOfMonth { offset: 0 }, _) => format!("on the last day {of_months}"),
        (FieldSpec::LastDayOfMonth { offset }, _) => {
            format!("{offset} day{} before the last day {of_months}", if *offset == 1 { "" } else { "s" })
        }
        (FieldSpec::LastWeekdayOfMonth, _) => format!("on the last weekday {of_months}"),
        (FieldSpec::NearestWeekday(n), _) => format!("on the weekday nearest day {n} {of_months}"),
        (dom, _) if dom.is_all() => every_day(c, &months),
        _ => format!("on day {} {of_months}", list_text(&c.day_of_month)),
    };
    let mut out = format!("{} {days}", time_text(c));
    if !c.year.spec.is_all() {
        out.push_str(&format!(" in {}", list_text(&c.year)));
    }
    out
}

fn every_day(c: &CronExpr, months: &str) -> String {
    if c.month.spec.is_all() { "every day".to_string() } else { format!("every day in {months}") }
}
