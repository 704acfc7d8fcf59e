//! Deletes never destroy a running thing: a window or association with a run that has not ended
//! is not deleted (by destroy or by an apply that no longer needs it) unless forced, and nothing
//! else is changed either; a past one-shot window stays for the plan's retention period, so its
//! execution history is there for `refresh`. The stand-in can leave a run in progress and drops a
//! window's execution history with the window (standin/tests/test_runs_in_progress.py).

#![cfg(feature = "aws")]

use serde_json::json;
use ssmpatch::aws::{AwsOptions, Clients};
use ssmpatch::backends::Action;
use ssmpatch::plan::{CompileOptions, Plan, Source};
use ssmpatch::session::Session;
use ssmpatch_test_support::standin::{REGION, StandIn};

fn plan_text(backend: &str, schedule: &str) -> String {
    format!(
        r#"
version = 1
name = "deletes-{backend}"
region = "{REGION}"
backend = "{backend}"

[targets]
tags = {{ "Patch Group" = "web" }}

[operations.install]
kind = "install"
schedule = "{schedule}"
"#
    )
}

fn session(text: &str, clients: &Clients, from: &str) -> Session {
    let plan = Plan::from_source(Source::new(Some("deletes.toml"), text)).expect("valid plan");
    let from: jiff::Timestamp = from.parse().expect("ts");
    let opts = CompileOptions::from(from);
    let ex = plan.explain(&opts).expect("explain");
    let additions = ssmpatch::session::additions(&plan, &ex, &opts).expect("additions");
    Session::with_clients(plan, ex, additions, clients.clone(), 4).at(from)
}

async fn applied(si: &StandIn, backend: &str) -> (Session, Clients) {
    let clients = Clients::load(&AwsOptions::stand_in(si.url(), REGION), None).await;
    let s = session(&plan_text(backend, "second tuesday at 02:00"), &clients, "2026-12-01T00:00:00Z");
    let d = s.diff().await.expect("diff");
    assert_eq!(s.apply(&d, &|_| {}).await.error, None);
    (s, clients)
}

/// The id of the only resource of `kind` the plan has, from the diff.
fn id_of(d: &ssmpatch::backends::Diff, kind: ssmpatch::backends::Kind) -> String {
    d.changes.iter().find(|c| c.key.kind == kind).and_then(|c| c.id.clone()).expect("resource id")
}

async fn refuses_then_forced(si: &StandIn, s: Session, run: &str) {
    let d = s.destroy_diff().await.expect("destroy diff");
    si.clear_calls();
    let report = s.apply(&d, &|_| {}).await;
    let e = report.error.clone().expect("refused while running");
    assert!(e.contains("would be deleted while running") && e.contains(run), "{e}");
    assert!(report.done.is_empty(), "{report:?}");
    let writes = si.writes();
    assert!(writes.is_empty(), "nothing may change while refusing: {writes:?}");
    let report = s.forced(true).apply(&d, &|_| {}).await;
    assert_eq!(report.error, None);
    assert!(report.done.iter().any(|x| x.action == Action::Delete));
}

#[tokio::test]
#[ignore = "needs the local AWS stand-in (scripts/test.sh runs it)"]
async fn a_running_window_is_not_deleted_unless_forced() {
    let si = StandIn::start();
    let (s, _clients) = applied(&si, "maintenance-window").await;
    let id = id_of(&s.diff().await.expect("diff"), ssmpatch::backends::Kind::MaintenanceWindow);
    let run = si.control("POST", &format!("windows/{id}/execute"), Some(&json!({"in_progress": true})));
    let exec = run["WindowExecutionId"].as_str().expect("execution").to_string();
    refuses_then_forced(&si, s, &exec).await;
}

#[tokio::test]
#[ignore = "needs the local AWS stand-in (scripts/test.sh runs it)"]
async fn a_running_association_is_not_deleted_unless_forced() {
    let si = StandIn::start();
    let (s, _clients) = applied(&si, "association").await;
    let id = id_of(&s.diff().await.expect("diff"), ssmpatch::backends::Kind::Association);
    let run = si.control("POST", &format!("associations/{id}/run"), Some(&json!({"in_progress": true})));
    let exec = run["ExecutionId"].as_str().expect("execution").to_string();
    refuses_then_forced(&si, s, &exec).await;
}

#[tokio::test]
#[ignore = "needs the local AWS stand-in (scripts/test.sh runs it)"]
async fn a_past_one_shot_window_is_kept_for_the_retention_period() {
    let si = StandIn::start();
    let clients = Clients::load(&AwsOptions::stand_in(si.url(), REGION), None).await;
    // "Last Sunday - 7 days" has no cron form: one-shot windows, the next ones after `from`.
    let text = plan_text("maintenance-window", "last sunday at 03:00").replace(
        "[operations.install]",
        "[operations.scan]\nkind = \"scan\"\nschedule = \"7 days before install\"\n\n[operations.install]",
    );
    let one_shots = |d: &ssmpatch::backends::Diff| -> Vec<(String, Action)> {
        d.changes
            .iter()
            .filter(|c| c.key.kind == ssmpatch::backends::Kind::MaintenanceWindow && c.key.name.contains("-at-"))
            .map(|c| (c.key.name.clone(), c.action.clone()))
            .collect()
    };
    let first = session(&text, &clients, "2026-12-01T00:00:00Z");
    let d = first.diff().await.expect("diff");
    assert_eq!(first.apply(&d, &|_| {}).await.error, None);
    let earliest = one_shots(&d).into_iter().map(|(n, _)| n).min().expect("one-shot windows");
    // Ten days after the earliest one-shot window's run (the scan of 2026-12-20): kept.
    let later = session(&text, &clients, "2026-12-30T00:00:00Z");
    let d = later.diff().await.expect("diff");
    assert!(one_shots(&d).contains(&(earliest.clone(), Action::Unchanged)), "{:?}", one_shots(&d));
    assert_eq!(later.apply(&d, &|_| {}).await.error, None);
    // Fifteen days after it: removed.
    let much_later = session(&text, &clients, "2027-01-04T00:00:00Z");
    let d = much_later.diff().await.expect("diff");
    assert!(one_shots(&d).contains(&(earliest, Action::Delete)), "{:?}", one_shots(&d));
}
