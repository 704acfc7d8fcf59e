//! Conversions between Python values and core values.

use jiff::Timestamp;
use pyo3::prelude::*;
use ssmpatch::plan::CompileOptions;

use crate::errors;

/// serde → Python objects via JSON (dicts, lists, str, int, bool, None).
pub(crate) fn to_python<'py>(py: Python<'py>, v: &impl serde::Serialize) -> PyResult<Bound<'py, PyAny>> {
    let text = serde_json::to_string(v).map_err(|e| errors::invalid(py, e.to_string(), None))?;
    py.import("json")?.call_method1("loads", (text,))
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

/// Compile from `from_`, else now.
pub(crate) fn options(py: Python<'_>, from_: Option<Bound<'_, PyAny>>) -> PyResult<CompileOptions> {
    Ok(CompileOptions::from(instant(py, from_, "from_")?.unwrap_or_else(Timestamp::now)))
}
