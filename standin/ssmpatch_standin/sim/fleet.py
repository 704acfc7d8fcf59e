"""The simulated fleet: managed nodes with an OS, tags, installed packages and available patches
(registered through the control API, ``POST /_ssmpatch/nodes``), how Run Command targets resolve to
them, and the patch baseline that applies to a node (predefined, registered for its patch group, or a
``BaselineOverride`` file). What ``AWS-RunPatchBaseline`` does on a node is ``sim.payload``; Run
Command itself is ``sim.commands``.

Every simulated behaviour cites the AWS rule it follows. Where AWS leaves something unstated the
comment says so (UNCONFIRMED).
"""

import datetime
import json
import re
import uuid

from moto.ec2.models import ec2_backends
from moto.iam.aws_managed_policies import aws_managed_policies_data
from moto.s3.models import s3_backends
from moto.ssm import models as m

from ssmpatch_standin import iam, policy, state

# OS -> (package manager binary, Product, predefined baseline name, predefined rules).
# Predefined baselines, https://docs.aws.amazon.com/systems-manager/latest/userguide/patch-manager-predefined-and-custom-patch-baselines.html:
# Amazon Linux 2 / 2023, RHEL, CentOS, Oracle, Alma, Rocky: "Approves all operating system patches that are
# classified as "Security" and that have a severity level of "Critical" or "Important". Also approves all
# patches that are classified as "Bugfix". Patches are auto-approved 7 days after they are released or
# updated." Ubuntu/Debian: "Immediately approves all operating system security-related patches that have a
# priority of "Required", "Important", "Standard", "Optional", or "Extra"." "the predefined baselines assign
# a compliance level of Unspecified to all patches installed using those baselines."
_YUM_RULES = {"PatchRules": [
    {"PatchFilterGroup": {"PatchFilters": [{"Key": "CLASSIFICATION", "Values": ["Security"]},
                                           {"Key": "SEVERITY", "Values": ["Critical", "Important"]}]},
     "ApproveAfterDays": 7, "ComplianceLevel": "UNSPECIFIED"},
    {"PatchFilterGroup": {"PatchFilters": [{"Key": "CLASSIFICATION", "Values": ["Bugfix"]}]},
     "ApproveAfterDays": 7, "ComplianceLevel": "UNSPECIFIED"}]}
_APT_RULES = {"PatchRules": [
    {"PatchFilterGroup": {"PatchFilters": [{"Key": "PRIORITY", "Values": ["Required", "Important", "Standard",
                                                                          "Optional", "Extra"]},
                                           {"Key": "SECTION", "Values": ["*"]}]},
     "ApproveAfterDays": 0, "ComplianceLevel": "UNSPECIFIED"}]}
# Windows Server, AWS-DefaultPatchBaseline: "Approves all Windows Server operating system patches that
# are classified as "CriticalUpdates" or "SecurityUpdates" and that have an MSRC severity of
# "Critical" or "Important". Patches are auto-approved seven days after release." (predefined baselines)
_WINDOWS_RULES = {"PatchRules": [
    {"PatchFilterGroup": {"PatchFilters": [{"Key": "CLASSIFICATION", "Values": ["CriticalUpdates", "SecurityUpdates"]},
                                           {"Key": "MSRC_SEVERITY", "Values": ["Critical", "Important"]}]},
     "ApproveAfterDays": 7, "ComplianceLevel": "UNSPECIFIED"}]}
