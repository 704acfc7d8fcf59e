//! The association backend: a State Manager association per operation running
//! `AWS-RunPatchBaseline` on the compiled UTC schedule (with ScheduleOffset and
//! ApplyOnlyAtCronInterval when the compiler needs them).

use std::collections::{BTreeMap, HashMap};

use async_trait::async_trait;
use aws_sdk_ssm::config::retry::RetryConfig;
use aws_sdk_ssm::types::{
    AssociationExecutionFilter, AssociationExecutionFilterKey, AssociationFilterOperatorType,
    InstanceAssociationOutputLocation, ResourceTypeForTagging, S3OutputLocation,
};
use serde_json::{Value, json};

mod desired;
mod runs;

use crate::backends::paging::all;
use crate::backends::shared::ambiguous::{Create, create_once};
use crate::backends::shared::tags::{is_owned_json, list_tags, sdk_tags_of, sync_tags};
use crate::backends::shared::targets::{sdk_targets, targets_json};
use crate::backends::shared::{Shared, i, s, strings};
use crate::backends::{
    Desired, FinishedRun, IamActions, Ids, Key, Kind, Observed, RunQuery, Scheduler, not_in_backend,
};
use crate::error::{Error, aws};
use crate::plan::additions::Additions;
use crate::plan::{Explanation, Plan};
use crate::schedule::Backend;

/// The association backend without AWS: its resources and IAM actions.
#[derive(Debug, Clone, Copy)]
pub(super) struct Definition;

impl crate::backends::Definition for Definition {
    fn backend(&self) -> Backend {
        Backend::Association
    }

    fn own_resources(&self, plan: &Plan, ex: &Explanation, additions: &Additions) -> Vec<Desired> {
        desired::resources(plan, ex, additions)
    }

    fn iam_actions(&self) -> IamActions {
        IamActions {
            read: &["ssm:ListAssociations", "ssm:DescribeAssociation"],
            change: &["ssm:CreateAssociation", "ssm:UpdateAssociation"],
            delete: &["ssm:DeleteAssociation"],
            prune: &[],
            teardown: &[],
            // Before an association is deleted: is a run of it still going?
            before_delete: &["ssm:DescribeAssociationExecutions"],
            refresh: &["ssm:DescribeAssociationExecutions", "ssm:DescribeAssociationExecutionTargets"],
        }
    }
}

/// State Manager associations.
#[derive(Debug, Clone)]
pub(super) struct Associations {
    shared: Shared,
}

impl Associations {
    pub(crate) fn new(shared: Shared) -> Self {
        Associations { shared }
    }

    /// The id of an association named `name` with `plan`'s ownership tags, if AWS lists one.
    async fn owned_association(&self, plan: &str, name: &str) -> Result<Option<String>, Error> {
        let listed =
            all("ssm", "ListAssociations", self.shared.c.ssm.list_associations().into_paginator().items().send())
                .await?;
        for id in listed.iter().filter(|a| a.association_name() == Some(name)).filter_map(|a| a.association_id()) {
            let tags = list_tags(&self.shared.c, ResourceTypeForTagging::Association, id).await?;
            if is_owned_json(&tags, plan) {
                return Ok(Some(id.to_string()));
            }
        }
        Ok(None)
    }
}

fn parameters(v: &Value) -> HashMap<String, Vec<String>> {
    v.get("Parameters")
        .and_then(Value::as_object)
        .map(|m| m.iter().map(|(k, x)| (k.clone(), strings(Some(x)))).collect())
        .unwrap_or_default()
}

fn output(v: &Value) -> Option<InstanceAssociationOutputLocation> {
    let loc = v.get("OutputLocation")?.get("S3Location")?;
    Some(
        InstanceAssociationOutputLocation::builder()
            .s3_location(
                S3OutputLocation::builder()
                    .set_output_s3_bucket_name(s(loc, "OutputS3BucketName"))
                    .set_output_s3_key_prefix(s(loc, "OutputS3KeyPrefix"))
                    .build(),
            )
            .build(),
    )
}

#[async_trait]
impl Scheduler for Associations {
    fn backend(&self) -> Backend {
        Backend::Association
    }

