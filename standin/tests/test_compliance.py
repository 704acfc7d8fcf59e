"""Configuration Compliance (aws-facts §4) and patch states (§5)."""

import datetime

import botocore.exceptions
import pytest

from conftest import control

NODE = "i-0123456789abcdef0"


@pytest.fixture()
def node(clean):
    control(clean, "/_ssmpatch/nodes", "POST", {"nodes": [{"InstanceId": NODE, "OperatingSystem": "AMAZON_LINUX_2023",
                                                           "Tags": {"PatchGroup": "web"}}]})
    return NODE


def summary(eid="e1"):
    return {"ExecutionTime": datetime.datetime(2026, 11, 1, tzinfo=datetime.timezone.utc), "ExecutionId": eid,
            "ExecutionType": "Custom:ssmpatch"}


def items(ctype_ids, status="NON_COMPLIANT", sev="HIGH"):
    return [{"Id": i, "Title": f"t-{i}", "Severity": sev, "Status": status, "Details": {"PatchState": "Missing"}}
            for i in ctype_ids]


def test_complete_overwrites_and_hash_ignores(ssm, node):
    ssm.put_compliance_items(ResourceId=node, ResourceType="ManagedInstance", ComplianceType="Custom:BaselineOverride",
                             ExecutionSummary=summary(), Items=items(["a", "b"]), ItemContentHash="h1")
    got = ssm.list_compliance_items(ResourceIds=[node], ResourceTypes=["ManagedInstance"])["ComplianceItems"]
    assert sorted(i["Id"] for i in got) == ["a", "b"]
    assert got[0]["ExecutionSummary"]["ExecutionId"] == "e1"
    # Same hash: "the request to put compliance information is ignored"
    ssm.put_compliance_items(ResourceId=node, ResourceType="ManagedInstance", ComplianceType="Custom:BaselineOverride",
                             ExecutionSummary=summary("e2"), Items=items(["c"]), ItemContentHash="h1")
    got = ssm.list_compliance_items(ResourceIds=[node])["ComplianceItems"]
    assert sorted(i["Id"] for i in got) == ["a", "b"]
    # COMPLETE (default) replaces every item of the type
    ssm.put_compliance_items(ResourceId=node, ResourceType="ManagedInstance", ComplianceType="Custom:BaselineOverride",
                             ExecutionSummary=summary("e3"), Items=items(["c"], status="COMPLIANT", sev="LOW"))
    got = ssm.list_compliance_items(ResourceIds=[node])["ComplianceItems"]
    assert [(i["Id"], i["Status"], i["ExecutionSummary"]["ExecutionId"]) for i in got] == [("c", "COMPLIANT", "e3")]
    filt = ssm.list_compliance_items(ResourceIds=[node], Filters=[{"Key": "ComplianceType", "Values": ["Patch"],
                                                                    "Type": "EQUAL"}])["ComplianceItems"]
    assert filt == []


def test_summaries(ssm, node):
    ssm.put_compliance_items(ResourceId=node, ResourceType="ManagedInstance", ComplianceType="Custom:Aa",
                             ExecutionSummary=summary(), Items=items(["a"], sev="CRITICAL") + items(["b"], "COMPLIANT", "LOW"))
    r = ssm.list_resource_compliance_summaries()["ResourceComplianceSummaryItems"]
    assert len(r) == 1 and r[0]["Status"] == "NON_COMPLIANT" and r[0]["OverallSeverity"] == "CRITICAL"
    assert r[0]["NonCompliantSummary"]["NonCompliantCount"] == 1
    assert r[0]["NonCompliantSummary"]["SeveritySummary"]["CriticalCount"] == 1
    assert r[0]["CompliantSummary"]["CompliantCount"] == 1
    s = ssm.list_compliance_summaries()["ComplianceSummaryItems"]
    assert s[0]["ComplianceType"] == "Custom:Aa" and s[0]["NonCompliantSummary"]["NonCompliantCount"] == 1


def test_put_errors(ssm, node):
    with pytest.raises(botocore.exceptions.ClientError, match="InvalidResourceType"):
        ssm.put_compliance_items(ResourceId=node, ResourceType="EC2", ComplianceType="Custom:Aa",
                                 ExecutionSummary=summary(), Items=[])
    with pytest.raises(botocore.exceptions.ClientError, match="InvalidResourceId"):
        ssm.put_compliance_items(ResourceId="i-00000000000000000", ResourceType="ManagedInstance",
                                 ComplianceType="Custom:Aa", ExecutionSummary=summary(), Items=[])
    for n in range(10):
        ssm.put_compliance_items(ResourceId=node, ResourceType="ManagedInstance", ComplianceType=f"Custom:Type{n}",
                                 ExecutionSummary=summary(), Items=items(["x"]))
    with pytest.raises(botocore.exceptions.ClientError, match="ComplianceTypeCountLimitExceeded"):
        ssm.put_compliance_items(ResourceId=node, ResourceType="ManagedInstance", ComplianceType="Custom:Type10",
                                 ExecutionSummary=summary(), Items=items(["x"]))
    # PARTIAL is only for association compliance
    with pytest.raises(botocore.exceptions.ClientError, match="InvalidItemContent"):
        ssm.put_compliance_items(ResourceId=node, ResourceType="ManagedInstance", ComplianceType="Custom:Type1",
                                 ExecutionSummary=summary(), Items=items(["x"]), UploadType="PARTIAL")


def test_partial_association_compliance(ssm, node):
    a1 = ssm.create_association(Name="AWS-RunPatchBaselineAssociation", SyncCompliance="MANUAL",
                                Targets=[{"Key": "InstanceIds", "Values": [node]}])["AssociationDescription"]["AssociationId"]
    a2 = ssm.create_association(Name="AWS-RunPatchBaselineAssociation", SyncCompliance="MANUAL",
                                Targets=[{"Key": "InstanceIds", "Values": [node]}])["AssociationDescription"]["AssociationId"]
    for aid in (a1, a2):
        ssm.put_compliance_items(ResourceId=node, ResourceType="ManagedInstance", ComplianceType="Association",
                                 ExecutionSummary=summary(aid), Items=items([aid]), UploadType="PARTIAL")
    ssm.put_compliance_items(ResourceId=node, ResourceType="ManagedInstance", ComplianceType="Association",
                             ExecutionSummary=summary(a1), Items=items([a1], status="COMPLIANT"), UploadType="PARTIAL")
    got = {i["Id"]: i["Status"] for i in ssm.list_compliance_items(ResourceIds=[node])["ComplianceItems"]}
    assert got == {a1: "COMPLIANT", a2: "NON_COMPLIANT"}


def test_too_many_resource_ids(ssm, node):
    with pytest.raises(botocore.exceptions.ClientError, match="only specify one resource ID"):
        ssm.list_compliance_items(ResourceIds=[node, "i-0fffffffffffffff0"])
