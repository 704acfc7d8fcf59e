//! Full-output tests of `ssmpatch schedule next|check`: stdout, stderr and exit code exactly.

use crate::util::{run as ssmpatch, text};

#[test]
fn next_json_is_exactly_one_object() {
    let out = ssmpatch(&[
        "schedule",
        "next",
        "cron(0 2 ? * 1L *)",
        "--tz",
        "Asia/Tokyo",
        "--after",
        "2026-06-01T00:00:00Z",
        "--count",
        "3",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stderr), "");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    assert_eq!(
        v,
        serde_json::json!({
            "expression": "cron(0 2 ? * 1L *)",
            "timezone": "Asia/Tokyo",
            "description": "02:00 on the last Sunday of every month, Asia/Tokyo",
            "next": ["2026-06-27T17:00:00Z", "2026-07-25T17:00:00Z", "2026-08-29T17:00:00Z"]
        })
    );
    let keys: Vec<&String> = v.as_object().expect("object").keys().collect();
    assert_eq!(keys, ["expression", "timezone", "description", "next"], "stable key order");
}

#[test]
fn next_with_offset_and_no_runs() {
    let out = ssmpatch(&[
        "schedule",
        "next",
        "cron(0 3 ? * TUE#2 *)",
        "--offset",
        "2",
        "--after",
        "2026-06-01T00:00:00Z",
        "--count",
        "1",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["next"], serde_json::json!(["2026-06-11T03:00:00Z"]));

    let out = ssmpatch(&["schedule", "next", "cron(0 0 30 2 ? *)", "--json", "--after", "2026-01-01T00:00:00Z"]);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["next"], serde_json::json!([]));
}

#[test]
fn next_human_output() {
    let out = ssmpatch(&[
        "schedule",
        "next",
        "cron(0 2 ? * 1L *)",
        "--tz",
        "Asia/Tokyo",
        "--after",
        "2026-06-01T00:00:00Z",
        "--count",
        "2",
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        text(&out.stdout),
        "cron(0 2 ? * 1L *)  (02:00 on the last Sunday of every month, Asia/Tokyo)\n\
         \x20 2026-06-27T17:00:00Z  Sun 2026-06-28 02:00:00 +09:00\n\
         \x20 2026-07-25T17:00:00Z  Sun 2026-07-26 02:00:00 +09:00\n"
    );
}

#[test]
fn invalid_expression_exits_2_with_located_error_and_empty_stdout() {
    let out = ssmpatch(&["schedule", "next", "cron(0 2 1 * MON *)"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(text(&out.stdout), "");
    assert_eq!(
        text(&out.stderr),
        "error: day-of-month and day-of-week are both set (at column 14)\n\
         \x20 cron(0 2 1 * MON *)\n\
         \x20              ^\n\
         hint: put `?` in one of them, e.g. `cron(0 2 ? * SUN *)` or `cron(0 2 1 * ? *)`\n"
    );
}

#[test]
fn invalid_zone_and_after_exit_2() {
    for args in [
        &["schedule", "next", "rate(1 day)", "--tz", "Mars/Olympus"][..],
        &["schedule", "next", "rate(1 day)", "--after", "yesterday"][..],
        &["schedule", "next", "rate(1 day)", "--offset", "2"][..],
    ] {
        let out = ssmpatch(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(text(&out.stdout), "", "{args:?}");
        let err = text(&out.stderr);
        assert!(err.starts_with("error: ") && err.contains("\nhint: "), "{args:?}: {err}");
        // With --json: the same exit code, the error and its hint as one JSON object on stdout.
        let out = ssmpatch(&[args, &["--json"]].concat());
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(text(&out.stderr), "", "{args:?}");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
        assert!(v["error"]["message"].is_string() && v["error"]["hint"].is_string(), "{args:?}: {v}");
    }
}

#[test]
fn check_json_lists_every_backend_and_exits_0_when_one_accepts() {
    let out = ssmpatch(&["schedule", "check", "cron(0 18 ? * MON-FRI *)", "--json"]);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["expression"], "cron(0 18 ? * MON-FRI *)");
    assert_eq!(v["backends"]["maintenance-window"], serde_json::json!({"ok": true}));
    for b in ["association", "patch-policy"] {
        assert_eq!(v["backends"][b]["ok"], false);
        assert!(v["backends"][b]["reason"].as_str().expect("reason").contains("MON-FRI"));
        assert!(v["backends"][b]["hint"].as_str().expect("hint").contains("maintenance window"));
    }
    let keys: Vec<&String> = v["backends"].as_object().expect("object").keys().collect();
    assert_eq!(keys, ["patch-policy", "association", "maintenance-window"]);
}

#[test]
fn check_named_backend_rejecting_exits_1() {
    let out = ssmpatch(&["schedule", "check", "cron(0 2 ? JAN SUN *)", "--backend", "association", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let backends = v["backends"].as_object().expect("object");
    assert_eq!(backends.len(), 1);
    assert_eq!(backends["association"]["ok"], false);

    let out = ssmpatch(&["schedule", "check", "cron(0 2 ? JAN SUN *)", "--backend", "maintenance-window"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        text(&out.stdout),
        "cron(0 2 ? JAN SUN *)  (02:00 every Sunday in January, UTC)\n  ok   maintenance-window\n"
    );
}

#[test]
fn check_every_backend_rejecting_exits_1() {
    // A 1-minute rate is below every backend's minimum interval.
    let out = ssmpatch(&["schedule", "check", "rate(1 minute)", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    for (_, r) in v["backends"].as_object().expect("object") {
        assert_eq!(r["ok"], false);
    }
}

#[test]
fn offset_rules_in_check() {
    let out = ssmpatch(&["schedule", "check", "cron(0 3 ? * TUE#2 *)", "--offset", "7", "--json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let out = ssmpatch(&["schedule", "check", "cron(0 3 ? * TUE#2 *)", "--offset", "3", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["backends"]["maintenance-window"]["ok"], true);
    assert_eq!(v["backends"]["association"]["ok"], true);
    assert_eq!(v["backends"]["patch-policy"]["ok"], false);
}

#[test]
fn check_warns_when_an_accepted_expression_never_runs() {
    for expr in ["cron(0 0 30 2 ? *)", "at(2001-01-01T00:00:00)"] {
        let out = ssmpatch(&["schedule", "check", expr, "--backend", "maintenance-window"]);
        assert_eq!(out.status.code(), Some(0), "{expr}: accepted");
        let err = text(&out.stderr);
        assert!(err.contains("has no run after") && err.contains("it would never run"), "{expr}: {err}");
        let out = ssmpatch(&["schedule", "check", expr, "--backend", "maintenance-window", "--json"]);
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        assert_eq!(v["next_run"], serde_json::Value::Null, "{expr}");
    }
    let out = ssmpatch(&["schedule", "check", "cron(0 2 ? JAN SUN *)", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert!(v["next_run"].as_str().is_some_and(|t| t.ends_with('Z')), "{v}");
    assert!(!text(&out.stderr).contains("never run"));
}
