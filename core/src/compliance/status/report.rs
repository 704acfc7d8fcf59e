//! What `status` reports: per node and operation a [`Verdict`] with the [`Evidence`] behind it,
//! a fleet summary first, and per operation its planned and actual runs.
//!
//! JSON conventions (as the rest of ssmpatch's output): snake_case keys, enums kebab-case,
//! instants RFC 3339 UTC strings, optional keys omitted when unknown (never `null`), lists always
//! present. The verdict count maps always hold all seven verdicts (zeros included).

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::plan::OperationKind;
use crate::schedule::Backend;

/// Whether a node's compliance report for an operation tells the truth about its last run.
///
/// The order (`Ord`) is the display order: most in need of attention first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Verdict {
    /// The run failed on the node (the reason is from its output).
    Failed,
    /// The node's agent is offline, the command was not delivered, or the node is gone.
    Unreachable,
    /// The node was targeted but not in the last run, or the run did not happen.
    Missed,
    /// A later scan without the plan's override replaced the report.
    Overwritten,
    /// The run happened but its result was never written (refresh not run or failed).
    Stale,
    /// AWS does not say (the reason tells what is missing).
    Unknown,
    /// The last expected run happened and its result is what the report shows.
    Current,
}

impl Verdict {
    /// All verdicts, in display order.
    pub const ALL: [Verdict; 7] = [
        Verdict::Failed,
        Verdict::Unreachable,
        Verdict::Missed,
        Verdict::Overwritten,
        Verdict::Stale,
        Verdict::Unknown,
        Verdict::Current,
    ];

    /// `failed`, `unreachable`, `missed`, `overwritten`, `stale`, `unknown`, `current`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Failed => "failed",
            Verdict::Unreachable => "unreachable",
            Verdict::Missed => "missed",
            Verdict::Overwritten => "overwritten",
            Verdict::Stale => "stale",
            Verdict::Unknown => "unknown",
            Verdict::Current => "current",
        }
    }

    /// A map with every verdict at zero.
    pub fn zero_counts() -> BTreeMap<Verdict, usize> {
        Verdict::ALL.iter().map(|v| (*v, 0)).collect()
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where an operation's result should show in the compliance report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ReportKind {
    /// A run without override: AWS records the `Patch` compliance of the run itself.
    Recorded,
    /// A run with override followed by a scan without it (strategy `rescan`): the `Patch`
    /// compliance of that scan.
    Rescanned,
    /// A run with override whose result `refresh` writes (`PutComplianceItems`) under the
    /// plan's compliance type.
    Written,
    /// A run with override whose result the strategy reports nowhere, by design (a scan with
    /// strategy `rescan`, or strategy `none`): only the run itself is checked.
    NotReported,
    /// A patch policy: AWS records its runs (`ExecutionType` `PatchPolicy`).
    Policy,
}

impl ReportKind {
    /// `recorded`, `rescanned`, `written`, `not-reported`, `policy`.
    pub fn as_str(self) -> &'static str {
        match self {
            ReportKind::Recorded => "recorded",
            ReportKind::Rescanned => "rescanned",
            ReportKind::Written => "written",
            ReportKind::NotReported => "not-reported",
            ReportKind::Policy => "policy",
        }
    }
}

impl std::fmt::Display for ReportKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What ran a command a node's status is judged by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum RunSource {
    /// A maintenance window execution.
    MaintenanceWindow,
    /// A State Manager association execution.
    Association,
    /// A Run Command command sent directly (e.g. the scan a `refresh` starts).
    Command,
}

impl RunSource {
    /// `maintenance-window`, `association`, `command`.
    pub fn as_str(self) -> &'static str {
        match self {
            RunSource::MaintenanceWindow => "maintenance-window",
            RunSource::Association => "association",
            RunSource::Command => "command",
        }
    }
}

/// Who wrote a compliance summary, as far as status can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum WrittenBy {
    /// ssmpatch's `refresh` (`PutComplianceItems` with one of the plan's command ids).
    Ssmpatch,
    /// AWS, recording a run of the plan (its own run or a scan refresh started).
    SsmpatchRun,
    /// Anything else (another scan, another tool), or not known to be the plan's.
    Other,
}

/// The whole report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct StatusReport {
    /// Plan name.
    pub plan: String,
    /// The backend that runs it.
    pub backend: Backend,
    /// The instant the report is for ("now" unless `--at`).
    pub at: Timestamp,
    /// Fleet summary.
    pub summary: FleetSummary,
    /// Per operation: what was planned and what ran.
    pub operations: Vec<OperationStatus>,
    /// Per node and operation, in display order (verdict, operation, node).
    pub nodes: Vec<NodeStatus>,
    /// Fleet-wide notes.
    pub messages: Vec<String>,
}

impl StatusReport {
    /// Whether every node's every operation is `current` (warnings do not count). A report with
    /// no node is not: a plan whose targets select nothing (a misspelt tag, every node gone) must
    /// not read as "all current" to a job that alerts on it.
    pub fn all_current(&self) -> bool {
        !self.nodes.is_empty() && self.nodes.iter().all(|n| n.verdict == Verdict::Current)
    }
}

