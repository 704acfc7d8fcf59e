"""What AWS owns in every account: its managed IAM policies (arn:aws:iam::aws:policy/...) and, per
Region, its predefined patch baselines (DescribePatchBaselines with OWNER AWS, GetPatchBaseline by ARN).
The sources are cited beside the code (app.py, handlers/patch_baselines.py)."""

import json

import boto3
import botocore.exceptions
import pytest
from moto.iam.aws_managed_policies import aws_managed_policies_data

from conftest import control
from ssmpatch_standin.sim import fleet

DEPLOYMENT = "arn:aws:iam::aws:policy/AWSQuickSetupPatchPolicyDeploymentRolePolicy"
CORE = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
AWS_MANAGED = json.loads(aws_managed_policies_data)
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "cloudformation.amazonaws.com"}, "Action": "sts:AssumeRole"}]})

# Documented pairs (id and Region): GetPatchBaseline's CLI reference names
# arn:aws:ssm:us-east-2:733109147000:patchbaseline/pb-0e392de35e7c563b7 for AWS-AmazonLinuxDefaultPatchBaseline;
# RegisterDefaultPatchBaseline's names pb-0574b43a65ea646ed (us-east-2) for CentOS; the describe-patch-baselines
# CLI examples give AWS-DefaultPatchBaseline pb-020d361a05defe4ed (us-east-2) and AWS-CentOSDefaultPatchBaseline
# pb-03e3f588eec25344c (us-east-1, "Default Patch Baseline for CentOS Provided by AWS.").
DOCUMENTED = [
    ("us-east-2", "AMAZON_LINUX", "AWS-AmazonLinuxDefaultPatchBaseline",
     "arn:aws:ssm:us-east-2:733109147000:patchbaseline/pb-0e392de35e7c563b7",
     "Default Patch Baseline for Amazon Linux Provided by AWS."),
    ("us-east-2", "CENTOS", "AWS-CentOSDefaultPatchBaseline",
     "arn:aws:ssm:us-east-2:733109147000:patchbaseline/pb-0574b43a65ea646ed",
     "Default Patch Baseline for CentOS Provided by AWS."),
    ("us-east-2", "WINDOWS", "AWS-DefaultPatchBaseline",
     "arn:aws:ssm:us-east-2:733109147000:patchbaseline/pb-020d361a05defe4ed",
     "Default Patch Baseline Provided by AWS."),
    ("us-east-1", "CENTOS", "AWS-CentOSDefaultPatchBaseline",
     "arn:aws:ssm:us-east-1:075727635805:patchbaseline/pb-03e3f588eec25344c",
     "Default Patch Baseline for CentOS Provided by AWS."),
]
# AWS's predefined default baseline of every operating system Patch Manager supports (the user guide's
# table of predefined baselines; the Windows Server default is AWS-DefaultPatchBaseline).
NAMES = {
    "ALMA_LINUX": "AWS-AlmaLinuxDefaultPatchBaseline", "AMAZON_LINUX": "AWS-AmazonLinuxDefaultPatchBaseline",
    "AMAZON_LINUX_2": "AWS-AmazonLinux2DefaultPatchBaseline",
    "AMAZON_LINUX_2022": "AWS-AmazonLinux2022DefaultPatchBaseline",
    "AMAZON_LINUX_2023": "AWS-AmazonLinux2023DefaultPatchBaseline", "CENTOS": "AWS-CentOSDefaultPatchBaseline",
    "DEBIAN": "AWS-DebianDefaultPatchBaseline", "MACOS": "AWS-MacOSDefaultPatchBaseline",
    "ORACLE_LINUX": "AWS-OracleLinuxDefaultPatchBaseline", "RASPBIAN": "AWS-DefaultRaspbianPatchBaseline",
    "REDHAT_ENTERPRISE_LINUX": "AWS-RedHatDefaultPatchBaseline", "ROCKY_LINUX": "AWS-RockyLinuxDefaultPatchBaseline",
    "SUSE": "AWS-SuseDefaultPatchBaseline", "UBUNTU": "AWS-UbuntuDefaultPatchBaseline",
    "WINDOWS": "AWS-DefaultPatchBaseline",
}


