"""The simulated fleet: managed nodes with an OS, installed packages and available patches, and
what ``AWS-RunPatchBaseline`` does on them (Linux only).

Registered through the control API (``POST /_ssmpatch/nodes``). ``SendCommand`` with
``AWS-RunPatchBaseline`` (or a maintenance-window execution, or an association run triggered
through the control API) evaluates the effective baseline for each targeted node, writes stdout
in the payload's format (aws-facts §3.1), exposes it through GetCommandInvocation (first 24,000
characters) / ListCommandInvocations (first 2,500) and in full in S3, and uploads patch states and
``Patch`` compliance only when AWS does (aws-facts §2.2).

Every simulated behaviour cites the AWS rule it follows. Where AWS leaves something unstated the
comment says so (UNCONFIRMED).
"""

import datetime
import fnmatch
import json
import uuid

from moto.ssm import models as m

from ssmpatch_standin import compliance

PLUGIN_STEPS = ("PatchWindows", "PatchLinux", "PatchMacOS")
# StandardOutputContent: "The first 24,000 characters written by the plugin to stdout."
# StandardErrorContent: max 8,000; CommandPlugin.Output: max 2,500 (botocore model, aws-facts §8.2).
STDOUT_MAX = 24000
STDERR_MAX = 8000
PLUGIN_OUTPUT_MAX = 2500

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
}
APT = {"UBUNTU", "DEBIAN", "RASPBIAN"}
SEVERITY_ORDER = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "UNSPECIFIED"]
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
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def nodes(backend):
    if not hasattr(backend, "_ssmpatch_nodes"):
        backend._ssmpatch_nodes = {}
    return backend._ssmpatch_nodes


def _parse_date(s):
    if isinstance(s, (int, float)):
        return datetime.datetime.fromtimestamp(s, datetime.timezone.utc)
    s = str(s)
    if len(s) == 10:
        s += "T00:00:00"
    d = datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))
    return d if d.tzinfo else d.replace(tzinfo=datetime.timezone.utc)


class Node:
    """A managed node. ``Installed`` / ``Available`` entries use payload-like package fields."""

    def __init__(self, spec):
        self.id = spec["InstanceId"]
        self.tags = dict(spec.get("Tags") or {})
        self.os = spec.get("OperatingSystem", "AMAZON_LINUX_2023")
        if self.os not in OS_INFO:
            raise ValueError(f"OperatingSystem {self.os} is not simulated (Linux only): {sorted(OS_INFO)}")
        self.platform_name = spec.get("PlatformName", self.os.replace("_", " ").title())
        self.platform_version = spec.get("PlatformVersion", "")
        self.product = spec.get("Product", OS_INFO[self.os][1])
        self.installed = {}
        for p in spec.get("Installed") or []:
            self.installed[self._key(p)] = dict(p, InstalledTime=p.get("InstalledTime", "2026-01-01T00:00:00Z"))
        self.available = [dict(p) for p in spec.get("Available") or []]
        self.patched = set()           # package keys last changed by an Install operation
        self.pending_reboot = set()    # package keys installed with NoReboot, not yet rebooted
        self.last_no_reboot_install = None
        self.registered = _now()
        self.ping = spec.get("PingStatus", "Online")

    @staticmethod
    def _key(p):
        return f"{p['Name']}.{p.get('Arch', 'x86_64')}"

    def title(self, p):
        # Titles (patch-manager-aws-runpatchbaseline, InstallOverrideList): yum/SLES
        # "{name}.{architecture}:{epoch}:{version}-{release}", apt "{name}.{architecture}:{version}".
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
    fleet = nodes(backend)
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

def _baseline_dict(b):
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
            return _baseline_dict(backend.baselines[bid])
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
        from moto.s3.models import s3_backends
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


# --- evaluation -----------------------------------------------------------------------------------

def _attr(node, patch, key):
    return {"PRODUCT": node.product, "CLASSIFICATION": patch.get("Classification"),
            "SEVERITY": patch.get("Severity"), "PRIORITY": patch.get("Priority", patch.get("Severity")),
            "SECTION": patch.get("Section", "main"), "NAME": patch.get("Name"), "ARCH": patch.get("Arch", "x86_64"),
            "PRODUCT_FAMILY": node.platform_name, "SECURITY": "SecurityUpdates"
            if patch.get("Classification") == "Security" else "NonSecurityUpdates",
            "REPOSITORY": patch.get("Repository", "*")}.get(key)


def _filter_matches(node, patch, f):
    value = _attr(node, patch, f["Key"])
    return any(v == "*" or (value is not None and fnmatch.fnmatchcase(str(value), v)) for v in f.get("Values", []))


