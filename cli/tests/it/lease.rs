//! One apply at a time per plan, as a user meets it on the local AWS stand-in: two `ssmpatch apply
//! --yes` of the same plan started at once make one set of resources on every backend, and the
//! other exits 5 naming the holder; an apply killed with SIGKILL keeps the next one out (exit 5)
//! until its lease expires, and the next apply after that converges.
//!
//! The winner is held up by a `delay` (or `never`) fault on one of its creates, so that the other
//! certainly tries while the lease is held. Needs the project's virtualenv (scripts/setup.sh);
//! `scripts/test.sh` runs these (`--include-ignored`).

use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use serde_json::{Value, json};
use ssmpatch_test_support::standin::StandIn;

use crate::util::{self, text};

const REGION: &str = "ap-northeast-1";

const ASSOCIATION_PLAN: &str = r#"version = 1
name = "lease-assoc"
region = "ap-northeast-1"
backend = "association"

[targets]
tags = { "Patch Group" = "web" }

[operations.scan]
kind = "scan"
schedule = "every day at 01:00"

[operations.install]
kind = "install"
schedule = "last sunday at 18:00"
"#;

fn cmd(si: &StandIn, args: &[&str]) -> Command {
    let mut c = util::ssmpatch(args);
    si.aws_env(&mut c);
    c.stdout(Stdio::piped()).stderr(Stdio::piped());
    c
}

fn spawn(si: &StandIn, args: &[&str]) -> Child {
    cmd(si, args).spawn().expect("start ssmpatch")
}

