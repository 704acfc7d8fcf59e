//! `status`: whether each node's compliance report tells the truth about the plan's last runs.
//!
//! For every node the plan targets it joins the plan's calendar (the last run each operation
//! should have had), what AWS recorded (patch state, compliance summaries, the window or
//! association executions that included the node, the agent) and what ssmpatch wrote, and gives
//! a [`Verdict`] per node and operation with the [`Evidence`] behind it.
//!
//! - [`status()`]: the orchestration.
//! - `report`: the serde types of the [`StatusReport`].
//! - `gather`: the AWS reads (paged, bounded, concurrent; per-node calls for suspects only).
//! - `verdict` (pure): the rules, one node and operation at a time.
//! - `html`: the report as one self-contained HTML page ([`status_html`]).

mod gather;
mod html;
mod report;
mod verdict;

use std::collections::{BTreeMap, BTreeSet};

use futures::stream::{self, StreamExt};
use jiff::Timestamp;

pub use html::status_html;

pub use report::{
    Agent, Evidence, FleetSummary, ForeignScan, NodeStatus, Oldest, OperationStatus, PatchCounts, PatchStateEvidence,
    ReportEvidence, ReportKind, ResourceRef, RunEvidence, RunSource, RunSummary, StatusReport, Verdict, WrittenBy,
};

use self::gather::{Command, Resource, RunRecord};
use self::verdict::{Execution, NodeFacts, OpFacts, judge};
use super::refresh::{Target, run_operations};
use crate::backends::naming::{operation_of, prefix};
use crate::backends::{Kind, RunOperation};
use crate::error::Error;
use crate::plan::BaselineUse;
use crate::plan::additions::{DEFAULT_COMPLIANCE_TYPE, strategy_of};
use crate::schedule::Backend;

/// How far before a planned run its execution may start (a window opens on the minute; clocks
/// differ).
const EARLY_SECS: i64 = 600;

/// How long after a planned run its execution may start and still be that run's: a maintenance
/// window lasts at most 24 hours (AWS: Duration 1-24).
const LATEST_START_SECS: i64 = 24 * 3600;

/// What to report on.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct StatusOptions {
    /// Only this plan operation.
    pub operation: Option<String>,
    /// "Now" for the calendar and the cut-off for runs (default: now). Compliance summaries and
    /// patch states are always today's: AWS keeps no history of them.
    pub at: Option<Timestamp>,
    /// Calls in flight at once.
    pub concurrency: usize,
}

/// The planned run an execution that started at `started` belongs to: the latest one it started
/// at most 10 minutes before and less than a day after (a window lasts at most 24 hours). A run
/// started by hand between planned runs, or late, belongs to none.
fn planned_run_of(planned: &[Timestamp], started: Timestamp) -> Option<Timestamp> {
    let s = started.as_second();
    planned.iter().rev().find(|p| p.as_second() - EARLY_SECS <= s && s < p.as_second() + LATEST_START_SECS).copied()
}

/// Where an operation's result should show, on `backend` with `strategy`.
fn report_kind(backend: Backend, uses_override: bool, strategy: Option<&str>, rescanned: bool) -> ReportKind {
    if backend == Backend::PatchPolicy {
        return ReportKind::Policy;
    }
    if !uses_override {
        return ReportKind::Recorded;
    }
    match strategy {
        Some("rescan") if rescanned => ReportKind::Rescanned,
        Some("rescan") | None => ReportKind::NotReported,
        Some(_) => ReportKind::Written,
    }
}

fn seconds(t: Timestamp) -> Timestamp {
    Timestamp::from_second(t.as_second()).unwrap_or(t)
}

fn minus(t: Timestamp, secs: i64) -> Timestamp {
    Timestamp::from_second(t.as_second() - secs).unwrap_or(t)
}

/// `AWS-RunPatchBaseline`'s step of a platform (DescribeInstanceInformation's `PlatformType`).
fn step_of(platform: Option<&str>) -> &'static str {
    match platform {
        Some("Windows") => "PatchWindows",
        Some("macOS" | "MacOS") => "PatchMacOS",
        _ => "PatchLinux",
    }
}

