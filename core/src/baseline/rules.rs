//! The rules of one operating system's baseline in AWS's own shape — the neutral form every
//! output is made from: an element of a `BaselineOverride` document, the input of
//! `CreatePatchBaseline` / `UpdatePatchBaseline`, and the comparable form used to detect drift.
//!
//! Field names follow the `aws-sdk-ssm` builders one to one (`approval_rules` →
//! `PatchRuleGroup::patch_rules`, `global_filters` → `PatchFilterGroup::patch_filters`, …), and
//! the serde form is the `GetPatchBaseline` JSON (PascalCase; unknown keys such as `BaselineId`
//! ignored), so a `GetPatchBaseline` response parses into [`PatchBaselineRules`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::json::canonical;
use super::spec::{
    ApprovalOverride, BaselineSpec, ComplianceLevel, OperatingSystem, PatchFilterKey, RejectedPatchesAction,
};

/// `PatchFilter`: `{"Key": "CLASSIFICATION", "Values": ["Security"]}`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PatchFilter {
    /// `Key`.
    pub key: PatchFilterKey,
    /// `Values`, in the order written.
    pub values: Vec<String>,
}

/// `PatchRule`: one approval rule.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(from = "WireRule", into = "WireRule")]
pub struct PatchRule {
    /// `PatchFilterGroup.PatchFilters`, ordered by key.
    pub patch_filters: Vec<PatchFilter>,
    /// `ComplianceLevel` (AWS default `UNSPECIFIED`).
    pub compliance_level: ComplianceLevel,
    /// `ApproveAfterDays` (`i32`, as the SDK has it). Exclusive with `approve_until_date`.
    pub approve_after_days: Option<i32>,
    /// `ApproveUntilDate`, `YYYY-MM-DD`.
    pub approve_until_date: Option<String>,
    /// `EnableNonSecurity` (AWS default false).
    pub enable_non_security: bool,
}

/// `PatchSource`: an alternative repository.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PatchSource {
    /// `Configuration`.
    pub configuration: String,
    /// `Name`.
    pub name: String,
    /// `Products`.
    pub products: Vec<String>,
}

/// One operating system's baseline rules, as AWS holds them (`GetPatchBaseline` minus identity,
/// name, description and patch groups). Defaults are AWS's: `UNSPECIFIED`, `false`,
/// `ALLOW_AS_DEPENDENCY`, empty lists — the values of the AWS example element.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "WireBaseline", into = "WireBaseline")]
pub struct PatchBaselineRules {
    /// `OperatingSystem`.
    pub operating_system: OperatingSystem,
    /// `GlobalFilters.PatchFilters`.
    pub global_filters: Vec<PatchFilter>,
    /// `ApprovalRules.PatchRules`.
    pub approval_rules: Vec<PatchRule>,
    /// `ApprovedPatches`.
    pub approved_patches: Vec<String>,
    /// `ApprovedPatchesComplianceLevel`.
    pub approved_patches_compliance_level: ComplianceLevel,
    /// `ApprovedPatchesEnableNonSecurity`.
    pub approved_patches_enable_non_security: bool,
    /// `RejectedPatches`.
    pub rejected_patches: Vec<String>,
    /// `RejectedPatchesAction`.
    pub rejected_patches_action: RejectedPatchesAction,
    /// `Sources`.
    pub sources: Vec<PatchSource>,
}

/// What an operation's approval changes in every approval rule (see [`PatchBaselineRules::merge`]).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ApprovalChange {
    /// Replaces `ApproveAfterDays` and clears `ApproveUntilDate`.
    pub approve_after_days: Option<i32>,
    /// Replaces `ApproveUntilDate` and clears `ApproveAfterDays` (ignored when
    /// `approve_after_days` is set).
    pub approve_until_date: Option<String>,
    /// Replaces `ComplianceLevel`.
    pub compliance_level: Option<ComplianceLevel>,
}

impl ApprovalChange {
    /// The change an unvalidated override asks for (days win over a date when both are given;
    /// validation rejects that combination).
    pub(crate) fn from_spec(a: &ApprovalOverride) -> ApprovalChange {
        ApprovalChange {
            approve_after_days: a.approve_after_days.map(days_i32),
            approve_until_date: a.approve_until_date.clone(),
            compliance_level: a.compliance_level,
        }
    }
}

