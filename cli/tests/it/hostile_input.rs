//! Hostile input gets a clear error and exit 2 from every command, never a panic (exit 101), a
//! hang or an out-of-memory (issue 16; the reliability trial's commands).

use std::path::PathBuf;
use std::process::Output;

use crate::util::{run, ssmpatch, text};

/// A scratch file for one test.
fn scratch(test: &str, name: &str, content: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ssmpatch-hostile-{test}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let p = dir.join(name);
    std::fs::write(&p, content).expect("scratch file");
    p
}

/// The seed plan with the install operation's schedule replaced.
fn seed_with_install_schedule(schedule: &str) -> String {
    let seed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/seed-monthly.toml"))
        .expect("seed plan");
    seed.replace("schedule = \"last sunday at 03:00\"", &format!("schedule = \"{schedule}\""))
}

/// Exit 2 with `needle` in stderr, and no panic.
fn invalid(out: &Output, needle: &str, what: &str) -> String {
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{what}: {err}");
    assert!(!err.contains("panicked"), "{what}: {err}");
    assert!(err.contains(needle), "{what}: `{needle}` not in {err}");
    err
}

#[test]
fn huge_rates_are_exit_2_in_schedule_next_and_check() {
    for expr in ["rate(7304850 days)", "rate(180000000 hours)", "rate(4294967295 days)"] {
        for cmd in ["next", "check"] {
            let out = run(&["schedule", cmd, expr]);
            let err = invalid(&out, "longer than 3650 days", &format!("schedule {cmd} {expr}"));
            assert!(err.contains("^"), "a caret under the value: {err}");
        }
    }
    let out = run(&["schedule", "next", "rate(3650 days)", "--count", "10000", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

#[test]
fn a_plan_with_a_huge_rate_is_exit_2_in_every_command_before_any_call() {
    let plan = scratch("rate", "huge-rate.toml", seed_with_install_schedule("rate(7400000 days)").as_bytes());
    let plan = plan.to_str().expect("utf-8 path");
    for args in [
        vec!["validate", plan],
        vec!["explain", plan],
        vec!["calendar", plan],
        vec!["iam-policy", plan],
        // The plan is read before any AWS call: the endpoint is never reached.
        vec!["plan", plan, "--endpoint-url", "http://127.0.0.1:9", "--region", "ap-northeast-1"],
    ] {
        let mut c = ssmpatch(&args);
        c.env("AWS_EC2_METADATA_DISABLED", "true").env("AWS_ACCESS_KEY_ID", "x").env("AWS_SECRET_ACCESS_KEY", "y");
        let out = c.output().expect("run ssmpatch");
        let err = invalid(&out, "operations.install.schedule: rate(7400000 days) is longer than", args[0]);
        assert!(err.contains("huge-rate.toml:41:"), "{}: located: {err}", args[0]);
    }
}

/// A FIFO with a writer that writes until the reader goes away.
fn endless_fifo(test: &str) -> (PathBuf, std::thread::JoinHandle<()>) {
    let path = scratch(test, "placeholder", b"").with_file_name("fifo");
    let _ = std::fs::remove_file(&path);
    assert!(std::process::Command::new("mkfifo").arg(&path).status().expect("mkfifo").success());
    let p = path.clone();
    let writer = std::thread::spawn(move || {
        use std::io::Write;
        let Ok(mut w) = std::fs::OpenOptions::new().write(true).open(&p) else { return };
        while w.write_all(b"11/22/2026 19:29:12 root [INFO]: still going\n").is_ok() {}
    });
    (path, writer)
}

#[test]
fn endless_plan_and_output_files_are_exit_2_naming_the_file_and_the_limit() {
    for (args, needle) in [
        (vec!["validate", "/dev/zero"], "plan `/dev/zero` is larger than 1 MiB"),
        (vec!["explain", "/dev/zero"], "plan `/dev/zero` is larger than 1 MiB"),
        (vec!["calendar", "/dev/zero"], "plan `/dev/zero` is larger than 1 MiB"),
        (vec!["output", "parse", "/dev/zero"], "output file `/dev/zero` is larger than 16 MiB"),
        (
            vec!["strategy", "test", "put-compliance-items", "--output-file", "/dev/zero"],
            "output file `/dev/zero` is larger than 16 MiB",
        ),
        (vec!["strategy", "test", "put-compliance-items", "--input", "/dev/zero"], "is larger than 16 MiB"),
    ] {
        let out = run(&args);
        let err = invalid(&out, needle, &args.join(" "));
        assert!(err.contains("hint: "), "{err}");
    }
    // stdin from /dev/zero.
    let zero = std::fs::File::open("/dev/zero").expect("/dev/zero");
    let out = ssmpatch(&["output", "parse", "-"]).stdin(zero).output().expect("run");
    invalid(&out, "output file `stdin` is larger than 16 MiB", "output parse - </dev/zero");
    // FIFOs whose writer never stops.
    let (fifo, writer) = endless_fifo("fifo-plan");
    let out = run(&["validate", fifo.to_str().expect("utf-8")]);
    invalid(&out, "is larger than 1 MiB", "validate FIFO");
    writer.join().expect("writer");
    let (fifo, writer) = endless_fifo("fifo-output");
    let out = run(&["output", "parse", fifo.to_str().expect("utf-8")]);
    invalid(&out, "is larger than 16 MiB", "output parse FIFO");
    writer.join().expect("writer");
}

fn output_fixture(name: &str) -> String {
    std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/tests/data/runpatchbaseline-output").join(name),
    )
    .expect("fixture")
}

#[test]
fn output_of_two_nodes_contradictions_and_non_object_packages_are_exit_2() {
    let one = output_fixture("synth-override-scan-noncompliant.txt");
    let two = format!("{one}{}", one.replace("i-0123456789abcdef0", "i-0fedcba9876543210"));
    let reboot = one.find("11/22/2026 19:29:12 root [INFO]: Reboot is").expect("reboot line");
    let contradict = format!(
        "{}11/22/2026 19:29:12 root [INFO]: [BASELINE OVERRIDE]: All Packages are Compliant.\n{}",
        &one[..reboot],
        &one[reboot..]
    );
    let start = one.find("Non Compliant Packages: ").expect("block") + "Non Compliant Packages: ".len();
    let end = one[start..].find("\n]\n").map(|i| start + i + 2).expect("end");
    let non_object = format!("{}[1,\"x\",null]{}", &one[..start], &one[end..]);
    for (name, text, needle) in [
        ("two-nodes.txt", &two, "more than one node's run: `i-0123456789abcdef0` (line 6) and `i-0fedcba9876543210`"),
        ("contradict.txt", &contradict, "all packages are compliant"),
        ("non-object.txt", &non_object, "package 1 of 3 is a number"),
    ] {
        let path = scratch("output", name, text.as_bytes());
        let p = path.to_str().expect("utf-8");
        for args in [vec!["output", "parse", p], vec!["strategy", "test", "put-compliance-items", "--output-file", p]] {
            let out = run(&args);
            let err = invalid(&out, needle, &args.join(" "));
            assert!(err.contains(name), "names the file: {err}");
            assert_eq!(text_of(&out.stdout), "", "nothing on stdout: {}", args.join(" "));
        }
    }
    // One node's run printed twice: the last complete one, with a note.
    let path = scratch("output", "twice.txt", format!("{one}{one}").as_bytes());
    let out = run(&["output", "parse", path.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("holds 1 more run(s) of this node (from line 4)"), "{}", text(&out.stderr));
}

fn text_of(b: &[u8]) -> String {
    text(b)
}

/// Stderr of a hostile input: exit 2, at most `max` bytes, no raw control or bidirectional
/// override character (escape sequences, NUL, U+202E reach the terminal escaped).
fn safe_stderr(out: &Output, max: usize, what: &str) -> String {
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{what}: {}", &err[..err.len().min(500)]);
    assert!(err.len() <= max, "{what}: {} bytes of stderr: {}…", err.len(), &err[..err.len().min(300)]);
    let raw: Vec<char> =
        err.chars().filter(|c| (c.is_control() && *c != '\n') || ('\u{202a}'..='\u{202e}').contains(c)).collect();
    assert!(raw.is_empty(), "{what}: raw {raw:?} in {err}");
    err
}

#[test]
fn echoed_values_on_stderr_are_clipped_and_escaped() {
    let seed = seed_with_install_schedule("last sunday at 03:00");
    let big = "a".repeat(900_000);
    for (name, text, needle) in [
        // A 50 MB name was echoed twice (message and source line): 104 MB of stderr. Under the
        // plan size limit, 900 KB shows the same.
        (
            "big-name.toml",
            seed.replacen("name = \"web-monthly\"", &format!("name = \"{big}\""), 1),
            "… (900000 characters)",
        ),
        (
            "ctrl-name.toml",
            seed.replacen("name = \"web-monthly\"", r#"name = "x\u0000y\u001b[31mRED\u202Eevil""#, 1),
            "x\\u{0}y\\u{1b}[31mRED\\u{202e}evil",
        ),
        (
            "big-rule.toml",
            seed.replacen("schedule = \"last sunday at 03:00\"", &format!("schedule = \"last {big} at 03:00\""), 1),
            "characters)` is not a day of the week",
        ),
        (
            "big-tag.toml",
            seed.replacen("tags = { team = \"web\"", &format!("tags = {{ \"{big}\" = \"web\""), 1),
            "tags.aaaa",
        ),
    ] {
        let path = scratch("echo", name, text.as_bytes());
        let out = run(&["validate", path.to_str().expect("utf-8")]);
        let err = safe_stderr(&out, 4_000, name);
        assert!(err.contains(needle), "{name}: `{needle}` not in {err}");
        assert!(err.contains("^"), "{name}: the caret under the clipped line: {err}");
    }
    let long = format!("cron(0 0 ? * {} *)", "X".repeat(100_000));
    for args in [
        vec!["schedule", "next", long.as_str()],
        vec!["schedule", "next", "cr\u{1b}[31mon(0 0 ? * \u{202e}SUN *)"],
        vec!["schedule", "next", "cron(0 0 ? * SUN *)", "--tz", "Asia/\u{1b}[2JTokyo"],
        vec!["override", "render", "examples/seed-monthly.toml", "--operation", "no\u{1b}[2Jpe\u{7}"],
    ] {
        let err = safe_stderr(&run(&args), 2_000, args[1]);
        assert!(err.contains("\\u{") || err.contains("256"), "{err}");
    }
}
