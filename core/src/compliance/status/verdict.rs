//! The verdict of one node and operation, from data only (no AWS): the rules of issue 19's
//! design §4.4, first match wins. Times are compared in whole seconds, as refresh does.

use std::collections::BTreeSet;

use jiff::Timestamp;

use super::report::{Agent, ForeignScan, PatchStateEvidence, ReportEvidence, ReportKind, RunEvidence, Verdict};

/// The tolerance of the time comparisons between a run and what AWS recorded of it.
const SLACK: i64 = 60;

/// What is known of one operation.
#[derive(Debug, Clone)]
pub(crate) struct OpFacts {
    /// The plan's name (refresh's scans carry it in their comment).
    pub(crate) plan: String,
    /// The operation's name.
    pub(crate) name: String,
    /// Where its result should show.
    pub(crate) report: ReportKind,
    /// The plan's compliance type.
    pub(crate) compliance_type: String,
    /// The plan's strategy (`rescan`, `put-compliance-items`, `none`, a path).
    pub(crate) strategy: String,
    /// The last run planned at or before `at`.
    pub(crate) expected: Option<Timestamp>,
    /// The first run planned after `at`.
    pub(crate) next: Option<Timestamp>,
    /// The report's instant.
    pub(crate) at: Timestamp,
    /// Names of the resources that run it (empty: none exists).
    pub(crate) resources: Vec<String>,
    /// The latest execution of those resources that started in `[expected − 10 min, at]`.
    pub(crate) execution: Option<Execution>,
}

/// An execution of an operation's resource.
#[derive(Debug, Clone)]
pub(crate) struct Execution {
    /// The window or association execution id.
    pub(crate) id: String,
    /// Its status as AWS gives it.
    pub(crate) status: String,
    /// When it started.
    pub(crate) started: Option<Timestamp>,
    /// Nodes the operation ran on in it.
    pub(crate) nodes: usize,
}

/// What is known of one node for one operation.
#[derive(Debug, Clone, Default)]
pub(crate) struct NodeFacts {
    /// Whether DescribeInstanceInformation lists it now.
    pub(crate) managed: bool,
    /// Its agent, when managed.
    pub(crate) agent: Option<Agent>,
    /// Its invocation of the operation in the execution.
    pub(crate) run: Option<RunEvidence>,
    /// The run that should have recorded its report, when another one (a rescan, a refresh's scan).
    pub(crate) report_run: Option<RunEvidence>,
    /// Its patch state.
    pub(crate) patch_state: Option<PatchStateEvidence>,
    /// Its `Patch` compliance summary.
    pub(crate) patch: Option<ReportEvidence>,
    /// Its summary of the plan's compliance type, when that is not `Patch`.
    pub(crate) typed: Option<ReportEvidence>,
    /// The command that recorded its latest `Patch` report, when it was looked up.
    pub(crate) later: Option<ForeignScan>,
    /// Command ids and snapshot ids of the plan's own runs (any operation).
    pub(crate) ours: BTreeSet<String>,
    /// Why its run failed, from its output.
    pub(crate) failure: Option<String>,
}

/// A verdict with its reason.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Judgement {
    pub(crate) verdict: Verdict,
    pub(crate) reason: String,
    pub(crate) warnings: Vec<String>,
    /// A scan without the plan's override recorded after the report's run.
    pub(crate) later_scan: Option<ForeignScan>,
    /// For a stale node: since when its result is unwritten (the run's end).
    pub(crate) since: Option<Timestamp>,
}

/// An instant to the second, as shown in reasons.
pub(crate) fn secs(t: Timestamp) -> String {
    Timestamp::from_second(t.as_second()).map(|t| t.to_string()).unwrap_or_else(|_| t.to_string())
}

fn opt_secs(t: Option<Timestamp>) -> String {
    t.map(secs).unwrap_or_else(|| "an unknown time".into())
}

/// A status as AWS spells it in any of its APIs (`TIMED_OUT`, `TimedOut`, `Delivery Timed Out`),
/// upper case with only letters.
fn norm(s: &str) -> String {
    s.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_uppercase()).collect()
}

/// What a node's invocation says.
#[derive(Debug, PartialEq)]
enum RunState {
    Running,
    NotDelivered,
    LeftOut,
    Failed,
    Succeeded,
    Other,
}

fn run_state(r: &RunEvidence) -> RunState {
    let (status, details) = (norm(&r.status), norm(r.status_details.as_deref().unwrap_or("")));
    if matches!(details.as_str(), "DELIVERYTIMEDOUT" | "UNDELIVERABLE") {
        return RunState::NotDelivered;
    }
    if details == "TERMINATED" || matches!(status.as_str(), "CANCELLED" | "TERMINATED") {
        return RunState::LeftOut;
    }
    match status.as_str() {
        "PENDING" | "INPROGRESS" | "DELAYED" | "CANCELLING" | "WAITING" => RunState::Running,
        "FAILED" | "TIMEDOUT" | "EXECUTIONTIMEDOUT" | "ACCESSDENIED" | "INVALIDPLATFORM" => RunState::Failed,
        "SUCCESS" => RunState::Succeeded,
        _ => RunState::Other,
    }
}

