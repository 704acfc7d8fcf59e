//! Command-line conventions, over every command the binary has (walked from `--help`, so a new
//! subcommand is covered without touching this file): `--json` makes every error — the argument
//! parser's included — one JSON object on stdout with the exit code of the text form; every
//! `--help` has examples; completion scripts for five shells; the committed man pages are what
//! the binary generates.

use std::path::PathBuf;
use std::process::Output;

use serde_json::Value;
use ssmpatch_test_support::standin::{StandIn, root};

use crate::util::{run, ssmpatch, text};

/// Every command path (`[]`, `["schedule"]`, `["schedule", "next"]`, …), read from the
/// `Commands:` section of each `--help`; clap's own `help` left out.
fn commands() -> Vec<Vec<String>> {
    fn walk(path: Vec<String>, all: &mut Vec<Vec<String>>) {
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("--help");
        let out = run(&args);
        assert_eq!(out.status.code(), Some(0), "ssmpatch {}: {}", args.join(" "), text(&out.stderr));
        let help = text(&out.stdout);
        let subs: Vec<String> = help
            .lines()
            .skip_while(|l| *l != "Commands:")
            .skip(1)
            .take_while(|l| !l.is_empty())
            .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
            .filter_map(|l| l.split_whitespace().next())
            .filter(|name| *name != "help")
            .map(str::to_string)
            .collect();
        all.push(path.clone());
        for sub in subs {
            let mut p = path.clone();
            p.push(sub);
            walk(p, all);
        }
    }
    let mut all = Vec::new();
    walk(Vec::new(), &mut all);
    all
}

fn args_of<'a>(path: &'a [String], extra: &[&'a str]) -> Vec<&'a str> {
    path.iter().map(String::as_str).chain(extra.iter().copied()).collect()
}

/// `{"error": {...}}`, the only thing on stdout (serde_json refuses anything after the object);
/// its `message` non-empty, `hint` a string or null, `code` a string. Stderr says nothing.
fn json_error(out: &Output, what: &str) -> Value {
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{what}: stdout is not one JSON value ({e}): {}", text(&out.stdout)));
    let e = &v["error"];
    assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()), "{what}: no message: {v}");
    assert!(e["hint"].is_string() || e["hint"].is_null(), "{what}: hint: {v}");
    assert!(e["code"].is_string(), "{what}: no code: {v}");
    assert_eq!(text(&out.stderr), "", "{what}: stderr");
    e.clone()
}

#[test]
fn the_command_tree_is_read_from_help() {
    let all: Vec<String> = commands().iter().map(|p| p.join(" ")).collect();
    for expected in ["", "schedule", "schedule next", "schedule check", "validate", "plan", "apply", "strategy test"] {
        assert!(all.iter().any(|p| p == expected), "`{expected}` not in {all:?}");
    }
    assert!(all.iter().any(|p| p == "completions") && all.iter().any(|p| p == "man"), "{all:?}");
    assert!(!all.iter().any(|p| p.ends_with("help")), "{all:?}");
}

