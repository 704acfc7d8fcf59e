//! `ssmpatch strategy list|test`.

use std::process::ExitCode;

use serde_json::json;
use ssmpatch::error::Error;
use ssmpatch::input;
use ssmpatch::run_output::{OutputSource, parse as parse_output};
use ssmpatch::strategy::{BUILTIN, Host, Limits, Pair, PlanInfo, RunResult, StrategyBackend, load, run_result};

use crate::args::{StrategyNewArgs, StrategyTestArgs};
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

/// The SDK this binary was built with.
const SDK_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../wasm-policies/sdk");

pub fn new(a: StrategyNewArgs, out: &Printer) -> Result<ExitCode, CliError> {
    let valid = !a.name.is_empty()
        && a.name.len() <= 64
        && a.name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && a.name.starts_with(|c: char| c.is_ascii_lowercase());
    if !valid {
        return Err(CliError::Input(
            format!("`{}` is not a crate name ssmpatch scaffolds", input::echo(&a.name)),
            Some("use lowercase letters, digits and `-`, starting with a letter, e.g. `critical-only`".into()),
        ));
    }
    let dir = a.dir.join(&a.name);
    if dir.exists() {
        return Err(CliError::Input(
            format!("`{}` already exists", dir.display()),
            Some("choose another name or --dir".into()),
        ));
    }
    let sdk = match &a.sdk {
        Some(p) => p.clone(),
        None => std::path::Path::new(SDK_DIR).canonicalize().map_err(|e| {
            CliError::Input(
                format!("the SDK is not at {SDK_DIR}: {e}"),
                Some("pass --sdk PATH/TO/wasm-policies/sdk".into()),
            )
        })?,
    };
    let sdk = sdk.display().to_string().replace('\\', "/");
    let module = a.name.replace('-', "_");
    let cargo = format!(
        "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n[lib]\ncrate-type = [\"cdylib\"]\n\n\
         [dependencies]\nssmpatch-strategy-sdk = {{ path = \"{sdk}\" }}\n\n[profile.release]\nopt-level = \"s\"\nlto = true\npanic = \"abort\"\nstrip = true\n\n\
         # A workspace of its own, so it builds wherever it is created.\n[workspace]\n",
        name = a.name
    );
    let lib = format!(
        "//! `{name}`: a compliance strategy for ssmpatch.\n//!\n//! Build: `cargo build --release --target wasm32-wasip2`\n\
         //! Try:   `ssmpatch strategy test target/wasm32-wasip2/release/{module}.wasm --output-file STDOUT.txt`\n\n\
         use ssmpatch_strategy_sdk::{{Action, PlanInfo, RunResult, Strategy, export_strategy}};\n\n\
         struct MyStrategy;\n\n\
         impl Strategy for MyStrategy {{\n    \
         fn after_run(plan: PlanInfo, runs: Vec<RunResult>) -> Result<Vec<Action>, String> {{\n        \
         let noncompliant = runs.iter().filter(|r| !r.all_compliant).count();\n        \
         Ok(vec![Action::Message(format!(\"{{}}: {{}} of {{}} nodes not compliant\", plan.name, noncompliant, runs.len()))])\n    \
         }}\n}}\n\nexport_strategy!(MyStrategy);\n",
        name = a.name
    );
    let write = |path: std::path::PathBuf, text: &str| {
        std::fs::write(&path, text).map_err(|e| CliError::Input(format!("cannot write {}: {e}", path.display()), None))
    };
    std::fs::create_dir_all(dir.join("src"))
        .map_err(|e| CliError::Input(format!("cannot create {}: {e}", dir.display()), None))?;
    write(dir.join("Cargo.toml"), &cargo)?;
    write(dir.join("src/lib.rs"), &lib)?;
    write(dir.join(".gitignore"), "/target\n")?;
    out.line(&format!("created {} — build it with:", dir.display()));
    out.line(&format!("  cd {} && cargo build --release --target wasm32-wasip2", dir.display()));
    out.line(&format!("  ssmpatch strategy test target/wasm32-wasip2/release/{module}.wasm --output-file STDOUT.txt"));
    Ok(ExitCode::SUCCESS)
}
