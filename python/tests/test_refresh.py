"""``Plan.refresh`` / ``refresh_async`` from Python on the local stand-in, after the install ran on
a simulated node with ``BaselineOverride`` (as on AWS, that run records no compliance). The CLI's
refresh scenarios are Rust tests (cli/tests/it/refresh.rs; per backend: core/tests/it/refresh.rs).
"""

import asyncio
import json
from pathlib import Path

import boto3
import pytest

import ssmpatch

ROOT = Path(__file__).resolve().parents[2]
REGION = "ap-northeast-1"
NODE = "i-0123456789abcdef0"
SEED = ROOT / "examples/seed-monthly.toml"


def _control(url, path, body):
    import urllib.request

    req = urllib.request.Request(f"{url}{path}?region={REGION}", method="POST", data=json.dumps(body).encode())
    return json.loads(urllib.request.urlopen(req).read())


@pytest.fixture()
def applied(aws_env, tmp_path):
    """The seed plan with put-compliance-items, applied from Python, and one node."""
    url = aws_env
    boto3.client("s3", endpoint_url=url, region_name=REGION).create_bucket(
        Bucket="web-patching-artifacts", CreateBucketConfiguration={"LocationConstraint": REGION})
    _control(url, "/_ssmpatch/nodes", {"region": REGION, "nodes": [{
        "InstanceId": NODE, "OperatingSystem": "AMAZON_LINUX_2023", "Tags": {"Patch Group": "web"},
        "Installed": [{"Name": "openssl", "Arch": "x86_64", "Version": "3.0.7", "Release": "1.amzn2023", "Epoch": "1"}],
        "Available": [{"Name": "openssl", "Arch": "x86_64", "Version": "3.0.8", "Release": "1.amzn2023", "Epoch": "1",
                       "Classification": "Security", "Severity": "Critical", "ReleaseDate": "2026-01-01T00:00:00Z",
                       "CVEIds": ["CVE-2026-0001"], "FailInstall": True}]}]})
    # The node's instance profile may read the plan's overrides and write command output — what
    # `ssmpatch iam-policy PLAN --node` prints for this plan (without it the install cannot read its
    # override and fails, exit 162, as on AWS) — and write the by-hand command's output.
    bucket = "arn:aws:s3:::web-patching-artifacts"
    _control(url, "/_ssmpatch/node-roles", {"region": REGION, "policy": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"{bucket}/ssmpatch/overrides/web-monthly/*"},
        {"Effect": "Allow", "Action": "s3:PutObject",
         "Resource": [f"{bucket}/ssmpatch/output/web-monthly/*", f"{bucket}/by-hand/*"]},
        {"Effect": "Allow", "Action": "s3:GetEncryptionConfiguration", "Resource": bucket}]}})
    text = SEED.read_text()
    assert '[compliance]\nstrategy = "rescan"' in text
    path = tmp_path / "seed.toml"
    path.write_text(text.replace('[compliance]\nstrategy = "rescan"', '[compliance]\nstrategy = "put-compliance-items"'))
    plan = ssmpatch.Plan.load(path)
    plan.apply(endpoint_url=url)
    return url, plan, boto3.client("ssm", endpoint_url=url, region_name=REGION)


def _install_window(ssm):
    return next(w["WindowId"] for w in ssm.describe_maintenance_windows()["WindowIdentities"]
                if w["Name"] == "ssmpatch-web-monthly-install")


def _patch_items(ssm):
    items = ssm.list_compliance_items(ResourceIds=[NODE], ResourceTypes=["ManagedInstance"])["ComplianceItems"]
    return [i for i in items if i["ComplianceType"] == "Patch"]


def test_plan_refresh_after_an_install_window(applied):
    url, plan, ssm = applied
    _control(url, f"/_ssmpatch/windows/{_install_window(ssm)}/execute", {})
    assert _patch_items(ssm) == []
    lines = []
    report = plan.refresh(endpoint_url=url, progress=lines.append)
    assert [(n["operation"], n["result"]) for n in report["nodes"]] == [("install", "compliance-written")], report
    assert report["strategy"] == "put-compliance-items"
    # The lines `ssmpatch refresh` prints on stderr.
    assert lines[0] == "1 finished run(s), 1 node output(s) to read" and lines[-1] == "compliance written 1/1", lines
    items = ssm.list_compliance_items(ResourceIds=[NODE], ResourceTypes=["ManagedInstance"],
                                      Filters=[{"Key": "ComplianceType", "Values": ["Custom:ssmpatch"], "Type": "EQUAL"}])["ComplianceItems"]
    assert [(i["Id"], i["Details"]["PatchState"]) for i in items] == [("openssl.x86_64", "Failed")], items

    # The awaitable gives the same report (the upload is the same, so AWS ignores it: same hash).
    async def again():
        return await plan.refresh_async(endpoint_url=url)

    assert asyncio.run(again()) == report


def test_refresh_of_a_command_started_by_hand(applied):
    url, plan, ssm = applied
    window = _install_window(ssm)
    install = ssm.describe_maintenance_window_tasks(WindowId=window)["Tasks"][0]
    override = ssm.get_maintenance_window_task(WindowId=window, WindowTaskId=install["WindowTaskId"])[
        "TaskInvocationParameters"]["RunCommand"]["Parameters"]["BaselineOverride"][0]
    # An install started by hand with the plan's override, output to the plan's bucket under another prefix.
    cmd = ssm.send_command(DocumentName="AWS-RunPatchBaseline", InstanceIds=[NODE],
                           Parameters={"Operation": ["Install"], "BaselineOverride": [override]},
                           OutputS3BucketName="web-patching-artifacts", OutputS3KeyPrefix="by-hand")["Command"]
    assert _patch_items(ssm) == []
    report = plan.refresh(command_id=cmd["CommandId"], endpoint_url=url)
    assert [(n["operation"], n["execution_id"], n["result"]) for n in report["nodes"]] == [
        ("install", cmd["CommandId"], "compliance-written")], report
    # A command without override is refused with the reason.
    scan = ssm.send_command(DocumentName="AWS-RunPatchBaseline", InstanceIds=[NODE], Parameters={"Operation": ["Scan"]})
    with pytest.raises(ssmpatch.SsmpatchError, match="runs without BaselineOverride") as refused:
        plan.refresh(command_id=scan["Command"]["CommandId"], endpoint_url=url)
    assert type(refused.value) is ssmpatch.InvalidArgument, refused.value
