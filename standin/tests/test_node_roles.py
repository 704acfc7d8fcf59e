"""The nodes' instance profiles (sim.fleet): a node downloads a BaselineOverride and SSM Agent uploads
command output with the node's role; the default role is AmazonSSMManagedInstanceCore only (no S3, no
KMS); a Quick Setup patch policy's bucket needs s3:GetObject AND the QSConfigId-<id> tag on the role,
which Quick Setup attaches itself when IsPolicyAttachAllowed is "true".

The failures are AWS's published samples (standin/tests/samples/, from the Patch Manager
troubleshooting page), with the sample's IDs replaced by the run's."""

import json
import urllib.error
from pathlib import Path

import boto3
import pytest

from conftest import control

ACCOUNT = "123456789012"
NODE = "i-0bbbbbbbbbbbbbbb1"
WIN = "i-0bbbbbbbbbbbbbbb2"
SAMPLES = Path(__file__).resolve().parent / "samples"
CORE = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
OVERRIDE = [{"OperatingSystem": "AMAZON_LINUX_2023", "ApprovalRules": {"PatchRules": []}},
            {"OperatingSystem": "WINDOWS", "ApprovalRules": {"PatchRules": []}}]


def sample(name):
    """The verbatim lines of a published sample (its provenance is in NAME.source.md beside it)."""
    return (SAMPLES / name).read_text().splitlines()


def linux(iid=NODE, tags=None, profile=None):
    spec = {"InstanceId": iid, "OperatingSystem": "AMAZON_LINUX_2023", "Tags": tags or {"Patch": "true"},
            "Installed": [{"Name": "bash", "Arch": "x86_64", "Version": "5.1.16", "Release": "4.amzn2023"}]}
    if profile is not None:
        spec["InstanceProfile"] = profile
    return spec


def windows(iid=WIN):
    return {"InstanceId": iid, "OperatingSystem": "WINDOWS", "Tags": {"Patch": "true"},
            "Installed": [{"Name": "KB5000001", "Classification": "SecurityUpdates", "Severity": "Critical",
                           "ReleaseDate": "2026-01-01T00:00:00Z"}]}


def allow(actions, resources, **cond):
    s = {"Effect": "Allow", "Action": actions, "Resource": resources}
    if cond:
        s["Condition"] = cond
    return {"Version": "2012-10-17", "Statement": [s]}


def grant(url, policy, instances=None, **more):
    body = {"policy": policy, **more}
    if instances is not None:
        body["instances"] = instances
    return control(url, "/_ssmpatch/node-roles", "POST", body)


def send(ssm, iid=NODE, override=None, **kw):
    params = {"Operation": ["Scan"]}
    if override:
        params["BaselineOverride"] = [override]
    cmd = ssm.send_command(DocumentName="AWS-RunPatchBaseline", InstanceIds=[iid], Parameters=params, **kw)["Command"]
    step = "PatchWindows" if iid == WIN else "PatchLinux"
    return cmd, ssm.get_command_invocation(CommandId=cmd["CommandId"], InstanceId=iid, PluginName=step)


@pytest.fixture()
def bucket(s3, clean):
    s3.create_bucket(Bucket="node-bucket")
    s3.put_object(Bucket="node-bucket", Key="overrides/p/scan.json", Body=json.dumps(OVERRIDE).encode())
    return "node-bucket"


def test_default_role_is_amazon_ssm_managed_instance_core(clean):
    control(clean, "/_ssmpatch/nodes", "POST", {"nodes": [linux()]})
    node = control(clean, f"/_ssmpatch/nodes/{NODE}")
    assert node["InstanceProfile"] == {"RoleName": "SSMInstanceProfile", "ManagedPolicies": [CORE], "Policy": [],
                                       "Tags": {}}


def test_default_role_cannot_download_the_override(ssm, bucket, clean):
    """The payload downloads s3:// overrides with the node's credentials; the default role has no S3
    permission: exit 162 with the payload's download error (AWS sample)."""
    control(clean, "/_ssmpatch/nodes", "POST", {"nodes": [linux()]})
    url = "s3://node-bucket/overrides/p/scan.json"
    _, inv = send(ssm, override=url)
    assert (inv["Status"], inv["ResponseCode"]) == ("Failed", 162)
    want = [line.replace("s3://aws-quicksetup-patchpolicy-123456789012-abcde/baseline_overrides.json", url)
            for line in sample("linux-patch-policy-baseline-override-download-error.txt")]
    got = [line.split(" root ", 1)[1].replace("[INFO]", "[INFO]").strip()
           for line in inv["StandardOutputContent"].splitlines() if " root [" in line]
    assert got[-3:] == want


