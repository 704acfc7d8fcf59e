//! Golden files: what the CLI prints for every example plan, pinned byte for byte so a refactor
//! can prove it changes nothing. Offline: `validate`, `explain`, `calendar` (JSON) and
//! `override render` of each operation with an override. Live, on the local AWS stand-in:
//! `plan`, `apply`, `apply` again, `destroy` (JSON), with AWS-generated ids replaced by
//! placeholders (see [`normalise`]). A command that fails is pinned as its exit code, stdout and
//! stderr (`.txt`). python/tests/test_golden.py compares the Python API with the same files.
//!
//! Re-bless: `SSMPATCH_BLESS=1 cargo test -p ssmpatch-cli --test it golden -- --include-ignored`.
//! The live part needs the project's virtualenv (scripts/setup.sh); `scripts/test.sh` runs it.

use std::process::Output;

use ssmpatch_test_support::standin::{StandIn, root};

use crate::util::{live, run as ssmpatch, text};

/// "Now" for every command, so schedules and one-shot windows do not depend on the day it runs.
const FROM: &str = "2026-12-01T00:00:00Z";

/// `(stem, path relative to the repository)` of every `examples/*.toml`, sorted.
fn examples() -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = std::fs::read_dir(root().join("examples"))
        .expect("examples/")
        .map(|e| e.expect("examples/ entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| {
            let stem = p.file_stem().expect("stem").to_string_lossy().into_owned();
            let name = p.file_name().expect("name").to_string_lossy().into_owned();
            (stem, format!("examples/{name}"))
        })
        .collect();
    v.sort();
    assert!(!v.is_empty(), "no examples/*.toml");
    v
}

/// Compares outputs with `cli/tests/golden/<plan>/<name>.{json,txt}` (or writes them with
/// `SSMPATCH_BLESS=1`), collecting every mismatch.
struct Golden {
    bless: bool,
    failures: Vec<String>,
}

impl Golden {
    fn new() -> Golden {
        Golden { bless: std::env::var_os("SSMPATCH_BLESS").is_some_and(|v| v == "1"), failures: Vec::new() }
    }

    /// Pins `out`: its stdout as `<name>.json` on success, else `<name>.txt` with the exit code,
    /// stdout and stderr. `ids`: replace AWS-generated ids first.
    fn check(&mut self, plan: &str, name: &str, out: &Output, ids: bool) {
        let (ext, other, mut actual) = match out.status.code() {
            Some(0) => ("json", "txt", text(&out.stdout)),
            code => {
                let mut t = format!("exit code: {}\n", code.map_or("none (signal)".into(), |c| c.to_string()));
                if !out.stdout.is_empty() {
                    t.push_str(&format!("--- stdout\n{}", text(&out.stdout)));
                }
                t.push_str(&format!("--- stderr\n{}", text(&out.stderr)));
                ("txt", "json", t)
            }
        };
        if ids {
            actual = normalise(&actual);
        }
        let dir = root().join("cli/tests/golden").join(plan);
        let path = dir.join(format!("{name}.{ext}"));
        let shown = format!("cli/tests/golden/{plan}/{name}.{ext}");
        if self.bless {
            std::fs::create_dir_all(&dir).expect("create the golden directory");
            std::fs::write(&path, &actual).expect("write a golden file");
            let _ = std::fs::remove_file(dir.join(format!("{name}.{other}")));
            return;
        }
        match std::fs::read_to_string(&path) {
            Ok(expected) if expected == actual => {}
            Ok(expected) => self.failures.push(format!("{shown} differs:\n{}", diff(&expected, &actual))),
            Err(e) => self.failures.push(format!(
                "{shown}: cannot read it ({e}); the command exited with {:?}, stderr:\n{}",
                out.status.code(),
                text(&out.stderr)
            )),
        }
    }

    fn finish(self) {
        assert!(
            self.failures.is_empty(),
            "{} golden file(s) differ (re-bless with SSMPATCH_BLESS=1 if the change is intended):\n\n{}",
            self.failures.len(),
            self.failures.join("\n")
        );
    }
}

/// A short unified-style diff: the first differing block, with three lines of context.
fn diff(expected: &str, actual: &str) -> String {
    const MAX: usize = 20;
    let (e, a): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
    let head = e.iter().zip(&a).take_while(|(x, y)| x == y).count();
    let tail = e[head..].iter().rev().zip(a[head..].iter().rev()).take_while(|(x, y)| x == y).count();
    let (e_end, a_end, start) = (e.len() - tail, a.len() - tail, head.saturating_sub(3));
    let mut s = format!("@@ -{},{} +{},{} @@\n", start + 1, e_end - start, start + 1, a_end - start);
    let mut push = |sign: char, lines: &[&str]| {
        for l in lines.iter().take(MAX) {
            s.push_str(&format!("{sign}{l}\n"));
        }
        if lines.len() > MAX {
            s.push_str(&format!("{sign}… {} more line(s)\n", lines.len() - MAX));
        }
    };
    push(' ', &e[start..head]);
    push('-', &e[head..e_end]);
    push('+', &a[head..a_end]);
    push(' ', &e[e_end..(e_end + 3).min(e.len())]);
    if head == e.len() && head == a.len() {
        s.push_str("(only the line endings or the final newline differ)\n");
    }
    s
}

