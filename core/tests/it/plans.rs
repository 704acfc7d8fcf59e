//! Plans: the examples, the seed case's calendar, backend choice, placement, and located errors.

use std::path::Path;

use jiff::Timestamp;
use ssmpatch::plan::BaselineUse;
use ssmpatch::plan::{CompileOptions, Compiled};
use ssmpatch::plan::{Plan, PlanErrors, Source};
use ssmpatch::schedule::Backend;

fn from() -> CompileOptions {
    CompileOptions::from("2026-06-01T00:00:00Z".parse::<Timestamp>().expect("ts"))
}

fn example(name: &str) -> Plan {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples").join(name);
    Plan::load(&path).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn errors(text: &str) -> PlanErrors {
    match Plan::from_source(Source::new(Some("plan.toml"), text)) {
        Ok(_) => panic!("plan accepted:\n{text}"),
        Err(e) => e,
    }
}

const HEAD: &str = "version = 1\nname = \"t-plan\"\ntargets = { tags = { \"Patch Group\" = \"web\" } }\n";

#[test]
fn published_schema_is_in_sync() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("plan.schema.json");
    let on_disk = std::fs::read_to_string(&path).expect("core/plan.schema.json");
    assert_eq!(on_disk, ssmpatch::plan::schema_json(), "regenerate with `ssmpatch schema > core/plan.schema.json`");
}

#[test]
fn seed_calendar_installs_on_last_sunday_and_scans_seven_days_before() {
    let plan = example("seed-monthly.toml");
    let cal = plan.calendar(24, &from()).expect("calendar");
    assert_eq!(cal.backend, Backend::MaintenanceWindow);
    let tokyo = jiff::tz::TimeZone::get("Asia/Tokyo").expect("zone");
    let installs: Vec<jiff::Zoned> = cal
        .runs
        .iter()
        .filter(|r| r.operation == "install")
        .map(|r| r.at.parse::<Timestamp>().expect("at").to_zoned(tokyo.clone()))
        .collect();
    let scans: Vec<jiff::Zoned> = cal
        .runs
        .iter()
        .filter(|r| r.operation == "scan")
        .map(|r| r.at.parse::<Timestamp>().expect("at").to_zoned(tokyo.clone()))
        .collect();
    assert!(installs.len() >= 24 && scans.len() >= 24, "{} installs, {} scans", installs.len(), scans.len());
    for i in &installs {
        assert_eq!(i.weekday(), jiff::civil::Weekday::Sunday, "{i}");
        assert_ne!(i.date().checked_add(jiff::ToSpan::days(7)).expect("date").month(), i.month(), "not the last: {i}");
        assert_eq!((i.hour(), i.minute()), (3, 0));
    }
    for s in &scans {
        let week_later = s.checked_add(jiff::ToSpan::days(7)).expect("add");
        assert!(installs.contains(&week_later), "scan {s} has no install 7 days later");
    }
    // Local time is printed with the zone's offset.
    assert!(cal.runs.iter().all(|r| r.local.ends_with("+09:00")));
    // Both operations run with their own override (pinned placement).
    assert!(cal.runs.iter().all(|r| r.baseline.starts_with("override:")));
}

#[test]
fn default_placement_puts_install_rules_in_the_real_baseline() {
    let plan = example("seed-placed.toml");
    let ex = plan.explain(&from()).expect("explain");
    assert!(matches!(ex.placement.use_of("install"), BaselineUse::Default { .. }));
    match ex.placement.use_of("scan") {
        BaselineUse::Override { url, key, sha256 } => {
            assert_eq!(url, format!("s3://web-patching-artifacts/{key}"));
            assert_eq!(key, format!("ssmpatch/overrides/web-monthly-placed/scan/{sha256}.json"));
        }
        other => panic!("{other:?}"),
    }
    assert!(ex.placement.consequence.contains("records patch compliance natively"), "{}", ex.placement.consequence);
    // The scan's override is the 14-day document.
    let doc = plan.render_override("scan").expect("render");
    let v: serde_json::Value = serde_json::from_slice(&doc.bytes).expect("json");
    assert_eq!(v[0]["ApprovalRules"]["PatchRules"][0]["ApproveAfterDays"], 14);
    assert_eq!(v[0]["OperatingSystem"], "AMAZON_LINUX_2023");
    let seed = example("seed-monthly.toml");
    assert_eq!(seed.render_override("scan").expect("render").sha256, doc.sha256, "same rules, same bytes");
}

