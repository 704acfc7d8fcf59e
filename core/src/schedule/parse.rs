//! Parsing `cron(...)`, `rate(...)` and `at(...)` into a syntax tree that keeps what the user
//! wrote (for dialect checks and descriptions). Compilation to bitsets is in `cron.rs`.

use jiff::civil;

use super::error::{FieldName, ScheduleError};
use crate::input::echo;

/// A parsed schedule expression.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(clippy::large_enum_variant, reason = "built once per schedule; boxing would only add an indirection")]
#[non_exhaustive]
pub enum Expression {
    /// `cron(...)`, 6 fields or 7 with leading seconds.
    Cron(CronExpr),
    /// `rate(N unit)`.
    Rate(Rate),
    /// `at(YYYY-MM-DDTHH:MM:SS)`: a single run.
    At(civil::DateTime),
}

/// The unit of a `rate()` expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RateUnit {
    /// `minute` / `minutes`.
    Minutes,
    /// `hour` / `hours`.
    Hours,
    /// `day` / `days`.
    Days,
}

impl RateUnit {
    /// Length of one unit in seconds.
    pub fn seconds(self) -> i64 {
        match self {
            RateUnit::Minutes => 60,
            RateUnit::Hours => 3600,
            RateUnit::Days => 86_400,
        }
    }

    fn word(self, plural: bool) -> &'static str {
        match (self, plural) {
            (RateUnit::Minutes, false) => "minute",
            (RateUnit::Minutes, true) => "minutes",
            (RateUnit::Hours, false) => "hour",
            (RateUnit::Hours, true) => "hours",
            (RateUnit::Days, false) => "day",
            (RateUnit::Days, true) => "days",
        }
    }
}

/// `rate(value unit)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rate {
    /// A positive number.
    pub value: u32,
    /// minutes, hours or days.
    pub unit: RateUnit,
}

impl Rate {
    /// The interval in seconds.
    pub fn interval_seconds(&self) -> i64 {
        i64::from(self.value) * self.unit.seconds()
    }

    /// `"30 minutes"`, `"1 day"`.
    pub fn phrase(&self) -> String {
        format!("{} {}", self.value, self.unit.word(self.value != 1))
    }
}

/// One element of a comma-separated list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Item {
    /// `*`
    All,
    /// `5`, `MON`
    Value(u16),
    /// `a-b`; `a > b` wraps around the end of the field (`22-2`, `FRI-MON`).
    Range(u16, u16),
    /// `*/n`, `a/n`, `a-b/n`.
    Step {
        /// What the step walks over.
        base: StepBase,
        /// The increment, at least 1.
        step: u16,
    },
}

/// The left side of a `/` step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum StepBase {
    /// `*/n`: from the field's minimum.
    All,
    /// `a/n`: from `a` to the field's maximum.
    From(u16),
    /// `a-b/n`: within the (possibly wrapping) range.
    Range(u16, u16),
}

/// A cron field as written.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FieldSpec {
    /// `?` (day fields only).
    NoSpecific,
    /// A list of one or more items (`*` is `List([All])`).
    List(Vec<Item>),
    /// Day-of-month `L` (offset 0) or `L-n`.
    LastDayOfMonth {
        /// Days before the last day (0-30).
        offset: u8,
    },
    /// Day-of-month `LW`: the last weekday (Mon-Fri) of the month.
    LastWeekdayOfMonth,
    /// Day-of-month `nW`: the weekday nearest day n, within the month.
    NearestWeekday(u8),
    /// Day-of-week `L` alone: Saturday (day 7) of every week.
    SaturdayL,
    /// Day-of-week `nL`: the last weekday n (1=SUN..7=SAT) of the month.
    LastDayOfWeek(u8),
    /// Day-of-week `d#n`: the n-th weekday d of the month (n 1-5).
    NthDayOfWeek {
        /// 1=SUN..7=SAT.
        weekday: u8,
        /// 1-5.
        nth: u8,
    },
}