OS_INFO = {
    "AMAZON_LINUX": ("/usr/bin/yum", "AmazonLinux2018.03", "AWS-AmazonLinuxDefaultPatchBaseline", _YUM_RULES),
    "AMAZON_LINUX_2": ("/usr/bin/yum", "AmazonLinux2", "AWS-AmazonLinux2DefaultPatchBaseline", _YUM_RULES),
    "AMAZON_LINUX_2023": ("/usr/bin/dnf", "AmazonLinux2023", "AWS-AmazonLinux2023DefaultPatchBaseline", _YUM_RULES),
    "REDHAT_ENTERPRISE_LINUX": ("/usr/bin/dnf", "RedhatEnterpriseLinux9", "AWS-RedHatDefaultPatchBaseline", _YUM_RULES),
    "CENTOS": ("/usr/bin/yum", "CentOS7", "AWS-CentOSDefaultPatchBaseline", _YUM_RULES),
    "ORACLE_LINUX": ("/usr/bin/dnf", "OracleLinux9", "AWS-OracleLinuxDefaultPatchBaseline", _YUM_RULES),
    "ALMA_LINUX": ("/usr/bin/dnf", "AlmaLinux9", "AWS-AlmaLinuxDefaultPatchBaseline", _YUM_RULES),
    "ROCKY_LINUX": ("/usr/bin/dnf", "RockyLinux9", "AWS-RockyLinuxDefaultPatchBaseline", _YUM_RULES),
    "SUSE": ("/usr/bin/zypper", "SUSE15.5", "AWS-SuseDefaultPatchBaseline", _YUM_RULES),
    "UBUNTU": ("/usr/bin/apt-get", "Ubuntu22.04", "AWS-UbuntuDefaultPatchBaseline", _APT_RULES),
    "DEBIAN": ("/usr/bin/apt-get", "Debian12", "AWS-DebianDefaultPatchBaseline", _APT_RULES),
    "WINDOWS": ("", "WindowsServer2022", "AWS-DefaultPatchBaseline", _WINDOWS_RULES),
}
# AWS-RunPatchBaseline's steps by platform (the document's preconditions): the step that runs, and
# the plugin folder of its output in S3 (<prefix>/<command-id>/<instance-id>/<plugin>/<step>/stdout).
# macOS nodes are not simulated.
STEPS = {"Linux": ("PatchLinux", "awsrunShellScript"), "Windows": ("PatchWindows", "awsrunPowerShellScript")}
APT = {"UBUNTU", "DEBIAN", "RASPBIAN"}
# Linux payload exit codes (payload 1.80 constant_repository.py, aws-facts §2).
EXIT_FAILURE = 1
EXIT_OVERRIDE_INVALID = 161
EXIT_OVERRIDE_DOWNLOAD = 162
EXIT_OVERRIDE_MISSING_OS = 163
EXIT_OVERRIDE_MULTIPLE = 165
EXIT_OVERRIDE_AND_INSTALL_OVERRIDE = 167
OVERRIDE_KEYS = ("OperatingSystem", "GlobalFilters", "ApprovalRules", "ApprovedPatches",
                 "ApprovedPatchesComplianceLevel", "ApprovedPatchesEnableNonSecurity", "RejectedPatches",
                 "RejectedPatchesAction", "Sources")


def _now():
    return datetime.datetime.now(datetime.timezone.utc)


def _iso(t):
    return t.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- instance profiles ------------------------------------------------------------------------------
# A node calls AWS with the credentials of its instance profile's role: the payload downloads an s3://
# BaselineOverride with them ("s3:// URIs with boto3 using the instance's credentials", payload 1.80
# patch_common/downloader.py, aws-facts §2.1) and SSM Agent uploads command output with them (SSM user
# guide, "Configure instance permissions", custom policy for S3 bucket access: "required only if you're
# using ... an S3 bucket of your own in your Systems Manager operations"). Every node has a role
# (node spec "InstanceProfile", or the control API POST /_ssmpatch/node-roles); its permissions are its
# AWS managed policies plus its inline policies, evaluated by policy.py together with the bucket policy.
#
# DEFAULT, when a node spec has no InstanceProfile: a role with exactly the AWS managed policy
# AmazonSSMManagedInstanceCore — what AWS requires for a managed node ("The IAM managed policy
# AmazonSSMManagedInstanceCore must be attached to the IAM instance profile or IAM service role",
# quick-setup-patch-manager) and what "Configure instance permissions" attaches. It grants ssm:*,
# ssmmessages:* and ec2messages:* actions of the agent only: no S3 and no KMS permission, so a default
# node can neither download an override from the customer's bucket nor upload output to it.
# The policy text is AWS's (v2, as moto 5.2.5 ships it in moto/iam/aws_managed_policies.py).
#
# Roles are shared by name within the fleet of one account and Region: nodes naming the same RoleName
# have the same role, and a change (node-roles control, Quick Setup attaching its policy) applies to
# all of them, as one IAM role does for every instance it is attached to. (An IAM role is global to the
# account; the stand-in keeps roles per Region's fleet: an approximation.)
CORE_POLICY = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
DEFAULT_ROLE = "SSMInstanceProfile"   # the name "Configure instance permissions" suggests
_AWS_MANAGED = json.loads(aws_managed_policies_data)


