//! The resources a plan needs on a backend, as data (pure: no AWS calls).

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::{Desired, Key, Kind, MANAGED_BY, TAG_MANAGED_BY, TAG_PLAN};
use crate::baseline::OperatingSystem;
use crate::compliance::additions::{AdditionPlacement, Additions, TASK_PRIORITY};
use crate::plan::compile::{Compiled, NativeForm};
use crate::plan::file::OperationKind;
use crate::plan::model::{Operation, RulesFrom, Targets};
use crate::plan::placement::BaselineUse;
use crate::plan::{Explanation, Plan};
use crate::schedule::Backend;

/// The name prefix of everything a plan creates: `ssmpatch-<plan>-`.
pub fn prefix(plan: &str) -> String {
    format!("ssmpatch-{plan}-")
}

/// The window (or association) name of an operation.
pub fn operation_resource_name(plan: &str, op: &str) -> String {
    format!("{}{op}", prefix(plan))
}

/// A one-shot window's name: `ssmpatch-<plan>-<op>-at-<YYYYMMDDTHHMM>`.
pub fn one_shot_name(plan: &str, op: &str, at: &str) -> String {
    let compact: String =
        at.trim_start_matches("at(").trim_end_matches(')').chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    format!("{}{op}-at-{}", prefix(plan), compact.get(..13).unwrap_or(&compact))
}

/// The custom baseline name for an OS: `ssmpatch-<plan>-<os>` (lowercase, dashes).
pub fn baseline_name(plan: &str, os: OperatingSystem) -> String {
    format!("{}{}", prefix(plan), os.as_str().to_ascii_lowercase().replace('_', "-"))
}

/// Tags on every top-level resource: the plan's, plus ownership.
pub fn tags(plan: &Plan) -> Value {
    let mut t: BTreeMap<String, String> = plan.file.tags.clone();
    t.insert(TAG_PLAN.to_string(), plan.name.clone());
    t.insert(TAG_MANAGED_BY.to_string(), MANAGED_BY.to_string());
    json!(t)
}

/// `Targets` entries (`[{"Key": "tag:Patch Group", "Values": ["web"]}]`) and the resource type.
fn target_sets(t: &Targets) -> Vec<(&'static str, &'static str, Value)> {
    let mut out = Vec::new();
    if !t.tags.is_empty() {
        let list: Vec<Value> = t.tags.iter().map(|(k, v)| json!({"Key": format!("tag:{k}"), "Values": v})).collect();
        out.push(("tags", "INSTANCE", Value::Array(list)));
    }
    if !t.instance_ids.is_empty() {
        out.push(("instances", "INSTANCE", json!([{"Key": "InstanceIds", "Values": t.instance_ids}])));
    }
    if !t.resource_groups.is_empty() {
        out.push((
            "resource-groups",
            "RESOURCE_GROUP",
            json!([{"Key": "resource-groups:Name", "Values": t.resource_groups}]),
        ));
    }
    out
}

/// `AWS-RunPatchBaseline` parameters of `op`, or of `kind` when a strategy added it after `op`
/// (with `op`'s override only when `with_override`).
fn document_parameters(op: &Operation, kind: OperationKind, baseline: &BaselineUse, with_override: bool) -> Value {
    let mut p = Map::new();
    p.insert("Operation".into(), json!([kind.aws_value()]));
    if kind == OperationKind::Install {
        p.insert("RebootOption".into(), json!([op.reboot.aws_value()]));
    }
    if let (BaselineUse::Override { url, .. }, true) = (baseline, with_override) {
        p.insert("BaselineOverride".into(), json!([url]));
    }
    Value::Object(p)
}

fn description(plan: &Plan, op: &Operation) -> String {
    let d = format!("ssmpatch {}: {} ({})", plan.name, op.name, op.kind.as_str());
    d.chars().take(128).collect()
}

