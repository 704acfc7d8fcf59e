"""Run Command on the simulated fleet: a command runs synchronously on each targeted node
(``AWS-RunPatchBaseline`` through ``sim.payload``; any other document succeeds with no output), and its
invocations, plugin results and S3 output are what GetCommandInvocation / ListCommandInvocations
(``handlers.commands``) answer. Used by SendCommand and by the runs the control API triggers
(maintenance windows, associations, patch policies).
"""

import datetime

from moto.s3.models import s3_backends
from moto.ssm import models as m

from ssmpatch_standin import state
from ssmpatch_standin.sim import fleet, payload

PLUGIN_STEPS = ("PatchWindows", "PatchLinux", "PatchMacOS")
# StandardOutputContent: "The first 24,000 characters written by the plugin to stdout."
# StandardErrorContent: max 8,000; CommandPlugin.Output: max 2,500 (botocore model, aws-facts §8.2).
STDOUT_MAX = 24000
STDERR_MAX = 8000
PLUGIN_OUTPUT_MAX = 2500


def _now():
    return datetime.datetime.now(datetime.timezone.utc)


def _iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def _s3_put(backend, bucket, key, body):
    s3 = s3_backends[backend.account_id]["aws"]
    s3.get_bucket(bucket)   # raises if missing
    s3.put_object(bucket, key, body.encode())


def _upload(backend, node, bucket, key, body):
    """SSM Agent uploads a step's output with the node's instance profile (sim.fleet,
    node_write_denied). Refused, the object is not written and nothing else changes: the agent logs
    "Unable to upload the logs" and keeps the plugin's status and exit code (amazon-ssm-agent, the run
    script plugins: upload errors are only logged). The invocation's StandardOutputUrl/StandardErrorUrl
    stay: "The URL for the complete text written by the plugin to stdout in Amazon S3. If an S3 bucket
    wasn't specified, then this string is empty." (API GetCommandInvocation) — it follows the bucket,
    not the upload (whether AWS blanks it after a refused upload: UNCONFIRMED). A node that is not
    simulated (an EC2 instance of moto's) has no role to check."""
    s3 = s3_backends[backend.account_id]["aws"]
    s3.get_bucket(bucket)   # raises if missing
    if node is not None and fleet.node_write_denied(backend, node, bucket, key):
        return False
    _s3_put(backend, bucket, key, body)
    return True


# A node whose agent is not Online (PingStatus ConnectionLost, control API POST
# /_ssmpatch/nodes/<id>/agent) receives nothing: its invocation ends "Delivery Timed Out" — "The command
# wasn't delivered to the managed node before the delivery timeout expired. Delivery timeouts don't count
# against the parent command's MaxErrors limit, but they do contribute to whether the parent command
# status is Success or Incomplete. This is a terminal state." (CommandInvocation.StatusDetails, botocore
# model; user guide "Understanding command statuses", monitor-commands.html). Its Status is "TimedOut"
# (ListCommands Status filter: "TimedOut (this includes both Delivery and Execution time outs)"). The
# stand-in has no clock, so the timeout is reached at once. ResponseCode -1: "If the response code is -1,
# then the command hasn't started running on the managed node, or it wasn't received by the node."
# (GetCommandInvocation ResponseCode, botocore model). The payload never runs: no output, no patch
# state, no compliance.
DELIVERY_TIMED_OUT = "Delivery Timed Out"


# A node that is gone (control API DELETE /_ssmpatch/nodes/<id>) and still named by id in a run's
# targets (a window task's or association's InstanceIds): "Undeliverable: The command can't be delivered
# to the managed node. The managed node might not exist or might not be responding. Undeliverable
# invocations don't count against the parent command's MaxErrors limit and don't contribute to whether
# the parent command status is Success or Incomplete." (CommandInvocation.StatusDetails, botocore model).
# The invocation Status enum has no Undeliverable: "Failed" (UNCONFIRMED). (SendCommand itself refuses
# such an id: InvalidInstanceId, ``send``.)
UNDELIVERABLE = "Undeliverable"


def _undelivered(backend, node, iid):
    """(invocation Status, StatusDetails) of a node that gets nothing, or None when it runs."""
    if node is not None:
        return ("TimedOut", DELIVERY_TIMED_OUT) if node.ping != "Online" else None
    return None if fleet.known_resource(backend, iid) else ("Failed", UNDELIVERABLE)


