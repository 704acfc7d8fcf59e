//! Calendar rules a person would say — "last Sunday at 03:00", "patch tuesday + 3 days at 02:00",
//! "7 days before install" — and their exact occurrences.
//!
//! Grammar (case-insensitive, words separated by spaces):
//!
//! ```text
//! schedule  := expression | rule | relative
//! expression:= cron(...) | rate(...) | at(...)
//! rule      := base [("+" | "-") N ("day" | "days")] "at" HH:MM
//! base      := "every day" | "every" WEEKDAY | NTH WEEKDAY ["of" ("the" | "every") "month"]
//!            | "patch tuesday" | "patch-tuesday"
//! relative  := N ("day" | "days") ("before" | "after") OPERATION ["at" HH:MM]
//! NTH       := first | second | third | fourth | last | 1st | 2nd | 3rd | 4th
//! WEEKDAY   := monday … sunday | mon … sun (plural accepted)
//! ```
//!
//! "Patch Tuesday" is the second Tuesday of the month. Local times resolve like AWS cron does in a
//! time zone: a time in a spring-forward gap is skipped that day, a time that occurs twice runs at
//! the earlier instant.

use std::fmt;

use jiff::civil::{self, Weekday};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};

use crate::input::echo;
use crate::schedule::iter::resolve_local;
use crate::schedule::{Schedule, ScheduleError};

/// Which occurrence of a weekday in its month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Nth {
    /// Days 1-7.
    First,
    /// Days 8-14.
    Second,
    /// Days 15-21.
    Third,
    /// Days 22-28.
    Fourth,
    /// The last one of the month.
    Last,
}

impl Nth {
    /// All, in order.
    pub const ALL: [Nth; 5] = [Nth::First, Nth::Second, Nth::Third, Nth::Fourth, Nth::Last];

    fn as_i8(self) -> i8 {
        match self {
            Nth::First => 1,
            Nth::Second => 2,
            Nth::Third => 3,
            Nth::Fourth => 4,
            Nth::Last => -1,
        }
    }

    /// `first`, `second`, …, `last`.
    pub fn as_str(self) -> &'static str {
        match self {
            Nth::First => "first",
            Nth::Second => "second",
            Nth::Third => "third",
            Nth::Fourth => "fourth",
            Nth::Last => "last",
        }
    }

    /// The AWS cron day-of-week suffix for `weekday`: `SUN#2`, `SUNL`.
    pub fn cron_day_of_week(self, weekday: Weekday) -> String {
        let w = weekday_abbrev(weekday);
        match self {
            Nth::Last => format!("{w}L"),
            n => format!("{w}#{}", n.as_i8()),
        }
    }
}

/// How often the base day recurs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Recurrence {
    /// Every day.
    Daily,
    /// Every week on this day.
    Weekly(Weekday),
    /// Once a month, on the nth weekday.
    Monthly {
        /// Which occurrence.
        nth: Nth,
        /// Which day.
        weekday: Weekday,
    },
}

/// A recurring local time: a base day, shifted by whole days, at a wall-clock time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CalendarRule {
    /// The base day.
    pub recurrence: Recurrence,
    /// Days added to the base day (negative: before it).
    pub shift_days: i32,
    /// Local wall-clock time.
    pub time: civil::Time,
}

/// What an operation's `schedule` string says.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ScheduleSpec {
    /// An AWS expression, used as given.
    Expression(Schedule),
    /// A calendar rule.
    Calendar(CalendarRule),
    /// A number of days before (negative) or after another operation of the plan.
    Relative {
        /// The other operation's name.
        operation: String,
        /// Days after it (negative: before).
        days: i32,
        /// A different wall-clock time, if given.
        time: Option<civil::Time>,
    },
}

/// Longest shift accepted, in days (beyond a month the rule is more clearly written another way).
pub const MAX_SHIFT_DAYS: i32 = 27;

pub(crate) fn weekday_abbrev(w: Weekday) -> &'static str {
    match w {
        Weekday::Monday => "MON",
        Weekday::Tuesday => "TUE",
        Weekday::Wednesday => "WED",
        Weekday::Thursday => "THU",
        Weekday::Friday => "FRI",
        Weekday::Saturday => "SAT",
        Weekday::Sunday => "SUN",
    }
}