/// Replaces AWS-generated ids with `<kind-N>`, numbered per kind in order of first appearance,
/// so the same structure gives the same text on every run:
/// - `mw-` + 17 hex digits (maintenance windows) → `<mw-N>`;
/// - `pb-` + 17 hex digits (patch baselines) → `<pb-N>`;
/// - UUIDs (window targets and tasks, associations, Quick Setup managers, request ids) → `<uuid-N>`;
/// - a Quick Setup configuration id: `|` + letters/digits right after a `<uuid-N>`
///   (ssmpatch's patch-policy id is `ARN|definition-id`) → `|<qs-N>`.
///
/// Ids count only at a word start and end (not inside a longer run of letters and digits).
fn normalise(input: &str) -> String {
    fn hex(s: &[u8], n: usize) -> bool {
        s.len() >= n && s[..n].iter().all(|c| c.is_ascii_hexdigit())
    }
    fn ends(s: &[u8], n: usize) -> bool {
        s.get(n).is_none_or(|c| !c.is_ascii_alphanumeric())
    }
    fn id_at(s: &[u8], at_word: bool, after_uuid: bool) -> Option<(&'static str, usize)> {
        let uuid = [8, 4, 4, 4, 12].iter().try_fold(0, |at, &n| {
            let at = if at == 0 { 0 } else { (s.get(at) == Some(&b'-')).then_some(at + 1)? };
            hex(&s[at..], n).then_some(at + n)
        });
        let alnum = s.iter().skip(1).take_while(|c| c.is_ascii_alphanumeric()).count();
        if after_uuid && s[0] == b'|' && alnum > 0 {
            Some(("qs", alnum + 1))
        } else if !at_word {
            None
        } else if (s.starts_with(b"mw-") || s.starts_with(b"pb-")) && hex(&s[3..], 17) && ends(s, 20) {
            Some((if s[0] == b'm' { "mw" } else { "pb" }, 20))
        } else {
            uuid.filter(|&n| ends(s, n)).map(|n| ("uuid", n))
        }
    }
    let mut seen: Vec<(String, String)> = Vec::new();
    let mut out = String::with_capacity(input.len());
    let (b, mut i, mut prev) = (input.as_bytes(), 0, "");
    while i < b.len() {
        let at_word = i == 0 || !b[i - 1].is_ascii_alphanumeric();
        match id_at(&b[i..], at_word, prev == "uuid") {
            Some((kind, len)) => {
                // The Quick Setup id keeps its `|`.
                let skip = usize::from(kind == "qs");
                out.push_str(&input[i..i + skip]);
                let id = &input[i + skip..i + len];
                let known = seen.iter().find(|(k, _)| k == id).map(|(_, p)| p.clone());
                out.push_str(&known.unwrap_or_else(|| {
                    let n = seen.iter().filter(|(_, p)| p.starts_with(&format!("<{kind}-"))).count() + 1;
                    seen.push((id.to_string(), format!("<{kind}-{n}>")));
                    format!("<{kind}-{n}>")
                }));
                (i, prev) = (i + len, kind);
            }
            None => {
                let c = input[i..].chars().next().expect("a character");
                out.push(c);
                (i, prev) = (i + c.len_utf8(), "");
            }
        }
    }
    out
}

#[test]
fn offline_commands_match_their_golden_files() {
    let mut g = Golden::new();
    for (stem, path) in examples() {
        for command in ["validate", "explain"] {
            g.check(&stem, command, &ssmpatch(&[command, &path, "--json", "--from", FROM]), false);
        }
        let out = ssmpatch(&["calendar", &path, "--json", "--count", "12", "--from", FROM]);
        g.check(&stem, "calendar", &out, false);
        // The operations explain places on an override.
        let explain = ssmpatch(&["explain", &path, "--json", "--from", FROM]);
        let v: serde_json::Value = serde_json::from_slice(&explain.stdout).unwrap_or_default();
        let placed = v["placement"]["operations"].as_object().cloned().unwrap_or_default();
        for op in placed.iter().filter(|(_, p)| p["use"] == "override").map(|(op, _)| op) {
            let out = ssmpatch(&["override", "render", &path, "--operation", op]);
            g.check(&stem, &format!("override-render-{op}"), &out, false);
        }
    }
    g.finish();
}

/// The live steps, in order: golden file name, command (`apply` and `destroy` with `--yes`).
const LIVE_STEPS: [(&str, &str); 4] =
    [("plan", "plan"), ("apply", "apply"), ("apply-again", "apply"), ("destroy", "destroy")];

#[test]
#[ignore = "needs the local AWS stand-in (scripts/test.sh runs it)"]
fn live_commands_match_their_golden_files() {
    let mut g = Golden::new();
    for (stem, path) in examples() {
        // A fresh stand-in per plan: nothing one leaves behind changes the next one's output.
        let si = StandIn::start();
        si.create_quick_setup_roles();
        si.create_bucket("web-patching-artifacts", "ap-northeast-1");
        for (name, command) in LIVE_STEPS {
            let mut args = vec![command, path.as_str(), "--json", "--from", FROM];
            if command != "plan" {
                args.push("--yes");
            }
            g.check(&stem, name, &live(&si, &args), true);
        }
    }
    g.finish();
}

#[test]
fn normalise_numbers_ids_per_kind_in_order_of_first_appearance() {
    let t = "mw-0123456789abcdef0 pb-0123456789abcdef1 mw-fedcba98765432100 mw-0123456789abcdef0 \
             arn:x:configuration-manager/0f8fad5b-d9cb-469f-a165-70867728950e|ab1c2 \
             xmw-0123456789abcdef0 mw-0123456789abcdef0a 7c9e6679-7425-40de-944b-e07fc1f90ae7 é";
    assert_eq!(
        normalise(t),
        "<mw-1> <pb-1> <mw-2> <mw-1> arn:x:configuration-manager/<uuid-1>|<qs-1> \
         xmw-0123456789abcdef0 mw-0123456789abcdef0a <uuid-2> é"
    );
}