/// One operation being reported on.
struct Op {
    facts: OpFacts,
    kind: crate::plan::OperationKind,
    planned: Vec<Timestamp>,
    /// The operations it may run as: itself and its additions.
    additions: Vec<String>,
    resources: Vec<Resource>,
}

/// Report whether each targeted node's compliance report is current for the plan's operations.
/// `progress` receives a line per step.
pub async fn status(
    target: Target<'_>,
    opts: &StatusOptions,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<StatusReport, Error> {
    let (plan, c) = (target.plan, target.clients);
    let at = seconds(opts.at.unwrap_or_else(Timestamp::now));
    let concurrency = opts.concurrency.max(1);
    let backend = target.explanation.backend;
    let names: Vec<&str> = target.explanation.operations.iter().map(|o| o.name.as_str()).collect();
    if let Some(want) = &opts.operation
        && !names.contains(&want.as_str())
    {
        return Err(Error::input(
            format!("the plan has no operation `{want}`"),
            Some(format!("the plan has: {}", names.join(", "))),
        ));
    }
    let run_ops: Vec<RunOperation> = run_operations(&target);
    let strategy = strategy_of(plan);
    let plan_type = plan.compliance_type().unwrap_or(DEFAULT_COMPLIANCE_TYPE).to_string();
    let calendar = plan.last_runs(target.explanation, at, 3);

    // The plan's windows and associations, by the operation they run.
    let observed = target.scheduler.observe(&plan.name, target.desired).await?;
    let all_names: Vec<&str> = run_ops.iter().map(|o| o.name.as_str()).collect();
    let mut resources: Vec<Resource> = Vec::new();
    for o in observed.iter().filter(|o| o.owned) {
        let (source, operation) = match o.key.kind {
            Kind::MaintenanceWindow => {
                (RunSource::MaintenanceWindow, operation_of(&plan.name, &o.key.name, &names).map(str::to_string))
            }
            Kind::Association => (
                RunSource::Association,
                o.key.name.strip_prefix(&prefix(&plan.name)).filter(|n| all_names.contains(n)).map(str::to_string),
            ),
            _ => continue,
        };
        if let Some(operation) = operation {
            resources.push(Resource { source, id: o.id.clone(), name: o.key.name.clone(), operation });
        }
    }

    let mut ops: Vec<Op> = Vec::new();
    for (i, e) in target.explanation.operations.iter().enumerate() {
        if opts.operation.as_ref().is_some_and(|w| w != &e.name) {
            continue;
        }
        let uses_override = matches!(e.baseline, BaselineUse::Override { .. });
        let additions: Vec<String> = run_ops
            .iter()
            .filter(|o| o.after.as_deref() == Some(e.name.as_str()) && !o.uses_override)
            .map(|o| o.name.clone())
            .collect();
        let report = report_kind(backend, uses_override, strategy.as_deref(), !additions.is_empty());
        let compliance_type = if report == ReportKind::Written { plan_type.clone() } else { "Patch".to_string() };
        let runs = calendar.get(i);
        let planned = runs.map(|r| r.planned.clone()).unwrap_or_default();
        let mine: Vec<Resource> =
            resources.iter().filter(|r| r.operation == e.name || additions.contains(&r.operation)).cloned().collect();
        ops.push(Op {
            facts: OpFacts {
                plan: plan.name.clone(),
                name: e.name.clone(),
                report,
                compliance_type,
                strategy: strategy.clone().unwrap_or_else(|| "none".into()),
                expected: planned.last().copied(),
                next: runs.and_then(|r| r.next),
                at,
                resources: mine.iter().filter(|r| r.operation == e.name).map(|r| r.name.clone()).collect(),
                execution: None,
            },
            kind: e.kind,
            planned,
            additions,
            resources: mine,
        });
    }

    // Runs since the earliest planned run the report shows (10 minutes early), up to `at`: the
    // verdicts look only at the runs since each operation's expected run, the timeline at all.
    // The nodes the targets select now are read meanwhile.
    let t = &plan.targets;
    let runs = async {
        let mut records: Vec<RunRecord> = Vec::new();
        if let Some(earliest) = ops.iter().filter_map(|o| o.planned.first().copied().or(o.facts.expected)).min() {
            let after = minus(earliest, EARLY_SECS);
            let wanted: Vec<Resource> = ops.iter().flat_map(|o| o.resources.iter().cloned()).collect();
            let windows: Vec<Resource> =
                wanted.iter().filter(|r| r.source == RunSource::MaintenanceWindow).cloned().collect();
            let associations: Vec<Resource> =
                wanted.iter().filter(|r| r.source == RunSource::Association).cloned().collect();
            if !windows.is_empty() {
                records.extend(gather::window_runs(c, &windows, &run_ops, after, at, concurrency).await?);
            }
            if !associations.is_empty() {
                let mut found = gather::association_runs(c, &associations, after, at, concurrency).await?;
                // An addition's association belongs to the operation it follows.
                for r in &mut found {
                    if let Some(o) = run_ops.iter().find(|o| o.name == r.operation)
                        && let Some(a) = &o.after
                    {
                        r.resource_op = a.clone();
                    }
                }
                records.extend(found);
            }
        }
        Ok::<_, Error>(records)
    };
    let (mut records, mut agents) =
        futures::try_join!(runs, gather::targeted(c, &t.tags, &t.instance_ids, concurrency))?;
    records.sort_by_key(|r| r.started);
    progress(&format!("{} run(s) of the plan since its earliest expected run", records.len()));

    // The nodes: those the targets select now, and those seen in runs.
    let seen: BTreeSet<String> = records.iter().flat_map(|r| r.nodes.keys().cloned()).collect();
    let unknown: Vec<String> = seen.iter().filter(|n| !agents.contains_key(*n)).cloned().collect();
    agents.extend(gather::agents(c, &unknown, concurrency).await?);
    // A node the plan names by id stays in the report when AWS no longer lists it (and no run
    // mentions it): it is unreachable, not absent.
    let nodes: BTreeSet<String> = agents.keys().cloned().chain(seen).chain(t.instance_ids.iter().cloned()).collect();
    let ids: Vec<String> = nodes.iter().cloned().collect();
    progress(&format!("{} node(s); reading patch states and compliance summaries", ids.len()));
    let written_type = ops.iter().any(|o| o.facts.report == ReportKind::Written) && plan_type != "Patch";
    let (states, patch, typed) =
        futures::try_join!(gather::patch_states(c, &ids, concurrency), gather::summaries(c, "Patch", &nodes), async {
            if written_type { gather::summaries(c, &plan_type, &nodes).await } else { Ok(BTreeMap::new()) }
        },)?;

    // Per node: the command and snapshot ids of the plan's own runs.
    let mut ours: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for r in &records {
        for (node, ev) in &r.nodes {
            let set = ours.entry(node.as_str()).or_default();
            set.extend(ev.command_id.iter().cloned());
            set.extend(ev.snapshot_id.iter().cloned());
        }
    }

    // Each operation's execution, and each node's facts.
    let mut cases: Vec<(usize, String, NodeFacts)> = Vec::new();
    for (k, op) in ops.iter_mut().enumerate() {
        let x = op.facts.expected.and_then(|tt| {
            let from = minus(tt, EARLY_SECS);
            records.iter().rev().find(|r| r.operation == op.facts.name && r.started.is_none_or(|s| s >= from))
        });
        op.facts.execution = x.map(|x| Execution {
            id: x.id.clone(),
            status: x.status.clone(),
            started: x.started,
            nodes: x.nodes.len(),
        });
        for node in &nodes {
            let run = x.and_then(|x| x.nodes.get(node)).cloned();
            // The run that should record the report: the node's rescan at or after the run.
            let report_run = x.and_then(|x| {
                records
                    .iter()
                    .rev()
                    .filter(|r| op.additions.contains(&r.operation) && r.started >= x.started)
                    .find_map(|r| r.nodes.get(node).cloned())
            });
            let facts = NodeFacts {
                managed: agents.contains_key(node),
                agent: agents.get(node).cloned(),
                run,
                report_run,
                patch_state: states.get(node).cloned(),
                patch: patch.get(node).cloned(),
                typed: typed.get(node).cloned(),
                later: None,
                ours: ours.get(node.as_str()).cloned().unwrap_or_default(),
                failure: None,
            };
            cases.push((k, node.clone(), facts));
        }
    }

    // Suspects only: name what recorded a report that is not the plan's, find refresh's scans,
    // and read why a run failed.
    let refresh_comment = |op: &str| format!("ssmpatch refresh of {} ({op})", plan.name);
    let looked: Vec<(usize, String, NodeFacts)> = stream::iter(cases.into_iter().map(|(k, node, mut f)| {
        let op = &ops[k].facts;
        let comment = refresh_comment(&op.name);
        async move {
            enrich(c, op, &node, &mut f, &comment).await?;
            Ok::<_, Error>((k, node, f))
        }
    }))
    .buffer_unordered(concurrency)
    .collect::<Vec<_>>()
    .await
    .into_iter()
    .collect::<Result<_, _>>()?;

    let mut report_nodes: Vec<NodeStatus> = Vec::new();
    let mut later_warned = 0usize;
    let mut oldest: Option<Oldest> = None;
    for (k, node, f) in looked {
        let op = &ops[k].facts;
        let j = judge(op, &f);
        if op.report == ReportKind::Written && j.verdict == Verdict::Current && j.later_scan.is_some() {
            later_warned += 1;
        }
        if j.verdict == Verdict::Stale
            && let Some(since) = j.since
            && oldest.as_ref().is_none_or(|o| since < o.since)
        {
            oldest = Some(Oldest { instance_id: node.clone(), operation: op.name.clone(), since });
        }
        let mut reports: Vec<ReportEvidence> = Vec::new();
        let mine = &f.ours;
        if let Some(mut p) = f.patch.clone() {
            p.written_by = if p.execution_id.as_ref().is_some_and(|id| mine.contains(id)) {
                WrittenBy::SsmpatchRun
            } else {
                WrittenBy::Other
            };
            reports.push(p);
        }
        if let Some(mut t) = f.typed.clone() {
            t.written_by = if t.execution_id.as_ref().is_some_and(|id| mine.contains(id)) {
                WrittenBy::Ssmpatch
            } else {
                WrittenBy::Other
            };
            reports.push(t);
        }
        report_nodes.push(NodeStatus {
            instance_id: node,
            operation: op.name.clone(),
            verdict: j.verdict,
            reason: j.reason,
            warnings: j.warnings,
            evidence: Evidence {
                agent: f.agent,
                run: f.run,
                report_run: f.report_run,
                patch_state: f.patch_state,
                reports,
                later_scan: j.later_scan,
            },
        });
    }
    report_nodes
        .sort_by(|a, b| (a.verdict, &a.operation, &a.instance_id).cmp(&(b.verdict, &b.operation, &b.instance_id)));

    // The summary: each node under its worst verdict; per operation, each under its own.
    let mut worst: BTreeMap<&str, Verdict> = BTreeMap::new();
    let mut by_operation: BTreeMap<String, BTreeMap<Verdict, usize>> =
        ops.iter().map(|o| (o.facts.name.clone(), Verdict::zero_counts())).collect();
    for n in &report_nodes {
        let w = worst.entry(n.instance_id.as_str()).or_insert(n.verdict);
        *w = (*w).min(n.verdict);
        *by_operation.entry(n.operation.clone()).or_insert_with(Verdict::zero_counts).entry(n.verdict).or_default() +=
            1;
    }
    let mut verdicts = Verdict::zero_counts();
    for v in worst.values() {
        *verdicts.entry(*v).or_default() += 1;
    }

    let mut messages = Vec::new();
    if report_nodes.is_empty() {
        messages.push(
            "no node: the plan's targets select no managed node and no run of the plan names one (check the \
             targets' tags and ids); status exits 6"
                .into(),
        );
    }
    if later_warned > 0 {
        messages.push(format!(
            "{later_warned} node(s): the Patch type shows a later scan than ssmpatch's report (the {plan_type} type \
             is unchanged; the console's patch view shows the later scan)"
        ));
    }
    for g in &t.resource_groups {
        messages.push(format!("resource group {g}: its members are known only from the runs that included them"));
    }
    if backend == Backend::PatchPolicy {
        messages.push(
            "patch policy: AWS keeps no per-run record of a patch policy's runs; verdicts come from each node's Patch \
             report (its execution type and time)"
                .into(),
        );
    }
    if opts.at.is_some_and(|a| a.as_second() < Timestamp::now().as_second() - 60) {
        messages.push(
            "--at is in the past: the calendar and runs are cut off at it, but compliance summaries and patch states \
             are today's (AWS keeps no history of them)"
                .into(),
        );
    }

    let operations = ops
        .iter()
        .map(|o| {
            let runs = records
                .iter()
                .filter(|r| r.operation == o.facts.name || o.additions.contains(&r.operation))
                .filter(|r| r.resource_op == o.facts.name)
                .map(|r| RunSummary {
                    operation: r.operation.clone(),
                    planned: r.started.and_then(|s| planned_run_of(&o.planned, s)),
                    source: r.source,
                    id: r.id.clone(),
                    started: r.started,
                    ended: r.ended,
                    status: r.status.clone(),
                    nodes: r.nodes.len(),
                })
                .collect();
            OperationStatus {
                name: o.facts.name.clone(),
                kind: o.kind,
                report: o.facts.report,
                compliance_type: o.facts.compliance_type.clone(),
                expected: o.facts.expected,
                next: o.facts.next,
                planned: o.planned.clone(),
                resources: o
                    .resources
                    .iter()
                    .map(|r| ResourceRef {
                        kind: match r.source {
                            RunSource::Association => Backend::Association,
                            _ => Backend::MaintenanceWindow,
                        },
                        id: r.id.clone(),
                        name: r.name.clone(),
                        operation: r.operation.clone(),
                    })
                    .collect(),
                runs,
            }
        })
        .collect();

    Ok(StatusReport {
        plan: plan.name.clone(),
        backend,
        at,
        summary: FleetSummary { nodes: worst.len(), verdicts, by_operation, oldest_stale: oldest },
        operations,
        nodes: report_nodes,
        messages,
    })
}

/// For a suspect node: the failed run's reason; the commands sent to it since the run (a refresh's
/// scan becomes the report's run; the one that recorded a report not the plan's is named).
async fn enrich(
    c: &crate::aws::Clients,
    op: &OpFacts,
    node: &str,
    f: &mut NodeFacts,
    refresh_comment: &str,
) -> Result<(), Error> {
    if !f.managed {
        return Ok(());
    }
    let step = step_of(f.agent.as_ref().and_then(|a| a.platform.as_deref()));
    for run in [f.run.as_mut(), f.report_run.as_mut()].into_iter().flatten() {
        if verdict::failed(run)
            && let Some(cmd) = run.command_id.clone()
        {
            match gather::failure(c, &cmd, node, step).await {
                Ok((code, details, text)) => {
                    run.response_code = run.response_code.or(code);
                    if run.status_details.is_none() {
                        run.status_details = details;
                    }
                    if f.failure.is_none() && !text.is_empty() {
                        f.failure = Some(text);
                    }
                }
                // An invocation AWS no longer has (history expired): the verdict stands without it.
                Err(e) if e.is_code("InvocationDoesNotExist") => {}
                Err(e) => return Err(e),
            }
        }
    }
    let Some(run) = &f.run else { return Ok(()) };
    if !verdict::succeeded(run) {
        return Ok(());
    }
    let suspect = match op.report {
        ReportKind::Recorded => !verdict::recorded_by(f, run),
        ReportKind::Rescanned => f.report_run.as_ref().is_none_or(|r| !verdict::recorded_by(f, r)),
        ReportKind::Written => verdict::patch_after(f, run),
        ReportKind::Policy | ReportKind::NotReported => false,
    };
    if !suspect {
        return Ok(());
    }
    let Some(start) = run.started.or(run.ended) else { return Ok(()) };
    let commands = gather::commands(c, node, minus(start, 60)).await?;
    let refresh: Vec<&Command> = commands.iter().filter(|c| c.comment == refresh_comment).collect();
    for r in &refresh {
        f.ours.insert(r.command_id.clone());
        f.ours.extend(r.snapshot_id.iter().cloned());
    }
    if op.report == ReportKind::Rescanned
        && f.report_run.as_ref().is_none_or(|r| !verdict::recorded_by(f, r))
        && let Some(scan) = refresh.last()
    {
        f.report_run = Some(RunEvidence {
            operation: format!("{} (refresh scan)", op.name),
            source: RunSource::Command,
            execution_id: None,
            task_execution_id: None,
            command_id: Some(scan.command_id.clone()),
            status: scan.status.clone(),
            status_details: None,
            response_code: None,
            started: scan.requested,
            ended: scan.requested,
            snapshot_id: scan.snapshot_id.clone(),
        });
    }
    // The command that recorded the latest Patch report: by its snapshot id, else the latest one
    // requested before the patch state's operation started (+ 60 s).
    let patch_id = f.patch.as_ref().and_then(|p| p.execution_id.clone());
    let state_start = f.patch_state.as_ref().map(|s| s.operation_start);
    let by_id = commands.iter().rev().find(|c| c.snapshot_id.is_some() && c.snapshot_id == patch_id);
    let by_time = || {
        state_start.and_then(|s| {
            commands.iter().rev().find(|c| c.requested.is_some_and(|r| r.as_second() <= s.as_second() + 60))
        })
    };
    if let Some(cmd) = by_id.or_else(by_time)
        && !f.ours.contains(&cmd.command_id)
        && (!cmd.baseline_override || cmd.operation.as_deref() == Some("Scan"))
    {
        f.later = Some(cmd.foreign());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        s.parse().expect("test instant")
    }

    #[test]
    fn a_run_belongs_to_the_planned_run_it_started_for() {
        let planned = [t("2026-10-31T18:00:00Z"), t("2026-11-28T18:00:00Z")];
        assert_eq!(planned_run_of(&planned, t("2026-11-28T18:00:05Z")), Some(planned[1]));
        assert_eq!(planned_run_of(&planned, t("2026-11-28T17:50:00Z")), Some(planned[1]), "10 minutes early");
        assert_eq!(planned_run_of(&planned, t("2026-11-28T17:49:59Z")), None, "earlier: no planned run");
        assert_eq!(planned_run_of(&planned, t("2026-11-29T17:59:59Z")), Some(planned[1]), "within the day");
        assert_eq!(planned_run_of(&planned, t("2026-11-29T18:00:00Z")), None, "a day late: by hand, not planned");
        assert_eq!(planned_run_of(&planned, t("2026-12-05T06:00:00Z")), None);
        assert_eq!(planned_run_of(&planned, t("2026-11-01T01:00:00Z")), Some(planned[0]));
    }

    #[test]
    fn report_kinds() {
        use ReportKind::*;
        let mw = Backend::MaintenanceWindow;
        assert_eq!(report_kind(Backend::PatchPolicy, true, Some("rescan"), true), Policy);
        assert_eq!(report_kind(mw, false, Some("rescan"), false), Recorded);
        assert_eq!(report_kind(mw, true, Some("rescan"), true), Rescanned);
        assert_eq!(report_kind(mw, true, Some("rescan"), false), NotReported);
        assert_eq!(report_kind(mw, true, None, false), NotReported);
        assert_eq!(report_kind(mw, true, Some("put-compliance-items"), false), Written);
        assert_eq!(report_kind(mw, true, Some("./mine.wasm"), false), Written);
    }

    /// `status` can be spawned on a multi-threaded runtime (Python's `status_async`).
    #[allow(dead_code)]
    fn status_future_is_send(s: Target<'_>, o: &StatusOptions) {
        fn send<T: Send>(_: T) {}
        send(status(s, o, &|_: &str| {}));
    }
}
