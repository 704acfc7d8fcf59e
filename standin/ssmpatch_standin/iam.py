"""IAM enforcement, per test. Two forms, set with ``POST /_ssmpatch/settings``:

- ``{"iam": {"allow": ["ssm:Describe*", "s3:*"]}}`` — ACTIONS ONLY (every resource): a call is allowed
  when its IAM action, and each action it depends on, matches one of the ``fnmatch`` globs over
  ``<service prefix>:<action>``.
- ``{"iam": {"policy": <IAM policy document, or a list of them>}}`` — the caller's identity-based
  policies, evaluated as IAM evaluates them in one account (``policy.py``): every authorization the call
  needs — its own action on each resource ARN the request names, and the dependent actions (below) —
  must be allowed, and an explicit Deny wins.

``{"iam": null}`` or reset turns enforcement off. Refusals are AWS's (``AccessDeniedException``, S3's
``AccessDenied``): "User: <caller> is not authorized to perform: <action> [on resource: <arn>] because
no identity-based policy allows the <action> action" (or "... with an explicit deny in an
identity-based policy").

Enforced services: ``ssm``, ``ssm-quicksetup``, ``s3``, ``sts`` and ``iam`` — every IAM API call
(action = the API name). ``sts:GetCallerIdentity`` needs no permission ("No permissions are required
to perform this operation", STS API reference).

Actions: the API operation's name except where the service authorizes an operation under another
action ("Amazon S3 API operations and the permissions they require", S3 user guide / the "API
operations" table of the Service Authorization Reference (SAR), Amazon S3): ``ALIASES``.

Resources (``resources_of``), per the SAR pages "Actions, resources, and condition keys for AWS Systems
Manager / AWS Systems Manager Quick Setup / Amazon S3 / AWS Identity and Access Management" (their
rows are copied, with sources, in docs/iam-permissions-research.md §2): the ARN of each resource the
request names, for the resource types the SAR lists for the action. SAR: "If there is no value for
this column [Resource types], you must specify all resources ("*")" — such actions are requested on
``"*"``, which only a statement with ``Resource: "*"`` covers. Where the stand-in is not sure what AWS
authorizes an action against, it uses ``"*"`` too (never more lenient: a ``"*"`` statement is the
broadest); those actions are every SSM/Quick Setup/IAM action not in the tables below.

Condition keys the stand-in models (any other key is unknown to it: ``policy.py`` decides strictly):
``aws:PrincipalArn``, ``aws:PrincipalAccount``, ``aws:PrincipalType``, ``aws:RequestedRegion`` on
every call; ``s3:prefix`` (ListBucket; absent without ``Prefix``), ``s3:x-amz-server-side-encryption``
and ``s3:x-amz-server-side-encryption-aws-kms-key-id`` (PutObject); ``iam:PassedToService``
(PassRole); ``iam:AWSServiceName`` (CreateServiceLinkedRole); ``kms:ViaService`` and
``kms:CallerAccount`` (the KMS actions S3 performs for the caller).
"""

import fnmatch
import urllib.parse

from moto.core import DEFAULT_ACCOUNT_ID

from ssmpatch_standin import policy

PREFIX = {"ssm": "ssm", "ssm-quicksetup": "ssm-quicksetup", "s3": "s3", "sts": "sts", "iam": "iam"}
# S3 API operation → the IAM action it is authorized under (S3 user guide, "Amazon S3 API operations
# and the permissions they require"; SAR Amazon S3). Operations not listed use their own name.
ALIASES = {
    ("s3", "ListObjectsV2"): "ListBucket",
    ("s3", "ListObjects"): "ListBucket",
    ("s3", "HeadObject"): "GetObject",
    ("s3", "HeadBucket"): "ListBucket",
    ("s3", "DeleteObjects"): "DeleteObject",
    ("s3", "ListBuckets"): "ListAllMyBuckets",
    ("s3", "ListObjectVersions"): "ListBucketVersions",
    ("s3", "GetBucketEncryption"): "GetEncryptionConfiguration",
    ("s3", "PutBucketEncryption"): "PutEncryptionConfiguration",
    ("s3", "DeleteBucketEncryption"): "PutEncryptionConfiguration",
    ("s3", "CreateMultipartUpload"): "PutObject",
    ("s3", "UploadPart"): "PutObject",
    ("s3", "CompleteMultipartUpload"): "PutObject",
    ("s3", "CopyObject"): "PutObject",
    ("s3", "ListMultipartUploads"): "ListBucketMultipartUploads",
    ("s3", "ListParts"): "ListMultipartUploadParts",
    ("s3", "PutBucketLifecycleConfiguration"): "PutLifecycleConfiguration",
    ("s3", "GetBucketLifecycleConfiguration"): "GetLifecycleConfiguration",
    ("s3", "DeleteBucketLifecycle"): "PutLifecycleConfiguration",
    ("s3", "PutPublicAccessBlock"): "PutBucketPublicAccessBlock",
    ("s3", "GetPublicAccessBlock"): "GetBucketPublicAccessBlock",
    ("s3", "DeletePublicAccessBlock"): "PutBucketPublicAccessBlock",
    ("s3", "DeleteBucketTagging"): "PutBucketTagging",
    ("s3", "PutBucketNotificationConfiguration"): "PutBucketNotification",
    ("s3", "GetBucketNotificationConfiguration"): "GetBucketNotification",
    ("s3", "DeleteBucketOwnershipControls"): "PutBucketOwnershipControls",
    ("s3", "PutBucketCors"): "PutBucketCORS",
    ("s3", "GetBucketCors"): "GetBucketCORS",
    ("s3", "DeleteBucketCors"): "PutBucketCORS",
}