def _group_matches(node, patch, group):
    return all(_filter_matches(node, patch, f) for f in (group or {}).get("PatchFilters", []))


def _name_listed(node, patch, names):
    # Approved/rejected lists on Linux hold package names (with wildcards) or full titles
    # (patch-manager-approved-rejected-package-name-formats).
    cands = (patch["Name"], Node._key(patch), node.title(patch))
    return any(fnmatch.fnmatchcase(c, n) for n in names for c in cands)


def approval(node, patch, baseline, now):
    """(approved, compliance level) for one available patch.
    - Global filters: a patch is considered only if it matches all of them.
    - Rules: approved when a rule's filters all match and ApproveAfterDays have passed since release
      (or the release date is on/before ApproveUntilDate).
    - "The rejected list overrides both the rules and the approve list."
      (https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-patch-baselines.html)
    EnableNonSecurity (repository selection) is not simulated."""
    if _name_listed(node, patch, baseline.get("RejectedPatches") or []):
        return False, None
    if _name_listed(node, patch, baseline.get("ApprovedPatches") or []):
        return True, baseline.get("ApprovedPatchesComplianceLevel") or "UNSPECIFIED"
    if not _group_matches(node, patch, baseline.get("GlobalFilters")):
        return False, None
    released = _parse_date(patch.get("ReleaseDate", "1970-01-01"))
    for rule in (baseline.get("ApprovalRules") or {}).get("PatchRules", []):
        if not _group_matches(node, patch, rule.get("PatchFilterGroup")):
            continue
        if rule.get("ApproveUntilDate"):
            ok = released <= _parse_date(rule["ApproveUntilDate"]) + datetime.timedelta(days=1)
        else:
            ok = released + datetime.timedelta(days=int(rule.get("ApproveAfterDays", 0))) <= now
        if ok:
            return True, rule.get("ComplianceLevel") or "UNSPECIFIED"
    return False, None


def evaluate(node, baseline, operation, reboot_option, now):
    """Per-package patch states (aws-facts §5, patch-manager-compliance-states):
    INSTALLED "listed in the patch baseline and is installed"; INSTALLED_OTHER "isn't in the baseline,
    but it is installed"; INSTALLED_REJECTED only with RejectedPatchesAction BLOCK ("If
    ALLOW_AS_DEPENDENCY ... InstalledRejectedCount will always be 0"); INSTALLED_PENDING_REBOOT
    "the node hasn't been rebooted since the patch was applied"; MISSING "approved in the baseline,
    but it isn't installed"; FAILED "approved in the baseline, but it couldn't be installed"."""
    results = []   # dicts: key, patch, state, level
    block = (baseline.get("RejectedPatchesAction") or "ALLOW_AS_DEPENDENCY") == "BLOCK"
    installed_now = []
    for key, pkg in sorted(node.installed.items()):
        updates = [p for p in node.available if Node._key(p) == key
                   and (p["Version"], p.get("Release")) != (pkg["Version"], pkg.get("Release"))]
        approved = [(p, lvl) for p in updates for ok, lvl in [approval(node, p, baseline, now)] if ok]
        same = [p for p in node.available if Node._key(p) == key
                and (p["Version"], p.get("Release")) == (pkg["Version"], pkg.get("Release"))]
        if approved:
            patch, level = max(approved, key=lambda pl: str(pl[0].get("ReleaseDate", "")))
            if operation == "Install":
                if patch.get("FailInstall"):
                    results.append({"key": key, "patch": patch, "state": "Failed", "level": level})
                    continue
                installed_now.append(key)
                node.installed[key] = {k: patch[k] for k in ("Name", "Arch", "Version", "Release", "Epoch")
                                       if k in patch}
                node.installed[key]["InstalledTime"] = _iso(now)
                node.patched.add(key)
                if reboot_option == "NoReboot":
                    node.pending_reboot.add(key)
                results.append({"key": key, "patch": patch, "state": "Installed", "level": level})
            else:
                results.append({"key": key, "patch": patch, "state": "Missing", "level": level})
            continue
        current = dict(pkg)
        info = same[0] if same else {}
        current.update({k: v for k, v in info.items() if k not in current})
        if _name_listed(node, current, baseline.get("RejectedPatches") or []) and block:
            results.append({"key": key, "patch": current, "state": "InstalledRejected",
                            "level": baseline.get("ApprovedPatchesComplianceLevel") or "UNSPECIFIED"})
            continue
        ok, level = approval(node, current, baseline, now) if same else (False, None)
        if ok or key in node.patched:
            results.append({"key": key, "patch": current, "state": "Installed", "level": level or "UNSPECIFIED"})
        else:
            results.append({"key": key, "patch": current, "state": "InstalledOther", "level": "UNSPECIFIED"})
    # Approved patches for packages that are not installed are not applicable on Linux ("a patch is
    # installed on an instance only if it applies to the software on the instance").
    na = sum(1 for p in node.available if Node._key(p) not in node.installed and approval(node, p, baseline, now)[0])
    # RebootIfNeeded: the node reboots if "Patch Manager installed one or more patches" or it "detects one
    # or more patches with a status of INSTALLED_PENDING_REBOOT during the Install operation".
    # NoReboot: "the patch is assigned a status of InstalledPendingReboot" until "a reboot occurs".
    rebooted = False
    if operation == "Install" and reboot_option == "RebootIfNeeded" and (installed_now or node.pending_reboot):
        node.pending_reboot.clear()
        rebooted = True
    for r in results:
        if r["key"] in node.pending_reboot and r["state"] == "Installed":
            r["state"] = "InstalledPendingReboot"
    if operation == "Install" and reboot_option == "NoReboot" and installed_now:
        node.last_no_reboot_install = now
    return results, na, rebooted, installed_now


