"""IAM enforcement on or off per test (iam.py): off by default; on, only the allowed actions pass."""

import boto3
import botocore.exceptions
import pytest

from conftest import control


def test_off_by_default_and_after_reset(ssm, clean):
    assert ssm.describe_maintenance_windows()["WindowIdentities"] == []
    control(clean, "/_ssmpatch/settings", "POST", {"iam": {"allow": []}})
    control(clean, "/_ssmpatch/reset", "POST", {})
    ssm.create_maintenance_window(Name="open-win", Schedule="cron(0 3 ? * SUN *)", Duration=2, Cutoff=1,
                                  AllowUnassociatedTargets=False)


def test_only_allowed_actions_pass(ssm, s3, clean):
    control(clean, "/_ssmpatch/settings", "POST", {"iam": {"allow": ["ssm:Describe*", "s3:ListBucket"]}})
    assert ssm.describe_maintenance_windows()["WindowIdentities"] == []
    with pytest.raises(botocore.exceptions.ClientError, match="AccessDeniedException.*ssm:CreateMaintenanceWindow"):
        ssm.create_maintenance_window(Name="no-win", Schedule="cron(0 3 ? * SUN *)", Duration=2, Cutoff=1,
                                      AllowUnassociatedTargets=False)
    with pytest.raises(botocore.exceptions.ClientError, match="AccessDenied"):
        s3.create_bucket(Bucket="no-bucket")
    calls = control(clean, "/_ssmpatch/calls")
    assert [c["outcome"] for c in calls if c["name"] == "CreateMaintenanceWindow"] == ["403 AccessDenied"]
    control(clean, "/_ssmpatch/settings", "POST", {"iam": None})
    ssm.create_maintenance_window(Name="yes-win", Schedule="cron(0 3 ? * SUN *)", Duration=2, Cutoff=1,
                                  AllowUnassociatedTargets=False)


def test_s3_operations_are_authorized_under_their_iam_action(s3, clean):
    s3.create_bucket(Bucket="iam-bucket")
    control(clean, "/_ssmpatch/settings", "POST", {"iam": {"allow": ["s3:ListBucket"]}})
    assert s3.list_objects_v2(Bucket="iam-bucket")["KeyCount"] == 0   # ListObjectsV2 needs s3:ListBucket
    with pytest.raises(botocore.exceptions.ClientError, match="AccessDenied"):
        s3.put_object(Bucket="iam-bucket", Key="k", Body=b"x")


def test_get_caller_identity_needs_no_permission(clean):
    """STS GetCallerIdentity: "No permissions are required to perform this operation." """
    control(clean, "/_ssmpatch/settings", "POST", {"iam": {"allow": []}})
    sts = boto3.client("sts", endpoint_url=clean, region_name="us-east-1", aws_access_key_id="testing",
                       aws_secret_access_key="testing")
    assert sts.get_caller_identity()["Account"]


def test_quick_setup_calls_need_pass_role_and_the_first_window_task_a_service_linked_role(ssm, clean):
    """Dependent actions: Quick Setup's deploying calls pass the local deployment roles
    (iam:PassRole); the first RegisterTaskWithMaintenanceWindow without a ServiceRoleArn creates the
    Systems Manager service-linked role (iam:CreateServiceLinkedRole), later ones do not."""
    w = ssm.create_maintenance_window(Name="slr", Schedule="cron(0 3 ? * SUN *)", Duration=3, Cutoff=1,
                                      AllowUnassociatedTargets=True)["WindowId"]
    task = dict(WindowId=w, TaskArn="AWS-RunPatchBaseline", TaskType="RUN_COMMAND", Priority=1, MaxConcurrency="1",
                MaxErrors="0", Targets=[{"Key": "InstanceIds", "Values": ["i-0123456789abcdef0"]}])
    control(clean, "/_ssmpatch/settings", "POST", {"iam": {"allow": ["ssm:*"]}})
    with pytest.raises(botocore.exceptions.ClientError, match="iam:CreateServiceLinkedRole"):
        ssm.register_task_with_maintenance_window(**task)
    control(clean, "/_ssmpatch/settings", "POST", {"iam": {"allow": ["ssm:*", "iam:CreateServiceLinkedRole"]}})
    ssm.register_task_with_maintenance_window(**task)
    control(clean, "/_ssmpatch/settings", "POST", {"iam": {"allow": ["ssm:*"]}})
    ssm.register_task_with_maintenance_window(**task)   # the role exists now
    qs = boto3.client("ssm-quicksetup", endpoint_url=clean, region_name="us-east-1", aws_access_key_id="testing",
                      aws_secret_access_key="testing")
    control(clean, "/_ssmpatch/settings", "POST", {"iam": {"allow": ["ssm-quicksetup:*"]}})
    with pytest.raises(botocore.exceptions.ClientError, match="iam:PassRole"):
        qs.create_configuration_manager(Name="pp", ConfigurationDefinitions=[{"Type": "AWSQuickSetupType-PatchPolicy",
                                                                              "Parameters": {}}])
