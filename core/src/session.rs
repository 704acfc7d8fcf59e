//! The one entry point both adapters (the CLI and Python) call: a [`Session`] holds a plan, its
//! explanation, what its strategy adds, the resources it needs, and the AWS clients — made once —
//! and offers `diff`, `destroy_diff`, `apply` and `refresh`. The offline counterpart,
//! [`explain`], gives the explanation with the strategy's additions.
//!
//! ```no_run
//! # async fn run() -> Result<(), ssmpatch::error::Error> {
//! use ssmpatch::plan::Plan;
//! use ssmpatch::session::{Session, SessionOptions};
//!
//! let plan = Plan::load("examples/seed-monthly.toml".as_ref())?;
//! let session = Session::open(plan, &SessionOptions::default()).await?;
//! let diff = session.diff().await?;
//! let report = session.apply(&diff, &|line: &str| eprintln!("{line}")).await;
//! # Ok(()) }
//! ```

use std::sync::Arc;

use jiff::Timestamp;

use crate::aws::{AwsOptions, Clients};
use crate::backends::{
    DEFAULT_CONCURRENCY, Definition, Desired, Diff, Kind, Observed, Report, Scheduler, Schedulers, apply, check_quotas,
    definition, diff, groups_held_elsewhere, retain_recent_one_shots, schedulers,
};
use crate::compliance::{RefreshOptions, RefreshReport};
use crate::error::Error;
use crate::plan::CompileOptions;
use crate::plan::additions::Additions;
use crate::plan::{Choice, Explanation, Plan};
use crate::schedule::Backend;

/// How a session is opened.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SessionOptions {
    /// Where and as whom to talk to AWS.
    pub aws: AwsOptions,
    /// "Now" for compiling schedules (one-shot windows, the strategy's placement).
    pub from: Timestamp,
    /// Calls in flight at once while applying and reading outputs.
    pub concurrency: usize,
    /// For `destroy`: the strategy is not loaded (its component may be gone), and nothing is
    /// lost, because destroy removes everything the plan owns, additions included.
    pub for_destroy: bool,
    /// Delete windows and associations even while one of their runs has not ended (the run is
    /// lost). Off: `apply` refuses before changing anything.
    pub force: bool,
    /// How long the plan's lease ([`Session::lock`]) lasts without renewal: how long a killed
    /// apply keeps the next one out (default [`crate::lease::DEFAULT_LEASE_TTL`]).
    pub lease_ttl: std::time::Duration,
}

impl Default for SessionOptions {
    fn default() -> Self {
        SessionOptions {
            aws: AwsOptions::default(),
            from: Timestamp::now(),
            concurrency: DEFAULT_CONCURRENCY,
            for_destroy: false,
            force: false,
            lease_ttl: crate::lease::DEFAULT_LEASE_TTL,
        }
    }
}

/// The plan explained, with what its compliance strategy adds (the `explain` output).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ExplainedPlan {
    /// Backend choice, compiled schedules, placement.
    #[serde(flatten)]
    pub explanation: Explanation,
    /// What the strategy adds.
    pub additions: Additions,
}

/// Ask the plan's strategy what it adds on the chosen backend, and place it
/// ([`crate::plan::strategy_additions`]). A plan whose strategy is `none` adds nothing (and loads
/// nothing).
pub fn additions(plan: &Plan, ex: &Explanation, opts: &CompileOptions) -> Result<Additions, Error> {
    crate::plan::strategy_additions(plan, ex, opts)
}

/// Explain `plan` offline, with its strategy's additions: the same failure is a plan error or a
/// strategy error on every path.
pub fn explain(plan: &Plan, opts: &CompileOptions) -> Result<ExplainedPlan, Error> {
    let explanation = plan.explain(opts)?;
    let additions = additions(plan, &explanation, opts)?;
    Ok(ExplainedPlan { explanation, additions })
}

/// Everything `plan`/`apply`/`destroy`/`refresh` need, read once.
#[derive(Clone)]
pub struct Session {
    /// The plan.
    pub plan: Plan,
    /// Its explanation (backend, compiled forms, placement).
    pub explanation: Explanation,
    /// What the plan's compliance strategy adds (e.g. `rescan`'s scan after the install).
    pub additions: Additions,
    /// The resources the plan needs.
    pub desired: Vec<Desired>,
    /// The backend's scheduler.
    pub scheduler: Arc<dyn Scheduler>,
    /// The other backends' schedulers: the plan's resources are looked for on every backend.
    others: Vec<Arc<dyn Scheduler>>,
    clients: Clients,
    concurrency: usize,
    from: Timestamp,
    force: bool,
    lease_ttl: std::time::Duration,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session").field("plan", &self.plan.name).field("backend", &self.explanation.backend).finish()
    }
}

