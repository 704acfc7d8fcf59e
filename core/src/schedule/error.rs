//! Errors for schedule expressions: what is wrong, where, and what to do about it.

use std::fmt;

/// The fields of a cron expression, in AWS order (the seconds field is optional and first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum FieldName {
    /// Optional first field of a 7-field expression (0-59).
    Seconds,
    /// Minutes (0-59).
    Minutes,
    /// Hours (0-23).
    Hours,
    /// Day of month (1-31, `L`, `L-n`, `LW`, `nW`, `?`).
    DayOfMonth,
    /// Month (1-12 or JAN-DEC).
    Month,
    /// Day of week (1-7 or SUN-SAT, `L`, `nL`, `n#k`, `?`).
    DayOfWeek,
    /// Year (1970-2199).
    Year,
}

impl FieldName {
    /// The name used in messages, e.g. `day-of-month`.
    pub fn as_str(self) -> &'static str {
        match self {
            FieldName::Seconds => "seconds",
            FieldName::Minutes => "minutes",
            FieldName::Hours => "hours",
            FieldName::DayOfMonth => "day-of-month",
            FieldName::Month => "month",
            FieldName::DayOfWeek => "day-of-week",
            FieldName::Year => "year",
        }
    }
}

impl fmt::Display for FieldName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A schedule expression, time zone or option that ssmpatch cannot accept.
///
/// `column` is 1-based and counts characters of the expression as given (before trimming).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.render())]
pub struct ScheduleError {
    /// What is wrong, as a lowercase phrase.
    pub message: String,
    /// The cron field the problem is in, if any.
    pub field: Option<FieldName>,
    /// 1-based character column in the expression, if the problem has a position.
    pub column: Option<usize>,
    /// What to do instead.
    pub hint: Option<String>,
}

impl ScheduleError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        ScheduleError { message: message.into(), field: None, column: None, hint: None }
    }

    pub(crate) fn at(mut self, column: usize) -> Self {
        self.column = Some(column);
        self
    }

    pub(crate) fn in_field(mut self, field: FieldName) -> Self {
        self.field = Some(field);
        self
    }

    pub(crate) fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// The first line: the message with its location, without the hint (made safe to print:
    /// [`crate::input::clip_message`]).
    pub fn headline(&self) -> String {
        let mut s = crate::input::clip_message(&self.message);
        match (self.field, self.column) {
            (Some(f), Some(c)) => s.push_str(&format!(" (in the {f} field, column {c})")),
            (Some(f), None) => s.push_str(&format!(" (in the {f} field)")),
            (None, Some(c)) => s.push_str(&format!(" (at column {c})")),
            (None, None) => {}
        }
        s
    }

    fn render(&self) -> String {
        match &self.hint {
            Some(h) => format!("{}\nhint: {}", self.headline(), crate::input::clip_message(h)),
            None => self.headline(),
        }
    }
}
