//! The one `apply` that mutates AWS: creates and updates in dependency order, deletions in
//! reverse, bounded concurrency, stopping at the first failing step (the next apply converges).

use futures::stream::{self, StreamExt};

use super::Scheduler;
use super::model::{Action, Change, Diff, Done, Ids, Key, Kind, Report};
use crate::error::{Error, Hint};

/// Calls in flight at once while applying.
pub const DEFAULT_CONCURRENCY: usize = 8;

/// Perform `diff`. Creates and updates in dependency order, deletions in reverse order (S3
/// objects last, once nothing references them). Within a step, up to `concurrency` calls run at
/// once. `progress` receives one line per action.
pub async fn apply(
    scheduler: &dyn Scheduler,
    diff: &Diff,
    concurrency: usize,
    force: bool,
    progress: &(dyn Fn(&str) + Sync),
) -> Report {
    let mut report =
        Report { plan: diff.plan.clone(), backend: diff.backend, done: Vec::new(), error: None, hint: None };
    if !force && let Err(e) = nothing_running(scheduler, diff).await {
        report.hint = e.hint();
        report.error = Some(e.to_string());
        return report;
    }
    if let Err(e) = scheduler.preflight(diff).await {
        report.hint = e.hint();
        report.error = Some(e.to_string());
        return report;
    }
    let mut ids = Ids::default();
    for c in &diff.changes {
        if let (Some(o), Action::Update | Action::Unchanged) = (&c.observed, &c.action) {
            ids.0.insert(c.key.clone(), o.id.clone());
        }
    }
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

/// Before anything changes: no window or association the diff deletes has a run that has not
/// ended — deleting it would stop the run (or lose its history). Refused as a whole, so nothing is
/// half-applied; `--force` skips the check.
async fn nothing_running(scheduler: &dyn Scheduler, diff: &Diff) -> Result<(), Error> {
    let mut running = Vec::new();
    for c in diff.changes.iter().filter(|c| c.action == Action::Delete) {
        if let Some(o) = &c.observed
            && let Some(what) = scheduler.running(o).await?
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
                    report.error = Some(format!("{}: {e}", key.label()));
                    report.hint = e.hint();
                }
                ok = false;
            }
        }
    }
    ok
}