NON_COMPLIANT = ("InstalledRejected", "InstalledPendingReboot", "Missing", "Failed")
_ENUM = {"Installed": "INSTALLED", "InstalledOther": "INSTALLED_OTHER", "InstalledPendingReboot":
         "INSTALLED_PENDING_REBOOT", "InstalledRejected": "INSTALLED_REJECTED", "Missing": "MISSING",
         "Failed": "FAILED", "NotApplicable": "NOT_APPLICABLE"}


def summarize(results, na):
    count = {s: sum(1 for r in results if r["state"] == s) for s in _ENUM}
    non = [r for r in results if r["state"] in NON_COMPLIANT]
    # CriticalNonCompliantCount: patches "specified as Critical for compliance reporting in the patch
    # baseline" that aren't compliant; SecurityNonCompliantCount: classified Security;
    # OtherNonCompliantCount: "specified as other than Critical or Security" (API InstancePatchState).
    crit = sum(1 for r in non if r["level"] == "CRITICAL")
    sec = sum(1 for r in non if r["patch"].get("Classification") == "Security")
    other = sum(1 for r in non if r["level"] != "CRITICAL" and r["patch"].get("Classification") != "Security")
    # Node severity: the highest compliance level among non-compliant packages, starting from
    # INFORMATIONAL, so a non-compliant node never reports UNSPECIFIED (payload 1.80, aws-facts §5).
    sev = None
    if non:
        sev = "INFORMATIONAL"
        for r in non:
            if r["level"] in SEVERITY_ORDER and SEVERITY_ORDER.index(r["level"]) < SEVERITY_ORDER.index(sev):
                sev = r["level"]
    return count, na, crit, sec, other, sev


# --- one node run ---------------------------------------------------------------------------------

def _log(lines, t, msg, level="INFO"):
    lines.append(f"{t.strftime('%m/%d/%Y %H:%M:%S')} root [{level}]: {msg}")


