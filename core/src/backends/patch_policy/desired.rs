//! The patch policy a plan needs (pure): one Quick Setup configuration of type
//! `AWSQuickSetupType-PatchPolicy` running the plan's scan and install.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::backends::model::{Desired, Key, Kind, Payload};
use crate::backends::naming::{baseline_name, patch_policy_name};
use crate::backends::shared::tags;
use crate::plan::Compiled;
use crate::plan::Operation;
use crate::plan::file::OperationKind;
use crate::plan::{BaselineSource, Explanation, Plan};

/// The patch policy, when the plan has a scan or an install with an exact schedule, and the
/// local deployment roles when the plan asks ssmpatch to create them.
pub(crate) fn resources(plan: &Plan, ex: &Explanation) -> Vec<Desired> {
    let policy = patch_policy(plan, ex, &json!(tags::of_plan(plan)));
    let roles = policy.as_ref().and_then(|_| super::roles::desired(plan));
    roles.into_iter().chain(policy).collect()
}

/// One Quick Setup patch policy running the plan's scan and install (aws-facts §6). Account- and
/// Region-specific parameters (`TargetAccounts`, `TargetRegions`, `PatchBaselineRegion`, the
/// local deployment roles) and the baseline ids in `SelectedPatchBaselines` are filled in by the
/// backend when it writes.
fn patch_policy(plan: &Plan, ex: &Explanation, tags: &Value) -> Option<Desired> {
    let form = |kind: OperationKind| -> Option<(&Operation, String)> {
        let (op, e) = plan.operations.iter().zip(&ex.operations).find(|(o, _)| o.kind == kind)?;
        match &e.compiled {
            Compiled::Exact { native } => Some((op, native.expression.clone())),
            _ => None,
        }
    };
    let scan = form(OperationKind::Scan);
    let install = form(OperationKind::Install);
    let mut p: BTreeMap<&str, String> = BTreeMap::new();
    p.insert("PatchPolicyName", patch_policy_name(&plan.name));
    p.insert("ConfigurationOptionsPatchOperation", if install.is_some() { "ScanAndInstall" } else { "Scan" }.into());
    // "true" = wait for the schedule. With "false" (the API's default) Quick Setup "immediately
    // scans nodes" / "immediately install[s] updates on nodes as they become targets" — at
    // `apply`, and on every node tagged into the targets later (Quick Setup user guide, patch
    // policy options "Wait to scan/install … until first CRON interval").
    if let Some((_, expr)) = &scan {
        p.insert("ConfigurationOptionsScanValue", expr.clone());
        p.insert("ConfigurationOptionsScanNextInterval", "true".into());
    }
    if let Some((op, expr)) = &install {
        p.insert("ConfigurationOptionsInstallValue", expr.clone());
        p.insert("ConfigurationOptionsInstallNextInterval", "true".into());
        p.insert("RebootOption", op.reboot.aws_value().into());
    }
    let rate_from = install.as_ref().or(scan.as_ref()).map(|(op, _)| *op)?;
    p.insert("RateControlConcurrency", rate_from.max_concurrency.clone());
    p.insert("RateControlErrorThreshold", rate_from.max_errors.clone());
    match (plan.targets.tags.iter().next(), plan.targets.resource_groups.first()) {
        (Some((k, v)), _) => {
            p.insert("TargetType", "Tags".into());
            p.insert("TargetTagKey", k.clone());
            p.insert("TargetTagValue", v.first().cloned().unwrap_or_default());
        }
        (None, Some(g)) => {
            p.insert("TargetType", "ResourceGroups".into());
            p.insert("ResourceGroupName", g.clone());
        }
        (None, None) => {
            p.insert("TargetType", "*".into());
        }
    }
    p.insert("PatchBaselineUseDefault", "custom".into());
    // `[patch-policy] attach-node-policies`: whether Quick Setup may attach the policies patching
    // needs to the targeted nodes' instance profiles (plan::patch_policy says why the default is
    // "false", and explain what each choice means for the nodes).
    p.insert("IsPolicyAttachAllowed", plan.patch_policy().attach_node_policies.to_string());
    p.insert("HasDeletedBaseline", "false".into());
    match plan.s3.as_ref().and_then(|s| s.output_prefix.as_ref().map(|o| (s.bucket.clone(), o.clone()))) {
        Some((bucket, prefix)) => {
            p.insert("OutputLogEnableS3", "true".into());
            p.insert("OutputS3BucketName", bucket);
            p.insert("OutputS3KeyPrefix", format!("{prefix}/{}", plan.name));
        }
        None => {
            p.insert("OutputLogEnableS3", "false".into());
        }
    }
    // OS → the baseline's name (our custom baselines; AWS's predefined default baselines with
    // `undeclared-os = "aws-default"`) or id (existing ones); ids are resolved when written. An
    // operating system without an entry fails its runs (exit 163): `explain` lists which.
    let selected: BTreeMap<String, String> = plan
        .patch_policy_baselines()
        .into_iter()
        .filter_map(|b| {
            let os = b.operating_system;
            let label = match b.source {
                BaselineSource::Declared => plan
                    .baseline_specs()
                    .get(&os)
                    .and_then(|spec| spec.baseline_id.clone())
                    .unwrap_or_else(|| baseline_name(&plan.name, os)),
                BaselineSource::AwsDefault => b.baseline,
                _ => return None,
            };
            Some((os.as_str().to_string(), label))
        })
        .collect();
    let (admin, exec) = super::roles::deployment_roles(plan);
    let name = patch_policy_name(&plan.name);
    Some(Desired {
        key: Key::new(Kind::PatchPolicy, name.clone()),
        spec: json!({
            "Name": name,
            "Description": format!("ssmpatch {}", plan.name),
            "Parameters": p,
            "SelectedPatchBaselines": selected,
            // The roles Quick Setup deploys through (LocalDeploymentAdministrationRoleArn, by
            // name, and LocalDeploymentExecutionRoleName).
            "LocalDeploymentAdministrationRole": admin,
            "LocalDeploymentExecutionRole": exec,
            // The last deployment's status: anything but SUCCEEDED is a change, so a failed
            // deployment is never taken for applied.
            "Deployment": "SUCCEEDED",
            "Tags": tags,
        }),
        payload: Payload::None,
    })
}
