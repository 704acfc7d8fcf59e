//! `ssmpatch._native`: pyo3 wrappers over the `ssmpatch` core. Conversions only — every
//! behaviour lives in core; the public Python API is re-exported by `ssmpatch/__init__.py`.

use jiff::{Timestamp, Zoned};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use ssmpatch::plan::compile::CompileOptions;
use ssmpatch::plan::{Plan as CorePlan, PlanError as CorePlanError, PlanErrors, Source};
use ssmpatch::schedule::{Backend, Schedule as CoreSchedule, ScheduleError as CoreScheduleError, Timing, Verdict};

pyo3::create_exception!(
    ssmpatch,
    ScheduleError,
    PyValueError,
    "A schedule expression, time zone or option ssmpatch cannot accept.\n\n\
     Attributes: `message` (what is wrong), `field` (the cron field, e.g. `day-of-week`, or None),\n\
     `column` (1-based column in the expression, or None), `hint` (what to do instead, or None)."
);

pyo3::create_exception!(
    ssmpatch,
    PlanError,
    PyValueError,
    "A plan ssmpatch cannot accept.\n\n\
     Attributes (of the first problem): `file`, `line`, `column` (1-based, or None), `path` (key\n\
     path such as `operations.scan.schedule`), `message`, `hint`; `errors` lists every problem as\n\
     a dict with those keys."
);

fn plan_error(py: Python<'_>, errors: &PlanErrors) -> PyErr {
    let err = PlanError::new_err(errors.to_string());
    let value = err.value(py);
    let set = || -> PyResult<()> {
        let list = pyo3::types::PyList::empty(py);
        for e in &errors.0 {
            let d = pyo3::types::PyDict::new(py);
            d.set_item("file", &e.file)?;
            d.set_item("line", e.line)?;
            d.set_item("column", e.column)?;
            d.set_item("path", &e.path)?;
            d.set_item("message", &e.message)?;
            d.set_item("hint", &e.hint)?;
            list.append(d)?;
        }
        value.setattr("errors", list)?;
        let first: Option<&CorePlanError> = errors.0.first();
        value.setattr("file", first.and_then(|e| e.file.clone()))?;
        value.setattr("line", first.and_then(|e| e.line))?;
        value.setattr("column", first.and_then(|e| e.column))?;
        value.setattr("path", first.map(|e| e.path.clone()))?;
        value.setattr("message", first.map(|e| e.message.clone()))?;
        value.setattr("hint", first.and_then(|e| e.hint.clone()))?;
        Ok(())
    };
    match set() {
        Ok(()) => err,
        Err(e) => e,
    }
}

fn one_plan_error(py: Python<'_>, e: CorePlanError) -> PyErr {
    plan_error(py, &PlanErrors(vec![e]))
}

pyo3::create_exception!(
    ssmpatch,
    AwsError,
    pyo3::exceptions::PyRuntimeError,
    "An AWS call failed (or an apply stopped part way). `report` holds what was done, when an apply ran;\n\
     running apply again converges from there."
);

/// How a live call reaches AWS.
#[derive(Clone)]
struct Live {
    plan: CorePlan,
    aws: ssmpatch::aws::AwsOptions,
    concurrency: usize,
}

enum LiveOp {
    Plan,
    Apply,
    Destroy,
}

fn live_error(e: ssmpatch::error::Error) -> LiveFailure {
    match e {
        ssmpatch::error::Error::Plan(errors) => LiveFailure::Plan(errors),
        other => {
            let hint = other.hint();
            LiveFailure::Aws(
                match hint {
                    Some(h) => format!("{other}\nhint: {h}"),
                    None => other.to_string(),
                },
                None,
            )
        }
    }
}

enum LiveFailure {
    Plan(PlanErrors),
    Aws(String, Option<serde_json::Value>),
}

impl LiveFailure {
    fn into_py(self, py: Python<'_>) -> PyErr {
        match self {
            LiveFailure::Plan(errors) => plan_error(py, &errors),
            LiveFailure::Aws(msg, report) => {
                let err = AwsError::new_err(msg);
                if let Some(r) = report {
                    match to_python(py, &r) {
                        Ok(v) => {
                            if let Err(e) = err.value(py).setattr("report", v) {
                                return e;
                            }
                        }
                        Err(e) => return e,
                    }
                }
                err
            }
        }
    }
}

