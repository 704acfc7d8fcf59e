"""State Manager associations, which moto 5.2.5 does not keep the way AWS does: CreateAssociation,
DescribeAssociation (also older versions), UpdateAssociation (null-overwrite, versions, concurrency
check), DeleteAssociation, ListAssociations, ListAssociationVersions, the association quotas; an
association run triggered through the control API (the stand-in has no clock-driven scheduler) and
its record, read by DescribeAssociationExecutions and DescribeAssociationExecutionTargets.

Associations are the stand-in's records (``state``). Responses are returned as ``ActionResult`` so
moto serialises them from botocore's service model. Each behaviour cites the AWS rule it follows.
"""

import datetime
import re
import uuid

from moto.core.responses import ActionResult, EmptyResult
from moto.ssm import models as m
from moto.ssm.exceptions import ValidationException

from ssmpatch_standin import state
from ssmpatch_standin.sim import commands, fleet


def _now():
    return datetime.datetime.now(datetime.timezone.utc)


ASSOC_DOC = "https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_UpdateAssociation.html"
# Quotas (https://docs.aws.amazon.com/general/latest/gr/ssm.html, State Manager): "Maximum number of
# associations 2,000" (state.MAX_ASSOCIATIONS, the "associations" quota) and "Maximum number of versions
# per association 1,000".
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
        self.targeted = set()         # the nodes its targets resolved to when last evaluated (runs_on_change)

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


_ASSOC_KEYS = ("Name", "DocumentVersion", "Parameters", "Targets", "ScheduleExpression", "ScheduleOffset",
               "OutputLocation", "AssociationName", "MaxConcurrency", "MaxErrors", "ComplianceSeverity",
               "SyncCompliance", "ApplyOnlyAtCronInterval", "CalendarNames", "TargetLocations", "Duration",
               "AutomationTargetParameterName", "InstanceId", "TargetMaps", "AlarmConfiguration",
               "AssociationDispatchAssumeRole")


def r_create_association(self):
    p = {k: self._get_param(k) for k in _ASSOC_KEYS if self._get_param(k) is not None}
    _check_association(p)
    if len(state.of(self.ssm_backend).associations) >= state.controls.quotas["associations"]:
        raise m.RESTError("AssociationLimitExceeded", "You can have at most 2,000 active associations.")
    a = Association(p, self.current_account, self.region)
    state.of(self.ssm_backend).associations[a.id] = a
    tags = self._get_param("Tags") or []
    if tags:
        self.ssm_backend._resource_tags["Association"][a.id].update({t["Key"]: t["Value"] for t in tags})
    runs_on_change(self.ssm_backend, a, everywhere=True)
    return ActionResult({"AssociationDescription": a.description()})


def _get_assoc(self):
    aid = self._get_param("AssociationId")
    a = state.of(self.ssm_backend).associations.get(aid)
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
    runs_on_change(self.ssm_backend, a, everywhere=True)
    return ActionResult({"AssociationDescription": a.description()})


def r_delete_association(self):
    a = _get_assoc(self)
    del state.of(self.ssm_backend).associations[a.id]
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
    out = list(state.of(self.ssm_backend).associations.values())
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


# --- association runs ----------------------------------------------------------------------------

def _targeted(backend, a):
    p = a.params
    return set(fleet.resolve_targets(backend, [p["InstanceId"]] if p.get("InstanceId") else [], p.get("Targets") or []))


def runs_on_change(backend, a, everywhere=False):
    """The runs AWS starts outside the schedule. "By default, when you create a new association, the
    system runs it immediately after it is created and then according to the schedule you specified
    and when target changes are detected. Specify true for ApplyOnlyAtCronInterval if you want the
    association to run only according to the schedule you specified." (API_CreateAssociation,
    ApplyOnlyAtCronInterval); "When you update an association, the association immediately runs
    against the specified targets." (API_UpdateAssociation); new nodes that match a tag target are
    run "immediately" (systems-manager-state-manager-targets-and-rate-controls).
    ``everywhere``: created or updated (every target runs); otherwise only the nodes that newly
    became targets run. Runs synchronously, as one execution (AWS starts it asynchronously)."""
    now = _targeted(backend, a)
    new, a.targeted = now - a.targeted, now
    if a.params.get("ApplyOnlyAtCronInterval"):
        return None
    if everywhere and now:
        return run_association(backend, a.id)
    if new:
        return run_association(backend, a.id, only=sorted(new))
    return None


