//! `refresh`: find the plan's finished runs, read each node's output, run the compliance
//! strategy, and perform its actions (PutComplianceItems, a scan without override, messages).
//!
//! Runs are found through maintenance-window executions (the backend that needs refreshing:
//! associations and patch policies record compliance themselves unless run with an override).
//! Output is read in full from S3 when the plan writes command output there, otherwise from
//! GetCommandInvocation — where a 24,000-character text counts as truncated. A node whose output
//! could not be read completely never gets compliance written.

use std::collections::BTreeMap;

use aws_sdk_ssm::types::{
    ComplianceExecutionSummary, ComplianceItemEntry, ComplianceSeverity, ComplianceStatus, ComplianceUploadType,
    MaintenanceWindowExecutionStatus,
};
use aws_smithy_types::DateTime;
use aws_smithy_types::date_time::Format;
use futures::stream::{self, StreamExt};
use jiff::Timestamp;
use serde::Serialize;

use super::output::{OutputSource, parse};
use crate::aws::Clients;
use crate::error::{Error, aws};
use crate::plan::file::{OperationKind as PlanKind, SettingValue};
use crate::plan::model::Compliance;
use crate::plan::placement::BaselineUse;
use crate::schedule::Backend;
use crate::scheduler::{Kind, Session};
use crate::strategy::{
    Action, Host, Limits, OperationKind, Pair, PlanInfo, RunResult, StrategyBackend, StrategyOperation, builtin,
    run_result,
};

/// The compliance type written when the plan names none: kept apart from AWS's own `Patch`
/// type, which the next normal scan rewrites (aws-facts §4).
pub const DEFAULT_COMPLIANCE_TYPE: &str = "Custom:ssmpatch";

/// What to refresh.
#[derive(Debug, Clone, Default)]
pub struct RefreshOptions {
    /// Only this operation.
    pub operation: Option<String>,
    /// Only runs that started at or after this instant.
    pub since: Option<Timestamp>,
    /// A built-in strategy name or a `.wasm` path, instead of the plan's.
    pub strategy: Option<String>,
    /// Nodes read at once.
    pub concurrency: usize,
}

/// What happened for one node.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NodeOutcome {
    /// The managed node.
    pub instance_id: String,
    /// The plan operation.
    pub operation: String,
    /// The command id.
    pub execution_id: String,
    /// `compliance-written`, `scan-started`, `skipped` or `failed`.
    pub result: String,
    /// Details (items written, the reason for skipping…).
    pub detail: String,
}

/// The result of a refresh.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RefreshReport {
    /// Plan name.
    pub plan: String,
    /// The strategy used.
    pub strategy: String,
    /// Per node.
    pub nodes: Vec<NodeOutcome>,
    /// The strategy's messages.
    pub messages: Vec<String>,
}

/// (operation, command id, node, the text with its end time prepended and whether it is complete).
type Read = (String, String, String, Result<(String, bool), Error>);

struct Found {
    operation: String,
    command_id: String,
    end: String,
}

fn strategy_name(session: &Session, opts: &RefreshOptions) -> Result<String, Error> {
    if let Some(s) = &opts.strategy {
        return Ok(s.clone());
    }
    match &session.plan.compliance {
        Compliance::None => Err(Error::Unexpected(
            "the plan's compliance strategy is `none`; set `[compliance] strategy` or pass --strategy".into(),
        )),
        Compliance::Rescan => Ok("rescan".into()),
        Compliance::PutComplianceItems => Ok("put-compliance-items".into()),
        Compliance::Custom { path } => Ok(path.display().to_string()),
    }
}

