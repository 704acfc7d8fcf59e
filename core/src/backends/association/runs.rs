//! Finished runs on State Manager: the plan's associations → their finished executions → the
//! command each target ran.

use std::collections::BTreeMap;

use jiff::Timestamp;

use crate::aws::Clients;
use crate::backends::model::{Kind, Observed};
use crate::backends::naming::prefix;
use crate::backends::paging::all;
use crate::backends::runs::{FinishedRun, RunQuery, instant};
use crate::error::Error;

pub(crate) async fn finished(
    c: &Clients,
    plan: &str,
    observed: &[Observed],
    q: RunQuery<'_>,
) -> Result<Vec<FinishedRun>, Error> {
    let prefix = prefix(plan);
    let associations: Vec<(String, String)> = observed
        .iter()
        .filter(|o| o.owned && o.key.kind == Kind::Association)
        .filter_map(|o| Some((o.id.clone(), o.key.name.strip_prefix(&prefix)?.to_string())))
        .filter(|(_, op)| (q.wanted)(op))
        .collect();
    let mut found = Vec::new();
    for (association_id, op) in associations {
        let executions = all(
            "ssm",
            "DescribeAssociationExecutions",
            c.ssm.describe_association_executions().association_id(&association_id).into_paginator().items().send(),
        )
        .await?;
        for ex in executions {
            // Association execution statuses are free text: `Success`, `Failed`, `Pending`,
            // `InProgress`… (AssociationExecution.Status); only finished ones are read.
            let done = matches!(ex.status(), Some("Success" | "Failed"));
            let created = ex.created_time().and_then(|t| Timestamp::from_second(t.secs()).ok());
            if !done || q.since.is_some_and(|s| created.is_none_or(|t| t < s)) {
                continue;
            }
            let Some(exec_id) = ex.execution_id() else { continue };
            let targets = all(
                "ssm",
                "DescribeAssociationExecutionTargets",
                c.ssm
                    .describe_association_execution_targets()
                    .association_id(&association_id)
                    .execution_id(exec_id)
                    .into_paginator()
                    .items()
                    .send(),
            )
            .await?;
            let mut commands: BTreeMap<String, Option<Timestamp>> = BTreeMap::new();
            for t in &targets {
                let Some(src) = t.output_source() else { continue };
                if src.output_source_type() != Some("RunCommand") {
                    continue;
                }
                let Some(command) = src.output_source_id() else { continue };
                let end = t.last_execution_date().and_then(instant);
                commands.entry(command.to_string()).or_insert(end);
            }
            for (command_id, end) in commands {
                found.push(FinishedRun { operation: op.clone(), command_id, end });
            }
        }
    }
    Ok(found)
}
