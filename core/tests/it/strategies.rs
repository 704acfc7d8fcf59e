//! The strategy host: built-in components on parsed output, plan-time additions, and adversarial
//! components each stopped with its exact typed error.

#![cfg(feature = "strategies")]

use std::path::Path;
use std::time::Duration;

use ssmpatch_test_support::fixture_bytes;

use ssmpatch::run_output::{OutputSource, parse};
use ssmpatch::strategy::{
    Action, Host, Limits, LoadedStrategy, OperationKind, Pair, PlanInfo, StrategyBackend, StrategyError,
    StrategyOperation, UploadType, load, run_result,
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
    let s = load(&host, "put-compliance-items").expect("load");
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
    // ItemContentHash is "MD5 or SHA-256": 64 lowercase hex digits, and another report another hash.
    assert!(put.content_hash.len() == 64 && put.content_hash.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f')));
    let mut fewer = sample_run(false);
    fewer.non_compliant.truncate(1);
    let other = s.after_run(&plan_info(StrategyBackend::MaintenanceWindow), &[fewer]).expect("call");
    let Action::PutCompliance(put3) = &other[0] else { panic!() };
    assert_ne!(put3.content_hash, put.content_hash);
}

#[test]
fn put_compliance_items_marks_compliant_nodes_and_never_erases_from_a_run_without_results() {
    let host = Host::new(Limits::default()).expect("host");
    let s = load(&host, "put-compliance-items").expect("load");
    let plan = plan_info(StrategyBackend::MaintenanceWindow);
    // Every package compliant: one COMPLIANT item with the run's counts (not an empty upload,
    // which would leave the node absent from the report).
    let mut clean = sample_run(false);
    clean.non_compliant.clear();
    clean.all_compliant = true;
    let actions = s.after_run(&plan, &[clean]).expect("call");
    let [Action::PutCompliance(put)] = actions.as_slice() else { panic!("{actions:?}") };
    let [item] = put.items.as_slice() else { panic!("{:?}", put.items) };
    assert_eq!(
        (item.id.as_str(), item.status.as_str(), item.severity.as_str()),
        ("ssmpatch-compliant", "COMPLIANT", "UNSPECIFIED")
    );
    assert!(item.details.iter().any(|d| d.key == "OperationType" && d.value == "Scan"), "{:?}", item.details);
    // No per-package result (a failed run, no override, Windows): nothing written, a message.
    let mut failed = sample_run(false);
    failed.non_compliant.clear();
    failed.all_compliant = false;
    let actions = s.after_run(&plan, &[failed]).expect("call");
    assert_eq!(
        actions,
        vec![Action::Message(
            "i-0123456789abcdef0: output of cmd-1 holds no per-package result; compliance not written".into()
        )]
    );
}

#[test]
fn rescan_adds_a_scan_after_overridden_installs_except_on_patch_policies() {
    let host = Host::new(Limits::default()).expect("host");
    let s = load(&host, "rescan").expect("load");
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

    let fuel = Host::new(Limits::default().with_fuel(5_000_000)).expect("host");
    let e = fuel
        .load("fixture-spin", &fixture_bytes("fixture-spin"))
        .expect("load")
        .after_run(&plan, &runs)
        .expect_err("spins");
    assert_eq!(e, StrategyError::OutOfFuel { name: "fixture-spin".into(), fuel: 5_000_000 });

    let clock =
        Host::new(Limits::default().with_fuel(u64::MAX / 2).with_deadline(Duration::from_millis(200))).expect("host");
    let e = clock
        .load("fixture-spin", &fixture_bytes("fixture-spin"))
        .expect("load")
        .after_run(&plan, &runs)
        .expect_err("spins");
    assert_eq!(e, StrategyError::Timeout { name: "fixture-spin".into(), deadline_ms: 200 });

    let small = Host::new(Limits::default().with_memory_bytes(32 << 20)).expect("host");
    let e = small
        .load("fixture-memory-bomb", &fixture_bytes("fixture-memory-bomb"))
        .expect("load")
        .after_run(&plan, &runs)
        .expect_err("bomb");
    assert_eq!(e, StrategyError::MemoryLimit { name: "fixture-memory-bomb".into(), limit_bytes: 32 << 20 });

    let host = Host::new(Limits::default()).expect("host");
    let e = host
        .load("fixture-panic", &fixture_bytes("fixture-panic"))
        .expect("load")
        .after_run(&plan, &runs)
        .expect_err("panics");
    // The trap, then the panic's message, which the strategy wrote to its (captured) stderr.
    let StrategyError::Trap { name, message } = &e else { panic!("{e:?}") };
    assert_eq!(name, "fixture-panic");
    assert!(message.starts_with("wasm trap: wasm `unreachable` instruction executed; it printed: "), "{message}");
    assert!(message.contains("panicked at fixtures/panic/src/lib.rs") && message.contains("fixture panics on 1 runs"));
    // The host is still usable after a trap, and other strategies run.
    assert!(load(&host, "put-compliance-items").expect("load").after_run(&plan, &runs).is_ok());

    let e = host.load("garbage", b"\0asm not really").expect_err("invalid");
    assert!(matches!(e, StrategyError::Invalid { .. }), "{e}");
}

/// `fixture-escape` with the setting `try` = `what`.
fn escape(host: &Host, what: &str) -> Result<Vec<Action>, StrategyError> {
    let mut plan = plan_info(StrategyBackend::MaintenanceWindow);
    plan.settings = vec![Pair { key: "try".into(), value: what.into() }];
    host.load("fixture-escape", &fixture_bytes("fixture-escape"))
        .expect("load")
        .after_run(&plan, &[sample_run(false), sample_run(false)])
}

#[test]
fn a_wasip2_component_reaches_nothing_outside_the_sandbox() {
    let host = Host::new(Limits::default()).expect("host");
    let denied = |import: &str| StrategyError::Denied { name: "fixture-escape".into(), import: import.into() };
    assert_eq!(escape(&host, "clock"), Err(denied("wasi:clocks/wall-clock@0.2.6#now")));
    assert_eq!(escape(&host, "file"), Err(denied("wasi:filesystem/preopens@0.2.6#get-directories")));
    assert_eq!(escape(&host, "net"), Err(denied("wasi:sockets/tcp-create-socket@0.2.6#create-tcp-socket")));
    assert_eq!(
        escape(&host, "clock").expect_err("denied").to_string(),
        "strategy `fixture-escape` called `wasi:clocks/wall-clock@0.2.6#now`, which the sandbox denies \
         (a strategy has no filesystem, network or clock)"
    );
    // The environment is empty; stdout and stderr are kept by the host, not printed.
    assert_eq!(escape(&host, "env"), Ok(vec![Action::Message("Err(NotPresent)".into())]));
    assert_eq!(escape(&host, "stderr"), Ok(vec![Action::Message("wrote".into())]));
    // std's HashMap seeds itself from wasi:random: deterministic, so the same answer every call.
    let first = escape(&host, "hashmap");
    assert_eq!(first, Ok(vec![Action::Message(r#"[("i-0123456789abcdef0", 2)]"#.into())]));
    assert_eq!(escape(&host, "hashmap"), first);
}

/// The plan, with the settings of `fixture-oversized` (`mode`, `count`).
fn oversized_plan(settings: &[(&str, &str)]) -> PlanInfo {
    let mut plan = plan_info(StrategyBackend::MaintenanceWindow);
    plan.settings = settings.iter().map(|(k, v)| Pair { key: (*k).into(), value: (*v).into() }).collect();
    plan
}

fn too_much(what: &str) -> StrategyError {
    StrategyError::TooMuchOutput { name: "fixture-oversized".into(), what: what.into() }
}

/// The good strategy still runs on `host`, with its usual answer.
fn good_strategy_runs(host: &Host) {
    let plan = plan_info(StrategyBackend::MaintenanceWindow);
    let actions = load(host, "put-compliance-items").expect("load").after_run(&plan, &[sample_run(false)]);
    let actions = actions.expect("the good strategy runs");
    let [Action::PutCompliance(put)] = actions.as_slice() else { panic!("{actions:?}") };
    assert_eq!((put.instance_id.as_str(), put.items.len()), ("i-0123456789abcdef0", 2));
}

#[test]
fn oversized_output_is_refused_with_too_much_output() {
    // A memory cap far below the default: what stops it is the output check, not memory.
    let host = Host::new(Limits::default().with_memory_bytes(32 << 20)).expect("host");
    let s: LoadedStrategy = host.load("fixture-oversized", &fixture_bytes("fixture-oversized")).expect("load");
    let runs = [sample_run(false)];

    // One PutCompliance with 10,001 tiny items.
    let e = s.after_run(&oversized_plan(&[]), &runs).expect_err("10,001 items");
    assert_eq!(e, too_much("10001 compliance items for i-0123456789abcdef0 (PutComplianceItems takes 10,000)"));
    assert_eq!(
        e.to_string(),
        "strategy `fixture-oversized` returned too much: 10001 compliance items for i-0123456789abcdef0 \
         (PutComplianceItems takes 10,000)"
    );
    good_strategy_runs(&host);
    // 10,000 are taken (and the same loaded strategy runs again after its refusal).
    let ok = s.after_run(&oversized_plan(&[("mode", "items"), ("count", "10000")]), &runs).expect("10,000 items");
    let [Action::PutCompliance(put)] = ok.as_slice() else { panic!("{} actions", ok.len()) };
    assert_eq!((put.items.len(), put.items[9_999].id.as_str()), (10_000, "p9999"));

    // More actions than the default limit (100,000).
    let e = s.after_run(&oversized_plan(&[("mode", "actions")]), &runs).expect_err("100,001 actions");
    assert_eq!(e, too_much("100001 actions"));
    good_strategy_runs(&host);

    // A compliance type AWS does not take.
    let e = s.after_run(&oversized_plan(&[("mode", "type")]), &runs).expect_err("bad type");
    assert_eq!(
        e,
        StrategyError::Failed {
            name: "fixture-oversized".into(),
            message: "compliance type `AWS:Oversized` is neither `Patch` nor `Custom:<name>`".into()
        }
    );
    good_strategy_runs(&host);

    // Plan time: 101 added operations; 100 are taken.
    let e = s.plan(&oversized_plan(&[])).expect_err("101 operations");
    assert_eq!(e, too_much("101 added operations"));
    good_strategy_runs(&host);
    let added = s.plan(&oversized_plan(&[("count", "100")])).expect("100 operations");
    assert_eq!((added.len(), added[99].name.as_str(), added[99].after.as_str()), (100, "extra-99", "scan"));
    // Its own errors are still its own.
    let e = s.after_run(&oversized_plan(&[("mode", "nope")]), &runs).expect_err("unknown mode");
    assert_eq!(
        e,
        StrategyError::Failed {
            name: "fixture-oversized".into(),
            message: "unknown mode `nope` (items, actions, type, bytes)".into()
        }
    );
}

#[test]
fn max_actions_is_the_hosts_setting() {
    let host = Host::new(Limits::default().with_max_actions(10)).expect("host");
    let s = host.load("fixture-oversized", &fixture_bytes("fixture-oversized")).expect("load");
    let runs = [sample_run(false)];
    let e = s.after_run(&oversized_plan(&[("mode", "actions"), ("count", "11")]), &runs).expect_err("11 actions");
    assert_eq!(e, too_much("11 actions"));
    good_strategy_runs(&host);
    let ok = s.after_run(&oversized_plan(&[("mode", "actions"), ("count", "10")]), &runs).expect("10 actions");
    assert_eq!(ok, vec![Action::Message(String::new()); 10]);
    // The limit counts actions, not items: one action of 10,000 items is within 10 actions.
    let ok = s.after_run(&oversized_plan(&[("count", "10000")]), &runs).expect("1 action");
    assert_eq!(ok.len(), 1);
}

#[test]
fn loading_the_same_component_twice_gives_the_same_strategy() {
    let host = Host::new(Limits::default()).expect("host");
    let bytes = ssmpatch::strategy::builtin("rescan").expect("built in");
    let a = host.load("first", bytes).expect("load");
    let b = host.load("second", bytes).expect("load (cached)");
    assert_eq!((a.name(), b.name()), ("first", "second"));
    let plan = plan_info(StrategyBackend::MaintenanceWindow);
    assert_eq!(a.plan(&plan).expect("plan"), b.plan(&plan).expect("plan"));
    // The name is the one it was loaded as, in errors too.
    let spin = &fixture_bytes("fixture-spin");
    let small = Host::new(Limits::default().with_fuel(1_000_000)).expect("host");
    for name in ["x", "y"] {
        let e = small.load(name, spin).expect("load").after_run(&plan, &[]).expect_err("spins");
        assert_eq!(e, StrategyError::OutOfFuel { name: name.into(), fuel: 1_000_000 });
    }
}

#[test]
fn the_deadline_holds_after_the_host_is_dropped() {
    // A strategy may outlive the host it was loaded from; its calls keep their deadline.
    let plan = plan_info(StrategyBackend::MaintenanceWindow);
    // Fuel for seconds of spinning (2,000,000,000 lasts ~0.15 s): the deadline must stop it first.
    let limits = Limits::default().with_fuel(40_000_000_000).with_deadline(Duration::from_millis(200));
    let s = Host::new(limits).expect("host").load("fixture-spin", &fixture_bytes("fixture-spin")).expect("load");
    let e = s.after_run(&plan, &[]).expect_err("spins");
    assert_eq!(e, StrategyError::Timeout { name: "fixture-spin".into(), deadline_ms: 200 });
}

#[test]
fn output_past_the_output_limit_is_too_much_output_and_the_host_stays_usable() {
    // `max_output_bytes` is wasmtime's hostcall fuel: counted before anything is copied out.
    let host = Host::new(Limits::default()).expect("host");
    let s = host.load("fixture-oversized", &fixture_bytes("fixture-oversized")).expect("load");
    let runs = [sample_run(false)];
    let e = s.after_run(&oversized_plan(&[("mode", "bytes")]), &runs).expect_err("128 MiB");
    assert_eq!(
        e,
        StrategyError::TooMuchOutput {
            name: "fixture-oversized".into(),
            what: format!("more than {} bytes of results", 128 << 20)
        }
    );
    // The limit is the host's: 1 MiB under a 512 KiB limit is refused too.
    let small = Host::new(Limits::default().with_max_output_bytes(512 << 10)).expect("host");
    let s2 = small.load("fixture-oversized", &fixture_bytes("fixture-oversized")).expect("load");
    let e = s2.after_run(&oversized_plan(&[("mode", "bytes"), ("count", "1048576")]), &runs).expect_err("1 MiB");
    assert_eq!(
        e,
        StrategyError::TooMuchOutput {
            name: "fixture-oversized".into(),
            what: "more than 524288 bytes of results".into()
        }
    );
    good_strategy_runs(&host);
    // Under it, the message arrives whole.
    let ok = s.after_run(&oversized_plan(&[("mode", "bytes"), ("count", "1048576")]), &runs).expect("1 MiB");
    let [Action::Message(m)] = ok.as_slice() else { panic!("{} actions", ok.len()) };
    assert_eq!(m.len(), 1 << 20);
}
