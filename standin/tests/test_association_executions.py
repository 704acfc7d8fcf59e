"""Association runs recorded as association executions (DescribeAssociationExecutions,
DescribeAssociationExecutionTargets), their Run Command commands, and the association `Duration`."""

import datetime
import json

import boto3
import botocore.exceptions
import pytest
from botocore.config import Config

from conftest import control

OK = "i-0bbbbbbbbbbbbbbb1"
BAD = "i-0bbbbbbbbbbbbbbb2"
THIRD = "i-0bbbbbbbbbbbbbbb3"
UNKNOWN = "00000000-0000-4000-8000-000000000000"


def node(iid, group="web", fail=False):
    """AL2023 with one approved, missing security patch; FailInstall makes an Install fail on the node."""
    released = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"InstanceId": iid, "OperatingSystem": "AMAZON_LINUX_2023", "Tags": {"PatchGroup": group, "Name": iid},
            "Installed": [{"Name": "openssl", "Arch": "x86_64", "Version": "3.0.7", "Release": "1.amzn2023", "Epoch": "1"}],
            "Available": [{"Name": "openssl", "Arch": "x86_64", "Version": "3.0.8", "Release": "1.amzn2023", "Epoch": "1",
                           "Classification": "Security", "Severity": "Critical", "ReleaseDate": released,
                           "FailInstall": fail}]}


# Lengths and enums are checked for the operations added here only: AWS itself answers "" where the model
# gives a minimum length (e.g. Command.OutputS3BucketName without an output bucket).
LENGTHS_CHECKED = {"DescribeAssociationExecutions", "DescribeAssociationExecutionTargets"}


def _check(value, shape, path, strict):
    """The raw JSON answer has exactly the model's members and types (boto3 would drop unknown keys)."""
    t = shape.type_name
    if t == "structure":
        assert isinstance(value, dict), f"{path}: {value!r} is not an object"
        unknown = set(value) - set(shape.members)
        assert not unknown, f"{path}: {sorted(unknown)} are not members of {shape.name}"
        for k, v in value.items():
            _check(v, shape.members[k], f"{path}.{k}", strict)
    elif t == "list":
        assert isinstance(value, list), f"{path}: not a list"
        for i, v in enumerate(value):
            _check(v, shape.member, f"{path}[{i}]", strict)
    elif t == "map":
        assert isinstance(value, dict), f"{path}: not a map"
        for k, v in value.items():
            _check(k, shape.key, f"{path} key", strict)
            _check(v, shape.value, f"{path}.{k}", strict)
    elif t == "string":
        assert isinstance(value, str), f"{path}: {value!r} is not a string"
        meta = shape.metadata
        if strict:
            assert meta.get("min", 0) <= len(value) <= meta.get("max", 1 << 30), f"{path}: length {len(value)}"
            assert not shape.enum or value in shape.enum, f"{path}: {value!r} not in {shape.enum}"
    elif t in ("integer", "long"):
        assert isinstance(value, int) and not isinstance(value, bool), f"{path}: {value!r} is not an integer"
    elif t == "boolean":
        assert isinstance(value, bool), f"{path}: {value!r} is not a boolean"
    elif t in ("timestamp", "double", "float"):
        assert isinstance(value, (int, float)) and not isinstance(value, bool), f"{path}: {value!r} is not a number"


@pytest.fixture()
def ssm(clean):
    """An SSM client whose successful answers are checked against botocore's output shapes."""
    client = boto3.client("ssm", endpoint_url=clean, region_name="us-east-1",
                          aws_access_key_id="testing", aws_secret_access_key="testing")

    def check(operation_model, response_dict, **_):
        if response_dict["status_code"] == 200 and operation_model.output_shape is not None:
            _check(json.loads(response_dict["body"] or b"{}"), operation_model.output_shape, operation_model.name,
                   operation_model.name in LENGTHS_CHECKED)

    client.meta.events.register("before-parse.ssm.*", check)
    return client


@pytest.fixture()
def fleet(clean):
    control(clean, "/_ssmpatch/nodes", "POST", {"nodes": [node(OK), node(BAD, group="db", fail=True)]})
    return clean


def run(endpoint, aid):
    return control(endpoint, f"/_ssmpatch/associations/{aid}/run", "POST", {})


