//! The maintenance-window backend: a window per operation (or one-shot `at()` windows), a target
//! per selector, and a `RUN_COMMAND` task running `AWS-RunPatchBaseline`.

use async_trait::async_trait;
use aws_sdk_ssm::types::{
    MaintenanceWindowExecutionStatus, MaintenanceWindowResourceType, MaintenanceWindowRunCommandParameters,
    MaintenanceWindowTaskInvocationParameters, MaintenanceWindowTaskType, ResourceTypeForTagging, Target,
};
use serde_json::{Map, Value, json};

mod desired;
mod runs;

use crate::backends::paging::all;
use crate::backends::shared::tags::{is_owned_json, list_tags, sdk_tags_of, sync_tags};
use crate::backends::shared::targets::{sdk_targets, targets_json};
use crate::backends::shared::{Shared, i, s, strings};
use jiff::Timestamp;

use crate::backends::{
    Action, Desired, Diff, FinishedRun, IamActions, Ids, Key, Kind, Observed, RunQuery, Scheduler, not_in_backend,
};
use crate::error::{Error, aws};
use crate::plan::additions::Additions;
use crate::plan::{Explanation, Plan};
use crate::schedule::Backend;

/// The maintenance-window backend without AWS: its resources and IAM actions.
#[derive(Debug, Clone, Copy)]
pub(super) struct Definition;

impl crate::backends::Definition for Definition {
    fn backend(&self) -> Backend {
        Backend::MaintenanceWindow
    }

    fn own_resources(&self, plan: &Plan, ex: &Explanation, additions: &Additions) -> Vec<Desired> {
        desired::resources(plan, ex, additions)
    }

    fn iam_actions(&self) -> IamActions {
        IamActions {
            read: &[
                "ssm:DescribeMaintenanceWindows",
                "ssm:DescribeMaintenanceWindowTargets",
                "ssm:DescribeMaintenanceWindowTasks",
                "ssm:GetMaintenanceWindowTask",
            ],
            change: &[
                "ssm:CreateMaintenanceWindow",
                "ssm:UpdateMaintenanceWindow",
                "ssm:RegisterTargetWithMaintenanceWindow",
                "ssm:UpdateMaintenanceWindowTarget",
                "ssm:RegisterTaskWithMaintenanceWindow",
                "ssm:UpdateMaintenanceWindowTask",
            ],
            delete: &["ssm:DeleteMaintenanceWindow"],
            // A target or task of a kept window that the plan does not declare.
            prune: &["ssm:DeregisterTargetFromMaintenanceWindow", "ssm:DeregisterTaskFromMaintenanceWindow"],
            teardown: &[],
            // Before a window is deleted: is a run of it still going?
            before_delete: &["ssm:DescribeMaintenanceWindowExecutions"],
            refresh: &[
                "ssm:DescribeMaintenanceWindowExecutions",
                "ssm:DescribeMaintenanceWindowExecutionTasks",
                "ssm:DescribeMaintenanceWindowExecutionTaskInvocations",
            ],
        }
    }
}

/// Maintenance windows.
#[derive(Debug, Clone)]
pub(super) struct MaintenanceWindows {
    shared: Shared,
}

impl MaintenanceWindows {
    pub(crate) fn new(shared: Shared) -> Self {
        MaintenanceWindows { shared }
    }

