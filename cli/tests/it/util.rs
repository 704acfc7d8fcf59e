//! What every module runs the binary with: the repository as working directory, no colour, and
//! either no AWS endpoint (offline) or the stand-in's ([`live`]).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use ssmpatch_test_support::standin::{StandIn, root};

/// `ssmpatch ARGS` from the repository's root, offline unless the caller points it somewhere.
pub(crate) fn ssmpatch(args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ssmpatch"));
    c.args(args).current_dir(root()).env("NO_COLOR", "1").env_remove("AWS_ENDPOINT_URL");
    c
}

/// Runs `ssmpatch ARGS` offline.
pub(crate) fn run(args: &[&str]) -> Output {
    ssmpatch(args).output().expect("run ssmpatch")
}

/// Runs `ssmpatch ARGS` against the stand-in.
pub(crate) fn live(si: &StandIn, args: &[&str]) -> Output {
    let mut c = ssmpatch(args);
    si.aws_env(&mut c);
    c.output().expect("run ssmpatch")
}

/// Output as text (it must be UTF-8).
pub(crate) fn text(b: &[u8]) -> String {
    String::from_utf8(b.to_vec()).expect("utf-8 output")
}

/// Stdout as JSON, whatever the exit code.
pub(crate) fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", text(&out.stdout)))
}

/// Stdout of a command that must succeed.
pub(crate) fn ok(out: &Output) -> String {
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    text(&out.stdout)
}

/// Stdout as JSON of a command that must succeed.
pub(crate) fn ok_json(out: &Output) -> serde_json::Value {
    ok(out);
    json(out)
}

/// Every file under `dir` (which must exist), at any depth, sorted.
pub(crate) fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).expect("read dir") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                todo.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}
