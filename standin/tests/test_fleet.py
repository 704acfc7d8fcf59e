"""The simulated fleet running AWS-RunPatchBaseline (aws-facts §2, §3.1, §5)."""

import datetime
import json
import re

import botocore.exceptions
import pytest

from conftest import control

NODE = "i-0aaaaaaaaaaaaaaa1"


def days_ago(n):
    return (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=n)).strftime("%Y-%m-%dT%H:%M:%SZ")


def al2023(iid=NODE, group="web", extra_installed=()):
    return {"InstanceId": iid, "OperatingSystem": "AMAZON_LINUX_2023", "Tags": {"PatchGroup": group, "Name": iid},
            "Installed": [{"Name": "openssl", "Arch": "x86_64", "Version": "3.0.7", "Release": "1.amzn2023", "Epoch": "1"},
                          {"Name": "curl", "Arch": "x86_64", "Version": "8.0.1", "Release": "1.amzn2023"},
                          {"Name": "bash", "Arch": "x86_64", "Version": "5.1.16", "Release": "4.amzn2023"},
                          *extra_installed],
            "Available": [
                {"Name": "openssl", "Arch": "x86_64", "Version": "3.0.8", "Release": "1.amzn2023", "Epoch": "1",
                 "Classification": "Security", "Severity": "Critical", "ReleaseDate": days_ago(30),
                 "CVEIds": ["CVE-2026-0001"]},
                {"Name": "curl", "Arch": "x86_64", "Version": "8.1.0", "Release": "1.amzn2023",
                 "Classification": "Bugfix", "Severity": "Medium", "ReleaseDate": days_ago(2)},
                {"Name": "vim", "Arch": "x86_64", "Version": "9.0", "Release": "1.amzn2023",
                 "Classification": "Security", "Severity": "Important", "ReleaseDate": days_ago(30)}]}


@pytest.fixture()
def fleet(clean):
    control(clean, "/_ssmpatch/nodes", "POST", {"nodes": [al2023()]})
    return clean


def grant_s3(url, *buckets):
    """The nodes' instance profile may read overrides from and write output to these buckets (the
    default role, AmazonSSMManagedInstanceCore, has no S3 permission: test_node_roles.py)."""
    resources = [r for b in buckets for r in (f"arn:aws:s3:::{b}", f"arn:aws:s3:::{b}/*")]
    control(url, "/_ssmpatch/node-roles", "POST", {"policy": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:GetEncryptionConfiguration"],
         "Resource": resources}]}})


def run(ssm, **kw):
    params = {"Operation": [kw.pop("operation", "Scan")]}
    params.update({k: [v] for k, v in kw.pop("params", {}).items()})
    cmd = ssm.send_command(DocumentName="AWS-RunPatchBaseline", Parameters=params, **kw)["Command"]
    return cmd


def stdout(ssm, cmd, iid=NODE):
    return ssm.get_command_invocation(CommandId=cmd["CommandId"], InstanceId=iid, PluginName="PatchLinux")


