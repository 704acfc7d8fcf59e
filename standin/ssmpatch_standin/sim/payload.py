"""What ``AWS-RunPatchBaseline`` does on one node of the simulated fleet (Linux only): the effective
baseline, each package's patch state, stdout in the payload's format (aws-facts §3.1), and the upload of
patch states and ``Patch`` compliance only when AWS does (aws-facts §2.2).

Every simulated behaviour cites the AWS rule it follows. Where AWS leaves something unstated the
comment says so (UNCONFIRMED).
"""

import datetime
import fnmatch
import json
import uuid

from ssmpatch_standin import state
from ssmpatch_standin.sim import fleet, inventory
from ssmpatch_standin.sim.fleet import APT, OS_INFO, Node

SEVERITY_ORDER = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "UNSPECIFIED"]


def _now():
    return datetime.datetime.now(datetime.timezone.utc)


def _iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_date(s):
    if isinstance(s, (int, float)):
        return datetime.datetime.fromtimestamp(s, datetime.timezone.utc)
    s = str(s)
    if len(s) == 10:
        s += "T00:00:00"
    d = datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))
    return d if d.tzinfo else d.replace(tzinfo=datetime.timezone.utc)


# --- evaluation -----------------------------------------------------------------------------------

def _attr(node, patch, key):
    return {"PRODUCT": node.product, "CLASSIFICATION": patch.get("Classification"),
            "SEVERITY": patch.get("Severity"), "MSRC_SEVERITY": patch.get("Severity"), "PRIORITY": patch.get("Priority", patch.get("Severity")),
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
    cands = (patch["Name"], Node.patch_id(patch), node.title(patch))
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
        updates = [p for p in node.available if Node.patch_id(p) == key
                   and (p["Version"], p.get("Release")) != (pkg["Version"], pkg.get("Release"))]
        approved = [(p, lvl) for p in updates for ok, lvl in [approval(node, p, baseline, now)] if ok]
        same = [p for p in node.available if Node.patch_id(p) == key
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
    na = sum(1 for p in node.available
             if Node.patch_id(p) not in node.installed and approval(node, p, baseline, now)[0])
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


def evaluate_windows(node, baseline, operation, now):
    """Windows updates by KB id: an approved update that is not installed is Missing (an Install
    installs it, or it is Failed with FailInstall); an installed one is Installed when the baseline
    approves it, else InstalledOther."""
    results = []
    for key, pkg in sorted(node.installed.items()):
        ok, level = approval(node, pkg, baseline, now)
        results.append({"key": key, "patch": pkg, "state": "Installed" if ok else "InstalledOther",
                        "level": level or "UNSPECIFIED"})
    for patch in node.available:
        key = Node.patch_id(patch)
        ok, level = approval(node, patch, baseline, now)
        if key in node.installed or not ok:
            continue
        if operation != "Install":
            results.append({"key": key, "patch": patch, "state": "Missing", "level": level})
        elif patch.get("FailInstall"):
            results.append({"key": key, "patch": patch, "state": "Failed", "level": level})
        else:
            node.installed[key] = dict(patch, InstalledTime=_iso(now))
            results.append({"key": key, "patch": patch, "state": "Installed", "level": level})
    return sorted(results, key=lambda r: r["key"])


# The "Patch Summary for" property list, in the order and spelling of AWS's published Windows output
# (patch-manager-troubleshooting, "Patch Summary for" sample); nothing else of a Windows run is
# published — in particular no per-update result of a BaselineOverride run, so none is printed.
_WINDOWS_SUMMARY_KEYS = ("PatchGroup", "BaselineId", "Baseline", "SnapshotId", "RebootOption", "OwnerInformation",
                         "OperationType", "OperationStartTime", "OperationEndTime", "InstalledCount",
                         "InstalledRejectedCount", "InstalledPendingRebootCount", "InstalledOtherCount",
                         "FailedCount", "MissingCount", "NotApplicableCount", "UnreportedNotApplicableCount")


# What a Windows node prints when its instance profile may not read the BaselineOverride: the AWS
# troubleshooting sample "windows-patch-policy-baseline-override-access-denied" (patch-manager-
# troubleshooting, current page; copied in standin/tests/samples/), with the node's instance id, the
# command id and the operation in place of the sample's (the sample shows an Install; the class name
# and command line for a Scan are UNCONFIRMED). The PowerShell error record is stderr (the console shows
# it after "----------ERROR-------"); the agent appends "failed to run commands: exit status 0xffffffff".
# The "At ..." line wraps at 79 characters as in the sample (an 80-column console).
WINDOWS_EXIT_FAILED = -1   # exit status 0xffffffff; GetCommandInvocation's ResponseCode -1: UNCONFIRMED


def windows_access_denied(instance_id, command_id, op):
    at = (f"At C:\\ProgramData\\Amazon\\SSM\\InstanceData\\{instance_id}\\document\\orchestration\\"
          f"{command_id}\\PatchWindows\\_script.ps1:219 char:13")
    lines = ["Invoke-PatchBaselineOperation : Access Denied", *[at[i:i + 79] for i in range(0, len(at), 79)],
             f"+ $response = Invoke-PatchBaselineOperation -Operation {op} -Snapsho ...",
             "+ ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~",
             "+ CategoryInfo : OperationStopped: (Amazon.Patch.Ba...UpdateOpera",
             f"tion:{op}WindowsUpdateOperation) [Invoke-PatchBaselineOperation], Amazo",
             "nS3Exception",
             "+ FullyQualifiedErrorId : PatchBaselineOperations,Amazon.Patch.Baseline.Op",
             "erations.PowerShellCmdlets.InvokePatchBaselineOperation",
             "failed to run commands: exit status 0xffffffff"]
    return "\n".join(lines) + "\n"


def _run_windows(backend, node, op, snapshot, override, reboot, association_id, command_id, execution_id, now):
    lines = [f"Downloading PatchBaselineOperations PowerShell module from https://s3.{backend.region_name}"
             f".amazonaws.com/aws-ssm-{backend.region_name}/patchbaselineoperations/windows/"
             "Amazon.PatchBaselineOperations-1.29.zip to C:\\Windows\\TEMP\\Amazon.PatchBaselineOperations-1.29.zip.",
             "", "Successfully downloaded and installed the PatchBaselineOperations PowerShell module.", ""]
    if override:
        try:
            baseline = fleet.load_override(backend, override, node)
        except fleet.RunError as e:
            if e.access_denied:
                return WINDOWS_EXIT_FAILED, "\n".join(lines) + "\n", windows_access_denied(node.id, command_id, op)
            lines.append(f"Invoke-PatchBaselineOperation : {e}")
            return e.code, "\n".join(lines) + "\n", ""
    else:
        baseline = fleet.registered_baseline(backend, node)
    results = evaluate_windows(node, baseline, op, now)
    end = _now()
    count, na, crit, sec, other, sev = summarize(results, 0)
    group = node.patch_group()
    values = {"PatchGroup": group, "BaselineId": baseline["BaselineId"], "Baseline": "null", "SnapshotId": snapshot,
              "RebootOption": reboot, "OwnerInformation": "", "OperationType": op,
              "OperationStartTime": now.strftime("%Y-%m-%dT%H:%M:%S.0000000Z"),
              "OperationEndTime": end.strftime("%Y-%m-%dT%H:%M:%S.0000000Z"),
              "InstalledCount": count["Installed"], "InstalledRejectedCount": count["InstalledRejected"],
              "InstalledPendingRebootCount": count["InstalledPendingReboot"],
              "InstalledOtherCount": count["InstalledOther"], "FailedCount": count["Failed"],
              "MissingCount": count["Missing"], "NotApplicableCount": na, "UnreportedNotApplicableCount": 0}
    lines += [f"Patch Summary for {node.id}", ""]
    for k in _WINDOWS_SUMMARY_KEYS:
        lines += [f"{k} : {values[k]}".rstrip(), ""]
    policy_run = bool(association_id) and override.startswith("s3://aws-quicksetup-patchpolicy-")
    if not override or policy_run:
        summary = {k: str(values[k]) for k in ("PatchGroup", "InstalledCount", "InstalledOtherCount",
                                                "InstalledRejectedCount", "InstalledPendingRebootCount",
                                                "MissingCount", "FailedCount")}
        summary.update(NotApplicableCount=str(na), CriticalNonCompliantCount=str(crit),
                       SecurityNonCompliantCount=str(sec), OtherNonCompliantCount=str(other))
        items = [{"Id": r["key"], "Title": node.title(r["patch"]), "Severity": r["level"] or "UNSPECIFIED",
                  "Status": "NON_COMPLIANT" if r["state"] in NON_COMPLIANT else "COMPLIANT", "PatchState": r["state"],
                  "InstalledTime": r["patch"].get("InstalledTime", "") if r["state"] == "Installed" else "",
                  "Classification": r["patch"].get("Classification", ""),
                  "PatchSeverity": r["patch"].get("Severity", "")} for r in results]
        upload(backend, node, baseline, summary, items, results, op, reboot, snapshot, "",
               association_id if policy_run else "", now, end)
    return (fleet.EXIT_FAILURE if count["Failed"] else 0), "\n".join(lines) + "\n", ""


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
    if node.platform_type == "Windows":
        return _run_windows(backend, node, op, snapshot, override, reboot, association_id, command_id,
                            execution_id, now)
    pm = OS_INFO[node.os][0]
    lines = ["/usr/bin/python3", pm]
    t = now
    _log(lines, t, "Attempting to import entrance file os_selector")
    _log(lines, t, f"Running with snapshot id = {snapshot} and operation = {op}")
    if override and install_override:
        # "You can't use these two parameters at the same time. The patching document fails if both
        # parameters are supplied" (patch-manager-aws-runpatchbaseline); payload exit 167.
        _log(lines, t, "Cannot provide both Baseline Override and Install Override List", "ERROR")
        return fleet.EXIT_OVERRIDE_AND_INSTALL_OVERRIDE, "\n".join(lines) + "\n", ""
    if override:
        _log(lines, t, f"Downloading Baseline Override from {override}")
        try:
            baseline = fleet.load_override(backend, override, node)
        except fleet.RunError as e:
            _log(lines, t, str(e), "ERROR")
            _log(lines, t, "Error loading entrance module.", "ERROR")
            return e.code, "\n".join(lines) + "\n", ""
    else:
        baseline = fleet.registered_baseline(backend, node)
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
    code = fleet.EXIT_FAILURE if failed else 0
    return code, "\n".join(lines) + "\n", ""


def upload(backend, node, baseline, summary, items, results, op, reboot, snapshot, install_override,
           association_id, start, end):
    """What PutInventory(AWS:PatchSummary + AWS:ComplianceItem) changes on AWS: the node's patch
    state (DescribeInstancePatchStates), its patches (DescribeInstancePatches) and the `Patch`
    compliance type (ListComplianceItems). "each scan overwrites the patch compliance data of previous
    scans" (patch-manager-compliance-data-overwrites)."""
    patch_state = {"InstanceId": node.id, "PatchGroup": summary["PatchGroup"], "BaselineId": baseline["BaselineId"],
                   "SnapshotId": snapshot, "OperationStartTime": start, "OperationEndTime": end, "Operation": op,
                   "RebootOption": reboot}
    for k in ("InstalledCount", "InstalledOtherCount", "InstalledPendingRebootCount", "InstalledRejectedCount",
              "MissingCount", "FailedCount", "NotApplicableCount", "CriticalNonCompliantCount",
              "SecurityNonCompliantCount", "OtherNonCompliantCount"):
        patch_state[k] = int(summary[k])
    patch_state["UnreportedNotApplicableCount"] = 0
    if install_override:
        patch_state["InstallOverrideList"] = install_override
    if node.last_no_reboot_install:
        patch_state["LastNoRebootInstallOperationTime"] = node.last_no_reboot_install
    records = state.of(backend)
    records.patch_states[node.id] = patch_state
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
    records.instance_patches[node.id] = patches
    # AWS:ComplianceItem Context: ComplianceType Patch, ExecutionId <snapshot>, ExecutionType Command
    # (PatchPolicy when a patch policy passes AssociationId) — aws-facts §4 and §2. ExecutionTime: the
    # operation's START time — payload 1.80 patch_common/package_compliance.py,
    # _get_package_compliance_item, builds the Context with "ExecutionTime" from the operation's
    # start_time (AWS's patch payload as copied in tekumara/aws-ssm-patch-manager @fd11be0; issue-19
    # design §1b), the same instant as the patch state's OperationStartTime.
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
    inventory.put(backend, "ManagedInstance", node.id, "Patch",
                  {"ExecutionTime": start, "ExecutionId": snapshot,
                   "ExecutionType": "PatchPolicy" if association_id else "Command"}, citems)