/// The plan as a strategy sees it.
pub fn plan_info(session: &Session) -> PlanInfo {
    let ex = &session.explanation;
    let file = &session.plan.file;
    let settings = file
        .compliance
        .as_ref()
        .map(|c| {
            c.settings
                .iter()
                .map(|(k, v)| Pair {
                    key: k.clone(),
                    value: match v {
                        SettingValue::Bool(b) => b.to_string(),
                        SettingValue::Int(i) => i.to_string(),
                        SettingValue::Float(f) => f.to_string(),
                        SettingValue::Text(t) => t.clone(),
                    },
                })
                .collect()
        })
        .unwrap_or_default();
    PlanInfo {
        name: session.plan.name.clone(),
        backend: match ex.backend {
            Backend::PatchPolicy => StrategyBackend::PatchPolicy,
            Backend::Association => StrategyBackend::Association,
            Backend::MaintenanceWindow => StrategyBackend::MaintenanceWindow,
        },
        operations: ex
            .operations
            .iter()
            .map(|o| StrategyOperation {
                name: o.name.clone(),
                kind: match o.kind {
                    PlanKind::Scan => OperationKind::Scan,
                    PlanKind::Install => OperationKind::Install,
                },
                uses_override: matches!(o.baseline, BaselineUse::Override { .. }),
            })
            .collect(),
        settings,
        compliance_type: file
            .compliance
            .as_ref()
            .and_then(|c| c.compliance_type.clone())
            .unwrap_or_else(|| DEFAULT_COMPLIANCE_TYPE.to_string()),
    }
}

