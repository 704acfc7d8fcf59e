//! `status` end to end against the stand-in, two items per List/Describe page: the seed plan on
//! maintenance windows (strategy `rescan`) with a node in each verdict the runs can give, and a
//! `put-compliance-items` plan on associations (reports written by `refresh`, then stale and
//! overwritten).

#![cfg(feature = "aws")]

use jiff::Timestamp;
use serde_json::{Value, json};
use ssmpatch::aws::{AwsOptions, Clients};
use ssmpatch::backends::{Action, PolicyOptions};
use ssmpatch::compliance::RefreshOptions;
use ssmpatch::compliance::status::{
    NodeStatus, ReportKind, RunSource, StatusOptions, StatusReport, Verdict, status_html,
};
use ssmpatch::plan::{CompileOptions, Plan, Source};
use ssmpatch::session::Session;
use ssmpatch_test_support::chromium::WINDOW;
use ssmpatch_test_support::standin::{REGION, StandIn, openssl_node};
use ssmpatch_test_support::{artifacts_dir, chromium};

use super::status_html as dom;

const WEB: &str = "web-patching-artifacts";

/// The seed plan (`examples/seed-monthly.toml`) in the stand-in's Region.
fn seed_text() -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/seed-monthly.toml");
    std::fs::read_to_string(path)
        .expect("seed plan")
        .replace("region = \"ap-northeast-1\"", &format!("region = \"{REGION}\""))
}

fn node(report: &StatusReport, id: &str, op: &str) -> NodeStatus {
    report
        .nodes
        .iter()
        .find(|n| n.instance_id == id && n.operation == op)
        .cloned()
        .unwrap_or_else(|| panic!("no {id} {op} in {report:#?}"))
}

/// A session for `text` made as if opened at `from`, over the stand-in, with `nodes` seeded and
/// the nodes' role from `iam-policy --node`.
async fn session(si: &StandIn, text: &str, bucket: &str, from: &str, nodes: &[Value]) -> (Session, Clients) {
    si.settings(&json!({"page_size": 2}));
    let clients = Clients::load(&AwsOptions::stand_in(si.url(), REGION), None).await;
    clients.s3.create_bucket().bucket(bucket).send().await.expect("bucket");
    si.seed_nodes(&json!({"region": REGION, "nodes": nodes}));
    let plan = Plan::from_source(Source::new(Some("plan.toml"), text.to_string())).expect("valid plan");
    let opts = CompileOptions::from(from.parse().expect("ts"));
    let ex = plan.explain(&opts).expect("explain");
    if let Some(policy) = ssmpatch::backends::node_policy(&plan, ex.backend, &PolicyOptions::new(&plan)) {
        si.grant_nodes(REGION, &policy);
    }
    let additions = ssmpatch::session::additions(&plan, &ex, &opts).expect("additions");
    let s = Session::with_clients(plan, ex, additions, clients.clone(), 4).at(from.parse().expect("ts"));
    let diff = s.diff().await.expect("diff");
    assert!(diff.count(Action::Create) > 0);
    assert_eq!(s.apply(&diff, &|_| {}).await.error, None);
    (s, clients)
}

/// The plan's windows: (name, id).
async fn windows(clients: &Clients) -> Vec<(String, String)> {
    let pages: Vec<_> = clients.ssm.describe_maintenance_windows().into_paginator().items().send().collect().await;
    let all: Vec<_> = pages.into_iter().collect::<Result<_, _>>().expect("windows");
    all.iter().filter_map(|w| Some((w.name()?.to_string(), w.window_id()?.to_string()))).collect()
}

async fn status(s: &Session) -> StatusReport {
    s.status(&StatusOptions::default(), &|_| {}).await.expect("status")
}

/// A scan without override sent by someone else (another access key), with a comment that is
/// HTML.
fn foreign_scan(si: &StandIn, node: &str, comment: &str) -> String {
    let script = format!(
        "import boto3, json; c = boto3.client('ssm', region_name='{REGION}'); \
         r = c.send_command(DocumentName='AWS-RunPatchBaseline', InstanceIds=['{node}'], \
         Parameters={{'Operation': ['Scan']}}, Comment={comment:?}); print(json.dumps(r['Command']['CommandId']))"
    );
    let out = si.boto3(&script).env("AWS_ACCESS_KEY_ID", "other").output().expect("python");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice::<String>(&out.stdout).expect("command id")
}

