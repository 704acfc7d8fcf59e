#!/usr/bin/env bash
# Build the Python package into the project's virtualenv and (optionally) run its tests.
#
#   scripts/python-dev.sh            build + install `ssmpatch` into ${SSMPATCH_VENV:-.venv}
#   scripts/python-dev.sh test [ARGS] build, then run pytest on python/tests (ARGS go to pytest)
#
# Works on a fresh machine: creates the venv and installs pinned maturin/pytest when needed.
# This is the developer's loop (an editable install of python/ssmpatch); CI instead builds a wheel
# (scripts/build-wheels.sh) and tests it installed in fresh virtualenvs (scripts/test-wheel.sh).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${SSMPATCH_VENV:-$root/.venv}"
case "$venv" in /*) ;; *) venv="$root/$venv" ;; esac

if [[ ! -x "$venv/bin/python" ]]; then
    echo "python-dev: creating virtualenv $venv" >&2
    python3 -m venv "$venv"
fi
req="$root/python/requirements-dev.txt"
stamp="$venv/.ssmpatch-python-dev.stamp"
if [[ ! -f "$stamp" ]] || ! cmp -s "$req" "$stamp"; then
    echo "python-dev: installing $(grep -v '^#' "$req" | tr '\n' ' ')" >&2
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req"
    cp "$req" "$stamp"
fi

# A stable environment keeps pyo3 from rebuilding (its build script watches VIRTUAL_ENV).
export VIRTUAL_ENV="$venv"
export PATH="$venv/bin:$PATH"
unset CONDA_PREFIX
# The extension is built for the stable ABI (_native.abi3.so). A _native.cpython-*.so left by an older
# build would be imported before it (Python prefers the version-specific suffix): remove those.
shopt -s nullglob
for stale in "$root"/python/ssmpatch/_native.cpython-*.so; do
    echo "python-dev: removing ${stale#"$root"/}, which would shadow _native.abi3.so" >&2
    rm -f "$stale"
done
shopt -u nullglob
echo "python-dev: building the native module (maturin develop)" >&2
(cd "$root/python" && maturin develop --quiet --manifest-path Cargo.toml) >&2

if [[ "${1:-}" == "test" ]]; then
    shift
    cd "$root/python"
    exec python -m pytest -q "$@"
fi
