"""Start a private stand-in on a free 127.0.0.1 port for the tests."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import boto3
import pytest

ROOT = Path(__file__).resolve().parents[1]


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def endpoint(tmp_path_factory):
    # SSMPATCH_STANDIN_TESTS_USE_RUNNING=1 runs the suite against the server at AWS_ENDPOINT_URL (it is
    # reset between tests); by default each session starts a private server on a free port.
    if os.environ.get("SSMPATCH_STANDIN_TESTS_USE_RUNNING") == "1" and os.environ.get("AWS_ENDPOINT_URL"):
        yield os.environ["AWS_ENDPOINT_URL"].rstrip("/")
        return
    port = _free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    # Its log goes to a file: a pipe nobody reads fills up and then blocks the server.
    log = tmp_path_factory.mktemp("stand-in") / "stderr.log"
    with open(log, "wb") as err:
        proc = subprocess.Popen([sys.executable, "-m", "ssmpatch_standin", "--port", str(port)], env=env,
                                stdout=subprocess.DEVNULL, stderr=err)
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(url + "/_ssmpatch/health", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    else:
        proc.kill()
        raise RuntimeError("stand-in did not start: " + log.read_text(errors="replace")[-2000:])
    yield url
    proc.terminate()
    proc.wait(timeout=10)


def control(endpoint, path, method="GET", body=None):
    req = urllib.request.Request(endpoint + path, method=method,
                                 data=json.dumps(body).encode() if body is not None else None)
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read() or b"null")


@pytest.fixture()
def clean(endpoint):
    control(endpoint, "/_ssmpatch/reset", "POST", {})
    yield endpoint
    assert control(endpoint, "/_ssmpatch/violations") == [], "requests that botocore's model rejects"


@pytest.fixture()
def ssm(clean):
    return boto3.client("ssm", endpoint_url=clean, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


@pytest.fixture()
def s3(clean):
    from botocore.config import Config
    # moto on an IP endpoint needs path-style addressing (build-notes: "S3 needs path-style addressing").
    return boto3.client("s3", endpoint_url=clean, region_name="us-east-1", aws_access_key_id="testing",
                        aws_secret_access_key="testing", config=Config(s3={"addressing_style": "path"}))


@pytest.fixture()
def qs(clean):
    return boto3.client("ssm-quicksetup", endpoint_url=clean, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")
