#!/usr/bin/env bash
# Prepare a fresh machine for building and testing ssmpatch. Idempotent; safe to re-run.
#   - the pinned Rust toolchain (rust-toolchain.toml) and the wasm32 targets (the strategy components
#     and test fixtures; the Python package and the CLI need neither);
#   - the Python virtualenv ${SSMPATCH_VENV:-.venv} with maturin/pytest and the ssmpatch package
#     (maturin develop, scripts/python-dev.sh);
#   - the local AWS stand-in's dependencies (moto server + our extension), when present.
#
#   scripts/setup.sh                        all of the above
#   scripts/setup.sh --no-python-package    the virtualenv without building ssmpatch into it (CI: it tests
#                                           the built wheel in fresh virtualenvs instead, scripts/test-wheel.sh)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

package=1
for arg in "$@"; do
    case "$arg" in
        --no-python-package) package=0 ;;
        *) echo "setup: unknown argument '$arg' (--no-python-package is the one option)" >&2; exit 2 ;;
    esac
done
venv="${SSMPATCH_VENV:-$root/.venv}"

step() { printf '\n==> %s\n' "$*" >&2; }

step "Rust toolchain and the wasm32 targets (strategy components)"
command -v rustup >/dev/null || { echo "setup: rustup not found; install Rust from https://rustup.rs" >&2; exit 1; }
rustup show active-toolchain >/dev/null   # installs the pinned toolchain if missing
rustup target add wasm32-wasip2 wasm32-unknown-unknown >&2

if [[ "$package" == 1 ]]; then
    step "Python package (maturin develop into $venv)"
    scripts/python-dev.sh
elif [[ ! -x "$venv/bin/python" ]]; then
    step "Python virtualenv $venv (without the ssmpatch package)"
    python3 -m venv "$venv"
fi

if [[ -f standin/requirements.txt ]]; then
    step "Local AWS stand-in dependencies (standin/requirements.txt)"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r standin/requirements.txt
fi
echo "setup: done" >&2