def test_scan_with_default_baseline_updates_patch_states(ssm, fleet):
    cmd = run(ssm, InstanceIds=[NODE])
    inv = stdout(ssm, cmd)
    assert inv["Status"] == "Success" and inv["ResponseCode"] == 0
    out = inv["StandardOutputContent"]
    # §3.1 line format and key lines
    assert re.search(r"^\d\d/\d\d/\d{4} \d\d:\d\d:\d\d root \[INFO\]: Attempting to import entrance file os_selector$", out, re.M)
    assert f"root [INFO]: Instance Id: {NODE}" in out
    assert "root [INFO]: Patch Group: web" in out
    # predefined baselines assign UNSPECIFIED; a non-compliant node never reports UNSPECIFIED (§5)
    assert " Instance is Non-Compliant with severity of INFORMATIONAL " in out
    assert "Report upload successful." in out and "[BASELINE OVERRIDE]" not in out
    assert "Reboot is not permitted for scan operation" in out
    st = ssm.describe_instance_patch_states(InstanceIds=[NODE])["InstancePatchStates"][0]
    # openssl: Security/Critical, 30 days old → approved (7 days) → Missing; curl: Bugfix 2 days old → not yet
    assert (st["MissingCount"], st["InstalledOtherCount"], st["InstalledCount"], st["NotApplicableCount"]) == (1, 2, 0, 1)
    assert (st["SecurityNonCompliantCount"], st["CriticalNonCompliantCount"], st["Operation"]) == (1, 0, "Scan")
    # AWS's predefined baselines are identified by ARN (moto's per-Region default baseline list)
    assert st["PatchGroup"] == "web" and "patchbaseline/pb-" in st["BaselineId"]
    patches = ssm.describe_instance_patches(InstanceId=NODE, Filters=[{"Key": "State", "Values": ["Missing"]}])["Patches"]
    assert [(p["KBId"], p["Title"], p["State"], p.get("CVEIds")) for p in patches] == [
        ("openssl.x86_64", "openssl.x86_64:1:3.0.8-1.amzn2023", "MISSING", "CVE-2026-0001")]
    items = ssm.list_compliance_items(ResourceIds=[NODE], Filters=[{"Key": "ComplianceType", "Values": ["Patch"]}])
    bad = [i for i in items["ComplianceItems"] if i["Status"] == "NON_COMPLIANT"]
    assert [i["Id"] for i in bad] == ["openssl.x86_64"]
    assert bad[0]["Details"]["PatchState"] == "Missing"
    assert bad[0]["ExecutionSummary"]["ExecutionType"] == "Command"
    # ListCommandInvocations: plugin Output is truncated at 2,500
    li = ssm.list_command_invocations(CommandId=cmd["CommandId"], Details=True)["CommandInvocations"][0]
    assert [p["Name"] for p in li["CommandPlugins"]] == ["PatchWindows", "PatchLinux", "PatchMacOS"]
    assert li["CommandPlugins"][1]["Output"] == out[:2500]


def test_plugin_name_required_for_multi_step_document(ssm, fleet):
    cmd = run(ssm, InstanceIds=[NODE])
    with pytest.raises(botocore.exceptions.ClientError, match="InvalidPluginName"):
        ssm.get_command_invocation(CommandId=cmd["CommandId"], InstanceId=NODE)


def test_patch_group_baseline_and_tag_targets(ssm, fleet):
    bid = ssm.create_patch_baseline(
        Name="ssmpatch-web-al2023", OperatingSystem="AMAZON_LINUX_2023",
        ApprovalRules={"PatchRules": [{"PatchFilterGroup": {"PatchFilters": [
            {"Key": "CLASSIFICATION", "Values": ["*"]}]}, "ApproveAfterDays": 0, "ComplianceLevel": "CRITICAL"}]})["BaselineId"]
    ssm.register_patch_baseline_for_patch_group(BaselineId=bid, PatchGroup="web")
    cmd = run(ssm, Targets=[{"Key": "tag:PatchGroup", "Values": ["web"]}])
    assert cmd["TargetCount"] == 1
    assert " Instance is Non-Compliant with severity of CRITICAL " in stdout(ssm, cmd)["StandardOutputContent"]
    st = ssm.describe_instance_patch_states(InstanceIds=[NODE])["InstancePatchStates"][0]
    assert (st["BaselineId"], st["MissingCount"], st["CriticalNonCompliantCount"]) == (bid, 2, 2)
    grp = ssm.describe_instance_patch_states_for_patch_group(
        PatchGroup="web", Filters=[{"Key": "MissingCount", "Values": ["1"], "Type": "GreaterThan"}])
    assert [s["InstanceId"] for s in grp["InstancePatchStates"]] == [NODE]


