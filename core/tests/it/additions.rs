//! What compliance strategies add at plan time, placed on each backend (offline).

#![cfg(feature = "aws")]

use jiff::Timestamp;
use ssmpatch::backends::{Desired, Kind, definition, operation_resource_name};
use ssmpatch::plan::CompileOptions;
use ssmpatch::plan::OperationKind as PlanKind;
use ssmpatch::plan::{AdditionPlacement, Additions, place};
use ssmpatch::plan::{Plan, Source};
use ssmpatch::schedule::Backend;
use ssmpatch::strategy::{AddedOperation, OperationKind};

/// Everything `p` needs on `backend`, with `added`.
fn resources(p: &Plan, ex: &ssmpatch::plan::Explanation, backend: Backend, added: &Additions) -> Vec<Desired> {
    definition(backend).desired(p, ex, added)
}

fn opts() -> CompileOptions {
    CompileOptions::from("2026-06-01T00:00:00Z".parse::<Timestamp>().expect("ts"))
}

/// A plan whose install runs with an override, on `backend`, with `strategy`.
fn plan(backend: &str, install: &str, strategy: &str) -> Plan {
    let text = format!(
        r#"version = 1
name = "adds"
region = "us-east-1"
backend = "{backend}"
baseline-rules-from = "declared"
targets = {{ tags = {{ "Patch Group" = "web" }} }}

[baselines.AMAZON_LINUX_2023]
[[baselines.AMAZON_LINUX_2023.approval-rules]]
approve-after-days = 7
filters = {{ CLASSIFICATION = ["Security"] }}

[operations.scan]
kind = "scan"
schedule = "second tuesday at 22:00"

[operations.install]
kind = "install"
schedule = "{install}"
approval = {{ approve-after-days = 21 }}

[compliance]
strategy = "{strategy}"

[s3]
bucket = "patch-artifacts"
output-prefix = "out"
"#
    );
    Plan::from_source(Source::new(Some("plan.toml"), text)).unwrap_or_else(|e| panic!("{e}"))
}

fn rescan_of(p: &Plan) -> Additions {
    let ex = p.explain(&opts()).expect("explain");
    ssmpatch::session::additions(p, &ex, &opts()).expect("additions")
}

#[test]
fn rescan_on_windows_is_a_later_task_in_the_installs_window() {
    let p = plan("maintenance-window", "last sunday at 03:00", "rescan");
    let ex = p.explain(&opts()).expect("explain");
    let add = ssmpatch::session::additions(&p, &ex, &opts()).expect("additions");
    assert_eq!(add.strategy, "rescan");
    assert_eq!(add.operations.len(), 1);
    let a = &add.operations[0];
    assert_eq!(
        (a.name.as_str(), a.kind, a.after.as_str(), a.uses_override),
        ("install-rescan", PlanKind::Scan, "install", false)
    );
    assert_eq!(a.placement, AdditionPlacement::WindowTask { priority: 2 });

    let res = resources(&p, &ex, Backend::MaintenanceWindow, &add);
    let tasks: Vec<_> = res.iter().filter(|d| d.key.kind == Kind::WindowTask).collect();
    let install_window = operation_resource_name("adds", "install");
    let in_install: Vec<_> =
        tasks.iter().filter(|d| d.key.parent.as_deref() == Some(install_window.as_str())).collect();
    assert_eq!(in_install.len(), 2, "{in_install:#?}");
    let install = in_install.iter().find(|d| d.key.name == "install").expect("install task");
    let rescan = in_install.iter().find(|d| d.key.name == "install-rescan").expect("rescan task");
    assert_eq!(install.spec["Priority"], 1);
    assert_eq!(rescan.spec["Priority"], 2);
    assert_eq!(install.spec["Parameters"]["Operation"][0], "Install");
    assert!(install.spec["Parameters"]["BaselineOverride"][0].as_str().is_some_and(|u| u.starts_with("s3://")));
    assert_eq!(rescan.spec["Parameters"]["Operation"][0], "Scan");
    assert!(rescan.spec["Parameters"].get("BaselineOverride").is_none(), "the rescan runs without override");
    assert!(rescan.spec["Parameters"].get("RebootOption").is_none());
    assert_eq!(rescan.spec["WindowTargets"], install.spec["WindowTargets"]);
    assert_eq!(rescan.spec["OutputS3KeyPrefix"], "out/adds/install-rescan");
    // The scan's window is untouched (the scan runs with the real baseline).
    let scan_window = operation_resource_name("adds", "scan");
    assert_eq!(tasks.iter().filter(|d| d.key.parent.as_deref() == Some(scan_window.as_str())).count(), 1);
}

