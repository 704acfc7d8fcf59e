//! Hostile input never panics, hangs or runs out of memory (issue 16): huge `rate()` values and
//! long iterations, schedule expressions longer than AWS takes.

use jiff::Timestamp;
use ssmpatch::plan::{Plan, Source};
use ssmpatch::schedule::{MAX_EXPRESSION_CHARS, MAX_RATE_DAYS, Schedule, Timing};

fn ts(s: &str) -> Timestamp {
    s.parse().expect("test timestamp")
}

/// The seed plan with the install operation's schedule replaced.
fn seed_with_install_schedule(schedule: &str) -> String {
    let seed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/seed-monthly.toml"))
        .expect("seed plan");
    let old = "schedule = \"last sunday at 03:00\"";
    assert!(seed.contains(old), "the seed plan changed");
    seed.replace(old, &format!("schedule = \"{schedule}\""))
}

#[test]
fn rates_longer_than_the_bound_are_parse_errors_that_name_the_value() {
    // The trial's panics (`core/src/schedule/iter.rs:121`), and the first value past the bound in
    // each unit.
    let max_hours = u64::from(MAX_RATE_DAYS) * 24;
    let max_minutes = max_hours * 60;
    for expr in [
        "rate(7304850 days)".to_string(),
        "rate(180000000 hours)".to_string(),
        "rate(4294967295 days)".to_string(),
        "rate(4294967295 minutes)".to_string(),
        format!("rate({} days)", MAX_RATE_DAYS + 1),
        format!("rate({} hours)", max_hours + 1),
        format!("rate({} minutes)", max_minutes + 1),
    ] {
        let e = Schedule::parse(&expr).expect_err(&expr);
        assert!(e.message.contains("longer than"), "{expr}: {e}");
        assert!(e.message.contains(&format!("{MAX_RATE_DAYS} days")), "{expr}: {e}");
        assert_eq!(e.column, Some(6), "{expr}: the column of the value");
        assert!(e.hint.is_some(), "{expr}");
    }
    // The bound itself is accepted in every unit.
    for expr in [
        format!("rate({MAX_RATE_DAYS} days)"),
        format!("rate({max_hours} hours)"),
        format!("rate({max_minutes} minutes)"),
    ] {
        Schedule::parse(&expr).unwrap_or_else(|e| panic!("{expr}: {e}"));
    }
}

#[test]
fn the_longest_rate_iterates_to_the_end_of_time_without_panicking() {
    // 10,000 is the most `schedule next --count` asks for; 3650 days × 10,000 lies far beyond the
    // last instant jiff can represent, so iteration has to stop there, not panic.
    let s = Schedule::parse(&format!("rate({MAX_RATE_DAYS} days)")).expect("the bound parses");
    let runs = s.next_n(&Timing::utc(), ts("2026-01-01T00:00:00Z"), 10_000).expect("valid timing");
    assert!(!runs.is_empty() && runs.len() < 10_000, "{} runs", runs.len());
    assert!(runs.windows(2).all(|w| w[0].timestamp() < w[1].timestamp()));
    // Started near the end of time, the first step already leaves the range.
    let late = Timestamp::MAX.checked_sub(jiff::SignedDuration::from_hours(1)).expect("an hour before the end");
    assert!(s.next_n(&Timing::utc(), late, 3).expect("valid timing").is_empty());
}

#[test]
fn schedule_expressions_longer_than_aws_takes_are_refused() {
    // CreateMaintenanceWindow `Schedule` and CreateAssociation `ScheduleExpression` are 1-256
    // characters (API reference).
    let long = format!("cron(0 2 ? * SUN *{})", " ".repeat(MAX_EXPRESSION_CHARS));
    let e = Schedule::parse(&long).expect_err("over 256 characters");
    assert!(e.message.contains(&MAX_EXPRESSION_CHARS.to_string()), "{e}");
    let huge = format!("cron(0 0 ? * {} *)", "X".repeat(3_000_000));
    let e = Schedule::parse(&huge).expect_err("3 MB");
    assert!(e.to_string().len() < 1_000, "the message does not echo the expression: {} bytes", e.to_string().len());
    // Leading and trailing blanks are not sent to AWS and do not count.
    let padded = format!("{}cron(0 2 ? * SUN *){}", " ".repeat(300), "\n".repeat(300));
    Schedule::parse(&padded).expect("blanks around a short expression");
}

