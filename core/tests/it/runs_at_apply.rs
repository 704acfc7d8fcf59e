//! Nothing ssmpatch creates runs on a node at `apply` time: every example plan on every backend it
//! can use is applied, changed (schedule, baseline, targets) and applied again, and a node is then
//! tagged into its targets — and no `Install` command runs at any step. The same when the
//! resources were made by the previous release (associations without ApplyOnlyAtCronInterval,
//! patch policies that install at once). The stand-in runs an association at create, update and
//! target change, and a patch policy's operations at once, exactly where AWS documents it
//! (standin/tests/test_runs_on_change.py).

#![cfg(feature = "aws")]

use serde_json::{Value, json};
use ssmpatch::aws::{AwsOptions, Clients};
use ssmpatch::plan::{CompileOptions, Plan, Source};
use ssmpatch::session::Session;
use ssmpatch_test_support::standin::{StandIn, root};

const BACKENDS: [&str; 3] = ["patch-policy", "association", "maintenance-window"];

/// The example plan's text with `backend` set.
fn with_backend(text: &str, backend: &str) -> String {
    let at = text.find("\nregion = ").expect("a region line") + 1;
    let end = at + text[at..].find('\n').expect("line end") + 1;
    format!("{}backend = \"{backend}\"\n{}", &text[..end], &text[end..])
}

/// Every `schedule = "… at HH:MM"` an hour later.
fn later(text: &str) -> String {
    let mut out = String::new();
    for line in text.split_inclusive('\n') {
        match line.find(" at ").filter(|_| line.starts_with("schedule = ")) {
            Some(i) => {
                let hour: u32 = line[i + 4..i + 6].parse().expect("HH");
                out.push_str(&format!("{} at {:02}{}", &line[..i], (hour + 1) % 24, &line[i + 6..]));
            }
            None => out.push_str(line),
        }
    }
    out
}

/// The targets' first tag value replaced by `value`: the tags line of `[targets]` rewritten.
fn retarget(text: &str, tags: &Value) -> String {
    let at = text.find("[targets]\ntags = ").expect("tag targets") + "[targets]\n".len();
    let end = at + text[at..].find('\n').expect("line end");
    let inline: Vec<String> = tags
        .as_object()
        .expect("tags")
        .iter()
        .map(|(k, v)| {
            format!(
                "{k:?} = [{}]",
                v.as_array().expect("values").iter().map(|v| format!("{v}")).collect::<Vec<_>>().join(", ")
            )
        })
        .collect();
    format!("{}tags = {{ {} }}{}", &text[..at], inline.join(", "), &text[end..])
}

/// `(operation, command id)` of every AWS-RunPatchBaseline command sent so far (all pages).
async fn commands(clients: &Clients) -> Vec<(String, String)> {
    let pages: Vec<_> = clients.ssm.list_commands().into_paginator().items().send().collect().await;
    let all: Vec<_> = pages.into_iter().collect::<Result<_, _>>().expect("list commands");
    all.iter()
        .map(|c| {
            let op =
                c.parameters().and_then(|p| p.get("Operation")).and_then(|v| v.first()).cloned().unwrap_or_default();
            (op, c.command_id().unwrap_or_default().to_string())
        })
        .collect()
}

fn installs(cmds: &[(String, String)]) -> usize {
    cmds.iter().filter(|(op, _)| op == "Install").count()
}

/// Applies `text`; `false` when the plan cannot use its backend (explain refuses it).
async fn apply(clients: &Clients, text: &str) -> bool {
    let Ok(plan) = Plan::from_source(Source::new(Some("plan.toml"), text.to_string())) else { return false };
    let opts = CompileOptions::from("2026-12-01T00:00:00Z".parse().expect("ts"));
    let Ok(ex) = plan.explain(&opts) else { return false };
    let additions = ssmpatch::session::additions(&plan, &ex, &opts).expect("additions");
    let session = Session::with_clients(plan, ex, additions, clients.clone(), 4);
    let diff = session.diff().await.expect("diff");
    let report = session.apply(&diff, &|_| {}).await;
    assert_eq!(report.error, None, "apply failed:\n{text}");
    true
}

/// A node with these target tags (first value of each).
fn node(id: &str, tags: &Value) -> Value {
    let tags: serde_json::Map<String, Value> =
        tags.as_object().expect("tags").iter().map(|(k, v)| (k.clone(), v[0].clone())).collect();
    ssmpatch_test_support::standin::openssl_node(id, Value::Object(tags), false)
}