def create(ssm, targets, operation="Install", **kw):
    """An association that waits for its schedule, so the only runs are the ones a test starts."""
    kw.setdefault("ScheduleExpression", "cron(0 3 ? * SUN *)")
    kw.setdefault("ApplyOnlyAtCronInterval", True)
    return ssm.create_association(Name="AWS-RunPatchBaseline", Parameters={"Operation": [operation]},
                                  Targets=targets, **kw)["AssociationDescription"]["AssociationId"]


def error_code(excinfo):
    return excinfo.value.response["Error"]["Code"]


def test_run_records_an_execution_with_one_target_per_node(ssm, fleet):
    aid = create(ssm, [{"Key": "InstanceIds", "Values": [OK, BAD]}])
    res = run(fleet, aid)
    assert (res["Status"], res["InstanceIds"], res["AssociationVersion"]) == ("Failed", [OK, BAD], "1")
    [ex] = ssm.describe_association_executions(AssociationId=aid)["AssociationExecutions"]
    assert ex["ExecutionId"] == res["ExecutionId"]
    assert (ex["AssociationId"], ex["AssociationVersion"], ex["Status"], ex["DetailedStatus"]) == (
        aid, "1", "Failed", "Failed")
    # AWS's format: "ResourceCountByStatus": "{Success=1}" (CLI example)
    assert ex["ResourceCountByStatus"] == "{Failed=1, Success=1}"
    assert ex["CreatedTime"] <= ex["LastExecutionDate"]
    targets = ssm.describe_association_execution_targets(AssociationId=aid, ExecutionId=ex["ExecutionId"])
    got = {t["ResourceId"]: t for t in targets["AssociationExecutionTargets"]}
    assert set(got) == {OK, BAD} and "NextToken" not in targets
    for iid, status in ((OK, "Success"), (BAD, "Failed")):
        t = got[iid]
        assert (t["AssociationId"], t["AssociationVersion"], t["ExecutionId"], t["ResourceType"]) == (
            aid, "1", ex["ExecutionId"], "ManagedInstance")
        assert (t["Status"], t["DetailedStatus"]) == (status, status)
        assert t["OutputSource"] == {"OutputSourceId": res["CommandId"], "OutputSourceType": "RunCommand"}
        assert t["LastExecutionDate"] >= ex["CreatedTime"]
        # The output source is a Run Command command: its invocations answer for each node.
        inv = ssm.get_command_invocation(CommandId=res["CommandId"], InstanceId=iid, PluginName="PatchLinux")
        assert inv["Status"] == status
    invs = ssm.list_command_invocations(CommandId=res["CommandId"])["CommandInvocations"]
    assert sorted((i["InstanceId"], i["Status"]) for i in invs) == [(OK, "Success"), (BAD, "Failed")]
    cmd = ssm.list_commands(CommandId=res["CommandId"])["Commands"][0]
    assert (cmd["DocumentName"], cmd["Parameters"]) == ("AWS-RunPatchBaseline", {"Operation": ["Install"]})
    # The association's overview is the last run's.
    d = ssm.describe_association(AssociationId=aid)["AssociationDescription"]
    assert d["Overview"] == {"Status": "Failed", "DetailedStatus": "Failed",
                             "AssociationStatusAggregatedCount": {"Failed": 1, "Success": 1}}
    assert d["LastExecutionDate"] == ex["LastExecutionDate"] and "LastSuccessfulExecutionDate" not in d


