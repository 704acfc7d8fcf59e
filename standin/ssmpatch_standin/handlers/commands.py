"""Run Command and managed-node operations over the simulated fleet (``sim.fleet``, ``sim.commands``):
SendCommand, GetCommandInvocation, ListCommandInvocations, DescribeInstanceInformation.
"""

import datetime
import re

from moto.core.responses import ActionResult
from moto.ssm import models as m

from ssmpatch_standin import state
from ssmpatch_standin.sim import commands, fleet


def _now():
    return datetime.datetime.now(datetime.timezone.utc)


def r_send_command(self):
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
    cmd = commands.send(self.ssm_backend, doc, g("InstanceIds") or [], g("Targets") or [], g("Parameters") or {},
                        comment=g("Comment", ""), output_bucket=g("OutputS3BucketName", ""),
                        output_prefix=g("OutputS3KeyPrefix", ""), max_concurrency=g("MaxConcurrency", "50"),
                        max_errors=g("MaxErrors", "0"), service_role=g("ServiceRoleArn", ""),
                        timeout=g("TimeoutSeconds"))
    return ActionResult({"Command": commands.command_json(cmd)})


def r_get_command_invocation(self):
    cmd = self.ssm_backend.get_command_by_id(self._get_param("CommandId"))
    iid = self._get_param("InstanceId")
    plugin = self._get_param("PluginName")
    inv = next((i for i in cmd.invocations if i["InstanceId"] == iid), None)
    if inv is None:
        raise m.RESTError("InvocationDoesNotExist", "The command ID and managed node ID you specified didn't match any invocations.")
    plugins = state.of(self.ssm_backend).command_plugins.get(cmd.command_id, {}).get(iid)
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
                   StatusDetails=pl["StatusDetails"], StandardOutputContent=pl["full"][:commands.STDOUT_MAX],
                   StandardOutputUrl=pl["StandardOutputUrl"], StandardErrorContent=pl["err"][:commands.STDERR_MAX],
                   StandardErrorUrl=pl["StandardErrorUrl"])
    elif plugin and plugin != inv["PluginName"]:
        raise m.RESTError("InvalidPluginName", "The plugin name isn't valid.")
    return ActionResult(inv)


def r_list_command_invocations(self):
    b = self.ssm_backend
    cid, iid = self._get_param("CommandId"), self._get_param("InstanceId")
    details = bool(self._get_param("Details"))
    cmds = [b.get_command_by_id(cid)] if cid else list(b._commands)
    plugins = state.of(b).command_plugins
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
                    for pl in plugins.get(c.command_id, {}).get(inv["InstanceId"], [])]
            out.append(d)
    n = int(self._get_param("MaxResults") or 50)
    start = int(self._get_param("NextToken") or 0)
    res = {"CommandInvocations": out[start:start + n]}
    if start + n < len(out):
        res["NextToken"] = str(start + n)
    return ActionResult(res)


def r_describe_instance_information(self):
    out = list(state.of(self.ssm_backend).nodes.values())
    for f in self._get_param("Filters") or []:
        key, vals = f["Key"], f.get("Values") or []
        if key == "InstanceIds":
            out = [n for n in out if n.id in vals]
        elif key == "PingStatus":
            out = [n for n in out if n.ping in vals]
        elif key == "PlatformTypes":
            out = [n for n in out if n.platform_type in vals]
        elif key.startswith("tag:"):
            out = [n for n in out if n.tags.get(key[4:]) in vals]
        elif key == "tag-key":
            out = [n for n in out if any(v in n.tags for v in vals)]
        else:
            raise m.RESTError("InvalidInstanceInformationFilterValue", f"The stand-in does not simulate filter {key}")
    for f in self._get_param("InstanceInformationFilterList") or []:
        if f["key"] == "InstanceIds":
            out = [n for n in out if n.id in f["valueSet"]]
    info = [{"InstanceId": n.id, "PingStatus": n.ping, "LastPingDateTime": n.last_ping or _now(), "AgentVersion": "3.3.0.0",
             "IsLatestVersion": True, "PlatformType": n.platform_type, "PlatformName": n.platform_name,
             "PlatformVersion": n.platform_version, "ResourceType": "EC2Instance" if n.id.startswith("i-") else
             "ManagedInstance", "RegistrationDate": n.registered, "ComputerName": n.id} for n in out]
    n = int(self._get_param("MaxResults") or 50)
    start = int(self._get_param("NextToken") or 0)
    res = {"InstanceInformationList": info[start:start + n]}
    if start + n < len(info):
        res["NextToken"] = str(start + n)
    return ActionResult(res)


# --- ListCommands -----------------------------------------------------------------------------------
# moto 5.2.5's ListCommands answers by CommandId or InstanceId only ("Pagination and the
# Filters-parameter is not yet implemented", moto/ssm/models.py list_commands). The stand-in's follows
# the botocore model (ListCommandsRequest, CommandFilter, CommandMaxResults 1-50; errors InvalidCommandId,
# InvalidInstanceId, InvalidFilterKey, InvalidNextToken). The filter keys are the model's enum
# CommandFilterKey (InvokedAfter, InvokedBefore, Status, ExecutionStage, DocumentName), which the
# middleware's model check already enforces (ValidationException); the values are checked here.
# "The status values you can specify for ListCommands are" (CommandFilter.value documentation):
LIST_COMMANDS_STATUSES = ("Pending", "InProgress", "Success", "Cancelled", "Failed", "TimedOut", "AccessDenied",
                          "DeliveryTimedOut", "ExecutionTimedOut", "Incomplete", "NoInstancesInTag", "LimitExceeded")
