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

/// Which AWS call failed, as `AwsError`'s attributes (each `None` when not known).
#[derive(Debug, Default, Clone)]
pub(crate) struct AwsIds {
    pub(crate) service: Option<String>,
    pub(crate) operation: Option<String>,
    pub(crate) code: Option<String>,
    pub(crate) request_id: Option<String>,
}

impl From<&ssmpatch::backends::AwsFailure> for AwsIds {
    fn from(f: &ssmpatch::backends::AwsFailure) -> Self {
        AwsIds {
            service: Some(f.service.to_string()),
            operation: Some(f.operation.to_string()),
            code: f.code.clone(),
            request_id: f.request_id.clone(),
        }
    }
}

/// `AwsError` (or `class`, a subclass) with `message` (and the hint on a line of its own), and
/// every attribute set: `service`, `operation`, `code`, `request_id`, `hint`, `report`.
fn aws_error(
    py: Python<'_>,
    class: &str,
    message: String,
    hint: Option<String>,
    ids: AwsIds,
    report: Option<Bound<'_, PyAny>>,
) -> PyErr {
    let err = new_err(py, class, with_hint(message, hint.clone()));
    set(py, err, |v| {
        v.setattr("service", ids.service)?;
        v.setattr("operation", ids.operation)?;
        v.setattr("code", ids.code)?;
        v.setattr("request_id", ids.request_id)?;
        v.setattr("hint", hint)?;
        v.setattr("report", report)
    })
}

/// `AwsError` for an apply that stopped part way: `report` is `{"diff", "report"}` of what it
/// did; `ids` the AWS call that stopped it, when it was one.
pub(crate) fn aws_stopped(
    py: Python<'_>,
    message: String,
    hint: Option<String>,
    ids: AwsIds,
    report: Bound<'_, PyAny>,
) -> PyErr {
    aws_error(py, "AwsError", message, hint, ids, Some(report))
}

/// Any core error, as the class of its kind.
pub(crate) fn core(py: Python<'_>, e: Error) -> PyErr {
    let hint = e.hint();
    let class = match &e {
        Error::Plan(errors) => return plan(py, errors),
        Error::Input { .. } => return invalid(py, e.to_string(), hint),
        Error::Strategy(_) => "StrategyError",
        Error::Locked { plan, parameter, holder, acquired, expires, race } => {
            let age = jiff::Timestamp::now().duration_since(*acquired).as_secs_f64().max(0.0);
            let ids = AwsIds { service: Some("ssm".into()), ..AwsIds::default() };
            let err = aws_error(py, "LockedError", e.to_string(), hint, ids, None);
            return set(py, err, |v| {
                v.setattr("plan", plan.clone())?;
                v.setattr("parameter", parameter.clone())?;
                v.setattr("holder", holder.clone())?;
                v.setattr("acquired", acquired.to_zoned(jiff::tz::TimeZone::UTC))?;
                v.setattr("expires", expires.to_zoned(jiff::tz::TimeZone::UTC))?;
                v.setattr("age", age)?;
                v.setattr("race", *race)
            });
        }
        Error::Aws { service, operation, code, request_id, .. } => {
            let ids = AwsIds {
                service: Some(service.to_string()),
                operation: Some(operation.to_string()),
                code: code.clone(),
                request_id: request_id.clone(),
            };
            return aws_error(py, "AwsError", e.to_string(), hint, ids, None);
        }
        Error::Foreign(_) | Error::Stale(_) | Error::Unexpected(_) | Error::LeaseLost { .. } => {
            return aws_error(py, "AwsError", e.to_string(), hint, AwsIds::default(), None);
        }
        _ => "SsmpatchError",
    };
    let err = new_err(py, class, with_hint(e.to_string(), hint.clone()));
    set(py, err, |v| v.setattr("hint", hint))
}
