"""IAM enforcement on or off per test (iam.py): off by default; on, only the allowed actions pass."""

import urllib.error

import boto3
import botocore.exceptions
import pytest

from conftest import control


def test_off_by_default_and_after_reset(ssm, clean):
    assert ssm.describe_maintenance_windows()["WindowIdentities"] == []
    control(clean, "/_ssmpatch/settings", "POST", {"iam": {"allow": []}})
    control(clean, "/_ssmpatch/reset", "POST", {})
    ssm.create_maintenance_window(Name="open-win", Schedule="cron(0 3 ? * SUN *)", Duration=2, Cutoff=1,
                                  AllowUnassociatedTargets=False)


def test_only_allowed_actions_pass(ssm, s3, clean):
    control(clean, "/_ssmpatch/settings", "POST", {"iam": {"allow": ["ssm:Describe*", "s3:ListBucket"]}})
    assert ssm.describe_maintenance_windows()["WindowIdentities"] == []
    with pytest.raises(botocore.exceptions.ClientError, match="AccessDeniedException.*ssm:CreateMaintenanceWindow"):
        ssm.create_maintenance_window(Name="no-win", Schedule="cron(0 3 ? * SUN *)", Duration=2, Cutoff=1,
                                      AllowUnassociatedTargets=False)
    with pytest.raises(botocore.exceptions.ClientError, match="AccessDenied"):
        s3.create_bucket(Bucket="no-bucket")
    calls = control(clean, "/_ssmpatch/calls")
    assert [c["outcome"] for c in calls if c["name"] == "CreateMaintenanceWindow"] == ["403 AccessDenied"]
    control(clean, "/_ssmpatch/settings", "POST", {"iam": None})
    ssm.create_maintenance_window(Name="yes-win", Schedule="cron(0 3 ? * SUN *)", Duration=2, Cutoff=1,
                                  AllowUnassociatedTargets=False)


def test_s3_operations_are_authorized_under_their_iam_action(s3, clean):
    s3.create_bucket(Bucket="iam-bucket")
    control(clean, "/_ssmpatch/settings", "POST", {"iam": {"allow": ["s3:ListBucket"]}})
    assert s3.list_objects_v2(Bucket="iam-bucket")["KeyCount"] == 0   # ListObjectsV2 needs s3:ListBucket
    with pytest.raises(botocore.exceptions.ClientError, match="AccessDenied"):
        s3.put_object(Bucket="iam-bucket", Key="k", Body=b"x")


def test_get_caller_identity_needs_no_permission(clean):
    """STS GetCallerIdentity: "No permissions are required to perform this operation." """
    control(clean, "/_ssmpatch/settings", "POST", {"iam": {"allow": []}})
    sts = boto3.client("sts", endpoint_url=clean, region_name="us-east-1", aws_access_key_id="testing",
                       aws_secret_access_key="testing")
    assert sts.get_caller_identity()["Account"]


def test_quick_setup_calls_need_pass_role_and_the_first_window_task_a_service_linked_role(ssm, clean):
    """Dependent actions: Quick Setup's deploying calls pass the local deployment roles
    (iam:PassRole); the first RegisterTaskWithMaintenanceWindow without a ServiceRoleArn creates the
    Systems Manager service-linked role (iam:CreateServiceLinkedRole), later ones do not."""
    w = ssm.create_maintenance_window(Name="slr", Schedule="cron(0 3 ? * SUN *)", Duration=3, Cutoff=1,
                                      AllowUnassociatedTargets=True)["WindowId"]
    task = dict(WindowId=w, TaskArn="AWS-RunPatchBaseline", TaskType="RUN_COMMAND", Priority=1, MaxConcurrency="1",
                MaxErrors="0", Targets=[{"Key": "InstanceIds", "Values": ["i-0123456789abcdef0"]}])
    control(clean, "/_ssmpatch/settings", "POST", {"iam": {"allow": ["ssm:*"]}})
    with pytest.raises(botocore.exceptions.ClientError, match="iam:CreateServiceLinkedRole"):
        ssm.register_task_with_maintenance_window(**task)
    control(clean, "/_ssmpatch/settings", "POST", {"iam": {"allow": ["ssm:*", "iam:CreateServiceLinkedRole"]}})
    ssm.register_task_with_maintenance_window(**task)
    control(clean, "/_ssmpatch/settings", "POST", {"iam": {"allow": ["ssm:*"]}})
    ssm.register_task_with_maintenance_window(**task)   # the role exists now
    qs = boto3.client("ssm-quicksetup", endpoint_url=clean, region_name="us-east-1", aws_access_key_id="testing",
                      aws_secret_access_key="testing")
    control(clean, "/_ssmpatch/settings", "POST", {"iam": {"allow": ["ssm-quicksetup:*"]}})
    with pytest.raises(botocore.exceptions.ClientError, match="iam:PassRole"):
        qs.create_configuration_manager(Name="pp", ConfigurationDefinitions=[{"Type": "AWSQuickSetupType-PatchPolicy",
                                                                              "Parameters": {}}])


