//! Patch baselines in a plan, and the `BaselineOverride` documents rendered from them.
//!
//! A plan declares, per operating system, either an existing baseline (`baseline-id`) or inline
//! rules; an OS it does not name uses the AWS default baseline. An operation may carry its own
//! [`ApprovalOverride`] (the seed's 14-day scan and 21-day install): it replaces the approval
//! delay (or date), and optionally the compliance level, in **every** approval rule of every
//! inline baseline. The effective rules of an operation render to the JSON array
//! `AWS-RunPatchBaseline` reads from S3 — one `GetPatchBaseline`-shaped object per OS, as AWS's
//! own generator writes it (`json.dumps(..., indent=4, sort_keys=True)`), so the bytes and their
//! SHA-256 are deterministic.
//!
//! Every API limit lives in [`LIMITS`] with its source, so a limit is a one-line change.

use std::collections::BTreeMap;
use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

mod publish;

pub use publish::{ObjectAction, OverrideObject, PutSettings, publish_actions};

/// `OperatingSystem` values AWS accepts (botocore ssm `OperatingSystem`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[allow(missing_docs)]
pub enum OperatingSystem {
    Windows,
    AmazonLinux,
    #[serde(rename = "AMAZON_LINUX_2")]
    AmazonLinux2,
    #[serde(rename = "AMAZON_LINUX_2022")]
    AmazonLinux2022,
    #[serde(rename = "AMAZON_LINUX_2023")]
    AmazonLinux2023,
    Ubuntu,
    RedhatEnterpriseLinux,
    Suse,
    Centos,
    OracleLinux,
    Debian,
    Macos,
    Raspbian,
    RockyLinux,
    AlmaLinux,
}

impl OperatingSystem {
    /// The AWS spelling, e.g. `AMAZON_LINUX_2023`.
    pub fn as_str(self) -> &'static str {
        match self {
            OperatingSystem::Windows => "WINDOWS",
            OperatingSystem::AmazonLinux => "AMAZON_LINUX",
            OperatingSystem::AmazonLinux2 => "AMAZON_LINUX_2",
            OperatingSystem::AmazonLinux2022 => "AMAZON_LINUX_2022",
            OperatingSystem::AmazonLinux2023 => "AMAZON_LINUX_2023",
            OperatingSystem::Ubuntu => "UBUNTU",
            OperatingSystem::RedhatEnterpriseLinux => "REDHAT_ENTERPRISE_LINUX",
            OperatingSystem::Suse => "SUSE",
            OperatingSystem::Centos => "CENTOS",
            OperatingSystem::OracleLinux => "ORACLE_LINUX",
            OperatingSystem::Debian => "DEBIAN",
            OperatingSystem::Macos => "MACOS",
            OperatingSystem::Raspbian => "RASPBIAN",
            OperatingSystem::RockyLinux => "ROCKY_LINUX",
            OperatingSystem::AlmaLinux => "ALMA_LINUX",
        }
    }
}

impl fmt::Display for OperatingSystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `ComplianceLevel` (botocore ssm `PatchComplianceLevel`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[allow(missing_docs)]
pub enum ComplianceLevel {
    Critical,
    High,
    Medium,
    Low,
    Informational,
    Unspecified,
}

impl ComplianceLevel {
    fn as_str(self) -> &'static str {
        match self {
            ComplianceLevel::Critical => "CRITICAL",
            ComplianceLevel::High => "HIGH",
            ComplianceLevel::Medium => "MEDIUM",
            ComplianceLevel::Low => "LOW",
            ComplianceLevel::Informational => "INFORMATIONAL",
            ComplianceLevel::Unspecified => "UNSPECIFIED",
        }
    }
}

/// `RejectedPatchesAction`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RejectedPatchesAction {
    /// Rejected packages may still be installed as dependencies (AWS's default).
    AllowAsDependency,
    /// Rejected packages are never installed.
    Block,
}

