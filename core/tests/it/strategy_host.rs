//! The strategy host without a strategy: `Host::new` and its limits, what `load` refuses (not
//! wasm, wasm that is not a strategy, whatever it imports), the compile cache,
//! and the checks of what strategies return (`validate_actions`, `validate_added_operations`),
//! on hand-made values. The components here are a few hand-encoded bytes.

#![cfg(feature = "strategies")]

use std::time::Duration;

use ssmpatch::strategy::{
    Action, AddedOperation, BUILTIN, ComplianceItem, Host, INTERFACE_SECTION, INTERFACE_VERSION, Limits, OperationKind,
    PutCompliance, StrategyError, UploadType, builtin, load, validate_actions, validate_added_operations,
    validate_scope,
};

/// The hint every refused component gets (from the host, not wasmtime).
const HINT: &str = "(a strategy exports `plan` and `after-run` of ssmpatch:strategy@0.1.0)";

/// A component (binary format, layer 1) of these sections (id, contents; each under 128 bytes),
/// stamped with the host's interface version as the SDK stamps it, so what is tested is what
/// comes after the version check.
fn component(sections: &[(u8, Vec<u8>)]) -> Vec<u8> {
    unstamped(&[&[stamp(INTERFACE_VERSION)], sections].concat())
}

/// The custom section in which the SDK stamps the interface version.
fn stamp(version: &str) -> (u8, Vec<u8>) {
    let mut body = vec![u8::try_from(INTERFACE_SECTION.len()).expect("a short name")];
    body.extend_from_slice(INTERFACE_SECTION.as_bytes());
    body.extend_from_slice(version.as_bytes());
    (0, body)
}

/// A component of exactly these sections.
fn unstamped(sections: &[(u8, Vec<u8>)]) -> Vec<u8> {
    let mut b = b"\0asm\x0d\x00\x01\x00".to_vec();
    for (id, body) in sections {
        b.push(*id);
        b.push(u8::try_from(body.len()).ok().filter(|n| *n < 0x80).expect("a short section"));
        b.extend_from_slice(body);
    }
    b
}

/// A name as the component binary format writes it (`0x00`, length, bytes; under 128 bytes).
fn extern_name(name: &str) -> Vec<u8> {
    let mut b = vec![0x00, u8::try_from(name.len()).ok().filter(|n| *n < 0x80).expect("a short name")];
    b.extend_from_slice(name.as_bytes());
    b
}

/// The empty component: valid, imports and exports nothing.
fn empty_component() -> Vec<u8> {
    component(&[])
}

/// A component importing the instance `name` with one function `get-environment: func()`, the
/// shape of a WASI interface import.
fn component_importing_instance(name: &str) -> Vec<u8> {
    // Type section: one instance type: (type (func)) (export "get-environment" (func (type 0))).
    let mut instance = vec![0x01, 0x42, 0x02, 0x01, 0x40, 0x00, 0x01, 0x00, 0x04];
    instance.extend(extern_name("get-environment"));
    instance.extend([0x01, 0x00]);
    // Import section: (import "<name>" (instance (type 0))).
    let mut import = vec![0x01];
    import.extend(extern_name(name));
    import.extend([0x05, 0x00]);
    component(&[(7, instance), (10, import)])
}

/// A component importing the function `name: func()`.
fn component_importing_func(name: &str) -> Vec<u8> {
    let mut import = vec![0x01];
    import.extend(extern_name(name));
    import.extend([0x01, 0x00]);
    component(&[(7, vec![0x01, 0x40, 0x00, 0x01, 0x00]), (10, import)])
}

fn invalid(name: &str, reason: &str) -> StrategyError {
    StrategyError::Invalid { name: name.into(), reason: reason.into() }
}

fn reason(e: &StrategyError) -> &str {
    match e {
        StrategyError::Invalid { reason, .. } => reason,
        other => panic!("expected Invalid, got {other:?}"),
    }
}

fn load_err(host: &Host, name: &str, bytes: &[u8]) -> StrategyError {
    match host.load(name, bytes) {
        Ok(s) => panic!("`{name}` loaded as {s:?}"),
        Err(e) => e,
    }
}

