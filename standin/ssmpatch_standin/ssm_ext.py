"""What moto 5.2.5's SSM backend lacks or gets wrong, added on moto's own classes.

Responses are returned as ``ActionResult`` so moto serialises them from botocore's service model,
exactly like its built-in operations. Each behaviour cites the AWS rule it follows.
"""

import datetime
import json
import random
import re
import uuid

from moto.core.responses import ActionResult, EmptyResult
from moto.ssm import models as m
from moto.ssm.exceptions import DoesNotExistException, ValidationException
from moto.ssm.responses import SimpleSystemManagerResponse as R

_installed = False

MW_DOC = "https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_UpdateMaintenanceWindow.html"


def _now():
    return datetime.datetime.now(datetime.timezone.utc)


def _check_window(duration, cutoff, schedule, offset):
    # CreateMaintenanceWindow: Duration 1-24, Cutoff 0-23 (API reference, request parameters).
    if duration is not None and not 1 <= int(duration) <= 24:
        raise ValidationException("Duration must be between 1 and 24 hours")
    if cutoff is not None and not 0 <= int(cutoff) <= 23:
        raise ValidationException("Cutoff must be between 0 and 23 hours")
    # "The number of days to wait after the date and time specified by a cron expression before
    # running the maintenance window." — ScheduleOffset 1-6, cron expressions only
    # (API_CreateMaintenanceWindow, ScheduleOffset).
    if offset is not None:
        if not 1 <= int(offset) <= 6:
            raise ValidationException("ScheduleOffset must be between 1 and 6")
        if schedule is not None and not schedule.startswith("cron("):
            raise ValidationException("ScheduleOffset can only be used with cron expressions")


# --- Maintenance windows ----------------------------------------------------------------------

def _window_json(self):
    d = _orig_window_to_json(self)
    d["AllowUnassociatedTargets"] = getattr(self, "allow_unassociated_targets", False)
    d["Enabled"] = getattr(self, "enabled", True)
    for k in ("ScheduleOffset", "StartDate", "EndDate", "Description", "ScheduleTimezone"):
        if d.get(k) is None:
            d.pop(k, None)
    d["CreatedDate"] = getattr(self, "created", _now())
    d["ModifiedDate"] = getattr(self, "modified", d["CreatedDate"])
    return d


def r_create_maintenance_window(self):
    _check_window(self._get_param("Duration"), self._get_param("Cutoff"), self._get_param("Schedule"),
                  self._get_param("ScheduleOffset"))
    result = _orig_r_create_window(self)
    window_id = result.result["WindowId"]
    w = self.ssm_backend.windows[window_id]
    w.allow_unassociated_targets = bool(self._get_param("AllowUnassociatedTargets", False))
    w.enabled = True
    w.created = w.modified = _now()
    return result


def r_update_maintenance_window(self):
    """UpdateMaintenanceWindow: fields given are changed; with Replace=true, optional fields not
    given are reset (API_UpdateMaintenanceWindow: "If you specify true for the Replace parameter,
    optional fields that you don't specify are set to null")."""
    w = self.ssm_backend.get_maintenance_window(self._get_param("WindowId"))
    replace = bool(self._get_param("Replace", False))
    fields = {
        "Name": "name", "Description": "description", "StartDate": "start_date", "EndDate": "end_date",
        "Schedule": "schedule", "ScheduleTimezone": "schedule_timezone", "ScheduleOffset": "schedule_offset",
        "Duration": "duration", "Cutoff": "cutoff", "AllowUnassociatedTargets": "allow_unassociated_targets",
        "Enabled": "enabled",
    }
    required = {"Name", "Schedule", "Duration", "Cutoff", "AllowUnassociatedTargets"}
    if replace:
        missing = [k for k in required if self._get_param(k) is None]
        if missing:
            raise ValidationException(f"Replace=true requires {', '.join(sorted(missing))}")
    new = {k: self._get_param(k) for k in fields}
    schedule = new["Schedule"] if new["Schedule"] is not None else w.schedule
    offset = new["ScheduleOffset"] if new["ScheduleOffset"] is not None else (None if replace else w.schedule_offset)
    _check_window(new["Duration"], new["Cutoff"], schedule, offset)
    for k, attr in fields.items():
        if new[k] is not None:
            setattr(w, attr, new[k])
        elif replace and k not in required and k != "Enabled":
            setattr(w, attr, None)
    w.modified = _now()
    d = w.to_json()
    out = {k: d[k] for k in ("WindowId", "Name", "Description", "StartDate", "EndDate", "Schedule",
                             "ScheduleTimezone", "ScheduleOffset", "Duration", "Cutoff",
                             "AllowUnassociatedTargets", "Enabled") if k in d}
    return ActionResult(out)