def client(url, service, region="us-east-1"):
    return boto3.client(service, endpoint_url=url, region_name=region, aws_access_key_id="testing",
                        aws_secret_access_key="testing")


def aws_owned(ssm, *filters):
    out = []
    for page in ssm.get_paginator("describe_patch_baselines").paginate(
            Filters=[{"Key": "OWNER", "Values": ["AWS"]}, *filters]):
        out.extend(page["BaselineIdentities"])
    return out


# --- AWS managed policies -------------------------------------------------------------------------

def test_aws_managed_policies_exist_and_attach(clean):
    iam = client(clean, "iam")
    for arn in (DEPLOYMENT, CORE):
        p = iam.get_policy(PolicyArn=arn)["Policy"]
        assert p["Arn"] == arn and p["IsAttachable"]
        # The document is AWS's, the same text the simulated nodes' roles are evaluated with.
        v = iam.get_policy_version(PolicyArn=arn, VersionId=p["DefaultVersionId"])["PolicyVersion"]
        assert v["Document"] == AWS_MANAGED[arn.rsplit("/", 1)[1]]["Document"]
    iam.create_role(RoleName="AWS-QuickSetup-PatchPolicy-LocalExecutionRole", AssumeRolePolicyDocument=TRUST)
    iam.attach_role_policy(RoleName="AWS-QuickSetup-PatchPolicy-LocalExecutionRole", PolicyArn=DEPLOYMENT)
    attached = iam.list_attached_role_policies(RoleName="AWS-QuickSetup-PatchPolicy-LocalExecutionRole")
    assert [a["PolicyArn"] for a in attached["AttachedPolicies"]] == [DEPLOYMENT]
    # A policy AWS does not have is still refused.
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.attach_role_policy(RoleName="AWS-QuickSetup-PatchPolicy-LocalExecutionRole",
                               PolicyArn="arn:aws:iam::aws:policy/NoSuchManagedPolicyAtAll")


def test_aws_managed_policies_survive_a_reset(clean):
    iam = client(clean, "iam")
    iam.get_policy(PolicyArn=CORE)   # the IAM backend exists before the reset
    control(clean, "/_ssmpatch/reset", "POST", {})
    assert iam.get_policy(PolicyArn=DEPLOYMENT)["Policy"]["PolicyName"] == "AWSQuickSetupPatchPolicyDeploymentRolePolicy"


def test_customer_policies_live_beside_aws_managed_ones(clean):
    iam = client(clean, "iam")
    # The account's IAM is first used for a role: the managed policies are there when first needed.
    iam.create_role(RoleName="web-node", AssumeRolePolicyDocument=TRUST)
    iam.attach_role_policy(RoleName="web-node", PolicyArn=CORE)
    mine = iam.create_policy(PolicyName="mine", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}))["Policy"]["Arn"]
    iam.attach_role_policy(RoleName="web-node", PolicyArn=mine)
    attached = iam.list_attached_role_policies(RoleName="web-node")["AttachedPolicies"]
    assert sorted(a["PolicyArn"] for a in attached) == sorted([CORE, mine])
    assert [p["Arn"] for p in iam.list_policies(Scope="Local")["Policies"]] == [mine]
    aws = [p["Arn"] for page in iam.get_paginator("list_policies").paginate(Scope="AWS") for p in page["Policies"]]
    assert DEPLOYMENT in aws and CORE in aws and mine not in aws
    assert len(aws) == len(AWS_MANAGED)
    assert iam.get_policy(PolicyArn=CORE)["Policy"]["AttachmentCount"] == 1


# --- AWS's predefined patch baselines -------------------------------------------------------------

