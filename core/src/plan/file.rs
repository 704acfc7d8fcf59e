//! The plan file as written (TOML or JSON): serde types in kebab-case with a `version` field.
//! They hold what the user wrote; [`super::model`] turns them into validated types.
//!
//! The JSON Schema published at `core/plan.schema.json` is generated from these types
//! ([`schema_json`]); a test keeps the file in sync.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::baseline::{ApprovalOverride, BaselineSpec, OperatingSystem};

/// The only plan file version this release reads.
pub const PLAN_VERSION: u32 = 1;

/// A plan file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
#[schemars(
    title = "ssmpatch plan",
    description = "One declarative file for targets, baselines, per-operation approval and schedules."
)]
pub struct PlanFile {
    /// File format version; must be 1.
    pub version: u32,
    /// Plan name (3-128 characters: letters, digits, `_`, `-`, `.`); names and tags everything
    /// ssmpatch creates.
    pub name: String,
    /// AWS region, e.g. `ap-northeast-1`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Tags applied to every resource ssmpatch creates (besides its ownership tags).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
    /// `auto` (default) picks the simplest backend that runs the whole plan exactly.
    #[serde(default)]
    pub backend: BackendChoice,
    /// Default IANA time zone for operations' calendar rules and expressions (default `UTC`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    /// Which managed nodes the plan patches.
    pub targets: TargetsFile,
    /// Patch baselines per operating system (keys: the AWS enum, e.g. `AMAZON_LINUX_2023`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub baselines: BTreeMap<OperatingSystem, BaselineSpec>,
    /// Where approval rules that differ between operations live: `install` (default: the install
    /// operation's rules go into the real baseline, so AWS records its compliance natively),
    /// `declared` (the baseline keeps the declared rules; every operation with its own approval
    /// uses `BaselineOverride`), or the name of another operation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline_rules_from: Option<String>,
    /// The operations, by name.
    pub operations: BTreeMap<String, OperationFile>,
    /// How compliance is refreshed after runs that AWS does not record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compliance: Option<ComplianceFile>,
    /// S3 location for override files and command output.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub s3: Option<S3File>,
    /// Days a one-shot `at()` window is kept after its time (default 14, at most 365), so its
    /// execution history is still there for `refresh`; `apply` removes it after that.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(max = 365))]
    pub one_shot_retention_days: Option<u32>,
    /// The IAM role maintenance-window tasks run as (`ServiceRoleArn`, an IAM role ARN). AWS
    /// recommends a custom role over the Systems Manager service-linked role it uses otherwise;
    /// the caller then needs `iam:PassRole` on it (`ssmpatch iam-policy` prints it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_role_arn: Option<String>,
    /// Quick Setup patch-policy settings (used when the plan runs on the patch-policy backend):
    /// the local deployment roles, whether Quick Setup may change the nodes' instance profiles,
    /// and what runs on operating systems the plan declares no baseline for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patch_policy: Option<PatchPolicyFile>,
    /// The account's Systems Manager quotas where they differ from AWS's defaults (maintenance
    /// windows 50, tasks per window 20, targets per window 100, associations 2,000, patch
    /// baselines 50): `validate` refuses a plan that alone needs more than these.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quotas: Option<super::limits::QuotasFile>,
}

/// `[patch-policy]`: how the plan's Quick Setup patch policy is deployed and what it applies.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct PatchPolicyFile {
    /// Name of the IAM role Quick Setup deploys the policy through (CloudFormation StackSets'
    /// administration role; default `AWS-QuickSetup-PatchPolicy-LocalAdministrationRole`).
    /// Accounts onboarded before the patch-policy roles existed may have
    /// `AWS-QuickSetup-StackSet-Local-AdministrationRole` instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub administration_role: Option<String>,
    /// Name of the IAM role the deployment runs as (default
    /// `AWS-QuickSetup-PatchPolicy-LocalExecutionRole`; older accounts:
    /// `AWS-QuickSetup-StackSet-Local-ExecutionRole`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_role: Option<String>,
    /// Create the two deployment roles when they do not exist (default `false`: `apply` stops
    /// before changing anything and says how to create them). The roles are created as AWS's
    /// managed policy `AWSQuickSetupPatchPolicyDeploymentRolePolicy` expects, shown by `plan`, and
    /// never deleted by ssmpatch (other patch policies and Quick Setup itself use them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_deployment_roles: Option<bool>,
    /// Quick Setup's `IsPolicyAttachAllowed` (default `false`). `true`: Quick Setup attaches the
    /// IAM policies patching needs to the instance profile (or service role) of every targeted
    /// node, also of nodes that become targets later. `false`: nothing is changed on the nodes,
    /// and each targeted node's role must already allow `s3:GetObject` on
    /// `aws-quicksetup-patchpolicy-*` and carry the tag `QSConfigId-<id>` = `<id>`, or every run
    /// fails on that node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attach_node_policies: Option<bool>,
    /// What runs on a targeted node whose operating system the plan declares no baseline for:
    /// `fail` (default; AWS-RunPatchBaseline fails on it with exit code 163) or `aws-default`
    /// (the policy lists AWS's predefined default baseline for every other operating system).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub undeclared_os: Option<UndeclaredOs>,
}

