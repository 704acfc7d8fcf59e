//! AWS's length, count and pattern limits and the account quotas, checked offline: a plan that
//! `validate` accepts never stops half-applied. Each class the reliability trial found (issue 16)
//! is pinned here, with the error located in the file; and for accepted plans at the limits,
//! every resource the backend would create is checked against the same limits (with the `aws`
//! feature, whose backends build them).

#![cfg(feature = "aws")]

use jiff::Timestamp;
use ssmpatch::backends::{Desired, definition};
use ssmpatch::plan::limits::{
    MAX_TAGS_PER_RESOURCE, NAME_MAX, OWNERSHIP_TAGS, QUICK_SETUP_NAME_MAX, baseline_name_len, one_shot_name_len,
    operation_name_len, patch_policy_name_len,
};
use ssmpatch::plan::{Additions, CompileOptions, Explanation, Plan, PlanError, PlanErrors, Source};
use ssmpatch::schedule::Backend;

fn from() -> CompileOptions {
    CompileOptions::from("2026-06-01T00:00:00Z".parse::<Timestamp>().expect("ts"))
}

/// Validation and explanation, as `ssmpatch validate` runs them.
fn check(text: &str) -> Result<(Plan, Explanation), Vec<PlanError>> {
    let plan = Plan::from_source(Source::new(Some("plan.toml"), text)).map_err(|PlanErrors(e)| e)?;
    let ex = plan.explain(&from()).map_err(|e| vec![e])?;
    Ok((plan, ex))
}

fn rejected(text: &str) -> Vec<PlanError> {
    match check(text) {
        Ok((_, ex)) => panic!("plan accepted on {}:\n{text}", ex.backend.as_str()),
        Err(e) => e,
    }
}

fn accepted(text: &str) -> (Plan, Explanation) {
    check(text).unwrap_or_else(|e| panic!("plan rejected: {}\n{text}", PlanErrors(e)))
}

/// The one error at `path`, located at `line` (a column too).
fn one_at<'a>(errors: &'a [PlanError], path: &str, line: u32) -> &'a PlanError {
    let e = errors.iter().find(|e| e.path == path).unwrap_or_else(|| panic!("no error at `{path}`: {errors:#?}"));
    assert_eq!(e.line, Some(line), "{e}");
    assert!(e.column.is_some(), "{e}");
    e
}

fn plan(name: &str, backend: &str, tail: &str) -> String {
    format!(
        "version = 1\nname = \"{name}\"\nbackend = \"{backend}\"\ntargets = {{ tags = {{ \"Patch Group\" = \"web\" }} }}\n{tail}"
    )
}

const INSTALL: &str = "[operations.install]\nkind = \"install\"\nschedule = \"cron(0 2 ? * SUN *)\"\n";
/// The seed case: a scan 7 days before the last Sunday, which maintenance windows run as one-shot
/// windows (no cron names it).
const ONE_SHOT: &str = "[operations.install]\nkind = \"install\"\nschedule = \"last sunday at 03:00\"\n\
                        [operations.scan]\nkind = \"scan\"\nschedule = \"7 days before install\"\n";
const RHEL: &str = "[[baselines.REDHAT_ENTERPRISE_LINUX.approval-rules]]\napprove-after-days = 7\n";

/// Every resource the chosen backend would create, checked against AWS's limits.
fn desired_within_limits(plan: &Plan, ex: &Explanation) -> Vec<Desired> {
    let desired = definition(ex.backend).desired(plan, ex, &Additions::default());
    for d in &desired {
        for field in ["Name", "AssociationName"] {
            if let Some(n) = d.spec.get(field).and_then(|v| v.as_str()) {
                let max = if d.key.kind.as_str().contains("patch-policy") { QUICK_SETUP_NAME_MAX } else { NAME_MAX };
                assert!((3..=max).contains(&n.len()), "{field} `{n}` is {} characters", n.len());
                assert!(n.chars().all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c)), "{field} `{n}`");
            }
        }
        if let Some(tags) = d.spec.get("Tags").and_then(|v| v.as_object()) {
            assert!(tags.len() <= MAX_TAGS_PER_RESOURCE, "{} tags on {:?}", tags.len(), d.key);
        }
    }
    desired
}