def run_patch_baseline(backend, node, params, command_id, execution_id=None):
    """Run AWS-RunPatchBaseline on one node. Returns (exit code, stdout, stderr)."""
    now = _now()
    p = {k: (v[0] if isinstance(v, list) and v else (v if not isinstance(v, list) else "")) for k, v in params.items()}
    op = p.get("Operation") or "Scan"
    snapshot = p.get("SnapshotId") or str(uuid.uuid4())
    override = p.get("BaselineOverride") or ""
    install_override = p.get("InstallOverrideList") or ""
    reboot = p.get("RebootOption") or "RebootIfNeeded"
    association_id = p.get("AssociationId") or ""
    pm = OS_INFO[node.os][0]
    lines = ["/usr/bin/python3", pm]
    t = now
    _log(lines, t, "Attempting to import entrance file os_selector")
    _log(lines, t, f"Running with snapshot id = {snapshot} and operation = {op}")
    if override and install_override:
        # "You can't use these two parameters at the same time. The patching document fails if both
        # parameters are supplied" (patch-manager-aws-runpatchbaseline); payload exit 167.
        _log(lines, t, "Cannot provide both Baseline Override and Install Override List", "ERROR")
        return EXIT_OVERRIDE_AND_INSTALL_OVERRIDE, "\n".join(lines) + "\n", ""
    if override:
        _log(lines, t, f"Downloading Baseline Override from {override}")
        try:
            baseline = load_override(backend, override, node)
        except RunError as e:
            _log(lines, t, str(e), "ERROR")
            _log(lines, t, "Error loading entrance module.", "ERROR")
            return e.code, "\n".join(lines) + "\n", ""
    else:
        baseline = registered_baseline(backend, node)
    group = node.patch_group()
    _log(lines, t, f"Instance Id: {node.id}")
    _log(lines, t, f"Region: {backend.region_name}")
    _log(lines, t, f"Product: {node.product}")
    _log(lines, t, f"Patch Group: {group}")
    _log(lines, t, f"Operation type: {op}")
    _log(lines, t, f"Snapshot Id: {snapshot}")
    _log(lines, t, f"Patch Baseline: {baseline!r}")
    _log(lines, t, f"Reboot Option: {reboot}")
    _log(lines, t, f"Loading patch snapshot from /var/log/amazon/ssm/patch-baseline-operations/{snapshot}.json")
    results, na, rebooted, installed_now = evaluate(node, baseline, op, reboot, now)
    missing = sum(1 for r in results if r["state"] == "Missing")
    failed = sum(1 for r in results if r["state"] == "Failed")
    if node.os in APT:
        _log(lines, t, f"After applying filters, missing count: {missing} failed count: 0")
        if installed_now:
            _log(lines, t, "Packages that will be upgraded: " + ", ".join(installed_now))
    elif op == "Install" and not installed_now and not failed:
        _log(lines, t, "No updates, skipping.")
    end = _now()
    count, na, crit, sec, other, sev = summarize(results, na)
    exec_id = execution_id or command_id
    _log(lines, t, "Package compliance initialized with instance ID: %s, baseline ID: %s, snapshot ID: %s, "
                   "patch group: %s, start time: %s, end time: %s, upload NA compliance: False, install override "
                   "list path: %s, execution id: %s" % (node.id, baseline["BaselineId"], snapshot, group, _iso(now),
                                                        _iso(end), install_override or None, exec_id))
    _log(lines, t, f" Instance is Non-Compliant with severity of {sev} " if sev else " Instance is Compliant ")
    summary = {"BaselineId": baseline["BaselineId"], "PatchGroup": group, "SnapshotId": snapshot,
               "ExecutionId": exec_id, "InstalledCount": str(count["Installed"]),
               "InstalledOtherCount": str(count["InstalledOther"]),
               "InstalledRejectedCount": str(count["InstalledRejected"]),
               "InstalledPendingRebootCount": str(count["InstalledPendingReboot"]), "NotApplicableCount": str(na),
               "MissingCount": str(count["Missing"]), "FailedCount": str(count["Failed"]),
               "CriticalNonCompliantCount": str(crit), "SecurityNonCompliantCount": str(sec),
               "OtherNonCompliantCount": str(other), "OperationType": op, "OperationStartTime": _iso(now),
               "OperationEndTime": _iso(end), "RebootOption": reboot}
    if install_override:
        summary["InstallOverrideList"] = install_override
    if node.last_no_reboot_install:
        summary["LastNoRebootInstallOperationTime"] = _iso(node.last_no_reboot_install)
    if sev:
        summary["NonCompliantSeverity"] = sev
    lines.append(repr([summary]))
    items = []
    for r in results:
        pt = r["patch"]
        it = {"Id": r["key"], "Title": node.title(pt), "Severity": r["level"] or "UNSPECIFIED",
              "Status": "NON_COMPLIANT" if r["state"] in NON_COMPLIANT else "COMPLIANT", "PatchState": r["state"],
              "InstalledTime": node.installed.get(r["key"], {}).get("InstalledTime", "") if r["state"] not in (
                  "Missing", "Failed") else "",
              "Classification": pt.get("Classification", ""), "PatchSeverity": pt.get("Severity", "")}
        if r["state"] in ("Missing", "Failed") and pt.get("CVEIds"):
            it["CVEIds"] = ",".join(pt["CVEIds"])
        items.append(it)
    order = {"InstalledRejected": 0, "InstalledPendingReboot": 1, "Missing": 2, "Failed": 3}
    # Patch policies pass the policy's own override together with AssociationId and then do update
    # compliance ("When a patch operation uses a patch policy, however, the system passes the override
    # parameter from the associated S3 bucket, and the compliance value is updated for the managed
    # node." — patch-manager-baselineoverride-parameter). The policy's bucket is
    # aws-quicksetup-patchpolicy-<account-id>-<configuration-id> (quick-setup-patch-manager).
    policy_run = bool(association_id) and override.startswith("s3://aws-quicksetup-patchpolicy-")
    if override and not policy_run:
        # "Except when a patching operation uses a patch policy, using the BaselineOverride parameter
        # doesn't overwrite the patch compliance of the baseline provided in the parameter. The output
        # results are recorded in the Stdout logs from Run Command ... The results only print out
        # packages that are marked as NON_COMPLIANT." (patch-manager-baselineoverride-parameter)
        # Payload 1.80 main_entrance.py: output_baseline_override_results(...) instead of
        # upload_inventory_report(...) — no PutInventory.
        s = {k: v for k, v in summary.items() if k != "BaselineId"}
        _log(lines, t, "[BASELINE OVERRIDE]: Summary: " + json.dumps(s, indent=4, sort_keys=True))
        bad = sorted((i for i in items if i["PatchState"] in order), key=lambda i: (order[i["PatchState"]], i["Id"]))
        if bad:
            _log(lines, t, "[BASELINE OVERRIDE]: Non Compliant Packages: " + json.dumps(bad, indent=4, sort_keys=True))
        else:
            _log(lines, t, "[BASELINE OVERRIDE]: All Packages are Compliant.")
    else:
        _log(lines, t, "Start to upload patch compliance.")
        _log(lines, t, f"Summary: {summary!r}")
        _log(lines, t, "Attempting full upload")
        upload(backend, node, baseline, summary, items, results, op, reboot, snapshot, install_override,
               association_id if policy_run else "", now, end)
        _log(lines, t, "Upload complete.")
        _log(lines, t, "Report upload successful.")
    if op == "Scan":
        _log(lines, t, "Reboot is not permitted for scan operation")
    elif reboot == "NoReboot":
        _log(lines, t, "Reboot is not permitted because RebootOption is NoReboot")
    elif rebooted:
        _log(lines, t, "Reboot is required with patching exit code 194")
    else:
        _log(lines, t, "Reboot is not required")
    code = EXIT_FAILURE if failed else 0
    return code, "\n".join(lines) + "\n", ""


