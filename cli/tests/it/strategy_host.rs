//! `ssmpatch strategy test` shows what the host would do with a strategy's answers (written, scan
//! started, skipped, rejected, and why), with the run's operation, execution id and time as flags;
//! `output parse --as-run-input` writes the run file `strategy test --input` reads.

use serde_json::json;

use crate::util::{ok, ok_json, run, text};

const STDOUT: &str = "core/tests/data/runpatchbaseline-output/synth-override-scan-noncompliant.txt";
const RUN_FLAGS: [&str; 6] =
    ["--operation", "install", "--execution-id", "cmd-42", "--time", "2026-11-29T12:41:00+09:00"];

fn scratch(name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("ssmpatch-strategy-host-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("scratch file");
    path
}

fn invalid(args: &[&str]) -> String {
    let o = run(args);
    assert_eq!(o.status.code(), Some(2), "{}: {}", args.join(" "), text(&o.stdout));
    assert_eq!(text(&o.stdout), "", "{}", args.join(" "));
    text(&o.stderr)
}

#[test]
fn strategy_test_prints_the_hosts_decisions_with_the_runs_operation_id_and_time() {
    let args =
        [&["strategy", "test", "put-compliance-items", "--output-file", STDOUT, "--json"][..], &RUN_FLAGS].concat();
    let v = ok_json(&run(&args));
    let put = &v["actions"][0]["PutCompliance"];
    assert_eq!(put["execution_id"], "cmd-42");
    // Any RFC 3339 offset, as the instant in UTC.
    assert_eq!(put["execution_time"], "2026-11-29T03:41:00Z");
    assert_eq!(
        v["host"]["nodes"],
        json!([{
            "instance_id": "i-0123456789abcdef0",
            "operation": "install",
            "execution_id": "cmd-42",
            "result": "compliance-written",
            "detail": "2 item(s) as Custom:ssmpatch (COMPLETE)"
        }])
    );
    assert!(v["host"]["notes"][0].as_str().is_some_and(|n| n.contains("Linux")), "{v:#}");

    // The same in text.
    let t =
        ok(&run(&[&["strategy", "test", "put-compliance-items", "--output-file", STDOUT][..], &RUN_FLAGS].concat()));
    assert!(t.starts_with("strategy put-compliance-items\n"), "{t}");
    assert!(
        t.contains("the host would:\n  i-0123456789abcdef0  install    compliance-written 2 item(s) as Custom:ssmpatch (COMPLETE)\n"),
        "{t}"
    );

    // rescan: a scan without override would be started.
    let v = ok_json(&run(&["strategy", "test", "rescan", "--input", "examples/strategy-run.json", "--json"]));
    assert_eq!(v["host"]["nodes"][0]["result"], "scan-started", "{v:#}");
}

#[test]
fn a_second_complete_upload_for_one_node_is_shown_rejected() {
    // Two runs of one node: put-compliance-items answers with a COMPLETE upload for each.
    let mut file: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(ssmpatch_test_support::standin::root().join("examples/strategy-run.json"))
            .expect("example"),
    )
    .expect("json");
    let mut second = file["runs"][0].clone();
    second["execution_id"] = json!("8d3c1c2e-0000-4000-8000-000000000002");
    file["runs"].as_array_mut().expect("runs").push(second);
    let path = scratch("two-runs.json", file.to_string().as_bytes());
    let p = path.to_str().expect("utf-8");
    let v = ok_json(&run(&["strategy", "test", "put-compliance-items", "--input", p, "--json"]));
    let results: Vec<&str> =
        v["host"]["nodes"].as_array().expect("nodes").iter().map(|n| n["result"].as_str().unwrap_or("")).collect();
    assert_eq!(results, ["compliance-written", "rejected"], "{v:#}");
    assert!(
        v["host"]["nodes"][1]["detail"]
            .as_str()
            .is_some_and(|d| d.contains("a second upload of `Custom:PatchPreview`")),
        "{v:#}"
    );
    let t = ok(&run(&["strategy", "test", "put-compliance-items", "--input", p]));
    assert!(t.contains("rejected"), "{t}");
}

#[test]
fn run_flags_are_validated_and_belong_to_output_files() {
    let base = ["strategy", "test", "put-compliance-items", "--output-file", STDOUT];
    let err = invalid(&[&base[..], &["--time", "yesterday"]].concat());
    assert!(err.contains("`yesterday` is not an RFC 3339 instant"), "{err}");
    let err = invalid(&[&base[..], &["--execution-id", &"x".repeat(101)]].concat());
    assert!(err.contains("is not a Run Command id") && err.contains("1-100 characters"), "{err}");
    let err = invalid(&[&base[..], &["--compliance-type", "AWS:Nope"]].concat());
    assert!(err.contains("`AWS:Nope` is not a compliance type"), "{err}");
    let err = invalid(&[&base[..], &["--setting", "novalue"]].concat());
    assert!(err.contains("`novalue` is not KEY=VALUE"), "{err}");
    let err = invalid(&["strategy", "test", "rescan", "--input", "examples/strategy-run.json", "--operation", "x"]);
    assert!(err.contains("--operation apply to --output-file"), "{err}");
    let err = invalid(&["output", "parse", STDOUT, "--time", "2026-11-29T03:41:00Z"]);
    assert!(err.contains("--time describe the run file: they need --as-run-input"), "{err}");
}

#[test]
fn output_parse_as_run_input_writes_what_strategy_test_reads() {
    let written =
        ok(&run(
            &[&["output", "parse", STDOUT, "--as-run-input", "--setting", "ticket=CHG-1"][..], &RUN_FLAGS].concat()
        ));
    let file: serde_json::Value = serde_json::from_str(&written).expect("json");
    assert_eq!(file["plan"]["operations"], json!([{"name": "install", "kind": "Scan", "uses_override": true}]));
    assert_eq!(file["plan"]["settings"], json!([{"key": "ticket", "value": "CHG-1"}]));
    assert_eq!(file["runs"][0]["execution_time"], "2026-11-29T03:41:00Z");
    let path = scratch("run.json", written.as_bytes());
    let from_file = ok_json(&run(&[
        "strategy",
        "test",
        "put-compliance-items",
        "--input",
        path.to_str().expect("utf-8"),
        "--json",
    ]));
    let direct =
        ok_json(&run(&[
            &[
                "strategy",
                "test",
                "put-compliance-items",
                "--output-file",
                STDOUT,
                "--json",
                "--setting",
                "ticket=CHG-1",
            ][..],
            &RUN_FLAGS,
        ]
        .concat()));
    assert_eq!(from_file, direct);
    assert_eq!(from_file["host"]["nodes"][0]["result"], "compliance-written");
    // `--json` is the parsed report, not the run file: one or the other.
    // With `--json` the usage error is one JSON object on stdout (the CLI's convention), exit 2.
    let o = run(&["output", "parse", STDOUT, "--as-run-input", "--json"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stdout));
    let e: serde_json::Value = serde_json::from_slice(&o.stdout).expect("one JSON object on stdout");
    assert_eq!(e["error"]["code"], "usage", "{e}");
    let err = e["error"]["message"].as_str().unwrap_or_default();
    assert!(err.contains("cannot be used with"), "{err}");
}