    async fn observe_windows(&self, plan: &str) -> Result<Vec<Observed>, Error> {
        let prefix = crate::backends::naming::prefix(plan);
        let ssm = &self.shared.c.ssm;
        let windows = all(
            "ssm",
            "DescribeMaintenanceWindows",
            ssm.describe_maintenance_windows().into_paginator().items().send(),
        )
        .await?;
        let mut out = Vec::new();
        for w in windows.iter().filter(|w| w.name().is_some_and(|n| n.starts_with(&prefix))) {
            let (Some(id), Some(name)) = (w.window_id(), w.name()) else { continue };
            let tags = list_tags(&self.shared.c, ResourceTypeForTagging::MaintenanceWindow, id).await?;
            let owned = is_owned_json(&tags, plan);
            let mut spec = json!({
                "Name": name,
                "Description": w.description().unwrap_or_default(),
                "Schedule": w.schedule().unwrap_or_default(),
                "ScheduleTimezone": w.schedule_timezone().unwrap_or("UTC"),
                "Duration": w.duration().unwrap_or_default(),
                "Cutoff": w.cutoff(),
                "Tags": tags,
            });
            if let Some(off) = w.schedule_offset() {
                spec["ScheduleOffset"] = json!(off);
            }
            out.push(Observed {
                key: Key::new(Kind::MaintenanceWindow, name),
                id: id.to_string(),
                parent_id: None,
                spec,
                owned,
            });
            if !owned {
                continue;
            }
            // Targets and tasks of our windows.
            let targets = all(
                "ssm",
                "DescribeMaintenanceWindowTargets",
                ssm.describe_maintenance_window_targets().window_id(id).into_paginator().items().send(),
            )
            .await?;
            let mut target_names = std::collections::BTreeMap::new();
            for t in &targets {
                let (Some(tid), Some(tname)) = (t.window_target_id(), t.name()) else { continue };
                target_names.insert(tid.to_string(), tname.to_string());
                out.push(Observed {
                    key: Key::child(Kind::WindowTarget, name, tname),
                    id: tid.to_string(),
                    parent_id: Some(id.to_string()),
                    spec: json!({
                        "Name": tname,
                        "ResourceType": t.resource_type().map(|r| r.as_str()).unwrap_or_default(),
                        "Targets": targets_json(t.targets()),
                    }),
                    owned: true,
                });
            }
            let tasks = all(
                "ssm",
                "DescribeMaintenanceWindowTasks",
                ssm.describe_maintenance_window_tasks().window_id(id).into_paginator().items().send(),
            )
            .await?;
            for t in &tasks {
                let (Some(task_id), Some(tname)) = (t.window_task_id(), t.name()) else { continue };
                let full = self
                    .shared
                    .c
                    .ssm
                    .get_maintenance_window_task()
                    .window_id(id)
                    .window_task_id(task_id)
                    .send()
                    .await
                    .map_err(|e| aws("ssm", "GetMaintenanceWindowTask", e))?;
                let rc = full.task_invocation_parameters().and_then(|p| p.run_command());
                let params: std::collections::BTreeMap<String, Vec<String>> = rc
                    .and_then(|r| r.parameters())
                    .map(|p| p.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                    .unwrap_or_default();
                let mut window_targets: Vec<String> = full
                    .targets()
                    .iter()
                    .filter(|x| x.key() == Some("WindowTargetIds"))
                    .flat_map(|x| x.values().iter().map(|v| target_names.get(v).cloned().unwrap_or_else(|| v.clone())))
                    .collect();
                window_targets.sort();
                let mut spec = json!({
                    "Name": tname,
                    "TaskArn": full.task_arn().unwrap_or_default(),
                    "TaskType": full.task_type().map(|t| t.as_str()).unwrap_or_default(),
                    "Priority": full.priority(),
                    "MaxConcurrency": full.max_concurrency().unwrap_or_default(),
                    "MaxErrors": full.max_errors().unwrap_or_default(),
                    "Parameters": params,
                    "WindowTargets": window_targets,
                });
                if let Some(b) = rc.and_then(|r| r.output_s3_bucket_name()) {
                    spec["OutputS3BucketName"] = json!(b);
                }
                // A role of the user's (the plan's `service-role-arn`); the service-linked role AWS
                // uses without one is not a setting of the plan.
                if let Some(role) = full.service_role_arn().filter(|r| !r.contains(":role/aws-service-role/")) {
                    spec["ServiceRoleArn"] = json!(role);
                }
                if let Some(p) = rc.and_then(|r| r.output_s3_key_prefix()) {
                    spec["OutputS3KeyPrefix"] = json!(p);
                }
                out.push(Observed {
                    key: Key::child(Kind::WindowTask, name, tname),
                    id: task_id.to_string(),
                    parent_id: Some(id.to_string()),
                    spec,
                    owned: true,
                });
            }
        }
        Ok(out)
    }

    fn task_targets(d: &Desired, ids: &Ids) -> Result<Vec<Target>, Error> {
        let parent = d.key.parent.clone().unwrap_or_default();
        let names = strings(d.spec.get("WindowTargets"));
        let mut tids = Vec::new();
        for n in names {
            let id = ids
                .get(&Key::child(Kind::WindowTarget, parent.clone(), n.clone()))
                .ok_or_else(|| Error::Stale(format!("window target {parent}/{n} does not exist yet")))?;
            tids.push(id.to_string());
        }
        Ok(vec![Target::builder().key("WindowTargetIds").set_values(Some(tids)).build()])
    }

    fn invocation(d: &Desired) -> MaintenanceWindowTaskInvocationParameters {
        let params: std::collections::HashMap<String, Vec<String>> = d
            .spec
            .get("Parameters")
            .and_then(Value::as_object)
            .map(|m: &Map<String, Value>| m.iter().map(|(k, v)| (k.clone(), strings(Some(v)))).collect())
            .unwrap_or_default();
        let rc = MaintenanceWindowRunCommandParameters::builder()
            .set_parameters(Some(params))
            .set_output_s3_bucket_name(s(&d.spec, "OutputS3BucketName"))
            .set_output_s3_key_prefix(s(&d.spec, "OutputS3KeyPrefix"))
            .build();
        MaintenanceWindowTaskInvocationParameters::builder().run_command(rc).build()
    }

    fn window_id(d: &Desired, ids: &Ids) -> Result<String, Error> {
        let parent = d.key.parent.clone().unwrap_or_default();
        ids.window(&parent)
            .map(str::to_string)
            .ok_or_else(|| Error::Stale(format!("window {parent} does not exist yet")))
    }
}

#[async_trait]
impl Scheduler for MaintenanceWindows {
    fn backend(&self) -> Backend {
        Backend::MaintenanceWindow
    }

