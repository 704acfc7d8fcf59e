//! Baselines and BaselineOverride documents: golden bytes, determinism, API limits with their
//! key paths, the file-name character rule, S3 publishing and garbage collection.
//!
//! Bless the seed goldens with `SSMPATCH_BLESS=1 cargo test -p ssmpatch --test it baseline_override`.
//! `aws-example.json` is not blessed from Rust: it is written by Python's `json.dumps`
//! (`tests/data/baseline/aws-example.py`), the generator AWS documents.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use serde_json::{Value, json};
use ssmpatch::baseline::{
    Approval, ApprovalChange, ApprovalOverride, ApprovalRuleSpec, Baseline, BaselineSpec, Baselines, ComplianceLevel,
    FORBIDDEN_FILE_NAME_CHARS, LIMITS, MemoryStore, ObjectMeta, ObjectStore, OperatingSystem, OverrideDocument,
    OverrideObject, PatchBaselineRules, PatchFilterKey, PatchSourceSpec, PublishError, PutOutcome, PutRequest,
    PutSettings, RejectedPatchesAction, StoreError, collect_garbage, garbage, override_key, plan_prefix, publish,
    render_override,
};
use ssmpatch::error::Hint;

type Specs = BTreeMap<OperatingSystem, BaselineSpec>;

/// The seed case's baselines, as a plan file writes them.
const SEED: &str = r#"
[AMAZON_LINUX_2023]
rejected-patches = ["kernel-livepatch*"]
rejected-patches-action = "BLOCK"

[[AMAZON_LINUX_2023.approval-rules]]
approve-after-days = 7
compliance-level = "HIGH"
filters = { CLASSIFICATION = ["Security", "Bugfix"], SEVERITY = ["Critical", "Important", "Medium"] }
"#;

fn seed_specs() -> Specs {
    toml::from_str(SEED).expect("seed baselines parse")
}

fn seed() -> Baselines {
    Baselines::validate(&seed_specs(), "baselines").expect("seed baselines are valid")
}

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/baseline").join(name)
}

