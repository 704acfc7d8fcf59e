//! The resources a plan needs on State Manager (pure): an association per operation running
//! `AWS-RunPatchBaseline`, and the associations a strategy adds after the install's `Duration`.

use serde_json::{Value, json};

use crate::backends::model::{Desired, Key, Kind, Payload};
use crate::backends::naming::{operation_resource_name, prefix, resource_forms};
use crate::backends::shared::document::{RUN_PATCH_BASELINE, output_location, parameters};
use crate::backends::shared::tags;
use crate::backends::shared::targets::target_sets;
use crate::plan::additions::{AdditionPlacement, Additions};
use crate::plan::{Explanation, Plan};

/// The plan's associations.
pub(crate) fn resources(plan: &Plan, ex: &Explanation, additions: &Additions) -> Vec<Desired> {
    let mut out = Vec::new();
    let tags = json!(tags::of_plan(plan));
    let output = output_location(plan);
    let targets: Vec<Value> = target_sets(&plan.targets)
        .into_iter()
        .flat_map(|(_, _, t)| t.as_array().cloned().unwrap_or_default())
        .collect();
    for (op, e) in plan.operations.iter().zip(&ex.operations) {
        for (name, form) in resource_forms(&plan.name, &op.name, &e.compiled) {
            // A strategy's association after this one starts when this one's Duration has
            // cancelled it (see plan::additions).
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
                    "Name": RUN_PATCH_BASELINE,
                    "ScheduleExpression": form.expression,
                    "ApplyOnlyAtCronInterval": form.apply_only_at_cron_interval || duration.is_some() || added,
                    "Parameters": parameters(op, kind, &e.baseline, with_override),
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
                out.push(Desired { key: Key::new(Kind::Association, assoc), spec: a, payload: Payload::None });
            }
        }
    }
    out
}
