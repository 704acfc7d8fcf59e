//! `ssmpatch.Plan`: load, validate, explain, calendar, render; and the live calls with the AWS
//! settings as keywords (thin wrappers over a one-off `Session`).

use pyo3::prelude::*;
use ssmpatch::plan::{Plan as CorePlan, PlanError, PlanErrors, Source};

use crate::convert::{options, to_json, to_python};
use crate::errors;
use crate::runtime::{awaitable, blocking};
use crate::session::{AwsKeywords, Inner, Live, refresh_options};
use pyo3::types::PyTuple;

/// A validated plan: targets, baselines, per-operation approval and schedules.
#[pyclass(frozen, module = "ssmpatch")]
pub(crate) struct Plan {
    inner: CorePlan,
}

impl Plan {
    pub(crate) fn core(&self) -> &CorePlan {
        &self.inner
    }
}

#[pymethods]
impl Plan {
    /// Read and validate a plan file (TOML, or JSON with a `.json` name). Raises `PlanNotFound`
    /// when it cannot be read, `PlanError` when it is invalid, larger than
    /// `ssmpatch::input::PLAN_FILE_LIMIT` (read no further than that: `/dev/zero` or a FIFO never
    /// exhausts memory) or not UTF-8 text.
    #[staticmethod]
    fn load(py: Python<'_>, path: std::path::PathBuf) -> PyResult<Plan> {
        let name = path.display().to_string();
        let text =
            ssmpatch::input::read_file(&path, ssmpatch::input::PLAN_FILE_LIMIT, "plan").map_err(|e| match e {
                ssmpatch::input::ReadError::Io { source, .. } => errors::plan_not_found(py, &name, &source),
                other => errors::plan(
                    py,
                    &PlanErrors::from(PlanError {
                        file: Some(name.clone()),
                        ..PlanError::at("", other.reason()).with_hint(other.hint())
                    }),
                ),
            })?;
        CorePlan::from_source(Source::new(Some(&name), text))
            .map(|inner| Plan { inner })
            .map_err(|e| errors::plan(py, &e))
    }

    /// Validate a plan given as a dict (the file's structure). Raises `PlanError`.
    #[staticmethod]
    fn from_dict(py: Python<'_>, d: Bound<'_, PyAny>) -> PyResult<Plan> {
        let text = to_json(py, d)?;
        CorePlan::from_source(Source::new(None, text)).map(|inner| Plan { inner }).map_err(|e| errors::plan(py, &e))
    }

    /// The plan's name.
    #[getter]
    fn name(&self) -> &str {
        &self.inner.name
    }

    /// Operation names.
    #[getter]
    fn operations(&self) -> Vec<String> {
        self.inner.operations.iter().map(|o| o.name.clone()).collect()
    }

    /// Full check, including that a backend can run the plan, compiled from `after` (a
    /// timezone-aware datetime; default now); returns the warnings. `from_` is the deprecated
    /// old name of `after`.
    #[pyo3(signature = (after = None, *, from_ = None))]
    fn validate<'py>(
        &self,
        py: Python<'py>,
        after: Option<Bound<'py, PyAny>>,
        from_: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Vec<String>> {
        let opts = options(py, after, from_)?;
        let inner = &self.inner;
        // The same check as `ssmpatch validate`: the plan's strategy is loaded and its `plan()` called.
        let ex = py.detach(|| ssmpatch::session::explain(inner, &opts)).map_err(|e| errors::core(py, e))?;
        Ok(ex.explanation.warnings)
    }

