//! `ssmpatch.Session`: a plan and the AWS settings, given once; its methods (and their `_async`
//! twins) read and change AWS through one core session, opened on first use.

use std::sync::Arc;

use jiff::Timestamp;
use pyo3::prelude::*;
use ssmpatch::aws::AwsOptions;
use ssmpatch::compliance::RefreshOptions;
use ssmpatch::compliance::status::StatusOptions;
use ssmpatch::lease::{Lease, LeaseCommand};
use ssmpatch::plan::Plan as CorePlan;
use ssmpatch::session::{Session as CoreSession, SessionOptions};
use tokio::sync::OnceCell;

use crate::convert::instant;
use crate::errors;
use crate::plan::Plan;
use crate::runtime::{Failure, awaitable, blocking};

/// What a session holds: the plan, the options, and the core sessions once opened (one for
/// plan/apply/refresh, one for destroy, which does not load the strategy).
pub(crate) struct Inner {
    plan: CorePlan,
    options: SessionOptions,
    normal: OnceCell<CoreSession>,
    destroy: OnceCell<CoreSession>,
}

#[derive(Clone, Copy)]
pub(crate) enum Live {
    Plan,
    Apply,
    Destroy,
}

/// The AWS keywords every live call takes: where and as whom, and the time limits (seconds).
#[derive(Debug, Default)]
pub(crate) struct AwsKeywords {
    pub(crate) region: Option<String>,
    pub(crate) profile: Option<String>,
    pub(crate) endpoint_url: Option<String>,
    pub(crate) connect_timeout: Option<f64>,
    pub(crate) attempt_timeout: Option<f64>,
    pub(crate) operation_timeout: Option<f64>,
}

impl AwsKeywords {
    /// The core's options, each value checked before any call (`InvalidArgument`): the region's
    /// form, the endpoint URL (also `AWS_ENDPOINT_URL`'s), the timeouts' range.
    pub(crate) fn options(self, py: Python<'_>) -> PyResult<AwsOptions> {
        let invalid = |message: String, hint: &str| errors::invalid(py, message, Some(hint.to_string()));
        if let Some(r) = &self.region {
            ssmpatch::aws::check_region(r)
                .map_err(|m| invalid(m, "region= takes a Region name, e.g. ap-northeast-1"))?;
        }
        match &self.endpoint_url {
            Some(u) => {
                ssmpatch::aws::check_endpoint_url(u).map_err(|m| invalid(m, "endpoint_url= takes an http(s) URL"))?
            }
            None => {
                if let Ok(u) = std::env::var("AWS_ENDPOINT_URL") {
                    ssmpatch::aws::check_endpoint_url(&u)
                        .map_err(|m| invalid(format!("AWS_ENDPOINT_URL: {m}"), "fix or unset AWS_ENDPOINT_URL"))?;
                }
            }
        }
        let seconds = |name: &str, v: Option<f64>| -> PyResult<Option<std::time::Duration>> {
            v.map(|s| ssmpatch::aws::timeout_from_seconds(name, s))
                .transpose()
                .map_err(|m| invalid(m, "timeouts are seconds, e.g. 30 or 2.5"))
        };
        let mut aws = AwsOptions::default();
        aws.connect_timeout = seconds("connect_timeout", self.connect_timeout)?;
        aws.attempt_timeout = seconds("attempt_timeout", self.attempt_timeout)?;
        aws.operation_timeout = seconds("operation_timeout", self.operation_timeout)?;
        aws.region = self.region;
        aws.profile = self.profile;
        aws.endpoint_url = self.endpoint_url;
        Ok(aws)
    }
}

impl Inner {
    pub(crate) fn new(plan: CorePlan, aws: AwsOptions, concurrency: usize, force: bool) -> Arc<Inner> {
        Inner::with_lease_ttl(plan, aws, concurrency, force, None)
    }

    /// [`Inner::new`] with the plan lease's TTL (`None`: the default).
    pub(crate) fn with_lease_ttl(
        plan: CorePlan,
        aws: AwsOptions,
        concurrency: usize,
        force: bool,
        lease_ttl: Option<std::time::Duration>,
    ) -> Arc<Inner> {
        let mut options = SessionOptions::default();
        options.aws = aws;
        options.from = Timestamp::now();
        options.concurrency = concurrency.max(1);
        options.force = force;
        if let Some(ttl) = lease_ttl {
            options.lease_ttl = ttl;
        }
        Arc::new(Inner { plan, options, normal: OnceCell::new(), destroy: OnceCell::new() })
    }

    async fn session(&self, for_destroy: bool) -> Result<&CoreSession, Failure> {
        let cell = if for_destroy { &self.destroy } else { &self.normal };
        let mut options = self.options.clone();
        options.for_destroy = for_destroy;
        Ok(cell.get_or_try_init(|| CoreSession::open(self.plan.clone(), &options)).await?)
    }