#[test]
fn a_host_keeps_the_limits_it_was_made_with() {
    let cases = [
        Limits::default(),
        Limits::default()
            .with_fuel(0)
            .with_deadline(Duration::ZERO)
            .with_memory_bytes(0)
            .with_max_actions(0)
            .with_max_output_bytes(0),
        Limits::default()
            .with_fuel(1)
            .with_deadline(Duration::from_millis(1))
            .with_memory_bytes(64 << 10)
            .with_max_actions(1)
            .with_max_output_bytes(1),
        Limits::default()
            .with_fuel(u64::MAX)
            .with_deadline(Duration::from_secs(3600))
            .with_memory_bytes(usize::MAX)
            .with_max_actions(usize::MAX)
            .with_max_output_bytes(usize::MAX),
    ];
    for limits in cases {
        let host = Host::new(limits).expect("host");
        assert_eq!(host.limits(), limits);
        assert_eq!(format!("{host:?}"), format!("Host {{ limits: {limits:?} }}"));
    }
    assert_eq!(
        Limits::default(),
        Limits::default()
            .with_fuel(2_000_000_000)
            .with_deadline(Duration::from_secs(10))
            .with_memory_bytes(256 << 20)
            .with_max_actions(100_000)
            .with_max_output_bytes(128 << 20)
    );
    // Many hosts at once (all share the process's engine and epoch thread), dropped in any order.
    let hosts: Vec<Host> = (0..8u64).map(|i| Host::new(Limits::default().with_fuel(i)).expect("host")).collect();
    for (i, h) in hosts.iter().enumerate().rev() {
        assert_eq!(h.limits().fuel, i as u64);
    }
}

#[test]
fn bytes_that_are_not_wasm_are_invalid_and_name_the_strategy() {
    let host = Host::new(Limits::default()).expect("host");
    let e = load_err(&host, "notes.txt", b"hello world");
    assert!(matches!(&e, StrategyError::Invalid { name, .. } if name == "notes.txt"), "{e:?}");
    assert!(reason(&e).starts_with("failed to parse WebAssembly module: magic header not detected"), "{e}");
    assert!(e.to_string().starts_with("strategy `notes.txt` cannot be loaded: failed to parse"), "{e}");

    assert_eq!(
        load_err(&host, "empty", b""),
        invalid("empty", "failed to parse WebAssembly module: unexpected end-of-file (at offset 0x0)")
    );
    // A header cut short (7 of the 8 bytes).
    assert_eq!(
        load_err(&host, "short", b"\0asm\x01\0\0"),
        invalid("short", "failed to parse WebAssembly module: unexpected end-of-file (at offset 0x4)")
    );
    // The magic number, then not a version.
    assert_eq!(
        load_err(&host, "garbage", b"\0asm not really"),
        invalid("garbage", "failed to parse WebAssembly module: unknown binary version: 0x746f6e20 (at offset 0x4)")
    );
    // A core module is turned into a component first: one that is not valid says so.
    assert_eq!(
        load_err(&host, "bad-module", b"\0asm\x01\0\0\0\x7f\x01\x00"),
        invalid(
            "bad-module",
            "not a strategy module: failed to decode world from module: module was not valid: malformed section \
             id: 127 (at offset 0xa)"
        )
    );
}

#[test]
fn wasm_that_does_not_implement_the_world_is_invalid_with_the_missing_export() {
    let host = Host::new(Limits::default()).expect("host");
    let want = format!("no export `after-run` found {HINT}");
    // The empty component.
    assert_eq!(load_err(&host, "empty-component", &empty_component()), invalid("empty-component", &want));
    // The empty core module (componentized by the host first): not built with the SDK and not
    // importing the interface, so not a strategy.
    let e = load_err(&host, "empty-module", b"\0asm\x01\0\0\0");
    assert!(reason(&e).starts_with("it is not a strategy: it carries no `ssmpatch:strategy-interface` section"), "{e}");
    // An imported instance with nothing in it asks for nothing: refused for its missing exports.
    let mut import = vec![0x01];
    import.extend(extern_name("wasi:cli/environment@0.2.0"));
    import.extend([0x05, 0x00]);
    let empty_instance = component(&[(7, vec![0x01, 0x42, 0x00]), (10, import)]);
    assert_eq!(load_err(&host, "empty-import", &empty_instance), invalid("empty-import", &want));
}

