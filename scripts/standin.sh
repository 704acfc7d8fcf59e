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
    [[ -x "$venv/bin/python" ]] || python3 -m venv "$venv"
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
    echo "standin: did not start; last lines of $state/log:" >&2
    tail -n 20 "$state/log" >&2 || true
    return 1
}

stop() {
    if [[ -f "$state/pid" ]]; then
        kill "$(cat "$state/pid")" 2>/dev/null || true
        rm -f "$state/pid"
        echo "standin: stopped" >&2
    fi
}

case "${1:-}" in
    install) install ;;
    start) start ;;
    stop) stop ;;
    status) if healthy; then echo "running on $url"; else echo "not running"; exit 1; fi ;;
    env)
        cat <<ENV
export AWS_ENDPOINT_URL=$url
export AWS_ACCESS_KEY_ID=testing
export AWS_SECRET_ACCESS_KEY=testing
export AWS_REGION=\${AWS_REGION:-ap-northeast-1}
export AWS_EC2_METADATA_DISABLED=true
ENV
        ;;
    *) echo "usage: scripts/standin.sh start|stop|status|env|install" >&2; exit 2 ;;
esac