def _on_fleet_change(backend):
    for a in list(state.of(backend).associations.values()):
        runs_on_change(backend, a)


def _ms(t):
    """AWS timestamps carry milliseconds (and moto serialises them so)."""
    return t.replace(microsecond=t.microsecond // 1000 * 1000)


def resource_count_by_status(statuses):
    """AssociationExecution.ResourceCountByStatus is a string, "{Success=1}" in AWS's example
    (example_ssm_DescribeAssociationExecutions_section: "ResourceCountByStatus": "{Success=1}").
    AWS shows only one status; several are written like a Java map, sorted by status,
    "{Failed=1, Success=2}" — separator and order UNCONFIRMED. No targets → "{}" (UNCONFIRMED)."""
    counts = {}
    for st in statuses:
        counts[st] = counts.get(st, 0) + 1
    return "{" + ", ".join(f"{k}={v}" for k, v in sorted(counts.items())) + "}", counts


def run_association(backend, association_id, only=None, in_progress=False, exclude=()):
    """Apply an association now (as on schedule, or StartAssociationsOnce). The document runs with the
    association's parameters on its targets and output location, as one Run Command command, and the
    run is recorded as an association execution:
    - DescribeAssociationExecutions: "see the status, detailed status, results, last execution time"
      of each execution; DescribeAssociationExecutionTargets: "the resources, such as node IDs, where
      the association ran and the various association statuses ... With the resource ID you can then
      view the command execution details" (sysman-state-assoc-history);
    - each target: ResourceType "ManagedInstance", OutputSource {OutputSourceId: <command id>,
      OutputSourceType: "RunCommand"} (example_ssm_DescribeAssociationExecutionTargets_section), so
      ListCommandInvocations / GetCommandInvocation answer for that command id.
    AWS documents no field of the command itself that names the association (its Comment, Parameters
    and Targets are the association's); the stand-in keeps the link only internally
    (``state`` records' ``command_associations``), visible nowhere in the API. ``only``: the nodes to
    run on (nodes that newly became targets, ``runs_on_change``) instead of the targets.
    ``in_progress``: the execution is left running ("InProgress", nothing sent yet). ``exclude``: nodes
    left out of this run as if it had not targeted them (no invocation, no execution target); each must be
    a target of the run (ValueError otherwise)."""
    records = state.of(backend)
    a = records.associations.get(association_id)
    if a is None:
        raise m.RESTError("AssociationDoesNotExist", f"Association {association_id} does not exist")
    p = a.params
    if only is not None:
        instance_ids, targets = list(only), []
    else:
        instance_ids, targets = [p["InstanceId"]] if p.get("InstanceId") else [], p.get("Targets") or []
    exclude = list(exclude or ())
    if exclude:
        missing = sorted(set(exclude) - set(fleet.resolve_targets(backend, instance_ids, targets)))
        if missing:
            raise ValueError(f"exclude: {', '.join(missing)} not a target of association {a.id}")
    exec_id = str(uuid.uuid4())
    created = _ms(_now())
    if in_progress:
        rec = {"AssociationId": a.id, "AssociationVersion": str(a.version), "ExecutionId": exec_id,
               "Status": "InProgress", "DetailedStatus": "InProgress", "CreatedTime": created,
               "ResourceCountByStatus": "{}", "targets": []}
        a.executions.append(rec)
        return None, rec
    s3 = ((p.get("OutputLocation") or {}).get("S3Location") or {})
    cmd = commands.send(backend, p["Name"], instance_ids, targets, p.get("Parameters") or {},
                        output_bucket=s3.get("OutputS3BucketName", ""), output_prefix=s3.get("OutputS3KeyPrefix", ""),
                        max_concurrency=p.get("MaxConcurrency", "50"), max_errors=p.get("MaxErrors", "0"),
                        execution_id=exec_id, exclude=exclude, refuse_unknown=False)
    records.command_associations[cmd.command_id] = {"AssociationId": a.id, "ExecutionId": exec_id}
    version = str(a.version)
    targets = []
    for inv in cmd.invocations:
        plugins = records.command_plugins.get(cmd.command_id, {}).get(inv["InstanceId"]) or []
        done = max((pl["ResponseFinishDateTime"] for pl in plugins if "ResponseFinishDateTime" in pl), default=_now())
        targets.append({"AssociationId": a.id, "AssociationVersion": version, "ExecutionId": exec_id,
                        "ResourceId": inv["InstanceId"], "ResourceType": "ManagedInstance",
                        "Status": inv["Status"], "DetailedStatus": inv["StatusDetails"],
                        "LastExecutionDate": _ms(done),
                        "OutputSource": {"OutputSourceId": cmd.command_id, "OutputSourceType": "RunCommand"}})
    # The execution's Status is the command's ("Success" or "Failed": the command fails when a node fails).
    status = "Failed" if cmd.status != "Success" else "Success"
    count_text, counts = resource_count_by_status(t["Status"] for t in targets)
    last = max((t["LastExecutionDate"] for t in targets), default=created)
    rec = {"AssociationId": a.id, "AssociationVersion": version, "ExecutionId": exec_id, "Status": status,
           "DetailedStatus": status, "CreatedTime": created, "LastExecutionDate": last,
           "ResourceCountByStatus": count_text, "targets": targets}
    if p.get("AlarmConfiguration"):
        rec["AlarmConfiguration"] = p["AlarmConfiguration"]
    if not hasattr(a, "executions"):
        a.executions = []
    a.executions.append(rec)
    a.last_execution = last
    a.last_status = status
    a.last_counts = counts
    if status == "Success":
        a.last_success = last
    return cmd, rec


def _public(rec, keys):
    return {k: rec[k] for k in keys if k in rec}


# --- association executions -------------------------------------------------------------------

_EXEC_KEYS = ("AssociationId", "AssociationVersion", "ExecutionId", "Status", "DetailedStatus", "CreatedTime",
              "LastExecutionDate", "ResourceCountByStatus", "AlarmConfiguration")


def _strict_page(self, items):
    """MaxResults 1-50 (model; default 50 — AWS states no default) and NextToken. A token the
    stand-in did not hand out → InvalidNextToken ("The specified token isn't valid.", an error of both
    operations in the model)."""
    n = int(self._get_param("MaxResults") or 50)
    token = self._get_param("NextToken")
    start = 0
    if token is not None:
        if not str(token).isdigit() or int(token) > len(items):
            raise m.RESTError("InvalidNextToken", "The specified token isn't valid.")
        start = int(token)
    nxt = str(start + n) if start + n < len(items) else None
    return items[start:start + n], nxt


def _filter_time(value):
    """CreatedTime values: "Key=CreatedTime,Value=2019-02-18T16:00:00Z,Type=GREATER_THAN" in AWS's
    example (example_ssm_DescribeAssociationExecutions_section). Returns (time, precision) where the
    precision is what the value states: seconds, or milliseconds/microseconds with a fraction."""
    v = str(value).strip()
    try:
        t = datetime.datetime.fromisoformat(v.replace("Z", "+00:00"))
    except ValueError:
        raise m.RESTError("ValidationException", f"CreatedTime filter value {value!r} is not a date and time "
                                                 "(e.g. 2019-02-18T16:00:00Z)")
    if t.tzinfo is None:
        t = t.replace(tzinfo=datetime.timezone.utc)
    frac = v.split(".", 1)[1] if "." in v else ""
    digits = len(frac.rstrip("Z").split("+")[0].split("-")[0])
    return t, ("s" if digits == 0 else "ms" if digits <= 3 else "us")


def _truncate(t, precision):
    if precision == "s":
        return t.replace(microsecond=0)
    if precision == "ms":
        return _ms(t)
    return t


# Filters (API_DescribeAssociationExecutions): "ExecutionId (EQUAL) Status (EQUAL) CreatedTime (EQUAL,
# GREATER_THAN, LESS_THAN)". Another Type for a key is answered with ValidationException (the model lists
# no filter error for the operation; code UNCONFIRMED). Several filters must all match (UNCONFIRMED).
_EXEC_FILTER_TYPES = {"ExecutionId": ("EQUAL",), "Status": ("EQUAL",), "CreatedTime": ("EQUAL", "GREATER_THAN",
                                                                                        "LESS_THAN")}


def r_describe_association_executions(self):
    """DescribeAssociationExecutions: "Views all executions for a specific association ID." Unknown
    association → AssociationDoesNotExist (model errors). Order: the API reference states none; AWS's
    CLI example lists the newer execution first (CreatedTime 1550505827.119 before 1550505536.843,
    example_ssm_DescribeAssociationExecutions_section), so the stand-in answers newest first."""
    a = _get_assoc(self)
    out = list(reversed(getattr(a, "executions", [])))
    for f in self._get_param("Filters") or []:
        key, value, typ = f.get("Key"), f.get("Value"), f.get("Type")
        if typ not in _EXEC_FILTER_TYPES.get(key, ()):
            raise m.RESTError("ValidationException", f"Filter {key} supports Type "
                                                     f"{' | '.join(_EXEC_FILTER_TYPES.get(key, ()))}, not {typ}")
        if key == "ExecutionId":
            out = [r for r in out if r["ExecutionId"] == value]
        elif key == "Status":
            out = [r for r in out if r["Status"] == value]
        else:
            # "specify an exact date and time, and use a GREATER_THAN filter to view executions processed
            # after the specified date and time" (sysman-state-assoc-history). EQUAL compares at the
            # precision the value gives (seconds unless it has a fraction) — UNCONFIRMED.
            t, precision = _filter_time(value)
            if typ == "EQUAL":
                out = [r for r in out if _truncate(r["CreatedTime"], precision) == t]
            elif typ == "GREATER_THAN":
                out = [r for r in out if r["CreatedTime"] > t]
            else:
                out = [r for r in out if r["CreatedTime"] < t]
    page, nxt = _strict_page(self, [_public(r, _EXEC_KEYS) for r in out])
    res = {"AssociationExecutions": page}
    if nxt:
        res["NextToken"] = nxt
    return ActionResult(res)


def r_describe_association_execution_targets(self):
    """DescribeAssociationExecutionTargets: "Views information about a specific execution of a specific
    association." Unknown association → AssociationDoesNotExist; unknown execution (of that association)
    → AssociationExecutionDoesNotExist ("The specified execution ID doesn't exist. Verify the ID number
    and try again." — model errors). Filters "Status (EQUAL) ResourceId (EQUAL) ResourceType (EQUAL)";
    several must all match (UNCONFIRMED). Targets in the order the run resolved them (AWS states none)."""
    a = _get_assoc(self)
    eid = self._get_param("ExecutionId")
    rec = next((r for r in getattr(a, "executions", []) if r["ExecutionId"] == eid), None)
    if rec is None:
        raise m.RESTError("AssociationExecutionDoesNotExist",
                          "The specified execution ID doesn't exist. Verify the ID number and try again.")
    out = list(rec["targets"])
    for f in self._get_param("Filters") or []:
        key, value = f.get("Key"), f.get("Value")
        out = [t for t in out if t.get(key) == value]
    page, nxt = _strict_page(self, [dict(t, OutputSource=dict(t["OutputSource"])) for t in out])
    res = {"AssociationExecutionTargets": page}
    if nxt:
        res["NextToken"] = nxt
    return ActionResult(res)


def install(R):
    state.fleet_listeners.append(_on_fleet_change)
    R.create_association = state.locked(r_create_association)
    R.describe_association = state.locked(r_describe_association)
    R.update_association = state.locked(r_update_association)
    R.delete_association = state.locked(r_delete_association)
    R.list_associations = state.locked(r_list_associations)
    R.list_association_versions = state.locked(r_list_association_versions)
    R.describe_association_executions = state.locked(r_describe_association_executions)
    R.describe_association_execution_targets = state.locked(r_describe_association_execution_targets)
