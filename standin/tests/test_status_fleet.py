"""What `ssmpatch status` reads, and the stand-in's ways to produce each verdict (issue 19): nodes left
out of a window or association run (`exclude`, `exclude_tasks`), an offline agent (`nodes/<id>/agent`,
Delivery Timed Out), a node that is gone (`DELETE nodes/<id>`), ListCommands' filters and paging,
DescribeMaintenanceWindowExecutions' filters, the Patch compliance a native scan writes, and a scan sent
by another caller."""

import datetime
import json
import urllib.error

import boto3
import botocore.exceptions
import pytest

from conftest import control

A, B, C = "i-0c0000000000000a1", "i-0c0000000000000b2", "i-0c0000000000000c3"


def node(iid, group="web"):
    """AL2023 with one approved, missing security patch."""
    released = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"InstanceId": iid, "OperatingSystem": "AMAZON_LINUX_2023", "Tags": {"PatchGroup": group},
            "Installed": [{"Name": "openssl", "Arch": "x86_64", "Version": "3.0.7", "Release": "1.amzn2023", "Epoch": "1"}],
            "Available": [{"Name": "openssl", "Arch": "x86_64", "Version": "3.0.8", "Release": "1.amzn2023", "Epoch": "1",
                           "Classification": "Security", "Severity": "Critical", "ReleaseDate": released}]}


def refused(endpoint, path, method, body):
    """A control call that must fail: (HTTP status, message)."""
    with pytest.raises(urllib.error.HTTPError) as e:
        control(endpoint, path, method, body)
    return e.value.code, json.loads(e.value.read())["message"]


@pytest.fixture()
def fleet(clean):
    control(clean, "/_ssmpatch/nodes", "POST", {"nodes": [node(A), node(B), node(C)]})
    return clean


def window(ssm, tasks=(("Scan", 1),)):
    """A window targeting tag PatchGroup=web with one AWS-RunPatchBaseline task per (operation, priority)."""
    wid = ssm.create_maintenance_window(Name="status-win", Schedule="cron(0 3 ? * SUN *)", Duration=2, Cutoff=0,
                                        AllowUnassociatedTargets=False)["WindowId"]
    tid = ssm.register_target_with_maintenance_window(
        WindowId=wid, ResourceType="INSTANCE", Targets=[{"Key": "tag:PatchGroup", "Values": ["web"]}])["WindowTargetId"]
    task_ids = [ssm.register_task_with_maintenance_window(
        WindowId=wid, TaskArn="AWS-RunPatchBaseline", TaskType="RUN_COMMAND", Priority=prio, MaxConcurrency="10",
        MaxErrors="0", Targets=[{"Key": "WindowTargetIds", "Values": [tid]}],
        TaskInvocationParameters={"RunCommand": {"Parameters": {"Operation": [op]}}})["WindowTaskId"]
        for op, prio in tasks]
    return wid, task_ids


def invocations(ssm, exec_id):
    """{task execution id: {instance id: (Status, StatusDetails, command id)}} of a window execution."""
    out = {}
    for t in ssm.describe_maintenance_window_execution_tasks(WindowExecutionId=exec_id)["WindowExecutionTaskIdentities"]:
        pages = ssm.get_paginator("describe_maintenance_window_execution_task_invocations").paginate(
            WindowExecutionId=exec_id, TaskId=t["TaskExecutionId"])
        out[t["TaskExecutionId"]] = {json.loads(i["Parameters"])["instanceIds"][0]: (i["Status"], i["StatusDetails"],
                                                                                   i["ExecutionId"])
                                     for p in pages for i in p["WindowExecutionTaskInvocationIdentities"]}
    return out


# --- leaving nodes out of a run -----------------------------------------------------------------------

def test_window_exclude_leaves_the_node_out_of_every_task(ssm, fleet):
    wid, _ = window(ssm, (("Install", 1), ("Scan", 2)))
    res = control(fleet, f"/_ssmpatch/windows/{wid}/execute", "POST", {"exclude": [B]})
    assert res["Status"] == "SUCCESS"
    for per_node in invocations(ssm, res["WindowExecutionId"]).values():
        assert sorted(per_node) == [A, C]
    # B ran nothing: no command names it, no patch state
    assert ssm.list_commands(InstanceId=B)["Commands"] == []
    states = ssm.describe_instance_patch_states(InstanceIds=[A, B, C])["InstancePatchStates"]
    assert sorted(s["InstanceId"] for s in states) == [A, C]