def test_a_granted_role_downloads_the_override(ssm, bucket, clean):
    profile = {"RoleName": "patching", "Policy": allow("s3:GetObject", "arn:aws:s3:::node-bucket/overrides/*")}
    control(clean, "/_ssmpatch/nodes", "POST", {"nodes": [linux(profile=profile)]})
    _, inv = send(ssm, override="s3://node-bucket/overrides/p/scan.json")
    assert (inv["Status"], inv["ResponseCode"]) == ("Success", 0)
    # another key of the bucket is not covered
    s3 = boto3.client("s3", endpoint_url=clean, region_name="us-east-1", aws_access_key_id="testing",
                      aws_secret_access_key="testing")
    s3.put_object(Bucket="node-bucket", Key="other.json", Body=json.dumps(OVERRIDE).encode())
    assert send(ssm, override="s3://node-bucket/other.json")[1]["ResponseCode"] == 162
    # the same grant through the control API, for every node
    grant(clean, allow("s3:GetObject", "arn:aws:s3:::node-bucket/*"))
    assert send(ssm, override="s3://node-bucket/other.json")[1]["ResponseCode"] == 0


def test_sse_kms_override_needs_kms_decrypt(ssm, s3, clean):
    kms = boto3.client("kms", endpoint_url=clean, region_name="us-east-1", aws_access_key_id="testing",
                       aws_secret_access_key="testing")
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    key_arn = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/{key_id}"
    s3.create_bucket(Bucket="kms-node")
    s3.put_object(Bucket="kms-node", Key="o.json", Body=json.dumps(OVERRIDE).encode(), ServerSideEncryption="aws:kms",
                  SSEKMSKeyId=key_id)
    control(clean, "/_ssmpatch/nodes", "POST", {"nodes": [linux()]})
    get = allow("s3:GetObject", "arn:aws:s3:::kms-node/*")
    grant(clean, get)
    assert send(ssm, override="s3://kms-node/o.json")[1]["ResponseCode"] == 162
    grant(clean, [get, allow("kms:Decrypt", key_arn,
                             StringEquals={"kms:ViaService": "s3.us-east-1.amazonaws.com"})])
    assert send(ssm, override="s3://kms-node/o.json")[1]["ResponseCode"] == 0


def _output_keys(s3, bucket):
    return [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]


def test_output_upload_needs_the_node_role(ssm, s3, clean):
    """The agent uploads the output: refused, the object is missing, while the command's status, exit
    code and StandardOutputUrl are as they would be."""
    s3.create_bucket(Bucket="out-node")
    control(clean, "/_ssmpatch/nodes", "POST", {"nodes": [linux()]})
    cmd, inv = send(ssm, OutputS3BucketName="out-node", OutputS3KeyPrefix="runs")
    key = f"runs/{cmd['CommandId']}/{NODE}/awsrunShellScript/PatchLinux/stdout"
    assert (inv["Status"], inv["ResponseCode"]) == ("Success", 0)
    assert inv["StandardOutputUrl"] == f"https://s3.us-east-1.amazonaws.com/out-node/{key}"
    assert _output_keys(s3, "out-node") == []
    # s3:PutObject alone: s3:GetEncryptionConfiguration on the bucket is missing (setting "always")
    put = allow("s3:PutObject", "arn:aws:s3:::out-node/runs/*")
    grant(clean, put)
    assert _output_keys(s3, "out-node") == [] and send(ssm, OutputS3BucketName="out-node")[1]["Status"] == "Success"
    assert _output_keys(s3, "out-node") == []
    grant(clean, [put, allow("s3:GetEncryptionConfiguration", "arn:aws:s3:::out-node")])
    cmd, inv = send(ssm, OutputS3BucketName="out-node", OutputS3KeyPrefix="runs")
    key = f"runs/{cmd['CommandId']}/{NODE}/awsrunShellScript/PatchLinux/stdout"
    assert _output_keys(s3, "out-node") == [key]
    assert s3.get_object(Bucket="out-node", Key=key)["Body"].read().decode() == inv["StandardOutputContent"]
    # "never": PutObject is enough
    control(clean, "/_ssmpatch/settings", "POST", {"node_output_get_encryption_configuration": "never"})
    grant(clean, put)
    cmd, _ = send(ssm, OutputS3BucketName="out-node", OutputS3KeyPrefix="runs")
    assert f"runs/{cmd['CommandId']}/{NODE}/awsrunShellScript/PatchLinux/stdout" in _output_keys(s3, "out-node")


