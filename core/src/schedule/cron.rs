//! A cron expression compiled to bitsets, and the search for the next matching local
//! (civil) date and time. Time zones are applied by the caller (`iter.rs`).
//!
//! The search walks months, then days within a month, then the time of day, with bit tricks
//! at every level; years are bounded by 2199, so a search visits at most 230 × 12 months and
//! always ends, even for expressions that never match (`cron(0 0 30 2 ? *)`).

use jiff::civil;
use jiff::tz::Offset;

use super::error::FieldName;
use super::parse::{CronExpr, Field, FieldSpec, Item, StepBase, bounds};

/// The first year a cron expression can name.
pub(crate) const MIN_YEAR: i16 = 1970;
/// The last year a cron expression can name.
pub(crate) const MAX_YEAR: i16 = 2199;

/// How days are selected in a month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Days {
    /// Bits 1..=31 of day-of-month values.
    OfMonth(u32),
    /// `L-n`.
    LastDay(u8),
    /// `LW`.
    LastWeekday,
    /// `nW`.
    Nearest(u8),
    /// Bits 1..=7 (1 = Sunday) of weekdays.
    OfWeek(u8),
    /// `nL`: last weekday n (1 = Sunday).
    LastOfWeek(u8),
    /// `d#n`.
    Nth(u8, u8),
}

/// A matching local time found by [`CompiledCron::search`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Civil {
    pub(crate) year: i16,
    pub(crate) month: i8,
    pub(crate) day: i8,
    pub(crate) hour: i8,
    pub(crate) minute: i8,
    pub(crate) second: i8,
    /// Seconds from 1970-01-01T00:00:00 to this local time, counted as if it were UTC: the
    /// instant itself in UTC, and that minus the offset in a fixed-offset zone.
    pub(crate) local_seconds: i64,
}

impl Civil {
    pub(crate) fn to_datetime(self) -> Option<civil::DateTime> {
        civil::DateTime::new(self.year, self.month, self.day, self.hour, self.minute, self.second, 0).ok()
    }

    /// Where a search for the next match strictly after this one starts.
    pub(crate) fn search_after(self) -> (i16, i8, u32, Option<(u32, u32, u32)>) {
        let time = (self.hour as u32, self.minute as u32, self.second as u32 + 1);
        (self.year, self.month, self.day as u32, Some(time))
    }
}

/// The days of one month an expression selects (see [`CompiledCron::search`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct MonthDays {
    year: i16,
    month: i8,
    /// Bits 1..=31.
    days: u32,
    first_local_second: i64,
}

/// A compiled cron expression (not for years: see `expand_years`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CompiledCron {
    seconds: u64,
    minutes: u64,
    hours: u32,
    months: u16,
    days: Days,
    years: [u64; 4],
}

fn expand(field: &Field) -> u64 {
    let (lo, hi) = bounds(field.name);
    let mut bits = 0u64;
    let bit = |v: u16| -> u64 { 1u64 << v };
    let FieldSpec::List(items) = &field.spec else {
        return 0;
    };
    let walk =
        |a: u16, b: u16| -> Vec<u16> { if a <= b { (a..=b).collect() } else { (a..=hi).chain(lo..=b).collect() } };
    for item in items {
        match *item {
            Item::All => (lo..=hi).for_each(|v| bits |= bit(v)),
            Item::Value(v) => bits |= bit(v),
            Item::Range(a, b) => walk(a, b).into_iter().for_each(|v| bits |= bit(v)),
            Item::Step { base, step } => {
                let seq = match base {
                    StepBase::All => walk(lo, hi),
                    StepBase::From(a) => walk(a, hi),
                    StepBase::Range(a, b) => walk(a, b),
                };
                seq.into_iter().step_by(usize::from(step)).for_each(|v| bits |= bit(v));
            }
        }
    }
    bits
}

/// Year fields span 230 values: expand into a 256-bit set.
fn expand_years(field: &Field) -> [u64; 4] {
    let (lo, hi) = bounds(FieldName::Year);
    let mut set = [0u64; 4];
    let FieldSpec::List(items) = &field.spec else {
        return set;
    };
    let mut put = |v: u16| {
        let i = usize::from(v - lo);
        set[i / 64] |= 1 << (i % 64);
    };
    for item in items {
        match *item {
            Item::All => (lo..=hi).for_each(&mut put),
            Item::Value(v) => put(v),
            Item::Range(a, b) => (a..=b).for_each(&mut put),
            Item::Step { base, step } => {
                let (a, b) = match base {
                    StepBase::All => (lo, hi),
                    StepBase::From(a) => (a, hi),
                    StepBase::Range(a, b) => (a, b),
                };
                (a..=b).step_by(usize::from(step)).for_each(&mut put);
            }
        }
    }
    set
}

