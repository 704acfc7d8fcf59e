//! `ssmpatch validate PLAN` — is the plan valid, and on which backend would it run (offline). Its
//! compliance strategy is loaded and its `plan` called (`ssmpatch::session::explain`), so a
//! missing component or settings it rejects fail here, before any window runs.

use std::process::ExitCode;

use serde_json::json;

use crate::args::PlanArgs;
use crate::context::{core_error, load, options};
use crate::error::CliError;
use crate::printer::Printer;

pub fn run(a: PlanArgs, out: &Printer) -> Result<ExitCode, CliError> {
    let plan = load(&a.plan)?;
    let ex = ssmpatch::session::explain(&plan, &options(&a)).map_err(|e| core_error(&plan, e))?.explanation;
    if a.json {
        out.json(&json!({"plan": plan.name, "valid": true, "backend": ex.backend, "warnings": ex.warnings}))?;
    } else {
        out.line(&format!(
            "{} {} is valid: {} operation(s) on {}",
            out.good("ok"),
            a.plan.display(),
            plan.operations.len(),
            ex.backend
        ));
        for w in &ex.warnings {
            out.note(&format!("warning: {w}"));
        }
    }
    Ok(ExitCode::SUCCESS)
}