/// Refresh compliance for the plan's finished runs.
pub async fn refresh(session: &Session, clients: &Clients, opts: &RefreshOptions) -> Result<RefreshReport, Error> {
    if session.explanation.backend != Backend::MaintenanceWindow {
        return Err(Error::Unexpected(format!(
            "refresh reads maintenance-window executions; this plan runs on {} (patch policies record compliance \
             themselves; association runs are not read yet)",
            session.explanation.backend
        )));
    }
    let name = strategy_name(session, opts)?;
    let host = Host::new(Limits::default()).map_err(|e| Error::Unexpected(e.to_string()))?;
    let strategy = match builtin(&name) {
        Some(bytes) => host.load(&name, bytes),
        None => {
            let bytes =
                std::fs::read(&name).map_err(|e| Error::Unexpected(format!("cannot read strategy `{name}`: {e}")))?;
            host.load(&name, &bytes)
        }
    }
    .map_err(|e| Error::Unexpected(e.to_string()))?;

    // The plan's windows, and which operation each runs.
    let observed = session.scheduler.observe(&session.plan.name, &session.desired).await?;
    let prefix = crate::scheduler::desired::prefix(&session.plan.name);
    let mut ops: Vec<&str> = session.plan.operations.iter().map(|o| o.name.as_str()).collect();
    ops.sort_by_key(|o| std::cmp::Reverse(o.len()));
    let windows: Vec<(String, String)> = observed
        .iter()
        .filter(|o| o.owned && o.key.kind == Kind::MaintenanceWindow)
        .filter_map(|o| {
            let rest = o.key.name.strip_prefix(&prefix)?;
            let op = ops.iter().find(|op| rest == **op || rest.starts_with(&format!("{op}-at-")))?;
            Some((o.id.clone(), op.to_string()))
        })
        .filter(|(_, op)| opts.operation.as_ref().is_none_or(|want| want == op))
        .collect();

    // Finished executions → their commands.
    let mut found = Vec::new();
    for (window_id, op) in &windows {
        let mut executions = Vec::new();
        let mut token = None;
        loop {
            let page = clients
                .ssm
                .describe_maintenance_window_executions()
                .window_id(window_id)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| aws("ssm", "DescribeMaintenanceWindowExecutions", e))?;
            executions.extend(page.window_executions().iter().cloned());
            token = page.next_token().map(str::to_string);
            if token.is_none() {
                break;
            }
        }
        for ex in &executions {
            let done = matches!(
                ex.status(),
                Some(MaintenanceWindowExecutionStatus::Success | MaintenanceWindowExecutionStatus::Failed)
            );
            let started = ex.start_time().and_then(|t| Timestamp::from_second(t.secs()).ok());
            if !done || opts.since.is_some_and(|s| started.is_none_or(|t| t < s)) {
                continue;
            }
            let Some(exec_id) = ex.window_execution_id() else { continue };
            let end = ex.end_time().and_then(|t| t.fmt(Format::DateTime).ok()).unwrap_or_default();
            let tasks = clients
                .ssm
                .describe_maintenance_window_execution_tasks()
                .window_execution_id(exec_id)
                .send()
                .await
                .map_err(|e| aws("ssm", "DescribeMaintenanceWindowExecutionTasks", e))?;
            for t in tasks.window_execution_task_identities() {
                let Some(task_id) = t.task_execution_id() else { continue };
                let invs = clients
                    .ssm
                    .describe_maintenance_window_execution_task_invocations()
                    .window_execution_id(exec_id)
                    .task_id(task_id)
                    .send()
                    .await
                    .map_err(|e| aws("ssm", "DescribeMaintenanceWindowExecutionTaskInvocations", e))?;
                let mut commands: Vec<String> = invs
                    .window_execution_task_invocation_identities()
                    .iter()
                    .filter_map(|i| i.execution_id().map(str::to_string))
                    .collect();
                commands.sort();
                commands.dedup();
                for c in commands {
                    found.push(Found { operation: op.clone(), command_id: c, end: end.clone() });
                }
            }
        }
    }

    // Each node's output.
    let output = session.plan.s3.as_ref().and_then(|s| s.output_prefix.as_ref().map(|p| (s.bucket.clone(), p.clone())));
    let mut targets = Vec::new();
    for f in &found {
        let mut token = None;
        loop {
            let page = clients
                .ssm
                .list_command_invocations()
                .command_id(&f.command_id)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| aws("ssm", "ListCommandInvocations", e))?;
            for inv in page.command_invocations() {
                if let Some(id) = inv.instance_id() {
                    targets.push((f, id.to_string()));
                }
            }
            token = page.next_token().map(str::to_string);
            if token.is_none() {
                break;
            }
        }
    }
    let concurrency = opts.concurrency.max(1);
    let reads: Vec<Read> = stream::iter(targets.into_iter().map(|(f, node)| {
        let output = output.clone();
        async move {
            let r = read_output(clients, &f.command_id, &node, output.as_ref(), &session.plan.name, &f.operation).await;
            (
                f.operation.clone(),
                f.command_id.clone(),
                node,
                r.map(|(t, complete)| (format!("{}\u{0}{}", f.end, t), complete)),
            )
        }
    }))
    .buffer_unordered(concurrency)
    .collect()
    .await;

    let mut report = RefreshReport {
        plan: session.plan.name.clone(),
        strategy: name.clone(),
        nodes: Vec::new(),
        messages: Vec::new(),
    };
    let mut runs: BTreeMap<String, Vec<RunResult>> = BTreeMap::new();
    for (op, cmd, node, r) in reads {
        match r {
            Err(e) => report.nodes.push(NodeOutcome {
                instance_id: node,
                operation: op,
                execution_id: cmd,
                result: "failed".into(),
                detail: e.to_string(),
            }),
            Ok((joined, complete)) => {
                let (end, text) = joined.split_once('\u{0}').unwrap_or(("", joined.as_str()));
                let source = if complete { OutputSource::Complete } else { OutputSource::Invocation };
                match parse(text, source) {
                    Ok(mut parsed) => {
                        if parsed.instance_id.is_none() {
                            parsed.instance_id = Some(node.clone());
                        }
                        runs.entry(op.clone()).or_default().push(run_result(&parsed, &op, &cmd, end, text));
                    }
                    Err(e) => report.nodes.push(NodeOutcome {
                        instance_id: node,
                        operation: op,
                        execution_id: cmd,
                        result: "skipped".into(),
                        detail: e.to_string(),
                    }),
                }
            }
        }
    }

    let info = plan_info(session);
    let mut puts = Vec::new();
    for (op, runs) in runs {
        let actions = match strategy.after_run(&info, &runs) {
            Ok(a) => a,
            Err(e) => {
                // A trap, timeout or out-of-memory is reported for these nodes; other operations go on.
                for r in &runs {
                    report.nodes.push(NodeOutcome {
                        instance_id: r.instance_id.clone(),
                        operation: op.clone(),
                        execution_id: r.execution_id.clone(),
                        result: "failed".into(),
                        detail: e.to_string(),
                    });
                }
                continue;
            }
        };
        for a in actions {
            match a {
                Action::Message(m) => report.messages.push(m),
                Action::StartScan(nodes) => {
                    let out = clients
                        .ssm
                        .send_command()
                        .document_name("AWS-RunPatchBaseline")
                        .set_instance_ids(Some(nodes.clone()))
                        .parameters("Operation", vec!["Scan".to_string()])
                        .comment(format!("ssmpatch refresh of {} ({op})", session.plan.name))
                        .send()
                        .await
                        .map_err(|e| aws("ssm", "SendCommand", e))?;
                    let cmd = out.command().and_then(|c| c.command_id()).unwrap_or_default().to_string();
                    for n in nodes {
                        report.nodes.push(NodeOutcome {
                            instance_id: n,
                            operation: op.clone(),
                            execution_id: cmd.clone(),
                            result: "scan-started".into(),
                            detail: "AWS-RunPatchBaseline Scan without override".into(),
                        });
                    }
                }
                Action::PutCompliance(p) => puts.push((op.clone(), p)),
            }
        }
    }
    // PutComplianceItems for every node, with bounded concurrency; a failure is that node's.
    let written: Vec<NodeOutcome> = stream::iter(puts.into_iter().map(|(op, p)| put_compliance(clients, op, p)))
        .buffer_unordered(concurrency)
        .collect()
        .await;
    report.nodes.extend(written);
    report.nodes.sort_by(|a, b| (&a.instance_id, &a.operation).cmp(&(&b.instance_id, &b.operation)));
    Ok(report)
}