def test_baseline_override_leaves_compliance_alone(ssm, s3, fleet):
    run(ssm, InstanceIds=[NODE])   # establishes patch states from a plain scan
    before = ssm.describe_instance_patch_states(InstanceIds=[NODE])["InstancePatchStates"][0]
    items_before = ssm.list_compliance_items(ResourceIds=[NODE])["ComplianceItems"]
    s3.create_bucket(Bucket="ssmpatch-out")
    override = [{"OperatingSystem": "AMAZON_LINUX_2023", "ApprovalRules": {"PatchRules": [
        {"PatchFilterGroup": {"PatchFilters": [{"Key": "CLASSIFICATION", "Values": ["Security", "Bugfix"]}]},
         "ApproveAfterDays": 0, "ComplianceLevel": "HIGH", "EnableNonSecurity": False}]},
        "ApprovedPatches": [], "RejectedPatches": [], "RejectedPatchesAction": "ALLOW_AS_DEPENDENCY",
        "GlobalFilters": {"PatchFilters": []}, "ApprovedPatchesComplianceLevel": "UNSPECIFIED", "Sources": []},
        {"OperatingSystem": "UBUNTU", "ApprovalRules": {"PatchRules": []}}]
    s3.put_object(Bucket="ssmpatch-out", Key="overrides/p/scan.json", Body=json.dumps(override).encode())
    grant_s3(fleet, "ssmpatch-out")
    cmd = run(ssm, InstanceIds=[NODE], params={"BaselineOverride": "s3://ssmpatch-out/overrides/p/scan.json"},
              OutputS3BucketName="ssmpatch-out", OutputS3KeyPrefix="runs/p")
    inv = stdout(ssm, cmd)
    out = inv["StandardOutputContent"]
    assert "Downloading Baseline Override from s3://ssmpatch-out/overrides/p/scan.json" in out
    m = re.search(r"\[BASELINE OVERRIDE\]: Summary: (\{.*?\n\})", out, re.S)
    summary = json.loads(m.group(1))
    assert summary["MissingCount"] == "2" and "BaselineId" not in summary and summary["NonCompliantSeverity"] == "HIGH"
    m = re.search(r"\[BASELINE OVERRIDE\]: Non Compliant Packages: (\[.*?\n\])", out, re.S)
    bad = json.loads(m.group(1))
    assert [(p["Id"], p["PatchState"], p["Severity"]) for p in bad] == [
        ("curl.x86_64", "Missing", "HIGH"), ("openssl.x86_64", "Missing", "HIGH")]
    # §2.2: no upload → patch states and Patch compliance stay at the previous run's data
    after = ssm.describe_instance_patch_states(InstanceIds=[NODE])["InstancePatchStates"][0]
    assert after == before
    assert ssm.list_compliance_items(ResourceIds=[NODE])["ComplianceItems"] == items_before
    # Full stdout in S3 at <prefix>/<command-id>/<instance-id>/awsrunShellScript/PatchLinux/stdout
    key = f"runs/p/{cmd['CommandId']}/{NODE}/awsrunShellScript/PatchLinux/stdout"
    assert s3.get_object(Bucket="ssmpatch-out", Key=key)["Body"].read().decode() == out
    assert inv["StandardOutputUrl"].endswith(f"/ssmpatch-out/{key}")


def test_install_no_reboot_then_reboot_and_scan(ssm, fleet):
    run(ssm, InstanceIds=[NODE], operation="Install", params={"RebootOption": "NoReboot"})
    st = ssm.describe_instance_patch_states(InstanceIds=[NODE])["InstancePatchStates"][0]
    # "If you choose NoReboot and patches are installed, the instance is marked as non-compliant until a
    # subsequent reboot and scan."
    assert (st["InstalledPendingRebootCount"], st["MissingCount"], st["Operation"]) == (1, 0, "Install")
    assert "LastNoRebootInstallOperationTime" in st
    node = control(fleet, f"/_ssmpatch/nodes/{NODE}")
    assert {p["Name"]: p["Version"] for p in node["Installed"]}["openssl"] == "3.0.8"
    control(fleet, f"/_ssmpatch/nodes/{NODE}/reboot", "POST", {})
    run(ssm, InstanceIds=[NODE])
    st = ssm.describe_instance_patch_states(InstanceIds=[NODE])["InstancePatchStates"][0]
    assert (st["InstalledPendingRebootCount"], st["InstalledCount"], st["MissingCount"]) == (0, 1, 0)


