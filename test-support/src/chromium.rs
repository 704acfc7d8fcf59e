//! Headless Chromium for tests that render the HTML ssmpatch writes (the `status` report):
//! the DOM after the page's scripts ran, a screenshot, a PDF.
//!
//! Every run is isolated: a fresh profile in a temporary directory, no network (every host name
//! resolves to nothing, background networking, component updates and sync off), no extensions,
//! and a hard timeout after which the whole process group is killed. `--no-sandbox` because tests
//! run as root in CI containers, where Chromium's sandbox refuses to start.
//!
//! The binary is `$SSMPATCH_CHROMIUM`, else `chromium` or `chromium-browser` on `PATH` (Debian's
//! package `chromium`, which `scripts/setup.sh` installs). When it is missing, [`chromium`] prints
//! why and the test returns — except with `CI=true` (set by `.ci/run`), where it fails: CI must
//! prove the page renders.

use std::ffi::OsString;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// How long one Chromium run may take before it is killed.
pub const TIMEOUT: Duration = Duration::from_secs(60);

/// The window size of [`Chromium::screenshot`] unless a test says otherwise.
pub const WINDOW: (u32, u32) = (1280, 2000);

/// A headless Chromium found on this machine.
#[derive(Debug, Clone)]
pub struct Chromium {
    binary: PathBuf,
}

/// Headless Chromium, or `None` (after printing why `test` does not run) when it is not installed.
/// Panics instead when `CI` is `true`: there the test must run.
pub fn chromium(test: &str) -> Option<Chromium> {
    if let Some(binary) = std::env::var_os("SSMPATCH_CHROMIUM") {
        let binary = PathBuf::from(binary);
        assert!(binary.is_file(), "SSMPATCH_CHROMIUM={} is not a file", binary.display());
        return Some(Chromium { binary });
    }
    let found = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .flat_map(|dir| ["chromium", "chromium-browser"].map(|name| dir.join(name)))
            .find(|candidate| candidate.is_file())
    });
    match found {
        Some(binary) => Some(Chromium { binary }),
        None if in_ci() => panic!(
            "{test}: chromium is not on PATH and CI=true: CI must run this test \
             (scripts/setup.sh installs Debian's `chromium`; SSMPATCH_CHROMIUM names another binary)"
        ),
        None => {
            eprintln!(
                "{test}: skipped: chromium is not on PATH (scripts/setup.sh installs Debian's `chromium`; \
                 SSMPATCH_CHROMIUM names another binary; with CI=true this test fails instead)"
            );
            None
        }
    }
}

/// Whether the `CI` environment variable asks for every test to run (`true` or `1`).
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
}

/// Where tests save what a person may want to look at (screenshots, PDFs):
/// `$SSMPATCH_TEST_ARTIFACTS`, else `test-artifacts` in the Cargo target directory
/// (`$CARGO_TARGET_DIR`, else the workspace's `target`). Created if missing.
pub fn artifacts_dir() -> PathBuf {
    let dir = std::env::var_os("SSMPATCH_TEST_ARTIFACTS").map(PathBuf::from).unwrap_or_else(|| {
        std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| crate::standin::root().join("target"))
            .join("test-artifacts")
    });
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    dir
}

/// The `file://` URL of the absolute path `path` (bytes outside the unreserved set and `/`
/// percent-encoded), with `#fragment` when `fragment` is not empty.
pub fn file_url(path: &Path, fragment: &str) -> String {
    assert!(path.is_absolute(), "file_url needs an absolute path, got {}", path.display());
    let mut url = String::from("file://");
    for b in path.as_os_str().as_encoded_bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(b) {
            url.push(char::from(*b));
        } else {
            url.push_str(&format!("%{b:02X}"));
        }
    }
    if !fragment.is_empty() {
        url.push('#');
        url.push_str(fragment);
    }
    url
}

/// What one run printed.
#[derive(Debug)]
pub struct Run {
    /// Standard output (the DOM of `--dump-dom`).
    pub stdout: Vec<u8>,
    /// Standard error (Chromium's log).
    pub stderr: String,
    /// How long it took.
    pub took: Duration,
}

impl Chromium {
    /// The binary.
    pub fn binary(&self) -> &Path {
        &self.binary
    }