impl Session {
    /// Explain the plan, ask its strategy what it adds, load the AWS clients and pick the
    /// backend's scheduler.
    pub async fn open(plan: Plan, options: &SessionOptions) -> Result<Session, Error> {
        let compile = CompileOptions::from(options.from);
        let explanation = plan.explain(&compile)?;
        let additions =
            if options.for_destroy { Additions::default() } else { additions(&plan, &explanation, &compile)? };
        let clients = Clients::load(&options.aws, plan.region()).await;
        let mut session = Session::with_clients(plan, explanation, additions, clients, options.concurrency);
        session.from = options.from;
        session.force = options.force;
        session.lease_ttl = options.lease_ttl;
        Ok(session)
    }

    /// A session over clients already made (tests, embedders).
    pub fn with_clients(
        plan: Plan,
        explanation: Explanation,
        additions: Additions,
        clients: Clients,
        concurrency: usize,
    ) -> Session {
        let def: &dyn Definition = definition(explanation.backend);
        let desired = def.desired(&plan, &explanation, &additions);
        let Schedulers { primary: scheduler, others } = schedulers(explanation.backend, &clients, &plan);
        Session {
            plan,
            explanation,
            additions,
            desired,
            scheduler,
            others,
            clients,
            concurrency: concurrency.max(1),
            from: Timestamp::now(),
            force: false,
            lease_ttl: crate::lease::DEFAULT_LEASE_TTL,
        }
    }

    /// The AWS clients.
    pub fn clients(&self) -> &Clients {
        &self.clients
    }

    /// Read the live state on every backend and diff it against the plan: what the plan owns on
    /// a backend it no longer uses, and extra copies of what it owns, are deleted (each change
    /// says why). A plan whose backend `auto` chose is refused when its resources are on another
    /// backend: moving is done by naming the new backend in the plan, never by `auto` changing
    /// its mind.
    pub async fn diff(&self) -> Result<Diff, Error> {
        let others = self.observe_others().await?;
        self.on_other_backend(&others)?;
        let mut observed = self.scheduler.observe(&self.plan.name, &self.desired).await?;
        observed.extend(others);
        let mut d = diff(&self.plan.name, self.explanation.backend, self.desired.clone(), observed);
        retain_recent_one_shots(&mut d, self.from, self.plan.one_shot_retention_days());
        groups_held_elsewhere(&self.clients, &d).await?;
        check_quotas(&self.clients, &d, &self.plan.quotas).await?;
        Ok(d)
    }

    /// The same session with "now" at `from` (the one-shot windows' retention counts from it).
    pub fn at(mut self, from: Timestamp) -> Session {
        self.from = from;
        self
    }

    /// The same session, deleting windows and associations even while they run
    /// ([`SessionOptions::force`]).
    pub fn forced(mut self, force: bool) -> Session {
        self.force = force;
        self
    }

    /// The diff that removes everything the plan owns — except Quick Setup's deployment roles,
    /// which other patch policies use and Quick Setup needs to delete this one.
    pub async fn destroy_diff(&self) -> Result<Diff, Error> {
        let kept: Vec<Desired> = self.desired.iter().filter(|d| d.key.kind != Kind::DeploymentRoles).cloned().collect();
        let mut observed = self.scheduler.observe(&self.plan.name, &kept).await?;
        observed.retain(|o| o.key.kind != Kind::DeploymentRoles);
        observed.extend(self.observe_others().await?);
        // Same-named resources that are not the plan's stay, and are reported as `plan` reports them.
        let foreign: Vec<Observed> =
            observed.iter().filter(|o| !o.owned && kept.iter().any(|d| d.key == o.key)).cloned().collect();
        let mut d = diff(&self.plan.name, self.explanation.backend, Vec::new(), observed);
        d.foreign = foreign;
        Ok(d)
    }

    /// What the plan owns on the backends it does not use: their own kinds only (windows,
    /// associations, the patch policy; baselines and override objects are read by the plan's
    /// backend).
    async fn observe_others(&self) -> Result<Vec<Observed>, Error> {
        let reads = self.others.iter().map(|s| async move {
            let backend = s.backend();
            let found = s.observe(&self.plan.name, &[]).await?;
            Ok::<_, Error>(found.into_iter().filter(move |o| o.owned && o.key.kind.backend() == Some(backend)))
        });
        let mut out = Vec::new();
        for found in futures::future::join_all(reads).await {
            out.extend(found?);
        }
        Ok(out)
    }