fn assert_golden(name: &str, doc: &OverrideDocument) {
    let path = data(name);
    if std::env::var_os("SSMPATCH_BLESS").is_some() {
        std::fs::write(&path, &doc.bytes).expect("bless");
    }
    let golden = std::fs::read(&path).expect("golden file");
    assert_eq!(doc.as_str(), String::from_utf8(golden).expect("utf-8"), "{name} differs");
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

// --- golden bytes -----------------------------------------------------------------------------

#[test]
fn seed_scan_and_install_documents_match_their_goldens() {
    let baselines = seed();
    let scan = baselines.render_override(Some(&Approval::after_days(14).expect("14"))).expect("scan");
    let install = baselines.render_override(Some(&Approval::after_days(21).expect("21"))).expect("install");
    assert_golden("al2023-scan-14.json", &scan);
    assert_golden("al2023-install-21.json", &install);
    assert_ne!(scan.sha256, install.sha256);
    assert_eq!(scan.sha256, sha256(&scan.bytes));
    assert_eq!(install.sha256, sha256(&install.bytes));

    let v: Value = serde_json::from_slice(&scan.bytes).expect("json");
    let rule = &v[0]["ApprovalRules"]["PatchRules"][0];
    assert_eq!(rule["ApproveAfterDays"], 14);
    assert_eq!(rule["ComplianceLevel"], "HIGH", "the override keeps the rule's compliance level");
    assert_eq!(v[0]["RejectedPatchesAction"], "BLOCK");
    assert_eq!(v.as_array().map(Vec::len), Some(1));
}

#[test]
fn the_unchecked_renderer_agrees_with_the_validated_one() {
    let specs = seed_specs();
    for days in [14, 21] {
        let checked = seed().render_override(Some(&Approval::after_days(days).expect("days"))).expect("render");
        let unchecked =
            render_override(&specs, Some(&ApprovalOverride { approve_after_days: Some(days), ..Default::default() }));
        assert_eq!(checked, unchecked);
    }
}

#[test]
fn the_aws_example_renders_byte_for_byte_as_pythons_json_dumps() {
    let specs: Specs = toml::from_str(
        r#"
        [AMAZON_LINUX_2]
        [[AMAZON_LINUX_2.approval-rules]]
        approve-after-days = 0
        filters = { PRODUCT = ["*"], CLASSIFICATION = ["*"], SEVERITY = ["*"] }

        [CENTOS]
        approved-patches = ["open-ssl*"]
        rejected-patches = ["python*"]
        [[CENTOS.approval-rules]]
        approve-until-date = "2021-01-06"
        enable-non-security = true
        filters = { PRODUCT = ["*"], CLASSIFICATION = ["*"], SEVERITY = ["*"] }
        [[CENTOS.sources]]
        name = "local-repo"
        products = ["CentOS7"]
        configuration = "[main]\nname=Dépôt ✓ 😀\nbaseurl=https://repo.example/$basearch"
        "#,
    )
    .expect("parse");
    let doc = Baselines::validate(&specs, "baselines").expect("valid").render_override(None).expect("render");
    let python = std::fs::read(data("aws-example.json")).expect("aws-example.json");
    assert_eq!(doc.as_str(), String::from_utf8(python).expect("ascii"));
    assert!(doc.bytes.is_ascii());
}

// --- merge semantics --------------------------------------------------------------------------

fn rules_of(toml_text: &str, approval: &ApprovalOverride) -> PatchBaselineRules {
    let specs: Specs = toml::from_str(toml_text).expect("parse");
    let b = Baselines::validate(&specs, "baselines").expect("valid");
    let a = approval.validate("operations.x.approval").expect("valid approval");
    b.effective_rules(Some(&a)).into_iter().next().expect("one baseline")
}

#[test]
fn an_approval_replaces_the_delay_in_every_rule_and_nothing_else() {
    let text = r#"
        [UBUNTU]
        approved-patches = ["a"]
        global-filters = { PRIORITY = ["Required"] }
        [[UBUNTU.approval-rules]]
        approve-after-days = 3
        compliance-level = "LOW"
        [[UBUNTU.approval-rules]]
        approve-until-date = "2025-01-01"
    "#;
    let declared =
        rules_of(text, &ApprovalOverride { compliance_level: Some(ComplianceLevel::Low), ..Default::default() });

    let days = rules_of(text, &ApprovalOverride { approve_after_days: Some(14), ..Default::default() });
    for r in &days.approval_rules {
        assert_eq!((r.approve_after_days, r.approve_until_date.as_deref()), (Some(14), None));
    }
    assert_eq!(days.approval_rules[0].compliance_level, ComplianceLevel::Low, "level kept");
    assert_eq!(days.approval_rules[1].compliance_level, ComplianceLevel::Unspecified, "level kept");
    assert_eq!(days.global_filters, declared.global_filters);
    assert_eq!(days.approved_patches, declared.approved_patches);

    let date =
        rules_of(text, &ApprovalOverride { approve_until_date: Some("2026-06-30".into()), ..Default::default() });
    for r in &date.approval_rules {
        assert_eq!((r.approve_after_days, r.approve_until_date.as_deref()), (None, Some("2026-06-30")));
    }

    let level =
        rules_of(text, &ApprovalOverride { compliance_level: Some(ComplianceLevel::Critical), ..Default::default() });
    assert_eq!(level.approval_rules[0].approve_after_days, Some(3), "delay kept");
    assert_eq!(level.approval_rules[1].approve_until_date.as_deref(), Some("2025-01-01"), "delay kept");
    assert!(level.approval_rules.iter().all(|r| r.compliance_level == ComplianceLevel::Critical));

    let empty = PatchBaselineRules::empty(OperatingSystem::Debian);
    assert_eq!(
        empty.clone().merge(&ApprovalChange { approve_after_days: Some(1), ..Default::default() }),
        empty,
        "no rules, nothing to change"
    );
}

// --- determinism and round trips (property) ----------------------------------------------------

fn text(re: &'static str) -> impl Strategy<Value = String> {
    re
}

fn filters() -> impl Strategy<Value = BTreeMap<PatchFilterKey, Vec<String>>> {
    prop::collection::btree_map(
        prop::sample::select(PatchFilterKey::ALL.to_vec()),
        prop::collection::vec(text("[A-Za-z0-9*._-]{1,64}"), 1..=20),
        0..=4,
    )
}

fn level() -> impl Strategy<Value = Option<ComplianceLevel>> {
    prop::option::of(prop::sample::select(ComplianceLevel::ALL.to_vec()))
}

fn date() -> impl Strategy<Value = String> {
    (1990i16..2100, 1i8..=12, 1i8..=28).prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}"))
}

fn rule() -> impl Strategy<Value = ApprovalRuleSpec> {
    (prop_oneof![(0u32..=360).prop_map(Ok), date().prop_map(Err)], level(), prop::option::of(any::<bool>()), filters())
        .prop_map(|(delay, compliance_level, enable_non_security, filters)| {
            let (approve_after_days, approve_until_date) = match delay {
                Ok(d) => (Some(d), None),
                Err(u) => (None, Some(u)),
            };
            ApprovalRuleSpec { approve_after_days, approve_until_date, compliance_level, enable_non_security, filters }
        })
}

fn source() -> impl Strategy<Value = PatchSourceSpec> {
    (
        text("[A-Za-z0-9_.-]{3,50}"),
        prop::collection::vec(text("[A-Za-z0-9.]{1,20}"), 1..=3),
        text("\\[main\\]\nname=[ -~é✓]{0,40}\nbaseurl=https://[a-z.]{1,20}/\\$basearch"),
    )
        .prop_map(|(name, products, configuration)| PatchSourceSpec { name, products, configuration })
}

fn spec() -> impl Strategy<Value = BaselineSpec> {
    (
        prop::collection::vec(rule(), 0..=3),
        filters(),
        prop::collection::vec(text("[a-z][a-z0-9.*+-]{0,30}"), 0..=4),
        prop::collection::vec(text("[a-z][a-z0-9.*+-]{0,30}"), 0..=4),
        (level(), prop::option::of(any::<bool>())),
        prop::option::of(prop::sample::select(vec![
            RejectedPatchesAction::AllowAsDependency,
            RejectedPatchesAction::Block,
        ])),
        prop::collection::vec(source(), 0..=2),
    )
        .prop_map(|(approval_rules, global_filters, approved, rejected, (lvl, non_sec), action, sources)| {
            BaselineSpec {
                baseline_id: None,
                approval_rules,
                global_filters,
                approved_patches: approved,
                approved_patches_compliance_level: lvl,
                approved_patches_enable_non_security: non_sec,
                rejected_patches: rejected,
                rejected_patches_action: action,
                sources,
            }
        })
}

