//! Creates that AWS applied but answered with a 5xx (`applied-then-error`) or a dropped
//! connection (`applied-then-drop`), on every create of every backend, with new resources
//! hidden from List/Describe for a while (eventual consistency): `apply` never makes a
//! duplicate, and `plan` afterwards shows no changes. Resources are counted with raw SDK list
//! calls, not through ssmpatch.
//!
//! Where the API takes a `ClientToken` (CreateMaintenanceWindow, RegisterTarget/Task…,
//! CreatePatchBaseline) the SDK's retry carries the same token and AWS answers with the first
//! resource; S3 keys are unique (and written with `If-None-Match`). CreateAssociation and Quick
//! Setup's CreateConfigurationManager take no token: ssmpatch does not let the SDK retry them and,
//! on an ambiguous outcome, looks the resource up by name and ownership tags before anything else
//! (`ssmpatch::backends::shared::ambiguous`).

#![cfg(feature = "aws")]

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::json;
use ssmpatch::aws::{AwsOptions, Clients};
use ssmpatch::backends::{Action, Kind};
use ssmpatch::plan::{CompileOptions, Plan, Source};
use ssmpatch::session::Session;
use ssmpatch_test_support::standin::{REGION, StandIn};

const BUCKET: &str = "ambiguous-artifacts";
/// How many List/Describe calls of its kind a new resource stays out of.
const HIDDEN_CALLS: u64 = 2;

fn plan_text(backend: &str) -> String {
    let (scan_at, install_at, approval, placement) = if backend == "patch-policy" {
        ("every day at 01:00", "second tuesday at 02:00", "", "")
    } else {
        (
            "patch tuesday + 1 day at 01:00",
            "patch tuesday + 3 days at 02:00",
            "approval = { approve-after-days = 21 }",
            "baseline-rules-from = \"declared\"",
        )
    };
    format!(
        r#"
version = 1
name = "amb-{backend}"
region = "{REGION}"
backend = "{backend}"
{placement}

[targets]
tags = {{ "Patch Group" = "amb" }}

[[baselines.AMAZON_LINUX_2023.approval-rules]]
approve-after-days = 7
filters = {{ CLASSIFICATION = ["Security"] }}

[operations.scan]
kind = "scan"
schedule = "{scan_at}"

[operations.install]
kind = "install"
schedule = "{install_at}"
{approval}

[s3]
bucket = "{BUCKET}"
"#
    )
}

fn session(backend: &str, clients: &Clients) -> Session {
    let plan = Plan::from_source(Source::new(Some("ambiguous.toml"), plan_text(backend))).expect("valid plan");
    let opts = CompileOptions::from("2026-06-01T00:00:00Z".parse().expect("ts"));
    let ex = plan.explain(&opts).expect("explain");
    let additions = ssmpatch::session::additions(&plan, &ex, &opts).expect("additions");
    Session::with_clients(plan, ex, additions, clients.clone(), 4)
}

fn quiet(_: &str) {}

/// A list call's answer once the resources hidden from it are visible: the call made `$hidden + 1`
/// times, the last answer kept (each call counts down the stand-in's delay).
macro_rules! settled {
    ($hidden:expr, $call:expr) => {{
        let mut last = None;
        for _ in 0..=$hidden {
            last = Some($call);
        }
        last.expect("called")
    }};
}