    /// With `backend = "auto"`: the plan's own resources on a backend other than the one `auto`
    /// chooses now (the plan or the account changed since they were made) stop `plan` and `apply`
    /// before anything changes: moving a plan deletes its windows or associations, which should
    /// happen because the plan names the new backend, not because `auto` changed its mind. Shared kinds (baselines, override objects) do not count; each other
    /// backend's own kinds do (windows, associations, the patch policy).
    fn on_other_backend(&self, others: &[Observed]) -> Result<(), Error> {
        if self.explanation.chosen != Choice::Auto {
            return Ok(());
        }
        let chosen = self.explanation.backend;
        for other in Backend::ALL.into_iter().filter(|b| *b != chosen) {
            let theirs: Vec<String> =
                others.iter().filter(|o| o.key.kind.backend() == Some(other)).map(|o| o.key.label()).collect();
            if theirs.is_empty() {
                continue;
            }
            return Err(Error::input(
                format!(
                    "nothing was changed: `backend = \"auto\"` now chooses the {} backend for plan {}, but its resources \
                     are on the {} backend ({})",
                    chosen.as_str(),
                    self.plan.name,
                    other.as_str(),
                    theirs.join(", ")
                ),
                Some(format!(
                    "keep them: set `backend = \"{}\"` in the plan; or move: run `ssmpatch destroy` with \
                     `backend = \"{}\"`, then apply with `backend = \"auto\"` (or `\"{}\"`)",
                    other.as_str(),
                    other.as_str(),
                    chosen.as_str()
                )),
            ));
        }
        Ok(())
    }

    /// Perform `diff` (nothing is called when it is empty). `progress` receives one line per
    /// action.
    pub async fn apply(&self, diff: &Diff, progress: &(dyn Fn(&str) + Sync)) -> Report {
        self.apply_while(diff, progress, &|| None).await
    }

    /// [`Session::apply`] holding the plan's `lease` ([`Session::lock`]): before each step the
    /// lease is checked, and a lost one (another apply took it over) stops this apply there.
    pub async fn apply_holding(
        &self,
        lease: &crate::lease::Lease,
        diff: &Diff,
        progress: &(dyn Fn(&str) + Sync),
    ) -> Report {
        self.apply_while(diff, progress, &|| lease.lost_error()).await
    }

    async fn apply_while(
        &self,
        diff: &Diff,
        progress: &(dyn Fn(&str) + Sync),
        held: &(dyn Fn() -> Option<Error> + Sync),
    ) -> Report {
        if diff.is_empty() {
            return Report::empty(diff);
        }
        let schedulers = Schedulers { primary: self.scheduler.clone(), others: self.others.clone() };
        apply(&schedulers, diff, self.concurrency, self.force, progress, held).await
    }

    /// What the compliance commands (refresh, status) read of this session.
    fn target(&self) -> crate::compliance::Target<'_> {
        crate::compliance::Target {
            plan: &self.plan,
            explanation: &self.explanation,
            additions: &self.additions,
            desired: &self.desired,
            scheduler: self.scheduler.as_ref(),
            clients: &self.clients,
        }
    }

    /// Refresh compliance after the plan's runs (see [`crate::compliance::refresh`]).
    pub async fn refresh(
        &self,
        opts: &RefreshOptions,
        progress: &(dyn Fn(&str) + Sync),
    ) -> Result<RefreshReport, Error> {
        crate::compliance::refresh(self.target(), opts, progress).await
    }

    /// Whether each targeted node's compliance report is current for the plan's last runs (see
    /// [`crate::compliance::status()`]). Reads only.
    pub async fn status(
        &self,
        opts: &crate::compliance::StatusOptions,
        progress: &(dyn Fn(&str) + Sync),
    ) -> Result<crate::compliance::StatusReport, Error> {
        crate::compliance::status(self.target(), opts, progress).await
    }

    /// The same session with another lease TTL ([`SessionOptions::lease_ttl`]).
    pub fn with_lease_ttl(mut self, ttl: std::time::Duration) -> Session {
        self.lease_ttl = ttl;
        self
    }

    /// Take the plan's lease for `command` ([`crate::lease`]): one apply or destroy at a time per
    /// plan. Take it before [`Session::diff`] / [`Session::destroy_diff`] (the diff must be read
    /// under it) and [`crate::lease::Lease::release`] it when the apply has ended, whatever the
    /// outcome. Fails with [`Error::Locked`] naming the holder while another holds it.
    pub async fn lock(&self, command: crate::lease::LeaseCommand) -> Result<crate::lease::Lease, Error> {
        crate::lease::Lease::acquire(&self.clients.ssm, &self.plan.name, command, self.lease_ttl).await
    }
}
