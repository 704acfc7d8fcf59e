//! The least-privilege IAM policy a plan needs (`ssmpatch iam-policy PLAN`): the shared actions
//! (tags, baselines, override objects) plus the backend's own ([`super::Definition::iam_actions`]).

use serde_json::{Value, json};

use crate::plan::Plan;
use crate::schedule::Backend;

/// The actions a backend reads and writes with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IamActions {
    /// Reading the plan's state.
    pub read: &'static [&'static str],
    /// Changing the plan's resources.
    pub write: &'static [&'static str],
    /// Finding the plan's finished runs for `refresh`.
    pub refresh: &'static [&'static str],
}

/// What every backend calls: tags and the custom baselines.
pub(super) const SHARED: IamActions = IamActions {
    read: &["ssm:ListTagsForResource", "ssm:DescribePatchBaselines", "ssm:GetPatchBaseline"],
    write: &[
        "ssm:AddTagsToResource",
        "ssm:RemoveTagsFromResource",
        "ssm:CreatePatchBaseline",
        "ssm:UpdatePatchBaseline",
        "ssm:DeletePatchBaseline",
        "ssm:RegisterPatchBaselineForPatchGroup",
        "ssm:DeregisterPatchBaselineForPatchGroup",
    ],
    // `refresh` on every backend: each run's invocations and output, the nodes' platforms, the
    // compliance it writes, the scan `rescan` starts, a command given with --command-id.
    refresh: &[
        "ssm:ListCommands",
        "ssm:ListCommandInvocations",
        "ssm:GetCommandInvocation",
        "ssm:DescribeInstanceInformation",
        "ssm:PutComplianceItems",
        "ssm:SendCommand",
    ],
};

/// The policy document for applying, planning and destroying `plan` on `backend`.
pub fn policy(plan: &Plan, backend: Backend) -> Value {
    let own = super::definition(backend).iam_actions();
    let read: Vec<&str> = SHARED.read.iter().chain(own.read).copied().collect();
    let write: Vec<&str> = SHARED.write.iter().chain(own.write).copied().collect();
    let refresh: Vec<&str> = SHARED.refresh.iter().chain(own.refresh).copied().collect();
    let mut statements = vec![
        json!({"Sid": "ReadPlanState", "Effect": "Allow", "Action": read, "Resource": "*"}),
        json!({"Sid": "ChangePlanResources", "Effect": "Allow", "Action": write, "Resource": "*"}),
        json!({"Sid": "RefreshCompliance", "Effect": "Allow", "Action": refresh, "Resource": "*"}),
    ];
    match backend {
        // "If no appropriate service-linked role for Systems Manager exists in your account, it is
        // created when you run RegisterTaskWithMaintenanceWindow" (API reference, ServiceRoleArn).
        Backend::MaintenanceWindow => statements.push(json!({
            "Sid": "CreateSystemsManagerServiceLinkedRole", "Effect": "Allow", "Action": ["iam:CreateServiceLinkedRole"],
            "Resource": "arn:aws:iam::*:role/aws-service-role/ssm.amazonaws.com/AWSServiceRoleForAmazonSSM",
            "Condition": {"StringEquals": {"iam:AWSServiceName": "ssm.amazonaws.com"}},
        })),
        // Quick Setup's deploying calls pass the local deployment roles (iam:PassRole, a dependent
        // action of CreateConfigurationManager, UpdateConfigurationDefinition and
        // DeleteConfigurationManager in the Service Authorization Reference).
        Backend::PatchPolicy => statements.push(json!({
            "Sid": "PassQuickSetupDeploymentRoles", "Effect": "Allow", "Action": ["iam:PassRole"],
            "Resource": [
                format!("arn:aws:iam::*:role/{}", super::LOCAL_ADMINISTRATION_ROLE),
                format!("arn:aws:iam::*:role/{}", super::LOCAL_EXECUTION_ROLE),
            ],
            "Condition": {"StringEquals": {"iam:PassedToService": ["cloudformation.amazonaws.com", "ssm-quicksetup.amazonaws.com"]}},
        })),
        _ => {}
    }
    if let Some(s3) = &plan.s3 {
        let prefix = format!("{}/{}/", s3.override_prefix, plan.name);
        statements.push(json!({
            "Sid": "ListOverrideObjects", "Effect": "Allow", "Action": ["s3:ListBucket"],
            "Resource": format!("arn:aws:s3:::{}", s3.bucket),
            "Condition": {"StringLike": {"s3:prefix": [format!("{prefix}*")]}},
        }));
        // HeadObject (is an object under our key ours?) needs s3:GetObject.
        statements.push(json!({
            "Sid": "WriteOverrideObjects", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
            "Resource": format!("arn:aws:s3:::{}/{prefix}*", s3.bucket),
        }));
        if let Some(output) = &s3.output_prefix {
            // `refresh` reads each node's complete output where the plan's runs write it.
            statements.push(json!({
                "Sid": "ReadCommandOutput", "Effect": "Allow", "Action": ["s3:GetObject"],
                "Resource": format!("arn:aws:s3:::{}/{output}/{}/*", s3.bucket, plan.name),
            }));
        }
        if let Some(k) = &s3.kms_key_id {
            statements.push(json!({"Sid": "EncryptOverrideObjects", "Effect": "Allow", "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": k}));
        }
    }
    json!({"Version": "2012-10-17", "Statement": statements})
}
