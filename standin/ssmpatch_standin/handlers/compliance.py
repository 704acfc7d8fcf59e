"""Configuration Compliance and patch states, which moto 5.2.5 lacks.

- PutComplianceItems / ListComplianceItems / ListResourceComplianceSummaries / ListComplianceSummaries
  (aws-facts §4; https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutComplianceItems.html)
- DescribeInstancePatchStates / DescribeInstancePatchStatesForPatchGroup / DescribeInstancePatches
  (aws-facts §5). AWS fills these from the AWS:PatchSummary / AWS:ComplianceItem inventory that
  AWS-RunPatchBaseline uploads; here the simulated fleet's payload (``sim.payload``) writes them.

The records are the stand-in's (``state``); PutComplianceItems writes them through ``sim.inventory``,
as the payload does.
"""

import datetime
import fnmatch

from moto.core.responses import ActionResult, EmptyResult
from moto.ssm import models as m
from moto.ssm.exceptions import ValidationException

from ssmpatch_standin import state
from ssmpatch_standin.sim import fleet, inventory

SEVERITY_ORDER = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "UNSPECIFIED"]
# "You can assign a maximum of 10 different custom compliance types to a managed node."
# (sysman-compliance-about; API error ComplianceTypeCountLimitExceededException)
MAX_CUSTOM_TYPES = 10


def r_put_compliance_items(self):
    b = self.ssm_backend
    rtype = self._get_param("ResourceType")
    rid = self._get_param("ResourceId")
    ctype = self._get_param("ComplianceType")
    items = self._get_param("Items") or []
    upload = self._get_param("UploadType") or "COMPLETE"
    # "ManagedInstance is currently the only supported resource type." (API_PutComplianceItems)
    if rtype != "ManagedInstance":
        raise m.RESTError("InvalidResourceType", "ManagedInstance is currently the only supported resource type.")
    # InvalidResourceId: "The resource ID isn't valid. Verify that you entered the correct ID and try again."
    if not fleet.known_resource(b, rid):
        raise m.RESTError("InvalidResourceId", f"The resource ID {rid} isn't valid (not a managed node of the stand-in's fleet).")
    if upload == "PARTIAL":
        # UploadType: "This attribute is only valid for association compliance." and "The
        # association must be configured with SyncCompliance set to MANUAL."
        if ctype != "Association":
            raise m.RESTError("InvalidItemContentException", "UploadType PARTIAL is only valid for association compliance")
        for it in items:
            a = state.of(b).associations.get(it.get("Id"))
            if a is None or a.params.get("SyncCompliance") != "MANUAL":
                raise m.RESTError("InvalidItemContentException",
                                  f"Item {it.get('Id')} is not an association with SyncCompliance MANUAL")
    if ctype.startswith("Custom:"):
        existing = {t for t in state.of(b).compliance.get((rtype, rid), {}) if t.startswith("Custom:")}
        if ctype not in existing and len(existing) >= MAX_CUSTOM_TYPES:
            raise m.RESTError("ComplianceTypeCountLimitExceededException",
                              "You specified too many custom compliance types. You can specify a maximum of 10 different types.")
    summary = self._get_param("ExecutionSummary")
    # ExecutionTime arrives as epoch seconds (JSON protocol timestamp); keep a datetime.
    et = summary.get("ExecutionTime")
    if isinstance(et, (int, float)):
        summary = dict(summary, ExecutionTime=datetime.datetime.fromtimestamp(et, datetime.timezone.utc))
    elif isinstance(et, str):
        try:
            summary = dict(summary, ExecutionTime=datetime.datetime.fromtimestamp(float(et), datetime.timezone.utc))
        except ValueError:
            summary = dict(summary, ExecutionTime=datetime.datetime.fromisoformat(et.replace("Z", "+00:00")))
    inventory.put(b, rtype, rid, ctype, summary, items, upload, self._get_param("ItemContentHash"))
    return EmptyResult()


