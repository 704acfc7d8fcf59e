"""Plan.plan/apply/destroy (and their async variants) against the local AWS stand-in."""

import asyncio
from pathlib import Path

import boto3
import pytest

import ssmpatch

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
REGION = "ap-northeast-1"


def _bucket(url):
    s3 = boto3.client("s3", endpoint_url=url, region_name=REGION)
    s3.create_bucket(Bucket="web-patching-artifacts", CreateBucketConfiguration={"LocationConstraint": REGION})
    return s3


def test_apply_is_idempotent_and_destroy_cleans_up(aws_env):
    s3 = _bucket(aws_env)
    plan = ssmpatch.Plan.load(EXAMPLES / "seed-placed.toml")
    diff = plan.plan(endpoint_url=aws_env)
    assert diff["backend"] == "maintenance-window"
    assert {c["action"] for c in diff["changes"]} == {"create"}
    out = plan.apply(endpoint_url=aws_env)
    assert out["report"].get("error") is None
    assert len(out["report"]["done"]) == len(diff["changes"])
    again = plan.apply(endpoint_url=aws_env)
    assert again["report"]["done"] == []
    assert {c["action"] for c in again["diff"]["changes"]} == {"unchanged"}

    # What was created, read back with boto3 — not with ssmpatch.
    ssm = boto3.client("ssm", endpoint_url=aws_env, region_name=REGION)
    windows = {w["Name"]: w for w in ssm.describe_maintenance_windows()["WindowIdentities"]}
    install = windows["ssmpatch-web-monthly-placed-install"]
    assert (install["Schedule"], install["ScheduleTimezone"], install["Duration"]) == ("cron(0 3 ? * SUNL *)", "Asia/Tokyo", 4)
    scans = [n for n in windows if "-scan-at-" in n]
    assert len(scans) == 2 and all(windows[n]["Schedule"].startswith("at(") for n in scans)
    task = ssm.describe_maintenance_window_tasks(WindowId=windows[scans[0]]["WindowId"])["Tasks"][0]
    full = ssm.get_maintenance_window_task(WindowId=windows[scans[0]]["WindowId"], WindowTaskId=task["WindowTaskId"])
    url = full["TaskInvocationParameters"]["RunCommand"]["Parameters"]["BaselineOverride"][0]
    assert url.startswith("s3://web-patching-artifacts/ssmpatch/overrides/web-monthly-placed/scan/")
    key = url.split("/", 3)[3]
    head = s3.head_object(Bucket="web-patching-artifacts", Key=key)
    assert head["ServerSideEncryption"] == "AES256"
    # Private: the owner's grant only, no public or authenticated-users grant.
    grants = s3.get_object_acl(Bucket="web-patching-artifacts", Key=key)["Grants"]
    assert all(g["Grantee"].get("Type") == "CanonicalUser" for g in grants), grants
    import json
    doc = json.loads(s3.get_object(Bucket="web-patching-artifacts", Key=key)["Body"].read())
    assert doc[0]["ApprovalRules"]["PatchRules"][0]["ApproveAfterDays"] == 14
    itask = ssm.describe_maintenance_window_tasks(WindowId=install["WindowId"])["Tasks"][0]
    ifull = ssm.get_maintenance_window_task(WindowId=install["WindowId"], WindowTaskId=itask["WindowTaskId"])
    assert "BaselineOverride" not in ifull["TaskInvocationParameters"]["RunCommand"]["Parameters"]

    gone = plan.destroy(endpoint_url=aws_env)
    assert {d["action"] for d in gone["report"]["done"]} == {"delete"}
    assert [n for n in (w["Name"] for w in ssm.describe_maintenance_windows()["WindowIdentities"]) if n.startswith("ssmpatch-")] == []
    assert s3.list_objects_v2(Bucket="web-patching-artifacts").get("KeyCount") == 0


def test_async_variants(aws_env):
    _bucket(aws_env)
    plan = ssmpatch.Plan.load(EXAMPLES / "seed-placed.toml")

    async def run():
        d = await plan.plan_async(endpoint_url=aws_env)
        a = await plan.apply_async(endpoint_url=aws_env)
        z = await plan.destroy_async(endpoint_url=aws_env)
        return d, a, z

    d, a, z = asyncio.run(run())
    assert len(a["report"]["done"]) == len(d["changes"])
    assert len(z["report"]["done"]) > 0


def test_unreachable_endpoint_raises_aws_error(aws_env):
    plan = ssmpatch.Plan.load(EXAMPLES / "seed-placed.toml")
    with pytest.raises(ssmpatch.AwsError, match="could not reach|dispatch|connect"):
        plan.plan(endpoint_url="http://127.0.0.1:9")


def test_destroy_leaves_a_running_window_unless_forced(aws_env):
    from ssmpatch_standin.pytest_plugin import control

    _bucket(aws_env)
    plan = ssmpatch.Plan.load(EXAMPLES / "seed-placed.toml")
    plan.apply(endpoint_url=aws_env)
    ssm = boto3.client("ssm", endpoint_url=aws_env, region_name=REGION)
    install = next(w for w in ssm.describe_maintenance_windows()["WindowIdentities"]
                   if w["Name"] == "ssmpatch-web-monthly-placed-install")
    control(aws_env, f"/_ssmpatch/windows/{install['WindowId']}/execute?region={REGION}", "POST", {"in_progress": True})
    with pytest.raises(ssmpatch.AwsError, match="would be deleted while running") as e:
        plan.destroy(endpoint_url=aws_env)
    report = e.value.report["report"]
    assert report["done"] == [] and "--force" in report["hint"]
    assert len(ssm.describe_maintenance_windows()["WindowIdentities"]) == 3, "nothing was deleted"
    plan.destroy(endpoint_url=aws_env, force=True)
    assert ssm.describe_maintenance_windows()["WindowIdentities"] == []
