//! Custom patch baselines, one per operating system the plan declares inline, registered for the
//! plan's patch group (windows and associations) — the one place ssmpatch builds, creates,
//! updates, reads back and deletes them.
//!
//! Everything goes through the typed rules of [`crate::baseline`]: the desired baseline is
//! [`PatchBaselineRules`] built from the plan's validated spec with the real baseline's approval
//! merged in; it is written with its [`PatchBaselineRules::create_input`] /
//! [`PatchBaselineRules::update_input`] (`Replace = true`), read back from `GetPatchBaseline` into
//! the same type, and compared in [`PatchBaselineRules::comparable`] form, so a baseline AWS
//! returns with filter values or patch lists in another order is not reported as drift.

use std::collections::BTreeMap;

use aws_sdk_ssm::types::{
    OperatingSystem as SdkOs, PatchAction, PatchComplianceLevel, PatchFilter as SdkFilter, PatchFilterGroup,
    PatchFilterKey as SdkFilterKey, PatchOrchestratorFilter, PatchRule as SdkRule, PatchRuleGroup,
    PatchSource as SdkSource, ResourceTypeForTagging,
};
use serde_json::{Value, json};

use super::strings;
use super::tags::{is_owned, list_tags, sdk_tags, sync_tags, tags_map};
use crate::backends::model::{BaselineResource, Desired, Key, Kind, Observed, Payload};
use crate::backends::naming::{baseline_name, prefix};
use crate::backends::paging::all;
use crate::baseline::{
    ApprovalChange, ComplianceLevel, OperatingSystem, PatchBaselineRules, PatchFilter, PatchFilterKey, PatchRule,
    PatchSource, RejectedPatchesAction,
};
use crate::error::{Error, aws};
use crate::plan::Plan;
use crate::plan::RulesFrom;
use crate::schedule::Backend;

impl BaselineResource {
    /// The managed fields as the diff shows them: the rules in `GetPatchBaseline` form (keys
    /// sorted), then name, description, patch groups and tags.
    fn spec(&self) -> Value {
        let mut v = self.rules.to_override_value();
        if let Some(obj) = v.as_object_mut() {
            obj.insert("Name".into(), json!(self.name));
            obj.insert("Description".into(), json!(self.description));
            obj.insert("PatchGroups".into(), json!(self.patch_groups));
            obj.insert("Tags".into(), json!(self.tags));
        }
        v
    }

    fn desired(self) -> Desired {
        Desired {
            key: Key::new(Kind::PatchBaseline, self.name.clone()),
            spec: self.spec(),
            payload: Payload::Baseline(self),
        }
    }
}

/// The custom baselines `plan` needs on `backend`: one per inline OS, with the real baseline's
/// rules (the declared ones, or those of the operation `baseline-rules-from` names), registered
/// for the patch group on windows and associations.
pub(crate) fn desired(plan: &Plan, backend: Backend, tags: &BTreeMap<String, String>) -> Vec<Desired> {
    let real_approval = match &plan.rules_from {
        RulesFrom::Operation(o) => plan.operation(o).and_then(|op| op.approval.clone()),
        RulesFrom::Declared => None,
    };
    let groups: Vec<String> = match (plan.targets.patch_group(), backend) {
        (Some(g), Backend::MaintenanceWindow | Backend::Association) => vec![g.to_string()],
        _ => Vec::new(),
    };
    plan.baseline_specs()
        .iter()
        .filter(|(_, b)| !b.is_existing())
        .map(|(os, spec)| {
            let rules = PatchBaselineRules::from_spec(*os, spec);
            let rules = match &real_approval {
                Some(a) => rules.merge(&ApprovalChange::from_spec(a)),
                None => rules,
            };
            BaselineResource {
                name: baseline_name(&plan.name, *os),
                description: format!("ssmpatch {}: {} baseline", plan.name, os),
                rules,
                patch_groups: groups.clone(),
                tags: tags.clone(),
            }
            .desired()
        })
        .collect()
}

fn resource(d: &Desired) -> Result<&BaselineResource, Error> {
    match &d.payload {
        Payload::Baseline(b) => Ok(b),
        _ => Err(Error::Internal(format!("{} carries no baseline", d.key.label()))),
    }
}

// --- typed rules → SDK input ---------------------------------------------------------------------

