"""One apply at a time per plan: ``apply``/``destroy`` raise ``LockedError`` (an ``AwsError``)
naming the holder while another process holds the plan's lease (a Parameter Store parameter), and
change nothing; ``lease_ttl`` is checked like the other keywords."""

import json
from datetime import datetime, timezone
from pathlib import Path

import boto3
import pytest

import ssmpatch

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PLAN = EXAMPLES / "seed-placed.toml"
REGION = "ap-northeast-1"
HOLDER = {"owner": "alice", "host": "build-7", "pid": 4242, "command": "apply",
          "acquired": "2026-01-01T00:00:00Z", "expires": "2999-01-01T00:00:00Z",
          "token": "0123456789abcdef0123456789abcdef"}


def test_apply_and_destroy_raise_locked_error_naming_the_holder(aws_env):
    ssm = boto3.client("ssm", endpoint_url=aws_env, region_name=REGION)
    boto3.client("s3", endpoint_url=aws_env, region_name=REGION).create_bucket(
        Bucket="web-patching-artifacts", CreateBucketConfiguration={"LocationConstraint": REGION})
    name = "/lease/ssmpatch/web-monthly-placed"
    ssm.put_parameter(Name=name, Value=json.dumps(HOLDER), Type="String")
    session = ssmpatch.Session(ssmpatch.Plan.load(PLAN), endpoint_url=aws_env, lease_ttl=30)
    for call in (session.apply, session.destroy):
        with pytest.raises(ssmpatch.LockedError) as e:
            call()
        err = e.value
        assert isinstance(err, ssmpatch.AwsError)
        assert err.holder == "alice on build-7 (pid 4242, apply)"
        assert err.parameter == name and err.plan == "web-monthly-placed"
        assert err.expires == datetime(2999, 1, 1, tzinfo=timezone.utc) and err.age > 0 and err.race is False
        assert "is locked" in str(err) and "takes it over by itself" in err.hint
    assert ssm.describe_maintenance_windows()["WindowIdentities"] == []
    # plan is read-only and takes no lease.
    assert session.plan()["changes"]
    ssm.delete_parameter(Name=name)
    assert session.apply()["report"]["done"]
    with pytest.raises(ssm.exceptions.ParameterNotFound):
        ssm.get_parameter(Name=name)   # released at the end


@pytest.mark.parametrize("ttl", [0, 4.9, 86401, float("nan")])
def test_lease_ttl_is_checked(ttl):
    with pytest.raises(ssmpatch.InvalidArgument, match="lease_ttl"):
        ssmpatch.Session(ssmpatch.Plan.load(PLAN), lease_ttl=ttl)
