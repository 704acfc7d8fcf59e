//! `ssmpatch plan|apply|destroy` against the local AWS stand-in, as a user runs them — including
//! an apply killed part way, after which the next apply converges without duplicates.
//!
//! Needs the project's virtualenv (scripts/setup.sh); `scripts/test.sh` runs these
//! (`--include-ignored`).

use std::io::Read;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use ssmpatch_test_support::standin::{StandIn, root};

/// A stand-in with the example plans' bucket.
fn started() -> StandIn {
    let si = StandIn::start();
    si.create_bucket("web-patching-artifacts", "ap-northeast-1");
    si
}

fn cmd(si: &StandIn, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ssmpatch"));
    c.args(args).current_dir(root()).env("NO_COLOR", "1");
    si.aws_env(&mut c);
    c
}

fn run(si: &StandIn, args: &[&str]) -> Output {
    cmd(si, args).output().expect("run ssmpatch")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn window_names(si: &StandIn) -> Vec<String> {
    let out = si
        .boto3(
            "import boto3; c = boto3.client('ssm', region_name='ap-northeast-1'); \
             print('\\n'.join(sorted(w['Name'] for w in c.describe_maintenance_windows()['WindowIdentities'])))",
        )
        .output()
        .expect("boto3");
    text(&out.stdout).lines().filter(|l| !l.is_empty()).map(str::to_string).collect()
}

#[test]
#[ignore = "needs the local AWS stand-in (scripts/test.sh runs it)"]
fn apply_then_no_changes_then_destroy() {
    let si = started();
    let plan = "examples/seed-placed.toml";
    let out = run(&si, &["plan", plan, "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let diff: serde_json::Value = serde_json::from_slice(&out.stdout).expect("diff JSON");
    assert!(diff["changes"].as_array().expect("changes").iter().all(|c| c["action"] == "create"));

    let out = run(&si, &["apply", plan, "--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("applied 11 resource(s) on maintenance-window"), "{}", text(&out.stdout));
    assert!(text(&out.stderr).contains("creating maintenance-window ssmpatch-web-monthly-placed-install"));

    let out = run(&si, &["apply", plan, "--yes"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).ends_with("no changes\n"), "{}", text(&out.stdout));

    // Without --yes and without a terminal, apply refuses.
    let touched = examples_copy_with_duration(&si, 5);
    let out = cmd(&si, &["apply", &touched]).stdin(Stdio::null()).output().expect("run");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("--yes"));

    let out = run(&si, &["destroy", plan, "--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(window_names(&si), Vec::<String>::new(), "{}", text(&out.stdout));
}

/// The seed-placed plan with another install window duration, as a temporary file.
fn examples_copy_with_duration(_si: &StandIn, hours: u32) -> String {
    let text = std::fs::read_to_string(root().join("examples/seed-placed.toml")).expect("example");
    let changed = text.replace("window-duration-hours = 4", &format!("window-duration-hours = {hours}"));
    let dir = std::env::temp_dir().join(format!("ssmpatch-live-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let path = dir.join("seed-placed.toml");
    std::fs::write(&path, changed).expect("write");
    path.display().to_string()
}

#[test]
#[ignore = "needs the local AWS stand-in (scripts/test.sh runs it)"]
fn an_apply_killed_part_way_converges_on_the_next_apply() {
    let si = started();
    let plan = "examples/seed-monthly.toml";
    // Slow every write down with throttling so the kill lands mid-apply; the SDK retries.
    si.set_faults(&serde_json::json!({
        "throttle": 0.5,
        "seed": 3,
        "operations": ["RegisterTargetWithMaintenanceWindow", "RegisterTaskWithMaintenanceWindow", "CreateMaintenanceWindow"],
    }));
    let mut child = cmd(&si, &["apply", plan, "--yes", "--concurrency", "1"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("apply");
    std::thread::sleep(Duration::from_millis(1500));
    let _ = child.kill();
    let _ = child.wait();
    let mut progress = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut progress);
    }
    si.set_faults(&serde_json::json!({}));
    let out = run(&si, &["apply", plan, "--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = run(&si, &["plan", plan]);
    assert!(
        text(&out.stdout).lines().any(|l| l == "no changes"),
        "after the kill ({progress}):\n{}",
        text(&out.stdout)
    );
    // Exactly one window per operation or one-shot date: no duplicates.
    let names = window_names(&si);
    let mut unique = names.clone();
    unique.dedup();
    assert_eq!(names, unique, "duplicate windows after a killed apply");
    assert_eq!(names.len(), 3, "{names:?}");
}

/// The seed plan with put-compliance-items, as a temporary file.
fn seed_with_put_compliance_items() -> String {
    let text = std::fs::read_to_string(root().join("examples/seed-monthly.toml")).expect("example");
    assert!(text.contains("[compliance]\nstrategy = \"rescan\""));
    let changed =
        text.replace("[compliance]\nstrategy = \"rescan\"", "[compliance]\nstrategy = \"put-compliance-items\"");
    let dir = std::env::temp_dir().join(format!("ssmpatch-live-refresh-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let path = dir.join("seed.toml");
    std::fs::write(&path, changed).expect("write");
    path.display().to_string()
}

#[test]
#[ignore = "needs the local AWS stand-in (scripts/test.sh runs it)"]
fn refresh_writes_compliance_after_an_install_window() {
    let si = started();
    let region = "ap-northeast-1";
    let node = "i-0123456789abcdef0";
    si.seed_nodes(&serde_json::json!({"region": region, "nodes": [{
        "InstanceId": node, "OperatingSystem": "AMAZON_LINUX_2023", "Tags": {"Patch Group": "web"},
        "Installed": [{"Name": "openssl", "Arch": "x86_64", "Version": "3.0.7", "Release": "1.amzn2023", "Epoch": "1"}],
        "Available": [{"Name": "openssl", "Arch": "x86_64", "Version": "3.0.8", "Release": "1.amzn2023", "Epoch": "1",
                       "Classification": "Security", "Severity": "Critical", "ReleaseDate": "2026-01-01T00:00:00Z",
                       "CVEIds": ["CVE-2026-0001"], "FailInstall": true}]}]}));
    let plan = seed_with_put_compliance_items();
    let out = run(&si, &["apply", &plan, "--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let window = si
        .boto3(
            "import boto3; c = boto3.client('ssm', region_name='ap-northeast-1'); \
             print(next(w['WindowId'] for w in c.describe_maintenance_windows()['WindowIdentities'] \
             if w['Name'] == 'ssmpatch-web-monthly-install'))",
        )
        .output()
        .expect("boto3");
    let window = text(&window.stdout).trim().to_string();
    si.control("POST", &format!("windows/{window}/execute?region={region}"), Some(&serde_json::json!({})));

    let out = run(&si, &["refresh", &plan, "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // Progress goes to stderr, data to stdout.
    let stderr = text(&out.stderr);
    assert!(stderr.contains("refresh: 1 finished run(s), 1 node output(s) to read"), "{stderr}");
    assert!(stderr.contains("refresh: compliance written 1/1"), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("report JSON");
    assert_eq!(report["strategy"], "put-compliance-items");
    let nodes: Vec<(&str, &str)> = report["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|n| (n["operation"].as_str().unwrap_or(""), n["result"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(nodes, [("install", "compliance-written")], "{report}");
    // Read back independently, with boto3.
    let items = si
        .boto3(&format!(
            "import boto3, json; c = boto3.client('ssm', region_name='ap-northeast-1'); \
             print(json.dumps(c.list_compliance_items(ResourceIds=['{node}'], ResourceTypes=['ManagedInstance'], \
             Filters=[{{'Key': 'ComplianceType', 'Values': ['Custom:ssmpatch'], 'Type': 'EQUAL'}}])['ComplianceItems'], default=str))"
        ))
        .output()
        .expect("boto3");
    let items: serde_json::Value = serde_json::from_slice(&items.stdout).expect("items JSON");
    let item = &items[0];
    assert_eq!(items.as_array().map(Vec::len), Some(1), "{items}");
    assert_eq!((item["Id"].as_str(), item["Status"].as_str()), (Some("openssl.x86_64"), Some("NON_COMPLIANT")));
    assert_eq!(item["Details"]["PatchState"], "Failed");
    assert_eq!(item["Details"]["CVEIds"], "CVE-2026-0001");
    assert_eq!(item["ExecutionSummary"]["ExecutionType"], "Command");
}