#[test]
fn derived_name_lengths_match_the_names_backends_build() {
    assert_eq!(operation_name_len("p", "install"), ssmpatch::backends::operation_resource_name("p", "install").len());
    // The names the backends really create, against the lengths computed in plan::limits.
    let (p, ex) = accepted(&plan("web", "maintenance-window", &format!("{ONE_SHOT}{RHEL}")));
    let desired = desired_within_limits(&p, &ex);
    let names: Vec<&str> = desired.iter().filter_map(|d| d.spec.get("Name").and_then(|v| v.as_str())).collect();
    let one_shot = names.iter().find(|n| n.contains("-at-")).expect("a one-shot window");
    assert_eq!(one_shot.len(), one_shot_name_len("web", "scan"), "{one_shot}");
    let baseline = names.iter().find(|n| n.ends_with("redhat-enterprise-linux")).expect("the custom baseline");
    assert_eq!(
        baseline.len(),
        baseline_name_len("web", ssmpatch::baseline::OperatingSystem::RedhatEnterpriseLinux),
        "{baseline}"
    );
    let (p, ex) = accepted(&plan("web", "patch-policy", INSTALL));
    let desired = desired_within_limits(&p, &ex);
    let policy = desired.iter().find(|d| d.key.name.starts_with("ssmpatch-web")).expect("the policy");
    assert_eq!(policy.key.name.len(), patch_policy_name_len("web"));
    // The ownership tags counted against the 50 are the ones put on every resource.
    let tags = desired.iter().find_map(|d| d.spec.get("Tags").and_then(|v| v.as_object())).expect("tags");
    assert_eq!(tags.len(), OWNERSHIP_TAGS, "{tags:?}");
}

#[test]
fn a_plan_name_too_long_for_a_derived_name_is_refused_at_the_name() {
    // ssmpatch-<95>-redhat-enterprise-linux is 128 characters: accepted, and every name fits.
    let (p, ex) = accepted(&plan(&"p".repeat(95), "association", &format!("{INSTALL}{RHEL}")));
    desired_within_limits(&p, &ex);
    // 96 makes the baseline name 129: refused before anything is created (the trial's ~95).
    let errors = rejected(&plan(&"p".repeat(96), "association", &format!("{INSTALL}{RHEL}")));
    let e = one_at(&errors, "name", 2);
    assert!(e.message.contains("129") && e.message.contains("CreatePatchBaseline"), "{e}");
    // A window name: ssmpatch-<plan>-install.
    let errors = rejected(&plan(&"p".repeat(112), "maintenance-window", INSTALL));
    let e = one_at(&errors, "operations.install", 5);
    assert!(e.message.contains("129") && e.message.contains("CreateMaintenanceWindow"), "{e}");
    // A one-shot window's name is 17 characters longer: ssmpatch-<97>-scan-at-… is 128.
    let (p, ex) = accepted(&plan(&"p".repeat(97), "maintenance-window", ONE_SHOT));
    desired_within_limits(&p, &ex);
    let errors = rejected(&plan(&"p".repeat(98), "maintenance-window", ONE_SHOT));
    let e = one_at(&errors, "operations.scan", 8);
    assert!(e.message.contains("one-shot") && e.message.contains("129"), "{e}");
    // An association's name.
    let errors = rejected(&plan(&"p".repeat(112), "association", INSTALL));
    assert!(one_at(&errors, "operations.install", 5).message.contains("CreateAssociation"), "{errors:#?}");
    // A patch policy's name (Quick Setup allows 120): auto moves on to associations.
    let errors = rejected(&plan(&"p".repeat(112), "patch-policy", INSTALL));
    assert!(one_at(&errors, "name", 2).message.contains("CreateConfigurationManager"), "{errors:#?}");
    let (p, ex) = accepted(&plan(&"p".repeat(112), "auto", &INSTALL.replace("install]", "ins]")));
    assert_eq!(ex.backend, Backend::Association);
    assert!(ex.rejected.iter().any(|r| r.reasons.iter().any(|x| x.contains("CreateConfigurationManager"))), "{ex:#?}");
    desired_within_limits(&p, &ex);
}

#[test]
fn an_operation_name_too_short_for_a_window_task_is_refused_on_maintenance_windows() {
    let op = "[operations.in]\nkind = \"install\"\nschedule = \"cron(0 2 ? * SUN *)\"\n";
    let errors = rejected(&plan("web", "maintenance-window", op));
    let e = one_at(&errors, "operations.in", 5);
    assert!(e.message.contains("RegisterTaskWithMaintenanceWindow") && e.message.contains("3-128"), "{e}");
    // On associations the operation's name is only part of `ssmpatch-web-in`: fine.
    let (p, ex) = accepted(&plan("web", "association", op));
    desired_within_limits(&p, &ex);
}

fn with_target_tags(n: usize, values: usize) -> String {
    let vals: Vec<String> = (0..values).map(|i| format!("\"v{i}\"")).collect();
    let tags: Vec<String> = (0..n).map(|i| format!("\"k{i}\" = [{}]", vals.join(", "))).collect();
    format!(
        "version = 1\nname = \"web\"\nbackend = \"maintenance-window\"\ntargets = {{ tags = {{ {} }} }}\n{INSTALL}",
        tags.join(", ")
    )
}

