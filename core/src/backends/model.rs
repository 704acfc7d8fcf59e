//! The resource model every backend shares: what a plan needs ([`Desired`]), what exists
//! ([`Observed`]), what differs ([`Diff`], [`Change`]) and what `apply` did ([`Report`]).

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::schedule::Backend;

/// What a resource is, in apply order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Kind {
    /// Quick Setup's two local deployment roles, created on request (`[patch-policy]
    /// create-deployment-roles`) before the patch policy that deploys through them; never deleted.
    DeploymentRoles,
    /// A BaselineOverride document in S3.
    OverrideObject,
    /// A custom patch baseline (registered for the patch group on windows and associations).
    PatchBaseline,
    /// A maintenance window.
    MaintenanceWindow,
    /// A window's target.
    WindowTarget,
    /// A window's `AWS-RunPatchBaseline` task.
    WindowTask,
    /// A State Manager association.
    Association,
    /// A Quick Setup patch policy (configuration manager).
    PatchPolicy,
}

impl Kind {
    /// All kinds in creation order.
    pub const ORDER: [Kind; 8] = [
        Kind::DeploymentRoles,
        Kind::OverrideObject,
        Kind::PatchBaseline,
        Kind::MaintenanceWindow,
        Kind::WindowTarget,
        Kind::WindowTask,
        Kind::Association,
        Kind::PatchPolicy,
    ];

    /// `maintenance-window`, …
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::DeploymentRoles => "deployment-roles",
            Kind::OverrideObject => "override-object",
            Kind::PatchBaseline => "patch-baseline",
            Kind::MaintenanceWindow => "maintenance-window",
            Kind::WindowTarget => "window-target",
            Kind::WindowTask => "window-task",
            Kind::Association => "association",
            Kind::PatchPolicy => "patch-policy",
        }
    }

    /// The backend whose own resources are of this kind; `None` for what every backend writes
    /// (override objects, baselines) and Quick Setup's deployment roles (shared by every patch
    /// policy in the account, never deleted).
    pub fn backend(self) -> Option<Backend> {
        match self {
            Kind::MaintenanceWindow | Kind::WindowTarget | Kind::WindowTask => Some(Backend::MaintenanceWindow),
            Kind::Association => Some(Backend::Association),
            Kind::PatchPolicy => Some(Backend::PatchPolicy),
            Kind::DeploymentRoles | Kind::OverrideObject | Kind::PatchBaseline => None,
        }
    }
}

/// Identity of a resource within a plan: kind, parent (for targets and tasks: the window's name)
/// and name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Key {
    /// Kind.
    pub kind: Kind,
    /// The parent's name, for window targets and tasks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// Name.
    pub name: String,
}

impl Key {
    /// A top-level resource.
    pub fn new(kind: Kind, name: impl Into<String>) -> Key {
        Key { kind, parent: None, name: name.into() }
    }

    /// A window's child.
    pub fn child(kind: Kind, parent: impl Into<String>, name: impl Into<String>) -> Key {
        Key { kind, parent: Some(parent.into()), name: name.into() }
    }

    /// `maintenance-window ssmpatch-p-install`, `window-task ssmpatch-p-install/install`.
    pub fn label(&self) -> String {
        match &self.parent {
            Some(p) => format!("{} {p}/{}", self.kind.as_str(), self.name),
            None => format!("{} {}", self.kind.as_str(), self.name),
        }
    }
}

/// A resource the plan needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Desired {
    /// Identity.
    pub key: Key,
    /// The managed fields, as a JSON object in AWS's field names.
    pub spec: Value,
    /// What the backend writes beyond the managed fields, typed (override objects and
    /// baselines).
    pub payload: Payload,
}

/// The typed content of a desired resource, where its JSON fields are not enough to write it.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub enum Payload {
    /// Nothing beyond the fields.
    #[default]
    None,
    /// An override document to upload.
    Object(crate::baseline::OverrideObject),
    /// A custom baseline with its typed rules.
    Baseline(BaselineResource),
}

/// A custom baseline as ssmpatch writes it.
#[derive(Debug, Clone, PartialEq)]
pub struct BaselineResource {
    /// `Name`: `ssmpatch-<plan>-<os>`.
    pub name: String,
    /// `Description`.
    pub description: String,
    /// The rules, operating system included.
    pub rules: crate::baseline::PatchBaselineRules,
    /// The patch groups it is registered for.
    pub patch_groups: Vec<String>,
    /// Its tags.
    pub tags: BTreeMap<String, String>,
}

