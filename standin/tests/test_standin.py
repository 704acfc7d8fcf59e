"""The stand-in behaves as AWS documents for what ssmpatch uses."""

import botocore.exceptions
import pytest

from conftest import control


def test_window_update_get_and_replace(ssm, clean):
    wid = ssm.create_maintenance_window(Name="win-1", Schedule="cron(0 3 ? * SUNL *)", ScheduleTimezone="Asia/Tokyo",
                                        Duration=4, Cutoff=1, AllowUnassociatedTargets=False,
                                        Tags=[{"Key": "ssmpatch:plan", "Value": "p"}])["WindowId"]
    w = ssm.get_maintenance_window(WindowId=wid)
    assert (w["Schedule"], w["ScheduleTimezone"], w["Duration"], w["AllowUnassociatedTargets"]) == (
        "cron(0 3 ? * SUNL *)", "Asia/Tokyo", 4, False)
    ssm.update_maintenance_window(WindowId=wid, ScheduleOffset=2)
    assert ssm.get_maintenance_window(WindowId=wid)["ScheduleOffset"] == 2
    # ScheduleOffset max 6 (model): rejected with ValidationException and recorded as a violation.
    with pytest.raises(botocore.exceptions.ClientError, match="ValidationException.*ScheduleOffset.*maximum 6"):
        ssm.update_maintenance_window(WindowId=wid, ScheduleOffset=9)
    assert [v["operation"] for v in control(clean, "/_ssmpatch/violations", "DELETE")] == ["UpdateMaintenanceWindow"]
    with pytest.raises(botocore.exceptions.ClientError, match="cron"):
        ssm.update_maintenance_window(WindowId=wid, Schedule="rate(7 days)")
    ssm.update_maintenance_window(WindowId=wid, Name="win-1", Schedule="cron(0 3 ? * SUNL *)", Duration=4, Cutoff=1,
                                  AllowUnassociatedTargets=False, Replace=True)
    assert "ScheduleOffset" not in ssm.get_maintenance_window(WindowId=wid)
    tags = ssm.list_tags_for_resource(ResourceType="MaintenanceWindow", ResourceId=wid)["TagList"]
    assert tags == [{"Key": "ssmpatch:plan", "Value": "p"}]


def test_window_task_get_and_update(ssm):
    wid = ssm.create_maintenance_window(Name="win", Schedule="rate(7 days)", Duration=2, Cutoff=1,
                                        AllowUnassociatedTargets=False)["WindowId"]
    tid = ssm.register_target_with_maintenance_window(WindowId=wid, ResourceType="INSTANCE",
                                                      Targets=[{"Key": "tag:Patch Group", "Values": ["web"]}])["WindowTargetId"]
    task = ssm.register_task_with_maintenance_window(
        WindowId=wid, Targets=[{"Key": "WindowTargetIds", "Values": [tid]}], TaskArn="AWS-RunPatchBaseline",
        TaskType="RUN_COMMAND", Priority=1, MaxConcurrency="10%", MaxErrors="5%", Name="install",
        TaskInvocationParameters={"RunCommand": {"Parameters": {"Operation": ["Install"]}}})["WindowTaskId"]
    got = ssm.get_maintenance_window_task(WindowId=wid, WindowTaskId=task)
    assert got["TaskInvocationParameters"]["RunCommand"]["Parameters"] == {"Operation": ["Install"]}
    ssm.update_maintenance_window_task(WindowId=wid, WindowTaskId=task, Priority=2)
    assert ssm.get_maintenance_window_task(WindowId=wid, WindowTaskId=task)["Priority"] == 2


def test_patch_baseline_get_update_prefix_and_groups(ssm):
    bid = ssm.create_patch_baseline(Name="ssmpatch-p-al2023", OperatingSystem="AMAZON_LINUX_2023",
                                    ApprovalRules={"PatchRules": [{"PatchFilterGroup": {"PatchFilters": []},
                                                                   "ApproveAfterDays": 21}]})["BaselineId"]
    ssm.create_patch_baseline(Name="other-baseline", OperatingSystem="AMAZON_LINUX_2023")
    found = ssm.describe_patch_baselines(Filters=[{"Key": "NAME_PREFIX", "Values": ["ssmpatch-p-"]}])["BaselineIdentities"]
    assert [b["BaselineId"] for b in found] == [bid]
    ssm.register_patch_baseline_for_patch_group(BaselineId=bid, PatchGroup="web")
    b = ssm.get_patch_baseline(BaselineId=bid)
    assert b["PatchGroups"] == ["web"]
    assert b["ApprovalRules"]["PatchRules"][0]["ApproveAfterDays"] == 21
    ssm.update_patch_baseline(BaselineId=bid, ApprovalRules={"PatchRules": [{"PatchFilterGroup": {"PatchFilters": []},
                                                                             "ApproveAfterDays": 14}]})
    assert ssm.get_patch_baseline(BaselineId=bid)["ApprovalRules"]["PatchRules"][0]["ApproveAfterDays"] == 14
    with pytest.raises(botocore.exceptions.ClientError, match="ResourceInUse"):
        ssm.delete_patch_baseline(BaselineId=bid)
    ssm.deregister_patch_baseline_for_patch_group(BaselineId=bid, PatchGroup="web")
    assert ssm.get_patch_baseline(BaselineId=bid)["PatchGroups"] == []
    ssm.delete_patch_baseline(BaselineId=bid)