impl CompiledCron {
    pub(crate) fn compile(expr: &CronExpr) -> CompiledCron {
        let seconds = expr.seconds.as_ref().map_or(1, expand);
        let days = match &expr.day_of_month.spec {
            FieldSpec::NoSpecific => match &expr.day_of_week.spec {
                FieldSpec::SaturdayL => Days::OfWeek(1 << 7),
                FieldSpec::LastDayOfWeek(d) => Days::LastOfWeek(*d),
                FieldSpec::NthDayOfWeek { weekday, nth } => Days::Nth(*weekday, *nth),
                _ => Days::OfWeek(expand(&expr.day_of_week) as u8),
            },
            FieldSpec::LastDayOfMonth { offset } => Days::LastDay(*offset),
            FieldSpec::LastWeekdayOfMonth => Days::LastWeekday,
            FieldSpec::NearestWeekday(n) => Days::Nearest(*n),
            _ => Days::OfMonth(expand(&expr.day_of_month) as u32),
        };
        CompiledCron {
            seconds,
            minutes: expand(&expr.minutes),
            hours: expand(&expr.hours) as u32,
            months: expand(&expr.month) as u16,
            days,
            years: expand_years(&expr.year),
        }
    }

    fn has_year(&self, y: i16) -> bool {
        if !(MIN_YEAR..=MAX_YEAR).contains(&y) {
            return false;
        }
        let i = (y - MIN_YEAR) as usize;
        self.years[i / 64] & (1 << (i % 64)) != 0
    }

    /// The first year in the set that is `>= y`.
    fn next_year(&self, y: i16) -> Option<i16> {
        let mut i = (y.max(MIN_YEAR) - MIN_YEAR) as usize;
        while i < 256 {
            let word = self.years[i / 64] >> (i % 64);
            if word != 0 {
                let found = i + word.trailing_zeros() as usize;
                let year = MIN_YEAR + found as i16;
                return (year <= MAX_YEAR).then_some(year);
            }
            i = (i / 64 + 1) * 64;
        }
        None
    }

    /// The days of `year-month` this expression selects, as bits 1..=31, and the local seconds
    /// of that month's first midnight; `None` for a month that does not exist.
    fn month_days(&self, year: i16, month: i8) -> Option<MonthDays> {
        let first = civil::Date::new(year, month, 1).ok()?;
        let midnight = Offset::UTC.to_timestamp(first.to_datetime(civil::Time::midnight())).ok()?;
        Some(MonthDays { year, month, days: self.day_mask(first), first_local_second: midnight.as_second() })
    }

    /// The days of the month that starts on `first` this expression selects, as bits 1..=31.
    fn day_mask(&self, first: civil::Date) -> u32 {
        let dim = first.days_in_month() as u32;
        let all = ((1u64 << (dim + 1)) - 2) as u32;
        // Weekday of day 1, as 0 = Sunday.
        let wd1 = first.weekday().to_sunday_zero_offset() as u32;
        let weekday_of = |d: u32| (wd1 + d - 1) % 7; // 0 = Sunday
        let is_weekend = |d: u32| matches!(weekday_of(d), 0 | 6);
        match self.days {
            Days::OfMonth(bits) => bits & all,
            Days::LastDay(n) => {
                let n = u32::from(n);
                if n < dim { 1 << (dim - n) } else { 0 }
            }
            Days::LastWeekday => {
                let mut d = dim;
                while is_weekend(d) {
                    d -= 1;
                }
                1 << d
            }
            Days::Nearest(n) => {
                let n = u32::from(n);
                if n > dim {
                    // `31W` in a 30-day month: that month has no run (schedule-semantics.md).
                    return 0;
                }
                let d = match weekday_of(n) {
                    6 if n == 1 => 3,       // Saturday the 1st: Monday the 3rd
                    6 => n - 1,             // Saturday: Friday before
                    0 if n == dim => n - 2, // Sunday the last: Friday before
                    0 => n + 1,             // Sunday: Monday after
                    _ => n,
                };
                1 << d
            }
            Days::OfWeek(wbits) => {
                let mut mask = 0u32;
                for d in 1..=dim {
                    if wbits & (1 << (weekday_of(d) + 1)) != 0 {
                        mask |= 1 << d;
                    }
                }
                mask
            }
            Days::LastOfWeek(w) => {
                let target = u32::from(w) - 1;
                let last = dim - (weekday_of(dim) + 7 - target) % 7;
                1 << last
            }
            Days::Nth(w, n) => {
                let target = u32::from(w) - 1;
                let first_match = 1 + (target + 7 - wd1) % 7;
                let d = first_match + 7 * (u32::from(n) - 1);
                if d <= dim { 1 << d } else { 0 }
            }
        }
    }