/// One example on one backend: `None` when the plan cannot use it, else the steps run.
async fn scenario(example: &str, backend: &str, previous_release: bool) -> Option<Vec<String>> {
    let text = with_backend(&std::fs::read_to_string(root().join(example)).expect("example"), backend);
    let plan = Plan::from_source(Source::new(Some(example), text.clone())).expect("example plan");
    if plan.explain(&CompileOptions::from("2026-12-01T00:00:00Z".parse().expect("ts"))).is_err() {
        return None;
    }
    let region = plan.region().expect("the examples name their region").to_string();
    let si = StandIn::start();
    si.create_quick_setup_roles();
    let clients = Clients::load(&AwsOptions::stand_in(si.url(), &region), None).await;
    if let Some(s3) = &plan.s3 {
        si.create_bucket(&s3.bucket, &region);
    }
    let tags = json!(plan.targets.tags);
    // A node in the targets, and one with the first tag's value changed (targeted after step 2).
    let (key, first) = plan.targets.tags.iter().next().map(|(k, v)| (k.clone(), v[0].clone())).expect("a tag target");
    let mut moved = tags.clone();
    moved[&key] = json!([format!("{first}-2")]);
    si.seed_nodes(
        &json!({"region": region, "nodes": [node("i-0aaaaaaaaaaaaaaa1", &tags), node("i-0aaaaaaaaaaaaaaa2", &moved)]}),
    );
    let mut steps = Vec::new();
    let mut check = |step: &str, before: usize, cmds: &[(String, String)]| {
        assert_eq!(installs(cmds), before, "{example} on {backend}: an Install ran at step `{step}`: {cmds:?}");
        steps.push(step.to_string());
    };

    assert!(apply(&clients, &text).await);
    check("apply", 0, &commands(&clients).await);
    if previous_release {
        make_like_previous_release(&clients, &plan.name).await;
    }
    let before = installs(&commands(&clients).await);
    let changed = retarget(&later(&text.replace("approve-after-days = 7", "approve-after-days = 8")), &moved);
    assert!(apply(&clients, &changed).await, "the changed plan still uses {backend}:\n{changed}");
    check("apply changed schedule, baseline, targets", before, &commands(&clients).await);
    si.seed_nodes(&json!({"region": region, "nodes": [node("i-0aaaaaaaaaaaaaaa3", &moved)]}));
    check("a node tagged into the targets", before, &commands(&clients).await);
    Some(steps)
}

/// What the previous release made: associations without ApplyOnlyAtCronInterval (the update
/// that sets it so runs, as on AWS), patch policies with both `…NextInterval` at "false".
async fn make_like_previous_release(clients: &Clients, plan: &str) {
    let pages: Vec<_> = clients.ssm.list_associations().into_paginator().items().send().collect().await;
    for a in pages.into_iter().collect::<Result<Vec<_>, _>>().expect("associations") {
        let id = a.association_id().expect("id");
        let d = clients.ssm.describe_association().association_id(id).send().await.expect("describe");
        let d = d.association_description().expect("description");
        clients
            .ssm
            .update_association()
            .association_id(id)
            .set_name(d.name().map(str::to_string))
            .set_association_name(d.association_name().map(str::to_string))
            .set_schedule_expression(d.schedule_expression().map(str::to_string))
            .set_parameters(d.parameters().cloned())
            .set_targets(Some(d.targets().to_vec()))
            .set_output_location(d.output_location().cloned())
            .set_max_concurrency(d.max_concurrency().map(str::to_string))
            .set_max_errors(d.max_errors().map(str::to_string))
            .set_schedule_offset(d.schedule_offset())
            .apply_only_at_cron_interval(false)
            .send()
            .await
            .expect("update like the previous release");
    }
    let managers = clients.quicksetup.list_configuration_managers().send().await.expect("managers");
    for m in managers.configuration_managers_list() {
        let arn = m.manager_arn();
        let full = clients.quicksetup.get_configuration_manager().manager_arn(arn).send().await.expect("manager");
        for d in full.configuration_definitions() {
            let mut params = d.parameters().clone();
            params.insert("ConfigurationOptionsScanNextInterval".into(), "false".into());
            params.insert("ConfigurationOptionsInstallNextInterval".into(), "false".into());
            clients
                .quicksetup
                .update_configuration_definition()
                .manager_arn(arn)
                .id(d.id().expect("definition id"))
                .set_parameters(Some(params))
                .send()
                .await
                .expect("update like the previous release");
        }
    }
    let _ = plan;
}

async fn every_example_on_every_backend(previous_release: bool) {
    let mut examples: Vec<String> = std::fs::read_dir(root().join("examples"))
        .expect("examples/")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .filter(|n| n.ends_with(".toml"))
        .map(|n| format!("examples/{n}"))
        .collect();
    examples.sort();
    let mut covered = Vec::new();
    for example in &examples {
        for backend in BACKENDS {
            if scenario(example, backend, previous_release).await.is_some() {
                covered.push(format!("{example} on {backend}"));
            }
        }
    }
    eprintln!("covered: {covered:?}");
    for backend in BACKENDS {
        assert!(covered.iter().any(|c| c.ends_with(backend)), "no example runs on {backend}: {covered:?}");
    }
}

#[tokio::test]
#[ignore = "needs the local AWS stand-in (scripts/test.sh runs it)"]
async fn no_install_runs_at_apply_on_any_backend() {
    every_example_on_every_backend(false).await;
}

#[tokio::test]
#[ignore = "needs the local AWS stand-in (scripts/test.sh runs it)"]
async fn no_install_runs_at_apply_over_the_previous_releases_resources() {
    every_example_on_every_backend(true).await;
}
