"""Maintenance windows: what moto 5.2.5's SSM backend lacks or gets wrong, added on moto's own classes
(UpdateMaintenanceWindow with Replace, AllowUnassociatedTargets/Enabled, Duration/Cutoff/ScheduleOffset
checks, GetMaintenanceWindowTask, UpdateMaintenanceWindowTask, the window quotas), and window
executions: a run triggered through the control API (the stand-in has no clock-driven scheduler) and
the read APIs moto lacks — DescribeMaintenanceWindowExecutions, GetMaintenanceWindowExecution,
DescribeMaintenanceWindowExecutionTasks, GetMaintenanceWindowExecutionTask,
DescribeMaintenanceWindowExecutionTaskInvocations.

Responses are returned as ``ActionResult`` so moto serialises them from botocore's service model,
exactly like its built-in operations. Each behaviour cites the AWS rule it follows.
"""

import datetime
import json
import uuid

from moto.core.responses import ActionResult
from moto.ssm import models as m
from moto.ssm.exceptions import DoesNotExistException, ValidationException

from ssmpatch_standin import state
from ssmpatch_standin.handlers import quotas
from ssmpatch_standin.sim import commands, fleet

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


def r_update_maintenance_window_target(self):
    """UpdateMaintenanceWindowTarget (moto lacks it): "Replace: If True, then all fields that are
    required by the RegisterTargetWithMaintenanceWindow operation are also required for this API
    request. Optional fields that aren't specified are set to null." Unknown target:
    DoesNotExistException (API_UpdateMaintenanceWindowTarget)."""
    w = self.ssm_backend.get_maintenance_window(self._get_param("WindowId"))
    target_id = self._get_param("WindowTargetId")
    if target_id not in w.targets:
        raise DoesNotExistException(target_id)
    t = w.targets[target_id]
    replace = bool(self._get_param("Replace", False))
    if replace and self._get_param("Targets") is None:
        raise ValidationException("Targets is required when Replace is true")
    for k, attr in {"Targets": "targets", "OwnerInformation": "owner_information", "Name": "name",
                    "Description": "description"}.items():
        v = self._get_param(k)
        if v is not None:
            setattr(t, attr, v)
        elif replace:
            setattr(t, attr, None)
    d = {"WindowId": w.id, "WindowTargetId": t.window_target_id, "Targets": t.targets}
    for k, v in (("OwnerInformation", t.owner_information), ("Name", t.name), ("Description", t.description)):
        if v is not None:
            d[k] = v
    return ActionResult(d)


# --- window executions ------------------------------------------------------------------------

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


def _run_targets(backend, w, exclude, exclude_tasks):
    """{WindowTaskId: the nodes its run command goes to}, after the control API's exclusions, which are
    checked first: a task id the window lacks, or a node the run would not target, is refused
    (ValueError), so a mistyped id never passes as "left out"."""
    exclude_tasks = exclude_tasks or {}
    unknown = sorted(set(exclude_tasks) - set(w.tasks))
    if unknown:
        raise ValueError(f"exclude_tasks: window {w.id} has no task {', '.join(unknown)}")
    resolved = {}
    for tid, t in w.tasks.items():
        if t.task_type == "RUN_COMMAND":
            ids, targets = _window_targets(w, t)
            resolved[tid] = fleet.resolve_targets(backend, ids, targets)
    every = {i for ids in resolved.values() for i in ids}
    missing = sorted(set(exclude) - every)
    if missing:
        raise ValueError(f"exclude: {', '.join(missing)} not a target of window {w.id}")
    for tid, ids in exclude_tasks.items():
        missing = sorted(set(ids) - set(resolved.get(tid, [])))
        if missing:
            raise ValueError(f"exclude_tasks[{tid}]: {', '.join(missing)} not a target of that task")
    return {tid: [i for i in ids if i not in exclude and i not in exclude_tasks.get(tid, ())]
            for tid, ids in resolved.items()}


