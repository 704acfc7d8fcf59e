//! `ssmpatch.parse_output`: what AWS-RunPatchBaseline printed, as data.

use pyo3::prelude::*;

use crate::convert::to_python;
use crate::errors;

/// Parse what AWS-RunPatchBaseline printed for one node: the same object as
/// `ssmpatch output parse --json` (`instance_id`, `operation`, `summary`, `non_compliant`,
/// `all_compliant`, `truncated`). `from_invocation=True` treats a 24,000-character text as cut.
#[pyfunction]
#[pyo3(signature = (text, from_invocation = false))]
pub(crate) fn parse_output<'py>(py: Python<'py>, text: &str, from_invocation: bool) -> PyResult<Bound<'py, PyAny>> {
    use ssmpatch::run_output::{OutputSource, parse};
    let source = if from_invocation { OutputSource::Invocation } else { OutputSource::Complete };
    match parse(text, source) {
        Ok(r) => to_python(py, &r),
        Err(e) => Err(errors::invalid(py, e.to_string(), Some(e.hint.clone()))),
    }
}
