//! What a refresh reports: one outcome per node it read, and the strategy's messages.

use serde::Serialize;

/// What happened for one node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum NodeResult {
    /// `PutComplianceItems` succeeded.
    ComplianceWritten,
    /// A scan without override was started on it.
    ScanStarted,
    /// The strategy did nothing for the node (the detail says why when its messages name it).
    NoAction,
    /// Nothing was sent: its output could not be read as a report, or was incomplete.
    Skipped,
    /// The host refused one of the strategy's actions for it (the detail says why), e.g. a
    /// second upload of one compliance type beside a COMPLETE one in one result.
    Rejected,
    /// Reading its output, the strategy, or an AWS call failed for it.
    Failed,
    /// A Windows or macOS node: AWS publishes no per-update output of a BaselineOverride run
    /// there, so nothing could be written from it.
    UnreadablePlatform,
}

impl NodeResult {
    /// `compliance-written`, `scan-started`, `no-action`, `skipped`, `rejected`, `failed`,
    /// `unreadable-platform`.
    pub fn as_str(self) -> &'static str {
        match self {
            NodeResult::ComplianceWritten => "compliance-written",
            NodeResult::ScanStarted => "scan-started",
            NodeResult::NoAction => "no-action",
            NodeResult::Skipped => "skipped",
            NodeResult::Rejected => "rejected",
            NodeResult::Failed => "failed",
            NodeResult::UnreadablePlatform => "unreadable-platform",
        }
    }
}

impl std::fmt::Display for NodeResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
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
    /// What happened.
    pub result: NodeResult,
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
