//! The one `apply` that mutates AWS: creates and updates in dependency order, deletions in
//! reverse, bounded concurrency, stopping at the first failing step (the next apply converges).
//! Each change goes to the backend whose kind it is ([`Schedulers`]), so a plan that moved
//! backends creates on the new one first and then removes what it owned on the old one.

use std::sync::Arc;

use futures::stream::{self, StreamExt};

use super::Scheduler;
use super::model::{Action, Change, Diff, Done, Ids, Key, Kind, Report};
use crate::error::Error;
use crate::schedule::Backend;

/// The plan's backend and the others (whose resources the plan may still own).
#[derive(Clone)]
pub struct Schedulers {
    /// The backend the plan uses.
    pub primary: Arc<dyn Scheduler>,
    /// The other backends.
    pub others: Vec<Arc<dyn Scheduler>>,
}

impl std::fmt::Debug for Schedulers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let others: Vec<Backend> = self.others.iter().map(|s| s.backend()).collect();
        f.debug_struct("Schedulers").field("primary", &self.primary.backend()).field("others", &others).finish()
    }
}

impl Schedulers {
    /// Only `primary` (a diff without other backends' resources).
    pub fn one(primary: Arc<dyn Scheduler>) -> Schedulers {
        Schedulers { primary, others: Vec::new() }
    }

    /// The scheduler that writes `kind`: its backend's, or the plan's for shared kinds.
    pub fn for_kind(&self, kind: Kind) -> &dyn Scheduler {
        self.for_backend(kind.backend()).unwrap_or(self.primary.as_ref())
    }

    fn for_backend(&self, backend: Option<Backend>) -> Option<&dyn Scheduler> {
        let b = backend?;
        std::iter::once(&self.primary).chain(&self.others).find(|s| s.backend() == b).map(|s| s.as_ref())
    }
}

/// Calls in flight at once while applying.
pub const DEFAULT_CONCURRENCY: usize = 8;

/// Perform `diff`. Creates and updates in dependency order, deletions in reverse order (S3
/// objects last, once nothing references them). Within a step, up to `concurrency` calls run at
/// once. `progress` receives one line per action.
pub async fn apply(
    schedulers: &Schedulers,
    diff: &Diff,
    concurrency: usize,
    force: bool,
    progress: &(dyn Fn(&str) + Sync),
    held: &(dyn Fn() -> Option<Error> + Sync),
) -> Report {
    let mut report = Report::empty(diff);
    if let Err(e) = not_in_the_way(diff) {
        report.stopped(e.to_string(), &e);
        return report;
    }
    if !force && let Err(e) = nothing_running(schedulers, diff).await {
        report.stopped(e.to_string(), &e);
        return report;
    }
    // Each backend with changes checks what they need (a patch policy's deployment roles).
    let mut checked = Vec::new();
    for c in diff.changes.iter().filter(|c| c.action != Action::Unchanged) {
        let s = schedulers.for_kind(c.key.kind);
        if checked.contains(&s.backend()) {
            continue;
        }
        checked.push(s.backend());
        if let Err(e) = s.preflight(diff).await {
            report.stopped(e.to_string(), &e);
            return report;
        }
    }
    let mut ids = Ids::default();
    for c in &diff.changes {
        if let (Some(o), Action::Update | Action::Unchanged) = (&c.observed, &c.action) {
            ids.0.insert(c.key.clone(), o.id.clone());
        }
    }
    let concurrency = concurrency.max(1);
    for kind in Kind::ORDER {
        if stop_unless_held(&mut report, held) {
            return report;
        }
        let ids_now = ids.clone();
        let futs: Vec<_> = diff
            .changes
            .iter()
            .filter(|c| c.key.kind == kind && matches!(c.action, Action::Create | Action::Update))
            .map(|c| write_one(schedulers.for_kind(c.key.kind), &diff.plan, c, &ids_now, progress))
            .collect();
        let results: Vec<Outcome> = stream::iter(futs).buffer_unordered(concurrency).collect().await;
        if !record(&mut report, &mut ids, results) {
            return report;
        }
    }
    for kind in Kind::ORDER.iter().rev() {
        if stop_unless_held(&mut report, held) {
            return report;
        }
        let futs: Vec<_> = diff
            .changes
            .iter()
            .filter(|c| c.key.kind == *kind && c.action == Action::Delete)
            .map(|c| delete_one(schedulers.for_kind(c.key.kind), c, progress))
            .collect();
        let results: Vec<Outcome> = stream::iter(futs).buffer_unordered(concurrency).collect().await;
        if !record(&mut report, &mut ids, results) {
            return report;
        }
    }
    report
}

