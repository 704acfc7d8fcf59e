#!/usr/bin/env bash
# Run the stand-in's own test suite (standin/tests, pytest + boto3).
#   scripts/standin-test.sh [PYTEST ARGS]
# Installs the pinned requirements into ${SSMPATCH_VENV:-.venv} when needed (scripts/standin.sh install).
# Each test session starts a private stand-in on a free 127.0.0.1 port; set
# SSMPATCH_STANDIN_TESTS_USE_RUNNING=1 to use the running one at AWS_ENDPOINT_URL instead
# (scripts/standin.sh start && eval "$(scripts/standin.sh env)"); it is reset between tests.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${SSMPATCH_VENV:-$root/.venv}"
case "$venv" in /*) ;; *) venv="$root/$venv" ;; esac
"$root/scripts/standin.sh" install
cd "$root"
PYTHONPATH="$root/standin${PYTHONPATH:+:$PYTHONPATH}" exec "$venv/bin/python" -m pytest -q standin/tests "$@"
