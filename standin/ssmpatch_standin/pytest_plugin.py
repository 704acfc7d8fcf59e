"""The local AWS stand-in for pytest: every Python test of the project uses these fixtures (the
Rust tests use ``ssmpatch_test_support::standin``); no test starts a stand-in of its own.

Use from a conftest: ``from ssmpatch_standin.pytest_plugin import *`` (with ``standin/`` on
``sys.path``), or ``-p ssmpatch_standin.pytest_plugin``.

- ``standin_url`` (session): a private stand-in on a free port of 127.0.0.1, its log in a file
  (a pipe nobody reads fills up and blocks the server), stopped at the end; with
  ``SSMPATCH_STANDIN_TESTS_USE_RUNNING=1`` the server at ``AWS_ENDPOINT_URL`` instead.
- ``standin``: the same, reset before the test (resources, call log, faults, settings, quotas,
  tokens); after it, no request may have broken botocore's model.
- ``aws_env``: ``standin``, with the test credentials in the environment and no profile; returns
  the endpoint URL.
"""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

__all__ = ["control", "standin_url", "standin", "aws_env"]

_PACKAGE_ROOT = Path(__file__).resolve().parents[1]   # standin/


def control(endpoint, path, method="GET", body=None):
    """A control call (``path`` starts with ``/_ssmpatch/``); its JSON answer."""
    req = urllib.request.Request(endpoint + path, method=method,
                                 data=json.dumps(body).encode() if body is not None else None)
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read() or b"null")


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def standin_url(tmp_path_factory):
    if os.environ.get("SSMPATCH_STANDIN_TESTS_USE_RUNNING") == "1" and os.environ.get("AWS_ENDPOINT_URL"):
        yield os.environ["AWS_ENDPOINT_URL"].rstrip("/")
        return
    port = _free_port()
    env = dict(os.environ, PYTHONPATH=str(_PACKAGE_ROOT))
    log = tmp_path_factory.mktemp("stand-in") / "stderr.log"
    with open(log, "wb") as err:
        proc = subprocess.Popen([sys.executable, "-m", "ssmpatch_standin", "--port", str(port)], env=env,
                                stdout=subprocess.DEVNULL, stderr=err)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(url + "/_ssmpatch/health", timeout=1)
            break
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError("stand-in exited: " + log.read_text(errors="replace")[-2000:])
            time.sleep(0.1)
    else:
        proc.kill()
        raise RuntimeError("stand-in did not start: " + log.read_text(errors="replace")[-2000:])
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture()
def standin(standin_url):
    control(standin_url, "/_ssmpatch/reset", "POST", {})
    yield standin_url
    assert control(standin_url, "/_ssmpatch/violations") == [], "requests that botocore's model rejects"


@pytest.fixture()
def aws_env(standin, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    return standin