def managed_policy_document(ref):
    """The document of an AWS managed policy, by name or arn:aws:iam::aws:policy/<name>."""
    name = ref.rsplit("/", 1)[-1]
    if name not in _AWS_MANAGED:
        raise ValueError(f"unknown AWS managed policy {ref}")
    return _AWS_MANAGED[name]["Document"]


def _managed_arn(ref):
    managed_policy_document(ref)
    return ref if ref.startswith("arn:") else f"arn:aws:iam::aws:policy/{ref}"


class Role:
    """A node's instance-profile role: AWS managed policies (ARNs), inline policy documents, tags."""

    def __init__(self, name=DEFAULT_ROLE, managed=(CORE_POLICY,), inline=(), tags=None):
        self.name = name
        self.managed = [_managed_arn(a) for a in managed]
        self.inline = list(inline)
        self.tags = dict(tags or {})

    def update(self, spec):
        """Fields of a spec that are given replace the role's: Policy (inline; a document or a list),
        ManagedPolicies, Tags."""
        if "Policy" in spec:
            docs = policy.documents(spec["Policy"]) if spec["Policy"] is not None else []
            problems = policy.check(docs) if docs else []
            if problems:
                raise ValueError("InstanceProfile.Policy: " + "; ".join(problems))
            self.inline = docs
        if "ManagedPolicies" in spec:
            self.managed = [_managed_arn(a) for a in spec["ManagedPolicies"] or []]
        if "Tags" in spec:
            self.tags = {str(k): str(v) for k, v in (spec["Tags"] or {}).items()}

    def documents(self):
        return [managed_policy_document(a) for a in self.managed] + list(self.inline)

    def arn(self, account):
        return f"arn:aws:iam::{account}:role/{self.name}"

    def to_json(self):
        return {"RoleName": self.name, "ManagedPolicies": list(self.managed), "Policy": list(self.inline),
                "Tags": dict(self.tags)}


def _shared_role(backend, name, exclude=None):
    for n in state.of(backend).nodes.values():
        if n is not exclude and n.role.name == name:
            return n.role
    return None


def set_roles(backend, req):
    """The control API POST /_ssmpatch/node-roles: ``{"role": name, "policy": doc|[docs]|null,
    "managed_policies": [...], "tags": {...}, "instances": [ids]}`` — the listed nodes (all when absent)
    get the role named ``role`` (their own when absent); the given fields replace the role's."""
    nodes = state.of(backend).nodes
    ids = req.get("instances")
    if ids is None:
        targets = list(nodes.values())
    else:
        missing = [i for i in ids if i not in nodes]
        if missing:
            raise ValueError(f"no such node(s): {missing}")
        targets = [nodes[i] for i in ids]
    spec = {}
    for key, field in (("policy", "Policy"), ("managed_policies", "ManagedPolicies"), ("tags", "Tags")):
        if key in req:
            spec[field] = req[key]
    names = {req["role"]} if req.get("role") else {n.role.name for n in targets}
    for n in targets:
        if req.get("role") and n.role.name != req["role"]:
            n.role = _shared_role(backend, req["role"], exclude=n) or Role(req["role"])
    for name in names:
        role = next(n.role for n in targets if n.role.name == name)
        role.update(spec)
    return targets


def _role_for(backend, spec):
    """The role of a node being registered: shared by name with the fleet's nodes."""
    prof = spec.get("InstanceProfile")
    if prof is None:
        return _shared_role(backend, DEFAULT_ROLE) or Role()
    if not isinstance(prof, dict):
        raise ValueError("InstanceProfile must be an object")
    name = prof.get("RoleName") or DEFAULT_ROLE
    role = _shared_role(backend, name) or Role(name)
    role.update(prof)
    return role


def attach_to_roles(backend, node_ids, managed=(), tags=None):
    """Quick Setup's change of the instance profiles of its target nodes: AWS managed policies
    attached (if missing) and tags set, on each node's role (and so on every node sharing it)."""
    nodes = state.of(backend).nodes
    for i in node_ids:
        n = nodes.get(i)
        if n is None:
            continue
        for a in managed:
            a = _managed_arn(a)
            if a not in n.role.managed:
                n.role.managed.append(a)
        n.role.tags.update(tags or {})


