//! The resources a plan needs on maintenance windows (pure): a window per operation (or one-shot
//! `at()` windows), a target per selector, and a `RUN_COMMAND` task running
//! `AWS-RunPatchBaseline` — with the tasks a strategy adds, at a later priority.

use serde_json::json;

use crate::backends::model::{Desired, Key, Kind, Payload};
use crate::backends::naming::resource_forms;
use crate::backends::shared::document::{RUN_PATCH_BASELINE, description, output_location, parameters};
use crate::backends::shared::tags;
use crate::backends::shared::targets::target_sets;
use crate::plan::additions::{AdditionPlacement, Additions, TASK_PRIORITY};
use crate::plan::{Explanation, Plan};

/// Windows, their targets and tasks.
pub(crate) fn resources(plan: &Plan, ex: &Explanation, additions: &Additions) -> Vec<Desired> {
    let mut out = Vec::new();
    let tags = json!(tags::of_plan(plan));
    let output = output_location(plan);
    for (op, e) in plan.operations.iter().zip(&ex.operations) {
        for (name, form) in resource_forms(&plan.name, &op.name, &e.compiled) {
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
            out.push(Desired { key: Key::new(Kind::MaintenanceWindow, name.clone()), spec: w, payload: Payload::None });
            let mut target_names = Vec::new();
            for (tname, rtype, targets) in target_sets(&plan.targets) {
                target_names.push(tname);
                out.push(Desired {
                    key: Key::child(Kind::WindowTarget, name.clone(), tname),
                    spec: json!({"Name": tname, "ResourceType": rtype, "Targets": targets}),
                    payload: Payload::None,
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
                    "TaskArn": RUN_PATCH_BASELINE,
                    "TaskType": "RUN_COMMAND",
                    "Priority": priority,
                    "MaxConcurrency": op.max_concurrency,
                    "MaxErrors": op.max_errors,
                    "Parameters": parameters(op, kind, &e.baseline, with_override),
                    "WindowTargets": target_names,
                });
                if let Some(role) = plan.service_role_arn() {
                    t["ServiceRoleArn"] = json!(role);
                }
                if let Some((bucket, prefix)) = &output {
                    t["OutputS3BucketName"] = json!(bucket);
                    t["OutputS3KeyPrefix"] = json!(format!("{prefix}/{}/{task}", plan.name));
                }
                out.push(Desired {
                    key: Key::child(Kind::WindowTask, name.clone(), task),
                    spec: t,
                    payload: Payload::None,
                });
            }
        }
    }
    out
}