    async fn observe(&self, plan: &str, desired: &[Desired]) -> Result<Vec<Observed>, Error> {
        let mut out = self.shared.observe(plan, desired, true).await?;
        let prefix = crate::backends::naming::prefix(plan);
        let listed =
            all("ssm", "ListAssociations", self.shared.c.ssm.list_associations().into_paginator().items().send())
                .await?;
        let ids: Vec<String> = listed
            .iter()
            .filter(|a| a.association_name().is_some_and(|n| n.starts_with(&prefix)))
            .filter_map(|a| a.association_id().map(str::to_string))
            .collect();
        for id in ids {
            let d = self
                .shared
                .c
                .ssm
                .describe_association()
                .association_id(&id)
                .send()
                .await
                .map_err(|e| aws("ssm", "DescribeAssociation", e))?;
            let Some(a) = d.association_description() else { continue };
            let tags = list_tags(&self.shared.c, ResourceTypeForTagging::Association, &id).await?;
            let params: BTreeMap<String, Vec<String>> =
                a.parameters().map(|p| p.iter().map(|(k, v)| (k.clone(), v.clone())).collect()).unwrap_or_default();
            let name = a.association_name().unwrap_or_default().to_string();
            let mut spec = json!({
                "AssociationName": name,
                "Name": a.name().unwrap_or_default(),
                "ScheduleExpression": a.schedule_expression().unwrap_or_default(),
                "ApplyOnlyAtCronInterval": a.apply_only_at_cron_interval(),
                "Parameters": params,
                "Targets": targets_json(a.targets()),
                "MaxConcurrency": a.max_concurrency().unwrap_or_default(),
                "MaxErrors": a.max_errors().unwrap_or_default(),
                "Tags": tags,
            });
            if let Some(off) = a.schedule_offset() {
                spec["ScheduleOffset"] = json!(off);
            }
            if let Some(hours) = a.duration() {
                spec["Duration"] = json!(hours);
            }
            if let Some(loc) = a.output_location().and_then(|o| o.s3_location()) {
                spec["OutputLocation"] = json!({"S3Location": {
                    "OutputS3BucketName": loc.output_s3_bucket_name(),
                    "OutputS3KeyPrefix": loc.output_s3_key_prefix(),
                }});
            }
            out.push(Observed {
                key: Key::new(Kind::Association, name),
                id,
                parent_id: None,
                owned: is_owned_json(&tags, plan),
                spec,
            });
        }
        Ok(out)
    }

    async fn create(&self, plan: &str, d: &Desired, _ids: &Ids) -> Result<String, Error> {
        if let Some(r) = self.shared.create(d).await {
            return r;
        }
        let v = &d.spec;
        match d.key.kind {
            Kind::Association => {
                // CreateAssociation takes no idempotency token: sent once, never retried blindly
                // (shared::ambiguous).
                let request = self
                    .shared
                    .c
                    .ssm
                    .create_association()
                    .set_name(s(v, "Name"))
                    .set_association_name(s(v, "AssociationName"))
                    .set_schedule_expression(s(v, "ScheduleExpression"))
                    .set_schedule_offset(i(v, "ScheduleOffset"))
                    .set_duration(i(v, "Duration"))
                    .apply_only_at_cron_interval(
                        v.get("ApplyOnlyAtCronInterval").and_then(Value::as_bool).unwrap_or(false),
                    )
                    .set_parameters(Some(parameters(v)))
                    .set_targets(Some(sdk_targets(v.get("Targets"))))
                    .set_max_concurrency(s(v, "MaxConcurrency"))
                    .set_max_errors(s(v, "MaxErrors"))
                    .set_output_location(output(v))
                    .set_tags(Some(sdk_tags_of(v.get("Tags"))));
                let name = d.key.name.as_str();
                let label = format!("association {name}");
                let create = Create {
                    service: "ssm",
                    operation: "CreateAssociation",
                    label: &label,
                    wait: self.shared.c.ambiguous_create_wait,
                };
                create_once(
                    create,
                    || {
                        let request = request.clone();
                        async move {
                            let once = aws_sdk_ssm::config::Builder::default().retry_config(RetryConfig::disabled());
                            let out = request.customize().config_override(once).send().await?;
                            Ok(out
                                .association_description()
                                .and_then(|a| a.association_id())
                                .unwrap_or_default()
                                .to_string())
                        }
                    },
                    || self.owned_association(plan, name),
                )
                .await
            }
            other => Err(not_in_backend(other, Backend::Association)),
        }
    }