def r_get_maintenance_window_task(self):
    w = self.ssm_backend.get_maintenance_window(self._get_param("WindowId"))
    task_id = self._get_param("WindowTaskId")
    if task_id not in w.tasks:
        raise DoesNotExistException(task_id)
    d = w.tasks[task_id].to_json()
    d = {k: v for k, v in d.items() if v is not None and k != "TaskParameters"}
    return ActionResult(d)


def r_update_maintenance_window_task(self):
    """UpdateMaintenanceWindowTask, with the same Replace semantics as the window."""
    w = self.ssm_backend.get_maintenance_window(self._get_param("WindowId"))
    task_id = self._get_param("WindowTaskId")
    if task_id not in w.tasks:
        raise DoesNotExistException(task_id)
    t = w.tasks[task_id]
    replace = bool(self._get_param("Replace", False))
    fields = {
        "Targets": "targets", "TaskArn": "task_arn", "ServiceRoleArn": "service_role_arn",
        "TaskInvocationParameters": "task_invocation_parameters", "Priority": "priority",
        "MaxConcurrency": "max_concurrency", "MaxErrors": "max_errors", "LoggingInfo": "logging_info",
        "Name": "name", "Description": "description", "CutoffBehavior": "cutoff_behavior",
        "AlarmConfiguration": "alarm_configurations",
    }
    for k, attr in fields.items():
        v = self._get_param(k)
        if v is not None:
            setattr(t, attr, v)
        elif replace and k not in ("TaskArn", "Targets"):
            setattr(t, attr, None)
    d = {k: v for k, v in t.to_json().items() if v is not None and k != "TaskParameters"}
    return ActionResult(d)


# --- Patch baselines --------------------------------------------------------------------------

def _baseline_full(backend, b):
    d = {k: v for k, v in b.to_json().items() if v is not None}
    d["Name"] = d.pop("BaselineName", b.name)
    d.pop("DefaultBaseline", None)
    if "BaselineDescription" in d:
        d["Description"] = d.pop("BaselineDescription")
    d["PatchGroups"] = sorted(g for g, pg in backend.patch_groups.items() if pg.associations.get(b.operating_system) == b.id)
    d["CreatedDate"] = getattr(b, "created", _now())
    d["ModifiedDate"] = getattr(b, "modified", d["CreatedDate"])
    return d


def r_get_patch_baseline(self):
    bid = self._get_param("BaselineId")
    b = self.ssm_backend.baselines.get(bid)
    if b is None:
        raise DoesNotExistException(bid)
    return ActionResult(_baseline_full(self.ssm_backend, b))


def r_update_patch_baseline(self):
    """UpdatePatchBaseline: "If you specify true for the Replace parameter, optional fields that
    you don't specify are set to null." (API_UpdatePatchBaseline)."""
    bid = self._get_param("BaselineId")
    b = self.ssm_backend.baselines.get(bid)
    if b is None:
        raise DoesNotExistException(bid)
    replace = bool(self._get_param("Replace", False))
    fields = {
        "Name": "name", "GlobalFilters": "global_filters", "ApprovalRules": "approval_rules",
        "ApprovedPatches": "approved_patches", "ApprovedPatchesComplianceLevel": "approved_patches_compliance_level",
        "ApprovedPatchesEnableNonSecurity": "approved_patches_enable_non_security",
        "RejectedPatches": "rejected_patches", "RejectedPatchesAction": "rejected_patches_action",
        "Description": "description", "Sources": "sources",
    }
    for k, attr in fields.items():
        v = self._get_param(k)
        if v is not None:
            setattr(b, attr, v)
        elif replace and k != "Name":
            setattr(b, attr, None)
    b.modified = _now()
    d = _baseline_full(self.ssm_backend, b)
    d.pop("PatchGroups", None)
    return ActionResult(d)


