"""Calls that cannot hang, and a Python that exits cleanly.

- Every AWS call has a time limit (``connect_timeout``, ``attempt_timeout``, ``operation_timeout``
  on ``Session`` and every live function): an endpoint that accepts and never answers (a listener
  in the test itself) ends the call with ``AwsError`` naming the operation and the limit.
- Ctrl-C interrupts a blocking call (``KeyboardInterrupt``) while it waits for such an endpoint.
- ``asyncio.run(plan.plan_async())`` exits with 0, every time (it crashed at exit about 1 run in 7).

Outcomes only: no assertion on elapsed time (a subprocess's ``timeout`` only stops a hung run).
"""

import os
import re
import socket
import subprocess
import sys
import textwrap
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3
import pytest

import ssmpatch

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PLAN = EXAMPLES / "seed-placed.toml"
REGION = "ap-northeast-1"


class Silent:
    """A listener on 127.0.0.1 that accepts every connection, keeps it and never answers."""

    def __init__(self, backlog=64):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(backlog)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.held = []

    def serve(self):
        def loop():
            while True:
                try:
                    conn, _ = self.sock.accept()
                except OSError:
                    return
                self.held.append(conn)
        threading.Thread(target=loop, daemon=True).start()
        return self

    def close(self):
        for c in self.held:
            c.close()
        self.sock.close()


@pytest.fixture()
def silent():
    s = Silent().serve()
    yield s
    s.close()


@pytest.fixture()
def creds(monkeypatch, tmp_path):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)


def _aws_failure(err):
    """(service, operation, message) of an AwsError's first line."""
    m = re.match(r"(\S+) (\S+) failed: (.*)", str(err).splitlines()[0])
    assert m, str(err)
    return m.groups()


def test_a_session_call_to_an_endpoint_that_never_answers_ends_at_the_operation_timeout(creds, silent):
    session = ssmpatch.Session(ssmpatch.Plan.load(PLAN), endpoint_url=silent.url, operation_timeout=1.5)
    with pytest.raises(ssmpatch.AwsError) as e:
        session.plan()
    service, operation, message = _aws_failure(e.value)
    assert service in {"ssm", "s3", "sts", "iam", "ssm-quicksetup"} and operation[0].isupper(), str(e.value)
    assert message.startswith("timed out: no answer within 1.5s (the limit for the whole call with its retries"), message
    assert "operation_timeout" in message
    assert silent.held, "the call reached the listener"


def test_an_attempt_without_an_answer_is_retried_then_the_attempt_limit_is_named(creds, silent):
    plan = ssmpatch.Plan.load(PLAN)
    with pytest.raises(ssmpatch.AwsError) as e:
        plan.plan(endpoint_url=silent.url, attempt_timeout=0.5, operation_timeout=3600)
    _, _, message = _aws_failure(e.value)
    assert message.startswith("timed out: the last attempt got no answer within 500ms"), message
    assert "attempt_timeout" in message
    assert len(silent.held) >= 2, "a timed-out attempt is retried"


def test_the_async_variant_times_out_too(creds, silent):
    import asyncio

    plan = ssmpatch.Plan.load(PLAN)

    async def main():
        return await plan.plan_async(endpoint_url=silent.url, operation_timeout=1)

    with pytest.raises(ssmpatch.AwsError, match=r"timed out: no answer within 1s"):
        asyncio.run(main())


def test_a_connect_that_never_completes_ends_at_the_connect_timeout(creds):
    # A listener that never accepts, its queue full: the kernel drops further connection attempts.
    listener = Silent(backlog=0)
    filler = []
    try:
        while True:
            c = socket.socket()
            c.settimeout(0.2)
            try:
                c.connect(listener.sock.getsockname())
                filler.append(c)
            except socket.timeout:
                c.close()
                break
        with pytest.raises(ssmpatch.AwsError) as e:
            ssmpatch.Plan.load(PLAN).plan(endpoint_url=listener.url, connect_timeout=0.5, operation_timeout=3600)
        _, _, message = _aws_failure(e.value)
        assert message.startswith("timed out: could not connect to the endpoint within 500ms"), message
        assert "connect_timeout" in message
    finally:
        for c in filler:
            c.close()
        listener.close()


@pytest.mark.parametrize("keyword, value", [
    ("connect_timeout", 0), ("attempt_timeout", -1), ("operation_timeout", float("nan")),
    ("operation_timeout", 3601), ("region", ""), ("region", "Tokyo"), ("endpoint_url", "ftp://x"),
    ("endpoint_url", "http://127.0.0.1:99999"),
])
def test_settings_are_checked_before_any_call(creds, keyword, value):
    plan = ssmpatch.Plan.load(PLAN)
    with pytest.raises(ssmpatch.InvalidArgument):
        ssmpatch.Session(plan, **{keyword: value})
    with pytest.raises(ssmpatch.InvalidArgument):
        plan.plan(**{keyword: value})


def test_a_malformed_aws_endpoint_url_is_refused_before_any_call(creds, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "not a url")
    with pytest.raises(ssmpatch.InvalidArgument, match="AWS_ENDPOINT_URL"):
        ssmpatch.Plan.load(PLAN).plan()


INTERRUPT = textwrap.dedent("""
    import _thread, os, signal, socket, sys, threading
    import ssmpatch

    how = sys.argv[2]
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held = []

    def serve():
        first = True
        while True:
            conn, _ = listener.accept()
            held.append(conn)
            if first:   # the call is waiting for its answer now: Ctrl-C
                first = False
                if how == "sigint":
                    os.kill(os.getpid(), signal.SIGINT)
                else:
                    _thread.interrupt_main()

    threading.Thread(target=serve, daemon=True).start()
    plan = ssmpatch.Plan.load(sys.argv[1])
    try:
        plan.plan(endpoint_url=f"http://127.0.0.1:{listener.getsockname()[1]}",
                  attempt_timeout=3600, operation_timeout=3600)
    except KeyboardInterrupt:
        print("interrupted")
        sys.exit(0)
    print("the call returned")
    sys.exit(1)
""")


@pytest.mark.parametrize("how", ["sigint", "interrupt_main"])
def test_ctrl_c_interrupts_a_blocking_call(creds, how):
    out = subprocess.run([sys.executable, "-c", INTERRUPT, str(PLAN), how], capture_output=True, text=True,
                         timeout=120)
    assert (out.returncode, out.stdout) == (0, "interrupted\n"), out.stderr[-2000:]


ASYNC = textwrap.dedent("""
    import asyncio, sys
    import ssmpatch

    plan = ssmpatch.Plan.load(sys.argv[1])

    async def main():
        return await plan.plan_async(endpoint_url=sys.argv[2])

    diff = asyncio.run(main())
    print(len(diff["changes"]))
""")


def test_python_exits_cleanly_after_an_async_call_every_time(aws_env):
    s3 = boto3.client("s3", endpoint_url=aws_env, region_name=REGION)
    s3.create_bucket(Bucket="web-patching-artifacts", CreateBucketConfiguration={"LocationConstraint": REGION})

    def run(_):
        return subprocess.run([sys.executable, "-c", ASYNC, str(PLAN), aws_env], capture_output=True, text=True,
                              timeout=300, env=dict(os.environ))

    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = list(pool.map(run, range(50)))
    failed = [(r.returncode, r.stderr[-500:]) for r in runs if r.returncode != 0]
    assert failed == [], f"{len(failed)} of 50 runs failed: {failed[:3]}"
    assert all(r.stdout.strip().isdigit() and int(r.stdout) > 0 for r in runs), "every run did the work"