#[test]
fn auto_choice_records_why_earlier_backends_were_rejected() {
    let ex = example("seed-monthly.toml").explain(&from()).expect("explain");
    assert_eq!(ex.chosen.as_str(), "auto");
    let rejected: Vec<Backend> = ex.rejected.iter().map(|r| r.backend).collect();
    assert_eq!(rejected, [Backend::PatchPolicy, Backend::Association]);
    let pp = &ex.rejected[0].reasons;
    assert!(pp.iter().any(|r| r.contains("one baseline set for both operations")), "{pp:?}");
    let scan = ex.operations.iter().find(|o| o.name == "scan").expect("scan");
    match &scan.compiled {
        Compiled::Fallback { windows, differences, .. } => {
            assert_eq!(windows.len(), 2);
            assert!(windows.iter().all(|w| w.expression.starts_with("at(")));
            assert!(!differences.is_empty());
        }
        other => panic!("last sunday - 7 days must take the fallback, got {other:?}"),
    }
    let pp = example("patch-policy.toml").explain(&from()).expect("explain");
    assert_eq!(pp.backend, Backend::PatchPolicy);
    assert!(pp.rejected.is_empty());
    let pt = example("patch-tuesday.toml").explain(&from()).expect("explain");
    assert_eq!(pt.backend, Backend::MaintenanceWindow);
    for op in &pt.operations {
        assert!(op.compiled.is_exact(), "{}: {:?}", op.name, op.compiled);
    }
}

#[test]
fn a_patch_policy_refuses_targets_it_cannot_express_exactly() {
    // One TargetTagKey/TargetTagValue or one resource group: sending the first selector only would
    // patch every node that matches it.
    for targets in [
        "tags = { Environment = \"prod\", \"Patch Group\" = \"erp\" }",
        "tags = { Environment = [\"prod\", \"stage\"] }",
        "tags = { Environment = \"prod\" }\nresource-groups = [\"erp\"]",
    ] {
        let text = format!(
            "version = 1\nname = \"ppp\"\nregion = \"us-east-1\"\nbackend = \"patch-policy\"\n[targets]\n{targets}\n\
             [operations.install]\nkind = \"install\"\nschedule = \"every sunday at 02:00\"\n"
        );
        let plan = Plan::from_source(Source::new(Some("plan.toml"), text)).expect("valid");
        let e = plan.explain(&from()).expect_err("a patch policy cannot");
        assert!(e.message.contains("one tag key with one value, or one resource group"), "{targets}: {e}");
    }
}

#[test]
fn explicit_backend_that_cannot_run_the_plan_is_an_error_that_explains() {
    let text = format!(
        "{HEAD}backend = \"association\"\ntime-zone = \"Europe/Berlin\"\n[operations.install]\nkind = \"install\"\nschedule = \"second tuesday at 02:00\"\n"
    );
    let plan = Plan::from_source(Source::new(Some("plan.toml"), text)).expect("valid");
    let e = plan.explain(&from()).expect_err("association cannot");
    assert!(e.message.contains("the association backend cannot run this plan"), "{e}");
    assert!(e.message.contains("daylight saving"), "{e}");
    assert_eq!((e.file.as_deref(), e.line), (Some("plan.toml"), Some(4)));
}