#[test]
fn with_json_a_bad_argument_is_one_json_error_on_every_command() {
    for path in commands() {
        let shown = format!("ssmpatch {}", path.join(" "));
        // Without --json: clap's text on stderr, exit 2.
        let plain = run(&args_of(&path, &["--no-such-flag"]));
        assert_eq!(plain.status.code(), Some(2), "{shown}: {}", text(&plain.stderr));
        assert_eq!(text(&plain.stdout), "", "{shown}");
        assert!(text(&plain.stderr).starts_with("error: "), "{shown}: {}", text(&plain.stderr));
        // With it, after or before the flag: the same exit code, one JSON object.
        for args in [args_of(&path, &["--no-such-flag", "--json"]), args_of(&path, &["--json", "--no-such-flag"])] {
            let out = run(&args);
            let what = format!("ssmpatch {}", args.join(" "));
            assert_eq!(out.status.code(), plain.status.code(), "{what}: {}", text(&out.stdout));
            let e = json_error(&out, &what);
            assert_eq!(e["code"], "usage", "{what}: {e}");
            assert_eq!(e["kind"], "unknown-argument", "{what}: {e}");
            // The first argument the command does not know: --json itself where it has none.
            let named = |m: &str| m.contains("'--no-such-flag'") || m.contains("'--json'");
            assert!(e["message"].as_str().is_some_and(named), "{what}: {e}");
        }
        // --json first on the line, where the top level has no such flag.
        let mut first = vec!["--json"];
        first.extend(args_of(&path, &["--no-such-flag"]));
        let out = run(&first);
        assert_eq!(out.status.code(), Some(2), "ssmpatch {}", first.join(" "));
        assert_eq!(json_error(&out, &first.join(" "))["code"], "usage");
        // Nothing but --json: a missing argument, an unknown --json, or a success — never text.
        let args = args_of(&path, &["--json"]);
        let out = run(&args);
        let what = format!("ssmpatch {}", args.join(" "));
        match out.status.code() {
            Some(0) => {
                serde_json::from_slice::<Value>(&out.stdout).unwrap_or_else(|e| panic!("{what}: {e}"));
            }
            code => {
                assert_eq!(code, Some(2), "{what}: {}", text(&out.stdout));
                let e = json_error(&out, &what);
                assert!(
                    ["missing-required-argument", "unknown-argument", "missing-subcommand"]
                        .contains(&e["kind"].as_str().unwrap_or_default()),
                    "{what}: {e}"
                );
            }
        }
    }
}

#[test]
fn every_kind_of_parser_error_is_taken_apart_in_json() {
    let cases: [(&[&str], &str, &str); 8] = [
        (&["frobnicate", "--json"], "invalid-subcommand", "frobnicate"),
        (&["schedule", "nxt", "--json"], "invalid-subcommand", "nxt"),
        (&["schedule", "next", "--json"], "missing-required-argument", "<EXPRESSION>"),
        (&["schedule", "next", "rate(1 day)", "--count", "abc", "--json"], "value-validation", "--count <COUNT>"),
        (
            &["schedule", "next", "rate(1 day)", "--after", "yesterday", "--json"],
            "value-validation",
            "--after <RFC3339>",
        ),
        (&["schedule", "check", "rate(1 day)", "--backend", "nope", "--json"], "invalid-value", "--backend <BACKEND>"),
        (
            &["iam-policy", "examples/seed-placed.toml", "--node", "--for", "plan", "--json"],
            "argument-conflict",
            "--node",
        ),
        (
            &["plan", "examples/seed-placed.toml", "--region", "Tokyo", "--json"],
            "value-validation",
            "--region <REGION>",
        ),
    ];
    for (args, kind, argument) in cases {
        let what = args.join(" ");
        let plain: Vec<&str> = args.iter().copied().filter(|a| *a != "--json").collect();
        let expected = run(&plain).status.code();
        let out = run(args);
        assert_eq!(out.status.code(), Some(2), "{what}");
        assert_eq!(out.status.code(), expected, "{what}: the same exit code as without --json");
        let e = json_error(&out, &what);
        assert_eq!(e["code"], "usage", "{what}: {e}");
        assert_eq!(e["kind"], kind, "{what}: {e}");
        assert!(e["argument"].as_str().is_some_and(|a| a.contains(argument)), "{what}: {e}");
    }
    // A suggestion, the values accepted, our own value parser's hint: each in its place.
    let e = json_error(&run(&["schedule", "nxt", "--json"]), "nxt");
    assert!(e["hint"].as_str().is_some_and(|h| h.contains("'next'")), "{e}");
    let e = json_error(&run(&["schedule", "check", "rate(1 day)", "--backend", "nope", "--json"]), "backend");
    assert_eq!(e["value"], "nope", "{e}");
    assert_eq!(e["valid_values"], serde_json::json!(["maintenance-window", "association", "patch-policy"]), "{e}");
    let e = json_error(&run(&["schedule", "next", "rate(1 day)", "--after", "yesterday", "--json"]), "after");
    assert_eq!(e["value"], "yesterday", "{e}");
    assert!(
        e["message"].as_str().is_some_and(|m| m.contains("is not an RFC 3339 instant") && !m.contains("hint")),
        "{e}"
    );
    assert_eq!(e["hint"], "write e.g. 2026-06-01T00:00:00Z or 2026-06-01T09:00:00+09:00", "{e}");
    let e = json_error(&run(&["plan", "examples/seed-placed.toml", "--region", "Tokyo", "--json"]), "region");
    assert!(e["message"].as_str().is_some_and(|m| m.contains("`Tokyo` is not an AWS Region name")), "{e}");
    // `--json=true` (clap refuses a value for the flag) still asks for JSON.
    let e = json_error(&run(&["schedule", "next", "--json=true"]), "--json=true");
    assert_eq!(e["code"], "usage", "{e}");
}

