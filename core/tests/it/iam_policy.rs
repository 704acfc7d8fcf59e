//! `ssmpatch iam-policy --for COMMAND`: on each backend, each command run against the stand-in
//! with IAM enforced — the printed policy document itself, resources and conditions included —
//! uses exactly the actions of its policy (none refused, none unused), an empty policy fails, and
//! removing any one action makes that command fail with AccessDenied naming it (ablation).
//! `SSMPATCH_IAM_NO_ABLATION=1` skips the ablation (about two minutes for the three backends).

#![cfg(feature = "aws")]

use std::collections::BTreeSet;

use serde_json::{Value, json};
use ssmpatch::aws::{AwsOptions, Clients};
use ssmpatch::backends::{Action, IamCommand, PolicyOptions};
use ssmpatch::compliance::status::StatusOptions;
use ssmpatch::compliance::{NodeResult, RefreshOptions};
use ssmpatch::lease::LeaseCommand;
use ssmpatch::plan::{CompileOptions, Plan, Source};
use ssmpatch::schedule::Backend;
use ssmpatch::session::Session;
use ssmpatch_test_support::standin::{REGION, StandIn, openssl_node};

const BUCKET: &str = "iam-artifacts";
const NODES: [&str; 2] = ["i-00000000000000a01", "i-00000000000000a02"];
/// A node whose install fails (`status` reads why).
const FAILING: &str = "i-00000000000000a03";