/// `PatchFilter.Key` values (botocore ssm `PatchFilterKey`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[allow(missing_docs)]
pub enum PatchFilterKey {
    Arch,
    AdvisoryId,
    BugzillaId,
    PatchSet,
    Product,
    ProductFamily,
    Classification,
    CveId,
    Epoch,
    MsrcSeverity,
    Name,
    PatchId,
    Section,
    Priority,
    Repository,
    Release,
    Severity,
    Security,
    Version,
}

impl PatchFilterKey {
    fn as_str(self) -> String {
        serde_json::to_value(self).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
    }
}

/// Baseline of one operating system, as written in the plan.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct BaselineSpec {
    /// An existing baseline (its id or ARN; AWS default baselines too). Excludes inline rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline_id: Option<String>,
    /// Approval rules (0-10).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub approval_rules: Vec<ApprovalRuleSpec>,
    /// Filters applied before the approval rules: key → values.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub global_filters: BTreeMap<PatchFilterKey, Vec<String>>,
    /// Patches approved regardless of the rules (0-50).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub approved_patches: Vec<String>,
    /// Compliance level of approved patches (default `UNSPECIFIED`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_patches_compliance_level: Option<ComplianceLevel>,
    /// Approved patches include non-security updates (Linux; default false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_patches_enable_non_security: Option<bool>,
    /// Patches never approved (0-50).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rejected_patches: Vec<String>,
    /// What happens to rejected patches (default `ALLOW_AS_DEPENDENCY`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejected_patches_action: Option<RejectedPatchesAction>,
    /// Alternative package repositories (Linux; 0-20).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<PatchSourceSpec>,
}

/// One approval rule.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ApprovalRuleSpec {
    /// Days after release a patch is approved (0-360). Exclusive with `approve-until-date`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approve_after_days: Option<u32>,
    /// Patches released on or before this date (YYYY-MM-DD) are approved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approve_until_date: Option<String>,
    /// Compliance level of the approved patches (default `UNSPECIFIED`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compliance_level: Option<ComplianceLevel>,
    /// Also approve non-security updates (Linux; default false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_non_security: Option<bool>,
    /// Which patches the rule covers: key → values (0-4 keys).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub filters: BTreeMap<PatchFilterKey, Vec<String>>,
}

/// An alternative patch source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct PatchSourceSpec {
    /// Name (1-50 characters: letters, digits, `-`, `_`, `.`).
    pub name: String,
    /// Products it applies to (1-20), e.g. `AmazonLinux2023`.
    pub products: Vec<String>,
    /// The repository configuration (yum/zypper/apt source text, 1-1024 characters).
    pub configuration: String,
}

/// An operation's own approval rules, applied over the plan's inline baselines.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ApprovalOverride {
    /// Replaces the approval delay of every approval rule (0-360 days).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approve_after_days: Option<u32>,
    /// Replaces the approval with a cut-off date (YYYY-MM-DD) in every rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approve_until_date: Option<String>,
    /// Replaces the compliance level of every rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compliance_level: Option<ComplianceLevel>,
}

/// One API limit, with where it comes from.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    /// What is limited.
    pub what: &'static str,
    /// Smallest value / count / length.
    pub min: usize,
    /// Largest.
    pub max: usize,
    /// Where AWS says so.
    pub source: &'static str,
}

const BOTO: &str = "botocore ssm service model (CreatePatchBaseline / BaselineOverride shapes)";