const A: &str = "i-0000000000000a0a1";
const B: &str = "i-0000000000000a0b1";
const C: &str = "i-0000000000000a0c1";
const D: &str = "i-0000000000000a0d1";
const E: &str = "i-0000000000000a0e1";
const F: &str = "i-0000000000000a0f1";
const G: &str = "i-0000000000000a0a7";
const H: &str = "i-0000000000000a0a8";

/// The window task whose name contains `part`: its WindowTaskId.
async fn task_id(clients: &Clients, window: &str, part: &str) -> String {
    let pages: Vec<_> = clients
        .ssm
        .describe_maintenance_window_tasks()
        .window_id(window)
        .into_paginator()
        .items()
        .send()
        .collect()
        .await;
    let all: Vec<_> = pages.into_iter().collect::<Result<_, _>>().expect("tasks");
    all.iter()
        .find(|t| t.name().is_some_and(|n| n.contains(part)))
        .and_then(|t| t.window_task_id())
        .unwrap_or_else(|| panic!("no task named *{part}*: {all:?}"))
        .to_string()
}

#[tokio::test]
#[ignore = "needs the local AWS stand-in (scripts/test.sh runs it)"]
async fn the_seed_plan_on_windows_names_each_nodes_verdict_with_its_evidence() {
    let si = StandIn::start();
    let web = json!({"Patch Group": "web"});
    let nodes: Vec<Value> = [A, B, C, D, E, F, G].iter().map(|id| openssl_node(id, web.clone(), *id == E)).collect();
    // Opened before November's scan (one week before the last Sunday, 2026-11-22 03:00 Tokyo), so
    // apply makes its one-shot window.
    let (s, clients) = session(&si, &seed_text(), WEB, "2026-11-20T00:00:00Z", &nodes).await;
    let ws = windows(&clients).await;
    let id_of = |suffix: &str| ws.iter().find(|(n, _)| n.ends_with(suffix)).map(|(_, id)| id.clone());
    // The earliest one-shot window of the scan: November's.
    let mut scans: Vec<&(String, String)> = ws.iter().filter(|(n, _)| n.contains("-scan-at-2026112")).collect();
    scans.sort();
    let scan = scans.first().map(|(_, id)| id.clone()).unwrap_or_else(|| panic!("the scan's one-shot window: {ws:?}"));
    let install = id_of("-install").expect("the install window");
    let rescan = task_id(&clients, &install, "rescan").await;
    // F's agent is offline before the runs: its commands are not delivered.
    si.control("POST", &format!("nodes/{F}/agent"), Some(&json!({"PingStatus": "ConnectionLost"})));
    si.control("POST", &format!("windows/{scan}/execute"), Some(&json!({})));
    // D is left out of the install's run, B out of its rescan.
    si.control(
        "POST",
        &format!("windows/{install}/execute"),
        Some(&json!({"exclude": [D], "exclude_tasks": {rescan: [B]}})),
    );
    // After the runs: G is gone, H registers with its agent offline, someone else scans C.
    si.control("DELETE", &format!("nodes/{G}"), None);
    let late =
        json!({"InstanceId": H, "OperatingSystem": "AMAZON_LINUX_2023", "Tags": web, "PingStatus": "ConnectionLost"});
    si.seed_nodes(&json!({"region": REGION, "nodes": [late]}));
    let comment = "nightly <img src=x onerror=alert(1)>";
    let foreign = foreign_scan(&si, C, comment);

    si.clear_calls();
    let r = status(&s).await;
    let v = |op: &str| [A, B, C, D, E, F, G, H].map(|id| node(&r, id, op).verdict);
    use Verdict::*;
    assert_eq!(
        v("install"),
        [Current, Stale, Overwritten, Missed, Failed, Unreachable, Unreachable, Unreachable],
        "{r:#?}"
    );
    // The scan runs with an override and `rescan` reports no scan: its run is what counts.
    assert_eq!(
        v("scan"),
        [Current, Current, Current, Current, Current, Unreachable, Unreachable, Unreachable],
        "{r:#?}"
    );
    let ops: Vec<(&str, ReportKind)> = r.operations.iter().map(|o| (o.name.as_str(), o.report)).collect();
    assert_eq!(ops, [("install", ReportKind::Rescanned), ("scan", ReportKind::NotReported)]);

    // The evidence.
    let reason = |id: &str| node(&r, id, "install").reason;
    let a = node(&r, A, "install");
    assert!(a.reason.starts_with("Patch recorded by install-rescan"), "{}", a.reason);
    assert!(a.evidence.report_run.is_some() && a.evidence.patch_state.is_some(), "{a:#?}");
    assert!(reason(B).starts_with("no scan recorded after run"), "{}", reason(B));
    let c = node(&r, C, "install");
    let later = c.evidence.later_scan.as_ref().expect("the later scan");
    assert_eq!(later.command_id.as_deref(), Some(foreign.as_str()));
    assert_eq!(later.comment.as_deref(), Some(comment));
    assert_eq!(later.baseline_override, Some(false));
    assert!(c.reason.contains(&foreign) && c.reason.contains("nightly"), "{}", c.reason);
    assert!(reason(D).starts_with("targeted but not in run"), "{}", reason(D));
    assert_eq!(reason(E), "exit 1 (the patching operation failed): failed to install openssl.x86_64");
    assert!(reason(F).contains("not delivered (Delivery Timed Out)"), "{}", reason(F));
    assert!(reason(G).starts_with("not a managed node now"), "{}", reason(G));
    assert!(reason(H).starts_with("agent ConnectionLost since"), "{}", reason(H));
    assert!(node(&r, G, "install").evidence.agent.is_none());

    // The summary: each node once, under its worst verdict; per operation, each under its own.
    assert_eq!(r.summary.nodes, 8);
    let count = |v: Verdict| r.summary.verdicts[&v];
    assert_eq!(
        Verdict::ALL.map(count),
        [1, 3, 1, 1, 1, 0, 1],
        "failed, unreachable, missed, overwritten, stale, unknown, current: {:?}",
        r.summary.verdicts
    );
    assert_eq!(r.summary.by_operation["scan"][&Current], 5);
    let oldest = r.summary.oldest_stale.as_ref().expect("oldest stale");
    assert_eq!((oldest.instance_id.as_str(), oldest.operation.as_str()), (B, "install"));
    // Display order: the worst first.
    let order: Vec<Verdict> = r.nodes.iter().map(|n| n.verdict).collect();
    assert!(order.windows(2).all(|w| w[0] <= w[1]), "{order:?}");
    the_page_of_this_fleet_renders_in_chromium(&r);
    // Every list was paged; ListCommands only for the suspects: B (a refresh's scan?) and C.
    let calls = si.calls();
    let named = |n: &str| calls.iter().filter(|c| c["name"] == n).count();
    let paged = calls.iter().any(|c| c["params"].get("NextToken").is_some_and(|t| !t.is_null()));
    assert!(paged, "status read no second page of anything");
    let mut asked: Vec<&str> = calls
        .iter()
        .filter(|c| c["name"] == "ListCommands" && c["params"].get("NextToken").is_none_or(Value::is_null))
        .filter_map(|c| c["params"]["InstanceId"].as_str())
        .collect();
    asked.sort();
    assert_eq!(asked, [B, C], "ListCommands for suspects only");
    assert_eq!(named("GetCommandInvocation"), 1, "the failed node's output only");
    assert!(named("PutComplianceItems") + named("SendCommand") == 0, "status writes nothing");

    // refresh (strategy rescan) starts a scan without override on B, whose rescan was left out,
    // with its own SnapshotId: B's Patch report is then the plan's, named by it.
    s.refresh(&RefreshOptions::default(), &|_| {}).await.expect("refresh");
    let r = status(&s).await;
    let b = node(&r, B, "install");
    assert_eq!(b.verdict, Current, "{b:#?}");
    let scan = b.evidence.report_run.as_ref().expect("the refresh's scan");
    assert_eq!(scan.source, RunSource::Command);
    let patch_id =
        b.evidence.reports.iter().find(|p| p.compliance_type == "Patch").and_then(|p| p.execution_id.clone());
    assert!(scan.snapshot_id.is_some() && scan.snapshot_id == patch_id, "{b:#?}");
    assert_eq!(
        node(&r, C, "install").verdict,
        Overwritten,
        "refresh scans only where nothing was recorded after the run"
    );

    // A run in progress: the install's verdicts are unknown until it ends.
    si.control("POST", &format!("windows/{install}/execute"), Some(&json!({"in_progress": true})));
    let r = status(&s).await;
    let a = node(&r, A, "install");
    assert_eq!(a.verdict, Verdict::Unknown, "{a:#?}");
    assert!(a.reason.contains("in progress"), "{}", a.reason);
    assert_eq!(si.violations(), Vec::<Value>::new(), "requests botocore's model rejects");
}

