//! A plan's Quick Setup patch-policy settings (`[patch-policy]`) and what they mean: the local
//! deployment roles Quick Setup deploys through, whether Quick Setup may change the nodes'
//! instance profiles (`IsPolicyAttachAllowed`), and the baseline each operating system's runs
//! apply (`SelectedPatchBaselines`). Offline: `explain` shows it; the patch-policy backend writes
//! it. Sources are cited beside each rule; docs/patch-policies.md says the same for people.

use serde::Serialize;

use std::collections::BTreeMap;

use super::error::PlanError;
use super::file::{PatchPolicyFile, UndeclaredOs};
use crate::baseline::{BaselineSpec, OperatingSystem};

/// The local deployment administration role sent by default: the name Quick Setup's console
/// creates ("Use new IAM local deployment roles") and the Terraform provider's acceptance test
/// requires (aws-facts §6).
pub const DEFAULT_ADMINISTRATION_ROLE: &str = "AWS-QuickSetup-PatchPolicy-LocalAdministrationRole";
/// The local deployment execution role sent by default (see [`DEFAULT_ADMINISTRATION_ROLE`]).
pub const DEFAULT_EXECUTION_ROLE: &str = "AWS-QuickSetup-PatchPolicy-LocalExecutionRole";
/// The administration role of accounts onboarded to Quick Setup before the patch-policy roles
/// existed (Quick Setup getting-started, 2023; the role AWS's own `quick-setup-api` example sends).
pub const LEGACY_ADMINISTRATION_ROLE: &str = "AWS-QuickSetup-StackSet-Local-AdministrationRole";
/// The execution role of such accounts (see [`LEGACY_ADMINISTRATION_ROLE`]).
pub const LEGACY_EXECUTION_ROLE: &str = "AWS-QuickSetup-StackSet-Local-ExecutionRole";
/// `IsPolicyAttachAllowed` unless the plan says otherwise: `false` is AWS's own default
/// (ssm-quicksetup ConfigurationDefinition Parameters: "The default value is \"false\"") and
/// changes nothing ssmpatch did not create — Quick Setup would otherwise attach policies to the
/// instance profiles of nodes that other workloads may share. The price is written in `explain`:
/// each node's role must be prepared by hand.
pub const DEFAULT_ATTACH_NODE_POLICIES: bool = false;
/// The AWS managed policy a local execution role carries (AWS managed policy reference,
/// `arn:aws:iam::aws:policy/AWSQuickSetupPatchPolicyDeploymentRolePolicy`).
pub const DEPLOYMENT_ROLE_POLICY: &str = "AWSQuickSetupPatchPolicyDeploymentRolePolicy";

/// AWS's predefined default baseline of each operating system Patch Manager supports, by name
/// (Patch Manager user guide, "Predefined and custom patch baselines": the table of predefined
/// baselines; for Windows Server, "`AWS-DefaultPatchBaseline` is used as the default patch
/// baseline for Windows Server managed nodes"). Amazon Linux 2022 is left out: it was a preview
/// released as Amazon Linux 2023, and a Region need not offer its baseline.
pub const AWS_DEFAULT_BASELINES: [(OperatingSystem, &str); 14] = [
    (OperatingSystem::AlmaLinux, "AWS-AlmaLinuxDefaultPatchBaseline"),
    (OperatingSystem::AmazonLinux, "AWS-AmazonLinuxDefaultPatchBaseline"),
    (OperatingSystem::AmazonLinux2, "AWS-AmazonLinux2DefaultPatchBaseline"),
    (OperatingSystem::AmazonLinux2023, "AWS-AmazonLinux2023DefaultPatchBaseline"),
    (OperatingSystem::Centos, "AWS-CentOSDefaultPatchBaseline"),
    (OperatingSystem::Debian, "AWS-DebianDefaultPatchBaseline"),
    (OperatingSystem::Macos, "AWS-MacOSDefaultPatchBaseline"),
    (OperatingSystem::OracleLinux, "AWS-OracleLinuxDefaultPatchBaseline"),
    (OperatingSystem::Raspbian, "AWS-DefaultRaspbianPatchBaseline"),
    (OperatingSystem::RedhatEnterpriseLinux, "AWS-RedHatDefaultPatchBaseline"),
    (OperatingSystem::RockyLinux, "AWS-RockyLinuxDefaultPatchBaseline"),
    (OperatingSystem::Suse, "AWS-SuseDefaultPatchBaseline"),
    (OperatingSystem::Ubuntu, "AWS-UbuntuDefaultPatchBaseline"),
    (OperatingSystem::Windows, "AWS-DefaultPatchBaseline"),
];

