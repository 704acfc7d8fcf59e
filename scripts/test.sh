#!/usr/bin/env bash
# Every test of the project, as CI runs it (.ci/run calls this). From a fresh clone:
#   scripts/test.sh
# Steps: setup, formatting, the built-in strategies reproduced from source, clippy on every target incl. benchmarks (warnings are errors), Rust
# tests (unit, integration, doc, and the backend suites against the local AWS stand-in), the
# Python package as users get it (a wheel built from its sdist, installed in fresh virtualenvs of
# several Pythons, its tests run against that), and the stand-in's own tests.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
step() { printf '\n==> %s\n' "$*" >&2; }

# The Python package is not built into .venv (maturin develop): the Python step builds a wheel.
scripts/setup.sh --no-python-package

step "cargo fmt --check (and the strategy components)"
cargo fmt --all -- --check
rustfmt --check --edition 2024 --config max_width=120,use_small_heuristics=Max \
    wasm-policies/*/src/lib.rs wasm-policies/fixtures/*/src/lib.rs

step "The committed built-in strategies (core/strategies/*.wasm) rebuild byte for byte from a clone at another path"
scripts/build-strategies.sh --check

step "cargo clippy (all crates, all targets, -D warnings)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "cargo test (including the backend suites against the local AWS stand-in)"
export SSMPATCH_VENV="${SSMPATCH_VENV:-$root/.venv}"
cargo test --locked -- --include-ignored

step "The core without default features (no async runtime, wasmtime or AWS SDK) and a schedule-only consumer"
if cargo tree -p ssmpatch --no-default-features -e normal --prefix none --locked | grep -E '^(wasmtime|cranelift|wit-|tokio|aws-)'; then
    echo "test: ssmpatch with default-features = false depends on the crates above" >&2
    exit 1
fi
cargo clippy -p ssmpatch --no-default-features --all-targets --locked -- -D warnings
cargo test -p ssmpatch --no-default-features --locked
cargo run -p ssmpatch-schedule-only --locked -q

step "The crates package and the packaged crates build (ssmpatch; the strategy SDK with its WIT)"
cargo package -p ssmpatch --locked --allow-dirty
cargo package -p ssmpatch-strategy-sdk --manifest-path wasm-policies/Cargo.toml --locked --allow-dirty
cargo test -p ssmpatch-strategy-sdk --manifest-path wasm-policies/Cargo.toml --locked   # its helpers' unit tests

step "Python: the abi3 manylinux wheel (zig; built from the sdist, dev profile) and its tests in fresh virtualenvs"
# 3.11 and 3.13 run every test (the live ones on the stand-in), 3.9 the offline ones; pip install --no-index.
scripts/build-wheels.sh --profile dev --from-sdist >/dev/null
scripts/test-wheel.sh

if [[ -d standin/tests ]]; then
    step "Local AWS stand-in tests"
    "${SSMPATCH_VENV:-.venv}/bin/python" -m pytest -q standin/tests
fi
echo "test: all passed" >&2
