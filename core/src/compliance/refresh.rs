//! `refresh`: ask the backend for the plan's finished runs, read each node's output, run the
//! compliance strategy, and perform its actions (PutComplianceItems, a scan without override,
//! messages). Orchestration only: finding runs is the backend's ([`Scheduler::finished_runs`]),
//! reading and writing is [`super::read`]'s, deciding is [`super::route`]'s.
//!
//! By default only runs with an override are read (AWS records every other run's compliance
//! itself). Output is read in full from S3 when the plan writes command output there, otherwise
//! from GetCommandInvocation — where a 24,000-character text counts as truncated. A node whose
//! output could not be read completely never gets compliance written.
//!
//! [`Scheduler::finished_runs`]: crate::backends::Scheduler::finished_runs

use std::collections::BTreeMap;

use futures::stream::{self, StreamExt};
use jiff::Timestamp;

use super::read::{self, Platform};
use super::report::{NodeOutcome, NodeResult, RefreshReport};
use super::route::{SCAN_DETAIL, decide, latest_per_node};
use crate::aws::Clients;
use crate::backends::paging::all;
use crate::backends::runs::command_run;
use crate::backends::{Desired, FinishedRun, RunOperation, RunQuery, Scheduler};
use crate::error::Error;
use crate::plan::BaselineUse;
use crate::plan::additions::{Additions, plan_info};
use crate::plan::{Explanation, Plan};
use crate::run_output::{OutputSource, parse};
use crate::strategy::{RunResult, load, run_result};

/// What a refresh works on: the plan, explained, with its additions and resources, and the
/// backend and clients to read from (a `Session` gives all of them).
#[derive(Clone, Copy)]
pub struct Target<'a> {
    /// The plan.
    pub plan: &'a Plan,
    /// Its explanation.
    pub explanation: &'a Explanation,
    /// What its strategy adds.
    pub additions: &'a Additions,
    /// The resources it needs.
    pub desired: &'a [Desired],
    /// Its backend.
    pub scheduler: &'a dyn Scheduler,
    /// The AWS clients.
    pub clients: &'a Clients,
}

impl std::fmt::Debug for Target<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target").field("plan", &self.plan.name).finish()
    }
}

/// What to refresh.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
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