    /// `plan` → the diff; `apply`/`destroy` → `{"diff", "report"}`, an `AwsError` with that
    /// `report` when it stopped part way. `apply` and `destroy` hold the plan's lease from before
    /// the live state is read until they end (`LockedError` while another holds it).
    pub(crate) async fn live(self: Arc<Self>, op: Live) -> Result<serde_json::Value, Failure> {
        let session = self.session(matches!(op, Live::Destroy)).await?;
        let command = match op {
            Live::Plan => return Inner::locked(session, op, None).await,
            Live::Apply => LeaseCommand::Apply,
            Live::Destroy => LeaseCommand::Destroy,
        };
        let lease = session.lock(command).await?;
        let result = Inner::locked(session, op, Some(&lease)).await;
        let lost = lease.lost_error();
        // A release that fails leaves the lease to expire: the next apply waits until then.
        let _ = lease.release().await;
        match (result, lost) {
            (Ok(_), Some(e)) => Err(e.into()),
            (result, _) => result,
        }
    }

    /// What `live` does once the lease, if any, is held.
    async fn locked(session: &CoreSession, op: Live, lease: Option<&Lease>) -> Result<serde_json::Value, Failure> {
        let diff = match op {
            Live::Destroy => session.destroy_diff().await?,
            _ => session.diff().await?,
        };
        if let Live::Plan = op {
            return Ok(serde_json::to_value(&diff).unwrap_or_default());
        }
        let report = match lease {
            Some(lease) => session.apply_holding(lease, &diff, &|_: &str| {}).await,
            None => session.apply(&diff, &|_: &str| {}).await,
        };
        let out = serde_json::json!({"diff": diff, "report": report});
        match &report.error {
            Some(e) => Err(Failure::Stopped {
                message: format!("apply stopped: {e}"),
                hint: report.hint.clone(),
                aws: report.aws.as_ref().map(errors::AwsIds::from).unwrap_or_default(),
                report: out,
            }),
            None => Ok(out),
        }
    }

    /// `refresh`'s report; each progress line goes to `progress` (an exception it raises is
    /// reported as unraisable, Python's rule for callbacks, and the refresh goes on).
    pub(crate) async fn refresh(
        self: Arc<Self>,
        opts: RefreshOptions,
        progress: Option<Py<PyAny>>,
    ) -> Result<serde_json::Value, Failure> {
        let report_line = |line: &str| report_to(progress.as_ref(), line);
        let session = self.session(false).await?;
        let report = session.refresh(&opts, &report_line).await?;
        Ok(serde_json::to_value(&report).unwrap_or_default())
    }
}

impl Inner {
    /// `status`'s report; progress lines as for `refresh`.
    pub(crate) async fn status(
        self: Arc<Self>,
        opts: StatusOptions,
        progress: Option<Py<PyAny>>,
    ) -> Result<serde_json::Value, Failure> {
        let report_line = |line: &str| report_to(progress.as_ref(), line);
        let session = self.session(false).await?;
        let report = session.status(&opts, &report_line).await?;
        Ok(serde_json::to_value(&report).unwrap_or_default())
    }
}

/// Hands one progress line to the Python callback, if any (an exception it raises is reported as
/// unraisable, Python's rule for callbacks, and the work goes on).
fn report_to(progress: Option<&Py<PyAny>>, line: &str) {
    if let Some(callback) = progress {
        crate::runtime::attach(|py| {
            if let Err(e) = callback.call1(py, (line,)) {
                e.write_unraisable(py, None);
            }
        });
    }
}

/// What `status` and `status_async` run.
pub(crate) fn status_options(
    py: Python<'_>,
    operation: Option<String>,
    at: Option<Bound<'_, PyAny>>,
    concurrency: usize,
) -> PyResult<StatusOptions> {
    let mut options = StatusOptions::default();
    options.operation = operation;
    options.at = instant(py, at, "at")?;
    options.concurrency = concurrency;
    Ok(options)
}

/// What `refresh` and `refresh_async` run.
pub(crate) fn refresh_options(
    py: Python<'_>,
    operation: Option<String>,
    since: Option<Bound<'_, PyAny>>,
    strategy: Option<String>,
    command_id: Option<String>,
    concurrency: usize,
) -> PyResult<RefreshOptions> {
    let mut options = RefreshOptions::default();
    options.operation = operation;
    options.since = instant(py, since, "since")?;
    options.strategy = strategy;
    options.concurrency = concurrency;
    options.command_id = command_id;
    Ok(options)
}

/// A plan and the AWS settings, given once. The plan is compiled against "now" when the session
/// is first used; every method reads or changes AWS through that one opening.
///
/// Every AWS call has time limits, in seconds (more than 0, at most 3600; `None`: the default):
/// `connect_timeout` (10) to connect to an endpoint, `attempt_timeout` (60) for one attempt's
/// answer before it is retried, `operation_timeout` (180) for a whole call with its retries. A call
/// that runs out raises `AwsError` naming the operation and the limit. Blocking methods release
/// the GIL and raise `KeyboardInterrupt` on Ctrl-C.
///
/// `apply` and `destroy` hold the plan's lease (one at a time per plan, in Parameter Store) while
/// they run; another holder makes them raise `LockedError`. `lease_ttl` (seconds, 5 to 86400;
/// default 600) is how long a killed holder keeps others out.
#[pyclass(frozen, module = "ssmpatch")]
pub(crate) struct Session {
    inner: Arc<Inner>,
}