def test_window_exclude_tasks_leaves_the_node_out_of_one_task_only(ssm, fleet):
    wid, (install, rescan) = window(ssm, (("Install", 1), ("Scan", 2)))
    res = control(fleet, f"/_ssmpatch/windows/{wid}/execute", "POST", {"exclude_tasks": {rescan: [B]}})
    by_arn = {t["TaskExecutionId"]: t for t in res["Tasks"]}
    got = invocations(ssm, res["WindowExecutionId"])
    [first, second] = [t["TaskExecutionId"] for t in res["Tasks"]]
    assert sorted(got[first]) == [A, B, C] and sorted(got[second]) == [A, C]
    assert len(by_arn[first]["CommandIds"]) == 3 and len(by_arn[second]["CommandIds"]) == 2
    [state] = ssm.describe_instance_patch_states(InstanceIds=[B])["InstancePatchStates"]
    assert state["Operation"] == "Install"   # B's last operation: the install, not the rescan


def test_window_exclusions_are_checked(ssm, fleet):
    wid, (task,) = window(ssm)
    code, msg = refused(fleet, f"/_ssmpatch/windows/{wid}/execute", "POST", {"exclude": ["i-0000000000000dead"]})
    assert code == 400 and "i-0000000000000dead" in msg and "not a target" in msg
    code, msg = refused(fleet, f"/_ssmpatch/windows/{wid}/execute", "POST", {"exclude_tasks": {"nope": [A]}})
    assert code == 400 and "nope" in msg
    code, msg = refused(fleet, f"/_ssmpatch/windows/{wid}/execute", "POST", {"exclude": A})
    assert code == 400 and "exclude" in msg
    code, msg = refused(fleet, f"/_ssmpatch/windows/{wid}/execute", "POST", {"exclude_tasks": {task: A}})
    assert code == 400 and "exclude_tasks" in msg
    # nothing ran
    assert ssm.describe_maintenance_window_executions(WindowId=wid)["WindowExecutions"] == []


def test_association_exclude_leaves_the_node_out_of_the_execution(ssm, fleet):
    aid = ssm.create_association(Name="AWS-RunPatchBaseline", Parameters={"Operation": ["Scan"]},
                                 Targets=[{"Key": "tag:PatchGroup", "Values": ["web"]}],
                                 ScheduleExpression="cron(0 3 ? * SUN *)",
                                 ApplyOnlyAtCronInterval=True)["AssociationDescription"]["AssociationId"]
    res = control(fleet, f"/_ssmpatch/associations/{aid}/run", "POST", {"exclude": [C]})
    assert sorted(res["InstanceIds"]) == [A, B]
    targets = ssm.describe_association_execution_targets(AssociationId=aid, ExecutionId=res["ExecutionId"])[
        "AssociationExecutionTargets"]
    assert sorted(t["ResourceId"] for t in targets) == [A, B]
    code, msg = refused(fleet, f"/_ssmpatch/associations/{aid}/run", "POST", {"exclude": ["i-0000000000000dead"]})
    assert code == 400 and "not a target" in msg


# --- agent state ------------------------------------------------------------------------------------

def test_agent_state_is_reported_and_filtered(ssm, fleet):
    res = control(fleet, f"/_ssmpatch/nodes/{B}/agent", "POST",
                  {"PingStatus": "ConnectionLost", "LastPingDateTime": "2026-11-01T10:00:00Z"})
    assert (res["PingStatus"], res["LastPingDateTime"]) == ("ConnectionLost", "2026-11-01T10:00:00Z")
    lost = ssm.describe_instance_information(Filters=[{"Key": "PingStatus", "Values": ["ConnectionLost"]}])[
        "InstanceInformationList"]
    assert [(i["InstanceId"], i["LastPingDateTime"]) for i in lost] == [
        (B, datetime.datetime(2026, 11, 1, 10, tzinfo=datetime.timezone.utc).astimezone(lost[0]["LastPingDateTime"].tzinfo))]
    online = ssm.describe_instance_information(Filters=[{"Key": "PingStatus", "Values": ["Online"]}])[
        "InstanceInformationList"]
    assert sorted(i["InstanceId"] for i in online) == [A, C]
    # back online: reported now
    res = control(fleet, f"/_ssmpatch/nodes/{B}/agent", "POST", {"PingStatus": "Online"})
    assert res["PingStatus"] == "Online"
    assert len(ssm.describe_instance_information(Filters=[{"Key": "PingStatus", "Values": ["Online"]}])[
        "InstanceInformationList"]) == 3


