"""Maintenance-window executions and association runs, triggered through the control API
(the stand-in has no clock-driven scheduler), plus the read APIs moto 5.2.5 lacks:
DescribeMaintenanceWindowExecutions, GetMaintenanceWindowExecution,
DescribeMaintenanceWindowExecutionTasks, GetMaintenanceWindowExecutionTask,
DescribeMaintenanceWindowExecutionTaskInvocations, DescribeAssociationExecutions,
DescribeAssociationExecutionTargets.
"""

import datetime
import json
import uuid

from moto.core.responses import ActionResult
from moto.ssm import models as m

from ssmpatch_standin import fleet


def _now():
    return datetime.datetime.now(datetime.timezone.utc)


def _execs(backend):
    if not hasattr(backend, "_ssmpatch_window_execs"):
        backend._ssmpatch_window_execs = {}   # execution id -> dict
    return backend._ssmpatch_window_execs


def _window_targets(window, task):
    """Task Targets "Key=WindowTargetIds,Values=<ids>" resolve to the window's registered targets;
    other keys (InstanceIds, tag:) are used as they are."""
    ids, targets = [], []
    for t in task.targets or []:
        if t["Key"] == "WindowTargetIds":
            for wt_id in t["Values"]:
                wt = window.targets.get(wt_id)
                if wt is not None:
                    targets += wt.targets
        else:
            targets.append(t)
    return ids, targets


def execute_window(backend, window_id):
    """Run a window now, as its schedule would. Tasks run in Priority order ("the lower the number
    the higher the priority", RegisterTaskWithMaintenanceWindow). For RUN_COMMAND tasks the window
    supplies AWS-RunPatchBaseline's SnapshotId ("Inside an MW: Don't supply a Snapshot ID. Patch
    Manager will supply it for you." — patch-manager-aws-runpatchbaseline)."""
    w = backend.get_maintenance_window(window_id)
    if getattr(w, "enabled", True) is False:
        raise m.RESTError("ValidationException", f"Maintenance window {window_id} is disabled")
    exec_id = str(uuid.uuid4())
    start = _now()
    tasks = sorted(w.tasks.values(), key=lambda t: (t.priority if t.priority is not None else 0))
    rec = {"WindowId": window_id, "WindowExecutionId": exec_id, "StartTime": start, "tasks": []}
    failed = False
    for t in tasks:
        task_exec = str(uuid.uuid4())
        tstart = _now()
        trec = {"TaskExecutionId": task_exec, "TaskArn": t.task_arn, "TaskType": t.task_type, "Priority": t.priority,
                "MaxConcurrency": t.max_concurrency, "MaxErrors": t.max_errors,
                "ServiceRole": t.service_role_arn or "", "StartTime": tstart, "invocations": []}
        if t.task_type != "RUN_COMMAND":
            trec.update(Status="SUCCESS", StatusDetails="Task type not simulated; nothing run", EndTime=_now())
            rec["tasks"].append(trec)
            continue
        rc = (t.task_invocation_parameters or {}).get("RunCommand") or {}
        params = dict(rc.get("Parameters") or {})
        if not params and t.task_parameters:
            params = {k: v.get("Values", []) for k, v in t.task_parameters.items()}
        if t.task_arn == "AWS-RunPatchBaseline" and not (params.get("SnapshotId") or [""])[0]:
            params["SnapshotId"] = [exec_id]
        ids, targets = _window_targets(w, t)
        cmd = fleet.send(backend, t.task_arn, ids, targets, params, comment=rc.get("Comment", ""),
                         output_bucket=rc.get("OutputS3BucketName", ""), output_prefix=rc.get("OutputS3KeyPrefix", ""),
                         max_concurrency=t.max_concurrency or "50", max_errors=t.max_errors or "0",
                         service_role=rc.get("ServiceRoleArn", t.service_role_arn or ""),
                         timeout=rc.get("TimeoutSeconds"), execution_id=exec_id)
        ok = cmd.status == "Success"
        failed = failed or not ok
        trec.update(Status="SUCCESS" if ok else "FAILED", StatusDetails=cmd.status, EndTime=_now(),
                    TaskParameters=[{k: {"Values": v} for k, v in params.items()}], CommandId=cmd.command_id)
        for inv in cmd.invocations:
            trec["invocations"].append({
                "WindowExecutionId": exec_id, "TaskExecutionId": task_exec, "InvocationId": str(uuid.uuid4()),
                "ExecutionId": cmd.command_id, "TaskType": "RUN_COMMAND",
                "Parameters": json.dumps({"documentName": t.task_arn, "instanceIds": [inv["InstanceId"]],
                                          "parameters": params}),
                "Status": "SUCCESS" if inv["Status"] == "Success" else "FAILED", "StatusDetails": inv["Status"],
                "StartTime": tstart, "EndTime": _now(), "WindowTargetId": next(
                    (v for tt in t.targets or [] if tt["Key"] == "WindowTargetIds" for v in tt["Values"]), "")})
        rec["tasks"].append(trec)
    rec.update(Status="FAILED" if failed else "SUCCESS", StatusDetails="", EndTime=_now())
    _execs(backend)[exec_id] = rec
    return rec


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


