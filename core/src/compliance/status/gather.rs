//! The AWS reads of `status`: every list through the SDK's paginators ([`all`]) with `MaxResults`
//! at the model's maximum, ids in the chunks the API takes, independent reads concurrent and
//! bounded. Per-node calls (ListCommands, GetCommandInvocation) are made only for suspects: nodes
//! whose report is not the plan's, and nodes whose run failed.

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_ssm::types::{
    AssociationExecutionFilter, AssociationExecutionFilterKey, AssociationFilterOperatorType, CommandFilter,
    CommandFilterKey, ComplianceQueryOperatorType, ComplianceStringFilter, InstanceInformationStringFilter,
    MaintenanceWindowFilter,
};
use futures::stream::{self, StreamExt, TryStreamExt};
use jiff::Timestamp;

use super::report::{
    Agent, ForeignScan, PatchCounts, PatchStateEvidence, ReportEvidence, RunEvidence, RunSource, WrittenBy,
};
use crate::aws::Clients;
use crate::backends::paging::{all, each};
use crate::backends::runs::{RunOperation, instant, run_parameters};
use crate::backends::shared::document::RUN_PATCH_BASELINE;
use crate::error::Error;

/// InstanceIds / InstanceInformationStringFilter values per call (as refresh sends them).
const IDS_PER_CALL: usize = 50;
/// InstanceInformationStringFilter `Values`: 1–100 (model).
const FILTER_VALUES: usize = 100;

/// An AWS time to the instant.
fn ts(t: &aws_smithy_types::DateTime) -> Option<Timestamp> {
    instant(t)
}

fn build_err(what: &str, e: impl std::fmt::Display) -> Error {
    Error::Unexpected(format!("{what}: {e}"))
}

/// The managed nodes the plan's targets select now, with their agents: DescribeInstanceInformation
/// by the plan's tags (one series, the keys ANDed as a window's or association's targets are) and
/// by its instance ids (50 per call). A plan with neither selects nothing here (resource groups:
/// their members are known only from runs).
pub(crate) async fn targeted(
    c: &Clients,
    tags: &BTreeMap<String, Vec<String>>,
    ids: &[String],
    concurrency: usize,
) -> Result<BTreeMap<String, Agent>, Error> {
    let mut out = BTreeMap::new();
    if !tags.is_empty() {
        let mut req = c.ssm.describe_instance_information().max_results(50);
        for (k, values) in tags {
            if values.len() > FILTER_VALUES {
                return Err(Error::input(
                    format!(
                        "targets tag `{k}` has {} values; DescribeInstanceInformation takes at most 100",
                        values.len()
                    ),
                    None,
                ));
            }
            let f = InstanceInformationStringFilter::builder()
                .key(format!("tag:{k}"))
                .set_values(Some(values.clone()))
                .build()
                .map_err(|e| build_err("instance filter", e))?;
            req = req.filters(f);
        }
        let infos = all("ssm", "DescribeInstanceInformation", req.into_paginator().items().send()).await?;
        for i in &infos {
            if let Some((id, a)) = agent_of(i) {
                out.insert(id, a);
            }
        }
    }
    out.extend(agents(c, ids, concurrency).await?);
    Ok(out)
}

fn agent_of(i: &aws_sdk_ssm::types::InstanceInformation) -> Option<(String, Agent)> {
    let id = i.instance_id()?.to_string();
    let agent = Agent {
        ping_status: i.ping_status().map(|p| p.as_str().to_string()).unwrap_or_else(|| "Unknown".into()),
        last_ping: i.last_ping_date_time().and_then(ts),
        platform: i.platform_type().map(|p| match p.as_str() {
            "MacOS" => "macOS".to_string(),
            other => other.to_string(),
        }),
    };
    Some((id, agent))
}

/// The agents of `ids` that AWS still knows (DescribeInstanceInformation by `InstanceIds`, 50 per
/// call, every page, `concurrency` calls at once); a node it no longer lists is absent.
pub(crate) async fn agents(c: &Clients, ids: &[String], concurrency: usize) -> Result<BTreeMap<String, Agent>, Error> {
    let filters = ids
        .chunks(IDS_PER_CALL)
        .map(|chunk| {
            InstanceInformationStringFilter::builder()
                .key("InstanceIds")
                .set_values(Some(chunk.to_vec()))
                .build()
                .map_err(|e| build_err("instance filter", e))
        })
        .collect::<Result<Vec<_>, Error>>()?;
    let pages: Vec<Vec<aws_sdk_ssm::types::InstanceInformation>> =
        stream::iter(filters.into_iter().map(|f| async move {
            all(
                "ssm",
                "DescribeInstanceInformation",
                c.ssm.describe_instance_information().filters(f).max_results(50).into_paginator().items().send(),
            )
            .await
        }))
        .buffer_unordered(concurrency.max(1))
        .try_collect()
        .await?;
    Ok(pages.iter().flatten().filter_map(agent_of).collect())
}