def test_output_to_an_sse_kms_bucket_needs_generate_data_key(ssm, s3, clean):
    kms = boto3.client("kms", endpoint_url=clean, region_name="us-east-1", aws_access_key_id="testing",
                       aws_secret_access_key="testing")
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    key_arn = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/{key_id}"
    s3.create_bucket(Bucket="out-kms")
    s3.put_bucket_encryption(Bucket="out-kms", ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_arn}}]})
    control(clean, "/_ssmpatch/nodes", "POST", {"nodes": [linux()]})
    s3_perms = allow(["s3:PutObject", "s3:GetEncryptionConfiguration"], ["arn:aws:s3:::out-kms", "arn:aws:s3:::out-kms/*"])
    grant(clean, s3_perms)
    send(ssm, OutputS3BucketName="out-kms")
    assert _output_keys(s3, "out-kms") == []
    grant(clean, [s3_perms, allow("kms:GenerateDataKey", key_arn)])
    send(ssm, OutputS3BucketName="out-kms")
    assert len(_output_keys(s3, "out-kms")) == 1


def test_windows_node_denied_prints_the_access_denied_sample(ssm, bucket, clean):
    control(clean, "/_ssmpatch/nodes", "POST", {"nodes": [windows()]})
    cmd, inv = send(ssm, iid=WIN, override="s3://node-bucket/overrides/p/scan.json")
    assert (inv["Status"], inv["ResponseCode"]) == ("Failed", -1)
    published = sample("windows-patch-policy-baseline-override-access-denied.txt")
    assert published[0] == "----------ERROR-------"   # the console's separator before stderr
    text = "\n".join(published[1:])
    text = text.replace("i-02573cafcfEXAMPLE", WIN).replace("792dd5bd-2ad3-4f1e-931d-abEXAMPLE", cmd["CommandId"])
    text = text.replace("Install", "Scan")
    # the "At ..." line wraps at 79 characters, as in the sample
    at = "".join(text.splitlines()[1:3])
    rest = text.splitlines()[3:]
    want = [text.splitlines()[0], at[:79], at[79:158], *([at[158:]] if len(at) > 158 else []), *rest]
    assert inv["StandardErrorContent"].splitlines() == want
    assert "Patch Summary for" not in inv["StandardOutputContent"]
    grant(clean, allow("s3:GetObject", "arn:aws:s3:::node-bucket/*"))
    assert send(ssm, iid=WIN, override="s3://node-bucket/overrides/p/scan.json")[1]["ResponseCode"] == 0


# --- Quick Setup patch policies ---------------------------------------------------------------------

def _policy(qs, clean, attach):
    from test_quicksetup import patch_policy
    control(clean, "/_ssmpatch/quick-setup-roles", "POST", {})
    sel = json.dumps({"AMAZON_LINUX_2023": {"value": "AWS-AmazonLinux2023DefaultPatchBaseline", "label": "d",
                                            "disabled": False}})
    arn = qs.create_configuration_manager(Name="node-pp", ConfigurationDefinitions=[patch_policy(
        SelectedPatchBaselines=sel, IsPolicyAttachAllowed=attach, ConfigurationOptionsPatchOperation="Scan",
        ConfigurationOptionsScanNextInterval="true")])["ManagerArn"]
    cid = qs.get_configuration_manager(ManagerArn=arn)["ConfigurationDefinitions"][0]["Id"]
    return arn, cid


def _run(clean, arn, iid=NODE):
    res = control(clean, "/_ssmpatch/patch-policies/run", "POST", {"ManagerArn": arn, "Operation": "Scan"})
    ssm = boto3.client("ssm", endpoint_url=clean, region_name="us-east-1", aws_access_key_id="testing",
                       aws_secret_access_key="testing")
    inv = ssm.get_command_invocation(CommandId=res["CommandId"], InstanceId=iid, PluginName="PatchLinux")
    return res, inv