def test_agent_state_is_checked(fleet):
    for body, word in (({"PingStatus": "Inactive"}, "PingStatus"), ({"PingStatus": "Sleeping"}, "PingStatus"),
                       ({}, "PingStatus"),
                       ({"PingStatus": "ConnectionLost", "LastPingDateTime": "yesterday"}, "LastPingDateTime"),
                       ({"PingStatus": "ConnectionLost", "LastPingDateTime": "2999-01-01T00:00:00Z"}, "future"),
                       ({"PingStatus": "ConnectionLost", "Other": 1}, "Other")):
        code, msg = refused(fleet, f"/_ssmpatch/nodes/{B}/agent", "POST", body)
        assert code == 400 and word in msg, (body, msg)
    code, _ = refused(fleet, "/_ssmpatch/nodes/i-0000000000000dead/agent", "POST", {"PingStatus": "Online"})
    assert code == 404


def test_a_node_registered_offline(ssm, clean):
    control(clean, "/_ssmpatch/nodes", "POST", {"nodes": [dict(node(A), PingStatus="ConnectionLost")]})
    [info] = ssm.describe_instance_information()["InstanceInformationList"]
    assert info["PingStatus"] == "ConnectionLost"
    code, msg = refused(clean, "/_ssmpatch/nodes", "POST", {"nodes": [dict(node(B), PingStatus="Inactive")]})
    assert code == 400 and "PingStatus" in msg


def test_a_command_to_an_offline_node_times_out_and_changes_nothing(ssm, fleet):
    control(fleet, f"/_ssmpatch/nodes/{B}/agent", "POST", {"PingStatus": "ConnectionLost"})
    cmd = ssm.send_command(DocumentName="AWS-RunPatchBaseline", InstanceIds=[A, B],
                           Parameters={"Operation": ["Scan"]})["Command"]["CommandId"]
    invs = {i["InstanceId"]: i for i in ssm.list_command_invocations(CommandId=cmd)["CommandInvocations"]}
    assert (invs[A]["Status"], invs[A]["StatusDetails"]) == ("Success", "Success")
    assert (invs[B]["Status"], invs[B]["StatusDetails"]) == ("TimedOut", "Delivery Timed Out")
    got = ssm.get_command_invocation(CommandId=cmd, InstanceId=B, PluginName="PatchLinux")
    assert (got["Status"], got["StatusDetails"], got["ResponseCode"], got["StandardOutputContent"]) == (
        "TimedOut", "Delivery Timed Out", -1, "")
    [c] = ssm.list_commands(CommandId=cmd)["Commands"]
    assert (c["Status"], c["StatusDetails"], c["DeliveryTimedOutCount"], c["ErrorCount"]) == (
        "Failed", "Incomplete", 1, 0)
    assert [s["InstanceId"] for s in ssm.describe_instance_patch_states(InstanceIds=[A, B])["InstancePatchStates"]] == [A]
    assert ssm.list_compliance_items(ResourceIds=[B], ResourceTypes=["ManagedInstance"])["ComplianceItems"] == []
    # every target offline: the command timed out
    only = ssm.send_command(DocumentName="AWS-RunPatchBaseline", InstanceIds=[B],
                            Parameters={"Operation": ["Scan"]})["Command"]["CommandId"]
    [c] = ssm.list_commands(CommandId=only)["Commands"]
    assert (c["Status"], c["StatusDetails"]) == ("TimedOut", "Delivery Timed Out")