# A window invocation's Status is a MaintenanceWindowExecutionStatus (PENDING IN_PROGRESS SUCCESS FAILED
# TIMED_OUT CANCELLING CANCELLED SKIPPED_OVERLAPPING, botocore model); its StatusDetails the Run Command
# invocation's ("Success", "Failed", "Delivery Timed Out"). TimedOut → TIMED_OUT: the mapping is
# UNCONFIRMED (AWS documents none).
_INVOCATION_STATUS = {"Success": "SUCCESS", "TimedOut": "TIMED_OUT"}


def execute_window(backend, window_id, in_progress=False, exclude=(), exclude_tasks=None):
    """Run a window now, as its schedule would. Tasks run in Priority order ("the lower the number
    the higher the priority", RegisterTaskWithMaintenanceWindow). For RUN_COMMAND tasks the window
    supplies AWS-RunPatchBaseline's SnapshotId ("Inside an MW: Don't supply a Snapshot ID. Patch
    Manager will supply it for you." — patch-manager-aws-runpatchbaseline). ``in_progress``: the
    execution is left running (IN_PROGRESS, no task finished yet), as a window is during its
    duration. ``exclude`` [instance ids] / ``exclude_tasks`` {WindowTaskId: [instance ids]}: nodes left
    out of every task / of one task, as if the run had not targeted them (no command, no invocation)."""
    w = backend.get_maintenance_window(window_id)
    if getattr(w, "enabled", True) is False:
        raise m.RESTError("ValidationException", f"Maintenance window {window_id} is disabled")
    run_targets = _run_targets(backend, w, list(exclude or ()), exclude_tasks)
    exec_id = str(uuid.uuid4())
    start = _now()
    if in_progress:
        rec = {"WindowId": window_id, "WindowExecutionId": exec_id, "StartTime": start, "tasks": [],
               "Status": "IN_PROGRESS", "StatusDetails": "The window is running"}
        state.of(backend).window_executions[exec_id] = rec
        return rec
    tasks = sorted(w.tasks.items(), key=lambda kv: (kv[1].priority if kv[1].priority is not None else 0))
    rec = {"WindowId": window_id, "WindowExecutionId": exec_id, "StartTime": start, "tasks": []}
    failed = False
    for task_id, t in tasks:
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
        # Patch Manager supplies the SnapshotId inside a window (the window execution id here; AWS's
        # CLI example of get-maintenance-window-execution-task shows the task's parameter as
        # "{{ aws:ORCHESTRATION_ID }}", not what it resolves to). Whether AWS records the resolved
        # value in the invocation's and command's parameters is not documented (UNCONFIRMED): by
        # default it is recorded, as the first stand-in did; `"window_snapshot_parameter": false`
        # gives it to the node only — the stricter reading, under which `ssmpatch status` cannot
        # yet tell a scan seconds after the rescan from the rescan (noted on issue 19).
        supplied = {}
        if t.task_arn == "AWS-RunPatchBaseline" and not (params.get("SnapshotId") or [""])[0]:
            if state.controls.settings.get("window_snapshot_parameter", True):
                params["SnapshotId"] = [exec_id]
            else:
                supplied = {"SnapshotId": [exec_id]}
        # One invocation per target, each its own Run Command command: the invocations are "the
        # individual task executions (one per target)", an invocation's ExecutionId is "the command
        # ID" (API_DescribeMaintenanceWindowExecutionTaskInvocations), and AWS's example shows one
        # instance per invocation (awscli examples, describe-maintenance-window-execution-task-
        # invocations). A command per node: the stricter reading (UNCONFIRMED). The setting
        # `"window_commands": "per-task"` takes the other reading: one command for every target of
        # the task and one invocation naming them all (its ExecutionId that command), so a client
        # must ask Run Command (ListCommandInvocations) for each node's own status.
        per_task = state.controls.settings.get("window_commands", "per-node") == "per-task"
        groups = [run_targets[task_id]] if per_task and run_targets[task_id] else [[n] for n in run_targets[task_id]]
        cmds = [commands.send(backend, t.task_arn, group, [], params, comment=rc.get("Comment", ""),
                              output_bucket=rc.get("OutputS3BucketName", ""),
                              output_prefix=rc.get("OutputS3KeyPrefix", ""),
                              max_concurrency=t.max_concurrency or "50", max_errors=t.max_errors or "0",
                              service_role=rc.get("ServiceRoleArn", t.service_role_arn or ""),
                              timeout=rc.get("TimeoutSeconds"), execution_id=exec_id, refuse_unknown=False,
                              supplied=supplied)
                for group in groups]
        ok = all(c.status == "Success" for c in cmds)
        failed = failed or not ok
        trec.update(Status="SUCCESS" if ok else "FAILED", StatusDetails="Success" if ok else "Failed", EndTime=_now(),
                    TaskParameters=[{k: {"Values": v} for k, v in params.items()}],
                    CommandIds=[c.command_id for c in cmds])
        target_id = next((v for tt in t.targets or [] if tt["Key"] == "WindowTargetIds" for v in tt["Values"]), "")
        for cmd in cmds:
            parts = ([(cmd.invocations, cmd.status, cmd.status_details)] if per_task else
                     [([inv], inv["Status"], inv["StatusDetails"]) for inv in cmd.invocations])
            for invs, status, details in parts:
                trec["invocations"].append({
                    "WindowExecutionId": exec_id, "TaskExecutionId": task_exec, "InvocationId": str(uuid.uuid4()),
                    "ExecutionId": cmd.command_id, "TaskType": "RUN_COMMAND",
                    "Parameters": json.dumps({"documentName": t.task_arn,
                                              "instanceIds": [inv["InstanceId"] for inv in invs],
                                              "parameters": params}),
                    "Status": _INVOCATION_STATUS.get(status, "FAILED"), "StatusDetails": details,
                    "StartTime": tstart, "EndTime": _now(), "WindowTargetId": target_id})
        rec["tasks"].append(trec)
    rec.update(Status="FAILED" if failed else "SUCCESS", StatusDetails="", EndTime=_now())
    state.of(backend).window_executions[exec_id] = rec
    return rec


