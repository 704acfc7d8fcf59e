//! Backends: each one's knowledge in its own folder — the resources a plan needs there, the SDK
//! calls that read and write them, how their finished runs are found, and the IAM actions they
//! take — behind two small traits:
//!
//! - [`Definition`] (pure, no AWS): [`Definition::desired`] turns a plan and its explanation
//!   into the resources it needs; [`Definition::iam_actions`] lists what the backend calls.
//! - [`Scheduler`] (AWS): [`Scheduler::observe`] reads what exists (owned resources, and
//!   same-named ones it does not own, which are reported and never touched); `create`, `update`
//!   and `delete` change one resource; [`Scheduler::finished_runs`] finds the commands the
//!   plan's resources ran, for `refresh`.
//!
//! Shared around them: the resource [`model`](Desired), the pure [`diff`], the one [`apply`]
//! (dependency order, bounded concurrency, stops at the first failure), [`naming`], and what
//! every backend writes (`shared/`: override objects, baselines, tags, targets). Adding a
//! backend is one folder plus a line in [`definition`] and one in [`for_backend`].

mod apply;
mod association;
mod diff;
mod iam;
mod maintenance_window;
mod model;
pub(crate) mod naming;
pub(crate) mod paging;
mod patch_policy;
mod quotas;
pub(crate) mod runs;
pub(crate) mod shared;

use std::sync::Arc;

use async_trait::async_trait;

pub use apply::{DEFAULT_CONCURRENCY, Schedulers, apply};
pub use diff::diff;
pub use iam::{IamActions, IamCommand, PolicyOptions, node_policy, partition_of_region, policy as iam_policy};
pub(crate) use maintenance_window::retain_recent_one_shots;
pub use model::{
    Action, AwsFailure, BaselineResource, Change, Desired, Diff, Done, FieldChange, Ids, Key, Kind, Observed, Payload,
    Report,
};
pub use naming::{MANAGED_BY, TAG_MANAGED_BY, TAG_PLAN, operation_resource_name};
pub use patch_policy::{CREATE_ROLES_CHANGE, CREATE_ROLES_READ, deployment_roles};
pub(crate) use patch_policy::{
    DEPLOYMENT_FAILED, DEPLOYMENT_TIMED_OUT, LOCAL_ADMINISTRATION_ROLE, LOCAL_EXECUTION_ROLE,
};
pub(crate) use quotas::check as check_quotas;
pub use runs::{FinishedRun, RunOperation, RunQuery};
pub(crate) use shared::baselines::groups_held_elsewhere;
pub use shared::override_objects::{S3Settings, S3Store};

use crate::aws::Clients;
use crate::error::Error;
use crate::plan::additions::Additions;
use crate::plan::{Explanation, Plan};
use crate::schedule::Backend;

/// What a backend is without AWS: the resources a plan needs on it and the calls it makes.
pub trait Definition: Send + Sync {
    /// Which backend.
    fn backend(&self) -> Backend;

    /// The resources `plan` needs on this backend (besides the override objects and baselines
    /// every backend writes), given its explanation and what its compliance strategy adds.
    fn own_resources(&self, plan: &Plan, ex: &Explanation, additions: &Additions) -> Vec<Desired>;

    /// The IAM actions this backend calls (besides the shared ones).
    fn iam_actions(&self) -> IamActions;

    /// Everything `plan` needs on this backend, sorted by apply order.
    fn desired(&self, plan: &Plan, ex: &Explanation, additions: &Additions) -> Vec<Desired> {
        let mut out = shared::desired(plan, ex, self.backend());
        out.extend(self.own_resources(plan, ex, additions));
        out.sort_by(|a, b| a.key.cmp(&b.key));
        out
    }
}

/// One backend on AWS. The few primitive operations; everything shared lives outside.
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

    /// [`Scheduler::create`], telling `progress` how a long wait goes (a patch policy's
    /// deployment). By default the same as `create`.
    async fn create_reporting(
        &self,
        plan: &str,
        d: &Desired,
        ids: &Ids,
        progress: &(dyn for<'p> Fn(&'p str) + Sync),
    ) -> Result<String, Error> {
        let _ = progress;
        self.create(plan, d, ids).await
    }

    /// [`Scheduler::update`], telling `progress` how a long wait goes.
    async fn update_reporting(
        &self,
        plan: &str,
        o: &Observed,
        d: &Desired,
        ids: &Ids,
        progress: &(dyn for<'p> Fn(&'p str) + Sync),
    ) -> Result<(), Error> {
        let _ = progress;
        self.update(plan, o, d, ids).await
    }

    /// [`Scheduler::delete`], telling `progress` how a long wait goes.
    async fn delete_reporting(&self, o: &Observed, progress: &(dyn for<'p> Fn(&'p str) + Sync)) -> Result<(), Error> {
        let _ = progress;
        self.delete(o).await
    }

    /// Before `diff` changes anything: what it needs that is not part of it (a patch policy's
    /// deployment roles). An error refuses the whole diff, so nothing is half-applied.
    async fn preflight(&self, diff: &Diff) -> Result<(), Error> {
        let _ = diff;
        Ok(())
    }

    /// The run that deleting `o` would destroy, if one has not ended: a maintenance window's or an
    /// association's execution (its id and status). Other kinds never run.
    async fn running(&self, _o: &Observed) -> Result<Option<String>, Error> {
        Ok(None)
    }

    /// The finished commands of the plan's operations `query` asks for.
    async fn finished_runs(
        &self,
        plan: &str,
        desired: &[Desired],
        query: RunQuery<'_>,
    ) -> Result<Vec<FinishedRun>, Error>;
}

/// The definition of `backend`.
pub fn definition(backend: Backend) -> &'static dyn Definition {
    match backend {
        Backend::MaintenanceWindow => &maintenance_window::Definition,
        Backend::Association => &association::Definition,
        Backend::PatchPolicy => &patch_policy::Definition,
    }
}

/// The schedulers of every backend for `plan`, `backend` first. The others read and delete only
/// their own kinds (windows, associations, the patch policy); the shared ones are `backend`'s.
pub fn schedulers(backend: Backend, clients: &Clients, plan: &Plan) -> Schedulers {
    let others = Backend::ALL
        .into_iter()
        .filter(|b| *b != backend)
        .map(|b| make(b, shared::Shared::new(clients.clone(), plan).own_only()))
        .collect();
    Schedulers { primary: for_backend(backend, clients, plan), others }
}

/// The scheduler for `backend`, for `plan` (its override objects' bucket and settings).
pub fn for_backend(backend: Backend, clients: &Clients, plan: &Plan) -> Arc<dyn Scheduler> {
    make(backend, shared::Shared::new(clients.clone(), plan))
}

fn make(backend: Backend, shared: shared::Shared) -> Arc<dyn Scheduler> {
    match backend {
        Backend::MaintenanceWindow => Arc::new(maintenance_window::MaintenanceWindows::new(shared)),
        Backend::Association => Arc::new(association::Associations::new(shared)),
        Backend::PatchPolicy => Arc::new(patch_policy::PatchPolicies::new(shared)),
    }
}

/// A backend asked to create, update or delete a kind of resource it never makes: a bug in the
/// desired state or the diff, not something AWS or the user did.
pub(crate) fn not_in_backend(kind: Kind, backend: Backend) -> Error {
    Error::Internal(format!("{} is not part of the {} backend", kind.as_str(), backend.as_str()))
}