def test_executions_are_newest_first_and_carry_the_version_that_ran(ssm, fleet):
    aid = create(ssm, [{"Key": "tag:PatchGroup", "Values": ["web"]}], operation="Scan", AssociationName="ssmpatch-x",
                 ScheduleExpression="cron(0 2 ? * SUN *)")
    first = run(fleet, aid)
    ssm.update_association(AssociationId=aid, AssociationName="ssmpatch-x", ScheduleExpression="cron(0 3 ? * SUN *)",
                           Parameters={"Operation": ["Scan"]}, Targets=[{"Key": "tag:PatchGroup", "Values": ["web"]}],
                           ApplyOnlyAtCronInterval=True)
    second = run(fleet, aid)
    exs = ssm.describe_association_executions(AssociationId=aid)["AssociationExecutions"]
    assert [(e["ExecutionId"], e["AssociationVersion"], e["Status"], e["ResourceCountByStatus"]) for e in exs] == [
        (second["ExecutionId"], "2", "Success", "{Success=1}"), (first["ExecutionId"], "1", "Success", "{Success=1}")]
    assert exs[0]["CreatedTime"] >= exs[1]["CreatedTime"]
    d = ssm.describe_association(AssociationId=aid)["AssociationDescription"]
    assert d["Overview"]["Status"] == "Success" and d["Overview"]["AssociationStatusAggregatedCount"] == {"Success": 1}
    assert d["LastSuccessfulExecutionDate"] == d["LastExecutionDate"] == exs[0]["LastExecutionDate"]
    listed = ssm.list_associations(AssociationFilterList=[{"key": "AssociationId", "value": aid}])["Associations"][0]
    assert listed["Overview"]["Status"] == "Success"


def test_a_run_without_targets_is_recorded_without_targets(ssm, fleet):
    aid = create(ssm, [{"Key": "tag:PatchGroup", "Values": ["nobody"]}])
    res = run(fleet, aid)
    [ex] = ssm.describe_association_executions(AssociationId=aid)["AssociationExecutions"]
    assert ex["ExecutionId"] == res["ExecutionId"] and res["InstanceIds"] == []
    got = ssm.describe_association_execution_targets(AssociationId=aid, ExecutionId=ex["ExecutionId"])
    assert got["AssociationExecutionTargets"] == []


def test_pagination(ssm, fleet):
    control(fleet, "/_ssmpatch/nodes", "POST", {"nodes": [node(THIRD)]})
    aid = create(ssm, [{"Key": "InstanceIds", "Values": ["*"]}], operation="Scan")
    ids = [run(fleet, aid)["ExecutionId"] for _ in range(5)]
    page = ssm.describe_association_executions(AssociationId=aid, MaxResults=2)
    assert [e["ExecutionId"] for e in page["AssociationExecutions"]] == ids[::-1][:2] and page["NextToken"]
    page2 = ssm.describe_association_executions(AssociationId=aid, MaxResults=2, NextToken=page["NextToken"])
    assert [e["ExecutionId"] for e in page2["AssociationExecutions"]] == ids[::-1][2:4]
    pages = list(ssm.get_paginator("describe_association_executions").paginate(
        AssociationId=aid, PaginationConfig={"PageSize": 2}))
    assert [len(p["AssociationExecutions"]) for p in pages] == [2, 2, 1]
    assert [e["ExecutionId"] for p in pages for e in p["AssociationExecutions"]] == ids[::-1]
    tpages = list(ssm.get_paginator("describe_association_execution_targets").paginate(
        AssociationId=aid, ExecutionId=ids[0], PaginationConfig={"PageSize": 1}))
    assert [t["ResourceId"] for p in tpages for t in p["AssociationExecutionTargets"]] == [OK, BAD, THIRD]
    assert "NextToken" not in tpages[-1] and all("NextToken" in p for p in tpages[:-1])
    for call in (lambda: ssm.describe_association_executions(AssociationId=aid, NextToken="not-a-token"),
                 lambda: ssm.describe_association_execution_targets(AssociationId=aid, ExecutionId=ids[0],
                                                                    NextToken="99")):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            call()
        assert error_code(e) == "InvalidNextToken"


