//! A plan's custom strategy: its path resolved against the plan file's directory (not the current
//! directory), and loaded with its `plan` called whenever the plan is checked, so a missing
//! component, a file that is not one or settings it rejects fail before any window runs, naming
//! the plan file, the strategy and what it said.

#![cfg(feature = "aws")]

use std::path::{Path, PathBuf};

use ssmpatch::error::Error;
use ssmpatch::plan::{CompileOptions, Compliance, Plan, Source};
use ssmpatch::strategy::StrategyError;
use ssmpatch_test_support::fixture;

fn opts() -> CompileOptions {
    CompileOptions::from("2026-06-01T00:00:00Z".parse::<jiff::Timestamp>().expect("ts"))
}

/// A maintenance-window plan with `strategy` and `settings` (TOML lines of `[compliance.settings]`).
fn plan_text(strategy: &str, settings: &str) -> String {
    format!(
        r#"version = 1
name = "custom"
backend = "maintenance-window"
baseline-rules-from = "declared"
targets = {{ tags = {{ "Patch Group" = "web" }} }}

[baselines.AMAZON_LINUX_2023]
[[baselines.AMAZON_LINUX_2023.approval-rules]]
approve-after-days = 7

[operations.install]
kind = "install"
schedule = "second tuesday at 22:00"
approval = {{ approve-after-days = 21 }}

[s3]
bucket = "patch-artifacts"

[compliance]
strategy = "{strategy}"

[compliance.settings]
{settings}
"#
    )
}

/// A fresh directory for one test.
fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("ssmpatch-plan-strategy-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("dir");
    d
}

fn custom_path(p: &Plan) -> &Path {
    match &p.compliance {
        Compliance::Custom { path } => path,
        other => panic!("not a custom strategy: {other:?}"),
    }
}

#[test]
fn a_relative_strategy_path_is_relative_to_the_plan_files_directory() {
    let d = dir("relative");
    std::fs::create_dir_all(d.join("strategies")).expect("dir");
    std::fs::copy(fixture("fixture-oversized"), d.join("strategies/mine.wasm")).expect("copy");
    let file = d.join("plan.toml");
    std::fs::write(&file, plan_text("strategies/mine.wasm", "count = \"1\"")).expect("write");
    // The tests run in core/, not in the plan's directory.
    assert_ne!(std::env::current_dir().expect("cwd"), d);
    let p = Plan::load(&file).expect("plan");
    assert_eq!(custom_path(&p), d.join("strategies/mine.wasm"));
    let explained = ssmpatch::session::explain(&p, &opts()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(explained.additions.operations.iter().map(|a| a.name.as_str()).collect::<Vec<_>>(), ["extra-0"]);

    // An absolute path is kept as written.
    let absolute = d.join("strategies/mine.wasm").display().to_string();
    std::fs::write(&file, plan_text(&absolute, "")).expect("write");
    assert_eq!(custom_path(&Plan::load(&file).expect("plan")), Path::new(&absolute));

    // A plan given as text without a file name: relative to the current directory, as written.
    let p = Plan::from_source(Source::new(None, plan_text("strategies/mine.wasm", ""))).expect("plan");
    assert_eq!(custom_path(&p), Path::new("strategies/mine.wasm"));
    // A bare file name has the current directory as its directory.
    let p = Plan::from_source(Source::new(Some("plan.toml"), plan_text("mine.wasm", ""))).expect("plan");
    assert_eq!(custom_path(&p), Path::new("mine.wasm"));
    let _ = std::fs::remove_dir_all(&d);
}

/// The error `session::explain` (what `validate`, `explain`, `plan` and `apply` run) gives.
fn explain_error(file: &Path) -> (StrategyError, String) {
    let p = Plan::load(file).expect("the plan itself is valid");
    match ssmpatch::session::explain(&p, &opts()) {
        Err(Error::Strategy(e)) => {
            let text = e.to_string();
            (e, text)
        }
        Err(other) => panic!("not a strategy error: {other}"),
        Ok(_) => panic!("{} was accepted", file.display()),
    }
}

#[test]
fn a_missing_component_a_file_that_is_not_one_and_rejected_settings_fail_naming_plan_and_strategy() {
    let d = dir("errors");
    let file = d.join("plan.toml");
    let shown = |p: &str| d.join(p).display().to_string();

    std::fs::write(&file, plan_text("gone.wasm", "")).expect("write");
    let (e, text) = explain_error(&file);
    assert!(matches!(e, StrategyError::InPlan { .. }), "{e:?}");
    assert!(text.starts_with(&format!("strategy `{}` cannot be loaded", shown("gone.wasm"))), "{text}");
    assert!(text.contains("nor a readable file"), "{text}");
    assert!(
        text.ends_with(&format!("(the compliance strategy of plan `custom` ({}, line 20))", file.display())),
        "{text}"
    );

    std::fs::write(d.join("notes.wasm"), "not a component").expect("write");
    std::fs::write(&file, plan_text("notes.wasm", "")).expect("write");
    let (_, text) = explain_error(&file);
    assert!(text.starts_with(&format!("strategy `{}` cannot be loaded: ", shown("notes.wasm"))), "{text}");
    assert!(text.contains(&file.display().to_string()), "{text}");

    // The component's own `plan` rejects the settings: its message, the plan and the strategy.
    std::fs::copy(fixture("fixture-oversized"), d.join("mine.wasm")).expect("copy");
    std::fs::write(&file, plan_text("mine.wasm", "count = \"many\"")).expect("write");
    let (_, text) = explain_error(&file);
    assert!(
        text.starts_with(&format!(
            "strategy `{}` returned an error: setting `count` = `many`: invalid digit found in string",
            shown("mine.wasm")
        )),
        "{text}"
    );
    assert!(text.contains(&file.display().to_string()), "{text}");

    // Good settings pass.
    std::fs::write(&file, plan_text("mine.wasm", "count = \"1\"")).expect("write");
    ssmpatch::session::explain(&Plan::load(&file).expect("plan"), &opts()).unwrap_or_else(|e| panic!("{e}"));
    let _ = std::fs::remove_dir_all(&d);
}