impl FieldSpec {
    /// True for `*`.
    pub fn is_all(&self) -> bool {
        matches!(self, FieldSpec::List(items) if items.as_slice() == [Item::All])
    }

    /// True for `?`.
    pub fn is_no_specific(&self) -> bool {
        matches!(self, FieldSpec::NoSpecific)
    }

    /// The single plain value of a field like `5` or `MON`.
    pub fn single_value(&self) -> Option<u16> {
        match self {
            FieldSpec::List(items) => match items.as_slice() {
                [Item::Value(v)] => Some(*v),
                _ => None,
            },
            _ => None,
        }
    }
}

/// A field with its text and position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// Which field.
    pub name: FieldName,
    /// The text as written.
    pub text: String,
    /// 1-based column of the field's first character in the whole expression.
    pub column: usize,
    /// The parsed field.
    pub spec: FieldSpec,
}

/// A parsed `cron(...)` expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CronExpr {
    /// Present only in the 7-field form.
    pub seconds: Option<Field>,
    /// Minutes.
    pub minutes: Field,
    /// Hours.
    pub hours: Field,
    /// Day of month.
    pub day_of_month: Field,
    /// Month.
    pub month: Field,
    /// Day of week.
    pub day_of_week: Field,
    /// Year.
    pub year: Field,
}

impl CronExpr {
    /// All fields in order (seconds first when present).
    pub fn fields(&self) -> impl Iterator<Item = &Field> {
        self.seconds.iter().chain([
            &self.minutes,
            &self.hours,
            &self.day_of_month,
            &self.month,
            &self.day_of_week,
            &self.year,
        ])
    }
}

/// Inclusive bounds of a field's values.
pub(crate) fn bounds(name: FieldName) -> (u16, u16) {
    match name {
        FieldName::Seconds | FieldName::Minutes => (0, 59),
        FieldName::Hours => (0, 23),
        FieldName::DayOfMonth => (1, 31),
        FieldName::Month => (1, 12),
        FieldName::DayOfWeek => (1, 7),
        FieldName::Year => (1970, 2199),
    }
}

/// The largest step (`/N`) a field takes. AWS's cron is Quartz's, and Quartz refuses an increment
/// above 59 for seconds and minutes, 23 for hours, 31 for day of month, 12 for month and 7 for day
/// of week (`CronExpression.checkIncrementRange`); a step of the field's whole range (`0/60`,
/// `0/24`) is refused there although it would mean "once". The year's is its range. One place to
/// change should AWS document otherwise.
pub(crate) fn max_step(name: FieldName) -> u16 {
    let (lo, hi) = bounds(name);
    match name {
        FieldName::Year => hi - lo + 1,
        _ => hi,
    }
}

/// The longest `rate()` interval ssmpatch accepts, in days (also as `87600 hours` or
/// `5256000 minutes`). UNCONFIRMED: AWS documents no upper bound for maintenance windows — the
/// rate page says only "Value: A positive number" (EventBridge, eb-rate-expressions.html) and the
/// Systems Manager cron and rate reference lists examples up to `rate(25 days)`; associations and
/// patch policies take less than 31 days (a dialect rule). Ten years is far beyond any patching
/// interval and keeps every run time, and sums of them, inside the calendar; a longer value is a
/// parse error naming it. One place to change should AWS document a bound.
pub const MAX_RATE_DAYS: u32 = 3650;

/// The longest schedule expression, in characters (after trimming white space, as sent):
/// CreateMaintenanceWindow `Schedule` and CreateAssociation `ScheduleExpression` are strings of
/// 1-256 characters (Systems Manager API reference).
pub const MAX_EXPRESSION_CHARS: usize = 256;

