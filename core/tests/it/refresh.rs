//! `refresh` end to end on each backend against the stand-in, with two items per List/Describe
//! page: apply a plan whose install runs with `BaselineOverride`, run the install on three
//! simulated nodes (as on AWS, no compliance is recorded), refresh with `put-compliance-items`,
//! and read each node's compliance back; then what refresh reads when a node ran twice, another
//! strategy than the plan's, and a command started by hand. (Were CLI scenarios in
//! python/tests/test_refresh_cli.py.)

#![cfg(feature = "aws")]

use serde_json::{Value, json};
use ssmpatch::aws::{AwsOptions, Clients};
use ssmpatch::backends::{Action, PolicyOptions};
use ssmpatch::compliance::{NodeResult, RefreshOptions};
use ssmpatch::plan::{CompileOptions, Plan, Source};
use ssmpatch::session::Session;
use ssmpatch_test_support::standin::{REGION, StandIn, openssl_node};

const BUCKET: &str = "refresh-artifacts";
const NODES: [&str; 3] = ["i-0000000000000000a", "i-0000000000000000b", "i-0000000000000000c"];

fn plan_text(backend: &str) -> String {
    // Patch policies take no BaselineOverride: the install uses the plan's baseline as is.
    // Elsewhere the baseline keeps the declared rules, so the install's approval is an override.
    let (approval, placement) = if backend == "patch-policy" {
        ("", "")
    } else {
        ("approval = { approve-after-days = 21 }", "baseline-rules-from = \"declared\"")
    };
    format!(
        r#"
version = 1
name = "refresh-{backend}"
region = "{REGION}"
backend = "{backend}"
{placement}

[targets]
tags = {{ "Patch Group" = "web" }}

[[baselines.AMAZON_LINUX_2023.approval-rules]]
approve-after-days = 7

[operations.install]
kind = "install"
schedule = "second tuesday at 02:00"
{approval}

[compliance]
strategy = "put-compliance-items"

[s3]
bucket = "{BUCKET}"
"#
    )
}

async fn applied(si: &StandIn, backend: &str) -> (Session, Clients) {
    let (session, clients) = prepared(si, backend).await;
    let diff = session.diff().await.expect("diff");
    assert!(diff.count(Action::Create) > 0);
    let report = session.apply(&diff, &|_| {}).await;
    assert_eq!(report.error, None);
    (session, clients)
}

/// The stand-in with the plan's bucket and three nodes, and a session for the plan on `backend`.
async fn prepared(si: &StandIn, backend: &str) -> (Session, Clients) {
    si.settings(&json!({"page_size": 2}));
    si.create_quick_setup_roles();
    let clients = Clients::load(&AwsOptions::stand_in(si.url(), REGION), None).await;
    clients.s3.create_bucket().bucket(BUCKET).send().await.expect("bucket");
    let nodes: Vec<Value> = NODES.iter().map(|id| openssl_node(id, json!({"Patch Group": "web"}), true)).collect();
    si.seed_nodes(&json!({"region": REGION, "nodes": nodes}));
    let plan = Plan::from_source(Source::new(Some("refresh.toml"), plan_text(backend))).expect("valid plan");
    let opts = CompileOptions::from("2026-06-01T00:00:00Z".parse().expect("ts"));
    let ex = plan.explain(&opts).expect("explain");
    // The nodes' role as `ssmpatch iam-policy --node` prints it.
    if let Some(node) = ssmpatch::backends::node_policy(&plan, ex.backend, &PolicyOptions::new(&plan)) {
        si.grant_nodes(REGION, &node);
    }
    let additions = ssmpatch::session::additions(&plan, &ex, &opts).expect("additions");
    (Session::with_clients(plan, ex, additions, clients.clone(), 4), clients)
}

/// The node's items of the compliance type put-compliance-items writes by default.
async fn items(clients: &Clients, node: &str) -> Vec<aws_sdk_ssm::types::ComplianceItem> {
    let filter = aws_sdk_ssm::types::ComplianceStringFilter::builder()
        .key("ComplianceType")
        .values("Custom:ssmpatch")
        .r#type(aws_sdk_ssm::types::ComplianceQueryOperatorType::Equal)
        .build();
    let pages: Vec<_> = clients
        .ssm
        .list_compliance_items()
        .resource_ids(node)
        .resource_types("ManagedInstance")
        .filters(filter)
        .into_paginator()
        .items()
        .send()
        .collect()
        .await;
    pages.into_iter().collect::<Result<_, _>>().expect("compliance items")
}

