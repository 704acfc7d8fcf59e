//! Strategy host costs: loading (compiling) a component, and a warm `after-run` call of the
//! built-in put-compliance-items on one node's run (2 packages) and on 100 nodes.
//!
//! Run: `cargo bench -p ssmpatch --bench strategies`

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use ssmpatch::strategy::{BUILTIN, Host, Limits, OperationKind, PatchPackage, PlanInfo, RunResult, StrategyBackend};

fn run(i: usize) -> RunResult {
    let pkg = |id: &str, sev: &str| PatchPackage {
        id: id.into(),
        title: format!("{id}:1:3.0.8-1.amzn2023"),
        state: "Missing".into(),
        severity: sev.into(),
        classification: "Security".into(),
        patch_severity: "Critical".into(),
        cve_ids: vec!["CVE-2026-0001".into()],
        installed_time: String::new(),
    };
    RunResult {
        instance_id: format!("i-{i:017x}"),
        operation: "install".into(),
        kind: OperationKind::Install,
        execution_id: "cmd".into(),
        execution_time: "2026-11-29T03:41:00Z".into(),
        summary: Vec::new(),
        non_compliant: vec![pkg("openssl.x86_64", "CRITICAL"), pkg("curl.x86_64", "HIGH")],
        all_compliant: false,
        truncated: false,
        raw_output: String::new(),
    }
}

fn bench(c: &mut Criterion) {
    let plan = PlanInfo {
        name: "bench".into(),
        backend: StrategyBackend::MaintenanceWindow,
        operations: Vec::new(),
        settings: Vec::new(),
        compliance_type: "Custom:PatchPreview".into(),
    };
    let bytes = BUILTIN[0].1;
    c.bench_function("strategy/load (compile put-compliance-items)", |b| {
        b.iter(|| {
            let host = Host::new(Limits::default()).expect("host");
            black_box(host.load("put-compliance-items", bytes).expect("load"))
        })
    });
    let host = Host::new(Limits::default()).expect("host");
    c.bench_function("strategy/load (cached)", |b| {
        b.iter(|| black_box(host.load("put-compliance-items", bytes).expect("load")))
    });
    let s = host.load("put-compliance-items", bytes).expect("load");
    let one = [run(0)];
    c.bench_function("strategy/after-run (1 node, warm)", |b| {
        b.iter(|| black_box(s.after_run(&plan, &one).expect("call")))
    });
    let hundred: Vec<RunResult> = (0..100).map(run).collect();
    c.bench_function("strategy/after-run (100 nodes, warm)", |b| {
        b.iter(|| black_box(s.after_run(&plan, &hundred).expect("call")))
    });
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_secs(2))
        .sample_size(20)
}

criterion_group! { name = benches; config = config(); targets = bench }
criterion_main!(benches);
