//! `ssmpatch refresh PLAN` — write compliance after the plan's runs with BaselineOverride.

use std::process::ExitCode;

use ssmpatch::compliance::{NodeResult, RefreshOptions, RefreshReport};

use crate::args::RefreshArgs;
use crate::context::{session, single_thread_runtime};
use crate::error::{CliError, INCOMPLETE};
use crate::printer::Printer;

pub fn run(a: RefreshArgs, out: &Printer) -> Result<ExitCode, CliError> {
    let rt = single_thread_runtime()?;
    let s = session(&a.live, &rt, false)?;
    let mut opts = RefreshOptions::default();
    opts.operation = a.operation.clone();
    opts.since = a.since;
    opts.strategy = a.strategy.clone();
    opts.concurrency = a.live.aws.concurrency as usize;
    opts.command_id = a.command_id.clone();
    let progress = |line: &str| out.note(&format!("refresh: {line}"));
    let report = rt.block_on(s.refresh(&opts, &progress))?;
    if a.live.plan.json {
        out.json(&serde_json::to_value(&report).map_err(anyhow::Error::from)?)?;
        return Ok(exit_code(&report));
    }
    out.line(&format!(
        "refresh {} with strategy {}: {} node result(s)",
        report.plan,
        report.strategy,
        report.nodes.len()
    ));
    for n in &report.nodes {
        out.line(&format!("  {}  {:10} {:18} {}", n.instance_id, n.operation, n.result.as_str(), out.dim(&n.detail)));
    }
    for m in &report.messages {
        out.line(&format!("  note: {m}"));
    }
    Ok(exit_code(&report))
}

/// 0 when every node's outcome is what the strategy decided; [`INCOMPLETE`] when refresh wrote
/// nothing for some node (it failed, its output was cut or held no report after an override
/// run, or the host rejected the strategy's action for it), so a scheduled job can alert.
fn exit_code(report: &RefreshReport) -> ExitCode {
    if report.nodes.iter().any(|n| matches!(n.result, NodeResult::Failed | NodeResult::Skipped | NodeResult::Rejected))
    {
        ExitCode::from(INCOMPLETE)
    } else {
        ExitCode::SUCCESS
    }
}