/// Every limit ssmpatch enforces on baselines and override documents (aws-facts §2.1).
pub const LIMITS: Limits = Limits {
    approval_rules: Limit { what: "approval rules", min: 0, max: 10, source: BOTO },
    filters: Limit { what: "patch filters in a group", min: 0, max: 4, source: BOTO },
    filter_values: Limit { what: "values of a patch filter", min: 1, max: 20, source: BOTO },
    filter_value_len: Limit { what: "characters in a filter value", min: 1, max: 64, source: BOTO },
    patch_list: Limit { what: "approved or rejected patches", min: 0, max: 50, source: BOTO },
    patch_len: Limit { what: "characters in a patch name", min: 1, max: 100, source: BOTO },
    sources: Limit { what: "patch sources", min: 0, max: 20, source: BOTO },
    source_name_len: Limit { what: "characters in a source name", min: 1, max: 50, source: BOTO },
    source_products: Limit { what: "products of a source", min: 1, max: 20, source: BOTO },
    source_configuration_len: Limit { what: "characters in a source configuration", min: 1, max: 1024, source: BOTO },
    approve_after_days: Limit { what: "approve-after-days", min: 0, max: 360, source: BOTO },
    baseline_id_len: Limit { what: "characters in a baseline id", min: 20, max: 128, source: BOTO },
};

/// The limit table's shape.
#[derive(Debug, Clone, Copy)]
#[allow(missing_docs)]
pub struct Limits {
    pub approval_rules: Limit,
    pub filters: Limit,
    pub filter_values: Limit,
    pub filter_value_len: Limit,
    pub patch_list: Limit,
    pub patch_len: Limit,
    pub sources: Limit,
    pub source_name_len: Limit,
    pub source_products: Limit,
    pub source_configuration_len: Limit,
    pub approve_after_days: Limit,
    pub baseline_id_len: Limit,
}

/// A problem in a baseline, located by key path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaselineIssue {
    /// Key path in the plan, e.g. `baselines.AMAZON_LINUX_2023.approval-rules[0].approve-after-days`.
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// What to do.
    pub hint: String,
}

fn count(issues: &mut Vec<BaselineIssue>, path: &str, n: usize, l: Limit) {
    if n < l.min || n > l.max {
        issues.push(BaselineIssue {
            path: path.to_string(),
            message: format!("{n} {} is out of range ({}-{})", l.what, l.min, l.max),
            hint: format!("AWS allows {} to {} {} ({})", l.min, l.max, l.what, l.source),
        });
    }
}

fn length(issues: &mut Vec<BaselineIssue>, path: &str, s: &str, l: Limit) {
    count(issues, path, s.chars().count(), l);
}

fn valid_date(s: &str) -> bool {
    s.len() == 10 && s.parse::<jiff::civil::Date>().is_ok()
}

fn check_filters(issues: &mut Vec<BaselineIssue>, path: &str, filters: &BTreeMap<PatchFilterKey, Vec<String>>) {
    count(issues, path, filters.len(), LIMITS.filters);
    for (k, values) in filters {
        let p = format!("{path}.{}", k.as_str());
        count(issues, &p, values.len(), LIMITS.filter_values);
        for v in values {
            length(issues, &p, v, LIMITS.filter_value_len);
        }
    }
}

fn check_approval(issues: &mut Vec<BaselineIssue>, path: &str, days: Option<u32>, date: Option<&str>, required: bool) {
    match (days, date) {
        (Some(_), Some(_)) => issues.push(BaselineIssue {
            path: path.to_string(),
            message: "both approve-after-days and approve-until-date are set".into(),
            hint: "an approval rule uses one of them".into(),
        }),
        (None, None) if required => issues.push(BaselineIssue {
            path: path.to_string(),
            message: "the rule sets neither approve-after-days nor approve-until-date".into(),
            hint: "add e.g. `approve-after-days = 7`".into(),
        }),
        _ => {}
    }
    if let Some(d) = days
        && (d as usize) > LIMITS.approve_after_days.max
    {
        issues.push(BaselineIssue {
            path: format!("{path}.approve-after-days"),
            message: format!("approve-after-days {d} is out of range (0-360)"),
            hint: format!("AWS allows 0 to 360 days ({})", LIMITS.approve_after_days.source),
        });
    }
    if let Some(d) = date
        && !valid_date(d)
    {
        issues.push(BaselineIssue {
            path: format!("{path}.approve-until-date"),
            message: format!("`{d}` is not a date"),
            hint: "write YYYY-MM-DD, e.g. `2026-06-30`".into(),
        });
    }
}

