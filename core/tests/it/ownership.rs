//! Ownership is found by tag on every backend, whatever the plan's `backend` says today: moving a
//! plan to another backend creates there and then removes what it owned on the old one; extra
//! copies (two applies at once) are drift that `plan` shows and `apply` and `destroy` remove; a
//! same-named resource ssmpatch did not make blocks the apply before anything changes.

#![cfg(feature = "aws")]

use serde_json::json;
use ssmpatch::aws::{AwsOptions, Clients};
use ssmpatch::backends::{Action, Kind};
use ssmpatch::plan::{CompileOptions, Plan, Source};
use ssmpatch::session::Session;
use ssmpatch_test_support::standin::{REGION, StandIn};

const BUCKET: &str = "ownership-artifacts";
const BACKENDS: [&str; 3] = ["maintenance-window", "association", "patch-policy"];

/// One plan, named the same on every backend.
fn plan_text(backend: &str) -> String {
    let (approval, placement) = if backend == "patch-policy" {
        ("", "")
    } else {
        ("approval = { approve-after-days = 21 }", "baseline-rules-from = \"declared\"")
    };
    let scan = if backend == "patch-policy" {
        ""
    } else {
        "[operations.scan]\nkind = \"scan\"\nschedule = \"every sunday at 01:00\"\n"
    };
    format!(
        r#"
version = 1
name = "moving"
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

{scan}

[s3]
bucket = "{BUCKET}"
"#
    )
}

fn session(backend: &str, clients: &Clients) -> Session {
    let plan = Plan::from_source(Source::new(Some("moving.toml"), plan_text(backend))).expect("valid plan");
    let opts = CompileOptions::from("2026-06-01T00:00:00Z".parse().expect("ts"));
    let ex = plan.explain(&opts).expect("explain");
    let additions = ssmpatch::session::additions(&plan, &ex, &opts).expect("additions");
    Session::with_clients(plan, ex, additions, clients.clone(), 4)
}

async fn prepared(si: &StandIn) -> Clients {
    si.reset();
    si.settings(&json!({"page_size": 2}));
    si.create_quick_setup_roles();
    let clients = Clients::load(&AwsOptions::stand_in(si.url(), REGION), None).await;
    clients.s3.create_bucket().bucket(BUCKET).send().await.expect("bucket");
    clients
}

async fn apply(s: &Session) {
    let d = s.diff().await.expect("plan");
    let r = s.apply(&d, &|_| {}).await;
    assert_eq!(r.error, None, "apply: {r:?}");
}

/// What exists, counted with plain SDK reads (not ssmpatch's): windows, their tasks,
/// associations and configuration managers whose names start with the plan's prefix or name.
#[derive(Debug, PartialEq, Eq, Default)]
struct Counts {
    windows: usize,
    tasks: usize,
    associations: usize,
    patch_policies: usize,
    baselines: usize,
}

async fn counts(c: &Clients) -> Counts {
    let mut n = Counts::default();
    let windows: Vec<_> = c.ssm.describe_maintenance_windows().into_paginator().items().send().collect().await;
    for w in windows.into_iter().map(|w| w.expect("windows")) {
        if w.name().is_some_and(|x| x.starts_with("ssmpatch-moving")) {
            n.windows += 1;
            let tasks: Vec<_> = c
                .ssm
                .describe_maintenance_window_tasks()
                .window_id(w.window_id().expect("id"))
                .into_paginator()
                .items()
                .send()
                .collect()
                .await;
            n.tasks += tasks.len();
        }
    }
    let assocs: Vec<_> = c.ssm.list_associations().into_paginator().items().send().collect().await;
    n.associations = assocs
        .into_iter()
        .map(|a| a.expect("associations"))
        .filter(|a| a.association_name().is_some_and(|x| x.starts_with("ssmpatch-moving")))
        .count();
    let managers: Vec<_> = c.quicksetup.list_configuration_managers().into_paginator().items().send().collect().await;
    n.patch_policies = managers
        .into_iter()
        .map(|m| m.expect("managers"))
        .filter(|m| m.name().is_some_and(|x| x.starts_with("ssmpatch-moving")))
        .count();
    let baselines: Vec<_> = c.ssm.describe_patch_baselines().into_paginator().items().send().collect().await;
    n.baselines = baselines
        .into_iter()
        .map(|b| b.expect("baselines"))
        .filter(|b| b.baseline_name().is_some_and(|x| x.starts_with("ssmpatch-moving")))
        .count();
    n
}

/// Only `backend`'s own kinds exist (and one baseline).
fn only_on(backend: &str, n: &Counts) {
    let want = match backend {
        "maintenance-window" => Counts { windows: 2, tasks: 2, associations: 0, patch_policies: 0, baselines: 1 },
        "association" => Counts { windows: 0, tasks: 0, associations: 2, patch_policies: 0, baselines: 1 },
        _ => Counts { windows: 0, tasks: 0, associations: 0, patch_policies: 1, baselines: 1 },
    };
    assert_eq!(n, &want, "after applying on {backend}");
}

