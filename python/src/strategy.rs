//! `ssmpatch.Strategy`: a compliance strategy component, run in the sandbox.

use pyo3::prelude::*;

use crate::convert::{to_json, to_python};
use crate::errors;

fn strategy_error(py: Python<'_>, e: ssmpatch::strategy::StrategyError) -> PyErr {
    errors::core(py, ssmpatch::error::Error::Strategy(e))
}

/// A compliance strategy component (built in, or a `.wasm` file), run in the sandbox.
#[pyclass(module = "ssmpatch")]
pub(crate) struct Strategy {
    loaded: ssmpatch::strategy::LoadedStrategy,
}

#[pymethods]
impl Strategy {
    /// Load a built-in strategy by name (`put-compliance-items`, `rescan`) or a `.wasm` path, with
    /// the limits of each call (a plan's `[compliance.limits]`; unset ones keep the defaults).
    #[staticmethod]
    #[pyo3(signature = (name_or_path, *, fuel=None, timeout_seconds=None, memory_mib=None))]
    fn load(
        py: Python<'_>,
        name_or_path: &str,
        fuel: Option<u64>,
        timeout_seconds: Option<u64>,
        memory_mib: Option<u64>,
    ) -> PyResult<Strategy> {
        if let Some(b) = ssmpatch::strategy::Limits::out_of_range(fuel, timeout_seconds, memory_mib).first() {
            return Err(errors::invalid(
                py,
                format!(
                    "{}={} is out of range ({} to {})",
                    b.key.replace('-', "_"),
                    b.value,
                    b.range.start(),
                    b.range.end()
                ),
                None,
            ));
        }
        let limits = ssmpatch::strategy::Limits::default().with(fuel, timeout_seconds, memory_mib);
        let host = ssmpatch::strategy::Host::new(limits).map_err(|e| strategy_error(py, e))?;
        let loaded = ssmpatch::strategy::load(&host, name_or_path).map_err(|e| strategy_error(py, e))?;
        Ok(Strategy { loaded })
    }

    /// Run the strategy on `run` — `{"plan": ..., "runs": [...]}` as in examples/strategy-run.json —
    /// and return `{"strategy", "added_operations", "actions", "host"}` like `ssmpatch strategy test --json`:
    /// what the strategy answered and what the host would do with it, node by node.
    fn test<'py>(&self, py: Python<'py>, run: Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        #[derive(serde::Deserialize)]
        struct Input {
            plan: ssmpatch::strategy::PlanInfo,
            runs: Vec<ssmpatch::strategy::RunResult>,
        }
        let text = to_json(py, run)?;
        let input: Input = serde_json::from_str(&text).map_err(|e| {
            errors::invalid(py, format!("run: {e}"), Some("see examples/strategy-run.json for the shape".into()))
        })?;
        let s = &self.loaded;
        let done = py
            .detach(|| ssmpatch::compliance::dry_run(s, &input.plan, &input.runs))
            .map_err(|e| strategy_error(py, e))?;
        to_python(py, &done)
    }

    fn __repr__(&self) -> String {
        format!("Strategy({:?})", self.loaded.name())
    }
}