# ExecutionStage: "Executing: Returns a list of command executions that are currently still running.
# Complete: Returns a list of command executions that have already completed."
EXECUTION_STAGES = ("Executing", "Complete")
_RUNNING = ("Pending", "InProgress", "Cancelling")
# The page size when MaxResults is not given: AWS states no default; the model's maximum.
LIST_COMMANDS_PAGE = 50
TOKEN_PREFIX = "standin-commands-"


def _matches_status(cmd, value):
    """Status filter value against a command. Values that name a detailed status (DeliveryTimedOut,
    ExecutionTimedOut, Incomplete, AccessDenied, ...) match StatusDetails written without spaces ("Delivery
    Timed Out"); "TimedOut (this includes both Delivery and Execution time outs)"."""
    details = (cmd.status_details or "").replace(" ", "")
    if value == "TimedOut":
        return cmd.status == "TimedOut" or details in ("DeliveryTimedOut", "ExecutionTimedOut")
    return cmd.status == value if value in ("Pending", "InProgress", "Success", "Cancelled", "Failed") \
        else details == value


def _requested(cmd):
    """moto keeps RequestedDateTime as a naive UTC datetime."""
    t = cmd.requested_date_time
    return t if t.tzinfo else t.replace(tzinfo=datetime.timezone.utc)


def _filter_value_error(message):
    # InvalidFilterValue: "The filter value isn't valid. Verify the value and try again." (botocore model;
    # not in ListCommands' error list, which names no error for a bad value: UNCONFIRMED which code AWS
    # answers).
    return m.RESTError("InvalidFilterValue", message)


def r_list_commands(self):
    b = self.ssm_backend
    cid, iid = self._get_param("CommandId"), self._get_param("InstanceId")
    filters = self._get_param("Filters") or []
    checks = []
    for f in filters:
        key, value = f.get("key"), f.get("value")
        if key in ("InvokedAfter", "InvokedBefore"):
            try:
                t = fleet.parse_instant(value)
            except ValueError as e:
                raise _filter_value_error(f"{key}: {e}")
            # InvokedAfter "2024-07-07T00:00:00Z to see a list of command executions occurring July 7, 2021,
            # and later" (inclusive); InvokedBefore "from before July 7" (exclusive) — CommandFilter.value.
            checks.append((lambda c, t=t: _requested(c) >= t) if key == "InvokedAfter"
                          else (lambda c, t=t: _requested(c) < t))
        elif key == "Status":
            if value not in LIST_COMMANDS_STATUSES:
                raise _filter_value_error(f"Status {value!r} is not one of {', '.join(LIST_COMMANDS_STATUSES)}")
            # "You can't specify a managed node ID in the same command that you specify Status = Pending.
            # This is because the command hasn't reached the managed node yet." (ListCommandsRequest.InstanceId)
            if value == "Pending" and iid:
                raise m.RESTError("InvalidInstanceId", "You can't specify a managed node ID in the same command that "
                                                       "you specify Status = Pending.")
            checks.append(lambda c, v=value: _matches_status(c, v))
        elif key == "ExecutionStage":
            if value not in EXECUTION_STAGES:
                raise _filter_value_error(f"ExecutionStage {value!r} is not one of {', '.join(EXECUTION_STAGES)}")
            checks.append((lambda c: c.status in _RUNNING) if value == "Executing"
                          else (lambda c: c.status not in _RUNNING))
        elif key == "DocumentName":
            checks.append(lambda c, v=value: c.document_name == v)
        else:   # the model's enum is checked before; kept for a request the middleware let through
            raise m.RESTError("InvalidFilterKey", f"The specified key {key!r} isn't valid.")
    if cid:
        cmd = next((c for c in b._commands if c.command_id == cid), None)
        if cmd is None:
            raise m.RESTError("InvalidCommandId", "The specified command ID isn't valid. Verify the ID and try again.")
        cmds = [cmd]
    else:
        cmds = list(b._commands)
    if iid:
        cmds = [c for c in cmds if iid in c.instance_ids]
    cmds = [c for c in cmds if all(check(c) for check in checks)]
    n = int(self._get_param("MaxResults") or LIST_COMMANDS_PAGE)
    token = self._get_param("NextToken")
    start = 0
    if token is not None:
        rest = str(token)[len(TOKEN_PREFIX):] if str(token).startswith(TOKEN_PREFIX) else ""
        if not rest.isdigit() or int(rest) > len(cmds):
            raise m.RESTError("InvalidNextToken", "The specified token isn't valid.")
        start = int(rest)
    res = {"Commands": [commands.command_json(c) for c in cmds[start:start + n]]}
    if start + n < len(cmds):
        res["NextToken"] = f"{TOKEN_PREFIX}{start + n}"
    return ActionResult(res)


def install(R):
    R.send_command = state.locked(r_send_command)
    R.get_command_invocation = state.locked(r_get_command_invocation)
    R.list_command_invocations = state.locked(r_list_command_invocations)
    R.describe_instance_information = state.locked(r_describe_instance_information)
    R.list_commands = state.locked(r_list_commands)