def r_describe_patch_baselines(self):
    """Filters: NAME_PREFIX is a prefix; OWNER is `Self` (custom) or `AWS`
    (API_DescribePatchBaselines: "NAME_PREFIX ... OWNER ... Sample values: AWS | Self")."""
    filters = self._get_param("Filters") or []
    out = list(self.ssm_backend.baselines.values())
    for f in filters:
        vals = f.get("Values", [])
        if f["Key"] == "NAME_PREFIX":
            out = [b for b in out if any(b.name.startswith(v) for v in vals)]
        elif f["Key"] == "OWNER":
            # Every baseline created through the API is owned by the account ("Self").
            out = [b for b in out if "Self" in vals]
        elif f["Key"] == "OPERATING_SYSTEM":
            out = [b for b in out if b.operating_system in vals]
    ids = [{"BaselineId": b.id, "BaselineName": b.name, "OperatingSystem": b.operating_system,
            "BaselineDescription": b.description or "", "DefaultBaseline": False} for b in out]
    return ActionResult({"BaselineIdentities": ids})


def b_deregister_patch_baseline_for_patch_group(self, baseline_id, patch_group):
    """Deregistering restores the AWS default baseline for that OS in the group (patch groups:
    "With no patch group tag ... the default baseline for the OS is used")."""
    if baseline_id not in self.baselines:
        raise DoesNotExistException(baseline_id)
    os_ = self.baselines[baseline_id].operating_system
    pg = self.patch_groups.get(patch_group)
    if pg is not None and pg.associations.get(os_) == baseline_id:
        default = m.FakePatchGroup("default", self.region_name).default_associations.get(os_)
        if default is None:
            pg.associations.pop(os_, None)
        else:
            pg.associations[os_] = default
    return baseline_id, patch_group


def b_register_patch_baseline_for_patch_group(self, baseline_id, patch_group):
    """"A patch group can be registered with only one patch baseline for each operating system
    type." (patch-manager-patch-groups) → AlreadyExistsException for another custom baseline."""
    if baseline_id not in self.baselines:
        raise DoesNotExistException(baseline_id)
    os_ = self.baselines[baseline_id].operating_system
    pg = self.patch_groups.get(patch_group)
    if pg is None:
        pg = m.FakePatchGroup(patch_group, self.region_name)
        pg.default_associations = dict(pg.default_associations)
        pg.associations = dict(pg.default_associations)
        self.patch_groups[patch_group] = pg
    current = pg.associations.get(os_)
    if current in self.baselines and current != baseline_id:
        raise m.AlreadyExistsException(os_)
    pg.associations[os_] = baseline_id
    return baseline_id, patch_group


def r_delete_patch_baseline(self):
    """DeletePatchBaseline of a baseline still registered for a patch group fails with
    ResourceInUseException (API_DeletePatchBaseline errors)."""
    bid = self._get_param("BaselineId")
    b = self.ssm_backend.baselines.get(bid)
    if b is None:
        return ActionResult({"BaselineId": bid})
    for g, pg in self.ssm_backend.patch_groups.items():
        if pg.associations.get(b.operating_system) == bid:
            raise m.RESTError("ResourceInUseException", f"Baseline {bid} is registered for patch group {g}")
    del self.ssm_backend.baselines[bid]
    return ActionResult({"BaselineId": bid})


# --- State Manager associations ----------------------------------------------------------------

ASSOC_DOC = "https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_UpdateAssociation.html"
# Quotas (https://docs.aws.amazon.com/general/latest/gr/ssm.html, State Manager): "Maximum number of
# associations 2,000" and "Maximum number of versions per association 1,000".
MAX_ASSOCIATIONS = 2000
MAX_ASSOCIATION_VERSIONS = 1000