# "No permissions are required to perform this operation." (STS API reference, GetCallerIdentity)
NO_PERMISSION_NEEDED = {"sts:GetCallerIdentity"}


def action_of(service, operation):
    """``ssm:CreateAssociation``-style action of a call, or ``None`` for a service not modelled."""
    prefix = PREFIX.get(service)
    if prefix is None or not operation or " " in operation:
        return None
    return f"{prefix}:{ALIASES.get((service, operation), operation)}"


def logged_action(service, operation):
    """The call log's ``action``: the IAM action the call is authorized under — none for a call that
    needs no permission (sts:GetCallerIdentity), as for a service that is not modelled."""
    action = action_of(service, operation)
    return None if action in NO_PERMISSION_NEEDED else action


# Actions a call needs besides its own ("Dependent actions", Service Authorization Reference): every
# Quick Setup call that deploys passes the local deployment roles to the service (iam:PassRole, with
# iam:PassedToService cloudformation.amazonaws.com or ssm-quicksetup.amazonaws.com). The "allow" form
# checks these (as it always has); the "policy" form checks the SAR's full list, QS_PASS_ROLE.
DEPENDENT = {
    ("ssm-quicksetup", "CreateConfigurationManager"): ["iam:PassRole"],
    ("ssm-quicksetup", "UpdateConfigurationDefinition"): ["iam:PassRole"],
    ("ssm-quicksetup", "DeleteConfigurationManager"): ["iam:PassRole"],
}
# SAR, AWS Systems Manager Quick Setup, "API operations" table: CreateConfigurationManager,
# DeleteConfigurationManager, UpdateConfigurationDefinition, TagResource, UntagResource each need
# "iam:PassRole / Condition key: iam:PassedToService / Possible value(s): cloudformation.amazonaws.com,
# ssm-quicksetup.amazonaws.com" (docs/iam-permissions-research.md §3.1). Which of the two services a
# role is passed to is not stated: the stand-in requires both (strict).
QS_PASS_ROLE = ("CreateConfigurationManager", "UpdateConfigurationDefinition", "DeleteConfigurationManager",
                "TagResource", "UntagResource")
QS_PASSED_TO = ("cloudformation.amazonaws.com", "ssm-quicksetup.amazonaws.com")

# A maintenance-window task given a ServiceRoleArn passes that role to Systems Manager: SAR, AWS
# Systems Manager, RegisterTaskWithMaintenanceWindow and UpdateMaintenanceWindowTask list the
# dependent action iam:PassRole; "Configure permissions for maintenance windows" (SSM user guide):
# users who register tasks with a custom service role need iam:PassRole on it, with
# iam:PassedToService ssm.amazonaws.com in AWS's example policy. (Policy form only: the "allow"
# form keeps its fixed DEPENDENT list.)
SSM_PASS_SERVICE_ROLE = ("RegisterTaskWithMaintenanceWindow", "UpdateMaintenanceWindowTask")

# The Systems Manager service-linked role (the first RegisterTaskWithMaintenanceWindow without a
# ServiceRoleArn creates it: app.py). SAR, IAM: CreateServiceLinkedRole on "role*" with condition key
# iam:AWSServiceName; the role's ARN: arn:aws:iam::<account>:role/aws-service-role/ssm.amazonaws.com/
# AWSServiceRoleForAmazonSSM (the AWS-managed SSM policies grant it exactly so, e.g.
# "Resource": "arn:aws:iam::*:role/aws-service-role/ssm.amazonaws.com/AWSServiceRoleForAmazonSSM" with
# "StringEquals": {"iam:AWSServiceName": "ssm.amazonaws.com"}).
SSM_SLR_PATH = "/aws-service-role/ssm.amazonaws.com/"
SSM_SLR_NAME = "AWSServiceRoleForAmazonSSM"


