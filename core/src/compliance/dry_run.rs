//! A strategy run offline on saved runs, with what the host would do with its actions — the core
//! of `ssmpatch strategy test`, by the same decisions as [`refresh`](super::refresh()).

use std::collections::BTreeMap;

use serde::Serialize;

use super::report::NodeOutcome;
use super::route::decide;
use crate::strategy::{Action, AddedOperation, LoadedStrategy, PlanInfo, RunResult, StrategyError};

/// What refresh does on AWS after these decisions, which an offline run cannot know.
pub const DRY_RUN_NOTES: [&str; 2] = [
    "on AWS, refresh writes compliance only from a Linux node's output (AWS prints no per-update result of a \
     BaselineOverride run on Windows or macOS: `unreadable-platform`)",
    "on AWS, refresh starts no scan on a node whose compliance AWS recorded after the run ended (`no-action`)",
];

/// The strategy's answers and the host's decisions.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct DryRun {
    /// The strategy's name.
    pub strategy: String,
    /// What its `plan` added.
    pub added_operations: Vec<AddedOperation>,
    /// What its `after-run` returned, every call's actions in turn (checked by the host).
    pub actions: Vec<Action>,
    /// What the host would do with them.
    pub host: HostDecisions,
}

/// What the host would do with a strategy's actions, node by node.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct HostDecisions {
    /// Per node (as in a refresh report): `compliance-written` and `scan-started` for what would
    /// be sent, `skipped`, `rejected`, `no-action` with the reason.
    pub nodes: Vec<NodeOutcome>,
    /// The strategy's messages.
    pub messages: Vec<String>,
    /// What refresh decides on AWS besides ([`DRY_RUN_NOTES`]).
    pub notes: Vec<String>,
}

/// Ask `strategy` what it adds to `plan`, then call `after-run` as refresh does — once per
/// operation, with that operation's runs (in operation-name order) — and decide each result as
/// refresh does. An operation runs with an override when `plan` says so (`uses_override`), or
/// when it is not among `plan`'s operations. A failed call or a result the host refuses as a
/// whole is the error.
pub fn dry_run(strategy: &LoadedStrategy, plan: &PlanInfo, runs: &[RunResult]) -> Result<DryRun, StrategyError> {
    let added_operations = strategy.plan(plan)?;
    let mut by_operation: BTreeMap<&str, Vec<RunResult>> = BTreeMap::new();
    for r in runs {
        by_operation.entry(r.operation.as_str()).or_default().push(r.clone());
    }
    let mut out = DryRun {
        strategy: strategy.name().to_string(),
        added_operations,
        actions: Vec::new(),
        host: HostDecisions {
            nodes: Vec::new(),
            messages: Vec::new(),
            notes: DRY_RUN_NOTES.map(str::to_string).to_vec(),
        },
    };
    for (op, runs) in by_operation {
        let actions = strategy.after_run(plan, &runs)?;
        out.actions.extend(actions.iter().cloned());
        let with_override = plan.operations.iter().find(|o| o.name == op).is_none_or(|o| o.uses_override);
        let decided = decide(strategy.name(), op, &runs, Ok(actions), with_override);
        out.host.nodes.extend(decided.nodes);
        out.host.messages.extend(decided.messages);
    }
    Ok(out)
}