fn no_progress(_: &str) {}

async fn run_refresh(
    live: Live,
    opts: ssmpatch::compliance::refresh::RefreshOptions,
    progress: Option<Py<PyAny>>,
) -> Result<serde_json::Value, LiveFailure> {
    use ssmpatch::scheduler::Session;
    // Each progress line goes to the Python callable; an exception it raises is reported as
    // unraisable (Python's rule for callbacks) and the refresh goes on.
    let report_line = |line: &str| {
        if let Some(callback) = &progress {
            Python::attach(|py| {
                if let Err(e) = callback.call1(py, (line,)) {
                    e.write_unraisable(py, None);
                }
            });
        }
    };
    let clients = ssmpatch::aws::Clients::load(&live.aws, live.plan.file.region.as_deref()).await;
    let session = Session::new(live.plan, &clients, &CompileOptions::from(Timestamp::now())).map_err(live_error)?;
    let report =
        ssmpatch::compliance::refresh::refresh(&session, &clients, &opts, &report_line).await.map_err(live_error)?;
    serde_json::to_value(&report).map_err(|e| LiveFailure::Aws(e.to_string(), None))
}

async fn run_live(live: Live, op: LiveOp) -> Result<serde_json::Value, LiveFailure> {
    use ssmpatch::scheduler::Session;
    let clients = ssmpatch::aws::Clients::load(&live.aws, live.plan.file.region.as_deref()).await;
    let opts = CompileOptions::from(Timestamp::now());
    let session = match op {
        LiveOp::Destroy => Session::for_destroy(live.plan, &clients, &opts),
        _ => Session::new(live.plan, &clients, &opts),
    }
    .map_err(live_error)?;
    let diff = match op {
        LiveOp::Destroy => session.destroy_diff().await,
        _ => session.diff().await,
    }
    .map_err(live_error)?;
    if let LiveOp::Plan = op {
        return serde_json::to_value(&diff).map_err(|e| LiveFailure::Aws(e.to_string(), None));
    }
    let report = if diff.is_empty() {
        ssmpatch::scheduler::Report { plan: diff.plan.clone(), backend: diff.backend, done: Vec::new(), error: None }
    } else {
        session.apply(&diff, live.concurrency, &no_progress).await
    };
    let out = serde_json::json!({"diff": diff, "report": report});
    match &report.error {
        Some(e) => Err(LiveFailure::Aws(format!("apply stopped: {e}"), Some(out))),
        None => Ok(out),
    }
}

/// serde → Python objects via JSON (dicts, lists, str, int, bool, None).
fn to_python<'py>(py: Python<'py>, v: &impl serde::Serialize) -> PyResult<Bound<'py, PyAny>> {
    let text = serde_json::to_string(v).map_err(|e| PyValueError::new_err(e.to_string()))?;
    py.import("json")?.call_method1("loads", (text,))
}

fn options(from_: Option<Bound<'_, PyAny>>) -> PyResult<CompileOptions> {
    let from = match from_ {
        None => Timestamp::now(),
        Some(v) => v
            .extract::<Timestamp>()
            .map_err(|e| PyValueError::new_err(format!("`from_` must be a timezone-aware datetime ({e})")))?,
    };
    Ok(CompileOptions::from(from))
}

/// A validated plan: targets, baselines, per-operation approval and schedules.
#[pyclass(frozen, module = "ssmpatch")]
struct Plan {
    inner: CorePlan,
}

#[pymethods]
impl Plan {
    /// Read and validate a plan file (TOML, or JSON with a `.json` name). Raises `PlanError`.
    #[staticmethod]
    fn load(py: Python<'_>, path: std::path::PathBuf) -> PyResult<Plan> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(&path)
            .map_err(|e| pyo3::exceptions::PyOSError::new_err(format!("cannot read plan `{name}`: {e}")))?;
        CorePlan::from_source(Source::new(Some(&name), text))
            .map(|inner| Plan { inner })
            .map_err(|e| plan_error(py, &e))
    }