def test_associations(ssm):
    a = ssm.create_association(Name="AWS-RunPatchBaseline", AssociationName="ssmpatch-p-install",
                               ScheduleExpression="cron(0 17 ? * SUN#1 *)", ScheduleOffset=6,
                               ApplyOnlyAtCronInterval=True, Parameters={"Operation": ["Install"]},
                               Targets=[{"Key": "tag:Patch Group", "Values": ["web"]}],
                               Tags=[{"Key": "ssmpatch:plan", "Value": "p"}])["AssociationDescription"]
    assert a["AssociationVersion"] == "1"
    got = ssm.describe_association(AssociationId=a["AssociationId"])["AssociationDescription"]
    assert (got["ScheduleOffset"], got["ApplyOnlyAtCronInterval"]) == (6, True)
    # UpdateAssociation overwrites optional parameters it is not given with null (API_UpdateAssociation).
    ssm.update_association(AssociationId=a["AssociationId"], ScheduleExpression="cron(0 17 ? * SUN#2 *)",
                           AssociationName="ssmpatch-p-install", Parameters={"Operation": ["Install"]},
                           Targets=got["Targets"])
    got = ssm.describe_association(AssociationId=a["AssociationId"])["AssociationDescription"]
    assert got["AssociationVersion"] == "2" and "ScheduleOffset" not in got
    listed = ssm.list_associations(AssociationFilterList=[{"key": "AssociationName", "value": "ssmpatch-p-install"}])
    assert len(listed["Associations"]) == 1
    tags = ssm.list_tags_for_resource(ResourceType="Association", ResourceId=a["AssociationId"])["TagList"]
    assert tags == [{"Key": "ssmpatch:plan", "Value": "p"}]
    with pytest.raises(botocore.exceptions.ClientError, match="ApplyOnlyAtCronInterval"):
        ssm.create_association(Name="AWS-RunPatchBaseline", ScheduleExpression="cron(0 1 ? * SUN *)", ScheduleOffset=2)
    ssm.delete_association(AssociationId=a["AssociationId"])
    assert ssm.list_associations()["Associations"] == []


def test_faults_and_call_log(ssm, clean):
    control(clean, "/_ssmpatch/calls", "DELETE")
    control(clean, "/_ssmpatch/faults", "POST", {"throttle": 1.0, "operations": ["DescribeMaintenanceWindows"]})
    with pytest.raises(botocore.exceptions.ClientError, match="Throttling"):
        ssm.meta.config.retries = {"max_attempts": 1}
        ssm.describe_maintenance_windows()
    control(clean, "/_ssmpatch/faults", "POST", {})
    ssm.describe_maintenance_windows()
    calls = control(clean, "/_ssmpatch/calls")
    assert (calls[-1]["service"], calls[-1]["operation"]) == ("ssm", "DescribeMaintenanceWindows")


def test_invalid_requests_are_recorded(clean):
    import json
    import urllib.request
    req = urllib.request.Request(clean + "/", method="POST", data=json.dumps({"Name": "x"}).encode(), headers={
        "X-Amz-Target": "AmazonSSM.CreateMaintenanceWindow", "Content-Type": "application/x-amz-json-1.1",
        "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/ssm/aws4_request, SignedHeaders=host, Signature=x"})
    try:
        urllib.request.urlopen(req)
    except Exception:
        pass
    v = control(clean, "/_ssmpatch/violations")
    assert v and v[0]["operation"] == "CreateMaintenanceWindow"
    assert any("Schedule" in p for p in v[0]["problems"])
    control(clean, "/_ssmpatch/violations", "DELETE")


