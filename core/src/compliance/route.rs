//! The pure parts of a refresh: which run of each node is read, and what the host does with a
//! strategy's actions ([`decide`]).

use std::collections::{BTreeMap, BTreeSet};

use super::report::{NodeOutcome, NodeResult};
use crate::backends::FinishedRun;
use crate::strategy::{Action, MAX_SCAN_NODES_PER_COMMAND, PutCompliance, RunResult, StrategyError, UploadType};

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

/// What the host does with one strategy call's result on `runs` of operation `op`, before it
/// calls AWS: the code `refresh` and `ssmpatch strategy test` share.
#[derive(Debug, Default, Clone, PartialEq)]
#[non_exhaustive]
pub struct Decision {
    /// Every node's outcome, in the order of the actions and then of the runs: compliance to
    /// write and scans to start as `compliance-written` and `scan-started` (what they become when
    /// AWS accepts them), the rest settled here (`skipped`, `rejected`, `no-action`, `failed`).
    pub nodes: Vec<NodeOutcome>,
    /// PutComplianceItems calls to make.
    pub puts: Vec<PutCompliance>,
    /// Scans to start, at most [`MAX_SCAN_NODES_PER_COMMAND`] nodes each.
    pub scans: Vec<Vec<String>>,
    /// The strategy's messages.
    pub messages: Vec<String>,
}

impl Decision {
    /// The outcomes settled without AWS (not a write or a scan still to be made).
    pub fn settled(&self) -> impl Iterator<Item = &NodeOutcome> {
        self.nodes.iter().filter(|n| !matches!(n.result, NodeResult::ComplianceWritten | NodeResult::ScanStarted))
    }
}

/// What a successful PutComplianceItems call reports for the node.
pub(crate) fn written_detail(p: &PutCompliance) -> String {
    let upload = match p.upload_type {
        UploadType::Complete => "COMPLETE",
        UploadType::Partial => "PARTIAL",
    };
    format!("{} item(s) as {} ({upload})", p.items.len(), p.compliance_type)
}

/// What a started scan reports for the node.
pub(crate) const SCAN_DETAIL: &str = "AWS-RunPatchBaseline Scan without override";