def test_failed_install_and_override_errors(ssm, s3, clean):
    spec = al2023()
    spec["Available"][0]["FailInstall"] = True
    control(clean, "/_ssmpatch/nodes", "POST", {"nodes": [spec]})
    cmd = run(ssm, InstanceIds=[NODE], operation="Install")
    inv = stdout(ssm, cmd)
    assert (inv["Status"], inv["ResponseCode"]) == ("Failed", 1)
    assert ssm.describe_instance_patch_states(InstanceIds=[NODE])["InstancePatchStates"][0]["FailedCount"] == 1
    s3.create_bucket(Bucket="ssmpatch-x")
    s3.put_object(Bucket="ssmpatch-x", Key="ubuntu-only.json", Body=b'[{"OperatingSystem": "UBUNTU"}]')
    grant_s3(clean, "ssmpatch-x")
    cmd = run(ssm, InstanceIds=[NODE], params={"BaselineOverride": "s3://ssmpatch-x/ubuntu-only.json"})
    inv = stdout(ssm, cmd)
    assert inv["ResponseCode"] == 163 and "Unable to find Baseline Override for Operating System" in inv["StandardOutputContent"]
    cmd = run(ssm, InstanceIds=[NODE], params={"BaselineOverride": "s3://ssmpatch-x/missing.json"})
    assert stdout(ssm, cmd)["ResponseCode"] == 162
    cmd = run(ssm, InstanceIds=[NODE], params={"BaselineOverride": "s3://ssmpatch-x/ubuntu-only.json",
                                               "InstallOverrideList": "s3://ssmpatch-x/list.yaml"})
    assert stdout(ssm, cmd)["ResponseCode"] == 167


def test_stdout_truncated_at_24000(ssm, s3, clean):
    # 150 missing packages under a BaselineOverride: the non-compliant list makes stdout > 24,000 chars.
    spec = al2023()
    for i in range(150):
        spec["Installed"].append({"Name": f"pkg{i:03d}", "Arch": "x86_64", "Version": "1.0", "Release": "1.amzn2023"})
        spec["Available"].append({"Name": f"pkg{i:03d}", "Arch": "x86_64", "Version": "1.1", "Release": "1.amzn2023",
                                  "Classification": "Security", "Severity": "Important", "ReleaseDate": days_ago(20)})
    control(clean, "/_ssmpatch/nodes", "POST", {"nodes": [spec]})
    s3.create_bucket(Bucket="ssmpatch-out")
    s3.put_object(Bucket="ssmpatch-out", Key="o.json", Body=json.dumps([{
        "OperatingSystem": "AMAZON_LINUX_2023", "ApprovalRules": {"PatchRules": [{"PatchFilterGroup": {
            "PatchFilters": [{"Key": "CLASSIFICATION", "Values": ["Security"]}]}, "ApproveAfterDays": 7}]}}]).encode())
    grant_s3(clean, "ssmpatch-out")
    cmd = run(ssm, InstanceIds=[NODE], OutputS3BucketName="ssmpatch-out", params={"BaselineOverride": "s3://ssmpatch-out/o.json"})
    inv = stdout(ssm, cmd)
    full = s3.get_object(Bucket="ssmpatch-out",
                         Key=f"{cmd['CommandId']}/{NODE}/awsrunShellScript/PatchLinux/stdout")["Body"].read().decode()
    assert len(full) > 24000 and full.count('"PatchState": "Missing"') == 151
    assert inv["StandardOutputContent"] == full[:24000]


