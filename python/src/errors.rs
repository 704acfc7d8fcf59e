//! The one mapping from core errors to the exception tree defined in `ssmpatch/__init__.py`:
//! `SsmpatchError` ← `PlanNotFound` (also `FileNotFoundError`), `InvalidArgument` (also
//! `ValueError`), `PlanError`, `ScheduleError`, `StrategyError`, `AwsError` ← `LockedError`.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use ssmpatch::error::{Error, Hint};
use ssmpatch::plan::PlanErrors;
use ssmpatch::schedule::ScheduleError as CoreScheduleError;

/// An exception of the `ssmpatch` package's class `class`, made with `args`.
fn instance<'py>(py: Python<'py>, class: &str, args: impl pyo3::call::PyCallArgs<'py>) -> PyErr {
    match py.import("ssmpatch").and_then(|m| m.getattr(class)).and_then(|c| c.call1(args)) {
        Ok(v) => PyErr::from_value(v),
        Err(e) => e,
    }
}

/// An exception of the `ssmpatch` package's class `class` with `message`.
fn new_err(py: Python<'_>, class: &str, message: String) -> PyErr {
    instance(py, class, (message,))
}

/// `message`, with the hint on a line of its own.
fn with_hint(message: String, hint: Option<String>) -> String {
    match hint {
        Some(h) => format!("{message}\nhint: {h}"),
        None => message,
    }
}

/// Sets attributes on the exception; a failure to set one becomes the error raised.
fn set(py: Python<'_>, err: PyErr, attrs: impl FnOnce(&Bound<'_, PyAny>) -> PyResult<()>) -> PyErr {
    match attrs(err.value(py).as_any()) {
        Ok(()) => err,
        Err(e) => e,
    }
}

/// `InvalidArgument`: a caller's mistake (an unknown operation, a naive datetime…).
pub(crate) fn invalid(py: Python<'_>, message: impl Into<String>, hint: Option<String>) -> PyErr {
    let err = new_err(py, "InvalidArgument", with_hint(message.into(), hint.clone()));
    set(py, err, |v| v.setattr("hint", hint))
}

/// `PlanNotFound`: the plan file cannot be read.
pub(crate) fn plan_not_found(py: Python<'_>, path: &str, e: &std::io::Error) -> PyErr {
    // OSError's own arguments: (errno, strerror, filename).
    instance(py, "PlanNotFound", (e.raw_os_error(), format!("cannot read plan `{path}`: {e}"), path))
}

/// `PlanError`, with the first problem's parts as attributes and every problem in `errors`.
pub(crate) fn plan(py: Python<'_>, errors: &PlanErrors) -> PyErr {
    let err = new_err(py, "PlanError", errors.to_string());
    set(py, err, |value| {
        let list = PyList::empty(py);
        for e in &errors.0 {
            let d = PyDict::new(py);
            d.set_item("file", &e.file)?;
            d.set_item("line", e.line)?;
            d.set_item("column", e.column)?;
            d.set_item("path", &e.path)?;
            d.set_item("message", &e.message)?;
            d.set_item("hint", &e.hint)?;
            list.append(d)?;
        }
        value.setattr("errors", list)?;
        let first = errors.0.first();
        value.setattr("file", first.and_then(|e| e.file.clone()))?;
        value.setattr("line", first.and_then(|e| e.line))?;
        value.setattr("column", first.and_then(|e| e.column))?;
        value.setattr("path", first.map(|e| e.path.clone()))?;
        value.setattr("message", first.map(|e| e.message.clone()))?;
        value.setattr("hint", first.and_then(|e| e.hint.clone()))
    })
}

/// `ScheduleError`, with `message`, `field`, `column` and `hint`.
pub(crate) fn schedule(py: Python<'_>, e: &CoreScheduleError) -> PyErr {
    let err = new_err(py, "ScheduleError", e.to_string());
    set(py, err, |v| {
        v.setattr("message", e.message.clone())?;
        v.setattr("field", e.field.map(|f| f.as_str().to_string()))?;
        v.setattr("hint", e.hint.clone())?;
        v.setattr("column", e.column)
    })
}

/// `AwsError` carrying what an apply did before it stopped (`report`, or None).
pub(crate) fn aws_with_report(py: Python<'_>, message: String, report: Option<Bound<'_, PyAny>>) -> PyErr {
    let err = new_err(py, "AwsError", message);
    set(py, err, |v| v.setattr("report", report))
}

/// Any core error, as the class of its kind.
pub(crate) fn core(py: Python<'_>, e: Error) -> PyErr {
    let hint = e.hint();
    let class = match &e {
        Error::Plan(errors) => return plan(py, errors),
        Error::Input { .. } => return invalid(py, e.to_string(), hint),
        Error::Strategy(_) => "StrategyError",
        Error::Locked { plan, parameter, holder, acquired, expires, race } => {
            let err = new_err(py, "LockedError", with_hint(e.to_string(), hint.clone()));
            let age = jiff::Timestamp::now().duration_since(*acquired).as_secs_f64().max(0.0);
            return set(py, err, |v| {
                v.setattr("hint", hint.clone())?;
                v.setattr("plan", plan.clone())?;
                v.setattr("parameter", parameter.clone())?;
                v.setattr("holder", holder.clone())?;
                v.setattr("acquired", acquired.to_string())?;
                v.setattr("expires", expires.to_string())?;
                v.setattr("age", age)?;
                v.setattr("race", *race)
            });
        }
        Error::Aws { .. } | Error::Foreign(_) | Error::Stale(_) | Error::Unexpected(_) | Error::LeaseLost { .. } => {
            "AwsError"
        }
        _ => "SsmpatchError",
    };
    let err = new_err(py, class, with_hint(e.to_string(), hint.clone()));
    // `AwsError.report` is None unless an apply stopped part way (the class's default).
    set(py, err, |v| v.setattr("hint", hint))
}