#[test]
fn rescan_on_associations_starts_when_the_installs_duration_ends() {
    // Last Sunday 23:00 UTC + 3 hours = 02:00 on the Monday after: SUNL with a 1-day offset.
    let p = plan("association", "last sunday at 23:00", "rescan");
    let ex = p.explain(&opts()).expect("explain");
    let add = rescan_of(&p);
    let a = &add.operations[0];
    let AdditionPlacement::Association { native, after_hours } = &a.placement else { panic!("{a:?}") };
    assert_eq!(*after_hours, 3);
    assert_eq!(native.expression, "cron(0 2 ? * SUNL *)");
    assert_eq!(native.offset_days, Some(1));

    let res = resources(&p, &ex, Backend::Association, &add);
    let assoc = |op: &str| {
        let name = operation_resource_name("adds", op);
        res.iter().find(|d| d.key.kind == Kind::Association && d.key.name == name).unwrap_or_else(|| panic!("{name}"))
    };
    let install = assoc("install");
    let rescan = assoc("install-rescan");
    assert_eq!(install.spec["Duration"], 3, "the install is cancelled before the rescan starts");
    assert_eq!(install.spec["ApplyOnlyAtCronInterval"], true, "Duration needs ApplyOnlyAtCronInterval");
    assert_eq!(rescan.spec["ScheduleExpression"], "cron(0 2 ? * SUNL *)");
    assert_eq!(rescan.spec["ScheduleOffset"], 1);
    assert_eq!(rescan.spec["ApplyOnlyAtCronInterval"], true, "never runs at creation, over a running install");
    assert_eq!(rescan.spec["Parameters"]["Operation"][0], "Scan");
    assert!(rescan.spec["Parameters"].get("BaselineOverride").is_none());
    assert!(rescan.spec.get("Duration").is_none());
    assert!(assoc("scan").spec.get("Duration").is_none(), "nothing follows the scan");

    // Every run of the rescan is exactly 3 hours after an install run.
    let from = "2026-06-01T00:00:00Z".parse::<Timestamp>().expect("ts");
    let until = "2028-06-01T00:00:00Z".parse::<Timestamp>().expect("ts");
    let installs = ex.operations.iter().find(|o| o.name == "install").expect("install");
    let ssmpatch::plan::Compiled::Exact { native: install_form } = &installs.compiled else { panic!() };
    let early = "2026-05-25T00:00:00Z".parse::<Timestamp>().expect("ts");
    let runs: Vec<i64> = install_form.occurrences(early, until).iter().map(|t| t.as_second()).collect();
    let rescans: Vec<i64> = native.occurrences(from, until).iter().map(|t| t.as_second()).collect();
    assert!(rescans.len() >= 24, "{} rescans in two years", rescans.len());
    for r in &rescans {
        assert!(runs.contains(&(r - 3 * 3600)), "rescan at {r} has no install 3 hours before");
    }
    for i in runs.iter().filter(|i| **i + 3 * 3600 > from.as_second() && **i + 3 * 3600 <= until.as_second()) {
        assert!(rescans.contains(&(i + 3 * 3600)), "install at {i} has no rescan 3 hours after");
    }
}

