//! `ssmpatch iam-policy PLAN` — the least-privilege IAM policy the plan needs (offline).

use std::process::ExitCode;

use crate::args::PlanArgs;
use crate::context::{load, options, plan_error};
use crate::error::CliError;
use crate::printer::Printer;

pub fn run(a: PlanArgs, out: &Printer) -> Result<ExitCode, CliError> {
    let plan = load(&a.plan)?;
    let ex = plan.explain(&options(&a)).map_err(|e| plan_error(&plan, e))?;
    out.json(&ssmpatch::backends::iam_policy(&plan, ex.backend))?;
    Ok(ExitCode::SUCCESS)
}
