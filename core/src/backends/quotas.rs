//! Before anything is written (`plan` and `apply` read it with the diff): the windows,
//! associations and custom baselines the diff adds fit in what the account has left of its
//! quota. `validate` checks what a plan alone needs ([`crate::plan::limits`]); this adds what
//! already exists in the account (other plans, other teams). There is no API to read a quota's
//! value, so it is the plan's `[quotas]` setting (AWS's documented default unless set); AWS
//! refuses the create past it (`ResourceLimitExceededException`), which would stop an apply part
//! way. Counted only when the diff adds some of a kind, with the same paged reads `plan` needs
//! anyway (no new IAM action).

use aws_sdk_ssm::types::PatchOrchestratorFilter;

use super::model::{Action, Diff, Kind};
use super::paging::all;
use crate::aws::Clients;
use crate::error::Error;
use crate::plan::limits::Quotas;

/// How many resources of `kind` the diff creates. Deletes do not make room: apply creates
/// everything before it deletes anything (new first), so the account holds them all at once.
fn added(diff: &Diff, kind: Kind) -> i64 {
    diff.changes.iter().filter(|c| c.key.kind == kind && c.action == Action::Create).count() as i64
}

/// `Err` naming each quota the diff would pass, with how many exist, how many it adds and where
/// the quota's value comes from.
pub(crate) async fn check(c: &Clients, diff: &Diff, quotas: &Quotas) -> Result<(), Error> {
    let mut over = Vec::new();
    let windows = added(diff, Kind::MaintenanceWindow);
    if windows > 0 {
        let n = all(
            "ssm",
            "DescribeMaintenanceWindows",
            c.ssm.describe_maintenance_windows().into_paginator().items().send(),
        )
        .await?
        .len();
        fits(&mut over, "maintenance windows", "maintenance-windows", n, windows, quotas.maintenance_windows);
    }
    let associations = added(diff, Kind::Association);
    if associations > 0 {
        let n = all("ssm", "ListAssociations", c.ssm.list_associations().into_paginator().items().send()).await?.len();
        fits(&mut over, "associations", "associations", n, associations, quotas.associations);
    }
    let baselines = added(diff, Kind::PatchBaseline);
    if baselines > 0 {
        let n = all(
            "ssm",
            "DescribePatchBaselines",
            c.ssm
                .describe_patch_baselines()
                .filters(PatchOrchestratorFilter::builder().key("OWNER").values("Self").build())
                .into_paginator()
                .items()
                .send(),
        )
        .await?
        .len();
        fits(&mut over, "custom patch baselines", "patch-baselines", n, baselines, quotas.patch_baselines);
    }
    if over.is_empty() {
        return Ok(());
    }
    Err(Error::input(
        format!("nothing was changed: {}", over.join("; ")),
        Some(
            "remove unused ones from the account, ask AWS for a higher quota (Service Quotas), or set the plan's \
             `[quotas]` to the value your account has"
                .into(),
        ),
    ))
}

fn fits(over: &mut Vec<String>, what: &str, key: &str, existing: usize, adding: i64, quota: u32) {
    let after = existing as i64 + adding;
    if after > i64::from(quota) {
        over.push(format!(
            "the plan creates {adding} {what} beside the {existing} in the account (before it deletes any), {after} \
             in all, more than {}",
            Quotas::describe(key, quota)
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn past_a_quota_names_the_counts_and_the_setting() {
        let mut over = Vec::new();
        fits(&mut over, "maintenance windows", "maintenance-windows", 49, 2, 50);
        fits(&mut over, "associations", "associations", 10, 2, 2000);
        assert_eq!(over.len(), 1);
        assert!(
            over[0].contains("creates 2 maintenance windows beside the 49") && over[0].contains("51 in all"),
            "{}",
            over[0]
        );
        assert!(over[0].contains("[quotas] maintenance-windows"), "{}", over[0]);
    }
}
