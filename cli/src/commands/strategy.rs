//! `ssmpatch strategy list|test`: `test` runs a strategy on saved runs and prints what the host would
//! do with its answers (`ssmpatch::compliance::dry_run`, refresh's own decisions).

use std::process::ExitCode;

use ssmpatch::compliance::{DryRun, NodeResult, dry_run};
use ssmpatch::error::Error;
use ssmpatch::input;
use ssmpatch::run_output::{OutputSource, parse as parse_output};
use ssmpatch::strategy::{Action, BUILTIN, Host, Limits, OperationKind, StrategyRun, UploadType, load};

use crate::args::StrategyTestArgs;
use crate::commands::output::run_file;
use crate::error::CliError;
use crate::printer::Printer;

pub fn list(out: &Printer) -> Result<ExitCode, CliError> {
    for (name, bytes) in BUILTIN {
        out.line(&format!("{name:24} built in, {} KB component", bytes.len().div_ceil(1024)));
    }
    Ok(ExitCode::SUCCESS)
}

pub fn test(a: StrategyTestArgs, out: &Printer) -> Result<ExitCode, CliError> {
    let limits = Limits::default().with(a.fuel, a.timeout_seconds, a.memory_mib);
    let host = Host::new(limits).map_err(|e| CliError::from(Error::from(e)))?;
    let strategy = load(&host, &a.strategy).map_err(|e| CliError::from(Error::from(e)))?;
    let input = match (&a.input, &a.output_file) {
        (Some(p), _) => {
            let given = a.run.given();
            if !given.is_empty() {
                return Err(CliError::Input(
                    format!("{} apply to --output-file; a run file carries its own", given.join(", ")),
                    Some("edit RUN.json, or make it with `ssmpatch output parse STDOUT --as-run-input ...`".into()),
                ));
            }
            let text = input::read_file(p, input::OUTPUT_FILE_LIMIT, "run file")
                .map_err(|e| CliError::Input(e.to_string(), Some(e.hint())))?;
            serde_json::from_str::<StrategyRun>(&text).map_err(|e| {
                CliError::Input(
                    format!("{}: {e}", p.display()),
                    Some(
                        "see core/strategy-run.schema.json and examples/strategy-run.json for the shape; \
                         `ssmpatch output parse STDOUT --as-run-input` writes one"
                            .into(),
                    ),
                )
            })?
        }
        (None, Some(p)) => {
            let text = input::read_file(p, input::OUTPUT_FILE_LIMIT, "output file")
                .map_err(|e| CliError::Input(e.to_string(), Some(e.hint())))?;
            let report = parse_output(&text, OutputSource::Complete)
                .map_err(|e| CliError::Input(format!("{}: {e}", p.display()), Some(e.hint.clone())))?;
            run_file(&a.run, &report, &text)?
        }
        (None, None) => return Err(CliError::Input("give --input RUN.json or --output-file STDOUT".into(), None)),
    };
    let done = dry_run(&strategy, &input.plan, &input.runs).map_err(|e| CliError::from(Error::from(e)))?;
    if a.json {
        out.json(&serde_json::to_value(&done).map_err(anyhow::Error::from)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    print(&done, input.runs.len(), out);
    Ok(ExitCode::SUCCESS)
}

/// The strategy's answers, then what the host would do with them, node by node.
fn print(d: &DryRun, runs: usize, out: &Printer) {
    out.line(&format!("strategy {}", d.strategy));
    if d.added_operations.is_empty() {
        out.line("  plan: adds no operation");
    }
    for o in &d.added_operations {
        let with = if o.uses_override { " with its override" } else { "" };
        let kind = match o.kind {
            OperationKind::Scan => "scan",
            OperationKind::Install => "install",
            _ => "operation",
        };
        out.line(&format!("  plan: adds `{}`, a {kind} after `{}`{with}", o.name, o.after));
    }
    out.line(&format!("  after-run on {runs} run(s): {} action(s)", d.actions.len()));
    for a in &d.actions {
        let text = match a {
            Action::PutCompliance(p) => format!(
                "put compliance {} for {}: {} item(s), {} upload",
                p.compliance_type,
                p.instance_id,
                p.items.len(),
                match p.upload_type {
                    UploadType::Complete => "COMPLETE",
                    _ => "PARTIAL",
                }
            ),
            Action::StartScan(nodes) => format!("start a scan without override on {}", nodes.join(", ")),
            Action::Message(m) => format!("message: {m}"),
            other => format!("{other:?}"),
        };
        out.line(&format!("    {text}"));
    }
    out.line("the host would:");
    for n in &d.host.nodes {
        let result = match n.result {
            NodeResult::ComplianceWritten | NodeResult::ScanStarted | NodeResult::NoAction => {
                out.good(n.result.as_str())
            }
            _ => out.bad(n.result.as_str()),
        };
        out.line(&format!("  {}  {:10} {:18} {}", n.instance_id, n.operation, result, out.dim(&n.detail)));
    }
    for m in &d.host.messages {
        out.line(&format!("  message: {m}"));
    }
    for note in &d.host.notes {
        out.line(&format!("  note: {note}"));
    }
}