fn approval() -> impl Strategy<Value = ApprovalOverride> {
    (prop::option::of(prop_oneof![(0u32..=360).prop_map(Ok), date().prop_map(Err)]), level())
        .prop_filter("changes something", |(d, l)| d.is_some() || l.is_some())
        .prop_map(|(delay, compliance_level)| match delay {
            Some(Ok(d)) => ApprovalOverride { approve_after_days: Some(d), compliance_level, ..Default::default() },
            Some(Err(u)) => ApprovalOverride { approve_until_date: Some(u), compliance_level, ..Default::default() },
            None => ApprovalOverride { compliance_level, ..Default::default() },
        })
}

/// Every object's keys are in sorted order (the parsed `Value` keeps file order).
fn keys_sorted(v: &Value) -> bool {
    match v {
        Value::Object(m) => m.keys().zip(m.keys().skip(1)).all(|(a, b)| a < b) && m.values().all(keys_sorted),
        Value::Array(a) => a.iter().all(keys_sorted),
        _ => true,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, .. ProptestConfig::default() })]

    /// Any valid baselines: validation accepts them, rendering is deterministic, sorted at every
    /// level and ASCII, the document parses back into exactly the effective rules, the specs
    /// round-trip through TOML and JSON, and the unchecked renderer agrees byte for byte.
    #[test]
    fn rendering_is_deterministic_sorted_and_round_trips(
        specs in prop::collection::btree_map(prop::sample::select(OperatingSystem::ALL.to_vec()), spec(), 1..=3),
        approval in prop::option::of(approval()),
    ) {
        let baselines = Baselines::validate(&specs, "baselines").map_err(|e| TestCaseError::fail(e.to_string()))?;
        let checked = approval.as_ref().map(|a| a.validate("a")).transpose().map_err(|e| TestCaseError::fail(e.to_string()))?;
        let one = baselines.render_override(checked.as_ref()).expect("render");
        let two = baselines.render_override(checked.as_ref()).expect("render");
        prop_assert_eq!(&one, &two);
        prop_assert_eq!(&one, &render_override(&specs, approval.as_ref()));
        prop_assert!(one.bytes.is_ascii());
        prop_assert!(!one.bytes.ends_with(b"\n"));

        let v: Value = serde_json::from_slice(&one.bytes).expect("json");
        prop_assert!(keys_sorted(&v), "{}", one.as_str());
        let oses: Vec<&str> = v.as_array().expect("array").iter().map(|e| e["OperatingSystem"].as_str().unwrap_or("")).collect();
        let mut sorted = oses.clone();
        sorted.sort();
        sorted.dedup();
        prop_assert_eq!(&oses, &sorted, "one element per OS, sorted");

        let effective = baselines.effective_rules(checked.as_ref());
        let mut by_name = effective.clone();
        by_name.sort_by_key(|r| r.operating_system.as_str());
        prop_assert_eq!(one.rules().expect("parse back"), by_name);
        if let Some(a) = &checked {
            for r in effective.iter().flat_map(|b| &b.approval_rules) {
                if let Some(lvl) = a.compliance_level() { prop_assert_eq!(r.compliance_level, lvl); }
                prop_assert!(r.approve_after_days.is_some() != r.approve_until_date.is_some());
            }
        }

        let back: Specs = toml::from_str(&toml::to_string(&specs).expect("toml")).expect("toml back");
        prop_assert_eq!(&back, &specs);
        let back: Specs = serde_json::from_str(&serde_json::to_string(&specs).expect("json")).expect("json back");
        prop_assert_eq!(&back, &specs);
        for r in &effective {
            let again: PatchBaselineRules = serde_json::from_value(r.to_override_value()).expect("rules back");
            prop_assert_eq!(&again, r);
            prop_assert!(again.same_rules_as(r));
        }
    }
}

// --- limits, each with its key path -----------------------------------------------------------

const AL: &str = "baselines.AMAZON_LINUX_2023";

fn valid() -> BaselineSpec {
    seed_specs().remove(&OperatingSystem::AmazonLinux2023).expect("seed")
}

fn src(name: &str) -> PatchSourceSpec {
    PatchSourceSpec { name: name.into(), products: vec!["AmazonLinux2023".into()], configuration: "[main]".into() }
}

fn errors_of(spec: BaselineSpec) -> Vec<(String, String)> {
    let specs = Specs::from([(OperatingSystem::AmazonLinux2023, spec)]);
    match Baselines::validate(&specs, "baselines") {
        Ok(_) => Vec::new(),
        Err(e) => e.into_iter().map(|e| (e.path, format!("{}\nhint: {}", e.message, e.hint))).collect(),
    }
}

