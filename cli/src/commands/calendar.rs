//! `ssmpatch calendar PLAN` — the next runs of every operation (offline).

use std::process::ExitCode;

use crate::args::CalendarArgs;
use crate::context::{load, options, plan_error};
use crate::error::CliError;
use crate::printer::Printer;

pub fn run(a: CalendarArgs, out: &Printer) -> Result<ExitCode, CliError> {
    let plan = load(&a.plan.plan)?;
    let cal = plan.calendar(a.count as usize, &options(&a.plan)).map_err(|e| plan_error(&plan, e))?;
    if a.plan.json {
        out.json(&serde_json::to_value(&cal).map_err(anyhow::Error::from)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    out.line(&format!("plan {} on {}", cal.plan, cal.backend));
    let width = cal.runs.iter().map(|r| r.operation.len()).max().unwrap_or(0);
    for r in &cal.runs {
        out.line(&format!("  {}  {:width$}  {:7}  {}", r.local, r.operation, r.kind.as_str(), out.dim(&r.baseline)));
    }
    Ok(ExitCode::SUCCESS)
}
