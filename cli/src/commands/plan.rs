//! `ssmpatch plan PLAN` — read the live state and show what `apply` would change.

use std::process::ExitCode;

use crate::args::PlanLiveArgs;
use crate::context::{runtime, session};
use crate::error::{CHANGES, CliError, DETAILED_ERROR};
use crate::printer::Printer;
use crate::render;

pub fn run(a: PlanLiveArgs, out: &Printer) -> Result<ExitCode, CliError> {
    match (show(&a, out), a.detailed_exitcode) {
        (Ok(true), true) => Ok(ExitCode::from(CHANGES)),
        (Ok(_), _) => Ok(ExitCode::SUCCESS),
        (Err(e), true) => {
            out.error(&e);
            Ok(ExitCode::from(DETAILED_ERROR))
        }
        (Err(e), false) => Err(e),
    }
}

/// Print the diff; whether it changes anything.
fn show(a: &PlanLiveArgs, out: &Printer) -> Result<bool, CliError> {
    let rt = runtime()?;
    let s = session(&a.live, &rt, false)?;
    let d = rt.block_on(s.diff())?;
    if a.live.plan.json {
        out.json(&serde_json::to_value(&d).map_err(anyhow::Error::from)?)?;
        return Ok(!d.is_empty());
    }
    render::diff(&d, out);
    if d.is_empty() {
        out.line("no changes");
    }
    render::additions(&s.additions, out);
    Ok(!d.is_empty())
}
