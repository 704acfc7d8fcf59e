//! The run file `ssmpatch strategy test --input` reads (`output parse --as-run-input` writes it):
//! its committed JSON Schema is the generated one, and the example and what the conversion
//! writes validate against it.

use std::path::Path;

use ssmpatch::run_output::{OutputSource, parse};
use ssmpatch::strategy::{Pair, RunInput, StrategyRun, run_schema_json, strategy_run};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `Ok` or the validator's message for `instance` against the committed schema.
fn validate(instance: &serde_json::Value) -> Result<(), String> {
    let path = root().join("strategy-run.schema.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("core/strategy-run.schema.json")).expect("json");
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    let url = "https://ssmpatch.invalid/strategy-run.schema.json";
    compiler.add_resource(url, schema).expect("add the schema");
    let index = compiler.compile(url, &mut schemas).unwrap_or_else(|e| panic!("the schema compiles: {e}"));
    schemas.validate(instance, index).map_err(|e| format!("{e:#}"))
}

#[test]
fn the_committed_run_schema_is_the_generated_one() {
    let path = root().join("strategy-run.schema.json");
    if std::env::var_os("SSMPATCH_BLESS").is_some() {
        std::fs::write(&path, run_schema_json()).expect("write the schema");
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(
        on_disk,
        run_schema_json(),
        "regenerate with `SSMPATCH_BLESS=1 cargo test -p ssmpatch --test it strategy_run_schema`"
    );
}

#[test]
fn the_example_and_the_converted_output_validate_and_read_back() {
    let example = root().join("../examples/strategy-run.json");
    let text = std::fs::read_to_string(&example).expect("examples/strategy-run.json");
    let value: serde_json::Value = serde_json::from_str(&text).expect("json");
    validate(&value).unwrap_or_else(|e| panic!("examples/strategy-run.json: {e}"));
    serde_json::from_value::<StrategyRun>(value.clone()).expect("reads as a run file");

    // What `output parse --as-run-input` writes.
    let stdout = root().join("tests/data/runpatchbaseline-output/synth-override-install.txt");
    let stdout = std::fs::read_to_string(stdout).expect("sample");
    let report = parse(&stdout, OutputSource::Complete).expect("parse");
    let mut input = RunInput::new("2026-11-29T03:41:00Z".parse().expect("instant"));
    input.settings = vec![Pair { key: "ticket".into(), value: "CHG-1".into() }];
    let run = strategy_run(&report, &stdout, &input);
    let converted = serde_json::to_value(&run).expect("json");
    validate(&converted).unwrap_or_else(|e| panic!("the converted output: {e}"));
    assert_eq!(run.runs[0].operation, "install");
    assert_eq!(run.plan.operations[0].name, "install");

    // The schema is not a formality: a run without its node, or a backend it does not know, fails.
    let mut broken = value.clone();
    broken["runs"][0].as_object_mut().expect("run").remove("instance_id");
    let e = validate(&broken).expect_err("a run without instance_id");
    assert!(e.contains("instance_id"), "{e}");
    let mut broken = value;
    broken["plan"]["backend"] = serde_json::json!("Lambda");
    validate(&broken).expect_err("an unknown backend");
}