/// Runs the install and refreshes; every node's report is written and reads back.
async fn install_then_refresh(si: &StandIn, session: &Session, clients: &Clients, run: &str) {
    si.control("POST", run, Some(&json!({})));
    for node in NODES {
        assert_eq!(items(clients, node).await.len(), 0, "AWS records nothing for an override run");
    }
    si.clear_calls();
    let report = session.refresh(&RefreshOptions::default(), &|_| {}).await.expect("refresh");
    assert_eq!(report.strategy, "put-compliance-items");
    let paged: Vec<String> = si
        .calls()
        .iter()
        .filter(|c| c["params"].get("NextToken").is_some_and(|t| !t.is_null()))
        .filter_map(|c| c["name"].as_str().map(str::to_string))
        .collect();
    assert!(!paged.is_empty(), "refresh read no second page of anything (three nodes, two per page)");
    let mut got: Vec<(&str, &str, NodeResult)> =
        report.nodes.iter().map(|n| (n.instance_id.as_str(), n.operation.as_str(), n.result)).collect();
    got.sort();
    let want: Vec<(&str, &str, NodeResult)> =
        NODES.iter().map(|n| (*n, "install", NodeResult::ComplianceWritten)).collect();
    assert_eq!(got, want, "{report:#?}");
    for node in NODES {
        let items = items(clients, node).await;
        let ids: Vec<(&str, &str)> =
            items.iter().map(|i| (i.id().unwrap_or_default(), i.status().map_or("", |s| s.as_str()))).collect();
        assert_eq!(ids, [("openssl.x86_64", "NON_COMPLIANT")], "{node}");
    }
    assert_eq!(si.violations(), Vec::<Value>::new(), "requests botocore's model rejects");
}

/// The commands a window task sent (one per node).
fn command_ids(task: &Value) -> Vec<&str> {
    task["CommandIds"].as_array().map(|ids| ids.iter().filter_map(Value::as_str).collect()).unwrap_or_default()
}

/// The install window's id.
async fn install_window(clients: &Clients) -> String {
    let pages: Vec<_> = clients.ssm.describe_maintenance_windows().into_paginator().items().send().collect().await;
    let windows: Vec<_> = pages.into_iter().collect::<Result<_, _>>().expect("windows");
    windows
        .iter()
        .find(|w| w.name() == Some("ssmpatch-refresh-maintenance-window-install"))
        .and_then(|w| w.window_id())
        .expect("install window")
        .to_string()
}

#[tokio::test]
#[ignore = "needs the local AWS stand-in (scripts/test.sh runs it)"]
async fn maintenance_window_runs_are_refreshed() {
    let si = StandIn::start();
    let (session, clients) = applied(&si, "maintenance-window").await;
    let id = install_window(&clients).await;
    install_then_refresh(&si, &session, &clients, &format!("windows/{id}/execute")).await;
}

#[tokio::test]
#[ignore = "needs the local AWS stand-in (scripts/test.sh runs it)"]
async fn only_each_nodes_latest_run_is_read_and_another_strategy_can_be_chosen() {
    let si = StandIn::start();
    let (session, clients) = applied(&si, "maintenance-window").await;
    let id = install_window(&clients).await;
    si.control("POST", &format!("windows/{id}/execute"), Some(&json!({})));
    let second = si.control("POST", &format!("windows/{id}/execute"), Some(&json!({})));
    let latest: Vec<&str> = second["Tasks"].as_array().expect("tasks").iter().flat_map(|t| command_ids(t)).collect();
    let report = session.refresh(&RefreshOptions::default(), &|_| {}).await.expect("refresh");
    // One outcome per node, from the newer run; the older one is not replayed over it.
    assert_eq!(report.nodes.len(), NODES.len(), "{report:#?}");
    for n in &report.nodes {
        assert!(latest.contains(&n.execution_id.as_str()), "{n:?} is not from the latest run {latest:?}");
        assert_eq!(n.result, NodeResult::ComplianceWritten);
    }
    assert!(
        report.messages.iter().any(|m| m.starts_with("3 older run(s) of the same node(s) not read")),
        "{report:#?}"
    );

    // `--strategy rescan` instead of the plan's: a scan without override on each node.
    let mut opts = RefreshOptions::default();
    opts.strategy = Some("rescan".into());
    let report = session.refresh(&opts, &|_| {}).await.expect("refresh with rescan");
    assert_eq!(report.strategy, "rescan");
    assert!(report.nodes.iter().all(|n| n.result == NodeResult::ScanStarted), "{report:#?}");
    let states = clients.ssm.describe_instance_patch_states().set_instance_ids(Some(NODES.map(String::from).to_vec()));
    let pages: Vec<_> = states.into_paginator().items().send().collect().await;
    let states: Vec<_> = pages.into_iter().collect::<Result<_, _>>().expect("patch states (all pages)");
    let ops: Vec<_> = states.iter().map(|s| s.operation().as_str().to_string()).collect();
    assert_eq!(ops, ["Scan", "Scan", "Scan"], "the scan recorded each node's state");
}