#[test]
fn help_and_version_stay_as_they_are_with_json() {
    let out = run(&["schedule", "next", "--help", "--json"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).starts_with("The next run times of an expression"), "{}", text(&out.stdout));
    let out = run(&["--version", "--json"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stdout), format!("ssmpatch {}\n", env!("CARGO_PKG_VERSION")));
}

#[test]
fn an_invalid_schedule_with_json_is_a_json_error_exit_2() {
    let out = run(&["schedule", "check", "rate(5 hour)", "--json"]);
    assert_eq!(out.status.code(), Some(2));
    let e = json_error(&out, "rate(5 hour)");
    assert_eq!(e["code"], "schedule");
    assert_eq!(e["expression"], "rate(5 hour)");
    assert_eq!(e["column"], 8);
    assert_eq!(e["hint"], "write `rate(5 hours)`");
    assert!(e["message"].as_str().is_some_and(|m| m.contains("the unit must be singular")), "{e}");
    assert_eq!(run(&["schedule", "check", "rate(5 hour)"]).status.code(), Some(2), "as without --json");
    // A cron field, in `schedule next`; a time zone (no expression to point into).
    let e = json_error(&run(&["schedule", "next", "cron(0 25 ? * SUN *)", "--json"]), "cron");
    assert_eq!(e["code"], "schedule");
    assert_eq!((e["field"].as_str(), e["column"].as_u64()), (Some("hours"), Some(8)), "{e}");
    let out = run(&["schedule", "next", "rate(1 day)", "--tz", "Mars/Olympus", "--json"]);
    assert_eq!(out.status.code(), Some(2));
    let e = json_error(&out, "tz");
    assert_eq!((e["code"].as_str(), e["expression"].is_null()), (Some("schedule"), true), "{e}");
}