/// The names of everything in the account a plan could have made, per kind, counted with the
/// raw SDK (every page), each list called `hidden + 1` times.
async fn inventory(c: &Clients, hidden: u64) -> BTreeMap<Kind, Vec<String>> {
    let mut out: BTreeMap<Kind, Vec<String>> = BTreeMap::new();
    let windows: Vec<_> = settled!(
        hidden,
        c.ssm.describe_maintenance_windows().into_paginator().items().send().collect::<Vec<_>>().await
    )
    .into_iter()
    .collect::<Result<_, _>>()
    .expect("windows");
    for w in &windows {
        let (name, id) = (w.name().unwrap_or_default().to_string(), w.window_id().unwrap_or_default());
        let targets: Vec<_> = settled!(
            hidden,
            c.ssm
                .describe_maintenance_window_targets()
                .window_id(id)
                .into_paginator()
                .items()
                .send()
                .collect::<Vec<_>>()
                .await
        )
        .into_iter()
        .collect::<Result<_, _>>()
        .expect("targets");
        out.entry(Kind::WindowTarget)
            .or_default()
            .extend(targets.iter().map(|t| format!("{name}/{}", t.name().unwrap_or_default())));
        let tasks: Vec<_> = settled!(
            hidden,
            c.ssm
                .describe_maintenance_window_tasks()
                .window_id(id)
                .into_paginator()
                .items()
                .send()
                .collect::<Vec<_>>()
                .await
        )
        .into_iter()
        .collect::<Result<_, _>>()
        .expect("tasks");
        out.entry(Kind::WindowTask)
            .or_default()
            .extend(tasks.iter().map(|t| format!("{name}/{}", t.name().unwrap_or_default())));
        out.entry(Kind::MaintenanceWindow).or_default().push(name);
    }
    let own = aws_sdk_ssm::types::PatchOrchestratorFilter::builder().key("OWNER").values("Self").build();
    let baselines: Vec<_> = settled!(
        hidden,
        c.ssm.describe_patch_baselines().filters(own.clone()).into_paginator().items().send().collect::<Vec<_>>().await
    )
    .into_iter()
    .collect::<Result<_, _>>()
    .expect("baselines");
    out.entry(Kind::PatchBaseline)
        .or_default()
        .extend(baselines.iter().map(|b| b.baseline_name().unwrap_or_default().to_string()));
    let associations: Vec<_> =
        settled!(hidden, c.ssm.list_associations().into_paginator().items().send().collect::<Vec<_>>().await)
            .into_iter()
            .collect::<Result<_, _>>()
            .expect("associations");
    out.entry(Kind::Association)
        .or_default()
        .extend(associations.iter().map(|a| a.association_name().unwrap_or_default().to_string()));
    let managers: Vec<_> = settled!(
        hidden,
        c.quicksetup.list_configuration_managers().into_paginator().items().send().collect::<Vec<_>>().await
    )
    .into_iter()
    .collect::<Result<_, _>>()
    .expect("managers");
    out.entry(Kind::PatchPolicy).or_default().extend(managers.iter().map(|m| m.name().unwrap_or_default().to_string()));
    let objects = c.s3.list_objects_v2().bucket(BUCKET).send().await.expect("objects");
    out.entry(Kind::OverrideObject)
        .or_default()
        .extend(objects.contents().iter().map(|o| o.key().unwrap_or_default().to_string()));
    out.retain(|_, v| {
        v.sort();
        !v.is_empty()
    });
    out
}

/// What a plan creates, per kind, by the names `inventory` gives them.
fn wanted(d: &ssmpatch::backends::Diff) -> BTreeMap<Kind, Vec<String>> {
    let mut out: BTreeMap<Kind, Vec<String>> = BTreeMap::new();
    for c in d.changes.iter().filter(|c| c.action == Action::Create) {
        if c.key.kind == Kind::DeploymentRoles {
            continue;
        }
        let name = match &c.key.parent {
            Some(p) => format!("{p}/{}", c.key.name),
            None => c.key.name.clone(),
        };
        out.entry(c.key.kind).or_default().push(name);
    }
    out.values_mut().for_each(|v| v.sort());
    out
}

/// Options for the stand-in with a short wait for an ambiguous create (the default is 20 s).
fn options(si: &StandIn) -> AwsOptions {
    let mut opts = AwsOptions::stand_in(si.url(), REGION);
    opts.ambiguous_create_wait = Some(Duration::from_secs(3));
    opts
}

/// On a fresh stand-in: `kind` injected once into `operation` (of `service`), new resources
/// hidden from HIDDEN_CALLS list calls; apply (a second time only when the first failed saying
/// the create may have happened); then exactly the plan's resources, one of each, and no changes.
async fn no_duplicate(backend: &str, service: &str, operation: &str, kind: &str) {
    let si = StandIn::start();
    si.create_quick_setup_roles();
    let clients = Clients::load(&options(&si), None).await;
    let raw = Clients::load(&AwsOptions::stand_in(si.url(), REGION), None).await;
    raw.s3.create_bucket().bucket(BUCKET).send().await.expect("bucket");
    let s = session(backend, &clients);
    let first = s.diff().await.expect("diff");
    let want = wanted(&first);
    assert!(
        first.changes.iter().any(|c| c.action == Action::Create && kind_of(operation).contains(&c.key.kind)),
        "{backend} creates nothing through {operation}"
    );
    si.settings(&json!({"visibility_delay": {"calls": HIDDEN_CALLS}}));
    si.set_faults(&json!({"rules": [{"service": service, "operation": operation, "kind": kind, "times": 1}]}));
    let report = s.apply(&first, &quiet).await;
    let faulted: Vec<String> = si
        .calls()
        .iter()
        .filter(|c| c["name"] == operation && c["outcome"].as_str().is_some_and(|o| o.starts_with(kind)))
        .map(|c| c["outcome"].to_string())
        .collect();
    assert_eq!(faulted.len(), 1, "{backend} {operation} {kind}: the fault hit once");
    if let Some(e) = &report.error {
        assert!(e.contains("may have"), "{backend} {operation} {kind}: the first apply failed unclearly: {e}");
        let again = s.diff().await.expect("diff");
        let report = s.apply(&again, &quiet).await;
        assert_eq!(report.error, None, "{backend} {operation} {kind}: the second apply");
    }
    if !TAKES_A_TOKEN.contains(&operation) && operation != "PutObject" {
        let sent = si.calls().iter().filter(|c| c["name"] == operation).count();
        let made = kind_of(operation).iter().filter_map(|k| want.get(k)).map(Vec::len).sum::<usize>();
        assert_eq!(sent, made, "{backend} {operation} {kind}: sent once per resource, never retried");
    }
    si.clear_faults();
    let have = inventory(&raw, HIDDEN_CALLS).await;
    assert_eq!(have, want, "{backend} {operation} {kind}: exactly one of each resource");
    let d = s.diff().await.expect("diff");
    assert!(
        d.is_empty(),
        "{backend} {operation} {kind}: plan shows changes: {:#?}",
        d.changes.iter().filter(|c| c.action != Action::Unchanged).collect::<Vec<_>>()
    );
    assert_eq!(si.violations(), Vec::<serde_json::Value>::new());
}

