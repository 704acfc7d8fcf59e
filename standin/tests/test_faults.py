"""Fault rules (faults.py) and client tokens (idempotency.py), through boto3 with its retries."""

import time

import boto3
import botocore.exceptions
import pytest
from botocore.config import Config

from conftest import control


def _client(clean, **config):
    return boto3.client("ssm", endpoint_url=clean, region_name="us-east-1", aws_access_key_id="testing",
                        aws_secret_access_key="testing", config=Config(**config))


def _window(ssm, name="win", **extra):
    return ssm.create_maintenance_window(Name=name, Schedule="cron(0 3 ? * SUN *)", Duration=2, Cutoff=1,
                                         AllowUnassociatedTargets=False, **extra)["WindowId"]


def _names(calls, name):
    return [c for c in calls if c["name"] == name]


def test_applied_then_error_with_a_client_token_makes_one_window(ssm, clean):
    control(clean, "/_ssmpatch/faults", "POST",
            {"rules": [{"operation": "CreateMaintenanceWindow", "kind": "applied-then-error", "times": 1}]})
    _window(ssm)   # boto3 fills ClientToken and retries the 500 with the same token
    assert len(ssm.describe_maintenance_windows()["WindowIdentities"]) == 1
    assert len(_names(control(clean, "/_ssmpatch/calls"), "CreateMaintenanceWindow")) == 2


def test_applied_then_error_without_a_token_duplicates_an_association(ssm, clean):
    control(clean, "/_ssmpatch/faults", "POST",
            {"rules": [{"operation": "CreateAssociation", "kind": "applied-then-error", "times": 1}]})
    ssm.create_association(Name="AWS-RunPatchBaseline", AssociationName="assoc",
                           Targets=[{"Key": "tag:Patch Group", "Values": ["web"]}], ScheduleExpression="cron(0 2 ? * SUN *)",
                           Parameters={"Operation": ["Scan"]}, ApplyOnlyAtCronInterval=True)
    # AWS's CreateAssociation takes no token: the retry made a second association.
    assert len(ssm.list_associations()["Associations"]) == 2


def test_applied_then_drop_closes_the_connection_after_the_effect(clean):
    ssm = _client(clean, retries={"total_max_attempts": 1, "mode": "standard"})
    control(clean, "/_ssmpatch/faults", "POST",
            {"rules": [{"operation": "CreateMaintenanceWindow", "kind": "applied-then-drop", "times": 1}]})
    with pytest.raises(botocore.exceptions.ConnectionClosedError):
        _window(ssm, ClientToken="token-1")
    assert len(ssm.describe_maintenance_windows()["WindowIdentities"]) == 1   # it took effect
    _window(ssm, ClientToken="token-1")   # the retry with the same token: the same window
    assert len(ssm.describe_maintenance_windows()["WindowIdentities"]) == 1


def test_the_same_token_with_other_parameters_is_refused(ssm, clean):
    _window(ssm, "win", ClientToken="token-2")
    with pytest.raises(botocore.exceptions.ClientError, match="IdempotentParameterMismatch"):
        _window(ssm, "other-win", ClientToken="token-2")
    assert [w["Name"] for w in ssm.describe_maintenance_windows()["WindowIdentities"]] == ["win"]


def test_throttle_and_error_before_effect_count_down(clean):
    ssm = _client(clean, retries={"total_max_attempts": 1, "mode": "standard"})
    control(clean, "/_ssmpatch/faults", "POST", {"rules": [
        {"operation": "DescribeMaintenanceWindows", "kind": "throttle", "times": 1},
        {"operation": "DescribeMaintenanceWindows", "kind": "error", "times": 1}]})
    with pytest.raises(botocore.exceptions.ClientError, match="ThrottlingException"):
        ssm.describe_maintenance_windows()
    with pytest.raises(botocore.exceptions.ClientError, match="InternalServerError"):
        ssm.describe_maintenance_windows()
    assert ssm.describe_maintenance_windows()["WindowIdentities"] == []


def test_delay_and_never(clean):
    ssm = _client(clean, retries={"total_max_attempts": 1, "mode": "standard"}, read_timeout=1, connect_timeout=1)
    control(clean, "/_ssmpatch/faults", "POST",
            {"rules": [{"operation": "DescribeMaintenanceWindows", "kind": "delay", "seconds": 0.4, "times": 1}]})
    start = time.monotonic()
    ssm.describe_maintenance_windows()
    assert time.monotonic() - start >= 0.4
    control(clean, "/_ssmpatch/faults", "POST",
            {"rules": [{"operation": "DescribeMaintenanceWindows", "kind": "never", "seconds": 30}]})
    with pytest.raises(botocore.exceptions.ReadTimeoutError):
        ssm.describe_maintenance_windows()
    control(clean, "/_ssmpatch/faults", "DELETE")   # frees the waiting request
    assert ssm.describe_maintenance_windows()["WindowIdentities"] == []


def test_an_unknown_kind_is_refused(clean):
    with pytest.raises(Exception, match="400"):
        control(clean, "/_ssmpatch/faults", "POST", {"rules": [{"kind": "explode"}]})


def test_reset_clears_faults_and_tokens(ssm, clean):
    _window(ssm, "win", ClientToken="token-3")
    control(clean, "/_ssmpatch/faults", "POST", {"rules": [{"kind": "error"}]})
    control(clean, "/_ssmpatch/reset", "POST", {})
    assert control(clean, "/_ssmpatch/faults") == {}
    _window(ssm, "win", ClientToken="token-3")   # a new stand-in world: the token is new again
    assert len(ssm.describe_maintenance_windows()["WindowIdentities"]) == 1


def test_the_call_log_names_the_caller_and_the_outcome(ssm, clean):
    control(clean, "/_ssmpatch/faults", "POST", {"rules": [
        {"operation": "CreateMaintenanceWindow", "kind": "applied-then-error", "times": 1},
        {"operation": "DescribeMaintenanceWindows", "kind": "throttle", "times": 1}]})
    _window(ssm)
    ssm.describe_maintenance_windows()
    log = [(c["name"], c["caller"], c["outcome"]) for c in control(clean, "/_ssmpatch/calls")]
    assert log == [
        ("CreateMaintenanceWindow", "testing", "applied-then-error (applied: 200)"),
        ("CreateMaintenanceWindow", "testing", "200"),
        ("DescribeMaintenanceWindows", "testing", "throttle"),
        ("DescribeMaintenanceWindows", "testing", "200"),
    ]


def test_the_call_log_times_each_answer(ssm, clean):
    control(clean, "/_ssmpatch/faults", "POST", {"rules": [
        {"operation": "DescribeMaintenanceWindows", "kind": "delay", "seconds": 0.3, "times": 1}]})
    ssm.describe_maintenance_windows()
    ssm.describe_maintenance_windows()
    [slow, fast] = [c for c in control(clean, "/_ssmpatch/calls") if c["name"] == "DescribeMaintenanceWindows"]
    assert slow["seconds"] >= 0.3 and 0 <= fast["seconds"] < slow["seconds"]
    assert fast["started"] >= slow["started"] + slow["seconds"]