/// A resource that exists.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Observed {
    /// Identity.
    pub key: Key,
    /// AWS id (window id, baseline id, association id, S3 key…).
    pub id: String,
    /// The parent's AWS id (window targets and tasks).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<String>,
    /// The managed fields as read back.
    pub spec: Value,
    /// Created by ssmpatch for this plan (tags); foreign resources are never modified.
    pub owned: bool,
}

/// One field that differs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldChange {
    /// AWS field name.
    pub field: String,
    /// Current value (`null` when absent).
    pub from: Value,
    /// Planned value (`null` when it goes away).
    pub to: Value,
}

/// What happens to one resource.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// It does not exist yet.
    Create,
    /// It exists with different fields.
    Update,
    /// It exists and the plan no longer needs it.
    Delete,
    /// It exists as planned.
    Unchanged,
}

/// A planned change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// Identity.
    #[serde(flatten)]
    pub key: Key,
    /// What happens.
    pub action: Action,
    /// AWS id, when it exists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The fields that differ (update), or every field (create).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldChange>,
    /// Why a resource the plan owns is deleted when that is not obvious from the plan: an extra
    /// copy (two applies at once made two), or a resource of a backend the plan no longer uses.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(skip)]
    pub(crate) desired: Option<Desired>,
    #[serde(skip)]
    pub(crate) observed: Option<Observed>,
}

/// The difference between a plan and AWS.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diff {
    /// Plan name.
    pub plan: String,
    /// Backend.
    pub backend: Backend,
    /// Every resource, in apply order.
    pub changes: Vec<Change>,
    /// Resources named like the plan's but not created by ssmpatch for it: reported, never
    /// modified.
    pub foreign: Vec<Observed>,
}

impl Diff {
    /// True when nothing would be created, updated or deleted.
    pub fn is_empty(&self) -> bool {
        self.changes.iter().all(|c| c.action == Action::Unchanged)
    }

    /// How many changes of `action`.
    pub fn count(&self, action: Action) -> usize {
        self.changes.iter().filter(|c| c.action == action).count()
    }
}

/// AWS ids of resources created or found, for children that reference their parents.
#[derive(Debug, Default, Clone)]
pub struct Ids(pub(crate) BTreeMap<Key, String>);

impl Ids {
    /// The AWS id of `key`.
    pub fn get(&self, key: &Key) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }

    /// The id of window `name`.
    pub fn window(&self, name: &str) -> Option<&str> {
        self.get(&Key::new(Kind::MaintenanceWindow, name))
    }
}

/// What apply did to one resource.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Done {
    /// Identity.
    #[serde(flatten)]
    pub key: Key,
    /// What was done.
    pub action: Action,
    /// AWS id.
    pub id: String,
}

/// The result of an apply.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Plan name.
    pub plan: String,
    /// Backend.
    pub backend: Backend,
    /// What was done, in order.
    pub done: Vec<Done>,
    /// The first failure, if any (later steps were not attempted; the next apply converges).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// What to do about the failure, when there is something to say.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// The failure may pass if apply runs again unchanged ([`crate::error::Error::retry_may_help`]:
    /// no answer, throttling, a failure on AWS's side); otherwise its cause must be fixed first.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub retry_may_help: bool,
    /// When the failure was an AWS call's: which call, AWS's error code and request id (for
    /// adapters that expose them as data, e.g. Python's `AwsError`; `error` already says them).
    #[serde(skip)]
    pub aws: Option<AwsFailure>,
}

/// The identity of a failed AWS call ([`crate::error::Error::Aws`] without its message).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsFailure {
    /// e.g. `ssm`.
    pub service: &'static str,
    /// e.g. `CreateMaintenanceWindow`.
    pub operation: &'static str,
    /// The AWS error code; `None` when no answer came.
    pub code: Option<String>,
    /// The request id.
    pub request_id: Option<String>,
}

impl Report {
    /// Nothing done yet for `diff`.
    pub(crate) fn empty(diff: &Diff) -> Report {
        Report {
            plan: diff.plan.clone(),
            backend: diff.backend,
            done: Vec::new(),
            error: None,
            hint: None,
            retry_may_help: false,
            aws: None,
        }
    }

    /// Record `e` as what stopped the apply (`error` is `what` — the error, or it with the
    /// resource it happened to).
    pub(crate) fn stopped(&mut self, what: String, e: &crate::error::Error) {
        use crate::error::Hint;
        self.error = Some(what);
        self.hint = e.hint();
        self.retry_may_help = e.retry_may_help();
        self.aws = match e {
            crate::error::Error::Aws { service, operation, code, request_id, .. } => {
                Some(AwsFailure { service, operation, code: code.clone(), request_id: request_id.clone() })
            }
            _ => None,
        };
    }
}