/// Everything `plan` needs on `backend`, given its explanation and what its compliance strategy
/// adds.
pub fn resources(plan: &Plan, ex: &Explanation, backend: Backend, additions: &Additions) -> Vec<Desired> {
    let mut out = Vec::new();
    let tags = tags(plan);

    // Override documents (content-addressed S3 objects).
    if let Some(s3) = &plan.s3 {
        for (op, doc) in &ex.placement.documents {
            let key = doc.key(&s3.override_prefix, &plan.name, op);
            out.push(Desired {
                key: Key::new(Kind::OverrideObject, key.clone()),
                spec: json!({"Bucket": s3.bucket, "Key": key}),
                body: Some(doc.bytes.clone()),
            });
        }
    }

    // Custom baselines with the real baseline's rules, registered for the patch group.
    let real_approval = match &plan.rules_from {
        RulesFrom::Operation(o) => plan.operation(o).and_then(|op| op.approval.clone()),
        RulesFrom::Declared => None,
    };
    let group = plan.targets.patch_group().map(str::to_string);
    for (os, spec) in plan.file.baselines.iter().filter(|(_, b)| !b.is_existing()) {
        let mut v = spec.to_aws(*os, real_approval.as_ref());
        if let Some(obj) = v.as_object_mut() {
            obj.insert("Name".into(), json!(baseline_name(&plan.name, *os)));
            obj.insert("Description".into(), json!(format!("ssmpatch {}: {} baseline", plan.name, os)));
            let groups: Vec<String> = match (&group, backend) {
                (Some(g), Backend::MaintenanceWindow | Backend::Association) => vec![g.clone()],
                _ => Vec::new(),
            };
            obj.insert("PatchGroups".into(), json!(groups));
            obj.insert("Tags".into(), tags.clone());
        }
        out.push(Desired { key: Key::new(Kind::PatchBaseline, baseline_name(&plan.name, *os)), spec: v, body: None });
    }

    let output = plan.s3.as_ref().and_then(|s| s.output_prefix.as_ref().map(|p| (s.bucket.clone(), p.clone())));
    for (op, e) in plan.operations.iter().zip(&ex.operations) {
        let baseline = &e.baseline;
        let forms: Vec<(String, NativeForm)> = match &e.compiled {
            Compiled::Exact { native } => vec![(operation_resource_name(&plan.name, &op.name), native.clone())],
            Compiled::Fallback { windows, .. } => {
                windows.iter().map(|w| (one_shot_name(&plan.name, &op.name, &w.expression), w.clone())).collect()
            }
            Compiled::Inexpressible { .. } => Vec::new(),
        };
        for (name, form) in forms {
            match backend {
                Backend::MaintenanceWindow => {
                    let mut w = json!({
                        "Name": name,
                        "Description": description(plan, op),
                        "Schedule": form.expression,
                        "ScheduleTimezone": form.time_zone,
                        "Duration": op.window.duration_hours,
                        "Cutoff": op.window.cutoff_hours,
                        "Tags": tags,
                    });
                    if let Some(off) = form.offset_days {
                        w["ScheduleOffset"] = json!(off);
                    }
                    out.push(Desired { key: Key::new(Kind::MaintenanceWindow, name.clone()), spec: w, body: None });
                    let mut target_names = Vec::new();
                    for (tname, rtype, targets) in target_sets(&plan.targets) {
                        target_names.push(tname);
                        out.push(Desired {
                            key: Key::child(Kind::WindowTarget, name.clone(), tname),
                            spec: json!({"Name": tname, "ResourceType": rtype, "Targets": targets}),
                            body: None,
                        });
                    }
                    let mut tasks = vec![(op.name.clone(), TASK_PRIORITY, op.kind, true)];
                    for a in additions.following(&op.name) {
                        if let AdditionPlacement::WindowTask { priority } = a.placement {
                            tasks.push((a.name.clone(), priority, a.kind, a.uses_override));
                        }
                    }
                    for (task, priority, kind, with_override) in tasks {
                        let mut t = json!({
                            "Name": task,
                            "TaskArn": "AWS-RunPatchBaseline",
                            "TaskType": "RUN_COMMAND",
                            "Priority": priority,
                            "MaxConcurrency": op.max_concurrency,
                            "MaxErrors": op.max_errors,
                            "Parameters": document_parameters(op, kind, baseline, with_override),
                            "WindowTargets": target_names,
                        });
                        if let Some((bucket, prefix)) = &output {
                            t["OutputS3BucketName"] = json!(bucket);
                            t["OutputS3KeyPrefix"] = json!(format!("{prefix}/{}/{task}", plan.name));
                        }
                        out.push(Desired {
                            key: Key::child(Kind::WindowTask, name.clone(), task),
                            spec: t,
                            body: None,
                        });
                    }
                }
                Backend::Association => {
                    let targets: Vec<Value> = target_sets(&plan.targets)
                        .into_iter()
                        .flat_map(|(_, _, t)| t.as_array().cloned().unwrap_or_default())
                        .collect();
                    // A strategy's association after this one starts when this one's Duration
                    // has cancelled it (see compliance::additions).
                    let followed_for = additions
                        .following(&op.name)
                        .filter_map(|a| match a.placement {
                            AdditionPlacement::Association { after_hours, .. } => Some(after_hours),
                            AdditionPlacement::WindowTask { .. } => None,
                        })
                        .max();
                    let mut list = vec![(name, form.clone(), op.kind, true, followed_for, false)];
                    for a in additions.following(&op.name) {
                        if let AdditionPlacement::Association { native, .. } = &a.placement {
                            let n = operation_resource_name(&plan.name, &a.name);
                            // Never at creation: it could time out a running install.
                            list.push((n, native.clone(), a.kind, a.uses_override, None, true));
                        }
                    }
                    for (assoc, form, kind, with_override, duration, added) in list {
                        let task = assoc.strip_prefix(&prefix(&plan.name)).unwrap_or(&assoc).to_string();
                        let mut a = json!({
                            "AssociationName": assoc,
                            "Name": "AWS-RunPatchBaseline",
                            "ScheduleExpression": form.expression,
                            "ApplyOnlyAtCronInterval": form.apply_only_at_cron_interval || duration.is_some() || added,
                            "Parameters": document_parameters(op, kind, baseline, with_override),
                            "Targets": targets,
                            "MaxConcurrency": op.max_concurrency,
                            "MaxErrors": op.max_errors,
                            "Tags": tags,
                        });
                        if let Some(off) = form.offset_days {
                            a["ScheduleOffset"] = json!(off);
                        }
                        if let Some(hours) = duration {
                            a["Duration"] = json!(hours);
                        }
                        if let Some((bucket, prefix)) = &output {
                            a["OutputLocation"] = json!({"S3Location": {
                                "OutputS3BucketName": bucket,
                                "OutputS3KeyPrefix": format!("{prefix}/{}/{task}", plan.name),
                            }});
                        }
                        out.push(Desired { key: Key::new(Kind::Association, assoc), spec: a, body: None });
                    }
                }
                Backend::PatchPolicy => {}
            }
        }
    }
    if backend == Backend::PatchPolicy
        && let Some(d) = patch_policy(plan, ex, &tags)
    {
        out.push(d);
    }
    out.sort_by(|a, b| a.key.cmp(&b.key));
    out
}

/// The patch policy's name: `ssmpatch-<plan>`.
pub fn patch_policy_name(plan: &str) -> String {
    format!("ssmpatch-{plan}")
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
    if let Some((_, expr)) = &scan {
        p.insert("ConfigurationOptionsScanValue", expr.clone());
        p.insert("ConfigurationOptionsScanNextInterval", "false".into());
    }
    if let Some((op, expr)) = &install {
        p.insert("ConfigurationOptionsInstallValue", expr.clone());
        p.insert("ConfigurationOptionsInstallNextInterval", "false".into());
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
        .file
        .baselines
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
            "Tags": tags,
        }),
        body: None,
    })
}