def _public(rec, keys):
    return {k: rec[k] for k in keys if k in rec}


def _page(self, items, default=50):
    n = int(self._get_param("MaxResults") or default)
    start = int(self._get_param("NextToken") or 0)
    return items[start:start + n], (str(start + n) if start + n < len(items) else None)


def _get_exec(self):
    rec = state.of(self.ssm_backend).window_executions.get(self._get_param("WindowExecutionId"))
    if rec is None:
        raise m.RESTError("DoesNotExistException", "Window execution does not exist")
    return rec


# DescribeMaintenanceWindowExecutions Filters: "Key. A string between 1 and 128 characters. Supported
# keys include ExecutedBefore and ExecutedAfter. Values. An array of strings, each between 1 and 256
# characters. Supported values are date/time strings in a valid ISO 8601 date/time format, such as
# 2024-11-04T05:00:00Z." (botocore model, DescribeMaintenanceWindowExecutionsRequest.Filters). Another key,
# a value that is not such a date/time, or not exactly one value per key: ValidationException (the
# operation's model names no filter error; the code, and that one value is required, are UNCONFIRMED).
# ExecutedAfter keeps executions that started at or after the instant, ExecutedBefore those that started
# before it (inclusive/exclusive like ListCommands' InvokedAfter/InvokedBefore; UNCONFIRMED).
EXECUTION_FILTER_KEYS = ("ExecutedBefore", "ExecutedAfter")


def _execution_filters(filters):
    checks = []
    for f in filters or []:
        key, values = f.get("Key"), f.get("Values")
        if key not in EXECUTION_FILTER_KEYS:
            raise ValidationException(f"Filter key {key!r} is not supported; supported keys: "
                                      f"{', '.join(EXECUTION_FILTER_KEYS)}")
        if not isinstance(values, list) or len(values) != 1:
            raise ValidationException(f"Filter {key} takes one value, an ISO 8601 date/time such as "
                                      f"2024-11-04T05:00:00Z; got {values!r}")
        try:
            t = fleet.parse_instant(values[0])
        except ValueError as e:
            raise ValidationException(f"Filter {key}: {e}")
        checks.append((lambda r, t=t: r["StartTime"] >= t) if key == "ExecutedAfter"
                      else (lambda r, t=t: r["StartTime"] < t))
    return checks