def test_owner_aws_lists_the_regions_predefined_baselines(clean):
    for region in ("us-east-1", "us-east-2", "eu-west-1"):
        got = aws_owned(client(clean, "ssm", region))
        assert {b["OperatingSystem"]: b["BaselineName"] for b in got} == NAMES, region
        for b in got:
            # AWS's own baselines are identified by ARN, in the Region, in AWS's account.
            assert b["BaselineId"].startswith(f"arn:aws:ssm:{region}:"), b
            assert ":patchbaseline/pb-" in b["BaselineId"], b
            assert b["DefaultBaseline"] is True and b["BaselineDescription"], b
        assert len({b["BaselineId"] for b in got}) == len(got)
    # The simulated fleet evaluates a node without a registered baseline with these (sim/fleet.py).
    assert {os_: info[2] for os_, info in fleet.OS_INFO.items()} == {os_: NAMES[os_] for os_ in fleet.OS_INFO}
    ids = {r: {b["BaselineId"] for b in aws_owned(client(clean, "ssm", r))} for r in ("us-east-1", "us-east-2")}
    assert not ids["us-east-1"] & ids["us-east-2"]
    for region, os_, name, arn, description in DOCUMENTED:
        found = [b for b in aws_owned(client(clean, "ssm", region)) if b["OperatingSystem"] == os_]
        assert found == [{"BaselineId": arn, "BaselineName": name, "OperatingSystem": os_,
                          "BaselineDescription": description, "DefaultBaseline": True}]


def test_owner_self_lists_only_custom_baselines_and_no_owner_lists_both(ssm):
    mine = ssm.create_patch_baseline(Name="AWS-lookalike", OperatingSystem="WINDOWS",
                                     ApprovedPatches=["KB123456"])["BaselineId"]
    own = ssm.describe_patch_baselines(Filters=[{"Key": "OWNER", "Values": ["Self"]}])["BaselineIdentities"]
    assert [b["BaselineId"] for b in own] == [mine]
    assert mine not in {b["BaselineId"] for b in aws_owned(ssm)}
    everything = {b["BaselineId"] for b in ssm.describe_patch_baselines()["BaselineIdentities"]}
    assert everything == {b["BaselineId"] for b in aws_owned(ssm)} | {mine}
    both = ssm.describe_patch_baselines(Filters=[{"Key": "OWNER", "Values": ["AWS", "Self"]}])["BaselineIdentities"]
    assert {b["BaselineId"] for b in both} == everything
    # The other filters apply to AWS's baselines too.
    win = aws_owned(ssm, {"Key": "OPERATING_SYSTEM", "Values": ["WINDOWS"]})
    assert [b["BaselineName"] for b in win] == ["AWS-DefaultPatchBaseline"]
    named = ssm.describe_patch_baselines(Filters=[{"Key": "NAME_PREFIX", "Values": ["AWS-Ubuntu"]}])
    assert [b["BaselineName"] for b in named["BaselineIdentities"]] == ["AWS-UbuntuDefaultPatchBaseline"]


def test_describe_patch_baselines_pages_by_max_results(ssm):
    everything = [b["BaselineId"] for b in ssm.describe_patch_baselines()["BaselineIdentities"]]
    seen, token = [], None
    while True:
        page = ssm.describe_patch_baselines(MaxResults=4, **({"NextToken": token} if token else {}))
        assert len(page["BaselineIdentities"]) <= 4
        seen += [b["BaselineId"] for b in page["BaselineIdentities"]]
        token = page.get("NextToken")
        if not token:
            break
    assert seen == everything
    with pytest.raises(botocore.exceptions.ClientError, match="InvalidNextToken"):
        ssm.describe_patch_baselines(MaxResults=4, NextToken="not-a-token-the-stand-in-gave")