#[test]
fn imports_are_linked_deny_by_default_so_only_missing_exports_refuse_a_component() {
    let host = Host::new(Limits::default()).expect("host");
    let want = format!("no export `after-run` found {HINT}");
    // A bare function is linked (as a trap, see `sandbox`): what refuses this component is what
    // it lacks, not what it imports.
    let e = load_err(&host, "clock", &component_importing_func("now"));
    assert_eq!(e, invalid("clock", &want));
    // A WASI function the host provides, imported with another type than WASI's, is refused.
    let e = load_err(&host, "wasi-env", &component_importing_instance("wasi:cli/environment@0.2.0"));
    assert_eq!(
        e,
        invalid(
            "wasi-env",
            &format!(
                "component imports instance `wasi:cli/environment@0.2.0`, but a matching implementation was not \
                 found in the linker: instance export `get-environment` has the wrong type: type mismatch with \
                 results: expected 1-tuple, found 0-tuple {HINT}"
            )
        )
    );
    // A core module importing WASI (a `wasm32-wasip1` build) cannot even be made a component.
    let mut module = b"\0asm\x01\0\0\0".to_vec();
    module.extend(b"\x01\x04\x01\x60\x00\x00"); // type 0: func() -> ()
    module.extend(b"\x02\x24\x01\x16wasi_snapshot_preview1\x09proc_exit\x00\x00"); // its import
    assert_eq!(
        load_err(&host, "wasip1", &module),
        invalid(
            "wasip1",
            "not a strategy module: failed to decode world from module: module was not valid: failed to resolve \
             import `wasi_snapshot_preview1::proc_exit`: module requires an import interface named \
             `wasi_snapshot_preview1`"
        )
    );
}

#[test]
fn the_compile_cache_is_keyed_by_content_not_by_name() {
    let host = Host::new(Limits::default()).expect("host");
    let bytes = component_importing_func("now");
    // Same bytes twice: the same result (the second from the cache).
    let first = load_err(&host, "a", &bytes);
    let second = load_err(&host, "a", &bytes);
    assert_eq!(first, second);
    // Same bytes under another name: the error names the strategy being loaded.
    let other = load_err(&host, "b", &bytes);
    assert_eq!(other, StrategyError::Invalid { name: "b".into(), reason: reason(&first).to_string() });
    // Other bytes are compiled, not taken from the cache.
    let e = load_err(&host, "a", &empty_component());
    assert_eq!(e, invalid("a", &format!("no export `after-run` found {HINT}")));
    // Every host shares the process's cache: another host gives the same answers.
    let fresh = Host::new(Limits::default()).expect("host");
    assert_eq!(load_err(&fresh, "a", &bytes), first);
    // Bytes that fail to compile are not cached either: the same error every time.
    assert_eq!(load_err(&host, "x", b"\0asm"), load_err(&host, "x", b"\0asm"));
}

#[test]
fn builtin_names_and_unknown_builtins() {
    let names: Vec<&str> = BUILTIN.iter().map(|(n, _)| *n).collect();
    assert_eq!(names, ["put-compliance-items", "rescan"]);
    for (n, bytes) in BUILTIN {
        assert_eq!(builtin(n), Some(bytes), "{n}");
        assert_eq!(&bytes[..8], b"\0asm\x0d\x00\x01\x00", "{n} is embedded as a component");
    }
    // The adversarial fixtures are test files, never built in: loading one by name fails.
    for n in ssmpatch_test_support::FIXTURES {
        assert_eq!(builtin(n), None, "{n} must not be embedded");
        assert!(ssmpatch::strategy::load(&Host::new(Limits::default()).expect("host"), n).is_err(), "{n}");
    }
    assert_eq!(builtin("Rescan"), None);
    assert_eq!(builtin(""), None);
    let host = Host::new(Limits::default()).expect("host");
    let e = load(&host, "critical-only").expect_err("unknown");
    assert!(
        reason(&e).starts_with(
            "it is neither a built-in strategy (put-compliance-items, rescan) nor a readable file: No such file"
        ),
        "{e}"
    );
}

/// `bytes` with every occurrence of `from` replaced by `to` (of the same length).
fn patched(bytes: &[u8], from: &str, to: &str) -> Vec<u8> {
    assert_eq!(from.len(), to.len());
    let mut out = bytes.to_vec();
    let mut found = 0;
    let mut i = 0;
    while let Some(at) = out[i..].windows(from.len()).position(|w| w == from.as_bytes()) {
        out[i + at..i + at + to.len()].copy_from_slice(to.as_bytes());
        i += at + to.len();
        found += 1;
    }
    assert!(found > 0, "`{from}` is not in the bytes");
    out
}

