//! `ssmpatch status` as a user runs it on the local AWS stand-in: the seed plan applied, its
//! windows run through the stand-in's control API; the JSON's shape, the text, and the exit codes
//! (0 all current, 6 some node not, 2 an unknown operation, 3 an AWS failure). Each verdict with
//! its evidence is core's it/status.rs.
//!
//! Needs the project's virtualenv (scripts/setup.sh); `scripts/test.sh` runs these
//! (`--include-ignored`).

use serde_json::{Value, json};
use ssmpatch_test_support::standin::{StandIn, openssl_node};

use crate::util::{json as stdout_json, live, ok, run as ssmpatch, text};

const REGION: &str = "ap-northeast-1";
const SEED: &str = "examples/seed-monthly.toml";
const FIRST: &str = "i-0a0000000000000f1";
const LATE: &str = "i-0a0000000000000f2";
/// Before November's scan (2026-11-22 03:00 Tokyo): apply makes its one-shot window.
const FROM: &str = "2026-11-20T00:00:00Z";

/// The windows by name: (name, id), with boto3.
fn windows(si: &StandIn) -> Vec<(String, String)> {
    let v = si.boto3_json(&format!(
        "import boto3, json\nssm = boto3.client('ssm', region_name='{REGION}')\n\
         print(json.dumps([(w['Name'], w['WindowId']) for p in ssm.get_paginator('describe_maintenance_windows').paginate() \
         for w in p['WindowIdentities']]))"
    ));
    serde_json::from_value(v).expect("windows")
}

fn execute(si: &StandIn, id: &str) {
    si.control("POST", &format!("windows/{id}/execute?region={REGION}"), Some(&json!({})));
}

fn verdicts(report: &Value) -> Vec<(String, String, String)> {
    let nodes = report["nodes"].as_array().unwrap_or_else(|| panic!("no nodes: {report}"));
    let mut v: Vec<(String, String, String)> = nodes
        .iter()
        .map(|n| {
            let s = |k: &str| n[k].as_str().unwrap_or_default().to_string();
            (s("instance_id"), s("operation"), s("verdict"))
        })
        .collect();
    v.sort();
    v
}

fn triple(node: &str, op: &str, verdict: &str) -> (String, String, String) {
    (node.into(), op.into(), verdict.into())
}