impl BaselineSpec {
    /// True when the spec names an existing baseline instead of declaring rules.
    pub fn is_existing(&self) -> bool {
        self.baseline_id.is_some()
    }

    /// Every problem with this spec against the API limits; `path` is its key path.
    pub fn issues(&self, path: &str) -> Vec<BaselineIssue> {
        let mut v = Vec::new();
        if let Some(id) = &self.baseline_id {
            let inline = !self.approval_rules.is_empty()
                || !self.global_filters.is_empty()
                || !self.approved_patches.is_empty()
                || !self.rejected_patches.is_empty()
                || !self.sources.is_empty()
                || self.approved_patches_compliance_level.is_some()
                || self.approved_patches_enable_non_security.is_some()
                || self.rejected_patches_action.is_some();
            if inline {
                v.push(BaselineIssue {
                    path: format!("{path}.baseline-id"),
                    message: "an existing baseline and inline rules are both given".into(),
                    hint: "use `baseline-id` alone, or remove it and declare the rules".into(),
                });
            }
            let ok = id.chars().all(|c| c.is_ascii_alphanumeric() || "_-:/".contains(c));
            if !ok {
                v.push(BaselineIssue {
                    path: format!("{path}.baseline-id"),
                    message: format!("`{id}` is not a patch baseline id"),
                    hint: "write e.g. `pb-0123456789abcdef0` or an AWS default baseline's ARN".into(),
                });
            } else {
                length(&mut v, &format!("{path}.baseline-id"), id, LIMITS.baseline_id_len);
            }
        }
        count(&mut v, &format!("{path}.approval-rules"), self.approval_rules.len(), LIMITS.approval_rules);
        for (i, r) in self.approval_rules.iter().enumerate() {
            let p = format!("{path}.approval-rules[{i}]");
            check_approval(&mut v, &p, r.approve_after_days, r.approve_until_date.as_deref(), true);
            check_filters(&mut v, &format!("{p}.filters"), &r.filters);
        }
        check_filters(&mut v, &format!("{path}.global-filters"), &self.global_filters);
        for (key, list) in [("approved-patches", &self.approved_patches), ("rejected-patches", &self.rejected_patches)]
        {
            let p = format!("{path}.{key}");
            count(&mut v, &p, list.len(), LIMITS.patch_list);
            for s in list {
                length(&mut v, &p, s, LIMITS.patch_len);
            }
        }
        count(&mut v, &format!("{path}.sources"), self.sources.len(), LIMITS.sources);
        for (i, s) in self.sources.iter().enumerate() {
            let p = format!("{path}.sources[{i}]");
            length(&mut v, &format!("{p}.name"), &s.name, LIMITS.source_name_len);
            count(&mut v, &format!("{p}.products"), s.products.len(), LIMITS.source_products);
            length(&mut v, &format!("{p}.configuration"), &s.configuration, LIMITS.source_configuration_len);
        }
        v
    }