/// The patch state of each of `ids` that has one (DescribeInstancePatchStates, 50 ids per call,
/// `concurrency` calls at once).
pub(crate) async fn patch_states(
    c: &Clients,
    ids: &[String],
    concurrency: usize,
) -> Result<BTreeMap<String, PatchStateEvidence>, Error> {
    let chunks: Vec<Vec<String>> = ids.chunks(IDS_PER_CALL).map(<[String]>::to_vec).collect();
    let pages: Vec<Vec<aws_sdk_ssm::types::InstancePatchState>> =
        stream::iter(chunks.into_iter().map(|chunk| async move {
            all(
                "ssm",
                "DescribeInstancePatchStates",
                c.ssm
                    .describe_instance_patch_states()
                    .set_instance_ids(Some(chunk))
                    .max_results(100)
                    .into_paginator()
                    .items()
                    .send(),
            )
            .await
        }))
        .buffer_unordered(concurrency.max(1))
        .try_collect()
        .await?;
    let mut out = BTreeMap::new();
    for s in pages.iter().flatten() {
        let (Some(start), Some(end)) = (ts(s.operation_start_time()), ts(s.operation_end_time())) else { continue };
        let n = |v: Option<i32>| i64::from(v.unwrap_or(0));
        let state = PatchStateEvidence {
            operation: s.operation().as_str().to_string(),
            baseline_id: s.baseline_id().to_string(),
            patch_group: Some(s.patch_group().to_string()).filter(|g| !g.is_empty()),
            snapshot_id: s.snapshot_id().map(str::to_string).filter(|v| !v.is_empty()),
            operation_start: start,
            operation_end: end,
            counts: PatchCounts {
                installed: i64::from(s.installed_count()),
                installed_other: i64::from(s.installed_other_count()),
                installed_pending_reboot: n(s.installed_pending_reboot_count()),
                installed_rejected: n(s.installed_rejected_count()),
                missing: i64::from(s.missing_count()),
                failed: i64::from(s.failed_count()),
                not_applicable: i64::from(s.not_applicable_count()),
            },
            critical_non_compliant: s.critical_non_compliant_count().map(i64::from),
            security_non_compliant: s.security_non_compliant_count().map(i64::from),
            other_non_compliant: s.other_non_compliant_count().map(i64::from),
        };
        out.insert(s.instance_id().to_string(), state);
    }
    Ok(out)
}

/// The account's compliance summaries of one type, kept for `nodes`
/// (ListResourceComplianceSummaries by `ComplianceType`, 50 per page: AWS documents no per-node
/// filter). `written_by` is left `Other`; the caller knows the plan's ids.
pub(crate) async fn summaries(
    c: &Clients,
    compliance_type: &str,
    nodes: &BTreeSet<String>,
) -> Result<BTreeMap<String, ReportEvidence>, Error> {
    let f = ComplianceStringFilter::builder()
        .key("ComplianceType")
        .values(compliance_type)
        .r#type(ComplianceQueryOperatorType::Equal)
        .build();
    let mut out = BTreeMap::new();
    each(
        "ssm",
        "ListResourceComplianceSummaries",
        c.ssm.list_resource_compliance_summaries().filters(f).max_results(50).into_paginator().items().send(),
        |i| {
            if let Some(evidence) = report_of(&i, compliance_type, nodes) {
                out.insert(i.resource_id().unwrap_or_default().to_string(), evidence);
            }
        },
    )
    .await?;
    Ok(out)
}

