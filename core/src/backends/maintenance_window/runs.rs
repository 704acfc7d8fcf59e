//! Finished runs on maintenance windows: the plan's windows → their finished executions → the
//! commands of the wanted operations' tasks.

use std::collections::BTreeMap;

use aws_sdk_ssm::types::MaintenanceWindowExecutionStatus;
use jiff::Timestamp;

use crate::aws::Clients;
use crate::backends::model::{Kind, Observed};
use crate::backends::naming::operation_of;
use crate::backends::paging::all;
use crate::backends::runs::{FinishedRun, RunOperation, RunQuery, instant, run_parameters};
use crate::error::Error;

pub(crate) async fn finished(
    c: &Clients,
    plan: &str,
    observed: &[Observed],
    q: RunQuery<'_>,
) -> Result<Vec<FinishedRun>, Error> {
    let names: Vec<&str> = q.operations.iter().filter(|o| o.after.is_none()).map(|o| o.name.as_str()).collect();
    // Window id → the plan operation it runs (`<prefix><op>` or one-shot `<prefix><op>-at-…`).
    let windows: Vec<(String, String)> = observed
        .iter()
        .filter(|o| o.owned && o.key.kind == Kind::MaintenanceWindow)
        .filter_map(|o| Some((o.id.clone(), operation_of(plan, &o.key.name, &names)?.to_string())))
        .collect();

    let mut found = Vec::new();
    for (window_id, op) in &windows {
        // The tasks in this window: its operation and what the strategy added after it.
        let in_window: Vec<&RunOperation> =
            q.operations.iter().filter(|o| &o.name == op || o.after.as_deref() == Some(op.as_str())).collect();
        if !in_window.iter().any(|o| (q.wanted)(&o.name)) {
            continue;
        }
        let executions = all(
            "ssm",
            "DescribeMaintenanceWindowExecutions",
            c.ssm.describe_maintenance_window_executions().window_id(window_id).into_paginator().items().send(),
        )
        .await?;
        for ex in &executions {
            let done = matches!(
                ex.status(),
                Some(MaintenanceWindowExecutionStatus::Success | MaintenanceWindowExecutionStatus::Failed)
            );
            let started = ex.start_time().and_then(|t| Timestamp::from_second(t.secs()).ok());
            if !done || q.since.is_some_and(|s| started.is_none_or(|t| t < s)) {
                continue;
            }
            let Some(exec_id) = ex.window_execution_id() else { continue };
            let window_end = ex.end_time().and_then(instant);
            let tasks = all(
                "ssm",
                "DescribeMaintenanceWindowExecutionTasks",
                c.ssm
                    .describe_maintenance_window_execution_tasks()
                    .window_execution_id(exec_id)
                    .into_paginator()
                    .items()
                    .send(),
            )
            .await?;
            for t in &tasks {
                let Some(task_id) = t.task_execution_id() else { continue };
                // The run ended with its task, before the window's later tasks (e.g. the scan
                // without override that `rescan` adds at a lower priority).
                let end = t.end_time().and_then(instant).or(window_end);
                let invocations = all(
                    "ssm",
                    "DescribeMaintenanceWindowExecutionTaskInvocations",
                    c.ssm
                        .describe_maintenance_window_execution_task_invocations()
                        .window_execution_id(exec_id)
                        .task_id(task_id)
                        .into_paginator()
                        .items()
                        .send(),
                )
                .await?;
                let mut commands: BTreeMap<String, String> = BTreeMap::new();
                for i in &invocations {
                    let Some(command) = i.execution_id() else { continue };
                    // The invocation's `Parameters` is the Run Command request as JSON
                    // (`{"documentName": …, "parameters": {"Operation": ["Install"], …}}`,
                    // DescribeMaintenanceWindowExecutionTaskInvocations): it tells which task ran.
                    let request: serde_json::Value =
                        i.parameters().and_then(|p| serde_json::from_str(p).ok()).unwrap_or_default();
                    let (operation, url) =
                        run_parameters(request.get("parameters").unwrap_or(&serde_json::Value::Null));
                    let which = in_window
                        .iter()
                        .find(|o| operation.as_deref() == Some(o.kind.aws_value()) && o.uses_override == url.is_some());
                    if let Some(o) = which.filter(|o| (q.wanted)(&o.name)) {
                        commands.insert(command.to_string(), o.name.clone());
                    }
                }
                for (command_id, operation) in commands {
                    found.push(FinishedRun { operation, command_id, end });
                }
            }
        }
    }
    Ok(found)
}