/// The operations whose runs refresh can read: the plan's, and those its strategy added.
pub(crate) fn run_operations(session: &Target<'_>) -> Vec<RunOperation> {
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

/// One node's output: the run it belongs to, the node, and the text with whether it is complete.
type Read = (FinishedRun, String, Result<(String, bool), Error>);

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
    session: Target<'_>,
    opts: &RefreshOptions,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<RefreshReport, Error> {
    let clients = session.clients;
    let name = match (opts.strategy.clone(), crate::plan::additions::strategy_of(session.plan)) {
        (Some(s), _) | (None, Some(s)) => s,
        (None, None) => {
            return Err(Error::input(
                "the plan's compliance strategy is `none`",
                Some("set `[compliance] strategy` or pass --strategy".into()),
            ));
        }
    };
    // The plan's own strategy is named with the plan in errors; one given instead (--strategy) is not.
    let context = |e: crate::strategy::StrategyError| match opts.strategy {
        Some(_) => e,
        None => crate::plan::in_plan(session.plan, e),
    };
    let strategy =
        load(crate::strategy::default_host()?, &name).map_err(context)?.with_limits(session.plan.strategy_limits);

    let ops = run_operations(&session);
    if let Some(want) = &opts.operation
        && !ops.iter().any(|o| &o.name == want)
    {
        let names: Vec<&str> = ops.iter().map(|o| o.name.as_str()).collect();
        return Err(Error::input(
            format!("the plan has no operation `{want}`"),
            Some(format!("the plan has: {}", names.join(", "))),
        ));
    }
    // By default only runs with an override: AWS recorded every other run's compliance itself.
    let wanted = |op: &str| match &opts.operation {
        Some(want) => want == op,
        None => ops.iter().any(|o| o.name == op && o.uses_override),
    };
    let found = match &opts.command_id {
        Some(id) => vec![command_run(clients, &session.plan.name, id, &ops, opts.operation.as_deref()).await?],
        None => {
            let query = RunQuery { operations: &ops, wanted: &wanted, since: opts.since };
            session.scheduler.finished_runs(&session.plan.name, session.desired, query).await?
        }
    };

    // Each node's output.
    let output = crate::backends::shared::document::output_location(session.plan);
    // Owned items: a stream over borrowed ones would keep `refresh`'s future from being `Send`.
    // Each run's nodes: one command per node on maintenance windows, so as many lists as nodes,
    // made `concurrency` at a time and read in the runs' order (the first failure in that order
    // is the error, as when they were made one by one).
    let concurrency = opts.concurrency.max(1);
    let commands: Vec<String> = found.iter().map(|f| f.command_id.clone()).collect();
    let lists: Vec<Result<Vec<_>, Error>> = stream::iter(commands.into_iter().map(|id| {
        all(
            "ssm",
            "ListCommandInvocations",
            clients.ssm.list_command_invocations().command_id(id).into_paginator().items().send(),
        )
    }))
    .buffered(concurrency)
    .collect()
    .await;
    let mut targets: Vec<(FinishedRun, String)> = Vec::new();
    for (f, invocations) in found.iter().zip(lists) {
        targets.extend(invocations?.iter().filter_map(|inv| Some((f.clone(), inv.instance_id()?.to_string()))));
    }
    let (targets, older) = latest_per_node(targets);
    progress(&format!("{} finished run(s), {} node output(s) to read", found.len(), targets.len()));
    // The step to read follows the node's platform; a node AWS no longer knows is read as Linux.
    let nodes: Vec<String> = targets.iter().map(|(_, n)| n.clone()).collect();
    let platforms = read::platforms(clients, &nodes).await?;
    let platform_of = |node: &str| platforms.get(node).copied().unwrap_or(Platform::Linux);
    let counter = Counter { what: "outputs read", total: targets.len(), done: 0.into(), progress };
    let reads: Vec<Read> = stream::iter(targets.into_iter().map(|(f, node)| {
        let output = output.clone();
        let counter = &counter;
        let platform = platform_of(&node);
        async move {
            let (plan, op) = (&session.plan.name, &f.operation);
            let r = read::output(clients, &f.command_id, &node, platform, output.as_ref(), plan, op).await;
            counter.tick();
            (f, node, r)
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
    let outcome = |node: String, op: String, cmd: String, result: NodeResult, detail: String| NodeOutcome {
        instance_id: node,
        operation: op,
        execution_id: cmd,
        result,
        detail,
    };
    let mut runs: BTreeMap<String, Vec<RunResult>> = BTreeMap::new();
    for (run, node, r) in reads {
        let FinishedRun { operation: op, command_id: cmd, end } = run;
        match r {
            Err(e) => report.nodes.push(outcome(node, op, cmd, NodeResult::Failed, e.to_string())),
            Ok((text, complete)) => {
                let source = if complete { OutputSource::Complete } else { OutputSource::Invocation };
                match parse(&text, source) {
                    Ok(mut parsed) => {
                        if parsed.instance_id.is_none() {
                            parsed.instance_id = Some(node.clone());
                        }
                        let end = end.map(|t| t.to_string()).unwrap_or_default();
                        runs.entry(op.clone()).or_default().push(run_result(&parsed, &op, &cmd, &end, &text));
                    }
                    Err(e) => report.nodes.push(outcome(node, op, cmd, NodeResult::Skipped, e.to_string())),
                }
            }
        }
    }

    let info = plan_info(session.plan, session.explanation);
    let mut puts = Vec::new();
    for (op, runs) in runs {
        let result = strategy.after_run(&info, &runs);
        if let Ok(a) = &result {
            progress(&format!("strategy `{name}` on {} run(s) of `{op}`: {} action(s)", runs.len(), a.len()));
        }
        // A trap, timeout or out-of-memory is reported for these nodes; other operations go on.
        let with_override = ops.iter().any(|o| o.name == op && o.uses_override);
        let routed = decide(&name, &op, &runs, result, with_override);
        report.nodes.extend(routed.settled().cloned());
        report.messages.extend(routed.messages);
        for p in routed.puts {
            // Never written from a Windows or macOS node's output: AWS does not document what it
            // prints for a BaselineOverride run there (its counts included).
            if platform_of(&p.instance_id) == Platform::Linux {
                puts.push((op.clone(), p));
            } else {
                let (node, cmd) = (p.instance_id, p.execution_id);
                report.nodes.push(outcome(node, op.clone(), cmd, NodeResult::Skipped, String::new()));
            }
        }
        // A scan is started once per run: not for a node whose compliance AWS recorded after
        // this run ended (a scan started by an earlier refresh, or any scan without override).
        let asked: Vec<String> = routed.scans.iter().flatten().cloned().collect();
        let recorded = if asked.is_empty() { BTreeMap::new() } else { read::recorded_at(clients, &asked).await? };
        let ended: BTreeMap<&str, Timestamp> = runs
            .iter()
            .filter_map(|r| r.execution_time.parse::<Timestamp>().ok().map(|t| (r.instance_id.as_str(), t)))
            .collect();
        let mut scans = Vec::new();
        for chunk in routed.scans {
            // Whole seconds: a scan recorded in the second the run ended started after it (a scan
            // takes longer than that), and patch states' times may come to the second.
            let (done, todo): (Vec<String>, Vec<String>) = chunk.into_iter().partition(|n| {
                matches!((recorded.get(n), ended.get(n.as_str())),
                         (Some(at), Some(end)) if at.as_second() >= end.as_second())
            });
            for n in done {
                let detail = format!(
                    "AWS recorded its compliance after this run ended (patch state of {}): no new scan",
                    recorded[&n]
                );
                let cmd = runs.iter().find(|r| r.instance_id == n).map(|r| r.execution_id.clone()).unwrap_or_default();
                report.nodes.push(outcome(n, op.clone(), cmd, NodeResult::NoAction, detail));
            }
            if !todo.is_empty() {
                scans.push(todo);
            }
        }
        for chunk in scans {
            progress(&format!("starting a scan without override on {} node(s)", chunk.len()));
            let comment = format!("ssmpatch refresh of {} ({op})", session.plan.name);
            let (cmd, result, detail) = match read::start_scan(clients, &chunk, comment).await {
                Ok(cmd) => (cmd, NodeResult::ScanStarted, SCAN_DETAIL.to_string()),
                Err(e) => (String::new(), NodeResult::Failed, e.to_string()),
            };
            for n in chunk {
                report.nodes.push(outcome(n, op.clone(), cmd.clone(), result, detail.clone()));
            }
        }
    }
    // PutComplianceItems for every node, with bounded concurrency; a failure is that node's.
    let counter = Counter { what: "compliance written", total: puts.len(), done: 0.into(), progress };
    let written: Vec<NodeOutcome> = stream::iter(puts.into_iter().map(|(op, p)| {
        let counter = &counter;
        async move {
            let outcome = read::put_compliance(clients, op, p).await;
            counter.tick();
            outcome
        }
    }))
    .buffer_unordered(concurrency)
    .collect()
    .await;
    report.nodes.extend(written);
    for n in &mut report.nodes {
        unreadable_platform(n, platform_of(&n.instance_id));
    }
    report.nodes.sort_by(|a, b| (&a.instance_id, &a.operation).cmp(&(&b.instance_id, &b.operation)));
    Ok(report)
}

/// A Windows or macOS node that got no compliance says so by its platform: AWS publishes no
/// per-update output of a BaselineOverride run there, so none is written from it.
fn unreadable_platform(n: &mut NodeOutcome, platform: Platform) {
    if platform != Platform::Linux && matches!(n.result, NodeResult::NoAction | NodeResult::Skipped) {
        n.result = NodeResult::UnreadablePlatform;
        let why = if n.detail.is_empty() { String::new() } else { format!(" ({})", n.detail) };
        n.detail = format!(
            "{} node: AWS-RunPatchBaseline prints no per-update result of a BaselineOverride run there (AWS \
             publishes none), so its compliance is not written from the output; use the `rescan` strategy \
             or a run without override for it{why}",
            platform.name(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `refresh` can be spawned on a multi-threaded runtime (Python's `refresh_async` does): this
    /// stops compiling if its future stops being `Send`.
    #[allow(dead_code)]
    fn refresh_future_is_send(s: Target<'_>, o: &RefreshOptions) {
        fn send<T: Send>(_: T) {}
        send(refresh(s, o, &|_: &str| {}));
    }
}
