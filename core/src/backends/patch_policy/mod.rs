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
mod roles;

pub use roles::{CREATE_ROLES_CHANGE, CREATE_ROLES_READ, deployment_roles};

use crate::backends::paging::all;
use crate::backends::shared::ambiguous::{Create, create_once};
use crate::backends::shared::tags::is_owned_json;
use crate::backends::shared::{Shared, s};
use crate::backends::{
    Action, Desired, Diff, FinishedRun, IamActions, Ids, Key, Kind, Observed, RunQuery, Scheduler, not_in_backend,
};
use crate::error::{Error, aws};
use crate::plan::additions::Additions;
use crate::plan::{Explanation, Plan};
use crate::schedule::Backend;

/// The Quick Setup type.
pub(super) const PATCH_POLICY_TYPE: &str = "AWSQuickSetupType-PatchPolicy";
/// The local deployment roles sent unless the plan names others (`[patch-policy]
/// administration-role`, `execution-role`; [`deployment_roles`] gives a plan's).
pub(crate) const LOCAL_ADMINISTRATION_ROLE: &str = crate::plan::DEFAULT_ADMINISTRATION_ROLE;
/// See [`LOCAL_ADMINISTRATION_ROLE`].
pub(crate) const LOCAL_EXECUTION_ROLE: &str = crate::plan::DEFAULT_EXECUTION_ROLE;

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
                // Both local deployment roles exist (roles::check), before any change.
                "iam:GetRole",
            ],
            delete: &[],
            prune: &[],
            // A plan has one patch policy: apply updates it, only destroy deletes it (after
            // checking the deployment roles it is deleted through).
            teardown: &["ssm-quicksetup:DeleteConfigurationManager", "iam:GetRole"],
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

/// A label of `SelectedPatchBaselines` that names one of AWS's predefined default baselines
/// (`undeclared-os = "aws-default"`), resolved to its id when written.
fn aws_default_label(label: &str) -> bool {
    crate::plan::AWS_DEFAULT_BASELINES.iter().any(|(_, name)| *name == label)
}

/// `SelectedPatchBaselines` as Quick Setup takes it: a JSON string, OS → {"value": id, "label",
/// "description", "disabled"} (AWS example in quick-setup-api). A label is ssmpatch's custom
/// baseline (its id from `ids`), an AWS predefined baseline (its id from `aws`: name → id), or an
/// existing baseline's id.
fn selected_baselines(
    selected: Option<&Value>,
    ids: &Ids,
    aws_defaults: &HashMap<String, String>,
) -> Result<serde_json::Map<String, Value>, Error> {
    let mut out = serde_json::Map::new();
    for (os, label) in selected.and_then(Value::as_object).into_iter().flatten() {
        let label = label.as_str().unwrap_or_default();
        let value = match ids.get(&Key::new(Kind::PatchBaseline, label)) {
            Some(id) => id.to_string(),
            None if aws_default_label(label) => aws_defaults.get(label).cloned().ok_or_else(|| {
                Error::input(
                    format!(
                        "AWS's predefined baseline {label} (for {os}) is not in this Region's list of AWS baselines"
                    ),
                    Some(format!(
                        "declare a baseline for {os} in the plan, or set `[patch-policy] undeclared-os = \"fail\"`"
                    )),
                )
            })?,
            None => label.to_string(),
        };
        out.insert(os.clone(), json!({"value": value, "label": label, "description": "", "disabled": false}));
    }
    Ok(out)
}