# --- {"iam": {"policy": ...}}: identity policies evaluated per action, resource and condition ---------

ACCOUNT = "123456789012"


def _client(name, url):
    return boto3.client(name, endpoint_url=url, region_name="us-east-1", aws_access_key_id="testing",
                        aws_secret_access_key="testing")


def _policy(clean, *statements):
    control(clean, "/_ssmpatch/settings", "POST", {"iam": {"policy": {"Version": "2012-10-17",
                                                                       "Statement": list(statements)}}})


def _denied(fn, *, action, resource=None, explicit=False):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        fn()
    msg = str(e.value)
    assert "AccessDenied" in msg and action in msg, msg
    if resource is not None:
        assert f"on resource: {resource}" in msg, msg
    assert ("explicit deny" in msg) == explicit, msg
    return msg


def test_policy_setting_is_checked(clean):
    for bad in ({"Statement": [{"Effect": "Allow", "Action": "s3:*"}]},           # no Resource
                {"Statement": [{"Effect": "Maybe", "Action": "s3:*", "Resource": "*"}]},
                {"policy": "x", "allow": []}):
        body = {"iam": bad if "allow" in bad else {"policy": bad}}
        with pytest.raises(urllib.error.HTTPError) as e:
            control(clean, "/_ssmpatch/settings", "POST", body)
        assert e.value.code == 400


def test_policy_s3_bucket_and_prefix_condition(s3, clean):
    for b in ("pol-bucket", "pol-other"):
        s3.create_bucket(Bucket=b)
    _policy(clean, {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::pol-bucket",
                    "Condition": {"StringLike": {"s3:prefix": ["plans/p/*"]}}})
    assert s3.list_objects_v2(Bucket="pol-bucket", Prefix="plans/p/")["KeyCount"] == 0
    _denied(lambda: s3.list_objects_v2(Bucket="pol-bucket", Prefix="plans/q/"), action="s3:ListBucket",
            resource='"arn:aws:s3:::pol-bucket"')
    # no Prefix: the key is absent, StringLike is false
    _denied(lambda: s3.list_objects_v2(Bucket="pol-bucket"), action="s3:ListBucket")
    _denied(lambda: s3.list_objects_v2(Bucket="pol-other", Prefix="plans/p/"), action="s3:ListBucket",
            resource='"arn:aws:s3:::pol-other"')
    calls = [c for c in control(clean, "/_ssmpatch/calls") if c["name"] == "ListObjectsV2"]
    assert calls[0]["resources"] == ["arn:aws:s3:::pol-bucket"] and calls[0]["outcome"] == "200"
    assert [c["outcome"] for c in calls[1:]] == ["403 AccessDenied"] * 3