#[test]
fn a_missing_plan_file_with_json_is_a_json_error_on_every_plan_command() {
    let missing = "no/such/plan.toml";
    for cmd in ["validate", "explain", "calendar", "iam-policy", "plan", "apply", "destroy", "refresh", "status"] {
        let out = run(&[cmd, missing, "--json"]);
        assert_eq!(out.status.code(), Some(2), "{cmd}: {}", text(&out.stdout));
        let e = json_error(&out, cmd);
        assert_eq!(e["code"], "input", "{cmd}: {e}");
        assert!(e["message"].as_str().is_some_and(|m| m.contains(missing)), "{cmd}: {e}");
        assert!(e["hint"].is_string(), "{cmd}: {e}");
    }
    // `plan --detailed-exitcode` answers 1 for any error, with --json as without.
    let out = run(&["plan", missing, "--detailed-exitcode", "--json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    assert_eq!(run(&["plan", missing, "--detailed-exitcode"]).status.code(), Some(1));
    assert_eq!(json_error(&out, "detailed-exitcode")["code"], "input");
}

/// A copy of the seed plan in a directory of the test's own, with `from` replaced by `to`.
fn seed_with(name: &str, from: &str, to: &str) -> PathBuf {
    let seed = std::fs::read_to_string(root().join("examples/seed-monthly.toml")).expect("seed plan");
    assert!(seed.contains(from), "`{from}` not in the seed plan");
    let dir = std::env::temp_dir().join(format!("ssmpatch-cli-conventions-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, seed.replacen(from, to, 1)).expect("write plan");
    path
}

#[test]
fn an_invalid_plan_with_json_lists_every_problem_located() {
    let plan = seed_with("bad-schedule.toml", "last sunday at 03:00", "last funday at 03:00");
    let p = plan.to_str().expect("utf-8");
    for cmd in ["validate", "explain", "calendar", "plan"] {
        let out = run(&[cmd, p, "--json"]);
        assert_eq!(out.status.code(), Some(2), "{cmd}: {}", text(&out.stdout));
        assert_eq!(run(&[cmd, p]).status.code(), Some(2), "{cmd}: as without --json");
        let e = json_error(&out, cmd);
        assert_eq!(e["code"], "plan", "{cmd}: {e}");
        let problems = e["problems"].as_array().expect("problems");
        assert!(!problems.is_empty(), "{e}");
        let first = &problems[0];
        assert_eq!(first["line"], 41, "{cmd}: {e}");
        assert!(first["column"].is_number() && first["path"].is_string() && first["file"] == p, "{cmd}: {e}");
        assert!(e["message"].as_str().is_some_and(|m| m.contains(":41:")), "{cmd}: the text form's headline: {e}");
    }
}

#[test]
fn an_aws_failure_with_json_is_a_json_error_exit_3() {
    // Nothing listens there: the connection is refused.
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("address").port();
    let dir = std::env::temp_dir().join(format!("ssmpatch-cli-conventions-aws-{}", std::process::id()));
    let out = ssmpatch(&[
        "plan",
        "examples/seed-placed.toml",
        "--endpoint-url",
        &format!("http://127.0.0.1:{port}"),
        "--json",
    ])
    .env("AWS_ACCESS_KEY_ID", "testing")
    .env("AWS_SECRET_ACCESS_KEY", "testing")
    .env("AWS_EC2_METADATA_DISABLED", "true")
    .env("AWS_CONFIG_FILE", dir.join("config"))
    .env("AWS_SHARED_CREDENTIALS_FILE", dir.join("credentials"))
    .env_remove("AWS_PROFILE")
    .output()
    .expect("run ssmpatch");
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stdout));
    let e = json_error(&out, "refused");
    assert_eq!(e["code"], "aws", "{e}");
    assert!(e["message"].as_str().is_some_and(|m| m.contains("could not connect to the endpoint")), "{e}");
}

#[test]
fn a_hostile_value_in_a_json_error_is_clipped_and_escaped() {
    let expr = format!("cron(\u{1b}[31m{}\u{202e})", "9".repeat(100_000));
    let out = run(&["schedule", "next", &expr, "--json"]);
    assert_eq!(out.status.code(), Some(2));
    let e = json_error(&out, "hostile");
    for field in ["message", "expression"] {
        let s = e[field].as_str().expect(field);
        assert!(s.chars().count() < 1_000, "{field}: {} characters", s.chars().count());
        assert!(!s.contains('\u{1b}') && !s.contains('\u{202e}'), "{field} carries a raw control character: {s}");
    }
}

#[test]
fn every_command_help_has_examples_of_that_command() {
    for path in commands() {
        let shown = path.join(" ");
        for flag in ["--help", "-h"] {
            let out = run(&args_of(&path, &[flag]));
            assert_eq!(out.status.code(), Some(0), "{shown} {flag}");
            let help = text(&out.stdout);
            let examples = help.split_once("\nExamples:\n").map(|(_, e)| e).unwrap_or_else(|| {
                panic!("`ssmpatch {shown} {flag}` has no Examples: block:\n{help}");
            });
            let prefix = if path.is_empty() { "$ ssmpatch".to_string() } else { format!("$ ssmpatch {shown}") };
            assert!(
                examples.lines().map(str::trim).any(|l| l == prefix || l.starts_with(&format!("{prefix} "))),
                "`ssmpatch {shown} {flag}`: no example starting `{prefix}`:\n{examples}"
            );
        }
    }
}

#[test]
fn completions_for_every_shell_name_every_command() {
    let top: Vec<String> = commands().into_iter().filter(|p| p.len() == 1).map(|p| p[0].clone()).collect();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = run(&["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}: {}", text(&out.stderr));
        let script = text(&out.stdout);
        assert!(script.len() > 1_000, "{shell}: {} bytes", script.len());
        for name in &top {
            assert!(script.contains(name.as_str()), "{shell}: `{name}` not in the script");
        }
        // A nested command and a flag of it, too.
        assert!(script.contains("detailed-exitcode") && script.contains("from-invocation"), "{shell}");
    }
    // bash itself accepts the bash script.
    let out = run(&["completions", "bash"]);
    let path = std::env::temp_dir().join(format!("ssmpatch-completion-{}.bash", std::process::id()));
    std::fs::write(&path, &out.stdout).expect("write the script");
    let check = std::process::Command::new("bash").arg("-n").arg(&path).output().expect("run bash -n");
    assert!(check.status.success(), "bash -n: {}", text(&check.stderr));
}

#[test]
fn the_committed_man_pages_are_what_the_binary_generates() {
    let committed = root().join("docs/man");
    let fresh = std::env::temp_dir().join(format!("ssmpatch-man-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&fresh);
    let dir = fresh.to_str().expect("utf-8");
    let out = run(&["man", "--dir", dir]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let names = |d: &std::path::Path| -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(d)
            .unwrap_or_else(|e| panic!("{}: {e}", d.display()))
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    let generated = names(&fresh);
    // One page per command, named after its path.
    let mut expected: Vec<String> = commands()
        .iter()
        .map(|p| if p.is_empty() { "ssmpatch.1".to_string() } else { format!("ssmpatch-{}.1", p.join("-")) })
        .collect();
    expected.sort();
    assert_eq!(generated, expected);
    let regenerate = "regenerate with `cargo run -p ssmpatch-cli -- man --dir docs/man`";
    assert_eq!(names(&committed), generated, "docs/man/ is not every page: {regenerate}");
    for name in &generated {
        let (a, b) =
            (std::fs::read(committed.join(name)).expect("committed"), std::fs::read(fresh.join(name)).expect("fresh"));
        assert!(a == b, "docs/man/{name} differs from what the binary generates: {regenerate}");
    }
    // `ssmpatch man` prints the top page; each page has the examples of its --help.
    let out = run(&["man"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(out.stdout, std::fs::read(committed.join("ssmpatch.1")).expect("ssmpatch.1"));
    let next = std::fs::read_to_string(committed.join("ssmpatch-schedule-next.1")).expect("page");
    assert!(next.contains(".SH EXAMPLES\n.nf\n") && next.contains("ssmpatch schedule next"), "{next}");
    let _ = std::fs::remove_dir_all(&fresh);
}

#[test]
#[ignore = "needs the local AWS stand-in (scripts/test.sh runs it)"]
fn an_apply_stopped_part_way_with_json_is_one_object_with_the_diff_the_report_and_the_error() {
    let si = StandIn::start();
    si.create_bucket("web-patching-artifacts", "ap-northeast-1");
    // Every CreateMaintenanceWindow fails on AWS's side (after the SDK's retries).
    si.set_faults(&serde_json::json!({"rules": [{"operation": "CreateMaintenanceWindow", "kind": "error"}]}));
    let mut c = ssmpatch(&["apply", "examples/seed-placed.toml", "--yes", "--json"]);
    si.aws_env(&mut c);
    let out = c.output().expect("run ssmpatch");
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not one JSON value ({e}): {}", text(&out.stdout)));
    assert!(v["diff"]["changes"].is_array(), "{v}");
    assert!(v["report"]["error"].as_str().is_some_and(|e| e.contains("CreateMaintenanceWindow")), "{v}");
    assert_eq!(v["error"]["code"], "aws", "{v}");
    assert!(v["error"]["message"].as_str().is_some_and(|m| m.starts_with("stopped: ")), "{v}");
    assert!(v["error"]["hint"].is_string(), "{v}");
    // The text form: the error on stderr, nothing of it on stdout.
    let mut c = ssmpatch(&["apply", "examples/seed-placed.toml", "--yes"]);
    si.aws_env(&mut c);
    let out = c.output().expect("run ssmpatch");
    assert_eq!(out.status.code(), Some(3));
    assert!(text(&out.stderr).contains("error: stopped: "), "{}", text(&out.stderr));
}
