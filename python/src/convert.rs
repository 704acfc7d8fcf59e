//! Conversions between Python values and core values.
//!
//! Results. Every result is built from the core's serde form: objects become `dict`s (in the
//! core's field order), arrays `list`s, and every string that is an instant — an RFC 3339 date
//! and time with an offset, e.g. `2026-12-20T03:00:00+09:00` or `...Z` — becomes a
//! timezone-aware `datetime.datetime` at that offset (`Z`: `datetime.timezone.utc`). No other
//! string is changed (an empty `InstalledTime`, a date alone, `at(2026-06-01T03:00:00)` without
//! an offset stay strings).

use jiff::Timestamp;
use jiff::fmt::temporal::Pieces;
use jiff::tz::{Offset, TimeZone};
use pyo3::IntoPyObjectExt;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use serde_json::Value;
use ssmpatch::plan::CompileOptions;

use crate::errors;

/// serde → Python objects (dicts, lists, str, int, float, bool, None, and datetimes for instants).
pub(crate) fn to_python<'py>(py: Python<'py>, v: &impl serde::Serialize) -> PyResult<Bound<'py, PyAny>> {
    let value = serde_json::to_value(v).map_err(|e| errors::invalid(py, e.to_string(), None))?;
    value_to_python(py, &value)
}

/// A JSON value as Python objects (see the module's comment for instants).
pub(crate) fn value_to_python<'py>(py: Python<'py>, v: &Value) -> PyResult<Bound<'py, PyAny>> {
    match v {
        Value::Null => Ok(py.None().into_bound(py)),
        Value::Bool(b) => b.into_bound_py_any(py),
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => i.into_bound_py_any(py),
            (None, Some(u)) => u.into_bound_py_any(py),
            _ => n.as_f64().unwrap_or(f64::NAN).into_bound_py_any(py),
        },
        // An instant Python's `datetime` cannot hold stays the string it was.
        Value::String(s) => match instant_of(s) {
            Some(zoned) => zoned.into_bound_py_any(py).or_else(|_| s.into_bound_py_any(py)),
            None => s.into_bound_py_any(py),
        },
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(value_to_python(py, item)?)?;
            }
            Ok(list.into_any())
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (k, item) in map {
                dict.set_item(k, value_to_python(py, item)?)?;
            }
            Ok(dict.into_any())
        }
    }
}

/// `s` as an instant at its own offset, when it is an RFC 3339 date-time with an offset and
/// nothing else (no time zone annotation: the core writes none).
pub(crate) fn instant_of(s: &str) -> Option<jiff::Zoned> {
    // Cheap shape check first: `YYYY-MM-DDTHH:MM` at least, and a digit to start.
    let b = s.as_bytes();
    if b.len() < 17 || b.len() > 40 || !b[0].is_ascii_digit() || b[4] != b'-' || !matches!(b[10], b'T' | b't') {
        return None;
    }
    let pieces = Pieces::parse(s).ok()?;
    if pieces.time().is_none() || pieces.time_zone_annotation().is_some() {
        return None;
    }
    let offset: Offset = pieces.to_numeric_offset()?;
    let ts: Timestamp = s.parse().ok()?;
    let tz = if offset == Offset::UTC { TimeZone::UTC } else { TimeZone::fixed(offset) };
    let zoned = ts.to_zoned(tz);
    // Python's datetime holds years 1 to 9999 (jiff's start at -9999).
    (1..=9999).contains(&zoned.year()).then_some(zoned)
}

/// A Python object as JSON text (`json.dumps`).
pub(crate) fn to_json(py: Python<'_>, v: Bound<'_, PyAny>) -> PyResult<String> {
    py.import("json")?.call_method1("dumps", (v,))?.extract()
}

/// A timezone-aware datetime argument named `name`.
pub(crate) fn instant(py: Python<'_>, v: Option<Bound<'_, PyAny>>, name: &str) -> PyResult<Option<Timestamp>> {
    match v {
        None => Ok(None),
        Some(v) => v.extract::<Timestamp>().map(Some).map_err(|e| {
            errors::invalid(
                py,
                format!("`{name}` must be a timezone-aware datetime ({e})"),
                Some("pass e.g. datetime(2026, 6, 1, tzinfo=timezone.utc)".into()),
            )
        }),
    }
}

/// The start-time argument `after` (or its deprecated spelling `from_`, with a
/// `DeprecationWarning`); both at once is an `InvalidArgument`.
pub(crate) fn start<'py>(
    py: Python<'py>,
    after: Option<Bound<'py, PyAny>>,
    from_: Option<Bound<'py, PyAny>>,
) -> PyResult<Option<Timestamp>> {
    match (after, from_) {
        (Some(_), Some(_)) => Err(errors::invalid(
            py,
            "give `after` only: `from_` is its deprecated old name",
            Some("drop `from_=`".into()),
        )),
        (None, Some(old)) => {
            let warnings = py.import("warnings")?;
            let category = py.import("builtins")?.getattr("DeprecationWarning")?;
            warnings.call_method1("warn", ("`from_=` is deprecated: use `after=`", category, 2))?;
            instant(py, Some(old), "from_")
        }
        (after, None) => instant(py, after, "after"),
    }
}

/// Compile from `after` (or the deprecated `from_`), else now.
pub(crate) fn options<'py>(
    py: Python<'py>,
    after: Option<Bound<'py, PyAny>>,
    from_: Option<Bound<'py, PyAny>>,
) -> PyResult<CompileOptions> {
    Ok(CompileOptions::from(start(py, after, from_)?.unwrap_or_else(Timestamp::now)))
}
