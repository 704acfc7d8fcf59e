//! Parsing AWS-RunPatchBaseline stdout: the simulated fleet's output (aws-facts §3.1 format),
//! AWS's published samples, CRLF, noise, truncation, and arbitrary input.

use std::path::Path;

use proptest::prelude::*;
use ssmpatch::run_output::{INVOCATION_OUTPUT_LIMIT, OutputSource, RunOperation, parse};

fn fixture(name: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/runpatchbaseline-output").join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn override_scan_with_missing_packages() {
    let r = parse(&fixture("synth-override-scan-noncompliant.txt"), OutputSource::Complete).expect("parse");
    assert_eq!(r.instance_id.as_deref(), Some("i-0123456789abcdef0"));
    assert_eq!(r.operation, Some(RunOperation::Scan));
    assert!(!r.all_compliant && !r.truncated && r.details.baseline_override);
    assert_eq!(r.summary["MissingCount"], "2");
    assert_eq!(r.summary["NonCompliantSeverity"], "HIGH");
    let ids: Vec<&str> = r.non_compliant.iter().filter_map(|p| p["Id"].as_str()).collect();
    assert_eq!(ids, ["curl.x86_64", "openssl.x86_64"]);
    assert_eq!(r.non_compliant[1]["CVEIds"], "CVE-2026-0001,CVE-2026-0002");
    assert_eq!(r.non_compliant[1]["PatchState"], "Missing");
    assert_eq!(r.details.reboot.as_deref(), Some("Reboot is not permitted for scan operation"));
    // The CLI contract: exactly these keys, in this order; summary keys as printed.
    let v = serde_json::to_value(&r).expect("json");
    let keys: Vec<&String> = v.as_object().expect("object").keys().collect();
    assert_eq!(keys, ["instance_id", "operation", "summary", "non_compliant", "all_compliant", "truncated"]);
    assert_eq!(v["operation"], "Scan");
    let first_key = v["summary"].as_object().expect("summary").keys().next().cloned();
    assert_eq!(first_key.as_deref(), Some("CriticalNonCompliantCount"));
}

#[test]
fn override_install_and_normal_scan() {
    let r = parse(&fixture("synth-override-install.txt"), OutputSource::Complete).expect("parse");
    assert_eq!(r.operation, Some(RunOperation::Install));
    assert!(r.details.baseline_override);
    let n = parse(&fixture("synth-normal-scan.txt"), OutputSource::Complete).expect("parse");
    assert!(!n.details.baseline_override);
    assert!(n.non_compliant.is_empty());
    assert!(!n.all_compliant);
    assert_eq!(n.details.non_compliant_severity.as_deref(), Some("INFORMATIONAL"));
    // The normal run's python-repr Summary is read as printed.
    assert_eq!(n.summary["MissingCount"], "2");
    assert_eq!(n.summary["OperationType"], "Scan");
}

#[test]
fn all_packages_compliant() {
    let text = fixture("synth-override-scan-noncompliant.txt");
    let start = text.find("[BASELINE OVERRIDE]: Non Compliant Packages:").expect("block");
    let end = text[start..].find("\n]\n").map(|i| start + i + 3).expect("end of block");
    let compliant = format!("{}[BASELINE OVERRIDE]: All Packages are Compliant.\n{}", &text[..start], &text[end..])
        .replace(" Instance is Non-Compliant with severity of HIGH ", " Instance is Compliant ");
    let r = parse(&compliant, OutputSource::Complete).expect("parse");
    assert!(r.all_compliant);
    assert!(r.non_compliant.is_empty());
}

#[test]
fn crlf_and_noise_give_the_same_report() {
    let text = fixture("synth-override-scan-noncompliant.txt");
    let clean = parse(&text, OutputSource::Complete).expect("parse");
    let crlf = text.replace('\n', "\r\n");
    assert_eq!(parse(&crlf, OutputSource::Complete).expect("crlf"), clean);
    let noisy: String = text
        .lines()
        .flat_map(|l| {
            let noise = if l.starts_with("11/") {
                "11/22/2026 19:29:12 root [WARNING]: something unrelated happened"
            } else {
                ""
            };
            [noise, l]
        })
        .filter(|l| !l.is_empty())
        .map(|l| format!("{l}\n"))
        .collect();
    let r = parse(&noisy, OutputSource::Complete).expect("noisy");
    assert_eq!(
        (r.summary, r.non_compliant, r.all_compliant),
        (clean.summary, clean.non_compliant, clean.all_compliant)
    );
}

