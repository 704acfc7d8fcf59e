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
use crate::plan::{Explanation, Plan};

/// The patch policy, when the plan has a scan or an install with an exact schedule.
pub(crate) fn resources(plan: &Plan, ex: &Explanation) -> Vec<Desired> {
    patch_policy(plan, ex, &json!(tags::of_plan(plan))).into_iter().collect()
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
    p.insert("IsPolicyAttachAllowed", "false".into());
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
    // OS → the baseline's name (our custom baselines) or id (existing ones); ids are resolved
    // when written.
    let selected: BTreeMap<String, String> = plan
        .baseline_specs()
        .iter()
        .map(|(os, b)| {
            (os.as_str().to_string(), b.baseline_id.clone().unwrap_or_else(|| baseline_name(&plan.name, *os)))
        })
        .collect();
    let name = patch_policy_name(&plan.name);
    Some(Desired {
        key: Key::new(Kind::PatchPolicy, name.clone()),
        spec: json!({
            "Name": name,
            "Description": format!("ssmpatch {}", plan.name),
            "Parameters": p,
            "SelectedPatchBaselines": selected,
            // The last deployment's status: anything but SUCCEEDED is a change, so a failed
            // deployment is never taken for applied.
            "Deployment": "SUCCEEDED",
            "Tags": tags,
        }),
        payload: Payload::None,
    })
}