#[test]
fn every_limit_is_rejected_at_its_path() {
    type Edit = Box<dyn Fn(&mut BaselineSpec)>;
    let cases: Vec<(&str, Edit)> = vec![
        ("approval-rules", Box::new(|s| s.approval_rules = vec![s.approval_rules[0].clone(); 11])),
        ("approval-rules[0].approve-after-days", Box::new(|s| s.approval_rules[0].approve_after_days = Some(361))),
        ("approval-rules[0].approve-after-days", Box::new(|s| s.approval_rules[0].approve_after_days = Some(u32::MAX))),
        ("approval-rules[0]", Box::new(|s| s.approval_rules[0].approve_until_date = Some("2026-01-01".into()))),
        ("approval-rules[0]", Box::new(|s| s.approval_rules[0].approve_after_days = None)),
        (
            "approval-rules[0].approve-until-date",
            Box::new(|s| {
                s.approval_rules[0].approve_after_days = None;
                s.approval_rules[0].approve_until_date = Some("2026-02-30".into());
            }),
        ),
        (
            "approval-rules[0].filters",
            Box::new(|s| {
                for k in [PatchFilterKey::Product, PatchFilterKey::Arch, PatchFilterKey::Name] {
                    s.approval_rules[0].filters.insert(k, vec!["*".into()]);
                }
            }),
        ),
        ("approval-rules[0].filters.CLASSIFICATION", Box::new(|s| fv(s).clear())),
        ("approval-rules[0].filters.CLASSIFICATION", Box::new(|s| *fv(s) = vec!["x".into(); 21])),
        ("approval-rules[0].filters.CLASSIFICATION[1]", Box::new(|s| fv(s)[1] = "x".repeat(65))),
        ("approval-rules[0].filters.CLASSIFICATION[0]", Box::new(|s| fv(s)[0] = String::new())),
        (
            "global-filters",
            Box::new(|s| {
                for k in [PatchFilterKey::Product, PatchFilterKey::Arch, PatchFilterKey::Name, PatchFilterKey::Epoch] {
                    s.global_filters.insert(k, vec!["*".into()]);
                }
                s.global_filters.insert(PatchFilterKey::Version, vec!["*".into()]);
            }),
        ),
        ("global-filters.ARCH", Box::new(|s| _ = s.global_filters.insert(PatchFilterKey::Arch, Vec::new()))),
        ("approved-patches", Box::new(|s| s.approved_patches = vec!["p".into(); 51])),
        ("approved-patches[0]", Box::new(|s| s.approved_patches = vec!["p".repeat(101)])),
        ("approved-patches[0]", Box::new(|s| s.approved_patches = vec![String::new()])),
        ("rejected-patches", Box::new(|s| s.rejected_patches = vec!["p".into(); 51])),
        ("rejected-patches[0]", Box::new(|s| s.rejected_patches[0] = "p".repeat(101))),
        ("sources", Box::new(|s| s.sources = vec![src("repo"); 21])),
        ("sources[0].name", Box::new(|s| s.sources = vec![src("ab")])),
        ("sources[0].name", Box::new(|s| s.sources = vec![src(&"a".repeat(51))])),
        ("sources[0].name", Box::new(|s| s.sources = vec![src("my repo")])),
        ("sources[0].products", Box::new(|s| s.sources = vec![PatchSourceSpec { products: vec![], ..src("repo") }])),
        (
            "sources[0].products",
            Box::new(|s| s.sources = vec![PatchSourceSpec { products: vec!["p".into(); 21], ..src("repo") }]),
        ),
        (
            "sources[0].products[0]",
            Box::new(|s| s.sources = vec![PatchSourceSpec { products: vec!["p".repeat(129)], ..src("repo") }]),
        ),
        (
            "sources[0].configuration",
            Box::new(|s| s.sources = vec![PatchSourceSpec { configuration: String::new(), ..src("repo") }]),
        ),
        (
            "sources[0].configuration",
            Box::new(|s| s.sources = vec![PatchSourceSpec { configuration: "c".repeat(1025), ..src("repo") }]),
        ),
        ("baseline-id", Box::new(|s| s.baseline_id = Some("pb-0123456789abcdef0".into()))),
        (
            "baseline-id",
            Box::new(|s| *s = BaselineSpec { baseline_id: Some("pb-0123 456789abcdef0".into()), ..Default::default() }),
        ),
        ("baseline-id", Box::new(|s| *s = BaselineSpec { baseline_id: Some("pb-0123".into()), ..Default::default() })),
    ];
    for (suffix, edit) in &cases {
        let mut spec = valid();
        edit(&mut spec);
        let errors = errors_of(spec);
        let want = format!("{AL}.{suffix}");
        assert_eq!(errors.len(), 1, "{want}: {errors:#?}");
        assert_eq!(errors[0].0, want, "{errors:#?}");
        assert!(errors[0].1.contains("\nhint: ") && !errors[0].1.ends_with("hint: "), "{errors:#?}");
        let first = errors[0].1.chars().next().expect("message");
        assert!(!first.is_uppercase(), "messages are lowercase phrases: {errors:#?}");
    }
}

fn fv(s: &mut BaselineSpec) -> &mut Vec<String> {
    s.approval_rules[0].filters.get_mut(&PatchFilterKey::Classification).expect("classification")
}