/// The creates whose input has a `ClientToken` (botocore's `idempotencyToken` trait), which the SDK
/// fills once per call and keeps across its retries.
const TAKES_A_TOKEN: [&str; 4] = [
    "CreateMaintenanceWindow",
    "RegisterTargetWithMaintenanceWindow",
    "RegisterTaskWithMaintenanceWindow",
    "CreatePatchBaseline",
];

/// The kinds a create operation makes.
fn kind_of(operation: &str) -> &'static [Kind] {
    match operation {
        "CreateMaintenanceWindow" => &[Kind::MaintenanceWindow],
        "RegisterTargetWithMaintenanceWindow" => &[Kind::WindowTarget],
        "RegisterTaskWithMaintenanceWindow" => &[Kind::WindowTask],
        "CreatePatchBaseline" => &[Kind::PatchBaseline],
        "PutObject" => &[Kind::OverrideObject],
        "CreateAssociation" => &[Kind::Association],
        "CreateConfigurationManager" => &[Kind::PatchPolicy],
        other => panic!("not a create: {other}"),
    }
}

/// Every create operation of a backend, with its service.
fn creates(backend: &str) -> &'static [(&'static str, &'static str)] {
    match backend {
        "maintenance-window" => &[
            ("ssm", "CreateMaintenanceWindow"),
            ("ssm", "RegisterTargetWithMaintenanceWindow"),
            ("ssm", "RegisterTaskWithMaintenanceWindow"),
            ("ssm", "CreatePatchBaseline"),
            ("s3", "PutObject"),
        ],
        "association" => &[("ssm", "CreateAssociation"), ("ssm", "CreatePatchBaseline"), ("s3", "PutObject")],
        "patch-policy" => &[("ssm-quicksetup", "CreateConfigurationManager"), ("ssm", "CreatePatchBaseline")],
        other => panic!("not a backend: {other}"),
    }
}

async fn every_create(backend: &str, kind: &str) {
    for (service, operation) in creates(backend) {
        no_duplicate(backend, service, operation, kind).await;
    }
}

#[tokio::test]
#[ignore = "needs the local AWS stand-in (scripts/test.sh runs it)"]
async fn maintenance_window_creates_applied_then_error() {
    every_create("maintenance-window", "applied-then-error").await;
}

#[tokio::test]
#[ignore = "needs the local AWS stand-in (scripts/test.sh runs it)"]
async fn maintenance_window_creates_applied_then_drop() {
    every_create("maintenance-window", "applied-then-drop").await;
}

#[tokio::test]
#[ignore = "needs the local AWS stand-in (scripts/test.sh runs it)"]
async fn association_creates_applied_then_error() {
    every_create("association", "applied-then-error").await;
}

#[tokio::test]
#[ignore = "needs the local AWS stand-in (scripts/test.sh runs it)"]
async fn association_creates_applied_then_drop() {
    every_create("association", "applied-then-drop").await;
}

#[tokio::test]
#[ignore = "needs the local AWS stand-in (scripts/test.sh runs it)"]
async fn patch_policy_creates_applied_then_error() {
    every_create("patch-policy", "applied-then-error").await;
}

#[tokio::test]
#[ignore = "needs the local AWS stand-in (scripts/test.sh runs it)"]
async fn patch_policy_creates_applied_then_drop() {
    every_create("patch-policy", "applied-then-drop").await;
}