#[test]
fn a_component_stamped_with_another_interface_version_is_refused_naming_both() {
    let host = Host::new(Limits::default()).expect("host");
    let rescan = builtin("rescan").expect("built in");
    // The SDK's stamp says 9.9.9; everything else is the working built-in.
    let stamp = format!("{INTERFACE_SECTION}{INTERFACE_VERSION}");
    let other = patched(rescan, &stamp, &format!("{INTERFACE_SECTION}9.9.9"));
    let e = load_err(&host, "old-rescan", &other);
    assert_eq!(
        e,
        StrategyError::InterfaceVersion {
            name: "old-rescan".into(),
            found: "9.9.9".into(),
            expected: INTERFACE_VERSION
        }
    );
    assert_eq!(
        e.to_string(),
        "strategy `old-rescan` was built for interface ssmpatch:strategy@9.9.9, and this ssmpatch runs \
         ssmpatch:strategy@0.1.0"
    );
    assert!(ssmpatch::error::Hint::hint(&e).expect("hint").contains("ssmpatch-strategy-sdk"));
    // The same bytes with the original stamp load.
    assert!(host.load("rescan", &patched(&other, "9.9.9", INTERFACE_VERSION)).is_ok());
}

#[test]
fn without_the_stamp_the_version_of_the_types_import_decides() {
    let host = Host::new(Limits::default()).expect("host");
    let rescan = builtin("rescan").expect("built in");
    // A component not built with the SDK (no stamp) that imports the interface's types of this
    // version loads and runs.
    let no_stamp = patched(rescan, INTERFACE_SECTION, "ssmpatch:strategy-unrelated");
    assert!(host.load("unstamped", &no_stamp).is_ok());
    // One that imports another version's types is refused by the version check, not the linker.
    let other = patched(&no_stamp, "ssmpatch:strategy/types@0.1.0", "ssmpatch:strategy/types@0.2.0");
    assert_eq!(
        load_err(&host, "other", &other),
        StrategyError::InterfaceVersion { name: "other".into(), found: "0.2.0".into(), expected: INTERFACE_VERSION }
    );
    // A component that does neither is not a strategy.
    let e = load_err(&host, "bare", &unstamped(&[]));
    assert!(reason(&e).starts_with("it is not a strategy"), "{e}");
}

fn item(n: usize) -> ComplianceItem {
    ComplianceItem {
        id: format!("p{n}"),
        title: String::new(),
        severity: "LOW".into(),
        status: "NON_COMPLIANT".into(),
        details: Vec::new(),
    }
}

fn put(instance_id: &str, compliance_type: &str, items: usize) -> Action {
    Action::PutCompliance(PutCompliance {
        instance_id: instance_id.into(),
        compliance_type: compliance_type.into(),
        execution_id: "cmd-1".into(),
        execution_time: "2026-11-22T19:29:12Z".into(),
        items: (0..items).map(item).collect(),
        upload_type: UploadType::Complete,
        content_hash: "0".into(),
    })
}

fn too_much(what: &str) -> Result<(), StrategyError> {
    Err(StrategyError::TooMuchOutput { name: "s".into(), what: what.into() })
}

fn bad_type(t: &str) -> Result<(), StrategyError> {
    Err(StrategyError::Failed {
        name: "s".into(),
        message: format!("compliance type `{t}` is neither `Patch` nor `Custom:<name>`"),
    })
}

#[test]
fn actions_are_limited_in_number() {
    let limits = Limits::default().with_max_actions(3);
    let msg = |n: usize| -> Vec<Action> { (0..n).map(|i| Action::Message(format!("m{i}"))).collect() };
    assert_eq!(validate_actions("s", &limits, &[]), Ok(()));
    assert_eq!(validate_actions("s", &limits, &msg(3)), Ok(()));
    assert_eq!(validate_actions("s", &limits, &msg(4)), too_much("4 actions"));
    let none = Limits::default().with_max_actions(0);
    assert_eq!(validate_actions("s", &none, &[]), Ok(()));
    assert_eq!(validate_actions("s", &none, &[Action::StartScan(vec!["i-1".into()])]), too_much("1 actions"));
    // The default: 100,000.
    let d = Limits::default();
    assert_eq!(validate_actions("s", &d, &msg(100_000)), Ok(()));
    assert_eq!(validate_actions("s", &d, &msg(100_001)), too_much("100001 actions"));
    // The number is checked first, whatever the actions are.
    let bad = vec![put("i-1", "AWS:Nope", 10_001); 4];
    assert_eq!(validate_actions("s", &limits, &bad), too_much("4 actions"));
    // The error names the strategy it was given.
    assert_eq!(
        validate_actions("rescan", &limits, &msg(5)),
        Err(StrategyError::TooMuchOutput { name: "rescan".into(), what: "5 actions".into() })
    );
}

