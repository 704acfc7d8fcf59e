//! The least-privilege IAM policies a plan needs (`ssmpatch iam-policy PLAN [--for ...] [--node]`):
//! for the caller, per command — the shared actions (tags, baselines, override objects, reading
//! runs) plus the backend's own ([`super::Definition::iam_actions`]) — and for the managed nodes'
//! instance profile (reading the override, writing command output).
//!
//! Which command calls which action is measured, not guessed: core's `iam_policy` integration
//! test runs each command on each backend against the stand-in with IAM enforced, checks that it
//! uses exactly the actions of its policy, and removes each action in turn to see the command
//! fail naming it.
//!
//! Systems Manager and Quick Setup statements use `Resource: "*"` (the Service Authorization
//! Reference lists no resource type for most of the List/Describe/Create actions, and the
//! resources ssmpatch creates get their ids from AWS); S3, IAM and KMS statements name their
//! resources, in the plan's partition.

use std::fmt;
use std::str::FromStr;

use serde_json::{Value, json};

use crate::plan::{Compliance, Plan};
use crate::schedule::Backend;

/// The actions a backend calls, by what they are for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IamActions {
    /// Reading the plan's state (every command).
    pub read: &'static [&'static str],
    /// Creating and updating the plan's resources (`apply`).
    pub change: &'static [&'static str],
    /// Deleting them (`apply`, `destroy`).
    pub delete: &'static [&'static str],
    /// Removing a part of a resource that stays, e.g. a stray target of a kept window (`apply`;
    /// `destroy` deletes the whole resource).
    pub prune: &'static [&'static str],
    /// Deleting what only `destroy` deletes (`apply` keeps or updates it).
    pub teardown: &'static [&'static str],
    /// What a delete checks first (is a run still going?).
    pub before_delete: &'static [&'static str],
    /// Finding the plan's finished runs (`refresh`).
    pub refresh: &'static [&'static str],
}

/// What every backend calls: tags and the custom baselines; `refresh` reading commands.
pub(super) const SHARED: IamActions = IamActions {
    read: &["ssm:ListTagsForResource", "ssm:DescribePatchBaselines", "ssm:GetPatchBaseline"],
    change: &[
        "ssm:AddTagsToResource",
        "ssm:RemoveTagsFromResource",
        "ssm:CreatePatchBaseline",
        "ssm:UpdatePatchBaseline",
        "ssm:RegisterPatchBaselineForPatchGroup",
    ],
    delete: &["ssm:DeletePatchBaseline", "ssm:DeregisterPatchBaselineForPatchGroup"],
    prune: &[],
    teardown: &[],
    before_delete: &[],
    // Each run's invocations and output, the nodes' platforms; a command given with --command-id.
    refresh: &[
        "ssm:ListCommands",
        "ssm:ListCommandInvocations",
        "ssm:GetCommandInvocation",
        "ssm:DescribeInstanceInformation",
    ],
};

/// What `status` reads on every backend.
const STATUS: &[&str] =
    &["ssm:DescribeInstanceInformation", "ssm:DescribeInstancePatchStates", "ssm:ListResourceComplianceSummaries"];

/// What `status` reads beside a backend's runs: the commands sent to a node whose report is not
/// the plan's, and a failed command's output.
const STATUS_RUNS: &[&str] = &["ssm:ListCommands", "ssm:GetCommandInvocation"];

/// What `status` reads of a window run whose task invocation names several nodes (one command
/// for them all; AWS's example shows one node per invocation, the other reading is UNCONFIRMED):
/// each node's own status.
const STATUS_WINDOW_RUNS: &[&str] = &["ssm:ListCommandInvocations"];

/// A command whose permissions a policy grants (`--for`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IamCommand {
    /// `ssmpatch plan`: reads only.
    Plan,
    /// `ssmpatch apply`: reads, creates, updates, deletes.
    Apply,
    /// `ssmpatch refresh`: reads runs and output, writes compliance (or starts a scan).
    Refresh,
    /// `ssmpatch destroy`: reads and deletes.
    Destroy,
    /// `ssmpatch status`: reads only (runs, agents, patch states, compliance summaries).
    Status,
}

