"""What the benchmark scripts (bench-*.py) share: the local AWS stand-in on a free port of
127.0.0.1, its control API, and a child process's wall time and CPU."""

import contextlib
import json
import os
import resource
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def control(url, path, method="GET", body=None):
    """One call of the stand-in's control API (`/_ssmpatch/...`): its JSON answer."""
    data = json.dumps(body).encode() if body is not None else None
    with urllib.request.urlopen(urllib.request.Request(url + path, method=method, data=data), timeout=3600) as r:
        return json.loads(r.read() or b"null")


@contextlib.contextmanager
def standin():
    """A stand-in of its own on a free port, stopped on the way out: its URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "ssmpatch_standin", "--port", str(port)],
                              env=dict(os.environ, PYTHONPATH=str(ROOT / "standin")),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(150):
            try:
                control(url, "/_ssmpatch/health")
                break
            except OSError:
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


def timed(cmd, env):
    """Run `cmd` from the repository: the finished process, its wall time, and its CPU (user and
    system of the child, RUSAGE_CHILDREN: the stand-in is not waited for, so it is not counted)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    out = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return out, wall, after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime
