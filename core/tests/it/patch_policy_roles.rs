//! Patch policies and what they depend on: the plan's `[patch-policy]` settings (deployment
//! roles, `attach-node-policies`, `undeclared-os`) and what `explain` says about them; the local
//! deployment roles checked before any change, or created on request; the progress of a
//! deployment; and `backend = "auto"` refusing to move a plan whose resources are on another
//! backend. The live tests run against the stand-in, whose Quick Setup deployments fail without
//! the roles as AWS's do (standin/ssmpatch_standin/handlers/quicksetup.py).

#[cfg(feature = "aws")]
use serde_json::{Value, json};
use ssmpatch::plan::{BaselineSource, CompileOptions, Plan, Source};

fn opts() -> CompileOptions {
    CompileOptions::from("2026-06-01T00:00:00Z".parse().expect("ts"))
}

/// A plan a patch policy runs exactly, with `extra` appended (e.g. a `[patch-policy]` table).
fn plan_text(name: &str, backend: &str, targets: &str, extra: &str) -> String {
    format!(
        r#"
version = 1
name = "{name}"
region = "us-east-1"
backend = "{backend}"

[targets]
tags = {{ {targets} }}

[[baselines.AMAZON_LINUX_2023.approval-rules]]
approve-after-days = 7
filters = {{ CLASSIFICATION = ["Security"] }}

[operations.scan]
kind = "scan"
schedule = "every day at 01:00"

[operations.install]
kind = "install"
schedule = "second tuesday at 02:00"
{extra}
"#
    )
}

fn plan(text: &str) -> Plan {
    Plan::from_source(Source::new(Some("pp.toml"), text.to_string())).expect("valid plan")
}