class Authorization:
    """One action a call needs, on its resources (each must be allowed), with its condition keys."""

    def __init__(self, action, resources, context=None):
        self.action = action
        self.resources = list(resources) or ["*"]
        self.context = dict(context or {})

    def to_json(self):
        d = {"action": self.action, "resources": self.resources}
        if self.context:
            d["context"] = self.context
        return d


class Denied:
    """Why a call is refused: the action, the resource (None in the "allow" form) and whether an
    explicit Deny decided."""

    def __init__(self, action, resource=None, explicit=False):
        self.action = action
        self.resource = resource
        self.explicit = explicit

    def message(self, principal_arn, service):
        on = ""
        if self.resource is not None:
            # S3 quotes the resource ("... on resource: "arn:aws:s3:::b/k" because ..."); other services
            # (and the KMS actions S3 performs) do not.
            res = self.resource
            if res == "*":
                res = "arn:aws:s3:::*" if service == "s3" else "*"
            on = f' on resource: "{res}"' if self.action.startswith("s3:") else f" on resource: {res}"
        why = (" with an explicit deny in an identity-based policy" if self.explicit
               else f" because no identity-based policy allows the {self.action} action")
        return f"User: {principal_arn} is not authorized to perform: {self.action}{on}{why}"


# --- ARNs -------------------------------------------------------------------------------------------

def _ssm(region, account, kind, rid):
    return f"arn:aws:ssm:{region}:{account}:{kind}/{rid}"


def document_arn(name, region, account):
    """SSM documents: "Documents ... that are owned by Amazon ... do not include account IDs in their
    ARN formats. For example: arn:aws:ssm:us-east-2::document/AWS-RunPatchBaseline" (SSM user guide,
    "How Systems Manager works with IAM"). Names starting with aws, amazon or amzn are reserved for
    AWS ("You can't use the following strings as document name prefixes ... aws, amazon, amzn",
    CreateDocument API)."""
    if name.startswith("arn:"):
        return name
    owner = "" if name.lower().startswith(("aws", "amazon", "amzn")) else account
    return f"arn:aws:ssm:{region}:{owner}:document/{name}"


def instance_arn(iid, region, account):
    """EC2 instances (i-…) are authorized as arn:aws:ec2:…:instance/<id>, hybrid nodes (mi-…) as
    arn:aws:ssm:…:managed-instance/<id> (SAR, Systems Manager: resource types instance and
    managed-instance)."""
    if iid.startswith("mi-"):
        return _ssm(region, account, "managed-instance", iid)
    return f"arn:aws:ec2:{region}:{account}:instance/{iid}"


def patch_baseline_arn(bid, region, account):
    return bid if bid.startswith("arn:") else _ssm(region, account, "patchbaseline", bid)


def bucket_arn(bucket):
    return f"arn:aws:s3:::{bucket}"


def object_arn(bucket, key):
    return f"arn:aws:s3:::{bucket}/{key}"


def role_arn(name, account, path=None):
    if path is None:
        path = _role_path(name, account)
    return f"arn:aws:iam::{account}:role{path or '/'}{name}"


def _role_path(name, account):
    try:
        from moto.iam.models import iam_backends
        return iam_backends[account]["global"].get_role(name).path or "/"
    except Exception:
        return "/"


_TAG_TYPES = {"MaintenanceWindow": "maintenancewindow", "PatchBaseline": "patchbaseline",
              "Association": "association", "ManagedInstance": "managed-instance", "Parameter": "parameter",
              "OpsItem": "opsitem", "Automation": "automation-execution", "OpsMetadata": "opsmetadata"}


def _tagged_resource(p, region, account):
    """AddTagsToResource / RemoveTagsFromResource / ListTagsForResource: ResourceType + ResourceId."""
    rtype, rid = p.get("ResourceType"), p.get("ResourceId")
    if not rtype or not rid:
        return ["*"]
    if rtype == "Document":
        return [document_arn(rid, region, account)]
    if rtype == "Parameter":
        return [_ssm(region, account, "parameter", rid.lstrip("/"))]
    if rtype in _TAG_TYPES:
        return [_ssm(region, account, _TAG_TYPES[rtype], rid)]
    return ["*"]


