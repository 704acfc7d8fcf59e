"""Windows nodes: AWS-RunPatchBaseline runs its PatchWindows step (aws:runPowerShellScript; PatchLinux is
skipped by its precondition), prints the "Patch Summary for" list of AWS's published Windows output and
nothing that AWS has not published (no per-update result of a BaselineOverride run), and records Patch
compliance only without an override."""

import datetime
import json

import pytest

from conftest import control

WIN = "i-0ddddddddddddddd1"


def days_ago(n):
    return (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=n)).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture()
def windows(clean, s3):
    s3.create_bucket(Bucket="out")
    control(clean, "/_ssmpatch/nodes", "POST", {"nodes": [{
        "InstanceId": WIN, "OperatingSystem": "WINDOWS", "Tags": {"PatchGroup": "win"},
        "Installed": [{"Name": "KB5000001", "Title": "2026-01 Cumulative Update", "Classification": "SecurityUpdates",
                       "Severity": "Critical", "ReleaseDate": days_ago(90)}],
        "Available": [{"Name": "KB5034439", "Title": "2026-11 Security Update", "Classification": "SecurityUpdates",
                       "Severity": "Critical", "ReleaseDate": days_ago(30)},
                      {"Name": "KB5000002", "Title": "2026-11 Driver Update", "Classification": "Drivers",
                       "Severity": "", "ReleaseDate": days_ago(30)}]}]})
    # The node's instance profile may read overrides from and write output to the bucket (the default
    # role, AmazonSSMManagedInstanceCore, has no S3 permission: test_node_roles.py).
    control(clean, "/_ssmpatch/node-roles", "POST", {"policy": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:GetEncryptionConfiguration"],
         "Resource": ["arn:aws:s3:::out", "arn:aws:s3:::out/*"]}]}})
    return clean


def test_a_windows_scan_runs_patch_windows_and_records_patch_compliance(ssm, s3, windows):
    [info] = ssm.describe_instance_information(Filters=[{"Key": "PlatformTypes", "Values": ["Windows"]}])[
        "InstanceInformationList"]
    assert (info["InstanceId"], info["PlatformType"]) == (WIN, "Windows")
    cmd = ssm.send_command(DocumentName="AWS-RunPatchBaseline", InstanceIds=[WIN], Parameters={"Operation": ["Scan"]},
                           OutputS3BucketName="out", OutputS3KeyPrefix="p")["Command"]["CommandId"]
    [inv] = ssm.list_command_invocations(CommandId=cmd, Details=True)["CommandInvocations"]
    steps = {p["Name"]: p["Output"] for p in inv["CommandPlugins"]}
    assert steps["PatchLinux"].startswith("Step execution skipped due to unsatisfied preconditions")
    out = ssm.get_command_invocation(CommandId=cmd, InstanceId=WIN, PluginName="PatchWindows")
    text = out["StandardOutputContent"]
    assert f"Patch Summary for {WIN}" in text and "MissingCount : 1" in text and "OperationType : Scan" in text
    key = f"p/{cmd}/{WIN}/awsrunPowerShellScript/PatchWindows/stdout"
    assert s3.get_object(Bucket="out", Key=key)["Body"].read().decode() == text
    items = ssm.list_compliance_items(ResourceIds=[WIN], ResourceTypes=["ManagedInstance"])["ComplianceItems"]
    assert sorted((i["Id"], i["Status"]) for i in items) == [("KB5000001", "COMPLIANT"), ("KB5034439", "NON_COMPLIANT")]


def test_a_windows_override_run_prints_only_the_summary_and_records_nothing(ssm, s3, windows):
    override = [{"OperatingSystem": "WINDOWS", "ApprovalRules": {"PatchRules": [
        {"PatchFilterGroup": {"PatchFilters": [{"Key": "CLASSIFICATION", "Values": ["SecurityUpdates"]}]},
         "ApproveAfterDays": 0}]}}]
    s3.put_object(Bucket="out", Key="o.json", Body=json.dumps(override).encode())
    cmd = ssm.send_command(DocumentName="AWS-RunPatchBaseline", InstanceIds=[WIN],
                           Parameters={"Operation": ["Install"], "BaselineOverride": ["s3://out/o.json"]})["Command"]
    text = ssm.get_command_invocation(CommandId=cmd["CommandId"], InstanceId=WIN,
                                      PluginName="PatchWindows")["StandardOutputContent"]
    assert "Patch Summary for" in text and "OperationType : Install" in text
    assert "BASELINE OVERRIDE" not in text and "KB5034439" not in text
    assert ssm.list_compliance_items(ResourceIds=[WIN], ResourceTypes=["ManagedInstance"])["ComplianceItems"] == []