def test_policy_s3_object_resources(s3, clean):
    for b in ("obj-bucket", "obj-other"):
        s3.create_bucket(Bucket=b)
    _policy(clean, {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                    "Resource": "arn:aws:s3:::obj-bucket/plans/*"})
    s3.put_object(Bucket="obj-bucket", Key="plans/a.json", Body=b"[]")
    assert s3.get_object(Bucket="obj-bucket", Key="plans/a.json")["Body"].read() == b"[]"
    msg = _denied(lambda: s3.put_object(Bucket="obj-bucket", Key="other/a.json", Body=b"[]"), action="s3:PutObject",
                  resource='"arn:aws:s3:::obj-bucket/other/a.json"')
    assert f"User: arn:aws:iam::{ACCOUNT}:user/testing is not authorized to perform: s3:PutObject" in msg
    assert "because no identity-based policy allows the s3:PutObject action" in msg
    _denied(lambda: s3.put_object(Bucket="obj-other", Key="plans/a.json", Body=b"[]"), action="s3:PutObject",
            resource='"arn:aws:s3:::obj-other/plans/a.json"')
    # DeleteObjects is s3:DeleteObject on every key it names
    _denied(lambda: s3.delete_objects(Bucket="obj-bucket", Delete={"Objects": [{"Key": "plans/a.json"},
                                                                               {"Key": "other/b"}]}),
            action="s3:DeleteObject", resource='"arn:aws:s3:::obj-bucket/other/b"')
    s3.delete_objects(Bucket="obj-bucket", Delete={"Objects": [{"Key": "plans/a.json"}]})


