//! `ssmpatch strategy list|test`.

use std::process::ExitCode;

use serde_json::json;
use ssmpatch::compliance::output::{OutputSource, parse as parse_output};
use ssmpatch::strategy::{BUILTIN, Host, Limits, Pair, PlanInfo, RunResult, StrategyBackend, builtin, run_result};

use super::CliError;
use crate::args::StrategyTestArgs;
use crate::printer::Printer;

pub fn list(out: &Printer) -> Result<ExitCode, CliError> {
    for (name, bytes) in BUILTIN {
        out.line(&format!("{name:24} built in, {} KB component", bytes.len().div_ceil(1024)));
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(serde::Deserialize)]
struct Input {
    plan: PlanInfo,
    runs: Vec<RunResult>,
}

pub fn test(a: StrategyTestArgs, out: &Printer) -> Result<ExitCode, CliError> {
    let host = Host::new(Limits::default()).map_err(|e| CliError::Other(e.into()))?;
    let strategy = match builtin(&a.strategy) {
        Some(bytes) => host.load(&a.strategy, bytes),
        None => {
            let bytes = std::fs::read(&a.strategy).map_err(|e| {
                CliError::Input(
                    format!("`{}` is neither a built-in strategy nor a readable file: {e}", a.strategy),
                    Some("`ssmpatch strategy list` shows the built-in ones".into()),
                )
            })?;
            host.load(&a.strategy, &bytes)
        }
    }
    .map_err(|e| CliError::Input(e.to_string(), None))?;
    let input = match (&a.input, &a.output_file) {
        (Some(p), _) => {
            let text = std::fs::read_to_string(p)
                .map_err(|e| CliError::Input(format!("cannot read `{}`: {e}", p.display()), None))?;
            serde_json::from_str::<Input>(&text).map_err(|e| {
                CliError::Input(
                    format!("{}: {e}", p.display()),
                    Some("see examples/strategy-run.json for the shape".into()),
                )
            })?
        }
        (None, Some(p)) => {
            let text = std::fs::read_to_string(p)
                .map_err(|e| CliError::Input(format!("cannot read `{}`: {e}", p.display()), None))?;
            let report = parse_output(&text, OutputSource::Complete)
                .map_err(|e| CliError::Input(format!("{}: {e}", p.display()), Some(e.hint.clone())))?;
            let run = run_result(&report, "test", "test-execution", "1970-01-01T00:00:00Z", &text);
            let settings = a
                .settings
                .iter()
                .map(|s| match s.split_once('=') {
                    Some((k, v)) => Ok(Pair { key: k.into(), value: v.into() }),
                    None => Err(CliError::Input(format!("--setting `{s}` is not KEY=VALUE"), None)),
                })
                .collect::<Result<Vec<_>, _>>()?;
            let plan = PlanInfo {
                name: "test".into(),
                backend: StrategyBackend::MaintenanceWindow,
                operations: Vec::new(),
                settings,
                compliance_type: a.compliance_type.clone(),
            };
            Input { plan, runs: vec![run] }
        }
        (None, None) => return Err(CliError::Input("give --input RUN.json or --output-file STDOUT".into(), None)),
    };
    let added = strategy.plan(&input.plan).map_err(|e| CliError::Input(e.to_string(), None))?;
    let actions = strategy.after_run(&input.plan, &input.runs).map_err(|e| CliError::Input(e.to_string(), None))?;
    out.json(&json!({"strategy": strategy.name(), "added_operations": added, "actions": actions}))?;
    Ok(ExitCode::SUCCESS)
}
