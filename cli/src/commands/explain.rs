//! `ssmpatch explain PLAN` — backend choice, compiled schedules, baseline placement and what the
//! strategy adds (offline).

use std::process::ExitCode;

use crate::args::PlanArgs;
use crate::context::{core_error, load, options};
use crate::error::CliError;
use crate::printer::Printer;
use crate::render;

pub fn run(a: PlanArgs, out: &Printer) -> Result<ExitCode, CliError> {
    let plan = load(&a.plan)?;
    let explained = ssmpatch::session::explain(&plan, &options(&a)).map_err(|e| core_error(&plan, e))?;
    if a.json {
        out.json(&serde_json::to_value(&explained).map_err(anyhow::Error::from)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    let ex = &explained.explanation;
    out.line(&format!("plan {}: backend {} ({})", ex.plan, ex.backend, ex.chosen));
    for r in &ex.rejected {
        out.line(&format!("  {} rejected:", r.backend));
        for reason in &r.reasons {
            out.line(&format!("    - {reason}"));
        }
    }
    out.line("");
    out.line(&format!("baseline placement: {}", ex.placement.summary));
    for l in ex.placement.consequence.lines() {
        out.line(&format!("  {l}"));
    }
    for op in &ex.operations {
        out.line("");
        out.line(&format!("operation {} ({}): {}", op.name, op.kind.as_str(), op.schedule));
        out.line(&format!("  means:    {}", op.description));
        let lines = render::compiled(&op.compiled, out);
        for (i, l) in lines.iter().enumerate() {
            out.line(&format!("  {}{l}", if i == 0 { format!("{}: ", ex.backend) } else { "    ".to_string() }));
        }
        out.line(&format!("  baseline: {}", op.baseline.describe()));
        out.line(&format!("  at apply: {}", op.at_apply));
    }
    render::additions(&explained.additions, out);
    if !ex.warnings.is_empty() {
        out.line("");
        for w in &ex.warnings {
            out.line(&format!("warning: {w}"));
        }
    }
    Ok(ExitCode::SUCCESS)
}