impl IamCommand {
    /// Every command.
    pub const ALL: [IamCommand; 5] =
        [IamCommand::Plan, IamCommand::Apply, IamCommand::Refresh, IamCommand::Destroy, IamCommand::Status];

    /// The command's name.
    pub fn name(self) -> &'static str {
        match self {
            IamCommand::Plan => "plan",
            IamCommand::Apply => "apply",
            IamCommand::Refresh => "refresh",
            IamCommand::Destroy => "destroy",
            IamCommand::Status => "status",
        }
    }
}

impl fmt::Display for IamCommand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for IamCommand {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        IamCommand::ALL.into_iter().find(|c| c.name() == s).ok_or_else(|| {
            format!("`{s}` is not a command with a policy: plan, apply, refresh, destroy, status or all")
        })
    }
}

/// For which commands, and in which partition and account, a policy is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyOptions {
    /// The commands the policy lets run (all of them by default).
    pub commands: Vec<IamCommand>,
    /// The ARN partition (`aws`, `aws-cn`, `aws-us-gov`, …).
    pub partition: String,
    /// The account in ARNs that have one (`*` when not known).
    pub account: String,
}

impl PolicyOptions {
    /// Every command, in the partition of the plan's Region (`aws` when it names none), any account.
    pub fn new(plan: &Plan) -> PolicyOptions {
        PolicyOptions {
            commands: IamCommand::ALL.to_vec(),
            partition: plan.region().map_or("aws", partition_of_region).to_string(),
            account: "*".into(),
        }
    }

    /// Only these commands.
    pub fn commands(mut self, commands: &[IamCommand]) -> PolicyOptions {
        self.commands = commands.to_vec();
        self
    }

    fn has(&self, c: IamCommand) -> bool {
        self.commands.contains(&c)
    }
}

/// The ARN partition of a Region ("AWS General Reference: ARN format"; China Regions `cn-*`,
/// AWS GovCloud (US) `us-gov-*`, the ISO Regions).
pub fn partition_of_region(region: &str) -> &'static str {
    const PREFIXES: [(&str, &str); 6] = [
        ("cn-", "aws-cn"),
        ("us-gov-", "aws-us-gov"),
        ("us-isob-", "aws-iso-b"),
        ("us-isof-", "aws-iso-f"),
        ("us-iso-", "aws-iso"),
        ("eu-isoe-", "aws-iso-e"),
    ];
    PREFIXES.iter().find(|(p, _)| region.starts_with(p)).map_or("aws", |(_, part)| part)
}