#[test]
fn targets_hold_at_most_five_keys_of_fifty_values() {
    let (p, ex) = accepted(&with_target_tags(5, 50));
    desired_within_limits(&p, &ex);
    let errors = rejected(&with_target_tags(6, 1));
    assert!(one_at(&errors, "targets.tags", 4).message.contains("6 tag keys"), "{errors:#?}");
    let errors = rejected(&with_target_tags(1, 51));
    assert!(one_at(&errors, "targets.tags.k0", 4).message.contains("51 values"), "{errors:#?}");
    // An association holds every selector in one list: 5 tag keys and node ids make 6.
    let text = with_target_tags(5, 1)
        .replace("backend = \"maintenance-window\"", "backend = \"association\"")
        .replace(" } }\n", " }, instance-ids = [\"i-0123456789abcdef0\"] }\n");
    let errors = rejected(&text);
    assert!(one_at(&errors, "targets", 4).message.contains("6 entries"), "{errors:#?}");
    // A target key may not hold `+` (Target Key pattern), though a tag key may.
    let errors = rejected(&plan("web", "auto", INSTALL).replace("\"Patch Group\"", "\"a+b\""));
    one_at(&errors, "targets.tags.a+b", 4);
}

fn with_plan_tags(n: usize) -> String {
    let tags: Vec<String> = (0..n).map(|i| format!("t{i} = \"v\"")).collect();
    plan("web", "association", &format!("tags = {{ {} }}\n{INSTALL}", tags.join(", ")))
}

#[test]
fn plan_tags_leave_room_for_the_ownership_tags() {
    let (p, ex) = accepted(&with_plan_tags(MAX_TAGS_PER_RESOURCE - OWNERSHIP_TAGS));
    desired_within_limits(&p, &ex);
    let errors = rejected(&with_plan_tags(49));
    let e = one_at(&errors, "tags", 5);
    assert!(e.message.contains("make 51") && e.message.contains("TooManyTagsError"), "{e}");
    let errors = rejected(&with_plan_tags(51));
    one_at(&errors, "tags", 5);
    // Keys AWS or ssmpatch reserve, and characters outside the tag pattern.
    for (k, v) in [("\"aws:x\"", "\"v\""), ("\"ssmpatch:plan\"", "\"v\""), ("\"a,b\"", "\"v\""), ("ok", "\"a*b\"")] {
        let text = plan("web", "association", &format!("tags = {{ {k} = {v} }}\n{INSTALL}"));
        let errors = rejected(&text);
        assert!(errors.iter().any(|e| e.path.starts_with("tags.") && e.line == Some(5)), "{k}: {errors:#?}");
    }
}

fn operations(n: usize) -> String {
    (0..n)
        .map(|i| {
            format!("[operations.op{i:03}]\nkind = \"scan\"\nschedule = \"cron({} {} ? * SUN *)\"\n", i % 60, i / 60)
        })
        .collect()
}

#[test]
fn a_plan_needing_more_windows_than_the_quota_is_refused() {
    // The trial: 200 operations made 50 empty windows before the quota stopped apply.
    let errors = rejected(&plan("web", "maintenance-window", &operations(200)));
    let e = one_at(&errors, "operations", 5);
    assert!(e.message.contains("200 maintenance windows") && e.message.contains("quota of 50"), "{e}");
    assert!(e.message.contains("[quotas] maintenance-windows"), "{e}");
    let (p, ex) = accepted(&plan("web", "maintenance-window", &operations(50)));
    assert_eq!(desired_within_limits(&p, &ex).iter().filter(|d| d.spec.get("Schedule").is_some()).count(), 50);
    // The account's own quota, where it was raised.
    let (p, _) = accepted(&plan(
        "web",
        "maintenance-window",
        &format!("[quotas]\nmaintenance-windows = 200\n{}", operations(200)),
    ));
    assert_eq!(p.quotas.maintenance_windows, 200);
    // Lowered: one window too many.
    let errors =
        rejected(&plan("web", "maintenance-window", &format!("[quotas]\nmaintenance-windows = 1\n{}", operations(2))));
    assert!(
        one_at(&errors, "operations", 7).message.contains("`[quotas] maintenance-windows`; AWS's default is 50"),
        "{errors:#?}"
    );
    // Associations have their own quota.
    let errors = rejected(&plan("web", "association", &format!("[quotas]\nassociations = 3\n{}", operations(4))));
    assert!(one_at(&errors, "operations", 7).message.contains("4 associations"), "{errors:#?}");
    // And custom baselines theirs.
    let errors = rejected(&plan("web", "association", &format!("[quotas]\npatch-baselines = 0\n{INSTALL}{RHEL}")));
    one_at(&errors, "baselines", 10);
}