def _node_context(backend, node, extra=None):
    """What IAM knows of a request a node makes with its instance-profile credentials. Known: the role
    (aws:PrincipalArn is the role's ARN for an assumed role, aws:PrincipalTag/<key> its tags — every one
    of them, so a tag the role lacks is absent), the account, the Region, HTTPS (aws:SecureTransport
    "true": the payload's boto3 and the agent use HTTPS endpoints), the instance
    (ec2:SourceInstanceARN). Other keys (aws:SourceVpc, aws:PrincipalOrgID…) are unknown: policy.py
    decides strictly."""
    account, region = backend.account_id, backend.region_name
    values = {"aws:PrincipalArn": node.role.arn(account), "aws:PrincipalAccount": account,
              "aws:PrincipalType": "AssumedRole", "aws:RequestedRegion": region, "aws:SecureTransport": "true",
              "aws:ResourceAccount": account,
              "ec2:SourceInstanceARN": f"arn:aws:ec2:{region}:{account}:instance/{node.id}"}
    for k, v in node.role.tags.items():
        values[f"aws:PrincipalTag/{k}"] = v
    values.update(extra or {})
    return policy.Context(values, known_prefixes=("aws:PrincipalTag/",))


QUICK_SETUP_BUCKET = re.compile(r"^aws-quicksetup-patchpolicy-(\d{12})-([a-z0-9]+)$")


