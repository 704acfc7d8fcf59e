//! `ssmpatch strategy list|test` with the built-in components, a saved run, parsed output, and
//! the example custom strategy built from source.

use std::path::Path;
use std::process::Command;

use ssmpatch_test_support::fixture;
use ssmpatch_test_support::standin::root;

use crate::util::{ok_json as json, run as ssmpatch};

const STDOUT: &str = "core/tests/data/runpatchbaseline-output/synth-override-scan-noncompliant.txt";

#[test]
fn list_shows_the_built_in_strategies() {
    let o = ssmpatch(&["strategy", "list"]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.starts_with("put-compliance-items") && text.contains("\nrescan"), "{text}");
}

#[test]
fn test_runs_a_saved_run_and_parsed_output() {
    let v = json(&ssmpatch(&[
        "strategy",
        "test",
        "put-compliance-items",
        "--input",
        "examples/strategy-run.json",
        "--json",
    ]));
    let put = &v["actions"][0]["PutCompliance"];
    assert_eq!(put["compliance_type"], "Custom:PatchPreview");
    assert_eq!(put["items"][0]["id"], "openssl.x86_64");
    assert_eq!(put["items"][0]["severity"], "CRITICAL");
    assert_eq!(put["upload_type"], "Complete");

    let v = json(&ssmpatch(&["strategy", "test", "rescan", "--input", "examples/strategy-run.json", "--json"]));
    assert_eq!(v["added_operations"][0]["name"], "install-rescan");
    assert_eq!(v["actions"][0]["StartScan"][0], "i-0123456789abcdef0");

    let v = json(&ssmpatch(&["strategy", "test", "put-compliance-items", "--output-file", STDOUT, "--json"]));
    assert_eq!(v["actions"][0]["PutCompliance"]["items"].as_array().map(Vec::len), Some(2));
}

#[test]
fn limits_are_flags_and_each_exceeded_limit_is_its_own_error() {
    let run = ["--input", "examples/strategy-run.json"];
    let err = |args: &[&str]| {
        let o = ssmpatch(&[&["strategy", "test"], args, &run].concat());
        assert_eq!(o.status.code(), Some(2), "{}", String::from_utf8_lossy(&o.stdout));
        String::from_utf8_lossy(&o.stderr).into_owned()
    };
    let (bomb, spin) = (fixture("fixture-memory-bomb"), fixture("fixture-spin"));
    let (bomb, spin) = (bomb.to_str().expect("path"), spin.to_str().expect("path"));
    assert_eq!(
        err(&[bomb, "--memory-mib", "8"]),
        format!(
            "error: strategy `{bomb}` exceeded its memory limit of 8388608 bytes\n\
             hint: raise `memory-mib` (the plan's `[compliance.limits]`, or --memory-mib)\n"
        )
    );
    assert_eq!(
        err(&[spin, "--fuel", "1000000"]),
        format!(
            "error: strategy `{spin}` ran out of fuel (1000000 units)\n\
             hint: raise `fuel` (the plan's `[compliance.limits]`, or --fuel), or do less work per call\n"
        )
    );
    assert_eq!(
        err(&[spin, "--fuel", "1000000000000", "--timeout-seconds", "1"]),
        format!(
            "error: strategy `{spin}` did not finish within 1000 ms\n\
             hint: raise `timeout-seconds` (the plan's `[compliance.limits]`, or --timeout-seconds)\n"
        )
    );
    assert!(err(&["rescan", "--memory-mib", "0"]).contains("0 is not in 1..=4096"));
    // The fixtures are test files: by name they are unknown.
    assert!(
        err(&["fixture-spin"])
            .contains("neither a built-in strategy (put-compliance-items, rescan) nor a readable file")
    );
}

#[test]
fn unknown_strategy_and_bad_input_are_clear_errors() {
    let o = ssmpatch(&["strategy", "test", "nope", "--output-file", STDOUT]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr)
            .contains("neither a built-in strategy (put-compliance-items, rescan) nor a readable file")
    );
    let o = ssmpatch(&["strategy", "test", "rescan", "--input", "README.md"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("examples/strategy-run.json"));
}

/// `cargo build --release --target TARGET` in `dir` (its own target directory).
pub(crate) fn build_for(target: &str, dir: &Path) {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args(["build", "-q", "--release", "--target", target])
        .current_dir(dir)
        .env_remove("CARGO_TARGET_DIR")
        .status()
        .expect("cargo");
    assert!(status.success(), "cargo build --target {target} in {}", dir.display());
}

