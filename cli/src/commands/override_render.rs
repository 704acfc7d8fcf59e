//! `ssmpatch override render PLAN --operation NAME` — the exact BaselineOverride bytes.

use std::process::ExitCode;

use crate::args::RenderArgs;
use crate::context::{core_error, load};
use crate::error::CliError;
use crate::printer::Printer;

pub fn run(a: RenderArgs, out: &Printer) -> Result<ExitCode, CliError> {
    let plan = load(&a.plan)?;
    let doc = plan.render_override(&a.operation).map_err(|e| core_error(&plan, e))?;
    out.raw(&doc.bytes)?;
    Ok(ExitCode::SUCCESS)
}
