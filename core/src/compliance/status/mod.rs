//! `status`: whether each node's compliance report tells the truth about the plan's last runs.
//!
//! For every node the plan targets it joins the plan's calendar (the last run each operation
//! should have had), what AWS recorded (patch state, compliance summaries, the window or
//! association executions that included the node, the agent) and what ssmpatch wrote, and gives
//! a [`Verdict`] per node and operation with the [`Evidence`] behind it.
//!
//! - `report`: the serde types of the [`StatusReport`].
//! - `verdict` (pure): the rules, one node and operation at a time.

mod report;
#[allow(dead_code)] // used by gathering, next commit
mod verdict;

pub use report::{
    Agent, Evidence, FleetSummary, ForeignScan, NodeStatus, Oldest, OperationStatus, PatchCounts, PatchStateEvidence,
    ReportEvidence, ReportKind, ResourceRef, RunEvidence, RunSource, RunSummary, StatusReport, Verdict, WrittenBy,
};
