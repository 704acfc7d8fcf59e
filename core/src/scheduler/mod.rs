//! Backends: the [`Scheduler`] trait, the resource model every backend shares, the pure diff
//! between desired and observed state, and the one `apply` that mutates AWS.
//!
//! - [`desired`] turns a plan (and its explanation) into the resources it needs.
//! - A backend's [`Scheduler::observe`] reads what exists (owned resources, and same-named ones
//!   it does not own, which are reported and never touched).
//! - [`diff`] compares them field by field: create / update / delete / unchanged.
//! - [`apply`] performs the changes in dependency order (override objects and baselines first,
//!   deletions in reverse, S3 objects last), with bounded concurrency, and reports what it did.
//!   A second apply of the same plan finds nothing to change and performs no write call.

pub mod association;
mod common;
pub mod desired;
pub mod iam;
pub mod maintenance_window;
pub mod patch_policy;

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use futures::stream::{self, StreamExt};
use serde::Serialize;
use serde_json::Value;

use crate::aws::Clients;
use crate::error::Error;
use crate::schedule::Backend;

/// Tag naming the plan a resource belongs to.
pub const TAG_PLAN: &str = "ssmpatch:plan";
/// Tag marking a resource as created by ssmpatch.
pub const TAG_MANAGED_BY: &str = "ssmpatch:managed-by";
/// Its value.
pub const MANAGED_BY: &str = "ssmpatch";

/// Calls in flight at once while applying.
pub const DEFAULT_CONCURRENCY: usize = 8;

