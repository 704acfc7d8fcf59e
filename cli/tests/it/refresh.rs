//! `ssmpatch refresh` as a user runs it on the local AWS stand-in, after the install ran on a
//! simulated node: what it prints and what it writes (read back with boto3). The plan and its
//! window or association are made with `ssmpatch apply`; the runs are started through the
//! stand-in's control API, as AWS's scheduler would. (Were CLI tests in
//! python/tests/test_refresh_cli.py; refresh per backend with paging is core's it/refresh.rs.)
//!
//! Needs the project's virtualenv (scripts/setup.sh); `scripts/test.sh` runs these
//! (`--include-ignored`).

use serde_json::{Value, json};
use ssmpatch_test_support::standin::{StandIn, openssl_node, root};

use crate::util::{json as stdout_json, live, ok, ok_json, run as ssmpatch, text};

const REGION: &str = "ap-northeast-1";
const NODE: &str = "i-0123456789abcdef0";
const SEED: &str = "examples/seed-monthly.toml";

/// A stand-in with the plans' bucket and one Amazon Linux 2023 node tagged `Patch Group = web`
/// whose one missing package fails to install.
fn with_node() -> StandIn {
    let si = StandIn::start();
    si.create_bucket("web-patching-artifacts", REGION);
    si.seed_nodes(&json!({"region": REGION, "nodes": [openssl_node(NODE, json!({"Patch Group": "web"}), true)]}));
    si
}