def upload(backend, node, baseline, summary, items, results, op, reboot, snapshot, install_override,
           association_id, start, end):
    """What PutInventory(AWS:PatchSummary + AWS:ComplianceItem) changes on AWS: the node's patch
    state (DescribeInstancePatchStates), its patches (DescribeInstancePatches) and the `Patch`
    compliance type (ListComplianceItems). "each scan overwrites the patch compliance data of previous
    scans" (patch-manager-compliance-data-overwrites)."""
    state = {"InstanceId": node.id, "PatchGroup": summary["PatchGroup"], "BaselineId": baseline["BaselineId"],
             "SnapshotId": snapshot, "OperationStartTime": start, "OperationEndTime": end, "Operation": op,
             "RebootOption": reboot}
    for k in ("InstalledCount", "InstalledOtherCount", "InstalledPendingRebootCount", "InstalledRejectedCount",
              "MissingCount", "FailedCount", "NotApplicableCount", "CriticalNonCompliantCount",
              "SecurityNonCompliantCount", "OtherNonCompliantCount"):
        state[k] = int(summary[k])
    state["UnreportedNotApplicableCount"] = 0
    if install_override:
        state["InstallOverrideList"] = install_override
    if node.last_no_reboot_install:
        state["LastNoRebootInstallOperationTime"] = node.last_no_reboot_install
    compliance.patch_states(backend)[node.id] = state
    epoch = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
    patches = []
    for it in items:
        d = {"Title": it["Title"], "KBId": it["Id"], "Classification": it["Classification"],
             "Severity": it["PatchSeverity"], "State": _ENUM[it["PatchState"]],
             "InstalledTime": _parse_date(it["InstalledTime"]) if it["InstalledTime"] else epoch}
        # "Currently, CVE ID values are reported only for patches with a status of Missing or Failed."
        if "CVEIds" in it:
            d["CVEIds"] = it["CVEIds"]
        patches.append(d)
    compliance.instance_patches(backend)[node.id] = patches
    # AWS:ComplianceItem Context: ComplianceType Patch, ExecutionId <snapshot>, ExecutionType Command
    # (PatchPolicy when a patch policy passes AssociationId) — aws-facts §4 and §2.
    citems = []
    for it in items:
        details = {"PatchState": it["PatchState"], "PatchBaselineId": baseline["BaselineId"],
                   "PatchGroup": summary["PatchGroup"], "DocumentName": "", "DocumentVersion": "",
                   "InstalledTime": it["InstalledTime"], "Classification": it["Classification"],
                   "PatchSeverity": it["PatchSeverity"]}
        if "CVEIds" in it:
            details["CVEIds"] = it["CVEIds"]
        citems.append({"Id": it["Id"], "Title": it["Title"], "Severity": it["Severity"], "Status": it["Status"],
                       "Details": details})
    compliance.put(backend, "ManagedInstance", node.id, "Patch",
                   {"ExecutionTime": end, "ExecutionId": snapshot,
                    "ExecutionType": "PatchPolicy" if association_id else "Command"}, citems)