/// Sets every rule field of `PatchBaselineRules` (all but the operating system, which only
/// `CreatePatchBaseline` takes) on a `CreatePatchBaseline` or `UpdatePatchBaseline` builder: the
/// two have the same setters but no common type.
macro_rules! with_rules {
    ($builder:expr, $r:expr) => {
        $builder
            .global_filters(sdk_filters(&$r.global_filters)?)
            .approval_rules(sdk_rules(&$r.approval_rules)?)
            .set_approved_patches(Some($r.approved_patches.clone()))
            .approved_patches_compliance_level(PatchComplianceLevel::from(
                $r.approved_patches_compliance_level.as_str(),
            ))
            .approved_patches_enable_non_security($r.approved_patches_enable_non_security)
            .set_rejected_patches(Some($r.rejected_patches.clone()))
            .rejected_patches_action(PatchAction::from($r.rejected_patches_action.as_str()))
            .set_sources(Some(sdk_sources(&$r.sources)?))
    };
}

fn sdk_filters(filters: &[PatchFilter]) -> Result<PatchFilterGroup, Error> {
    let filters = filters
        .iter()
        .map(|f| {
            SdkFilter::builder().key(SdkFilterKey::from(f.key.as_str())).set_values(Some(f.values.clone())).build()
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Error::Internal(format!("a patch filter: {e}")))?;
    PatchFilterGroup::builder().set_patch_filters(Some(filters)).build().map_err(|e| Error::Internal(e.to_string()))
}

fn sdk_rules(rules: &[PatchRule]) -> Result<PatchRuleGroup, Error> {
    let rules = rules
        .iter()
        .map(|r| {
            Ok(SdkRule::builder()
                .patch_filter_group(sdk_filters(&r.patch_filters)?)
                .compliance_level(PatchComplianceLevel::from(r.compliance_level.as_str()))
                .set_approve_after_days(r.approve_after_days)
                .set_approve_until_date(r.approve_until_date.clone())
                .enable_non_security(r.enable_non_security)
                .build())
        })
        .collect::<Result<Vec<_>, Error>>()?;
    PatchRuleGroup::builder().set_patch_rules(Some(rules)).build().map_err(|e| Error::Internal(e.to_string()))
}

fn sdk_sources(sources: &[PatchSource]) -> Result<Vec<SdkSource>, Error> {
    sources
        .iter()
        .map(|s| {
            SdkSource::builder()
                .name(&s.name)
                .set_products(Some(s.products.clone()))
                .configuration(&s.configuration)
                .build()
                .map_err(|e| Error::Internal(format!("a patch source: {e}")))
        })
        .collect()
}

// --- GetPatchBaseline → typed rules ---------------------------------------------------------------

fn unusable(id: &str, what: &str, value: &str) -> Error {
    Error::Unexpected(format!("GetPatchBaseline {id} returned {what} `{value}`, which ssmpatch does not know"))
}

fn filters_of(id: &str, g: Option<&PatchFilterGroup>) -> Result<Vec<PatchFilter>, Error> {
    g.map(|g| g.patch_filters())
        .unwrap_or_default()
        .iter()
        .map(|f| {
            let key = PatchFilterKey::ALL
                .into_iter()
                .find(|k| k.as_str() == f.key().as_str())
                .ok_or_else(|| unusable(id, "the patch filter key", f.key().as_str()))?;
            Ok(PatchFilter { key, values: f.values().to_vec() })
        })
        .collect()
}

fn level_of(id: &str, l: Option<&PatchComplianceLevel>) -> Result<ComplianceLevel, Error> {
    match l {
        None => Ok(ComplianceLevel::Unspecified),
        Some(l) => ComplianceLevel::ALL
            .into_iter()
            .find(|c| c.as_str() == l.as_str())
            .ok_or_else(|| unusable(id, "the compliance level", l.as_str())),
    }
}

fn rules_of(
    id: &str,
    b: &aws_sdk_ssm::operation::get_patch_baseline::GetPatchBaselineOutput,
) -> Result<PatchBaselineRules, Error> {
    let os_text = b.operating_system().map(|o| o.as_str()).unwrap_or_default();
    let operating_system: OperatingSystem =
        os_text.parse().map_err(|_| unusable(id, "the operating system", os_text))?;
    let approval_rules = b
        .approval_rules()
        .map(|g| g.patch_rules())
        .unwrap_or_default()
        .iter()
        .map(|r| {
            Ok(PatchRule {
                patch_filters: filters_of(id, r.patch_filter_group())?,
                compliance_level: level_of(id, r.compliance_level())?,
                approve_after_days: r.approve_after_days(),
                approve_until_date: r.approve_until_date().map(str::to_string),
                enable_non_security: r.enable_non_security().unwrap_or(false),
            })
        })
        .collect::<Result<Vec<_>, Error>>()?;
    let rejected_patches_action = match b.rejected_patches_action() {
        None | Some(PatchAction::AllowAsDependency) => RejectedPatchesAction::AllowAsDependency,
        Some(PatchAction::Block) => RejectedPatchesAction::Block,
        Some(other) => return Err(unusable(id, "the rejected-patches action", other.as_str())),
    };
    Ok(PatchBaselineRules {
        operating_system,
        global_filters: filters_of(id, b.global_filters())?,
        approval_rules,
        approved_patches: b.approved_patches().to_vec(),
        approved_patches_compliance_level: level_of(id, b.approved_patches_compliance_level())?,
        approved_patches_enable_non_security: b.approved_patches_enable_non_security().unwrap_or(false),
        rejected_patches: b.rejected_patches().to_vec(),
        rejected_patches_action,
        sources: b
            .sources()
            .iter()
            .map(|s| PatchSource {
                configuration: s.configuration().to_string(),
                name: s.name().to_string(),
                products: s.products().to_vec(),
            })
            .collect(),
    })
}

// --- AWS --------------------------------------------------------------------------------------------

/// Custom baselines named `ssmpatch-<plan>-…` (every page), with their rules, patch groups and
/// tags. A baseline whose rules equal the desired one's in normalised form is reported in the
/// desired form, so the diff shows no change for an order AWS chose.
pub(crate) async fn observe(c: &crate::aws::Clients, plan: &str, desired: &[Desired]) -> Result<Vec<Observed>, Error> {
    let prefix = prefix(plan);
    let identities = all(
        "ssm",
        "DescribePatchBaselines",
        c.ssm
            .describe_patch_baselines()
            .filters(PatchOrchestratorFilter::builder().key("NAME_PREFIX").values(&prefix).build())
            .filters(PatchOrchestratorFilter::builder().key("OWNER").values("Self").build())
            .into_paginator()
            .items()
            .send(),
    )
    .await?;
    let ids: Vec<String> = identities
        .iter()
        .filter(|b| b.baseline_name().is_some_and(|n| n.starts_with(&prefix)))
        .filter_map(|b| b.baseline_id().map(str::to_string))
        .collect();
    let mut out = Vec::new();
    for id in ids {
        let b =
            c.ssm.get_patch_baseline().baseline_id(&id).send().await.map_err(|e| aws("ssm", "GetPatchBaseline", e))?;
        let tags = tags_map(&list_tags(c, ResourceTypeForTagging::PatchBaseline, &id).await?);
        let name = b.name().unwrap_or_default().to_string();
        let mut rules = rules_of(&id, &b)?;
        let want = desired.iter().filter_map(|d| resource(d).ok()).find(|w| w.name == name);
        if let Some(w) = want
            && w.rules.same_rules_as(&rules)
        {
            rules = w.rules.clone();
        }
        let mut patch_groups: Vec<String> = b.patch_groups().to_vec();
        patch_groups.sort();
        let owned = is_owned(&tags, plan);
        let found = BaselineResource {
            name: name.clone(),
            description: b.description().unwrap_or_default().to_string(),
            rules,
            patch_groups,
            tags,
        };
        out.push(Observed { key: Key::new(Kind::PatchBaseline, name), id, parent_id: None, spec: found.spec(), owned });
    }
    Ok(out)
}

pub(crate) async fn create(c: &crate::aws::Clients, d: &Desired) -> Result<String, Error> {
    let b = resource(d)?;
    let input = b.rules.create_input(&b.name, Some(b.description.clone()), b.tags.clone());
    let r = &input.rules;
    let request = c
        .ssm
        .create_patch_baseline()
        .name(&input.name)
        .operating_system(SdkOs::from(r.operating_system.as_str()))
        .set_description(input.description.clone())
        .set_tags(Some(sdk_tags(&input.tags)));
    let out = with_rules!(request, r).send().await.map_err(|e| aws("ssm", "CreatePatchBaseline", e))?;
    let id = out
        .baseline_id()
        .map(str::to_string)
        .ok_or_else(|| Error::Unexpected("CreatePatchBaseline returned no baseline id".into()))?;
    for g in &b.patch_groups {
        register_group(c, &id, g).await?;
    }
    Ok(id)
}

async fn register_group(c: &crate::aws::Clients, id: &str, group: &str) -> Result<(), Error> {
    c.ssm
        .register_patch_baseline_for_patch_group()
        .baseline_id(id)
        .patch_group(group)
        .send()
        .await
        .map_err(|e| aws("ssm", "RegisterPatchBaselineForPatchGroup", e))?;
    Ok(())
}

async fn deregister_group(c: &crate::aws::Clients, id: &str, group: &str) -> Result<(), Error> {
    c.ssm
        .deregister_patch_baseline_for_patch_group()
        .baseline_id(id)
        .patch_group(group)
        .send()
        .await
        .map_err(|e| aws("ssm", "DeregisterPatchBaselineForPatchGroup", e))?;
    Ok(())
}

/// Make the baseline `o` equal `d`: its rules (`UpdatePatchBaseline`, `Replace = true`) when they
/// differ in normalised form, its name or description; its patch groups; its tags.
pub(crate) async fn update(c: &crate::aws::Clients, o: &Observed, d: &Desired) -> Result<(), Error> {
    let want = resource(d)?;
    let id = o.id.as_str();
    let same = |k: &str| o.spec.get(k) == d.spec.get(k);
    let rules_changed = !(same("Name") && same("Description"))
        || [
            "ApprovalRules",
            "ApprovedPatches",
            "ApprovedPatchesComplianceLevel",
            "ApprovedPatchesEnableNonSecurity",
            "GlobalFilters",
            "OperatingSystem",
            "RejectedPatches",
            "RejectedPatchesAction",
            "Sources",
        ]
        .iter()
        .any(|k| !same(k));
    if rules_changed {
        let input = want.rules.update_input(id, &want.name, Some(want.description.clone()));
        let r = &input.rules;
        let update = c
            .ssm
            .update_patch_baseline()
            .baseline_id(&input.baseline_id)
            .name(&input.name)
            .set_description(input.description.clone())
            .replace(input.replace);
        with_rules!(update, r).send().await.map_err(|e| aws("ssm", "UpdatePatchBaseline", e))?;
    }
    let have = strings(o.spec.get("PatchGroups"));
    for g in have.iter().filter(|g| !want.patch_groups.contains(g)) {
        deregister_group(c, id, g).await?;
    }
    for g in want.patch_groups.iter().filter(|g| !have.contains(g)) {
        register_group(c, id, g).await?;
    }
    sync_tags(
        c,
        ResourceTypeForTagging::PatchBaseline,
        id,
        o.spec.get("Tags").unwrap_or(&Value::Null),
        d.spec.get("Tags").unwrap_or(&Value::Null),
    )
    .await
}

/// Deregister the baseline from its patch groups, then delete it.
pub(crate) async fn delete(c: &crate::aws::Clients, o: &Observed) -> Result<(), Error> {
    for g in strings(o.spec.get("PatchGroups")) {
        deregister_group(c, &o.id, &g).await?;
    }
    c.ssm.delete_patch_baseline().baseline_id(&o.id).send().await.map_err(|e| aws("ssm", "DeletePatchBaseline", e))?;
    Ok(())
}

/// Before anything is written (`plan` and `apply` read it with the diff): each patch group a
/// baseline of the diff is about to be registered for is free for its operating system, or
/// already held by that same baseline. "A patch group can be registered with only one patch
/// baseline for each operating system type" (user guide, patch-manager-patch-groups): another
/// baseline holding it — another team's, or the plan's own under an earlier name — would stop
/// every apply after the baseline was created. Read with DescribePatchGroups (every page).
pub(crate) async fn groups_held_elsewhere(c: &crate::aws::Clients, diff: &crate::backends::Diff) -> Result<(), Error> {
    use crate::backends::model::Action;
    let mut held = Vec::new();
    for ch in diff.changes.iter().filter(|ch| matches!(ch.action, Action::Create | Action::Update)) {
        let Some(Desired { payload: Payload::Baseline(b), .. }) = &ch.desired else { continue };
        let have = ch.observed.as_ref().map(|o| strings(o.spec.get("PatchGroups"))).unwrap_or_default();
        let own_id = ch.observed.as_ref().map(|o| o.id.as_str());
        let os = b.rules.operating_system.as_str();
        for group in b.patch_groups.iter().filter(|g| !have.contains(g)) {
            let mappings = all(
                "ssm",
                "DescribePatchGroups",
                c.ssm
                    .describe_patch_groups()
                    .filters(PatchOrchestratorFilter::builder().key("NAME_PREFIX").values(group).build())
                    .filters(PatchOrchestratorFilter::builder().key("OPERATING_SYSTEM").values(os).build())
                    .into_paginator()
                    .items()
                    .send(),
            )
            .await?;
            for m in mappings.iter().filter(|m| m.patch_group() == Some(group.as_str())) {
                let Some(who) = m.baseline_identity() else { continue };
                let id = who.baseline_id().unwrap_or_default();
                if Some(id) == own_id || who.operating_system().is_some_and(|o| o.as_str() != os) {
                    continue;
                }
                held.push(format!(
                    "patch group `{group}` is registered for {os} with baseline {} ({id}), not {}",
                    who.baseline_name().unwrap_or("without a name"),
                    b.name
                ));
            }
        }
    }
    if held.is_empty() {
        return Ok(());
    }
    Err(Error::Foreign(format!(
        "nothing was changed: {}; a patch group can be registered with only one baseline per operating system",
        held.join("; ")
    )))
}