#[test]
fn a_plan_with_a_huge_rate_is_a_located_error_in_every_offline_command() {
    for rate in ["rate(7400000 days)", "rate(4294967295 days)", "rate(180000000 hours)"] {
        let text = seed_with_install_schedule(rate);
        let errors = Plan::from_source(Source::new(Some("huge-rate.toml"), text.as_str()))
            .expect_err("a rate beyond the bound is invalid");
        let e = &errors.0[0];
        assert_eq!(e.path, "operations.install.schedule", "{errors}");
        assert!(e.message.contains("longer than"), "{errors}");
        let line = text.lines().position(|l| l.contains(rate)).expect("the line") + 1;
        assert_eq!(e.line, Some(line as u32), "{errors}");
    }
}

/// A FIFO at `path` with a writer that writes `chunk` until the reader goes away.
fn endless_fifo(path: &std::path::Path, chunk: &'static [u8]) -> std::thread::JoinHandle<()> {
    let _ = std::fs::remove_file(path);
    let status = std::process::Command::new("mkfifo").arg(path).status().expect("mkfifo");
    assert!(status.success(), "mkfifo {}", path.display());
    let p = path.to_path_buf();
    std::thread::spawn(move || {
        use std::io::Write;
        let Ok(mut w) = std::fs::OpenOptions::new().write(true).open(&p) else { return };
        while w.write_all(chunk).is_ok() {}
    })
}

