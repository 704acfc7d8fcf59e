#!/usr/bin/env bash
# Prepare a fresh machine for building and testing ssmpatch. Idempotent; safe to re-run.
#   - the pinned Rust toolchain (rust-toolchain.toml) and the wasm32 targets (the strategy components
#     and test fixtures; the Python package and the CLI need neither);
#   - the Python virtualenv ${SSMPATCH_VENV:-.venv} with maturin/pytest and the ssmpatch package
#     (maturin develop, scripts/python-dev.sh);
#   - the local AWS stand-in's dependencies (moto server + our extension), when present;
#   - headless Chromium (Debian's package `chromium`) for the HTML report's test, when missing and
#     apt-get exists: as root, else with `sudo -n` when that needs no password, else it prints how
#     and goes on (the test then skips, or fails with CI=true). SSMPATCH_SKIP_CHROMIUM=1 skips this.
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
# Headless Chromium for the HTML report's test (Debian's package; about 25 s and 260 MB when
# installed with --no-install-recommends, measured on Debian 12). A failure is reported, not fatal:
# the test skips without Chromium, and fails with CI=true, which says why.
chromium_howto() {
    echo "setup: install it with: sudo apt-get update && sudo apt-get install -y --no-install-recommends chromium" >&2
    echo "setup: (or set SSMPATCH_CHROMIUM to a Chromium binary; the HTML report's test skips without one, and fails with CI=true)" >&2
}
if [[ "${SSMPATCH_SKIP_CHROMIUM:-}" == 1 ]]; then
    step "Headless Chromium: skipped (SSMPATCH_SKIP_CHROMIUM=1)"
elif command -v chromium >/dev/null || command -v chromium-browser >/dev/null; then
    step "Headless Chromium: $(command -v chromium || command -v chromium-browser)"
elif ! command -v apt-get >/dev/null; then
    step "Headless Chromium: missing, and this system has no apt-get"
    chromium_howto
else
    step "Headless Chromium (apt-get install chromium)"
    sudo_=()
    if [[ "$(id -u)" != 0 ]]; then
        if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo_=(sudo -n); else sudo_=(none); fi
    fi
    if [[ "${sudo_[*]}" == none ]]; then
        echo "setup: chromium is missing and installing it needs root (sudo asks for a password)" >&2
        chromium_howto
    # A fresh container may have no package lists: on failure, update them and try once more.
    # (through env: sudo drops DEBIAN_FRONTEND from the environment)
    elif apt=("${sudo_[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q) \
        && ! { "${apt[@]}" install -y --no-install-recommends chromium >&2 \
            || { "${apt[@]}" update >&2 && "${apt[@]}" install -y --no-install-recommends chromium >&2; }; }; then
        echo "setup: apt-get could not install chromium (see above)" >&2
        chromium_howto
    else
        chromium --version >&2
    fi
fi
echo "setup: done" >&2