    /// The flags of every run: headless, isolated, offline.
    pub fn base_args() -> Vec<&'static str> {
        vec![
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-default-apps",
            "--disable-domain-reliability",
            "--metrics-recording-only",
            "--no-pings",
            "--mute-audio",
            "--host-resolver-rules=MAP * ~NOTFOUND",
        ]
    }

    /// Runs Chromium with [`Chromium::base_args`], a fresh profile, `args` and then `url`; kills its
    /// process group after `timeout`. Panics (with its log) when it fails, times out or cannot start.
    pub fn run(&self, args: &[&str], url: &str, timeout: Duration) -> Run {
        let dir = scratch_dir();
        let out_path = dir.join("stdout");
        let err_path = dir.join("stderr");
        let out = std::fs::File::create(&out_path).expect("chromium stdout file");
        let err = std::fs::File::create(&err_path).expect("chromium stderr file");
        let mut profile = OsString::from("--user-data-dir=");
        profile.push(dir.join("profile"));
        let started = Instant::now();
        let mut child = Command::new(&self.binary)
            .args(Self::base_args())
            .arg(profile)
            .args(args)
            .arg(url)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", self.binary.display()));
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if started.elapsed() < timeout => std::thread::sleep(Duration::from_millis(20)),
                Ok(None) => {
                    kill_group(child.id());
                    let _ = child.kill();
                    let _ = child.wait();
                    let log = read_tail(&err_path);
                    let _ = std::fs::remove_dir_all(&dir);
                    panic!("chromium {args:?} {url}: no answer within {timeout:?}, killed; its log:\n{log}");
                }
                Err(e) => panic!("waiting for chromium: {e}"),
            }
        };
        let took = started.elapsed();
        // Its helpers (zygote, renderer) share the group; none may outlive the run.
        kill_group(child.id());
        let stdout = std::fs::read(&out_path).expect("chromium stdout");
        let stderr = read_tail(&err_path);
        let _ = std::fs::remove_dir_all(&dir);
        assert!(status.success(), "chromium {args:?} {url} failed ({status}); its log:\n{stderr}");
        Run { stdout, stderr, took }
    }

    /// The page's DOM, serialised after its scripts ran (`--dump-dom`; timers fast-forwarded by
    /// `--virtual-time-budget`). `fragment` (without `#`) is appended to the URL.
    pub fn dump_dom(&self, page: &Path, fragment: &str) -> String {
        let run = self.run(&["--virtual-time-budget=2000", "--dump-dom"], &file_url(page, fragment), TIMEOUT);
        String::from_utf8(run.stdout).expect("chromium's --dump-dom output is UTF-8")
    }

    /// A PNG screenshot of the page at `window` (width, height) pixels, written to `out`.
    pub fn screenshot(&self, page: &Path, out: &Path, window: (u32, u32)) -> Run {
        let size = format!("--window-size={},{}", window.0, window.1);
        let shot = format!("--screenshot={}", out.display());
        let _ = std::fs::remove_file(out);
        let run =
            self.run(&["--virtual-time-budget=2000", "--hide-scrollbars", &size, &shot], &file_url(page, ""), TIMEOUT);
        assert!(out.is_file(), "chromium wrote no screenshot at {}; its log:\n{}", out.display(), run.stderr);
        run
    }

    /// The page printed to PDF (its print style sheet, no header or footer), written to `out`.
    pub fn print_to_pdf(&self, page: &Path, out: &Path) -> Run {
        let pdf = format!("--print-to-pdf={}", out.display());
        let _ = std::fs::remove_file(out);
        let run =
            self.run(&["--virtual-time-budget=2000", "--no-pdf-header-footer", &pdf], &file_url(page, ""), TIMEOUT);
        assert!(out.is_file(), "chromium wrote no PDF at {}; its log:\n{}", out.display(), run.stderr);
        run
    }
}

/// A new empty directory under the system's temporary directory.
fn scratch_dir() -> PathBuf {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("ssmpatch-chromium-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    dir
}

/// Kills the process group `pgid` (the Chromium run started with `process_group(0)`).
fn kill_group(pgid: u32) {
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{pgid}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// The last 8 KiB of a log file.
fn read_tail(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap_or_default();
    let start = bytes.len().saturating_sub(8192);
    String::from_utf8_lossy(&bytes[start..]).into_owned()
}
