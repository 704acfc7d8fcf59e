//! Full-output tests of the offline plan commands.

use ssmpatch_test_support::standin::root;

use crate::util::{json, run as ssmpatch, text};

const FROM: &str = "2026-06-01T00:00:00Z";

#[test]
fn calendar_json_contract() {
    let out = ssmpatch(&["calendar", "examples/seed-monthly.toml", "--count", "2", "--json", "--from", FROM]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v = json(&out);
    assert_eq!(v["plan"], "web-monthly");
    assert_eq!(v["backend"], "maintenance-window");
    let runs = v["runs"].as_array().expect("runs");
    let firsts: Vec<(&str, &str, &str)> = runs
        .iter()
        .map(|r| {
            (r["operation"].as_str().unwrap_or(""), r["at"].as_str().unwrap_or(""), r["local"].as_str().unwrap_or(""))
        })
        .collect();
    assert_eq!(
        firsts,
        [
            ("scan", "2026-06-20T18:00:00Z", "2026-06-21T03:00:00+09:00"),
            ("install", "2026-06-27T18:00:00Z", "2026-06-28T03:00:00+09:00"),
            ("scan", "2026-07-18T18:00:00Z", "2026-07-19T03:00:00+09:00"),
            ("install", "2026-07-25T18:00:00Z", "2026-07-26T03:00:00+09:00"),
        ]
    );
    for r in runs {
        let keys: Vec<&String> = r.as_object().expect("object").keys().collect();
        assert_eq!(keys, ["operation", "kind", "at", "local", "baseline"]);
        assert_eq!(r["kind"], r["operation"]);
        let b = r["baseline"].as_str().expect("baseline");
        assert!(b.starts_with("override:") && b.len() == "override:".len() + 64, "{b}");
    }
}

#[test]
fn explain_json_shows_choice_forms_and_placement() {
    let out = ssmpatch(&["explain", "examples/seed-placed.toml", "--json", "--from", FROM]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v = json(&out);
    assert_eq!(v["backend"], "maintenance-window");
    assert_eq!(v["chosen"], "auto");
    assert_eq!(v["rejected"][0]["backend"], "patch-policy");
    assert_eq!(v["placement"]["rules_from"], "install");
    assert_eq!(v["placement"]["operations"]["install"]["use"], "default");
    assert_eq!(v["placement"]["operations"]["scan"]["use"], "override");
    let install = v["operations"].as_array().expect("ops").iter().find(|o| o["name"] == "install").expect("install");
    assert_eq!(install["compiled"]["result"], "exact");
    assert_eq!(install["compiled"]["native"]["expression"], "cron(0 3 ? * SUNL *)");
    assert_eq!(install["compiled"]["native"]["time_zone"], "Asia/Tokyo");
    assert_eq!(install["backends"]["association"]["result"], "inexpressible");
    // The install runs without override: `rescan` adds nothing.
    assert_eq!(v["additions"], serde_json::json!({"strategy": "rescan", "operations": [], "notes": []}));

    // The seed plan's install runs with its override: `rescan` adds a later task in its window.
    let v = json(&ssmpatch(&["explain", "examples/seed-monthly.toml", "--json", "--from", FROM]));
    assert_eq!(
        v["additions"]["operations"],
        serde_json::json!([{"name": "install-rescan", "kind": "scan", "after": "install", "uses_override": false,
                            "placement": {"type": "window-task", "priority": 2}}])
    );
    let text_out = text(&ssmpatch(&["explain", "examples/seed-monthly.toml", "--from", FROM]).stdout);
    assert!(
        text_out.contains(
            "strategy rescan adds operation install-rescan (scan, without override): a task at priority 2 in `install`'s window (runs after it)"
        ),
        "{text_out}"
    );
}

#[test]
fn validate_ok_and_located_errors() {
    let out = ssmpatch(&["validate", "examples/patch-tuesday.toml"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stdout), "ok examples/patch-tuesday.toml is valid: 2 operation(s) on maintenance-window\n");

    let dir = std::env::temp_dir().join(format!("ssmpatch-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let bad = dir.join("bad.toml");
    std::fs::write(
        &bad,
        "version = 1\nname = \"bad-plan\"\ntargets = { tags = { \"Patch Group\" = \"web\" } }\n\n[operations.install]\nkind = \"install\"\nschedule = \"cron(0 2 ? * MON-FRI *)\"\noffset-days = 8\n",
    )
    .expect("write");
    let bad_s = bad.display().to_string();
    let out = ssmpatch(&["validate", &bad_s]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(text(&out.stdout), "");
    assert_eq!(
        text(&out.stderr),
        format!(
            "error: {bad_s}:8:15: operations.install.offset-days: schedule offset 8 is out of range\n\
             \x20 offset-days = 8\n\
             \x20               ^\n\
             hint: ScheduleOffset is 1 to 6 days; for longer shifts use a calendar rule such as `patch tuesday + 10 days at 02:00`\n"
        )
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn override_render_prints_the_exact_document() {
    let out = ssmpatch(&["override", "render", "examples/seed-placed.toml", "--operation", "install"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let golden = std::fs::read(root().join("core/tests/data/baseline/seed-install-21.json")).expect("golden");
    assert_eq!(out.stdout, golden);
    let out = ssmpatch(&["override", "render", "examples/seed-placed.toml", "--operation", "nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("no operation named `nope`"), "{}", text(&out.stderr));
}

#[test]
fn schema_is_the_published_file() {
    let out = ssmpatch(&["schema"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(out.stdout, std::fs::read(root().join("core/plan.schema.json")).expect("schema"));
}

#[test]
fn unreadable_plan_is_bad_input() {
    let out = ssmpatch(&["explain", "examples/does-not-exist.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).starts_with("error: cannot read plan `examples/does-not-exist.toml`"));
}

/// Every action of a policy document, and every ARN it names.
fn actions_and_arns(policy: &serde_json::Value) -> (Vec<String>, Vec<String>) {
    let st = policy["Statement"].as_array().expect("statements");
    let strings = |v: &serde_json::Value| -> Vec<String> {
        match v {
            serde_json::Value::String(s) => vec![s.clone()],
            serde_json::Value::Array(a) => a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect(),
            _ => vec![],
        }
    };
    (st.iter().flat_map(|s| strings(&s["Action"])).collect(), st.iter().flat_map(|s| strings(&s["Resource"])).collect())
}

#[test]
fn iam_policy_per_command_partition_and_nodes() {
    let plan = "examples/seed-placed.toml";
    let policy = |args: &[&str]| {
        let mut a = vec!["iam-policy", plan, "--from", FROM];
        a.extend_from_slice(args);
        let out = ssmpatch(&a);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", text(&out.stderr));
        json(&out)
    };
    let (all, _) = actions_and_arns(&policy(&[]));
    let (plan_only, _) = actions_and_arns(&policy(&["--for", "plan"]));
    assert!(
        plan_only.iter().all(|a| !a.contains(":Create") && !a.contains(":Delete") && !a.contains(":Put")),
        "{plan_only:?}"
    );
    assert!(plan_only.iter().all(|a| all.contains(a)));
    let (two, _) = actions_and_arns(&policy(&["--for", "apply,destroy"]));
    let (repeated, _) = actions_and_arns(&policy(&["--for", "apply", "--for", "destroy"]));
    assert_eq!(two, repeated);
    assert!(
        two.contains(&"ssm:CreateMaintenanceWindow".to_string())
            && !two.contains(&"ssm:PutComplianceItems".to_string())
    );
    let (everything, _) = actions_and_arns(&policy(&["--for", "all"]));
    assert_eq!(everything, all);
    // ARNs in the partition asked for, else the plan's Region's.
    let (_, arns) = actions_and_arns(&policy(&["--partition", "aws-cn", "--account", "123456789012"]));
    let named: Vec<&String> = arns.iter().filter(|a| *a != "*").collect();
    assert!(!named.is_empty() && named.iter().all(|a| a.starts_with("arn:aws-cn:")), "{named:?}");
    // The nodes: the override objects they download and the output they upload, nothing of the
    // caller's.
    let (node_actions, node_arns) = actions_and_arns(&policy(&["--node"]));
    assert_eq!(node_actions, ["s3:GetObject", "s3:PutObject", "s3:GetEncryptionConfiguration"]);
    assert_eq!(
        node_arns,
        [
            "arn:aws:s3:::web-patching-artifacts/ssmpatch/overrides/web-monthly-placed/*",
            "arn:aws:s3:::web-patching-artifacts/ssmpatch/output/web-monthly-placed/*",
            "arn:aws:s3:::web-patching-artifacts"
        ]
    );
    for (args, says) in [
        (vec!["--for", "deploy"], "`deploy` is not a command with a policy"),
        (vec!["--partition", "azure"], "`azure` is not an AWS partition"),
        (vec!["--account", "12"], "`12` is not an AWS account id"),
    ] {
        let mut a = vec!["iam-policy", plan];
        a.extend(args.iter().copied());
        let out = ssmpatch(&a);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(text(&out.stderr).contains(says), "{args:?}: {}", text(&out.stderr));
    }
    let out = ssmpatch(&["iam-policy", plan, "--node", "--for", "apply"]);
    assert_eq!(out.status.code(), Some(2), "--node with --for");
}