#[test]
#[ignore = "needs the local AWS stand-in (scripts/test.sh runs it)"]
fn status_reports_each_node_and_exits_6_until_every_report_is_current() {
    let si = StandIn::start();
    si.create_bucket("web-patching-artifacts", REGION);
    si.seed_nodes(&json!({"region": REGION, "nodes": [openssl_node(FIRST, json!({"Patch Group": "web"}), false)]}));
    ok(&live(&si, &["apply", SEED, "--yes", "--from", FROM]));
    let node_policy = ssmpatch(&["iam-policy", SEED, "--node"]);
    si.grant_nodes(REGION, &stdout_json(&node_policy));
    let ws = windows(&si);
    let mut scans: Vec<&(String, String)> = ws.iter().filter(|(n, _)| n.contains("-scan-at-2026112")).collect();
    scans.sort();
    let scan = &scans.first().unwrap_or_else(|| panic!("November's scan window: {ws:?}")).1;
    let install = &ws.iter().find(|(n, _)| n.ends_with("-install")).expect("install window").1;

    // Before any run: both operations missed on the node (exit 6).
    let out = live(&si, &["status", SEED, "--json"]);
    assert_eq!(out.status.code(), Some(6), "{}", text(&out.stderr));
    let r = stdout_json(&out);
    assert_eq!(verdicts(&r), [triple(FIRST, "install", "missed"), triple(FIRST, "scan", "missed")], "{r:#}");

    // --html writes the same report as a page (the JSON on stdout unchanged); a page that cannot
    // be written is an I/O failure (exit 3) and leaves nothing behind.
    let dir = std::env::temp_dir().join(format!("ssmpatch-cli-status-html-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let page = dir.join("status.html");
    let out = live(&si, &["status", SEED, "--json", "--html", page.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(6), "{}", text(&out.stderr));
    assert_eq!(verdicts(&stdout_json(&out)), verdicts(&r));
    let html = std::fs::read_to_string(&page).expect("the page");
    assert!(html.starts_with("<!doctype html>"), "{}", &html[..html.len().min(200)]);
    for op in ["install", "scan"] {
        let row = format!("data-node=\"{FIRST}\" data-operation=\"{op}\" data-verdict=\"missed\"");
        assert!(html.contains(&row), "no row {row}");
    }
    assert!(text(&out.stderr).contains("status: HTML report written to"), "{}", text(&out.stderr));
    // A page path that is a symbolic link is replaced, never written through.
    let kept = dir.join("kept.txt");
    std::fs::write(&kept, "keep").expect("file");
    let linked = dir.join("linked.html");
    std::os::unix::fs::symlink(&kept, &linked).expect("symlink");
    let out = live(&si, &["status", SEED, "--html", linked.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(6), "{}", text(&out.stderr));
    assert_eq!(std::fs::read_to_string(&kept).expect("kept"), "keep", "written through the link");
    assert!(!std::fs::symlink_metadata(&linked).expect("page").file_type().is_symlink());
    std::fs::remove_file(&kept).expect("rm");
    std::fs::remove_file(&linked).expect("rm");
    let missing = dir.join("no-such-dir/status.html");
    let out = live(&si, &["status", SEED, "--html", missing.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("cannot write the HTML report to"), "{}", text(&out.stderr));
    assert_eq!(std::fs::read_dir(&dir).expect("dir").count(), 1, "only the first page is there");
    let _ = std::fs::remove_dir_all(&dir);

    // Both ran: current, exit 0; the JSON's shape.
    execute(&si, scan);
    execute(&si, install);
    let out = live(&si, &["status", SEED, "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}\n{}", text(&out.stderr), text(&out.stdout));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("status: 1 node(s); reading patch states"), "progress on stderr: {stderr}");
    let r = stdout_json(&out);
    assert_eq!(verdicts(&r), [triple(FIRST, "install", "current"), triple(FIRST, "scan", "current")], "{r:#}");
    assert_eq!((r["plan"].as_str(), r["backend"].as_str()), (Some("web-monthly"), Some("maintenance-window")));
    let keys: Vec<&str> = r["summary"]["verdicts"].as_object().expect("verdicts").keys().map(String::as_str).collect();
    assert_eq!(keys, ["failed", "unreachable", "missed", "overwritten", "stale", "unknown", "current"]);
    assert_eq!(r["summary"]["nodes"], 1);
    assert!(r["summary"].get("oldest_stale").is_none(), "absent keys are omitted, not null: {r:#}");
    let install_op = r["operations"].as_array().and_then(|o| o.iter().find(|o| o["name"] == "install")).expect("op");
    assert_eq!(
        (install_op["report"].as_str(), install_op["compliance_type"].as_str()),
        (Some("rescanned"), Some("Patch"))
    );
    assert!(install_op["expected"].as_str().is_some_and(|t| t.ends_with('Z')), "{install_op}");
    let ran: Vec<&str> =
        install_op["runs"].as_array().expect("runs").iter().filter_map(|x| x["operation"].as_str()).collect();
    assert_eq!(ran, ["install", "install-rescan"], "{install_op:#}");
    let n = r["nodes"].as_array().and_then(|n| n.iter().find(|n| n["operation"] == "install")).expect("node");
    assert_eq!(n["evidence"]["agent"]["ping_status"], "Online");
    assert_eq!(n["evidence"]["reports"][0]["written_by"], "ssmpatch-run", "{n:#}");

    // The text: the summary first, then the nodes.
    let out = live(&si, &["status", SEED]);
    assert_eq!(out.status.code(), Some(0));
    let t = text(&out.stdout);
    let first = t.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("status web-monthly (maintenance-window) at ") && first.ends_with(": 1 node(s), 1 current"),
        "{t}"
    );
    assert!(
        t.lines().nth(1).is_some_and(
            |l| l.trim() == "failed 0  unreachable 0  missed 0  overwritten 0  stale 0  unknown 0  current 1"
        ),
        "{t}"
    );
    assert!(t.contains(&format!("  {FIRST}  install  current      Patch recorded by install-rescan")), "{t}");

    // A node that came after the runs: missed (exit 6), and it is first.
    si.seed_nodes(&json!({"region": REGION, "nodes": [openssl_node(LATE, json!({"Patch Group": "web"}), false)]}));
    let out = live(&si, &["status", SEED, "--operation", "install", "--json"]);
    assert_eq!(out.status.code(), Some(6));
    let r = stdout_json(&out);
    assert_eq!(verdicts(&r), [triple(FIRST, "install", "current"), triple(LATE, "install", "missed")], "{r:#}");
    assert_eq!(r["nodes"][0]["instance_id"], LATE, "the worst verdict first");

    // --at before the plan's resources existed: the calendar's run then, none read: missed.
    let out = live(&si, &["status", SEED, "--at", "2026-11-01T00:00:00Z", "--json"]);
    assert_eq!(out.status.code(), Some(6));
    let r = stdout_json(&out);
    assert!(verdicts(&r).iter().all(|(_, _, v)| v == "missed"), "{r:#}");
    assert!(
        r["messages"]
            .as_array()
            .is_some_and(|m| m.iter().any(|m| m.as_str().is_some_and(|m| m.contains("--at is in the past")))),
        "{r:#}"
    );

    // An operation the plan does not have: exit 2; an AWS failure: exit 3.
    let out = live(&si, &["status", SEED, "--operation", "install-rescan"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("the plan has no operation `install-rescan`"), "{}", text(&out.stderr));
    si.set_faults(&json!({"rules": [{"operation": "DescribeInstancePatchStates", "kind": "error"}]}));
    let out = live(&si, &["status", SEED, "--json"]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stdout));
    assert!(
        stdout_json(&out)["error"]["message"].as_str().is_some_and(|m| m.contains("DescribeInstancePatchStates")),
        "{}",
        text(&out.stdout)
    );
    si.clear_faults();
}
