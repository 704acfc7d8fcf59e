//! `ssmpatch.Schedule` and `CheckResult`: AWS schedule expressions, offline.

use jiff::{Timestamp, Zoned};
use pyo3::prelude::*;
use ssmpatch::schedule::{Backend, Schedule as CoreSchedule, Timing, Verdict};

use crate::convert::instant;
use crate::errors;

fn timing(py: Python<'_>, tz: &str, offset_days: Option<u32>) -> PyResult<Timing> {
    let t = Timing::in_zone(tz).map_err(|e| errors::schedule(py, &e))?;
    Ok(t.with_offset(offset_days))
}

fn backend(py: Python<'_>, name: &str) -> PyResult<Backend> {
    name.parse::<Backend>().map_err(|e| errors::invalid(py, e, None))
}

/// An AWS schedule expression — `cron(...)`, `rate(...)` or `at(...)` — parsed and compiled.
///
/// >>> s = Schedule.parse("cron(0 2 ? * 1L *)")
#[pyclass(frozen, module = "ssmpatch", eq)]
#[derive(PartialEq)]
pub(crate) struct Schedule {
    inner: CoreSchedule,
}

#[pymethods]
impl Schedule {
    #[new]
    fn new(py: Python<'_>, expression: &str) -> PyResult<Self> {
        CoreSchedule::parse(expression).map(|inner| Schedule { inner }).map_err(|e| errors::schedule(py, &e))
    }

    /// Parse an expression; raises `ScheduleError` naming the field and column.
    #[staticmethod]
    fn parse(py: Python<'_>, expression: &str) -> PyResult<Self> {
        Schedule::new(py, expression)
    }

    /// The expression as given (trimmed).
    #[getter]
    fn expression(&self) -> &str {
        self.inner.as_str()
    }

    /// English description in UTC, e.g. "02:00 on the last Sunday of every month, UTC".
    #[getter]
    fn description(&self) -> String {
        self.inner.describe(&Timing::utc())
    }

    /// English description in a time zone (and with a ScheduleOffset).
    #[pyo3(signature = (tz = "UTC", offset_days = None))]
    fn describe(&self, py: Python<'_>, tz: &str, offset_days: Option<u32>) -> PyResult<String> {
        Ok(self.inner.describe(&timing(py, tz, offset_days)?))
    }

    /// The next `count` run times strictly after `after` (default: now), as timezone-aware
    /// datetimes in `tz`. `after` must be timezone-aware.
    #[pyo3(signature = (count = 5, after = None, tz = "UTC", offset_days = None))]
    fn next(
        &self,
        py: Python<'_>,
        count: usize,
        after: Option<Bound<'_, PyAny>>,
        tz: &str,
        offset_days: Option<u32>,
    ) -> PyResult<Vec<Zoned>> {
        let timing = timing(py, tz, offset_days)?;
        let after = instant(py, after, "after")?.unwrap_or_else(Timestamp::now);
        let inner = &self.inner;
        let runs = py.detach(|| inner.next_n(&timing, after, count));
        runs.map_err(|e| errors::schedule(py, &e))
    }

    /// Whether `backend` (`maintenance-window`, `association`, `patch-policy`) accepts this
    /// schedule with this time zone and offset.
    #[pyo3(signature = (backend, tz = "UTC", offset_days = None))]
    fn check(&self, py: Python<'_>, backend: &str, tz: &str, offset_days: Option<u32>) -> PyResult<CheckResult> {
        let b = self::backend(py, backend)?;
        let verdict = self.inner.check(b, &timing(py, tz, offset_days)?);
        Ok(match verdict {
            Verdict::Accepted => {
                CheckResult { backend: b.as_str(), ok: true, reason: None, hint: None, rule: None, documented: None }
            }
            Verdict::Rejected(v) => CheckResult {
                backend: b.as_str(),
                ok: false,
                reason: Some(v.reason),
                hint: Some(v.hint),
                rule: Some(v.rule),
                documented: Some(matches!(v.status, ssmpatch::schedule::RuleStatus::Documented)),
            },
        })
    }

    fn __str__(&self) -> &str {
        self.inner.as_str()
    }

    fn __repr__(&self) -> String {
        format!("Schedule({:?})", self.inner.as_str())
    }

    /// Pickling: the expression, parsed again when unpickled.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, (String,))> {
        Ok((py.get_type::<Schedule>().into_any(), (self.inner.as_str().to_string(),)))
    }
}

/// Whether a backend accepts a schedule; when not, why and what to do instead.
#[pyclass(frozen, module = "ssmpatch", get_all)]
pub(crate) struct CheckResult {
    /// The backend checked.
    backend: &'static str,
    /// True when accepted.
    ok: bool,
    /// Why it is rejected.
    reason: Option<String>,
    /// What to do instead.
    hint: Option<String>,
    /// The rule id that rejected it, e.g. `month.any`.
    rule: Option<&'static str>,
    /// Whether AWS documents the rule (False: UNCONFIRMED, enforced conservatively).
    documented: Option<bool>,
}

#[pymethods]
impl CheckResult {
    fn __bool__(&self) -> bool {
        self.ok
    }

    fn __repr__(&self) -> String {
        match &self.reason {
            None => format!("CheckResult(backend={:?}, ok=True)", self.backend),
            Some(r) => format!("CheckResult(backend={:?}, ok=False, reason={r:?})", self.backend),
        }
    }
}