def test_window_execution(ssm, s3, fleet):
    s3.create_bucket(Bucket="ssmpatch-out")
    grant_s3(fleet, "ssmpatch-out")
    wid = ssm.create_maintenance_window(Name="ssmpatch-p-install", Schedule="cron(0 3 ? * SUN *)", Duration=3, Cutoff=1,
                                        AllowUnassociatedTargets=False)["WindowId"]
    tid = ssm.register_target_with_maintenance_window(
        WindowId=wid, ResourceType="INSTANCE", Targets=[{"Key": "tag:PatchGroup", "Values": ["web"]}])["WindowTargetId"]
    ssm.register_task_with_maintenance_window(
        WindowId=wid, TaskArn="AWS-RunPatchBaseline", TaskType="RUN_COMMAND", Priority=1, MaxConcurrency="1",
        MaxErrors="0", Targets=[{"Key": "WindowTargetIds", "Values": [tid]}],
        TaskInvocationParameters={"RunCommand": {"Parameters": {"Operation": ["Install"]},
                                                 "OutputS3BucketName": "ssmpatch-out", "OutputS3KeyPrefix": "mw"}})
    res = control(fleet, f"/_ssmpatch/windows/{wid}/execute", "POST", {})
    assert res["Status"] == "SUCCESS" and len(res["Tasks"]) == 1
    execs = ssm.describe_maintenance_window_executions(WindowId=wid)["WindowExecutions"]
    assert [e["WindowExecutionId"] for e in execs] == [res["WindowExecutionId"]]
    tasks = ssm.describe_maintenance_window_execution_tasks(WindowExecutionId=res["WindowExecutionId"])
    task_id = tasks["WindowExecutionTaskIdentities"][0]["TaskExecutionId"]
    invs = ssm.describe_maintenance_window_execution_task_invocations(WindowExecutionId=res["WindowExecutionId"],
                                                                     TaskId=task_id)
    assert invs["WindowExecutionTaskInvocationIdentities"][0]["Status"] == "SUCCESS"
    st = ssm.describe_instance_patch_states(InstanceIds=[NODE])["InstancePatchStates"][0]
    # The window supplies the SnapshotId; RebootIfNeeded reboots, so the patch is Installed
    assert (st["Operation"], st["InstalledCount"], st["MissingCount"], st["SnapshotId"]) == (
        "Install", 1, 0, res["WindowExecutionId"])
    # ... and records it in the invocation's parameters (by default; see window_snapshot_parameter)
    params = json.loads(invs["WindowExecutionTaskInvocationIdentities"][0]["Parameters"])["parameters"]
    assert params["SnapshotId"] == [res["WindowExecutionId"]]
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="ssmpatch-out", Prefix="mw/")["Contents"]]
    assert keys == [f"mw/{res['Tasks'][0]['CommandIds'][0]}/{NODE}/awsrunShellScript/PatchLinux/stdout"]


def test_association_run_and_tags_drive_targets(ssm, fleet):
    aid = ssm.create_association(Name="AWS-RunPatchBaseline", AssociationName="ssmpatch-p-scan",
                                 ScheduleExpression="cron(0 1 ? * * *)", Parameters={"Operation": ["Scan"]},
                                 Targets=[{"Key": "tag:PatchGroup", "Values": ["db"]}])["AssociationDescription"]["AssociationId"]
    assert control(fleet, f"/_ssmpatch/associations/{aid}/run", "POST", {})["InstanceIds"] == []
    # Re-tagging the node through the API moves it into the association's targets.
    ssm.add_tags_to_resource(ResourceType="ManagedInstance", ResourceId=NODE, Tags=[{"Key": "PatchGroup", "Value": "db"}])
    assert control(fleet, f"/_ssmpatch/associations/{aid}/run", "POST", {})["InstanceIds"] == [NODE]
    assert ssm.describe_association(AssociationId=aid)["AssociationDescription"].get("LastExecutionDate")
    info = ssm.describe_instance_information(Filters=[{"Key": "tag:PatchGroup", "Values": ["db"]}])
    assert [i["InstanceId"] for i in info["InstanceInformationList"]] == [NODE]


def test_faults_per_operation_are_seeded(ssm, fleet):
    ssm.meta.config.retries = {"max_attempts": 1}
    control(fleet, "/_ssmpatch/faults", "POST", {"seed": 3, "operations": {"DescribeInstancePatchStates": {"error": 1.0}}})
    with pytest.raises(botocore.exceptions.ClientError, match="InternalServerError"):
        ssm.describe_instance_patch_states(InstanceIds=[NODE])
    ssm.describe_instance_information()   # other operations are untouched

    def pattern():
        control(fleet, "/_ssmpatch/faults", "POST", {"seed": 11, "throttle": 0.5})
        out = []
        for _ in range(12):
            try:
                ssm.describe_instance_information()
                out.append("ok")
            except botocore.exceptions.ClientError as e:
                out.append(e.response["Error"]["Code"])
        return out
    first = pattern()
    assert first == pattern() and "ThrottlingException" in first and "ok" in first