/// The evidence of one compliance summary, when it is of `compliance_type` for one of `nodes`.
fn report_of(
    i: &aws_sdk_ssm::types::ResourceComplianceSummaryItem,
    compliance_type: &str,
    nodes: &BTreeSet<String>,
) -> Option<ReportEvidence> {
    i.resource_id().filter(|n| nodes.contains(*n))?;
    if i.compliance_type() != Some(compliance_type) {
        return None;
    }
    let summary = i.execution_summary()?;
    let time = ts(summary.execution_time())?;
    Some(ReportEvidence {
        compliance_type: compliance_type.to_string(),
        status: i.status().map(|s| s.as_str().to_string()).unwrap_or_default(),
        execution_id: summary.execution_id().map(str::to_string).filter(|v| !v.is_empty()),
        execution_type: summary.execution_type().map(str::to_string).filter(|v| !v.is_empty()),
        execution_time: time,
        compliant: i.compliant_summary().map(|s| i64::from(s.compliant_count())).unwrap_or(0),
        non_compliant: i.non_compliant_summary().map(|s| i64::from(s.non_compliant_count())).unwrap_or(0),
        overall_severity: i.overall_severity().map(|s| s.as_str().to_string()),
        written_by: WrittenBy::Other,
    })
}

/// One execution of a resource that runs an operation (or one its strategy added).
#[derive(Debug, Clone)]
pub(crate) struct RunRecord {
    /// The plan operation whose resource ran it.
    pub(crate) resource_op: String,
    /// The operation that ran (the plan's, or an addition such as `install-rescan`).
    pub(crate) operation: String,
    pub(crate) source: RunSource,
    /// The window or association execution id.
    pub(crate) id: String,
    pub(crate) status: String,
    pub(crate) started: Option<Timestamp>,
    pub(crate) ended: Option<Timestamp>,
    /// Per node, its invocation.
    pub(crate) nodes: BTreeMap<String, RunEvidence>,
}

/// A window or association of the plan, with the operation it runs.
#[derive(Debug, Clone)]
pub(crate) struct Resource {
    pub(crate) source: RunSource,
    pub(crate) id: String,
    pub(crate) name: String,
    /// The plan operation (for a window: the one its name gives; its tasks may also run additions).
    pub(crate) operation: String,
}

/// Whether `t` is in `[after, until]`, in whole seconds (the runs' read window).
fn within(t: Timestamp, after: Timestamp, until: Timestamp) -> bool {
    (after.as_second()..=until.as_second()).contains(&t.as_second())
}

fn iso(t: Timestamp) -> String {
    Timestamp::from_second(t.as_second()).unwrap_or(t).to_string()
}

/// The executions of the plan's windows that started in `[after, until]`, with each node's
/// invocation of each task (the task's operation read from its invocations' parameters, as
/// refresh does).
pub(crate) async fn window_runs(
    c: &Clients,
    windows: &[Resource],
    ops: &[RunOperation],
    after: Timestamp,
    until: Timestamp,
    concurrency: usize,
) -> Result<Vec<RunRecord>, Error> {
    let concurrency = concurrency.max(1);
    let mut executions = Vec::new();
    for w in windows {
        let filter = |k: &str, t: Timestamp| MaintenanceWindowFilter::builder().key(k).values(iso(t)).build();
        let list = all(
            "ssm",
            "DescribeMaintenanceWindowExecutions",
            c.ssm
                .describe_maintenance_window_executions()
                .window_id(&w.id)
                .filters(filter("ExecutedAfter", after))
                // "Started before": the whole second of `until` is in (the report's instants are
                // whole seconds).
                .filters(filter("ExecutedBefore", Timestamp::from_second(until.as_second() + 1).unwrap_or(until)))
                .max_results(100)
                .into_paginator()
                .items()
                .send(),
        )
        .await?;
        for ex in list {
            let started = ex.start_time().and_then(ts);
            // Also kept to the window client-side: the filters' semantics at the edges are AWS's.
            if started.is_some_and(|s| !within(s, after, until)) {
                continue;
            }
            let Some(id) = ex.window_execution_id() else { continue };
            executions.push((
                w.clone(),
                Listed {
                    id: id.to_string(),
                    status: ex.status().map(|s| s.as_str().to_string()).unwrap_or_default(),
                    started,
                    ended: ex.end_time().and_then(ts),
                },
            ));
        }
    }
    let reads = stream::iter(
        executions
            .into_iter()
            .map(|(w, listed)| async move { window_execution(c, &w, ops, listed, concurrency).await }),
    )
    .buffer_unordered(concurrency)
    .try_collect::<Vec<Vec<RunRecord>>>()
    .await?;
    Ok(reads.into_iter().flatten().collect())
}

/// A window execution as DescribeMaintenanceWindowExecutions lists it.
struct Listed {
    id: String,
    status: String,
    started: Option<Timestamp>,
    ended: Option<Timestamp>,
}