    /// Backend choice (and why others were rejected), compiled schedules per backend, baseline
    /// placement and what the strategy adds — the structure of `ssmpatch explain --json`, with
    /// datetimes for its instants. Compiled from `after` (default now).
    #[pyo3(signature = (after = None, *, from_ = None))]
    fn explain<'py>(
        &self,
        py: Python<'py>,
        after: Option<Bound<'py, PyAny>>,
        from_: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let opts = options(py, after, from_)?;
        let inner = &self.inner;
        let explained = py.detach(|| ssmpatch::session::explain(inner, &opts)).map_err(|e| errors::core(py, e))?;
        to_python(py, &explained)
    }

    /// The next runs of every operation strictly after `after` (default now), sorted by time —
    /// the structure of `ssmpatch calendar --json`, with datetimes. `count` is per operation: up
    /// to `count` runs of each (an operation others are scheduled relative to also gets the runs
    /// those depend on).
    #[pyo3(signature = (count = 6, after = None, *, from_ = None))]
    fn calendar<'py>(
        &self,
        py: Python<'py>,
        count: usize,
        after: Option<Bound<'py, PyAny>>,
        from_: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let opts = options(py, after, from_)?;
        let inner = &self.inner;
        let cal = py.detach(|| inner.calendar(count, &opts)).map_err(|e| errors::plan(py, &PlanErrors(vec![e])))?;
        to_python(py, &cal)
    }

    /// The BaselineOverride JSON document of an operation (exact bytes, as text). Raises
    /// `InvalidArgument` for an operation the plan does not have.
    fn render_override(&self, py: Python<'_>, operation: &str) -> PyResult<String> {
        let doc = self.inner.render_override(operation).map_err(|e| errors::core(py, e))?;
        String::from_utf8(doc.bytes).map_err(|e| errors::invalid(py, e.to_string(), None))
    }

    /// Read the live state and return the diff `apply` would perform (the structure of
    /// `ssmpatch plan --json`). Blocks without holding the GIL; Ctrl-C interrupts it.
    /// `Session(plan, ...).plan()`. Timeouts are seconds (see `Session`).
    #[pyo3(signature = (region = None, profile = None, endpoint_url = None, *, connect_timeout = None,
                        attempt_timeout = None, operation_timeout = None))]
    #[allow(clippy::too_many_arguments)]
    fn plan<'py>(
        &self,
        py: Python<'py>,
        region: Option<String>,
        profile: Option<String>,
        endpoint_url: Option<String>,
        connect_timeout: Option<f64>,
        attempt_timeout: Option<f64>,
        operation_timeout: Option<f64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let aws = AwsKeywords { region, profile, endpoint_url, connect_timeout, attempt_timeout, operation_timeout };
        blocking(py, self.session(py, aws, 8, false)?.live(Live::Plan))
    }

    /// Apply the plan; returns `{"diff": ..., "report": ...}`. Raises `AwsError` (with `.report`)
    /// when an apply stops part way; a second call converges. Nothing is changed while a window or
    /// association it would delete is running, unless `force`.
    #[pyo3(signature = (region = None, profile = None, endpoint_url = None, concurrency = 8, force = false, *,
                        connect_timeout = None, attempt_timeout = None, operation_timeout = None))]
    #[allow(clippy::too_many_arguments)]
    fn apply<'py>(
        &self,
        py: Python<'py>,
        region: Option<String>,
        profile: Option<String>,
        endpoint_url: Option<String>,
        concurrency: usize,
        force: bool,
        connect_timeout: Option<f64>,
        attempt_timeout: Option<f64>,
        operation_timeout: Option<f64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let aws = AwsKeywords { region, profile, endpoint_url, connect_timeout, attempt_timeout, operation_timeout };
        blocking(py, self.session(py, aws, concurrency, force)?.live(Live::Apply))
    }

    /// Remove everything ssmpatch created for the plan (and nothing else).
    #[pyo3(signature = (region = None, profile = None, endpoint_url = None, concurrency = 8, force = false, *,
                        connect_timeout = None, attempt_timeout = None, operation_timeout = None))]
    #[allow(clippy::too_many_arguments)]
    fn destroy<'py>(
        &self,
        py: Python<'py>,
        region: Option<String>,
        profile: Option<String>,
        endpoint_url: Option<String>,
        concurrency: usize,
        force: bool,
        connect_timeout: Option<f64>,
        attempt_timeout: Option<f64>,
        operation_timeout: Option<f64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let aws = AwsKeywords { region, profile, endpoint_url, connect_timeout, attempt_timeout, operation_timeout };
        blocking(py, self.session(py, aws, concurrency, force)?.live(Live::Destroy))
    }

    /// `plan()` as an awaitable.
    #[pyo3(signature = (region = None, profile = None, endpoint_url = None, *, connect_timeout = None,
                        attempt_timeout = None, operation_timeout = None))]
    #[allow(clippy::too_many_arguments)]
    fn plan_async<'py>(
        &self,
        py: Python<'py>,
        region: Option<String>,
        profile: Option<String>,
        endpoint_url: Option<String>,
        connect_timeout: Option<f64>,
        attempt_timeout: Option<f64>,
        operation_timeout: Option<f64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let aws = AwsKeywords { region, profile, endpoint_url, connect_timeout, attempt_timeout, operation_timeout };
        awaitable(py, self.session(py, aws, 8, false)?.live(Live::Plan))
    }

    /// `apply()` as an awaitable.
    #[pyo3(signature = (region = None, profile = None, endpoint_url = None, concurrency = 8, force = false, *,
                        connect_timeout = None, attempt_timeout = None, operation_timeout = None))]
    #[allow(clippy::too_many_arguments)]
    fn apply_async<'py>(
        &self,
        py: Python<'py>,
        region: Option<String>,
        profile: Option<String>,
        endpoint_url: Option<String>,
        concurrency: usize,
        force: bool,
        connect_timeout: Option<f64>,
        attempt_timeout: Option<f64>,
        operation_timeout: Option<f64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let aws = AwsKeywords { region, profile, endpoint_url, connect_timeout, attempt_timeout, operation_timeout };
        awaitable(py, self.session(py, aws, concurrency, force)?.live(Live::Apply))
    }

    /// `destroy()` as an awaitable.
    #[pyo3(signature = (region = None, profile = None, endpoint_url = None, concurrency = 8, force = false, *,
                        connect_timeout = None, attempt_timeout = None, operation_timeout = None))]
    #[allow(clippy::too_many_arguments)]
    fn destroy_async<'py>(
        &self,
        py: Python<'py>,
        region: Option<String>,
        profile: Option<String>,
        endpoint_url: Option<String>,
        concurrency: usize,
        force: bool,
        connect_timeout: Option<f64>,
        attempt_timeout: Option<f64>,
        operation_timeout: Option<f64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let aws = AwsKeywords { region, profile, endpoint_url, connect_timeout, attempt_timeout, operation_timeout };
        awaitable(py, self.session(py, aws, concurrency, force)?.live(Live::Destroy))
    }

    /// Refresh compliance after the plan's runs through its strategy (or `strategy`, a built-in
    /// name or a `.wasm` path); the structure of `ssmpatch refresh --json`. `command_id` reads one
    /// command (e.g. `AWS-RunPatchBaseline` started by hand) instead of the plan's runs.
    /// `progress`, a callable, receives the lines `ssmpatch refresh` prints on stderr.
    #[pyo3(signature = (operation = None, since = None, strategy = None, region = None, profile = None,
                        endpoint_url = None, command_id = None, progress = None, *, connect_timeout = None,
                        attempt_timeout = None, operation_timeout = None))]
    #[allow(clippy::too_many_arguments)]
    fn refresh<'py>(
        &self,
        py: Python<'py>,
        operation: Option<String>,
        since: Option<Bound<'py, PyAny>>,
        strategy: Option<String>,
        region: Option<String>,
        profile: Option<String>,
        endpoint_url: Option<String>,
        command_id: Option<String>,
        progress: Option<Py<PyAny>>,
        connect_timeout: Option<f64>,
        attempt_timeout: Option<f64>,
        operation_timeout: Option<f64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let opts = refresh_options(py, operation, since, strategy, command_id, 8)?;
        let aws = AwsKeywords { region, profile, endpoint_url, connect_timeout, attempt_timeout, operation_timeout };
        blocking(py, self.session(py, aws, 8, false)?.refresh(opts, progress))
    }

    /// `refresh` as an awaitable.
    #[pyo3(signature = (operation = None, since = None, strategy = None, region = None, profile = None,
                        endpoint_url = None, command_id = None, progress = None, *, connect_timeout = None,
                        attempt_timeout = None, operation_timeout = None))]
    #[allow(clippy::too_many_arguments)]
    fn refresh_async<'py>(
        &self,
        py: Python<'py>,
        operation: Option<String>,
        since: Option<Bound<'py, PyAny>>,
        strategy: Option<String>,
        region: Option<String>,
        profile: Option<String>,
        endpoint_url: Option<String>,
        command_id: Option<String>,
        progress: Option<Py<PyAny>>,
        connect_timeout: Option<f64>,
        attempt_timeout: Option<f64>,
        operation_timeout: Option<f64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let opts = refresh_options(py, operation, since, strategy, command_id, 8)?;
        let aws = AwsKeywords { region, profile, endpoint_url, connect_timeout, attempt_timeout, operation_timeout };
        awaitable(py, self.session(py, aws, 8, false)?.refresh(opts, progress))
    }

    fn __repr__(&self) -> String {
        format!("Plan(name={:?}, operations={:?})", self.inner.name, self.operations())
    }

    /// Pickling: the plan's source (file name and text), validated again when unpickled. The file
    /// name is made absolute, so a custom strategy path relative to the plan file resolves the same
    /// in a process with another current directory.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let Some(source) = &self.inner.source else {
            return Err(errors::invalid(py, "this plan has no source to pickle", None));
        };
        let file = source.file.as_deref().map(|f| match std::path::absolute(f) {
            Ok(p) => p.to_string_lossy().into_owned(),
            Err(_) => f.to_string(),
        });
        let rebuild = py.get_type::<Plan>().getattr("_from_source")?;
        Ok((
            rebuild,
            PyTuple::new(py, [file.into_pyobject(py)?.into_any(), source.text.clone().into_pyobject(py)?.into_any()])?,
        ))
    }

    /// Unpickling: a plan from its source (`file` names it in errors and picks TOML or JSON).
    #[staticmethod]
    fn _from_source(py: Python<'_>, file: Option<String>, text: String) -> PyResult<Plan> {
        CorePlan::from_source(Source::new(file.as_deref(), text))
            .map(|inner| Plan { inner })
            .map_err(|e| errors::plan(py, &e))
    }
}

impl Plan {
    /// A one-off session over this plan with the call's AWS keywords (checked).
    fn session(
        &self,
        py: Python<'_>,
        aws: AwsKeywords,
        concurrency: usize,
        force: bool,
    ) -> PyResult<std::sync::Arc<Inner>> {
        Ok(Inner::new(self.inner.clone(), aws.options(py)?, concurrency, force))
    }
}
