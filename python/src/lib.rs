//! `ssmpatch._native`: pyo3 wrappers over the `ssmpatch` core. Conversions only — every
//! behaviour lives in core; the public Python API (and the exception tree) is in
//! `ssmpatch/__init__.py`. One file per wrapped area; one error adapter (`errors`).

mod convert;
mod errors;
mod output;
mod plan;
mod runtime;
mod schedule;
mod session;
mod strategy;

use pyo3::prelude::*;
use pyo3::types::PyTuple;
use ssmpatch::schedule::Backend;

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_class::<schedule::Schedule>()?;
    m.add_class::<schedule::CheckResult>()?;
    m.add_class::<plan::Plan>()?;
    m.add_class::<session::Session>()?;
    m.add_function(wrap_pyfunction!(output::parse_output, m)?)?;
    m.add_class::<strategy::Strategy>()?;
    m.add("BACKENDS", PyTuple::new(py, Backend::ALL.iter().map(|b| b.as_str()))?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    // Before the interpreter finalises, no runtime thread may be inside Python (runtime.rs).
    py.import("atexit")?.call_method1("register", (wrap_pyfunction!(runtime::shutdown, m)?,))?;
    Ok(())
}