def r_describe_maintenance_window_executions(self):
    wid = self._get_param("WindowId")
    self.ssm_backend.get_maintenance_window(wid)   # DoesNotExistException for a deleted window
    checks = _execution_filters(self._get_param("Filters"))
    out = [_public(r, ("WindowId", "WindowExecutionId", "Status", "StatusDetails", "StartTime", "EndTime"))
           for r in state.of(self.ssm_backend).window_executions.values()
           if r["WindowId"] == wid and all(check(r) for check in checks)]
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


# DescribeMaintenanceWindowExecutionTaskInvocations: MaxResults 10-100 (model); AWS does not state
# the default page size, so the stand-in gives the smallest (UNCONFIRMED), and a caller that reads
# one page misses nodes as it would on a real fleet.
INVOCATIONS_PAGE = 10


def r_describe_maintenance_window_execution_task_invocations(self):
    rec = _get_exec(self)
    t = _get_task(self, rec)
    page, nxt = _page(self, t["invocations"], default=INVOCATIONS_PAGE)
    res = {"WindowExecutionTaskInvocationIdentities": page}
    if nxt:
        res["NextToken"] = nxt
    return ActionResult(res)


def _delete_window(orig):
    """DeleteMaintenanceWindow takes the window's execution history with it: a deleted window's
    executions can no longer be described (DescribeMaintenanceWindowExecutions needs the window).
    AWS does not refuse to delete a running window (the API reference names no such error), so a
    run in progress is lost too — the stricter reading; UNCONFIRMED whether AWS stops it."""
    def call(self, window_id):
        orig(self, window_id)
        records = state.of(self).window_executions
        for exec_id in [k for k, r in records.items() if r["WindowId"] == window_id]:
            del records[exec_id]
    return state.locked(call)


def install(R):
    global _orig_window_to_json, _orig_r_create_window
    m.SimpleSystemManagerBackend.delete_maintenance_window = _delete_window(
        m.SimpleSystemManagerBackend.delete_maintenance_window)
    _orig_window_to_json = m.FakeMaintenanceWindow.to_json
    m.FakeMaintenanceWindow.to_json = _window_json
    _orig_r_create_window = R.create_maintenance_window
    R.create_maintenance_window = state.locked(quotas.wrap(
        r_create_maintenance_window, lambda r: len(r.ssm_backend.windows),
        "Maintenance windows", "maintenance_windows"))
    R.update_maintenance_window = state.locked(r_update_maintenance_window)
    R.get_maintenance_window_task = state.locked(r_get_maintenance_window_task)
    R.update_maintenance_window_task = state.locked(r_update_maintenance_window_task)
    R.update_maintenance_window_target = state.locked(r_update_maintenance_window_target)
    R.register_task_with_maintenance_window = state.locked(quotas.wrap(
        R.register_task_with_maintenance_window,
        lambda r: len(r.ssm_backend.get_maintenance_window(r._get_param("WindowId")).tasks),
        "Tasks per maintenance window", "tasks_per_window"))
    R.register_target_with_maintenance_window = state.locked(quotas.wrap(
        R.register_target_with_maintenance_window,
        lambda r: len(r.ssm_backend.get_maintenance_window(r._get_param("WindowId")).targets),
        "Targets per maintenance window", "targets_per_window"))
    R.describe_maintenance_window_executions = state.locked(r_describe_maintenance_window_executions)
    R.get_maintenance_window_execution = state.locked(r_get_maintenance_window_execution)
    R.describe_maintenance_window_execution_tasks = state.locked(r_describe_maintenance_window_execution_tasks)
    R.get_maintenance_window_execution_task = state.locked(r_get_maintenance_window_execution_task)
    R.describe_maintenance_window_execution_task_invocations = state.locked(
        r_describe_maintenance_window_execution_task_invocations)