    fn first_time(&self) -> (u32, u32, u32) {
        (self.hours.trailing_zeros(), self.minutes.trailing_zeros(), self.seconds.trailing_zeros())
    }

    /// The first time of day `>= (h, m, s)`, if any.
    fn next_time(&self, h: u32, m: u32, s: u32) -> Option<(u32, u32, u32)> {
        if self.hours & (1 << h) != 0 {
            if self.minutes & (1 << m) != 0
                && let Some(s2) = next_bit64(self.seconds, s)
            {
                return Some((h, m, s2));
            }
            if let Some(m2) = next_bit64(self.minutes, m + 1) {
                return Some((h, m2, self.seconds.trailing_zeros()));
            }
        }
        let h2 = next_bit64(u64::from(self.hours), h + 1)?;
        Some((h2, self.minutes.trailing_zeros(), self.seconds.trailing_zeros()))
    }

    /// The first matching civil time at or after `from` (a [`Civil`]'s fields; `time` `None`
    /// means the start of `day`, and its seconds may be 60: "after that minute"), or `None` when
    /// the years run out. `month` caches the selected days of the month last searched, so a
    /// walk computes each month's days once.
    pub(crate) fn search(
        &self,
        month_cache: &mut Option<MonthDays>,
        from_year: i16,
        from_month: i8,
        from_day: u32,
        from_time: Option<(u32, u32, u32)>,
    ) -> Option<Civil> {
        let (mut year, mut month, mut day, mut time) = (from_year, from_month, from_day, from_time);
        loop {
            if !self.has_year(year) {
                year = self.next_year(year + 1)?;
                month = 1;
                day = 1;
                time = None;
            }
            if self.months & (1 << month) == 0 {
                match next_bit64(u64::from(self.months), month as u32 + 1) {
                    Some(m) => month = m as i8,
                    None => {
                        year = self.next_year(year + 1)?;
                        month = (self.months.trailing_zeros()) as i8;
                    }
                }
                day = 1;
                time = None;
                continue;
            }
            let days = match *month_cache {
                Some(m) if m.year == year && m.month == month => m,
                _ => {
                    let m = self.month_days(year, month)?;
                    *month_cache = Some(m);
                    m
                }
            };
            let mut mask = days.days & !((1u32 << day) - 1);
            while mask != 0 {
                let d = mask.trailing_zeros();
                let t = match time {
                    Some((h, m, s)) if d == day => self.next_time(h, m, s),
                    _ => Some(self.first_time()),
                };
                if let Some((h, m, s)) = t {
                    let local = days.first_local_second + i64::from(d - 1) * 86_400 + i64::from(h * 3600 + m * 60 + s);
                    return Some(Civil {
                        year,
                        month,
                        day: d as i8,
                        hour: h as i8,
                        minute: m as i8,
                        second: s as i8,
                        local_seconds: local,
                    });
                }
                mask &= mask - 1;
            }
            if month == 12 {
                year += 1;
                month = 1;
                if year > MAX_YEAR {
                    return None;
                }
            } else {
                month += 1;
            }
            day = 1;
            time = None;
        }
    }

    /// Sorted seconds-of-day at which the expression fires on a matching day.
    pub(crate) fn times_of_day(&self) -> impl Iterator<Item = u32> + '_ {
        bits64(u64::from(self.hours)).flat_map(move |h| {
            bits64(self.minutes).flat_map(move |m| bits64(self.seconds).map(move |s| h * 3600 + m * 60 + s))
        })
    }

    /// True when the expression can match on two consecutive calendar days.
    pub(crate) fn may_run_on_consecutive_days(&self) -> bool {
        match self.days {
            Days::OfMonth(bits) => bits & (bits >> 1) != 0 || bits & 2 != 0,
            Days::OfWeek(w) => w & (w >> 1) != 0 || (w & 0b1000_0010) == 0b1000_0010,
            Days::LastDay(n) => n == 0 && self.months & (self.months >> 1) != 0,
            _ => false,
        }
    }
}

fn next_bit64(bits: u64, from: u32) -> Option<u32> {
    if from >= 64 {
        return None;
    }
    let rest = bits >> from;
    (rest != 0).then(|| from + rest.trailing_zeros())
}

fn bits64(mut bits: u64) -> impl Iterator<Item = u32> {
    std::iter::from_fn(move || {
        if bits == 0 {
            return None;
        }
        let b = bits.trailing_zeros();
        bits &= bits - 1;
        Some(b)
    })
}