/// What an exit code of AWS-RunPatchBaseline means (Linux payload constants).
fn exit_meaning(code: i32) -> Option<&'static str> {
    Some(match code {
        1 => "the patching operation failed",
        2 => "a dependency check failed",
        149 => "the inventory could not be uploaded",
        160 => "the override could not be read (access denied)",
        161 => "the override is not a valid baseline override (not a JSON array)",
        162 => "the override could not be downloaded",
        163 => "the override has no baseline for this operating system",
        165 => "the override has several baselines for this operating system",
        166 => "the override's operating system is not supported",
        167 => "both a baseline override and an install override list were given",
        _ => return None,
    })
}

fn failure_reason(r: &RunEvidence, failure: Option<&str>, what: &str) -> String {
    let mut out = String::new();
    if let Some(code) = r.response_code.filter(|c| *c >= 0) {
        out.push_str(&format!("exit {code}"));
        if let Some(m) = exit_meaning(code) {
            out.push_str(&format!(" ({m})"));
        }
    } else {
        out.push_str(&r.status);
    }
    out.push_str(": ");
    match failure.map(str::trim).filter(|f| !f.is_empty()) {
        Some(f) => out.push_str(&clip(f, 300)),
        None => {
            let details = r.status_details.as_deref().filter(|d| !d.is_empty()).unwrap_or(&r.status);
            out.push_str(&format!("{what} {} {details}", r.command_id.as_deref().unwrap_or("(no command id)")));
        }
    }
    out
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        return s.to_string();
    }
    let mut out: String = s.chars().take(n).collect();
    out.push('…');
    out
}

fn cmd(r: &RunEvidence) -> &str {
    r.command_id.as_deref().or(r.execution_id.as_deref()).unwrap_or("(unknown)")
}

/// Whether the node's invocation failed (F1's statuses).
pub(crate) fn failed(r: &RunEvidence) -> bool {
    run_state(r) == RunState::Failed
}

/// Whether the node's invocation succeeded.
pub(crate) fn succeeded(r: &RunEvidence) -> bool {
    run_state(r) == RunState::Succeeded
}

/// Whether the latest `Patch` record (summary or patch state) is not the plan's and was made at or
/// after `r` started: a run with an override records none, so it is a later scan's.
pub(crate) fn patch_after(node: &NodeFacts, r: &RunEvidence) -> bool {
    let Some(start) = r.started.or(r.ended) else { return false };
    latest_patch(node).is_some_and(|(when, id, _)| {
        when.as_second() >= start.as_second() && id.is_none_or(|id| !node.ours.contains(&id))
    })
}

/// Whether the patch state or the `Patch` summary is the record of `r`.
pub(crate) fn recorded_by(node: &NodeFacts, r: &RunEvidence) -> bool {
    if let Some(snap) = &r.snapshot_id {
        return node.patch.as_ref().and_then(|p| p.execution_id.as_ref()) == Some(snap)
            || node.patch_state.as_ref().and_then(|s| s.snapshot_id.as_ref()) == Some(snap);
    }
    // No snapshot id known: the patch state's end within the run's time (± SLACK).
    let (Some(s), Some(start), Some(end)) = (&node.patch_state, r.started.or(r.ended), r.ended.or(r.started)) else {
        return false;
    };
    let e = s.operation_end.as_second();
    e >= start.as_second() - SLACK && e <= end.as_second() + SLACK
}

/// When the latest `Patch` record (summary or patch state) was made, and its execution id.
fn latest_patch(node: &NodeFacts) -> Option<(Timestamp, Option<String>, Option<String>)> {
    let p = node.patch.as_ref().map(|p| (p.execution_time, p.execution_id.clone(), p.execution_type.clone()));
    let s = node.patch_state.as_ref().map(|s| (s.operation_end, s.snapshot_id.clone(), None));
    match (p, s) {
        (Some(p), Some(s)) => Some(if s.0 > p.0 { (s.0, s.1, p.2) } else { p }),
        (p, s) => p.or(s),
    }
}

/// Whether a `Patch` record is after the run `r` (in whole seconds; with a snapshot id to tell
/// it apart, from the run's start, else from its end + SLACK).
fn after_run(r: &RunEvidence, when: Timestamp) -> bool {
    match (&r.snapshot_id, r.started, r.ended) {
        (Some(_), Some(start), _) => when.as_second() >= start.as_second(),
        (_, _, Some(end)) => when.as_second() > end.as_second() + SLACK,
        (_, Some(start), None) => when.as_second() > start.as_second() + SLACK,
        _ => false,
    }
}

/// The later scan, named as far as it is known.
fn foreign(node: &NodeFacts, when: Timestamp, id: Option<String>, kind: Option<String>) -> ForeignScan {
    let mut f = node.later.clone().unwrap_or_default();
    f.recorded.get_or_insert(when);
    if f.execution_id.is_none() {
        f.execution_id = id;
    }
    if f.execution_type.is_none() {
        f.execution_type = kind;
    }
    f
}