/// The node's stdout: the full S3 object when the plan writes output there, else
/// GetCommandInvocation (`complete` = false: may be cut at 24,000 characters).
async fn read_output(
    c: &Clients,
    command_id: &str,
    node: &str,
    output: Option<&(String, String)>,
    plan: &str,
    op: &str,
) -> Result<(String, bool), Error> {
    if let Some((bucket, prefix)) = output {
        // Run Command's layout: <prefix>/<command-id>/<instance-id>/awsrunShellScript/PatchLinux/stdout
        let key = format!("{prefix}/{plan}/{op}/{command_id}/{node}/awsrunShellScript/PatchLinux/stdout");
        if let Ok(o) = c.s3.get_object().bucket(bucket).key(&key).send().await
            && let Ok(body) = o.body.collect().await
        {
            return Ok((String::from_utf8_lossy(&body.into_bytes()).into_owned(), true));
        }
    }
    let inv = c
        .ssm
        .get_command_invocation()
        .command_id(command_id)
        .instance_id(node)
        .plugin_name("PatchLinux")
        .send()
        .await
        .map_err(|e| aws("ssm", "GetCommandInvocation", e))?;
    Ok((inv.standard_output_content().unwrap_or_default().to_string(), false))
}

/// One PutComplianceItems call (COMPLETE or PARTIAL, with the item content hash).
async fn put_compliance(c: &Clients, op: String, p: crate::strategy::PutCompliance) -> NodeOutcome {
    let items: Vec<ComplianceItemEntry> = p
        .items
        .iter()
        .filter_map(|i| {
            ComplianceItemEntry::builder()
                .id(&i.id)
                .title(&i.title)
                .severity(ComplianceSeverity::from(i.severity.as_str()))
                .status(ComplianceStatus::from(i.status.as_str()))
                .set_details(Some(i.details.iter().map(|d| (d.key.clone(), d.value.clone())).collect()))
                .build()
                .ok()
        })
        .collect();
    let when = DateTime::from_str(&p.execution_time, Format::DateTime)
        .unwrap_or_else(|_| DateTime::from_secs(Timestamp::now().as_second()));
    let n = items.len();
    let outcome = |result: &str, detail: String| NodeOutcome {
        instance_id: p.instance_id.clone(),
        operation: op.clone(),
        execution_id: p.execution_id.clone(),
        result: result.into(),
        detail,
    };
    let summary = match ComplianceExecutionSummary::builder()
        .execution_time(when)
        .execution_id(&p.execution_id)
        .execution_type("Command")
        .build()
    {
        Ok(s) => s,
        Err(e) => return outcome("failed", e.to_string()),
    };
    let sent = c
        .ssm
        .put_compliance_items()
        .resource_id(&p.instance_id)
        .resource_type("ManagedInstance")
        .compliance_type(&p.compliance_type)
        .execution_summary(summary)
        .set_items(Some(items))
        .item_content_hash(&p.content_hash)
        .upload_type(match p.upload_type {
            crate::strategy::UploadType::Complete => ComplianceUploadType::Complete,
            crate::strategy::UploadType::Partial => ComplianceUploadType::Partial,
        })
        .send()
        .await;
    match sent {
        Ok(_) => outcome("compliance-written", format!("{n} item(s) as {}", p.compliance_type)),
        Err(e) => outcome("failed", aws("ssm", "PutComplianceItems", e).to_string()),
    }
}