#[test]
fn plan_files_are_read_up_to_a_limit() {
    use ssmpatch::input::{PLAN_FILE_LIMIT, ReadError, read_file};
    // `validate /dev/zero` used to read until memory ran out.
    let e = Plan::load(std::path::Path::new("/dev/zero")).expect_err("an endless file");
    assert_eq!(e.0[0].file.as_deref(), Some("/dev/zero"));
    assert!(e.0[0].message.contains("larger than 1 MiB"), "{e}");
    assert!(e.0[0].hint.as_deref().is_some_and(|h| h.contains("1 MiB")), "{e}");
    // A FIFO whose writer never stops.
    let dir = std::env::temp_dir().join(format!("ssmpatch-hostile-fifo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let fifo = dir.join("plan.toml");
    let writer = endless_fifo(&fifo, b"# a comment line that never ends\n");
    let e = Plan::load(&fifo).expect_err("an endless FIFO");
    assert!(e.0[0].message.contains("larger than 1 MiB"), "{e}");
    writer.join().expect("writer");
    // At the limit a file is read; one byte more is refused.
    let path = dir.join("limit.toml");
    std::fs::write(&path, vec![b'#'; PLAN_FILE_LIMIT as usize]).expect("write");
    assert_eq!(read_file(&path, PLAN_FILE_LIMIT, "plan").expect("at the limit").len(), PLAN_FILE_LIMIT as usize);
    std::fs::write(&path, vec![b'#'; PLAN_FILE_LIMIT as usize + 1]).expect("write");
    assert!(matches!(read_file(&path, PLAN_FILE_LIMIT, "plan"), Err(ReadError::TooLarge { .. })));
    // The examples are far below it.
    let examples = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples"));
    for entry in std::fs::read_dir(examples).expect("examples") {
        let p = entry.expect("entry").path();
        if p.extension().is_some_and(|x| x == "toml") {
            Plan::load(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        }
    }
}

/// A node's S3 output object larger than [`ssmpatch::input::OUTPUT_FILE_LIMIT`] fails that node
/// with a message naming the object and the limit; refresh never reads it whole.
#[cfg(feature = "aws")]
#[tokio::test]
#[ignore = "needs the local AWS stand-in (scripts/test.sh runs it)"]
async fn an_output_object_larger_than_the_limit_fails_that_node_only() {
    use serde_json::json;
    use ssmpatch::aws::{AwsOptions, Clients};
    use ssmpatch::backends::{Action, PolicyOptions};
    use ssmpatch::compliance::{NodeResult, RefreshOptions};
    use ssmpatch::plan::CompileOptions;
    use ssmpatch::session::Session;
    use ssmpatch_test_support::standin::{REGION, StandIn, openssl_node};

    const BUCKET: &str = "hostile-output";
    let nodes = ["i-0000000000000000a", "i-0000000000000000b"];
    let si = StandIn::start();
    let clients = Clients::load(&AwsOptions::stand_in(si.url(), REGION), None).await;
    clients.s3.create_bucket().bucket(BUCKET).send().await.expect("bucket");
    let seeded: Vec<serde_json::Value> =
        nodes.iter().map(|id| openssl_node(id, json!({"Patch Group": "web"}), true)).collect();
    si.seed_nodes(&json!({"region": REGION, "nodes": seeded}));
    let text = format!(
        r#"
version = 1
name = "hostile-output"
region = "{REGION}"
backend = "maintenance-window"
baseline-rules-from = "declared"

[targets]
tags = {{ "Patch Group" = "web" }}

[[baselines.AMAZON_LINUX_2023.approval-rules]]
approve-after-days = 7

[operations.install]
kind = "install"
schedule = "second tuesday at 02:00"
approval = {{ approve-after-days = 21 }}

[compliance]
strategy = "put-compliance-items"

[s3]
bucket = "{BUCKET}"
output-prefix = "output"
"#
    );
    let plan = Plan::from_source(Source::new(Some("hostile-output.toml"), text)).expect("valid plan");
    let opts = CompileOptions::from(ts("2026-06-01T00:00:00Z"));
    let ex = plan.explain(&opts).expect("explain");
    if let Some(node) = ssmpatch::backends::node_policy(&plan, ex.backend, &PolicyOptions::new(&plan)) {
        si.grant_nodes(REGION, &node);
    }
    let additions = ssmpatch::session::additions(&plan, &ex, &opts).expect("additions");
    let session = Session::with_clients(plan, ex, additions, clients.clone(), 4);
    let diff = session.diff().await.expect("diff");
    assert!(diff.count(Action::Create) > 0);
    assert_eq!(session.apply(&diff, &|_| {}).await.error, None);
    let windows = clients.ssm.describe_maintenance_windows().send().await.expect("windows");
    let window = windows
        .window_identities()
        .iter()
        .find(|w| w.name().is_some_and(|n| n.ends_with("-install")))
        .and_then(|w| w.window_id())
        .expect("install window")
        .to_string();
    si.control("POST", &format!("windows/{window}/execute"), Some(&json!({})));

    // Node a's output object grows past the limit (a runaway log, or not an output at all).
    let listed = clients.s3.list_objects_v2().bucket(BUCKET).send().await.expect("list");
    let key = listed
        .contents()
        .iter()
        .filter_map(|o| o.key())
        .find(|k| k.contains(nodes[0]) && k.ends_with("/stdout"))
        .expect("node a's output object")
        .to_string();
    let big = vec![b'x'; ssmpatch::input::OUTPUT_FILE_LIMIT as usize + 1];
    clients.s3.put_object().bucket(BUCKET).key(&key).body(big.into()).send().await.expect("put");

    let report = session.refresh(&RefreshOptions::default(), &|_| {}).await.expect("refresh");
    let a = report.nodes.iter().find(|n| n.instance_id == nodes[0]).expect("node a");
    assert_eq!(a.result, NodeResult::Failed, "{report:#?}");
    assert!(a.detail.contains(&key) && a.detail.contains("larger than 16 MiB"), "{}", a.detail);
    let b = report.nodes.iter().find(|n| n.instance_id == nodes[1]).expect("node b");
    assert_eq!(b.result, NodeResult::ComplianceWritten, "{report:#?}");
}

fn output_fixture(name: &str) -> String {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/runpatchbaseline-output").join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The non-compliant fixture with its package list replaced by `all compliant`.
fn compliant_fixture() -> String {
    let text = output_fixture("synth-override-scan-noncompliant.txt");
    let start =
        text.find("11/22/2026 19:29:12 root [INFO]: [BASELINE OVERRIDE]: Non Compliant Packages:").expect("block");
    let end = text[start..].find("\n]\n").map(|i| start + i + 3).expect("end of block");
    format!(
        "{}11/22/2026 19:29:12 root [INFO]: [BASELINE OVERRIDE]: All Packages are Compliant.\n{}",
        &text[..start],
        &text[end..]
    )
    .replace(" Instance is Non-Compliant with severity of HIGH ", " Instance is Compliant ")
    .replace("\"MissingCount\": \"2\"", "\"MissingCount\": \"0\"")
}

#[test]
fn output_of_two_nodes_is_an_error_naming_both() {
    use ssmpatch::run_output::{OutputSource, parse};
    // Two nodes' stdout concatenated used to give the second node's findings only.
    let a = output_fixture("synth-override-scan-noncompliant.txt");
    let b = a.replace("i-0123456789abcdef0", "i-0fedcba9876543210");
    for source in [OutputSource::Complete, OutputSource::Invocation] {
        let e = parse(&format!("{a}{b}"), source).expect_err("two nodes");
        assert!(e.message.contains("more than one node"), "{e}");
        assert!(e.message.contains("i-0123456789abcdef0") && e.message.contains("i-0fedcba9876543210"), "{e}");
        let second = a.lines().count() + b.lines().position(|l| l.contains("Instance Id:")).expect("id line") + 1;
        assert_eq!(e.line, second, "{e}");
    }
    // Windows summaries of two hosts likewise.
    let w = output_fixture("windows-patch-summary-no-wsus-access.txt");
    let two = format!(
        "{}{}",
        w.replace("Patch Summary for\n", "Patch Summary for HOST-A\n"),
        w.replace("Patch Summary for\n", "Patch Summary for HOST-B\n")
    );
    assert!(parse(&two, OutputSource::Complete).expect_err("two hosts").message.contains("HOST-B"));
}

#[test]
fn of_one_nodes_runs_printed_again_the_last_complete_set_is_the_report() {
    use ssmpatch::run_output::{OutputSource, parse};
    let non = output_fixture("synth-override-scan-noncompliant.txt");
    let ok = compliant_fixture();
    let second_run = non.lines().count() + 4; // `Running with snapshot id` is the second run's 4th line

    // The later run wins, whichever it says.
    let r = parse(&format!("{non}{ok}"), OutputSource::Complete).expect("one node, two runs");
    assert!(r.all_compliant && r.non_compliant.is_empty() && !r.truncated, "{r:?}");
    assert_eq!(r.summary["MissingCount"], "0");
    assert_eq!(r.details.other_runs, [4], "the first run's first line, left out");
    let r = parse(&format!("{ok}{non}"), OutputSource::Complete).expect("one node, two runs");
    assert!(!r.all_compliant && r.non_compliant.len() == 2, "{r:?}");
    assert_eq!(r.instance_id.as_deref(), Some("i-0123456789abcdef0"));

    // A later run that printed no result (it failed on the node) leaves the earlier complete one.
    let failed = non[..non.find("11/22/2026 19:29:12 root [INFO]: Patch Group").expect("line")].to_string()
        + "11/22/2026 19:29:13 root [ERROR]: yum lock held by another process\n";
    let r = parse(&format!("{non}{failed}"), OutputSource::Complete).expect("a failed re-run");
    assert!(!r.all_compliant && r.non_compliant.len() == 2 && !r.truncated, "{r:?}");
    assert_eq!(r.details.other_runs, [second_run]);

    // A later run cut short may hold a newer result: the earlier one is reported, truncated.
    let cut = &ok[..ok.find("\"PatchGroup\"").expect("inside the summary")];
    let r = parse(&format!("{non}{cut}"), OutputSource::Complete).expect("a cut re-run");
    assert!(r.truncated, "{r:?}");

    // The same run's override blocks printed twice: the second set is the report.
    let blocks = &non[non.find("11/22/2026 19:29:12 root [INFO]: [BASELINE OVERRIDE]: Summary:").expect("blocks")
        ..non.find("11/22/2026 19:29:12 root [INFO]: Reboot is").expect("reboot line")];
    let ok_blocks = &ok[ok.find("11/22/2026 19:29:12 root [INFO]: [BASELINE OVERRIDE]: Summary:").expect("blocks")
        ..ok.find("11/22/2026 19:29:12 root [INFO]: Reboot is").expect("reboot line")];
    let twice = non.replace(blocks, &format!("{blocks}{ok_blocks}"));
    let r = parse(&twice, OutputSource::Complete).expect("blocks twice");
    assert!(r.all_compliant && r.non_compliant.is_empty(), "{r:?}");
    assert!(r.operation.is_some(), "run-level lines carry over to the repeated set");
    assert_eq!(r.instance_id.as_deref(), Some("i-0123456789abcdef0"));
}

#[test]
fn all_packages_compliant_beside_a_non_compliant_list_is_an_error() {
    use ssmpatch::run_output::{OutputSource, parse};
    let non = output_fixture("synth-override-scan-noncompliant.txt");
    let reboot = non.find("11/22/2026 19:29:12 root [INFO]: Reboot is").expect("reboot line");
    let both = format!(
        "{}11/22/2026 19:29:12 root [INFO]: [BASELINE OVERRIDE]: All Packages are Compliant.\n{}",
        &non[..reboot],
        &non[reboot..]
    );
    let e = parse(&both, OutputSource::Complete).expect_err("contradictory");
    assert!(e.message.contains("all packages are compliant") && e.message.contains("2 package(s) are not"), "{e}");
    // The other order too.
    let start =
        non.find("11/22/2026 19:29:12 root [INFO]: [BASELINE OVERRIDE]: Non Compliant Packages:").expect("block");
    let first = format!(
        "{}11/22/2026 19:29:12 root [INFO]: [BASELINE OVERRIDE]: All Packages are Compliant.\n{}",
        &non[..start],
        &non[start..]
    );
    assert!(parse(&first, OutputSource::Complete).is_err());
    // An empty list beside it says the same thing twice: fine.
    let list_start = non[start..].find('[').map(|i| start + i).and_then(|i| non[i + 1..].find('[').map(|j| i + 1 + j));
    let list_start = list_start.expect("the list");
    let end = non[list_start..].find("\n]\n").map(|i| list_start + i + 2).expect("end");
    let empty = format!("{}[]{}", &both[..list_start], &both[end..]);
    let r = parse(&empty, OutputSource::Complete).expect("empty list and all compliant");
    assert!(r.all_compliant, "{r:?}");
}

#[test]
fn package_entries_that_are_not_objects_with_an_id_are_errors() {
    use ssmpatch::run_output::{OutputSource, parse};
    let non = output_fixture("synth-override-scan-noncompliant.txt");
    let start = non.find("[BASELINE OVERRIDE]: Non Compliant Packages: ").expect("block")
        + "[BASELINE OVERRIDE]: Non Compliant Packages: ".len();
    let end = non[start..].find("\n]\n").map(|i| start + i + 2).expect("end");
    for (list, needle) in [
        (r#"[1,"x",null]"#, "package 1 of 3 is a number"),
        (r#"[{"Id": "curl.x86_64"}, "x"]"#, "package 2 of 2 is a string"),
        (r#"[{"Title": "curl"}]"#, "an object without an `Id`"),
        (r#"[{"Id": ""}]"#, "an object with an empty `Id`"),
        (r#"[{"Id": 5}]"#, "an object whose `Id` is a number"),
    ] {
        let text = format!("{}{list}{}", &non[..start], &non[end..]);
        let e = parse(&text, OutputSource::Complete).expect_err(list);
        assert!(e.message.contains(needle), "{list}: {e}");
        assert!(e.line > 20, "{list}: located at the block: {e}");
    }
}

/// No raw control or bidirectional-override character, and a bounded length.
fn safe(shown: &str, max: usize) {
    assert!(shown.len() <= max, "{} bytes shown: {}…", shown.len(), &shown[..shown.len().min(300)]);
    let raw: Vec<char> =
        shown.chars().filter(|c| (c.is_control() && *c != '\n') || ('\u{202a}'..='\u{202e}').contains(c)).collect();
    assert!(raw.is_empty(), "raw characters {raw:?} in: {shown}");
}

#[test]
fn plan_errors_echo_values_clipped_and_escaped() {
    let seed = seed_with_install_schedule("last sunday at 03:00");
    let with = |old: &str, new: &str| {
        assert!(seed.contains(old), "{old}");
        seed.replacen(old, new, 1)
    };
    let huge = "a".repeat(50_000_000);
    for (what, text, needle) in [
        // A 50 MB name was echoed twice (message and source line): 104 MB of stderr.
        ("huge name", with("name = \"web-monthly\"", &format!("name = \"{huge}\"")), "… (50000000 characters)"),
        (
            "control characters",
            with("name = \"web-monthly\"", r#"name = "x\u0000y\u001b[31mRED\u202Eevil""#),
            "\\u{1b}[31mRED\\u{202e}evil",
        ),
        (
            "huge tag key",
            with("tags = { team = \"web\"", &format!("tags = {{ \"{}\" = \"web\"", "k".repeat(5_000_000))),
            "… (5000000 characters)",
        ),
        (
            "huge calendar word",
            with(
                "schedule = \"last sunday at 03:00\"",
                &format!("schedule = \"last {} at 03:00\"", "x".repeat(5_000_000)),
            ),
            "characters)",
        ),
        (
            "escape in a rule",
            with("schedule = \"last sunday at 03:00\"", r#"schedule = "last \u001b[2Jsunday\u202E at 03:00""#),
            "\\u{1b}[2jsunday\\u{202e}",
        ),
        ("zone", with("time-zone = \"Asia/Tokyo\"", r#"time-zone = "Asia/\u001b[2JTokyo""#), "Asia/\\u{1b}[2JTokyo"),
        (
            "huge region",
            with("region = \"ap-northeast-1\"", &format!("region = \"{}\"", "r".repeat(1_000_000))),
            "… (1000000 characters)",
        ),
        (
            "serde message",
            with("version = 1", &format!("version = \"{}\"", "v".repeat(1_000_000))),
            "characters left out",
        ),
    ] {
        let errors = Plan::from_source(Source::new(Some("hostile.toml"), text)).expect_err(what);
        let shown = errors.to_string();
        safe(&shown, 4_000);
        assert!(shown.contains(needle), "{what}: `{needle}` not in {shown}");
        for e in &errors.0 {
            safe(&e.headline(), 4_000);
            safe(&e.message, 4_000);
        }
    }
}

#[test]
fn schedule_and_output_errors_echo_values_clipped_and_escaped() {
    use ssmpatch::run_output::{OutputSource, parse};
    for expr in ["cr\u{1b}[31mon(0 0 ? * SUN *)", "cron(0 0 ? * SU\u{202e}N *)", "rate(\u{0}5 minutes)", "at(\u{7})"] {
        let e = Schedule::parse(expr).expect_err(expr);
        safe(&e.to_string(), 1_000);
        assert!(e.to_string().contains("\\u{"), "{expr}: {e}");
    }
    let e = ssmpatch::schedule::time_zone("Asia/\u{1b}[2JTokyo").expect_err("zone");
    assert!(e.to_string().contains("Asia/\\u{1b}[2JTokyo"), "{e}");
    let text = format!("\u{1b}]0;owned\u{7}{}\n", "z".repeat(1_000_000));
    let e = parse(&text, OutputSource::Complete).expect_err("not output");
    safe(&e.to_string(), 1_000);
}

#[cfg(feature = "strategies")]
#[test]
fn strategy_component_files_are_read_up_to_a_limit() {
    use ssmpatch::strategy::{Host, Limits, load};
    // A plan's `strategy = "/dev/zero"` used to be read until memory ran out.
    let host = Host::new(Limits::default()).expect("host");
    let Err(e) = load(&host, "/dev/zero") else { panic!("an endless file loaded") };
    assert!(e.to_string().contains("larger than 64 MiB"), "{e}");
    let Err(e) = load(&host, "/no/such/strategy.wasm") else { panic!("a missing file loaded") };
    assert!(e.to_string().contains("neither a built-in strategy"), "{e}");
}