/// A create without a token that AWS applied while the resource stays out of the lists for
/// longer than the apply looks: the apply fails saying the create may have happened, having sent
/// it once; once AWS lists it, the next apply finds it and creates no other.
async fn not_found_in_time_then_found(backend: &str, service: &str, operation: &str) {
    const LONG: u64 = 8;
    let si = StandIn::start();
    si.create_quick_setup_roles();
    let mut opts = options(&si);
    // Lookups at 0, 0.5 and 1 s: three list calls, fewer than LONG.
    opts.ambiguous_create_wait = Some(Duration::from_secs(1));
    let clients = Clients::load(&opts, None).await;
    let raw = Clients::load(&AwsOptions::stand_in(si.url(), REGION), None).await;
    raw.s3.create_bucket().bucket(BUCKET).send().await.expect("bucket");
    let s = session(backend, &clients);
    let first = s.diff().await.expect("diff");
    let want = wanted(&first);
    let [made] = kind_of(operation) else { panic!("one kind") };
    si.settings(&json!({"visibility_delay": {"calls": LONG}}));
    si.set_faults(
        &json!({"rules": [{"service": service, "operation": operation, "kind": "applied-then-error", "times": 1}]}),
    );
    let report = s.apply(&first, &quiet).await;
    let e = report.error.expect("the first apply cannot know whether the create happened");
    assert!(e.contains("may have happened") && e.contains("run apply again"), "{e}");
    let sent = si.calls().iter().filter(|c| c["name"] == operation).count();
    assert_eq!(sent, want[made].len(), "{operation} sent once per resource, never again after the 500");
    si.clear_faults();
    // Once AWS lists everything: no second copy of anything.
    let have = inventory(&raw, LONG).await;
    for (kind, names) in &have {
        let mut unique = names.clone();
        unique.dedup();
        assert_eq!(&unique, names, "{backend}: a second {kind:?}");
    }
    si.settings(&json!({"visibility_delay": {"calls": HIDDEN_CALLS}}));
    let again = s.diff().await.expect("diff");
    let created: Vec<_> = again.changes.iter().filter(|c| c.action == Action::Create && c.key.kind == *made).collect();
    assert!(created.len() < want[made].len(), "{backend}: the next plan creates every {made:?} again: {created:#?}");
    let report = s.apply(&again, &quiet).await;
    assert_eq!(report.error, None, "{backend}: the second apply");
    assert_eq!(inventory(&raw, HIDDEN_CALLS).await, want, "{backend}: exactly one of each resource");
    let d = s.diff().await.expect("diff");
    assert!(
        d.is_empty(),
        "{backend}: plan shows changes: {:#?}",
        d.changes.iter().filter(|c| c.action != Action::Unchanged).collect::<Vec<_>>()
    );
}

#[tokio::test]
#[ignore = "needs the local AWS stand-in (scripts/test.sh runs it)"]
async fn an_association_not_listed_in_time_fails_the_apply_and_the_next_apply_finds_it() {
    not_found_in_time_then_found("association", "ssm", "CreateAssociation").await;
}

#[tokio::test]
#[ignore = "needs the local AWS stand-in (scripts/test.sh runs it)"]
async fn a_patch_policy_not_listed_in_time_fails_the_apply_and_the_next_apply_finds_it() {
    not_found_in_time_then_found("patch-policy", "ssm-quicksetup", "CreateConfigurationManager").await;
}

/// A throttled create without a token was refused before it took effect: sent again after a
/// pause, without a lookup, and the apply succeeds.
#[tokio::test]
#[ignore = "needs the local AWS stand-in (scripts/test.sh runs it)"]
async fn throttled_creates_without_a_token_are_sent_again() {
    for (backend, service, operation) in
        [("association", "ssm", "CreateAssociation"), ("patch-policy", "ssm-quicksetup", "CreateConfigurationManager")]
    {
        let si = StandIn::start();
        si.create_quick_setup_roles();
        let clients = Clients::load(&options(&si), None).await;
        clients.s3.create_bucket().bucket(BUCKET).send().await.expect("bucket");
        let s = session(backend, &clients);
        let first = s.diff().await.expect("diff");
        let want = wanted(&first);
        si.set_faults(
            &json!({"rules": [{"service": service, "operation": operation, "kind": "throttle", "times": 2}]}),
        );
        let report = s.apply(&first, &quiet).await;
        assert_eq!(report.error, None, "{backend}");
        let sent = si.calls().iter().filter(|c| c["name"] == operation).count();
        let made = want[&kind_of(operation)[0]].len();
        assert_eq!(sent, made + 2, "{backend}: each throttled call sent again");
        assert_eq!(inventory(&clients, 0).await, want, "{backend}");
    }
}
