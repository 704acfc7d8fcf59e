//! What the host does with a strategy's actions before it calls AWS (`compliance::decide`, the
//! code `refresh` and `ssmpatch strategy test` share): written, scan started, skipped, rejected.

#![cfg(feature = "aws")]

use ssmpatch::compliance::{NodeResult, decide};
use ssmpatch::strategy::{Action, ComplianceItem, OperationKind, PutCompliance, RunResult, StrategyError, UploadType};

fn run(node: &str, truncated: bool) -> RunResult {
    RunResult {
        instance_id: node.into(),
        operation: "install".into(),
        kind: OperationKind::Install,
        execution_id: format!("cmd-{node}"),
        execution_time: "2026-11-29T03:41:00Z".into(),
        summary: vec![ssmpatch::strategy::Pair { key: "MissingCount".into(), value: "0".into() }],
        non_compliant: Vec::new(),
        all_compliant: true,
        truncated,
        raw_output: String::new(),
    }
}

fn put(node: &str, compliance_type: &str, upload_type: UploadType, items: &[&str]) -> Action {
    Action::PutCompliance(PutCompliance {
        instance_id: node.into(),
        compliance_type: compliance_type.into(),
        execution_id: format!("cmd-{node}"),
        execution_time: "2026-11-29T03:41:00Z".into(),
        items: items
            .iter()
            .map(|id| ComplianceItem {
                id: (*id).into(),
                title: String::new(),
                severity: "HIGH".into(),
                status: "NON_COMPLIANT".into(),
                details: Vec::new(),
            })
            .collect(),
        upload_type,
        content_hash: String::new(),
    })
}

fn outcomes(d: &ssmpatch::compliance::Decision) -> Vec<(&str, NodeResult, &str)> {
    d.nodes.iter().map(|n| (n.instance_id.as_str(), n.result, n.detail.as_str())).collect()
}

const SECOND_COMPLETE: &str = "strategy `s` returned a second upload of `Custom:T` for this node in one result, and \
     one of them is COMPLETE (it replaces every item of the type, so one upload would silently replace the other): \
     this one is not sent; return one COMPLETE upload per node and type, or only PARTIAL ones";

#[test]
fn a_second_complete_upload_of_one_type_for_one_node_is_rejected_with_its_reason() {
    let runs = [run("i-a", false), run("i-b", false)];
    let actions = vec![
        put("i-a", "Custom:T", UploadType::Complete, &["p1"]),
        put("i-a", "Custom:T", UploadType::Complete, &["p2", "p3"]),
        // Another type, or another node: both sent.
        put("i-a", "Custom:U", UploadType::Complete, &["p4"]),
        put("i-b", "Custom:T", UploadType::Complete, &["p5"]),
    ];
    let d = decide("s", "install", &runs, Ok(actions), true);
    assert_eq!(
        outcomes(&d),
        [
            ("i-a", NodeResult::ComplianceWritten, "1 item(s) as Custom:T (COMPLETE)"),
            ("i-a", NodeResult::Rejected, SECOND_COMPLETE),
            ("i-a", NodeResult::ComplianceWritten, "1 item(s) as Custom:U (COMPLETE)"),
            ("i-b", NodeResult::ComplianceWritten, "1 item(s) as Custom:T (COMPLETE)"),
        ]
    );
    let sent: Vec<(&str, &str, usize)> =
        d.puts.iter().map(|p| (p.instance_id.as_str(), p.compliance_type.as_str(), p.items.len())).collect();
    assert_eq!(sent, [("i-a", "Custom:T", 1), ("i-a", "Custom:U", 1), ("i-b", "Custom:T", 1)]);
}

#[test]
fn partial_uploads_add_up_but_not_beside_a_complete_one() {
    // PutComplianceItems calls are made concurrently: a COMPLETE and a PARTIAL upload of one type
    // for one node could land in either order, so the later one is refused whichever it is.
    let runs = [run("i-a", false)];
    let partials = vec![
        put("i-a", "Custom:T", UploadType::Partial, &["p1"]),
        put("i-a", "Custom:T", UploadType::Partial, &["p2"]),
    ];
    let d = decide("s", "install", &runs, Ok(partials), true);
    assert_eq!(d.puts.len(), 2);
    assert!(d.nodes.iter().all(|n| n.result == NodeResult::ComplianceWritten), "{:?}", d.nodes);
    for (first, second) in [(UploadType::Partial, UploadType::Complete), (UploadType::Complete, UploadType::Partial)] {
        let actions = vec![put("i-a", "Custom:T", first, &["p1"]), put("i-a", "Custom:T", second, &["p2"])];
        let d = decide("s", "install", &runs, Ok(actions), true);
        assert_eq!(d.puts.len(), 1, "{first:?} then {second:?}");
        assert_eq!(outcomes(&d)[1], ("i-a", NodeResult::Rejected, SECOND_COMPLETE), "{first:?} then {second:?}");
    }
}

#[test]
fn every_node_gets_an_outcome_and_a_failed_call_fails_every_node() {
    let runs = [run("i-a", false), run("i-b", true), run("i-c", false), run("i-d", false)];
    let actions = vec![
        put("i-a", "Custom:T", UploadType::Complete, &["p1"]),
        put("i-b", "Custom:T", UploadType::Complete, &["p1"]),
        Action::StartScan(vec!["i-c".into()]),
        Action::Message("i-d: nothing to do".into()),
    ];
    let d = decide("s", "install", &runs, Ok(actions), true);
    assert_eq!(
        outcomes(&d),
        [
            ("i-a", NodeResult::ComplianceWritten, "1 item(s) as Custom:T (COMPLETE)"),
            (
                "i-b",
                NodeResult::Skipped,
                "strategy `s` wrote compliance from output that was not read completely; not sent"
            ),
            ("i-c", NodeResult::ScanStarted, "AWS-RunPatchBaseline Scan without override"),
            ("i-d", NodeResult::NoAction, "i-d: nothing to do"),
        ]
    );
    assert_eq!(d.messages, ["i-d: nothing to do"]);
    assert_eq!(d.scans, [vec!["i-c".to_string()]]);

    let e = StrategyError::Failed { name: "s".into(), message: "no".into() };
    let d = decide("s", "install", &runs[..2], Err(e), true);
    assert_eq!(
        outcomes(&d),
        [
            ("i-a", NodeResult::Failed, "strategy `s` returned an error: no"),
            ("i-b", NodeResult::Failed, "strategy `s` returned an error: no"),
        ]
    );
    assert!(d.puts.is_empty() && d.scans.is_empty());
}
