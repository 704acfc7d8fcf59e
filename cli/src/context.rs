//! What commands are given from their arguments: the plan (loaded and validated), compile
//! options, AWS options, the async runtime and a core `Session`.

use std::time::Duration;

use ssmpatch::aws::AwsOptions;
use ssmpatch::plan::CompileOptions;
use ssmpatch::plan::{Plan, PlanError, PlanErrors, Source};
use ssmpatch::session::{Session, SessionOptions};

use crate::args::{AwsArgs, LiveArgs, PlanArgs};
use crate::error::CliError;

/// The async runtime for the commands that call AWS.
pub fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| CliError::Other(anyhow::anyhow!("cannot start the async runtime: {e}")))
}

/// A runtime on the calling thread, for a command that is one future of many small AWS calls and
/// starts no background task (`refresh`): on the multi-threaded runtime each call's answer crosses
/// threads (its connection task runs on a worker, the call on the main thread), and those wake-ups
/// cost more CPU than the calls themselves.
pub fn single_thread_runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Other(anyhow::anyhow!("cannot start the async runtime: {e}")))
}

/// Read and validate a plan file.
pub fn load(path: &std::path::Path) -> Result<Plan, CliError> {
    let name = path.display().to_string();
    let text = ssmpatch::input::read_file(path, ssmpatch::input::PLAN_FILE_LIMIT, "plan")
        .map_err(|e| CliError::Input(e.to_string(), Some(e.hint())))?;
    Plan::from_source(Source::new(Some(&name), text.clone()))
        .map_err(|errors| CliError::Plan { errors, text: Some(text) })
}

/// The plan's own text, for pointing at a line.
pub fn text(plan: &Plan) -> Option<&str> {
    plan.source.as_ref().map(|s| s.text.as_str())
}

/// A plan error found after loading, located in the plan's text.
pub fn plan_error(plan: &Plan, e: PlanError) -> CliError {
    CliError::Plan { errors: PlanErrors(vec![e]), text: text(plan).map(str::to_string) }
}

/// A core error about `plan`.
pub fn core_error(plan: &Plan, e: ssmpatch::error::Error) -> CliError {
    CliError::from_core(e, text(plan))
}

/// Compile from `--from`, else now.
pub fn options(a: &PlanArgs) -> CompileOptions {
    CompileOptions::from(a.from.unwrap_or_else(jiff::Timestamp::now))
}

/// `--region`, `--profile`, `--endpoint-url`, the timeouts.
pub fn aws_options(a: &AwsArgs) -> AwsOptions {
    let mut options = AwsOptions::default();
    options.region = a.region.clone();
    options.profile = a.profile.clone();
    options.endpoint_url = a.endpoint_url.clone();
    options.connect_timeout = Some(Duration::from_secs(a.connect_timeout));
    options.attempt_timeout = Some(Duration::from_secs(a.attempt_timeout));
    options.operation_timeout = Some(Duration::from_secs(a.operation_timeout));
    options
}

/// Load the plan and open a session against AWS.
pub fn session(a: &LiveArgs, rt: &tokio::runtime::Runtime, for_destroy: bool) -> Result<Session, CliError> {
    let plan = load(&a.plan.plan)?;
    if let (Some(given), Some(planned)) = (a.aws.region.as_deref(), plan.region())
        && given != planned
    {
        // As in the AWS CLI, --region wins; said, because the plan's resources live in its Region.
        eprintln!(
            "note: --region {} overrides the plan's region {planned}: this works on {} instead",
            ssmpatch::input::echo(given),
            ssmpatch::input::echo(given)
        );
    }
    let mut options = SessionOptions::default();
    options.aws = aws_options(&a.aws);
    options.from = a.plan.from.unwrap_or_else(jiff::Timestamp::now);
    options.concurrency = a.aws.concurrency as usize;
    options.for_destroy = for_destroy;
    let text = text(&plan).map(str::to_string);
    rt.block_on(Session::open(plan, &options)).map_err(|e| CliError::from_core(e, text.as_deref()))
}