def quick_setup_bucket_policy(bucket):
    """The bucket policy Quick Setup puts on a patch policy's bucket
    aws-quicksetup-patchpolicy-<account>-<configuration-id>, for a local (single-account) deployment —
    AWS's own Quick Setup patch-policy Lambda ("This handler also adds a Quick Setup specific bucket
    policy to the bucket to enable target nodes to pull down the S3 object during patching operations";
    put_bucket_policy, Amazon.com 2022, as published in public copies of the Quick Setup templates):
    DenyInsecureTransport, DenyAllButPrincipalsWithTag (s3:GetObject on baseline_overrides.json denied
    unless "StringNotEquals": {"aws:PrincipalTag/QSConfigId-<id>": "<id>"} is false, i.e. the caller's
    role carries that tag), and Target (s3:GetObject allowed to the account, which delegates to the
    role's own policy). The user guide says the same from the other side (quick-setup-patch-manager):
    the role needs "s3:GetObject" on "arn:aws:s3:::aws-quicksetup-patchpolicy-*" AND the tag
    "Key: QSConfigId-<quick-setup-configuration-id>, Value: <quick-setup-configuration-id>".
    The stand-in keeps this policy out of moto's bucket (moto would apply its Deny statements to every
    caller, ignoring their conditions) and evaluates it for the nodes' downloads."""
    m = QUICK_SETUP_BUCKET.match(bucket)
    if not m:
        return None
    account, cid = m.groups()
    obj = f"arn:aws:s3:::{bucket}/baseline_overrides.json"
    return {"Version": "2012-10-17", "Statement": [
        {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
         "Resource": [f"arn:aws:s3:::{bucket}/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
        {"Sid": "DenyAllButPrincipalsWithTag", "Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "s3:GetObject",
         "Resource": [obj], "Condition": {"StringNotEquals": {f"aws:PrincipalTag/QSConfigId-{cid}": cid}}},
        {"Sid": "Target", "Effect": "Allow", "Action": "s3:GetObject", "Resource": obj, "Principal": {"AWS": account}}]}


def _bucket_policies(backend, bucket):
    b = s3_backends[backend.account_id]["aws"].buckets.get(bucket)
    out = []
    qs = quick_setup_bucket_policy(bucket) if b is not None else None
    if qs:
        out.append(qs)
    raw = getattr(b, "policy", None) if b is not None else None
    if raw:
        try:
            out += policy.documents(raw.decode() if isinstance(raw, bytes) else raw)
        except (ValueError, TypeError):
            pass
    return out


def node_denied(backend, node, action, resource, extra=None, bucket=None):
    """``None`` when the node's role may perform ``action`` on ``resource``; else the policy.Decision
    that refused it. ``bucket``: evaluate that bucket's policy too (same account: its explicit Deny
    wins, its Allow naming the role grants)."""
    ctx = _node_context(backend, node, extra)
    d = policy.decide(policy.Request(action, resource, ctx), identity=node.role.documents(),
                      resource=_bucket_policies(backend, bucket) if bucket else (),
                      principal=(node.role.arn(backend.account_id), backend.account_id))
    return None if d.allowed else d


def node_read_denied(backend, node, bucket, key):
    """What the node lacks to download s3://bucket/key (None: nothing): s3:GetObject on the object
    (identity policy and bucket policy); for an object that does not exist, s3:ListBucket on the bucket
    (S3 API reference, GetObject: without s3:ListBucket "Amazon S3 returns an HTTP status code 403
    Access Denied error" instead of 404; s3:prefix is not modelled for this check: strict); for an
    SSE-KMS object, kms:Decrypt on its key (S3 user guide, "Using server-side encryption with AWS KMS
    keys": "To download an object encrypted with an AWS KMS key, you need kms:Decrypt permissions")."""
    account, region = backend.account_id, backend.region_name
    if node_denied(backend, node, "s3:GetObject", iam.object_arn(bucket, key), bucket=bucket):
        return "s3:GetObject"
    if iam.object_key_of(bucket, key, account) is None:
        if node_denied(backend, node, "s3:ListBucket", iam.bucket_arn(bucket), bucket=bucket):
            return "s3:ListBucket"
        return None
    k = iam.stored_object_kms_key(bucket, key, region, account)
    if k and node_denied(backend, node, "kms:Decrypt", k, iam.kms_context(region, account)):
        return "kms:Decrypt"
    return None


# s3:GetEncryptionConfiguration for output uploads. "Configure instance permissions": "The
# GetEncryptionConfiguration element is required if your S3 bucket is configured to use encryption"
# and "If your S3 bucket is configured to use encryption, then the S3 bucket root ... must be listed in
# the Resource section". Every S3 bucket has had default encryption (SSE-S3) since January 2023, so the
# stand-in requires it for every output bucket by default (setting node_output_get_encryption_configuration
# "always"); "configured" requires it only for a bucket with a PutBucketEncryption configuration,
# "never" not at all. UNCONFIRMED: SSM Agent's source (agent/s3util/s3util.go) calls GetBucketEncryption
# only for Session Manager's S3EncryptionEnabled; whether Run Command output needs it is not shown.
ENCRYPTION_CHECK_SETTING = "node_output_get_encryption_configuration"


def node_write_denied(backend, node, bucket, key):
    """What the node lacks to upload s3://bucket/key as SSM Agent does (None: nothing): s3:PutObject on
    the object, s3:GetEncryptionConfiguration on the bucket (setting above), kms:GenerateDataKey on the
    bucket's default SSE-KMS key (S3 user guide: "To upload an object encrypted with an AWS KMS key to
    Amazon S3, you need kms:GenerateDataKey permissions on the key")."""
    account, region = backend.account_id, backend.region_name
    if node_denied(backend, node, "s3:PutObject", iam.object_arn(bucket, key), bucket=bucket,
                   extra={"s3:x-amz-server-side-encryption": None,
                          "s3:x-amz-server-side-encryption-aws-kms-key-id": None}):
        return "s3:PutObject"
    check = state.controls.settings.get(ENCRYPTION_CHECK_SETTING, "always")
    b = s3_backends[account]["aws"].buckets.get(bucket)
    configured = bool(getattr(b, "encryption", None))
    if check == "always" or (check == "configured" and configured):
        if node_denied(backend, node, "s3:GetEncryptionConfiguration", iam.bucket_arn(bucket), bucket=bucket):
            return "s3:GetEncryptionConfiguration"
    k = iam.new_object_kms_key(bucket, None, None, region, account)
    if k and node_denied(backend, node, "kms:GenerateDataKey", k, iam.kms_context(region, account)):
        return "kms:GenerateDataKey"
    return None


# The agent's state (DescribeInstanceInformation PingStatus: enum Online | ConnectionLost | Inactive,
# "Inactive has been deprecated" — botocore model InstanceInformation.PingStatus; so not simulated).
PING_STATUSES = ("Online", "ConnectionLost")


def parse_instant(text):
    """An ISO 8601 date/time ("2024-11-04T05:00:00Z"); without an offset, UTC (UNCONFIRMED on AWS).
    ValueError when it is not one."""
    if not isinstance(text, str) or "T" not in text:
        raise ValueError(f"{text!r} is not an ISO 8601 date/time such as 2024-11-04T05:00:00Z")
    try:
        t = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not an ISO 8601 date/time such as 2024-11-04T05:00:00Z") from None
    return t if t.tzinfo else t.replace(tzinfo=datetime.timezone.utc)


def set_agent(node, req):
    """The control API's POST /_ssmpatch/nodes/<id>/agent: {"PingStatus": "Online"|"ConnectionLost",
    "LastPingDateTime": ISO 8601 (optional, not in the future)}. Online without LastPingDateTime: the
    agent answers now (each DescribeInstanceInformation reports the time of the call); ConnectionLost
    without it: last heard from now."""
    unknown = sorted(set(req) - {"PingStatus", "LastPingDateTime"})
    if unknown:
        raise ValueError(f"unknown field(s) {', '.join(unknown)}; give PingStatus and optionally LastPingDateTime")
    ping = req.get("PingStatus")
    if ping not in PING_STATUSES:
        raise ValueError(f"PingStatus {ping!r}: one of {', '.join(PING_STATUSES)}")
    last = None
    if req.get("LastPingDateTime") is not None:
        try:
            last = parse_instant(req["LastPingDateTime"])
        except ValueError as e:
            raise ValueError(f"LastPingDateTime: {e}") from None
        if last > _now():
            raise ValueError(f"LastPingDateTime {req['LastPingDateTime']} is in the future")
    elif ping != "Online":
        last = _now()
    node.ping, node.last_ping = ping, last
    return node


class Node:
    """A managed node. ``Installed`` / ``Available`` entries use payload-like package fields."""

    def __init__(self, spec):
        self.id = spec["InstanceId"]
        self.tags = dict(spec.get("Tags") or {})
        self.os = spec.get("OperatingSystem", "AMAZON_LINUX_2023")
        if self.os not in OS_INFO:
            raise ValueError(f"OperatingSystem {self.os} is not simulated: {sorted(OS_INFO)}")
        self.platform_name = spec.get("PlatformName", self.os.replace("_", " ").title())
        self.platform_version = spec.get("PlatformVersion", "")
        self.product = spec.get("Product", OS_INFO[self.os][1])
        self.installed = {}
        for p in spec.get("Installed") or []:
            self.installed[self.patch_id(p)] = dict(p, InstalledTime=p.get("InstalledTime", "2026-01-01T00:00:00Z"))
        self.available = [dict(p) for p in spec.get("Available") or []]
        self.patched = set()           # package keys last changed by an Install operation
        self.pending_reboot = set()    # package keys installed with NoReboot, not yet rebooted
        self.last_no_reboot_install = None
        self.registered = _now()
        self.ping = spec.get("PingStatus", "Online")
        if self.ping not in PING_STATUSES:
            raise ValueError(f"PingStatus {self.ping!r} of {self.id}: one of {', '.join(PING_STATUSES)}")
        # None: the agent answers now (Online); else when it was last heard from
        self.last_ping = None if self.ping == "Online" else _now()
        self.role = Role()   # register() gives it the fleet's (shared) role: _role_for

    @property
    def platform_type(self):
        """DescribeInstanceInformation's PlatformType."""
        return "Windows" if self.os == "WINDOWS" else "Linux"

    @staticmethod
    def patch_id(p):
        # Patch IDs are name.arch (the key of Installed entries too); a Windows update is its KB id,
        # given as its Name (no Arch).
        if "Arch" not in p and p.get("Name", "").startswith("KB"):
            return p["Name"]
        return f"{p['Name']}.{p.get('Arch', 'x86_64')}"

    def title(self, p):
        # Titles (patch-manager-aws-runpatchbaseline, InstallOverrideList): yum/SLES
        # "{name}.{architecture}:{epoch}:{version}-{release}", apt "{name}.{architecture}:{version}".
        if self.os == "WINDOWS":
            return p.get("Title", p["Name"])
        arch = p.get("Arch", "x86_64")
        if self.os in APT:
            return f"{p['Name']}.{arch}:{p['Version']}"
        return f"{p['Name']}.{arch}:{p.get('Epoch', '0')}:{p['Version']}-{p.get('Release', '1')}"

    def patch_group(self):
        # "a patch group must be defined with the either the tag key Patch Group or PatchGroup.
        # The key is case-sensitive." (patch-manager-patch-groups)
        return self.tags.get("Patch Group", self.tags.get("PatchGroup", ""))

    def to_json(self):
        return {"InstanceId": self.id, "Tags": self.tags, "OperatingSystem": self.os, "Product": self.product,
                "PlatformName": self.platform_name, "PlatformVersion": self.platform_version,
                "Installed": list(self.installed.values()), "Available": self.available,
                "PendingReboot": sorted(self.pending_reboot), "InstanceProfile": self.role.to_json(),
                "PingStatus": self.ping, "LastPingDateTime": _iso(self.last_ping or _now())}


# --- targets --------------------------------------------------------------------------------------

def resolve_targets(backend, instance_ids, targets):
    """SendCommand Targets: "Key=InstanceIds,Values=...", "Key=tag:<tag-key>,Values=...",
    "Key=tag-key,Values=..." (https://docs.aws.amazon.com/systems-manager/latest/userguide/send-commands-multiple.html)."""
    fleet = state.of(backend).nodes
    out = list(instance_ids or [])
    for t in targets or []:
        key, values = t.get("Key", ""), t.get("Values") or []
        if key == "InstanceIds":
            out += [v for v in values if v != "*"]
            if "*" in values:
                out += list(fleet)
        elif key.startswith("tag:"):
            k = key[4:]
            out += [n.id for n in fleet.values() if n.tags.get(k) in values]
        elif key == "tag-key":
            out += [n.id for n in fleet.values() if any(v in n.tags for v in values)]
        else:
            raise m.RESTError("InvalidTarget", f"The stand-in does not simulate target key {key}")
    seen = []
    for i in out:
        if i not in seen:
            seen.append(i)
    return seen


# --- baselines ------------------------------------------------------------------------------------

def baseline_dict(b):
    return {"BaselineId": b.id, "Name": b.name, "OperatingSystem": b.operating_system,
            "GlobalFilters": b.global_filters or {"PatchFilters": []},
            "ApprovalRules": b.approval_rules or {"PatchRules": []},
            "ApprovedPatches": b.approved_patches or [],
            "ApprovedPatchesComplianceLevel": b.approved_patches_compliance_level or "UNSPECIFIED",
            "ApprovedPatchesEnableNonSecurity": bool(b.approved_patches_enable_non_security),
            "RejectedPatches": b.rejected_patches or [],
            "RejectedPatchesAction": b.rejected_patches_action or "ALLOW_AS_DEPENDENCY",
            "Sources": b.sources or []}


def default_baseline(backend, os_):
    """The predefined baseline for the OS (moto's real default baseline IDs per Region)."""
    ids = m.FakePatchGroup("default", backend.region_name).default_associations
    _, _, name, rules = OS_INFO[os_]
    return {"BaselineId": ids.get(os_, "pb-00000000000000000"), "Name": name, "OperatingSystem": os_,
            "GlobalFilters": {"PatchFilters": []}, "ApprovalRules": rules, "ApprovedPatches": [],
            "ApprovedPatchesComplianceLevel": "UNSPECIFIED", "ApprovedPatchesEnableNonSecurity": False,
            "RejectedPatches": [], "RejectedPatchesAction": "ALLOW_AS_DEPENDENCY", "Sources": []}


def registered_baseline(backend, node):
    """Patch group → the baseline registered for the node's OS; "With no patch group tag, the default
    baseline for the OS is used. With a tag value that has no registered baseline, the default is used
    too." (aws-facts §6, patch groups)."""
    g = node.patch_group()
    if g and g in backend.patch_groups:
        bid = backend.patch_groups[g].associations.get(node.os)
        if bid in backend.baselines:
            return baseline_dict(backend.baselines[bid])
    return default_baseline(backend, node.os)


class RunError(Exception):
    def __init__(self, code, message, access_denied=None):
        super().__init__(message)
        self.code = code
        self.access_denied = access_denied   # the action the node's role lacks (S3 answered 403)


def load_override(backend, url, node):
    """BaselineOverride (payload 1.80 baseline_override.py, aws-facts §2.1): a JSON array; the single
    element whose OperatingSystem equals the node's OS is used, keeping only OVERRIDE_KEYS."""
    if url.startswith("https://"):
        # The payload fetches https URLs with curl/wget; the stand-in has no network access.
        raise RunError(EXIT_OVERRIDE_DOWNLOAD, f"Unable to download file from {url}.")
    bucket, _, key = url[len("s3://"):].partition("/")
    if bucket in s3_backends[backend.account_id]["aws"].buckets:
        # The download uses the node's instance profile (see "instance profiles" above): a refusal is an
        # S3 403, which the payload reports like any failed download (downloader.py: "Unable to
        # download file from S3: <url>.", exit 162, the AWS troubleshooting sample
        # linux-patch-policy-baseline-override-download-error.txt).
        lacks = node_read_denied(backend, node, bucket, key)
        if lacks:
            raise RunError(EXIT_OVERRIDE_DOWNLOAD, f"Unable to download file from S3: {url}.", access_denied=lacks)
    try:
        obj = s3_backends[backend.account_id]["aws"].get_object(bucket, key)
        if obj is None:
            raise KeyError(key)
        body = obj.value
    except Exception:
        raise RunError(EXIT_OVERRIDE_DOWNLOAD, f"Unable to download file from S3: {url}.")
    try:
        data = json.loads(body)
    except ValueError:
        raise RunError(EXIT_OVERRIDE_INVALID, "Provided Baseline Override was not a JSON Array")
    if not isinstance(data, list):
        raise RunError(EXIT_OVERRIDE_INVALID, "Provided Baseline Override was not a JSON Array")
    match = [e for e in data if isinstance(e, dict) and e.get("OperatingSystem") == node.os]
    if not match:
        raise RunError(EXIT_OVERRIDE_MISSING_OS, "Unable to find Baseline Override for Operating System")
    if len(match) > 1:
        raise RunError(EXIT_OVERRIDE_MULTIPLE, "Multiple Baseline Overrides provided for given OS")
    b = {k: match[0][k] for k in OVERRIDE_KEYS if k in match[0]}
    b.setdefault("GlobalFilters", {"PatchFilters": []})
    b.setdefault("ApprovalRules", {"PatchRules": []})
    b.setdefault("ApprovedPatches", [])
    b.setdefault("RejectedPatches", [])
    b.setdefault("ApprovedPatchesComplianceLevel", "UNSPECIFIED")
    b.setdefault("RejectedPatchesAction", "ALLOW_AS_DEPENDENCY")
    # The override's baseline has no stored ID; the payload logs a generated one (patch policies:
    # "the system generates a random ID for each patch baseline", quick-setup-patch-manager).
    b["BaselineId"] = "pb-" + uuid.uuid4().hex[:17]
    b["Name"] = "BaselineOverride"
    return b


def register(backend, specs, replace=False):
    """Register (or replace) managed nodes. A node's tags are the very dict behind
    ListTagsForResource/AddTagsToResource(ResourceType=ManagedInstance), so tag changes made through
    the API change its patch group and targeting, as on AWS."""
    fleet = state.of(backend).nodes
    if replace:
        for iid in list(fleet):
            backend._resource_tags["ManagedInstance"].pop(iid, None)
        fleet.clear()
    out = []
    for spec in specs:
        n = Node(spec)
        n.role = _role_for(backend, spec)
        tags = backend._resource_tags["ManagedInstance"][n.id]
        tags.clear()
        tags.update(n.tags)
        n.tags = tags
        fleet[n.id] = n
        out.append(n)
    state.fleet_changed(backend)
    return out


def remove(backend, node_id):
    """The control API's DELETE /_ssmpatch/nodes/<id>: one node leaves the fleet, as a terminated
    instance does — DescribeInstanceInformation "does not return information for nodes that are either
    Stopped or Terminated" (API_DescribeInstanceInformation), SendCommand refuses it (InvalidInstanceId:
    "The managed node isn't in a valid state ... Invalid states are: Shutting-down and Terminated",
    botocore model) and tag targets no longer resolve to it. Nothing of it runs (commands run
    synchronously). Its recorded patch state and compliance stay (AWS documents no deletion of them;
    UNCONFIRMED). The node, or None when it is not in the fleet."""
    fleet = state.of(backend).nodes
    node = fleet.pop(node_id, None)
    if node is None:
        return None
    backend._resource_tags["ManagedInstance"].pop(node_id, None)
    state.fleet_changed(backend)
    return node


def known_resource(backend, resource_id):
    """A node of the fleet, or an instance of moto's EC2."""
    if resource_id in state.of(backend).nodes:
        return True
    try:
        ec2 = ec2_backends[backend.account_id][backend.region_name]
        return any(i.id == resource_id for r in ec2.all_reservations() for i in r.instances)
    except Exception:
        return False