    /// The `GetPatchBaseline`-shaped object for `os` with `approval` applied, keys sorted.
    pub fn to_aws(&self, os: OperatingSystem, approval: Option<&ApprovalOverride>) -> Value {
        let filters = |f: &BTreeMap<PatchFilterKey, Vec<String>>| -> Value {
            let list: Vec<Value> = f
                .iter()
                .map(|(k, vals)| sorted([("Key", Value::String(k.as_str())), ("Values", Value::from(vals.clone()))]))
                .collect();
            sorted([("PatchFilters", Value::Array(list))])
        };
        let rules: Vec<Value> = self
            .approval_rules
            .iter()
            .map(|r| {
                let (days, date) = match approval {
                    Some(ApprovalOverride { approve_after_days: Some(d), .. }) => (Some(*d), None),
                    Some(ApprovalOverride { approve_until_date: Some(d), .. }) => (None, Some(d.clone())),
                    _ => (r.approve_after_days, r.approve_until_date.clone()),
                };
                let level = approval
                    .and_then(|a| a.compliance_level)
                    .or(r.compliance_level)
                    .unwrap_or(ComplianceLevel::Unspecified);
                let mut fields: Vec<(&str, Value)> = vec![
                    ("ComplianceLevel", Value::from(level.as_str())),
                    ("EnableNonSecurity", Value::Bool(r.enable_non_security.unwrap_or(false))),
                    ("PatchFilterGroup", filters(&r.filters)),
                ];
                if let Some(d) = days {
                    fields.push(("ApproveAfterDays", Value::from(d)));
                }
                if let Some(d) = date {
                    fields.push(("ApproveUntilDate", Value::from(d)));
                }
                sorted(fields)
            })
            .collect();
        let sources: Vec<Value> = self
            .sources
            .iter()
            .map(|s| {
                sorted([
                    ("Configuration", Value::from(s.configuration.clone())),
                    ("Name", Value::from(s.name.clone())),
                    ("Products", Value::from(s.products.clone())),
                ])
            })
            .collect();
        sorted([
            ("ApprovalRules", sorted([("PatchRules", Value::Array(rules))])),
            ("ApprovedPatches", Value::from(self.approved_patches.clone())),
            (
                "ApprovedPatchesComplianceLevel",
                Value::from(self.approved_patches_compliance_level.unwrap_or(ComplianceLevel::Unspecified).as_str()),
            ),
            (
                "ApprovedPatchesEnableNonSecurity",
                Value::Bool(self.approved_patches_enable_non_security.unwrap_or(false)),
            ),
            ("GlobalFilters", filters(&self.global_filters)),
            ("OperatingSystem", Value::from(os.as_str())),
            ("RejectedPatches", Value::from(self.rejected_patches.clone())),
            (
                "RejectedPatchesAction",
                Value::from(match self.rejected_patches_action.unwrap_or(RejectedPatchesAction::AllowAsDependency) {
                    RejectedPatchesAction::AllowAsDependency => "ALLOW_AS_DEPENDENCY",
                    RejectedPatchesAction::Block => "BLOCK",
                }),
            ),
            ("Sources", Value::Array(sources)),
        ])
    }
}

impl ApprovalOverride {
    /// Problems with this override; `path` is its key path.
    pub fn issues(&self, path: &str) -> Vec<BaselineIssue> {
        let mut v = Vec::new();
        check_approval(&mut v, path, self.approve_after_days, self.approve_until_date.as_deref(), false);
        if self.approve_after_days.is_none() && self.approve_until_date.is_none() && self.compliance_level.is_none() {
            v.push(BaselineIssue {
                path: path.to_string(),
                message: "the approval override changes nothing".into(),
                hint: "set `approve-after-days`, `approve-until-date` or `compliance-level`, or remove it".into(),
            });
        }
        v
    }
}

/// A JSON object with keys in sorted order (serde_json keeps insertion order here).
fn sorted<'a>(fields: impl IntoIterator<Item = (&'a str, Value)>) -> Value {
    let mut v: Vec<(&str, Value)> = fields.into_iter().collect();
    v.sort_by(|a, b| a.0.cmp(b.0));
    let mut m = Map::new();
    for (k, val) in v {
        m.insert(k.to_string(), val);
    }
    Value::Object(m)
}

/// A rendered BaselineOverride document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverrideDocument {
    /// The exact bytes uploaded.
    pub bytes: Vec<u8>,
    /// Lowercase hex SHA-256 of the bytes.
    pub sha256: String,
}