#[test]
fn errors_inside_arrays_of_tables_are_located() {
    let text = plan(
        "web",
        "association",
        &format!(
            "{INSTALL}[[baselines.UBUNTU.approval-rules]]\napprove-after-days = 7\n\n\
             [[baselines.UBUNTU.approval-rules]]\napprove-after-days = 700\n"
        ),
    );
    let errors = rejected(&text);
    let e = one_at(&errors, "baselines.UBUNTU.approval-rules[1].approve-after-days", 12);
    assert_eq!(e.column, Some(22), "{e}");
    // The same plan in JSON.
    let json = r#"{"version": 1, "name": "web", "targets": {"tags": {"Patch Group": "web"}},
  "baselines": {"UBUNTU": {"approval-rules": [{"approve-after-days": 7},
    {"approve-after-days": 700}]}},
  "operations": {"install": {"kind": "install", "schedule": "cron(0 2 ? * SUN *)"}}}"#;
    let errors = match Plan::from_source(Source::new(Some("plan.json"), json)) {
        Ok(_) => panic!("accepted"),
        Err(PlanErrors(e)) => e,
    };
    let e = one_at(&errors, "baselines.UBUNTU.approval-rules[1].approve-after-days", 3);
    assert_eq!(e.column, Some(28), "{e}");
}

#[test]
fn a_wrong_value_type_says_which_forms_are_accepted() {
    let errors = rejected(&plan("web", "auto", INSTALL).replace("\"Patch Group\" = \"web\"", "\"Patch Group\" = 5"));
    let e = &errors[0];
    assert!(!e.message.contains("untagged"), "{e}");
    assert!(e.message.contains("a string") && e.message.contains("a list of strings"), "{e}");
    assert_eq!((e.line, e.column), (Some(4), Some(38)), "{e}");
    let text =
        plan("web", "auto", &format!("{INSTALL}[compliance]\nstrategy = \"rescan\"\nsettings = {{ x = [1] }}\n"));
    let errors = rejected(&text);
    assert!(!errors[0].message.contains("untagged"), "{}", errors[0]);
    assert!(errors[0].message.contains("a string, an integer, a number or a boolean"), "{}", errors[0]);
    assert!(errors[0].line.is_some(), "{}", errors[0]);
}

#[test]
fn days_before_a_rate_operation_is_refused() {
    // A rate() has no fixed start: anchored on "now", each apply would move (and replace) the
    // relative operation's one-shot windows.
    let text = plan(
        "web",
        "auto",
        "[operations.install]\nkind = \"install\"\nschedule = \"rate(14 days)\"\n\
         [operations.scan]\nkind = \"scan\"\nschedule = \"2 days before install\"\n",
    );
    let errors = rejected(&text);
    let e = one_at(&errors, "operations.scan.schedule", 10);
    assert!(e.message.contains("rate()") && e.message.contains("no fixed"), "{e}");
    assert!(e.hint.as_deref().is_some_and(|h| h.contains("calendar rule or cron")), "{e}");
    // After a cron it is fine.
    accepted(&text.replace("rate(14 days)", "cron(0 2 ? * SUN *)"));
}

#[test]
fn a_patch_policys_tags_are_ascii_as_quick_setup_takes_them() {
    let text = |tag: &str| {
        format!(
            "version = 1\nname = \"qs-tags\"\nregion = \"us-east-1\"\nbackend = \"patch-policy\"\ntags = {{ team = \"{tag}\" }}\n\
             [targets]\ntags = {{ \"Patch Group\" = \"web\" }}\n[operations.install]\nkind = \"install\"\n\
             schedule = \"every sunday at 02:00\"\n"
        )
    };
    let opts = ssmpatch::plan::CompileOptions::from("2026-06-01T00:00:00Z".parse().expect("ts"));
    let plan =
        ssmpatch::plan::Plan::from_source(ssmpatch::plan::Source::new(Some("p.toml"), text("ウェブ"))).expect("valid");
    let e = plan.explain(&opts).expect_err("Quick Setup takes ASCII tags only");
    assert!(e.message.contains("Quick Setup does not take") && e.path == "tags.team", "{e}");
    for ok in ["web", "a b+c-d/e.f:g=h@i_k"] {
        let plan =
            ssmpatch::plan::Plan::from_source(ssmpatch::plan::Source::new(Some("p.toml"), text(ok))).expect("valid");
        assert!(plan.explain(&opts).is_ok(), "{ok}");
    }
    // Systems Manager takes any letter: the same plan on another backend is fine.
    let other = text("ウェブ").replace("patch-policy", "association");
    let plan = ssmpatch::plan::Plan::from_source(ssmpatch::plan::Source::new(Some("p.toml"), other)).expect("valid");
    assert!(plan.explain(&opts).is_ok());
}