def _target_instances(targets, region, account):
    """Instance ARNs a target list names: explicit InstanceIds; a tag target names every instance the
    call may reach, instance/* (UNCONFIRMED how AWS authorizes tag targets at call time; the stand-in
    asks for instance/*, as AWS's own Run Command policy examples grant)."""
    out = []
    for t in targets or []:
        key, values = t.get("Key", ""), t.get("Values") or []
        if key == "InstanceIds":
            out += [instance_arn(v, region, account) if v != "*" else
                    f"arn:aws:ec2:{region}:{account}:instance/*" for v in values]
        elif key.startswith("tag:") or key == "tag-key" or key == "resource-groups:Name":
            out.append(f"arn:aws:ec2:{region}:{account}:instance/*")
    return out


# SSM: the SAR's resource types per action (docs/iam-permissions-research.md §2.1), as functions of
# the request. Every SSM action not listed here is requested on "*" (no resource type in the SAR, or
# the stand-in is unsure): DescribeMaintenanceWindows, CreateMaintenanceWindow, DescribePatchBaselines,
# CreatePatchBaseline, ListAssociations, ListCommands, ListCommandInvocations, GetCommandInvocation,
# DescribeInstanceInformation, DescribeMaintenanceWindowExecutionTasks,
# DescribeMaintenanceWindowExecutionTaskInvocations, GetMaintenanceWindowExecution,
# GetMaintenanceWindowExecutionTask, DescribeInstancePatchStates, DescribeInstancePatches,
# DescribeInstancePatchStatesForPatchGroup, ListComplianceItems, ListResourceComplianceSummaries,
# ListComplianceSummaries, DescribePatchGroups, GetDefaultPatchBaseline, CancelCommand, ListDocuments …
def _window(p, r, a):
    return [_ssm(r, a, "maintenancewindow", p.get("WindowId", "*"))]


def _association(p, r, a):
    out = [_ssm(r, a, "association", p["AssociationId"])] if p.get("AssociationId") else []
    if p.get("Name"):
        out.append(document_arn(p["Name"], r, a))
    if p.get("InstanceId"):
        out.append(instance_arn(p["InstanceId"], r, a))
    return out


def _create_association(p, r, a):
    # association* (required; the new association has no ID yet: association/*), document*, and the
    # instances it targets (SAR rows CreateAssociation: association*, document*, instance,
    # managed-instance).
    out = [_ssm(r, a, "association", "*"), document_arn(p.get("Name", "*"), r, a)]
    if p.get("InstanceId"):
        out.append(instance_arn(p["InstanceId"], r, a))
    return out + _target_instances(p.get("Targets"), r, a)


def _update_association(p, r, a):
    out = [_ssm(r, a, "association", p.get("AssociationId", "*"))]
    if p.get("Name"):
        out.append(document_arn(p["Name"], r, a))
    return out + _target_instances(p.get("Targets"), r, a)


def _send_command(p, r, a):
    # SendCommand: bucket, document*, instance, managed-instance — every one the request names.
    out = [document_arn(p.get("DocumentName", "*"), r, a)]
    out += [instance_arn(i, r, a) for i in p.get("InstanceIds") or []]
    out += _target_instances(p.get("Targets"), r, a)
    if p.get("OutputS3BucketName"):
        out.append(bucket_arn(p["OutputS3BucketName"]))
    return out


