//! The stand-in's controls as the Rust SDK meets them: a create that AWS applied but answered
//! with a 5xx is retried by the SDK; where the API takes a `ClientToken` (filled in by the SDK,
//! reused on retry) the retry returns the first resource, where it does not the retry makes a
//! second one. (ssmpatch's own handling of the second case is the robustness issue's.)

#![cfg(feature = "aws")]

use serde_json::json;
use ssmpatch::aws::{AwsOptions, Clients};
use ssmpatch_test_support::standin::{REGION, StandIn};

fn applied_then_error(si: &StandIn, operation: &str) {
    si.set_faults(&json!({"rules": [{"operation": operation, "kind": "applied-then-error", "times": 1}]}));
}

fn calls_of(si: &StandIn, operation: &str) -> usize {
    si.calls().iter().filter(|c| c["name"] == operation).count()
}

#[tokio::test]
#[ignore = "needs the local AWS stand-in (scripts/test.sh runs it)"]
async fn a_retried_create_with_a_client_token_makes_one_window() {
    let si = StandIn::start();
    let clients = Clients::load(&AwsOptions::stand_in(si.url(), REGION), None).await;
    applied_then_error(&si, "CreateMaintenanceWindow");
    let id = clients
        .ssm
        .create_maintenance_window()
        .name("token-window")
        .schedule("cron(0 3 ? * SUN *)")
        .duration(2)
        .cutoff(1)
        .allow_unassociated_targets(false)
        .send()
        .await
        .expect("the SDK retries the 5xx")
        .window_id
        .expect("id");
    assert_eq!(calls_of(&si, "CreateMaintenanceWindow"), 2, "applied, answered 500, retried");
    let windows = clients.ssm.describe_maintenance_windows().send().await.expect("windows");
    let ids: Vec<&str> = windows.window_identities().iter().filter_map(|w| w.window_id()).collect();
    assert_eq!(ids, [id.as_str()], "exactly one window");
}

#[tokio::test]
#[ignore = "needs the local AWS stand-in (scripts/test.sh runs it)"]
async fn a_retried_create_without_a_token_duplicates_an_association() {
    let si = StandIn::start();
    let clients = Clients::load(&AwsOptions::stand_in(si.url(), REGION), None).await;
    applied_then_error(&si, "CreateAssociation");
    let target = aws_sdk_ssm::types::Target::builder().key("tag:Patch Group").values("web").build();
    clients
        .ssm
        .create_association()
        .name("AWS-RunPatchBaseline")
        .association_name("no-token")
        .targets(target)
        .schedule_expression("cron(0 2 ? * SUN *)")
        .apply_only_at_cron_interval(true)
        .parameters("Operation", vec!["Scan".to_string()])
        .send()
        .await
        .expect("the SDK retries the 5xx");
    assert_eq!(calls_of(&si, "CreateAssociation"), 2);
    let list = clients.ssm.list_associations().send().await.expect("associations");
    assert_eq!(list.associations().len(), 2, "CreateAssociation takes no ClientToken: the retry made a second one");
}