/// Decide what to do with a strategy call's result (`Err`: the call failed or the host refused
/// its result as a whole — every node of the call `failed`, with the reason).
///
/// - Compliance is never written from output that was not read completely (`skipped`).
/// - One result may not hold two uploads of one compliance type for one node when one of them is
///   COMPLETE (`rejected`, the later one): a COMPLETE upload replaces every item of the type
///   (PutComplianceItems `UploadType`), and the host makes its calls concurrently, so one would
///   silently replace the other in either order. PARTIAL uploads add up and are all sent.
/// - `with_override`: the operation runs with a BaselineOverride, so AWS recorded nothing of its
///   runs and a node whose output holds no per-package result and got no action is stale (its
///   run failed on the node, e.g. exit 162 when it could not read the override): `skipped`.
///   Without an override AWS recorded the run itself: `no-action`.
pub fn decide(
    strategy: &str,
    op: &str,
    runs: &[RunResult],
    result: Result<Vec<Action>, StrategyError>,
    with_override: bool,
) -> Decision {
    let outcome = |node: &str, execution_id: &str, result: NodeResult, detail: String| NodeOutcome {
        instance_id: node.to_string(),
        operation: op.to_string(),
        execution_id: execution_id.to_string(),
        result,
        detail,
    };
    let actions = match result {
        Ok(actions) => actions,
        Err(e) => {
            let nodes = runs
                .iter()
                .map(|r| outcome(&r.instance_id, &r.execution_id, NodeResult::Failed, e.to_string()))
                .collect();
            return Decision { nodes, ..Decision::default() };
        }
    };
    let execution = |node: &str| runs.iter().find(|r| r.instance_id == node).map_or("", |r| r.execution_id.as_str());
    let incomplete: BTreeSet<&str> = runs.iter().filter(|r| r.truncated).map(|r| r.instance_id.as_str()).collect();
    let mut acted = BTreeSet::new();
    let mut out = Decision::default();
    for a in actions {
        match a {
            Action::Message(m) => out.messages.push(m),
            Action::StartScan(nodes) => {
                acted.extend(nodes.iter().cloned());
                for n in &nodes {
                    out.nodes.push(outcome(n, execution(n), NodeResult::ScanStarted, SCAN_DETAIL.into()));
                }
                out.scans.extend(nodes.chunks(MAX_SCAN_NODES_PER_COMMAND).map(<[String]>::to_vec));
            }
            Action::PutCompliance(p) => {
                acted.insert(p.instance_id.clone());
                let clash = out.puts.iter().any(|q| {
                    q.instance_id == p.instance_id
                        && q.compliance_type == p.compliance_type
                        && (q.upload_type == UploadType::Complete || p.upload_type == UploadType::Complete)
                });
                // Whatever the strategy says, compliance is never written from output that was
                // not read completely (a COMPLETE upload from a cut report loses items).
                let (result, detail) = if incomplete.contains(p.instance_id.as_str()) {
                    (
                        NodeResult::Skipped,
                        format!(
                            "strategy `{strategy}` wrote compliance from output that was not read completely; not sent"
                        ),
                    )
                } else if clash {
                    (
                        NodeResult::Rejected,
                        format!(
                            "strategy `{strategy}` returned a second upload of `{}` for this node in one result, and \
                             one of them is COMPLETE (it replaces every item of the type, so one upload would \
                             silently replace the other): this one is not sent; return one COMPLETE upload per \
                             node and type, or only PARTIAL ones",
                            p.compliance_type
                        ),
                    )
                } else {
                    (NodeResult::ComplianceWritten, written_detail(&p))
                };
                out.nodes.push(outcome(&p.instance_id, &p.execution_id, result, detail));
                if result == NodeResult::ComplianceWritten {
                    out.puts.push(p);
                }
            }
        }
    }
    for r in runs.iter().filter(|r| !acted.contains(&r.instance_id)) {
        let no_report = r.summary.is_empty() && r.non_compliant.is_empty() && !r.all_compliant;
        let result =
            if with_override && (no_report || r.truncated) { NodeResult::Skipped } else { NodeResult::NoAction };
        let detail = out
            .messages
            .iter()
            .find(|m| m.contains(r.instance_id.as_str()))
            .cloned()
            .unwrap_or_else(|| format!("strategy `{strategy}` returned no action for this node"));
        out.nodes.push(outcome(&r.instance_id, &r.execution_id, result, detail));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategy::OperationKind;

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
        let r = decide("x", "install", &runs, Ok(actions), true);
        assert_eq!(r.puts, vec![put("i-a")]);
        assert_eq!(r.scans, vec![vec!["i-b".to_string()]]);
        assert_eq!(r.messages, ["i-c: nothing to say"]);
        let outcomes: Vec<(&str, NodeResult, &str)> =
            r.settled().map(|o| (o.instance_id.as_str(), o.result, o.detail.as_str())).collect();
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
            let r = decide("x", "install", std::slice::from_ref(&failed), Ok(Vec::new()), with_override);
            assert_eq!(r.nodes.iter().map(|o| o.result).collect::<Vec<_>>(), [result]);
        }
        // Scans are sent 50 nodes per SendCommand.
        let many: Vec<String> = (0..120).map(|i| format!("i-{i}")).collect();
        let runs: Vec<RunResult> = many.iter().map(|n| run(n, false)).collect();
        let r = decide("x", "install", &runs, Ok(vec![Action::StartScan(many)]), true);
        assert_eq!(r.scans.iter().map(Vec::len).collect::<Vec<_>>(), [50, 50, 20]);
        assert_eq!(r.settled().count(), 0);
        assert_eq!(r.nodes.len(), 120);
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