SSM_RESOURCES = {
    "GetPatchBaseline": lambda p, r, a: [patch_baseline_arn(p.get("BaselineId", "*"), r, a)],
    "UpdatePatchBaseline": lambda p, r, a: [patch_baseline_arn(p.get("BaselineId", "*"), r, a)],
    "DeletePatchBaseline": lambda p, r, a: [patch_baseline_arn(p.get("BaselineId", "*"), r, a)],
    "RegisterPatchBaselineForPatchGroup": lambda p, r, a: [patch_baseline_arn(p.get("BaselineId", "*"), r, a)],
    "DeregisterPatchBaselineForPatchGroup": lambda p, r, a: [patch_baseline_arn(p.get("BaselineId", "*"), r, a)],
    "DescribeEffectivePatchesForPatchBaseline": lambda p, r, a: [patch_baseline_arn(p.get("BaselineId", "*"), r, a)],
    "GetMaintenanceWindow": _window,
    "UpdateMaintenanceWindow": _window,
    "DeleteMaintenanceWindow": _window,
    "DescribeMaintenanceWindowTargets": _window,
    "DescribeMaintenanceWindowTasks": _window,
    "GetMaintenanceWindowTask": _window,
    "RegisterTargetWithMaintenanceWindow": _window,
    "RegisterTaskWithMaintenanceWindow": _window,
    "DescribeMaintenanceWindowExecutions": _window,
    "UpdateMaintenanceWindowTarget": lambda p, r, a: _window(p, r, a) + [
        _ssm(r, a, "windowtarget", p.get("WindowTargetId", "*"))],
    "DeregisterTargetFromMaintenanceWindow": lambda p, r, a: _window(p, r, a) + [
        _ssm(r, a, "windowtarget", p.get("WindowTargetId", "*"))],
    "UpdateMaintenanceWindowTask": lambda p, r, a: _window(p, r, a) + [
        _ssm(r, a, "windowtask", p.get("WindowTaskId", "*"))],
    "DeregisterTaskFromMaintenanceWindow": lambda p, r, a: _window(p, r, a) + [
        _ssm(r, a, "windowtask", p.get("WindowTaskId", "*"))],
    "DescribeAssociation": _association,
    "DeleteAssociation": _association,
    "CreateAssociation": _create_association,
    "UpdateAssociation": _update_association,
    "DescribeAssociationExecutions": lambda p, r, a: [_ssm(r, a, "association", p.get("AssociationId", "*"))],
    "DescribeAssociationExecutionTargets": lambda p, r, a: [_ssm(r, a, "association", p.get("AssociationId", "*"))],
    "ListAssociationVersions": lambda p, r, a: [_ssm(r, a, "association", p.get("AssociationId", "*"))],
    "SendCommand": _send_command,
    "PutComplianceItems": lambda p, r, a: [instance_arn(p.get("ResourceId", "*"), r, a)],
    "AddTagsToResource": lambda p, r, a: _tagged_resource(p, r, a),
    "RemoveTagsFromResource": lambda p, r, a: _tagged_resource(p, r, a),
    "ListTagsForResource": lambda p, r, a: _tagged_resource(p, r, a),
    "GetDocument": lambda p, r, a: [document_arn(p.get("Name", "*"), r, a)],
    "DescribeDocument": lambda p, r, a: [document_arn(p.get("Name", "*"), r, a)],
    "GetParameter": lambda p, r, a: [_ssm(r, a, "parameter", p.get("Name", "*").lstrip("/"))],
    "GetParameters": lambda p, r, a: [_ssm(r, a, "parameter", n.lstrip("/")) for n in p.get("Names") or []],
    "PutParameter": lambda p, r, a: [_ssm(r, a, "parameter", p.get("Name", "*").lstrip("/"))],
    "DeleteParameter": lambda p, r, a: [_ssm(r, a, "parameter", p.get("Name", "*").lstrip("/"))],
}

# Quick Setup (SAR-QS): configuration-manager* for the manager operations; CreateConfigurationManager
# also lists configuration-manager* (the new manager: configuration-manager/*); ListConfigurationManagers,
# ListQuickSetupTypes, GetConfiguration, ListConfigurations, service settings: "*".
QS_MANAGER = ("GetConfigurationManager", "UpdateConfigurationManager", "UpdateConfigurationDefinition",
              "DeleteConfigurationManager")
QS_TAGGING = ("TagResource", "UntagResource", "ListTagsForResource")

# IAM (SAR-IAM): the role operations on role* (arn:aws:iam::<account>:role/<path><name>), the
# instance-profile operations on instance-profile*, the policy operations on policy*; others "*".
IAM_ROLE_OPS = ("GetRole", "CreateRole", "DeleteRole", "UpdateRole", "UpdateAssumeRolePolicy",
                "AttachRolePolicy", "DetachRolePolicy", "PutRolePolicy", "DeleteRolePolicy", "GetRolePolicy",
                "ListRolePolicies", "ListAttachedRolePolicies", "TagRole", "UntagRole", "ListRoleTags",
                "PassRole", "ListInstanceProfilesForRole", "PutRolePermissionsBoundary",
                "DeleteRolePermissionsBoundary")
IAM_PROFILE_OPS = ("GetInstanceProfile", "CreateInstanceProfile", "DeleteInstanceProfile",
                   "AddRoleToInstanceProfile", "RemoveRoleFromInstanceProfile", "TagInstanceProfile",
                   "UntagInstanceProfile", "ListInstanceProfileTags")
IAM_POLICY_OPS = ("GetPolicy", "DeletePolicy", "GetPolicyVersion", "CreatePolicyVersion", "DeletePolicyVersion",
                  "ListPolicyVersions", "SetDefaultPolicyVersion", "TagPolicy", "UntagPolicy", "ListPolicyTags",
                  "ListEntitiesForPolicy")