fn web(extra: &str) -> Plan {
    plan(&plan_text("pp-web", "patch-policy", r#""Patch Group" = "web""#, extra))
}

#[test]
fn patch_policy_settings_default_and_are_validated() {
    let p = web("");
    let s = p.patch_policy();
    assert_eq!(
        (s.administration_role.as_str(), s.execution_role.as_str()),
        ("AWS-QuickSetup-PatchPolicy-LocalAdministrationRole", "AWS-QuickSetup-PatchPolicy-LocalExecutionRole")
    );
    assert!(!s.create_deployment_roles && !s.attach_node_policies);
    assert_eq!(s.undeclared_os.as_str(), "fail");
    #[cfg(feature = "aws")]
    assert_eq!(
        ssmpatch::backends::deployment_roles(&p),
        (
            "AWS-QuickSetup-PatchPolicy-LocalAdministrationRole".to_string(),
            "AWS-QuickSetup-PatchPolicy-LocalExecutionRole".to_string()
        )
    );

    let p = web("[patch-policy]\nadministration-role = \"AWS-QuickSetup-StackSet-Local-AdministrationRole\"\n\
         execution-role = \"AWS-QuickSetup-StackSet-Local-ExecutionRole\"\nattach-node-policies = true\n\
         undeclared-os = \"aws-default\"\ncreate-deployment-roles = true\n");
    let s = p.patch_policy();
    assert_eq!(s.administration_role, "AWS-QuickSetup-StackSet-Local-AdministrationRole");
    assert!(s.create_deployment_roles && s.attach_node_policies);
    assert_eq!(s.undeclared_os.as_str(), "aws-default");

    // An ARN where a name belongs, and an unknown value, are located errors.
    let text = plan_text(
        "pp-web",
        "patch-policy",
        r#""Patch Group" = "web""#,
        "[patch-policy]\nadministration-role = \"arn:aws:iam::123456789012:role/Admin\"\n",
    );
    let e = Plan::from_source(Source::new(Some("pp.toml"), text)).expect_err("an ARN is not a role name");
    assert_eq!(e.0[0].path, "patch-policy.administration-role");
    assert_eq!(e.0[0].line, Some(22), "{e:?}");
    let text =
        plan_text("pp-web", "patch-policy", r#""Patch Group" = "web""#, "[patch-policy]\nundeclared-os = \"skip\"\n");
    assert!(Plan::from_source(Source::new(Some("pp.toml"), text)).is_err());
}

/// The patch-policy resource `plan` needs, offline.
#[cfg(feature = "aws")]
fn desired_policy(p: &Plan) -> Value {
    let ex = p.explain(&opts()).expect("explain");
    let def = ssmpatch::backends::definition(ex.backend);
    let d = def.desired(p, &ex, &Default::default());
    d.into_iter().find(|d| d.key.kind == ssmpatch::backends::Kind::PatchPolicy).expect("a patch policy").spec
}

#[test]
fn explain_lists_the_baseline_of_every_operating_system_and_warns_about_undeclared_ones() {
    let p = web("");
    let ex = p.explain(&opts()).expect("explain");
    let pp = ex.patch_policy.as_ref().expect("patch-policy part");
    let of = |os: &str| pp.baselines.iter().find(|b| b.operating_system.as_str() == os).expect(os).clone();
    assert_eq!(of("AMAZON_LINUX_2023").source, BaselineSource::Declared);
    assert_eq!(of("AMAZON_LINUX_2023").baseline, "ssmpatch-pp-web-amazon-linux-2023");
    assert_eq!(of("WINDOWS").source, BaselineSource::Missing);
    assert_eq!(of("WINDOWS").describe(), "WINDOWS: fails: exit 163");
    assert_eq!(pp.baselines.len(), 15, "every operating system Patch Manager knows");
    let warning = ex.warnings.iter().find(|w| w.contains("undeclared-os")).expect("undeclared-os warning");
    assert!(warning.contains("exit code 163") && warning.contains("WINDOWS") && warning.contains("aws-default"));
    assert!(ex.placement.consequence.contains("  UBUNTU: fails: exit 163"), "{}", ex.placement.consequence);
    // What explain lists is what the policy selects.
    #[cfg(feature = "aws")]
    assert_eq!(
        desired_policy(&p)["SelectedPatchBaselines"],
        json!({"AMAZON_LINUX_2023": of("AMAZON_LINUX_2023").baseline})
    );

    let p = web("[patch-policy]\nundeclared-os = \"aws-default\"\n");
    let ex = p.explain(&opts()).expect("explain");
    let pp = ex.patch_policy.as_ref().expect("patch-policy part");
    let windows = pp.baselines.iter().find(|b| b.operating_system.as_str() == "WINDOWS").expect("windows");
    assert_eq!((windows.source, windows.baseline.as_str()), (BaselineSource::AwsDefault, "AWS-DefaultPatchBaseline"));
    assert!(!ex.warnings.iter().any(|w| w.contains("undeclared-os")), "{:?}", ex.warnings);
    assert!(ex.placement.consequence.contains("  UBUNTU: AWS-UbuntuDefaultPatchBaseline (AWS default)"));
    #[cfg(feature = "aws")]
    {
        let selected = desired_policy(&p)["SelectedPatchBaselines"].clone();
        assert_eq!(selected["AMAZON_LINUX_2023"], "ssmpatch-pp-web-amazon-linux-2023");
        assert_eq!(selected["WINDOWS"], "AWS-DefaultPatchBaseline");
        assert_eq!(selected["DEBIAN"], "AWS-DebianDefaultPatchBaseline");
        // Every entry explain lists as applied is selected, and nothing else.
        let listed = pp.baselines.iter().filter(|b| b.source != BaselineSource::Missing).count();
        assert_eq!(selected.as_object().map(|m| m.len()), Some(listed));
    }
}

#[test]
fn explain_says_who_changes_the_node_roles() {
    let ex = web("").explain(&opts()).expect("explain");
    let pp = ex.patch_policy.as_ref().expect("patch-policy part");
    assert!(!pp.settings.attach_node_policies);
    assert!(pp.node_roles.contains("nobody changes the nodes' roles"), "{}", pp.node_roles);
    assert!(pp.node_roles.contains("QSConfigId-") && pp.node_roles.contains("aws-quicksetup-patchpolicy-*"));
    assert!(ex.warnings.iter().any(|w| w.starts_with("attach-node-policies = false")), "{:?}", ex.warnings);
    assert!(ex.placement.consequence.contains("node roles: attach-node-policies = false"));
    #[cfg(feature = "aws")]
    assert_eq!(desired_policy(&web(""))["Parameters"]["IsPolicyAttachAllowed"], "false");

    let p = web("[patch-policy]\nattach-node-policies = true\n");
    let ex = p.explain(&opts()).expect("explain");
    let pp = ex.patch_policy.as_ref().expect("patch-policy part");
    assert!(pp.node_roles.contains("Quick Setup attaches"), "{}", pp.node_roles);
    assert!(!ex.warnings.iter().any(|w| w.contains("attach-node-policies")), "{:?}", ex.warnings);
    // The deployment roles: named in explain, sent with the policy.
    assert!(pp.deployment_roles.contains("AWS-QuickSetup-PatchPolicy-LocalAdministrationRole"));
    #[cfg(feature = "aws")]
    {
        let spec = desired_policy(&p);
        assert_eq!(spec["Parameters"]["IsPolicyAttachAllowed"], "true");
        assert_eq!(spec["LocalDeploymentExecutionRole"], "AWS-QuickSetup-PatchPolicy-LocalExecutionRole");
    }

    // Settings for another backend are pointed out, not silently ignored.
    let text =
        plan_text("pp-web", "association", r#""Patch Group" = "web""#, "[patch-policy]\nattach-node-policies = true\n");
    let ex = plan(&text).explain(&opts()).expect("explain");
    assert!(ex.patch_policy.is_none());
    assert!(ex.warnings.iter().any(|w| w.contains("`[patch-policy]` settings do not apply")), "{:?}", ex.warnings);
}

#[cfg(feature = "aws")]
mod live {
    use std::sync::Mutex;

    use serde_json::{Value, json};
    use ssmpatch::aws::{AwsOptions, Clients};
    use ssmpatch::backends::{Action, Kind};
    use ssmpatch::session::Session;
    use ssmpatch_test_support::standin::{REGION, StandIn};

    use super::{opts, plan, plan_text};

    fn session(text: &str, clients: &Clients) -> Session {
        let p = plan(text);
        let ex = p.explain(&opts()).expect("explain");
        let additions = ssmpatch::session::additions(&p, &ex, &opts()).expect("additions");
        Session::with_clients(p, ex, additions, clients.clone(), 4)
    }

    async fn standin() -> (StandIn, Clients) {
        let si = StandIn::start();
        let clients = Clients::load(&AwsOptions::stand_in(si.url(), REGION), None).await;
        (si, clients)
    }

    fn web(extra: &str) -> String {
        plan_text("pp-web", "patch-policy", r#""Patch Group" = "web""#, extra)
    }

    fn quiet(_: &str) {}

    async fn managers(clients: &Clients) -> usize {
        clients
            .quicksetup
            .list_configuration_managers()
            .send()
            .await
            .expect("managers")
            .configuration_managers_list()
            .len()
    }

    fn boto3_role(si: &StandIn, name: &str) -> Value {
        si.boto3_json(&format!(
            "import boto3, json\n\
             iam = boto3.client('iam', region_name='us-east-1')\n\
             try:\n    r = iam.get_role(RoleName='{name}')['Role']\n\
             except iam.exceptions.NoSuchEntityException:\n    print('null'); raise SystemExit\n\
             inline = {{p: iam.get_role_policy(RoleName='{name}', PolicyName=p)['PolicyDocument'] for p in iam.list_role_policies(RoleName='{name}')['PolicyNames']}}\n\
             attached = [p['PolicyArn'] for p in iam.list_attached_role_policies(RoleName='{name}')['AttachedPolicies']]\n\
             print(json.dumps({{'trust': r['AssumeRolePolicyDocument'], 'tags': r.get('Tags', []), 'inline': inline, 'attached': attached}}))"
        ))
    }

    fn create_role(si: &StandIn, name: &str) {
        si.boto3_json(&format!(
            "import boto3, json\n\
             boto3.client('iam', region_name='us-east-1').create_role(RoleName='{name}', AssumeRolePolicyDocument=json.dumps({{'Version': '2012-10-17', 'Statement': []}}))\n\
             print('{{}}')"
        ));
    }

    fn delete_role(si: &StandIn, name: &str) {
        si.boto3_json(&format!(
            "import boto3\nboto3.client('iam', region_name='us-east-1').delete_role(RoleName='{name}')\nprint('{{}}')"
        ));
    }

    #[tokio::test]
    #[ignore = "needs the stand-in (scripts/test.sh)"]
    async fn apply_stops_before_any_change_when_a_deployment_role_is_missing() {
        let (si, clients) = standin().await;
        let s = session(&web(""), &clients);
        let d = s.diff().await.expect("diff");
        assert!(d.count(Action::Create) >= 2, "{d:#?}");
        si.clear_calls();
        let report = s.apply(&d, &quiet).await;
        let error = report.error.clone().expect("refused");
        assert!(error.starts_with("nothing was changed: "), "{error}");
        assert!(error.contains("AWS-QuickSetup-PatchPolicy-LocalAdministrationRole and AWS-QuickSetup-PatchPolicy-LocalExecutionRole do not exist"), "{error}");
        let hint = report.hint.clone().expect("a hint");
        assert!(hint.contains("create-deployment-roles = true"), "{hint}");
        assert!(hint.contains("AWSQuickSetupPatchPolicyDeploymentRolePolicy"), "{hint}");
        assert!(hint.contains("cloudformation.amazonaws.com"), "{hint}");
        assert!(!hint.contains("older"), "{hint}");
        assert!(report.done.is_empty(), "{:?}", report.done);
        assert_eq!(si.writes(), Vec::<String>::new(), "a write before the roles were checked");
        assert_eq!(managers(&clients).await, 0);

        // An account onboarded with Quick Setup's older roles: the hint names them, and a plan
        // that deploys through them applies.
        create_role(&si, "AWS-QuickSetup-StackSet-Local-AdministrationRole");
        create_role(&si, "AWS-QuickSetup-StackSet-Local-ExecutionRole");
        let report = s.apply(&d, &quiet).await;
        let hint = report.hint.expect("a hint");
        assert!(
            hint.contains("older deployment roles AWS-QuickSetup-StackSet-Local-AdministrationRole and AWS-QuickSetup-StackSet-Local-ExecutionRole"),
            "{hint}"
        );
        assert!(hint.contains("administration-role = \"AWS-QuickSetup-StackSet-Local-AdministrationRole\""), "{hint}");
        let legacy = session(
            &web("[patch-policy]\nadministration-role = \"AWS-QuickSetup-StackSet-Local-AdministrationRole\"\n\
                  execution-role = \"AWS-QuickSetup-StackSet-Local-ExecutionRole\"\n"),
            &clients,
        );
        let d = legacy.diff().await.expect("diff");
        assert_eq!(legacy.apply(&d, &quiet).await.error, None);
        let m = clients.quicksetup.list_configuration_managers().send().await.expect("managers");
        let arn = m.configuration_managers_list()[0].manager_arn().to_string();
        let got = clients.quicksetup.get_configuration_manager().manager_arn(&arn).send().await.expect("manager");
        let def = &got.configuration_definitions()[0];
        assert!(
            def.local_deployment_administration_role_arn()
                .is_some_and(|a| a.ends_with(":role/AWS-QuickSetup-StackSet-Local-AdministrationRole")),
            "{def:?}"
        );
        assert_eq!(def.local_deployment_execution_role_name(), Some("AWS-QuickSetup-StackSet-Local-ExecutionRole"));
        assert!(legacy.diff().await.expect("diff").is_empty());

        // Switching the plan to the new roles is an update, checked like a create.
        si.clear_calls();
        let d = s.diff().await.expect("diff");
        let update = d.changes.iter().find(|c| c.key.kind == Kind::PatchPolicy).expect("the policy");
        assert_eq!(update.action, Action::Update);
        let fields: Vec<&str> = update.fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["LocalDeploymentAdministrationRole", "LocalDeploymentExecutionRole"]);
        let report = s.apply(&d, &quiet).await;
        assert!(report.error.is_some_and(|e| e.contains("do not exist")));
        assert_eq!(si.writes(), Vec::<String>::new());

        // Destroy deletes through the roles the policy was deployed with: checked first too.
        delete_role(&si, "AWS-QuickSetup-StackSet-Local-ExecutionRole");
        let gone = legacy.destroy_diff().await.expect("destroy diff");
        si.clear_calls();
        let report = legacy.apply(&gone, &quiet).await;
        let error = report.error.expect("refused");
        assert!(error.contains("AWS-QuickSetup-StackSet-Local-ExecutionRole does not exist"), "{error}");
        assert!(error.contains("deleting patch-policy ssmpatch-pp-web"), "{error}");
        assert_eq!(si.writes(), Vec::<String>::new());
        assert_eq!(managers(&clients).await, 1);
    }

    #[tokio::test]
    #[ignore = "needs the stand-in (scripts/test.sh)"]
    async fn a_caller_who_may_not_read_the_older_roles_still_gets_the_missing_role_error() {
        let (si, clients) = standin().await;
        si.settings(&json!({"iam": {"policy": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "Action": "iam:GetRole", "Resource": "arn:aws:iam::*:role/AWS-QuickSetup-StackSet-*"},
        ]}}}));
        let s = session(&web(""), &clients);
        let d = s.diff().await.expect("diff");
        let report = s.apply(&d, &quiet).await;
        let error = report.error.expect("refused");
        assert!(error.contains("do not exist"), "{error}");
        assert!(report.hint.is_some_and(|h| h.contains("create-deployment-roles = true")));
    }

    #[tokio::test]
    #[ignore = "needs the stand-in (scripts/test.sh)"]
    async fn create_deployment_roles_creates_them_once_and_leaves_other_roles_alone() {
        let (si, clients) = standin().await;
        let s = session(&web("[patch-policy]\ncreate-deployment-roles = true\n"), &clients);
        let d = s.diff().await.expect("diff");
        // `plan` shows the roles as a change like any other: trust policies and the managed policy.
        let roles = d.changes.iter().find(|c| c.key.kind == Kind::DeploymentRoles).expect("roles in the plan");
        assert_eq!(roles.action, Action::Create);
        assert_eq!(
            roles.key.label(),
            "deployment-roles AWS-QuickSetup-PatchPolicy-LocalAdministrationRole,AWS-QuickSetup-PatchPolicy-LocalExecutionRole"
        );
        let fields: Vec<&str> = roles.fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["AdministrationRole", "ExecutionRole"]);
        let (admin, exec) = (&roles.fields[0].to, &roles.fields[1].to);
        assert_eq!(
            admin["Role"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"],
            json!({"Service": "cloudformation.amazonaws.com"})
        );
        assert_eq!(
            exec["Role"]["ManagedPolicyArns"],
            json!(["arn:<partition>:iam::aws:policy/AWSQuickSetupPatchPolicyDeploymentRolePolicy"])
        );

        let lines = Mutex::new(Vec::new());
        let report = s.apply(&d, &|l: &str| lines.lock().expect("lines").push(l.to_string())).await;
        assert_eq!(report.error, None);

        // Made as the managed policy expects them, with the caller's account, marked as ssmpatch's.
        let admin = boto3_role(&si, "AWS-QuickSetup-PatchPolicy-LocalAdministrationRole");
        let exec = boto3_role(&si, "AWS-QuickSetup-PatchPolicy-LocalExecutionRole");
        let account = "123456789012";
        assert_eq!(admin["trust"]["Statement"][0]["Principal"]["Service"], "cloudformation.amazonaws.com");
        assert_eq!(admin["trust"]["Statement"][0]["Condition"]["StringEquals"]["aws:SourceAccount"], account);
        assert_eq!(
            admin["trust"]["Statement"][0]["Condition"]["StringLike"]["aws:SourceArn"],
            format!("arn:aws:cloudformation:*:{account}:stackset/AWS-QuickSetup-*")
        );
        assert_eq!(
            admin["inline"]["AssumeQuickSetupExecutionRole"]["Statement"][0]["Resource"],
            format!("arn:aws:iam::{account}:role/AWS-QuickSetup-PatchPolicy-LocalExecutionRole")
        );
        assert_eq!(
            exec["trust"]["Statement"][0]["Principal"]["AWS"],
            format!("arn:aws:iam::{account}:role/AWS-QuickSetup-PatchPolicy-LocalAdministrationRole")
        );
        for role in [&admin, &exec] {
            assert_eq!(role["tags"], json!([{"Key": "ssmpatch:managed-by", "Value": "ssmpatch"}]), "{role}");
        }

        // The AWS managed policy is attached, and the patch policy deployed with the new roles.
        assert_eq!(exec["attached"], json!(["arn:aws:iam::aws:policy/AWSQuickSetupPatchPolicyDeploymentRolePolicy"]));
        assert_eq!(managers(&clients).await, 1);
        // Undone by hand: plan shows the one missing piece, apply restores it, nothing twice.
        si.boto3_json(
            "import boto3\nboto3.client('iam', region_name='us-east-1').detach_role_policy(\
             RoleName='AWS-QuickSetup-PatchPolicy-LocalExecutionRole', \
             PolicyArn='arn:aws:iam::aws:policy/AWSQuickSetupPatchPolicyDeploymentRolePolicy')\nprint('{}')",
        );
        // The retry: the roles exist, so only what is missing is an update, and no role is created
        // twice.
        let d = s.diff().await.expect("diff");
        let roles = d.changes.iter().find(|c| c.key.kind == Kind::DeploymentRoles).expect("roles");
        assert_eq!(roles.action, Action::Update, "{roles:#?}");
        let fields: Vec<&str> = roles.fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["ExecutionRole"]);
        assert_eq!(roles.fields[0].from["Role"]["ManagedPolicyArns"], json!([]));
        si.clear_calls();
        let report = s.apply(&d, &quiet).await;
        let calls: Vec<String> =
            si.calls().iter().filter_map(|c| c["operation"].as_str().map(str::to_string)).collect();
        assert!(!calls.iter().any(|c| c == "CreateRole"), "{calls:?}");
        assert!(calls.iter().any(|c| c == "AttachRolePolicy"), "{calls:?}");
        assert_eq!(report.error, None);
        assert_eq!(
            boto3_role(&si, "AWS-QuickSetup-PatchPolicy-LocalExecutionRole")["attached"],
            json!(["arn:aws:iam::aws:policy/AWSQuickSetupPatchPolicyDeploymentRolePolicy"])
        );
        assert!(s.diff().await.expect("diff").is_empty());
        // destroy removes the patch policy and leaves the roles as they are.
        let gone = s.destroy_diff().await.expect("destroy diff");
        assert!(gone.changes.iter().all(|c| c.key.kind != Kind::DeploymentRoles));
        assert_eq!(s.apply(&gone, &quiet).await.error, None);
        assert_eq!(managers(&clients).await, 0);
        assert_eq!(
            boto3_role(&si, "AWS-QuickSetup-PatchPolicy-LocalExecutionRole")["attached"],
            json!(["arn:aws:iam::aws:policy/AWSQuickSetupPatchPolicyDeploymentRolePolicy"])
        );

        // Roles someone else made are used as they are: no change shown, none made.
        let (si, clients) = standin().await;
        create_role(&si, "AWS-QuickSetup-PatchPolicy-LocalAdministrationRole");
        create_role(&si, "AWS-QuickSetup-PatchPolicy-LocalExecutionRole");
        let s = session(&web("[patch-policy]\ncreate-deployment-roles = true\n"), &clients);
        let d = s.diff().await.expect("diff");
        let roles = d.changes.iter().find(|c| c.key.kind == Kind::DeploymentRoles).expect("roles");
        assert_eq!(roles.action, Action::Unchanged, "{roles:#?}");
        si.clear_calls();
        assert_eq!(s.apply(&d, &quiet).await.error, None);
        let iam_writes: Vec<String> = si
            .calls()
            .iter()
            .filter(|c| c["service"] == "iam" && c["write"].as_bool().unwrap_or(true))
            .filter_map(|c| c["operation"].as_str().map(str::to_string))
            .collect();
        assert_eq!(iam_writes, Vec::<String>::new());
        assert_eq!(boto3_role(&si, "AWS-QuickSetup-PatchPolicy-LocalExecutionRole")["tags"], json!([]));
        drop(lines);
    }

    #[tokio::test]
    #[ignore = "needs the stand-in (scripts/test.sh)"]
    async fn a_deployment_reports_each_poll_and_a_failed_one_says_what_aws_said() {
        let (si, clients) = standin().await;
        si.create_quick_setup_roles();
        si.settings(&json!({"quicksetup_deployment_polls": 3}));
        let s = session(&web(""), &clients);
        let d = s.diff().await.expect("diff");
        let lines = Mutex::new(Vec::new());
        let report = s.apply(&d, &|l: &str| lines.lock().expect("lines").push(l.to_string())).await;
        assert_eq!(report.error, None);
        let lines = lines.into_inner().expect("lines");
        let polls: Vec<&String> = lines.iter().filter(|l| l.starts_with("patch policy ssmpatch-pp-web: ")).collect();
        assert!(polls.len() >= 2, "{lines:#?}");
        for l in &polls {
            let rest = l.trim_start_matches("patch policy ssmpatch-pp-web: ");
            let (status, secs) = rest.split_once(" (").expect("`STATUS (N s)`");
            assert!(["INITIALIZING", "DEPLOYING"].contains(&status), "{l}");
            assert!(secs.strip_suffix(" s)").is_some_and(|n| n.parse::<u64>().is_ok()), "{l}");
        }
        assert!(polls.iter().any(|l| l.contains("DEPLOYING")), "{polls:?}");

        // A deployment that fails (the roles removed behind the check's back): the error carries
        // Quick Setup's StatusMessage exactly as GetConfigurationManager gives it.
        for role in
            ["AWS-QuickSetup-PatchPolicy-LocalAdministrationRole", "AWS-QuickSetup-PatchPolicy-LocalExecutionRole"]
        {
            delete_role(&si, role);
        }
        let changed = session(&web("").replace("every day at 01:00", "every day at 03:00"), &clients);
        let want = changed.desired.iter().find(|d| d.key.kind == Kind::PatchPolicy).expect("desired policy");
        let observed = changed.scheduler.observe(&changed.plan.name, &changed.desired).await.expect("observe");
        let o = observed.iter().find(|o| o.key.kind == Kind::PatchPolicy).expect("the policy");
        // (Baseline ids are not needed to fail: the roles are.)
        let ids = ssmpatch::backends::Ids::default();
        let e = changed.scheduler.update(&changed.plan.name, o, want, &ids).await.expect_err("deployment failed");
        let arn = o.id.split('|').next().expect("arn");
        let status = si.boto3_json(&format!(
            "import boto3, json\nm = boto3.client('ssm-quicksetup', region_name='us-east-1').get_configuration_manager(ManagerArn='{arn}')\n\
             print(json.dumps([s for s in m['StatusSummaries'] if s['StatusType'] == 'Deployment'][0], default=str))"
        ));
        assert_eq!(status["Status"], "FAILED");
        let message = status["StatusMessage"].as_str().expect("a message");
        assert!(!message.is_empty());
        assert!(e.is_code("QuickSetupDeploymentFailed"), "{e:?}");
        assert!(e.to_string().contains(&format!("ended FAILED: {message}")), "{e}\n{message}");
        let hint = ssmpatch::Hint::hint(&e).expect("a hint");
        assert!(hint.contains("local deployment roles"), "{hint}");

        // The failed deployment is not taken for applied: plan shows it, and once the roles are
        // back, apply deploys again.
        let d = changed.diff().await.expect("diff");
        let policy = d.changes.iter().find(|c| c.key.kind == Kind::PatchPolicy).expect("the policy");
        assert_eq!(policy.action, Action::Update);
        assert!(policy.fields.iter().any(|f| f.field == "Deployment" && f.from == "FAILED"), "{policy:#?}");
        assert!(changed.apply(&d, &quiet).await.error.is_some_and(|e| e.contains("do not exist")));
        si.create_quick_setup_roles();
        assert_eq!(changed.apply(&d, &quiet).await.error, None);
        assert!(changed.diff().await.expect("diff").is_empty());
    }

    #[tokio::test]
    #[ignore = "needs the stand-in (scripts/test.sh)"]
    async fn aws_default_selects_the_regions_predefined_baselines() {
        let (si, clients) = standin().await;
        si.create_quick_setup_roles();
        let s = session(&web("[patch-policy]\nundeclared-os = \"aws-default\"\n"), &clients);
        let d = s.diff().await.expect("diff");
        let report = s.apply(&d, &quiet).await;
        assert_eq!(report.error, None);
        // AWS's own baselines as the Region lists them (their ids are ARNs).
        let aws = si.boto3_json(
            "import boto3, json\nssm = boto3.client('ssm', region_name='us-east-1')\n\
             out = {}\nfor page in ssm.get_paginator('describe_patch_baselines').paginate(Filters=[{'Key': 'OWNER', 'Values': ['AWS']}]):\n    \
             out.update({b['BaselineName']: b['BaselineId'] for b in page['BaselineIdentities']})\nprint(json.dumps(out))",
        );
        let m = clients.quicksetup.list_configuration_managers().send().await.expect("managers");
        let arn = m.configuration_managers_list()[0].manager_arn().to_string();
        let got = clients.quicksetup.get_configuration_manager().manager_arn(&arn).send().await.expect("manager");
        let selected: Value = serde_json::from_str(
            got.configuration_definitions()[0].parameters().get("SelectedPatchBaselines").expect("selected"),
        )
        .expect("json");
        assert_eq!(selected["WINDOWS"]["value"], aws["AWS-DefaultPatchBaseline"]);
        assert_eq!(selected["WINDOWS"]["label"], "AWS-DefaultPatchBaseline");
        assert_eq!(selected.as_object().map(|o| o.len()), Some(14));
        // Every operating system but the declared one has AWS's predefined baseline of the Region, by
        // the ARN the Region lists for it; the declared one has the plan's own baseline.
        let mut predefined = 0;
        for (os, entry) in selected.as_object().expect("an object") {
            let label = entry["label"].as_str().expect("a label");
            if os == "AMAZON_LINUX_2023" {
                assert!(!label.starts_with("AWS-"), "{entry}");
                continue;
            }
            predefined += 1;
            let id = aws[label].as_str().unwrap_or_else(|| panic!("{os}: {label} is not listed: {aws}"));
            assert_eq!(entry["value"], id, "{os}");
            assert!(id.starts_with("arn:aws:ssm:us-east-1:") && id.contains(":patchbaseline/pb-"), "{id}");
        }
        assert_eq!(predefined, 13);
        assert!(s.diff().await.expect("diff").is_empty());
    }

    #[tokio::test]
    #[ignore = "needs the stand-in (scripts/test.sh)"]
    async fn auto_refuses_to_move_a_plan_whose_resources_are_on_another_backend() {
        let (si, clients) = standin().await;
        si.create_quick_setup_roles();
        let one_tag = plan_text("pp-auto", "auto", r#""Patch Group" = "web""#, "");
        let s = session(&one_tag, &clients);
        assert_eq!(s.explanation.backend.as_str(), "patch-policy");
        let d = s.diff().await.expect("diff");
        assert_eq!(s.apply(&d, &quiet).await.error, None);

        // Two tag keys: a patch policy cannot target them, so auto now chooses associations.
        let two_tags = plan_text("pp-auto", "auto", r#""Patch Group" = "web", Rack = "r1""#, "");
        let moved = session(&two_tags, &clients);
        assert_eq!(moved.explanation.backend.as_str(), "association");
        si.clear_calls();
        let e = moved.diff().await.expect_err("refused");
        let text = e.to_string();
        assert!(text.starts_with("nothing was changed: "), "{text}");
        assert!(text.contains("now chooses the association backend"), "{text}");
        assert!(text.contains("on the patch-policy backend (patch-policy ssmpatch-pp-auto)"), "{text}");
        let hint = ssmpatch::error::Hint::hint(&e).expect("hint");
        assert!(hint.contains("backend = \"patch-policy\""), "{hint}");
        assert_eq!(si.writes(), Vec::<String>::new());

        // Naming the backend is the user's decision: no refusal.
        let pinned = session(&two_tags.replace("backend = \"auto\"", "backend = \"association\""), &clients);
        assert!(pinned.diff().await.is_ok());
        // And the plan that still fits the patch policy plans as before.
        assert!(s.diff().await.expect("diff").is_empty());
    }
}
