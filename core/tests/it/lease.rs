//! The plan lease (`ssmpatch::lease`) on the local AWS stand-in: acquired once, refused while held
//! naming the holder, taken over when expired (exactly one of two at once), renewed while held,
//! kept against a takeover attempt that lost, lost when it cannot be renewed in time, released at
//! the end or when dropped.

#![cfg(feature = "aws")]

use std::time::Duration;

use serde_json::{Value, json};
use ssmpatch::aws::{AwsOptions, Clients};
use ssmpatch::error::{Error, Hint};
use ssmpatch::lease::{Lease, LeaseCommand, parameter_name};
use ssmpatch::plan::{CompileOptions, Plan, Source};
use ssmpatch::session::Session;
use ssmpatch_test_support::standin::{REGION, StandIn};

const TTL: Duration = Duration::from_secs(600);

async fn clients(si: &StandIn) -> Clients {
    Clients::load(&AwsOptions::stand_in(si.url(), REGION), None).await
}

/// The lease parameter's value (as JSON) and version, if it exists.
async fn stored(c: &Clients, plan: &str) -> Option<(Value, i64)> {
    let out = c.ssm.get_parameter().name(parameter_name(plan).expect("name")).send().await.ok()?;
    let p = out.parameter()?;
    Some((serde_json::from_str(p.value()?).expect("a lease record"), p.version()))
}

/// Writes a lease record by hand (another process's, possibly expired).
async fn write(c: &Clients, plan: &str, record: &Value, overwrite: bool) -> i64 {
    let mut call =
        c.ssm.put_parameter().name(parameter_name(plan).expect("name")).value(record.to_string()).overwrite(overwrite);
    if !overwrite {
        call = call.r#type(aws_sdk_ssm::types::ParameterType::String);
    }
    call.send().await.expect("put").version()
}

fn other_holder(expires: &str) -> Value {
    json!({"owner": "alice", "host": "build-7", "pid": 4242, "command": "apply",
           "acquired": "2026-01-01T00:00:00Z", "expires": expires, "token": "0123456789abcdef0123456789abcdef"})
}