    async fn observe(&self, plan: &str, desired: &[Desired]) -> Result<Vec<Observed>, Error> {
        let mut out = self.shared.observe(plan, desired, true).await?;
        out.extend(self.observe_windows(plan).await?);
        Ok(out)
    }

    async fn create(&self, _plan: &str, d: &Desired, ids: &Ids) -> Result<String, Error> {
        if let Some(r) = self.shared.create(d).await {
            return r;
        }
        let v = &d.spec;
        match d.key.kind {
            Kind::MaintenanceWindow => {
                let out = self
                    .shared
                    .c
                    .ssm
                    .create_maintenance_window()
                    .set_name(s(v, "Name"))
                    .set_description(s(v, "Description"))
                    .set_schedule(s(v, "Schedule"))
                    .set_schedule_timezone(s(v, "ScheduleTimezone"))
                    .set_schedule_offset(i(v, "ScheduleOffset"))
                    .set_duration(i(v, "Duration"))
                    .set_cutoff(i(v, "Cutoff"))
                    .allow_unassociated_targets(false)
                    .set_tags(Some(sdk_tags_of(v.get("Tags"))))
                    .send()
                    .await
                    .map_err(|e| aws("ssm", "CreateMaintenanceWindow", e))?;
                Ok(out.window_id().unwrap_or_default().to_string())
            }
            Kind::WindowTarget => {
                let out = self
                    .shared
                    .c
                    .ssm
                    .register_target_with_maintenance_window()
                    .window_id(Self::window_id(d, ids)?)
                    .resource_type(MaintenanceWindowResourceType::from(
                        s(v, "ResourceType").unwrap_or_default().as_str(),
                    ))
                    .set_targets(Some(sdk_targets(v.get("Targets"))))
                    .set_name(s(v, "Name"))
                    .send()
                    .await
                    .map_err(|e| aws("ssm", "RegisterTargetWithMaintenanceWindow", e))?;
                Ok(out.window_target_id().unwrap_or_default().to_string())
            }
            Kind::WindowTask => {
                let out = self
                    .shared
                    .c
                    .ssm
                    .register_task_with_maintenance_window()
                    .window_id(Self::window_id(d, ids)?)
                    .set_targets(Some(Self::task_targets(d, ids)?))
                    .set_task_arn(s(v, "TaskArn"))
                    .task_type(MaintenanceWindowTaskType::RunCommand)
                    .set_priority(i(v, "Priority"))
                    .set_max_concurrency(s(v, "MaxConcurrency"))
                    .set_max_errors(s(v, "MaxErrors"))
                    .set_name(s(v, "Name"))
                    .set_service_role_arn(s(v, "ServiceRoleArn"))
                    .task_invocation_parameters(Self::invocation(d))
                    .send()
                    .await
                    .map_err(|e| aws("ssm", "RegisterTaskWithMaintenanceWindow", e))?;
                Ok(out.window_task_id().unwrap_or_default().to_string())
            }
            other => Err(not_in_backend(other, Backend::MaintenanceWindow)),
        }
    }