    async fn update(&self, _plan: &str, o: &Observed, d: &Desired, _ids: &Ids) -> Result<(), Error> {
        if let Some(r) = self.shared.update(o, d).await {
            return r;
        }
        let v = &d.spec;
        match d.key.kind {
            Kind::Association => {
                let changed = o
                    .spec
                    .as_object()
                    .map(|m| m.iter().any(|(k, x)| k != "Tags" && v.get(k) != Some(x)))
                    .unwrap_or(true)
                    || v.as_object().map(|m| m.keys().any(|k| k != "Tags" && o.spec.get(k).is_none())).unwrap_or(false);
                if changed {
                    // UpdateAssociation overwrites every optional field it is not given with null,
                    // so every managed field is sent.
                    self.shared
                        .c
                        .ssm
                        .update_association()
                        .association_id(&o.id)
                        .set_name(s(v, "Name"))
                        .set_association_name(s(v, "AssociationName"))
                        .set_schedule_expression(s(v, "ScheduleExpression"))
                        .set_schedule_offset(i(v, "ScheduleOffset"))
                        .set_duration(i(v, "Duration"))
                        .apply_only_at_cron_interval(
                            v.get("ApplyOnlyAtCronInterval").and_then(Value::as_bool).unwrap_or(false),
                        )
                        .set_parameters(Some(parameters(v)))
                        .set_targets(Some(sdk_targets(v.get("Targets"))))
                        .set_max_concurrency(s(v, "MaxConcurrency"))
                        .set_max_errors(s(v, "MaxErrors"))
                        .set_output_location(output(v))
                        .send()
                        .await
                        .map_err(|e| aws("ssm", "UpdateAssociation", e))?;
                }
                sync_tags(
                    &self.shared.c,
                    ResourceTypeForTagging::Association,
                    &o.id,
                    o.spec.get("Tags").unwrap_or(&Value::Null),
                    v.get("Tags").unwrap_or(&Value::Null),
                )
                .await
            }
            other => Err(not_in_backend(other, Backend::Association)),
        }
    }

    async fn finished_runs(
        &self,
        plan: &str,
        desired: &[Desired],
        query: RunQuery<'_>,
    ) -> Result<Vec<FinishedRun>, Error> {
        let observed = self.observe(plan, desired).await?;
        runs::finished(&self.shared.c, plan, &observed, query).await
    }

    async fn running(&self, o: &Observed) -> Result<Option<String>, Error> {
        if o.key.kind != Kind::Association {
            return Ok(None);
        }
        // An execution's Status is "Pending", "InProgress", "Success" or "Failed" (sysman-state-
        // assoc-history); the filter asks AWS for the ones that have not ended.
        for status in ["InProgress", "Pending"] {
            let filter = AssociationExecutionFilter::builder()
                .key(AssociationExecutionFilterKey::Status)
                .value(status)
                .r#type(AssociationFilterOperatorType::Equal)
                .build()
                .map_err(|e| Error::Unexpected(format!("association execution filter: {e}")))?;
            let found = all(
                "ssm",
                "DescribeAssociationExecutions",
                self.shared
                    .c
                    .ssm
                    .describe_association_executions()
                    .association_id(&o.id)
                    .filters(filter)
                    .into_paginator()
                    .items()
                    .send(),
            )
            .await?;
            if let Some(e) = found.first() {
                return Ok(Some(format!("execution {} is {status}", e.execution_id().unwrap_or("?"))));
            }
        }
        Ok(None)
    }

    async fn delete(&self, o: &Observed) -> Result<(), Error> {
        if let Some(r) = self.shared.delete(o).await {
            return r;
        }
        match o.key.kind {
            Kind::Association => {
                self.shared
                    .c
                    .ssm
                    .delete_association()
                    .association_id(&o.id)
                    .send()
                    .await
                    .map_err(|e| aws("ssm", "DeleteAssociation", e))?;
                Ok(())
            }
            other => Err(not_in_backend(other, Backend::Association)),
        }
    }
}
