//! `ssmpatch strategy new`: the crate it writes carries its own SDK and lock file and builds
//! outside this repository, offline; `--sdk PATH` is checked.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

use ssmpatch_test_support::standin::root;

use crate::util::{ok, ok_json, text};

/// An empty directory outside the repository, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(tag: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("ssmpatch-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch dir");
        assert!(!dir.starts_with(root()), "{} is inside the repository", dir.display());
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `ssmpatch ARGS` run in `dir` (not the repository).
fn ssmpatch_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ssmpatch"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run ssmpatch")
}

fn refused(o: &Output) -> String {
    assert_eq!(o.status.code(), Some(2), "stdout: {}\nstderr: {}", text(&o.stdout), text(&o.stderr));
    text(&o.stderr)
}

/// Every file under `dir`, as (path relative to `dir`, text).
fn files(dir: &Path) -> Vec<(String, String)> {
    crate::util::files_under(dir)
        .into_iter()
        .map(|p| {
            let rel = p.strip_prefix(dir).expect("under dir").display().to_string();
            (rel, std::fs::read_to_string(&p).expect("text file"))
        })
        .collect()
}

#[test]
fn the_scaffold_carries_its_sdk_and_lock_and_names_no_checkout() {
    let s = Scratch::new("strategy-new-files");
    ok(&ssmpatch_in(&s.0, &["strategy", "new", "team-notes"]));
    let crate_dir = s.0.join("team-notes");
    let all = files(&crate_dir);
    let names: Vec<&str> = all.iter().map(|(n, _)| n.as_str()).collect();
    for want in [
        "Cargo.toml",
        "Cargo.lock",
        "README.md",
        "src/lib.rs",
        "sdk/Cargo.toml",
        "sdk/src/lib.rs",
        "sdk/wit/strategy.wit",
        "sdk/README.md",
    ] {
        assert!(names.contains(&want), "{want} in {names:?}");
    }
    let checkout = root().display().to_string();
    for (name, body) in &all {
        assert!(!body.contains(&checkout), "{name} names the checkout {checkout}");
    }
    // The copy is the SDK and the interface this ssmpatch runs, byte for byte.
    let sdk = root().join("wasm-policies/sdk");
    for f in ["src/lib.rs", "wit/strategy.wit"] {
        let ours = std::fs::read_to_string(sdk.join(f)).expect("sdk file");
        assert_eq!(std::fs::read_to_string(crate_dir.join("sdk").join(f)).expect("copy"), ours, "sdk/{f}");
    }
    let manifest = std::fs::read_to_string(crate_dir.join("Cargo.toml")).expect("manifest");
    assert!(manifest.contains("ssmpatch-strategy-sdk = { path = \"sdk\", version = \"0.1.0\" }"), "{manifest}");
    let lock = std::fs::read_to_string(crate_dir.join("Cargo.lock")).expect("lock");
    assert!(lock.contains("name = \"wit-bindgen\"") && !lock.contains("fixture-"), "{lock}");
    // A name the SDK's own dependencies use would make its lock ambiguous: refused.
    let clash = refused(&ssmpatch_in(&s.0, &["strategy", "new", "sha2"]));
    assert!(clash.contains("cannot scaffold `sha2`: `sha2` is the name of a crate the SDK depends on"), "{clash}");
    assert!(!s.0.join("sha2").exists());
    // Created twice: refused, naming the directory.
    let again = refused(&ssmpatch_in(&s.0, &["strategy", "new", "team-notes"]));
    assert!(again.contains("team-notes` already exists"), "{again}");
}