/// The caller's policy document for running `opts.commands` of `plan` on `backend`.
pub fn policy(plan: &Plan, backend: Backend, opts: &PolicyOptions) -> Value {
    let own = super::definition(backend).iam_actions();
    let (p, account) = (opts.partition.as_str(), opts.account.as_str());
    let (apply, destroy, refresh) =
        (opts.has(IamCommand::Apply), opts.has(IamCommand::Destroy), opts.has(IamCommand::Refresh));
    let mut ssm: Vec<&str> = Vec::new();
    let mut add = |list: &[&'static str]| ssm.extend_from_slice(list);
    // Every command reads the plan's state first — except `refresh` of a patch policy, whose
    // runs AWS records itself: it reads only a command given with --command-id.
    let plan_cmd = opts.has(IamCommand::Plan);
    if plan_cmd || apply || destroy || refresh && backend != Backend::PatchPolicy {
        add(SHARED.read);
        add(own.read);
    }
    // The plan's resources are looked for on every backend, whatever `backend` says (a plan that
    // moved, or extra copies); apply and destroy delete what it owns on the others.
    for other in Backend::ALL.into_iter().filter(|b| *b != backend) {
        let theirs = super::definition(other).iam_actions();
        if plan_cmd || apply || destroy {
            add(theirs.read);
        }
        if apply || destroy {
            add(theirs.delete);
            add(theirs.before_delete);
            add(theirs.teardown);
        }
    }
    if (plan_cmd || apply) && backend != Backend::PatchPolicy {
        // Before a baseline is registered for a patch group: is the group held by another?
        add(&["ssm:DescribePatchGroups"]);
    }
    if apply {
        add(SHARED.change);
        add(own.change);
        add(own.prune);
    }
    if apply || destroy {
        add(SHARED.delete);
        add(own.delete);
        add(own.before_delete);
    }
    if destroy {
        add(own.teardown);
    }
    if opts.has(IamCommand::Status) {
        // The plan's resources, the targets' agents, their patch states and compliance summaries;
        // elsewhere than on patch policies (whose runs AWS keeps no record of) the runs, and for
        // suspects the commands sent to a node and a failed command's output.
        add(SHARED.read);
        add(own.read);
        add(STATUS);
        if backend != Backend::PatchPolicy {
            add(own.refresh);
            add(STATUS_RUNS);
        }
        if backend == Backend::MaintenanceWindow {
            add(STATUS_WINDOW_RUNS);
        }
    }
    if refresh {
        add(SHARED.refresh);
        add(own.refresh);
        add(strategy_actions(&plan.compliance));
    }
    if backend == Backend::PatchPolicy {
        // A patch policy names its baselines itself (SelectedPatchBaselines): no patch groups —
        // except that `apply` deregisters those of a baseline the plan registered on the window
        // or association backend before it moved.
        ssm.retain(|a| {
            *a != "ssm:RegisterPatchBaselineForPatchGroup"
                && (apply || *a != "ssm:DeregisterPatchBaselineForPatchGroup")
        });
    }
    let mut seen = std::collections::BTreeSet::new();
    ssm.retain(|a| seen.insert(*a));
    // IAM actions (a patch policy's deployment roles) get their own statement, on the roles.
    let mut roles: Vec<&str> = ssm.iter().copied().filter(|a| a.starts_with("iam:")).collect();
    ssm.retain(|a| !a.starts_with("iam:"));
    let mut statements = vec![json!({"Sid": "SystemsManager", "Effect": "Allow", "Action": ssm, "Resource": "*"})];
    {
        let (admin, exec) = super::deployment_roles(plan);
        if backend == Backend::PatchPolicy && plan.patch_policy().create_deployment_roles {
            // The opt-in that creates the roles reads them at plan and apply, and creates them.
            if plan_cmd || apply {
                roles.extend_from_slice(super::CREATE_ROLES_READ);
            }
            if apply {
                roles.extend_from_slice(super::CREATE_ROLES_CHANGE);
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        roles.retain(|a| seen.insert(*a));
        if !roles.is_empty() {
            let mut arns: Vec<String> =
                [admin.as_str(), exec.as_str()].iter().map(|r| format!("arn:{p}:iam::{account}:role/{r}")).collect();
            if roles.contains(&"iam:GetRole") && !plan.patch_policy().create_deployment_roles {
                // When a role is missing, the error names the older StackSet roles if the account
                // has those instead (a read the check tolerates being refused).
                for r in [crate::plan::LEGACY_ADMINISTRATION_ROLE, crate::plan::LEGACY_EXECUTION_ROLE] {
                    arns.push(format!("arn:{p}:iam::{account}:role/{r}"));
                }
            }
            statements.push(
                json!({"Sid": "QuickSetupDeploymentRoles", "Effect": "Allow", "Action": roles, "Resource": arns}),
            );
        }
    }
    if let (true, Backend::MaintenanceWindow, Some(role)) = (apply, backend, plan.service_role_arn()) {
        // Window tasks run as the plan's role: registering them passes it to Systems Manager
        // (iam:PassRole, a dependent action of RegisterTaskWithMaintenanceWindow and
        // UpdateMaintenanceWindowTask in the Service Authorization Reference).
        statements.push(json!({
            "Sid": "PassMaintenanceWindowServiceRole", "Effect": "Allow", "Action": ["iam:PassRole"],
            "Resource": role,
            "Condition": {"StringEquals": {"iam:PassedToService": "ssm.amazonaws.com"}},
        }));
    } else if apply && backend == Backend::MaintenanceWindow {
        // "If no appropriate service-linked role for Systems Manager exists in your account, it is
        // created when you run RegisterTaskWithMaintenanceWindow" (API reference, ServiceRoleArn).
        statements.push(json!({
            "Sid": "CreateSystemsManagerServiceLinkedRole", "Effect": "Allow", "Action": ["iam:CreateServiceLinkedRole"],
            "Resource": format!("arn:{p}:iam::{account}:role/aws-service-role/ssm.amazonaws.com/AWSServiceRoleForAmazonSSM"),
            "Condition": {"StringEquals": {"iam:AWSServiceName": "ssm.amazonaws.com"}},
        }));
    }
    if apply || destroy {
        // Deleting a patch policy (the plan's, or one it left on that backend) passes the roles too.
        let (admin, exec) = super::deployment_roles(plan);
        let role_arns = [format!("arn:{p}:iam::{account}:role/{admin}"), format!("arn:{p}:iam::{account}:role/{exec}")];
        // Quick Setup's deploying calls pass the local deployment roles (iam:PassRole, a
        // dependent action of CreateConfigurationManager, UpdateConfigurationDefinition and
        // DeleteConfigurationManager in the Service Authorization Reference).
        statements.push(json!({
            "Sid": "PassQuickSetupDeploymentRoles", "Effect": "Allow", "Action": ["iam:PassRole"],
            "Resource": role_arns.clone(),
            "Condition": {"StringEquals": {"iam:PassedToService": ["cloudformation.amazonaws.com", "ssm-quicksetup.amazonaws.com"]}},
        }));
    }
    if apply || destroy {
        // The plan's lease (crate::lease): one apply or destroy at a time per plan.
        statements.push(crate::lease::lease_statement(p, plan.region().unwrap_or("*"), account, &plan.name));
    }
    if let Some(s3) = &plan.s3
        && backend != Backend::PatchPolicy
    {
        let prefix = format!("{}/{}/", s3.override_prefix, plan.name);
        statements.push(json!({
            "Sid": "ListOverrideObjects", "Effect": "Allow", "Action": ["s3:ListBucket"],
            "Resource": format!("arn:{p}:s3:::{}", s3.bucket),
            "Condition": {"StringLike": {"s3:prefix": [format!("{prefix}*")]}},
        }));
        // HeadObject of an override the plan keeps (is it ours, unchanged?) is authorized as
        // s3:GetObject: every command reads the plan's state.
        let mut objects = vec!["s3:GetObject"];
        if apply {
            objects.push("s3:PutObject");
        }
        if apply || destroy {
            objects.push("s3:DeleteObject");
        }
        statements.push(json!({
            "Sid": "OverrideObjects", "Effect": "Allow", "Action": objects,
            "Resource": format!("arn:{p}:s3:::{}/{prefix}*", s3.bucket),
        }));
        if let (Some(output), true) = (&s3.output_prefix, refresh) {
            // `refresh` reads each node's complete output where the plan's runs write it.
            statements.push(json!({
                "Sid": "ReadCommandOutput", "Effect": "Allow", "Action": ["s3:GetObject"],
                "Resource": format!("arn:{p}:s3:::{}/{output}/{}/*", s3.bucket, plan.name),
            }));
        }
        if let (Some(key), true) = (&s3.kms_key_id, apply) {
            // PutObject with SSE-KMS needs kms:GenerateDataKey on the key (S3 user guide,
            // "Using server-side encryption with AWS KMS keys", permissions).
            statements.push(kms_statement("EncryptOverrideObjects", &["kms:GenerateDataKey"], key, plan, opts));
        }
    }
    json!({"Version": "2012-10-17", "Statement": statements})
}

/// The actions the plan's compliance strategy performs in `refresh`.
fn strategy_actions(c: &Compliance) -> &'static [&'static str] {
    match c {
        Compliance::None => &[],
        // A scan is started unless AWS recorded the node's compliance after the run (its patch
        // state).
        Compliance::Rescan => &["ssm:SendCommand", "ssm:DescribeInstancePatchStates"],
        Compliance::PutComplianceItems => &["ssm:PutComplianceItems"],
        // A strategy of the user's may ask for either.
        Compliance::Custom { .. } => &["ssm:PutComplianceItems", "ssm:SendCommand", "ssm:DescribeInstancePatchStates"],
    }
}

/// A KMS statement for the plan's key: its ARN when the plan gives an ARN or a key id; for an
/// alias, any key in the Region that has that alias (`kms:ResourceAliases`, AWS KMS developer
/// guide, "Use aliases to control access to KMS keys").
fn kms_statement(sid: &str, actions: &[&str], key: &str, plan: &Plan, opts: &PolicyOptions) -> Value {
    let region = plan.region().unwrap_or("*");
    let (p, account) = (opts.partition.as_str(), opts.account.as_str());
    if key.starts_with("arn:") && key.contains(":key/") {
        return json!({"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": key});
    }
    let alias = if key.starts_with("alias/") {
        Some(key.to_string())
    } else if key.starts_with("arn:") {
        key.split_once(":alias/").map(|(_, a)| format!("alias/{a}"))
    } else {
        None
    };
    match alias {
        Some(alias) => json!({
            "Sid": sid, "Effect": "Allow", "Action": actions,
            "Resource": format!("arn:{p}:kms:{region}:{account}:key/*"),
            "Condition": {"ForAnyValue:StringEquals": {"kms:ResourceAliases": alias}},
        }),
        None => json!({
            "Sid": sid, "Effect": "Allow", "Action": actions,
            "Resource": format!("arn:{p}:kms:{region}:{account}:key/{key}"),
        }),
    }
}

/// The statements the managed nodes' instance profile needs for the plan's runs (`--node`):
/// reading the override file (payload: exit 162 when it cannot), writing command output (the
/// agent: the output is silently missing when it cannot), and for patch policies reading Quick
/// Setup's own override bucket. The node also needs the AWS managed policy
/// `AmazonSSMManagedInstanceCore` (not repeated here). `None` when the plan's runs need nothing
/// beyond that.
pub fn node_policy(plan: &Plan, backend: Backend, opts: &PolicyOptions) -> Option<Value> {
    let p = opts.partition.as_str();
    let mut statements = Vec::new();
    if let Some(s3) = &plan.s3 {
        if backend != Backend::PatchPolicy {
            // AWS-RunPatchBaseline downloads `s3://` BaselineOverride files with the instance
            // profile ("BaselineOverride", patch-manager-aws-runpatchbaseline).
            statements.push(json!({
                "Sid": "ReadBaselineOverrides", "Effect": "Allow", "Action": ["s3:GetObject"],
                "Resource": format!("arn:{p}:s3:::{}/{}/{}/*", s3.bucket, s3.override_prefix, plan.name),
            }));
            if let Some(key) = &s3.kms_key_id {
                statements.push(kms_statement("DecryptBaselineOverrides", &["kms:Decrypt"], key, plan, opts));
            }
        }
        if let Some(output) = &s3.output_prefix {
            // The agent uploads command output with the instance profile (SSM user guide,
            // "Configure instance permissions": s3:PutObject and s3:GetEncryptionConfiguration).
            statements.push(json!({
                "Sid": "WriteCommandOutput", "Effect": "Allow", "Action": ["s3:PutObject"],
                "Resource": format!("arn:{p}:s3:::{}/{output}/{}/*", s3.bucket, plan.name),
            }));
            statements.push(json!({
                "Sid": "ReadOutputBucketEncryption", "Effect": "Allow", "Action": ["s3:GetEncryptionConfiguration"],
                "Resource": format!("arn:{p}:s3:::{}", s3.bucket),
            }));
        }
    }
    if backend == Backend::PatchPolicy {
        // Without IsPolicyAttachAllowed, "you must ensure" each node role allows s3:GetObject on
        // Quick Setup's buckets and carries the tag QSConfigId-<id> (quick-setup-patch-manager).
        statements.push(json!({
            "Sid": "ReadPatchPolicyOverrides", "Effect": "Allow", "Action": ["s3:GetObject"],
            "Resource": format!("arn:{p}:s3:::aws-quicksetup-patchpolicy-*"),
        }));
    }
    (!statements.is_empty()).then(|| json!({"Version": "2012-10-17", "Statement": statements}))
}