/// The runs of one window execution: its tasks (read at once, at most `concurrency`; a window of
/// the plan has one to three) and their invocations.
async fn window_execution(
    c: &Clients,
    w: &Resource,
    ops: &[RunOperation],
    listed: Listed,
    concurrency: usize,
) -> Result<Vec<RunRecord>, Error> {
    let Listed { id: exec_id, status, started, ended } = listed;
    let in_window: Vec<&RunOperation> =
        ops.iter().filter(|o| o.name == w.operation || o.after.as_deref() == Some(w.operation.as_str())).collect();
    let tasks = all(
        "ssm",
        "DescribeMaintenanceWindowExecutionTasks",
        c.ssm
            .describe_maintenance_window_execution_tasks()
            .window_execution_id(&exec_id)
            .max_results(100)
            .into_paginator()
            .items()
            .send(),
    )
    .await?;
    // Each task's invocations, the tasks read at once (in their order).
    // (Owned ids moved into each read: a stream over borrowed ones would keep the future from being
    // `Send`.)
    let task_ids: Vec<String> = tasks.iter().filter_map(|t| t.task_execution_id().map(str::to_string)).collect();
    let per_task: Vec<Vec<aws_sdk_ssm::types::MaintenanceWindowExecutionTaskInvocationIdentity>> =
        stream::iter(task_ids.clone().into_iter().map(|task_id| {
            let exec_id = exec_id.clone();
            async move {
                all(
                    "ssm",
                    "DescribeMaintenanceWindowExecutionTaskInvocations",
                    c.ssm
                        .describe_maintenance_window_execution_task_invocations()
                        .window_execution_id(exec_id)
                        .task_id(task_id)
                        .max_results(100)
                        .into_paginator()
                        .items()
                        .send(),
                )
                .await
            }
        }))
        .buffered(concurrency.max(1))
        .try_collect()
        .await?;
    let mut out: BTreeMap<String, RunRecord> = BTreeMap::new();
    for (task_id, invocations) in task_ids.iter().zip(&per_task) {
        for i in invocations {
            let request: serde_json::Value =
                i.parameters().and_then(|p| serde_json::from_str(p).ok()).unwrap_or_default();
            let params = request.get("parameters").unwrap_or(&serde_json::Value::Null);
            let (operation, url) = run_parameters(params);
            let Some(op) = in_window
                .iter()
                .find(|o| operation.as_deref() == Some(o.kind.aws_value()) && o.uses_override == url.is_some())
            else {
                continue;
            };
            let snapshot = params
                .get("SnapshotId")
                .and_then(|v| v.as_array().and_then(|a| a.first()).or(Some(v)))
                .and_then(|v| v.as_str())
                .filter(|s| !s.is_empty() && !s.contains("{{"))
                .map(str::to_string);
            let command = i.execution_id().map(str::to_string);
            let ids: Vec<String> = request
                .get("instanceIds")
                .and_then(|v| v.as_array())
                .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
                .unwrap_or_default();
            let evidence = |node_status: String, details: Option<String>, code: Option<i32>| RunEvidence {
                operation: op.name.clone(),
                source: RunSource::MaintenanceWindow,
                execution_id: Some(exec_id.clone()),
                task_execution_id: Some(task_id.to_string()),
                command_id: command.clone(),
                status: node_status,
                status_details: details,
                response_code: code,
                started: i.start_time().and_then(ts),
                ended: i.end_time().and_then(ts),
                snapshot_id: snapshot.clone(),
            };
            let rec = out.entry(op.name.clone()).or_insert_with(|| RunRecord {
                resource_op: w.operation.clone(),
                operation: op.name.clone(),
                source: RunSource::MaintenanceWindow,
                id: exec_id.clone(),
                status: status.clone(),
                started,
                ended,
                nodes: BTreeMap::new(),
            });
            if let [node] = ids.as_slice() {
                let details = i.status_details().map(str::to_string).filter(|d| !d.is_empty());
                let st = i.status().map(|s| s.as_str().to_string()).unwrap_or_default();
                rec.nodes.insert(node.clone(), evidence(st, details, None));
            } else if let Some(cmd) = &command {
                // Several nodes in one command: each node's own status from Run Command.
                let per_node = all(
                    "ssm",
                    "ListCommandInvocations",
                    c.ssm.list_command_invocations().command_id(cmd).max_results(50).into_paginator().items().send(),
                )
                .await?;
                for inv in per_node {
                    let Some(node) = inv.instance_id() else { continue };
                    let st = inv.status().map(|s| s.as_str().to_string()).unwrap_or_default();
                    let details = inv.status_details().map(str::to_string).filter(|d| !d.is_empty());
                    rec.nodes.insert(node.to_string(), evidence(st, details, None));
                }
            }
        }
    }
    // An execution that ran no task of the window's operation (in progress, skipped, failed
    // before its tasks) is still the operation's run: its nodes were left out.
    out.entry(w.operation.clone()).or_insert_with(|| RunRecord {
        resource_op: w.operation.clone(),
        operation: w.operation.clone(),
        source: RunSource::MaintenanceWindow,
        id: exec_id.clone(),
        status: status.clone(),
        started,
        ended,
        nodes: BTreeMap::new(),
    });
    Ok(out.into_values().collect())
}