    /// Validate a plan given as a dict (the file's structure). Raises `PlanError`.
    #[staticmethod]
    fn from_dict(py: Python<'_>, d: Bound<'_, PyAny>) -> PyResult<Plan> {
        let text: String = py.import("json")?.call_method1("dumps", (d,))?.extract()?;
        CorePlan::from_source(Source::new(None, text)).map(|inner| Plan { inner }).map_err(|e| plan_error(py, &e))
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

    /// Full check, including that a backend can run the plan; returns the warnings.
    #[pyo3(signature = (from_ = None))]
    fn validate(&self, py: Python<'_>, from_: Option<Bound<'_, PyAny>>) -> PyResult<Vec<String>> {
        let opts = options(from_)?;
        let inner = &self.inner;
        let ex = py.detach(|| inner.explain(&opts)).map_err(|e| one_plan_error(py, e))?;
        Ok(ex.warnings)
    }

    /// Backend choice (and why others were rejected), compiled schedules per backend, baseline
    /// placement — the same structure as `ssmpatch explain --json`.
    #[pyo3(signature = (from_ = None))]
    fn explain<'py>(&self, py: Python<'py>, from_: Option<Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
        let opts = options(from_)?;
        let inner = &self.inner;
        let ex = py.detach(|| inner.explain(&opts)).map_err(|e| one_plan_error(py, e))?;
        let additions = py
            .detach(|| ssmpatch::compliance::additions::for_plan(inner, &ex, &opts))
            .map_err(|e| StrategyError::new_err(e.to_string()))?;
        let mut v = serde_json::to_value(&ex).map_err(|e| PyValueError::new_err(e.to_string()))?;
        v["additions"] = serde_json::to_value(&additions).map_err(|e| PyValueError::new_err(e.to_string()))?;
        to_python(py, &v)
    }

