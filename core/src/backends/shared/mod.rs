//! What every backend writes: override objects in S3 ([`override_objects`]), custom baselines
//! and their patch groups ([`baselines`]), tags ([`tags`]), targets ([`targets`]) and the
//! `AWS-RunPatchBaseline` parameters ([`document`]). Backends hold one [`Shared`] and hand it the
//! kinds it owns.

pub(crate) mod ambiguous;
pub(crate) mod baselines;
pub(crate) mod document;
pub(crate) mod override_objects;
pub(crate) mod tags;
pub(crate) mod targets;

use serde_json::Value;

use super::model::{Desired, Kind, Observed};
use crate::aws::Clients;
use crate::error::Error;
use crate::plan::{Explanation, Plan};
use crate::schedule::Backend;
use override_objects::{S3Settings, S3Store};

/// A string field of a resource spec.
pub(crate) fn s(v: &Value, k: &str) -> Option<String> {
    v.get(k).and_then(Value::as_str).map(str::to_string)
}

/// An integer field of a resource spec.
pub(crate) fn i(v: &Value, k: &str) -> Option<i32> {
    v.get(k).and_then(Value::as_i64).and_then(|x| i32::try_from(x).ok())
}

/// A string-array field of a resource spec.
pub(crate) fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

/// The override objects and custom baselines `plan` needs on `backend`.
pub(crate) fn desired(plan: &Plan, ex: &Explanation, backend: Backend) -> Vec<Desired> {
    let mut out = Vec::new();
    if backend != Backend::PatchPolicy {
        out.extend(override_objects::desired(plan, ex));
    }
    out.extend(baselines::desired(plan, backend, &tags::of_plan(plan)));
    out
}

/// The clients and settings for the kinds every backend shares.
#[derive(Debug, Clone)]
pub(crate) struct Shared {
    /// The AWS clients.
    pub(crate) c: Clients,
    plan: String,
    store: S3Store,
    s3: Option<S3Settings>,
    /// For a backend the plan does not use: the shared kinds are the plan's backend's to read and
    /// write, so `observe` reads none of them (the caller needs no S3 or baseline reads twice).
    own_only: bool,
}

impl Shared {
    pub(crate) fn new(c: Clients, plan: &Plan) -> Shared {
        Shared {
            store: S3Store::new(c.s3.clone()),
            plan: plan.name.clone(),
            s3: S3Settings::of(plan),
            c,
            own_only: false,
        }
    }

    /// The same, for a backend the plan does not use ([`Shared::observe`] reads nothing).
    pub(crate) fn own_only(mut self) -> Shared {
        self.own_only = true;
        self
    }

    /// The plan's override objects (when `objects`) and custom baselines.
    pub(crate) async fn observe(&self, plan: &str, desired: &[Desired], objects: bool) -> Result<Vec<Observed>, Error> {
        if self.own_only {
            return Ok(Vec::new());
        }
        let mut out = if objects {
            override_objects::observe(&self.store, self.s3.as_ref(), plan, desired).await?
        } else {
            Vec::new()
        };
        out.extend(baselines::observe(&self.c, plan, desired).await?);
        Ok(out)
    }

    /// Create an override object or a baseline; `None` for kinds the backend owns.
    pub(crate) async fn create(&self, d: &Desired) -> Option<Result<String, Error>> {
        match d.key.kind {
            Kind::OverrideObject => Some(override_objects::create(&self.store, self.s3.as_ref(), d).await),
            Kind::PatchBaseline => Some(baselines::create(&self.c, d).await),
            _ => None,
        }
    }

    /// Update an override object (never needed: content-addressed) or a baseline.
    pub(crate) async fn update(&self, o: &Observed, d: &Desired) -> Option<Result<(), Error>> {
        match d.key.kind {
            Kind::OverrideObject => Some(Ok(())),
            Kind::PatchBaseline => Some(baselines::update(&self.c, o, d).await),
            _ => None,
        }
    }

    /// Delete an override object or a baseline.
    pub(crate) async fn delete(&self, o: &Observed) -> Option<Result<(), Error>> {
        match o.key.kind {
            Kind::OverrideObject => Some(override_objects::delete(&self.store, self.s3.as_ref(), &self.plan, o).await),
            Kind::PatchBaseline => Some(baselines::delete(&self.c, o).await),
            _ => None,
        }
    }
}
