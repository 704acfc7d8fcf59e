//! Compliance refresh: after runs AWS does not record (those with `BaselineOverride`), read
//! what each node printed, ask the plan's strategy what to do, and do it.
//!
//! - [`refresh()`]: the orchestration.
//! - the report: what it reports ([`RefreshReport`], a [`NodeResult`] per node).
//! - `route` (pure): each node's latest run; what the host does with a strategy's actions
//!   ([`decide`], shared with `ssmpatch strategy test`).
//! - [`dry_run()`]: a strategy on saved runs and the host's decisions, offline (`strategy test`).
//! - `read`: reading outputs, writing compliance, starting scans.
//! - [`status`]: whether each node's compliance report tells the truth about the plan's last runs.

mod dry_run;
mod read;
mod refresh;
mod report;
mod route;
pub mod status;

pub use dry_run::{DRY_RUN_NOTES, DryRun, HostDecisions, dry_run};
pub use refresh::{RefreshOptions, Target, refresh};
pub use report::{NodeOutcome, NodeResult, RefreshReport};
pub use route::{Decision, decide};
pub use status::{StatusOptions, StatusReport, status};