    /// The next `count` runs of every operation, sorted by time — the same structure as
    /// `ssmpatch calendar --json`.
    #[pyo3(signature = (count = 6, from_ = None))]
    fn calendar<'py>(
        &self,
        py: Python<'py>,
        count: usize,
        from_: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let opts = options(from_)?;
        let inner = &self.inner;
        let cal = py.detach(|| inner.calendar(count, &opts)).map_err(|e| one_plan_error(py, e))?;
        to_python(py, &cal)
    }

    /// Read the live state and return the diff `apply` would perform (the structure of
    /// `ssmpatch plan --json`). Blocks without holding the GIL.
    #[pyo3(signature = (region = None, profile = None, endpoint_url = None))]
    fn plan<'py>(
        &self,
        py: Python<'py>,
        region: Option<String>,
        profile: Option<String>,
        endpoint_url: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.live_blocking(py, LiveOp::Plan, region, profile, endpoint_url, 8)
    }

    /// Apply the plan; returns `{"diff": ..., "report": ...}`. Raises `AwsError` (with `.report`)
    /// when an apply stops part way; a second call converges.
    #[pyo3(signature = (region = None, profile = None, endpoint_url = None, concurrency = 8))]
    fn apply<'py>(
        &self,
        py: Python<'py>,
        region: Option<String>,
        profile: Option<String>,
        endpoint_url: Option<String>,
        concurrency: usize,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.live_blocking(py, LiveOp::Apply, region, profile, endpoint_url, concurrency)
    }

    /// Remove everything ssmpatch created for the plan (and nothing else).
    #[pyo3(signature = (region = None, profile = None, endpoint_url = None, concurrency = 8))]
    fn destroy<'py>(
        &self,
        py: Python<'py>,
        region: Option<String>,
        profile: Option<String>,
        endpoint_url: Option<String>,
        concurrency: usize,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.live_blocking(py, LiveOp::Destroy, region, profile, endpoint_url, concurrency)
    }

    /// `plan()` as an awaitable.
    #[pyo3(signature = (region = None, profile = None, endpoint_url = None))]
    fn plan_async<'py>(
        &self,
        py: Python<'py>,
        region: Option<String>,
        profile: Option<String>,
        endpoint_url: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.live_async(py, LiveOp::Plan, region, profile, endpoint_url, 8)
    }

    /// `apply()` as an awaitable.
    #[pyo3(signature = (region = None, profile = None, endpoint_url = None, concurrency = 8))]
    fn apply_async<'py>(
        &self,
        py: Python<'py>,
        region: Option<String>,
        profile: Option<String>,
        endpoint_url: Option<String>,
        concurrency: usize,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.live_async(py, LiveOp::Apply, region, profile, endpoint_url, concurrency)
    }

    /// `destroy()` as an awaitable.
    #[pyo3(signature = (region = None, profile = None, endpoint_url = None, concurrency = 8))]
    fn destroy_async<'py>(
        &self,
        py: Python<'py>,
        region: Option<String>,
        profile: Option<String>,
        endpoint_url: Option<String>,
        concurrency: usize,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.live_async(py, LiveOp::Destroy, region, profile, endpoint_url, concurrency)
    }

    /// Refresh compliance after the plan's runs through its strategy (or `strategy`, a built-in
    /// name or a `.wasm` path); the structure of `ssmpatch refresh --json`. `command_id` reads one
    /// command (e.g. `AWS-RunPatchBaseline` started by hand) instead of the plan's runs.
    /// `progress`, a callable, receives the lines `ssmpatch refresh` prints on stderr.
    #[pyo3(signature = (operation = None, since = None, strategy = None, region = None, profile = None, endpoint_url = None, command_id = None, progress = None))]
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
    ) -> PyResult<Bound<'py, PyAny>> {
        let (live, opts) =
            self.refresh_request(since, operation, strategy, region, profile, endpoint_url, command_id)?;
        let rt = pyo3_async_runtimes::tokio::get_runtime();
        match py.detach(|| rt.block_on(run_refresh(live, opts, progress))) {
            Ok(v) => to_python(py, &v),
            Err(f) => Err(f.into_py(py)),
        }
    }

    /// `refresh` as an awaitable.
    #[pyo3(signature = (operation = None, since = None, strategy = None, region = None, profile = None, endpoint_url = None, command_id = None, progress = None))]
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
    ) -> PyResult<Bound<'py, PyAny>> {
        let (live, opts) =
            self.refresh_request(since, operation, strategy, region, profile, endpoint_url, command_id)?;
        pyo3_async_runtimes::tokio::future_into_py(py, async move {
            let result = run_refresh(live, opts, progress).await;
            Python::attach(|py| match result {
                Ok(v) => to_python(py, &v).map(Bound::unbind),
                Err(f) => Err(f.into_py(py)),
            })
        })
    }

    /// The BaselineOverride JSON document of an operation (exact bytes, as text).
    fn render_override(&self, py: Python<'_>, operation: &str) -> PyResult<String> {
        let doc = self.inner.render_override(operation).map_err(|e| one_plan_error(py, e))?;
        String::from_utf8(doc.bytes).map_err(|e| PyValueError::new_err(e.to_string()))
    }

    fn __repr__(&self) -> String {
        format!("Plan(name={:?}, operations={:?})", self.inner.name, self.operations())
    }
}

impl Plan {
    /// What `refresh` and `refresh_async` run.
    #[allow(clippy::too_many_arguments)]
    fn refresh_request(
        &self,
        since: Option<Bound<'_, PyAny>>,
        operation: Option<String>,
        strategy: Option<String>,
        region: Option<String>,
        profile: Option<String>,
        endpoint_url: Option<String>,
        command_id: Option<String>,
    ) -> PyResult<(Live, ssmpatch::compliance::refresh::RefreshOptions)> {
        let since = match since {
            None => None,
            Some(v) => Some(
                v.extract::<Timestamp>()
                    .map_err(|e| PyValueError::new_err(format!("`since` must be a timezone-aware datetime ({e})")))?,
            ),
        };
        let live = self.live(region, profile, endpoint_url, 8);
        let opts =
            ssmpatch::compliance::refresh::RefreshOptions { operation, since, strategy, concurrency: 8, command_id };
        Ok((live, opts))
    }

    fn live(
        &self,
        region: Option<String>,
        profile: Option<String>,
        endpoint_url: Option<String>,
        concurrency: usize,
    ) -> Live {
        Live {
            plan: self.inner.clone(),
            aws: ssmpatch::aws::AwsOptions { region, profile, endpoint_url, ..Default::default() },
            concurrency: concurrency.max(1),
        }
    }