pub(crate) fn days_i32(d: u32) -> i32 {
    i32::try_from(d).unwrap_or(i32::MAX)
}

pub(crate) fn filters_from_map(map: &BTreeMap<PatchFilterKey, Vec<String>>) -> Vec<PatchFilter> {
    map.iter().map(|(k, v)| PatchFilter { key: *k, values: v.clone() }).collect()
}

impl PatchBaselineRules {
    /// An empty baseline for `os` with AWS's defaults (approves nothing).
    pub fn empty(os: OperatingSystem) -> PatchBaselineRules {
        PatchBaselineRules {
            operating_system: os,
            global_filters: Vec::new(),
            approval_rules: Vec::new(),
            approved_patches: Vec::new(),
            approved_patches_compliance_level: ComplianceLevel::Unspecified,
            approved_patches_enable_non_security: false,
            rejected_patches: Vec::new(),
            rejected_patches_action: RejectedPatchesAction::AllowAsDependency,
            sources: Vec::new(),
        }
    }

    /// The rules a spec declares, with AWS's defaults where it says nothing. Not validated:
    /// [`crate::baseline::Baselines::validate`] is the checked way in.
    pub(crate) fn from_spec(os: OperatingSystem, spec: &BaselineSpec) -> PatchBaselineRules {
        PatchBaselineRules {
            operating_system: os,
            global_filters: filters_from_map(&spec.global_filters),
            approval_rules: spec
                .approval_rules
                .iter()
                .map(|r| PatchRule {
                    patch_filters: filters_from_map(&r.filters),
                    compliance_level: r.compliance_level.unwrap_or(ComplianceLevel::Unspecified),
                    approve_after_days: r.approve_after_days.map(days_i32),
                    approve_until_date: r.approve_until_date.clone(),
                    enable_non_security: r.enable_non_security.unwrap_or(false),
                })
                .collect(),
            approved_patches: spec.approved_patches.clone(),
            approved_patches_compliance_level: spec
                .approved_patches_compliance_level
                .unwrap_or(ComplianceLevel::Unspecified),
            approved_patches_enable_non_security: spec.approved_patches_enable_non_security.unwrap_or(false),
            rejected_patches: spec.rejected_patches.clone(),
            rejected_patches_action: spec.rejected_patches_action.unwrap_or(RejectedPatchesAction::AllowAsDependency),
            sources: spec
                .sources
                .iter()
                .map(|s| PatchSource {
                    configuration: s.configuration.clone(),
                    name: s.name.clone(),
                    products: s.products.clone(),
                })
                .collect(),
        }
    }

    /// Applies an operation's approval. **Merge semantics**, in every approval rule of this
    /// baseline (global filters, approved/rejected patches and sources are never touched):
    /// - `approve_after_days` set → the rule's `ApproveAfterDays` becomes it and any
    ///   `ApproveUntilDate` is removed;
    /// - else `approve_until_date` set → the rule's `ApproveUntilDate` becomes it and any
    ///   `ApproveAfterDays` is removed;
    /// - `compliance_level` set → the rule's `ComplianceLevel` becomes it;
    /// - anything not set keeps the rule's own value. A baseline without approval rules is
    ///   unchanged.
    pub fn merge(mut self, change: &ApprovalChange) -> PatchBaselineRules {
        for rule in &mut self.approval_rules {
            if let Some(d) = change.approve_after_days {
                rule.approve_after_days = Some(d);
                rule.approve_until_date = None;
            } else if let Some(date) = &change.approve_until_date {
                rule.approve_after_days = None;
                rule.approve_until_date = Some(date.clone());
            }
            if let Some(level) = change.compliance_level {
                rule.compliance_level = level;
            }
        }
        self
    }

    /// The `BaselineOverride` element / `GetPatchBaseline`-shaped object, keys sorted at every
    /// level.
    pub fn to_override_value(&self) -> Value {
        canonical(serde_json::to_value(self).unwrap_or(Value::Null))
    }