def run_command_on_nodes(backend, command, node_ids, execution_id=None, supplied=None):
    """Fill the moto Command's invocations with the simulated plugin results."""
    nodes = state.of(backend).nodes
    command.invocations = []
    by_node = state.of(backend).command_plugins[command.command_id] = {}
    errors = 0
    timed_out = 0
    undeliverable = 0
    for iid in node_ids:
        node = nodes.get(iid)
        start = _now()
        missed = _undelivered(backend, node, iid)
        if missed is not None:
            inv_status, details = missed
            timed_out += details == DELIVERY_TIMED_OUT
            undeliverable += details == UNDELIVERABLE
            rpb = command.document_name == "AWS-RunPatchBaseline"
            step = fleet.STEPS[node.platform_type][0] if rpb and node is not None else \
                ("PatchLinux" if rpb else "aws:runShellScript")
            # The document's plugins report the invocation's state (UNCONFIRMED that AWS lists plugins
            # of an invocation that was never delivered).
            plugin_status = "TimedOut" if inv_status == "TimedOut" else "Failed"
            by_node[iid] = [{"Name": s, "Status": plugin_status, "StatusDetails": details, "ResponseCode": -1,
                             "Output": "", "StandardOutputUrl": "", "StandardErrorUrl": "", "full": "", "err": ""}
                            for s in (PLUGIN_STEPS if rpb else (step,))]
            command.invocations.append({
                "CommandId": command.command_id, "InstanceId": iid, "Comment": command.comment,
                "DocumentName": command.document_name, "DocumentVersion": "$DEFAULT", "PluginName": step,
                "ResponseCode": -1, "Status": inv_status, "StatusDetails": details,
                "StandardOutputContent": "", "StandardOutputUrl": "", "StandardErrorContent": "",
                "StandardErrorUrl": ""})
            continue
        if command.document_name == "AWS-RunPatchBaseline" and node is not None:
            code, out, err = payload.run_patch_baseline(backend, node, dict(command.parameters or {}, **(supplied or {})),
                                                        command.command_id, execution_id)
            step, folder = fleet.STEPS[node.platform_type]
        else:
            code, out, err, step, folder = 0, "", "", "aws:runShellScript", "awsrunShellScript"
        end = _now()
        status = "Success" if code == 0 else "Failed"
        errors += code != 0
        url = ""
        err_url = ""
        if command.output_s3_bucket_name:
            # S3 layout: <bucket>/<prefix>/<command-id>/<instance-id>/<plugin>/<step>/stdout
            # (API CommandPlugin: "amzn-s3-demo-bucket/my-prefix/i-02573cafcfEXAMPLE/awsrunShellScript ...
            # awsrunShellScript is the name of the plugin"; schema 2.x documents add the step name;
            # the Windows step runs aws:runPowerShellScript).
            parts = [x for x in (command.output_s3_key_prefix or "").strip("/").split("/") if x]
            base = "/".join(parts + [command.command_id, iid, folder, step])
            try:
                _upload(backend, node, command.output_s3_bucket_name, base + "/stdout", out)
                url = f"https://s3.{backend.region_name}.amazonaws.com/{command.output_s3_bucket_name}/{base}/stdout"
                if err:
                    _upload(backend, node, command.output_s3_bucket_name, base + "/stderr", err)
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
        by_node[iid] = plugins
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
    command.delivery_timed_out_count = timed_out
    # Command.StatusDetails (botocore model, "Understanding command statuses"): "Success: The command
    # successfully ran on all invocations"; "Failed: The value of MaxErrors or more command invocations
    # shows a status of Failed" (the stand-in: any failure, MaxErrors not simulated, as before);
    # "Delivery Timed Out: The value of MaxErrors or more command invocations shows a status of Delivery
    # Timed Out" (here: every invocation timed out); "Incomplete: The command was attempted on all managed
    # nodes and one or more invocations doesn't have a value of Success but not enough invocations failed
    # for the status to be Failed" (some timed out, the rest succeeded). Command.Status has no
    # Incomplete (CommandStatus enum): an Incomplete command's Status is "Failed" (UNCONFIRMED).
    # Undeliverable invocations count for neither (above); a command whose every target was
    # undeliverable: "Failed" / "Undeliverable" (UNCONFIRMED).
    if errors:
        command.status = command.status_details = "Failed"
    elif timed_out and timed_out + undeliverable == len(node_ids):
        command.status, command.status_details = "TimedOut", DELIVERY_TIMED_OUT
    elif timed_out:
        command.status, command.status_details = "Failed", "Incomplete"
    elif undeliverable and undeliverable == len(node_ids):
        command.status, command.status_details = "Failed", UNDELIVERABLE
    else:
        command.status = command.status_details = "Success"


def command_json(command):
    """The Command structure (SendCommand, ListCommands): moto's, with the count moto leaves at 0
    ("DeliveryTimedOutCount: The number of targets for which the status is Delivery Timed Out")."""
    d = command.response_object()
    d["DeliveryTimedOutCount"] = getattr(command, "delivery_timed_out_count", 0)
    return d


def send(backend, document_name, instance_ids, targets, parameters, comment="", output_bucket="", output_prefix="",
         max_concurrency="50", max_errors="0", service_role="", timeout=None, execution_id=None, exclude=(),
         refuse_unknown=True, supplied=None):
    """``exclude``: nodes left out as if they were not targeted (the control API's ``exclude`` of a
    window or association run); they get no invocation. ``refuse_unknown``: an instance id that is no
    node is refused, as SendCommand does; a window or association run that names a node by id after it
    is gone sends it an Undeliverable invocation instead (``run_command_on_nodes``). ``supplied``:
    parameters the service gives the document on the node without recording them in the command (a
    window's SnapshotId)."""
    ids = [i for i in fleet.resolve_targets(backend, instance_ids, targets) if i not in set(exclude)]
    nodes = state.of(backend).nodes
    for i in (instance_ids or []) if refuse_unknown else []:
        if i not in nodes and not fleet.known_resource(backend, i):
            # InvalidInstanceId: "The instance isn't valid ... or isn't registered" (API_SendCommand errors)
            raise m.RESTError("InvalidInstanceId", f"Instance {i} is not a managed node of the stand-in's fleet")
    cmd = m.Command(account_id=backend.account_id, comment=comment, document_name=document_name,
                    timeout_seconds=timeout, instance_ids=[], max_concurrency=max_concurrency, max_errors=max_errors,
                    output_s3_bucket_name=output_bucket, output_s3_key_prefix=output_prefix, parameters=parameters,
                    service_role_arn=service_role, targets=[], backend_region=backend.region_name)
    cmd.targets = targets or []
    run_command_on_nodes(backend, cmd, ids, execution_id, supplied)
    backend._commands.append(cmd)
    return cmd