# --- commands -------------------------------------------------------------------------------------

def _s3_put(backend, bucket, key, body):
    from moto.s3.models import s3_backends
    s3 = s3_backends[backend.account_id]["aws"]
    s3.get_bucket(bucket)   # raises if missing
    s3.put_object(bucket, key, body.encode())


def run_command_on_nodes(backend, command, node_ids, execution_id=None):
    """Fill the moto Command's invocations with the simulated plugin results."""
    fleet = nodes(backend)
    command.invocations = []
    command.ssmpatch_plugins = {}
    errors = 0
    for iid in node_ids:
        node = fleet.get(iid)
        start = _now()
        if command.document_name == "AWS-RunPatchBaseline" and node is not None:
            code, out, err = run_patch_baseline(backend, node, command.parameters or {}, command.command_id,
                                                execution_id)
            step = "PatchLinux"
        else:
            code, out, err, step = 0, "", "", "aws:runShellScript"
        end = _now()
        status = "Success" if code == 0 else "Failed"
        errors += code != 0
        url = ""
        err_url = ""
        if command.output_s3_bucket_name:
            # S3 layout: <bucket>/<prefix>/<command-id>/<instance-id>/awsrunShellScript/<step>/stdout
            # (API CommandPlugin: "amzn-s3-demo-bucket/my-prefix/i-02573cafcfEXAMPLE/awsrunShellScript ...
            # awsrunShellScript is the name of the plugin"; schema 2.x documents add the step name).
            parts = [x for x in (command.output_s3_key_prefix or "").strip("/").split("/") if x]
            base = "/".join(parts + [command.command_id, iid, "awsrunShellScript", step])
            try:
                _s3_put(backend, command.output_s3_bucket_name, base + "/stdout", out)
                url = f"https://s3.{backend.region_name}.amazonaws.com/{command.output_s3_bucket_name}/{base}/stdout"
                if err:
                    _s3_put(backend, command.output_s3_bucket_name, base + "/stderr", err)
                    err_url = url[:-len("stdout")] + "stderr"
            except Exception:
                url = ""
        plugins = []
        if command.document_name == "AWS-RunPatchBaseline":
            for s in PLUGIN_STEPS:
                if s == step:
                    plugins.append({"Name": s, "Status": status, "StatusDetails": status, "ResponseCode": code,
                                    "ResponseStartDateTime": start, "ResponseFinishDateTime": end,
                                    "Output": out[:PLUGIN_OUTPUT_MAX], "StandardOutputUrl": url,
                                    "StandardErrorUrl": err_url, "full": out, "err": err})
                else:
                    # Steps with preconditions on another platform are skipped (schema 2.2 preconditions).
                    msg = (f"Step execution skipped due to unsatisfied preconditions: '\"StringEquals\": "
                           f"[platformType, {s[5:]}]'. Step name: {s}")
                    plugins.append({"Name": s, "Status": "Success", "StatusDetails": "Success", "ResponseCode": 0,
                                    "ResponseStartDateTime": start, "ResponseFinishDateTime": end, "Output": msg,
                                    "StandardOutputUrl": "", "StandardErrorUrl": "", "full": msg, "err": ""})
        else:
            plugins.append({"Name": step, "Status": status, "StatusDetails": status, "ResponseCode": code,
                            "ResponseStartDateTime": start, "ResponseFinishDateTime": end, "Output": out[:PLUGIN_OUTPUT_MAX],
                            "StandardOutputUrl": url, "StandardErrorUrl": err_url, "full": out, "err": err})
        command.ssmpatch_plugins[iid] = plugins
        command.invocations.append({
            "CommandId": command.command_id, "InstanceId": iid, "Comment": command.comment,
            "DocumentName": command.document_name, "DocumentVersion": "$DEFAULT", "PluginName": step,
            "ResponseCode": code, "ExecutionStartDateTime": _iso(start), "ExecutionElapsedTime": "PT1S",
            "ExecutionEndDateTime": _iso(end), "Status": status, "StatusDetails": status,
            "StandardOutputContent": out[:STDOUT_MAX], "StandardOutputUrl": url,
            "StandardErrorContent": err[:STDERR_MAX], "StandardErrorUrl": err_url})
    command.instance_ids = list(node_ids)
    command.target_count = len(node_ids)
    command.completed_count = len(node_ids)
    command.error_count = errors
    command.status = "Success" if errors == 0 else "Failed"
    command.status_details = command.status