/// Before each step: the plan's lease is still held (`held` says why not). Another apply may
/// have taken it over, so this one stops; what it did is reported.
fn stop_unless_held(report: &mut Report, held: &(dyn Fn() -> Option<Error> + Sync)) -> bool {
    match held() {
        None => false,
        Some(e) => {
            report.stopped(e.to_string(), &e);
            true
        }
    }
}

/// Before anything changes: no window or association the diff deletes has a run that has not
/// ended — deleting it would stop the run (or lose its history). Refused as a whole, so nothing is
/// half-applied; `--force` skips the check.
async fn nothing_running(schedulers: &Schedulers, diff: &Diff) -> Result<(), Error> {
    let mut running = Vec::new();
    for c in diff.changes.iter().filter(|c| c.action == Action::Delete) {
        if let Some(o) = &c.observed
            && let Some(what) = schedulers.for_kind(c.key.kind).running(o).await?
        {
            running.push(format!("{} ({what})", c.key.label()));
        }
    }
    if running.is_empty() {
        return Ok(());
    }
    Err(Error::input(
        format!("nothing was changed: {} would be deleted while running", running.join(", ")),
        Some("apply again when the run has ended, or pass --force to delete it anyway (the run is lost)".into()),
    ))
}

/// Before anything changes: nothing the diff creates has a same-named resource that ssmpatch did
/// not make for this plan — creating beside it would leave two of a name, one of them not the
/// plan's. Refused as a whole. (Override objects are content-addressed: their create refuses an
/// object with other bytes under its key itself, naming it, and nothing refers to it yet.)
fn not_in_the_way(diff: &Diff) -> Result<(), Error> {
    let blocked: Vec<String> = diff
        .changes
        .iter()
        .filter(|c| c.action == Action::Create && c.key.kind != Kind::OverrideObject)
        .filter_map(|c| diff.foreign.iter().find(|f| f.key == c.key))
        .map(|f| format!("{} ({})", f.key.label(), f.id))
        .collect();
    if blocked.is_empty() {
        return Ok(());
    }
    Err(Error::Foreign(format!(
        "nothing was changed: {} {} the name the plan would create, but {} not created by ssmpatch for plan {} (no \
         ownership tags)",
        blocked.join(", "),
        if blocked.len() == 1 { "has" } else { "have" },
        if blocked.len() == 1 { "it was" } else { "they were" },
        diff.plan
    )))
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
            scheduler.create_reporting(plan, d, ids, progress).await
        }
        (Action::Update, Some(d), Some(o)) => {
            progress(&format!("updating {}", c.key.label()));
            scheduler.update_reporting(plan, o, d, ids, progress).await.map(|()| o.id.clone())
        }
        _ => Err(Error::Internal(format!("inconsistent change for {}", c.key.label()))),
    };
    (c.key.clone(), c.action.clone(), r)
}

async fn delete_one(scheduler: &dyn Scheduler, c: &Change, progress: &(dyn Fn(&str) + Sync)) -> Outcome {
    let r = match &c.observed {
        Some(o) => {
            progress(&format!("deleting {}", c.key.label()));
            scheduler.delete_reporting(o, progress).await.map(|()| o.id.clone())
        }
        None => Err(Error::Internal(format!("nothing to delete for {}", c.key.label()))),
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
                    report.stopped(format!("{}: {e}", key.label()), &e);
                }
                ok = false;
            }
        }
    }
    ok
}
