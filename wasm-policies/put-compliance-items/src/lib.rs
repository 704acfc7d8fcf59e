//! Built-in strategy `put-compliance-items`: after a run with BaselineOverride (which AWS does
//! not record), write the run's results with PutComplianceItems.
//!
//! - One item per non-compliant package: id = the package `Id`, title = `Title`, severity = the
//!   baseline's compliance level for it (`Severity`), status `NON_COMPLIANT`, details
//!   `PatchState`, `Classification`, `PatchSeverity`, `CVEIds`, `InstalledTime`.
//! - Upload type `COMPLETE`: the node's items of the type are replaced, so packages fixed since
//!   the last run disappear. A run reporting every package compliant uploads one COMPLIANT item,
//!   `ssmpatch-compliant`, with the run's counts, so the node shows as compliant rather than
//!   absent.
//! - A SHA-256 content hash over the run's execution id and the items (`ItemContentHash`): AWS
//!   ignores a report whose hash it already holds, so refreshing the same run twice writes once,
//!   while a newer run with the same results still replaces the report's execution id and time
//!   (over the items alone, a fresh report would keep showing the older run and look stale).
//! - Never written, with a message instead: truncated output, and a run that printed no
//!   per-package result (a failed run, a run without override, Windows output) — a `COMPLETE`
//!   upload from those would erase the node's last good report.
//! - PutComplianceItems takes at most 10,000 items and about 800 KB per call. When a node's report
//!   does not fit, items are ordered by severity (CRITICAL first), then id, and the first ones
//!   that fit are kept; the last kept slot becomes an item `ssmpatch-omitted` (NON_COMPLIANT,
//!   the highest omitted severity) whose details say how many items were left out. Deterministic,
//!   and never a silently truncated upload.
//!
//! Setting `compliance-type` overrides the plan's compliance type.

use ssmpatch_strategy_sdk::{
    Action, ComplianceItem, Pair, PatchPackage, PlanInfo, PutCompliance, RunResult, Strategy, UploadType, content_hash,
    export_strategy, package_report, setting, summary,
};

/// PutComplianceItems: "Items ... Maximum number of 10000 items" (API reference).
pub const MAX_ITEMS: usize = 10_000;
/// PutComplianceItems request size: about 800 KB (aws-facts §4; UNCONFIRMED exact figure).
pub const MAX_BYTES: usize = 800 * 1024;

const SEVERITIES: [&str; 6] = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "UNSPECIFIED"];

fn rank(sev: &str) -> usize {
    SEVERITIES.iter().position(|s| *s == sev).unwrap_or(SEVERITIES.len() - 1)
}

fn pair(k: &str, v: &str) -> Pair {
    Pair { key: k.into(), value: v.into() }
}

fn clip(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

fn size(i: &ComplianceItem) -> usize {
    i.id.len()
        + i.title.len()
        + i.severity.len()
        + i.status.len()
        + i.details.iter().map(|p| p.key.len() + p.value.len() + 8).sum::<usize>()
        + 64
}

/// Summary counts copied to the `ssmpatch-compliant` item (as printed, when present).
const COMPLIANT_DETAILS: [&str; 5] =
    ["InstalledCount", "InstalledOtherCount", "NotApplicableCount", "OperationType", "RebootOption"];

/// The one item of a node whose run reported every package compliant.
fn compliant_item(run: &RunResult) -> ComplianceItem {
    let details: Vec<Pair> =
        COMPLIANT_DETAILS.iter().filter_map(|k| summary(run, k).map(|v| pair(k, &clip(v, 4096)))).collect();
    ComplianceItem {
        id: "ssmpatch-compliant".into(),
        title: clip(
            &format!(
                "All packages compliant ({} installed, {} installed other)",
                summary(run, "InstalledCount").unwrap_or("?"),
                summary(run, "InstalledOtherCount").unwrap_or("?")
            ),
            500,
        ),
        severity: "UNSPECIFIED".into(),
        status: "COMPLIANT".into(),
        details,
    }
}

fn items(packages: &[PatchPackage]) -> Vec<ComplianceItem> {
    let mut items: Vec<ComplianceItem> = packages
        .iter()
        .map(|p| {
            let severity =
                if SEVERITIES.contains(&p.severity.as_str()) { p.severity.clone() } else { "UNSPECIFIED".into() };
            ComplianceItem {
                id: clip(&p.id, 100),
                title: clip(&p.title, 500),
                severity,
                status: "NON_COMPLIANT".into(),
                details: vec![
                    pair("PatchState", &p.state),
                    pair("Classification", &p.classification),
                    pair("PatchSeverity", &p.patch_severity),
                    pair("CVEIds", &clip(&p.cve_ids.join(","), 4096)),
                    pair("InstalledTime", &p.installed_time),
                ],
            }
        })
        .collect();
    items.sort_by(|a, b| rank(&a.severity).cmp(&rank(&b.severity)).then_with(|| a.id.cmp(&b.id)));
    items
}

/// Keep what fits in one call, deterministically (see the crate docs).
fn reduce(items: Vec<ComplianceItem>) -> Vec<ComplianceItem> {
    let total: usize = items.iter().map(size).sum();
    if items.len() <= MAX_ITEMS && total <= MAX_BYTES {
        return items;
    }
    let mut kept = Vec::new();
    let mut left = Vec::new();
    let mut bytes = 512; // room for the omitted-items marker
    for i in items {
        let s = size(&i);
        if !left.is_empty() || kept.len() + 1 >= MAX_ITEMS || bytes + s > MAX_BYTES {
            left.push(i);
            continue;
        }
        bytes += s;
        kept.push(i);
    }
    let omitted = left.len();
    let worst = left.iter().map(|i| rank(&i.severity)).min().unwrap_or(SEVERITIES.len() - 1);
    kept.push(ComplianceItem {
        id: "ssmpatch-omitted".into(),
        title: format!("{omitted} more non-compliant packages (the report exceeds one PutComplianceItems call)"),
        severity: SEVERITIES[worst].into(),
        status: "NON_COMPLIANT".into(),
        details: vec![pair("OmittedCount", &omitted.to_string())],
    });
    kept
}

struct PutComplianceItems;

impl Strategy for PutComplianceItems {
    fn after_run(plan: PlanInfo, runs: Vec<RunResult>) -> Result<Vec<Action>, String> {
        let compliance_type = setting(&plan, "compliance-type").unwrap_or(&plan.compliance_type).to_string();
        let mut actions = Vec::new();
        for run in runs {
            let Some(packages) = package_report(&run) else {
                let why = if run.truncated { "is incomplete" } else { "holds no per-package result" };
                actions.push(Action::Message(format!(
                    "{}: output of {} {why}; compliance not written",
                    run.instance_id, run.execution_id
                )));
                continue;
            };
            let items = if packages.is_empty() { vec![compliant_item(&run)] } else { reduce(items(packages)) };
            let hash = content_hash(std::iter::once(run.execution_id.as_str()).chain(items.iter().flat_map(|i| {
                [i.id.as_str(), i.severity.as_str(), i.status.as_str()]
                    .into_iter()
                    .chain(i.details.iter().map(|p| p.value.as_str()))
            })));
            actions.push(Action::PutCompliance(PutCompliance {
                instance_id: run.instance_id,
                compliance_type: compliance_type.clone(),
                execution_id: run.execution_id,
                execution_time: run.execution_time,
                items,
                upload_type: UploadType::Complete,
                content_hash: hash,
            }));
        }
        Ok(actions)
    }
}

export_strategy!(PutComplianceItems);