def test_filters(ssm, fleet):
    aid = create(ssm, [{"Key": "tag:PatchGroup", "Values": ["web"]}])
    ok = run(fleet, aid)    # only OK is in the group: Success
    ssm.add_tags_to_resource(ResourceType="ManagedInstance", ResourceId=BAD, Tags=[{"Key": "PatchGroup", "Value": "web"}])
    bad = run(fleet, aid)   # BAD joins and fails its install
    assert (ok["Status"], bad["Status"]) == ("Success", "Failed")

    def ids(*filters):
        got = ssm.describe_association_executions(AssociationId=aid, Filters=list(filters))["AssociationExecutions"]
        return [e["ExecutionId"] for e in got]

    both = [bad["ExecutionId"], ok["ExecutionId"]]
    assert ids({"Key": "Status", "Value": "Failed", "Type": "EQUAL"}) == [bad["ExecutionId"]]
    assert ids({"Key": "Status", "Value": "Success", "Type": "EQUAL"}) == [ok["ExecutionId"]]
    assert ids({"Key": "ExecutionId", "Value": ok["ExecutionId"], "Type": "EQUAL"}) == [ok["ExecutionId"]]
    now = datetime.datetime.now(datetime.timezone.utc)
    past, future = (now - datetime.timedelta(hours=1)), (now + datetime.timedelta(hours=1))
    fmt = "%Y-%m-%dT%H:%M:%SZ"
    assert ids({"Key": "CreatedTime", "Value": past.strftime(fmt), "Type": "GREATER_THAN"}) == both
    assert ids({"Key": "CreatedTime", "Value": future.strftime(fmt), "Type": "GREATER_THAN"}) == []
    assert ids({"Key": "CreatedTime", "Value": future.strftime(fmt), "Type": "LESS_THAN"}) == both
    assert ids({"Key": "CreatedTime", "Value": past.strftime(fmt), "Type": "LESS_THAN"}) == []
    assert ids({"Key": "CreatedTime", "Value": past.strftime(fmt), "Type": "GREATER_THAN"},
               {"Key": "Status", "Value": "Failed", "Type": "EQUAL"}) == [bad["ExecutionId"]]
    # EQUAL at the precision the value gives: milliseconds, or whole seconds.
    created = next(e["CreatedTime"] for e in ssm.describe_association_executions(AssociationId=aid)["AssociationExecutions"]
                   if e["ExecutionId"] == ok["ExecutionId"])
    in_ms = created.strftime("%Y-%m-%dT%H:%M:%S.") + f"{created.microsecond // 1000:03d}Z"
    assert ok["ExecutionId"] in ids({"Key": "CreatedTime", "Value": in_ms, "Type": "EQUAL"})
    assert ok["ExecutionId"] in ids({"Key": "CreatedTime", "Value": created.strftime(fmt), "Type": "EQUAL"})
    for bad_filter in ({"Key": "ExecutionId", "Value": ok["ExecutionId"], "Type": "GREATER_THAN"},
                       {"Key": "Status", "Value": "Success", "Type": "LESS_THAN"},
                       {"Key": "CreatedTime", "Value": "yesterday", "Type": "EQUAL"}):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            ids(bad_filter)
        assert error_code(e) == "ValidationException"

    def targets(*filters):
        got = ssm.describe_association_execution_targets(AssociationId=aid, ExecutionId=bad["ExecutionId"],
                                                         Filters=list(filters))["AssociationExecutionTargets"]
        return [t["ResourceId"] for t in got]

    assert targets({"Key": "Status", "Value": "Failed"}) == [BAD]
    assert targets({"Key": "ResourceId", "Value": OK}) == [OK]
    assert targets({"Key": "ResourceType", "Value": "ManagedInstance"}) == [OK, BAD]
    assert targets({"Key": "ResourceType", "Value": "ManagedInstance"}, {"Key": "Status", "Value": "Success"}) == [OK]
    assert targets({"Key": "ResourceType", "Value": "EC2"}) == []


def test_unknown_association_and_execution(ssm, fleet):
    aid = create(ssm, [{"Key": "InstanceIds", "Values": [OK]}], operation="Scan")
    eid = run(fleet, aid)["ExecutionId"]
    for call in (lambda: ssm.describe_association_executions(AssociationId=UNKNOWN),
                 lambda: ssm.describe_association_execution_targets(AssociationId=UNKNOWN, ExecutionId=eid)):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            call()
        assert error_code(e) == "AssociationDoesNotExist"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ssm.describe_association_execution_targets(AssociationId=aid, ExecutionId=UNKNOWN)
    assert error_code(e) == "AssociationExecutionDoesNotExist"
    # An execution belongs to its association.
    other = create(ssm, [{"Key": "InstanceIds", "Values": [OK]}], operation="Scan")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ssm.describe_association_execution_targets(AssociationId=other, ExecutionId=eid)
    assert error_code(e) == "AssociationExecutionDoesNotExist"
    assert ssm.describe_association_executions(AssociationId=other)["AssociationExecutions"] == []
    # Deleting the association takes its history with it.
    ssm.delete_association(AssociationId=aid)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ssm.describe_association_executions(AssociationId=aid)
    assert error_code(e) == "AssociationDoesNotExist"