#[pymethods]
impl Session {
    #[new]
    #[pyo3(signature = (plan, *, region = None, profile = None, endpoint_url = None, concurrency = 8, force = false,
                        connect_timeout = None, attempt_timeout = None, operation_timeout = None, lease_ttl = None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        plan: &Plan,
        region: Option<String>,
        profile: Option<String>,
        endpoint_url: Option<String>,
        concurrency: usize,
        force: bool,
        connect_timeout: Option<f64>,
        attempt_timeout: Option<f64>,
        operation_timeout: Option<f64>,
        lease_ttl: Option<f64>,
    ) -> PyResult<Session> {
        let aws = AwsKeywords { region, profile, endpoint_url, connect_timeout, attempt_timeout, operation_timeout }
            .options(py)?;
        let range = ssmpatch::lease::LEASE_TTL_SECONDS_RANGE;
        let lease_ttl = match lease_ttl {
            None => None,
            Some(s) if s.is_finite() && s >= *range.start() as f64 && s <= *range.end() as f64 => {
                Some(std::time::Duration::from_secs_f64(s))
            }
            Some(s) => {
                return Err(errors::invalid(
                    py,
                    format!("lease_ttl must be from {} to {} seconds, not {s}", range.start(), range.end()),
                    Some("lease_ttl is how long a killed apply keeps the next one out, e.g. 600".into()),
                ));
            }
        };
        Ok(Session { inner: Inner::with_lease_ttl(plan.core().clone(), aws, concurrency, force, lease_ttl) })
    }

    /// The plan's name.
    #[getter]
    fn plan_name(&self) -> &str {
        &self.inner.plan.name
    }

    /// Read the live state and return the diff `apply` would perform (`ssmpatch plan --json`).
    fn plan<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        blocking(py, self.inner.clone().live(Live::Plan))
    }

    /// Apply the plan; returns `{"diff": ..., "report": ...}`. Raises `AwsError` (with `.report`)
    /// when an apply stops part way; a second call converges.
    fn apply<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        blocking(py, self.inner.clone().live(Live::Apply))
    }

    /// Remove everything ssmpatch created for the plan (and nothing else).
    fn destroy<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        blocking(py, self.inner.clone().live(Live::Destroy))
    }

    /// Refresh compliance after the plan's runs (`ssmpatch refresh --json`).
    #[pyo3(signature = (operation = None, since = None, strategy = None, command_id = None, progress = None))]
    fn refresh<'py>(
        &self,
        py: Python<'py>,
        operation: Option<String>,
        since: Option<Bound<'py, PyAny>>,
        strategy: Option<String>,
        command_id: Option<String>,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let opts = refresh_options(py, operation, since, strategy, command_id, self.inner.options.concurrency)?;
        blocking(py, self.inner.clone().refresh(opts, progress))
    }

    /// `plan()` as an awaitable (call it inside a running event loop).
    fn plan_async<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        awaitable(py, self.inner.clone().live(Live::Plan))
    }

    /// `apply()` as an awaitable.
    fn apply_async<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        awaitable(py, self.inner.clone().live(Live::Apply))
    }

    /// `destroy()` as an awaitable.
    fn destroy_async<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        awaitable(py, self.inner.clone().live(Live::Destroy))
    }

    /// `refresh()` as an awaitable.
    #[pyo3(signature = (operation = None, since = None, strategy = None, command_id = None, progress = None))]
    fn refresh_async<'py>(
        &self,
        py: Python<'py>,
        operation: Option<String>,
        since: Option<Bound<'py, PyAny>>,
        strategy: Option<String>,
        command_id: Option<String>,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let opts = refresh_options(py, operation, since, strategy, command_id, self.inner.options.concurrency)?;
        awaitable(py, self.inner.clone().refresh(opts, progress))
    }

    /// Whether each node's compliance report is current for the plan's last runs
    /// (`ssmpatch status --json`).
    #[pyo3(signature = (operation = None, at = None, progress = None))]
    fn status<'py>(
        &self,
        py: Python<'py>,
        operation: Option<String>,
        at: Option<Bound<'py, PyAny>>,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let opts = status_options(py, operation, at, self.inner.options.concurrency)?;
        blocking(py, self.inner.clone().status(opts, progress))
    }

    /// `status()` as an awaitable.
    #[pyo3(signature = (operation = None, at = None, progress = None))]
    fn status_async<'py>(
        &self,
        py: Python<'py>,
        operation: Option<String>,
        at: Option<Bound<'py, PyAny>>,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let opts = status_options(py, operation, at, self.inner.options.concurrency)?;
        awaitable(py, self.inner.clone().status(opts, progress))
    }

    fn __repr__(&self) -> String {
        format!("Session(plan={:?})", self.inner.plan.name)
    }
}