const PUT_TEXT: &str = r#"
version = 1
name = "db-weekly"
backend = "association"
baseline-rules-from = "declared"

[targets]
tags = { "Patch Group" = "db" }

[[baselines.AMAZON_LINUX_2023.approval-rules]]
approve-after-days = 7

[operations.install]
kind = "install"
schedule = "second tuesday at 02:00"
approval = { approve-after-days = 21 }

[compliance]
strategy = "put-compliance-items"

[s3]
bucket = "db-artifacts"
"#;

const X: &str = "i-0000000000000b0a1";
const Y: &str = "i-0000000000000b0b1";

/// PutComplianceItems of `Custom:ssmpatch` on `node` by someone else (another access key).
fn foreign_put(si: &StandIn, node: &str) {
    let script = format!(
        "import boto3, datetime; c = boto3.client('ssm', region_name='{REGION}'); \
         c.put_compliance_items(ResourceId='{node}', ResourceType='ManagedInstance', ComplianceType='Custom:ssmpatch', \
         ExecutionSummary={{'ExecutionTime': datetime.datetime.now(datetime.timezone.utc), 'ExecutionId': 'someone-else', \
         'ExecutionType': 'Command'}}, Items=[{{'Id': 'x', 'Severity': 'HIGH', 'Status': 'COMPLIANT'}}])"
    );
    let out = si.boto3(&script).env("AWS_ACCESS_KEY_ID", "other").output().expect("python");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[tokio::test]
#[ignore = "needs the local AWS stand-in (scripts/test.sh runs it)"]
async fn reports_written_by_refresh_are_current_then_stale_or_overwritten() {
    let si = StandIn::start();
    let db = json!({"Patch Group": "db"});
    let nodes = vec![openssl_node(X, db.clone(), false), openssl_node(Y, db, false)];
    let text = format!("region = \"{REGION}\"\n{PUT_TEXT}");
    let (s, clients) = session(&si, &text, "db-artifacts", "2026-11-01T00:00:00Z", &nodes).await;
    let pages: Vec<_> = clients.ssm.list_associations().into_paginator().items().send().collect().await;
    let all: Vec<_> = pages.into_iter().collect::<Result<_, _>>().expect("associations");
    let install = all
        .iter()
        .find(|a| a.association_name().is_some_and(|n| n.ends_with("-install")))
        .and_then(|a| a.association_id())
        .expect("install association")
        .to_string();
    si.control("POST", &format!("associations/{install}/run"), Some(&json!({})));

    // Run, not refreshed: stale.
    let r = status(&s).await;
    assert_eq!(r.operations[0].report, ReportKind::Written);
    assert_eq!(r.operations[0].compliance_type, "Custom:ssmpatch");
    for id in [X, Y] {
        let n = node(&r, id, "install");
        assert_eq!(n.verdict, Verdict::Stale, "{n:#?}");
        assert!(n.reason.contains("refresh not run or failed"), "{}", n.reason);
    }
    assert!(r.summary.oldest_stale.is_some());

    // Refreshed: current. Then someone else scans X (Patch: a warning, Custom unchanged) and
    // writes Y's Custom:ssmpatch (overwritten).
    s.refresh(&RefreshOptions::default(), &|_| {}).await.expect("refresh");
    let r = status(&s).await;
    assert_eq!([node(&r, X, "install").verdict, node(&r, Y, "install").verdict], [Verdict::Current; 2], "{r:#?}");
    assert!(r.messages.is_empty(), "{:?}", r.messages);
    foreign_scan(&si, X, "by hand");
    foreign_put(&si, Y);
    let r = status(&s).await;
    let x = node(&r, X, "install");
    assert_eq!(x.verdict, Verdict::Current, "{x:#?}");
    assert!(x.reason.starts_with("written by refresh: Custom:ssmpatch"), "{}", x.reason);
    assert_eq!(x.warnings.len(), 1, "{x:#?}");
    assert!(x.evidence.later_scan.as_ref().is_some_and(|l| l.comment.as_deref() == Some("by hand")), "{x:#?}");
    assert_eq!(r.messages.len(), 1, "{:?}", r.messages);
    let y = node(&r, Y, "install");
    assert_eq!(y.verdict, Verdict::Overwritten, "{y:#?}");
    assert!(y.reason.contains("someone-else"), "{}", y.reason);

    // Another run, not refreshed: X's report is the older run's (stale); Y's stays someone else's.
    si.control("POST", &format!("associations/{install}/run"), Some(&json!({})));
    let r = status(&s).await;
    assert_eq!(node(&r, X, "install").verdict, Verdict::Stale, "{r:#?}");
    assert_eq!(node(&r, Y, "install").verdict, Verdict::Overwritten, "{r:#?}");

    // A run that left X out: missed.
    si.control("POST", &format!("associations/{install}/run"), Some(&json!({"exclude": [X]})));
    let r = status(&s).await;
    let x = node(&r, X, "install");
    assert_eq!(x.verdict, Verdict::Missed, "{x:#?}");
    assert!(x.reason.starts_with("targeted but not in run"), "{}", x.reason);

    // --operation: a plan operation only.
    let mut o = StatusOptions::default();
    o.operation = Some("install-rescan".into());
    let e = s.status(&o, &|_| {}).await.expect_err("not an operation");
    assert!(e.to_string().contains("no operation `install-rescan`"), "{e}");
    assert_eq!(si.violations(), Vec::<Value>::new(), "requests botocore's model rejects");
}

/// This fleet's report as the HTML page, in headless Chromium: after the page's script ran, every
/// node row carries its verdict, in the report's order; the page and a screenshot are saved as
/// test artifacts (`status-fleet.html`, `status-fleet.png`). Without Chromium it returns, except
/// with `CI=true`, where it fails.
fn the_page_of_this_fleet_renders_in_chromium(r: &StatusReport) {
    let Some(chromium) = chromium("status::the_seed_plan_on_windows_names_each_nodes_verdict_with_its_evidence") else {
        return;
    };
    let page = artifacts_dir().join("status-fleet.html");
    std::fs::write(&page, status_html(r)).unwrap_or_else(|e| panic!("{}: {e}", page.display()));
    let rendered = chromium.dump_dom(&page, "");
    let html = &dom::start_tags(&rendered, "html")[0];
    assert_eq!(dom::attr(html, "data-js"), Some("on"), "the page's script did not run");
    let expected: Vec<_> =
        r.nodes.iter().map(|n| (n.instance_id.clone(), n.operation.clone(), n.verdict.to_string(), false)).collect();
    assert_eq!(dom::rows(&rendered), expected, "every node and verdict of the fleet in the rendered page");
    let verdicts: std::collections::BTreeSet<Verdict> = r.nodes.iter().map(|n| n.verdict).collect();
    assert_eq!(verdicts.len(), 6, "the fleet's page shows six verdicts (unknown comes from a run in progress)");
    let shot = artifacts_dir().join("status-fleet.png");
    let run = chromium.screenshot(&page, &shot, WINDOW);
    let png = std::fs::read(&shot).unwrap_or_else(|e| panic!("{}: {e}; chromium said {}", shot.display(), run.stderr));
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 10_000, "not a screenshot: {} bytes", png.len());
}