    fn live_blocking<'py>(
        &self,
        py: Python<'py>,
        op: LiveOp,
        region: Option<String>,
        profile: Option<String>,
        endpoint_url: Option<String>,
        concurrency: usize,
    ) -> PyResult<Bound<'py, PyAny>> {
        let live = self.live(region, profile, endpoint_url, concurrency);
        let rt = pyo3_async_runtimes::tokio::get_runtime();
        let result = py.detach(|| rt.block_on(run_live(live, op)));
        match result {
            Ok(v) => to_python(py, &v),
            Err(f) => Err(f.into_py(py)),
        }
    }

    fn live_async<'py>(
        &self,
        py: Python<'py>,
        op: LiveOp,
        region: Option<String>,
        profile: Option<String>,
        endpoint_url: Option<String>,
        concurrency: usize,
    ) -> PyResult<Bound<'py, PyAny>> {
        let live = self.live(region, profile, endpoint_url, concurrency);
        pyo3_async_runtimes::tokio::future_into_py(py, async move {
            let result = run_live(live, op).await;
            Python::attach(|py| match result {
                Ok(v) => to_python(py, &v).map(Bound::unbind),
                Err(f) => Err(f.into_py(py)),
            })
        })
    }
}

/// Turn a core error into `ssmpatch.ScheduleError` with its parts as attributes.
fn schedule_error(py: Python<'_>, e: &CoreScheduleError) -> PyErr {
    let err = ScheduleError::new_err(e.to_string());
    let value = err.value(py);
    let parts: [(&str, Option<String>); 3] = [
        ("message", Some(e.message.clone())),
        ("field", e.field.map(|f| f.as_str().to_string())),
        ("hint", e.hint.clone()),
    ];
    for (name, v) in parts {
        if let Err(set) = value.setattr(name, v) {
            return set;
        }
    }
    if let Err(set) = value.setattr("column", e.column) {
        return set;
    }
    err
}

fn timing(py: Python<'_>, tz: &str, offset_days: Option<u32>) -> PyResult<Timing> {
    let t = Timing::in_zone(tz).map_err(|e| schedule_error(py, &e))?;
    Ok(t.with_offset(offset_days))
}

fn backend(py: Python<'_>, name: &str) -> PyResult<Backend> {
    let _ = py;
    name.parse::<Backend>().map_err(PyValueError::new_err)
}

/// An AWS schedule expression — `cron(...)`, `rate(...)` or `at(...)` — parsed and compiled.
///
/// >>> s = Schedule.parse("cron(0 2 ? * 1L *)")
#[pyclass(frozen, module = "ssmpatch", eq)]
#[derive(PartialEq)]
struct Schedule {
    inner: CoreSchedule,
}

#[pymethods]
impl Schedule {
    #[new]
    fn new(py: Python<'_>, expression: &str) -> PyResult<Self> {
        CoreSchedule::parse(expression).map(|inner| Schedule { inner }).map_err(|e| schedule_error(py, &e))
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
        let after = match after {
            None => Timestamp::now(),
            Some(v) => v.extract::<Timestamp>().map_err(|e| {
                PyValueError::new_err(format!(
                    "`after` must be a timezone-aware datetime ({e}); hint: pass e.g. datetime(2026, 6, 1, tzinfo=timezone.utc)"
                ))
            })?,
        };
        let inner = &self.inner;
        let runs = py.detach(|| inner.next_n(&timing, after, count));
        runs.map_err(|e| schedule_error(py, &e))
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
}

/// Whether a backend accepts a schedule; when not, why and what to do instead.
#[pyclass(frozen, module = "ssmpatch", get_all)]
struct CheckResult {
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

/// Parse what AWS-RunPatchBaseline printed for one node: the same object as
/// `ssmpatch output parse --json` (`instance_id`, `operation`, `summary`, `non_compliant`,
/// `all_compliant`, `truncated`). `from_invocation=True` treats a 24,000-character text as cut.
#[pyfunction]
#[pyo3(signature = (text, from_invocation = false))]
fn parse_output<'py>(py: Python<'py>, text: &str, from_invocation: bool) -> PyResult<Bound<'py, PyAny>> {
    use ssmpatch::compliance::output::{OutputSource, parse};
    let source = if from_invocation { OutputSource::Invocation } else { OutputSource::Complete };
    match parse(text, source) {
        Ok(r) => to_python(py, &r),
        Err(e) => Err(PyValueError::new_err(format!("{e}\nhint: {}", e.hint))),
    }
}