    async fn update(&self, _plan: &str, o: &Observed, d: &Desired, ids: &Ids) -> Result<(), Error> {
        if let Some(r) = self.shared.update(o, d).await {
            return r;
        }
        let v = &d.spec;
        match d.key.kind {
            Kind::MaintenanceWindow => {
                let fields_changed =
                    ["Name", "Description", "Schedule", "ScheduleTimezone", "ScheduleOffset", "Duration", "Cutoff"]
                        .iter()
                        .any(|k| o.spec.get(*k) != v.get(*k));
                if fields_changed {
                    self.shared
                        .c
                        .ssm
                        .update_maintenance_window()
                        .window_id(&o.id)
                        .set_name(s(v, "Name"))
                        .set_description(s(v, "Description"))
                        .set_schedule(s(v, "Schedule"))
                        .set_schedule_timezone(s(v, "ScheduleTimezone"))
                        .set_schedule_offset(i(v, "ScheduleOffset"))
                        .set_duration(i(v, "Duration"))
                        .set_cutoff(i(v, "Cutoff"))
                        .allow_unassociated_targets(false)
                        .enabled(true)
                        .replace(true)
                        .send()
                        .await
                        .map_err(|e| aws("ssm", "UpdateMaintenanceWindow", e))?;
                }
                sync_tags(
                    &self.shared.c,
                    ResourceTypeForTagging::MaintenanceWindow,
                    &o.id,
                    o.spec.get("Tags").unwrap_or(&Value::Null),
                    v.get("Tags").unwrap_or(&Value::Null),
                )
                .await
            }
            Kind::WindowTarget => {
                self.shared
                    .c
                    .ssm
                    .update_maintenance_window_target()
                    .window_id(Self::window_id(d, ids)?)
                    .window_target_id(&o.id)
                    .set_targets(Some(sdk_targets(v.get("Targets"))))
                    .set_name(s(v, "Name"))
                    .replace(true)
                    .send()
                    .await
                    .map_err(|e| aws("ssm", "UpdateMaintenanceWindowTarget", e))?;
                Ok(())
            }
            Kind::WindowTask => {
                self.shared
                    .c
                    .ssm
                    .update_maintenance_window_task()
                    .window_id(Self::window_id(d, ids)?)
                    .window_task_id(&o.id)
                    .set_targets(Some(Self::task_targets(d, ids)?))
                    .set_task_arn(s(v, "TaskArn"))
                    .set_priority(i(v, "Priority"))
                    .set_max_concurrency(s(v, "MaxConcurrency"))
                    .set_max_errors(s(v, "MaxErrors"))
                    .set_name(s(v, "Name"))
                    .set_service_role_arn(s(v, "ServiceRoleArn"))
                    .task_invocation_parameters(Self::invocation(d))
                    .replace(true)
                    .send()
                    .await
                    .map_err(|e| aws("ssm", "UpdateMaintenanceWindowTask", e))?;
                Ok(())
            }
            other => Err(not_in_backend(other, Backend::MaintenanceWindow)),
        }
    }

    async fn finished_runs(
        &self,
        plan: &str,
        desired: &[Desired],
        query: RunQuery<'_>,
    ) -> Result<Vec<FinishedRun>, Error> {
        let observed = self.observe(plan, desired).await?;
        runs::finished(&self.shared.c, plan, &observed, query).await
    }

