#!/usr/bin/env bash
# The local AWS stand-in (moto server + ssmpatch_standin) on 127.0.0.1.
#   scripts/standin.sh start|stop|status|env|install
# Port: SSMPATCH_STANDIN_PORT (default 5599). Venv: SSMPATCH_VENV (default .venv).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${SSMPATCH_VENV:-$root/.venv}"
case "$venv" in /*) ;; *) venv="$root/$venv" ;; esac
port="${SSMPATCH_STANDIN_PORT:-5599}"
state="$root/.standin"
url="http://127.0.0.1:$port"

install() {
    if [[ ! -x "$venv/bin/python" ]]; then
        echo "standin: creating virtualenv $venv" >&2
        python3 -m venv "$venv" || { echo "standin: 'python3 -m venv' failed; on Debian/Ubuntu install python3-venv" >&2; exit 1; }
    fi
    local req="$root/standin/requirements.txt" stamp="$venv/.ssmpatch-standin.stamp"
    if [[ ! -f "$stamp" ]] || ! cmp -s "$req" "$stamp"; then
        echo "standin: installing $(grep -v '^#' "$req" | tr '\n' ' ')" >&2
        "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req"
        cp "$req" "$stamp"
    fi
}

healthy() { "$venv/bin/python" - "$url" <<'PY' 2>/dev/null
import sys, urllib.request
urllib.request.urlopen(sys.argv[1] + "/_ssmpatch/health", timeout=1).read()
PY
}

start() {
    install
    mkdir -p "$state"
    if [[ -f "$state/pid" ]] && kill -0 "$(cat "$state/pid")" 2>/dev/null && healthy; then
        echo "standin: already running on $url (pid $(cat "$state/pid"))" >&2
        return 0
    fi
    PYTHONPATH="$root/standin${PYTHONPATH:+:$PYTHONPATH}" nohup "$venv/bin/python" -m ssmpatch_standin --port "$port" \
        >"$state/log" 2>&1 &
    echo $! >"$state/pid"
    for _ in $(seq 1 100); do
        if healthy; then
            echo "standin: listening on $url (pid $(cat "$state/pid"), log $state/log)" >&2
            return 0
        fi
        if ! kill -0 "$(cat "$state/pid")" 2>/dev/null; then break; fi
        sleep 0.2
    done
    echo "standin: did not answer on $url within 20 s; last lines of $state/log:" >&2
    tail -n 20 "$state/log" >&2 || true
    kill "$(cat "$state/pid")" 2>/dev/null || true
    rm -f "$state/pid"
    return 1
}

stop() {
    if [[ -f "$state/pid" ]]; then
        local pid
        pid="$(cat "$state/pid")"
        if kill "$pid" 2>/dev/null; then
            for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
        fi
        rm -f "$state/pid"
        echo "standin: stopped" >&2
    else
        echo "standin: not running (no $state/pid)" >&2
    fi
}

case "${1:-}" in
    install) install ;;
    start) start ;;
    stop) stop ;;
    status)
        if [[ -x "$venv/bin/python" ]] && healthy; then
            echo "running on $url${state:+ (pid $(cat "$state/pid" 2>/dev/null || echo '?'))}"
        else
            echo "not running on $url"; exit 1
        fi ;;
    env)
        cat <<ENV
export AWS_ENDPOINT_URL=$url
export AWS_ACCESS_KEY_ID=testing
export AWS_SECRET_ACCESS_KEY=testing
export AWS_REGION=us-east-1
export AWS_DEFAULT_REGION=us-east-1
export AWS_EC2_METADATA_DISABLED=true
ENV
        ;;
    *) echo "usage: scripts/standin.sh start|stop|status|env|install" >&2; exit 2 ;;
esac