def test_association_versions_and_concurrency(ssm):
    a = ssm.create_association(Name="AWS-RunPatchBaseline", AssociationName="ssmpatch-v", ScheduleExpression="rate(1 day)",
                               Parameters={"Operation": ["Scan"]},
                               Targets=[{"Key": "tag:PatchGroup", "Values": ["db"]}])["AssociationDescription"]
    aid = a["AssociationId"]
    ssm.update_association(AssociationId=aid, AssociationVersion="1", AssociationName="ssmpatch-v",
                           ScheduleExpression="rate(2 days)", Parameters={"Operation": ["Scan"]},
                           Targets=[{"Key": "tag:PatchGroup", "Values": ["db"]}])
    # A stale AssociationVersion is rejected (API_UpdateAssociation: concurrency control).
    with pytest.raises(botocore.exceptions.ClientError, match="InvalidAssociationVersion"):
        ssm.update_association(AssociationId=aid, AssociationVersion="1", ScheduleExpression="rate(3 days)")
    versions = ssm.list_association_versions(AssociationId=aid)["AssociationVersions"]
    assert [(v["AssociationVersion"], v["ScheduleExpression"]) for v in versions] == [
        ("1", "rate(1 day)"), ("2", "rate(2 days)")]
    old = ssm.describe_association(AssociationId=aid, AssociationVersion="1")["AssociationDescription"]
    assert old["ScheduleExpression"] == "rate(1 day)"
    with pytest.raises(botocore.exceptions.ClientError, match="InvalidSchedule"):
        ssm.update_association(AssociationId=aid, ScheduleExpression="rate(2 days)", ApplyOnlyAtCronInterval=True)


def test_list_associations_paginates(ssm):
    for i in range(55):
        ssm.create_association(Name="AWS-RunPatchBaseline", AssociationName=f"a{i:02d}", ScheduleExpression="rate(1 day)",
                               Targets=[{"Key": "tag:PatchGroup", "Values": ["db"]}])
    first = ssm.list_associations()
    assert len(first["Associations"]) == 50 and "NextToken" in first
    pages = ssm.get_paginator("list_associations").paginate()
    assert sum(len(p["Associations"]) for p in pages) == 55


def test_quotas(ssm, clean):
    # Service Quotas default "Maintenance windows: 50" (aws-facts §7); adjustable through the control API.
    control(clean, "/_ssmpatch/settings", "POST", {"quotas": {"maintenance_windows": 2}})
    try:
        for i in range(2):
            ssm.create_maintenance_window(Name=f"ssmpatch-q{i}", Schedule="rate(7 days)", Duration=2, Cutoff=1,
                                          AllowUnassociatedTargets=False)
        with pytest.raises(botocore.exceptions.ClientError, match="ResourceLimitExceeded"):
            ssm.create_maintenance_window(Name="ssmpatch-q2", Schedule="rate(7 days)", Duration=2, Cutoff=1,
                                          AllowUnassociatedTargets=False)
    finally:
        control(clean, "/_ssmpatch/settings", "POST", {"quotas": {"maintenance_windows": 50}})
    assert control(clean, "/_ssmpatch/settings")["quotas"]["maintenance_windows"] == 50


def test_tags_on_associations_and_baselines(ssm):
    aid = ssm.create_association(Name="AWS-RunPatchBaseline", AssociationName="ssmpatch-tags", ScheduleExpression="rate(1 day)",
                                 Targets=[{"Key": "tag:PatchGroup", "Values": ["db"]}])["AssociationDescription"]["AssociationId"]
    bid = ssm.create_patch_baseline(Name="ssmpatch-tags", OperatingSystem="UBUNTU")["BaselineId"]
    for rtype, rid in (("Association", aid), ("PatchBaseline", bid)):
        ssm.add_tags_to_resource(ResourceType=rtype, ResourceId=rid, Tags=[{"Key": "ssmpatch:plan", "Value": "p"},
                                                                           {"Key": "x", "Value": "1"}])
        ssm.remove_tags_from_resource(ResourceType=rtype, ResourceId=rid, TagKeys=["x"])
        assert ssm.list_tags_for_resource(ResourceType=rtype, ResourceId=rid)["TagList"] == [
            {"Key": "ssmpatch:plan", "Value": "p"}]
    with pytest.raises(botocore.exceptions.ClientError, match="InvalidResourceId"):
        ssm.list_tags_for_resource(ResourceType="Association", ResourceId="00000000-0000-0000-0000-000000000000")