/// Counts over the fleet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FleetSummary {
    /// Distinct nodes in the report.
    pub nodes: usize,
    /// Each node counted once, under its worst verdict over the operations (all seven keys).
    pub verdicts: BTreeMap<Verdict, usize>,
    /// Per operation, each node counted under its verdict for that operation (all seven keys).
    pub by_operation: BTreeMap<String, BTreeMap<Verdict, usize>>,
    /// The node whose result has gone unwritten longest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oldest_stale: Option<Oldest>,
}

/// The oldest stale node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Oldest {
    /// The node.
    pub instance_id: String,
    /// The operation.
    pub operation: String,
    /// When the run whose result was never written ended.
    pub since: Timestamp,
}

/// A resource that runs an operation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ResourceRef {
    /// `maintenance-window`, `association` or `patch-policy`.
    pub kind: Backend,
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The operation it runs (the plan's operation or one its strategy added, e.g.
    /// `install-rescan`).
    pub operation: String,
}

/// One execution of an operation's resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RunSummary {
    /// The operation that ran (the plan's, or one its strategy added).
    pub operation: String,
    /// The planned run it is matched to, when one is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub planned: Option<Timestamp>,
    /// What ran it.
    pub source: RunSource,
    /// The window or association execution id.
    pub id: String,
    /// When it started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started: Option<Timestamp>,
    /// When it ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended: Option<Timestamp>,
    /// Its status as AWS gives it (`SUCCESS`, `FAILED`, `Success`…).
    pub status: String,
    /// Nodes it ran on.
    pub nodes: usize,
}

/// One operation of the plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct OperationStatus {
    /// Operation name.
    pub name: String,
    /// Scan or install.
    pub kind: OperationKind,
    /// Where its result should show.
    pub report: ReportKind,
    /// The compliance type that should show it (`Patch`, `Custom:ssmpatch`…).
    pub compliance_type: String,
    /// The last run planned at or before `at`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected: Option<Timestamp>,
    /// The first run planned after `at`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<Timestamp>,
    /// The last few planned runs at or before `at`, oldest first (`expected` last).
    pub planned: Vec<Timestamp>,
    /// The resources that run it and what its strategy added to it.
    pub resources: Vec<ResourceRef>,
    /// Executions of those resources, oldest first.
    pub runs: Vec<RunSummary>,
}

/// One node and operation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct NodeStatus {
    /// The managed node.
    pub instance_id: String,
    /// The plan operation.
    pub operation: String,
    /// The verdict.
    pub verdict: Verdict,
    /// Why, naming the evidence.
    pub reason: String,
    /// Things that do not change the verdict (e.g. the agent is offline now).
    pub warnings: Vec<String>,
    /// What the verdict was judged on.
    pub evidence: Evidence,
}

/// What a verdict was judged on; a key is absent when AWS gave nothing for it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Evidence {
    /// The node's agent (absent: not a managed node now).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<Agent>,
    /// The node's invocation in the operation's last run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run: Option<RunEvidence>,
    /// The run that should have written the report, when it is another (a rescan).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report_run: Option<RunEvidence>,
    /// The node's patch state (DescribeInstancePatchStates).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patch_state: Option<PatchStateEvidence>,
    /// Its compliance summaries of the types that matter (`Patch` and the plan's).
    pub reports: Vec<ReportEvidence>,
    /// A scan without the plan's override recorded after the report's run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub later_scan: Option<ForeignScan>,
}

/// The node's agent (DescribeInstanceInformation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Agent {
    /// `Online`, `ConnectionLost` or `Inactive`.
    pub ping_status: String,
    /// The agent's last ping.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_ping: Option<Timestamp>,
    /// `Linux`, `Windows`, `MacOS`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
}

/// One node's invocation of a command.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RunEvidence {
    /// The operation that ran (the plan's, or one its strategy added).
    pub operation: String,
    /// What ran it.
    pub source: RunSource,
    /// The window or association execution id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_id: Option<String>,
    /// The window task execution id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_execution_id: Option<String>,
    /// The Run Command command id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command_id: Option<String>,
    /// The node's status in it as AWS gives it (`Success`, `Failed`, `SUCCESS`…).
    pub status: String,
    /// AWS's status details (`DeliveryTimedOut`…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_details: Option<String>,
    /// The command's exit code on the node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_code: Option<i32>,
    /// When it started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started: Option<Timestamp>,
    /// When it ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended: Option<Timestamp>,
    /// The `SnapshotId` it ran with, when known (a scan's `Patch` report carries it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot_id: Option<String>,
}

/// Patch counts of a patch state.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PatchCounts {
    /// Installed.
    pub installed: i64,
    /// Installed, not in the baseline's approved list.
    pub installed_other: i64,
    /// Installed, waiting for a reboot.
    pub installed_pending_reboot: i64,
    /// Installed although rejected.
    pub installed_rejected: i64,
    /// Approved and missing.
    pub missing: i64,
    /// Failed to install.
    pub failed: i64,
    /// Not applicable.
    pub not_applicable: i64,
}