def test_patch_policy_without_attach_needs_a_prepared_role(qs, clean):
    control(clean, "/_ssmpatch/nodes", "POST", {"nodes": [linux()]})
    arn, cid = _policy(qs, clean, "false")
    res, inv = _run(clean, arn)
    assert (inv["Status"], inv["ResponseCode"]) == ("Failed", 162)
    want = [line.replace("123456789012-abcde", f"{ACCOUNT}-{cid}")
            for line in sample("linux-patch-policy-baseline-override-download-error.txt")]
    got = [line.split(" root ", 1)[1] for line in inv["StandardOutputContent"].splitlines() if " root [" in line]
    assert got[-3:] == want and res["BaselineOverride"] in want[0]
    node = control(clean, f"/_ssmpatch/nodes/{NODE}")
    assert node["InstanceProfile"]["Tags"] == {} and node["InstanceProfile"]["ManagedPolicies"] == [CORE]
    get = allow("s3:GetObject", "arn:aws:s3:::aws-quicksetup-patchpolicy-*")
    # s3:GetObject without the tag: the bucket policy's Deny (aws:PrincipalTag/QSConfigId-<id>)
    grant(clean, get)
    assert _run(clean, arn)[1]["ResponseCode"] == 162
    # the tag without s3:GetObject: no identity policy allows it
    grant(clean, None, tags={f"QSConfigId-{cid}": cid})
    assert _run(clean, arn)[1]["ResponseCode"] == 162
    # a tag of another configuration does not do
    grant(clean, get, tags={f"QSConfigId-{cid}x": cid})
    assert _run(clean, arn)[1]["ResponseCode"] == 162
    grant(clean, get, tags={f"QSConfigId-{cid}": cid})
    assert _run(clean, arn)[1]["ResponseCode"] == 0


def test_patch_policy_with_attach_prepares_the_targets_roles(qs, clean):
    control(clean, "/_ssmpatch/nodes", "POST", {"nodes": [
        linux(), linux("i-0bbbbbbbbbbbbbbb9", tags={"Patch": "no"}, profile={"RoleName": "other"})]})
    arn, cid = _policy(qs, clean, "true")
    # at deployment: the target's role has the policies and the tag; the other node's role is untouched
    node = control(clean, f"/_ssmpatch/nodes/{NODE}")["InstanceProfile"]
    assert node["Tags"] == {f"QSConfigId-{cid}": cid}
    assert node["ManagedPolicies"] == [CORE, "arn:aws:iam::aws:policy/AWSQuickSetupPatchPolicyBaselineAccess"]
    assert control(clean, "/_ssmpatch/nodes/i-0bbbbbbbbbbbbbbb9")["InstanceProfile"]["Tags"] == {}
    assert _run(clean, arn)[1]["ResponseCode"] == 0
    # a node that becomes a target later gets them too
    control(clean, "/_ssmpatch/nodes", "POST", {"nodes": [linux("i-0bbbbbbbbbbbbbbb3", profile={"RoleName": "late"})]})
    late = control(clean, "/_ssmpatch/nodes/i-0bbbbbbbbbbbbbbb3")["InstanceProfile"]
    assert late["Tags"] == {f"QSConfigId-{cid}": cid}
    res, inv = _run(clean, arn, iid="i-0bbbbbbbbbbbbbbb3")
    assert inv["ResponseCode"] == 0


def test_roles_are_shared_by_name(clean):
    control(clean, "/_ssmpatch/nodes", "POST", {"nodes": [
        linux(profile={"RoleName": "web"}), linux("i-0bbbbbbbbbbbbbbb4", profile={"RoleName": "web"}),
        linux("i-0bbbbbbbbbbbbbbb5")]})
    grant(clean, allow("s3:GetObject", "*"), instances=[NODE], tags={"team": "web"})
    profiles = {n["InstanceId"]: n["InstanceProfile"] for n in control(clean, "/_ssmpatch/nodes")}
    assert profiles[NODE] == profiles["i-0bbbbbbbbbbbbbbb4"] != profiles["i-0bbbbbbbbbbbbbbb5"]
    assert profiles["i-0bbbbbbbbbbbbbbb4"]["Tags"] == {"team": "web"}
    # moving one node to another role leaves the shared one alone
    grant(clean, None, instances=["i-0bbbbbbbbbbbbbbb4"], role="db")
    profiles = {n["InstanceId"]: n["InstanceProfile"] for n in control(clean, "/_ssmpatch/nodes")}
    assert profiles["i-0bbbbbbbbbbbbbbb4"]["RoleName"] == "db" and profiles[NODE]["Policy"]


def test_node_roles_are_checked(clean):
    control(clean, "/_ssmpatch/nodes", "POST", {"nodes": [linux()]})
    for body in ({"policy": {"Statement": [{"Effect": "Allow", "Action": "s3:*"}]}},     # no Resource
                 {"policy": None, "instances": ["i-0nothere"]},
                 {"managed_policies": ["NoSuchPolicy"]}):
        with pytest.raises(urllib.error.HTTPError) as e:
            control(clean, "/_ssmpatch/node-roles", "POST", body)
        assert e.value.code == 400
    with pytest.raises(urllib.error.HTTPError) as e:
        control(clean, "/_ssmpatch/nodes", "POST", {"nodes": [linux("i-0bbbbbbbbbbbbbbb6", profile={
            "Policy": {"Statement": [{"Effect": "Allow", "Action": "s3:*"}]}})]})
    assert e.value.code == 400