def _match_filter(value, f):
    t = f.get("Type") or "EQUAL"
    vals = f.get("Values") or []
    if value is None:
        value = ""
    if t == "EQUAL":
        return value in vals
    if t == "NOT_EQUAL":
        return value not in vals
    if t == "BEGIN_WITH":
        return any(str(value).startswith(v) for v in vals)
    if t == "LESS_THAN":
        return any(str(value) < v for v in vals)
    if t == "GREATER_THAN":
        return any(str(value) > v for v in vals)
    return False


def _all_items(b):
    for (rtype, rid), types in state.of(b).compliance.items():
        for ctype, rec in types.items():
            for it in rec["items"]:
                yield {"ComplianceType": ctype, "ResourceType": rtype, "ResourceId": rid,
                       "Id": it.get("Id", ""), "Title": it.get("Title", ""), "Status": it["Status"],
                       "Severity": it["Severity"], "ExecutionSummary": rec["summary"], "Details": it.get("Details", {})}


def _page(self, items, default):
    n = int(self._get_param("MaxResults") or default)
    start = int(self._get_param("NextToken") or 0)
    nxt = str(start + n) if start + n < len(items) else None
    return items[start:start + n], nxt


def _result(key, page, nxt):
    res = {key: page}
    if nxt:
        res["NextToken"] = nxt
    return ActionResult(res)


def r_list_compliance_items(self):
    b = self.ssm_backend
    rids = self._get_param("ResourceIds") or []
    # ResourceIds: "Currently, you can only specify one resource ID." (ListComplianceItems)
    if len(rids) > 1:
        raise ValidationException("Currently, you can only specify one resource ID.")
    rtypes = self._get_param("ResourceTypes") or []
    out = [i for i in _all_items(b) if (not rids or i["ResourceId"] in rids) and (not rtypes or i["ResourceType"] in rtypes)]
    for f in self._get_param("Filters") or []:
        key = f["Key"]
        out = [i for i in out if _match_filter(
            i["ExecutionSummary"].get(key) if key in ("ExecutionId", "ExecutionType") else i.get(key), f)]
    page, nxt = _page(self, out, 50)
    return _result("ComplianceItems", page, nxt)


def _severity_summary(items):
    s = {"CriticalCount": 0, "HighCount": 0, "MediumCount": 0, "LowCount": 0, "InformationalCount": 0,
         "UnspecifiedCount": 0}
    for sev in items:
        s[sev.capitalize() + "Count"] += 1
    return s


def _resource_summaries(b):
    for (rtype, rid), types in state.of(b).compliance.items():
        for ctype, rec in types.items():
            comp = [i["Severity"] for i in rec["items"] if i["Status"] == "COMPLIANT"]
            non = [i["Severity"] for i in rec["items"] if i["Status"] == "NON_COMPLIANT"]
            overall = min(non or comp or ["UNSPECIFIED"], key=SEVERITY_ORDER.index)
            yield {"ComplianceType": ctype, "ResourceType": rtype, "ResourceId": rid,
                   "Status": "NON_COMPLIANT" if non else "COMPLIANT", "OverallSeverity": overall,
                   "ExecutionSummary": rec["summary"],
                   "CompliantSummary": {"CompliantCount": len(comp), "SeveritySummary": _severity_summary(comp)},
                   "NonCompliantSummary": {"NonCompliantCount": len(non), "SeveritySummary": _severity_summary(non)}}


def _filtered(self, rows):
    for f in self._get_param("Filters") or []:
        rows = [r for r in rows if _match_filter(r.get(f["Key"]), f)]
    return rows


def r_list_resource_compliance_summaries(self):
    rows = _filtered(self, list(_resource_summaries(self.ssm_backend)))
    page, nxt = _page(self, rows, 50)
    return _result("ResourceComplianceSummaryItems", page, nxt)