_DESC_KEYS = ("AssociationName", "DocumentVersion", "Parameters", "Targets", "ScheduleExpression",
              "ScheduleOffset", "OutputLocation", "MaxConcurrency", "MaxErrors", "ComplianceSeverity",
              "SyncCompliance", "CalendarNames", "TargetLocations", "Duration", "AutomationTargetParameterName",
              "TargetMaps", "AlarmConfiguration", "AssociationDispatchAssumeRole", "InstanceId")


class Association:
    def __init__(self, params, account, region):
        self.id = str(uuid.uuid4())
        self.version = 1
        self.created = self.modified = _now()
        self.params = params
        self.account = account
        self.region = region
        self.last_execution = None
        self.last_success = None      # LastSuccessfulExecutionDate
        self.last_status = None       # Overview of the last run: "Success" | "Failed"
        self.last_counts = {}         # Overview.AssociationStatusAggregatedCount of the last run
        self.executions = []          # association executions, oldest first (executions.run_association)
        self.versions = [self.version_info()]

    def description(self):
        p = self.params
        d = {
            "AssociationId": self.id,
            "AssociationVersion": str(self.version),
            "Name": p["Name"],
            "Date": self.created,
            "LastUpdateAssociationDate": self.modified,
            "Overview": {"Status": "Pending", "DetailedStatus": "Creating"},
            "ApplyOnlyAtCronInterval": bool(p.get("ApplyOnlyAtCronInterval", False)),
        }
        if self.last_execution is not None:
            # AssociationOverview: "Status can be: Pending, Success, or Failed";
            # AssociationStatusAggregatedCount: "if you created an association with two managed nodes,
            # and one of them was successful, this would return the count of managed nodes by status"
            # (API_AssociationOverview). Both come from the last run.
            d["LastExecutionDate"] = self.last_execution
            status = self.last_status or "Success"
            d["Overview"] = {"Status": status, "DetailedStatus": status,
                             "AssociationStatusAggregatedCount": dict(self.last_counts)}
        if self.last_success is not None:
            # LastSuccessfulExecutionDate: "The last date on which the association was successfully run."
            d["LastSuccessfulExecutionDate"] = self.last_success
        for k in _DESC_KEYS:
            if p.get(k) is not None:
                d[k] = p[k]
        return d

    def version_info(self):
        d = {"AssociationId": self.id, "AssociationVersion": str(self.version), "CreatedDate": self.modified,
             "Name": self.params["Name"],
             "ApplyOnlyAtCronInterval": bool(self.params.get("ApplyOnlyAtCronInterval", False))}
        for k in _DESC_KEYS:
            if k != "InstanceId" and self.params.get(k) is not None:
                d[k] = self.params[k]
        d.pop("AlarmConfiguration", None)
        d.pop("AutomationTargetParameterName", None)
        return d

    def summary(self):
        d = self.description()
        return {k: d[k] for k in ("Name", "InstanceId", "AssociationId", "AssociationVersion", "DocumentVersion",
                                  "Targets", "LastExecutionDate", "Overview", "ScheduleExpression",
                                  "AssociationName", "ScheduleOffset", "Duration", "TargetMaps") if k in d}


_CRON = re.compile(r"^cron\(")