/// The node's patch state: the most recent patching operation AWS recorded (runs with
/// `BaselineOverride` record none).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PatchStateEvidence {
    /// `Scan` or `Install`.
    pub operation: String,
    /// The baseline it used.
    pub baseline_id: String,
    /// Its patch group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patch_group: Option<String>,
    /// The snapshot id of the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot_id: Option<String>,
    /// When the operation started.
    pub operation_start: Timestamp,
    /// When it ended.
    pub operation_end: Timestamp,
    /// Its counts.
    pub counts: PatchCounts,
    /// Critical non-compliant patches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub critical_non_compliant: Option<i64>,
    /// Security non-compliant patches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_non_compliant: Option<i64>,
    /// Other non-compliant patches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_non_compliant: Option<i64>,
}

/// One compliance summary of the node (ListResourceComplianceSummaries).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ReportEvidence {
    /// `Patch`, `Custom:ssmpatch`…
    pub compliance_type: String,
    /// `COMPLIANT` or `NON_COMPLIANT`.
    pub status: String,
    /// The execution id it was written with (a scan's snapshot id, refresh's command id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_id: Option<String>,
    /// `Command`, `PatchPolicy`…
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_type: Option<String>,
    /// The execution time it was written with.
    pub execution_time: Timestamp,
    /// Compliant items.
    pub compliant: i64,
    /// Non-compliant items.
    pub non_compliant: i64,
    /// The highest severity among non-compliant items.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overall_severity: Option<String>,
    /// Who wrote it, as far as status can tell.
    pub written_by: WrittenBy,
}

/// A scan without the plan's override that replaced (or followed) the report.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ForeignScan {
    /// When AWS recorded it (the report's execution time or the patch state's end).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recorded: Option<Timestamp>,
    /// The report's execution id (a scan's snapshot id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_id: Option<String>,
    /// The report's execution type (`Command`, `PatchPolicy`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_type: Option<String>,
    /// The command that ran it, when Run Command still lists it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command_id: Option<String>,
    /// Its document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<String>,
    /// Its `Operation` parameter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
    /// Whether it ran with a `BaselineOverride`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline_override: Option<bool>,
    /// Its comment (free text set by whoever sent it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// When it was requested.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested: Option<Timestamp>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdict_keys_and_order() {
        let mut counts = Verdict::zero_counts();
        *counts.get_mut(&Verdict::Stale).expect("test value") = 2;
        let json = serde_json::to_string(&counts).expect("test value");
        assert_eq!(
            json,
            r#"{"failed":0,"unreachable":0,"missed":0,"overwritten":0,"stale":2,"unknown":0,"current":0}"#
        );
        assert_eq!(serde_json::to_string(&ReportKind::NotReported).expect("test value"), r#""not-reported""#);
        assert_eq!(serde_json::to_string(&WrittenBy::SsmpatchRun).expect("test value"), r#""ssmpatch-run""#);
        assert_eq!(
            serde_json::to_string(&RunSource::MaintenanceWindow).expect("test value"),
            r#""maintenance-window""#
        );
    }

    #[test]
    fn a_report_without_nodes_is_not_all_current() {
        let mut report = StatusReport {
            plan: "p".into(),
            backend: Backend::MaintenanceWindow,
            at: "2026-12-27T18:00:00Z".parse().expect("test value"),
            summary: FleetSummary {
                nodes: 0,
                verdicts: Verdict::zero_counts(),
                by_operation: BTreeMap::new(),
                oldest_stale: None,
            },
            operations: Vec::new(),
            nodes: Vec::new(),
            messages: Vec::new(),
        };
        assert!(!report.all_current(), "no node: nothing is current");
        let node = |verdict| NodeStatus {
            instance_id: "i-0123456789abcdef0".into(),
            operation: "install".into(),
            verdict,
            reason: String::new(),
            warnings: Vec::new(),
            evidence: Evidence::default(),
        };
        report.nodes = vec![node(Verdict::Current)];
        assert!(report.all_current());
        report.nodes.push(node(Verdict::Stale));
        assert!(!report.all_current());
    }

    #[test]
    fn unknown_evidence_is_omitted_and_instants_are_rfc3339() {
        let ev = Evidence {
            agent: Some(Agent {
                ping_status: "Online".into(),
                last_ping: Some("2026-12-27T18:00:00Z".parse().expect("test value")),
                platform: None,
            }),
            ..Evidence::default()
        };
        let json = serde_json::to_value(&ev).expect("test value");
        assert_eq!(
            json,
            serde_json::json!({"agent": {"ping_status": "Online", "last_ping": "2026-12-27T18:00:00Z"}, "reports": []})
        );
        let back: Evidence = serde_json::from_value(json).expect("test value");
        assert_eq!(back, ev);
    }
}