/// The plan before (`v2 = false`) and after a change that updates, creates and deletes: the
/// install's schedule and approval change, the scan goes, a check operation comes, tags change,
/// the Ubuntu baseline goes, the targets take another tag value (not on patch policies, which
/// take one tag value).
fn plan_text(backend: &str, v2: bool) -> String {
    let (approval, placement) = if backend == "patch-policy" {
        ("", "")
    } else {
        (
            if v2 { "approval = { approve-after-days = 28 }" } else { "approval = { approve-after-days = 21 }" },
            "baseline-rules-from = \"declared\"",
        )
    };
    let tags = if v2 { r#"tags = { team = "web", tier = "1" }"# } else { r#"tags = { team = "web", owner = "ops" }"# };
    let days = if v2 { 10 } else { 7 };
    let install = if v2 { "second wednesday at 03:00" } else { "second tuesday at 02:00" };
    let ubuntu = if v2 { "" } else { "[[baselines.UBUNTU.approval-rules]]\napprove-after-days = 3\n" };
    let targets = if v2 && backend != "patch-policy" { r#""web", Rack = "r1""# } else { r#""web""# };
    let other = match (backend, v2) {
        ("patch-policy", _) => String::new(),
        (_, false) => "[operations.scan]\nkind = \"scan\"\nschedule = \"every sunday at 01:00\"\n".into(),
        (_, true) => "[operations.check]\nkind = \"scan\"\nschedule = \"every saturday at 01:00\"\n".into(),
    };
    format!(
        r#"
version = 1
name = "iam-plan"
region = "{REGION}"
backend = "{backend}"
{tags}
{placement}

[targets]
tags = {{ "Patch Group" = {targets} }}

[[baselines.AMAZON_LINUX_2023.approval-rules]]
approve-after-days = {days}

{ubuntu}
[operations.install]
kind = "install"
schedule = "{install}"
{approval}

{other}

[compliance]
strategy = "put-compliance-items"

[s3]
bucket = "{BUCKET}"
"#
    )
}

fn session(text: String, clients: &Clients) -> Session {
    let plan = Plan::from_source(Source::new(Some("iam.toml"), text)).expect("valid plan");
    let opts = CompileOptions::from("2026-06-01T00:00:00Z".parse().expect("ts"));
    let ex = plan.explain(&opts).expect("explain");
    let additions = ssmpatch::session::additions(&plan, &ex, &opts).expect("additions");
    Session::with_clients(plan, ex, additions, clients.clone(), 4)
}

async fn prepared(si: &StandIn, backend: &str) -> Clients {
    si.reset();
    si.settings(&json!({"page_size": 2}));
    si.create_quick_setup_roles();
    let clients = Clients::load(&AwsOptions::stand_in(si.url(), REGION), None).await;
    clients.s3.create_bucket().bucket(BUCKET).send().await.expect("bucket");
    let nodes: Vec<Value> =
        NODES.iter().map(|id| openssl_node(id, json!({"Patch Group": "web", "Rack": "r1"}), false)).collect();
    si.seed_nodes(&json!({"region": REGION, "nodes": nodes}));
    // The nodes' role as `ssmpatch iam-policy --node` prints it (both versions: same bucket and
    // plan), and the folder of the override someone runs by hand (RefreshCommand).
    let plan = Plan::from_source(Source::new(Some("iam.toml"), plan_text(backend, true))).expect("plan");
    let b: Backend = backend.parse().expect("backend");
    let mut node = ssmpatch::backends::node_policy(&plan, b, &PolicyOptions::new(&plan)).expect("a node policy");
    node["Statement"].as_array_mut().expect("statements").push(json!({
        "Effect": "Allow", "Action": "s3:GetObject", "Resource": format!("arn:aws:s3:::{BUCKET}/by-hand/*")}));
    si.grant_nodes(REGION, &node);
    clients
}

/// The IAM actions of the calls made since the log was last cleared (with the dependent actions
/// the stand-in checked for them).
fn actions(si: &StandIn) -> BTreeSet<String> {
    si.calls()
        .iter()
        .flat_map(|c| {
            let mut v: Vec<String> = c["action"].as_str().map(str::to_string).into_iter().collect();
            v.extend(
                c["dependent"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|d| d["action"].as_str().map(str::to_string)),
            );
            v
        })
        // "No permissions are required to perform this operation" (STS API reference).
        .filter(|a| a != "sts:GetCallerIdentity")
        .collect()
}

/// Every action a policy document allows.
fn policy_actions(policy: &Value) -> BTreeSet<String> {
    policy["Statement"]
        .as_array()
        .expect("statements")
        .iter()
        .flat_map(|s| s["Action"].as_array().cloned().unwrap_or_default())
        .filter_map(|a| a.as_str().map(str::to_string))
        .collect()
}

/// `policy` without `action` (a statement left with no action goes).
fn without(policy: &Value, action: &str) -> Value {
    let mut p = policy.clone();
    let statements = p["Statement"].as_array_mut().expect("statements");
    for st in statements.iter_mut() {
        if let Some(list) = st["Action"].as_array_mut() {
            list.retain(|a| a != action);
        }
    }
    statements.retain(|st| st["Action"].as_array().is_none_or(|l| !l.is_empty()));
    p
}

/// One way a command runs: what is in the account before it (made without IAM), then the command.
#[derive(Debug, Clone, Copy)]
enum Scenario {
    /// `plan` of the first version in an empty account.
    PlanEmpty,
    /// `plan` of the second version over the first.
    PlanChange,
    /// `plan` of the first version over itself (nothing to change).
    PlanSame,
    /// `apply` of the first version in an empty account (the first window task in the account
    /// creates the service-linked role).
    ApplyEmpty,
    /// `apply` of the second version over the first (updates, creates, deletes), after someone
    /// changed the plan's resources by hand (see [`stray`]).
    ApplyChange,
    /// `apply` of the first version over itself (nothing to change).
    ApplySame,
    /// `refresh` after the install ran.
    RefreshRuns,
    /// `refresh --command-id` of an AWS-RunPatchBaseline command started by hand.
    RefreshCommand,
    /// `destroy` after the install ran.
    Destroy,
    /// `plan` of the first version while the plan's resources are on the two other backends
    /// (the plan moved, twice).
    PlanMoved,
    /// `apply` of the first version over the plan's resources on the two other backends: it
    /// creates here and deletes there.
    ApplyMoved,
    /// `destroy` with the plan's resources on every backend.
    DestroyMoved,
    /// `status` after the install ran on the nodes and a third whose install fails, and a scan
    /// without override by hand on one node (a suspect: the commands sent to it are read).
    StatusRuns,
    /// The same with each window task run as one command for all its nodes (the stand-in's
    /// `window_commands: per-task`): each node's status comes from Run Command.
    StatusSharedCommand,
}

fn scenarios(backend: &str, command: IamCommand) -> Vec<Scenario> {
    use Scenario::*;
    match command {
        IamCommand::Plan => vec![PlanEmpty, PlanChange, PlanSame, PlanMoved],
        IamCommand::Apply => vec![ApplyEmpty, ApplyChange, ApplySame, ApplyMoved],
        IamCommand::Refresh if backend == "patch-policy" => vec![RefreshCommand],
        IamCommand::Refresh => vec![RefreshRuns, RefreshCommand],
        IamCommand::Destroy => vec![Destroy, DestroyMoved],
        IamCommand::Status if backend == "maintenance-window" => vec![StatusRuns, StatusSharedCommand],
        IamCommand::Status => vec![StatusRuns],
    }
}

async fn apply(s: &Session) {
    let d = s.diff().await.expect("setup: plan");
    assert_eq!(s.apply(&d, &|_| {}).await.error, None, "setup: apply");
}

/// `work` under the plan's lease, as the CLI and Python run apply and destroy.
async fn locked<'s, F, Fut>(s: &'s Session, command: LeaseCommand, work: F) -> Result<(), String>
where
    F: FnOnce(&'s Session) -> Fut,
    Fut: std::future::Future<Output = Result<(), String>>,
{
    let lease = s.lock(command).await.map_err(|e| e.to_string())?;
    let r = work(s).await;
    let released = lease.release().await.map_err(|e| e.to_string());
    r.and(released)
}

/// Apply `s` without deleting what the plan owns on the other backends (as releases that read
/// only the plan's backend left it).
async fn apply_here_only(s: &Session) {
    let d = s.diff().await.expect("setup: plan");
    let changes =
        d.changes.into_iter().filter(|c| c.action != Action::Delete || c.key.kind.backend().is_none()).collect();
    let d = ssmpatch::backends::Diff { changes, ..d };
    assert_eq!(s.apply(&d, &|_| {}).await.error, None, "setup: apply");
}

/// The install operation's window or association id.
async fn install_id(clients: &Clients, backend: &str) -> String {
    match backend {
        "maintenance-window" => {
            let pages: Vec<_> =
                clients.ssm.describe_maintenance_windows().into_paginator().items().send().collect().await;
            let all: Vec<_> = pages.into_iter().collect::<Result<_, _>>().expect("windows");
            all.iter()
                .find(|w| w.name().is_some_and(|n| n.ends_with("-install")))
                .and_then(|w| w.window_id())
                .expect("install window")
                .to_string()
        }
        _ => {
            let pages: Vec<_> = clients.ssm.list_associations().into_paginator().items().send().collect().await;
            let all: Vec<_> = pages.into_iter().collect::<Result<_, _>>().expect("associations");
            all.iter()
                .find(|a| a.association_name().is_some_and(|n| n.ends_with("-install")))
                .and_then(|a| a.association_id())
                .expect("install association")
                .to_string()
        }
    }
}

/// What someone did by hand to the plan's resources: in the install window, another target and
/// another task (apply removes both); on the patch policy, another description (apply restores it).
async fn stray(clients: &Clients, backend: &str) {
    match backend {
        "maintenance-window" => {
            let id = install_id(clients, backend).await;
            let t = aws_sdk_ssm::types::Target::builder().key("InstanceIds").values(NODES[0]).build();
            let target = clients
                .ssm
                .register_target_with_maintenance_window()
                .window_id(&id)
                .name("stray")
                .resource_type(aws_sdk_ssm::types::MaintenanceWindowResourceType::Instance)
                .targets(t)
                .send()
                .await
                .expect("a stray target");
            let tid = target.window_target_id().expect("target id");
            let t = aws_sdk_ssm::types::Target::builder().key("WindowTargetIds").values(tid).build();
            clients
                .ssm
                .register_task_with_maintenance_window()
                .window_id(&id)
                .name("stray")
                .task_arn("AWS-RunShellScript")
                .task_type(aws_sdk_ssm::types::MaintenanceWindowTaskType::RunCommand)
                .targets(t)
                .max_concurrency("1")
                .max_errors("1")
                .send()
                .await
                .expect("a stray task");
        }
        "patch-policy" => {
            let managers = clients.quicksetup.list_configuration_managers().send().await.expect("managers");
            let arn = managers
                .configuration_managers_list()
                .first()
                .map(|m| m.manager_arn().to_string())
                .expect("the plan's patch policy");
            clients
                .quicksetup
                .update_configuration_manager()
                .manager_arn(arn)
                .description("edited by hand")
                .send()
                .await
                .expect("another description");
        }
        _ => {}
    }
}

/// Runs `scenario` (its set-up without IAM, its command under `iam` settings); the command's
/// failure as text.
async fn run(si: &StandIn, backend: &str, scenario: Scenario, iam: &Value) -> Result<(), String> {
    use Scenario::*;
    let clients = prepared(si, backend).await;
    let v1 = session(plan_text(backend, false), &clients);
    let v2 = session(plan_text(backend, true), &clients);
    let mut command_id = None;
    match scenario {
        PlanEmpty | ApplyEmpty => {}
        PlanChange | ApplyChange | PlanSame | ApplySame => {
            apply(&v1).await;
            if matches!(scenario, ApplyChange) {
                stray(&clients, backend).await;
            }
        }
        RefreshRuns | Destroy => {
            apply(&v2).await;
            if backend != "patch-policy" {
                let id = install_id(&clients, backend).await;
                let path = match backend {
                    "maintenance-window" => format!("windows/{id}/execute"),
                    _ => format!("associations/{id}/run"),
                };
                si.control("POST", &path, Some(&json!({})));
            }
        }
        PlanMoved | ApplyMoved | DestroyMoved => {
            for other in ["maintenance-window", "association", "patch-policy"].into_iter().filter(|b| *b != backend) {
                apply_here_only(&session(plan_text(other, false), &clients)).await;
            }
            if matches!(scenario, DestroyMoved) {
                apply_here_only(&v2).await;
            }
        }
        StatusRuns | StatusSharedCommand => {
            if matches!(scenario, StatusSharedCommand) {
                si.settings(&json!({"window_commands": "per-task"}));
            }
            let failing = openssl_node(FAILING, json!({"Patch Group": "web", "Rack": "r1"}), true);
            si.seed_nodes(&json!({"region": REGION, "nodes": [failing]}));
            apply(&v2).await;
            if backend != "patch-policy" {
                let id = install_id(&clients, backend).await;
                let path = match backend {
                    "maintenance-window" => format!("windows/{id}/execute"),
                    _ => format!("associations/{id}/run"),
                };
                si.control("POST", &path, Some(&json!({})));
                clients
                    .ssm
                    .send_command()
                    .document_name("AWS-RunPatchBaseline")
                    .instance_ids(NODES[0])
                    .parameters("Operation", vec!["Scan".into()])
                    .send()
                    .await
                    .expect("a scan by hand");
            }
        }
        RefreshCommand => {
            apply(&v2).await;
            // An override of the user's own, uploaded by hand, as someone re-running an install would.
            let body = json!([{"OperatingSystem": "AMAZON_LINUX_2023", "ApprovalRules": {"PatchRules": [
                {"PatchFilterGroup": {"PatchFilters": []}, "ApproveAfterDays": 0}]}}]);
            clients
                .s3
                .put_object()
                .bucket(BUCKET)
                .key("by-hand/override.json")
                .body(body.to_string().into_bytes().into())
                .send()
                .await
                .expect("an override by hand");
            let sent = clients
                .ssm
                .send_command()
                .document_name("AWS-RunPatchBaseline")
                .instance_ids(NODES[0])
                .parameters("Operation", vec!["Scan".into()])
                .parameters("BaselineOverride", vec![format!("s3://{BUCKET}/by-hand/override.json")])
                .send()
                .await
                .expect("a command by hand");
            command_id = sent.command().and_then(|c| c.command_id()).map(str::to_string);
        }
    }
    si.settings(&json!({"iam": iam}));
    si.clear_calls();
    let result = match scenario {
        PlanEmpty | PlanMoved => v1.diff().await.map(|_| ()).map_err(|e| e.to_string()),
        PlanChange => v2.diff().await.map(|_| ()).map_err(|e| e.to_string()),
        PlanSame => v1.diff().await.map(|_| ()).map_err(|e| e.to_string()),
        ApplyEmpty | ApplyChange | ApplySame | ApplyMoved => {
            let s = if matches!(scenario, ApplyChange) { &v2 } else { &v1 };
            locked(s, LeaseCommand::Apply, |s| async move {
                match s.diff().await {
                    Ok(d) => s.apply(&d, &|_| {}).await.error.map_or(Ok(()), Err),
                    Err(e) => Err(e.to_string()),
                }
            })
            .await
        }
        RefreshRuns | RefreshCommand => {
            let mut o = RefreshOptions::default();
            if let Some(id) = &command_id {
                o.command_id = Some(id.clone());
                o.operation = Some("install".into());
            }
            match v2.refresh(&o, &|_| {}).await {
                Err(e) => Err(e.to_string()),
                Ok(r) if r.nodes.is_empty() => Err(format!("refresh read no node: {r:?}")),
                Ok(r) => match r.nodes.iter().find(|n| n.result != NodeResult::ComplianceWritten) {
                    Some(n) => Err(format!("{:?}: {}", n.result, n.detail)),
                    None => Ok(()),
                },
            }
        }
        StatusRuns | StatusSharedCommand => match v2.status(&StatusOptions::default(), &|_| {}).await {
            Err(e) => Err(e.to_string()),
            Ok(r) if r.summary.nodes != 3 => Err(format!("status judged {} node(s), not 3: {r:?}", r.summary.nodes)),
            Ok(_) => Ok(()),
        },
        Destroy | DestroyMoved => {
            locked(&v2, LeaseCommand::Destroy, |s| async move {
                match s.destroy_diff().await {
                    Ok(d) => s.apply(&d, &|_| {}).await.error.map_or(Ok(()), Err),
                    Err(e) => Err(e.to_string()),
                }
            })
            .await
        }
    };
    si.settings(&json!({"iam": null, "window_commands": "per-node"}));
    result
}

/// For each command: with exactly its policy every scenario passes and together they use every
/// action of it; an empty policy fails; without any one action some scenario fails with
/// AccessDenied naming that action.
async fn each_command_needs_exactly_its_policy(backend: &str) {
    let si = StandIn::start();
    let mut unneeded = Vec::new();
    for command in IamCommand::ALL {
        let probe =
            session(plan_text(backend, true), &Clients::load(&AwsOptions::stand_in(si.url(), REGION), None).await);
        let opts = PolicyOptions::new(&probe.plan).commands(&[command]);
        let policy = ssmpatch::backends::iam_policy(&probe.plan, probe.explanation.backend, &opts);
        let allowed = policy_actions(&policy);
        assert!(allowed.iter().all(|a| !a.contains('*')), "no wildcard actions: {allowed:?}");
        let mut used = BTreeSet::new();
        for &scenario in &scenarios(backend, command) {
            let r = run(&si, backend, scenario, &json!({"policy": policy})).await;
            assert_eq!(r, Ok(()), "{backend} {command} {scenario:?} with its printed policy");
            let refused: Vec<Value> = si
                .calls()
                .into_iter()
                .filter(|c| c["outcome"].as_str().is_some_and(|o| o.contains("AccessDenied")))
                .collect();
            assert_eq!(refused, Vec::<Value>::new(), "{backend} {command} {scenario:?}: refused calls");
            used.extend(actions(&si));
        }
        let not_allowed: Vec<_> = used.difference(&allowed).collect();
        assert!(not_allowed.is_empty(), "{backend} {command} used {not_allowed:?} beyond its policy");
        let first = scenarios(backend, command)[0];
        let empty = json!({"Version": "2012-10-17", "Statement": []});
        let r = run(&si, backend, first, &json!({"policy": empty})).await;
        assert!(r.as_ref().is_err_and(|e| e.contains("AccessDenied")), "{backend} {command}: an empty policy: {r:?}");
        if std::env::var_os("SSMPATCH_IAM_NO_ABLATION").is_some() {
            continue;
        }
        for action in &allowed {
            let less = without(&policy, action);
            let mut failed = None;
            for &scenario in &scenarios(backend, command) {
                if let Err(e) = run(&si, backend, scenario, &json!({"policy": less})).await {
                    failed = Some((scenario, e));
                    break;
                }
            }
            match failed {
                None => unneeded.push(format!("{command}: no scenario needs {action}")),
                Some((scenario, e)) => {
                    let short = action.split(':').nth(1).unwrap_or(action);
                    if !(e.contains("AccessDenied") && e.contains(short)) {
                        unneeded
                            .push(format!("{command} without {action} ({scenario:?}) failed, but not naming it: {e}"));
                    }
                }
            }
        }
    }
    assert!(unneeded.is_empty(), "{backend}: {unneeded:#?}");
}

#[tokio::test]
#[ignore = "needs the local AWS stand-in (scripts/test.sh runs it)"]
async fn each_command_on_maintenance_windows_needs_exactly_its_policy() {
    each_command_needs_exactly_its_policy("maintenance-window").await;
}

#[tokio::test]
#[ignore = "needs the local AWS stand-in (scripts/test.sh runs it)"]
async fn each_command_on_associations_needs_exactly_its_policy() {
    each_command_needs_exactly_its_policy("association").await;
}

#[tokio::test]
#[ignore = "needs the local AWS stand-in (scripts/test.sh runs it)"]
async fn each_command_on_patch_policies_needs_exactly_its_policy() {
    each_command_needs_exactly_its_policy("patch-policy").await;
}

#[tokio::test]
#[ignore = "needs the local AWS stand-in (scripts/test.sh runs it)"]
async fn window_tasks_run_as_the_plans_service_role_which_apply_passes() {
    let si = StandIn::start();
    let clients = prepared(&si, "maintenance-window").await;
    let role = "arn:aws:iam::123456789012:role/patching/MaintenanceWindowTasks";
    let text = plan_text("maintenance-window", false)
        .replace("region = ", &format!("service-role-arn = \"{role}\"\nregion = "));
    let s = session(text, &clients);
    let policy = ssmpatch::backends::iam_policy(
        &s.plan,
        s.explanation.backend,
        &PolicyOptions::new(&s.plan).commands(&[IamCommand::Apply]),
    );
    let actions = policy_actions(&policy);
    assert!(actions.contains("iam:PassRole") && !actions.contains("iam:CreateServiceLinkedRole"), "{actions:?}");
    // Without iam:PassRole the first task cannot be registered; with the printed policy all is made.
    si.settings(&json!({"iam": {"policy": without(&policy, "iam:PassRole")}}));
    let d = s.diff().await.expect("plan");
    let e = s.apply(&d, &|_| {}).await.error.expect("refused");
    assert!(e.contains("AccessDenied") && e.contains("iam:PassRole"), "{e}");
    si.settings(&json!({"iam": {"policy": policy}}));
    let d = s.diff().await.expect("plan");
    assert_eq!(s.apply(&d, &|_| {}).await.error, None);
    si.settings(&json!({"iam": null}));
    let id = install_id(&clients, "maintenance-window").await;
    let tasks = clients.ssm.describe_maintenance_window_tasks().window_id(&id).send().await.expect("tasks");
    let roles: Vec<Option<&str>> = tasks.tasks().iter().map(|t| t.service_role_arn()).collect();
    assert!(!roles.is_empty() && roles.iter().all(|r| *r == Some(role)), "{roles:?}");
    // The next plan sees nothing to change; without the setting, the tasks go back to the
    // service-linked role.
    assert_eq!(s.diff().await.expect("plan").count(ssmpatch::backends::Action::Update), 0);
    let plain = session(plan_text("maintenance-window", false), &clients);
    let d = plain.diff().await.expect("plan");
    assert!(d.count(ssmpatch::backends::Action::Update) > 0, "the role is part of each task");
    assert_eq!(plain.apply(&d, &|_| {}).await.error, None);
    assert_eq!(plain.diff().await.expect("plan").count(ssmpatch::backends::Action::Update), 0);
}

#[test]
fn a_service_role_must_be_an_iam_role_arn() {
    for bad in
        ["MaintenanceWindowTasks", "arn:aws:iam::123:role/x", "arn:aws:s3:::bucket", "arn:aws:iam::123456789012:user/x"]
    {
        let text = plan_text("maintenance-window", false)
            .replace("region = ", &format!("service-role-arn = \"{bad}\"\nregion = "));
        let e = Plan::from_source(Source::new(Some("iam.toml"), text)).expect_err(bad);
        assert!(e.to_string().contains("is not an IAM role ARN"), "{bad}: {e}");
    }
    let ok = "arn:aws-us-gov:iam::123456789012:role/path/Name_1";
    let text =
        plan_text("maintenance-window", false).replace("region = ", &format!("service-role-arn = \"{ok}\"\nregion = "));
    assert_eq!(Plan::from_source(Source::new(Some("iam.toml"), text)).expect("valid").service_role_arn(), Some(ok));
}

/// `refresh` with the `rescan` strategy (the tests above use put-compliance-items): its policy has
/// exactly what it calls — reading the run, the nodes' patch states, starting the scan.
#[tokio::test]
#[ignore = "needs the local AWS stand-in (scripts/test.sh runs it)"]
async fn refresh_with_rescan_needs_exactly_its_policy() {
    let si = StandIn::start();
    let text = plan_text("association", true).replace("\"put-compliance-items\"", "\"rescan\"");
    let probe = session(text.clone(), &Clients::load(&AwsOptions::stand_in(si.url(), REGION), None).await);
    let opts = PolicyOptions::new(&probe.plan).commands(&[IamCommand::Refresh]);
    let policy = ssmpatch::backends::iam_policy(&probe.plan, probe.explanation.backend, &opts);
    let allowed = policy_actions(&policy);
    assert!(allowed.contains("ssm:SendCommand") && allowed.contains("ssm:DescribeInstancePatchStates"));
    assert!(!allowed.contains("ssm:PutComplianceItems"), "{allowed:?}");
    // A run of the install, then refresh under `iam`: the scan is started for its node(s).
    let refresh = |iam: Value| {
        let (si, text) = (&si, text.clone());
        async move {
            let clients = prepared(si, "association").await;
            let s = session(text, &clients);
            apply(&s).await;
            let id = install_id(&clients, "association").await;
            si.control("POST", &format!("associations/{id}/run"), Some(&json!({})));
            si.settings(&json!({"iam": iam}));
            si.clear_calls();
            let r = s.refresh(&RefreshOptions::default(), &|_| {}).await;
            si.settings(&json!({"iam": null}));
            match r {
                Err(e) => Err(e.to_string()),
                Ok(r) if r.nodes.is_empty() => Err(format!("refresh read no node: {r:?}")),
                Ok(r) => match r.nodes.iter().find(|n| n.result != NodeResult::ScanStarted) {
                    Some(n) => Err(format!("{:?}: {}", n.result, n.detail)),
                    None => Ok(()),
                },
            }
        }
    };
    assert_eq!(refresh(json!({"policy": policy})).await, Ok(()));
    let used = actions(&si);
    assert_eq!(used.difference(&allowed).collect::<Vec<_>>(), Vec::<&String>::new());
    // The other actions of this policy are proven by the tests above (the same reads; ListCommands
    // only with --command-id): here the ones the strategy adds.
    let mut problems = Vec::new();
    for action in ["ssm:SendCommand", "ssm:DescribeInstancePatchStates"] {
        match refresh(json!({"policy": without(&policy, action)})).await {
            Ok(()) => problems.push(format!("no need for {action}")),
            Err(e) if !(e.contains("AccessDenied") && e.contains(action.split(':').nth(1).unwrap_or(action))) => {
                problems.push(format!("without {action}: {e}"))
            }
            Err(_) => {}
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}
