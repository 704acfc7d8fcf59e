//! A plan's custom strategy from the command line: its path relative to the plan file, whatever
//! the current directory; `validate` loads it and calls its `plan`, so a missing component or
//! settings it rejects fail (exit 2) naming the plan file, the strategy and what it said.

use std::path::{Path, PathBuf};

use ssmpatch_test_support::fixture;

use crate::util::{ssmpatch, text};

fn plan_text(strategy: &str, settings: &str) -> String {
    format!(
        r#"version = 1
name = "custom"
backend = "maintenance-window"
baseline-rules-from = "declared"
targets = {{ tags = {{ "Patch Group" = "web" }} }}

[baselines.AMAZON_LINUX_2023]
[[baselines.AMAZON_LINUX_2023.approval-rules]]
approve-after-days = 7

[operations.install]
kind = "install"
schedule = "second tuesday at 22:00"
approval = {{ approve-after-days = 21 }}

[s3]
bucket = "patch-artifacts"

[compliance]
strategy = "{strategy}"

[compliance.settings]
{settings}
"#
    )
}

fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("ssmpatch-cli-plan-strategy-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("dir");
    d
}

/// `ssmpatch ARGS` run in `cwd`: (exit code, stdout, stderr).
fn run_in(cwd: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let o = ssmpatch(args).current_dir(cwd).output().expect("run ssmpatch");
    (o.status.code(), text(&o.stdout), text(&o.stderr))
}

#[test]
fn the_strategy_path_is_relative_to_the_plan_file_from_any_directory() {
    let d = dir("relative");
    std::fs::create_dir_all(d.join("plans/strategies")).expect("dir");
    std::fs::copy(fixture("fixture-oversized"), d.join("plans/strategies/mine.wasm")).expect("copy");
    std::fs::write(d.join("plans/plan.toml"), plan_text("strategies/mine.wasm", "count = \"1\"")).expect("write");
    let elsewhere = dir("elsewhere");
    // From the plan's parent, from an unrelated directory, and by an absolute path.
    let absolute = d.join("plans/plan.toml").display().to_string();
    for (cwd, plan) in [(&d, "plans/plan.toml"), (&elsewhere, absolute.as_str())] {
        for command in ["validate", "explain"] {
            let (code, out, err) = run_in(cwd, &[command, plan, "--from", "2026-06-01T00:00:00Z"]);
            assert_eq!(code, Some(0), "{command} {plan} in {}: {err}", cwd.display());
            if command == "explain" {
                assert!(out.contains("extra-0"), "the strategy's addition: {out}");
            }
        }
    }
    // A plan read from a pipe (`/dev/stdin`, a shell's `<(…)`) has no directory: its paths are the
    // current directory's, as for text — not `/dev/strategies/mine.wasm`.
    let piped = ssmpatch(&["validate", "/dev/stdin", "--from", "2026-06-01T00:00:00Z"])
        .current_dir(d.join("plans"))
        .stdin(std::fs::File::open(d.join("plans/plan.toml")).expect("open"))
        .output()
        .expect("run ssmpatch");
    assert_eq!(piped.status.code(), Some(0), "{}", text(&piped.stderr));
    let (child, mut stdin) = {
        let mut c = ssmpatch(&["validate", "/dev/stdin", "--from", "2026-06-01T00:00:00Z"])
            .current_dir(d.join("plans"))
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn ssmpatch");
        let stdin = c.stdin.take().expect("stdin");
        (c, stdin)
    };
    std::io::Write::write_all(&mut stdin, plan_text("strategies/mine.wasm", "count = \"1\"").as_bytes()).expect("pipe");
    drop(stdin);
    let piped = child.wait_with_output().expect("wait");
    assert_eq!(piped.status.code(), Some(0), "a pipe: {}", text(&piped.stderr));
    let _ = std::fs::remove_dir_all(&d);
    let _ = std::fs::remove_dir_all(&elsewhere);
}

#[test]
fn validate_loads_the_strategy_and_calls_its_plan() {
    let d = dir("validate");
    let file = d.join("plan.toml");
    let plan = file.display().to_string();
    let validate = || run_in(&d, &["validate", &plan, "--from", "2026-06-01T00:00:00Z"]);

    std::fs::write(&file, plan_text("gone.wasm", "")).expect("write");
    let (code, out, err) = validate();
    assert_eq!((code, out.as_str()), (Some(2), ""), "{err}");
    assert!(err.starts_with(&format!("error: strategy `{}` cannot be loaded", d.join("gone.wasm").display())), "{err}");
    assert!(err.contains("nor a readable file"), "{err}");
    assert!(err.contains(&format!("(the compliance strategy of plan `custom` ({plan}, line 20))")), "{err}");

    std::fs::write(d.join("notes.wasm"), "not a component").expect("write");
    std::fs::write(&file, plan_text("notes.wasm", "")).expect("write");
    let (code, _, err) = validate();
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("notes.wasm` cannot be loaded") && err.contains(&plan), "{err}");

    std::fs::copy(fixture("fixture-oversized"), d.join("mine.wasm")).expect("copy");
    std::fs::write(&file, plan_text("mine.wasm", "count = \"many\"")).expect("write");
    let (code, _, err) = validate();
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("returned an error: setting `count` = `many`: invalid digit found in string"), "{err}");
    assert!(err.contains(&plan), "{err}");

    std::fs::write(&file, plan_text("mine.wasm", "count = \"1\"")).expect("write");
    let (code, out, err) = validate();
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("is valid"), "{out}");
    let _ = std::fs::remove_dir_all(&d);
}
