//! `ssmpatch status PLAN` — whether each node's compliance report is current for the plan's last
//! runs.

use std::process::ExitCode;

use std::path::Path;

use ssmpatch::compliance::status::{StatusOptions, StatusReport, Verdict, status_html};

use crate::args::StatusArgs;
use crate::context::{runtime, session};
use crate::error::{CliError, NOT_CURRENT};
use crate::printer::Printer;

pub fn run(a: StatusArgs, out: &Printer) -> Result<ExitCode, CliError> {
    let rt = runtime()?;
    let s = session(&a.live, &rt, false)?;
    let mut opts = StatusOptions::default();
    opts.operation = a.operation.clone();
    opts.at = a.at;
    opts.concurrency = a.live.aws.concurrency as usize;
    let progress = |line: &str| out.note(&format!("status: {line}"));
    let report = rt.block_on(s.status(&opts, &progress))?;
    if let Some(path) = &a.html {
        write_page(path, &status_html(&report))?;
        out.note(&format!("status: HTML report written to {}", path.display()));
    }
    if a.live.plan.json {
        out.json(&serde_json::to_value(&report).map_err(anyhow::Error::from)?)?;
    } else {
        text(&report, out);
    }
    Ok(exit_code(&report))
}

/// Writes the page whole or not at all: a new file with a random name beside `path` (created,
/// never opened through an existing name or link), flushed to disk, then renamed over it; on any
/// failure the temporary file is removed.
fn write_page(path: &Path, html: &str) -> Result<(), CliError> {
    use std::io::Write;
    let fail =
        |e: std::io::Error| CliError::Other(anyhow::anyhow!("cannot write the HTML report to {}: {e}", path.display()));
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new().prefix(".ssmpatch-status-").suffix(".tmp").tempfile_in(dir).map_err(fail)?;
    tmp.write_all(html.as_bytes()).and_then(|()| tmp.as_file().sync_all()).map_err(fail)?;
    tmp.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}

/// An instant to the second.
fn at(t: jiff::Timestamp) -> String {
    jiff::Timestamp::from_second(t.as_second()).unwrap_or(t).to_string()
}

fn text(r: &StatusReport, out: &Printer) {
    let current = r.summary.verdicts.get(&Verdict::Current).copied().unwrap_or(0);
    out.line(&format!(
        "status {} ({}) at {}: {} node(s), {current} current",
        r.plan,
        r.backend.as_str(),
        at(r.at),
        r.summary.nodes
    ));
    let counts: Vec<String> = r.summary.verdicts.iter().map(|(v, n)| format!("{v} {n}")).collect();
    out.line(&format!("  {}", counts.join("  ")));
    for o in &r.operations {
        let expected = o.expected.map_or_else(|| "no run yet".to_string(), |t| format!("expected {}", at(t)));
        let run = o
            .runs
            .iter()
            .rev()
            .find(|x| x.operation == o.name)
            .map_or_else(|| "no run read".to_string(), |x| format!("run {} on {} node(s)", x.status, x.nodes));
        let next = o.next.map(|t| format!("  next {}", at(t))).unwrap_or_default();
        out.line(&format!("  {}  ({}, {})  {expected}  {run}{next}", o.name, o.report.as_str(), o.compliance_type));
    }
    if let Some(o) = &r.summary.oldest_stale {
        out.line(&format!("  oldest stale: {} {} since {}", o.instance_id, o.operation, at(o.since)));
    }
    let width = r.nodes.iter().map(|n| n.operation.len()).max().unwrap_or(0);
    for n in &r.nodes {
        out.line(&format!(
            "  {}  {:width$}  {:11}  {}",
            n.instance_id,
            n.operation,
            n.verdict.as_str(),
            out.dim(&n.reason)
        ));
        for w in &n.warnings {
            out.line(&format!("      warning: {w}"));
        }
    }
    for m in &r.messages {
        out.line(&format!("  note: {m}"));
    }
}

/// 0 when every node's every operation is current (warnings do not count); [`NOT_CURRENT`]
/// otherwise, so a scheduled job can alert.
fn exit_code(r: &StatusReport) -> ExitCode {
    if r.all_current() { ExitCode::SUCCESS } else { ExitCode::from(NOT_CURRENT) }
}
