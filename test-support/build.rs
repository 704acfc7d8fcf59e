//! Builds the adversarial strategy components of `wasm-policies/fixtures` for the tests. They are
//! never embedded in ssmpatch: tests load them by path (`ssmpatch_test_support::fixture`).

include!("../wasm-policies/components.rs");

const FIXTURES: [&str; 5] =
    ["fixture-spin", "fixture-memory-bomb", "fixture-panic", "fixture-oversized", "fixture-escape"];

fn main() {
    let manifest = std::path::PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    let names: Vec<String> = FIXTURES.iter().map(|f| f.replace('-', "_")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    build_components(&manifest.join("../wasm-policies"), &out, &FIXTURES, &names);
}