def test_patch_policy_run_updates_compliance(ssm, qs, fleet):
    from test_quicksetup import patch_policy
    bid = ssm.create_patch_baseline(
        Name="ssmpatch-pp-al2023", OperatingSystem="AMAZON_LINUX_2023",
        ApprovalRules={"PatchRules": [{"PatchFilterGroup": {"PatchFilters": [{"Key": "CLASSIFICATION", "Values": ["*"]}]},
                                       "ApproveAfterDays": 0, "ComplianceLevel": "MEDIUM"}]})["BaselineId"]
    sel = json.dumps({"AMAZON_LINUX_2023": {"value": bid, "label": "ssmpatch-pp-al2023", "disabled": False}})
    arn = qs.create_configuration_manager(Name="ssmpatch-pp", ConfigurationDefinitions=[
        patch_policy(SelectedPatchBaselines=sel, TargetTagKey="PatchGroup", TargetTagValue="web")])["ManagerArn"]
    # The node's role may read the policy's bucket and carries its QSConfigId tag (quick-setup-patch-manager;
    # without them the run fails: test_node_roles.py).
    cid = qs.get_configuration_manager(ManagerArn=arn)["ConfigurationDefinitions"][0]["Id"]
    control(fleet, "/_ssmpatch/node-roles", "POST", {"tags": {f"QSConfigId-{cid}": cid}, "policy": {
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                                                "Resource": "arn:aws:s3:::aws-quicksetup-patchpolicy-*"}]}})
    res = control(fleet, "/_ssmpatch/patch-policies/run", "POST", {"ManagerArn": arn, "Operation": "Scan"})
    assert res["InstanceIds"] == [NODE]
    assert re.match(r"^s3://aws-quicksetup-patchpolicy-\d{12}-[a-z0-9]{5}/baseline_overrides\.json$", res["BaselineOverride"])
    # A patch policy's override does update compliance (patch-manager-baselineoverride-parameter)
    st = ssm.describe_instance_patch_states(InstanceIds=[NODE])["InstancePatchStates"][0]
    assert st["MissingCount"] == 2
    items = ssm.list_compliance_items(ResourceIds=[NODE])["ComplianceItems"]
    assert {i["ExecutionSummary"]["ExecutionType"] for i in items} == {"PatchPolicy"}
    assert {i["Severity"] for i in items if i["Status"] == "NON_COMPLIANT"} == {"MEDIUM"}


def test_window_task_invocations_are_one_per_target_and_paged(ssm, clean):
    """"the individual task executions (one per target)", each with its command id as ExecutionId, in
    pages (MaxResults 10-100): a reader of one page misses nodes (API_DescribeMaintenanceWindowExecution
    TaskInvocations; awscli example: one instance per invocation)."""
    nodes = []
    for i in range(12):
        n = al2023()
        n["InstanceId"] = f"i-0aaaaaaaaaaaaa{i:03d}"
        nodes.append(n)
    control(clean, "/_ssmpatch/nodes", "POST", {"nodes": nodes})
    wid = ssm.create_maintenance_window(Name="ssmpatch-p-scan", Schedule="cron(0 3 ? * SUN *)", Duration=3, Cutoff=1,
                                        AllowUnassociatedTargets=False)["WindowId"]
    tid = ssm.register_target_with_maintenance_window(
        WindowId=wid, ResourceType="INSTANCE", Targets=[{"Key": "tag:PatchGroup", "Values": ["web"]}])["WindowTargetId"]
    ssm.register_task_with_maintenance_window(
        WindowId=wid, TaskArn="AWS-RunPatchBaseline", TaskType="RUN_COMMAND", Priority=1, MaxConcurrency="10",
        MaxErrors="0", Targets=[{"Key": "WindowTargetIds", "Values": [tid]}],
        TaskInvocationParameters={"RunCommand": {"Parameters": {"Operation": ["Scan"]}}})
    res = control(clean, f"/_ssmpatch/windows/{wid}/execute", "POST", {})
    [task] = res["Tasks"]
    assert len(task["CommandIds"]) == 12
    args = {"WindowExecutionId": res["WindowExecutionId"], "TaskId": task["TaskExecutionId"]}
    first = ssm.describe_maintenance_window_execution_task_invocations(**args)
    assert len(first["WindowExecutionTaskInvocationIdentities"]) == 10 and first["NextToken"]
    pages = ssm.get_paginator("describe_maintenance_window_execution_task_invocations").paginate(**args)
    invs = [i for p in pages for i in p["WindowExecutionTaskInvocationIdentities"]]
    instances = [json.loads(i["Parameters"])["instanceIds"] for i in invs]
    assert sorted(i for [i] in instances) == sorted(n["InstanceId"] for n in nodes)
    assert sorted(i["ExecutionId"] for i in invs) == sorted(task["CommandIds"])
