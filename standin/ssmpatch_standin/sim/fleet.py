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
import uuid

from moto.ec2.models import ec2_backends
from moto.s3.models import s3_backends
from moto.ssm import models as m

from ssmpatch_standin import state

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
                "PendingReboot": sorted(self.pending_reboot)}


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
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


def load_override(backend, url, node):
    """BaselineOverride (payload 1.80 baseline_override.py, aws-facts §2.1): a JSON array; the single
    element whose OperatingSystem equals the node's OS is used, keeping only OVERRIDE_KEYS."""
    if url.startswith("https://"):
        # The payload fetches https URLs with curl/wget; the stand-in has no network access.
        raise RunError(EXIT_OVERRIDE_DOWNLOAD, f"Unable to download file from {url}.")
    bucket, _, key = url[len("s3://"):].partition("/")
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
        tags = backend._resource_tags["ManagedInstance"][n.id]
        tags.clear()
        tags.update(n.tags)
        n.tags = tags
        fleet[n.id] = n
        out.append(n)
    state.fleet_changed(backend)
    return out


def known_resource(backend, resource_id):
    """A node of the fleet, or an instance of moto's EC2."""
    if resource_id in state.of(backend).nodes:
        return True
    try:
        ec2 = ec2_backends[backend.account_id][backend.region_name]
        return any(i.id == resource_id for r in ec2.all_reservations() for i in r.instances)
    except Exception:
        return False