#[tokio::test]
#[ignore = "needs the local AWS stand-in (scripts/test.sh runs it)"]
async fn switching_backends_leaves_only_the_new_backends_resources() {
    let si = StandIn::start();
    let clients = prepared(&si).await;
    // Every move: window → association → patch policy → window → patch policy → association.
    let order =
        ["maintenance-window", "association", "patch-policy", "maintenance-window", "patch-policy", "association"];
    apply(&session(order[0], &clients)).await;
    only_on(order[0], &counts(&clients).await);
    for pair in order.windows(2) {
        let (from, to) = (pair[0], pair[1]);
        let s = session(to, &clients);
        let d = s.diff().await.expect("plan");
        // The old backend's resources are deleted, each saying why; the new ones created.
        let old: Vec<_> =
            d.changes.iter().filter(|c| c.key.kind.backend().is_some_and(|b| b.as_str() == from)).collect();
        assert!(!old.is_empty(), "{from} → {to}: the old resources are in the plan: {:#?}", d.changes);
        for c in &old {
            assert_eq!(c.action, Action::Delete, "{from} → {to}: {c:?}");
            let note = c.note.as_deref().unwrap_or_default();
            assert!(note.contains(from) && note.contains("no longer uses"), "{from} → {to}: {note:?}");
        }
        let r = s.apply(&d, &|_| {}).await;
        assert_eq!(r.error, None, "{from} → {to}: {r:?}");
        // New first, then the old removed.
        let first_delete = r.done.iter().position(|x| x.action == Action::Delete).expect("deletes");
        let last_create = r.done.iter().rposition(|x| x.action == Action::Create).expect("creates");
        assert!(last_create < first_delete, "{from} → {to}: created before deleting: {:?}", r.done);
        only_on(to, &counts(&clients).await);
        assert!(s.diff().await.expect("plan again").is_empty(), "{from} → {to}: converged");
    }
}

#[tokio::test]
#[ignore = "needs the local AWS stand-in (scripts/test.sh runs it)"]
async fn extra_copies_are_drift_that_apply_and_destroy_remove() {
    let si = StandIn::start();
    for backend in BACKENDS {
        let clients = prepared(&si).await;
        let s = session(backend, &clients);
        // Two applies that read the account before either wrote: each creates everything (the
        // second may stop where AWS refuses a second of something, e.g. a patch group's baseline).
        race(&s).await;
        let doubled = counts(&clients).await;
        assert!(doubled.baselines == 2, "{backend}: the race made two of everything: {doubled:?}");
        // `plan` shows each extra copy as a delete, saying why; apply removes them.
        let d = s.diff().await.expect("plan");
        let extra: Vec<_> = d.changes.iter().filter(|c| c.action == Action::Delete).collect();
        assert!(!extra.is_empty(), "{backend}: the copies are drift");
        for c in &extra {
            assert!(c.note.as_deref().is_some_and(|n| n.contains("extra copy")), "{backend}: {c:?}");
        }
        assert_eq!(s.apply(&d, &|_| {}).await.error, None, "{backend}: apply removes the copies");
        only_on(backend, &counts(&clients).await);
        assert!(s.diff().await.expect("plan again").is_empty(), "{backend}: converged");
        // From nothing, a race again, then destroy: every copy goes.
        let gone = s.destroy_diff().await.expect("destroy plan");
        assert_eq!(s.apply(&gone, &|_| {}).await.error, None, "{backend}: destroy");
        assert_eq!(counts(&clients).await, Counts::default(), "{backend}: destroyed");
        race(&s).await;
        let gone = s.destroy_diff().await.expect("destroy plan");
        assert_eq!(s.apply(&gone, &|_| {}).await.error, None, "{backend}: destroy of both copies");
        assert_eq!(counts(&clients).await, Counts::default(), "{backend}: destroy removes every copy");
    }
}

/// Two applies from the same read (what two processes without a lease do).
async fn race(s: &Session) {
    let first = s.diff().await.expect("plan");
    let second = s.diff().await.expect("plan");
    assert_eq!(s.apply(&first, &|_| {}).await.error, None, "first apply");
    let _ = s.apply(&second, &|_| {}).await;
}

#[tokio::test]
#[ignore = "needs the local AWS stand-in (scripts/test.sh runs it)"]
async fn destroy_removes_what_the_plan_owns_on_every_backend() {
    let si = StandIn::start();
    let clients = prepared(&si).await;
    // Resources of the same plan on all three backends (made through each backend's session,
    // as three applies of an edited plan would have left them without the cross-backend read).
    for backend in BACKENDS {
        let s = session(backend, &clients);
        let d = s.diff().await.expect("plan");
        let own: Vec<_> =
            d.changes.into_iter().filter(|c| c.action != Action::Delete || c.key.kind.backend().is_none()).collect();
        let d = ssmpatch::backends::Diff { changes: own, ..d };
        assert_eq!(s.apply(&d, &|_| {}).await.error, None, "{backend}");
    }
    let n = counts(&clients).await;
    assert!(n.windows > 0 && n.associations > 0 && n.patch_policies > 0, "set-up: {n:?}");
    let s = session("association", &clients);
    let d = s.destroy_diff().await.expect("destroy plan");
    assert_eq!(s.apply(&d, &|_| {}).await.error, None, "destroy");
    assert_eq!(counts(&clients).await, Counts::default(), "destroy removes every backend's resources");
}