const MONTHS: [&str; 12] = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const WEEKDAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/// Parse an expression. Leading and trailing white space is ignored.
pub(super) fn parse(input: &str) -> Result<Expression, ScheduleError> {
    let lead = input.len() - input.trim_start().len();
    let s = input.trim();
    let chars = s.chars().count();
    if chars > MAX_EXPRESSION_CHARS {
        return Err(ScheduleError::new(format!(
            "the expression is {chars} characters long; AWS takes at most {MAX_EXPRESSION_CHARS}"
        ))
        .at(col(input, lead))
        .with_hint("a maintenance window's Schedule and an association's ScheduleExpression are 1-256 characters"));
    }
    let open = s.find('(');
    let keyword = open.map(|i| &s[..i]).unwrap_or(s);
    let Some(open) = open else {
        return Err(ScheduleError::new(format!("expected `cron(...)`, `rate(...)` or `at(...)`, found `{}`", echo(s)))
            .at(col(input, lead))
            .with_hint("wrap the fields in parentheses, e.g. `cron(0 2 ? * SUN *)`"));
    };
    if !s.ends_with(')') {
        return Err(ScheduleError::new("missing closing parenthesis")
            .at(col(input, lead + s.len()))
            .with_hint(format!("end the expression with `)`, e.g. `{}(...)`", echo(keyword))));
    }
    let inner_off = lead + open + 1;
    let inner = &s[open + 1..s.len() - 1];
    if let Some(p) = inner.find(['(', ')']) {
        return Err(ScheduleError::new("unexpected parenthesis inside the expression").at(col(input, inner_off + p)));
    }
    match keyword {
        "cron" => parse_cron(input, inner, inner_off).map(Expression::Cron),
        "rate" => parse_rate(input, inner, inner_off).map(Expression::Rate),
        "at" => parse_at(input, inner, inner_off).map(Expression::At),
        other => {
            let lower = other.to_ascii_lowercase();
            let hint = if matches!(lower.as_str(), "cron" | "rate" | "at") {
                format!("AWS writes the keyword in lower case: `{lower}(...)`")
            } else {
                "use `cron(...)`, `rate(...)` or `at(...)`".to_string()
            };
            Err(ScheduleError::new(format!("unknown schedule kind `{}`", echo(other)))
                .at(col(input, lead))
                .with_hint(hint))
        }
    }
}

/// 1-based character column of a byte offset.
fn col(input: &str, byte: usize) -> usize {
    let byte = byte.min(input.len());
    input.get(..byte).map_or(byte, |p| p.chars().count()) + 1
}

fn parse_rate(input: &str, inner: &str, off: usize) -> Result<Rate, ScheduleError> {
    let hint = "write `rate(N unit)` with unit minute(s), hour(s) or day(s), e.g. `rate(30 minutes)`";
    let parts: Vec<(usize, &str)> = split_ws(inner);
    if parts.len() != 2 {
        return Err(ScheduleError::new(format!(
            "a rate expression has two parts (value and unit), found {}",
            parts.len()
        ))
        .at(col(input, off))
        .with_hint(hint));
    }
    let (vpos, vtext) = parts[0];
    let (upos, utext) = parts[1];
    if vtext.is_empty() || !vtext.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ScheduleError::new(format!("rate value `{}` is not a positive whole number", echo(vtext)))
            .at(col(input, off + vpos))
            .with_hint(hint));
    }
    let value: u32 = vtext.parse().map_err(|_| {
        ScheduleError::new(format!("rate value `{}` is too large", echo(vtext))).at(col(input, off + vpos))
    })?;
    if value == 0 {
        return Err(ScheduleError::new("rate value must be positive").at(col(input, off + vpos)).with_hint(hint));
    }
    let (unit, plural) = match utext {
        "minute" => (RateUnit::Minutes, false),
        "minutes" => (RateUnit::Minutes, true),
        "hour" => (RateUnit::Hours, false),
        "hours" => (RateUnit::Hours, true),
        "day" => (RateUnit::Days, false),
        "days" => (RateUnit::Days, true),
        other => {
            return Err(ScheduleError::new(format!("unknown rate unit `{}`", echo(other)))
                .at(col(input, off + upos))
                .with_hint("Systems Manager rates use minute(s), hour(s) or day(s)"));
        }
    };
    if plural != (value != 1) {
        return Err(ScheduleError::new(format!(
            "`{value} {utext}`: the unit must be singular when the value is 1 and plural otherwise"
        ))
        .at(col(input, off + upos))
        .with_hint(format!("write `rate({value} {})`", unit.word(value != 1))));
    }
    let unit_word = unit.word(true);
    let max = i64::from(MAX_RATE_DAYS) * RateUnit::Days.seconds() / unit.seconds();
    if i64::from(value) > max {
        return Err(ScheduleError::new(format!(
            "rate({value} {unit_word}) is longer than {MAX_RATE_DAYS} days, the longest interval ssmpatch accepts"
        ))
        .at(col(input, off + vpos))
        .with_hint(format!(
            "write at most `rate({max} {unit_word})`; for runs further apart use a cron expression with a year, \
             or at(...) (AWS documents no upper bound for rate(), so ssmpatch keeps to {MAX_RATE_DAYS} days)"
        )));
    }
    Ok(Rate { value, unit })
}