def send(backend, document_name, instance_ids, targets, parameters, comment="", output_bucket="", output_prefix="",
         max_concurrency="50", max_errors="0", service_role="", timeout=None, execution_id=None):
    ids = resolve_targets(backend, instance_ids, targets)
    fleet = nodes(backend)
    for i in instance_ids or []:
        if i not in fleet and not compliance.known_resource(backend, i):
            # InvalidInstanceId: "The instance isn't valid ... or isn't registered" (API_SendCommand errors)
            raise m.RESTError("InvalidInstanceId", f"Instance {i} is not a managed node of the stand-in's fleet")
    cmd = m.Command(account_id=backend.account_id, comment=comment, document_name=document_name,
                    timeout_seconds=timeout, instance_ids=[], max_concurrency=max_concurrency, max_errors=max_errors,
                    output_s3_bucket_name=output_bucket, output_s3_key_prefix=output_prefix, parameters=parameters,
                    service_role_arn=service_role, targets=[], backend_region=backend.region_name)
    cmd.targets = targets or []
    run_command_on_nodes(backend, cmd, ids, execution_id)
    backend._commands.append(cmd)
    return cmd


def r_send_command(self):
    from moto.core.responses import ActionResult
    g = self._get_param
    doc = g("DocumentName")
    if doc == "AWS-RunPatchBaseline":
        params = g("Parameters") or {}
        op = (params.get("Operation") or [""])[0]
        # Document parameter Operation: allowedValues Scan | Install (AWS-RunPatchBaseline document).
        if op not in ("Scan", "Install"):
            raise m.RESTError("InvalidParameters", "Operation must be Scan or Install")
        rb = (params.get("RebootOption") or ["RebootIfNeeded"])[0]
        if rb not in ("RebootIfNeeded", "NoReboot"):
            raise m.RESTError("InvalidParameters", "RebootOption must be RebootIfNeeded or NoReboot")
        import re
        for k in ("BaselineOverride", "InstallOverrideList"):
            v = (params.get(k) or [""])[0]
            # allowedPattern (^$)|^https://.+$|^s3://([^/]+)/(.*?([^/]+))$ (document parameters, aws-facts §2)
            if not re.match(r"(^$)|^https://.+$|^s3://([^/]+)/(.*?([^/]+))$", v):
                raise m.RESTError("InvalidParameters", f"{k} must be an https:// or s3:// URL")
            # "The BaselineOverride file name can't contain the following characters: backtick (`),
            # single quote ('), double quote ("), and dollar sign ($)." (patch-manager-baselineoverride-parameter)
            if k == "BaselineOverride" and any(c in v for c in "`'\"$"):
                raise m.RESTError("InvalidParameters", "BaselineOverride can't contain ` ' \" or $")
    if not g("InstanceIds") and not g("Targets"):
        raise m.RESTError("ValidationException", "Either InstanceIds or Targets must be given")
    cmd = send(self.ssm_backend, doc, g("InstanceIds") or [], g("Targets") or [], g("Parameters") or {},
               comment=g("Comment", ""), output_bucket=g("OutputS3BucketName", ""),
               output_prefix=g("OutputS3KeyPrefix", ""), max_concurrency=g("MaxConcurrency", "50"),
               max_errors=g("MaxErrors", "0"), service_role=g("ServiceRoleArn", ""), timeout=g("TimeoutSeconds"))
    return ActionResult({"Command": cmd.response_object()})


def r_get_command_invocation(self):
    from moto.core.responses import ActionResult
    cmd = self.ssm_backend.get_command_by_id(self._get_param("CommandId"))
    iid = self._get_param("InstanceId")
    plugin = self._get_param("PluginName")
    inv = next((i for i in cmd.invocations if i["InstanceId"] == iid), None)
    if inv is None:
        raise m.RESTError("InvocationDoesNotExist", "The command ID and managed node ID you specified didn't match any invocations.")
    plugins = getattr(cmd, "ssmpatch_plugins", {}).get(iid)
    if plugins and len(plugins) > 1:
        # PluginName: "If the document contains more than one step, you must specify the name of the step
        # for which you want to view details." (API_GetCommandInvocation)
        if not plugin:
            raise m.RESTError("InvalidPluginName", "The document has more than one step; specify PluginName "
                                                   "(PatchLinux, PatchWindows or PatchMacOS)")
    if plugins and plugin:
        pl = next((x for x in plugins if x["Name"] == plugin), None)
        if pl is None:
            raise m.RESTError("InvalidPluginName", "The plugin name isn't valid.")
        inv = dict(inv, PluginName=pl["Name"], ResponseCode=pl["ResponseCode"], Status=pl["Status"],
                   StatusDetails=pl["StatusDetails"], StandardOutputContent=pl["full"][:STDOUT_MAX],
                   StandardOutputUrl=pl["StandardOutputUrl"], StandardErrorContent=pl["err"][:STDERR_MAX],
                   StandardErrorUrl=pl["StandardErrorUrl"])
    elif plugin and plugin != inv["PluginName"]:
        raise m.RESTError("InvalidPluginName", "The plugin name isn't valid.")
    return ActionResult(inv)