/// What a patch policy applies on an operating system the plan declares no baseline for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum UndeclaredOs {
    /// Nothing: the policy lists only the declared operating systems, and a run on a node of
    /// another one fails (exit 163, "Unable to find Baseline Override for Operating System").
    #[default]
    Fail,
    /// AWS's predefined default baseline of that operating system.
    AwsDefault,
}

impl UndeclaredOs {
    /// `fail` / `aws-default`.
    pub fn as_str(self) -> &'static str {
        match self {
            UndeclaredOs::Fail => "fail",
            UndeclaredOs::AwsDefault => "aws-default",
        }
    }
}

/// Backend selection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum BackendChoice {
    /// Pick patch-policy, then association, then maintenance-window: the first that runs the
    /// whole plan exactly.
    #[default]
    Auto,
    /// Quick Setup patch policy.
    PatchPolicy,
    /// State Manager associations.
    Association,
    /// Maintenance windows.
    MaintenanceWindow,
}

/// Target selection; at least one selector.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct TargetsFile {
    /// Tag key → one value or a list of values (e.g. `"Patch Group" = "web"`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, OneOrMany>,
    /// Managed node ids (`i-…` or `mi-…`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub instance_ids: Vec<String>,
    /// Resource group names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resource_groups: Vec<String>,
}

/// A string or a list of strings.
///
/// Deserialized by hand: serde's derived untagged form reports only "data did not match any
/// variant of untagged enum"; this says which forms are accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum OneOrMany {
    /// One value.
    One(String),
    /// Several values.
    Many(Vec<String>),
}

impl<'de> Deserialize<'de> for OneOrMany {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = OneOrMany;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string (one value, e.g. \"web\") or a list of strings (e.g. [\"web\", \"api\"])")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<OneOrMany, E> {
                Ok(OneOrMany::One(v.to_string()))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<OneOrMany, E> {
                Ok(OneOrMany::One(v))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<OneOrMany, A::Error> {
                let mut out = Vec::new();
                while let Some(v) = seq.next_element::<String>()? {
                    out.push(v);
                }
                Ok(OneOrMany::Many(out))
            }
        }
        d.deserialize_any(V)
    }
}

impl OneOrMany {
    /// The values as a list.
    pub fn values(&self) -> Vec<String> {
        match self {
            OneOrMany::One(v) => vec![v.clone()],
            OneOrMany::Many(v) => v.clone(),
        }
    }
}

/// What an operation does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum OperationKind {
    /// `AWS-RunPatchBaseline` with `Operation=Scan`.
    Scan,
    /// `AWS-RunPatchBaseline` with `Operation=Install`.
    Install,
}

impl OperationKind {
    /// `scan` / `install`.
    pub fn as_str(self) -> &'static str {
        match self {
            OperationKind::Scan => "scan",
            OperationKind::Install => "install",
        }
    }

    /// The document parameter value: `Scan` / `Install`.
    pub fn aws_value(self) -> &'static str {
        match self {
            OperationKind::Scan => "Scan",
            OperationKind::Install => "Install",
        }
    }
}

/// `RebootOption` of AWS-RunPatchBaseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum RebootOption {
    /// `RebootIfNeeded` (AWS's default).
    #[default]
    RebootIfNeeded,
    /// `NoReboot`.
    NoReboot,
}

impl RebootOption {
    /// The document parameter value.
    pub fn aws_value(self) -> &'static str {
        match self {
            RebootOption::RebootIfNeeded => "RebootIfNeeded",
            RebootOption::NoReboot => "NoReboot",
        }
    }
}