def _iam_resources(op, p, account):
    if op in IAM_ROLE_OPS and p.get("RoleName"):
        path = p.get("Path") if op == "CreateRole" else None
        return [role_arn(p["RoleName"], account, path)]
    if op in IAM_PROFILE_OPS and p.get("InstanceProfileName"):
        path = p.get("Path") if op == "CreateInstanceProfile" else "/"
        return [f"arn:aws:iam::{account}:instance-profile{path or '/'}{p['InstanceProfileName']}"]
    if op == "CreatePolicy" and p.get("PolicyName"):
        return [f"arn:aws:iam::{account}:policy{p.get('Path') or '/'}{p['PolicyName']}"]
    if op in IAM_POLICY_OPS and p.get("PolicyArn"):
        return [p["PolicyArn"]]
    return ["*"]


# --- S3 and the KMS actions S3 performs for the caller -----------------------------------------------

# S3 user guide, "Using server-side encryption with AWS KMS keys (SSE-KMS)", permissions: "To upload an
# object encrypted with an AWS KMS key to Amazon S3, you need kms:GenerateDataKey permissions on the
# key. To download an object encrypted with an AWS KMS key, you need kms:Decrypt permissions."
# KMS developer guide, "IAM policies": a KMS key is named in a policy by its key ARN,
# arn:aws:kms:<region>:<account>:key/<key-id>. The AWS managed key aws/s3 (SSE-KMS without a key id)
# needs no identity permission: its key policy allows the account's principals through S3
# ("kms:ViaService": "s3.<region>.amazonaws.com", "kms:CallerAccount": <account>; KMS developer guide,
# "AWS managed keys"). Key policies of customer managed keys are not evaluated: the stand-in assumes
# the default key policy, which delegates to IAM ("Default key policy": it allows the account root).
S3_OBJECT_READS = ("GetObject", "HeadObject")
S3_OBJECT_WRITES = ("PutObject", "CreateMultipartUpload", "CopyObject")


def kms_key_arn(ref, region, account):
    """The key ARN of a key id, key ARN, alias name or alias ARN; ``None`` for the AWS managed key
    (``alias/aws/...``, or no key). A reference moto's KMS does not know is used as given (an alias
    stays an alias ARN, which no key-ARN statement matches: strict)."""
    if not ref:
        return None
    if ref.startswith("arn:") and ":key/" in ref:
        return ref
    alias = ref.split(":", 5)[-1] if ref.startswith("arn:") else ref
    if alias.startswith("alias/aws/"):
        return None
    key_region = ref.split(":")[3] if ref.startswith("arn:") else region
    try:
        from moto.kms.models import kms_backends
        kms = kms_backends[account][key_region]
        if alias.startswith("alias/"):
            key_id = kms.get_key_id_from_alias(alias)
            if key_id is None:
                return f"arn:aws:kms:{key_region}:{account}:{alias}"
        else:
            key_id = alias
        key = kms.keys.get(key_id)
        if key is not None and getattr(key, "key_manager", "CUSTOMER") == "AWS":
            return None
    except Exception:
        if alias.startswith("alias/"):
            return f"arn:aws:kms:{key_region}:{account}:{alias}"
        key_id = alias
    return f"arn:aws:kms:{key_region}:{account}:key/{key_id}"


def kms_context(region, account):
    return {"kms:ViaService": f"s3.{region}.amazonaws.com", "kms:CallerAccount": account}


def _s3_bucket(name, account):
    from moto.s3.models import s3_backends
    return s3_backends[account]["aws"].buckets.get(name)


def object_key_of(bucket, key, account):
    """moto's stored object (latest version), or None."""
    b = _s3_bucket(bucket, account)
    if b is None:
        return None
    return b.keys.get(key)


def stored_object_kms_key(bucket, key, region, account):
    """The key ARN an existing SSE-KMS object needs for reading (kms:Decrypt), or None."""
    obj = object_key_of(bucket, key, account)
    if obj is None or getattr(obj, "encryption", None) not in ("aws:kms", "aws:kms:dsse"):
        return None
    return kms_key_arn(getattr(obj, "kms_key_id", None), region, account)


