//! Properties of the schedule compiler and the override renderer.

use std::collections::BTreeMap;

use jiff::civil::{self, Weekday};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use proptest::prelude::*;
use ssmpatch::baseline::{
    ApprovalOverride, ApprovalRuleSpec, BaselineSpec, ComplianceLevel, OperatingSystem, PatchFilterKey, render_override,
};
use ssmpatch::plan::{CalendarRule, Nth, Recurrence};
use ssmpatch::plan::{CompileOptions, Compiled, Intent, compile};
use ssmpatch::schedule::Backend;

const ZONES: [&str; 6] = ["UTC", "Asia/Tokyo", "Asia/Kolkata", "Europe/Berlin", "America/New_York", "Australia/Sydney"];

fn weekday() -> impl Strategy<Value = Weekday> {
    (0i8..7).prop_map(|d| Weekday::Monday.wrapping_add(d))
}

fn rule() -> impl Strategy<Value = CalendarRule> {
    let recurrence = prop_oneof![
        Just(Recurrence::Daily),
        weekday().prop_map(Recurrence::Weekly),
        (0usize..5, weekday()).prop_map(|(n, w)| Recurrence::Monthly { nth: Nth::ALL[n], weekday: w }),
    ];
    (recurrence, -14i32..=20, 0i8..24, prop_oneof![Just(0i8), Just(30i8), 0i8..60]).prop_map(|(r, shift, h, m)| {
        let shift = if matches!(r, Recurrence::Daily) { 0 } else { shift };
        CalendarRule { recurrence: r, shift_days: shift, time: civil::time(h, m, 0, 0) }
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    /// Where the compiler reports a form exact, it yields the rule's occurrences over ten years —
    /// checked here again from a different start, independently of the compiler's own check.
    #[test]
    fn exact_forms_match_the_rule_for_ten_years(r in rule(), zone in 0usize..ZONES.len(), b in 0usize..3, start_days in 0i64..400) {
        let name = ZONES[zone];
        let tz = TimeZone::get(name).expect("zone");
        let intent = Intent::from_rule(r, name, tz);
        let from: Timestamp = "2026-01-01T00:00:00Z".parse().expect("ts");
        let backend = Backend::ALL[b];
        let compiled = compile(&intent, backend, &CompileOptions::from(from));
        if let Compiled::Exact { native } = &compiled {
            let start = from.checked_add((start_days * 24).hours()).expect("start");
            let until = start.to_zoned(TimeZone::UTC).checked_add(10.years()).expect("until").timestamp();
            prop_assert_eq!(native.occurrences(start, until), intent.occurrences(start, until), "{:?} on {}", native, backend);
            if backend != Backend::MaintenanceWindow {
                prop_assert_eq!(native.time_zone.as_str(), "UTC");
            }
            if backend == Backend::PatchPolicy {
                prop_assert_eq!(native.offset_days, None);
            }
            // Every cron association waits for its schedule (nothing runs at apply).
            prop_assert_eq!(
                native.apply_only_at_cron_interval,
                backend == Backend::Association && native.expression.starts_with("cron(")
            );
        }
        // A window can always run a rule with runs: exactly, or through one-shot windows.
        if backend == Backend::MaintenanceWindow {
            prop_assert!(compiled.runs_exactly(), "{:?}", compiled);
        }
    }
}

fn filter_values() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec("[A-Za-z][A-Za-z0-9*]{0,10}", 1..4)
}

fn baseline() -> impl Strategy<Value = BaselineSpec> {
    let rule = (
        0u32..=360,
        prop::option::of(0usize..6),
        any::<bool>(),
        prop::collection::btree_map(0usize..3, filter_values(), 0..3),
    )
        .prop_map(|(days, level, non_sec, filters)| ApprovalRuleSpec {
            approve_after_days: Some(days),
            approve_until_date: None,
            compliance_level: level.map(|l| {
                [
                    ComplianceLevel::Critical,
                    ComplianceLevel::High,
                    ComplianceLevel::Medium,
                    ComplianceLevel::Low,
                    ComplianceLevel::Informational,
                    ComplianceLevel::Unspecified,
                ][l]
            }),
            enable_non_security: Some(non_sec),
            filters: filters
                .into_iter()
                .map(|(k, v)| {
                    ([PatchFilterKey::Classification, PatchFilterKey::Severity, PatchFilterKey::Product][k], v)
                })
                .collect(),
        });
    (prop::collection::vec(rule, 1..4), prop::collection::vec("[a-z][a-z0-9.*-]{0,20}", 0..4)).prop_map(
        |(rules, rejected)| BaselineSpec { approval_rules: rules, rejected_patches: rejected, ..Default::default() },
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    /// Rendering is deterministic, round-trips through serde (TOML and JSON), and the override's
    /// approval reaches every rule.
    #[test]
    fn override_rendering_is_deterministic_and_round_trips(a in baseline(), b in baseline(), days in 0u32..=360) {
        let baselines: BTreeMap<OperatingSystem, BaselineSpec> =
            BTreeMap::from([(OperatingSystem::Ubuntu, a), (OperatingSystem::AmazonLinux2023, b)]);
        let approval = ApprovalOverride { approve_after_days: Some(days), ..Default::default() };
        let one = render_override(&baselines, Some(&approval));
        let two = render_override(&baselines, Some(&approval));
        prop_assert_eq!(&one, &two);

        let toml_text = toml::to_string(&baselines).expect("toml");
        let back: BTreeMap<OperatingSystem, BaselineSpec> = toml::from_str(&toml_text).expect("parse back");
        prop_assert_eq!(&back, &baselines);
        let json_text = serde_json::to_string(&baselines).expect("json");
        let back: BTreeMap<OperatingSystem, BaselineSpec> = serde_json::from_str(&json_text).expect("parse back");
        prop_assert_eq!(render_override(&back, Some(&approval)), one.clone());

        let doc: serde_json::Value = serde_json::from_slice(&one.bytes).expect("json array");
        let items = doc.as_array().expect("array");
        prop_assert_eq!(items.len(), 2);
        prop_assert_eq!(&items[0]["OperatingSystem"], "AMAZON_LINUX_2023");
        for item in items {
            for rule in item["ApprovalRules"]["PatchRules"].as_array().expect("rules") {
                prop_assert_eq!(&rule["ApproveAfterDays"], &serde_json::json!(days));
            }
        }
    }
}