#[test]
fn invalid_plans_get_located_errors() {
    // Wrong type.
    let e = errors("version = \"one\"\nname = \"t-plan\"\n");
    assert_eq!((e.0[0].line, e.0[0].column), (Some(1), Some(11)), "{e}");
    assert!(e.0[0].message.contains("invalid type"), "{e}");
    // Unknown OS.
    let e = errors(&format!(
        "{HEAD}[baselines.WINDOWS_95]\n[operations.i]\nkind = \"install\"\nschedule = \"rate(7 days)\"\n"
    ));
    assert!(e.0[0].message.contains("unknown variant `WINDOWS_95`"), "{e}");
    assert_eq!(e.0[0].line, Some(4));
    // Unknown key.
    let e = errors(&format!(
        "{HEAD}[operations.i]\nkind = \"install\"\nschedule = \"rate(7 days)\"\nrebot = \"no-reboot\"\n"
    ));
    assert!(e.0[0].message.contains("unknown field `rebot`"), "{e}");
    assert_eq!(e.0[0].line, Some(7));
    // Offset out of range, and on a calendar rule.
    let e = errors(&format!(
        "{HEAD}[operations.a]\nkind = \"install\"\nschedule = \"cron(0 2 ? * TUE#2 *)\"\noffset-days = 9\n\
         [operations.b]\nkind = \"scan\"\nschedule = \"last sunday at 01:00\"\noffset-days = 2\n"
    ));
    assert_eq!(e.0.len(), 2, "{e}");
    assert_eq!((e.0[0].path.as_str(), e.0[0].line), ("operations.a.offset-days", Some(7)));
    assert!(e.0[0].message.contains("out of range"));
    assert_eq!((e.0[1].path.as_str(), e.0[1].line), ("operations.b.offset-days", Some(11)));
    // A bad cron points inside the string.
    let e = errors(&format!("{HEAD}[operations.a]\nkind = \"install\"\nschedule = \"cron(0 25 * * ? *)\"\n"));
    assert_eq!((e.0[0].line, e.0[0].column), (Some(6), Some(20)), "{e}");
    assert!(e.0[0].message.contains("(in the hours field)"), "{e}");
    // Cycles between relative operations, and an unknown reference.
    let e = errors(&format!(
        "{HEAD}[operations.a]\nkind = \"scan\"\nschedule = \"1 day before b\"\n[operations.b]\nkind = \"install\"\nschedule = \"2 days after a\"\n\
         [operations.c]\nkind = \"scan\"\nschedule = \"3 days before nope\"\n"
    ));
    let messages: Vec<String> = e.0.iter().map(|x| format!("{}: {}", x.path, x.message)).collect();
    assert!(
        messages.iter().any(|m| m.contains("operations.a.schedule: relative schedules form a cycle: a → b → a")),
        "{messages:?}"
    );
    assert!(messages.iter().any(|m| m.contains("operations.c.schedule: no operation named `nope`")), "{messages:?}");
    // Limits of an inline baseline, with its path.
    let e = errors(&format!(
        "{HEAD}[[baselines.UBUNTU.approval-rules]]\napprove-after-days = 361\n[operations.i]\nkind = \"install\"\nschedule = \"rate(7 days)\"\n"
    ));
    assert_eq!(e.0[0].path, "baselines.UBUNTU.approval-rules[0].approve-after-days");
    // Approval without inline rules.
    let e = errors(&format!(
        "{HEAD}[operations.i]\nkind = \"install\"\nschedule = \"rate(7 days)\"\napproval = {{ approve-after-days = 3 }}\n"
    ));
    assert_eq!(e.0[0].path, "operations.i.approval");
    assert!(e.0[0].hint.as_deref().unwrap_or("").contains("approval-rules"));
}

#[test]
fn strategy_limits_and_compliance_types_are_checked_where_written() {
    let op = "[operations.i]\nkind = \"install\"\nschedule = \"rate(7 days)\"\n";
    // Limits over the defaults; what is not written keeps its default.
    let plan = Plan::from_source(Source::new(
        Some("plan.toml"),
        format!("{HEAD}{op}[compliance]\nstrategy = \"rescan\"\nlimits = {{ fuel = 5000000, memory-mib = 64 }}\n"),
    ))
    .expect("plan");
    let defaults = ssmpatch::strategy::Limits::default();
    assert_eq!(plan.strategy_limits, defaults.with_fuel(5_000_000).with_memory_bytes(64 << 20));
    // Out of range, each at its line; an unknown limit is an unknown field.
    let e = errors(&format!(
        "{HEAD}{op}[compliance]\nstrategy = \"rescan\"\n[compliance.limits]\nfuel = 5\ntimeout-seconds = 601\n"
    ));
    let found: Vec<(&str, Option<u32>)> = e.0.iter().map(|x| (x.path.as_str(), x.line)).collect();
    assert_eq!(found, [("compliance.limits.fuel", Some(10)), ("compliance.limits.timeout-seconds", Some(11))], "{e}");
    assert_eq!(e.0[0].hint.as_deref(), Some("use 1000000 to 1000000000000 units"));
    let e = errors(&format!("{HEAD}{op}[compliance]\nstrategy = \"rescan\"\nlimits = {{ cpu = 1 }}\n"));
    assert!(e.0[0].message.contains("unknown field `cpu`"), "{e}");
    // Compliance types as PutComplianceItems accepts them (ComplianceTypeName), nothing else.
    for (t, ok) in [
        ("Patch", true),
        ("Custom:ssmpatch", true),
        ("Custom:Critical_High", true),
        ("Custom:-x", true),
        ("Custom:Critical-High", false),
        ("Custom:a.b", false),
        ("Custom:x", false),
        ("Association", false),
    ] {
        let text = format!("{HEAD}{op}[compliance]\nstrategy = \"put-compliance-items\"\ncompliance-type = \"{t}\"\n");
        let result = Plan::from_source(Source::new(Some("plan.toml"), text));
        assert_eq!(result.is_ok(), ok, "{t}: {:?}", result.err().map(|e| e.to_string()));
        assert_eq!(ssmpatch::strategy::compliance_type_is_valid(t), ok, "{t}");
    }
}