/// `text` written to a file of its own in the temporary directory; its path.
fn temp_plan(test: &str, text: &str) -> String {
    let dir = std::env::temp_dir().join(format!("ssmpatch-cli-refresh-{test}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let path = dir.join("plan.toml");
    std::fs::write(&path, text).expect("write plan");
    path.display().to_string()
}

/// The seed plan with `[compliance]` set to `lines`.
fn seed_with(test: &str, lines: &str) -> String {
    let seed = std::fs::read_to_string(root().join(SEED)).expect("seed plan");
    let from = "[compliance]\nstrategy = \"rescan\"";
    assert!(seed.contains(from));
    temp_plan(test, &seed.replace(from, &format!("[compliance]\n{lines}")))
}

const ASSOCIATION_PLAN: &str = r#"version = 1
name = "web-assoc"
region = "ap-northeast-1"
backend = "association"
baseline-rules-from = "declared"

[targets]
tags = { "Patch Group" = "web" }

[[baselines.AMAZON_LINUX_2023.approval-rules]]
approve-after-days = 7
filters = { CLASSIFICATION = ["Security"] }

[operations.install]
kind = "install"
schedule = "last sunday at 18:00"
approval = { approve-after-days = 21 }

[compliance]
strategy = "STRATEGY"

[s3]
bucket = "web-patching-artifacts"
output-prefix = "ssmpatch/output"
"#;

/// Runs a boto3 script against the stand-in's SSM in [`REGION`] (`ssm` is the client) and
/// returns what it prints with `out(...)`.
fn ssm(si: &StandIn, body: &str) -> Value {
    si.boto3_json(&format!(
        "import boto3, json\nssm = boto3.client('ssm', region_name='{REGION}')\n\
         def out(v): print(json.dumps(v, default=str))\n{body}"
    ))
}

/// The node's items of `compliance_type`, as `(Id, Status, Details)`.
fn items(si: &StandIn, compliance_type: &str) -> Value {
    ssm(
        si,
        &format!(
            "out([(i['Id'], i['Status'], i.get('Details', {{}})) for i in ssm.list_compliance_items(\
             ResourceIds=['{NODE}'], ResourceTypes=['ManagedInstance'], \
             Filters=[{{'Key': 'ComplianceType', 'Values': ['{compliance_type}'], 'Type': 'EQUAL'}}])['ComplianceItems']])"
        ),
    )
}

/// The node's patch states, as `(Operation, FailedCount + MissingCount)`.
fn patch_states(si: &StandIn) -> Value {
    ssm(
        si,
        &format!(
            "out([(s['Operation'], s['FailedCount'] + s['MissingCount']) for s in \
             ssm.describe_instance_patch_states(InstanceIds=['{NODE}'])['InstancePatchStates']])"
        ),
    )
}

/// Runs the window named `name` now; the execution the stand-in reports.
fn run_window(si: &StandIn, name: &str) -> (String, Value) {
    let id = ssm(
        si,
        &format!(
            "out(next(w['WindowId'] for p in ssm.get_paginator('describe_maintenance_windows').paginate() \
             for w in p['WindowIdentities'] if w['Name'] == '{name}'))"
        ),
    );
    let id = id.as_str().expect("window id").to_string();
    let run = si.control("POST", &format!("windows/{id}/execute?region={REGION}"), Some(&json!({})));
    assert!(run["Tasks"].as_array().is_some_and(|t| !t.is_empty()), "{run}");
    (id, run)
}

/// Every association by name, described (all pages).
fn associations(si: &StandIn) -> Value {
    ssm(
        si,
        "out({a['AssociationName']: ssm.describe_association(AssociationId=a['AssociationId'])['AssociationDescription'] \
         for p in ssm.get_paginator('list_associations').paginate() for a in p['Associations']})",
    )
}

/// Runs association `id` now; the command the stand-in sent.
fn run_association(si: &StandIn, id: &Value) -> String {
    let id = id.as_str().expect("association id");
    let run = si.control("POST", &format!("associations/{id}/run?region={REGION}"), Some(&json!({})));
    run["CommandId"].as_str().expect("command id").to_string()
}

/// `(operation, result)` of every node in a refresh report.
fn results(report: &Value) -> Vec<(String, String)> {
    let nodes = report["nodes"].as_array().unwrap_or_else(|| panic!("no nodes: {report}"));
    nodes
        .iter()
        .map(|n| (n["operation"].as_str().unwrap_or("").into(), n["result"].as_str().unwrap_or("").into()))
        .collect()
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter().map(|(a, b)| ((*a).into(), (*b).into())).collect()
}

/// `ssmpatch apply PLAN --yes`, then gives the nodes' role what `ssmpatch iam-policy PLAN --node`
/// prints (without it a node cannot read the override: the run fails, exit 162, as on AWS).
fn apply(si: &StandIn, plan: &str) -> String {
    let out = ok(&live(si, &["apply", plan, "--yes"]));
    let node = ssmpatch(&["iam-policy", plan, "--node"]);
    assert_eq!(node.status.code(), Some(0), "{}", text(&node.stderr));
    si.grant_nodes(REGION, &stdout_json(&node));
    out
}

/// Applies `plan`, runs the install window: as on AWS, the run with the override records no
/// compliance.
fn stale_after_install(si: &StandIn, plan: &str) {
    apply(si, plan);
    run_window(si, "ssmpatch-web-monthly-install");
    assert_eq!(items(si, "Patch"), json!([]));
    assert_eq!(patch_states(si), json!([]));
}

#[test]
#[ignore = "needs the local AWS stand-in (scripts/test.sh runs it)"]
fn refresh_writes_compliance_after_an_install_window() {
    let si = with_node();
    let plan = seed_with("window", "strategy = \"put-compliance-items\"");
    stale_after_install(&si, &plan);

    let out = live(&si, &["refresh", &plan, "--json"]);
    let report = ok_json(&out);
    // Progress goes to stderr, data to stdout.
    let stderr = text(&out.stderr);
    assert!(stderr.contains("refresh: 1 finished run(s), 1 node output(s) to read"), "{stderr}");
    assert!(stderr.contains("refresh: compliance written 1/1"), "{stderr}");
    assert_eq!(report["strategy"], "put-compliance-items");
    assert_eq!(results(&report), pairs(&[("install", "compliance-written")]), "{report}");
    // Read back independently, with boto3.
    let found = ssm(
        &si,
        &format!(
            "out(ssm.list_compliance_items(ResourceIds=['{NODE}'], ResourceTypes=['ManagedInstance'], \
             Filters=[{{'Key': 'ComplianceType', 'Values': ['Custom:ssmpatch'], 'Type': 'EQUAL'}}])['ComplianceItems'])"
        ),
    );
    assert_eq!(found.as_array().map(Vec::len), Some(1), "{found}");
    let item = &found[0];
    assert_eq!((item["Id"].as_str(), item["Status"].as_str()), (Some("openssl.x86_64"), Some("NON_COMPLIANT")));
    assert_eq!(item["Details"]["PatchState"], "Failed");
    assert_eq!(item["Details"]["CVEIds"], "CVE-2026-0001");
    assert_eq!(item["ExecutionSummary"]["ExecutionType"], "Command");
}

#[test]
#[ignore = "needs the local AWS stand-in (scripts/test.sh runs it)"]
fn rescan_runs_in_the_install_window_after_the_install() {
    let si = with_node();
    apply(&si, SEED); // the seed plan's strategy: rescan
    let (window, run) = run_window(&si, "ssmpatch-web-monthly-install");
    // Two tasks: the install with the override at priority 1, then the scan without it at 2.
    let tasks = ssm(
        &si,
        &format!(
            "out(sorted((t['Name'], t['Priority']) for t in \
             ssm.describe_maintenance_window_tasks(WindowId='{window}')['Tasks']))"
        ),
    );
    assert_eq!(tasks, json!([["install", 1], ["install-rescan", 2]]));
    // They ran in that order: the install with the override, then the scan without.
    let execution = run["WindowExecutionId"].as_str().expect("execution id");
    let order = ssm(
        &si,
        &format!(
            "order = []\n\
             for t in ssm.describe_maintenance_window_execution_tasks(WindowExecutionId='{execution}')['WindowExecutionTaskIdentities']:\n\
             \x20   inv = ssm.describe_maintenance_window_execution_task_invocations(WindowExecutionId='{execution}', \
             TaskId=t['TaskExecutionId'])['WindowExecutionTaskInvocationIdentities'][0]\n\
             \x20   p = json.loads(inv['Parameters'])['parameters']\n\
             \x20   order.append((str(inv['StartTime']), p['Operation'][0], bool(p.get('BaselineOverride', [''])[0])))\n\
             out([(op, o) for _, op, o in sorted(order)])"
        ),
    );
    assert_eq!(order, json!([["Install", true], ["Scan", false]]));
    // The scan recorded what the install left: the report is not stale.
    let states = patch_states(&si);
    assert_eq!(states[0][0], "Scan", "{states}");
    assert!(states.as_array().map(Vec::len) == Some(1) && states[0][1].as_u64() >= Some(1), "{states}");
    let patch = items(&si, "Patch");
    assert!(patch.as_array().expect("items").iter().any(|i| i[1] == "NON_COMPLIANT"), "{patch}");
    // `refresh` with rescan starts no second scan: the window's own scan ran after the install.
    let report = ok_json(&live(&si, &["refresh", SEED, "--json"]));
    assert_eq!(report["strategy"], "rescan");
    assert_eq!(results(&report), pairs(&[("install", "no-action")]), "{report}");
    assert!(report["nodes"][0]["detail"].as_str().unwrap_or("").contains("recorded its compliance after this run"));
}

#[test]
#[ignore = "builds examples/custom-strategy for wasm32 and needs the stand-in (scripts/test.sh runs it)"]
fn a_custom_strategy_writes_its_own_compliance_type() {
    crate::strategy::build_for("wasm32-wasip2", &root().join("examples/custom-strategy"));
    let module = root().join("examples/custom-strategy/target/wasm32-wasip2/release/critical_high_only.wasm");
    let plan =
        seed_with("custom", &format!("strategy = \"{}\"\nsettings = {{ ticket = \"CHG-1234\" }}", module.display()));
    let si = with_node();
    stale_after_install(&si, &plan);
    let report = ok_json(&live(&si, &["refresh", &plan, "--json"]));
    assert_eq!(results(&report), pairs(&[("install", "compliance-written")]), "{report}");
    let found = items(&si, "Custom:CriticalHigh");
    assert_eq!(found.as_array().map(Vec::len), Some(1), "{found}");
    assert_eq!((&found[0][0], &found[0][2]["ChangeTicket"]), (&json!("openssl.x86_64"), &json!("CHG-1234")));
}

#[test]
#[ignore = "needs the local AWS stand-in (scripts/test.sh runs it)"]
fn association_runs_are_refreshed() {
    let si = with_node();
    let plan = temp_plan("association", &ASSOCIATION_PLAN.replace("STRATEGY", "put-compliance-items"));
    apply(&si, &plan);
    let install = &associations(&si)["ssmpatch-web-assoc-install"];
    assert!(install.get("Duration").is_none(), "nothing follows the install: {install}");
    let command = run_association(&si, &install["AssociationId"]);
    assert_eq!(items(&si, "Patch"), json!([]));
    let id = install["AssociationId"].as_str().expect("id");
    let executions = ssm(
        &si,
        &format!("out(len(ssm.describe_association_executions(AssociationId='{id}')['AssociationExecutions']))"),
    );
    assert_eq!(executions, json!(1), "the run is an association execution");

    let report = ok_json(&live(&si, &["refresh", &plan, "--json"]));
    assert_eq!(results(&report), pairs(&[("install", "compliance-written")]), "{report}");
    assert_eq!(report["nodes"][0]["execution_id"], command.as_str());
    let found = items(&si, "Custom:ssmpatch");
    assert_eq!(found.as_array().map(Vec::len), Some(1), "{found}");
    assert_eq!((&found[0][0], &found[0][2]["PatchState"]), (&json!("openssl.x86_64"), &json!("Failed")));
    // --since after the run: nothing to refresh.
    let report = ok_json(&live(&si, &["refresh", &plan, "--since", "2999-01-01T00:00:00Z", "--json"]));
    assert_eq!(report["nodes"], json!([]), "{report}");
}

#[test]
#[ignore = "needs the local AWS stand-in (scripts/test.sh runs it)"]
fn rescan_on_associations_runs_when_the_installs_duration_ends() {
    let si = with_node();
    let plan = temp_plan("association-rescan", &ASSOCIATION_PLAN.replace("STRATEGY", "rescan"));
    let out = apply(&si, &plan);
    assert!(out.contains("strategy rescan adds operation install-rescan"), "{out}");
    let found = associations(&si);
    let (install, rescan) = (&found["ssmpatch-web-assoc-install"], &found["ssmpatch-web-assoc-install-rescan"]);
    // The install is cancelled after 3 hours; the scan without override starts then (21:00 UTC).
    assert_eq!((&install["Duration"], &install["ApplyOnlyAtCronInterval"]), (&json!(3), &json!(true)), "{install}");
    assert_eq!(rescan["ScheduleExpression"], "cron(0 21 ? * SUNL *)", "{rescan}");
    assert_eq!(rescan["ApplyOnlyAtCronInterval"], true);
    assert_eq!(rescan["Parameters"]["Operation"], json!(["Scan"]), "{rescan}");
    assert!(rescan["Parameters"].get("BaselineOverride").is_none(), "{rescan}");
    assert!(install["Parameters"]["BaselineOverride"][0].as_str().is_some_and(|u| u.starts_with("s3://")));
    run_association(&si, &install["AssociationId"]);
    assert_eq!(patch_states(&si), json!([]));
    run_association(&si, &rescan["AssociationId"]);
    let states = patch_states(&si);
    assert_eq!(states[0][0], "Scan", "{states}");
    assert!(states.as_array().map(Vec::len) == Some(1) && states[0][1].as_u64() >= Some(1), "{states}");
    // A second apply changes nothing (Duration is read back).
    assert!(ok(&live(&si, &["plan", &plan])).lines().any(|l| l == "no changes"));
}

#[test]
#[ignore = "needs the local AWS stand-in (scripts/test.sh runs it)"]
fn rescan_starts_one_scan_per_run() {
    let si = with_node();
    let plan = temp_plan("association-rescan-once", &ASSOCIATION_PLAN.replace("STRATEGY", "rescan"));
    apply(&si, &plan);
    let install = &associations(&si)["ssmpatch-web-assoc-install"];
    run_association(&si, &install["AssociationId"]);
    let scans = |si: &StandIn| si.calls().iter().filter(|c| c["name"] == "SendCommand").count();
    let before = scans(&si);
    let report = ok_json(&live(&si, &["refresh", &plan, "--json"]));
    assert_eq!(results(&report), pairs(&[("install", "scan-started")]), "{report}");
    assert_eq!(scans(&si), before + 1);
    // The same run refreshed again: the scan it started has recorded the node's compliance since.
    let report = ok_json(&live(&si, &["refresh", &plan, "--json"]));
    assert_eq!(results(&report), pairs(&[("install", "no-action")]), "{report}");
    assert!(report["nodes"][0]["detail"].as_str().unwrap_or("").contains("recorded its compliance after this run"));
    assert_eq!(scans(&si), before + 1, "no second scan");
}

#[test]
#[ignore = "needs the local AWS stand-in (scripts/test.sh runs it)"]
fn a_missing_strategy_component_stops_apply_but_not_destroy() {
    let si = with_node();
    apply(&si, &seed_with("present", "strategy = \"put-compliance-items\""));
    let missing = std::env::temp_dir().join(format!("ssmpatch-gone-{}.wasm", std::process::id()));
    let gone = seed_with("missing", &format!("strategy = \"{}\"", missing.display()));
    let out = live(&si, &["apply", &gone, "--yes"]);
    // A strategy that cannot be loaded is invalid input on every path: exit 2, naming the file.
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("neither a built-in strategy (put-compliance-items, rescan) nor a readable file"),
        "{stderr}"
    );
    assert!(stderr.contains(&missing.display().to_string()), "{stderr}");
    ok(&live(&si, &["destroy", &gone, "--yes"]));
    let names = ssm(&si, "out([w['Name'] for w in ssm.describe_maintenance_windows()['WindowIdentities']])");
    assert_eq!(names, json!([]));
}

#[test]
#[ignore = "needs the local AWS stand-in (scripts/test.sh runs it)"]
fn runs_without_override_are_refreshed_only_when_asked() {
    let si = with_node();
    let approval = "approval = { approve-after-days = 21 }\n";
    assert!(ASSOCIATION_PLAN.contains(approval));
    let plan =
        temp_plan("no-override", &ASSOCIATION_PLAN.replace("STRATEGY", "put-compliance-items").replace(approval, ""));
    apply(&si, &plan);
    let install = &associations(&si)["ssmpatch-web-assoc-install"];
    assert!(install["Parameters"].get("BaselineOverride").is_none(), "{install}");
    run_association(&si, &install["AssociationId"]);
    // AWS recorded this run's compliance itself.
    assert_ne!(items(&si, "Patch"), json!([]), "a run without override records Patch compliance");
    let report = ok_json(&live(&si, &["refresh", &plan, "--json"]));
    assert_eq!(report["nodes"], json!([]), "{report}");
    let message = report["messages"][0].as_str().unwrap_or("");
    assert!(message.contains("no operation of the plan runs with BaselineOverride"), "{report}");
    // Asked anyway: a run without override prints no per-package result, so put-compliance-items
    // writes nothing (a COMPLETE upload of nothing would erase the node's report) and says why.
    let report = ok_json(&live(&si, &["refresh", &plan, "--operation", "install", "--json"]));
    assert_eq!(results(&report), pairs(&[("install", "no-action")]), "{report}");
    let detail = report["nodes"][0]["detail"].as_str().unwrap_or("");
    assert!(detail.contains("holds no per-package result; compliance not written"), "{report}");
}

#[test]
#[ignore = "needs the local AWS stand-in (scripts/test.sh runs it)"]
fn a_run_that_failed_on_the_node_makes_refresh_exit_4() {
    let si = with_node();
    let plan = seed_with("failed-run", "strategy = \"put-compliance-items\"");
    // The nodes' role is not granted the override folder: the install fails on the node (exit 162).
    ok(&live(&si, &["apply", &plan, "--yes"]));
    run_window(&si, "ssmpatch-web-monthly-install");
    let out = live(&si, &["refresh", &plan, "--json"]);
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    let report = stdout_json(&out);
    assert_eq!(results(&report), pairs(&[("install", "skipped")]), "{report}");
    let detail = report["nodes"][0]["detail"].as_str().unwrap_or("");
    assert!(detail.contains("holds no per-package result"), "{report}");
    // Granted, the next run is refreshed and refresh exits 0.
    apply(&si, &plan);
    run_window(&si, "ssmpatch-web-monthly-install");
    let report = ok_json(&live(&si, &["refresh", &plan, "--json"]));
    assert_eq!(results(&report), pairs(&[("install", "compliance-written")]), "{report}");
}