def test_window_and_association_targets_of_an_offline_node_time_out(ssm, fleet):
    control(fleet, f"/_ssmpatch/nodes/{C}/agent", "POST", {"PingStatus": "ConnectionLost"})
    wid, _ = window(ssm)
    res = control(fleet, f"/_ssmpatch/windows/{wid}/execute", "POST", {})
    assert res["Status"] == "FAILED"
    [per_node] = invocations(ssm, res["WindowExecutionId"]).values()
    assert per_node[C][:2] == ("TIMED_OUT", "Delivery Timed Out") and per_node[A][:2] == ("SUCCESS", "Success")
    aid = ssm.create_association(Name="AWS-RunPatchBaseline", Parameters={"Operation": ["Scan"]},
                                 Targets=[{"Key": "tag:PatchGroup", "Values": ["web"]}],
                                 ScheduleExpression="cron(0 3 ? * SUN *)",
                                 ApplyOnlyAtCronInterval=True)["AssociationDescription"]["AssociationId"]
    run = control(fleet, f"/_ssmpatch/associations/{aid}/run", "POST", {})
    targets = {t["ResourceId"]: t for t in ssm.describe_association_execution_targets(
        AssociationId=aid, ExecutionId=run["ExecutionId"])["AssociationExecutionTargets"]}
    assert (targets[C]["Status"], targets[C]["DetailedStatus"]) == ("TimedOut", "Delivery Timed Out")
    assert ssm.describe_instance_patch_states(InstanceIds=[C])["InstancePatchStates"] == []


# --- a node that is gone ----------------------------------------------------------------------------

def test_deleting_one_node(ssm, fleet):
    res = control(fleet, f"/_ssmpatch/nodes/{B}", "DELETE")
    assert res["InstanceId"] == B
    ids = sorted(i["InstanceId"] for i in ssm.describe_instance_information()["InstanceInformationList"])
    assert ids == [A, C]
    assert sorted(n["InstanceId"] for n in control(fleet, "/_ssmpatch/nodes")) == [A, C]
    with pytest.raises(botocore.exceptions.ClientError, match="InvalidInstanceId"):
        ssm.send_command(DocumentName="AWS-RunPatchBaseline", InstanceIds=[B], Parameters={"Operation": ["Scan"]})
    assert ssm.list_tags_for_resource(ResourceType="ManagedInstance", ResourceId=A)["TagList"]
    wid, _ = window(ssm)
    res = control(fleet, f"/_ssmpatch/windows/{wid}/execute", "POST", {})
    [per_node] = invocations(ssm, res["WindowExecutionId"]).values()
    assert sorted(per_node) == [A, C]
    code, _ = refused(fleet, f"/_ssmpatch/nodes/{B}", "DELETE", None)
    assert code == 404


def test_a_node_gone_but_named_by_id_is_undeliverable(ssm, fleet):
    wid = ssm.create_maintenance_window(Name="by-id", Schedule="cron(0 3 ? * SUN *)", Duration=2, Cutoff=0,
                                        AllowUnassociatedTargets=False)["WindowId"]
    tid = ssm.register_target_with_maintenance_window(
        WindowId=wid, ResourceType="INSTANCE", Targets=[{"Key": "InstanceIds", "Values": [A, B]}])["WindowTargetId"]
    ssm.register_task_with_maintenance_window(
        WindowId=wid, TaskArn="AWS-RunPatchBaseline", TaskType="RUN_COMMAND", Priority=1, MaxConcurrency="10",
        MaxErrors="0", Targets=[{"Key": "WindowTargetIds", "Values": [tid]}],
        TaskInvocationParameters={"RunCommand": {"Parameters": {"Operation": ["Scan"]}}})
    control(fleet, f"/_ssmpatch/nodes/{B}", "DELETE")
    res = control(fleet, f"/_ssmpatch/windows/{wid}/execute", "POST", {})
    [per_node] = invocations(ssm, res["WindowExecutionId"]).values()
    assert per_node[A][:2] == ("SUCCESS", "Success") and per_node[B][:2] == ("FAILED", "Undeliverable")
    [inv] = ssm.list_command_invocations(CommandId=per_node[B][2])["CommandInvocations"]
    assert (inv["Status"], inv["StatusDetails"]) == ("Failed", "Undeliverable")
    assert ssm.describe_instance_patch_states(InstanceIds=[B])["InstancePatchStates"] == []


# --- ListCommands -----------------------------------------------------------------------------------