#[test]
fn a_put_compliance_takes_at_most_10000_items() {
    let d = Limits::default();
    assert_eq!(validate_actions("s", &d, &[put("i-1", "Patch", 0)]), Ok(()));
    assert_eq!(validate_actions("s", &d, &[put("i-1", "Patch", 10_000)]), Ok(()));
    assert_eq!(
        validate_actions("s", &d, &[put("i-1", "Patch", 10_000), put("i-2", "Custom:X", 10_001)]),
        too_much("10001 compliance items for i-2 (PutComplianceItems takes 10,000)")
    );
    // Per action, not in total: two full ones pass.
    assert_eq!(validate_actions("s", &d, &[put("i-1", "Patch", 10_000), put("i-1", "Patch", 10_000)]), Ok(()));
    // The count is checked before the compliance type of the same action.
    assert_eq!(
        validate_actions("s", &d, &[put("i-3", "AWS:Nope", 10_001)]),
        too_much("10001 compliance items for i-3 (PutComplianceItems takes 10,000)")
    );
}

#[test]
fn the_compliance_type_is_patch_or_custom() {
    let d = Limits::default();
    for ok in ["Patch", "Custom:PatchPreview", "Custom:ssmpatch"] {
        assert_eq!(validate_actions("s", &d, &[put("i-1", ok, 1)]), Ok(()), "{ok}");
    }
    for bad in ["", "patch", "PATCH", "Association", "custom:x", "AWS:Patch", " Patch", "Patch "] {
        assert_eq!(validate_actions("s", &d, &[put("i-1", bad, 1)]), bad_type(bad), "{bad:?}");
    }
    // The first failing action is the one reported.
    assert_eq!(
        validate_actions("s", &d, &[put("i-1", "Patch", 1), put("i-2", "Inventory", 1), put("i-3", "Patch", 10_001)]),
        bad_type("Inventory")
    );
    // Only PutCompliance carries a compliance type.
    assert_eq!(validate_actions("s", &d, &[Action::Message("Patch?".into()), Action::StartScan(Vec::new())]), Ok(()));
}

#[test]
fn a_plan_adds_at_most_100_operations() {
    let ops = |n: usize| -> Vec<AddedOperation> {
        (0..n)
            .map(|i| AddedOperation {
                name: format!("extra-{i}"),
                kind: OperationKind::Scan,
                after: "install".into(),
                uses_override: false,
            })
            .collect()
    };
    assert_eq!(validate_added_operations("s", &[]), Ok(()));
    assert_eq!(validate_added_operations("s", &ops(100)), Ok(()));
    assert_eq!(validate_added_operations("s", &ops(101)), too_much("101 added operations"));
    assert_eq!(
        validate_added_operations("rescan", &ops(1000)),
        Err(StrategyError::TooMuchOutput { name: "rescan".into(), what: "1000 added operations".into() })
    );
}

fn failed(message: &str) -> Result<(), StrategyError> {
    Err(StrategyError::Failed { name: "s".into(), message: message.into() })
}

