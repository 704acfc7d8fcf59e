//! Builds the strategy components in `wasm-policies/` from source: `cargo build` for
//! `wasm32-unknown-unknown` (their own workspace and target directory), then each module becomes
//! a component (wit-component) in OUT_DIR, embedded by `strategy::builtin`.

use std::path::{Path, PathBuf};
use std::process::Command;

const COMPONENTS: [&str; 6] =
    ["put_compliance_items", "rescan", "fixture_spin", "fixture_memory_bomb", "fixture_panic", "fixture_oversized"];

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
        .args(["build", "--release", "--locked", "--target", "wasm32-unknown-unknown", "--manifest-path"])
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
            "building the strategy components failed (see above); the wasm32-unknown-unknown target is needed: \
             `rustup target add wasm32-unknown-unknown` (scripts/setup.sh does it)"
        );
    }
    for name in COMPONENTS {
        let module = target_dir.join("wasm32-unknown-unknown/release").join(format!("{name}.wasm"));
        let bytes = std::fs::read(&module).unwrap_or_else(|e| panic!("{}: {e}", module.display()));
        let component = wit_component::ComponentEncoder::default()
            .module(&bytes)
            .and_then(|e| e.validate(true).encode())
            .unwrap_or_else(|e| panic!("{name}: cannot make a component: {e:#}"));
        std::fs::write(Path::new(&out).join(format!("{name}.component.wasm")), component).expect("write component");
    }
}