/// The name of AWS's predefined default baseline for `os`, if the patch policy can list one.
pub fn aws_default_baseline(os: OperatingSystem) -> Option<&'static str> {
    AWS_DEFAULT_BASELINES.iter().find(|(o, _)| *o == os).map(|(_, n)| *n)
}

/// The validated `[patch-policy]` settings, defaults filled in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct PatchPolicySettings {
    /// The local deployment administration role's name.
    pub administration_role: String,
    /// The local deployment execution role's name.
    pub execution_role: String,
    /// `apply` creates the two roles when they do not exist.
    pub create_deployment_roles: bool,
    /// `IsPolicyAttachAllowed`: Quick Setup attaches policies to the targeted nodes' roles.
    pub attach_node_policies: bool,
    /// What runs on an operating system the plan declares no baseline for.
    pub undeclared_os: UndeclaredOs,
}

impl Default for PatchPolicySettings {
    fn default() -> Self {
        PatchPolicySettings {
            administration_role: DEFAULT_ADMINISTRATION_ROLE.to_string(),
            execution_role: DEFAULT_EXECUTION_ROLE.to_string(),
            create_deployment_roles: false,
            attach_node_policies: DEFAULT_ATTACH_NODE_POLICIES,
            undeclared_os: UndeclaredOs::Fail,
        }
    }
}

/// An IAM role name as `LocalDeploymentExecutionRoleName` takes it: `^[\w+=,.@-]{1,64}$`
/// (ssm-quicksetup model); the administration role's ARN is built from it.
fn valid_role_name(s: &str) -> bool {
    (1..=64).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c))
}

/// Validate `[patch-policy]`; problems are pushed to `errors`.
pub(super) fn validate(f: Option<&PatchPolicyFile>, errors: &mut Vec<PlanError>) -> PatchPolicySettings {
    let mut s = PatchPolicySettings::default();
    let Some(f) = f else { return s };
    for (key, value, slot) in [
        ("administration-role", &f.administration_role, &mut s.administration_role),
        ("execution-role", &f.execution_role, &mut s.execution_role),
    ] {
        let Some(v) = value else { continue };
        if !valid_role_name(v) {
            errors.push(
                PlanError::at(
                    format!("patch-policy.{key}"),
                    format!("`{}` is not an IAM role name", crate::input::echo(v)),
                )
                .with_hint("write the role's name (1-64 letters, digits or `_+=,.@-`), not its ARN"),
            );
        }
        *slot = v.clone();
    }
    s.create_deployment_roles = f.create_deployment_roles.unwrap_or(false);
    s.attach_node_policies = f.attach_node_policies.unwrap_or(DEFAULT_ATTACH_NODE_POLICIES);
    s.undeclared_os = f.undeclared_os.unwrap_or_default();
    s
}

/// Where an operating system's baseline comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum BaselineSource {
    /// The plan declares it (inline rules: ssmpatch's custom baseline; or an existing baseline).
    Declared,
    /// AWS's predefined default baseline (`undeclared-os = "aws-default"`).
    AwsDefault,
    /// None: a run on such a node fails (exit 163).
    Missing,
}

/// The baseline one operating system's runs apply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OsBaseline {
    /// The operating system (AWS spelling).
    pub operating_system: OperatingSystem,
    /// Where the baseline comes from.
    pub source: BaselineSource,
    /// The baseline's name or id; empty when missing.
    pub baseline: String,
}

impl OsBaseline {
    /// One line for people.
    pub fn describe(&self) -> String {
        match self.source {
            BaselineSource::Declared => format!("{}: {} (declared)", self.operating_system, self.baseline),
            BaselineSource::AwsDefault => format!("{}: {} (AWS default)", self.operating_system, self.baseline),
            BaselineSource::Missing => format!("{}: fails: exit 163", self.operating_system),
        }
    }
}

/// What the plan's patch policy is deployed through and applies (`explain`'s `patch_policy`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PatchPolicyExplanation {
    /// The settings, defaults filled in.
    #[serde(flatten)]
    pub settings: PatchPolicySettings,
    /// Who changes the targeted nodes' roles, and what the nodes need.
    pub node_roles: String,
    /// What the deployment roles need, and who creates them.
    pub deployment_roles: String,
    /// The baseline each operating system's runs apply, every operating system Patch Manager
    /// knows, in AWS's order.
    pub baselines: Vec<OsBaseline>,
}

/// The name ssmpatch gives the custom baseline of `os` (the same as the backends' naming:
/// `ssmpatch-<plan>-<os in lower case, `-` for `_`>`; a test holds the two together).
fn custom_baseline_name(plan: &str, os: OperatingSystem) -> String {
    format!("ssmpatch-{plan}-{}", os.as_str().to_ascii_lowercase().replace('_', "-"))
}