/// Waits (polling, at most `limit`) until `done` holds.
async fn until(limit: Duration, mut done: impl AsyncFnMut() -> bool) -> bool {
    let deadline = std::time::Instant::now() + limit;
    while std::time::Instant::now() < deadline {
        if done().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

#[tokio::test]
#[ignore = "needs the local AWS stand-in (scripts/test.sh runs it)"]
async fn a_held_lease_refuses_a_second_apply_naming_the_holder_until_released() {
    let si = StandIn::start();
    let c = clients(&si).await;
    let first = Lease::acquire(&c.ssm, "web", LeaseCommand::Apply, TTL).await.expect("first acquire");
    assert_eq!(first.parameter(), "/lease/ssmpatch/web");
    let (record, version) = stored(&c, "web").await.expect("the lease parameter exists");
    assert_eq!(version, 1);
    assert_eq!(record["pid"], std::process::id());
    assert_eq!(record["command"], "apply");

    let e = Lease::acquire(&c.ssm, "web", LeaseCommand::Destroy, TTL).await.expect_err("held");
    let Error::Locked { plan, parameter, holder, race, .. } = &e else { panic!("not Locked: {e:?}") };
    assert_eq!((plan.as_str(), parameter.as_str(), *race), ("web", "/lease/ssmpatch/web", false));
    assert!(holder.contains(&format!("pid {}", std::process::id())) && holder.contains("apply"), "{holder}");
    let message = e.to_string();
    assert!(message.contains("plan `web` is locked") && message.contains("/lease/ssmpatch/web"), "{message}");
    let hint = e.hint().expect("a hint");
    assert!(hint.contains("takes it over by itself") && hint.contains("Deleting parameter"), "{hint}");
    // A lease on another plan is another parameter.
    let other = Lease::acquire(&c.ssm, "db", LeaseCommand::Apply, TTL).await.expect("another plan");

    first.release().await.expect("release");
    assert!(stored(&c, "web").await.is_none(), "released: the parameter is gone");
    let again = Lease::acquire(&c.ssm, "web", LeaseCommand::Apply, TTL).await.expect("free again");
    again.release().await.expect("release");
    other.release().await.expect("release");
    assert!(stored(&c, "db").await.is_none());
}

#[tokio::test]
#[ignore = "needs the local AWS stand-in (scripts/test.sh runs it)"]
async fn an_unexpired_lease_of_another_process_is_refused_and_an_expired_one_taken_over() {
    let si = StandIn::start();
    let c = clients(&si).await;
    write(&c, "web", &other_holder("2999-01-01T00:00:00Z"), false).await;
    let e = Lease::acquire(&c.ssm, "web", LeaseCommand::Apply, TTL).await.expect_err("held by alice");
    assert!(e.to_string().contains("alice on build-7 (pid 4242, apply)"), "{e}");

    write(&c, "web", &other_holder("2026-01-01T00:10:00Z"), true).await; // version 2, expired
    let lease = Lease::acquire(&c.ssm, "web", LeaseCommand::Apply, TTL).await.expect("expired: taken over");
    let (record, version) = stored(&c, "web").await.expect("lease");
    assert_eq!(version, 3, "the takeover is the next version");
    assert_eq!(record["pid"], std::process::id());
    assert_eq!(record["takeover_of"], 2);
    lease.release().await.expect("release");
    assert!(stored(&c, "web").await.is_none());
}

#[tokio::test]
#[ignore = "needs the local AWS stand-in (scripts/test.sh runs it)"]
async fn of_two_acquires_at_once_exactly_one_wins_free_or_expired() {
    let si = StandIn::start();
    let c = clients(&si).await;
    for round in 0..6 {
        let plan = format!("race-{round}");
        if round % 2 == 1 {
            // An expired lease both try to take over.
            write(&c, &plan, &other_holder("2026-01-01T00:10:00Z"), false).await;
        }
        let (a, b) = tokio::join!(
            Lease::acquire(&c.ssm, &plan, LeaseCommand::Apply, TTL),
            Lease::acquire(&c.ssm, &plan, LeaseCommand::Apply, TTL)
        );
        let (won, lost) = match (a, b) {
            (Ok(w), Err(l)) | (Err(l), Ok(w)) => (w, l),
            (Ok(_), Ok(_)) => panic!("round {round}: both acquired the lease"),
            (Err(x), Err(y)) => panic!("round {round}: neither acquired it: {x} / {y}"),
        };
        assert!(matches!(lost, Error::Locked { .. }), "round {round}: {lost:?}");
        won.release().await.expect("release");
        assert!(stored(&c, &plan).await.is_none());
    }
}

#[tokio::test]
#[ignore = "needs the local AWS stand-in (scripts/test.sh runs it)"]
async fn a_held_lease_is_renewed_and_keeps_it_against_a_takeover_that_lost() {
    let si = StandIn::start();
    let c = clients(&si).await;
    let ttl = Duration::from_secs(6);
    let lease = Lease::acquire(&c.ssm, "web", LeaseCommand::Apply, ttl).await.expect("acquire");
    let (first, _) = stored(&c, "web").await.expect("lease");
    // Renewed every 2 s with a later expiry, the acquisition time kept.
    assert!(until(Duration::from_secs(30), async || stored(&c, "web").await.is_some_and(|(_, v)| v >= 3)).await);
    let (renewed, _) = stored(&c, "web").await.expect("lease");
    assert!(renewed["expires"].as_str() > first["expires"].as_str(), "{first} -> {renewed}");
    assert_eq!(renewed["acquired"], first["acquired"]);
    assert_eq!(renewed["token"], first["token"]);

    // Another apply that read an old version as expired and lost the swap overwrote the value:
    // the holder's next renewal takes it back, and the lease is still held.
    let (_, v) = stored(&c, "web").await.expect("lease");
    let mut loser = other_holder("2999-01-01T00:00:00Z");
    loser["takeover_of"] = json!(v - 1);
    write(&c, "web", &loser, true).await;
    assert!(
        until(Duration::from_secs(30), async || stored(&c, "web")
            .await
            .is_some_and(|(r, _)| r["token"] == first["token"]))
        .await,
        "the holder renewed over the losing write"
    );
    assert_eq!(lease.lost(), None);
    lease.release().await.expect("release");
    assert!(stored(&c, "web").await.is_none(), "released after a losing write in between");
}

#[tokio::test]
#[ignore = "needs the local AWS stand-in (scripts/test.sh runs it)"]
async fn a_lease_that_cannot_be_renewed_before_it_expires_is_lost_and_not_deleted() {
    let si = StandIn::start();
    let c = clients(&si).await;
    let lease = Lease::acquire(&c.ssm, "web", LeaseCommand::Apply, Duration::from_secs(5)).await.expect("acquire");
    si.set_faults(&json!({"rules": [{"operation": "PutParameter", "kind": "throttle"}]}));
    assert!(until(Duration::from_secs(60), async || lease.lost().is_some()).await, "never reported lost");
    let why = lease.lost().expect("lost");
    assert!(why.contains("expired"), "{why}");
    let e = lease.lost_error().expect("error");
    assert!(e.to_string().contains("was lost while this apply held it"), "{e}");
    si.clear_faults();
    // Another process may hold it by now: a lost lease is not deleted.
    lease.release().await.expect("release");
    assert!(stored(&c, "web").await.is_some());
}

#[tokio::test]
#[ignore = "needs the local AWS stand-in (scripts/test.sh runs it)"]
async fn a_lease_dropped_without_release_is_released_in_the_background() {
    let si = StandIn::start();
    let c = clients(&si).await;
    drop(Lease::acquire(&c.ssm, "web", LeaseCommand::Destroy, TTL).await.expect("acquire"));
    assert!(until(Duration::from_secs(30), async || stored(&c, "web").await.is_none()).await);
}

#[tokio::test]
#[ignore = "needs the local AWS stand-in (scripts/test.sh runs it)"]
async fn a_parameter_that_is_not_a_lease_is_never_overwritten() {
    let si = StandIn::start();
    let c = clients(&si).await;
    c.ssm
        .put_parameter()
        .name("/lease/ssmpatch/web")
        .value("someone else's value")
        .r#type(aws_sdk_ssm::types::ParameterType::String)
        .send()
        .await
        .expect("put");
    let e = Lease::acquire(&c.ssm, "web", LeaseCommand::Apply, TTL).await.expect_err("foreign");
    assert!(matches!(e, Error::Foreign(_)) && e.to_string().contains("/lease/ssmpatch/web"), "{e}");
    let out = c.ssm.get_parameter().name("/lease/ssmpatch/web").send().await.expect("get");
    assert_eq!(out.parameter().and_then(|p| p.value()), Some("someone else's value"));
}

#[tokio::test]
#[ignore = "needs the local AWS stand-in (scripts/test.sh runs it)"]
async fn a_session_locks_its_plan_with_its_ttl() {
    let si = StandIn::start();
    let c = clients(&si).await;
    let text = format!(
        "version = 1\nname = \"locked-plan\"\nregion = \"{REGION}\"\nbackend = \"association\"\n\n[targets]\ntags = \
         {{ \"Patch Group\" = \"web\" }}\n\n[operations.scan]\nkind = \"scan\"\nschedule = \"every day at 01:00\"\n"
    );
    let plan = Plan::from_source(Source::new(Some("locked.toml"), text)).expect("plan");
    let opts = CompileOptions::from("2026-06-01T00:00:00Z".parse().expect("ts"));
    let ex = plan.explain(&opts).expect("explain");
    let s = Session::with_clients(plan, ex, Default::default(), c.clone(), 2).with_lease_ttl(Duration::from_secs(42));
    let lease = s.lock(LeaseCommand::Apply).await.expect("lock");
    let (record, _) = stored(&c, "locked-plan").await.expect("lease");
    let acquired: jiff::Timestamp = record["acquired"].as_str().expect("acquired").parse().expect("instant");
    let expires: jiff::Timestamp = record["expires"].as_str().expect("expires").parse().expect("instant");
    assert_eq!(expires.duration_since(acquired).as_secs(), 42);
    assert!(matches!(s.lock(LeaseCommand::Destroy).await, Err(Error::Locked { .. })));
    lease.release().await.expect("release");
}

#[tokio::test]
#[ignore = "needs the local AWS stand-in (scripts/test.sh runs it)"]
async fn an_apply_whose_lease_was_lost_stops_before_its_next_step() {
    let si = StandIn::start();
    let c = clients(&si).await;
    let text = format!(
        "version = 1\nname = \"lost-plan\"\nregion = \"{REGION}\"\nbackend = \"association\"\n\n[targets]\ntags = \
         {{ \"Patch Group\" = \"web\" }}\n\n[operations.scan]\nkind = \"scan\"\nschedule = \"every day at 01:00\"\n"
    );
    let plan = Plan::from_source(Source::new(Some("lost.toml"), text)).expect("plan");
    let opts = CompileOptions::from("2026-06-01T00:00:00Z".parse().expect("ts"));
    let ex = plan.explain(&opts).expect("explain");
    let s = Session::with_clients(plan, ex, Default::default(), c.clone(), 2).with_lease_ttl(Duration::from_secs(5));
    let lease = s.lock(LeaseCommand::Apply).await.expect("lock");
    let d = s.diff().await.expect("plan");
    assert!(!d.is_empty(), "the plan creates its association");
    // While this apply waited (at a prompt, say), its lease could not be renewed and expired.
    si.set_faults(&json!({"rules": [{"operation": "PutParameter", "kind": "throttle"}]}));
    assert!(until(Duration::from_secs(60), async || lease.lost().is_some()).await, "never reported lost");
    si.clear_faults();
    let r = s.apply_holding(&lease, &d, &|_| {}).await;
    let e = r.error.expect("stopped");
    assert!(e.contains("was lost while this apply held it"), "{e}");
    assert!(r.done.is_empty(), "nothing was changed: {:?}", r.done);
    let listed = c.ssm.list_associations().send().await.expect("list");
    assert!(listed.associations().is_empty(), "no association was created");
    lease.release().await.expect("release");
}

#[tokio::test]
#[ignore = "needs the local AWS stand-in (scripts/test.sh runs it)"]
async fn release_deletes_a_lease_a_losing_takeover_wrote_over_but_not_anothers() {
    let si = StandIn::start();
    let c = clients(&si).await;
    // We take over an expired lease (version 2); the other contender's takeover write lands
    // after ours (version 3, its token, `takeover_of` 1): it lost, the lease is ours to delete.
    write(&c, "web", &other_holder("2026-01-01T00:10:00Z"), false).await;
    let lease = Lease::acquire(&c.ssm, "web", LeaseCommand::Apply, TTL).await.expect("take over");
    let mut loser = other_holder("2099-01-01T00:00:00Z");
    loser["token"] = json!("ffffffffffffffffffffffffffffffff");
    loser["takeover_of"] = json!(1);
    assert_eq!(write(&c, "web", &loser, true).await, 3);
    lease.release().await.expect("release");
    assert!(stored(&c, "web").await.is_none(), "the losing write is gone with our lease");
    // A lease of another process over ours without a takeover (made again after a delete):
    // never deleted by our release.
    let lease = Lease::acquire(&c.ssm, "web", LeaseCommand::Apply, TTL).await.expect("acquire");
    c.ssm.delete_parameter().name(parameter_name("web").expect("name")).send().await.expect("delete by hand");
    write(&c, "web", &other_holder("2099-01-01T00:00:00Z"), false).await;
    lease.release().await.expect("release");
    assert!(stored(&c, "web").await.is_some(), "another holder's lease stays");
}