fn parse_at(input: &str, inner: &str, off: usize) -> Result<civil::DateTime, ScheduleError> {
    let t = inner.trim();
    let pos = off + (inner.len() - inner.trim_start().len());
    let b = t.as_bytes();
    let shape_ok = b.len() == 19
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            13 | 16 => *c == b':',
            _ => c.is_ascii_digit(),
        });
    if !shape_ok {
        return Err(ScheduleError::new(format!("`{}` is not a timestamp of the form YYYY-MM-DDTHH:MM:SS", echo(t)))
            .at(col(input, pos))
            .with_hint("write e.g. `at(2026-07-07T15:55:00)` (no time zone suffix; the time is UTC)"));
    }
    t.parse::<civil::DateTime>()
        .map_err(|e| ScheduleError::new(format!("`{}` is not a valid date and time: {e}", echo(t))).at(col(input, pos)))
}

/// Split on runs of ASCII white space, keeping byte offsets.
fn split_ws(s: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in s.char_indices() {
        if c.is_whitespace() {
            if let Some(st) = start.take() {
                out.push((st, &s[st..i]));
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(st) = start {
        out.push((st, &s[st..]));
    }
    out
}

fn parse_cron(input: &str, inner: &str, off: usize) -> Result<CronExpr, ScheduleError> {
    let parts = split_ws(inner);
    let names: &[FieldName] = match parts.len() {
        6 => &[
            FieldName::Minutes,
            FieldName::Hours,
            FieldName::DayOfMonth,
            FieldName::Month,
            FieldName::DayOfWeek,
            FieldName::Year,
        ],
        7 => &[
            FieldName::Seconds,
            FieldName::Minutes,
            FieldName::Hours,
            FieldName::DayOfMonth,
            FieldName::Month,
            FieldName::DayOfWeek,
            FieldName::Year,
        ],
        n => {
            return Err(ScheduleError::new(format!(
                "a cron expression has 6 fields (or 7 with seconds first), found {n}"
            ))
            .at(col(input, off))
            .with_hint(
                "the fields are: minutes hours day-of-month month day-of-week year, e.g. `cron(0 2 ? * SUN *)`",
            ));
        }
    };
    let mut fields = Vec::with_capacity(7);
    for (&(pos, text), &name) in parts.iter().zip(names) {
        let column = col(input, off + pos);
        let spec = parse_field(name, text, column)?;
        fields.push(Field { name, text: text.to_string(), column, spec });
    }
    let mut it = fields.into_iter();
    let seconds = if parts.len() == 7 { it.next() } else { None };
    let mut next = || it.next().ok_or_else(|| ScheduleError::new("internal: missing cron field"));
    let expr = CronExpr {
        seconds,
        minutes: next()?,
        hours: next()?,
        day_of_month: next()?,
        month: next()?,
        day_of_week: next()?,
        year: next()?,
    };
    let dom = &expr.day_of_month;
    let dow = &expr.day_of_week;
    match (dom.spec.is_no_specific(), dow.spec.is_no_specific()) {
        (true, true) => {
            return Err(ScheduleError::new("day-of-month and day-of-week are both `?`")
                .at(dom.column)
                .with_hint("put `*` (or a value) in one of them, e.g. `cron(0 2 * * ? *)`"));
        }
        (false, false) => {
            return Err(ScheduleError::new("day-of-month and day-of-week are both set")
                .at(dow.column)
                .with_hint("put `?` in one of them, e.g. `cron(0 2 ? * SUN *)` or `cron(0 2 1 * ? *)`"));
        }
        _ => {}
    }
    Ok(expr)
}

fn field_err(name: FieldName, column: usize, msg: impl Into<String>) -> ScheduleError {
    ScheduleError::new(msg).in_field(name).at(column)
}

fn range_hint(name: FieldName) -> String {
    let (lo, hi) = bounds(name);
    match name {
        FieldName::Month => format!("months are {lo}-{hi} or JAN-DEC"),
        FieldName::DayOfWeek => format!("days of the week are {lo}-{hi} (1 = SUN) or SUN-SAT"),
        _ => format!("{name} values are {lo}-{hi}"),
    }
}

fn parse_field(name: FieldName, text: &str, column: usize) -> Result<FieldSpec, ScheduleError> {
    let upper = text.to_ascii_uppercase();
    let t = upper.as_str();
    let is_day = matches!(name, FieldName::DayOfMonth | FieldName::DayOfWeek);
    if t == "?" {
        if is_day {
            return Ok(FieldSpec::NoSpecific);
        }
        return Err(field_err(name, column, "`?` is only allowed in day-of-month or day-of-week")
            .with_hint("use `*` for every value"));
    }
    // No month or weekday name contains `L` or `#`; only `WED` contains `W`, and `W` is a
    // day-of-month special only.
    let has_special = match name {
        FieldName::DayOfMonth => t.contains(['L', 'W', '#']),
        FieldName::DayOfWeek => t.contains(['L', '#']),
        _ => false,
    };
    if has_special && t.contains(',') {
        let what = if t.contains('#') { "`#`" } else { "`L` and `W`" };
        return Err(field_err(name, column, format!("{what} cannot be used inside a list"))
            .with_hint("write one expression with `L`, `W` or `#` in the field, without commas"));
    }
    match name {
        FieldName::DayOfMonth => {
            if let Some(spec) = parse_dom_special(t, column)? {
                return Ok(spec);
            }
        }
        FieldName::DayOfWeek => {
            if let Some(spec) = parse_dow_special(t, column)? {
                return Ok(spec);
            }
        }
        _ => {}
    }
    let mut items = Vec::new();
    let mut pos = 0usize;
    for part in t.split(',') {
        let c = column + t[..pos].chars().count();
        pos += part.len() + 1;
        if part.is_empty() {
            return Err(field_err(name, c, "empty element in a list").with_hint("remove the extra comma"));
        }
        items.push(parse_item(name, part, c)?);
    }
    if items.len() > 1 && items.contains(&Item::All) {
        return Err(field_err(name, column, "`*` cannot be combined with other values in a list")
            .with_hint("use `*` alone for every value"));
    }
    Ok(FieldSpec::List(items))
}

fn parse_dom_special(t: &str, column: usize) -> Result<Option<FieldSpec>, ScheduleError> {
    let name = FieldName::DayOfMonth;
    if t == "L" {
        return Ok(Some(FieldSpec::LastDayOfMonth { offset: 0 }));
    }
    if t == "LW" {
        return Ok(Some(FieldSpec::LastWeekdayOfMonth));
    }
    if let Some(rest) = t.strip_prefix("L-") {
        if rest.ends_with('W') {
            return Err(field_err(name, column, "`L-n` cannot be combined with `W`")
                .with_hint("use `LW` for the last weekday of the month, or `L-n` alone"));
        }
        let n = number(rest).ok_or_else(|| {
            field_err(name, column, format!("`{}`: expected a number of days after `L-`", echo(t)))
                .with_hint("write e.g. `L-2` for two days before the last day of the month")
        })?;
        if n > 30 {
            return Err(field_err(name, column, format!("`{}`: `L-n` takes n from 0 to 30", echo(t)))
                .with_hint("a month has at most 31 days"));
        }
        return Ok(Some(FieldSpec::LastDayOfMonth { offset: n as u8 }));
    }
    if let Some(rest) = t.strip_suffix('W') {
        if rest.is_empty() {
            return Err(field_err(name, column, "`W` needs a day before it")
                .with_hint("write e.g. `15W` (the weekday nearest the 15th) or `LW`"));
        }
        let n = number(rest).ok_or_else(|| {
            field_err(name, column, format!("`{}`: expected a day number before `W`", echo(t)))
                .with_hint("write e.g. `15W`; ranges and lists cannot take `W`")
        })?;
        if !(1..=31).contains(&n) {
            return Err(field_err(name, column, format!("`{}`: day {n} is out of range", echo(t)))
                .with_hint("`nW` takes a day from 1 to 31"));
        }
        return Ok(Some(FieldSpec::NearestWeekday(n as u8)));
    }
    if t.contains('L') {
        return Err(field_err(name, column, format!("`{}`: `L` in day-of-month must be `L`, `L-n` or `LW`", echo(t)))
            .with_hint("`nL` (last weekday n of the month) belongs in the day-of-week field"));
    }
    if t.contains('#') {
        return Err(field_err(name, column, "`#` is only allowed in day-of-week")
            .with_hint("write e.g. `cron(0 2 ? * TUE#2 *)`"));
    }
    Ok(None)
}

fn parse_dow_special(t: &str, column: usize) -> Result<Option<FieldSpec>, ScheduleError> {
    let name = FieldName::DayOfWeek;
    if t == "L" {
        return Ok(Some(FieldSpec::SaturdayL));
    }
    if let Some((d, n)) = t.split_once('#') {
        let weekday = weekday_value(d).ok_or_else(|| {
            field_err(name, column, format!("`{}`: `{}` is not a day of the week", echo(t), echo(d)))
                .with_hint("write e.g. `TUE#2` or `3#2` (1 = SUN)")
        })?;
        let nth = number(n).filter(|n| (1..=5).contains(n)).ok_or_else(|| {
            field_err(name, column, format!("`{}`: the number after `#` must be 1 to 5", echo(t)))
                .with_hint("a month has at most five of any weekday")
        })?;
        return Ok(Some(FieldSpec::NthDayOfWeek { weekday: weekday as u8, nth: nth as u8 }));
    }
    if let Some(d) = t.strip_suffix('L') {
        if d.contains('-') || d.contains('/') {
            return Err(field_err(name, column, format!("`{}` has no meaning in day-of-week", echo(t)))
                .with_hint("use `nL` (e.g. `6L`, the last Friday of the month) or `L` (Saturday)"));
        }
        let weekday = weekday_value(d).ok_or_else(|| {
            field_err(name, column, format!("`{}`: `{}` is not a day of the week", echo(t), echo(d)))
                .with_hint("write e.g. `1L` or `SUNL` for the last Sunday of the month")
        })?;
        return Ok(Some(FieldSpec::LastDayOfWeek(weekday as u8)));
    }
    if t.contains('L') {
        return Err(field_err(name, column, format!("`{}` has no meaning in day-of-week", echo(t)))
            .with_hint("use `nL` (e.g. `6L`, the last Friday of the month) or `L` (Saturday)"));
    }
    if t.contains('W') && !WEEKDAYS.iter().any(|w| t.contains(w)) {
        return Err(field_err(name, column, "`W` is only allowed in day-of-month")
            .with_hint("write e.g. `cron(0 2 15W * ? *)`"));
    }
    Ok(None)
}

fn weekday_value(s: &str) -> Option<u16> {
    if let Some(n) = number(s) {
        return (1..=7).contains(&n).then_some(n);
    }
    WEEKDAYS.iter().position(|w| *w == s).map(|i| i as u16 + 1)
}

fn number(s: &str) -> Option<u16> {
    if s.is_empty() || s.len() > 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn parse_value(name: FieldName, s: &str, column: usize) -> Result<u16, ScheduleError> {
    let (lo, hi) = bounds(name);
    if let Some(n) = number(s) {
        if n < lo || n > hi {
            return Err(
                field_err(name, column, format!("{name} value {n} is out of range")).with_hint(range_hint(name))
            );
        }
        return Ok(n);
    }
    let by_name = match name {
        FieldName::Month => MONTHS.iter().position(|m| *m == s).map(|i| i as u16 + 1),
        FieldName::DayOfWeek => WEEKDAYS.iter().position(|w| *w == s).map(|i| i as u16 + 1),
        _ => None,
    };
    by_name.ok_or_else(|| {
        let msg = if s.chars().all(|c| c.is_ascii_digit()) {
            format!("{name} value `{}` is out of range", echo(s))
        } else {
            format!("`{}` is not a valid {name} value", echo(s))
        };
        field_err(name, column, msg).with_hint(range_hint(name))
    })
}

fn parse_item(name: FieldName, s: &str, column: usize) -> Result<Item, ScheduleError> {
    if let Some((base, step)) = s.split_once('/') {
        let step_col = column + base.chars().count() + 1;
        let step = number(step).filter(|n| *n >= 1).ok_or_else(|| {
            field_err(name, step_col, format!("`{}`: the step after `/` must be a positive number", echo(s)))
                .with_hint("write e.g. `0/15` (every 15 starting at 0)")
        })?;
        let max = max_step(name);
        if step > max {
            return Err(field_err(name, step_col, format!("step {step} is larger than the {name} field allows"))
                .with_hint(format!("the largest step of the {name} field is {max}")));
        }
        let base = if base == "*" {
            StepBase::All
        } else if let Some((a, b)) = split_range(base) {
            let a = parse_value(name, a, column)?;
            let b = parse_value(name, b, column + base.find('-').unwrap_or(0) + 1)?;
            check_range(name, a, b, column)?;
            StepBase::Range(a, b)
        } else {
            StepBase::From(parse_value(name, base, column)?)
        };
        return Ok(Item::Step { base, step });
    }
    if s == "*" {
        return Ok(Item::All);
    }
    if let Some((a, b)) = split_range(s) {
        let a = parse_value(name, a, column)?;
        let b = parse_value(name, b, column + s.find('-').unwrap_or(0) + 1)?;
        check_range(name, a, b, column)?;
        return Ok(Item::Range(a, b));
    }
    if s.contains('-') {
        return Err(field_err(name, column, format!("`{}` is not a range", echo(s)))
            .with_hint("a range has one `-`, e.g. `1-5`"));
    }
    Ok(Item::Value(parse_value(name, s, column)?))
}

fn split_range(s: &str) -> Option<(&str, &str)> {
    let (a, b) = s.split_once('-')?;
    (!a.is_empty() && !b.is_empty() && !b.contains('-')).then_some((a, b))
}

fn check_range(name: FieldName, a: u16, b: u16, column: usize) -> Result<(), ScheduleError> {
    if name == FieldName::Year && a > b {
        return Err(
            field_err(name, column, format!("year range {a}-{b} runs backwards")).with_hint(format!("write `{b}-{a}`"))
        );
    }
    Ok(())
}
