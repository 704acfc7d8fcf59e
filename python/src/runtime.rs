//! The one tokio runtime, and running core futures from Python: blocking (the GIL released) or
//! as an awaitable.

use std::future::Future;

use pyo3::prelude::*;
use ssmpatch::error::Error;

use crate::convert::to_python;
use crate::errors;

/// How a live call failed, before it is turned into a Python exception (under the GIL).
#[derive(Debug)]
pub(crate) enum Failure {
    /// A core error.
    Core(Error),
    /// An apply that stopped part way, with `{"diff", "report"}` of what it did.
    Stopped(String, serde_json::Value),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Core(e)
    }
}

impl Failure {
    fn into_py(self, py: Python<'_>) -> PyErr {
        match self {
            Failure::Core(e) => errors::core(py, e),
            Failure::Stopped(message, report) => match to_python(py, &report) {
                Ok(r) => errors::aws_with_report(py, message, Some(r)),
                Err(e) => e,
            },
        }
    }
}

/// Run `fut` to completion without holding the GIL.
pub(crate) fn blocking<'py, F>(py: Python<'py>, fut: F) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = Result<serde_json::Value, Failure>> + Send,
{
    let rt = pyo3_async_runtimes::tokio::get_runtime();
    match py.detach(|| rt.block_on(fut)) {
        Ok(v) => to_python(py, &v),
        Err(f) => Err(f.into_py(py)),
    }
}

/// `fut` as a Python awaitable (call it inside a running event loop).
pub(crate) fn awaitable<'py, F>(py: Python<'py>, fut: F) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = Result<serde_json::Value, Failure>> + Send + 'static,
{
    pyo3_async_runtimes::tokio::future_into_py(py, async move {
        let result = fut.await;
        Python::attach(|py| match result {
            Ok(v) => to_python(py, &v).map(Bound::unbind),
            Err(f) => Err(f.into_py(py)),
        })
    })
}
