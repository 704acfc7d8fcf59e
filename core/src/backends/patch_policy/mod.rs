//! The patch-policy backend: one Quick Setup configuration manager of type
//! `AWSQuickSetupType-PatchPolicy` (aws-sdk-ssmquicksetup), with its parameters rendered to the
//! string map AWS expects (aws-facts §6), and the custom baselines it selects.
//!
//! Patch policies record compliance for scans and installs themselves (aws-facts §2.3), so no
//! override objects are written.

use std::collections::{BTreeMap, HashMap};

use async_trait::async_trait;
use aws_sdk_ssmquicksetup::types::{ConfigurationDefinitionInput, Status, StatusSummary, StatusType};
use serde_json::{Value, json};

mod desired;

use crate::backends::paging::all;
use crate::backends::shared::tags::is_owned_json;
use crate::backends::shared::{Shared, s};
use crate::backends::{
    Desired, FinishedRun, IamActions, Ids, Key, Kind, Observed, RunQuery, Scheduler, not_in_backend,
};
use crate::error::{Error, aws};
use crate::plan::additions::Additions;
use crate::plan::{Explanation, Plan};
use crate::schedule::Backend;

/// The Quick Setup type.
pub(super) const PATCH_POLICY_TYPE: &str = "AWSQuickSetupType-PatchPolicy";
/// Single-account local deployment roles (Terraform acceptance test / Pulumi registry example,
/// aws-facts §6). UNCONFIRMED beyond those examples: change here.
pub(crate) const LOCAL_ADMINISTRATION_ROLE: &str = "AWS-QuickSetup-PatchPolicy-LocalAdministrationRole";
/// See [`LOCAL_ADMINISTRATION_ROLE`].
pub(crate) const LOCAL_EXECUTION_ROLE: &str = "AWS-QuickSetup-PatchPolicy-LocalExecutionRole";

/// Parameters that depend on the account and Region, written by the backend and not compared.
const ENVIRONMENT_PARAMETERS: [&str; 5] =
    ["TargetAccounts", "TargetRegions", "PatchBaselineRegion", "OutputBucketRegion", "SelectedPatchBaselines"];

/// The patch-policy backend without AWS: its resources and IAM actions.
#[derive(Debug, Clone, Copy)]
pub(super) struct Definition;

impl crate::backends::Definition for Definition {
    fn backend(&self) -> Backend {
        Backend::PatchPolicy
    }

    fn own_resources(&self, plan: &Plan, ex: &Explanation, _additions: &Additions) -> Vec<Desired> {
        desired::resources(plan, ex)
    }

    fn iam_actions(&self) -> IamActions {
        IamActions {
            read: &[
                "ssm-quicksetup:ListConfigurationManagers",
                "ssm-quicksetup:GetConfigurationManager",
                "ssm-quicksetup:ListTagsForResource",
            ],
            change: &[
                "ssm-quicksetup:CreateConfigurationManager",
                "ssm-quicksetup:UpdateConfigurationManager",
                "ssm-quicksetup:UpdateConfigurationDefinition",
                "ssm-quicksetup:TagResource",
                "ssm-quicksetup:UntagResource",
            ],
            delete: &[],
            prune: &[],
            // A plan has one patch policy: apply updates it, only destroy deletes it.
            teardown: &["ssm-quicksetup:DeleteConfigurationManager"],
            before_delete: &[],
            // AWS writes a patch policy's compliance itself.
            refresh: &[],
        }
    }
}

/// Quick Setup patch policies.
#[derive(Debug, Clone)]
pub(super) struct PatchPolicies {
    shared: Shared,
}

impl PatchPolicies {
    pub(crate) fn new(shared: Shared) -> Self {
        PatchPolicies { shared }
    }

    /// The caller's account and partition (`aws`, `aws-cn`, `aws-us-gov`: the second field of
    /// the caller's ARN), from GetCallerIdentity.
    async fn account(&self) -> Result<(String, String), Error> {
        let me =
            self.shared.c.sts.get_caller_identity().send().await.map_err(|e| aws("sts", "GetCallerIdentity", e))?;
        let account =
            me.account().map(str::to_string).ok_or_else(|| Error::Unexpected("STS returned no account id".into()))?;
        let partition = me.arn().and_then(|a| a.split(':').nth(1)).filter(|p| !p.is_empty()).unwrap_or("aws");
        Ok((account, partition.to_string()))
    }

