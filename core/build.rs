//! Builds the built-in strategy components in `wasm-policies/` from source (`put-compliance-items`
//! and `rescan`); they are embedded by `strategy::builtin`. The adversarial test fixtures are
//! built by the dev-only `test-support` crate, never here.

include!("../wasm-policies/components.rs");

fn main() {
    // Without the `strategies` feature there is no host to embed components in: nothing to build
    // (and no wasm32 target needed).
    if std::env::var_os("CARGO_FEATURE_STRATEGIES").is_none() {
        return;
    }
    let manifest = std::path::PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    build_components(
        &manifest.join("../wasm-policies"),
        &out,
        &["put-compliance-items", "rescan"],
        &["put_compliance_items", "rescan"],
    );
}