pyo3::create_exception!(
    ssmpatch,
    StrategyError,
    PyValueError,
    "A strategy component could not be loaded, trapped, ran out of fuel, time or memory, or returned an error."
);

/// A compliance strategy component (built in, or a `.wasm` file), run in the sandbox.
#[pyclass(module = "ssmpatch")]
struct Strategy {
    host: ssmpatch::strategy::Host,
    name: String,
    bytes: Vec<u8>,
}

#[pymethods]
impl Strategy {
    /// Load a built-in strategy by name (`put-compliance-items`, `rescan`) or a `.wasm` path, with
    /// the limits of each call (a plan's `[compliance.limits]`; unset ones keep the defaults).
    #[staticmethod]
    #[pyo3(signature = (name_or_path, *, fuel=None, timeout_seconds=None, memory_mib=None))]
    fn load(
        name_or_path: &str,
        fuel: Option<u64>,
        timeout_seconds: Option<u64>,
        memory_mib: Option<u64>,
    ) -> PyResult<Strategy> {
        if let Some(b) = ssmpatch::strategy::Limits::out_of_range(fuel, timeout_seconds, memory_mib).first() {
            return Err(PyValueError::new_err(format!(
                "{}={} is out of range ({} to {})",
                b.key.replace('-', "_"),
                b.value,
                b.range.start(),
                b.range.end()
            )));
        }
        let limits = ssmpatch::strategy::Limits::default().with(fuel, timeout_seconds, memory_mib);
        let bytes = match ssmpatch::strategy::builtin(name_or_path) {
            Some(b) => b.to_vec(),
            None => std::fs::read(name_or_path).map_err(|e| {
                StrategyError::new_err(format!(
                    "`{name_or_path}` is neither a built-in strategy nor a readable file: {e}"
                ))
            })?,
        };
        let host = ssmpatch::strategy::Host::new(limits).map_err(|e| StrategyError::new_err(e.to_string()))?;
        host.load(name_or_path, &bytes).map_err(|e| StrategyError::new_err(e.to_string()))?;
        Ok(Strategy { host, name: name_or_path.to_string(), bytes })
    }

    /// Run the strategy on `run` — `{"plan": ..., "runs": [...]}` as in examples/strategy-run.json —
    /// and return `{"added_operations": [...], "actions": [...]}` like `ssmpatch strategy test`.
    fn test<'py>(&self, py: Python<'py>, run: Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        #[derive(serde::Deserialize)]
        struct Input {
            plan: ssmpatch::strategy::PlanInfo,
            runs: Vec<ssmpatch::strategy::RunResult>,
        }
        let text: String = py.import("json")?.call_method1("dumps", (run,))?.extract()?;
        let input: Input = serde_json::from_str(&text).map_err(|e| PyValueError::new_err(format!("run: {e}")))?;
        let s = self.host.load(&self.name, &self.bytes).map_err(|e| StrategyError::new_err(e.to_string()))?;
        let added = py.detach(|| s.plan(&input.plan)).map_err(|e| StrategyError::new_err(e.to_string()))?;
        let actions =
            py.detach(|| s.after_run(&input.plan, &input.runs)).map_err(|e| StrategyError::new_err(e.to_string()))?;
        to_python(py, &serde_json::json!({"strategy": self.name, "added_operations": added, "actions": actions}))
    }

    fn __repr__(&self) -> String {
        format!("Strategy({:?})", self.name)
    }
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_class::<Schedule>()?;
    m.add_class::<CheckResult>()?;
    m.add_class::<Plan>()?;
    m.add_function(wrap_pyfunction!(parse_output, m)?)?;
    m.add_class::<Strategy>()?;
    m.add("StrategyError", py.get_type::<StrategyError>())?;
    m.add("ScheduleError", py.get_type::<ScheduleError>())?;
    m.add("PlanError", py.get_type::<PlanError>())?;
    m.add("AwsError", py.get_type::<AwsError>())?;
    m.add("BACKENDS", PyTuple::new(py, Backend::ALL.iter().map(|b| b.as_str()))?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
