"""ssm-quicksetup: configuration managers for patch policies (aws-facts §6)."""

import json

import botocore.exceptions
import pytest

ACCOUNT = "123456789012"


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


def test_configuration_manager_lifecycle(qs):
    arn = qs.create_configuration_manager(Name="ssmpatch-p", Description="d", ConfigurationDefinitions=[patch_policy()],
                                          Tags={"ssmpatch:plan": "p"})["ManagerArn"]
    assert arn.startswith("arn:aws:ssm-quicksetup:us-east-1:") and ":configuration-manager/" in arn
    got = qs.get_configuration_manager(ManagerArn=arn)
    assert got["Name"] == "ssmpatch-p" and got["Tags"] == {"ssmpatch:plan": "p"}
    d = got["ConfigurationDefinitions"][0]
    assert d["Parameters"]["ConfigurationOptionsInstallValue"] == "cron(0 2 ? * SAT#1 *)"
    assert got["StatusSummaries"][0]["Status"] == "SUCCEEDED"

    qs.update_configuration_definition(ManagerArn=arn, Id=d["Id"],
                                       Parameters=patch_policy(RebootOption="NoReboot")["Parameters"])
    got = qs.get_configuration_manager(ManagerArn=arn)
    assert got["ConfigurationDefinitions"][0]["Parameters"]["RebootOption"] == "NoReboot"
    qs.update_configuration_manager(ManagerArn=arn, Description="d2")
    assert qs.get_configuration_manager(ManagerArn=arn)["Description"] == "d2"

    other = qs.create_configuration_manager(Name="other", ConfigurationDefinitions=[patch_policy()])["ManagerArn"]
    listed = qs.list_configuration_managers(Filters=[{"Key": "Name", "Values": ["ssmpatch-p"]}])
    assert [m["ManagerArn"] for m in listed["ConfigurationManagersList"]] == [arn]
    assert len(qs.list_configuration_managers()["ConfigurationManagersList"]) == 2

    qs.tag_resource(ResourceArn=arn, Tags={"a": "1"})
    qs.untag_resource(ResourceArn=arn, TagKeys=["ssmpatch:plan"])
    assert qs.list_tags_for_resource(ResourceArn=arn)["Tags"] == [{"Key": "a", "Value": "1"}]

    qs.delete_configuration_manager(ManagerArn=arn)
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