#[test]
fn the_limits_themselves_are_accepted() {
    let mut s = valid();
    s.approval_rules = vec![s.approval_rules[0].clone(); LIMITS.approval_rules.max];
    s.approval_rules[0].approve_after_days = Some(0);
    s.approval_rules[1].approve_after_days = Some(360);
    s.approval_rules[0].filters = PatchFilterKey::ALL[..4].iter().map(|k| (*k, vec!["v".repeat(64); 20])).collect();
    s.global_filters = s.approval_rules[0].filters.clone();
    s.approved_patches = vec!["p".repeat(100); 50];
    s.rejected_patches = vec!["p".into(); 50];
    s.sources = (0..20)
        .map(|i| PatchSourceSpec {
            name: if i == 0 { "abc".into() } else { format!("{i:0>50}") },
            products: vec!["p".repeat(128); 20],
            configuration: "c".repeat(1024),
        })
        .collect();
    assert_eq!(errors_of(s), Vec::new());
    let id = BaselineSpec { baseline_id: Some("pb-0123456789abcdef0".into()), ..Default::default() };
    assert_eq!(errors_of(id), Vec::new());
    let arn = "arn:aws:ssm:us-east-1:123456789012:patchbaseline/pb-0be8c61cde3be63f3";
    let b = Baselines::validate(
        &Specs::from([(
            OperatingSystem::AmazonLinux2,
            BaselineSpec { baseline_id: Some(arn.into()), ..Default::default() },
        )]),
        "baselines",
    )
    .expect("an ARN is a baseline id");
    assert!(matches!(b.get(OperatingSystem::AmazonLinux2), Some(Baseline::Existing(id)) if id.as_str() == arn));
    assert_eq!(b.get(OperatingSystem::Windows), None, "not named: the AWS default");
    assert_eq!(b.render_override(None).expect_err("nothing inline").path, "baselines");
}

#[test]
fn approval_overrides_are_checked_at_their_path() {
    let p = "operations.scan.approval";
    let cases = [
        (ApprovalOverride { approve_after_days: Some(361), ..Default::default() }, format!("{p}.approve-after-days")),
        (
            ApprovalOverride { approve_until_date: Some("30/06/2026".into()), ..Default::default() },
            format!("{p}.approve-until-date"),
        ),
        (
            ApprovalOverride {
                approve_after_days: Some(1),
                approve_until_date: Some("2026-06-30".into()),
                ..Default::default()
            },
            p.to_string(),
        ),
        (ApprovalOverride::default(), p.to_string()),
    ];
    for (a, want) in cases {
        let e = a.validate(p).expect_err("invalid");
        assert_eq!(e.paths(), vec![want.as_str()], "{e}");
    }
    assert_eq!(Approval::after_days(361).expect_err("361").path, "approve-after-days");
    let ok = ApprovalOverride { approve_after_days: Some(360), ..Default::default() }.validate(p).expect("valid");
    assert_eq!(ok, Approval::after_days(360).expect("360"));
}

#[test]
fn errors_read_as_message_location_and_hint() {
    let mut s = valid();
    s.approval_rules[0].approve_after_days = Some(400);
    let specs = Specs::from([(OperatingSystem::AmazonLinux2023, s)]);
    let e = Baselines::validate(&specs, "baselines").expect_err("invalid");
    assert_eq!(
        e.to_string(),
        "approve-after-days 400 is out of range (0-360) (at `baselines.AMAZON_LINUX_2023.approval-rules[0].approve-after-days`)\n\
         hint: AWS allows 0 to 360 days (botocore ssm service model (CreatePatchBaseline / BaselineOverride shapes))"
    );
}

#[test]
fn the_file_shape_uses_aws_spellings_and_rejects_unknowns() {
    assert!(toml::from_str::<Specs>("[AMAZON_LINUX_2023]\nbaseline-id = \"pb-0123456789abcdef0\"").is_ok());
    assert!(toml::from_str::<Specs>("[AmazonLinux2023]\n").is_err(), "AWS spelling only");
    assert!(toml::from_str::<Specs>("[WINDOWS_95]\n").is_err());
    assert!(toml::from_str::<Specs>("[UBUNTU]\napprove-after-days = 3\n").is_err(), "unknown field");
    assert!(toml::from_str::<Specs>("[[UBUNTU.approval-rules]]\napprove-after-days = -1\n").is_err());
    assert!(toml::from_str::<Specs>("[[UBUNTU.approval-rules]]\nfilters = { CLASS = [\"x\"] }\n").is_err());
    for os in OperatingSystem::ALL {
        assert_eq!(os.as_str().parse::<OperatingSystem>(), Ok(os));
        assert_eq!(serde_json::to_value(os).expect("json"), json!(os.as_str()));
    }
    for k in PatchFilterKey::ALL {
        assert_eq!(serde_json::to_value(k).expect("json"), json!(k.as_str()));
    }
    for l in ComplianceLevel::ALL {
        assert_eq!(serde_json::to_value(l).expect("json"), json!(l.as_str()));
    }
}

// --- documents, keys and the file-name rule ---------------------------------------------------