#[tokio::test]
#[ignore = "needs the local AWS stand-in (scripts/test.sh runs it)"]
async fn a_newer_run_with_the_same_results_updates_the_reports_run() {
    // AWS ignores a PutComplianceItems whose ItemContentHash matches the stored one. Were the
    // hash over the items only, a newer run with unchanged results would leave the report showing
    // the older run's execution id and time: a fresh report that looks stale.
    let si = StandIn::start();
    let (session, clients) = applied(&si, "maintenance-window").await;
    let id = install_window(&clients).await;
    let mut seen = Vec::new();
    for _ in 0..2 {
        let run = si.control("POST", &format!("windows/{id}/execute"), Some(&json!({})));
        let report = session.refresh(&RefreshOptions::default(), &|_| {}).await.expect("refresh");
        assert!(report.nodes.iter().all(|n| n.result == NodeResult::ComplianceWritten), "{report:#?}");
        let commands: Vec<&str> = run["Tasks"].as_array().expect("tasks").iter().flat_map(|t| command_ids(t)).collect();
        for node in NODES {
            let items = items(&clients, node).await;
            let execution = items[0].execution_summary().and_then(|e| e.execution_id()).unwrap_or_default();
            assert!(commands.contains(&execution), "{node}: the report shows run {execution}, not {commands:?}");
            seen.push(execution.to_string());
        }
    }
    assert_ne!(seen[0], seen[NODES.len()], "two runs, two execution ids");
}

/// The nodes of a window's runs (one command per node) are listed several at a time: one list
/// that fails fails the refresh with that call's error, and nothing is written from the others.
#[tokio::test]
#[ignore = "needs the local AWS stand-in (scripts/test.sh runs it)"]
async fn a_run_whose_nodes_cannot_be_listed_fails_the_refresh() {
    let si = StandIn::start();
    let (session, clients) = applied(&si, "maintenance-window").await;
    let id = install_window(&clients).await;
    si.control("POST", &format!("windows/{id}/execute"), Some(&json!({})));
    // Refused, not retried: every action refresh takes but ssm:ListCommandInvocations.
    let allow = ["s3:*", "ssm:Describe*", "ssm:Get*", "ssm:PutComplianceItems", "ssm:ListTagsForResource"];
    si.settings(&json!({"iam": {"allow": allow}}));
    si.clear_calls();
    let e = session.refresh(&RefreshOptions::default(), &|_| {}).await.expect_err("a list was refused");
    si.settings(&json!({"iam": null}));
    let message = e.to_string();
    assert!(message.contains("ListCommandInvocations") && message.contains("AccessDenied"), "{message}");
    let calls = si.calls();
    let listed = calls.iter().filter(|c| c["name"] == "ListCommandInvocations").count();
    assert_eq!(listed, NODES.len(), "one list per run (one command per node)");
    assert!(!calls.iter().any(|c| c["name"] == "PutComplianceItems" || c["name"] == "GetObject"), "{calls:#?}");
}

#[tokio::test]
#[ignore = "needs the local AWS stand-in (scripts/test.sh runs it)"]
async fn a_command_started_by_hand_is_refreshed_by_its_id() {
    let si = StandIn::start();
    let (session, clients) = applied(&si, "maintenance-window").await;
    let window = install_window(&clients).await;
    let tasks = clients.ssm.describe_maintenance_window_tasks().window_id(&window).send().await.expect("tasks");
    let task = tasks.tasks().first().and_then(|t| t.window_task_id()).expect("install task");
    let task =
        clients.ssm.get_maintenance_window_task().window_id(&window).window_task_id(task).send().await.expect("task");
    let url = task
        .task_invocation_parameters()
        .and_then(|p| p.run_command())
        .and_then(|r| r.parameters())
        .and_then(|p| p.get("BaselineOverride"))
        .and_then(|v| v.first())
        .expect("the install's override")
        .clone();
    // An install started by hand with the plan's override, its output in the plan's bucket.
    let sent = clients
        .ssm
        .send_command()
        .document_name("AWS-RunPatchBaseline")
        .instance_ids(NODES[0])
        .parameters("Operation", vec!["Install".to_string()])
        .parameters("BaselineOverride", vec![url])
        .output_s3_bucket_name(BUCKET)
        .output_s3_key_prefix("by-hand")
        .send()
        .await
        .expect("send command");
    let command = sent.command().and_then(|c| c.command_id()).expect("command id").to_string();
    let mut opts = RefreshOptions::default();
    opts.command_id = Some(command.clone());
    let report = session.refresh(&opts, &|_| {}).await.expect("refresh");
    let got: Vec<_> =
        report.nodes.iter().map(|n| (n.instance_id.as_str(), n.execution_id.as_str(), n.result)).collect();
    assert_eq!(got, [(NODES[0], command.as_str(), NodeResult::ComplianceWritten)], "{report:#?}");
    assert_eq!(items(&clients, NODES[0]).await.len(), 1);
}