/// The baseline a patch policy's runs apply on each operating system Patch Manager knows: the
/// declared one (the plan's custom baseline, or the existing baseline it names), else AWS's
/// predefined default (`undeclared-os = "aws-default"`), else none — and then the run fails on
/// such a node: the policy passes its baselines to AWS-RunPatchBaseline as `BaselineOverride`,
/// and the payload exits 163 when the node's operating system has no entry
/// (aws-fidelity-audit §1, `SelectedPatchBaselines`).
pub(super) fn baselines(
    plan: &str,
    declared: &BTreeMap<OperatingSystem, BaselineSpec>,
    settings: &PatchPolicySettings,
) -> Vec<OsBaseline> {
    OperatingSystem::ALL
        .into_iter()
        .map(|os| {
            if let Some(b) = declared.get(&os) {
                let name = b.baseline_id.clone().unwrap_or_else(|| custom_baseline_name(plan, os));
                return OsBaseline { operating_system: os, source: BaselineSource::Declared, baseline: name };
            }
            match (settings.undeclared_os, aws_default_baseline(os)) {
                (UndeclaredOs::AwsDefault, Some(name)) => {
                    OsBaseline { operating_system: os, source: BaselineSource::AwsDefault, baseline: name.into() }
                }
                _ => OsBaseline { operating_system: os, source: BaselineSource::Missing, baseline: String::new() },
            }
        })
        .collect()
}

/// The patch-policy part of `explain`, with the warnings it raises.
pub(super) fn explain(
    settings: &PatchPolicySettings,
    baselines: Vec<OsBaseline>,
) -> (PatchPolicyExplanation, Vec<String>) {
    let s = settings.clone();
    let mut warnings = Vec::new();
    // Quick Setup user guide, "Automate organization-wide patching using a Quick Setup patch
    // policy", the step "Add required IAM policies to existing instance profiles attached to
    // your instances" and its Important note.
    let node_roles = if s.attach_node_policies {
        "attach-node-policies = true (IsPolicyAttachAllowed): Quick Setup attaches the IAM policies patching \
         needs to the instance profile (EC2) or service role (hybrid nodes) of every targeted node, also of \
         nodes that become targets later; ssmpatch neither manages nor removes them"
            .to_string()
    } else {
        warnings.push(
            "attach-node-policies = false: every targeted node's role must be prepared by hand before the first \
             run (see the patch policy's node roles above, docs/patch-policies.md), or every run fails on the node; \
             `[patch-policy] attach-node-policies = true` lets Quick Setup do it"
                .to_string(),
        );
        "attach-node-policies = false (IsPolicyAttachAllowed): nobody changes the nodes' roles; each targeted \
         node's instance profile or service role must already have AmazonSSMManagedInstanceCore, s3:GetObject on \
         the buckets aws-quicksetup-patchpolicy-* and the tag QSConfigId-<configuration id> = <configuration \
         id>, or its runs fail"
            .to_string()
    };
    let deployment_roles = if s.create_deployment_roles {
        format!(
            "Quick Setup deploys through {} and {}; apply creates them if they do not exist (trusted by \
             CloudFormation StackSets / the administration role, with {DEPLOYMENT_ROLE_POLICY}) and never deletes them",
            s.administration_role, s.execution_role
        )
    } else {
        format!(
            "Quick Setup deploys through {} and {}, which must exist in the account: apply checks them first \
             and stops if one is missing (`[patch-policy] create-deployment-roles = true` creates them)",
            s.administration_role, s.execution_role
        )
    };
    let missing: Vec<&str> = baselines
        .iter()
        .filter(|b| b.source == BaselineSource::Missing && aws_default_baseline(b.operating_system).is_some())
        .map(|b| b.operating_system.as_str())
        .collect();
    if !missing.is_empty() {
        let declared: Vec<&str> = baselines
            .iter()
            .filter(|b| b.source == BaselineSource::Declared)
            .map(|b| b.operating_system.as_str())
            .collect();
        warnings.push(format!(
            "undeclared-os = \"fail\": the patch policy lists baselines for {} only, so a run on a targeted node \
             running any other operating system ({}) fails with exit code 163; declare its baseline, or set \
             `[patch-policy] undeclared-os = \"aws-default\"` to apply AWS's default baseline there",
            if declared.is_empty() { "no operating system".to_string() } else { declared.join(", ") },
            missing.join(", ")
        ));
    }
    (PatchPolicyExplanation { settings: s, node_roles, deployment_roles, baselines }, warnings)
}