impl OverrideDocument {
    /// The S3 key: `<prefix>/<plan>/<operation>/<sha256>.json`.
    pub fn key(&self, prefix: &str, plan: &str, operation: &str) -> String {
        let prefix = prefix.trim_matches('/');
        if prefix.is_empty() {
            format!("{plan}/{operation}/{}.json", self.sha256)
        } else {
            format!("{prefix}/{plan}/{operation}/{}.json", self.sha256)
        }
    }
}

/// Characters AWS forbids in a BaselineOverride file name (patch-manager-baselineoverride-parameter:
/// "The BaselineOverride file name can't contain ... backtick, single quote, double quote, and
/// dollar sign").
pub const FORBIDDEN_FILE_NAME_CHARS: [char; 4] = ['`', '\'', '"', '$'];

/// Renders the document for `approval` over `baselines` (inline baselines only; existing and
/// default baselines cannot be rendered offline). Elements are sorted by OS; formatting is AWS's
/// generator's: 4-space indent, `": "` between key and value, no trailing newline.
pub fn render_override(
    baselines: &BTreeMap<OperatingSystem, BaselineSpec>,
    approval: Option<&ApprovalOverride>,
) -> OverrideDocument {
    let items: Vec<Value> =
        baselines.iter().filter(|(_, b)| !b.is_existing()).map(|(os, b)| b.to_aws(*os, approval)).collect();
    let mut bytes = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut bytes, formatter);
    // Serializing a `Value` into a Vec cannot fail.
    let _ = Value::Array(items).serialize(&mut ser);
    let sha256 = hex::encode(Sha256::digest(&bytes));
    OverrideDocument { bytes, sha256 }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn al2023() -> BTreeMap<OperatingSystem, BaselineSpec> {
        let mut filters = BTreeMap::new();
        filters.insert(PatchFilterKey::Classification, vec!["Security".to_string(), "Bugfix".to_string()]);
        filters.insert(PatchFilterKey::Severity, vec!["Critical".to_string(), "Important".to_string()]);
        let spec = BaselineSpec {
            approval_rules: vec![ApprovalRuleSpec { approve_after_days: Some(7), filters, ..Default::default() }],
            ..Default::default()
        };
        BTreeMap::from([(OperatingSystem::AmazonLinux2023, spec)])
    }

    #[test]
    fn override_replaces_approval_and_is_deterministic() {
        let scan = ApprovalOverride { approve_after_days: Some(14), ..Default::default() };
        let a = render_override(&al2023(), Some(&scan));
        let b = render_override(&al2023(), Some(&scan));
        assert_eq!(a, b);
        let v: Value = serde_json::from_slice(&a.bytes).expect("json");
        assert_eq!(v[0]["ApprovalRules"]["PatchRules"][0]["ApproveAfterDays"], 14);
        assert_eq!(v[0]["OperatingSystem"], "AMAZON_LINUX_2023");
        let install = ApprovalOverride { approve_after_days: Some(21), ..Default::default() };
        assert_ne!(render_override(&al2023(), Some(&install)).sha256, a.sha256);
        assert_eq!(a.sha256.len(), 64);
    }

    #[test]
    fn limits_are_enforced_with_paths() {
        let mut spec = BaselineSpec { approval_rules: vec![ApprovalRuleSpec::default(); 11], ..Default::default() };
        spec.approval_rules[0].approve_after_days = Some(400);
        spec.approved_patches = vec!["x".repeat(101)];
        let issues = spec.issues("baselines.AMAZON_LINUX_2023");
        let paths: Vec<&str> = issues.iter().map(|i| i.path.as_str()).collect();
        assert!(paths.contains(&"baselines.AMAZON_LINUX_2023.approval-rules"), "{paths:?}");
        assert!(paths.contains(&"baselines.AMAZON_LINUX_2023.approval-rules[0].approve-after-days"), "{paths:?}");
        assert!(paths.contains(&"baselines.AMAZON_LINUX_2023.approval-rules[1]"), "{paths:?}");
        assert!(paths.contains(&"baselines.AMAZON_LINUX_2023.approved-patches"), "{paths:?}");
    }
}
