//! `ssmpatch output parse FILE` — what AWS-RunPatchBaseline printed, as data, or as the run file
//! `strategy test --input` reads (`--as-run-input`).

use std::process::ExitCode;

use ssmpatch::input;
use ssmpatch::run_output::{OutputSource, RunReport, parse as parse_output};
use ssmpatch::strategy::{Pair, RunInput, StrategyRun, compliance_type_is_valid, strategy_run};

use crate::args::{OutputParseArgs, RunInputArgs};
use crate::error::CliError;
use crate::printer::Printer;

/// PutComplianceItems' `ExecutionId` is at most 100 characters (botocore's SSM model).
const EXECUTION_ID_MAX: usize = 100;

/// The run file for `report` (one node's output `raw`), from the flags: the one conversion of
/// `strategy test --output-file` and `output parse --as-run-input`.
pub fn run_file(a: &RunInputArgs, report: &RunReport, raw: &str) -> Result<StrategyRun, CliError> {
    // Now, to the second, unless given.
    let now =
        || jiff::Timestamp::from_second(jiff::Timestamp::now().as_second()).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let mut input = RunInput::new(a.time.unwrap_or_else(now));
    if let Some(op) = &a.operation {
        if op.is_empty() || op.chars().count() > 64 || op.chars().any(char::is_control) {
            return Err(CliError::Input(
                format!("--operation `{}` is not an operation name", input::echo(op)),
                Some("give the plan operation the run belongs to, e.g. `install` (1-64 characters)".into()),
            ));
        }
        input.operation = Some(op.clone());
    }
    if let Some(id) = &a.execution_id {
        if id.is_empty() || id.chars().count() > EXECUTION_ID_MAX || id.chars().any(char::is_control) {
            return Err(CliError::Input(
                format!("--execution-id `{}` is not a Run Command id", input::echo(id)),
                Some(format!(
                    "give 1-{EXECUTION_ID_MAX} characters (PutComplianceItems ExecutionId), e.g. the command id"
                )),
            ));
        }
        input.execution_id = id.clone();
    }
    if let Some(t) = &a.compliance_type {
        if !compliance_type_is_valid(t) {
            return Err(CliError::Input(
                format!("--compliance-type `{}` is not a compliance type ssmpatch writes", input::echo(t)),
                Some(ssmpatch::strategy::COMPLIANCE_TYPE_HINT.into()),
            ));
        }
        input.compliance_type = t.clone();
    }
    input.settings = a
        .settings
        .iter()
        .map(|s| match s.split_once('=') {
            Some((k, v)) if !k.is_empty() => Ok(Pair { key: k.into(), value: v.into() }),
            _ => Err(CliError::Input(
                format!("--setting `{}` is not KEY=VALUE", input::echo(s)),
                Some("e.g. --setting ticket=CHG-1234".into()),
            )),
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(strategy_run(report, raw, &input))
}

pub fn parse(a: OutputParseArgs, out: &Printer) -> Result<ExitCode, CliError> {
    let given = a.run.given();
    if !a.as_run_input && !given.is_empty() {
        return Err(CliError::Input(
            format!("{} describe the run file: they need --as-run-input", given.join(", ")),
            None,
        ));
    }
    let name = a.file.display().to_string();
    let read = if name == "-" {
        input::read_from(std::io::stdin().lock(), "stdin", input::OUTPUT_FILE_LIMIT, "output file")
    } else {
        input::read_file(&a.file, input::OUTPUT_FILE_LIMIT, "output file")
    };
    let text = read.map_err(|e| CliError::Input(e.to_string(), Some(e.hint())))?;
    let source = if a.from_invocation { OutputSource::Invocation } else { OutputSource::Complete };
    let r = parse_output(&text, source).map_err(|e| CliError::Input(format!("{name}: {e}"), Some(e.hint.clone())))?;
    if a.as_run_input {
        let run = run_file(&a.run, &r, &text)?;
        out.json(&serde_json::to_value(&run).map_err(anyhow::Error::from)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    if a.json {
        out.json(&serde_json::to_value(&r).map_err(anyhow::Error::from)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    let op = r.operation.map(|o| format!("{o:?}")).unwrap_or_else(|| "unknown operation".into());
    out.line(&format!(
        "{} {op}{}: {}",
        r.instance_id.as_deref().unwrap_or("(no instance id)"),
        if r.details.baseline_override { " with BaselineOverride" } else { "" },
        if r.all_compliant {
            out.good("all compliant")
        } else {
            out.bad(&format!("{} non-compliant package(s)", r.non_compliant.len()))
        }
    ));
    for p in &r.non_compliant {
        out.line(&format!(
            "  {}  {}  {}",
            p["Title"].as_str().or(p["Id"].as_str()).unwrap_or("?"),
            p["PatchState"].as_str().unwrap_or(""),
            out.dim(p["PatchSeverity"].as_str().unwrap_or(""))
        ));
    }
    if !r.details.other_runs.is_empty() {
        let lines: Vec<String> = r.details.other_runs.iter().map(usize::to_string).collect();
        out.note(&format!(
            "note: the output holds {} more run(s) of this node (from line {}); shown is the last complete one",
            lines.len(),
            lines.join(", ")
        ));
    }
    for u in &r.details.unsupported {
        out.note(&format!("note: not readable: {u}"));
    }
    if r.truncated {
        out.note(
            "warning: the output is truncated; read the complete output from S3 before writing compliance from it",
        );
    }
    Ok(ExitCode::SUCCESS)
}
