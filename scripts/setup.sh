#!/usr/bin/env bash
# Prepare a fresh machine for building and testing ssmpatch. Idempotent; safe to re-run.
#   - the pinned Rust toolchain (rust-toolchain.toml) and the wasm32-wasip2 target;
#   - the Python virtualenv ${SSMPATCH_VENV:-.venv} with maturin/pytest and the ssmpatch package;
#   - the local AWS stand-in's dependencies (moto server + our extension), when present.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

step() { printf '\n==> %s\n' "$*" >&2; }

step "Rust toolchain and the wasm32 targets (strategy components)"
command -v rustup >/dev/null || { echo "setup: rustup not found; install Rust from https://rustup.rs" >&2; exit 1; }
rustup show active-toolchain >/dev/null   # installs the pinned toolchain if missing
rustup target add wasm32-wasip2 wasm32-unknown-unknown >&2

step "Python package (maturin develop into ${SSMPATCH_VENV:-.venv})"
scripts/python-dev.sh

if [[ -f standin/requirements.txt ]]; then
    step "Local AWS stand-in dependencies (standin/requirements.txt)"
    "${SSMPATCH_VENV:-.venv}/bin/python" -m pip install --quiet --disable-pip-version-check -r standin/requirements.txt
fi
echo "setup: done" >&2