#[test]
fn foreign_lines_inside_a_json_block_are_left_out() {
    // A real host interleaves other processes' lines with the payload's stdout, also inside the
    // multi-line JSON blocks.
    let text = fixture("synth-override-scan-noncompliant.txt");
    let clean = parse(&text, OutputSource::Complete).expect("parse");
    let foreign = [
        "Dec 04 10:00:01 ip-10-0-0-1 systemd[1]: Started Session 5 of user root (\"sshd\").",
        "11/22/2026 19:29:12 root [WARNING]: yum lock held by pid 4242 {waiting}",
        "Loaded plugins: extras_suggestions, langpacks, priorities, update-motd",
    ];
    let mut lines: Vec<&str> = text.lines().collect();
    let at = lines.iter().position(|l| l.contains("\"Id\": \"curl.x86_64\"")).expect("a package line");
    for (i, f) in foreign.iter().enumerate() {
        lines.insert(at + 1 + 2 * i, f);
    }
    let noisy = lines.join("\n") + "\n";
    let r = parse(&noisy, OutputSource::Complete).expect("a block with foreign lines still parses");
    assert_eq!((&r.summary, &r.non_compliant, r.all_compliant), (&clean.summary, &clean.non_compliant, false));
    let numbers: Vec<usize> = (0..foreign.len()).map(|i| at + 2 + 2 * i).collect();
    assert_eq!(r.details.foreign_lines, numbers, "1-based numbers of the lines left out");
}

#[test]
fn text_cut_at_the_limit_before_any_known_line_is_truncated_not_foreign() {
    // A long package manager log fills the first 24,000 characters GetCommandInvocation keeps.
    let log = "Downloading packages: kernel-6.1.0-1.amzn2023.x86_64.rpm 42% [=====     ] 1.2 MB/s\n";
    let text: String =
        log.repeat(INVOCATION_OUTPUT_LIMIT / log.len() + 1).chars().take(INVOCATION_OUTPUT_LIMIT).collect();
    let r = parse(&text, OutputSource::Invocation).expect("a cut text is a truncated report");
    assert!(r.truncated && r.non_compliant.is_empty() && !r.all_compliant);
    // The same text complete is not a report.
    assert!(parse(&text, OutputSource::Complete).is_err());
    // Windows writes CRLF: the limit counts the characters as AWS kept them.
    let head = fixture("synth-override-scan-noncompliant.txt").replace('\n', "\r\n");
    let crlf: String =
        format!("{head}{}", "y\r\n".repeat(INVOCATION_OUTPUT_LIMIT)).chars().take(INVOCATION_OUTPUT_LIMIT).collect();
    assert!(parse(&crlf, OutputSource::Invocation).expect("parse").truncated);
}

#[test]
fn truncation_is_detected_never_parsed_as_complete() {
    let text = fixture("synth-override-scan-noncompliant.txt");
    let cut = &text[..text.find("\"openssl.x86_64\"").expect("package")];
    let r = parse(cut, OutputSource::Invocation).expect("parse");
    assert!(r.truncated);
    // A complete-looking text at the invocation limit may have been cut after its last line.
    let padded = format!("{}{}", text, "x".repeat(INVOCATION_OUTPUT_LIMIT));
    assert!(parse(&padded, OutputSource::Invocation).expect("parse").truncated);
    assert!(!parse(&padded, OutputSource::Complete).expect("parse").truncated);
}

#[test]
fn windows_summary_is_read_and_per_package_results_are_reported_unsupported() {
    let r = parse(&fixture("windows-patch-summary-no-wsus-access.txt"), OutputSource::Complete).expect("parse");
    assert_eq!(r.details.platform, "windows");
    assert_eq!(r.operation, Some(RunOperation::Scan));
    assert_eq!(r.summary["RebootOption"], "RebootIfNeeded");
    assert_eq!(r.summary["MissingCount"], "-1");
    assert!(!r.all_compliant, "a failed scan (counts -1) is not compliant");
    assert!(r.details.unsupported[0].contains("not document"));
}

#[test]
fn every_published_sample_parses_or_fails_cleanly() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/runpatchbaseline-output");
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).expect("dir") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "txt") {
            continue; // NAME.source.md, the sample's provenance
        }
        let text = std::fs::read_to_string(&path).expect("read");
        match parse(&text, OutputSource::Complete) {
            Ok(r) => assert!(
                r.instance_id.is_some()
                    || r.operation.is_some()
                    || !r.summary.is_empty()
                    || r.all_compliant
                    || r.details.non_compliant_severity.is_some()
                    || r.details.platform == "windows",
                "{}",
                path.display()
            ),
            Err(e) => {
                assert!(!e.message.is_empty() && !e.hint.is_empty(), "{}", path.display());
                assert!(e.line >= 1);
            }
        }
        seen += 1;
    }
    assert!(seen >= 28, "{seen} samples");
}

