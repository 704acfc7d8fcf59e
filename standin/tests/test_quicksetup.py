"""ssm-quicksetup: configuration managers for patch policies (aws-facts §6)."""

import json

import boto3
import botocore.exceptions
import pytest

ACCOUNT = "123456789012"
ROLES = ("AWS-QuickSetup-PatchPolicy-LocalAdministrationRole", "AWS-QuickSetup-PatchPolicy-LocalExecutionRole")


@pytest.fixture()
def roles(clean):
    """The local deployment roles, as an administrator creates them before the first patch policy."""
    iam = boto3.client("iam", endpoint_url=clean, region_name="us-east-1", aws_access_key_id="testing",
                       aws_secret_access_key="testing")
    for name in ROLES:
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}))
    return clean


def deployed(qs, arn, polls=10):
    """Reads the manager until its deployment has ended; the final StatusSummary."""
    for _ in range(polls):
        try:
            [s] = [s for s in qs.get_configuration_manager(ManagerArn=arn)["StatusSummaries"]
                   if s["StatusType"] == "Deployment"]
        except qs.exceptions.ResourceNotFoundException:
            return None
        if s["Status"] not in ("INITIALIZING", "DEPLOYING", "DELETING"):
            return s
    raise AssertionError(f"{arn}: the deployment did not end in {polls} reads")


def patch_policy(**over):
    params = {
        "PatchPolicyName": "ssmpatch-p", "PatchBaselineRegion": "us-east-1", "TargetRegions": "us-east-1",
        "TargetAccounts": ACCOUNT, "TargetType": "Tags", "TargetTagKey": "Patch", "TargetTagValue": "true",
        "ConfigurationOptionsPatchOperation": "ScanAndInstall", "ConfigurationOptionsScanValue": "cron(0 1 * * ? *)",
        "ConfigurationOptionsInstallValue": "cron(0 2 ? * SAT#1 *)", "ConfigurationOptionsScanNextInterval": "false",
        "ConfigurationOptionsInstallNextInterval": "true", "RebootOption": "RebootIfNeeded",
        "RateControlConcurrency": "10%", "RateControlErrorThreshold": "2%", "PatchBaselineUseDefault": "custom",
        "SelectedPatchBaselines": json.dumps({"AMAZON_LINUX_2023": {"value": "pb-0123456789abcdef0", "label": "x",
                                                                     "description": "", "disabled": False}}),
    }
    params.update(over)
    return {"Type": "AWSQuickSetupType-PatchPolicy", "Parameters": params,
            "LocalDeploymentAdministrationRoleArn": f"arn:aws:iam::{ACCOUNT}:role/AWS-QuickSetup-PatchPolicy-LocalAdministrationRole",
            "LocalDeploymentExecutionRoleName": "AWS-QuickSetup-PatchPolicy-LocalExecutionRole"}


