//! The file-facing baseline types: what a plan file says, before validation.
//!
//! These types are serialised into the plan's published JSON Schema (`core/plan.schema.json`);
//! their doc comments are part of that schema, so change them together with the schema file.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `OperatingSystem` values AWS accepts (botocore ssm `OperatingSystem`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[allow(missing_docs)]
#[non_exhaustive]
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
    /// Every value, in declaration order.
    pub const ALL: [OperatingSystem; 15] = [
        OperatingSystem::Windows,
        OperatingSystem::AmazonLinux,
        OperatingSystem::AmazonLinux2,
        OperatingSystem::AmazonLinux2022,
        OperatingSystem::AmazonLinux2023,
        OperatingSystem::Ubuntu,
        OperatingSystem::RedhatEnterpriseLinux,
        OperatingSystem::Suse,
        OperatingSystem::Centos,
        OperatingSystem::OracleLinux,
        OperatingSystem::Debian,
        OperatingSystem::Macos,
        OperatingSystem::Raspbian,
        OperatingSystem::RockyLinux,
        OperatingSystem::AlmaLinux,
    ];

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

/// The AWS spelling was not one of [`OperatingSystem::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not an operating system AWS Patch Manager knows\nhint: use the AWS spelling, e.g. `AMAZON_LINUX_2023`"
)]
pub struct UnknownOperatingSystem(pub String);

impl FromStr for OperatingSystem {
    type Err = UnknownOperatingSystem;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        OperatingSystem::ALL.into_iter().find(|os| os.as_str() == s).ok_or_else(|| UnknownOperatingSystem(s.into()))
    }
}

/// `ComplianceLevel` (botocore ssm `PatchComplianceLevel`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[allow(missing_docs)]
#[non_exhaustive]
pub enum ComplianceLevel {
    Critical,
    High,
    Medium,
    Low,
    Informational,
    Unspecified,
}

impl ComplianceLevel {
    /// Every value, in declaration order.
    pub const ALL: [ComplianceLevel; 6] = [
        ComplianceLevel::Critical,
        ComplianceLevel::High,
        ComplianceLevel::Medium,
        ComplianceLevel::Low,
        ComplianceLevel::Informational,
        ComplianceLevel::Unspecified,
    ];

    /// The AWS spelling, e.g. `HIGH`.
    pub fn as_str(self) -> &'static str {
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
#[non_exhaustive]
pub enum RejectedPatchesAction {
    /// Rejected packages may still be installed as dependencies (AWS's default).
    AllowAsDependency,
    /// Rejected packages are never installed.
    Block,
}

impl RejectedPatchesAction {
    /// The AWS spelling, e.g. `ALLOW_AS_DEPENDENCY`.
    pub fn as_str(self) -> &'static str {
        match self {
            RejectedPatchesAction::AllowAsDependency => "ALLOW_AS_DEPENDENCY",
            RejectedPatchesAction::Block => "BLOCK",
        }
    }
}

/// `PatchFilter.Key` values (botocore ssm `PatchFilterKey`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[allow(missing_docs)]
#[non_exhaustive]
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
    /// Every value, in declaration order (the order filters are rendered in).
    pub const ALL: [PatchFilterKey; 19] = [
        PatchFilterKey::Arch,
        PatchFilterKey::AdvisoryId,
        PatchFilterKey::BugzillaId,
        PatchFilterKey::PatchSet,
        PatchFilterKey::Product,
        PatchFilterKey::ProductFamily,
        PatchFilterKey::Classification,
        PatchFilterKey::CveId,
        PatchFilterKey::Epoch,
        PatchFilterKey::MsrcSeverity,
        PatchFilterKey::Name,
        PatchFilterKey::PatchId,
        PatchFilterKey::Section,
        PatchFilterKey::Priority,
        PatchFilterKey::Repository,
        PatchFilterKey::Release,
        PatchFilterKey::Severity,
        PatchFilterKey::Security,
        PatchFilterKey::Version,
    ];

    /// The AWS spelling, e.g. `CLASSIFICATION`.
    pub fn as_str(self) -> &'static str {
        match self {
            PatchFilterKey::Arch => "ARCH",
            PatchFilterKey::AdvisoryId => "ADVISORY_ID",
            PatchFilterKey::BugzillaId => "BUGZILLA_ID",
            PatchFilterKey::PatchSet => "PATCH_SET",
            PatchFilterKey::Product => "PRODUCT",
            PatchFilterKey::ProductFamily => "PRODUCT_FAMILY",
            PatchFilterKey::Classification => "CLASSIFICATION",
            PatchFilterKey::CveId => "CVE_ID",
            PatchFilterKey::Epoch => "EPOCH",
            PatchFilterKey::MsrcSeverity => "MSRC_SEVERITY",
            PatchFilterKey::Name => "NAME",
            PatchFilterKey::PatchId => "PATCH_ID",
            PatchFilterKey::Section => "SECTION",
            PatchFilterKey::Priority => "PRIORITY",
            PatchFilterKey::Repository => "REPOSITORY",
            PatchFilterKey::Release => "RELEASE",
            PatchFilterKey::Severity => "SEVERITY",
            PatchFilterKey::Security => "SECURITY",
            PatchFilterKey::Version => "VERSION",
        }
    }
}

impl fmt::Display for PatchFilterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
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

impl BaselineSpec {
    /// True when the spec names an existing baseline instead of declaring rules.
    pub fn is_existing(&self) -> bool {
        self.baseline_id.is_some()
    }

    /// True when the spec declares anything besides `baseline-id`.
    pub(crate) fn has_inline_fields(&self) -> bool {
        !self.approval_rules.is_empty()
            || !self.global_filters.is_empty()
            || !self.approved_patches.is_empty()
            || !self.rejected_patches.is_empty()
            || !self.sources.is_empty()
            || self.approved_patches_compliance_level.is_some()
            || self.approved_patches_enable_non_security.is_some()
            || self.rejected_patches_action.is_some()
    }
}