/// The executions of the plan's associations created after `after` (and not after `until`),
/// with each target's status and command.
pub(crate) async fn association_runs(
    c: &Clients,
    associations: &[Resource],
    after: Timestamp,
    until: Timestamp,
    concurrency: usize,
) -> Result<Vec<RunRecord>, Error> {
    let mut executions = Vec::new();
    for a in associations {
        let f = AssociationExecutionFilter::builder()
            .key(AssociationExecutionFilterKey::CreatedTime)
            .value(iso(after))
            .r#type(AssociationFilterOperatorType::GreaterThan)
            .build()
            .map_err(|e| build_err("association execution filter", e))?;
        let list = all(
            "ssm",
            "DescribeAssociationExecutions",
            c.ssm
                .describe_association_executions()
                .association_id(&a.id)
                .filters(f)
                .max_results(50)
                .into_paginator()
                .items()
                .send(),
        )
        .await?;
        for ex in list {
            let created = ex.created_time().and_then(ts);
            if created.is_some_and(|s| !within(s, after, until)) {
                continue;
            }
            let Some(id) = ex.execution_id() else { continue };
            executions.push((a.clone(), id.to_string(), ex.status().unwrap_or_default().to_string(), created));
        }
    }
    stream::iter(executions.into_iter().map(|(a, exec_id, status, created)| async move {
        let targets = all(
            "ssm",
            "DescribeAssociationExecutionTargets",
            c.ssm
                .describe_association_execution_targets()
                .association_id(&a.id)
                .execution_id(&exec_id)
                .max_results(50)
                .into_paginator()
                .items()
                .send(),
        )
        .await?;
        let mut nodes = BTreeMap::new();
        let mut ended: Option<Timestamp> = None;
        for t in targets {
            let Some(node) = t.resource_id() else { continue };
            let command = t
                .output_source()
                .filter(|s| s.output_source_type() == Some("RunCommand"))
                .and_then(|s| s.output_source_id())
                .map(str::to_string);
            let end = t.last_execution_date().and_then(ts);
            ended = ended.max(end);
            nodes.insert(
                node.to_string(),
                RunEvidence {
                    operation: a.operation.clone(),
                    source: RunSource::Association,
                    execution_id: Some(exec_id.clone()),
                    task_execution_id: None,
                    command_id: command,
                    status: t.status().unwrap_or_default().to_string(),
                    status_details: t.detailed_status().map(str::to_string).filter(|d| !d.is_empty()),
                    response_code: None,
                    started: created,
                    ended: end,
                    snapshot_id: None,
                },
            );
        }
        Ok::<_, Error>(RunRecord {
            resource_op: a.operation.clone(),
            operation: a.operation.clone(),
            source: RunSource::Association,
            id: exec_id,
            status,
            started: created,
            ended,
            nodes,
        })
    }))
    .buffer_unordered(concurrency.max(1))
    .try_collect()
    .await
}

/// One `AWS-RunPatchBaseline` command sent to a node.
#[derive(Debug, Clone)]
pub(crate) struct Command {
    pub(crate) command_id: String,
    pub(crate) comment: String,
    pub(crate) operation: Option<String>,
    pub(crate) baseline_override: bool,
    pub(crate) snapshot_id: Option<String>,
    pub(crate) requested: Option<Timestamp>,
    pub(crate) status: String,
}

