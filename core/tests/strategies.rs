//! The strategy host: built-in components on parsed output, plan-time additions, and adversarial
//! components each stopped with its exact typed error.

use std::path::Path;
use std::time::Duration;

use ssmpatch::compliance::output::{OutputSource, parse};
use ssmpatch::strategy::{
    Action, Host, Limits, OperationKind, Pair, PlanInfo, StrategyBackend, StrategyError, StrategyOperation, UploadType,
    run_result,
};

fn plan_info(backend: StrategyBackend) -> PlanInfo {
    PlanInfo {
        name: "web-monthly".into(),
        backend,
        operations: vec![
            StrategyOperation { name: "scan".into(), kind: OperationKind::Scan, uses_override: true },
            StrategyOperation { name: "install".into(), kind: OperationKind::Install, uses_override: true },
        ],
        settings: vec![Pair { key: "ticket".into(), value: "CHG-1".into() }],
        compliance_type: "Custom:PatchPreview".into(),
    }
}

fn sample_run(truncated: bool) -> ssmpatch::strategy::RunResult {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/runpatchbaseline-output/synth-override-scan-noncompliant.txt");
    let text = std::fs::read_to_string(p).expect("fixture");
    let mut report = parse(&text, OutputSource::Complete).expect("parse");
    report.truncated = truncated;
    run_result(&report, "scan", "cmd-1", "2026-11-22T19:29:12Z", &text)
}

#[test]
fn put_compliance_items_writes_the_runs_packages() {
    let host = Host::new(Limits::default()).expect("host");
    let s = host.load_builtin("put-compliance-items").expect("load");
    let actions = s
        .after_run(&plan_info(StrategyBackend::MaintenanceWindow), &[sample_run(false), sample_run(true)])
        .expect("call");
    assert_eq!(actions.len(), 2);
    let Action::PutCompliance(put) = &actions[0] else { panic!("{actions:?}") };
    assert_eq!(
        (put.instance_id.as_str(), put.compliance_type.as_str()),
        ("i-0123456789abcdef0", "Custom:PatchPreview")
    );
    assert_eq!(put.upload_type, UploadType::Complete);
    assert_eq!((put.execution_id.as_str(), put.execution_time.as_str()), ("cmd-1", "2026-11-22T19:29:12Z"));
    let ids: Vec<&str> = put.items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ["curl.x86_64", "openssl.x86_64"]);
    let openssl = &put.items[1];
    assert_eq!((openssl.severity.as_str(), openssl.status.as_str()), ("HIGH", "NON_COMPLIANT"));
    let details: Vec<(&str, &str)> = openssl.details.iter().map(|p| (p.key.as_str(), p.value.as_str())).collect();
    assert!(details.contains(&("PatchState", "Missing")));
    assert!(details.contains(&("CVEIds", "CVE-2026-0001,CVE-2026-0002")));
    // Truncated output is never written.
    assert!(matches!(&actions[1], Action::Message(m) if m.contains("incomplete")), "{:?}", actions[1]);
    // Deterministic: the same report gives the same content hash.
    let again = s.after_run(&plan_info(StrategyBackend::MaintenanceWindow), &[sample_run(false)]).expect("call");
    let Action::PutCompliance(put2) = &again[0] else { panic!() };
    assert_eq!(put2.content_hash, put.content_hash);
}

#[test]
fn rescan_adds_a_scan_after_overridden_installs_except_on_patch_policies() {
    let host = Host::new(Limits::default()).expect("host");
    let s = host.load_builtin("rescan").expect("load");
    let added = s.plan(&plan_info(StrategyBackend::MaintenanceWindow)).expect("plan");
    assert_eq!(added.len(), 1);
    assert_eq!(
        (added[0].name.as_str(), added[0].after.as_str(), added[0].kind, added[0].uses_override),
        ("install-rescan", "install", OperationKind::Scan, false)
    );
    assert!(s.plan(&plan_info(StrategyBackend::PatchPolicy)).expect("plan").is_empty());
    let mut run = sample_run(false);
    run.kind = OperationKind::Install;
    let actions = s.after_run(&plan_info(StrategyBackend::Association), &[run]).expect("call");
    assert_eq!(actions, vec![Action::StartScan(vec!["i-0123456789abcdef0".into()])]);
}

#[test]
fn adversarial_components_are_stopped_with_typed_errors() {
    let plan = plan_info(StrategyBackend::MaintenanceWindow);
    let runs = [sample_run(false)];

    let fuel = Host::new(Limits { fuel: 5_000_000, ..Limits::default() }).expect("host");
    let e = fuel.load_builtin("fixture-spin").expect("load").after_run(&plan, &runs).expect_err("spins");
    assert_eq!(e, StrategyError::OutOfFuel { name: "fixture-spin".into(), fuel: 5_000_000 });

    let clock = Host::new(Limits { fuel: u64::MAX / 2, deadline: Duration::from_millis(200), ..Limits::default() })
        .expect("host");
    let e = clock.load_builtin("fixture-spin").expect("load").after_run(&plan, &runs).expect_err("spins");
    assert_eq!(e, StrategyError::Timeout { name: "fixture-spin".into(), deadline_ms: 200 });

    let small = Host::new(Limits { memory_bytes: 32 << 20, ..Limits::default() }).expect("host");
    let e = small.load_builtin("fixture-memory-bomb").expect("load").after_run(&plan, &runs).expect_err("bomb");
    assert_eq!(e, StrategyError::MemoryLimit { name: "fixture-memory-bomb".into(), limit_bytes: 32 << 20 });

    let host = Host::new(Limits::default()).expect("host");
    let e = host.load_builtin("fixture-panic").expect("load").after_run(&plan, &runs).expect_err("panics");
    assert!(matches!(&e, StrategyError::Trap { name, .. } if name == "fixture-panic"), "{e}");
    // The host is still usable after a trap, and other strategies run.
    assert!(host.load_builtin("put-compliance-items").expect("load").after_run(&plan, &runs).is_ok());

    let e = host.load("garbage", b"\0asm not really").expect_err("invalid");
    assert!(matches!(e, StrategyError::Invalid { .. }), "{e}");
}