def r_list_command_invocations(self):
    from moto.core.responses import ActionResult
    b = self.ssm_backend
    cid, iid = self._get_param("CommandId"), self._get_param("InstanceId")
    details = bool(self._get_param("Details"))
    cmds = [b.get_command_by_id(cid)] if cid else list(b._commands)
    out = []
    for c in cmds:
        for inv in c.invocations:
            if iid and inv["InstanceId"] != iid:
                continue
            d = {"CommandId": c.command_id, "InstanceId": inv["InstanceId"], "Comment": c.comment,
                 "DocumentName": c.document_name, "DocumentVersion": "$DEFAULT", "RequestedDateTime": c.requested_date_time,
                 "Status": inv["Status"], "StatusDetails": inv["StatusDetails"],
                 "StandardOutputUrl": inv["StandardOutputUrl"], "StandardErrorUrl": inv["StandardErrorUrl"],
                 "ServiceRole": c.service_role_arn}
            if details:
                d["CommandPlugins"] = [
                    {k: v for k, v in pl.items() if k not in ("full", "err")} | {
                        "OutputS3BucketName": c.output_s3_bucket_name, "OutputS3KeyPrefix": c.output_s3_key_prefix}
                    for pl in getattr(c, "ssmpatch_plugins", {}).get(inv["InstanceId"], [])]
            out.append(d)
    n = int(self._get_param("MaxResults") or 50)
    start = int(self._get_param("NextToken") or 0)
    res = {"CommandInvocations": out[start:start + n]}
    if start + n < len(out):
        res["NextToken"] = str(start + n)
    return ActionResult(res)


def r_describe_instance_information(self):
    from moto.core.responses import ActionResult
    fleet = nodes(self.ssm_backend)
    out = list(fleet.values())
    for f in self._get_param("Filters") or []:
        key, vals = f["Key"], f.get("Values") or []
        if key == "InstanceIds":
            out = [n for n in out if n.id in vals]
        elif key == "PingStatus":
            out = [n for n in out if n.ping in vals]
        elif key == "PlatformTypes":
            out = [n for n in out if "Linux" in vals]
        elif key.startswith("tag:"):
            out = [n for n in out if n.tags.get(key[4:]) in vals]
        elif key == "tag-key":
            out = [n for n in out if any(v in n.tags for v in vals)]
        else:
            raise m.RESTError("InvalidInstanceInformationFilterValue", f"The stand-in does not simulate filter {key}")
    for f in self._get_param("InstanceInformationFilterList") or []:
        if f["key"] == "InstanceIds":
            out = [n for n in out if n.id in f["valueSet"]]
    info = [{"InstanceId": n.id, "PingStatus": n.ping, "LastPingDateTime": _now(), "AgentVersion": "3.3.0.0",
             "IsLatestVersion": True, "PlatformType": "Linux", "PlatformName": n.platform_name,
             "PlatformVersion": n.platform_version, "ResourceType": "EC2Instance" if n.id.startswith("i-") else
             "ManagedInstance", "RegistrationDate": n.registered, "ComputerName": n.id} for n in out]
    n = int(self._get_param("MaxResults") or 50)
    start = int(self._get_param("NextToken") or 0)
    res = {"InstanceInformationList": info[start:start + n]}
    if start + n < len(info):
        res["NextToken"] = str(start + n)
    return ActionResult(res)


def register(backend, specs, replace=False):
    """Register (or replace) managed nodes. A node's tags are the very dict behind
    ListTagsForResource/AddTagsToResource(ResourceType=ManagedInstance), so tag changes made through
    the API change its patch group and targeting, as on AWS."""
    fleet = nodes(backend)
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
    return out


def install(R):
    R.send_command = r_send_command
    R.get_command_invocation = r_get_command_invocation
    R.list_command_invocations = r_list_command_invocations
    R.describe_instance_information = r_describe_instance_information
