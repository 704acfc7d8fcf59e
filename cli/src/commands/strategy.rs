//! `ssmpatch strategy list|test`: `test` runs a strategy on saved runs and prints what the host would
//! do with its answers (`ssmpatch::compliance::dry_run`, refresh's own decisions).

use std::process::ExitCode;

use ssmpatch::compliance::{DryRun, NodeResult, dry_run};
use ssmpatch::error::Error;
use ssmpatch::input;
use ssmpatch::run_output::{OutputSource, parse as parse_output};
use ssmpatch::strategy::{Action, BUILTIN, Host, Limits, OperationKind, StrategyRun, UploadType, load};

use crate::args::{StrategyNewArgs, StrategyTestArgs};
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
    let host = Host::new(limits).map_err(|e| CliError::Other(e.into()))?;
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