/// `text` as a plan file of its own.
fn temp_plan(test: &str, text: &str) -> String {
    let dir = std::env::temp_dir().join(format!("ssmpatch-cli-lease-{test}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let path = dir.join("plan.toml");
    std::fs::write(&path, text).expect("write plan");
    path.display().to_string()
}

/// Runs a boto3 script in [`REGION`] (`ssm`, `qs` are the clients) and parses what it prints.
fn boto3(si: &StandIn, body: &str) -> Value {
    si.boto3_json(&format!(
        "import boto3, json\nssm = boto3.client('ssm', region_name='{REGION}')\n\
         qs = boto3.client('ssm-quicksetup', region_name='{REGION}')\n{body}"
    ))
}

/// The names of what the backend made for the plans (windows, associations, patch policies),
/// every copy.
fn resources(si: &StandIn, backend: &str) -> Vec<String> {
    let script = match backend {
        "maintenance-window" => {
            "print(json.dumps(sorted(w['Name'] for p in ssm.get_paginator('describe_maintenance_windows').paginate() \
             for w in p['WindowIdentities'])))"
        }
        "association" => {
            "print(json.dumps(sorted(a.get('AssociationName', '') for p in ssm.get_paginator('list_associations')\
             .paginate() for a in p['Associations'])))"
        }
        _ => {
            "print(json.dumps(sorted(m.get('Name', '') for m in qs.list_configuration_managers()['ConfigurationManagersList'])))"
        }
    };
    serde_json::from_value(boto3(si, script)).expect("names")
}

/// The lease parameter's value, if it exists.
fn lease(si: &StandIn, plan: &str) -> Option<Value> {
    let v = boto3(
        si,
        &format!(
            "try:\n    print(ssm.get_parameter(Name='/lease/ssmpatch/{plan}')['Parameter']['Value'])\n\
             except ssm.exceptions.ParameterNotFound:\n    print('null')"
        ),
    );
    (!v.is_null()).then_some(v)
}

fn finish(child: Child) -> Output {
    child.wait_with_output().expect("wait for ssmpatch")
}

fn two_applies_at_once(backend: &str, plan: &str, plan_name: &str, slow_create: Value) {
    let si = StandIn::start();
    si.create_bucket("web-patching-artifacts", REGION);
    si.create_quick_setup_roles();
    // The first create of the apply that takes the lease is answered late: the other apply,
    // started at the same moment, tries while the lease is held.
    si.set_faults(&json!({"rules": [slow_create]}));
    let a = spawn(&si, &["apply", plan, "--yes"]);
    let b = spawn(&si, &["apply", plan, "--yes"]);
    let (pid_a, pid_b) = (a.id(), b.id());
    let (out_a, out_b) = (finish(a), finish(b));
    let (won, lost, winner) = match (out_a.status.code(), out_b.status.code()) {
        (Some(0), Some(5)) => (&out_a, &out_b, pid_a),
        (Some(5), Some(0)) => (&out_b, &out_a, pid_b),
        other => panic!(
            "{backend}: exit codes {other:?}, not one 0 and one 5\nA: {}\nB: {}",
            text(&out_a.stderr),
            text(&out_b.stderr)
        ),
    };
    assert!(text(&won.stdout).contains("applied "), "{}", text(&won.stdout));
    let refused = text(&lost.stderr);
    assert!(refused.contains(&format!("plan `{plan_name}` is locked")), "{refused}");
    assert!(refused.contains(&format!("pid {winner}, apply")), "the loser names the holder: {refused}");
    assert!(refused.contains(&format!("/lease/ssmpatch/{plan_name}")), "{refused}");
    assert!(refused.contains("takes it over by itself"), "{refused}");
    assert_eq!(text(&lost.stdout), "", "the loser read and changed nothing");
    si.clear_faults();

    // Exactly one set of resources, and the lease is gone.
    let names = resources(&si, backend);
    let mut unique = names.clone();
    unique.dedup();
    assert!(!names.is_empty(), "{backend}: nothing made");
    assert_eq!(names, unique, "{backend}: duplicates after two applies at once");
    assert_eq!(lease(&si, plan_name), None, "released at the end");
    let out = util::live(&si, &["plan", plan]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).lines().any(|l| l == "no changes"), "{}", text(&out.stdout));
}

#[test]
#[ignore = "needs the local AWS stand-in (scripts/test.sh runs it)"]
fn two_applies_at_once_on_maintenance_windows_make_one_set() {
    two_applies_at_once(
        "maintenance-window",
        "examples/seed-placed.toml",
        "web-monthly-placed",
        json!({"operation": "CreateMaintenanceWindow", "kind": "delay", "seconds": 8, "times": 1}),
    );
}

#[test]
#[ignore = "needs the local AWS stand-in (scripts/test.sh runs it)"]
fn two_applies_at_once_on_associations_make_one_set() {
    let plan = temp_plan("association", ASSOCIATION_PLAN);
    two_applies_at_once(
        "association",
        &plan,
        "lease-assoc",
        json!({"operation": "CreateAssociation", "kind": "delay", "seconds": 8, "times": 1}),
    );
}

#[test]
#[ignore = "needs the local AWS stand-in (scripts/test.sh runs it)"]
fn two_applies_at_once_on_a_patch_policy_make_one_set() {
    two_applies_at_once(
        "patch-policy",
        "examples/patch-policy.toml",
        "fleet-weekly",
        json!({"operation": "CreateConfigurationManager", "kind": "delay", "seconds": 8, "times": 1}),
    );
}

#[test]
#[ignore = "needs the local AWS stand-in (scripts/test.sh runs it)"]
fn an_apply_killed_holding_the_lease_keeps_the_next_out_until_it_expires() {
    let si = StandIn::start();
    si.create_bucket("web-patching-artifacts", REGION);
    let plan = "examples/seed-placed.toml";
    let name = "web-monthly-placed";
    // The first window create gets no answer: the apply holds the lease and waits.
    si.set_faults(&json!({"rules": [{"operation": "CreateMaintenanceWindow", "kind": "never", "times": 1}]}));
    let mut held = spawn(&si, &["apply", plan, "--yes", "--lease-ttl", "20", "--concurrency", "1"]);
    let holder = held.id();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while !si.calls().iter().any(|c| c["name"] == "CreateMaintenanceWindow") {
        assert!(std::time::Instant::now() < deadline, "the apply never reached its first window create");
        std::thread::sleep(Duration::from_millis(100));
    }
    let record = lease(&si, name).expect("the held apply's lease");
    assert_eq!(record["pid"], holder);
    held.kill().expect("SIGKILL");
    let _ = held.wait();
    si.clear_faults();

    // Before the lease expires: refused, naming the killed holder; nothing changed.
    // (Its one write is the refused create of the lease parameter.)
    let changes = |si: &StandIn| si.writes().into_iter().filter(|w| w != "PutParameter").count();
    let writes_before = changes(&si);
    let out = util::live(&si, &["apply", plan, "--yes"]);
    assert_eq!(out.status.code(), Some(5), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains(&format!("pid {holder}, apply")), "{}", text(&out.stderr));
    assert_eq!(changes(&si), writes_before, "the refused apply changed nothing");

    // After it expires (the holder renews no more): the next apply takes it over and converges.
    let expires: jiff::Timestamp =
        lease(&si, name).expect("lease")["expires"].as_str().expect("expires").parse().expect("an RFC 3339 instant");
    let wait = expires.duration_since(jiff::Timestamp::now()).as_millis().max(0) as u64 + 1000;
    std::thread::sleep(Duration::from_millis(wait));
    let out = util::live(&si, &["apply", plan, "--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(lease(&si, name), None, "released");
    let out = util::live(&si, &["plan", plan]);
    assert!(text(&out.stdout).lines().any(|l| l == "no changes"), "{}", text(&out.stdout));
    let names = resources(&si, "maintenance-window");
    let mut unique = names.clone();
    unique.dedup();
    assert_eq!(names, unique, "duplicate windows");
}