def _check_association(p):
    # ScheduleOffset (API_CreateAssociation): "Number of days to wait after the scheduled day to run
    # an association" — min 1, max 6 in the model; "To use offsets, you must specify the
    # ApplyOnlyAtCronInterval parameter"; offsets are for cron expressions only
    # (https://docs.aws.amazon.com/systems-manager/latest/userguide/reference-cron-and-rate-expressions.html:
    # "Associations and maintenance windows support schedule offsets for cron expressions only").
    off = p.get("ScheduleOffset")
    if off is not None:
        if not 1 <= int(off) <= 6:
            raise ValidationException("ScheduleOffset must be between 1 and 6")
        if not _CRON.match(p.get("ScheduleExpression") or ""):
            raise m.RESTError("InvalidSchedule", "ScheduleOffset is supported for cron expressions only")
        if not p.get("ApplyOnlyAtCronInterval"):
            raise ValidationException("ScheduleOffset requires ApplyOnlyAtCronInterval to be true")
    # Duration (API_CreateAssociation / API_UpdateAssociation): "The number of hours the association can
    # run before it is canceled" — min 1, max 24 in the model (ValidationException, like the model check
    # of the middleware, also when reject_invalid is off). "The Duration parameter applies only when both
    # these conditions are true: The association ... is cancelable according to the parameters of the SSM
    # command document ... [and] The command specifies the ApplyOnlyAtCronInterval parameter". The
    # reference says when Duration *applies*, not that a request without ApplyOnlyAtCronInterval=true (or
    # with a rate expression) is rejected: UNCONFIRMED — the stand-in accepts and stores such a Duration
    # (DescribeAssociation, ListAssociations and ListAssociationVersions return it). Commands complete at
    # once here, so a Duration never cancels anything.
    dur = p.get("Duration")
    if dur is not None and not 1 <= int(dur) <= 24:
        raise ValidationException("Duration must be between 1 and 24 hours")
    # ApplyOnlyAtCronInterval: "This parameter isn't supported for rate expressions." (API_CreateAssociation)
    if p.get("ApplyOnlyAtCronInterval") and (p.get("ScheduleExpression") or "").startswith("rate("):
        raise m.RESTError("InvalidSchedule", "ApplyOnlyAtCronInterval is not supported for rate expressions")
    # InstanceId (API_CreateAssociation): "if you use the parameter InstanceId, you can't use the
    # parameters AssociationName, DocumentVersion, MaxErrors, MaxConcurrency, OutputLocation, or
    # ScheduleExpression. To use these parameters, you must use the Targets parameter."
    if p.get("InstanceId"):
        bad = [k for k in ("AssociationName", "DocumentVersion", "MaxErrors", "MaxConcurrency", "OutputLocation",
                           "ScheduleExpression", "Targets") if p.get(k) is not None]
        if bad:
            raise m.RESTError("InvalidParameters", f"InstanceId can't be used with {', '.join(bad)}; use Targets")


def _assocs(backend):
    if not hasattr(backend, "_ssmpatch_associations"):
        backend._ssmpatch_associations = {}
    return backend._ssmpatch_associations


_ASSOC_KEYS = ("Name", "DocumentVersion", "Parameters", "Targets", "ScheduleExpression", "ScheduleOffset",
               "OutputLocation", "AssociationName", "MaxConcurrency", "MaxErrors", "ComplianceSeverity",
               "SyncCompliance", "ApplyOnlyAtCronInterval", "CalendarNames", "TargetLocations", "Duration",
               "AutomationTargetParameterName", "InstanceId", "TargetMaps", "AlarmConfiguration",
               "AssociationDispatchAssumeRole")


def r_create_association(self):
    p = {k: self._get_param(k) for k in _ASSOC_KEYS if self._get_param(k) is not None}
    _check_association(p)
    if len(_assocs(self.ssm_backend)) >= QUOTAS["associations"]:
        raise m.RESTError("AssociationLimitExceeded", "You can have at most 2,000 active associations.")
    a = Association(p, self.current_account, self.region)
    _assocs(self.ssm_backend)[a.id] = a
    tags = self._get_param("Tags") or []
    if tags:
        self.ssm_backend._resource_tags["Association"][a.id].update({t["Key"]: t["Value"] for t in tags})
    return ActionResult({"AssociationDescription": a.description()})


def _get_assoc(self):
    aid = self._get_param("AssociationId")
    a = _assocs(self.ssm_backend).get(aid)
    if a is None:
        raise m.RESTError("AssociationDoesNotExist", f"Association {aid} does not exist")
    return a


