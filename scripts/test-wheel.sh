#!/usr/bin/env bash
# Install a built wheel into fresh virtualenvs and run the Python tests against it (what CI does).
#
#   scripts/test-wheel.sh [--wheel PATH] [--python VERSION[:offline]]... [-- PYTEST ARGS]
#
# The wheel defaults to the one abi3 wheel in dist/ (scripts/build-wheels.sh makes it). Each
# interpreter gets a new virtualenv in a temporary directory, the wheel installed with
# `pip install --no-index` (no source tree, no editable install: the plugin
# scripts/pytest_installed_wheel.py stops the run if `import ssmpatch` finds anything but the
# installed package), and pytest runs python/tests from outside the source tree.
#
# Default interpreters: 3.11 and 3.13 run every test (the live ones start the local AWS stand-in,
# moto, with that interpreter: standin/requirements.txt is installed); 3.9 runs the offline tests
# (--offline-only: every test that does not use the stand-in; moto needs 3.10+). An interpreter is
# python3.X on PATH or pyenv's ${PYENV_ROOT:-~/.pyenv}/versions/3.X.*; one that is absent is skipped
# with a message saying so, but (with the default list) at least one interpreter must run every test;
# an interpreter named with --python must be there. The full runs also install the mypy pin of
# python/requirements-dev.txt (tests/test_typing.py: stubtest and mypy --strict on the examples);
# the offline run leaves test_typing out (that mypy needs 3.10+; the full runs type-check).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

wheel=""
pythons=()
pytest_args=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --wheel) wheel="${2:?--wheel needs a path}"; shift 2 ;;
        --python) pythons+=("${2:?--python needs a version such as 3.13 or 3.9:offline}"); shift 2 ;;
        --) shift; pytest_args=("$@"); break ;;
        -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
        *) echo "test-wheel: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done
defaults=0
[[ ${#pythons[@]} -gt 0 ]] || { pythons=(3.11 3.13 3.9:offline); defaults=1; }

if [[ -z "$wheel" ]]; then
    shopt -s nullglob
    found=("$root"/dist/ssmpatch-*-cp39-abi3-*.whl)
    shopt -u nullglob
    if [[ ${#found[@]} -ne 1 ]]; then
        echo "test-wheel: expected one abi3 wheel in dist/, found ${#found[@]}; build it with scripts/build-wheels.sh or pass --wheel" >&2
        exit 1
    fi
    wheel="${found[0]}"
fi
[[ -f "$wheel" ]] || { echo "test-wheel: no wheel at $wheel" >&2; exit 1; }
case "$wheel" in /*) ;; *) wheel="$PWD/$wheel" ;; esac

# The pins the rest of the project uses.
pytest_pin="$(grep -E '^pytest==' python/requirements-dev.txt || true)"
[[ -n "$pytest_pin" ]] || { echo "test-wheel: python/requirements-dev.txt has no 'pytest==VERSION' line" >&2; exit 1; }
mypy_pin="$(grep -E '^mypy==' python/requirements-dev.txt || true)"
[[ -n "$mypy_pin" ]] || { echo "test-wheel: python/requirements-dev.txt has no 'mypy==VERSION' line" >&2; exit 1; }

# python3.X that really is 3.X (a pyenv shim for a version that is not selected fails to run).
find_python() {
    local version="$1" candidate
    local -a candidates=()
    candidate="$(command -v "python$version" 2>/dev/null || true)"
    [[ -n "$candidate" ]] && candidates+=("$candidate")
    shopt -s nullglob
    candidates+=("${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$version".*/bin/"python$version")
    shopt -u nullglob
    for candidate in "${candidates[@]}"; do
        if "$candidate" -c "import sys; sys.exit(0 if '%d.%d' % sys.version_info[:2] == '$version' else 1)" 2>/dev/null; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

work="$(mktemp -d "${TMPDIR:-/tmp}/ssmpatch-test-wheel.XXXXXX")"
trap 'rm -rf "$work"' EXIT
echo "test-wheel: $(basename "$wheel") ($(du -h "$wheel" | cut -f1))" >&2

summary=()
full_runs=0
status=0
for spec in "${pythons[@]}"; do
    version="${spec%%:*}"
    mode=all
    [[ "$spec" == *:offline ]] && mode=offline
    if ! py="$(find_python "$version")"; then
        msg="Python $version: SKIPPED, no interpreter (looked for python$version on PATH and ${PYENV_ROOT:-$HOME/.pyenv}/versions/$version.*)"
        echo "test-wheel: $msg" >&2
        summary+=("$msg")
        # One the caller asked for by name is required.
        [[ $defaults -eq 1 ]] || status=1
        continue
    fi
    venv="$work/py$version"
    printf '\n==> test-wheel: Python %s (%s), %s tests\n' "$version" "$py" "$mode" >&2
    "$py" -m venv "$venv"
    if [[ "$mode" == all ]]; then
        # The stand-in (moto, boto3) runs on this interpreter: the fixtures start it with sys.executable.
        "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r standin/requirements.txt "$pytest_pin" "$mypy_pin"
    else
        # boto3 only because test modules import it at the top; pip takes the newest that supports
        # this interpreter (the stand-in's pin needs 3.10+).
        "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$pytest_pin" boto3
    fi
    start=$(date +%s.%N)
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-index "$wheel"
    install_s="$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$start" "$(date +%s.%N)")"
    echo "test-wheel: pip install --no-index took ${install_s}s" >&2

    args=(-p pytest_installed_wheel -p no:cacheprovider -q)
    [[ "$mode" == offline ]] && args+=(--offline-only --ignore "$root/python/tests/test_typing.py")
    # From $work, so neither the current directory nor python/ is on sys.path: `import ssmpatch`
    # can only find the installed wheel (the plugin checks).
    set +e
    (cd "$work" && PYTHONPATH="$root/scripts" "$venv/bin/python" -m pytest "${args[@]}" "$root/python/tests" ${pytest_args[@]+"${pytest_args[@]}"})
    rc=$?
    set -e
    if [[ $rc -eq 0 ]]; then
        summary+=("Python $version: $mode tests passed (wheel installed in ${install_s}s)")
        [[ "$mode" == all ]] && full_runs=$((full_runs + 1))
    else
        summary+=("Python $version: $mode tests FAILED (pytest exit $rc)")
        status=1
    fi
done

printf '\n' >&2
for line in "${summary[@]}"; do echo "test-wheel: $line" >&2; done
if [[ $status -eq 0 && $full_runs -eq 0 && $defaults -eq 1 ]]; then
    echo "test-wheel: no interpreter ran the full suite (live tests included)" >&2
    status=1
fi
exit $status