    /// The form to compare a desired baseline with one read back from AWS: filters ordered by
    /// key with their values sorted and deduplicated, approved and rejected patches sorted and
    /// deduplicated, source products sorted. Rule order and source order are kept (AWS keeps
    /// them as sent, and which rule matches first can decide a patch's compliance level).
    pub fn comparable(&self) -> PatchBaselineRules {
        fn filters(f: &[PatchFilter]) -> Vec<PatchFilter> {
            let mut f: Vec<PatchFilter> = f
                .iter()
                .map(|p| {
                    let mut values = p.values.clone();
                    values.sort();
                    values.dedup();
                    PatchFilter { key: p.key, values }
                })
                .collect();
            f.sort();
            f
        }
        fn set(v: &[String]) -> Vec<String> {
            let mut v = v.to_vec();
            v.sort();
            v.dedup();
            v
        }
        PatchBaselineRules {
            operating_system: self.operating_system,
            global_filters: filters(&self.global_filters),
            approval_rules: self
                .approval_rules
                .iter()
                .map(|r| PatchRule { patch_filters: filters(&r.patch_filters), ..r.clone() })
                .collect(),
            approved_patches: set(&self.approved_patches),
            approved_patches_compliance_level: self.approved_patches_compliance_level,
            approved_patches_enable_non_security: self.approved_patches_enable_non_security,
            rejected_patches: set(&self.rejected_patches),
            rejected_patches_action: self.rejected_patches_action,
            sources: self.sources.iter().map(|s| PatchSource { products: set(&s.products), ..s.clone() }).collect(),
        }
    }

    /// True when `other` (e.g. read back with `GetPatchBaseline`) holds the same rules.
    pub fn same_rules_as(&self, other: &PatchBaselineRules) -> bool {
        self.comparable() == other.comparable()
    }

    /// The input of `CreatePatchBaseline` for these rules.
    pub fn create_input(
        &self,
        name: impl Into<String>,
        description: Option<String>,
        tags: BTreeMap<String, String>,
    ) -> CreatePatchBaselineInput {
        CreatePatchBaselineInput { name: name.into(), description, rules: self.clone(), tags }
    }

    /// The input of `UpdatePatchBaseline` (with `Replace = true`) for these rules.
    pub fn update_input(
        &self,
        baseline_id: impl Into<String>,
        name: impl Into<String>,
        description: Option<String>,
    ) -> UpdatePatchBaselineInput {
        UpdatePatchBaselineInput {
            baseline_id: baseline_id.into(),
            name: name.into(),
            description,
            rules: self.clone(),
            replace: true,
        }
    }
}

/// `CreatePatchBaseline`'s input, as plain data. Maps one to one onto
/// `aws_sdk_ssm::Client::create_patch_baseline()`: `.name(name)`, `.set_description(description)`,
/// `.operating_system(rules.operating_system.as_str().into())`, `.global_filters(…)`,
/// `.approval_rules(…)`, `.approved_patches(…)`, …, `.sources(…)`, `.tags(…)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatePatchBaselineInput {
    /// `Name`.
    pub name: String,
    /// `Description`.
    pub description: Option<String>,
    /// Every rule field, `OperatingSystem` included.
    pub rules: PatchBaselineRules,
    /// `Tags`.
    pub tags: BTreeMap<String, String>,
}

/// `UpdatePatchBaseline`'s input, as plain data (the operating system cannot change; `Replace`
/// is true so omitted fields are reset to AWS's defaults, as in the rules).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdatePatchBaselineInput {
    /// `BaselineId`.
    pub baseline_id: String,
    /// `Name`.
    pub name: String,
    /// `Description`.
    pub description: Option<String>,
    /// The rules (their `operating_system` is not sent).
    pub rules: PatchBaselineRules,
    /// `Replace`.
    pub replace: bool,
}

impl CreatePatchBaselineInput {
    /// The request as the JSON body the API takes (keys sorted; `Tags` as `[{Key, Value}]`).
    pub fn to_request_json(&self) -> Value {
        let mut v = serde_json::to_value(&self.rules).unwrap_or(Value::Null);
        if let Some(o) = v.as_object_mut() {
            o.insert("Name".into(), Value::from(self.name.clone()));
            if let Some(d) = &self.description {
                o.insert("Description".into(), Value::from(d.clone()));
            }
            if !self.tags.is_empty() {
                let tags: Vec<Value> =
                    self.tags.iter().map(|(k, v)| serde_json::json!({"Key": k, "Value": v})).collect();
                o.insert("Tags".into(), Value::Array(tags));
            }
        }
        canonical(v)
    }
}