fn describe_foreign(f: &ForeignScan) -> String {
    let when = opt_secs(f.recorded);
    if f.execution_type.as_deref() == Some("PatchPolicy") {
        return format!("Patch replaced at {when} by a patch policy");
    }
    match &f.command_id {
        Some(c) => {
            let mut what = vec![f.document.clone().unwrap_or_else(|| "?".into())];
            if let Some(op) = &f.operation {
                what.push(op.clone());
            }
            if f.baseline_override == Some(true) {
                what.push("with an override".into());
            }
            let mut s = format!("Patch replaced at {when} by command {c} ({}", what.join(" "));
            if let Some(comment) = f.comment.as_deref().filter(|c| !c.is_empty()) {
                s.push_str(&format!(", comment {comment:?}"));
            }
            if let Some(r) = f.requested {
                s.push_str(&format!(", requested {}", secs(r)));
            }
            s.push(')');
            s
        }
        None => format!(
            "Patch replaced at {when} by execution {} ({}); the command is no longer listed or was not found \
             (Run Command keeps 30 days of history)",
            f.execution_id.as_deref().unwrap_or("(unknown)"),
            f.execution_type.as_deref().unwrap_or("unknown type"),
        ),
    }
}

/// Whether the later scan was the plan's own (another operation's run, a refresh's scan).
fn is_ours(op: &OpFacts, node: &NodeFacts, f: &ForeignScan) -> bool {
    let refresh = format!("ssmpatch refresh of {} (", op.plan);
    f.execution_id.as_ref().is_some_and(|id| node.ours.contains(id))
        || f.command_id.as_ref().is_some_and(|id| node.ours.contains(id))
        || f.comment.as_deref().is_some_and(|c| c.starts_with(&refresh))
}

/// Judge one node for one operation.
pub(crate) fn judge(op: &OpFacts, node: &NodeFacts) -> Judgement {
    let mut j = Judgement {
        verdict: Verdict::Unknown,
        reason: String::new(),
        warnings: Vec::new(),
        later_scan: None,
        since: None,
    };
    let offline = node
        .agent
        .as_ref()
        .filter(|a| a.ping_status != "Online")
        .map(|a| format!("agent {} since {}", a.ping_status, opt_secs(a.last_ping)));
    let set = |j: &mut Judgement, v: Verdict, reason: String| {
        j.verdict = v;
        j.reason = reason;
    };
    // R1
    if !node.managed {
        set(&mut j, Verdict::Unreachable, "not a managed node now (stopped, terminated or deregistered)".into());
        return j;
    }
    // U1
    let Some(expected) = op.expected else {
        let next = op.next.map(|n| format!("; first at {}", secs(n))).unwrap_or_default();
        set(&mut j, Verdict::Unknown, format!("no run of {} expected by {}{next}", op.name, secs(op.at)));
        return j;
    };
    if op.report == ReportKind::Policy {
        return judge_policy(op, node, expected, j, offline);
    }
    // M1
    if op.resources.is_empty() {
        set(
            &mut j,
            Verdict::Missed,
            format!(
                "no window or association runs {}: apply not run, or the one-shot window for {} was deleted",
                op.name,
                secs(expected)
            ),
        );
        return j;
    }
    // M2
    let Some(x) = &op.execution else {
        set(
            &mut j,
            Verdict::Missed,
            format!(
                "the run expected at {} did not happen: no execution of {} since {}",
                secs(expected),
                op.resources.join(", "),
                secs(Timestamp::from_second(expected.as_second() - 600).unwrap_or(expected)),
            ),
        );
        return j;
    };
    // U3
    let x_status = norm(&x.status);
    let running = matches!(x_status.as_str(), "PENDING" | "INPROGRESS" | "CANCELLING");
    if running || node.run.as_ref().is_some_and(|r| run_state(r) == RunState::Running) {
        set(&mut j, Verdict::Unknown, format!("run {} in progress since {}", x.id, opt_secs(x.started)));
        return j;
    }
    let Some(run) = &node.run else {
        // R2
        if let Some(off) = &offline {
            set(&mut j, Verdict::Unreachable, format!("{off}; not in run {}", x.id));
            return j;
        }
        // M3
        set(
            &mut j,
            Verdict::Missed,
            format!("targeted but not in run {} ({} node(s) were; execution {})", x.id, x.nodes, x.status),
        );
        return j;
    };
    match run_state(run) {
        // R3
        RunState::NotDelivered => {
            let details = run.status_details.as_deref().unwrap_or("");
            set(&mut j, Verdict::Unreachable, format!("command {} not delivered ({details})", cmd(run)));
            if let Some(off) = &offline {
                j.reason.push_str(&format!("; {off}"));
            }
            return j;
        }
        // M4
        RunState::LeftOut => {
            let details = run.status_details.as_deref().filter(|d| !d.is_empty()).unwrap_or(&run.status);
            let why = if norm(details) == "TERMINATED" { "MaxErrors reached" } else { "run cancelled" };
            set(&mut j, Verdict::Missed, format!("left out of run {}: {details} ({why})", x.id));
            return j;
        }
        // F1
        RunState::Failed => {
            set(&mut j, Verdict::Failed, failure_reason(run, node.failure.as_deref(), "command"));
            return j;
        }
        // Caught by U3 above; any other status is not one the rules know.
        RunState::Running | RunState::Other => {
            set(&mut j, Verdict::Unknown, format!("run {} ended {} on the node", cmd(run), run.status));
            return j;
        }
        RunState::Succeeded => {}
    }
    // F1 for the rescan.
    if let Some(r) = &node.report_run
        && run_state(r) == RunState::Failed
    {
        set(&mut j, Verdict::Failed, failure_reason(r, node.failure.as_deref(), &format!("{} command", r.operation)));
        return j;
    }
    let ended = run.ended.or(run.started);
    match op.report {
        // N1
        ReportKind::NotReported => set(
            &mut j,
            Verdict::Current,
            format!(
                "run {} succeeded at {}; strategy {} reports no result of {} (by design)",
                cmd(run),
                opt_secs(ended),
                op.strategy,
                op.name
            ),
        ),
        ReportKind::Written => judge_written(op, node, run, &mut j),
        _ => judge_scanned(op, node, run, &mut j),
    }
    if j.verdict == Verdict::Current
        && let Some(off) = offline
    {
        j.warnings.push(off);
    }
    j
}