def r_describe_association(self):
    a = _get_assoc(self)
    want = self._get_param("AssociationVersion")
    if want and want != "$LATEST" and want != str(a.version):
        for v in a.versions:
            if v["AssociationVersion"] == want:
                d = a.description()
                d.update(v)
                d.pop("CreatedDate", None)
                return ActionResult({"AssociationDescription": d})
        raise m.RESTError("InvalidAssociationVersion", f"Association version {want} does not exist")
    return ActionResult({"AssociationDescription": a.description()})


def r_update_association(self):
    """UpdateAssociation replaces the association's definition: "When you call UpdateAssociation,
    the system removes all optional parameters from the request and overwrites the association
    with null values for those parameters. This is by design. You must specify all optional
    parameters in the call, even if you are not changing the parameters." (API_UpdateAssociation).
    Each update creates a new association version (ListAssociationVersions)."""
    a = _get_assoc(self)
    # AssociationVersion: "This parameter is provided for concurrency control purposes. You must
    # specify the latest association version in the service. If you want to ensure that this
    # request succeeds, either specify $LATEST, or omit this parameter." (API_UpdateAssociation)
    want = self._get_param("AssociationVersion")
    if want and want != "$LATEST" and want != str(a.version):
        raise m.RESTError("InvalidAssociationVersion",
                          f"Association version {want} is not the latest version {a.version}")
    p = {k: self._get_param(k) for k in _ASSOC_KEYS if self._get_param(k) is not None}
    p.setdefault("Name", a.params["Name"])
    if a.params.get("InstanceId"):
        p.setdefault("InstanceId", a.params["InstanceId"])
    _check_association(p)
    if a.version >= MAX_ASSOCIATION_VERSIONS:
        raise m.RESTError("AssociationVersionLimitExceeded",
                          "You have reached the maximum number versions allowed for an association.")
    a.params = p
    a.version += 1
    a.modified = _now()
    a.versions.append(a.version_info())
    return ActionResult({"AssociationDescription": a.description()})


def r_delete_association(self):
    a = _get_assoc(self)
    del _assocs(self.ssm_backend)[a.id]
    self.ssm_backend._resource_tags["Association"].pop(a.id, None)
    return EmptyResult()


def _page(self, items, default=50, max_results_param="MaxResults"):
    """Token pagination as AWS does it: MaxResults per page, NextToken to continue."""
    n = self._get_param(max_results_param) or default
    start = int(self._get_param("NextToken") or self._get_param("StartingToken") or 0)
    page = items[start:start + int(n)]
    nxt = str(start + int(n)) if start + int(n) < len(items) else None
    return page, nxt


def r_list_associations(self):
    """ListAssociations: MaxResults 1-50 (model); filters by key (AssociationFilterKey enum)."""
    out = list(_assocs(self.ssm_backend).values())
    for f in self._get_param("AssociationFilterList") or []:
        key, value = f["key"], f["value"]
        if key == "AssociationName":
            out = [a for a in out if a.params.get("AssociationName") == value]
        elif key == "Name":
            out = [a for a in out if a.params.get("Name") == value]
        elif key == "AssociationId":
            out = [a for a in out if a.id == value]
        elif key == "InstanceId":
            out = [a for a in out if a.params.get("InstanceId") == value or any(
                t.get("Key") == "InstanceIds" and value in t.get("Values", []) for t in a.params.get("Targets") or [])]
        else:
            raise ValidationException(f"The stand-in does not simulate the association filter {key}")
    page, nxt = _page(self, [a.summary() for a in out])
    res = {"Associations": page}
    if nxt:
        res["NextToken"] = nxt
    return ActionResult(res)


def r_list_association_versions(self):
    a = _get_assoc(self)
    page, nxt = _page(self, list(a.versions))
    res = {"AssociationVersions": page}
    if nxt:
        res["NextToken"] = nxt
    return ActionResult(res)


def _validate_resource(self, resource_type, resource_id):
    if resource_type == "Association":
        if resource_id not in _assocs(self):
            raise m.InvalidResourceId()
        return resource_id
    if resource_type == "PatchBaseline":
        # Baselines are taggable (AddTagsToResource ResourceType PatchBaseline); moto 5.2.5
        # rejects every baseline id here.
        if resource_id not in self.baselines:
            raise m.InvalidResourceId()
        return resource_id
    if resource_type == "ManagedInstance":
        # Managed nodes of the simulated fleet; their tags are the node's tags (fleet.register).
        from ssmpatch_standin import fleet
        if resource_id not in fleet.nodes(self):
            raise m.InvalidResourceId()
        return resource_id
    return _orig_validate(self, resource_type, resource_id)