def test_configuration_manager_lifecycle(qs, roles):
    arn = qs.create_configuration_manager(Name="ssmpatch-p", Description="d", ConfigurationDefinitions=[patch_policy()],
                                          Tags={"ssmpatch:plan": "p"})["ManagerArn"]
    assert arn.startswith("arn:aws:ssm-quicksetup:us-east-1:") and ":configuration-manager/" in arn
    got = qs.get_configuration_manager(ManagerArn=arn)
    assert got["Name"] == "ssmpatch-p" and got["Tags"] == {"ssmpatch:plan": "p"}
    d = got["ConfigurationDefinitions"][0]
    assert d["Parameters"]["ConfigurationOptionsInstallValue"] == "cron(0 2 ? * SAT#1 *)"
    assert got["StatusSummaries"][0]["Status"] in ("INITIALIZING", "DEPLOYING")
    assert deployed(qs, arn)["Status"] == "SUCCEEDED"

    qs.update_configuration_definition(ManagerArn=arn, Id=d["Id"],
                                       Parameters=patch_policy(RebootOption="NoReboot")["Parameters"])
    deployed(qs, arn)
    got = qs.get_configuration_manager(ManagerArn=arn)
    assert got["ConfigurationDefinitions"][0]["Parameters"]["RebootOption"] == "NoReboot"
    qs.update_configuration_manager(ManagerArn=arn, Description="d2")
    assert qs.get_configuration_manager(ManagerArn=arn)["Description"] == "d2"

    other = qs.create_configuration_manager(Name="other", ConfigurationDefinitions=[patch_policy()])["ManagerArn"]
    deployed(qs, other)
    listed = qs.list_configuration_managers(Filters=[{"Key": "Name", "Values": ["ssmpatch-p"]}])
    assert [m["ManagerArn"] for m in listed["ConfigurationManagersList"]] == [arn]
    assert len(qs.list_configuration_managers()["ConfigurationManagersList"]) == 2

    qs.tag_resource(ResourceArn=arn, Tags={"a": "1"})
    qs.untag_resource(ResourceArn=arn, TagKeys=["ssmpatch:plan"])
    assert qs.list_tags_for_resource(ResourceArn=arn)["Tags"] == [{"Key": "a", "Value": "1"}]

    qs.delete_configuration_manager(ManagerArn=arn)
    assert deployed(qs, arn) is None
    with pytest.raises(qs.exceptions.ResourceNotFoundException):
        qs.get_configuration_manager(ManagerArn=arn)
    assert [m["ManagerArn"] for m in qs.list_configuration_managers()["ConfigurationManagersList"]] == [other]


@pytest.mark.parametrize("over,needle", [
    ({"PatchPolicyName": ""}, "PatchPolicyName"),
    ({"SelectedPatchBaselines": "not json"}, "SelectedPatchBaselines"),
    ({"RebootOption": "true"}, "RebootOption"),
    ({"TargetAccounts": ""}, "TargetAccounts"),
    ({"ConfigurationOptionsPatchOperation": "Install"}, "ConfigurationOptionsPatchOperation"),
    ({"TargetType": "Tags", "TargetTagKey": ""}, "TargetTagKey"),
])
def test_patch_policy_parameters_validated(qs, over, needle):
    with pytest.raises(botocore.exceptions.ClientError, match=needle) as e:
        qs.create_configuration_manager(Name="bad", ConfigurationDefinitions=[patch_policy(**over)])
    assert e.value.response["Error"]["Code"] == "ValidationException"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_patch_policy_needs_local_roles(qs):
    d = patch_policy()
    del d["LocalDeploymentExecutionRoleName"]
    with pytest.raises(botocore.exceptions.ClientError, match="LocalDeploymentExecutionRoleName"):
        qs.create_configuration_manager(Name="bad", ConfigurationDefinitions=[d])


def test_a_deployment_runs_for_a_few_reads_and_a_change_meanwhile_conflicts(qs, roles):
    arn = qs.create_configuration_manager(Name="slow", ConfigurationDefinitions=[patch_policy()])["ManagerArn"]
    d = qs.get_configuration_manager(ManagerArn=arn)["ConfigurationDefinitions"][0]
    for change in (lambda: qs.update_configuration_definition(ManagerArn=arn, Id=d["Id"], Parameters=d["Parameters"]),
                   lambda: qs.update_configuration_manager(ManagerArn=arn, Description="x"),
                   lambda: qs.delete_configuration_manager(ManagerArn=arn)):
        with pytest.raises(qs.exceptions.ConflictException):
            change()
    assert deployed(qs, arn)["Status"] == "SUCCEEDED"
    qs.update_configuration_manager(ManagerArn=arn, Description="x")


def test_without_the_local_deployment_roles_the_deployment_fails(qs, clean):
    arn = qs.create_configuration_manager(Name="noroles", ConfigurationDefinitions=[patch_policy()])["ManagerArn"]
    s = deployed(qs, arn)
    assert s["Status"] == "FAILED" and ROLES[0] in s["StatusMessage"] and ROLES[1] in s["StatusMessage"]
    qs.delete_configuration_manager(ManagerArn=arn)
    assert deployed(qs, arn)["Status"] == "DELETE_FAILED", "the delete needs the roles too"