#[test]
fn items_are_checked_against_the_put_compliance_items_model() {
    let d = Limits::default();
    let with = |f: &dyn Fn(&mut ComplianceItem)| {
        let mut a = put("i-1", "Custom:ssmpatch", 2);
        if let Action::PutCompliance(p) = &mut a {
            f(&mut p.items[1]);
        }
        validate_actions("s", &d, &[a])
    };
    assert_eq!(with(&|_| {}), Ok(()));
    assert_eq!(
        with(&|i| i.severity = "SEVERE".into()),
        failed(
            "PutComplianceItems for i-1: item `p1`: severity `SEVERE` is not CRITICAL, HIGH, MEDIUM, LOW, INFORMATIONAL or UNSPECIFIED"
        )
    );
    assert_eq!(
        with(&|i| i.status = "MISSING".into()),
        failed("PutComplianceItems for i-1: item `p1`: status `MISSING` is not COMPLIANT or NON_COMPLIANT")
    );
    assert_eq!(with(&|i| i.title = "t".repeat(500)), Ok(()));
    assert_eq!(
        with(&|i| i.title = "t".repeat(501)),
        failed("PutComplianceItems for i-1: item `p1`: the title is longer than 500 characters")
    );
    let pair = |k: &str, v: String| ssmpatch::strategy::Pair { key: k.into(), value: v };
    assert_eq!(with(&|i| i.details = vec![pair(&"k".repeat(64), "v".repeat(4096))]), Ok(()));
    assert_eq!(
        with(&|i| i.details = vec![pair("", "v".into())]),
        failed("PutComplianceItems for i-1: item `p1`: detail key `` is not 1-64 characters")
    );
    assert_eq!(
        with(&|i| i.details = vec![pair("Cve", "v".repeat(4097))]),
        failed("PutComplianceItems for i-1: item `p1`: detail `Cve` is longer than 4,096 characters")
    );
    // The type name's pattern: `Custom:` and at least two word characters.
    for bad in ["Custom:", "Custom:X", "Custom:a b", "Custom:ü1"] {
        assert_eq!(
            validate_actions("s", &d, &[put("i-1", bad, 1)]),
            failed(&format!(
                "PutComplianceItems for i-1: compliance type `{bad}` is not a valid type name (`Patch` or `Custom:` and 2+ word characters)"
            )),
            "{bad:?}"
        );
    }
    assert_eq!(
        validate_actions("s", &d, &[put("", "Patch", 1)]),
        failed("PutComplianceItems for : the resource id must be 1-100 characters")
    );
}

fn plan_info(compliance_type: &str) -> ssmpatch::strategy::PlanInfo {
    ssmpatch::strategy::PlanInfo {
        name: "p".into(),
        backend: ssmpatch::strategy::StrategyBackend::MaintenanceWindow,
        operations: Vec::new(),
        settings: Vec::new(),
        compliance_type: compliance_type.into(),
    }
}

fn run(node: &str) -> ssmpatch::strategy::RunResult {
    ssmpatch::strategy::RunResult {
        instance_id: node.into(),
        operation: "install".into(),
        kind: OperationKind::Install,
        execution_id: "cmd-1".into(),
        execution_time: "2026-11-22T19:29:12Z".into(),
        summary: Vec::new(),
        non_compliant: Vec::new(),
        all_compliant: true,
        truncated: false,
        raw_output: String::new(),
    }
}

#[test]
fn a_strategy_acts_only_on_the_runs_it_was_given() {
    let runs = [run("i-1"), run("i-2")];
    let custom = plan_info("Custom:ssmpatch");
    let scan = |n: &[&str]| Action::StartScan(n.iter().map(|s| s.to_string()).collect());
    assert_eq!(validate_scope("s", &custom, &runs, &[put("i-2", "Custom:ssmpatch", 1), scan(&["i-1", "i-2"])]), Ok(()));
    assert_eq!(
        validate_scope("s", &custom, &runs, &[put("i-9", "Custom:ssmpatch", 1)]),
        failed("writes compliance for i-9, which is not one of the runs it was given")
    );
    assert_eq!(
        validate_scope("s", &custom, &runs, &[scan(&["i-1", "i-9"])]),
        failed("starts a scan on i-9, which is not one of the runs it was given")
    );
    assert_eq!(validate_scope("s", &custom, &runs, &[scan(&[])]), failed("starts a scan on no node"));
    // Any Custom: type, but AWS's own `Patch` only when the plan chose it.
    assert_eq!(validate_scope("s", &custom, &runs, &[put("i-1", "Custom:Other", 1)]), Ok(()));
    assert_eq!(
        validate_scope("s", &custom, &runs, &[put("i-1", "Patch", 1)]),
        failed(
            "writes AWS's own `Patch` compliance type for i-1 but the plan's type is `Custom:ssmpatch` (set `compliance-type = \"Patch\"` to allow it)"
        )
    );
    assert_eq!(validate_scope("s", &plan_info("Patch"), &runs, &[put("i-1", "Patch", 1)]), Ok(()));
    assert_eq!(validate_scope("s", &custom, &[], &[Action::Message("hi".into())]), Ok(()));
}
