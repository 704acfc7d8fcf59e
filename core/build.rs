//! Builds the strategy components in `wasm-policies/` from source: `cargo build` for
//! `wasm32-wasip2` (their own workspace and target directory), whose linker writes components
//! directly; they are copied to OUT_DIR and embedded by `strategy::builtin`.

use std::path::PathBuf;
use std::process::Command;

const TARGET: &str = "wasm32-wasip2";

const COMPONENTS: [&str; 7] = [
    "put_compliance_items",
    "rescan",
    "fixture_spin",
    "fixture_memory_bomb",
    "fixture_panic",
    "fixture_oversized",
    "fixture_escape",
];

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let policies = manifest.join("../wasm-policies");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    for p in ["wit", "sdk", "put-compliance-items", "rescan", "fixtures", "Cargo.toml", "Cargo.lock"] {
        println!("cargo:rerun-if-changed={}", policies.join(p).display());
    }
    let target_dir = out.join("wasm-target");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args(["build", "--release", "--locked", "--target", TARGET, "--manifest-path"])
        .arg(policies.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(&target_dir)
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_BUILD_RUSTFLAGS")
        .env_remove("CARGO_BUILD_TARGET")
        .env_remove("RUSTC_WORKSPACE_WRAPPER")
        .env_remove("CARGO_MAKEFLAGS")
        .status()
        .unwrap_or_else(|e| panic!("cannot run cargo to build wasm-policies: {e}"));
    if !status.success() {
        panic!(
            "building the strategy components failed (see above); the {TARGET} target is needed: \
             `rustup target add {TARGET}` (scripts/setup.sh does it)"
        );
    }
    for name in COMPONENTS {
        let built = target_dir.join(TARGET).join("release").join(format!("{name}.wasm"));
        let bytes = std::fs::read(&built).unwrap_or_else(|e| panic!("{}: {e}", built.display()));
        // A component's header has layer 1 (bytes 6-7), a core module's 0.
        if bytes.get(6..8) != Some(&[1, 0]) {
            panic!("{}: the {TARGET} linker did not write a component", built.display());
        }
        std::fs::write(out.join(format!("{name}.component.wasm")), bytes).expect("write component");
    }
}
