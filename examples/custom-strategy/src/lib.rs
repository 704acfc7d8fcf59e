//! Only packages whose vendor rates the update Critical or High (Windows/RHEL/SUSE `Important`,
//! Debian/Ubuntu `Required`/`Important`: `VendorSeverity`, one scale over every OS's names) go to
//! the compliance report, under `Custom:CriticalHigh`, each item tagged with the change ticket
//! from the plan's `[compliance] settings` (`ticket`). The filter reads `patch_severity` (the
//! payload's `PatchSeverity`, the vendor's rating), not `severity`, which is the patch
//! baseline's compliance level: with the predefined baselines that is `UNSPECIFIED` for every
//! package, and in a custom baseline it is whatever level the matching rule assigns. The baseline's
//! level is kept in each item's details. Runs whose output is incomplete or holds no per-package
//! result are skipped (`package_report`), so a failed run never erases the last good report.

use ssmpatch_strategy_sdk::{
    Action, ComplianceItem, Pair, PlanInfo, PutCompliance, RunResult, Strategy, UploadType, VendorSeverity,
    content_hash, export_strategy, package_report, setting,
};

struct CriticalHighOnly;

impl Strategy for CriticalHighOnly {
    fn after_run(plan: PlanInfo, runs: Vec<RunResult>) -> Result<Vec<Action>, String> {
        let ticket = setting(&plan, "ticket").ok_or("setting `ticket` is required (the change ticket)")?.to_string();
        let mut actions = Vec::new();
        for run in runs {
            let Some(packages) = package_report(&run) else {
                actions.push(Action::Message(format!("{}: no complete package report, skipped", run.instance_id)));
                continue;
            };
            let items: Vec<ComplianceItem> = packages
                .iter()
                .filter(|p| VendorSeverity::of(&p.patch_severity) >= VendorSeverity::High)
                .map(|p| ComplianceItem {
                    id: p.id.clone(),
                    title: p.title.clone(),
                    severity: VendorSeverity::of(&p.patch_severity).compliance_severity().into(),
                    status: "NON_COMPLIANT".into(),
                    details: vec![
                        Pair { key: "PatchState".into(), value: p.state.clone() },
                        Pair { key: "ChangeTicket".into(), value: ticket.clone() },
                        Pair { key: "PatchSeverity".into(), value: p.patch_severity.clone() },
                        Pair { key: "BaselineComplianceLevel".into(), value: p.severity.clone() },
                    ],
                })
                .collect();
            // Over the run too: AWS ignores a report whose hash it holds, and a newer run with the
            // same packages must still replace the report's execution id and time.
            let hash = content_hash(
                [run.execution_id.as_str(), ticket.as_str()].into_iter().chain(items.iter().map(|i| i.id.as_str())),
            );
            actions.push(Action::PutCompliance(PutCompliance {
                instance_id: run.instance_id,
                compliance_type: "Custom:CriticalHigh".into(),
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

export_strategy!(CriticalHighOnly);