    /// The definition input: the desired parameters plus account, Region and baseline ids.
    async fn definition(&self, d: &Desired, ids: &Ids) -> Result<ConfigurationDefinitionInput, Error> {
        let (account, partition) = self.account().await?;
        let region = self.shared.c.region.clone();
        let mut params: HashMap<String, String> = d
            .spec
            .get("Parameters")
            .and_then(Value::as_object)
            .map(|m| m.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string())).collect())
            .unwrap_or_default();
        params.insert("TargetAccounts".into(), account.clone());
        params.insert("TargetRegions".into(), region.clone());
        params.insert("PatchBaselineRegion".into(), region.clone());
        if params.get("OutputLogEnableS3").map(String::as_str) == Some("true") {
            params.insert("OutputBucketRegion".into(), region.clone());
        }
        // SelectedPatchBaselines: a JSON string, OS → {"value": id, "label", "description", "disabled"}.
        let mut selected = serde_json::Map::new();
        if let Some(m) = d.spec.get("SelectedPatchBaselines").and_then(Value::as_object) {
            for (os, label) in m {
                let label = label.as_str().unwrap_or_default();
                let value = ids.get(&Key::new(Kind::PatchBaseline, label)).unwrap_or(label).to_string();
                selected
                    .insert(os.clone(), json!({"value": value, "label": label, "description": "", "disabled": false}));
            }
        }
        params.insert("SelectedPatchBaselines".into(), Value::Object(selected).to_string());
        ConfigurationDefinitionInput::builder()
            .r#type(PATCH_POLICY_TYPE)
            .set_parameters(Some(params))
            .local_deployment_administration_role_arn(format!(
                "arn:{partition}:iam::{account}:role/{LOCAL_ADMINISTRATION_ROLE}"
            ))
            .local_deployment_execution_role_name(LOCAL_EXECUTION_ROLE)
            .build()
            .map_err(|e| Error::Internal(format!("cannot build the patch policy definition: {e}")))
    }

    async fn tags(&self, arn: &str) -> Result<Value, Error> {
        let out = self
            .shared
            .c
            .quicksetup
            .list_tags_for_resource()
            .resource_arn(arn)
            .send()
            .await
            .map_err(|e| aws("ssm-quicksetup", "ListTagsForResource", e))?;
        let m: BTreeMap<&str, &str> = out.tags().iter().filter_map(|t| Some((t.key()?, t.value()?))).collect();
        Ok(json!(m))
    }
}

fn tag_map(v: Option<&Value>) -> HashMap<String, String> {
    v.and_then(Value::as_object)
        .map(|m| m.iter().map(|(k, x)| (k.clone(), x.as_str().unwrap_or_default().to_string())).collect())
        .unwrap_or_default()
}

#[async_trait]
impl Scheduler for PatchPolicies {
    fn backend(&self) -> Backend {
        Backend::PatchPolicy
    }

    async fn observe(&self, plan: &str, desired: &[Desired]) -> Result<Vec<Observed>, Error> {
        let mut out = self.shared.observe(plan, desired, false).await?;
        let name = crate::backends::naming::patch_policy_name(plan);
        let managers = all(
            "ssm-quicksetup",
            "ListConfigurationManagers",
            self.shared.c.quicksetup.list_configuration_managers().into_paginator().items().send(),
        )
        .await?;
        let arns: Vec<String> =
            managers.iter().filter(|m| m.name() == Some(name.as_str())).map(|m| m.manager_arn().to_string()).collect();
        for arn in arns {
            let m = self
                .shared
                .c
                .quicksetup
                .get_configuration_manager()
                .manager_arn(&arn)
                .send()
                .await
                .map_err(|e| aws("ssm-quicksetup", "GetConfigurationManager", e))?;
            let tags = self.tags(&arn).await?;
            let Some(def) = m.configuration_definitions().iter().find(|d| d.r#type() == PATCH_POLICY_TYPE) else {
                continue;
            };
            let params: BTreeMap<&str, &str> = def
                .parameters()
                .iter()
                .filter(|(k, _)| !ENVIRONMENT_PARAMETERS.contains(&k.as_str()))
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            let selected: BTreeMap<String, String> = def
                .parameters()
                .get("SelectedPatchBaselines")
                .and_then(|s| serde_json::from_str::<Value>(s).ok())
                .and_then(|v| v.as_object().cloned())
                .map(|m| m.into_iter().map(|(os, e)| (os, s(&e, "label").unwrap_or_default())).collect())
                .unwrap_or_default();
            out.push(Observed {
                key: Key::new(Kind::PatchPolicy, name.clone()),
                // "<manager ARN>|<definition id>": both are needed to update.
                id: format!("{arn}|{}", def.id().unwrap_or_default()),
                parent_id: None,
                spec: json!({
                    "Name": m.name().unwrap_or_default(),
                    "Description": m.description().unwrap_or_default(),
                    "Parameters": params,
                    "SelectedPatchBaselines": selected,
                    "Deployment": deployment(m.status_summaries()).and_then(|s| s.status()).map_or("SUCCEEDED", |s| s.as_str()),
                    "Tags": tags,
                }),
                owned: is_owned_json(&tags, plan),
            });
        }
        Ok(out)
    }