/// What a resource is, in apply order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
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
    pub const ORDER: [Kind; 7] = [
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
            Kind::OverrideObject => "override-object",
            Kind::PatchBaseline => "patch-baseline",
            Kind::MaintenanceWindow => "maintenance-window",
            Kind::WindowTarget => "window-target",
            Kind::WindowTask => "window-task",
            Kind::Association => "association",
            Kind::PatchPolicy => "patch-policy",
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
    /// Bytes to upload (override objects).
    pub body: Option<Vec<u8>>,
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
    #[serde(skip)]
    desired: Option<Desired>,
    #[serde(skip)]
    observed: Option<Observed>,
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

/// Field-by-field comparison of two JSON objects (top-level keys).
fn field_changes(from: &Value, to: &Value) -> Vec<FieldChange> {
    let empty = serde_json::Map::new();
    let a = from.as_object().unwrap_or(&empty);
    let b = to.as_object().unwrap_or(&empty);
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter_map(|k| {
            let x = a.get(k).cloned().unwrap_or(Value::Null);
            let y = b.get(k).cloned().unwrap_or(Value::Null);
            (x != y).then(|| FieldChange { field: k.clone(), from: x, to: y })
        })
        .collect()
}

/// The pure diff: desired against observed (only owned resources are compared or deleted).
pub fn diff(plan: &str, backend: Backend, desired: Vec<Desired>, observed: Vec<Observed>) -> Diff {
    let (owned, foreign): (Vec<Observed>, Vec<Observed>) = observed.into_iter().partition(|o| o.owned);
    let mut by_key: BTreeMap<Key, Observed> = owned.into_iter().map(|o| (o.key.clone(), o)).collect();
    let mut changes = Vec::new();
    for d in desired {
        match by_key.remove(&d.key) {
            None => changes.push(Change {
                key: d.key.clone(),
                action: Action::Create,
                id: None,
                fields: field_changes(&Value::Null, &d.spec),
                desired: Some(d),
                observed: None,
            }),
            Some(o) => {
                let fields = field_changes(&o.spec, &d.spec);
                let action = if fields.is_empty() { Action::Unchanged } else { Action::Update };
                changes.push(Change {
                    key: d.key.clone(),
                    action,
                    id: Some(o.id.clone()),
                    fields,
                    desired: Some(d),
                    observed: Some(o),
                });
            }
        }
    }
    // Owned resources the plan no longer needs. A window's targets and tasks go with it.
    let deleted_windows: Vec<String> =
        by_key.keys().filter(|k| k.kind == Kind::MaintenanceWindow).map(|k| k.name.clone()).collect();
    for (k, o) in by_key {
        if k.parent.as_ref().is_some_and(|p| deleted_windows.contains(p)) {
            continue;
        }
        changes.push(Change {
            key: k,
            action: Action::Delete,
            id: Some(o.id.clone()),
            fields: Vec::new(),
            desired: None,
            observed: Some(o),
        });
    }
    changes.sort_by(|a, b| a.key.cmp(&b.key));
    Diff { plan: plan.to_string(), backend, changes, foreign }
}

/// AWS ids of resources created or found, for children that reference their parents.
#[derive(Debug, Default, Clone)]
pub struct Ids(BTreeMap<Key, String>);

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

/// One backend. The few primitive operations; everything shared lives outside.
#[async_trait]
pub trait Scheduler: Send + Sync {
    /// Which backend.
    fn backend(&self) -> Backend;

    /// Every resource of the plan's naming that exists: owned ones and foreign ones.
    async fn observe(&self, plan: &str, desired: &[Desired]) -> Result<Vec<Observed>, Error>;

    /// Create; returns the AWS id.
    async fn create(&self, plan: &str, d: &Desired, ids: &Ids) -> Result<String, Error>;

    /// Update in place.
    async fn update(&self, plan: &str, o: &Observed, d: &Desired, ids: &Ids) -> Result<(), Error>;

    /// Delete.
    async fn delete(&self, o: &Observed) -> Result<(), Error>;
}

/// The scheduler for `backend`, writing override objects as `plan` says.
pub fn for_backend(backend: Backend, clients: &Clients, plan: &crate::plan::Plan) -> Result<Arc<dyn Scheduler>, Error> {
    let s3 = maintenance_window::S3Settings {
        kms_key_id: plan.s3.as_ref().and_then(|s| s.kms_key_id.clone()),
        expected_bucket_owner: plan.s3.as_ref().and_then(|s| s.expected_bucket_owner.clone()),
    };
    match backend {
        Backend::MaintenanceWindow => Ok(Arc::new(maintenance_window::MaintenanceWindows::new(clients.clone(), s3))),
        Backend::Association => Ok(Arc::new(association::Associations::new(clients.clone(), s3))),
        Backend::PatchPolicy => Ok(Arc::new(patch_policy::PatchPolicies::new(clients.clone()))),
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
}

/// Perform `diff`. Creates and updates in dependency order, deletions in reverse order (S3
/// objects last, once nothing references them). Within a step, up to `concurrency` calls run at
/// once. `progress` receives one line per action.
pub async fn apply(
    scheduler: &dyn Scheduler,
    diff: &Diff,
    concurrency: usize,
    progress: &(dyn Fn(&str) + Sync),
) -> Report {
    let mut ids = Ids::default();
    for c in &diff.changes {
        if let (Some(o), Action::Update | Action::Unchanged) = (&c.observed, &c.action) {
            ids.0.insert(c.key.clone(), o.id.clone());
        }
    }
    let mut report = Report { plan: diff.plan.clone(), backend: diff.backend, done: Vec::new(), error: None };
    let concurrency = concurrency.max(1);
    for kind in Kind::ORDER {
        let ids_now = ids.clone();
        let futs: Vec<_> = diff
            .changes
            .iter()
            .filter(|c| c.key.kind == kind && matches!(c.action, Action::Create | Action::Update))
            .map(|c| write_one(scheduler, &diff.plan, c, &ids_now, progress))
            .collect();
        let results: Vec<Outcome> = stream::iter(futs).buffer_unordered(concurrency).collect().await;
        if !record(&mut report, &mut ids, results) {
            return report;
        }
    }
    for kind in Kind::ORDER.iter().rev() {
        let futs: Vec<_> = diff
            .changes
            .iter()
            .filter(|c| c.key.kind == *kind && c.action == Action::Delete)
            .map(|c| delete_one(scheduler, c, progress))
            .collect();
        let results: Vec<Outcome> = stream::iter(futs).buffer_unordered(concurrency).collect().await;
        if !record(&mut report, &mut ids, results) {
            return report;
        }
    }
    report
}

type Outcome = (Key, Action, Result<String, Error>);

async fn write_one(
    scheduler: &dyn Scheduler,
    plan: &str,
    c: &Change,
    ids: &Ids,
    progress: &(dyn Fn(&str) + Sync),
) -> Outcome {
    let r = match (&c.action, &c.desired, &c.observed) {
        (Action::Create, Some(d), _) => {
            progress(&format!("creating {}", c.key.label()));
            scheduler.create(plan, d, ids).await
        }
        (Action::Update, Some(d), Some(o)) => {
            progress(&format!("updating {}", c.key.label()));
            scheduler.update(plan, o, d, ids).await.map(|()| o.id.clone())
        }
        _ => Err(Error::Unexpected(format!("inconsistent change for {}", c.key.label()))),
    };
    (c.key.clone(), c.action.clone(), r)
}

async fn delete_one(scheduler: &dyn Scheduler, c: &Change, progress: &(dyn Fn(&str) + Sync)) -> Outcome {
    let r = match &c.observed {
        Some(o) => {
            progress(&format!("deleting {}", c.key.label()));
            scheduler.delete(o).await.map(|()| o.id.clone())
        }
        None => Err(Error::Unexpected(format!("nothing to delete for {}", c.key.label()))),
    };
    (c.key.clone(), Action::Delete, r)
}

fn record(report: &mut Report, ids: &mut Ids, results: Vec<Outcome>) -> bool {
    let mut ok = true;
    let mut sorted = results;
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    for (key, action, r) in sorted {
        match r {
            Ok(id) => {
                if action != Action::Delete {
                    ids.0.insert(key.clone(), id.clone());
                }
                report.done.push(Done { key, action, id });
            }
            Err(e) => {
                if report.error.is_none() {
                    report.error = Some(format!("{}: {e}", key.label()));
                }
                ok = false;
            }
        }
    }
    ok
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn d(kind: Kind, name: &str, spec: Value) -> Desired {
        Desired { key: Key::new(kind, name), spec, body: None }
    }

    fn o(kind: Kind, name: &str, spec: Value, owned: bool) -> Observed {
        Observed { key: Key::new(kind, name), id: format!("id-{name}"), parent_id: None, spec, owned }
    }

    #[test]
    fn diff_creates_updates_deletes_and_leaves_foreign_alone() {
        let desired = vec![
            d(Kind::MaintenanceWindow, "a", json!({"Schedule": "cron(0 3 ? * SUNL *)", "Duration": 4})),
            d(Kind::MaintenanceWindow, "b", json!({"Schedule": "rate(7 days)"})),
            d(Kind::MaintenanceWindow, "c", json!({"Schedule": "rate(1 day)"})),
        ];
        let observed = vec![
            o(Kind::MaintenanceWindow, "a", json!({"Schedule": "cron(0 3 ? * SUNL *)", "Duration": 3}), true),
            o(Kind::MaintenanceWindow, "b", json!({"Schedule": "rate(7 days)"}), true),
            o(Kind::MaintenanceWindow, "old", json!({}), true),
            o(Kind::MaintenanceWindow, "c", json!({}), false),
        ];
        let diff = diff("p", Backend::MaintenanceWindow, desired, observed);
        let actions: Vec<(&str, &Action)> = diff.changes.iter().map(|c| (c.key.name.as_str(), &c.action)).collect();
        assert_eq!(
            actions,
            [("a", &Action::Update), ("b", &Action::Unchanged), ("c", &Action::Create), ("old", &Action::Delete)]
        );
        assert_eq!(
            diff.changes[0].fields,
            vec![FieldChange { field: "Duration".into(), from: json!(3), to: json!(4) }]
        );
        assert_eq!(diff.foreign.len(), 1);
        assert!(!diff.is_empty());
    }

    #[test]
    fn children_of_deleted_windows_are_not_deleted_separately() {
        let observed = vec![
            o(Kind::MaintenanceWindow, "w", json!({}), true),
            Observed {
                key: Key::child(Kind::WindowTask, "w", "install"),
                id: "t".into(),
                parent_id: Some("w".into()),
                spec: json!({}),
                owned: true,
            },
        ];
        let diff = diff("p", Backend::MaintenanceWindow, Vec::new(), observed);
        assert_eq!(diff.changes.len(), 1);
        assert_eq!(diff.changes[0].key.kind, Kind::MaintenanceWindow);
    }
}

/// Everything `plan`/`apply`/`destroy` need, read once.
#[derive(Clone)]
pub struct Session {
    /// The plan.
    pub plan: crate::plan::Plan,
    /// Its explanation (backend, compiled forms, placement).
    pub explanation: crate::plan::Explanation,
    /// The backend's scheduler.
    pub scheduler: Arc<dyn Scheduler>,
    /// What the plan's compliance strategy adds (e.g. `rescan`'s scan after the install).
    pub additions: crate::compliance::additions::Additions,
    /// The resources the plan needs.
    pub desired: Vec<Desired>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session").field("plan", &self.plan.name).field("backend", &self.explanation.backend).finish()
    }
}

impl Session {
    /// Explain the plan (offline) and pick its scheduler.
    pub fn new(
        plan: crate::plan::Plan,
        clients: &Clients,
        opts: &crate::plan::compile::CompileOptions,
    ) -> Result<Session, Error> {
        Session::build(plan, clients, opts, true)
    }

    /// A session for `destroy`: the strategy is not loaded (its component may be gone), and
    /// nothing is lost, because destroy removes everything the plan owns, additions included.
    pub fn for_destroy(
        plan: crate::plan::Plan,
        clients: &Clients,
        opts: &crate::plan::compile::CompileOptions,
    ) -> Result<Session, Error> {
        Session::build(plan, clients, opts, false)
    }

    fn build(
        plan: crate::plan::Plan,
        clients: &Clients,
        opts: &crate::plan::compile::CompileOptions,
        with_strategy: bool,
    ) -> Result<Session, Error> {
        let explanation = plan.explain(opts)?;
        let scheduler = for_backend(explanation.backend, clients, &plan)?;
        let additions = if with_strategy {
            crate::compliance::additions::for_plan(&plan, &explanation, opts)?
        } else {
            crate::compliance::additions::Additions::default()
        };
        let desired = desired::resources(&plan, &explanation, explanation.backend, &additions);
        Ok(Session { plan, explanation, scheduler, additions, desired })
    }

    /// Read the live state and diff it against the plan.
    pub async fn diff(&self) -> Result<Diff, Error> {
        let observed = self.scheduler.observe(&self.plan.name, &self.desired).await?;
        Ok(diff(&self.plan.name, self.explanation.backend, self.desired.clone(), observed))
    }

    /// The diff that removes everything the plan owns.
    pub async fn destroy_diff(&self) -> Result<Diff, Error> {
        let observed = self.scheduler.observe(&self.plan.name, &self.desired).await?;
        Ok(diff(&self.plan.name, self.explanation.backend, Vec::new(), observed))
    }

    /// Perform `diff`.
    pub async fn apply(&self, diff: &Diff, concurrency: usize, progress: &(dyn Fn(&str) + Sync)) -> Report {
        apply(self.scheduler.as_ref(), diff, concurrency, progress).await
    }
}