const GONE: &str = "i-0000000000000b0c1";

/// A node the plan names by id that AWS does not list (never registered, or gone) is in the
/// report as unreachable; a plan whose targets select nothing is not "all current". The runs are
/// read from the oldest planned run the report shows (its timeline), not only the expected one.
#[tokio::test]
#[ignore = "needs the local AWS stand-in (scripts/test.sh runs it)"]
async fn named_nodes_aws_does_not_list_are_unreachable_and_an_empty_fleet_is_not_current() {
    let si = StandIn::start();
    let nodes = vec![openssl_node(X, json!({"Patch Group": "db"}), false)];
    let named = format!("region = \"{REGION}\"\n{PUT_TEXT}").replace(
        "tags = { \"Patch Group\" = \"db\" }",
        &format!("tags = {{ \"Patch Group\" = \"db\" }}\ninstance-ids = [\"{GONE}\"]"),
    );
    assert!(named.contains(GONE), "{named}");
    let (s, _) = session(&si, &named, "db-artifacts", "2026-11-01T00:00:00Z", &nodes).await;
    si.clear_calls();
    let r = status(&s).await;
    let gone = node(&r, GONE, "install");
    assert_eq!(gone.verdict, Verdict::Unreachable, "{gone:#?}");
    assert!(gone.reason.starts_with("not a managed node now"), "{}", gone.reason);
    assert_eq!(node(&r, X, "install").verdict, Verdict::Missed, "{r:#?}");

    // Association executions are read from the oldest planned run shown (10 minutes early).
    let op = r.operations.iter().find(|o| o.name == "install").expect("install");
    let oldest = op.planned.first().copied().expect("planned runs");
    let wanted = Timestamp::from_second(oldest.as_second() - 600).expect("instant").to_string();
    let calls = si.calls();
    let created: Vec<String> = calls
        .iter()
        .filter(|c| c["name"] == "DescribeAssociationExecutions")
        .filter_map(|c| c["params"]["Filters"].as_array().and_then(|f| f.first()).map(|f| f["Value"].to_string()))
        .collect();
    assert!(!created.is_empty(), "no execution read");
    assert!(created.iter().all(|v| v.trim_matches('"') == wanted), "{created:?} != {wanted}");

    // No node at all: not all current, and said so.
    let nobody = format!("region = \"{REGION}\"\n{PUT_TEXT}")
        .replace("\"Patch Group\" = \"db\"", "\"Patch Group\" = \"nobody\"")
        .replace("name = \"db-weekly\"", "name = \"nobody-weekly\"");
    let (s, _) = session(&si, &nobody, "nobody-artifacts", "2026-11-01T00:00:00Z", &[]).await;
    let r = status(&s).await;
    assert!(r.nodes.is_empty(), "{r:#?}");
    assert!(!r.all_current(), "an empty fleet is not all current");
    assert!(r.messages.iter().any(|m| m.starts_with("no node:")), "{:?}", r.messages);
}

