//! Builds the adversarial strategy components of `wasm-policies/fixtures` for the tests. They are
//! never embedded in ssmpatch: tests load them by path (`ssmpatch_test_support::fixture`).

const TARGET: &str = "wasm32-wasip2";

/// Builds the crates `packages` of `wasm-policies` (at `policies`) and copies the components
/// `names` (their library names) to `out`.
fn build_components(policies: &std::path::Path, out: &std::path::Path, packages: &[&str], names: &[&str]) {
    for p in ["sdk", "fixtures", "Cargo.toml", "Cargo.lock"] {
        println!("cargo:rerun-if-changed={}", policies.join(p).display());
    }
    let target_dir = out.join("wasm-target");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut command = std::process::Command::new(cargo);
    command.args(["build", "--release", "--locked", "--target", TARGET, "--manifest-path"]);
    command.arg(policies.join("Cargo.toml")).arg("--target-dir").arg(&target_dir);
    for p in packages {
        command.args(["-p", p]);
    }
    for var in [
        "CARGO_TARGET_DIR",
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "CARGO_BUILD_RUSTFLAGS",
        "CARGO_BUILD_TARGET",
        "RUSTC_WORKSPACE_WRAPPER",
        "CARGO_MAKEFLAGS",
    ] {
        command.env_remove(var);
    }
    let status = command.status().unwrap_or_else(|e| panic!("cannot run cargo to build wasm-policies: {e}"));
    if !status.success() {
        panic!(
            "building the strategy components failed (see above); the {TARGET} target is needed: \
             `rustup target add {TARGET}` (scripts/setup.sh does it)"
        );
    }
    for name in names {
        let built = target_dir.join(TARGET).join("release").join(format!("{name}.wasm"));
        let bytes = std::fs::read(&built).unwrap_or_else(|e| panic!("{}: {e}", built.display()));
        // A component's header has layer 1 (bytes 6-7), a core module's 0.
        if bytes.get(6..8) != Some(&[1, 0]) {
            panic!("{}: the {TARGET} linker did not write a component", built.display());
        }
        std::fs::write(out.join(format!("{name}.component.wasm")), bytes).expect("write component");
    }
}

const FIXTURES: [&str; 5] =
    ["fixture-spin", "fixture-memory-bomb", "fixture-panic", "fixture-oversized", "fixture-escape"];

fn main() {
    let manifest = std::path::PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    let names: Vec<String> = FIXTURES.iter().map(|f| f.replace('-', "_")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    build_components(&manifest.join("../wasm-policies"), &out, &FIXTURES, &names);
}
