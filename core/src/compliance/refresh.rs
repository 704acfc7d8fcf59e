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
use crate::plan::{Explanation, Plan};
use crate::schedule::Backend;
use crate::scheduler::{Kind, Session};
use crate::strategy::{
    Action, OperationKind, Pair, PlanInfo, RunResult, StrategyBackend, StrategyOperation, run_result,
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
    /// One command (e.g. `AWS-RunPatchBaseline` started by hand) instead of the plan's runs.
    pub command_id: Option<String>,
}

/// An operation whose runs refresh can read: the plan's, and those its strategy added.
#[derive(Debug, Clone)]
struct RunOperation {
    name: String,
    kind: PlanKind,
    uses_override: bool,
    /// The override's `s3://` URL.
    override_url: Option<String>,
    /// The plan operation it follows (added operations).
    after: Option<String>,
}

fn run_operations(session: &Session) -> Vec<RunOperation> {
    let mut out: Vec<RunOperation> = session
        .explanation
        .operations
        .iter()
        .map(|o| {
            let url = match &o.baseline {
                BaselineUse::Override { url, .. } => Some(url.clone()),
                _ => None,
            };
            RunOperation {
                name: o.name.clone(),
                kind: o.kind,
                uses_override: url.is_some(),
                override_url: url,
                after: None,
            }
        })
        .collect();
    for a in &session.additions.operations {
        let url = if a.uses_override {
            out.iter().find(|o| o.name == a.after).and_then(|o| o.override_url.clone())
        } else {
            None
        };
        out.push(RunOperation {
            name: a.name.clone(),
            kind: a.kind,
            uses_override: a.uses_override,
            override_url: url,
            after: Some(a.after.clone()),
        });
    }
    out
}

/// `Operation` and `BaselineOverride` of AWS-RunPatchBaseline parameters.
fn run_parameters(params: &serde_json::Value) -> (Option<String>, Option<String>) {
    let first = |k: &str| {
        params.get(k).and_then(|v| match v {
            serde_json::Value::Array(a) => a.first().and_then(|x| x.as_str()).map(str::to_string),
            serde_json::Value::String(s) => Some(s.clone()),
            _ => None,
        })
    };
    (first("Operation"), first("BaselineOverride").filter(|u| !u.is_empty()))
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
    /// `compliance-written`, `scan-started`, `no-action` (the strategy did nothing for the node;
    /// the detail says why when its messages name the node), `skipped` or `failed`.
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

#[derive(Debug, Clone)]
struct Found {
    operation: String,
    command_id: String,
    end: String,
}

/// The plan's own strategy: a built-in name or the component's path (`None` for `none`).
pub fn strategy_of(plan: &Plan) -> Option<String> {
    match &plan.compliance {
        Compliance::None => None,
        Compliance::Rescan => Some("rescan".into()),
        Compliance::PutComplianceItems => Some("put-compliance-items".into()),
        Compliance::Custom { path } => Some(path.display().to_string()),
    }
}

fn strategy_name(session: &Session, opts: &RefreshOptions) -> Result<String, Error> {
    if let Some(s) = &opts.strategy {
        return Ok(s.clone());
    }
    strategy_of(&session.plan).ok_or_else(|| {
        Error::Unexpected(
            "the plan's compliance strategy is `none`; set `[compliance] strategy` or pass --strategy".into(),
        )
    })
}

/// The plan as a strategy sees it.
pub fn plan_info(plan: &Plan, ex: &Explanation) -> PlanInfo {
    let file = &plan.file;
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
        name: plan.name.clone(),
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

/// Counts finished steps and reports every tenth of them (and the last) to `progress`.
struct Counter<'a> {
    what: &'static str,
    total: usize,
    done: std::sync::atomic::AtomicUsize,
    progress: &'a (dyn Fn(&str) + Sync),
}

impl Counter<'_> {
    fn tick(&self) {
        let n = self.done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        let step = self.total.div_ceil(10).max(1);
        if n.is_multiple_of(step) || n == self.total {
            (self.progress)(&format!("{} {n}/{}", self.what, self.total));
        }
    }
}