#[test]
fn rescan_adds_nothing_on_patch_policies_and_says_so() {
    let text = r#"version = 1
name = "ppx"
region = "us-east-1"
backend = "patch-policy"
targets = { tags = { "Patch Group" = "web" } }

[baselines.AMAZON_LINUX_2023]
[[baselines.AMAZON_LINUX_2023.approval-rules]]
approve-after-days = 7

[operations.scan]
kind = "scan"
schedule = "every day at 01:00"

[operations.install]
kind = "install"
schedule = "last sunday at 03:00"

[compliance]
strategy = "rescan"
"#;
    let p = Plan::from_source(Source::new(Some("plan.toml"), text)).unwrap_or_else(|e| panic!("{e}"));
    let add = rescan_of(&p);
    assert!(add.operations.is_empty());
    assert_eq!(add.notes.len(), 1);
    assert!(add.notes[0].contains("adds no operation on patch policies"), "{:?}", add.notes);
}

#[test]
fn plans_without_a_strategy_or_with_put_compliance_items_add_nothing() {
    for strategy in ["none", "put-compliance-items"] {
        let p = plan("maintenance-window", "last sunday at 03:00", strategy);
        let add = rescan_of(&p);
        assert!(add.operations.is_empty() && add.notes.is_empty(), "{strategy}: {add:?}");
    }
}

fn added(name: &str, after: &str, uses_override: bool) -> AddedOperation {
    AddedOperation { name: name.into(), kind: OperationKind::Scan, after: after.into(), uses_override }
}

#[test]
fn what_a_strategy_adds_is_checked() {
    let p = plan("maintenance-window", "last sunday at 03:00", "none");
    let ex = p.explain(&opts()).expect("explain");
    let err = |list: Vec<AddedOperation>| match place(&p, &ex, "mine.wasm", list, &opts()) {
        Ok(a) => panic!("accepted: {a:?}"),
        Err(e) => e.to_string(),
    };
    let e = err(vec![added("install", "install", false)]);
    assert!(e.contains("strategy `mine.wasm`") && e.contains("named `install` like another operation"), "{e}");
    let e = err(vec![added("x-1", "nope", false)]);
    assert!(e.contains("follows `nope`, which the plan does not have"), "{e}");
    let e = err(vec![added("bad name!", "install", false)]);
    assert!(e.contains("invalid name `bad name!`"), "{e}");
    let e = err(vec![added("a-1", "install", false), added("a-1", "install", false)]);
    assert!(e.contains("named `a-1` like another operation"), "{e}");
    let e = err(vec![added("scan-again", "scan", true)]);
    assert!(e.contains("runs with the override of `scan`, which runs without one"), "{e}");
    // With the override of an operation that has one: accepted.
    let ok = place(&p, &ex, "mine.wasm", vec![added("install-again", "install", true)], &opts()).expect("ok");
    assert!(ok.operations[0].uses_override);
    let res = resources(&p, &ex, Backend::MaintenanceWindow, &ok);
    let again = res.iter().find(|d| d.key.name == "install-again").expect("task");
    assert!(again.spec["Parameters"]["BaselineOverride"][0].as_str().is_some_and(|u| u.starts_with("s3://")));
}

#[test]
fn a_rescan_that_cannot_be_placed_on_associations_is_an_error_naming_it() {
    // An install six times a day has no one wall-clock time: nothing can be ordered hours after it.
    let p = plan("association", "cron(0 */4 * * ? *)", "rescan");
    let ex = p.explain(&opts()).expect("explain");
    match ssmpatch::session::additions(&p, &ex, &opts()) {
        Ok(a) => panic!("accepted: {a:?}"),
        Err(e) => {
            let e = e.to_string();
            assert!(
                e.contains("strategy `rescan`") && e.contains("cannot be ordered after `install` on associations"),
                "{e}"
            );
        }
    }
}

#[test]
fn a_rate_install_is_never_placed_on_an_association() {
    // A rate() association cannot wait for its schedule (ApplyOnlyAtCronInterval "isn't supported
    // for rate expressions"): it would install when apply creates or updates it.
    let p = plan("association", "rate(1 day)", "put-compliance-items");
    let e = p.explain(&opts()).expect_err("refused").to_string();
    assert!(e.contains("would install when it is created or updated") && e.contains("rate(1 day)"), "{e}");
}
