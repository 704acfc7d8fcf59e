//! The association backend: a State Manager association per operation running
//! `AWS-RunPatchBaseline` on the compiled UTC schedule (with ScheduleOffset and
//! ApplyOnlyAtCronInterval when the compiler needs them).

use std::collections::{BTreeMap, HashMap};

use async_trait::async_trait;
use aws_sdk_ssm::types::{InstanceAssociationOutputLocation, ResourceTypeForTagging, S3OutputLocation};
use serde_json::{Value, json};

use super::common::{self, i, s, strings};
use super::maintenance_window::S3Settings;
use super::{Desired, Ids, Key, Kind, Observed, Scheduler};
use crate::aws::Clients;
use crate::error::{Error, aws};
use crate::schedule::Backend;

/// State Manager associations.
#[derive(Debug, Clone)]
pub struct Associations {
    c: Clients,
    s3: S3Settings,
}

impl Associations {
    /// With these clients.
    pub fn new(c: Clients, s3: S3Settings) -> Self {
        Associations { c, s3 }
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
        let mut out = common::observe_objects(&self.c, desired).await?;
        out.extend(common::observe_baselines(&self.c, plan).await?);
        let prefix = super::desired::prefix(plan);
        let mut ids = Vec::new();
        let mut token = None;
        loop {
            let page = self
                .c
                .ssm
                .list_associations()
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| aws("ssm", "ListAssociations", e))?;
            for a in page.associations() {
                if let (Some(id), Some(name)) = (a.association_id(), a.association_name())
                    && name.starts_with(&prefix)
                {
                    ids.push(id.to_string());
                }
            }
            token = page.next_token().map(str::to_string);
            if token.is_none() {
                break;
            }
        }
        for id in ids {
            let d = self
                .c
                .ssm
                .describe_association()
                .association_id(&id)
                .send()
                .await
                .map_err(|e| aws("ssm", "DescribeAssociation", e))?;
            let Some(a) = d.association_description() else { continue };
            let tags = common::list_tags(&self.c, ResourceTypeForTagging::Association, &id).await?;
            let params: BTreeMap<String, Vec<String>> =
                a.parameters().map(|p| p.iter().map(|(k, v)| (k.clone(), v.clone())).collect()).unwrap_or_default();
            let name = a.association_name().unwrap_or_default().to_string();
            let mut spec = json!({
                "AssociationName": name,
                "Name": a.name().unwrap_or_default(),
                "ScheduleExpression": a.schedule_expression().unwrap_or_default(),
                "ApplyOnlyAtCronInterval": a.apply_only_at_cron_interval(),
                "Parameters": params,
                "Targets": common::targets_json(a.targets()),
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
                owned: common::is_owned(&tags, plan),
                spec,
            });
        }
        Ok(out)
    }

    async fn create(&self, _plan: &str, d: &Desired, _ids: &Ids) -> Result<String, Error> {
        if let Some(r) = common::create_shared(&self.c, &self.s3, d).await {
            return r;
        }
        let v = &d.spec;
        match d.key.kind {
            Kind::Association => {
                let out = self
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
                    .set_targets(Some(common::sdk_targets(v.get("Targets"))))
                    .set_max_concurrency(s(v, "MaxConcurrency"))
                    .set_max_errors(s(v, "MaxErrors"))
                    .set_output_location(output(v))
                    .set_tags(Some(common::sdk_tags(v.get("Tags"))))
                    .send()
                    .await
                    .map_err(|e| aws("ssm", "CreateAssociation", e))?;
                Ok(out.association_description().and_then(|a| a.association_id()).unwrap_or_default().to_string())
            }
            other => Err(Error::Unexpected(format!("{} is not part of the association backend", other.as_str()))),
        }
    }

    async fn update(&self, _plan: &str, o: &Observed, d: &Desired, _ids: &Ids) -> Result<(), Error> {
        if let Some(r) = common::update_shared(&self.c, o, d).await {
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
                    self.c
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
                        .set_targets(Some(common::sdk_targets(v.get("Targets"))))
                        .set_max_concurrency(s(v, "MaxConcurrency"))
                        .set_max_errors(s(v, "MaxErrors"))
                        .set_output_location(output(v))
                        .send()
                        .await
                        .map_err(|e| aws("ssm", "UpdateAssociation", e))?;
                }
                common::sync_tags(
                    &self.c,
                    ResourceTypeForTagging::Association,
                    &o.id,
                    o.spec.get("Tags").unwrap_or(&Value::Null),
                    v.get("Tags").unwrap_or(&Value::Null),
                )
                .await
            }
            other => Err(Error::Unexpected(format!("{} is not part of the association backend", other.as_str()))),
        }
    }

    async fn delete(&self, o: &Observed) -> Result<(), Error> {
        if let Some(r) = common::delete_shared(&self.c, &self.s3, o).await {
            return r;
        }
        match o.key.kind {
            Kind::Association => {
                self.c
                    .ssm
                    .delete_association()
                    .association_id(&o.id)
                    .send()
                    .await
                    .map_err(|e| aws("ssm", "DeleteAssociation", e))?;
                Ok(())
            }
            other => Err(Error::Unexpected(format!("{} is not part of the association backend", other.as_str()))),
        }
    }
}