#[test]
fn every_sample_has_its_provenance_beside_it_and_none_inside() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/runpatchbaseline-output");
    let mut samples = 0;
    for entry in std::fs::read_dir(&dir).expect("dir") {
        let path = entry.expect("entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).expect("name").to_string();
        if let Some(stem) = name.strip_suffix(".txt") {
            samples += 1;
            let text = std::fs::read_to_string(&path).expect("read");
            assert!(
                !text.lines().any(|l| l.starts_with("# Source") || l.contains("below this line")),
                "{name} carries provenance text; it belongs in {stem}.source.md"
            );
            let source = std::fs::read_to_string(dir.join(format!("{stem}.source.md")))
                .unwrap_or_else(|e| panic!("{stem}.source.md, the provenance of {name}: {e}"));
            assert!(source.contains("**Source**"), "{stem}.source.md names no source");
        } else {
            assert!(name.ends_with(".source.md"), "{name}: a sample is NAME.txt, its provenance NAME.source.md");
        }
    }
    assert!(samples >= 33, "{samples} samples");
}

#[test]
fn an_install_with_a_failed_a_pending_reboot_and_a_rejected_package() {
    let r = parse(&fixture("synth-override-install-failed.txt"), OutputSource::Complete).expect("parse");
    assert_eq!(r.operation, Some(RunOperation::Install));
    assert!(!r.all_compliant && !r.truncated && r.details.baseline_override);
    assert_eq!(r.details.non_compliant_severity.as_deref(), Some("HIGH"));
    let got: Vec<(&str, &str, &str, &str)> = r
        .non_compliant
        .iter()
        .map(|p| {
            let s = |k: &str| p[k].as_str().unwrap_or_default();
            (s("Id"), s("PatchState"), s("Severity"), s("PatchSeverity"))
        })
        .collect();
    assert_eq!(
        got,
        [
            ("telnet.x86_64", "InstalledRejected", "UNSPECIFIED", "Low"),
            ("kernel.x86_64", "InstalledPendingReboot", "HIGH", "Important"),
            ("openssl.x86_64", "Failed", "HIGH", "Critical"),
        ]
    );
    assert_eq!(r.non_compliant[2]["CVEIds"], "CVE-2026-0001,CVE-2026-0002");
    for (key, count) in [("FailedCount", "1"), ("InstalledPendingRebootCount", "1"), ("InstalledRejectedCount", "1")] {
        assert_eq!(r.summary[key], count, "{key}");
    }
    assert_eq!(r.details.reboot.as_deref(), Some("Reboot is not permitted because RebootOption is NoReboot"));
}

#[test]
fn a_compliant_scan_is_compliant_and_the_pending_reboot_scan_is_not() {
    let r = parse(&fixture("synth-override-scan-compliant.txt"), OutputSource::Complete).expect("parse");
    assert_eq!(r.operation, Some(RunOperation::Scan));
    assert!(r.all_compliant && r.non_compliant.is_empty() && !r.truncated && r.details.baseline_override);
    assert_eq!(r.details.non_compliant_severity, None, "a compliant node omits NonCompliantSeverity");
    for key in ["MissingCount", "FailedCount", "InstalledPendingRebootCount", "InstalledRejectedCount"] {
        assert_eq!(r.summary[key], "0", "{key}");
    }
    let p = parse(&fixture("synth-override-scan-pending-reboot.txt"), OutputSource::Complete).expect("parse");
    assert!(!p.all_compliant);
    let states: Vec<&str> = p.non_compliant.iter().filter_map(|p| p["PatchState"].as_str()).collect();
    assert_eq!(states, ["InstalledPendingReboot", "InstalledPendingReboot"]);
}

#[test]
fn not_output_and_broken_json_are_located_errors() {
    let e = parse("hello world\n", OutputSource::Complete).expect_err("not output");
    assert!(e.message.contains("not AWS-RunPatchBaseline output"), "{e}");
    assert_eq!(e.line, 1);
    let text =
        fixture("synth-override-scan-noncompliant.txt").replace("\"MissingCount\": \"2\",", "\"MissingCount\": 2 2,");
    let e = parse(&text, OutputSource::Complete).expect_err("bad json");
    assert!(e.message.contains("override summary"), "{e}");
    assert!(e.line > 15, "{e}");
}

proptest! {
    #[test]
    fn arbitrary_text_never_panics(s in ".{0,400}") {
        let _ = parse(&s, OutputSource::Invocation);
    }

    #[test]
    fn mutated_fixtures_never_panic(cut in 0usize..4000, junk in "[\\[\\]{}\"\\\\a-z :\n]{0,40}") {
        let text = fixture("synth-override-scan-noncompliant.txt");
        let mut at = cut.min(text.len());
        while !text.is_char_boundary(at) { at -= 1; }
        let mutated = format!("{}{}{}", &text[..at], junk, &text[at..]);
        let _ = parse(&mutated, OutputSource::Complete);
    }
}
