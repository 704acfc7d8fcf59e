"""``Session.status`` / ``status_async`` from Python on the local stand-in: the seed plan on
maintenance windows with a node in each verdict its install can have (the same fleet as
core/tests/it/status.rs, built here through the stand-in's control API and boto3)."""

import asyncio
import json
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path

import boto3
import pytest

import ssmpatch

ROOT = Path(__file__).resolve().parents[2]
REGION = "ap-northeast-1"
SEED = ROOT / "examples/seed-monthly.toml"

A, B, C, D, E, F, G = (
    "i-0000000000000a0a1", "i-0000000000000a0b1", "i-0000000000000a0c1", "i-0000000000000a0d1",
    "i-0000000000000a0e1", "i-0000000000000a0f1", "i-0000000000000a0a7",
)


def _control(url, path, body=None, method="POST"):
    sep = "&" if "?" in path else "?"
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"{url}{path}{sep}region={REGION}", method=method, data=data)
    return json.loads(urllib.request.urlopen(req).read() or b"null")


def _node(instance_id, fail=False):
    return {
        "InstanceId": instance_id, "OperatingSystem": "AMAZON_LINUX_2023", "Tags": {"Patch Group": "web"},
        "Installed": [{"Name": "openssl", "Arch": "x86_64", "Version": "3.0.7", "Release": "1.amzn2023", "Epoch": "1"}],
        "Available": [{"Name": "openssl", "Arch": "x86_64", "Version": "3.0.8", "Release": "1.amzn2023", "Epoch": "1",
                       "Classification": "Security", "Severity": "Critical", "ReleaseDate": "2026-01-01T00:00:00Z",
                       "FailInstall": fail}]}


@pytest.fixture()
def fleet(aws_env):
    """The seed plan applied from Python; A-G registered; the install window run with D left out
    of it and B out of its rescan, F's agent offline before it; then G deregistered and C scanned
    by someone else (another access key)."""
    url = aws_env
    boto3.client("s3", endpoint_url=url, region_name=REGION).create_bucket(
        Bucket="web-patching-artifacts", CreateBucketConfiguration={"LocationConstraint": REGION})
    _control(url, "/_ssmpatch/nodes", {"region": REGION, "nodes": [_node(n, fail=n == E) for n in (A, B, C, D, E, F, G)]})
    bucket = "arn:aws:s3:::web-patching-artifacts"
    _control(url, "/_ssmpatch/node-roles", {"region": REGION, "policy": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"{bucket}/ssmpatch/overrides/web-monthly/*"},
        {"Effect": "Allow", "Action": "s3:PutObject", "Resource": f"{bucket}/ssmpatch/output/web-monthly/*"},
        {"Effect": "Allow", "Action": "s3:GetEncryptionConfiguration", "Resource": bucket}]}})
    session = ssmpatch.Session(ssmpatch.Plan.load(SEED), endpoint_url=url)
    session.apply()
    ssm = boto3.client("ssm", endpoint_url=url, region_name=REGION)
    install = next(w["WindowId"] for w in ssm.describe_maintenance_windows()["WindowIdentities"]
                   if w["Name"] == "ssmpatch-web-monthly-install")
    tasks = ssm.describe_maintenance_window_tasks(WindowId=install)["Tasks"]
    rescan = next(t["WindowTaskId"] for t in tasks if "rescan" in t.get("Name", ""))
    _control(url, f"/_ssmpatch/nodes/{F}/agent", {"PingStatus": "ConnectionLost"})
    _control(url, f"/_ssmpatch/windows/{install}/execute", {"exclude": [D], "exclude_tasks": {rescan: [B]}})
    _control(url, f"/_ssmpatch/nodes/{G}", method="DELETE")
    other = boto3.client("ssm", endpoint_url=url, region_name=REGION,
                         aws_access_key_id="other", aws_secret_access_key="other")
    foreign = other.send_command(DocumentName="AWS-RunPatchBaseline", InstanceIds=[C],
                                 Parameters={"Operation": ["Scan"]}, Comment="nightly")["Command"]["CommandId"]
    return url, session, install, foreign


def _install(report):
    return {n["instance_id"]: n for n in report["nodes"] if n["operation"] == "install"}


def test_status_names_each_nodes_verdict_with_its_evidence(fleet):
    url, session, install, foreign = fleet
    lines = []
    report = session.status(progress=lines.append)
    nodes = _install(report)
    assert {n: v["verdict"] for n, v in nodes.items()} == {
        A: "current", B: "stale", C: "overwritten", D: "missed", E: "failed", F: "unreachable", G: "unreachable",
    }, report
    assert nodes[C]["evidence"]["later_scan"]["command_id"] == foreign
    assert nodes[C]["evidence"]["later_scan"]["comment"] == "nightly"
    assert nodes[E]["reason"].startswith("exit 1"), nodes[E]["reason"]
    assert "not delivered" in nodes[F]["reason"], nodes[F]["reason"]
    assert nodes[G]["reason"].startswith("not a managed node now"), nodes[G]["reason"]
    assert "agent" not in nodes[G]["evidence"]
    # Instants are timezone-aware datetimes; every verdict count is there.
    assert isinstance(report["at"], datetime) and report["at"].tzinfo is not None
    assert isinstance(nodes[A]["evidence"]["run"]["ended"], datetime)
    assert list(report["summary"]["verdicts"]) == [
        "failed", "unreachable", "missed", "overwritten", "stale", "unknown", "current"]
    assert report["summary"]["by_operation"]["install"] == {
        "failed": 1, "unreachable": 2, "missed": 1, "overwritten": 1, "stale": 1, "unknown": 0, "current": 1}
    assert report["summary"]["oldest_stale"]["instance_id"] == B
    assert lines and all(isinstance(line, str) for line in lines)

    # One operation; the same through the coroutine.
    only = asyncio.run(session.status_async(operation="install"))
    assert {n["operation"] for n in only["nodes"]} == {"install"}
    assert {n: v["verdict"] for n, v in _install(only).items()} == {n: v["verdict"] for n, v in nodes.items()}

    # A run in progress: A's install is unknown until it ends.
    _control(url, f"/_ssmpatch/windows/{install}/execute", {"in_progress": True})
    a = _install(session.status(operation="install"))[A]
    assert a["verdict"] == "unknown" and "in progress" in a["reason"], a


def test_status_refuses_bad_arguments(fleet):
    _, session, _, _ = fleet
    with pytest.raises(ssmpatch.InvalidArgument, match="timezone-aware"):
        session.status(at=datetime(2026, 12, 1))
    with pytest.raises(ssmpatch.SsmpatchError, match="no operation `nope`"):
        session.status(operation="nope")
    # `at` takes an aware datetime and is reported to the second.
    at = datetime(2026, 12, 31, 12, 0, 0, 500000, tzinfo=timezone(timedelta(hours=9)))
    assert session.status(at=at)["at"] == datetime(2026, 12, 31, 3, 0, tzinfo=timezone.utc)