impl Command {
    pub(crate) fn foreign(&self) -> ForeignScan {
        ForeignScan {
            command_id: Some(self.command_id.clone()),
            document: Some(RUN_PATCH_BASELINE.to_string()),
            operation: self.operation.clone(),
            baseline_override: Some(self.baseline_override),
            comment: Some(self.comment.clone()).filter(|c| !c.is_empty()),
            requested: self.requested,
            ..ForeignScan::default()
        }
    }
}

/// The `AWS-RunPatchBaseline` commands sent to `node` after `after` (ListCommands by node, with
/// the DocumentName and InvokedAfter filters, 50 per page; also kept to them client-side).
pub(crate) async fn commands(c: &Clients, node: &str, after: Timestamp) -> Result<Vec<Command>, Error> {
    let doc = CommandFilter::builder()
        .key(CommandFilterKey::DocumentName)
        .value(RUN_PATCH_BASELINE)
        .build()
        .map_err(|e| build_err("command filter", e))?;
    let since = CommandFilter::builder()
        .key(CommandFilterKey::InvokedAfter)
        .value(iso(after))
        .build()
        .map_err(|e| build_err("command filter", e))?;
    let list = all(
        "ssm",
        "ListCommands",
        c.ssm
            .list_commands()
            .instance_id(node)
            .filters(doc)
            .filters(since)
            .max_results(50)
            .into_paginator()
            .items()
            .send(),
    )
    .await?;
    let mut out = Vec::new();
    for cmd in list {
        if cmd.document_name() != Some(RUN_PATCH_BASELINE) {
            continue;
        }
        let requested = cmd.requested_date_time().and_then(ts);
        if requested.is_some_and(|r| r.as_second() < after.as_second()) {
            continue;
        }
        let params = serde_json::to_value(cmd.parameters().cloned().unwrap_or_default()).unwrap_or_default();
        let (operation, url) = run_parameters(&params);
        let snapshot = params
            .get("SnapshotId")
            .and_then(|v| v.as_array())
            .and_then(|a| a.first())
            .and_then(|v| v.as_str())
            .filter(|s| !s.is_empty())
            .map(str::to_string);
        out.push(Command {
            command_id: cmd.command_id().unwrap_or_default().to_string(),
            comment: cmd.comment().unwrap_or_default().to_string(),
            operation,
            baseline_override: url.is_some(),
            snapshot_id: snapshot,
            requested,
            status: cmd.status().map(|s| s.as_str().to_string()).unwrap_or_default(),
        });
    }
    out.sort_by_key(|c| c.requested);
    Ok(out)
}

/// Why a node's command failed: its exit code and the `[ERROR]` lines of its output (the last
/// lines when there are none), from GetCommandInvocation of the platform's step.
pub(crate) async fn failure(
    c: &Clients,
    command_id: &str,
    node: &str,
    step: &str,
) -> Result<(Option<i32>, Option<String>, String), Error> {
    let inv = crate::compliance::read::invocation(c, command_id, node, step).await?;
    let text = format!(
        "{}\n{}",
        inv.standard_output_content().unwrap_or_default(),
        inv.standard_error_content().unwrap_or_default()
    );
    Ok((Some(inv.response_code()), inv.status_details().map(str::to_string), error_lines(&text)))
}

/// Why a run failed, from its output: the `[ERROR]` lines (at most the last three); else the
/// updates its report says failed to install; else its last non-empty line.
pub(crate) fn error_lines(text: &str) -> String {
    let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let errors: Vec<&str> = lines.iter().copied().filter(|l| l.contains("[ERROR]") || l.starts_with("ERROR")).collect();
    if !errors.is_empty() {
        return errors[errors.len().saturating_sub(3)..].join(" | ");
    }
    if let Ok(report) = crate::run_output::parse(text, crate::run_output::OutputSource::Invocation) {
        let failed: Vec<&str> = report
            .non_compliant
            .iter()
            .filter(|p| p.get("PatchState").and_then(|s| s.as_str()) == Some("Failed"))
            .filter_map(|p| p.get("Id").and_then(|s| s.as_str()))
            .collect();
        if !failed.is_empty() {
            return format!("failed to install {}", failed.join(", "));
        }
    }
    lines.last().map(|l| l.to_string()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_lines_keep_the_last_errors_else_the_last_line() {
        let text = "a\n[ERROR]: one\nb\n[ERROR]: two\n\n";
        assert_eq!(error_lines(text), "[ERROR]: one | [ERROR]: two");
        assert_eq!(error_lines("x\ny\n\n"), "y");
        assert_eq!(error_lines(""), "");
    }
}