def test_head_object_keeps_the_objects_length(s3, clean):
    # Answers pass through the stand-in's middleware (paging, tokens, faults): a HEAD's
    # Content-Length is the object's, not that of the empty body.
    s3.create_bucket(Bucket="head-bucket")
    s3.put_object(Bucket="head-bucket", Key="k", Body=b"12345")
    assert s3.head_object(Bucket="head-bucket", Key="k")["ContentLength"] == 5


def test_update_maintenance_window_target(ssm):
    """moto lacks UpdateMaintenanceWindowTarget; the stand-in follows the API reference: fields not
    given are kept, or set to null with Replace (which needs every field RegisterTarget requires)."""
    w = ssm.create_maintenance_window(Name="upd", Schedule="cron(0 1 ? * SUN *)", Duration=3, Cutoff=1,
                                      AllowUnassociatedTargets=False)["WindowId"]
    t = ssm.register_target_with_maintenance_window(WindowId=w, ResourceType="INSTANCE", Name="tags", Description="d",
                                                    Targets=[{"Key": "tag:Env", "Values": ["a"]}])["WindowTargetId"]
    out = ssm.update_maintenance_window_target(WindowId=w, WindowTargetId=t, Targets=[{"Key": "tag:Env", "Values": ["b"]}])
    assert (out["Targets"], out["Name"], out["Description"]) == ([{"Key": "tag:Env", "Values": ["b"]}], "tags", "d")
    out = ssm.update_maintenance_window_target(WindowId=w, WindowTargetId=t, Targets=[{"Key": "tag:Env", "Values": ["c"]}],
                                               Replace=True)
    assert "Name" not in out and "Description" not in out
    [listed] = ssm.describe_maintenance_window_targets(WindowId=w)["Targets"]
    assert listed["Targets"] == [{"Key": "tag:Env", "Values": ["c"]}]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ssm.update_maintenance_window_target(WindowId=w, WindowTargetId=t, Replace=True)
    assert e.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ssm.update_maintenance_window_target(WindowId=w, WindowTargetId="00000000-0000-4000-8000-000000000000", Name="xyz")
    assert e.value.response["Error"]["Code"] == "DoesNotExistException"


def test_describe_patch_groups_lists_custom_registrations_with_filters_and_pages(ssm, clean):
    al = ssm.create_patch_baseline(Name="pg-al", OperatingSystem="AMAZON_LINUX_2023")["BaselineId"]
    ub = ssm.create_patch_baseline(Name="pg-ub", OperatingSystem="UBUNTU")["BaselineId"]
    ssm.register_patch_baseline_for_patch_group(BaselineId=al, PatchGroup="web")
    ssm.register_patch_baseline_for_patch_group(BaselineId=ub, PatchGroup="web")
    ssm.register_patch_baseline_for_patch_group(BaselineId=al, PatchGroup="db")
    got = ssm.describe_patch_groups()["Mappings"]
    assert sorted((m["PatchGroup"], m["BaselineIdentity"]["BaselineId"]) for m in got) == sorted(
        [("web", al), ("web", ub), ("db", al)])
    got = ssm.describe_patch_groups(Filters=[{"Key": "NAME_PREFIX", "Values": ["we"]},
                                             {"Key": "OPERATING_SYSTEM", "Values": ["UBUNTU"]}])["Mappings"]
    assert [(m["PatchGroup"], m["BaselineIdentity"]["BaselineName"]) for m in got] == [("web", "pg-ub")]
    # Pages: MaxResults is an upper bound and NextToken continues.
    first = ssm.describe_patch_groups(MaxResults=1)
    assert len(first["Mappings"]) == 1 and "NextToken" in first
    seen = first["Mappings"] + ssm.describe_patch_groups(MaxResults=5, NextToken=first["NextToken"])["Mappings"]
    assert len(seen) == 3
    # A token the stand-in did not hand out (DescribePatchGroups lists InvalidNextToken among its errors).
    with pytest.raises(botocore.exceptions.ClientError, match="InvalidNextToken"):
        ssm.describe_patch_groups(MaxResults=1, NextToken="not-a-token-the-stand-in-gave")
    # A deregistered group is no registration (the default baseline is not listed).
    ssm.deregister_patch_baseline_for_patch_group(BaselineId=al, PatchGroup="db")
    assert [m["PatchGroup"] for m in ssm.describe_patch_groups(
        Filters=[{"Key": "NAME_PREFIX", "Values": ["db"]}])["Mappings"]] == []
    with pytest.raises(botocore.exceptions.ClientError, match="ValidationException|InvalidFilter"):
        ssm.describe_patch_groups(Filters=[{"Key": "NOPE", "Values": ["x"]}])