impl UpdatePatchBaselineInput {
    /// The request as the JSON body the API takes (keys sorted; no `OperatingSystem`).
    pub fn to_request_json(&self) -> Value {
        let mut v = serde_json::to_value(&self.rules).unwrap_or(Value::Null);
        if let Some(o) = v.as_object_mut() {
            o.shift_remove("OperatingSystem");
            o.insert("BaselineId".into(), Value::from(self.baseline_id.clone()));
            o.insert("Name".into(), Value::from(self.name.clone()));
            if let Some(d) = &self.description {
                o.insert("Description".into(), Value::from(d.clone()));
            }
            o.insert("Replace".into(), Value::Bool(self.replace));
        }
        canonical(v)
    }
}

// --- wire forms (the GetPatchBaseline JSON) -----------------------------------------------------

fn unspecified() -> ComplianceLevel {
    ComplianceLevel::Unspecified
}

fn allow_as_dependency() -> RejectedPatchesAction {
    RejectedPatchesAction::AllowAsDependency
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct WireFilterGroup {
    #[serde(default)]
    patch_filters: Vec<PatchFilter>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct WireRuleGroup {
    #[serde(default)]
    patch_rules: Vec<PatchRule>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct WireRule {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    approve_after_days: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    approve_until_date: Option<String>,
    #[serde(default = "unspecified")]
    compliance_level: ComplianceLevel,
    #[serde(default)]
    enable_non_security: bool,
    #[serde(default)]
    patch_filter_group: WireFilterGroup,
}

impl From<WireRule> for PatchRule {
    fn from(w: WireRule) -> Self {
        PatchRule {
            patch_filters: w.patch_filter_group.patch_filters,
            compliance_level: w.compliance_level,
            approve_after_days: w.approve_after_days,
            approve_until_date: w.approve_until_date,
            enable_non_security: w.enable_non_security,
        }
    }
}

impl From<PatchRule> for WireRule {
    fn from(r: PatchRule) -> Self {
        WireRule {
            approve_after_days: r.approve_after_days,
            approve_until_date: r.approve_until_date,
            compliance_level: r.compliance_level,
            enable_non_security: r.enable_non_security,
            patch_filter_group: WireFilterGroup { patch_filters: r.patch_filters },
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct WireBaseline {
    #[serde(default)]
    approval_rules: WireRuleGroup,
    #[serde(default)]
    approved_patches: Vec<String>,
    #[serde(default = "unspecified")]
    approved_patches_compliance_level: ComplianceLevel,
    #[serde(default)]
    approved_patches_enable_non_security: bool,
    #[serde(default)]
    global_filters: WireFilterGroup,
    operating_system: OperatingSystem,
    #[serde(default)]
    rejected_patches: Vec<String>,
    #[serde(default = "allow_as_dependency")]
    rejected_patches_action: RejectedPatchesAction,
    #[serde(default)]
    sources: Vec<PatchSource>,
}

impl From<WireBaseline> for PatchBaselineRules {
    fn from(w: WireBaseline) -> Self {
        PatchBaselineRules {
            operating_system: w.operating_system,
            global_filters: w.global_filters.patch_filters,
            approval_rules: w.approval_rules.patch_rules,
            approved_patches: w.approved_patches,
            approved_patches_compliance_level: w.approved_patches_compliance_level,
            approved_patches_enable_non_security: w.approved_patches_enable_non_security,
            rejected_patches: w.rejected_patches,
            rejected_patches_action: w.rejected_patches_action,
            sources: w.sources,
        }
    }
}

impl From<PatchBaselineRules> for WireBaseline {
    fn from(r: PatchBaselineRules) -> Self {
        WireBaseline {
            approval_rules: WireRuleGroup { patch_rules: r.approval_rules },
            approved_patches: r.approved_patches,
            approved_patches_compliance_level: r.approved_patches_compliance_level,
            approved_patches_enable_non_security: r.approved_patches_enable_non_security,
            global_filters: WireFilterGroup { patch_filters: r.global_filters },
            operating_system: r.operating_system,
            rejected_patches: r.rejected_patches,
            rejected_patches_action: r.rejected_patches_action,
            sources: r.sources,
        }
    }
}