    async fn create(&self, _plan: &str, d: &Desired, ids: &Ids) -> Result<String, Error> {
        match d.key.kind {
            Kind::PatchBaseline => match self.shared.create(d).await {
                Some(r) => r,
                None => Err(Error::Internal("not a baseline".into())),
            },
            Kind::PatchPolicy => {
                let def = self.definition(d, ids).await?;
                let out = self
                    .shared
                    .c
                    .quicksetup
                    .create_configuration_manager()
                    .set_name(s(&d.spec, "Name"))
                    .set_description(s(&d.spec, "Description"))
                    .configuration_definitions(def)
                    .set_tags(Some(tag_map(d.spec.get("Tags"))))
                    .send()
                    .await
                    .map_err(|e| aws("ssm-quicksetup", "CreateConfigurationManager", e))?;
                let arn = out.manager_arn().to_string();
                self.deployed(&arn, "CreateConfigurationManager").await?;
                Ok(arn)
            }
            other => Err(not_in_backend(other, Backend::PatchPolicy)),
        }
    }

    async fn update(&self, _plan: &str, o: &Observed, d: &Desired, ids: &Ids) -> Result<(), Error> {
        match d.key.kind {
            Kind::PatchBaseline => match self.shared.update(o, d).await {
                Some(r) => r,
                None => Err(Error::Internal("not a baseline".into())),
            },
            Kind::PatchPolicy => {
                let (arn, def_id) = o.id.split_once('|').unwrap_or((o.id.as_str(), ""));
                let v = &d.spec;
                // A change while a deployment runs is refused (ConflictException): let it end.
                self.settled(arn, "GetConfigurationManager").await?;
                if o.spec.get("Name") != v.get("Name") || o.spec.get("Description") != v.get("Description") {
                    self.shared
                        .c
                        .quicksetup
                        .update_configuration_manager()
                        .manager_arn(arn)
                        .set_name(s(v, "Name"))
                        .set_description(s(v, "Description"))
                        .send()
                        .await
                        .map_err(|e| aws("ssm-quicksetup", "UpdateConfigurationManager", e))?;
                }
                if ["Parameters", "SelectedPatchBaselines", "Deployment"].iter().any(|k| o.spec.get(k) != v.get(k)) {
                    let def = self.definition(d, ids).await?;
                    self.shared
                        .c
                        .quicksetup
                        .update_configuration_definition()
                        .manager_arn(arn)
                        .id(def_id)
                        .set_parameters(Some(def.parameters().clone()))
                        .set_local_deployment_administration_role_arn(
                            def.local_deployment_administration_role_arn().map(str::to_string),
                        )
                        .set_local_deployment_execution_role_name(
                            def.local_deployment_execution_role_name().map(str::to_string),
                        )
                        .send()
                        .await
                        .map_err(|e| aws("ssm-quicksetup", "UpdateConfigurationDefinition", e))?;
                    self.deployed(arn, "UpdateConfigurationDefinition").await?;
                }
                let (from, to) = (tag_map(o.spec.get("Tags")), tag_map(v.get("Tags")));
                if from != to {
                    self.shared
                        .c
                        .quicksetup
                        .tag_resource()
                        .resource_arn(arn)
                        .set_tags(Some(to.clone()))
                        .send()
                        .await
                        .map_err(|e| aws("ssm-quicksetup", "TagResource", e))?;
                    let gone: Vec<String> = from.keys().filter(|k| !to.contains_key(*k)).cloned().collect();
                    if !gone.is_empty() {
                        self.shared
                            .c
                            .quicksetup
                            .untag_resource()
                            .resource_arn(arn)
                            .set_tag_keys(Some(gone))
                            .send()
                            .await
                            .map_err(|e| aws("ssm-quicksetup", "UntagResource", e))?;
                    }
                }
                Ok(())
            }
            other => Err(not_in_backend(other, Backend::PatchPolicy)),
        }
    }

    async fn finished_runs(
        &self,
        _plan: &str,
        _desired: &[Desired],
        _query: RunQuery<'_>,
    ) -> Result<Vec<FinishedRun>, Error> {
        Err(Error::input(
            "this plan runs on a patch policy, which records compliance for runs with an override itself",
            Some("pass --command-id to refresh a command started by hand".into()),
        ))
    }