#[test]
fn sdk_is_checked_name_version_and_interface() {
    let s = Scratch::new("strategy-new-sdk");
    let new = |sdk: &str| ssmpatch_in(&s.0, &["strategy", "new", "x", "--sdk", sdk]);
    let e = refused(&new("/nonexistent/sdk"));
    assert!(e.starts_with("error: --sdk /nonexistent/sdk: no such directory"), "{e}");
    let core = root().join("core").display().to_string();
    let e = refused(&new(&core));
    assert!(e.contains(&format!("--sdk {core}: this is the crate `ssmpatch`, not `ssmpatch-strategy-sdk`")), "{e}");
    // An SDK of another minor version, and one whose WIT is another interface.
    let fake = s.0.join("fake-sdk");
    std::fs::create_dir_all(fake.join("wit")).expect("fake");
    std::fs::write(fake.join("Cargo.toml"), "[package]\nname = \"ssmpatch-strategy-sdk\"\nversion = \"0.2.0\"\n")
        .expect("write");
    let fake_s = fake.display().to_string();
    let e = refused(&new(&fake_s));
    assert!(
        e.contains("ssmpatch-strategy-sdk 0.2.0 is not compatible with this ssmpatch, which scaffolds for 0.1.x"),
        "{e}"
    );
    std::fs::write(fake.join("Cargo.toml"), "[package]\nname = \"ssmpatch-strategy-sdk\"\nversion = \"0.1.9\"\n")
        .expect("write");
    std::fs::write(fake.join("wit/strategy.wit"), "package ssmpatch:strategy@0.2.0;\n").expect("write");
    let e = refused(&new(&fake_s));
    assert!(e.contains("interface ssmpatch:strategy@0.2.0, and this ssmpatch runs ssmpatch:strategy@0.1.0"), "{e}");
    assert!(!s.0.join("x").exists(), "nothing is written when --sdk is refused");
    // The repository's SDK (its version inherited from the wasm-policies workspace) is one.
    let repo_sdk = root().join("wasm-policies/sdk");
    ok(&new(&repo_sdk.display().to_string()));
    let manifest = std::fs::read_to_string(s.0.join("x/Cargo.toml")).expect("manifest");
    let canonical = repo_sdk.canonicalize().expect("canonical").display().to_string();
    assert!(manifest.contains(&format!("ssmpatch-strategy-sdk = {{ path = \"{canonical}\" }}")), "{manifest}");
    assert!(!s.0.join("x/sdk").exists(), "no copy of the SDK with --sdk");
}

/// Where the scaffolded crate is built: one directory under the workspace's target directory,
/// reused by every run, so the SDK's dependencies are compiled once.
fn scaffold_target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"))
        .join("strategy-new")
}

#[test]
#[ignore = "builds a scaffolded strategy for wasm32-wasip2 (scripts/test.sh runs it)"]
fn a_scaffolded_strategy_builds_offline_outside_the_repository_and_reads_a_failed_package() {
    let s = Scratch::new("strategy-new-build");
    let created = ok(&ssmpatch_in(&s.0, &["strategy", "new", "failed-notes"]));
    let build = "cargo build --release --target wasm32-wasip2";
    assert!(created.contains(build), "{created}");
    let crate_dir = s.0.join("failed-notes");
    let target = scaffold_target_dir();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let started = Instant::now();
    let o = Command::new(cargo)
        .args(["build", "-q", "--release", "--target", "wasm32-wasip2", "--locked"])
        .current_dir(&crate_dir)
        .env("CARGO_NET_OFFLINE", "true")
        .env("CARGO_TARGET_DIR", &target)
        .output()
        .expect("cargo");
    eprintln!(
        "the scaffolded strategy built in {:.1} s (target dir {})",
        started.elapsed().as_secs_f64(),
        target.display()
    );
    assert!(o.status.success(), "{build} --locked, offline, in {}:\n{}", crate_dir.display(), text(&o.stderr));
    let component = target.join("wasm32-wasip2/release/failed_notes.wasm");
    let samples = root().join("core/tests/data/runpatchbaseline-output");
    let test_on = |sample: &str| {
        let output = samples.join(sample);
        ok_json(&ssmpatch_in(
            &s.0,
            &[
                "strategy",
                "test",
                component.to_str().expect("utf-8"),
                "--output-file",
                output.to_str().expect("utf-8"),
                "--json",
            ],
        ))
    };
    let v = test_on("synth-override-install-failed.txt");
    assert_eq!(
        v["actions"][0]["Message"],
        "i-0123456789abcdef0 (test): Failed: openssl.x86_64; InstalledPendingReboot: kernel.x86_64; InstalledRejected: \
         telnet.x86_64; highest vendor severity Critical",
        "{v}"
    );
    let v = test_on("synth-override-scan-compliant.txt");
    assert_eq!(v["actions"][0]["Message"], "i-0123456789abcdef0: every package compliant", "{v}");
}