/// With each window task run as one command for all its nodes (the stand-in's `window_commands:
/// per-task`, the reading AWS's example does not show), each node's status comes from Run Command:
/// the same verdicts as with a command per node.
#[tokio::test]
#[ignore = "needs the local AWS stand-in (scripts/test.sh runs it)"]
async fn one_command_for_every_node_of_a_task_gives_the_same_verdicts() {
    let si = StandIn::start();
    let web = json!({"Patch Group": "web"});
    let nodes: Vec<Value> = [A, E, F].iter().map(|id| openssl_node(id, web.clone(), *id == E)).collect();
    let (s, clients) = session(&si, &seed_text(), WEB, "2026-11-20T00:00:00Z", &nodes).await;
    si.settings(&json!({"window_commands": "per-task"}));
    let ws = windows(&clients).await;
    let install = ws.iter().find(|(n, _)| n.ends_with("-install")).map(|(_, id)| id.clone()).expect("install");
    si.control("POST", &format!("nodes/{F}/agent"), Some(&json!({"PingStatus": "ConnectionLost"})));
    si.control("POST", &format!("windows/{install}/execute"), Some(&json!({})));
    si.clear_calls();
    let r = status(&s).await;
    let v = [A, E, F].map(|id| node(&r, id, "install").verdict);
    assert_eq!(v, [Verdict::Current, Verdict::Failed, Verdict::Unreachable], "{r:#?}");
    let failed = node(&r, E, "install");
    assert!(failed.reason.contains("failed"), "the reason from the node's output: {failed:#?}");
    let asked = si.calls().iter().filter(|c| c["name"] == "ListCommandInvocations").count();
    assert!(asked >= 2, "each task's command asked for its nodes: {asked} call(s)");
}
