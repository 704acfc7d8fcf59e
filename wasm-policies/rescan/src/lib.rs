//! Built-in strategy `rescan`: compliance refreshed by a scan without override.
//!
//! - Plan time: on maintenance windows and associations, a `Scan` operation without override is
//!   added after every install that runs with an override (`<install>-rescan`: a later-priority
//!   task in the install's window, or an association ordered after it). Patch policies already
//!   record compliance for overridden runs: nothing is added (the host says so).
//! - After a run: an immediate scan of the nodes whose install output was read completely.

use ssmpatch_strategy_sdk::{
    Action, AddedOperation, Backend, OperationKind, PlanInfo, RunResult, Strategy, export_strategy,
};

struct Rescan;

impl Strategy for Rescan {
    fn plan(plan: PlanInfo) -> Result<Vec<AddedOperation>, String> {
        if plan.backend == Backend::PatchPolicy {
            return Ok(Vec::new());
        }
        Ok(plan
            .operations
            .iter()
            .filter(|o| o.kind == OperationKind::Install && o.uses_override)
            .map(|o| AddedOperation {
                name: format!("{}-rescan", o.name),
                kind: OperationKind::Scan,
                after: o.name.clone(),
                uses_override: false,
            })
            .collect())
    }

    fn after_run(_plan: PlanInfo, runs: Vec<RunResult>) -> Result<Vec<Action>, String> {
        let mut nodes: Vec<String> = runs
            .iter()
            .filter(|r| r.kind == OperationKind::Install && !r.truncated)
            .map(|r| r.instance_id.clone())
            .collect();
        nodes.sort();
        nodes.dedup();
        let mut actions = Vec::new();
        for r in runs.iter().filter(|r| r.truncated) {
            actions.push(Action::Message(format!("{}: output incomplete; no rescan started", r.instance_id)));
        }
        if !nodes.is_empty() {
            actions.push(Action::StartScan(nodes));
        }
        Ok(actions)
    }
}

export_strategy!(Rescan);