    async fn running(&self, o: &Observed) -> Result<Option<String>, Error> {
        if o.key.kind != Kind::MaintenanceWindow {
            return Ok(None);
        }
        let executions = all(
            "ssm",
            "DescribeMaintenanceWindowExecutions",
            self.shared.c.ssm.describe_maintenance_window_executions().window_id(&o.id).into_paginator().items().send(),
        )
        .await?;
        // PENDING, IN_PROGRESS and CANCELLING have not ended (MaintenanceWindowExecutionStatus).
        Ok(executions
            .iter()
            .find(|e| {
                matches!(
                    e.status(),
                    Some(
                        MaintenanceWindowExecutionStatus::Pending
                            | MaintenanceWindowExecutionStatus::InProgress
                            | MaintenanceWindowExecutionStatus::Cancelling
                    )
                )
            })
            .map(|e| {
                format!(
                    "execution {} is {}",
                    e.window_execution_id().unwrap_or("?"),
                    e.status().map_or("running", |s| s.as_str())
                )
            }))
    }

    async fn delete(&self, o: &Observed) -> Result<(), Error> {
        if let Some(r) = self.shared.delete(o).await {
            return r;
        }
        match o.key.kind {
            Kind::MaintenanceWindow => {
                self.shared
                    .c
                    .ssm
                    .delete_maintenance_window()
                    .window_id(&o.id)
                    .send()
                    .await
                    .map_err(|e| aws("ssm", "DeleteMaintenanceWindow", e))?;
                Ok(())
            }
            Kind::WindowTarget => {
                self.shared
                    .c
                    .ssm
                    .deregister_target_from_maintenance_window()
                    .set_window_id(o.parent_id.clone())
                    .window_target_id(&o.id)
                    .safe(false)
                    .send()
                    .await
                    .map_err(|e| aws("ssm", "DeregisterTargetFromMaintenanceWindow", e))?;
                Ok(())
            }
            Kind::WindowTask => {
                self.shared
                    .c
                    .ssm
                    .deregister_task_from_maintenance_window()
                    .set_window_id(o.parent_id.clone())
                    .window_task_id(&o.id)
                    .send()
                    .await
                    .map_err(|e| aws("ssm", "DeregisterTaskFromMaintenanceWindow", e))?;
                Ok(())
            }
            other => Err(not_in_backend(other, Backend::MaintenanceWindow)),
        }
    }
}

/// Keeps the one-shot `at()` windows `diff` would delete whose time is less than `days` days
/// before `now` (and their targets and tasks): deleting a window deletes its execution history,
/// which `refresh` reads. After that `apply` removes them.
pub(crate) fn retain_recent_one_shots(diff: &mut Diff, now: Timestamp, days: u32) {
    let keep_after = now.checked_sub(jiff::SignedDuration::from_hours(24 * i64::from(days))).unwrap_or(Timestamp::MIN);
    let mut kept: Vec<String> = Vec::new();
    for c in diff.changes.iter_mut().filter(|c| c.action == Action::Delete && c.key.kind == Kind::MaintenanceWindow) {
        let Some(o) = &c.observed else { continue };
        if one_shot_time(&o.spec).is_some_and(|at| at > keep_after) {
            c.action = Action::Unchanged;
            kept.push(o.id.clone());
        }
    }
    for c in diff.changes.iter_mut().filter(|c| c.action == Action::Delete) {
        if c.observed.as_ref().and_then(|o| o.parent_id.as_ref()).is_some_and(|p| kept.contains(p)) {
            c.action = Action::Unchanged;
        }
    }
}

/// The time of a one-shot window (`Schedule` `at(YYYY-MM-DDTHH:MM:SS)` in its `ScheduleTimezone`).
fn one_shot_time(spec: &Value) -> Option<Timestamp> {
    let at = spec.get("Schedule")?.as_str()?.strip_prefix("at(")?.strip_suffix(')')?;
    let zone = spec.get("ScheduleTimezone").and_then(Value::as_str).unwrap_or("UTC");
    let civil: jiff::civil::DateTime = at.parse().ok()?;
    civil.to_zoned(jiff::tz::TimeZone::get(zone).ok()?).ok().map(|z| z.timestamp())
}