def test_get_patch_baseline_of_an_aws_baseline_needs_its_arn(ssm):
    al2023 = aws_owned(ssm, {"Key": "OPERATING_SYSTEM", "Values": ["AMAZON_LINUX_2023"]})[0]
    b = ssm.get_patch_baseline(BaselineId=al2023["BaselineId"])
    assert (b["BaselineId"], b["Name"], b["OperatingSystem"], b["Description"]) == (
        al2023["BaselineId"], "AWS-AmazonLinux2023DefaultPatchBaseline", "AMAZON_LINUX_2023",
        al2023["BaselineDescription"])
    # The predefined rules (user guide): Security Critical/Important and Bugfix, 7 days, UNSPECIFIED.
    rules = b["ApprovalRules"]["PatchRules"]
    assert [r["ApproveAfterDays"] for r in rules] == [7, 7]
    assert {r["ComplianceLevel"] for r in rules} == {"UNSPECIFIED"}
    assert [f["Values"] for f in rules[0]["PatchFilterGroup"]["PatchFilters"]] == [["Security"], ["Critical", "Important"]]
    assert b["PatchGroups"] == [] and b["ApprovedPatches"] == [] and b["RejectedPatches"] == []
    # "To retrieve information about an AWS managed patch baseline, specify the full ARN ... instead of
    # pb-..." (GetPatchBaseline, CLI reference): the bare ID, or another Region's ARN, finds nothing.
    with pytest.raises(botocore.exceptions.ClientError, match="DoesNotExist"):
        ssm.get_patch_baseline(BaselineId=al2023["BaselineId"].rsplit("/", 1)[1])
    east2 = aws_owned(client(ssm.meta.endpoint_url, "ssm", "us-east-2"))[0]["BaselineId"]
    with pytest.raises(botocore.exceptions.ClientError, match="DoesNotExist"):
        ssm.get_patch_baseline(BaselineId=east2)
    # Every listed AWS baseline can be read by its ARN.
    for ident in aws_owned(ssm):
        got = ssm.get_patch_baseline(BaselineId=ident["BaselineId"])
        assert (got["Name"], got["OperatingSystem"]) == (ident["BaselineName"], ident["OperatingSystem"])
        assert got["ApprovalRules"]["PatchRules"], got
    # AWS's baselines cannot be changed ("you can't customize them", predefined baselines).
    with pytest.raises(botocore.exceptions.ClientError, match="DoesNotExist"):
        ssm.update_patch_baseline(BaselineId=al2023["BaselineId"], Description="mine now")
    with pytest.raises(botocore.exceptions.ClientError, match="provided by AWS"):
        ssm.delete_patch_baseline(BaselineId=al2023["BaselineId"])
    assert ssm.get_patch_baseline(BaselineId=al2023["BaselineId"])["Name"] == "AWS-AmazonLinux2023DefaultPatchBaseline"


def test_a_node_without_a_patch_group_baseline_uses_the_listed_predefined_baseline(ssm, clean):
    """The simulated fleet's predefined baseline (sim/fleet.py) is the one DescribePatchBaselines lists."""
    node = {"InstanceId": "i-0ccccccccccccccc1", "OperatingSystem": "UBUNTU", "Tags": {"Name": "n"},
            "Installed": [{"Name": "bash", "Arch": "amd64", "Version": "5.1-6ubuntu1"}]}
    control(clean, "/_ssmpatch/nodes", "POST", {"nodes": [node]})
    ssm.send_command(DocumentName="AWS-RunPatchBaseline", InstanceIds=[node["InstanceId"]],
                     Parameters={"Operation": ["Scan"]})
    state = ssm.describe_instance_patch_states(InstanceIds=[node["InstanceId"]])["InstancePatchStates"][0]
    ubuntu = aws_owned(ssm, {"Key": "OPERATING_SYSTEM", "Values": ["UBUNTU"]})
    assert [b["BaselineId"] for b in ubuntu] == [state["BaselineId"]]
    assert ubuntu[0]["BaselineName"] == "AWS-UbuntuDefaultPatchBaseline"
