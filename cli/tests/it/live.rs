//! `ssmpatch plan|apply|destroy` against the local AWS stand-in, as a user runs them — including
//! an apply killed part way, after which the next apply converges without duplicates.
//!
//! Needs the project's virtualenv (scripts/setup.sh); `scripts/test.sh` runs these
//! (`--include-ignored`).

use std::io::Read;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use ssmpatch_test_support::standin::{StandIn, root};

use crate::util::{self, text};

/// A stand-in with the example plans' bucket.
fn started() -> StandIn {
    let si = StandIn::start();
    si.create_bucket("web-patching-artifacts", "ap-northeast-1");
    si
}

fn cmd(si: &StandIn, args: &[&str]) -> Command {
    let mut c = util::ssmpatch(args);
    si.aws_env(&mut c);
    c
}

fn run(si: &StandIn, args: &[&str]) -> Output {
    util::live(si, args)
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
    // The killed apply holds the plan's lease; the shortest TTL keeps the wait for it short.
    let mut child = cmd(&si, &["apply", plan, "--yes", "--concurrency", "1", "--lease-ttl", "5"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("apply");
    // Killed part way: once its first window exists (the rest are still to come).
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while !si.calls().iter().any(|c| c["name"] == "CreateMaintenanceWindow" && c["outcome"] == "200") {
        assert!(std::time::Instant::now() < deadline, "the apply never created its first window");
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    let mut progress = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut progress);
    }
    si.set_faults(&serde_json::json!({}));
    // Refused (exit 5, the killed holder named) until its lease expires, then it converges.
    let out = loop {
        let out = run(&si, &["apply", plan, "--yes"]);
        if out.status.code() == Some(5) && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(500));
            continue;
        }
        break out;
    };
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

#[test]
#[ignore = "needs the local AWS stand-in (scripts/test.sh runs it)"]
fn plan_detailed_exitcode_answers_as_terraform_does() {
    let si = started();
    let plan = "examples/seed-placed.toml";
    // Changes: 2, with the diff printed as usual.
    let out = run(&si, &["plan", plan, "--detailed-exitcode"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("to create"), "{}", text(&out.stdout));
    let out = run(&si, &["plan", plan, "--detailed-exitcode", "--json"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    serde_json::from_slice::<serde_json::Value>(&out.stdout).expect("the diff as JSON");
    // Without the flag, changes are a success.
    assert_eq!(run(&si, &["plan", plan]).status.code(), Some(0));
    // No changes: 0.
    assert_eq!(run(&si, &["apply", plan, "--yes"]).status.code(), Some(0));
    let out = run(&si, &["plan", plan, "--detailed-exitcode"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // Drift (a window deleted by hand): 2 again.
    si.boto3(
        "import boto3; c = boto3.client('ssm', region_name='ap-northeast-1'); \
         w = c.describe_maintenance_windows()['WindowIdentities'][0]; \
         c.delete_maintenance_window(WindowId=w['WindowId'])",
    )
    .output()
    .expect("boto3");
    assert_eq!(run(&si, &["plan", plan, "--detailed-exitcode"]).status.code(), Some(2));
    // Any error: 1, with the usual message (here an unreachable endpoint; without the flag: 3).
    let out = util::ssmpatch(&["plan", plan, "--detailed-exitcode", "--endpoint-url", "http://127.0.0.1:9"])
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("error:"), "{}", text(&out.stderr));
    let out = util::ssmpatch(&["plan", "examples/no-such-plan.toml", "--detailed-exitcode"]).output().expect("run");
    assert_eq!(out.status.code(), Some(1), "invalid input is 1 too: {}", text(&out.stderr));
}

#[test]
#[ignore = "needs the local AWS stand-in (scripts/test.sh runs it)"]
fn run_apply_again_is_said_only_where_running_it_again_may_pass() {
    let si = started();
    let plan = "examples/seed-placed.toml";
    // A failure on AWS's side (every CreateMaintenanceWindow answers 500): running again may pass.
    si.set_faults(&serde_json::json!({"rules": [{"operation": "CreateMaintenanceWindow", "kind": "error"}]}));
    let out = run(&si, &["apply", plan, "--yes"]);
    si.set_faults(&serde_json::json!({}));
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("run apply again to converge from here"), "{}", text(&out.stderr));
    assert_eq!(run(&si, &["destroy", plan, "--yes"]).status.code(), Some(0));
    // Someone else's window under the plan's name: running again cannot pass, so it is not said.
    si.boto3(
        "import boto3; c = boto3.client('ssm', region_name='ap-northeast-1'); \
         c.create_maintenance_window(Name='ssmpatch-web-monthly-placed-install', Schedule='rate(7 days)', \
         Duration=2, Cutoff=1, AllowUnassociatedTargets=False)",
    )
    .output()
    .expect("boto3");
    let out = run(&si, &["apply", plan, "--yes"]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains("not created by ssmpatch") && err.contains("rename or remove"), "{err}");
    assert!(!err.contains("run apply again"), "{err}");
}