/// The role name at the end of a role ARN (`arn:…:role/<path/>name`).
fn role_name(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

impl PatchPolicies {
    pub(crate) fn new(shared: Shared) -> Self {
        PatchPolicies { shared }
    }

    /// The caller's account and partition (`aws`, `aws-cn`, `aws-us-gov`: the second field of
    /// the caller's ARN), from GetCallerIdentity.
    async fn caller(&self) -> Result<roles::Caller, Error> {
        let me =
            self.shared.c.sts.get_caller_identity().send().await.map_err(|e| aws("sts", "GetCallerIdentity", e))?;
        let account =
            me.account().map(str::to_string).ok_or_else(|| Error::Unexpected("STS returned no account id".into()))?;
        let partition = me.arn().and_then(|a| a.split(':').nth(1)).filter(|p| !p.is_empty()).unwrap_or("aws");
        Ok(roles::Caller { account, partition: partition.to_string() })
    }

    /// AWS's predefined baselines of this Region, name → id (DescribePatchBaselines, owner AWS;
    /// their ids are ARNs), read only when the policy lists one.
    async fn aws_baselines(&self, selected: Option<&Value>) -> Result<HashMap<String, String>, Error> {
        let wanted = selected
            .and_then(Value::as_object)
            .is_some_and(|m| m.values().any(|l| l.as_str().is_some_and(aws_default_label)));
        if !wanted {
            return Ok(HashMap::new());
        }
        let found = all(
            "ssm",
            "DescribePatchBaselines",
            self.shared
                .c
                .ssm
                .describe_patch_baselines()
                .filters(aws_sdk_ssm::types::PatchOrchestratorFilter::builder().key("OWNER").values("AWS").build())
                .into_paginator()
                .items()
                .send(),
        )
        .await?;
        Ok(found.iter().filter_map(|b| Some((b.baseline_name()?.to_string(), b.baseline_id()?.to_string()))).collect())
    }

    /// The definition input: the desired parameters plus account, Region and baseline ids.
    async fn definition(&self, d: &Desired, ids: &Ids) -> Result<ConfigurationDefinitionInput, Error> {
        let roles::Caller { account, partition } = self.caller().await?;
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
        let selected = d.spec.get("SelectedPatchBaselines");
        let aws_defaults = self.aws_baselines(selected).await?;
        params.insert(
            "SelectedPatchBaselines".into(),
            Value::Object(selected_baselines(selected, ids, &aws_defaults)?).to_string(),
        );
        let admin = s(&d.spec, "LocalDeploymentAdministrationRole").unwrap_or_else(|| LOCAL_ADMINISTRATION_ROLE.into());
        let exec = s(&d.spec, "LocalDeploymentExecutionRole").unwrap_or_else(|| LOCAL_EXECUTION_ROLE.into());
        ConfigurationDefinitionInput::builder()
            .r#type(PATCH_POLICY_TYPE)
            .set_parameters(Some(params))
            .local_deployment_administration_role_arn(format!("arn:{partition}:iam::{account}:role/{admin}"))
            .local_deployment_execution_role_name(exec)
            .build()
            .map_err(|e| Error::Internal(format!("cannot build the patch policy definition: {e}")))
    }

    /// The ARN of a configuration manager named `name` with `plan`'s ownership tags, if Quick
    /// Setup lists one.
    async fn owned_manager(&self, plan: &str, name: &str) -> Result<Option<String>, Error> {
        let managers = all(
            "ssm-quicksetup",
            "ListConfigurationManagers",
            self.shared.c.quicksetup.list_configuration_managers().into_paginator().items().send(),
        )
        .await?;
        for m in managers.iter().filter(|m| m.name() == Some(name)) {
            if is_owned_json(&self.tags(m.manager_arn()).await?, plan) {
                return Ok(Some(m.manager_arn().to_string()));
            }
        }
        Ok(None)
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

/// What a progress line calls a patch policy: `patch policy <name>`.
fn policy_label(spec: &Value, fallback: &str) -> String {
    format!("patch policy {}", s(spec, "Name").unwrap_or_else(|| fallback.to_string()))
}

fn quiet(_: &str) {}

#[async_trait]
impl Scheduler for PatchPolicies {
    fn backend(&self) -> Backend {
        Backend::PatchPolicy
    }

    async fn observe(&self, plan: &str, desired: &[Desired]) -> Result<Vec<Observed>, Error> {
        let mut out = self.shared.observe(plan, desired, false).await?;
        if desired.iter().any(|d| d.key.kind == Kind::DeploymentRoles) {
            let caller = self.caller().await?;
            out.extend(roles::observe(&self.shared.c.iam, &caller, desired).await?);
        }
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
                    "LocalDeploymentAdministrationRole": role_name(def.local_deployment_administration_role_arn().unwrap_or_default()),
                    "LocalDeploymentExecutionRole": def.local_deployment_execution_role_name().unwrap_or_default(),
                    "Deployment": deployment(m.status_summaries()).and_then(|s| s.status()).map_or("SUCCEEDED", |s| s.as_str()),
                    "Tags": tags,
                }),
                owned: is_owned_json(&tags, plan),
            });
        }
        Ok(out)
    }

    async fn create(&self, plan: &str, d: &Desired, ids: &Ids) -> Result<String, Error> {
        self.create_reporting(plan, d, ids, &quiet).await
    }

    async fn create_reporting(
        &self,
        plan: &str,
        d: &Desired,
        ids: &Ids,
        progress: &(dyn for<'p> Fn(&'p str) + Sync),
    ) -> Result<String, Error> {
        match d.key.kind {
            Kind::PatchBaseline => match self.shared.create(d).await {
                Some(r) => r,
                None => Err(Error::Internal("not a baseline".into())),
            },
            Kind::DeploymentRoles => roles::ensure(&self.shared.c.iam, &self.caller().await?, d, None).await,
            Kind::PatchPolicy => {
                let def = self.definition(d, ids).await?;
                // CreateConfigurationManager takes no idempotency token: sent once, never retried
                // blindly (shared::ambiguous).
                let request = self
                    .shared
                    .c
                    .quicksetup
                    .create_configuration_manager()
                    .set_name(s(&d.spec, "Name"))
                    .set_description(s(&d.spec, "Description"))
                    .configuration_definitions(def)
                    .set_tags(Some(tag_map(d.spec.get("Tags"))));
                let name = s(&d.spec, "Name").unwrap_or_else(|| d.key.name.clone());
                let label = format!("patch policy {name}");
                let create = Create {
                    service: "ssm-quicksetup",
                    operation: "CreateConfigurationManager",
                    label: &label,
                    wait: self.shared.c.ambiguous_create_wait,
                };
                let arn = create_once(
                    create,
                    || {
                        let request = request.clone();
                        async move {
                            let once = aws_sdk_ssmquicksetup::config::Builder::default()
                                .retry_config(aws_sdk_ssmquicksetup::config::retry::RetryConfig::disabled());
                            let out = request.customize().config_override(once).send().await?;
                            Ok(out.manager_arn().to_string())
                        }
                    },
                    || self.owned_manager(plan, &name),
                )
                .await?;
                self.deployed(&arn, "CreateConfigurationManager", &policy_label(&d.spec, &arn), progress).await?;
                Ok(arn)
            }
            other => Err(not_in_backend(other, Backend::PatchPolicy)),
        }
    }

    async fn update(&self, plan: &str, o: &Observed, d: &Desired, ids: &Ids) -> Result<(), Error> {
        self.update_reporting(plan, o, d, ids, &quiet).await
    }

    async fn update_reporting(
        &self,
        _plan: &str,
        o: &Observed,
        d: &Desired,
        ids: &Ids,
        progress: &(dyn for<'p> Fn(&'p str) + Sync),
    ) -> Result<(), Error> {
        match d.key.kind {
            Kind::PatchBaseline => match self.shared.update(o, d).await {
                Some(r) => r,
                None => Err(Error::Internal("not a baseline".into())),
            },
            Kind::DeploymentRoles => {
                roles::ensure(&self.shared.c.iam, &self.caller().await?, d, Some(o)).await.map(|_| ())
            }
            Kind::PatchPolicy => {
                let (arn, def_id) = o.id.split_once('|').unwrap_or((o.id.as_str(), ""));
                let v = &d.spec;
                let label = policy_label(v, arn);
                // A change while a deployment runs is refused (ConflictException): let it end.
                self.settled(arn, "GetConfigurationManager", &label, progress).await?;
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
                let redeploy = [
                    "Parameters",
                    "SelectedPatchBaselines",
                    "LocalDeploymentAdministrationRole",
                    "LocalDeploymentExecutionRole",
                    "Deployment",
                ];
                if redeploy.iter().any(|k| o.spec.get(k) != v.get(k)) {
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
                    self.deployed(arn, "UpdateConfigurationDefinition", &label, progress).await?;
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
        self.delete_reporting(o, &quiet).await
    }

    async fn delete_reporting(&self, o: &Observed, progress: &(dyn for<'p> Fn(&'p str) + Sync)) -> Result<(), Error> {
        match o.key.kind {
            Kind::PatchBaseline => match self.shared.delete(o).await {
                Some(r) => r,
                None => Err(Error::Internal("not a baseline".into())),
            },
            Kind::PatchPolicy => {
                let arn = o.id.split_once('|').map_or(o.id.as_str(), |(a, _)| a);
                let label = policy_label(&o.spec, arn);
                if let Deployed::Gone = self.settled(arn, "GetConfigurationManager", &label, progress).await? {
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
                match self.deployed(arn, "DeleteConfigurationManager", &label, progress).await? {
                    Deployed::Gone => Ok(()),
                    Deployed::Succeeded | Deployed::Failed(_) => Err(Error::Unexpected(format!(
                        "Quick Setup reported the deletion of {arn} done, but the manager is still there"
                    ))),
                }
            }
            // Never deleted: other patch policies, and Quick Setup deleting this one, use them.
            other => Err(not_in_backend(other, Backend::PatchPolicy)),
        }
    }

    /// Both local deployment roles exist before a patch policy is created, updated or deleted
    /// (unless the diff itself creates them): Quick Setup deploys each of these changes through
    /// them, and without them the deployment fails after ssmpatch has changed other things.
    async fn preflight(&self, diff: &Diff) -> Result<(), Error> {
        let makes_roles = diff
            .changes
            .iter()
            .any(|c| c.key.kind == Kind::DeploymentRoles && matches!(c.action, Action::Create | Action::Update));
        // AWS's predefined baselines the policy selects (`undeclared-os = "aws-default"`) are
        // in this Region: found now, not after the custom baselines were written.
        for d in diff.changes.iter().filter(|c| matches!(c.action, Action::Create | Action::Update)) {
            if let Some(d) = d.desired.as_ref().filter(|d| d.key.kind == Kind::PatchPolicy) {
                let selected = d.spec.get("SelectedPatchBaselines");
                selected_baselines(selected, &Ids::default(), &self.aws_baselines(selected).await?)?;
            }
        }
        if makes_roles {
            return Ok(());
        }
        for c in diff.changes.iter().filter(|c| c.key.kind == Kind::PatchPolicy) {
            // Create and update deploy through the plan's roles; a delete through those the
            // policy was deployed with.
            let (spec, what) = match (&c.action, &c.desired, &c.observed) {
                (Action::Create, Some(d), _) => (&d.spec, "creating"),
                (Action::Update, Some(d), _) => (&d.spec, "updating"),
                (Action::Delete, _, Some(o)) => (&o.spec, "deleting"),
                _ => continue,
            };
            let admin =
                s(spec, "LocalDeploymentAdministrationRole").unwrap_or_else(|| LOCAL_ADMINISTRATION_ROLE.into());
            let exec = s(spec, "LocalDeploymentExecutionRole").unwrap_or_else(|| LOCAL_EXECUTION_ROLE.into());
            roles::check(&self.shared.c.iam, &admin, &exec, &format!("{what} {}", c.key.label())).await?;
        }
        Ok(())
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
    /// [`DEPLOYMENT_TIMEOUT`] is an error. Each read that finds it still running is reported to
    /// `progress` as `<label>: <status> (<seconds> s)`.
    async fn settled(
        &self,
        arn: &str,
        what: &'static str,
        label: &str,
        progress: &(dyn for<'p> Fn(&'p str) + Sync),
    ) -> Result<Deployed, Error> {
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
            let running = status.as_ref().map_or("unknown", |s| s.as_str());
            progress(&format!("{label}: {running} ({} s)", start.elapsed().as_secs()));
            if start.elapsed() >= DEPLOYMENT_TIMEOUT {
                return Err(Error::Aws {
                    service: "ssm-quicksetup",
                    operation: what,
                    code: Some(DEPLOYMENT_TIMED_OUT.into()),
                    message: format!(
                        "the deployment of {arn} did not end within {} s (last status {running}: {message})",
                        DEPLOYMENT_TIMEOUT.as_secs(),
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
    async fn deployed(
        &self,
        arn: &str,
        what: &'static str,
        label: &str,
        progress: &(dyn for<'p> Fn(&'p str) + Sync),
    ) -> Result<Deployed, Error> {
        match self.settled(arn, what, label, progress).await? {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selected_baselines_resolve_ours_aws_defaults_and_existing_ids() {
        let mut ids = Ids::default();
        ids.0.insert(Key::new(Kind::PatchBaseline, "ssmpatch-p-amazon-linux-2023"), "pb-0123".into());
        let aws: HashMap<String, String> = [(
            "AWS-UbuntuDefaultPatchBaseline".to_string(),
            "arn:aws:ssm:us-east-1:075727635805:patchbaseline/pb-0c7e89f711c3095f4".to_string(),
        )]
        .into();
        let selected = json!({
            "AMAZON_LINUX_2023": "ssmpatch-p-amazon-linux-2023",
            "UBUNTU": "AWS-UbuntuDefaultPatchBaseline",
            "WINDOWS": "pb-0999",
        });
        let out = selected_baselines(Some(&selected), &ids, &aws).expect("resolved");
        let value = |os: &str| out[os]["value"].as_str().expect("value").to_string();
        assert_eq!(value("AMAZON_LINUX_2023"), "pb-0123");
        assert_eq!(value("UBUNTU"), "arn:aws:ssm:us-east-1:075727635805:patchbaseline/pb-0c7e89f711c3095f4");
        assert_eq!(value("WINDOWS"), "pb-0999");
        assert_eq!(out["UBUNTU"]["label"], "AWS-UbuntuDefaultPatchBaseline");
        // An AWS baseline the Region does not list is an error naming it, not a value AWS rejects.
        let missing = json!({"DEBIAN": "AWS-DebianDefaultPatchBaseline"});
        let e = selected_baselines(Some(&missing), &ids, &aws).expect_err("not listed");
        assert!(e.to_string().contains("AWS-DebianDefaultPatchBaseline"), "{e}");
    }

    #[test]
    fn role_names_come_from_arns_with_or_without_a_path() {
        assert_eq!(role_name("arn:aws:iam::123456789012:role/A"), "A");
        assert_eq!(role_name("arn:aws-cn:iam::123456789012:role/quick/B"), "B");
    }
}