def new_object_kms_key(bucket, sse, kms_key, region, account):
    """The key ARN a new object needs for writing (kms:GenerateDataKey): the request's SSE-KMS key, else
    the bucket's default encryption (S3 user guide, "Setting default server-side encryption behavior
    for Amazon S3 buckets": objects uploaded without encryption headers use the bucket default)."""
    if sse in ("aws:kms", "aws:kms:dsse"):
        return kms_key_arn(kms_key, region, account)
    if sse:
        return None
    b = _s3_bucket(bucket, account)
    enc = getattr(b, "encryption", None) if b is not None else None
    if not enc:
        return None
    default = (enc.get("Rule") or {}).get("ApplyServerSideEncryptionByDefault") or {}
    if default.get("SSEAlgorithm") in ("aws:kms", "aws:kms:dsse"):
        return kms_key_arn(default.get("KMSMasterKeyID"), region, account)
    return None


def _s3_authorizations(op, action, p, region, account):
    bucket, key = p.get("Bucket"), p.get("Key")
    if op == "ListBuckets" or not bucket:
        return [Authorization(action, ["*"])]
    ctx = {}
    if action == "s3:ListBucket":
        # s3:prefix: "Filters access by key name prefix" (SAR, Amazon S3); absent without Prefix.
        ctx["s3:prefix"] = p.get("Prefix")
    if op == "DeleteObjects":
        keys = [o.get("Key") for o in (p.get("Delete") or {}).get("Objects") or []]
        return [Authorization(action, [object_arn(bucket, k) for k in keys])]
    if key is None:
        return [Authorization(action, [bucket_arn(bucket)], ctx)]
    out = []
    if op in S3_OBJECT_WRITES:
        ctx["s3:x-amz-server-side-encryption"] = p.get("ServerSideEncryption")
        ctx["s3:x-amz-server-side-encryption-aws-kms-key-id"] = p.get("SSEKMSKeyId")
    out.append(Authorization(action, [object_arn(bucket, key)], ctx))
    try:
        if op in S3_OBJECT_READS and _s3_bucket(bucket, account) is not None \
                and object_key_of(bucket, key, account) is None:
            # GetObject / HeadObject of a key that does not exist: "If you have the s3:ListBucket
            # permission on the bucket, Amazon S3 returns an HTTP status code 404 Not Found error. If
            # you don't have the s3:ListBucket permission, Amazon S3 returns an HTTP status code 403
            # Forbidden error." (S3 API reference, GetObject / HeadObject, Permissions). Whether a
            # ListBucket grant limited by s3:prefix counts is UNCONFIRMED: s3:prefix is not modelled
            # for this check, so only an unconditioned grant does (strict).
            out.append(Authorization("s3:ListBucket", [bucket_arn(bucket)]))
        if op in S3_OBJECT_READS:
            k = stored_object_kms_key(bucket, key, region, account)
            if k:
                out.append(Authorization("kms:Decrypt", [k], kms_context(region, account)))
        if op == "CopyObject" and p.get("CopySource"):
            src = p["CopySource"] if isinstance(p["CopySource"], str) else ""
            sb, _, sk = urllib.parse.unquote(src.lstrip("/")).partition("/")
            sk = sk.split("?versionId=")[0]
            out.append(Authorization("s3:GetObject", [object_arn(sb, sk)]))
            k = stored_object_kms_key(sb, sk, region, account)
            if k:
                out.append(Authorization("kms:Decrypt", [k], kms_context(region, account)))
        if op in S3_OBJECT_WRITES:
            k = new_object_kms_key(bucket, p.get("ServerSideEncryption"), p.get("SSEKMSKeyId"), region, account)
            if k:
                out.append(Authorization("kms:GenerateDataKey", [k], kms_context(region, account)))
    except Exception:
        pass
    return out


# --- what a call needs ---------------------------------------------------------------------------