#[test]
fn object_keys_and_urls() {
    let doc = seed().render_override(Some(&Approval::after_days(14).expect("14"))).expect("scan");
    let at = doc.location("patch-bucket", "/ssmpatch/overrides/", "web-fleet", "scan").expect("location");
    assert_eq!(at.key, format!("ssmpatch/overrides/web-fleet/scan/{}.json", doc.sha256));
    assert_eq!(at.url(), format!("s3://patch-bucket/ssmpatch/overrides/web-fleet/scan/{}.json", doc.sha256));
    assert_eq!(doc.object_key("", "web", "scan").expect("no prefix"), format!("web/scan/{}.json", doc.sha256));
    assert_eq!(doc.key("ssmpatch/overrides", "web-fleet", "scan"), at.key, "checked and unchecked keys agree");
    assert_eq!(
        override_key("o", "p", "install", &doc.sha256).expect("key"),
        format!("o/p/install/{}.json", doc.sha256)
    );
    assert_eq!(plan_prefix("o/", "p").expect("prefix"), "o/p");
}

#[test]
fn forbidden_file_name_characters_are_rejected_with_their_place() {
    let doc = seed().render_override(None).expect("render");
    for c in FORBIDDEN_FILE_NAME_CHARS {
        let bad = format!("we{c}b");
        let e = doc.object_key("o", &bad, "scan").expect_err("plan name");
        assert_eq!(e.path, "name");
        assert!(e.message.contains(&format!("`{c}`")) && e.message.contains("forbids"), "{e}");
        assert!(e.hint.contains("patch-manager-baselineoverride-parameter"), "{e}");

        let e = doc.object_key("o", "web", &bad).expect_err("operation name");
        assert_eq!(e.path, format!("operations.{bad}"));
        assert!(e.message.contains(&format!("`{c}`")), "{e}");

        let e = doc.object_key(&format!("ssm{c}patch"), "web", "scan").expect_err("prefix");
        assert_eq!(e.path, "s3.override-prefix");
    }
    for bad in ["", ".", "..", "a/b", "a\nb"] {
        assert_eq!(doc.object_key("o", "web", bad).expect_err(bad).path, format!("operations.{bad}"));
        assert_eq!(doc.object_key("o", bad, "scan").expect_err(bad).path, "name");
    }
    assert!(doc.object_key("a//b", "web", "scan").is_err());
    assert!(doc.object_key("a/../b", "web", "scan").is_err());
    let long = "p".repeat(1000);
    assert_eq!(doc.object_key(&long, "web", "scan").expect_err("too long").path, "s3.override-prefix");
}

#[test]
fn a_document_has_at_most_one_element_per_os_and_at_least_one() {
    let r = seed().effective_rules(None);
    let twice = OverrideDocument::from_rules(r.iter().cloned().chain(r.iter().cloned())).expect_err("duplicate");
    assert!(twice.message.contains("AMAZON_LINUX_2023"), "{twice}");
    assert!(OverrideDocument::from_rules(Vec::new()).is_err());
    // Element order does not depend on input order.
    let a = PatchBaselineRules::empty(OperatingSystem::Ubuntu);
    let b = PatchBaselineRules::empty(OperatingSystem::AlmaLinux);
    assert_eq!(
        OverrideDocument::from_rules([a.clone(), b.clone()]).expect("doc"),
        OverrideDocument::from_rules([b, a]).expect("doc")
    );
}

// --- Create/UpdatePatchBaseline inputs and drift -----------------------------------------------

#[test]
fn create_and_update_inputs_carry_the_same_rules() {
    let rules = seed().effective_rules(Some(&Approval::after_days(21).expect("21"))).remove(0);
    let create = rules.create_input(
        "ssmpatch-web-amazon-linux-2023",
        Some("ssmpatch web".into()),
        BTreeMap::from([("ssmpatch:plan".to_string(), "web".to_string())]),
    );
    let v = create.to_request_json();
    assert_eq!(v["Name"], "ssmpatch-web-amazon-linux-2023");
    assert_eq!(v["OperatingSystem"], "AMAZON_LINUX_2023");
    assert_eq!(v["ApprovalRules"]["PatchRules"][0]["ApproveAfterDays"], 21);
    assert_eq!(v["Tags"], json!([{"Key": "ssmpatch:plan", "Value": "web"}]));
    assert!(keys_sorted(&v));

    let update = rules.update_input("pb-0123456789abcdef0", "ssmpatch-web-amazon-linux-2023", None).to_request_json();
    assert_eq!(update.get("OperatingSystem"), None, "the OS cannot change");
    assert_eq!(update["Replace"], true);
    assert_eq!(update["BaselineId"], "pb-0123456789abcdef0");
    assert_eq!(update["ApprovalRules"], v["ApprovalRules"]);
}