def test_duration_is_kept_and_returned(ssm, clean):
    target = [{"Key": "tag:PatchGroup", "Values": ["web"]}]
    aid = create(ssm, target, AssociationName="ssmpatch-d", ScheduleExpression="cron(0 2 ? * SUN *)",
                 ApplyOnlyAtCronInterval=True, Duration=3)
    assert ssm.describe_association(AssociationId=aid)["AssociationDescription"]["Duration"] == 3
    assert ssm.list_associations()["Associations"][0]["Duration"] == 3
    assert ssm.list_association_versions(AssociationId=aid)["AssociationVersions"][0]["Duration"] == 3
    # UpdateAssociation without Duration sets it to null (API_UpdateAssociation), with it changes it.
    ssm.update_association(AssociationId=aid, AssociationName="ssmpatch-d", ScheduleExpression="cron(0 2 ? * SUN *)",
                           Parameters={"Operation": ["Install"]}, Targets=target, ApplyOnlyAtCronInterval=True)
    assert "Duration" not in ssm.describe_association(AssociationId=aid)["AssociationDescription"]
    ssm.update_association(AssociationId=aid, AssociationName="ssmpatch-d", ScheduleExpression="cron(0 2 ? * SUN *)",
                           Parameters={"Operation": ["Install"]}, Targets=target, ApplyOnlyAtCronInterval=True,
                           Duration=24)
    assert ssm.describe_association(AssociationId=aid)["AssociationDescription"]["Duration"] == 24
    versions = ssm.list_association_versions(AssociationId=aid)["AssociationVersions"]
    assert [v.get("Duration") for v in versions] == [3, None, 24]
    # "The Duration parameter applies only when ... ApplyOnlyAtCronInterval": AWS does not document a
    # rejection without it, so the stand-in accepts it (UNCONFIRMED).
    other = create(ssm, target, ScheduleExpression="rate(1 day)", ApplyOnlyAtCronInterval=False, Duration=2)
    assert ssm.describe_association(AssociationId=other)["AssociationDescription"]["Duration"] == 2


def test_duration_range(ssm, clean):
    # 25 is above the model's maximum of 24: the request check answers ValidationException.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        create(ssm, [{"Key": "InstanceIds", "Values": [OK]}], Duration=25)
    assert error_code(e) == "ValidationException"
    assert [v["operation"] for v in control(clean, "/_ssmpatch/violations", "DELETE")] == ["CreateAssociation"]
    # With the request check off (and no client-side check), the association rules still reject 0 and 25.
    control(clean, "/_ssmpatch/settings", "POST", {"reject_invalid": False})
    raw = boto3.client("ssm", endpoint_url=clean, region_name="us-east-1", aws_access_key_id="testing",
                       aws_secret_access_key="testing", config=Config(parameter_validation=False))
    for bad in (0, 25):
        with pytest.raises(botocore.exceptions.ClientError, match="Duration must be between 1 and 24") as e:
            create(raw, [{"Key": "InstanceIds", "Values": [OK]}], ScheduleExpression="cron(0 2 ? * SUN *)",
                   ApplyOnlyAtCronInterval=True, Duration=bad)
        assert error_code(e) == "ValidationException"
    aid = create(ssm, [{"Key": "InstanceIds", "Values": [OK]}], ScheduleExpression="cron(0 2 ? * SUN *)",
                 ApplyOnlyAtCronInterval=True, Duration=1, AssociationName="ssmpatch-d1")
    with pytest.raises(botocore.exceptions.ClientError, match="Duration must be between 1 and 24"):
        raw.update_association(AssociationId=aid, Duration=0, ApplyOnlyAtCronInterval=True,
                               ScheduleExpression="cron(0 2 ? * SUN *)")
    assert ssm.describe_association(AssociationId=aid)["AssociationDescription"]["Duration"] == 1
    control(clean, "/_ssmpatch/violations", "DELETE")
    control(clean, "/_ssmpatch/settings", "POST", {"reject_invalid": True})