def test_policy_s3_missing_object_needs_list_bucket_for_404(s3, clean):
    """GetObject/HeadObject of a missing key: 404 with s3:ListBucket on the bucket, 403 without."""
    s3.create_bucket(Bucket="miss-bucket")
    get = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::miss-bucket/*"}
    _policy(clean, get)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.head_object(Bucket="miss-bucket", Key="nope")
    assert e.value.response["Error"]["Code"] in ("403", "AccessDenied"), e.value.response
    _policy(clean, get, {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::miss-bucket"})
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.head_object(Bucket="miss-bucket", Key="nope")
    assert e.value.response["Error"]["Code"] == "404", e.value.response


def test_policy_s3_sse_kms_needs_the_kms_actions_on_the_key(s3, clean):
    kms = _client("kms", clean)
    key = kms.create_key()["KeyMetadata"]
    kms.create_alias(AliasName="alias/pol-key", TargetKeyId=key["KeyId"])
    key_arn = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/{key['KeyId']}"
    s3.create_bucket(Bucket="kms-bucket")
    objects = {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::kms-bucket/*"}
    _policy(clean, objects)
    put = dict(Bucket="kms-bucket", Key="k.json", Body=b"[]", ServerSideEncryption="aws:kms",
               SSEKMSKeyId="alias/pol-key")
    # the alias in the request resolves to the key: kms:GenerateDataKey on its key ARN
    _denied(lambda: s3.put_object(**put), action="kms:GenerateDataKey", resource=key_arn)
    gen = {"Effect": "Allow", "Action": "kms:GenerateDataKey", "Resource": key_arn,
           "Condition": {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}}
    _policy(clean, objects, gen)
    s3.put_object(**put)
    _denied(lambda: s3.get_object(Bucket="kms-bucket", Key="k.json"), action="kms:Decrypt", resource=key_arn)
    _policy(clean, objects, gen, {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": key_arn})
    assert s3.get_object(Bucket="kms-bucket", Key="k.json")["Body"].read() == b"[]"
    # a key on another ARN does not do
    _policy(clean, objects, {"Effect": "Allow", "Action": "kms:GenerateDataKey",
                             "Resource": f"arn:aws:kms:us-east-1:{ACCOUNT}:key/other"})
    _denied(lambda: s3.put_object(**put), action="kms:GenerateDataKey", resource=key_arn)
    # the bucket's default SSE-KMS key applies to a PUT without encryption headers
    control(clean, "/_ssmpatch/settings", "POST", {"iam": None})
    s3.put_bucket_encryption(Bucket="kms-bucket", ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_arn}}]})
    _policy(clean, objects)
    _denied(lambda: s3.put_object(Bucket="kms-bucket", Key="plain.json", Body=b"[]"), action="kms:GenerateDataKey",
            resource=key_arn)


def test_policy_explicit_deny_wins(ssm, clean):
    _policy(clean, {"Effect": "Allow", "Action": "ssm:*", "Resource": "*"},
            {"Effect": "Deny", "Action": "ssm:createmaintenancewindow", "Resource": "*"})
    assert ssm.describe_maintenance_windows()["WindowIdentities"] == []
    _denied(lambda: ssm.create_maintenance_window(Name="denied", Schedule="cron(0 3 ? * SUN *)", Duration=2,
                                                  Cutoff=1, AllowUnassociatedTargets=False),
            action="ssm:CreateMaintenanceWindow", explicit=True)


def test_policy_ssm_resources(ssm, clean):
    w1 = ssm.create_maintenance_window(Name="win-1", Schedule="cron(0 3 ? * SUN *)", Duration=2, Cutoff=1,
                                       AllowUnassociatedTargets=True)["WindowId"]
    w2 = ssm.create_maintenance_window(Name="win-2", Schedule="cron(0 3 ? * SUN *)", Duration=2, Cutoff=1,
                                       AllowUnassociatedTargets=True)["WindowId"]
    control(clean, "/_ssmpatch/nodes", "POST", {"nodes": [{"InstanceId": "i-0000000000000aa01"}]})
    w1_arn = f"arn:aws:ssm:us-east-1:{ACCOUNT}:maintenancewindow/{w1}"
    _policy(clean, {"Effect": "Allow", "Action": ["ssm:GetMaintenanceWindow", "ssm:AddTagsToResource"],
                    "Resource": w1_arn})
    assert ssm.get_maintenance_window(WindowId=w1)["Name"] == "win-1"
    ssm.add_tags_to_resource(ResourceType="MaintenanceWindow", ResourceId=w1, Tags=[{"Key": "a", "Value": "b"}])
    _denied(lambda: ssm.get_maintenance_window(WindowId=w2), action="ssm:GetMaintenanceWindow",
            resource=f"arn:aws:ssm:us-east-1:{ACCOUNT}:maintenancewindow/{w2}")
    # an action without a resource type is requested on "*": a window ARN does not cover it
    _denied(lambda: ssm.describe_maintenance_windows(), action="ssm:DescribeMaintenanceWindows", resource="*")
    # SendCommand: the (account-less, AWS-owned) document and each instance
    doc = "arn:aws:ssm:us-east-1::document/AWS-RunPatchBaseline"
    inst = f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/i-0000000000000aa01"
    send = dict(DocumentName="AWS-RunPatchBaseline", InstanceIds=["i-0000000000000aa01"],
                Parameters={"Operation": ["Scan"]})
    _policy(clean, {"Effect": "Allow", "Action": "ssm:SendCommand", "Resource": doc})
    _denied(lambda: ssm.send_command(**send), action="ssm:SendCommand", resource=inst)
    _policy(clean, {"Effect": "Allow", "Action": "ssm:SendCommand", "Resource": [doc, "arn:aws:ec2:*:*:instance/*"]})
    assert ssm.send_command(**send)["Command"]["Status"] == "Success"
    calls = [c for c in control(clean, "/_ssmpatch/calls") if c["name"] == "SendCommand"]
    assert calls[-1]["resources"] == [doc, inst]


def test_policy_quick_setup_pass_role_needs_passed_to_service(qs, clean):
    control(clean, "/_ssmpatch/quick-setup-roles", "POST", {})
    admin = f"arn:aws:iam::{ACCOUNT}:role/AWS-QuickSetup-PatchPolicy-LocalAdministrationRole"
    execution = f"arn:aws:iam::{ACCOUNT}:role/AWS-QuickSetup-PatchPolicy-LocalExecutionRole"
    definition = {"Type": "AWSQuickSetupType-PatchPolicy", "LocalDeploymentAdministrationRoleArn": admin,
                  "LocalDeploymentExecutionRoleName": "AWS-QuickSetup-PatchPolicy-LocalExecutionRole",
                  "Parameters": {"PatchPolicyName": "pp", "SelectedPatchBaselines": "{}", "TargetRegions": "us-east-1",
                                 "PatchBaselineRegion": "us-east-1", "TargetAccounts": ACCOUNT,
                                 "ConfigurationOptionsScanNextInterval": "true"}}
    qs_all = {"Effect": "Allow", "Action": "ssm-quicksetup:*", "Resource": "*"}

    def pass_role(services):
        s = {"Effect": "Allow", "Action": "iam:PassRole", "Resource": [admin, execution]}
        if services is not None:
            s["Condition"] = {"StringEquals": {"iam:PassedToService": services}}
        return s

    create = lambda: qs.create_configuration_manager(Name="pp", ConfigurationDefinitions=[definition])  # noqa: E731
    _policy(clean, qs_all, pass_role(["ec2.amazonaws.com"]))
    _denied(create, action="iam:PassRole", resource=admin)
    # both services the SAR names must be allowed
    _policy(clean, qs_all, pass_role(["cloudformation.amazonaws.com"]))
    _denied(create, action="iam:PassRole", resource=admin)
    _policy(clean, qs_all, {"Effect": "Allow", "Action": "iam:PassRole", "Resource": admin,
                            "Condition": {"StringEquals": {"iam:PassedToService": [
                                "cloudformation.amazonaws.com", "ssm-quicksetup.amazonaws.com"]}}})
    _denied(create, action="iam:PassRole", resource=execution)
    _policy(clean, qs_all, pass_role(["cloudformation.amazonaws.com", "ssm-quicksetup.amazonaws.com"]))
    arn = create()["ManagerArn"]
    # tagging passes the manager's roles too; the manager ARN is the resource
    _policy(clean, {"Effect": "Allow", "Action": "ssm-quicksetup:TagResource", "Resource": arn}, pass_role(None))
    qs.tag_resource(ResourceArn=arn, Tags={"a": "b"})
    _policy(clean, {"Effect": "Allow", "Action": "ssm-quicksetup:TagResource",
                    "Resource": arn.rsplit("/", 1)[0] + "/other"}, pass_role(None))
    _denied(lambda: qs.tag_resource(ResourceArn=arn, Tags={"a": "c"}), action="ssm-quicksetup:TagResource",
            resource=arn)


def test_policy_service_linked_role_condition(ssm, clean):
    w = ssm.create_maintenance_window(Name="slr-pol", Schedule="cron(0 3 ? * SUN *)", Duration=3, Cutoff=1,
                                      AllowUnassociatedTargets=True)["WindowId"]
    task = dict(WindowId=w, TaskArn="AWS-RunPatchBaseline", TaskType="RUN_COMMAND", Priority=1, MaxConcurrency="1",
                MaxErrors="0", Targets=[{"Key": "InstanceIds", "Values": ["i-0123456789abcdef0"]}])
    slr = f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/ssm.amazonaws.com/AWSServiceRoleForAmazonSSM"
    ssm_all = {"Effect": "Allow", "Action": "ssm:*", "Resource": "*"}
    _policy(clean, ssm_all, {"Effect": "Allow", "Action": "iam:CreateServiceLinkedRole", "Resource": slr,
                             "Condition": {"StringEquals": {"iam:AWSServiceName": "ec2.amazonaws.com"}}})
    _denied(lambda: ssm.register_task_with_maintenance_window(**task), action="iam:CreateServiceLinkedRole",
            resource=slr)
    _policy(clean, ssm_all, {"Effect": "Allow", "Action": "iam:CreateServiceLinkedRole", "Resource": slr,
                             "Condition": {"StringEquals": {"iam:AWSServiceName": "ssm.amazonaws.com"}}})
    ssm.register_task_with_maintenance_window(**task)


def test_policy_window_task_service_role_needs_pass_role(ssm, clean):
    """A task with ServiceRoleArn passes the role to Systems Manager (iam:PassRole, iam:PassedToService
    ssm.amazonaws.com); without one, no PassRole (the service-linked role is created instead)."""
    w = ssm.create_maintenance_window(Name="role-pol", Schedule="cron(0 3 ? * SUN *)", Duration=3, Cutoff=1,
                                      AllowUnassociatedTargets=True)["WindowId"]
    role = f"arn:aws:iam::{ACCOUNT}:role/mw-tasks"
    task = dict(WindowId=w, TaskArn="AWS-RunPatchBaseline", TaskType="RUN_COMMAND", Priority=1, MaxConcurrency="1",
                MaxErrors="0", Targets=[{"Key": "InstanceIds", "Values": ["i-0123456789abcdef0"]}],
                ServiceRoleArn=role)
    ssm_all = {"Effect": "Allow", "Action": "ssm:*", "Resource": "*"}
    _policy(clean, ssm_all)
    _denied(lambda: ssm.register_task_with_maintenance_window(**task), action="iam:PassRole", resource=role)
    _policy(clean, ssm_all, {"Effect": "Allow", "Action": "iam:PassRole", "Resource": role,
                             "Condition": {"StringEquals": {"iam:PassedToService": "cloudformation.amazonaws.com"}}})
    _denied(lambda: ssm.register_task_with_maintenance_window(**task), action="iam:PassRole", resource=role)
    _policy(clean, ssm_all, {"Effect": "Allow", "Action": "iam:PassRole", "Resource": role,
                             "Condition": {"StringEquals": {"iam:PassedToService": "ssm.amazonaws.com"}}})
    t = ssm.register_task_with_maintenance_window(**task)["WindowTaskId"]
    _policy(clean, ssm_all)
    _denied(lambda: ssm.update_maintenance_window_task(WindowId=w, WindowTaskId=t, ServiceRoleArn=role),
            action="iam:PassRole", resource=role)


def test_iam_api_calls_are_enforced(clean):
    iam_client = _client("iam", clean)
    iam_client.create_role(RoleName="node-role", AssumeRolePolicyDocument="{}")
    iam_client.create_role(RoleName="other-role", AssumeRolePolicyDocument="{}")
    control(clean, "/_ssmpatch/settings", "POST", {"iam": {"allow": ["ssm:*"]}})
    _denied(lambda: iam_client.get_role(RoleName="node-role"), action="iam:GetRole")
    assert _client("sts", clean).get_caller_identity()["Account"] == ACCOUNT   # still free
    _policy(clean, {"Effect": "Allow", "Action": ["iam:GetRole", "iam:TagRole"],
                    "Resource": f"arn:aws:iam::{ACCOUNT}:role/node-*"})
    assert iam_client.get_role(RoleName="node-role")["Role"]["RoleName"] == "node-role"
    iam_client.tag_role(RoleName="node-role", Tags=[{"Key": "k", "Value": "v"}])
    _denied(lambda: iam_client.get_role(RoleName="other-role"), action="iam:GetRole",
            resource=f"arn:aws:iam::{ACCOUNT}:role/other-role")
    _denied(lambda: iam_client.list_roles(), action="iam:ListRoles", resource="*")
    names = [c["name"] for c in control(clean, "/_ssmpatch/calls") if c["service"] in ("iam", "sts")]
    assert names[:2] == ["CreateRole", "CreateRole"] and "GetCallerIdentity" in names


def test_policy_evaluator_rules():
    """policy.py on its own: the IAM rules it implements, and the strict answer where it cannot know."""
    from ssmpatch_standin import policy as p

    def decide(stmts, action, resource, ctx=None, prefixes=()):
        return p.decide(p.Request(action, resource, p.Context(ctx or {}, prefixes)),
                        identity=[{"Statement": stmts}]).effect

    allow = {"Effect": "Allow"}
    # actions: case-insensitive globs; NotAction
    assert decide([dict(allow, Action="S3:get*", Resource="*")], "s3:GetObject", "arn:aws:s3:::b/k") == p.ALLOW
    assert decide([dict(allow, NotAction="s3:*", Resource="*")], "s3:GetObject", "x") == p.IMPLICIT
    # ARN globs: '*' inside a segment stops at ':', at a segment's end it may span colons; '?' one char
    assert decide([dict(allow, Action="*", Resource="arn:aws:ssm:*:123:document/*")], "ssm:GetDocument",
                  "arn:aws:ssm:us-east-1:123:document/x") == p.ALLOW
    assert decide([dict(allow, Action="*", Resource="arn:aws:s3:::b?/*")], "s3:GetObject", "arn:aws:s3:::b1/k") == p.ALLOW
    assert decide([dict(allow, Action="*", Resource="arn:aws:s3:::b?/*")], "s3:GetObject", "arn:aws:s3:::b12/k") \
        == p.IMPLICIT
    assert decide([dict(allow, Action="*", Resource="arn:aws:ssm:us-*st-1:123:*")], "ssm:X",
                  "arn:aws:ssm:us-east-1:123:window/w") == p.ALLOW
    assert decide([dict(allow, Action="*", Resource="arn:*x:ssm:us-east-1:123:w")], "ssm:X",
                  "arn:aws:ssm:us-east-1:123:w") == p.IMPLICIT
    # an action requested on "*" needs a statement whose Resource covers "*"
    assert decide([dict(allow, Action="*", Resource="arn:*")], "ssm:DescribeMaintenanceWindows", "*") == p.IMPLICIT
    # a missing key: positive operators false, negated true, ForAllValues true, IfExists true, Null
    ctx = {"s3:prefix": None}
    cond = lambda c: [dict(allow, Action="*", Resource="*", Condition=c)]  # noqa: E731
    assert decide(cond({"StringLike": {"s3:prefix": "a/*"}}), "s3:ListBucket", "*", ctx) == p.IMPLICIT
    assert decide(cond({"StringNotLike": {"s3:prefix": "a/*"}}), "s3:ListBucket", "*", ctx) == p.ALLOW
    assert decide(cond({"StringLikeIfExists": {"s3:prefix": "a/*"}}), "s3:ListBucket", "*", ctx) == p.ALLOW
    assert decide(cond({"ForAllValues:StringEquals": {"s3:prefix": "a"}}), "s3:ListBucket", "*", ctx) == p.ALLOW
    assert decide(cond({"ForAnyValue:StringEquals": {"s3:prefix": "a"}}), "s3:ListBucket", "*", ctx) == p.IMPLICIT
    assert decide(cond({"Null": {"s3:prefix": "true"}}), "s3:ListBucket", "*", ctx) == p.ALLOW
    # condition key names are case-insensitive, values case-sensitive; Bool; multi-valued sets
    assert decide(cond({"StringEquals": {"S3:Prefix": "A"}}), "s", "*", {"s3:prefix": "a"}) == p.IMPLICIT
    assert decide(cond({"StringEqualsIgnoreCase": {"s3:prefix": "A"}}), "s", "*", {"s3:prefix": "a"}) == p.ALLOW
    assert decide(cond({"Bool": {"aws:SecureTransport": True}}), "s", "*", {"aws:SecureTransport": "true"}) == p.ALLOW
    tags = {"aws:TagKeys": ["a", "b"]}
    assert decide(cond({"ForAllValues:StringEquals": {"aws:TagKeys": ["a", "b", "c"]}}), "s", "*", tags) == p.ALLOW
    assert decide(cond({"ForAllValues:StringEquals": {"aws:TagKeys": ["a"]}}), "s", "*", tags) == p.IMPLICIT
    assert decide(cond({"ForAnyValue:StringEquals": {"aws:TagKeys": ["b"]}}), "s", "*", tags) == p.ALLOW
    # policy variables resolve from the context
    assert decide(cond({"StringEquals": {"aws:PrincipalAccount": "${aws:ResourceAccount}"}}), "s", "*",
                  {"aws:PrincipalAccount": "1", "aws:ResourceAccount": "1"}) == p.ALLOW
    # what the stand-in cannot know: an Allow does not apply, a Deny does (strict)
    unknown_key = {"StringEquals": {"aws:SourceVpc": "vpc-1"}}
    unknown_op = {"NumericLessThan": {"s3:max-keys": "10"}}
    for c in (unknown_key, unknown_op):
        assert decide(cond(c), "s3:ListBucket", "*", {"s3:max-keys": "5"}) == p.IMPLICIT
        assert decide([dict(allow, Action="*", Resource="*"),
                       {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": c}],
                      "s3:ListBucket", "*", {"s3:max-keys": "5"}) == p.DENY
    # a key family the context knows completely: a missing member is absent, not unknown
    assert decide(cond({"StringNotEquals": {"aws:PrincipalTag/QSConfigId-x": "x"}}), "s", "*", {},
                  ("aws:principaltag/",)) == p.ALLOW
    # explicit deny wins over any allow
    assert decide([dict(allow, Action="*", Resource="*"), {"Effect": "Deny", "Action": "s3:*", "Resource": "*"}],
                  "s3:GetObject", "x") == p.DENY


def test_call_log_names_no_action_for_calls_that_need_none(clean):
    """GetCallerIdentity is authorized under no action: the call log's action is null, as before the
    query protocol was parsed (a printed policy need not list it)."""
    _client("sts", clean).get_caller_identity()
    calls = [c for c in control(clean, "/_ssmpatch/calls") if c["service"] == "sts"]
    assert [(c["name"], c["action"], c["resources"]) for c in calls] == [("GetCallerIdentity", None, None)]