#[test]
fn a_get_patch_baseline_response_compares_equal_when_only_order_differs() {
    let desired = seed().effective_rules(Some(&Approval::after_days(21).expect("21"))).remove(0);
    // What GetPatchBaseline returns: identity and dates besides the rules, values reordered.
    let observed: PatchBaselineRules = serde_json::from_value(json!({
        "BaselineId": "pb-0123456789abcdef0",
        "Name": "ssmpatch-web-amazon-linux-2023",
        "OperatingSystem": "AMAZON_LINUX_2023",
        "GlobalFilters": {"PatchFilters": []},
        "ApprovalRules": {"PatchRules": [{
            "PatchFilterGroup": {"PatchFilters": [
                {"Key": "SEVERITY", "Values": ["Medium", "Important", "Critical"]},
                {"Key": "CLASSIFICATION", "Values": ["Bugfix", "Security"]}
            ]},
            "ComplianceLevel": "HIGH", "ApproveAfterDays": 21, "EnableNonSecurity": false
        }]},
        "ApprovedPatches": [], "ApprovedPatchesComplianceLevel": "UNSPECIFIED",
        "ApprovedPatchesEnableNonSecurity": false,
        "RejectedPatches": ["kernel-livepatch*"], "RejectedPatchesAction": "BLOCK",
        "PatchGroups": ["web"], "CreatedDate": "2026-01-01T00:00:00Z", "ModifiedDate": "2026-01-01T00:00:00Z",
        "Description": "ssmpatch web", "Sources": []
    }))
    .expect("GetPatchBaseline shape");
    assert_ne!(observed, desired, "different order");
    assert!(observed.same_rules_as(&desired));

    let mut drifted = observed.clone();
    drifted.approval_rules[0].approve_after_days = Some(7);
    assert!(!drifted.same_rules_as(&desired));
    // Missing optional fields take AWS's defaults.
    let minimal: PatchBaselineRules = serde_json::from_value(json!({"OperatingSystem": "WINDOWS"})).expect("minimal");
    assert_eq!(minimal, PatchBaselineRules::empty(OperatingSystem::Windows));
}

// --- publishing ---------------------------------------------------------------------------------

fn object_for(doc: &OverrideDocument, operation: &str) -> OverrideObject {
    let at = doc.location("bucket", "o", "web", operation).expect("location");
    OverrideObject { bucket: at.bucket, key: at.key, bytes: doc.bytes.clone() }
}

fn docs() -> (OverrideObject, OverrideObject) {
    let b = seed();
    let scan = b.render_override(Some(&Approval::after_days(14).expect("14"))).expect("scan");
    let install = b.render_override(Some(&Approval::after_days(21).expect("21"))).expect("install");
    (object_for(&scan, "scan"), object_for(&install, "install"))
}

#[tokio::test]
async fn publish_uploads_encrypted_once_and_never_overwrites() {
    let store = MemoryStore::owned_by("123456789012");
    let (scan, install) = docs();
    let kms = PutSettings::new(Some("alias/ssmpatch".into()), Some("123456789012".into()));
    let report = publish(&store, &[scan.clone(), install.clone(), scan.clone()], &kms).await.expect("publish");
    assert_eq!(report.uploaded, vec![scan.key.clone(), install.key.clone()]);
    assert!(report.kept.is_empty());
    let stored = store.object("bucket", &scan.key).expect("stored");
    assert_eq!(stored.bytes, scan.bytes);
    assert_eq!(stored.server_side_encryption, "aws:kms");
    assert_eq!(stored.kms_key_id.as_deref(), Some("alias/ssmpatch"));
    assert_eq!(stored.content_type, "application/json");
    assert_eq!(stored.metadata.get("sha256"), Some(&sha256(&scan.bytes)));

    let calls = store.calls().len();
    let again = publish(&store, &[scan.clone(), install.clone()], &PutSettings::new(None, None)).await.expect("again");
    assert_eq!(again.kept, vec![scan.key.clone(), install.key.clone()]);
    assert!(again.uploaded.is_empty());
    // Conditional PUTs that S3 refuses (If-None-Match: *), then a HEAD to compare: nothing rewritten.
    let later = &store.calls()[calls..];
    assert!(later.iter().all(|c| c.starts_with("HeadObject") || c.starts_with("PutObject")), "{later:?}");
    assert_eq!(store.object("bucket", &scan.key).expect("kept").bytes, scan.bytes);
    assert_eq!(store.object("bucket", &scan.key).expect("kept").server_side_encryption, "aws:kms", "not rewritten");

    let sse_s3 = MemoryStore::new();
    publish(&sse_s3, std::slice::from_ref(&scan), &PutSettings::new(None, None)).await.expect("publish");
    assert_eq!(sse_s3.object("bucket", &scan.key).expect("stored").server_side_encryption, "AES256");
}

