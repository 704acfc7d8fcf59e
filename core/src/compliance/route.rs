//! The pure parts of a refresh: which run of each node is read, and what the host does with a
//! strategy's actions.

use std::collections::{BTreeMap, BTreeSet};

use super::report::{NodeOutcome, NodeResult};
use crate::backends::FinishedRun;
use crate::strategy::{Action, MAX_SCAN_NODES_PER_COMMAND, PutCompliance, RunResult};

/// Each node's latest run among `targets` (by end time, then command id), whatever its
/// operation: AWS keeps one patch compliance snapshot per node, "from the latest successful
/// patching operation", and a COMPLETE upload replaces the whole type, so replaying an older run
/// after a newer one would report stale data. Also the number of older runs left out.
pub(crate) fn latest_per_node(targets: Vec<(FinishedRun, String)>) -> (Vec<(FinishedRun, String)>, usize) {
    let total = targets.len();
    let key = |f: &FinishedRun| (f.end, f.command_id.clone());
    let mut latest: BTreeMap<String, FinishedRun> = BTreeMap::new();
    for (f, node) in targets {
        let newer = latest.get(&node).is_none_or(|kept| key(&f) > key(kept));
        if newer {
            latest.insert(node, f);
        }
    }
    let kept: Vec<(FinishedRun, String)> = latest.into_iter().map(|(node, f)| (f, node)).collect();
    let older = total - kept.len();
    (kept, older)
}

/// What the host does with one strategy call's actions on `runs` of operation `op`.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Routed {
    /// PutComplianceItems calls to make.
    pub(crate) puts: Vec<PutCompliance>,
    /// Scans to start, at most [`MAX_SCAN_NODES_PER_COMMAND`] nodes each.
    pub(crate) scans: Vec<Vec<String>>,
    /// The strategy's messages.
    pub(crate) messages: Vec<String>,
    /// Nodes settled here: compliance refused from incomplete output (`skipped`), and nodes no
    /// action touched (`no-action`, with the strategy's message that names the node, if any).
    pub(crate) outcomes: Vec<NodeOutcome>,
}

/// `with_override`: the operation runs with a BaselineOverride, so AWS recorded nothing of its
/// runs and a node whose output holds no per-package result and got no action is stale (its run
/// failed on the node, e.g. exit 162 when it could not read the override): `Skipped`. Without
/// an override AWS recorded the run itself: `NoAction`.
pub(crate) fn route(strategy: &str, op: &str, runs: &[RunResult], actions: Vec<Action>, with_override: bool) -> Routed {
    let incomplete: BTreeSet<&str> = runs.iter().filter(|r| r.truncated).map(|r| r.instance_id.as_str()).collect();
    let mut acted = BTreeSet::new();
    let mut out = Routed::default();
    for a in actions {
        match a {
            Action::Message(m) => out.messages.push(m),
            Action::StartScan(nodes) => {
                acted.extend(nodes.iter().cloned());
                out.scans.extend(nodes.chunks(MAX_SCAN_NODES_PER_COMMAND).map(<[String]>::to_vec));
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
                        result: NodeResult::Skipped,
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
        let no_report = r.summary.is_empty() && r.non_compliant.is_empty() && !r.all_compliant;
        out.outcomes.push(NodeOutcome {
            instance_id: r.instance_id.clone(),
            operation: op.to_string(),
            execution_id: r.execution_id.clone(),
            result: if with_override && (no_report || r.truncated) {
                NodeResult::Skipped
            } else {
                NodeResult::NoAction
            },
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategy::{OperationKind, UploadType};

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

    fn put(node: &str) -> PutCompliance {
        PutCompliance {
            instance_id: node.into(),
            compliance_type: "Custom:ssmpatch".into(),
            execution_id: format!("cmd-{node}"),
            execution_time: "2026-11-29T03:41:00Z".into(),
            items: Vec::new(),
            upload_type: UploadType::Complete,
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
        let r = route("x", "install", &runs, actions, true);
        assert_eq!(r.puts, vec![put("i-a")]);
        assert_eq!(r.scans, vec![vec!["i-b".to_string()]]);
        assert_eq!(r.messages, ["i-c: nothing to say"]);
        let outcomes: Vec<(&str, NodeResult, &str)> =
            r.outcomes.iter().map(|o| (o.instance_id.as_str(), o.result, o.detail.as_str())).collect();
        assert_eq!(
            outcomes,
            [
                (
                    "i-b",
                    NodeResult::Skipped,
                    "strategy `x` wrote compliance from output that was not read completely; not sent"
                ),
                ("i-c", NodeResult::NoAction, "i-c: nothing to say"),
                ("i-d", NodeResult::NoAction, "strategy `x` returned no action for this node"),
            ]
        );
        // A run with an override whose output holds no per-package result (it failed on the node)
        // is stale, not "nothing to do"; without an override AWS recorded it itself.
        let mut failed = run("i-e", false);
        failed.summary.clear();
        failed.all_compliant = false;
        for (with_override, result) in [(true, NodeResult::Skipped), (false, NodeResult::NoAction)] {
            let r = route("x", "install", std::slice::from_ref(&failed), Vec::new(), with_override);
            assert_eq!(r.outcomes.iter().map(|o| o.result).collect::<Vec<_>>(), [result]);
        }
        // Scans are sent 50 nodes per SendCommand.
        let many: Vec<String> = (0..120).map(|i| format!("i-{i}")).collect();
        let runs: Vec<RunResult> = many.iter().map(|n| run(n, false)).collect();
        let r = route("x", "install", &runs, vec![Action::StartScan(many)], true);
        assert_eq!(r.scans.iter().map(Vec::len).collect::<Vec<_>>(), [50, 50, 20]);
        assert!(r.outcomes.is_empty());
    }

    #[test]
    fn each_nodes_latest_run_is_read_and_older_ones_are_counted() {
        let found = |op: &str, cmd: &str, end: &str| FinishedRun {
            operation: op.into(),
            command_id: cmd.into(),
            end: Some(end.parse().expect("instant")),
        };
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
}