/// One operation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct OperationFile {
    /// `scan` or `install`.
    pub kind: OperationKind,
    /// An AWS expression (`cron(...)`, `rate(...)`, `at(...)`) or a calendar rule such as
    /// `last sunday at 03:00`, `patch tuesday + 3 days at 02:00`, `every day at 01:00` or
    /// `7 days before install`.
    pub schedule: String,
    /// IANA time zone of the schedule (default: the plan's `time-zone`, else `UTC`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    /// ScheduleOffset (1-6 days) for a `cron(...)` schedule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset_days: Option<u32>,
    /// This operation's own approval rules, applied over the baselines (e.g. 14 days for the
    /// scan, 21 for the install).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval: Option<ApprovalOverride>,
    /// Install only: reboot when needed (default) or never.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reboot: Option<RebootOption>,
    /// How many nodes at once: a number (`10`) or a percentage (`10%`). Default `10%`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_concurrency: Option<String>,
    /// How many errors stop the run: a number or a percentage. Default `10%`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_errors: Option<String>,
    /// Maintenance windows only: hours the window is open (1-24, default 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_duration_hours: Option<u32>,
    /// Maintenance windows only: hours before the end when no new task starts (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_cutoff_hours: Option<u32>,
}

/// The compliance strategy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ComplianceFile {
    /// `none`, `rescan`, `put-compliance-items`, or the path of a custom strategy component
    /// (a `.wasm` file; a relative path is relative to the plan file's directory, or to the
    /// current directory for a plan given as text).
    pub strategy: String,
    /// Compliance type written by strategies that write items: `Patch` or `Custom:<name>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compliance_type: Option<String>,
    /// Settings passed to the strategy (strings, numbers, booleans).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub settings: BTreeMap<String, SettingValue>,
    /// What one call of the strategy may use; unset values keep the defaults.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limits: Option<StrategyLimitsFile>,
}

/// What one call of a strategy may use (each call gets a fresh sandbox with these).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct StrategyLimitsFile {
    /// Fuel, roughly WebAssembly instructions, 1,000,000-1,000,000,000,000 (default 2,000,000,000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fuel: Option<u64>,
    /// Wall-clock deadline in seconds, 1-600 (default 10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_seconds: Option<u64>,
    /// Memory cap in MiB, 1-4096 (default 256).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_mib: Option<u64>,
}

/// A strategy setting value.
///
/// Deserialized by hand, so a wrong value is reported as what it is and what is accepted (serde's
/// derived untagged form says only "data did not match any variant").
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(untagged)]
#[non_exhaustive]
pub enum SettingValue {
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A number.
    Float(f64),
    /// A string.
    Text(String),
}

impl<'de> Deserialize<'de> for SettingValue {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = SettingValue;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string, an integer, a number or a boolean (a strategy setting)")
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<SettingValue, E> {
                Ok(SettingValue::Bool(v))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<SettingValue, E> {
                Ok(SettingValue::Int(v))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<SettingValue, E> {
                // Past i64: kept as a number, as the derived form did.
                Ok(i64::try_from(v).map_or(SettingValue::Float(v as f64), SettingValue::Int))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<SettingValue, E> {
                Ok(SettingValue::Float(v))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<SettingValue, E> {
                Ok(SettingValue::Text(v.to_string()))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<SettingValue, E> {
                Ok(SettingValue::Text(v))
            }
        }
        d.deserialize_any(V)
    }
}

/// S3 location for override files and command output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct S3File {
    /// Bucket name.
    pub bucket: String,
    /// Key prefix of BaselineOverride files (default `ssmpatch/overrides`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub override_prefix: Option<String>,
    /// Key prefix of command output (default `ssmpatch/output`); output is written only when set
    /// or when a compliance strategy needs it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_prefix: Option<String>,
    /// The 12-digit account id that must own the bucket (sent as ExpectedBucketOwner).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_bucket_owner: Option<String>,
    /// KMS key for SSE-KMS (default: SSE-S3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
}

/// The JSON Schema of the plan file, pretty-printed.
pub fn schema_json() -> String {
    let schema = schemars::schema_for!(PlanFile);
    let mut s = serde_json::to_string_pretty(&schema).unwrap_or_default();
    s.push('\n');
    s
}