/// U4, W1–W3 (and S2 on `Patch` for the type `Patch`; a later foreign `Patch` scan beside a
/// `Custom:` type is a warning).
fn judge_written(op: &OpFacts, node: &NodeFacts, run: &RunEvidence, j: &mut Judgement) {
    let platform = node.agent.as_ref().and_then(|a| a.platform.as_deref()).unwrap_or("Linux");
    if platform != "Linux" {
        j.verdict = Verdict::Unknown;
        j.reason = format!(
            "{platform} node: AWS publishes no per-update result of a BaselineOverride run there, so refresh writes \
             nothing from run {}",
            cmd(run)
        );
        return;
    }
    let typed = if op.compliance_type == "Patch" { node.patch.as_ref() } else { node.typed.as_ref() };
    let command = run.command_id.as_deref().unwrap_or("");
    let end = run.ended.or(run.started);
    let ours_now = typed.is_some_and(|c| !command.is_empty() && c.execution_id.as_deref() == Some(command));
    let older = typed.is_none_or(|c| {
        c.execution_id.as_ref().is_some_and(|id| node.ours.contains(id))
            || end.is_some_and(|e| c.execution_time.as_second() < e.as_second() - SLACK)
    });
    match typed {
        // W1
        Some(c) if ours_now => {
            j.verdict = Verdict::Current;
            j.reason = format!("written by refresh: {} {command} at {}", op.compliance_type, secs(c.execution_time));
            if op.compliance_type != "Patch"
                && patch_after(node, run)
                && let Some((when, id, kind)) = latest_patch(node)
            {
                let f = foreign(node, when, id, kind);
                if !is_ours(op, node, &f) {
                    j.warnings.push(format!(
                        "a later scan without the plan's override is in the Patch type (the console's patch view): {}",
                        describe_foreign(&f)
                    ));
                    j.later_scan = Some(f);
                }
            }
        }
        // W3
        Some(c) if !older => {
            j.verdict = Verdict::Overwritten;
            let f = foreign(node, c.execution_time, c.execution_id.clone(), c.execution_type.clone());
            j.reason = if op.compliance_type == "Patch" {
                describe_foreign(&f)
            } else {
                format!(
                    "{} replaced by execution {} ({}) at {}",
                    op.compliance_type,
                    c.execution_id.as_deref().unwrap_or("(none)"),
                    c.execution_type.as_deref().unwrap_or("unknown type"),
                    secs(c.execution_time)
                )
            };
            j.later_scan = Some(f);
        }
        // W2
        c => {
            // A strategy of one's own may scan instead of writing: its scan recorded counts.
            if let Some(r) = &node.report_run
                && recorded_by(node, r)
            {
                j.verdict = Verdict::Current;
                j.reason = format!("Patch recorded by {} {} ({})", r.operation, cmd(r), opt_secs(r.ended));
                return;
            }
            j.verdict = Verdict::Stale;
            j.since = end;
            let shows = match c {
                Some(c) => {
                    format!("{} {}", c.execution_id.as_deref().unwrap_or("(no execution id)"), secs(c.execution_time))
                }
                None => "nothing".into(),
            };
            j.reason = format!(
                "run {command} ended {}; {} still shows {shows}: refresh not run or failed",
                opt_secs(end),
                op.compliance_type
            );
        }
    }
}

/// S1–S3.
fn judge_scanned(op: &OpFacts, node: &NodeFacts, run: &RunEvidence, j: &mut Judgement) {
    let reference = match op.report {
        ReportKind::Rescanned => node.report_run.as_ref(),
        _ => Some(run),
    };
    let Some(r) = reference else {
        // S3 without a rescan.
        j.verdict = Verdict::Stale;
        j.since = run.ended.or(run.started);
        j.reason = format!(
            "no scan recorded after run {} (ended {}): it was not rescanned (rescan not run on the node)",
            cmd(run),
            opt_secs(j.since)
        );
        return;
    };
    // S1
    if recorded_by(node, r) {
        j.verdict = Verdict::Current;
        let when = latest_patch(node).map(|l| l.0).or(r.ended);
        j.reason = format!("Patch recorded by {} {} at {}", r.operation, cmd(r), opt_secs(when));
        return;
    }
    // S2
    if let Some((when, id, kind)) = latest_patch(node)
        && after_run(r, when)
    {
        let f = foreign(node, when, id, kind);
        if is_ours(op, node, &f) {
            j.verdict = Verdict::Current;
            j.reason = format!(
                "superseded by a later run of the plan (ours): execution {} at {}",
                f.command_id.as_deref().or(f.execution_id.as_deref()).unwrap_or("(unknown)"),
                secs(when)
            );
            return;
        }
        j.verdict = Verdict::Overwritten;
        j.reason = describe_foreign(&f);
        j.later_scan = Some(f);
        return;
    }
    // S3
    j.verdict = Verdict::Stale;
    j.since = r.ended.or(r.started);
    let shows = match latest_patch(node) {
        Some((when, id, _)) => {
            format!("Patch shows {} at {}", id.as_deref().unwrap_or("(no execution id)"), secs(when))
        }
        None => "no Patch report".into(),
    };
    j.reason = format!("no scan recorded after run {} {} (ended {}); {shows}", r.operation, cmd(r), opt_secs(j.since));
}