#[test]
#[ignore = "builds examples/custom-strategy for wasm32 (scripts/test.sh runs it)"]
fn the_example_custom_strategy_builds_loads_and_runs() {
    let dir = root().join("examples/custom-strategy");
    build_for("wasm32-wasip2", &dir);
    let component = "examples/custom-strategy/target/wasm32-wasip2/release/critical_high_only.wasm";
    // A fixed time: by default the run ends now, which differs between the two calls.
    let args = |m: &'static str| {
        let run = ["--setting", "ticket=CHG-1234", "--time", "2026-11-29T03:41:00Z", "--json"];
        [&["strategy", "test", m, "--output-file", STDOUT][..], &run].concat()
    };
    let v = json(&ssmpatch(&args(component)));
    let put = &v["actions"][0]["PutCompliance"];
    assert_eq!(put["compliance_type"], "Custom:CriticalHigh");
    let items = put["items"].as_array().expect("items");
    // By vendor severity (PatchSeverity): openssl is Critical, curl Medium (both HIGH by the baseline).
    let ids: Vec<&str> = items.iter().filter_map(|i| i["id"].as_str()).collect();
    assert_eq!((ids, &items[0]["severity"]), (vec!["openssl.x86_64"], &serde_json::json!("CRITICAL")));
    assert_eq!(items[0]["details"][1], serde_json::json!({"key": "ChangeTicket", "value": "CHG-1234"}));
    let o = ssmpatch(&["strategy", "test", component, "--output-file", STDOUT]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("setting `ticket` is required"));

    // The same source built as a core module for wasm32-unknown-unknown: the host makes it a
    // component at load, and it answers the same.
    build_for("wasm32-unknown-unknown", &dir);
    let module = "examples/custom-strategy/target/wasm32-unknown-unknown/release/critical_high_only.wasm";
    let w = json(&ssmpatch(&args(module)));
    assert_eq!(w["actions"], v["actions"]);
}

// `strategy new`: cli/tests/it/strategy_new.rs.

/// Compiled strategies are kept between processes in `SSMPATCH_WASM_CACHE`'s directory: the
/// first run writes an entry, a run with a damaged entry compiles again and answers the same,
/// `off` keeps nothing, and a directory that cannot be made is an error that names the variable.
#[test]
fn compiled_strategies_are_kept_between_processes_and_a_damaged_entry_is_compiled_again() {
    use crate::util::files_under as files;
    let args = ["strategy", "test", "put-compliance-items", "--input", "examples/strategy-run.json", "--json"];
    let run = |cache: &std::ffi::OsStr| {
        crate::util::ssmpatch(&args).env("SSMPATCH_WASM_CACHE", cache).output().expect("run ssmpatch")
    };
    let tmp = tempfile::tempdir().expect("tempdir");
    let cache = tmp.path().join("wasm");

    let first = json(&run(cache.as_os_str()));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&cache).expect("the cache directory").permissions().mode() & 0o777;
        assert_eq!(mode, 0o700, "made readable by others");
    }
    // The compiled components (wasmtime's layout: modules/wasmtime-<version>/<key>, beside
    // usage statistics and the cleanup worker's marks).
    let written: Vec<_> =
        files(&cache.join("modules")).into_iter().filter(|f| f.extension().is_none_or(|e| e != "stats")).collect();
    assert!(!written.is_empty(), "nothing kept in {}", cache.display());
    for f in &written {
        std::fs::write(f, b"not a compiled component").expect("damage the entry");
    }
    assert_eq!(json(&run(cache.as_os_str())), first, "a damaged entry changed the answer");
    for f in &written {
        assert_ne!(std::fs::read(f).ok().as_deref(), Some(&b"not a compiled component"[..]), "{} kept", f.display());
    }
    assert_eq!(json(&run(cache.as_os_str())), first);

    // `off` is not a directory named "off" (runs start in the repository's root).
    let before = files(&cache).len();
    assert_eq!(json(&run(std::ffi::OsStr::new("off"))), first);
    assert!(!root().join("off").exists() && files(&cache).len() == before);

    let blocked = tmp.path().join("a-file");
    std::fs::write(&blocked, b"").expect("write");
    let o = run(blocked.join("wasm").as_os_str());
    assert_eq!(o.status.code(), Some(2), "{}", String::from_utf8_lossy(&o.stderr));
    let error = &crate::util::json(&o)["error"];
    let said = format!(
        "the strategy host cannot start: SSMPATCH_WASM_CACHE={}: cannot keep compiled strategies there",
        blocked.join("wasm").display()
    );
    assert!(error["message"].as_str().is_some_and(|m| m.starts_with(&said)), "{error}");
    assert_eq!(error["hint"], "point SSMPATCH_WASM_CACHE at a directory you can write, unset it, or set it to `off`");

    // A directory others can write is refused: what is kept there runs as native code.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let shared = tmp.path().join("shared");
        std::fs::create_dir(&shared).expect("mkdir");
        std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o777)).expect("chmod");
        let o = run(shared.as_os_str());
        assert_eq!(o.status.code(), Some(2), "{}", String::from_utf8_lossy(&o.stderr));
        let message = crate::util::json(&o)["error"]["message"].as_str().unwrap_or_default().to_string();
        assert!(message.ends_with("others can write it (mode 777); compiled strategies run as this user"), "{message}");
        assert!(!shared.join("modules").exists(), "an entry was written to {}", shared.display());
    }
}