#[test]
fn json_plans_are_accepted_and_errors_located() {
    let json = r#"{
  "version": 1,
  "name": "json-plan",
  "targets": {"instance-ids": ["i-0123456789abcdef0"]},
  "operations": {"install": {"kind": "install", "schedule": "every sunday at 02:00"}}
}"#;
    let plan = Plan::from_source(Source::new(Some("p.json"), json)).expect("json plan");
    assert_eq!(plan.explain(&from()).expect("explain").backend, Backend::Association);
    let bad = json.replace("\"every sunday at 02:00\"", "42");
    let e = Plan::from_source(Source::new(Some("p.json"), bad)).expect_err("type error");
    assert_eq!(e.0[0].path, "operations.install.schedule");
    assert_eq!(e.0[0].line, Some(5));
}

#[test]
fn override_documents_are_byte_for_byte_stable() {
    let plan = example("seed-placed.toml");
    let doc = plan.render_override("install").expect("render");
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/baseline/seed-install-21.json");
    let text = String::from_utf8(doc.bytes.clone()).expect("utf-8");
    if std::env::var_os("SSMPATCH_BLESS").is_some() {
        std::fs::write(&golden, &text).expect("bless");
    }
    assert_eq!(text, std::fs::read_to_string(&golden).expect("golden file"));
    use sha2::Digest;
    assert_eq!(doc.sha256, hex::encode(sha2::Sha256::digest(&doc.bytes)));
}

#[test]
fn explain_says_where_a_custom_compliance_report_appears() {
    let seed = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/seed-monthly.toml"))
        .expect("example");
    let with = |strategy: &str| {
        let text = seed.replace("strategy = \"rescan\"", strategy);
        let plan = Plan::from_source(Source::new(Some("seed.toml"), text)).expect("valid");
        plan.explain(&from()).expect("explain").placement.consequence
    };
    let custom = with("strategy = \"put-compliance-items\"");
    assert!(custom.contains("Configuration Compliance only") && custom.contains("Security Hub"), "{custom}");
    // AWS records what rescan scans, and a `Patch` upload is where Config and Security Hub look.
    assert!(!with("strategy = \"rescan\"").contains("Configuration Compliance only"));
    let patch = with("strategy = \"put-compliance-items\"\ncompliance-type = \"Patch\"");
    assert!(!patch.contains("Configuration Compliance only"), "{patch}");
}

#[test]
fn time_zones_are_sent_as_the_time_zone_database_spells_them() {
    let text = format!(
        "{HEAD}backend = \"maintenance-window\"\ntime-zone = \"asia/tokyo\"\n[operations.install]\nkind = \"install\"\n\
         schedule = \"second tuesday at 02:00\"\n[operations.scan]\nkind = \"scan\"\nschedule = \"every sunday at 01:00\"\n\
         time-zone = \"EUROPE/berlin\"\n"
    );
    let plan = Plan::from_source(Source::new(Some("plan.toml"), text)).expect("valid");
    let json = serde_json::to_string(&plan.explain(&from()).expect("explain")).expect("json");
    assert!(json.contains("\"Asia/Tokyo\"") && json.contains("\"Europe/Berlin\""), "{json}");
    assert!(!json.contains("asia/tokyo") && !json.contains("EUROPE/berlin"), "{json}");
}

#[test]
fn last_runs_give_the_runs_due_by_an_instant_and_the_next() {
    let plan = example("seed-monthly.toml");
    let ex = plan.explain(&from()).expect("explain");
    // Sunday 2026-06-28 03:00 Tokyo is June's last Sunday: 2026-06-27T18:00:00Z; its scan one week before.
    let t = |s: &str| s.parse::<Timestamp>().expect("instant");
    let runs = plan.last_runs(&ex, t("2026-07-10T00:00:00Z"), 3);
    let install = runs.iter().find(|r| r.operation == "install").expect("install");
    assert_eq!(install.planned, vec![t("2026-04-25T18:00:00Z"), t("2026-05-30T18:00:00Z"), t("2026-06-27T18:00:00Z")]);
    assert_eq!(install.next, Some(t("2026-07-25T18:00:00Z")));
    let scan = runs.iter().find(|r| r.operation == "scan").expect("scan");
    assert_eq!(scan.planned.last(), Some(&t("2026-06-20T18:00:00Z")));
    assert_eq!(scan.next, Some(t("2026-07-18T18:00:00Z")));
    // A run exactly at the instant is due by it.
    let at = plan.last_runs(&ex, t("2026-06-27T18:00:00Z"), 1);
    assert_eq!(at.iter().find(|r| r.operation == "install").expect("install").planned, vec![t("2026-06-27T18:00:00Z")]);
}