def r_list_compliance_summaries(self):
    """"Returns a summary count of compliant and non-compliant resources for a compliance type."
    (API_ListComplianceSummaries)"""
    rows = _filtered(self, list(_resource_summaries(self.ssm_backend)))
    by_type = {}
    for r in rows:
        t = by_type.setdefault(r["ComplianceType"], {"c": [], "n": []})
        (t["n"] if r["Status"] == "NON_COMPLIANT" else t["c"]).append(r["OverallSeverity"])
    items = [{"ComplianceType": ct,
              "CompliantSummary": {"CompliantCount": len(v["c"]), "SeveritySummary": _severity_summary(v["c"])},
              "NonCompliantSummary": {"NonCompliantCount": len(v["n"]), "SeveritySummary": _severity_summary(v["n"])}}
             for ct, v in sorted(by_type.items())]
    page, nxt = _page(self, items, 50)
    return _result("ComplianceSummaryItems", page, nxt)


def r_describe_instance_patch_states(self):
    states = state.of(self.ssm_backend).patch_states
    ids = self._get_param("InstanceIds") or []
    out = [states[i] for i in ids if i in states]
    page, nxt = _page(self, out, 50)
    return _result("InstancePatchStates", page, nxt)


_COUNT_KEYS = ("InstalledCount", "InstalledOtherCount", "InstalledPendingRebootCount", "InstalledRejectedCount",
               "MissingCount", "FailedCount", "UnreportedNotApplicableCount", "NotApplicableCount")


def r_describe_instance_patch_states_for_patch_group(self):
    group = self._get_param("PatchGroup")
    out = [s for s in state.of(self.ssm_backend).patch_states.values() if s.get("PatchGroup") == group]
    for f in self._get_param("Filters") or []:
        # "Each filter has exactly one integer value" and Type Equal|NotEqual|LessThan|GreaterThan (aws-facts §5)
        if f["Key"] not in _COUNT_KEYS or len(f["Values"]) != 1:
            raise ValidationException(f"Invalid filter {f['Key']}")
        v = int(f["Values"][0])
        op = {"Equal": lambda a: a == v, "NotEqual": lambda a: a != v, "LessThan": lambda a: a < v,
              "GreaterThan": lambda a: a > v}[f["Type"]]
        out = [s for s in out if op(s.get(f["Key"], 0))]
    page, nxt = _page(self, out, 50)
    return _result("InstancePatchStates", page, nxt)


def _norm_state(v):
    return v.replace("_", "").lower()


def r_describe_instance_patches(self):
    iid = self._get_param("InstanceId")
    b = self.ssm_backend
    if not fleet.known_resource(b, iid):
        raise m.RESTError("InvalidInstanceId", f"Instance {iid} is not a managed node")
    out = list(state.of(b).instance_patches.get(iid, []))
    for f in self._get_param("Filters") or []:
        key, vals = f["Key"], f.get("Values") or []
        if key == "State":
            # Filter values are CamelCase (Installed, InstalledOther, ...) while PatchComplianceData.State
            # is the enum (INSTALLED, INSTALLED_OTHER, ...) — aws-facts §5.
            want = {_norm_state(v) for v in vals}
            out = [p for p in out if _norm_state(p["State"]) in want]
        elif key in ("Classification", "Severity", "KBId"):
            out = [p for p in out if any(fnmatch.fnmatchcase(p.get(key, ""), v) for v in vals)]
        else:
            raise ValidationException(f"Invalid filter key {key}: Classification | KBId | Severity | State")
    page, nxt = _page(self, out, 50)
    return _result("Patches", page, nxt)


def install(R):
    R.put_compliance_items = state.locked(r_put_compliance_items)
    R.list_compliance_items = state.locked(r_list_compliance_items)
    R.list_resource_compliance_summaries = state.locked(r_list_resource_compliance_summaries)
    R.list_compliance_summaries = state.locked(r_list_compliance_summaries)
    R.describe_instance_patch_states = state.locked(r_describe_instance_patch_states)
    R.describe_instance_patch_states_for_patch_group = state.locked(r_describe_instance_patch_states_for_patch_group)
    R.describe_instance_patches = state.locked(r_describe_instance_patches)
