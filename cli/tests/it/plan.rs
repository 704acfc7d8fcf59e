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