def run_association(backend, association_id):
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
    (``cmd.ssmpatch_association``), visible nowhere in the API. Runs at creation/update are not
    simulated (see README, "Not simulated")."""
    from ssmpatch_standin.ssm_ext import _assocs
    a = _assocs(backend).get(association_id)
    if a is None:
        raise m.RESTError("AssociationDoesNotExist", f"Association {association_id} does not exist")
    p = a.params
    exec_id = str(uuid.uuid4())
    created = _ms(_now())
    s3 = ((p.get("OutputLocation") or {}).get("S3Location") or {})
    cmd = fleet.send(backend, p["Name"], [p["InstanceId"]] if p.get("InstanceId") else [], p.get("Targets") or [],
                     p.get("Parameters") or {}, output_bucket=s3.get("OutputS3BucketName", ""),
                     output_prefix=s3.get("OutputS3KeyPrefix", ""), max_concurrency=p.get("MaxConcurrency", "50"),
                     max_errors=p.get("MaxErrors", "0"), execution_id=exec_id)
    cmd.ssmpatch_association = {"AssociationId": a.id, "ExecutionId": exec_id}
    version = str(a.version)
    targets = []
    for inv in cmd.invocations:
        plugins = getattr(cmd, "ssmpatch_plugins", {}).get(inv["InstanceId"]) or []
        done = max((pl["ResponseFinishDateTime"] for pl in plugins), default=_now())
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


def _page(self, items, default=50):
    n = int(self._get_param("MaxResults") or default)
    start = int(self._get_param("NextToken") or 0)
    return items[start:start + n], (str(start + n) if start + n < len(items) else None)


def _get_exec(self):
    rec = _execs(self.ssm_backend).get(self._get_param("WindowExecutionId"))
    if rec is None:
        raise m.RESTError("DoesNotExistException", "Window execution does not exist")
    return rec


def r_describe_maintenance_window_executions(self):
    wid = self._get_param("WindowId")
    out = [_public(r, ("WindowId", "WindowExecutionId", "Status", "StatusDetails", "StartTime", "EndTime"))
           for r in _execs(self.ssm_backend).values() if r["WindowId"] == wid]
    page, nxt = _page(self, out)
    res = {"WindowExecutions": page}
    if nxt:
        res["NextToken"] = nxt
    return ActionResult(res)


def r_get_maintenance_window_execution(self):
    rec = _get_exec(self)
    d = _public(rec, ("WindowExecutionId", "Status", "StatusDetails", "StartTime", "EndTime"))
    d["TaskIds"] = [t["TaskExecutionId"] for t in rec["tasks"]]
    return ActionResult(d)


def r_describe_maintenance_window_execution_tasks(self):
    rec = _get_exec(self)
    out = [dict(_public(t, ("TaskExecutionId", "Status", "StatusDetails", "StartTime", "EndTime", "TaskArn",
                            "TaskType")), WindowExecutionId=rec["WindowExecutionId"]) for t in rec["tasks"]]
    return ActionResult({"WindowExecutionTaskIdentities": out})


def _get_task(self, rec, key="TaskId"):
    tid = self._get_param(key)
    t = next((t for t in rec["tasks"] if t["TaskExecutionId"] == tid), None)
    if t is None:
        raise m.RESTError("DoesNotExistException", "Task execution does not exist")
    return t


def r_get_maintenance_window_execution_task(self):
    rec = _get_exec(self)
    t = _get_task(self, rec)
    d = _public(t, ("TaskExecutionId", "TaskArn", "ServiceRole", "Priority", "MaxConcurrency", "MaxErrors", "Status",
                    "StatusDetails", "StartTime", "EndTime", "TaskParameters"))
    d.update(WindowExecutionId=rec["WindowExecutionId"], Type=t["TaskType"])
    return ActionResult({k: v for k, v in d.items() if v is not None})


def r_describe_maintenance_window_execution_task_invocations(self):
    rec = _get_exec(self)
    t = _get_task(self, rec)
    return ActionResult({"WindowExecutionTaskInvocationIdentities": t["invocations"]})


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
    from ssmpatch_standin.ssm_ext import _get_assoc
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
    from ssmpatch_standin.ssm_ext import _get_assoc
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
    R.describe_association_executions = r_describe_association_executions
    R.describe_association_execution_targets = r_describe_association_execution_targets
    R.describe_maintenance_window_executions = r_describe_maintenance_window_executions
    R.get_maintenance_window_execution = r_get_maintenance_window_execution
    R.describe_maintenance_window_execution_tasks = r_describe_maintenance_window_execution_tasks
    R.get_maintenance_window_execution_task = r_get_maintenance_window_execution_task
    R.describe_maintenance_window_execution_task_invocations = r_describe_maintenance_window_execution_task_invocations


def run_patch_policy(backend, manager_arn, operation):
    """Run a Quick Setup patch policy's Scan or Install now, the way AWS documents it:
    - "Systems Manager automatically creates an S3 bucket and adds a baseline_overrides.json file to
      it" — bucket aws-quicksetup-patchpolicy-<account-id>-<quick-setup-configuration-id>
      (quick-setup-patch-manager, "Random patch baseline IDs in patch policy operations");
    - the run is AWS-RunPatchBaseline with that BaselineOverride and an AssociationId, so "patching is
      done as a PatchPolicy operation" and compliance is updated (patch-manager-aws-runpatchbaseline,
      AssociationId; patch-manager-baselineoverride-parameter).
    Targets follow TargetType (*, InstanceIds, Tags) of the policy's parameters."""
    from moto.s3.models import s3_backends

    from ssmpatch_standin import quicksetup
    qs = quicksetup.quicksetup_backends[backend.account_id][backend.region_name]
    mgr = qs.get(manager_arn)
    d = next((d for d in mgr.definitions if d["Type"] == quicksetup.PATCH_POLICY), None)
    if d is None:
        raise m.RESTError("ValidationException", f"{manager_arn} has no {quicksetup.PATCH_POLICY} definition")
    p = d.get("Parameters") or {}
    if operation == "Install" and p.get("ConfigurationOptionsPatchOperation") != "ScanAndInstall":
        raise m.RESTError("ValidationException", "the policy's ConfigurationOptionsPatchOperation is Scan only")
    overrides = []
    for os_, entry in json.loads(p.get("SelectedPatchBaselines") or "{}").items():
        if os_ not in fleet.OS_INFO:
            continue
        bid = entry.get("value", "").split("/")[-1]
        if bid in backend.baselines:
            b = fleet._baseline_dict(backend.baselines[bid])
        else:
            b = fleet.default_baseline(backend, os_)
        overrides.append({k: b[k] for k in fleet.OVERRIDE_KEYS if k in b})
    bucket = f"aws-quicksetup-patchpolicy-{backend.account_id}-{d['Id']}"
    s3 = s3_backends[backend.account_id]["aws"]
    try:
        s3.get_bucket(bucket)
    except Exception:
        s3.create_bucket(bucket, backend.region_name)
    s3.put_object(bucket, "baseline_overrides.json", json.dumps(overrides, indent=4, sort_keys=True).encode())
    tt = p.get("TargetType") or "*"
    if tt == "Tags":
        targets = [{"Key": f"tag:{p['TargetTagKey']}", "Values": [p.get("TargetTagValue", "")]}]
    elif tt == "InstanceIds":
        targets = [{"Key": "InstanceIds", "Values": [i for i in p.get("TargetInstances", "").split(",") if i]}]
    else:
        targets = [{"Key": "InstanceIds", "Values": ["*"]}]
    if not hasattr(mgr, "association_ids"):
        mgr.association_ids = {}
    assoc_id = mgr.association_ids.setdefault(operation, str(uuid.uuid4()))
    params = {"Operation": [operation], "BaselineOverride": [f"s3://{bucket}/baseline_overrides.json"],
              "AssociationId": [assoc_id], "RebootOption": [p.get("RebootOption") or "RebootIfNeeded"]}
    out_bucket = p.get("OutputS3BucketName", "") if p.get("OutputLogEnableS3") == "true" else ""
    return fleet.send(backend, "AWS-RunPatchBaseline", [], targets, params, output_bucket=out_bucket,
                      output_prefix=p.get("OutputS3KeyPrefix", ""),
                      max_concurrency=p.get("RateControlConcurrency") or "10%",
                      max_errors=p.get("RateControlErrorThreshold") or "2%", execution_id=str(uuid.uuid4()))