    async fn delete(&self, o: &Observed) -> Result<(), Error> {
        match o.key.kind {
            Kind::PatchBaseline => match self.shared.delete(o).await {
                Some(r) => r,
                None => Err(Error::Internal("not a baseline".into())),
            },
            Kind::PatchPolicy => {
                let arn = o.id.split_once('|').map_or(o.id.as_str(), |(a, _)| a);
                if let Deployed::Gone = self.settled(arn, "GetConfigurationManager").await? {
                    return Ok(());
                }
                self.shared
                    .c
                    .quicksetup
                    .delete_configuration_manager()
                    .manager_arn(arn)
                    .send()
                    .await
                    .map_err(|e| aws("ssm-quicksetup", "DeleteConfigurationManager", e))?;
                match self.deployed(arn, "DeleteConfigurationManager").await? {
                    Deployed::Gone => Ok(()),
                    Deployed::Succeeded | Deployed::Failed(_) => Err(Error::Unexpected(format!(
                        "Quick Setup reported the deletion of {arn} done, but the manager is still there"
                    ))),
                }
            }
            other => Err(not_in_backend(other, Backend::PatchPolicy)),
        }
    }
}

/// How long `apply` waits for one Quick Setup deployment. AWS does not say how long a deployment
/// takes (it runs CloudFormation StackSets in the account); ten minutes, then an error that says
/// the deployment may still finish. One place to change it.
pub(crate) const DEPLOYMENT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(600);
/// The first wait between two reads of a deployment's status; doubled up to [`DEPLOYMENT_POLL_MAX`].
const DEPLOYMENT_POLL_FIRST: std::time::Duration = std::time::Duration::from_millis(500);
const DEPLOYMENT_POLL_MAX: std::time::Duration = std::time::Duration::from_secs(15);

/// The error codes of a Quick Setup deployment that failed or did not end (ssmpatch's own: the
/// deployment is not an API call, its status is).
pub(crate) const DEPLOYMENT_FAILED: &str = "QuickSetupDeploymentFailed";
/// See [`DEPLOYMENT_FAILED`].
pub(crate) const DEPLOYMENT_TIMED_OUT: &str = "QuickSetupDeploymentTimedOut";

/// A manager's `Deployment` status summary (the other type is `AsyncExecutions`).
fn deployment(summaries: &[StatusSummary]) -> Option<&StatusSummary> {
    summaries.iter().find(|s| s.status_type() == &StatusType::Deployment)
}

/// What the manager's deployment came to.
enum Deployed {
    Succeeded,
    Gone,
    /// FAILED, DELETE_FAILED, STOPPED…: the status and AWS's message.
    Failed(String),
}

impl PatchPolicies {
    /// Reads manager `arn` until its deployment has ended (StatusSummaries, StatusType
    /// `Deployment`: INITIALIZING, DEPLOYING or DELETING until SUCCEEDED, FAILED, DELETE_FAILED…).
    /// A manager that is gone (a finished delete) is `Gone`; not ending within
    /// [`DEPLOYMENT_TIMEOUT`] is an error.
    async fn settled(&self, arn: &str, what: &'static str) -> Result<Deployed, Error> {
        let start = std::time::Instant::now();
        let mut pause = DEPLOYMENT_POLL_FIRST;
        loop {
            let got = self.shared.c.quicksetup.get_configuration_manager().manager_arn(arn).send().await;
            let m = match got {
                Ok(m) => m,
                Err(e) if e.as_service_error().is_some_and(|s| s.is_resource_not_found_exception()) => {
                    return Ok(Deployed::Gone);
                }
                Err(e) => return Err(aws("ssm-quicksetup", "GetConfigurationManager", e)),
            };
            let summary = deployment(m.status_summaries());
            let status = summary.and_then(|s| s.status()).cloned();
            let message = summary.and_then(|s| s.status_message()).unwrap_or_default().to_string();
            match status {
                Some(Status::Initializing | Status::Deploying | Status::Deleting | Status::Stopping) => {}
                Some(Status::Succeeded) | None => return Ok(Deployed::Succeeded),
                Some(other) => return Ok(Deployed::Failed(format!("{}: {message}", other.as_str()))),
            }
            if start.elapsed() >= DEPLOYMENT_TIMEOUT {
                return Err(Error::Aws {
                    service: "ssm-quicksetup",
                    operation: what,
                    code: Some(DEPLOYMENT_TIMED_OUT.into()),
                    message: format!(
                        "the deployment of {arn} did not end within {} s (last status {}: {message})",
                        DEPLOYMENT_TIMEOUT.as_secs(),
                        status.as_ref().map_or("unknown", |s| s.as_str())
                    ),
                    request_id: None,
                });
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(DEPLOYMENT_POLL_MAX);
        }
    }

    /// Waits for the deployment that `what` started on `arn`; a failed one is an error carrying
    /// AWS's status message verbatim.
    async fn deployed(&self, arn: &str, what: &'static str) -> Result<Deployed, Error> {
        match self.settled(arn, what).await? {
            Deployed::Failed(status) => Err(Error::Aws {
                service: "ssm-quicksetup",
                operation: what,
                code: Some(DEPLOYMENT_FAILED.into()),
                message: format!("the deployment of {arn} ended {status}"),
                request_id: None,
            }),
            done => Ok(done),
        }
    }
}