/// P1–P3.
fn judge_policy(
    op: &OpFacts,
    node: &NodeFacts,
    expected: Timestamp,
    mut j: Judgement,
    offline: Option<String>,
) -> Judgement {
    let from = expected.as_second() - 600;
    match &node.patch {
        Some(p) if p.execution_type.as_deref() == Some("PatchPolicy") && p.execution_time.as_second() >= from => {
            j.verdict = Verdict::Current;
            j.reason = format!("Patch recorded by the patch policy at {}", secs(p.execution_time));
            if let Some(off) = offline {
                j.warnings.push(off);
            }
        }
        Some(p) if p.execution_type.as_deref() != Some("PatchPolicy") && p.execution_time >= expected => {
            let f = foreign(node, p.execution_time, p.execution_id.clone(), p.execution_type.clone());
            j.verdict = Verdict::Overwritten;
            j.reason = describe_foreign(&f);
            j.later_scan = Some(f);
        }
        _ => {
            j.verdict = Verdict::Missed;
            j.reason = format!(
                "no patch-policy result of {} since the expected run at {} (AWS gives no per-run record here)",
                op.name,
                secs(expected)
            );
        }
    }
    j
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compliance::status::report::{PatchCounts, RunSource, WrittenBy};

    fn t(s: &str) -> Timestamp {
        s.parse().expect("instant")
    }

    fn op(report: ReportKind) -> OpFacts {
        OpFacts {
            plan: "web".into(),
            name: "install".into(),
            report,
            compliance_type: "Custom:ssmpatch".into(),
            strategy: "rescan".into(),
            expected: Some(t("2026-12-27T18:00:00Z")),
            next: Some(t("2027-01-31T18:00:00Z")),
            at: t("2026-12-28T00:00:00Z"),
            resources: vec!["ssmpatch-web-install".into()],
            execution: Some(Execution {
                id: "exec-1".into(),
                status: "SUCCESS".into(),
                started: Some(t("2026-12-27T18:00:00Z")),
                nodes: 3,
            }),
        }
    }

    fn run(operation: &str, status: &str, cmd: &str, start: &str, end: &str, snap: Option<&str>) -> RunEvidence {
        RunEvidence {
            operation: operation.into(),
            source: RunSource::MaintenanceWindow,
            execution_id: Some("exec-1".into()),
            task_execution_id: Some("task-1".into()),
            command_id: Some(cmd.into()),
            status: status.into(),
            status_details: Some(status.into()),
            response_code: Some(if status == "Success" { 0 } else { 1 }),
            started: Some(t(start)),
            ended: Some(t(end)),
            snapshot_id: snap.map(String::from),
        }
    }

    fn patch(id: &str, at: &str, kind: &str) -> ReportEvidence {
        ReportEvidence {
            compliance_type: "Patch".into(),
            status: "COMPLIANT".into(),
            execution_id: Some(id.into()),
            execution_type: Some(kind.into()),
            execution_time: t(at),
            compliant: 10,
            non_compliant: 0,
            overall_severity: None,
            written_by: WrittenBy::Other,
        }
    }

    fn state(snap: &str, start: &str, end: &str) -> PatchStateEvidence {
        PatchStateEvidence {
            operation: "Scan".into(),
            baseline_id: "pb-1".into(),
            patch_group: None,
            snapshot_id: Some(snap.into()),
            operation_start: t(start),
            operation_end: t(end),
            counts: PatchCounts::default(),
            critical_non_compliant: None,
            security_non_compliant: None,
            other_non_compliant: None,
        }
    }

    fn online() -> NodeFacts {
        NodeFacts {
            managed: true,
            agent: Some(Agent {
                ping_status: "Online".into(),
                last_ping: Some(t("2026-12-27T23:59:00Z")),
                platform: Some("Linux".into()),
            }),
            ..NodeFacts::default()
        }
    }

    /// A node whose install ran and whose rescan (snapshot `snap-r`) recorded Patch.
    fn rescanned() -> NodeFacts {
        NodeFacts {
            run: Some(run("install", "Success", "c-1", "2026-12-27T18:00:05Z", "2026-12-27T18:04:00Z", Some("snap-i"))),
            report_run: Some(run(
                "install-rescan",
                "Success",
                "c-2",
                "2026-12-27T18:04:10Z",
                "2026-12-27T18:05:00Z",
                Some("snap-r"),
            )),
            patch: Some(patch("snap-r", "2026-12-27T18:04:10Z", "Command")),
            patch_state: Some(state("snap-r", "2026-12-27T18:04:10Z", "2026-12-27T18:05:00Z")),
            ours: ["c-1", "c-2", "snap-i", "snap-r"].into_iter().map(String::from).collect(),
            ..online()
        }
    }

    #[test]
    fn r1_a_node_aws_no_longer_knows_is_unreachable() {
        let n = NodeFacts { managed: false, agent: None, ..rescanned() };
        let j = judge(&op(ReportKind::Rescanned), &n);
        assert_eq!(j.verdict, Verdict::Unreachable);
        assert!(j.reason.contains("not a managed node"), "{}", j.reason);
    }

    #[test]
    fn u1_no_run_expected_yet_is_unknown() {
        let o = OpFacts { expected: None, ..op(ReportKind::Rescanned) };
        let j = judge(&o, &rescanned());
        assert_eq!(j.verdict, Verdict::Unknown);
        assert_eq!(j.reason, "no run of install expected by 2026-12-28T00:00:00Z; first at 2027-01-31T18:00:00Z");
    }

    #[test]
    fn m1_no_resource_is_missed() {
        let o = OpFacts { resources: vec![], execution: None, ..op(ReportKind::Rescanned) };
        let j = judge(&o, &rescanned());
        assert_eq!(j.verdict, Verdict::Missed);
        assert!(j.reason.starts_with("no window or association runs install"), "{}", j.reason);
    }

    #[test]
    fn m2_no_execution_is_missed() {
        let o = OpFacts { execution: None, ..op(ReportKind::Rescanned) };
        let j = judge(&o, &rescanned());
        assert_eq!(j.verdict, Verdict::Missed);
        assert!(j.reason.contains("did not happen") && j.reason.contains("since 2026-12-27T17:50:00Z"), "{}", j.reason);
    }

    #[test]
    fn u3_a_run_in_progress_is_unknown() {
        let mut o = op(ReportKind::Rescanned);
        o.execution.as_mut().expect("execution").status = "IN_PROGRESS".into();
        assert_eq!(judge(&o, &rescanned()).verdict, Verdict::Unknown);
        let mut n = rescanned();
        n.run.as_mut().expect("run").status = "InProgress".into();
        n.run.as_mut().expect("run").status_details = Some("InProgress".into());
        let j = judge(&op(ReportKind::Rescanned), &n);
        assert_eq!(j.verdict, Verdict::Unknown);
        assert!(j.reason.contains("in progress"), "{}", j.reason);
    }

    #[test]
    fn r2_offline_and_not_in_the_run_is_unreachable_before_m3() {
        let mut n = NodeFacts { run: None, report_run: None, ..rescanned() };
        n.agent.as_mut().expect("agent").ping_status = "ConnectionLost".into();
        let j = judge(&op(ReportKind::Rescanned), &n);
        assert_eq!(j.verdict, Verdict::Unreachable);
        assert_eq!(j.reason, "agent ConnectionLost since 2026-12-27T23:59:00Z; not in run exec-1");
    }

    #[test]
    fn m3_online_and_not_in_the_run_is_missed() {
        let n = NodeFacts { run: None, report_run: None, ..rescanned() };
        let j = judge(&op(ReportKind::Rescanned), &n);
        assert_eq!(j.verdict, Verdict::Missed);
        assert_eq!(j.reason, "targeted but not in run exec-1 (3 node(s) were; execution SUCCESS)");
    }

    #[test]
    fn r3_a_command_not_delivered_is_unreachable() {
        let mut n = rescanned();
        let r = n.run.as_mut().expect("run");
        r.status = "TimedOut".into();
        r.status_details = Some("DeliveryTimedOut".into());
        r.response_code = Some(-1);
        let j = judge(&op(ReportKind::Rescanned), &n);
        assert_eq!(j.verdict, Verdict::Unreachable);
        assert_eq!(j.reason, "command c-1 not delivered (DeliveryTimedOut)");
        // The window's spelling too.
        n.run.as_mut().expect("run").status_details = Some("Delivery Timed Out".into());
        assert_eq!(judge(&op(ReportKind::Rescanned), &n).verdict, Verdict::Unreachable);
    }

    #[test]
    fn m4_terminated_or_cancelled_is_missed() {
        let mut n = rescanned();
        let r = n.run.as_mut().expect("run");
        r.status = "Cancelled".into();
        r.status_details = Some("Terminated".into());
        let j = judge(&op(ReportKind::Rescanned), &n);
        assert_eq!(j.verdict, Verdict::Missed);
        assert!(j.reason.contains("MaxErrors reached"), "{}", j.reason);
    }

    #[test]
    fn f1_a_failed_run_is_failed_with_its_output_before_n1() {
        let mut n = rescanned();
        let r = n.run.as_mut().expect("run");
        r.status = "Failed".into();
        r.status_details = Some("Failed".into());
        r.response_code = Some(162);
        n.failure = Some("[ERROR]: could not download the override".into());
        let j = judge(&op(ReportKind::NotReported), &n);
        assert_eq!(j.verdict, Verdict::Failed);
        assert_eq!(
            j.reason,
            "exit 162 (the override could not be downloaded): [ERROR]: could not download the override"
        );
    }

    #[test]
    fn f1_a_failed_rescan_is_failed() {
        let mut n = rescanned();
        let r = n.report_run.as_mut().expect("rescan");
        r.status = "Failed".into();
        r.status_details = Some("Failed".into());
        let j = judge(&op(ReportKind::Rescanned), &n);
        assert_eq!(j.verdict, Verdict::Failed);
        assert!(j.reason.contains("install-rescan command c-2"), "{}", j.reason);
    }

    #[test]
    fn n1_not_reported_is_current_when_the_run_succeeded() {
        let n = NodeFacts { patch: None, patch_state: None, report_run: None, ..rescanned() };
        let j = judge(&op(ReportKind::NotReported), &n);
        assert_eq!(j.verdict, Verdict::Current);
        assert_eq!(
            j.reason,
            "run c-1 succeeded at 2026-12-27T18:04:00Z; strategy rescan reports no result of install (by design)"
        );
    }

    #[test]
    fn u4_written_on_windows_is_unknown() {
        let mut n = rescanned();
        n.agent.as_mut().expect("agent").platform = Some("Windows".into());
        let j = judge(&op(ReportKind::Written), &n);
        assert_eq!(j.verdict, Verdict::Unknown);
        assert!(j.reason.starts_with("Windows node"), "{}", j.reason);
    }

    fn written(id: &str, at: &str) -> ReportEvidence {
        ReportEvidence {
            compliance_type: "Custom:ssmpatch".into(),
            execution_type: Some("Command".into()),
            written_by: WrittenBy::Ssmpatch,
            ..patch(id, at, "Command")
        }
    }

    #[test]
    fn w1_written_by_refresh_is_current_and_a_later_foreign_patch_scan_is_a_warning() {
        let mut n = NodeFacts { typed: Some(written("c-1", "2026-12-27T18:04:00Z")), report_run: None, ..rescanned() };
        let j = judge(&op(ReportKind::Written), &n);
        assert_eq!(j.verdict, Verdict::Current);
        assert_eq!(j.reason, "written by refresh: Custom:ssmpatch c-1 at 2026-12-27T18:04:00Z");
        assert!(j.warnings.is_empty() && j.later_scan.is_none());
        // A foreign scan an hour later: still current, with the scan as evidence and a warning.
        n.patch = Some(patch("snap-x", "2026-12-27T19:00:00Z", "Command"));
        n.patch_state = Some(state("snap-x", "2026-12-27T19:00:00Z", "2026-12-27T19:01:00Z"));
        let j = judge(&op(ReportKind::Written), &n);
        assert_eq!(j.verdict, Verdict::Current);
        assert_eq!(j.later_scan.as_ref().and_then(|f| f.execution_id.as_deref()), Some("snap-x"));
        assert_eq!(j.warnings.len(), 1, "{:?}", j.warnings);
        // Seconds after the run started: an override run records no Patch, so it is later too.
        n.patch = Some(patch("snap-y", "2026-12-27T18:00:30Z", "Command"));
        n.patch_state = None;
        assert!(judge(&op(ReportKind::Written), &n).later_scan.is_some());
        // The plan's own scan is not.
        n.ours.insert("snap-y".into());
        assert!(judge(&op(ReportKind::Written), &n).later_scan.is_none());
    }

    #[test]
    fn w2_not_written_after_the_run_is_stale() {
        // Nothing written.
        let n = NodeFacts { typed: None, report_run: None, ..rescanned() };
        let j = judge(&op(ReportKind::Written), &n);
        assert_eq!(j.verdict, Verdict::Stale);
        assert_eq!(j.since, Some(t("2026-12-27T18:04:00Z")));
        assert!(j.reason.ends_with("still shows nothing: refresh not run or failed"), "{}", j.reason);
        // An older run of the plan's.
        let n = NodeFacts { typed: Some(written("c-0", "2026-12-27T18:30:00Z")), report_run: None, ..rescanned() };
        let mut n = n;
        n.ours.insert("c-0".into());
        assert_eq!(judge(&op(ReportKind::Written), &n).verdict, Verdict::Stale);
        // Unknown id, older than the run.
        let n = NodeFacts { typed: Some(written("zz", "2026-11-01T00:00:00Z")), report_run: None, ..rescanned() };
        assert_eq!(judge(&op(ReportKind::Written), &n).verdict, Verdict::Stale);
    }

    #[test]
    fn w3_replaced_by_an_unknown_execution_is_overwritten() {
        let n = NodeFacts { typed: Some(written("zz", "2026-12-27T20:00:00Z")), report_run: None, ..rescanned() };
        let j = judge(&op(ReportKind::Written), &n);
        assert_eq!(j.verdict, Verdict::Overwritten);
        assert_eq!(j.reason, "Custom:ssmpatch replaced by execution zz (Command) at 2026-12-27T20:00:00Z");
        assert!(j.later_scan.is_some());
    }

    #[test]
    fn s1_patch_of_the_rescan_is_current() {
        let j = judge(&op(ReportKind::Rescanned), &rescanned());
        assert_eq!(j.verdict, Verdict::Current);
        assert_eq!(j.reason, "Patch recorded by install-rescan c-2 at 2026-12-27T18:05:00Z");
        // Without snapshot ids, by the patch state's time within the run.
        let mut n = rescanned();
        n.report_run.as_mut().expect("rescan").snapshot_id = None;
        n.patch_state.as_mut().expect("state").snapshot_id = Some("other".into());
        n.patch = None;
        assert_eq!(judge(&op(ReportKind::Rescanned), &n).verdict, Verdict::Current);
    }

    #[test]
    fn s1_recorded_is_judged_by_the_run_itself_and_current_gets_an_offline_warning() {
        let mut n = rescanned();
        n.run.as_mut().expect("run").snapshot_id = Some("snap-r".into());
        n.agent.as_mut().expect("agent").ping_status = "ConnectionLost".into();
        let j = judge(&op(ReportKind::Recorded), &n);
        assert_eq!(j.verdict, Verdict::Current);
        assert_eq!(j.warnings, vec!["agent ConnectionLost since 2026-12-27T23:59:00Z".to_string()]);
    }

    #[test]
    fn s2_a_later_foreign_scan_is_overwritten_and_named() {
        let mut n = rescanned();
        // Seconds after the rescan: the snapshot id tells it apart.
        n.patch = Some(patch("snap-x", "2026-12-27T18:05:01Z", "Command"));
        n.patch_state = Some(state("snap-x", "2026-12-27T18:05:01Z", "2026-12-27T18:05:30Z"));
        n.later = Some(ForeignScan {
            command_id: Some("c-x".into()),
            document: Some("AWS-RunPatchBaseline".into()),
            operation: Some("Scan".into()),
            baseline_override: Some(false),
            comment: Some("nightly".into()),
            requested: Some(t("2026-12-27T18:05:00Z")),
            ..ForeignScan::default()
        });
        let j = judge(&op(ReportKind::Rescanned), &n);
        assert_eq!(j.verdict, Verdict::Overwritten);
        assert_eq!(
            j.reason,
            "Patch replaced at 2026-12-27T18:05:30Z by command c-x (AWS-RunPatchBaseline Scan, comment \"nightly\", \
             requested 2026-12-27T18:05:00Z)"
        );
        let f = j.later_scan.expect("later scan");
        assert_eq!(f.execution_id.as_deref(), Some("snap-x"));
        // A patch policy.
        let mut n = rescanned();
        n.patch = Some(patch("p-1", "2026-12-27T21:00:00Z", "PatchPolicy"));
        n.patch_state = None;
        let j = judge(&op(ReportKind::Rescanned), &n);
        assert_eq!(j.verdict, Verdict::Overwritten);
        assert_eq!(j.reason, "Patch replaced at 2026-12-27T21:00:00Z by a patch policy");
    }

    #[test]
    fn s2_a_later_scan_of_the_plan_is_current() {
        let mut n = rescanned();
        n.patch = Some(patch("snap-s", "2026-12-27T20:00:00Z", "Command"));
        n.patch_state = None;
        n.ours.insert("snap-s".into());
        let j = judge(&op(ReportKind::Rescanned), &n);
        assert_eq!(j.verdict, Verdict::Current);
        assert!(j.reason.starts_with("superseded by a later run of the plan"), "{}", j.reason);
        // A refresh's scan, named by its comment.
        let mut n = rescanned();
        n.patch = Some(patch("snap-q", "2026-12-27T20:00:00Z", "Command"));
        n.patch_state = None;
        n.later = Some(ForeignScan {
            command_id: Some("c-q".into()),
            comment: Some("ssmpatch refresh of web (install)".into()),
            ..ForeignScan::default()
        });
        assert_eq!(judge(&op(ReportKind::Rescanned), &n).verdict, Verdict::Current);
    }

    #[test]
    fn s3_no_scan_after_the_run_is_stale() {
        // Not rescanned at all.
        let n = NodeFacts { report_run: None, ..rescanned() };
        let j = judge(&op(ReportKind::Rescanned), &n);
        assert_eq!(j.verdict, Verdict::Stale);
        assert_eq!(j.since, Some(t("2026-12-27T18:04:00Z")));
        // Rescanned, but Patch shows an older scan.
        let mut n = rescanned();
        n.patch = Some(patch("snap-old", "2026-12-01T00:00:00Z", "Command"));
        n.patch_state = Some(state("snap-old", "2026-12-01T00:00:00Z", "2026-12-01T00:01:00Z"));
        let j = judge(&op(ReportKind::Rescanned), &n);
        assert_eq!(j.verdict, Verdict::Stale);
        assert!(j.reason.contains("Patch shows snap-old at 2026-12-01T00:01:00Z"), "{}", j.reason);
    }

    #[test]
    fn p1_p2_p3_patch_policy() {
        let mut o = op(ReportKind::Policy);
        o.resources.clear();
        o.execution = None;
        let mut n = online();
        n.patch = Some(patch("p-1", "2026-12-27T18:00:00Z", "PatchPolicy"));
        assert_eq!(judge(&o, &n).verdict, Verdict::Current);
        n.patch = Some(patch("snap-x", "2026-12-27T19:00:00Z", "Command"));
        assert_eq!(judge(&o, &n).verdict, Verdict::Overwritten);
        n.patch = Some(patch("p-0", "2026-11-29T18:00:00Z", "PatchPolicy"));
        assert_eq!(judge(&o, &n).verdict, Verdict::Missed);
        n.patch = None;
        assert_eq!(judge(&o, &n).verdict, Verdict::Missed);
    }

    #[test]
    fn times_are_compared_in_whole_seconds() {
        // A written summary 59.9 s before the run ended is not older than the run (− 60 s).
        let n = NodeFacts { typed: Some(written("zz", "2026-12-27T18:03:00.100Z")), report_run: None, ..rescanned() };
        assert_eq!(judge(&op(ReportKind::Written), &n).verdict, Verdict::Overwritten);
        let n = NodeFacts { typed: Some(written("zz", "2026-12-27T18:02:59.900Z")), report_run: None, ..rescanned() };
        assert_eq!(judge(&op(ReportKind::Written), &n).verdict, Verdict::Stale);
    }
}
