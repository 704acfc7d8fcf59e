//! The least-privilege IAM policy a plan needs (`ssmpatch iam-policy PLAN`).

use serde_json::{Value, json};

use crate::plan::Plan;
use crate::schedule::Backend;

/// The policy document for applying, planning and destroying `plan` on `backend`.
pub fn policy(plan: &Plan, backend: Backend) -> Value {
    let mut read = vec!["ssm:ListTagsForResource", "ssm:DescribePatchBaselines", "ssm:GetPatchBaseline"];
    let mut write = vec![
        "ssm:AddTagsToResource",
        "ssm:RemoveTagsFromResource",
        "ssm:CreatePatchBaseline",
        "ssm:UpdatePatchBaseline",
        "ssm:DeletePatchBaseline",
        "ssm:RegisterPatchBaselineForPatchGroup",
        "ssm:DeregisterPatchBaselineForPatchGroup",
    ];
    match backend {
        Backend::MaintenanceWindow => {
            read.extend([
                "ssm:DescribeMaintenanceWindows",
                "ssm:DescribeMaintenanceWindowTargets",
                "ssm:DescribeMaintenanceWindowTasks",
                "ssm:GetMaintenanceWindowTask",
            ]);
            write.extend([
                "ssm:CreateMaintenanceWindow",
                "ssm:UpdateMaintenanceWindow",
                "ssm:DeleteMaintenanceWindow",
                "ssm:RegisterTargetWithMaintenanceWindow",
                "ssm:UpdateMaintenanceWindowTarget",
                "ssm:DeregisterTargetFromMaintenanceWindow",
                "ssm:RegisterTaskWithMaintenanceWindow",
                "ssm:UpdateMaintenanceWindowTask",
                "ssm:DeregisterTaskFromMaintenanceWindow",
            ]);
        }
        Backend::Association => {
            read.extend(["ssm:ListAssociations", "ssm:DescribeAssociation"]);
            write.extend(["ssm:CreateAssociation", "ssm:UpdateAssociation", "ssm:DeleteAssociation"]);
        }
        Backend::PatchPolicy => {
            read.extend(["ssm-quicksetup:ListConfigurationManagers", "ssm-quicksetup:GetConfigurationManager"]);
            write.extend([
                "ssm-quicksetup:CreateConfigurationManager",
                "ssm-quicksetup:UpdateConfigurationDefinition",
                "ssm-quicksetup:DeleteConfigurationManager",
                "ssm-quicksetup:TagResource",
            ]);
        }
    }
    let mut statements = vec![
        json!({"Sid": "ReadPlanState", "Effect": "Allow", "Action": read, "Resource": "*"}),
        json!({"Sid": "ChangePlanResources", "Effect": "Allow", "Action": write, "Resource": "*"}),
    ];
    if let Some(s3) = &plan.s3 {
        let prefix = format!("{}/{}/", s3.override_prefix, plan.name);
        statements.push(json!({
            "Sid": "ListOverrideObjects", "Effect": "Allow", "Action": ["s3:ListBucket"],
            "Resource": format!("arn:aws:s3:::{}", s3.bucket),
            "Condition": {"StringLike": {"s3:prefix": [format!("{prefix}*")]}},
        }));
        statements.push(json!({
            "Sid": "WriteOverrideObjects", "Effect": "Allow", "Action": ["s3:PutObject", "s3:DeleteObject"],
            "Resource": format!("arn:aws:s3:::{}/{prefix}*", s3.bucket),
        }));
        if let Some(k) = &s3.kms_key_id {
            statements.push(json!({"Sid": "EncryptOverrideObjects", "Effect": "Allow", "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": k}));
        }
    }
    json!({"Version": "2012-10-17", "Statement": statements})
}