# --- quotas -----------------------------------------------------------------------------------
# "AWS Systems Manager endpoints and quotas" (https://docs.aws.amazon.com/general/latest/gr/ssm.html),
# default per account per Region: Maintenance windows 50, Tasks per maintenance window 20, Targets per
# maintenance window 100, Patch baselines 50 (aws-facts §7). Quotas can be raised on AWS; the control
# API can change these (POST /_ssmpatch/settings {"quotas": {...}}).
DEFAULT_QUOTAS = {"maintenance_windows": 50, "tasks_per_window": 20, "targets_per_window": 100,
                  "patch_baselines": 50, "associations": MAX_ASSOCIATIONS}
QUOTAS = dict(DEFAULT_QUOTAS)


def _limit(what, n, quota_key):
    if n >= QUOTAS[quota_key]:
        raise m.RESTError("ResourceLimitExceededException",
                          f"{what}: the quota of {QUOTAS[quota_key]} is reached (Service Quotas default)")


def _with_quota(orig, count, what, key):
    def wrapped(self):
        _limit(what, count(self), key)
        return orig(self)
    wrapped.__name__ = orig.__name__
    return wrapped


def install():
    """Patch moto's SSM classes once."""
    global _installed, _orig_window_to_json, _orig_r_create_window, _orig_validate
    if _installed:
        return
    _installed = True
    _orig_window_to_json = m.FakeMaintenanceWindow.to_json
    m.FakeMaintenanceWindow.to_json = _window_json
    _orig_r_create_window = R.create_maintenance_window
    R.create_maintenance_window = r_create_maintenance_window
    R.update_maintenance_window = r_update_maintenance_window
    R.get_maintenance_window_task = r_get_maintenance_window_task
    R.update_maintenance_window_task = r_update_maintenance_window_task
    R.get_patch_baseline = r_get_patch_baseline
    R.update_patch_baseline = r_update_patch_baseline
    R.describe_patch_baselines = r_describe_patch_baselines
    R.delete_patch_baseline = r_delete_patch_baseline
    m.SimpleSystemManagerBackend.deregister_patch_baseline_for_patch_group = b_deregister_patch_baseline_for_patch_group
    m.SimpleSystemManagerBackend.register_patch_baseline_for_patch_group = b_register_patch_baseline_for_patch_group
    R.create_association = r_create_association
    R.describe_association = r_describe_association
    R.update_association = r_update_association
    R.delete_association = r_delete_association
    R.list_associations = r_list_associations
    R.list_association_versions = r_list_association_versions
    from ssmpatch_standin import compliance, executions, fleet
    compliance.install(R)
    fleet.install(R)
    executions.install(R)
    _orig_validate = m.SimpleSystemManagerBackend._validate_resource_type_and_id
    m.SimpleSystemManagerBackend._validate_resource_type_and_id = _validate_resource
    R.create_maintenance_window = _with_quota(R.create_maintenance_window, lambda r: len(r.ssm_backend.windows),
                                              "Maintenance windows", "maintenance_windows")
    R.register_task_with_maintenance_window = _with_quota(
        R.register_task_with_maintenance_window,
        lambda r: len(r.ssm_backend.get_maintenance_window(r._get_param("WindowId")).tasks),
        "Tasks per maintenance window", "tasks_per_window")
    R.register_target_with_maintenance_window = _with_quota(
        R.register_target_with_maintenance_window,
        lambda r: len(r.ssm_backend.get_maintenance_window(r._get_param("WindowId")).targets),
        "Targets per maintenance window", "targets_per_window")
    R.create_patch_baseline = _with_quota(R.create_patch_baseline, lambda r: len(r.ssm_backend.baselines),
                                          "Patch baselines", "patch_baselines")
