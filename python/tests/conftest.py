"""A private local AWS stand-in for the live tests (127.0.0.1, a free port)."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def stand_in(tmp_path_factory):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, PYTHONPATH=str(ROOT / "standin"))
    # Its log goes to a file: a pipe nobody reads fills up (64 KiB of request lines) and then
    # blocks the server in the middle of a response.
    log = tmp_path_factory.mktemp("stand-in") / "stderr.log"
    with open(log, "wb") as err:
        proc = subprocess.Popen([sys.executable, "-m", "ssmpatch_standin", "--port", str(port)], env=env,
                                stdout=subprocess.DEVNULL, stderr=err)
    url = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            urllib.request.urlopen(url + "/_ssmpatch/health", timeout=1)
            break
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError("stand-in exited: " + log.read_text(errors="replace")[-2000:])
            time.sleep(0.1)
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture()
def aws_env(stand_in, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    urllib.request.urlopen(urllib.request.Request(stand_in + "/moto-api/reset", method="POST"))
    return stand_in