fn weekday_name(w: Weekday) -> &'static str {
    match w {
        Weekday::Monday => "Monday",
        Weekday::Tuesday => "Tuesday",
        Weekday::Wednesday => "Wednesday",
        Weekday::Thursday => "Thursday",
        Weekday::Friday => "Friday",
        Weekday::Saturday => "Saturday",
        Weekday::Sunday => "Sunday",
    }
}

/// Parse `weekday` names: `monday`, `mon`, `mondays`.
fn parse_weekday(word: &str) -> Option<Weekday> {
    let w = word.strip_suffix('s').filter(|s| s.len() >= 3 && !word.ends_with("ss")).unwrap_or(word);
    Some(match w {
        "monday" | "mon" => Weekday::Monday,
        "tuesday" | "tue" | "tues" => Weekday::Tuesday,
        "wednesday" | "wed" => Weekday::Wednesday,
        "thursday" | "thu" | "thur" | "thurs" => Weekday::Thursday,
        "friday" | "fri" => Weekday::Friday,
        "saturday" | "sat" => Weekday::Saturday,
        "sunday" | "sun" => Weekday::Sunday,
        _ => return None,
    })
}

fn parse_nth(word: &str) -> Option<Nth> {
    Some(match word {
        "first" | "1st" => Nth::First,
        "second" | "2nd" => Nth::Second,
        "third" | "3rd" => Nth::Third,
        "fourth" | "4th" => Nth::Fourth,
        "last" => Nth::Last,
        _ => return None,
    })
}

/// Parse `HH:MM` (24-hour).
pub(super) fn parse_time(word: &str) -> Option<civil::Time> {
    let (h, m) = word.split_once(':')?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return None;
    }
    let h: i8 = h.parse().ok()?;
    let m: i8 = m.parse().ok()?;
    civil::Time::new(h, m, 0, 0).ok()
}

#[derive(Debug, Clone, Copy)]
struct Token<'a> {
    word: &'a str,
    /// 1-based column of the token's first character.
    column: usize,
}

fn tokenize(text: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let bytes: Vec<(usize, char)> = text.char_indices().collect();
    let col_of = |byte: usize| text[..byte].chars().count() + 1;
    for &(i, c) in &bytes {
        if c.is_whitespace() {
            if let Some(s) = start.take() {
                out.push(Token { word: &text[s..i], column: col_of(s) });
            }
        } else if (c == '+' || c == '-') && start.is_none() {
            // A sign is its own token ("+3" → "+", "3"); a hyphen inside a word is kept.
            out.push(Token { word: &text[i..i + 1], column: col_of(i) });
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        out.push(Token { word: &text[s..], column: col_of(s) });
    }
    out
}

struct Cursor<'a> {
    text: &'a str,
    tokens: Vec<Token<'a>>,
    lower: Vec<String>,
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<&str> {
        self.lower.get(self.pos).map(String::as_str)
    }

    fn column(&self) -> usize {
        match self.tokens.get(self.pos) {
            Some(t) => t.column,
            None => self.text.chars().count() + 1,
        }
    }

    fn bump(&mut self) -> Option<String> {
        let w = self.lower.get(self.pos).cloned();
        self.pos += 1;
        w
    }

    fn eat(&mut self, word: &str) -> bool {
        if self.peek() == Some(word) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn error(&self, message: impl Into<String>, hint: impl Into<String>) -> ScheduleError {
        ScheduleError::new(message).at(self.column()).with_hint(hint)
    }

    fn days(&mut self) -> Result<i32, ScheduleError> {
        let col = self.column();
        let n = self.bump().unwrap_or_default();
        let Ok(days) = n.parse::<i32>() else {
            return Err(ScheduleError::new(format!("expected a number of days, found `{}`", echo(&n)))
                .at(col)
                .with_hint("write e.g. `+ 3 days` or `7 days before install`"));
        };
        if !(0..=MAX_SHIFT_DAYS).contains(&days) {
            return Err(ScheduleError::new(format!("{days} days is out of range")).at(col).with_hint(format!(
                "shift by 0 to {MAX_SHIFT_DAYS} days; anchor on another weekday for longer shifts"
            )));
        }
        if !(self.eat("day") || self.eat("days")) {
            return Err(self.error("expected `days`", "write e.g. `+ 3 days`"));
        }
        Ok(days)
    }

    fn at_time(&mut self) -> Result<civil::Time, ScheduleError> {
        if !self.eat("at") {
            return Err(self.error("expected `at HH:MM`", "every calendar rule names its local time, e.g. `at 03:00`"));
        }
        let col = self.column();
        let w = self.bump().unwrap_or_default();
        parse_time(&w).ok_or_else(|| {
            ScheduleError::new(format!("`{}` is not a time of day", echo(&w)))
                .at(col)
                .with_hint("write a 24-hour time such as `03:00`")
        })
    }

    fn end(&self) -> Result<(), ScheduleError> {
        match self.tokens.get(self.pos) {
            None => Ok(()),
            Some(t) => Err(ScheduleError::new(format!("unexpected `{}`", echo(t.word)))
                .at(t.column)
                .with_hint("a calendar rule ends with its time, e.g. `last sunday at 03:00`")),
        }
    }
}

impl ScheduleSpec {
    /// Parse an operation's `schedule` string: an AWS expression or a calendar rule.
    pub fn parse(text: &str) -> Result<ScheduleSpec, ScheduleError> {
        let trimmed = text.trim_start();
        let lower = trimmed.to_ascii_lowercase();
        if lower.starts_with("cron(") || lower.starts_with("rate(") || lower.starts_with("at(") {
            return Schedule::parse(text).map(ScheduleSpec::Expression);
        }
        let tokens = tokenize(text);
        let lower = tokens.iter().map(|t| t.word.to_ascii_lowercase()).collect();
        let mut c = Cursor { text, tokens, lower, pos: 0 };
        let Some(first) = c.peek().map(str::to_string) else {
            return Err(ScheduleError::new("empty schedule").with_hint(
                "write an AWS expression such as `cron(0 3 ? * SUNL *)` or a rule such as `last sunday at 03:00`",
            ));
        };

        // relative: N days before|after OPERATION [at HH:MM]
        if first.parse::<i32>().is_ok() {
            let days = c.days()?;
            let sign = match c.bump().as_deref() {
                Some("before") => -1,
                Some("after") => 1,
                other => {
                    c.pos -= 1;
                    return Err(c.error(
                        format!("expected `before` or `after`, found `{}`", echo(other.unwrap_or(""))),
                        "write e.g. `7 days before install`",
                    ));
                }
            };
            let col = c.column();
            let Some(operation) = c.tokens.get(c.pos).map(|t| t.word.to_string()) else {
                return Err(
                    c.error("expected an operation name", "name another operation of this plan, e.g. `install`")
                );
            };
            c.pos += 1;
            let _ = col;
            let time = if c.peek() == Some("at") { Some(c.at_time()?) } else { None };
            c.end()?;
            return Ok(ScheduleSpec::Relative { operation, days: sign * days, time });
        }

        let recurrence = if c.eat("every") {
            if c.eat("day") {
                Recurrence::Daily
            } else {
                let col = c.column();
                let w = c.bump().unwrap_or_default();
                Recurrence::Weekly(parse_weekday(&w).ok_or_else(|| {
                    ScheduleError::new(format!("`{}` is not a day of the week", echo(&w)))
                        .at(col)
                        .with_hint("write e.g. `every sunday at 03:00` or `every day at 03:00`")
                })?)
            }
        } else if c.eat("patch-tuesday")
            || (c.peek() == Some("patch") && c.lower.get(c.pos + 1).map(String::as_str) == Some("tuesday"))
        {
            if c.peek() == Some("patch") {
                c.pos += 2;
            }
            Recurrence::Monthly { nth: Nth::Second, weekday: Weekday::Tuesday }
        } else if let Some(nth) = parse_nth(&first) {
            c.pos += 1;
            let col = c.column();
            let w = c.bump().unwrap_or_default();
            let weekday = parse_weekday(&w).ok_or_else(|| {
                ScheduleError::new(format!("`{}` is not a day of the week", echo(&w)))
                    .at(col)
                    .with_hint("write e.g. `second tuesday at 02:00`")
            })?;
            if c.eat("of") && (!(c.eat("the") || c.eat("every")) || !c.eat("month")) {
                return Err(c.error("expected `of the month`", "write e.g. `last sunday of the month at 03:00`"));
            }
            Recurrence::Monthly { nth, weekday }
        } else {
            return Err(c.error(
                format!("`{}` does not start a schedule", echo(c.tokens[0].word)),
                "write an AWS expression (`cron(...)`, `rate(...)`, `at(...)`), a rule such as `last sunday at 03:00`, \
                 `patch tuesday + 3 days at 02:00`, `every day at 01:00`, or `7 days before install`",
            ));
        };
        let mut shift_days = 0;
        if let Some(sign) = c.peek().and_then(|w| match w {
            "+" => Some(1),
            "-" => Some(-1),
            _ => None,
        }) {
            c.pos += 1;
            shift_days = sign * c.days()?;
        }
        let time = c.at_time()?;
        c.end()?;
        Ok(ScheduleSpec::Calendar(CalendarRule { recurrence, shift_days, time }))
    }
}

impl CalendarRule {
    /// Patch Tuesday (the second Tuesday) + `days`, at `time`.
    pub fn patch_tuesday(days: i32, time: civil::Time) -> CalendarRule {
        CalendarRule {
            recurrence: Recurrence::Monthly { nth: Nth::Second, weekday: Weekday::Tuesday },
            shift_days: days,
            time,
        }
    }

    /// The same rule, `days` later (negative: earlier), optionally at another time.
    pub fn shifted(self, days: i32, time: Option<civil::Time>) -> CalendarRule {
        CalendarRule { shift_days: self.shift_days + days, time: time.unwrap_or(self.time), ..self }
    }

    /// Local dates of the base day from about `start` on (a few before, so shifts are covered).
    fn base_dates(&self, start: civil::Date, end: civil::Date) -> Vec<civil::Date> {
        let mut out = Vec::new();
        match self.recurrence {
            Recurrence::Daily => {
                let mut d = start;
                while d <= end {
                    out.push(d);
                    let Ok(n) = d.checked_add(1.day()) else { break };
                    d = n;
                }
            }
            Recurrence::Weekly(w) => {
                let Ok(mut d) = start.nth_weekday(1, w) else { return out };
                while d <= end {
                    out.push(d);
                    let Ok(n) = d.checked_add(1.week()) else { break };
                    d = n;
                }
            }
            Recurrence::Monthly { nth, weekday } => {
                let Ok(mut month) = civil::Date::new(start.year(), start.month(), 1) else { return out };
                while month <= end {
                    if let Ok(d) = month.nth_weekday_of_month(nth.as_i8(), weekday) {
                        out.push(d);
                    }
                    let Ok(n) = month.checked_add(1.month()) else { break };
                    month = n;
                }
            }
        }
        out
    }

    /// Every run strictly after `after` and at or before `until`, in `tz`, ascending.
    pub fn occurrences(&self, tz: &TimeZone, after: Timestamp, until: Timestamp) -> Vec<Timestamp> {
        let margin = i64::from(self.shift_days.unsigned_abs()) + 40;
        let start = tz.to_datetime(after).date().checked_sub(margin.days()).unwrap_or(civil::Date::MIN);
        let end = tz.to_datetime(until).date().checked_add(margin.days()).unwrap_or(civil::Date::MAX);
        let mut out: Vec<Timestamp> = self
            .base_dates(start, end)
            .into_iter()
            .filter_map(|d| d.checked_add(i64::from(self.shift_days).days()).ok())
            .filter_map(|d| resolve_local(tz, d.to_datetime(self.time)))
            .filter(|t| *t > after && *t <= until)
            .collect();
        out.sort();
        out.dedup();
        out
    }
}

impl fmt::Display for CalendarRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.recurrence {
            Recurrence::Daily => f.write_str("every day")?,
            Recurrence::Weekly(w) => write!(f, "every {}", weekday_name(w))?,
            Recurrence::Monthly { nth: Nth::Second, weekday: Weekday::Tuesday } => f.write_str("Patch Tuesday")?,
            Recurrence::Monthly { nth, weekday } => {
                write!(f, "the {} {} of the month", nth.as_str(), weekday_name(weekday))?
            }
        }
        match self.shift_days {
            0 => {}
            d if d > 0 => write!(f, " + {d} day{}", if d == 1 { "" } else { "s" })?,
            d => write!(f, " - {} day{}", -d, if d == -1 { "" } else { "s" })?,
        }
        write!(f, " at {}", self.time.strftime("%H:%M"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(text: &str) -> CalendarRule {
        match ScheduleSpec::parse(text) {
            Ok(ScheduleSpec::Calendar(r)) => r,
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn parses_people_words() {
        let r = rule("Last Sunday of the month at 03:00");
        assert_eq!(r.recurrence, Recurrence::Monthly { nth: Nth::Last, weekday: Weekday::Sunday });
        assert_eq!((r.shift_days, r.time), (0, civil::time(3, 0, 0, 0)));
        assert_eq!(rule("patch tuesday + 3 days at 02:00"), CalendarRule::patch_tuesday(3, civil::time(2, 0, 0, 0)));
        assert_eq!(rule("patch-tuesday +3 days at 02:00"), CalendarRule::patch_tuesday(3, civil::time(2, 0, 0, 0)));
        assert_eq!(rule("last sunday - 7 days at 03:00").shift_days, -7);
        assert_eq!(rule("every sundays at 03:00").recurrence, Recurrence::Weekly(Weekday::Sunday));
        assert_eq!(rule("every day at 23:59").recurrence, Recurrence::Daily);
        assert_eq!(
            ScheduleSpec::parse("7 days before install").ok(),
            Some(ScheduleSpec::Relative { operation: "install".into(), days: -7, time: None })
        );
        assert!(matches!(ScheduleSpec::parse("cron(0 3 ? * SUNL *)"), Ok(ScheduleSpec::Expression(_))));
    }

    #[test]
    fn errors_have_columns_and_hints() {
        let e = ScheduleSpec::parse("last sunday at 3pm").expect_err("bad time");
        assert_eq!((e.message.as_str(), e.column), ("`3pm` is not a time of day", Some(16)));
        let e = ScheduleSpec::parse("last funday at 03:00").expect_err("bad day");
        assert_eq!(e.column, Some(6));
        let e = ScheduleSpec::parse("last sunday").expect_err("no time");
        assert_eq!(e.message, "expected `at HH:MM`");
        let e = ScheduleSpec::parse("patch tuesday + 40 days at 02:00").expect_err("too far");
        assert!(e.message.contains("out of range"), "{e}");
        let e = ScheduleSpec::parse("7 days around install").expect_err("bad word");
        assert_eq!(e.column, Some(8));
        let e = ScheduleSpec::parse("whenever").expect_err("nonsense");
        assert!(e.hint.as_deref().unwrap_or("").contains("patch tuesday"));
    }

    #[test]
    fn occurrences_in_tokyo() {
        let tz = TimeZone::get("Asia/Tokyo").expect("zone");
        let after: Timestamp = "2026-06-01T00:00:00Z".parse().expect("ts");
        let until: Timestamp = "2026-09-01T00:00:00Z".parse().expect("ts");
        let runs = rule("last sunday at 03:00").occurrences(&tz, after, until);
        let got: Vec<String> = runs.iter().map(|t| t.to_string()).collect();
        assert_eq!(got, ["2026-06-27T18:00:00Z", "2026-07-25T18:00:00Z", "2026-08-29T18:00:00Z"]);
        let scans = rule("last sunday - 7 days at 03:00").occurrences(&tz, after, until);
        let got: Vec<String> = scans.iter().map(|t| t.to_string()).collect();
        assert_eq!(got, ["2026-06-20T18:00:00Z", "2026-07-18T18:00:00Z", "2026-08-22T18:00:00Z"]);
    }

    #[test]
    fn display_round_trips_meaning() {
        assert_eq!(rule("patch tuesday + 3 days at 02:00").to_string(), "Patch Tuesday + 3 days at 02:00");
        assert_eq!(rule("last sunday - 7 days at 03:00").to_string(), "the last Sunday of the month - 7 days at 03:00");
    }
}