def authorizations(service, operation, params=None, *, region="us-east-1", account=DEFAULT_ACCOUNT_ID,
                   needs=(), qs_roles=None):
    """Every authorization the call needs (its own action first), or [] for a call not enforced.
    ``qs_roles(manager_arn)``: the local deployment role ARNs of an existing Quick Setup manager."""
    action = action_of(service, operation)
    if action is None or action in NO_PERMISSION_NEEDED:
        return []
    p = params if isinstance(params, dict) else {}
    if service == "s3":
        out = _s3_authorizations(operation, action, p, region, account)
    elif service == "ssm":
        fn = SSM_RESOURCES.get(operation)
        out = [Authorization(action, fn(p, region, account) if fn else ["*"])]
        if operation in SSM_PASS_SERVICE_ROLE and p.get("ServiceRoleArn"):
            out.append(Authorization("iam:PassRole", [p["ServiceRoleArn"]],
                                     {"iam:PassedToService": "ssm.amazonaws.com"}))
    elif service == "ssm-quicksetup":
        if operation in QS_MANAGER and p.get("ManagerArn"):
            res = [p["ManagerArn"]]
        elif operation in QS_TAGGING and p.get("ResourceArn"):
            res = [p["ResourceArn"]]
        elif operation == "CreateConfigurationManager":
            res = [f"arn:aws:ssm-quicksetup:{region}:{account}:configuration-manager/*"]
        else:
            res = ["*"]
        out = [Authorization(action, res)]
        if operation in QS_PASS_ROLE:
            roles = _qs_passed_roles(operation, p, account, qs_roles)
            for svc in QS_PASSED_TO:
                out.append(Authorization("iam:PassRole", roles or ["*"], {"iam:PassedToService": svc}))
    elif service == "iam":
        out = [Authorization(action, _iam_resources(operation, p, account))]
    else:
        out = [Authorization(action, ["*"])]
    for n in needs:
        if n == "iam:CreateServiceLinkedRole":
            out.append(Authorization(n, [role_arn(SSM_SLR_NAME, account, SSM_SLR_PATH)],
                                     {"iam:AWSServiceName": "ssm.amazonaws.com"}))
        else:
            out.append(Authorization(n, ["*"]))
    return out


def _qs_passed_roles(operation, p, account, qs_roles):
    """The local deployment roles a Quick Setup call passes: those in the request
    (LocalDeploymentAdministrationRoleArn, and LocalDeploymentExecutionRoleName as a role ARN), else the
    manager's own (UpdateConfigurationDefinition without them, Delete, Tag, Untag)."""
    roles = []
    defs = p.get("ConfigurationDefinitions") if operation == "CreateConfigurationManager" else [p]
    for d in defs or []:
        if not isinstance(d, dict):
            continue
        if d.get("LocalDeploymentAdministrationRoleArn"):
            roles.append(d["LocalDeploymentAdministrationRoleArn"])
        if d.get("LocalDeploymentExecutionRoleName"):
            roles.append(role_arn(d["LocalDeploymentExecutionRoleName"], account))
    if not roles and qs_roles is not None:
        arn = p.get("ManagerArn") or p.get("ResourceArn")
        if arn:
            roles = list(qs_roles(arn))
    seen = []
    for r in roles:
        if r not in seen:
            seen.append(r)
    return seen


def caller_context(caller, region, account):
    return {"aws:PrincipalArn": user_arn(caller, account), "aws:PrincipalAccount": account,
            "aws:PrincipalType": "User", "aws:RequestedRegion": region}


def user_arn(caller, account=DEFAULT_ACCOUNT_ID):
    return f"arn:aws:iam::{account}:user/{caller or 'unknown'}"


def allowed(settings, service, operation, needs=(), *, params=None, region="us-east-1",
            account=DEFAULT_ACCOUNT_ID, caller=None, qs_roles=None):
    """``None`` when the call may proceed; else a ``Denied``. ``needs``: actions this call requires
    besides its own and its dependent ones (e.g. creating a service-linked role)."""
    iam = settings.get("iam")
    if not iam:
        return None
    action = action_of(service, operation)
    if action is None or action in NO_PERMISSION_NEEDED:
        return None
    if "policy" in iam:
        docs = policy.documents(iam.get("policy"))
        base = caller_context(caller, region, account)
        for auth in authorizations(service, operation, params, region=region, account=account, needs=needs,
                                   qs_roles=qs_roles):
            ctx = policy.Context(dict(base, **auth.context))
            for res in auth.resources:
                d = policy.decide(policy.Request(auth.action, res, ctx), identity=docs)
                if not d.allowed:
                    return Denied(auth.action, res, explicit=d.effect == policy.DENY)
        return None
    patterns = iam.get("allow", [])
    for a in [action, *DEPENDENT.get((service, operation), []), *needs]:
        if not any(fnmatch.fnmatchcase(a, p) for p in patterns):
            return Denied(a)
    return None


def check_setting(value):
    """Problems of an ``iam`` setting (empty when it is usable)."""
    if value is None:
        return []
    if not isinstance(value, dict):
        return ["iam must be an object: {\"allow\": [...]} or {\"policy\": ...}"]
    if "allow" in value and "policy" in value:
        return ["give iam.allow (actions only) or iam.policy (policy documents), not both"]
    if "policy" in value:
        return policy.check(value["policy"])
    if not isinstance(value.get("allow", []), list):
        return ["iam.allow must be a list of action patterns"]
    return []
