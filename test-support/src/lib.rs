//! Dev-only support for ssmpatch's tests:
//! - [`standin`]: the local AWS stand-in, started on a free port, and its control API — the one
//!   harness every Rust test uses;
//! - [`chromium`](mod@chromium): headless Chromium rendering a page ssmpatch wrote (its DOM after
//!   scripts, a screenshot, a PDF), isolated, offline and killed after a timeout;
//! - the adversarial strategy components of `wasm-policies/fixtures` (an endless loop, a memory
//!   bomb, a panic, oversized output, attempts to leave the sandbox), built by this crate's build
//!   script and loaded by path — never embedded in the library, the CLI or the Python module.

pub mod chromium;
pub mod standin;

pub use chromium::{Chromium, artifacts_dir, chromium};

use std::path::PathBuf;

/// The fixtures, by the name tests use.
pub const FIXTURES: [&str; 5] =
    ["fixture-spin", "fixture-memory-bomb", "fixture-panic", "fixture-oversized", "fixture-escape"];

/// The directory the fixtures are built into.
pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("OUT_DIR"))
}

/// The component file of fixture `name` (e.g. `fixture-spin`).
pub fn fixture(name: &str) -> PathBuf {
    assert!(FIXTURES.contains(&name), "no fixture `{name}` (there are: {})", FIXTURES.join(", "));
    fixtures_dir().join(format!("{}.component.wasm", name.replace('-', "_")))
}

/// The bytes of fixture `name`.
pub fn fixture_bytes(name: &str) -> Vec<u8> {
    let path = fixture(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