#[tokio::test]
async fn publish_refuses_other_content_a_foreign_bucket_and_unaddressed_keys() {
    let (scan, _) = docs();
    let store = MemoryStore::new();
    store.insert("bucket", &scan.key, b"[] not the same");
    let e = publish(&store, std::slice::from_ref(&scan), &PutSettings::new(None, None)).await.expect_err("conflict");
    assert!(matches!(&e, PublishError::Conflict { key, .. } if *key == scan.key), "{e}");
    assert!(e.hint().is_some_and(|h| h.contains("never overwritten")), "{e}");
    assert!(!e.to_string().contains("hint:"), "the hint is not part of the message: {e}");
    assert_eq!(store.object("bucket", &scan.key).expect("kept").bytes, b"[] not the same");

    // Same size but a different recorded hash: a conflict too.
    let tampered = MemoryStore::new();
    let settings = PutSettings::new(None, None);
    let other_bytes = vec![b' '; scan.bytes.len()];
    let put = PutRequest {
        bucket: "bucket",
        key: &scan.key,
        body: &other_bytes,
        content_type: "application/json",
        metadata: BTreeMap::from([("sha256".to_string(), sha256(&other_bytes))]),
        settings: &settings,
    };
    assert_eq!(tampered.put_if_absent(&put).await.expect("seeded"), PutOutcome::Created);
    let e = publish(&tampered, std::slice::from_ref(&scan), &settings).await.expect_err("hash differs");
    assert!(matches!(&e, PublishError::Conflict { found, .. } if found.contains(&sha256(&other_bytes))), "{e}");

    // Same size, no metadata (an older writer): kept, as content addressing promises.
    let older = MemoryStore::new();
    older.insert("bucket", &scan.key, &scan.bytes);
    let r = publish(&older, std::slice::from_ref(&scan), &PutSettings::new(None, None)).await.expect("kept");
    assert_eq!(r.kept, vec![scan.key.clone()]);

    let foreign = MemoryStore::owned_by("999999999999");
    let e = publish(&foreign, std::slice::from_ref(&scan), &PutSettings::new(None, Some("123456789012".into())))
        .await
        .expect_err("owner");
    assert!(matches!(&e, PublishError::Store(StoreError { code: Some(c), .. }) if c == "AccessDenied"), "{e}");
    assert!(foreign.keys("bucket").is_empty());

    let renamed = OverrideObject { key: "o/web/scan/latest.json".into(), ..scan };
    let e = publish(&MemoryStore::new(), &[renamed], &PutSettings::new(None, None)).await.expect_err("not addressed");
    assert!(matches!(e, PublishError::NotContentAddressed { .. }), "{e}");
}

/// A store where another writer puts the object between our HEAD and PUT.
#[derive(Debug)]
struct Racing {
    inner: MemoryStore,
    other: Vec<u8>,
}

#[async_trait::async_trait]
impl ObjectStore for Racing {
    async fn head(&self, b: &str, k: &str, o: Option<&str>) -> Result<Option<ObjectMeta>, StoreError> {
        self.inner.head(b, k, o).await
    }

    async fn put_if_absent(&self, r: &PutRequest<'_>) -> Result<PutOutcome, StoreError> {
        if self.inner.object(r.bucket, r.key).is_none() {
            self.inner.insert(r.bucket, r.key, &self.other);
        }
        self.inner.put_if_absent(r).await
    }

    async fn list(&self, b: &str, p: &str, o: Option<&str>) -> Result<Vec<String>, StoreError> {
        self.inner.list(b, p, o).await
    }

    async fn delete(&self, b: &str, k: &str, o: Option<&str>) -> Result<(), StoreError> {
        self.inner.delete(b, k, o).await
    }
}

#[tokio::test]
async fn a_racing_writer_is_checked_not_overwritten() {
    let (scan, _) = docs();
    let same = Racing { inner: MemoryStore::new(), other: scan.bytes.clone() };
    let r = publish(&same, std::slice::from_ref(&scan), &PutSettings::new(None, None)).await.expect("same bytes");
    assert_eq!(r.kept, vec![scan.key.clone()]);

    let different = Racing { inner: MemoryStore::new(), other: b"[]".to_vec() };
    let e = publish(&different, std::slice::from_ref(&scan), &PutSettings::new(None, None)).await.expect_err("other");
    assert!(matches!(e, PublishError::Conflict { .. }), "{e}");
    assert_eq!(different.inner.object("bucket", &scan.key).expect("theirs").bytes, b"[]");
}

#[tokio::test]
async fn garbage_spares_live_references_other_plans_and_foreign_objects() {
    let (scan, install) = docs();
    let store = MemoryStore::new();
    let settings = PutSettings::new(None, None);
    publish(&store, &[scan.clone(), install.clone()], &settings).await.expect("publish");
    let old = format!("o/web/scan/{}.json", "0".repeat(64));
    let live_old = format!("o/web/install/{}.json", "1".repeat(64));
    let other_plan = format!("o/web2/scan/{}.json", "2".repeat(64));
    let foreign = "o/web/scan/notes.json".to_string();
    for k in [&old, &live_old, &other_plan, &foreign] {
        store.insert("bucket", k, b"x");
    }
    // Live: the new scan and install documents, and an old install a running task still uses.
    let keep: BTreeSet<String> = [scan.key.clone(), install.key.clone(), live_old.clone()].into();
    let prefix = plan_prefix("o", "web").expect("prefix");
    let all = store.keys("bucket");
    assert_eq!(garbage(&prefix, all.iter().map(String::as_str), &keep), vec![old.clone()]);

    let deleted = collect_garbage(&store, "bucket", &prefix, &keep, None).await.expect("collect");
    assert_eq!(deleted, vec![old.clone()]);
    let left: BTreeSet<String> = store.keys("bucket").into_iter().collect();
    assert_eq!(left, [scan.key, install.key, live_old, other_plan, foreign].into_iter().collect::<BTreeSet<_>>());
    assert!(collect_garbage(&store, "bucket", "", &BTreeSet::new(), None).await.expect("empty prefix").is_empty());
    assert_eq!(store.keys("bucket").len(), 5, "an empty prefix deletes nothing");
}