#[tokio::test]
#[ignore = "needs the local AWS stand-in (scripts/test.sh runs it)"]
async fn association_runs_are_refreshed() {
    let si = StandIn::start();
    let (session, clients) = applied(&si, "association").await;
    let pages: Vec<_> = clients.ssm.list_associations().into_paginator().items().send().collect().await;
    let all: Vec<_> = pages.into_iter().collect::<Result<_, _>>().expect("associations");
    let id = all
        .iter()
        .find(|a| a.association_name().is_some_and(|n| n.ends_with("-install")))
        .and_then(|a| a.association_id())
        .expect("install association");
    install_then_refresh(&si, &session, &clients, &format!("associations/{id}/run")).await;
}

#[tokio::test]
#[ignore = "needs the local AWS stand-in (scripts/test.sh runs it)"]
async fn a_patch_policy_has_no_override_runs_to_refresh() {
    let si = StandIn::start();
    let (session, _clients) = applied(&si, "patch-policy").await;
    // AWS records a patch policy's compliance itself: refresh says so, and how to refresh a
    // command started by hand.
    let e = session.refresh(&RefreshOptions::default(), &|_| {}).await.expect_err("nothing to refresh");
    assert!(e.to_string().contains("records compliance for runs with an override itself"), "{e}");
    assert!(ssmpatch::Hint::hint(&e).is_some_and(|h| h.contains("--command-id")), "{e:?}");
}

#[tokio::test]
#[ignore = "needs the local AWS stand-in (scripts/test.sh runs it)"]
async fn a_windows_node_is_read_from_its_own_step_and_reported_unreadable_platform() {
    let si = StandIn::start();
    let text = plan_text("maintenance-window").replace(
        "[operations.install]",
        "[[baselines.WINDOWS.approval-rules]]\napprove-after-days = 7\nfilters = { CLASSIFICATION = [\"SecurityUpdates\"] }\n\n[operations.install]",
    );
    let clients = Clients::load(&AwsOptions::stand_in(si.url(), REGION), None).await;
    clients.s3.create_bucket().bucket(BUCKET).send().await.expect("bucket");
    let windows = "i-0000000000000000w";
    si.seed_nodes(&json!({"region": REGION, "nodes": [{
        "InstanceId": windows, "OperatingSystem": "WINDOWS", "Tags": {"Patch Group": "web"},
        "Available": [{"Name": "KB5034439", "Classification": "SecurityUpdates", "Severity": "Critical",
                       "ReleaseDate": "2026-01-01T00:00:00Z"}]}]}));
    let plan = Plan::from_source(Source::new(Some("windows.toml"), text)).expect("valid plan");
    let opts = CompileOptions::from("2026-06-01T00:00:00Z".parse().expect("ts"));
    let ex = plan.explain(&opts).expect("explain");
    assert!(ex.warnings.iter().any(|w| w.contains("declares WINDOWS nodes")), "{:?}", ex.warnings);
    let additions = ssmpatch::session::additions(&plan, &ex, &opts).expect("additions");
    let session = Session::with_clients(plan, ex, additions, clients.clone(), 4);
    let diff = session.diff().await.expect("diff");
    assert_eq!(session.apply(&diff, &|_| {}).await.error, None);
    let id = install_window(&clients).await;
    si.control("POST", &format!("windows/{id}/execute"), Some(&json!({})));
    si.clear_calls();
    let report = session.refresh(&RefreshOptions::default(), &|_| {}).await.expect("refresh");
    let got: Vec<_> = report.nodes.iter().map(|n| (n.instance_id.as_str(), n.result)).collect();
    assert_eq!(got, [(windows, NodeResult::UnreadablePlatform)], "{report:#?}");
    assert!(report.nodes[0].detail.starts_with("Windows node:"), "{report:#?}");
    // Its output was read from the PatchWindows step (the plan writes no output to S3).
    let steps: Vec<Value> = si
        .calls()
        .iter()
        .filter(|c| c["name"] == "GetCommandInvocation")
        .map(|c| c["params"]["PluginName"].clone())
        .collect();
    assert_eq!(steps, [json!("PatchWindows")]);
}
