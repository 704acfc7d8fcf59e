//! `ssmpatch strategy list|test`.

use std::process::ExitCode;

use serde_json::json;
use ssmpatch::error::Error;
use ssmpatch::input;
use ssmpatch::run_output::{OutputSource, parse as parse_output};
use ssmpatch::strategy::{BUILTIN, Host, Limits, Pair, PlanInfo, RunResult, StrategyBackend, load, run_result};

use crate::args::StrategyTestArgs;
use crate::error::CliError;
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
    let limits = Limits::default().with(a.fuel, a.timeout_seconds, a.memory_mib);
    let host = Host::new(limits).map_err(|e| CliError::Other(e.into()))?;
    let strategy = load(&host, &a.strategy).map_err(|e| CliError::from(Error::from(e)))?;
    let input = match (&a.input, &a.output_file) {
        (Some(p), _) => {
            let text = input::read_file(p, input::OUTPUT_FILE_LIMIT, "run file")
                .map_err(|e| CliError::Input(e.to_string(), Some(e.hint())))?;
            serde_json::from_str::<Input>(&text).map_err(|e| {
                CliError::Input(
                    format!("{}: {e}", p.display()),
                    Some("see examples/strategy-run.json for the shape".into()),
                )
            })?
        }
        (None, Some(p)) => {
            let text = input::read_file(p, input::OUTPUT_FILE_LIMIT, "output file")
                .map_err(|e| CliError::Input(e.to_string(), Some(e.hint())))?;
            let report = parse_output(&text, OutputSource::Complete)
                .map_err(|e| CliError::Input(format!("{}: {e}", p.display()), Some(e.hint.clone())))?;
            let run = run_result(&report, "test", "test-execution", "1970-01-01T00:00:00Z", &text);
            let settings = a
                .settings
                .iter()
                .map(|s| match s.split_once('=') {
                    Some((k, v)) => Ok(Pair { key: k.into(), value: v.into() }),
                    None => Err(CliError::Input(format!("--setting `{}` is not KEY=VALUE", input::echo(s)), None)),
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
    let added = strategy.plan(&input.plan).map_err(|e| CliError::from(Error::from(e)))?;
    let actions = strategy.after_run(&input.plan, &input.runs).map_err(|e| CliError::from(Error::from(e)))?;
    out.json(&json!({"strategy": strategy.name(), "added_operations": added, "actions": actions}))?;
    Ok(ExitCode::SUCCESS)
}