def _send(ssm, ids, doc="AWS-RunPatchBaseline", comment=""):
    params = {"Operation": ["Scan"]} if doc == "AWS-RunPatchBaseline" else {"commands": ["true"]}
    return ssm.send_command(DocumentName=doc, InstanceIds=ids, Parameters=params, Comment=comment)["Command"]


def test_list_commands_filters(ssm, fleet):
    first = _send(ssm, [A])
    other = _send(ssm, [B], doc="AWS-RunShellScript")
    control(fleet, f"/_ssmpatch/nodes/{C}/agent", "POST", {"PingStatus": "ConnectionLost"})
    late = _send(ssm, [C])

    def ids(**kw):
        return [c["CommandId"] for p in ssm.get_paginator("list_commands").paginate(**kw) for c in p["Commands"]]

    assert sorted(ids(Filters=[{"key": "DocumentName", "value": "AWS-RunPatchBaseline"}])) == sorted(
        [first["CommandId"], late["CommandId"]])
    assert ids(Filters=[{"key": "DocumentName", "value": "AWS-RunShellScript"}]) == [other["CommandId"]]
    assert ids(InstanceId=B) == [other["CommandId"]]
    assert ids(Filters=[{"key": "Status", "value": "Success"}, {"key": "DocumentName",
                                                                "value": "AWS-RunPatchBaseline"}]) == [first["CommandId"]]
    assert ids(Filters=[{"key": "Status", "value": "TimedOut"}]) == [late["CommandId"]]
    assert ids(Filters=[{"key": "Status", "value": "DeliveryTimedOut"}]) == [late["CommandId"]]
    assert ids(Filters=[{"key": "Status", "value": "Pending"}]) == []
    assert len(ids(Filters=[{"key": "ExecutionStage", "value": "Complete"}])) == 3
    assert ids(Filters=[{"key": "ExecutionStage", "value": "Executing"}]) == []
    t = first["RequestedDateTime"].astimezone(datetime.timezone.utc)
    after = (t + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    before = (t - datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert len(ids(Filters=[{"key": "InvokedAfter", "value": before}])) == 3
    assert ids(Filters=[{"key": "InvokedAfter", "value": after}]) == []
    assert ids(Filters=[{"key": "InvokedBefore", "value": before}]) == []
    assert len(ids(Filters=[{"key": "InvokedBefore", "value": after}])) == 3


def test_list_commands_rules(ssm, fleet):
    _send(ssm, [A])
    # "You can't specify a managed node ID in the same command that you specify Status = Pending."
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ssm.list_commands(InstanceId=A, Filters=[{"key": "Status", "value": "Pending"}])
    assert "Pending" in str(e.value)
    for f, code in (({"key": "Status", "value": "Sleeping"}, "InvalidFilterValue"),
                    ({"key": "Status", "value": "Undeliverable"}, "InvalidFilterValue"),   # ListCommandInvocations only
                    ({"key": "ExecutionStage", "value": "Done"}, "InvalidFilterValue"),
                    ({"key": "InvokedAfter", "value": "yesterday"}, "InvalidFilterValue"),
                    ({"key": "Other", "value": "x"}, "ValidationException")):   # not in the model's enum
        with pytest.raises(botocore.exceptions.ClientError) as e:
            ssm.list_commands(Filters=[f])
        assert e.value.response["Error"]["Code"] == code, f
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ssm.list_commands(CommandId="00000000-0000-4000-8000-000000000000")
    assert e.value.response["Error"]["Code"] == "InvalidCommandId"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ssm.list_commands(MaxResults=51)
    assert e.value.response["Error"]["Code"] == "ValidationException"
    assert [v["operation"] for v in control(fleet, "/_ssmpatch/violations", "DELETE")] == ["ListCommands"] * 2


def test_list_commands_pages(ssm, fleet):
    sent = [_send(ssm, [A], comment=f"c{i}")["CommandId"] for i in range(5)]
    page = ssm.list_commands(MaxResults=2)
    assert len(page["Commands"]) == 2 and page["NextToken"]
    seen = [c["CommandId"] for c in page["Commands"]]
    while "NextToken" in page:
        page = ssm.list_commands(MaxResults=2, NextToken=page["NextToken"])
        seen += [c["CommandId"] for c in page["Commands"]]
    assert sorted(seen) == sorted(sent) and len(seen) == 5
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ssm.list_commands(NextToken="not-ours")
    assert e.value.response["Error"]["Code"] == "InvalidNextToken"


def test_list_commands_pages_under_the_page_size_setting(ssm, fleet):
    sent = [_send(ssm, [A])["CommandId"] for _ in range(3)]
    control(fleet, "/_ssmpatch/settings", "POST", {"page_size": 2})
    page = ssm.list_commands(Filters=[{"key": "DocumentName", "value": "AWS-RunPatchBaseline"}])
    assert len(page["Commands"]) == 2 and page.get("NextToken")
    rest = ssm.list_commands(Filters=[{"key": "DocumentName", "value": "AWS-RunPatchBaseline"}],
                             NextToken=page["NextToken"])
    assert sorted(c["CommandId"] for c in page["Commands"] + rest["Commands"]) == sorted(sent)


# --- window execution filters -----------------------------------------------------------------------

def test_window_execution_filters(ssm, fleet):
    wid, _ = window(ssm)
    runs = [control(fleet, f"/_ssmpatch/windows/{wid}/execute", "POST", {})["WindowExecutionId"] for _ in range(2)]
    [start] = [e["StartTime"] for e in ssm.describe_maintenance_window_executions(WindowId=wid)["WindowExecutions"]
               if e["WindowExecutionId"] == runs[0]]
    start = start.astimezone(datetime.timezone.utc)
    day_before = (start - datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    day_after = (start + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")

    def ids(filters):
        return sorted(e["WindowExecutionId"] for e in ssm.describe_maintenance_window_executions(
            WindowId=wid, Filters=filters)["WindowExecutions"])

    assert ids([{"Key": "ExecutedAfter", "Values": [day_before]}]) == sorted(runs)
    assert ids([{"Key": "ExecutedAfter", "Values": [day_after]}]) == []
    assert ids([{"Key": "ExecutedBefore", "Values": [day_before]}]) == []
    assert ids([{"Key": "ExecutedBefore", "Values": [day_after]},
                {"Key": "ExecutedAfter", "Values": [day_before]}]) == sorted(runs)
    for bad in ([{"Key": "Status", "Values": ["SUCCESS"]}], [{"Key": "ExecutedAfter", "Values": ["yesterday"]}],
                [{"Key": "ExecutedAfter", "Values": []}]):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            ssm.describe_maintenance_window_executions(WindowId=wid, Filters=bad)
        assert e.value.response["Error"]["Code"] == "ValidationException", bad
    # all three are well-formed for the model (no violation): the stand-in's own checks refused them
    assert control(fleet, "/_ssmpatch/violations") == []


# --- what a scan writes -----------------------------------------------------------------------------

def test_patch_compliance_execution_time_is_the_operation_start(ssm, fleet):
    _send(ssm, [A])
    [state] = ssm.describe_instance_patch_states(InstanceIds=[A])["InstancePatchStates"]
    [summary] = [s for s in ssm.list_resource_compliance_summaries(
        Filters=[{"Key": "ComplianceType", "Values": ["Patch"], "Type": "EQUAL"}])["ResourceComplianceSummaryItems"]
        if s["ResourceId"] == A]
    assert summary["ExecutionSummary"]["ExecutionTime"] == state["OperationStartTime"]
    assert summary["ExecutionSummary"]["ExecutionId"] == state["SnapshotId"]


def test_a_scan_sent_by_another_caller_replaces_patch_compliance_and_is_listed(ssm, fleet, clean):
    wid, _ = window(ssm, (("Install", 1),))
    control(fleet, f"/_ssmpatch/windows/{wid}/execute", "POST", {})
    [ours] = ssm.describe_instance_patch_states(InstanceIds=[A])["InstancePatchStates"]
    other = boto3.client("ssm", endpoint_url=clean, region_name="us-east-1",
                         aws_access_key_id="other", aws_secret_access_key="other")
    comment = "nightly <img src=x onerror=alert(1)>"
    sent = other.send_command(DocumentName="AWS-RunPatchBaseline", InstanceIds=[A],
                              Parameters={"Operation": ["Scan"]}, Comment=comment)["Command"]
    assert [c["caller"] for c in control(clean, "/_ssmpatch/calls") if c["name"] == "SendCommand"] == ["other"]
    [state] = ssm.describe_instance_patch_states(InstanceIds=[A])["InstancePatchStates"]
    assert state["Operation"] == "Scan" and state["SnapshotId"] != ours["SnapshotId"]
    assert state["OperationStartTime"] >= ours["OperationEndTime"]
    [summary] = [s for s in ssm.list_resource_compliance_summaries(
        Filters=[{"Key": "ComplianceType", "Values": ["Patch"], "Type": "EQUAL"}])["ResourceComplianceSummaryItems"]
        if s["ResourceId"] == A]
    assert summary["ExecutionSummary"] == {"ExecutionTime": state["OperationStartTime"],
                                           "ExecutionId": state["SnapshotId"], "ExecutionType": "Command"}
    after = (ours["OperationEndTime"] - datetime.timedelta(seconds=60)).astimezone(datetime.timezone.utc)
    listed = ssm.list_commands(InstanceId=A, Filters=[
        {"key": "DocumentName", "value": "AWS-RunPatchBaseline"},
        {"key": "InvokedAfter", "value": after.strftime("%Y-%m-%dT%H:%M:%SZ")}])["Commands"]
    [named] = [c for c in listed if c["CommandId"] == sent["CommandId"]]
    assert (named["Comment"], named["Parameters"]["Operation"], named["RequestedDateTime"]) == (
        comment, ["Scan"], sent["RequestedDateTime"])


# --- one command for every target of a window task (the other reading) ---------------------------------

def test_window_commands_per_task_send_one_command_whose_invocations_name_every_node(ssm, fleet):
    control(fleet, f"/_ssmpatch/nodes/{C}/agent", "POST", {"PingStatus": "ConnectionLost"})
    control(fleet, "/_ssmpatch/settings", "POST", {"window_commands": "per-task"})
    wid, _ = window(ssm)
    res = control(fleet, f"/_ssmpatch/windows/{wid}/execute", "POST", {"exclude": [B]})
    [task] = res["Tasks"]
    [command] = task["CommandIds"]
    [inv] = ssm.describe_maintenance_window_execution_task_invocations(
        WindowExecutionId=res["WindowExecutionId"], TaskId=task["TaskExecutionId"])["WindowExecutionTaskInvocationIdentities"]
    assert inv["ExecutionId"] == command and sorted(json.loads(inv["Parameters"])["instanceIds"]) == [A, C]
    # the command's status, not each node's: those are Run Command's
    assert (inv["Status"], inv["StatusDetails"]) == ("FAILED", "Incomplete")
    per_node = {i["InstanceId"]: (i["Status"], i["StatusDetails"])
                for i in ssm.list_command_invocations(CommandId=command)["CommandInvocations"]}
    assert per_node == {A: ("Success", "Success"), C: ("TimedOut", "Delivery Timed Out")}


def test_window_commands_setting_is_checked(clean):
    code, msg = refused(clean, "/_ssmpatch/settings", "POST", {"window_commands": "per-window"})
    assert code == 400 and "window_commands" in msg


def test_window_snapshot_parameter_false_gives_the_snapshot_id_to_the_node_only(ssm, fleet):
    control(fleet, "/_ssmpatch/settings", "POST", {"window_snapshot_parameter": False})
    wid, _ = window(ssm)
    res = control(fleet, f"/_ssmpatch/windows/{wid}/execute", "POST", {})
    [task] = res["Tasks"]
    [inv, *_] = ssm.describe_maintenance_window_execution_task_invocations(
        WindowExecutionId=res["WindowExecutionId"], TaskId=task["TaskExecutionId"])["WindowExecutionTaskInvocationIdentities"]
    assert "SnapshotId" not in json.loads(inv["Parameters"])["parameters"]
    [cmd] = ssm.list_commands(CommandId=inv["ExecutionId"])["Commands"]
    assert "SnapshotId" not in cmd["Parameters"]
    # the node ran with it all the same
    [state] = ssm.describe_instance_patch_states(InstanceIds=[A])["InstancePatchStates"]
    assert state["SnapshotId"] == res["WindowExecutionId"]
    code, msg = refused(fleet, "/_ssmpatch/settings", "POST", {"window_snapshot_parameter": "yes"})
    assert code == 400 and "window_snapshot_parameter" in msg