#[tokio::test]
#[ignore = "needs the local AWS stand-in (scripts/test.sh runs it)"]
async fn a_same_named_foreign_resource_blocks_the_apply_before_anything_changes() {
    let si = StandIn::start();
    let clients = prepared(&si).await;
    let s = session("maintenance-window", &clients);
    let name =
        s.desired.iter().find(|d| d.key.kind == Kind::MaintenanceWindow).map(|d| d.key.name.clone()).expect("a window");
    // Someone else's window with the name the plan would give its own (no ownership tags).
    clients
        .ssm
        .create_maintenance_window()
        .name(&name)
        .schedule("rate(7 days)")
        .duration(2)
        .cutoff(1)
        .allow_unassociated_targets(false)
        .send()
        .await
        .expect("a foreign window");
    let before = counts(&clients).await;
    let d = s.diff().await.expect("plan");
    assert!(d.foreign.iter().any(|f| f.key.name == name), "the foreign window is reported: {:?}", d.foreign);
    let r = s.apply(&d, &|_| {}).await;
    let e = r.error.expect("refused");
    assert!(e.contains(&name) && e.contains("not created by ssmpatch"), "{e}");
    assert!(r.hint.is_some_and(|h| h.contains("rename or remove")), "a hint");
    assert!(r.done.is_empty(), "nothing was changed: {:?}", r.done);
    assert_eq!(counts(&clients).await, before, "nothing was created");
}

#[tokio::test]
#[ignore = "needs the local AWS stand-in (scripts/test.sh runs it)"]
async fn a_patch_group_held_by_another_baseline_stops_plan_before_anything_is_written() {
    let si = StandIn::start();
    let clients = prepared(&si).await;
    // Another team's baseline holds the plan's patch group for Amazon Linux 2023.
    let theirs = clients
        .ssm
        .create_patch_baseline()
        .name("another-teams-al2023")
        .operating_system(aws_sdk_ssm::types::OperatingSystem::AmazonLinux2023)
        .send()
        .await
        .expect("their baseline");
    let id = theirs.baseline_id().expect("id").to_string();
    clients
        .ssm
        .register_patch_baseline_for_patch_group()
        .baseline_id(&id)
        .patch_group("web")
        .send()
        .await
        .expect("their registration");
    for backend in ["maintenance-window", "association"] {
        let s = session(backend, &clients);
        let e = s.diff().await.expect_err("plan refuses").to_string();
        assert!(
            e.contains("patch group `web`") && e.contains("another-teams-al2023") && e.contains(&id),
            "{backend}: {e}"
        );
        assert_eq!(counts(&clients).await, Counts::default(), "{backend}: nothing was written");
    }
    // A patch policy registers no patch group: not in its way.
    let s = session("patch-policy", &clients);
    assert!(s.diff().await.is_ok(), "patch policies name their baselines themselves");
    // Once the group is free, the plan goes ahead.
    clients
        .ssm
        .deregister_patch_baseline_for_patch_group()
        .baseline_id(&id)
        .patch_group("web")
        .send()
        .await
        .expect("deregistered");
    apply(&session("association", &clients)).await;
}

#[tokio::test]
#[ignore = "needs the local AWS stand-in (scripts/test.sh runs it)"]
async fn what_the_account_already_has_counts_against_the_quota_before_anything_is_written() {
    let si = StandIn::start();
    let clients = prepared(&si).await;
    // Two windows of someone else's; the plan needs two more and its account's quota is 3.
    for name in ["theirs-a", "theirs-b"] {
        clients
            .ssm
            .create_maintenance_window()
            .name(name)
            .schedule("rate(7 days)")
            .duration(2)
            .cutoff(1)
            .allow_unassociated_targets(false)
            .send()
            .await
            .expect("their window");
    }
    let text = format!("{}\n[quotas]\nmaintenance-windows = 3\n", plan_text("maintenance-window"));
    let plan = Plan::from_source(Source::new(Some("moving.toml"), text)).expect("valid plan");
    let opts = CompileOptions::from("2026-06-01T00:00:00Z".parse().expect("ts"));
    let ex = plan.explain(&opts).expect("explain");
    let s = Session::with_clients(plan, ex, Default::default(), clients.clone(), 4);
    let e = s.diff().await.expect_err("over the quota").to_string();
    assert!(
        e.contains("creates 2 maintenance windows beside the 2 in the account (before it deletes any), 4 in all"),
        "{e}"
    );
    assert!(e.contains("[quotas] maintenance-windows"), "{e}");
    assert_eq!(counts(&clients).await, Counts::default(), "nothing was written");
    // With room for them (AWS's default, 50), the same plan applies.
    apply(&session("maintenance-window", &clients)).await;
}
