//! `ssmpatch schema` — the plan file's JSON Schema.

use std::process::ExitCode;

use crate::error::CliError;
use crate::printer::Printer;

pub fn run(out: &Printer) -> Result<ExitCode, CliError> {
    out.raw(ssmpatch::plan::schema_json().as_bytes())?;
    Ok(ExitCode::SUCCESS)
}
