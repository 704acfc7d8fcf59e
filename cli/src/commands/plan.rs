//! `ssmpatch plan PLAN` — read the live state and show what `apply` would change.

use std::process::ExitCode;

use crate::args::LiveArgs;
use crate::context::{runtime, session};
use crate::error::CliError;
use crate::printer::Printer;
use crate::render;

pub fn run(a: LiveArgs, out: &Printer) -> Result<ExitCode, CliError> {
    let rt = runtime()?;
    let s = session(&a, &rt, false)?;
    let d = rt.block_on(s.diff())?;
    if a.plan.json {
        out.json(&serde_json::to_value(&d).map_err(anyhow::Error::from)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    render::diff(&d, out);
    if d.is_empty() {
        out.line("no changes");
    }
    render::additions(&s.additions, out);
    Ok(ExitCode::SUCCESS)
}