/// Refresh compliance for the plan's finished runs. `progress` receives a line per step (the
/// runs found, every tenth of the outputs read and of the compliance written, each strategy call
/// and each scan started).
pub async fn refresh(
    session: &Session,
    clients: &Clients,
    opts: &RefreshOptions,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<RefreshReport, Error> {
    let name = strategy_name(session, opts)?;
    let strategy = super::additions::load_strategy(super::additions::default_host()?, &name)?
        .with_limits(session.plan.strategy_limits);

    let ops = run_operations(session);
    if let Some(want) = &opts.operation
        && !ops.iter().any(|o| &o.name == want)
    {
        let names: Vec<&str> = ops.iter().map(|o| o.name.as_str()).collect();
        return Err(Error::Unexpected(format!("the plan has no operation `{want}` (it has: {})", names.join(", "))));
    }
    // By default only runs with an override: AWS recorded every other run's compliance itself.
    let wanted = |op: &str| match &opts.operation {
        Some(want) => want == op,
        None => ops.iter().any(|o| o.name == op && o.uses_override),
    };
    let found = match (&opts.command_id, session.explanation.backend) {
        (Some(id), _) => vec![command_run(session, clients, id, &ops, opts).await?],
        (None, Backend::MaintenanceWindow) => window_runs(session, clients, &ops, &wanted, opts).await?,
        (None, Backend::Association) => association_runs(session, clients, &wanted, opts).await?,
        (None, Backend::PatchPolicy) => {
            return Err(Error::Unexpected(
                "this plan runs on a patch policy, which records compliance for runs with an override itself; \
                 pass --command-id to refresh a command started by hand"
                    .into(),
            ));
        }
    };

    // Each node's output.
    let output = session.plan.s3.as_ref().and_then(|s| s.output_prefix.as_ref().map(|p| (s.bucket.clone(), p.clone())));
    // Owned items: a stream over borrowed ones would keep `refresh`'s future from being `Send`.
    let mut targets: Vec<(Found, String)> = Vec::new();
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
                    targets.push((f.clone(), id.to_string()));
                }
            }
            token = page.next_token().map(str::to_string);
            if token.is_none() {
                break;
            }
        }
    }
    let (targets, older) = latest_per_node(targets);
    progress(&format!("{} finished run(s), {} node output(s) to read", found.len(), targets.len()));
    let concurrency = opts.concurrency.max(1);
    let read = Counter { what: "outputs read", total: targets.len(), done: 0.into(), progress };
    let reads: Vec<Read> = stream::iter(targets.into_iter().map(|(f, node)| {
        let output = output.clone();
        let read = &read;
        async move {
            let r = read_output(clients, &f.command_id, &node, output.as_ref(), &session.plan.name, &f.operation).await;
            read.tick();
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
    if older > 0 {
        report.messages.push(format!(
            "{older} older run(s) of the same node(s) not read: a node's latest run is its report, as in AWS's own \
             compliance (pass --since to leave out runs)"
        ));
    }
    if opts.operation.is_none() && opts.command_id.is_none() && !ops.iter().any(|o| o.uses_override) {
        report.messages.push(
            "no operation of the plan runs with BaselineOverride, so AWS recorded every run's compliance itself; \
             pass --operation NAME to refresh one anyway"
                .into(),
        );
    }
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

    let info = plan_info(&session.plan, &session.explanation);
    let mut puts = Vec::new();
    for (op, runs) in runs {
        let actions = match strategy.after_run(&info, &runs) {
            Ok(a) => {
                progress(&format!("strategy `{name}` on {} run(s) of `{op}`: {} action(s)", runs.len(), a.len()));
                a
            }
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
        let routed = route(&name, &op, &runs, actions);
        report.nodes.extend(routed.outcomes);
        report.messages.extend(routed.messages);
        puts.extend(routed.puts.into_iter().map(|p| (op.clone(), p)));
        for chunk in routed.scans {
            progress(&format!("starting a scan without override on {} node(s)", chunk.len()));
            let sent = clients
                .ssm
                .send_command()
                .document_name("AWS-RunPatchBaseline")
                .set_instance_ids(Some(chunk.clone()))
                .parameters("Operation", vec!["Scan".to_string()])
                .comment(format!("ssmpatch refresh of {} ({op})", session.plan.name))
                .send()
                .await;
            let (cmd, result, detail) = match sent {
                Ok(out) => (
                    out.command().and_then(|c| c.command_id()).unwrap_or_default().to_string(),
                    "scan-started",
                    "AWS-RunPatchBaseline Scan without override".to_string(),
                ),
                Err(e) => (String::new(), "failed", aws("ssm", "SendCommand", e).to_string()),
            };
            for n in chunk {
                report.nodes.push(NodeOutcome {
                    instance_id: n,
                    operation: op.clone(),
                    execution_id: cmd.clone(),
                    result: result.into(),
                    detail: detail.clone(),
                });
            }
        }
    }
    // PutComplianceItems for every node, with bounded concurrency; a failure is that node's.
    let put = Counter { what: "compliance written", total: puts.len(), done: 0.into(), progress };
    let written: Vec<NodeOutcome> = stream::iter(puts.into_iter().map(|(op, p)| {
        let put = &put;
        async move {
            let outcome = put_compliance(clients, op, p).await;
            put.tick();
            outcome
        }
    }))
    .buffer_unordered(concurrency)
    .collect()
    .await;
    report.nodes.extend(written);
    report.nodes.sort_by(|a, b| (&a.instance_id, &a.operation).cmp(&(&b.instance_id, &b.operation)));
    Ok(report)
}

/// Each node's latest run among `targets` (by end time, then command id), whatever its
/// operation: AWS keeps one patch compliance snapshot per node, "from the latest successful
/// patching operation", and a COMPLETE upload replaces the whole type, so replaying an older run
/// after a newer one would report stale data. Also the number of older runs left out.
fn latest_per_node(targets: Vec<(Found, String)>) -> (Vec<(Found, String)>, usize) {
    let total = targets.len();
    let key = |f: &Found| (f.end.parse::<Timestamp>().ok(), f.command_id.clone());
    let mut latest: BTreeMap<String, Found> = BTreeMap::new();
    for (f, node) in targets {
        let newer = latest.get(&node).is_none_or(|kept| key(&f) > key(kept));
        if newer {
            latest.insert(node, f);
        }
    }
    let kept: Vec<(Found, String)> = latest.into_iter().map(|(node, f)| (f, node)).collect();
    let older = total - kept.len();
    (kept, older)
}

/// What the host does with one strategy call's actions on `runs` of operation `op` (pure).
#[derive(Debug, Default, PartialEq)]
struct Routed {
    /// PutComplianceItems calls to make.
    puts: Vec<crate::strategy::PutCompliance>,
    /// Scans to start, at most [`crate::strategy::MAX_SCAN_NODES_PER_COMMAND`] nodes each.
    scans: Vec<Vec<String>>,
    /// The strategy's messages.
    messages: Vec<String>,
    /// Nodes settled here: compliance refused from incomplete output (`skipped`), and nodes no
    /// action touched (`no-action`, with the strategy's message that names the node, if any).
    outcomes: Vec<NodeOutcome>,
}

fn route(strategy: &str, op: &str, runs: &[RunResult], actions: Vec<Action>) -> Routed {
    let incomplete: std::collections::BTreeSet<&str> =
        runs.iter().filter(|r| r.truncated).map(|r| r.instance_id.as_str()).collect();
    let mut acted = std::collections::BTreeSet::new();
    let mut out = Routed::default();
    for a in actions {
        match a {
            Action::Message(m) => out.messages.push(m),
            Action::StartScan(nodes) => {
                acted.extend(nodes.iter().cloned());
                out.scans.extend(nodes.chunks(crate::strategy::MAX_SCAN_NODES_PER_COMMAND).map(<[String]>::to_vec));
            }
            Action::PutCompliance(p) => {
                acted.insert(p.instance_id.clone());
                // Whatever the strategy says, compliance is never written from output that was
                // not read completely (a COMPLETE upload from a cut report loses items).
                if incomplete.contains(p.instance_id.as_str()) {
                    out.outcomes.push(NodeOutcome {
                        instance_id: p.instance_id.clone(),
                        operation: op.to_string(),
                        execution_id: p.execution_id.clone(),
                        result: "skipped".into(),
                        detail: format!(
                            "strategy `{strategy}` wrote compliance from output that was not read completely; not sent"
                        ),
                    });
                } else {
                    out.puts.push(p);
                }
            }
        }
    }
    for r in runs.iter().filter(|r| !acted.contains(&r.instance_id)) {
        out.outcomes.push(NodeOutcome {
            instance_id: r.instance_id.clone(),
            operation: op.to_string(),
            execution_id: r.execution_id.clone(),
            result: "no-action".into(),
            detail: out
                .messages
                .iter()
                .find(|m| m.contains(r.instance_id.as_str()))
                .cloned()
                .unwrap_or_else(|| format!("strategy `{strategy}` returned no action for this node")),
        });
    }
    out
}

/// The plan's windows → finished executions → the commands of the wanted operations' tasks.
async fn window_runs(
    session: &Session,
    clients: &Clients,
    ops: &[RunOperation],
    wanted: &(dyn Fn(&str) -> bool + Sync),
    opts: &RefreshOptions,
) -> Result<Vec<Found>, Error> {
    let observed = session.scheduler.observe(&session.plan.name, &session.desired).await?;
    let prefix = crate::scheduler::desired::prefix(&session.plan.name);
    let mut names: Vec<&str> = session.plan.operations.iter().map(|o| o.name.as_str()).collect();
    names.sort_by_key(|o| std::cmp::Reverse(o.len()));
    // Window id → the plan operation it runs (`<prefix><op>` or one-shot `<prefix><op>-at-…`).
    let windows: Vec<(String, String)> = observed
        .iter()
        .filter(|o| o.owned && o.key.kind == Kind::MaintenanceWindow)
        .filter_map(|o| {
            let rest = o.key.name.strip_prefix(&prefix)?;
            let op = names.iter().find(|op| rest == **op || rest.starts_with(&format!("{op}-at-")))?;
            Some((o.id.clone(), op.to_string()))
        })
        .collect();

    let mut found = Vec::new();
    for (window_id, op) in &windows {
        // The tasks in this window: its operation and what the strategy added after it.
        let in_window: Vec<&RunOperation> =
            ops.iter().filter(|o| &o.name == op || o.after.as_deref() == Some(op.as_str())).collect();
        if !in_window.iter().any(|o| wanted(&o.name)) {
            continue;
        }
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
                let mut commands: BTreeMap<String, String> = BTreeMap::new();
                for i in invs.window_execution_task_invocation_identities() {
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
                    if let Some(o) = which.filter(|o| wanted(&o.name)) {
                        commands.insert(command.to_string(), o.name.clone());
                    }
                }
                for (command_id, operation) in commands {
                    found.push(Found { operation, command_id, end: end.clone() });
                }
            }
        }
    }
    Ok(found)
}

/// The plan's associations → finished executions → the command each target ran.
async fn association_runs(
    session: &Session,
    clients: &Clients,
    wanted: &(dyn Fn(&str) -> bool + Sync),
    opts: &RefreshOptions,
) -> Result<Vec<Found>, Error> {
    let observed = session.scheduler.observe(&session.plan.name, &session.desired).await?;
    let prefix = crate::scheduler::desired::prefix(&session.plan.name);
    let associations: Vec<(String, String)> = observed
        .iter()
        .filter(|o| o.owned && o.key.kind == Kind::Association)
        .filter_map(|o| Some((o.id.clone(), o.key.name.strip_prefix(&prefix)?.to_string())))
        .filter(|(_, op)| wanted(op))
        .collect();
    let mut found = Vec::new();
    for (association_id, op) in associations {
        let mut executions = Vec::new();
        let mut token = None;
        loop {
            let page = clients
                .ssm
                .describe_association_executions()
                .association_id(&association_id)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| aws("ssm", "DescribeAssociationExecutions", e))?;
            executions.extend(page.association_executions().iter().cloned());
            token = page.next_token().map(str::to_string);
            if token.is_none() {
                break;
            }
        }
        for ex in executions {
            // Association execution statuses are free text: `Success`, `Failed`, `Pending`,
            // `InProgress`… (AssociationExecution.Status); only finished ones are read.
            let done = matches!(ex.status(), Some("Success" | "Failed"));
            let created = ex.created_time().and_then(|t| Timestamp::from_second(t.secs()).ok());
            if !done || opts.since.is_some_and(|s| created.is_none_or(|t| t < s)) {
                continue;
            }
            let Some(exec_id) = ex.execution_id() else { continue };
            let mut commands: BTreeMap<String, String> = BTreeMap::new();
            let mut token = None;
            loop {
                let page = clients
                    .ssm
                    .describe_association_execution_targets()
                    .association_id(&association_id)
                    .execution_id(exec_id)
                    .set_next_token(token)
                    .send()
                    .await
                    .map_err(|e| aws("ssm", "DescribeAssociationExecutionTargets", e))?;
                for t in page.association_execution_targets() {
                    let Some(src) = t.output_source() else { continue };
                    if src.output_source_type() != Some("RunCommand") {
                        continue;
                    }
                    let Some(command) = src.output_source_id() else { continue };
                    let end = t.last_execution_date().and_then(|d| d.fmt(Format::DateTime).ok()).unwrap_or_default();
                    commands.entry(command.to_string()).or_insert(end);
                }
                token = page.next_token().map(str::to_string);
                if token.is_none() {
                    break;
                }
            }
            for (command_id, end) in commands {
                found.push(Found { operation: op.clone(), command_id, end });
            }
        }
    }
    Ok(found)
}

/// One command, e.g. `AWS-RunPatchBaseline` started by hand with one of the plan's overrides.
async fn command_run(
    session: &Session,
    clients: &Clients,
    command_id: &str,
    ops: &[RunOperation],
    opts: &RefreshOptions,
) -> Result<Found, Error> {
    let page =
        clients.ssm.list_commands().command_id(command_id).send().await.map_err(|e| aws("ssm", "ListCommands", e))?;
    let Some(command) = page.commands().first() else {
        return Err(Error::Unexpected(format!("command `{command_id}` does not exist in this account and Region")));
    };
    if command.document_name() != Some("AWS-RunPatchBaseline") {
        return Err(Error::Unexpected(format!(
            "command `{command_id}` runs `{}`, not AWS-RunPatchBaseline",
            command.document_name().unwrap_or_default()
        )));
    }
    let params = serde_json::to_value(command.parameters().cloned().unwrap_or_default()).unwrap_or_default();
    let (_, url) = run_parameters(&params);
    let operation = match (&opts.operation, &url) {
        (Some(op), _) => op.clone(),
        (None, Some(url)) => {
            ops.iter().find(|o| o.override_url.as_deref() == Some(url.as_str())).map(|o| o.name.clone()).ok_or_else(
                || {
                    Error::Unexpected(format!(
                        "command `{command_id}` runs with BaselineOverride {url}, which is not one of plan `{}`'s \
                     (pass --operation to refresh it as one of them)",
                        session.plan.name
                    ))
                },
            )?
        }
        (None, None) => {
            return Err(Error::Unexpected(format!(
                "command `{command_id}` runs without BaselineOverride, so AWS recorded its compliance itself \
                 (pass --operation to refresh it anyway)"
            )));
        }
    };
    let end = command.requested_date_time().and_then(|d| d.fmt(Format::DateTime).ok()).unwrap_or_default();
    Ok(Found { operation, command_id: command_id.to_string(), end })
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
    // Elsewhere in the plan's bucket (another layout, e.g. an association's or a hand-started
    // command's): "StandardOutputUrl: the URL for the complete text written by the plugin to
    // stdout in Amazon S3" (GetCommandInvocation). Only the plan's own bucket is read.
    if let Some((bucket, _)) = output
        && let Some(key) = inv.standard_output_url().and_then(|u| s3_key_in(u, bucket))
        && let Ok(o) = c.s3.get_object().bucket(bucket).key(&key).send().await
        && let Ok(body) = o.body.collect().await
    {
        return Ok((String::from_utf8_lossy(&body.into_bytes()).into_owned(), true));
    }
    Ok((inv.standard_output_content().unwrap_or_default().to_string(), false))
}

/// The object key of an S3 URL in `bucket`, path-style (`https://s3.<region>.amazonaws.com/<bucket>/<key>`)
/// or virtual-hosted (`https://<bucket>.s3.<region>.amazonaws.com/<key>`); `None` for another bucket.
fn s3_key_in(url: &str, bucket: &str) -> Option<String> {
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"))?;
    let (host, path) = rest.split_once('/')?;
    let key =
        if host.starts_with(&format!("{bucket}.s3")) { path } else { path.strip_prefix(bucket)?.strip_prefix('/')? };
    (!key.is_empty()).then(|| key.to_string())
}

/// One PutComplianceItems call (COMPLETE or PARTIAL, with the item content hash).
async fn put_compliance(c: &Clients, op: String, p: crate::strategy::PutCompliance) -> NodeOutcome {
    let outcome = |result: &str, detail: String| NodeOutcome {
        instance_id: p.instance_id.clone(),
        operation: op.clone(),
        execution_id: p.execution_id.clone(),
        result: result.into(),
        detail,
    };
    // Every item or none: a COMPLETE upload missing one would drop it from the report.
    let items: Result<Vec<ComplianceItemEntry>, _> = p
        .items
        .iter()
        .map(|i| {
            ComplianceItemEntry::builder()
                .id(&i.id)
                .title(&i.title)
                .severity(ComplianceSeverity::from(i.severity.as_str()))
                .status(ComplianceStatus::from(i.status.as_str()))
                .set_details(Some(i.details.iter().map(|d| (d.key.clone(), d.value.clone())).collect()))
                .build()
        })
        .collect();
    let items = match items {
        Ok(items) => items,
        Err(e) => return outcome("failed", format!("a compliance item cannot be sent: {e}")),
    };
    let when = DateTime::from_str(&p.execution_time, Format::DateTime)
        .unwrap_or_else(|_| DateTime::from_secs(Timestamp::now().as_second()));
    let n = items.len();
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_urls_are_read_only_in_the_plans_bucket() {
        let k = "p/cmd/i-1/awsrunShellScript/PatchLinux/stdout";
        assert_eq!(s3_key_in(&format!("https://s3.us-east-1.amazonaws.com/b/{k}"), "b").as_deref(), Some(k));
        assert_eq!(s3_key_in(&format!("https://b.s3.us-east-1.amazonaws.com/{k}"), "b").as_deref(), Some(k));
        assert_eq!(s3_key_in(&format!("https://s3.us-east-1.amazonaws.com/other/{k}"), "b"), None);
        assert_eq!(s3_key_in(&format!("https://s3.us-east-1.amazonaws.com/bb/{k}"), "b"), None);
        assert_eq!(s3_key_in("", "b"), None);
        assert_eq!(s3_key_in("https://s3.amazonaws.com/b/", "b"), None);
    }

    fn run(node: &str, truncated: bool) -> RunResult {
        RunResult {
            instance_id: node.into(),
            operation: "install".into(),
            kind: OperationKind::Install,
            execution_id: format!("cmd-{node}"),
            execution_time: "2026-11-29T03:41:00Z".into(),
            summary: Vec::new(),
            non_compliant: Vec::new(),
            all_compliant: true,
            truncated,
            raw_output: String::new(),
        }
    }

    fn put(node: &str) -> crate::strategy::PutCompliance {
        crate::strategy::PutCompliance {
            instance_id: node.into(),
            compliance_type: "Custom:ssmpatch".into(),
            execution_id: format!("cmd-{node}"),
            execution_time: "2026-11-29T03:41:00Z".into(),
            items: Vec::new(),
            upload_type: crate::strategy::UploadType::Complete,
            content_hash: String::new(),
        }
    }

    #[test]
    fn routing_never_writes_from_incomplete_output_and_reports_every_node() {
        let runs = [run("i-a", false), run("i-b", true), run("i-c", false), run("i-d", false)];
        let actions = vec![
            Action::PutCompliance(put("i-a")),
            Action::PutCompliance(put("i-b")),
            Action::Message("i-c: nothing to say".into()),
            Action::StartScan(vec!["i-b".into()]),
        ];
        let r = route("x", "install", &runs, actions);
        assert_eq!(r.puts, vec![put("i-a")]);
        assert_eq!(r.scans, vec![vec!["i-b".to_string()]]);
        assert_eq!(r.messages, ["i-c: nothing to say"]);
        let outcomes: Vec<(&str, &str, &str)> =
            r.outcomes.iter().map(|o| (o.instance_id.as_str(), o.result.as_str(), o.detail.as_str())).collect();
        assert_eq!(
            outcomes,
            [
                ("i-b", "skipped", "strategy `x` wrote compliance from output that was not read completely; not sent"),
                ("i-c", "no-action", "i-c: nothing to say"),
                ("i-d", "no-action", "strategy `x` returned no action for this node"),
            ]
        );
        // Scans are sent 50 nodes per SendCommand.
        let many: Vec<String> = (0..120).map(|i| format!("i-{i}")).collect();
        let runs: Vec<RunResult> = many.iter().map(|n| run(n, false)).collect();
        let r = route("x", "install", &runs, vec![Action::StartScan(many)]);
        assert_eq!(r.scans.iter().map(Vec::len).collect::<Vec<_>>(), [50, 50, 20]);
        assert!(r.outcomes.is_empty());
    }

    /// `refresh` can be spawned on a multi-threaded runtime (Python's `refresh_async` does): this
    /// stops compiling if its future stops being `Send`.
    #[allow(dead_code)]
    fn refresh_future_is_send(s: &Session, c: &Clients, o: &RefreshOptions) {
        fn send<T: Send>(_: T) {}
        send(refresh(s, c, o, &|_: &str| {}));
    }

    #[test]
    fn each_nodes_latest_run_is_read_and_older_ones_are_counted() {
        let found =
            |op: &str, cmd: &str, end: &str| Found { operation: op.into(), command_id: cmd.into(), end: end.into() };
        let (jan, feb, feb_scan) = (
            found("install", "c-jan", "2026-01-25T03:10:00Z"),
            found("install", "c-feb", "2026-02-22T03:10:00.5Z"),
            found("scan", "c-scan", "2026-02-22T03:10:00Z"),
        );
        let targets = vec![
            (feb, "i-a".to_string()),
            (jan.clone(), "i-a".to_string()),
            (jan, "i-b".to_string()),
            (feb_scan, "i-b".to_string()),
        ];
        let (kept, older) = latest_per_node(targets);
        let kept: Vec<(&str, &str)> = kept.iter().map(|(f, n)| (n.as_str(), f.command_id.as_str())).collect();
        // Fractional seconds compare as instants, not as text; the operation does not matter.
        assert_eq!(kept, [("i-a", "c-feb"), ("i-b", "c-scan")]);
        assert_eq!(older, 2);
    }

    #[test]
    fn run_parameters_read_operation_and_override() {
        let p = serde_json::json!({"Operation": ["Install"], "BaselineOverride": ["s3://b/k.json"]});
        assert_eq!(run_parameters(&p), (Some("Install".into()), Some("s3://b/k.json".into())));
        let p = serde_json::json!({"Operation": ["Scan"], "BaselineOverride": [""]});
        assert_eq!(run_parameters(&p), (Some("Scan".into()), None));
        assert_eq!(run_parameters(&serde_json::Value::Null), (None, None));
    }
}
