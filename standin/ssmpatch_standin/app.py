"""The WSGI application: moto's dispatcher, wrapped with request validation, a call log, fault
injection and the test-only control API under ``/_ssmpatch/`` (documented in standin/README.md).
"""

import datetime
import json
import socket
import threading
import time
import urllib.parse
from functools import lru_cache
from io import BytesIO
from xml.sax.saxutils import escape

from moto.core import DEFAULT_ACCOUNT_ID
from moto.core.base_backend import BackendDict
from moto.core.config import default_user_config
from moto.core.model_instances import reset_model_data
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from moto.iam.aws_managed_policies import aws_managed_policies_data
from moto.iam.models import AWSManagedPolicy, IAMBackend, iam_backends
from moto.ssm.models import ssm_backends

from ssmpatch_standin import faults, handlers, iam, paging, state, validation
from ssmpatch_standin.handlers import associations, maintenance_windows, quicksetup
from ssmpatch_standin.sim import fleet

VALIDATED = ("ssm", "ssm-quicksetup", "s3")
QUERY_PROTOCOL = ("iam", "sts")


def _json(start_response, status, obj, headers=()):
    body = json.dumps(obj, default=str).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body))), *headers])
    return [body]


def _service_of(environ):
    auth = environ.get("HTTP_AUTHORIZATION", "")
    # SigV4: Credential=AKID/20260101/us-east-1/<service>/aws4_request
    if "Credential=" in auth:
        try:
            return auth.split("Credential=", 1)[1].split(",", 1)[0].split("/")[3]
        except IndexError:
            return None
    return None


def _region_of(environ):
    auth = environ.get("HTTP_AUTHORIZATION", "")
    try:
        return auth.split("Credential=", 1)[1].split(",", 1)[0].split("/")[2]
    except IndexError:
        return "us-east-1"


def _ssm_backend(query):
    account = query.get("account", [DEFAULT_ACCOUNT_ID])[0]
    region = query.get("region", ["us-east-1"])[0]
    return ssm_backends[account][region]


# Error answers per protocol. SSM (JSON 1.1): __type + message; its throttling error is
# ThrottlingException (aws-facts §7: "In practice the code is ThrottlingException, message 'Rate
# exceeded'"). Quick Setup (rest-json): ThrottlingException is HTTP 429, InternalServerException 500
# (aws-facts §6). S3 (rest-xml): SlowDown 503 / InternalError 500.
def _fault_response(start_response, service, kind):
    if service == "s3":
        code, status, msg = (("SlowDown", "503 Slow Down", "Please reduce your request rate.") if kind == "throttle"
                             else ("InternalError", "500 Internal Server Error",
                                   "We encountered an internal error. Please try again."))
        body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{msg} (injected by the '
                f'stand-in)</Message><RequestId>standin</RequestId></Error>').encode()
        start_response(status, [("Content-Type", "application/xml"), ("Content-Length", str(len(body)))])
        return [body]
    if service == "ssm-quicksetup":
        code, status = (("ThrottlingException", "429 Too Many Requests") if kind == "throttle"
                        else ("InternalServerException", "500 Internal Server Error"))
        return _json(start_response, status, {"message": "injected by the stand-in"}, [("x-amzn-ErrorType", code)])
    code, status = (("ThrottlingException", "400 Bad Request") if kind == "throttle"
                    else ("InternalServerError", "500 Internal Server Error"))
    return _json(start_response, status, {"__type": code, "message": "Rate exceeded (injected by the stand-in)"
                                          if kind == "throttle" else "injected by the stand-in"},
                 [("x-amzn-ErrorType", code)])


def _ids(value, where):
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ValueError(f"{where} must be a list of instance ids, not {value!r}")
    return list(value)


def _exclusions(req, tasks):
    """A run's nodes to leave out: "exclude" [instance ids] (every task), and for a window
    "exclude_tasks" {WindowTaskId: [instance ids]} (that task only)."""
    allowed = {"in_progress", "exclude"} | ({"exclude_tasks"} if tasks else set())
    unknown = sorted(set(req) - allowed)
    if unknown:
        raise ValueError(f"unknown field(s) {', '.join(unknown)}; the run takes {', '.join(sorted(allowed))}")
    exclude = _ids(req.get("exclude", []), "exclude")
    per_task = req.get("exclude_tasks", {})
    if not isinstance(per_task, dict):
        raise ValueError(f"exclude_tasks must be an object {{WindowTaskId: [instance ids]}}, not {per_task!r}")
    return exclude, {k: _ids(v, f"exclude_tasks[{k}]") for k, v in per_task.items()}


class Middleware:
    def __init__(self, app):
        self.app = app

    # --- control API ---------------------------------------------------------------------------
    def control(self, environ, start_response, path, method, body):
        s = state.controls
        query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
        ok = "200 OK"
        try:
            req = json.loads(body) if body else {}
        except ValueError:
            return _json(start_response, "400 Bad Request", {"message": "body is not JSON"})
        parts = path.strip("/").split("/")[1:]   # after "_ssmpatch"
        try:
            if parts == ["health"]:
                return _json(start_response, ok, {"ok": True})
            if parts == ["violations"]:
                with state.LOCK:
                    out = list(s.violations)
                    if method == "DELETE":
                        s.violations.clear()   # answers what it removed
                    return _json(start_response, ok, out)
            if parts == ["unparsed"]:
                with state.LOCK:
                    out = list(s.unparsed)
                    if method == "DELETE":
                        s.unparsed.clear()   # answers what it removed
                    return _json(start_response, ok, out)
            if parts == ["calls"]:
                with state.LOCK:
                    out = list(s.calls)
                    if method == "DELETE":
                        s.calls.clear()   # answers what it removed
                    return _json(start_response, ok, out)
            if parts == ["faults"]:
                with state.LOCK:
                    if method == "POST":
                        try:
                            s.faults = faults.Faults(req)
                        except (ValueError, TypeError) as e:
                            return _json(start_response, "400 Bad Request", {"message": f"invalid fault rules: {e}"})
                    elif method == "DELETE":
                        s.faults = faults.Faults()
                    return _json(start_response, ok, s.faults.config)
            if parts == ["settings"]:
                with state.LOCK:
                    if method == "POST":
                        problems = iam.check_setting(req.get("iam")) if "iam" in req else []
                        if req.get("window_commands", "per-node") not in ("per-node", "per-task"):
                            problems.append(f"window_commands is per-node or per-task, not {req['window_commands']!r}")
                        if not isinstance(req.get("window_snapshot_parameter", True), bool):
                            problems.append("window_snapshot_parameter is true or false")
                        if problems:
                            return _json(start_response, "400 Bad Request",
                                         {"message": "invalid setting: " + "; ".join(problems)})
                        s.quotas.update(req.pop("quotas", {}))
                        s.settings.update(req)
                    return _json(start_response, ok, dict(s.settings, quotas=s.quotas))
            if parts == ["reset"] and method == "POST":
                BackendDict.reset()   # moto's backends, and with them the stand-in's records (handlers.install)
                reset_model_data()
                state.reset()
                return _json(start_response, ok, {"reset": True})
            if parts and parts[0] == "nodes":
                b = _ssm_backend(query)
                with state.LOCK:
                    if len(parts) == 1 and method == "POST":
                        region = req.get("region")
                        if region:
                            b = _ssm_backend({"region": [region], "account": [req.get("account", DEFAULT_ACCOUNT_ID)]})
                        try:
                            made = fleet.register(b, req.get("nodes", []), bool(req.get("replace")))
                        except (KeyError, ValueError) as e:
                            return _json(start_response, "400 Bad Request", {"message": f"invalid node: {e}"})
                        return _json(start_response, ok, [n.to_json() for n in made])
                    if len(parts) == 1 and method == "GET":
                        return _json(start_response, ok, [n.to_json() for n in state.of(b).nodes.values()])
                    if len(parts) == 1 and method == "DELETE":
                        fleet.register(b, [], replace=True)
                        return _json(start_response, ok, [])
                    node = state.of(b).nodes.get(parts[1])
                    if node is None:
                        return _json(start_response, "404 Not Found", {"message": f"no node {parts[1]}"})
                    if len(parts) == 2 and method == "GET":
                        return _json(start_response, ok, node.to_json())
                    if len(parts) == 2 and method == "DELETE":
                        # One node gone (stopped or terminated): sim.fleet.remove → the node as it was.
                        gone = node.to_json()
                        fleet.remove(b, node.id)
                        return _json(start_response, ok, gone)
                    if parts[2:] == ["agent"] and method == "POST":
                        # The node's SSM Agent state: {"PingStatus": "Online"|"ConnectionLost",
                        # "LastPingDateTime": ISO 8601} (sim.fleet.set_agent) → the node.
                        try:
                            fleet.set_agent(node, req)
                        except ValueError as e:
                            return _json(start_response, "400 Bad Request", {"message": f"invalid agent state: {e}"})
                        return _json(start_response, ok, node.to_json())
                    if parts[2:] == ["reboot"] and method == "POST":
                        # "After a reboot occurs and a Scan operation is run, the managed node status is
                        # updated to Compliant." (patch-manager-aws-runpatchbaseline, NoReboot)
                        node.pending_reboot.clear()
                        return _json(start_response, ok, node.to_json())
            if len(parts) == 3 and parts[0] == "windows" and parts[2] == "execute" and method == "POST":
                with state.LOCK:
                    try:
                        exclude, exclude_tasks = _exclusions(req, tasks=True)
                        rec = maintenance_windows.execute_window(_ssm_backend(query), parts[1],
                                                                 in_progress=bool(req.get("in_progress")),
                                                                 exclude=exclude, exclude_tasks=exclude_tasks)
                    except ValueError as e:
                        return _json(start_response, "400 Bad Request", {"message": str(e)})
                return _json(start_response, ok, {
                    "WindowExecutionId": rec["WindowExecutionId"], "Status": rec["Status"],
                    "Tasks": [{"TaskExecutionId": t["TaskExecutionId"], "TaskArn": t["TaskArn"],
                               "Status": t["Status"], "CommandIds": t.get("CommandIds", [])} for t in rec["tasks"]]})
            if parts == ["node-roles"] and method == "POST":
                # The nodes' instance-profile roles (sim.fleet.set_roles): {"role", "policy",
                # "managed_policies", "tags", "instances"} → the nodes with their InstanceProfile.
                region = req.get("region")
                b = _ssm_backend({"region": [region], "account": [req.get("account", DEFAULT_ACCOUNT_ID)]}) \
                    if region else _ssm_backend(query)
                with state.LOCK:
                    try:
                        nodes = fleet.set_roles(b, req)
                    except (KeyError, ValueError) as e:
                        return _json(start_response, "400 Bad Request", {"message": f"invalid node roles: {e}"})
                    return _json(start_response, ok, [{"InstanceId": n.id, "InstanceProfile": n.role.to_json()}
                                                      for n in nodes])
            if parts == ["quick-setup-roles"] and method == "POST":
                # The roles an administrator creates once per account before the first patch policy
                # (quick-setup-patch-manager), for tests: through moto's IAM, like CreateRole.
                with state.LOCK:
                    made = quicksetup.create_local_roles(req.get("account", DEFAULT_ACCOUNT_ID))
                return _json(start_response, ok, {"Roles": made})
            if parts == ["patch-policies", "run"] and method == "POST":
                with state.LOCK:
                    cmd = quicksetup.run_patch_policy(_ssm_backend(query), req["ManagerArn"],
                                                      req.get("Operation", "Scan"))
                return _json(start_response, ok, {"CommandId": cmd.command_id, "Status": cmd.status,
                                                  "InstanceIds": cmd.instance_ids,
                                                  "BaselineOverride": cmd.parameters["BaselineOverride"][0]})
            if len(parts) == 3 and parts[0] == "associations" and parts[2] == "run" and method == "POST":
                with state.LOCK:
                    try:
                        exclude, _ = _exclusions(req, tasks=False)
                        cmd, rec = associations.run_association(_ssm_backend(query), parts[1],
                                                                in_progress=bool(req.get("in_progress")),
                                                                exclude=exclude)
                    except ValueError as e:
                        return _json(start_response, "400 Bad Request", {"message": str(e)})
                if cmd is None:
                    return _json(start_response, ok, {"Status": rec["Status"], "ExecutionId": rec["ExecutionId"],
                                                      "AssociationVersion": rec["AssociationVersion"]})
                return _json(start_response, ok, {"CommandId": cmd.command_id, "Status": cmd.status,
                                                  "InstanceIds": cmd.instance_ids,
                                                  "ExecutionId": rec["ExecutionId"],
                                                  "AssociationVersion": rec["AssociationVersion"]})
        except Exception as e:   # moto errors (unknown window, association, ...) → 400 with the message
            return _json(start_response, "400 Bad Request", {"message": f"{type(e).__name__}: {e}"})
        return _json(start_response, "404 Not Found", {"message": f"no control endpoint {method} {path}"})

    # --- AWS requests --------------------------------------------------------------------------
    def __call__(self, environ, start_response):
        t0, started = time.perf_counter(), time.time()
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = BytesIO(body)
        if path.startswith("/_ssmpatch/"):
            return self.control(environ, start_response, path, method, body)

        service = _service_of(environ)
        if not service:
            return self.app(environ, start_response)
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        operation, params, problems = None, None, []
        if target:
            operation = target.split(".", 1)[1] if "." in target else target
            if service in VALIDATED:
                problems = validation.validate(service, operation, body)
                try:
                    params = json.loads(body or b"{}")
                except ValueError:
                    params = None
        elif service in QUERY_PROTOCOL and method == "POST":
            # IAM and STS speak the query protocol: Action=GetRole&Version=...&RoleName=... (the IAM
            # hook needs the operation and its parameters to authorize the call).
            form = urllib.parse.parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
            if form.get("Action"):
                operation = form["Action"][0]
                params = {k: v[0] for k, v in form.items() if k not in ("Action", "Version")}
        elif service in VALIDATED:
            try:
                operation, params = validation.parse_rest(service, environ)
                problems = validation.validate_params(service, operation, params)
            except Exception as e:   # not routable / not parseable: noted, never a violation
                with state.LOCK:
                    state.controls.unparsed.append({"service": service, "method": method, "path": path,
                                                "error": f"{type(e).__name__}: {e}"})
            environ["wsgi.input"] = BytesIO(body)
        if operation is None:
            operation = f"{method} {path}"
        # "operation" keeps the HTTP form ("PUT /bucket/key") for S3, as the first call log did, so
        # existing read/write filters keep working; "name" is the model's operation name everywhere.
        logged = f"{method} {path}" if service == "s3" else operation
        read = operation.startswith(("Describe", "Get", "List", "Head"))
        region, account, caller = _region_of(environ), _account_of(environ), _caller_of(environ)
        with state.LOCK:
            needs = _service_linked_role(environ, service, operation, params)
            auths = _authorizations(service, operation, params, region, account, needs)
            entry = {"service": service, "operation": logged, "name": operation, "action": iam.logged_action(service, operation),
                     # the resources the action is requested on, and the other actions the call needs
                     # (dependent actions, KMS for S3, a service-linked role): iam.authorizations
                     "resources": auths[0].resources if auths else None,
                     "dependent": [a.to_json() for a in auths[1:]],
                     "write": not read,
                     "method": method, "path": path, "region": region, "caller": caller,
                     "params": _loggable(service, params), "outcome": None, "started": round(started, 6)}
            state.controls.calls.append(entry)
            if problems:
                state.controls.violations.append({"service": service, "operation": operation, "problems": problems})
        with state.LOCK:
            kind, rule = state.controls.faults.decide(service, (operation, logged))

        def outcome(text):
            with state.LOCK:
                entry["outcome"] = text
                # The stand-in's own time for the call (from the request read to the answer built):
                # what benchmarks call "the time the reads take".
                entry["seconds"] = round(time.perf_counter() - t0, 6)

        if kind in faults.BEFORE:
            outcome(kind)
            return _fault_response(start_response, service, kind)
        with state.LOCK:
            denied = iam.allowed(state.controls.settings, service, operation, needs, params=params, region=region,
                                 account=account, caller=caller, qs_roles=_qs_roles(account, region))
            if not denied and needs:
                _create_service_linked_role(environ)
        if denied:
            outcome("403 AccessDenied")
            return _access_denied(start_response, service, denied, caller, account)
        if kind == "delay":
            time.sleep(rule.seconds)
        if kind == "never":
            outcome("never")
            deadline = time.monotonic() + rule.seconds
            while time.monotonic() < deadline:
                with state.LOCK:
                    if not state.controls.faults.active(rule):
                        break
                time.sleep(0.05)
            return _drop(environ, start_response)
        if problems and state.controls.settings.get("reject_invalid", True) and service != "s3":
            # AWS answers a request that breaks its model's constraints with a 400 ValidationException
            # ("1 validation error detected: Value ... failed to satisfy constraint ...").
            outcome("400 ValidationException")
            msg = f"{len(problems)} validation error(s) detected: " + "; ".join(problems)
            if service == "ssm-quicksetup":
                return _json(start_response, "400 Bad Request", {"message": msg},
                             [("x-amzn-ErrorType", "ValidationException")])
            return _json(start_response, "400 Bad Request", {"__type": "ValidationException", "message": msg})
        answer = self._forward(environ, body, service, operation, params)
        if kind in faults.AFTER:
            outcome(f"{kind} (applied: {answer[0].split(' ')[0]})")
            if kind == "applied-then-error":
                return _fault_response(start_response, service, "error")
            return _drop(environ, start_response)
        outcome(answer[0].split(" ")[0] + ("" if kind != "delay" else " (delayed)"))
        return paging.respond(start_response, answer)

    def _forward(self, environ, body, service, operation, params):
        """moto's answer, with client tokens honoured and the page size applied."""
        with state.LOCK:
            saved = state.controls.tokens.replay(service, operation, params)
        if saved == "mismatch":
            msg = "The same ClientToken was used with other parameters."
            return ("400 Bad Request", [("Content-Type", "application/x-amz-json-1.1")],
                    json.dumps({"__type": "IdempotentParameterMismatch", "message": msg}).encode())
        if saved is not None:
            return saved
        page_size = state.controls.settings.get("page_size")
        if paging.handles(service, operation, page_size):
            answer = paging.page(self.app, environ, service, operation, params, page_size)
        else:
            answer = paging.call(self.app, environ, body)
        with state.LOCK:
            c = state.controls
            c.tokens.remember(service, operation, params, answer)
            c.visibility.created(service, operation, answer, c.settings.get("visibility_delay"))
            answer = c.visibility.filter(service, operation, answer)
        return answer


# "If you don't specify a service role ARN, Systems Manager uses a service-linked role in your
# account. If no appropriate service-linked role for Systems Manager exists in your account, it is
# created when you run RegisterTaskWithMaintenanceWindow" (API_RegisterTaskWithMaintenanceWindow,
# ServiceRoleArn) — which takes iam:CreateServiceLinkedRole from the caller.
SSM_SERVICE_LINKED_ROLE = "AWSServiceRoleForAmazonSSM"


def _account_of(environ):
    """The caller's account: moto's default account for every test credential."""
    return DEFAULT_ACCOUNT_ID


def _service_linked_role(environ, service, operation, params):
    if (service, operation) != ("ssm", "RegisterTaskWithMaintenanceWindow") or (params or {}).get("ServiceRoleArn"):
        return []
    try:
        iam_backends[_account_of(environ)]["global"].get_role(SSM_SERVICE_LINKED_ROLE)
        return []
    except Exception:
        return ["iam:CreateServiceLinkedRole"]


def _create_service_linked_role(environ):
    # AWS's name and path for it (moto's own create_service_linked_role names it otherwise).
    iam_backends[_account_of(environ)]["global"].create_role(
        SSM_SERVICE_LINKED_ROLE, json.dumps({"Version": "2012-10-17", "Statement": []}),
        "/aws-service-role/ssm.amazonaws.com/", None, "Systems Manager service-linked role", [], None)


def _authorizations(service, operation, params, region, account, needs):
    """What the call needs (iam.authorizations), for the call log; never fails the call."""
    try:
        return iam.authorizations(service, operation, params, region=region, account=account, needs=needs,
                                  qs_roles=_qs_roles(account, region))
    except Exception:
        return []


def _qs_roles(account, region):
    """The local deployment roles of an existing Quick Setup manager (what Delete, Tag, Untag and an
    UpdateConfigurationDefinition without roles pass: iam.QS_PASS_ROLE)."""
    def roles(arn):
        mgr = quicksetup.quicksetup_backends[account][region].managers.get(arn)
        out = []
        for d in (mgr.definitions if mgr is not None else []):
            if d.get("LocalDeploymentAdministrationRoleArn"):
                out.append(d["LocalDeploymentAdministrationRoleArn"])
            if d.get("LocalDeploymentExecutionRoleName"):
                out.append(iam.role_arn(d["LocalDeploymentExecutionRoleName"], account))
        return out
    return roles


def _access_denied(start_response, service, denied, caller, account=DEFAULT_ACCOUNT_ID):
    """AWS's refusal of an action the caller's policies do not allow, in the service's protocol."""
    msg = denied.message(iam.user_arn(caller, account), service)
    if service == "s3":
        body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>{escape(msg)}</Message>'
                f'<RequestId>standin</RequestId></Error>').encode()
        start_response("403 Forbidden", [("Content-Type", "application/xml"), ("Content-Length", str(len(body)))])
        return [body]
    if service == "ssm-quicksetup":
        return _json(start_response, "403 Forbidden", {"message": msg}, [("x-amzn-ErrorType", "AccessDeniedException")])
    if service in QUERY_PROTOCOL:
        # IAM / STS (query protocol): an ErrorResponse document, code AccessDenied, HTTP 403.
        body = (f'<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>{escape(msg)}</Message>'
                f'</Error><RequestId>standin</RequestId></ErrorResponse>').encode()
        start_response("403 Forbidden", [("Content-Type", "text/xml"), ("Content-Length", str(len(body)))])
        return [body]
    return _json(start_response, "400 Bad Request", {"__type": "AccessDeniedException", "message": msg},
                 [("x-amzn-ErrorType", "AccessDeniedException")])


def _drop(environ, start_response):
    """Closes the client's connection without an answer (werkzeug's server gives the socket)."""
    sock = environ.get("werkzeug.socket")
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
    start_response("500 Internal Server Error", [("Content-Length", "0"), ("Connection", "close")])
    return [b""]


def _caller_of(environ):
    """The access key id the request was signed with (SigV4's Credential=<key>/...)."""
    auth = environ.get("HTTP_AUTHORIZATION", "")
    marker = "Credential="
    if marker not in auth:
        return None
    return auth.split(marker, 1)[1].split("/", 1)[0]


def _loggable(service, params):
    if params is None:
        return None
    if service == "s3":
        return {k: v for k, v in params.items() if k in ("Bucket", "Key", "ServerSideEncryption", "ACL", "Prefix")}
    return params


# --- start-up ------------------------------------------------------------------------------------

# AWS managed policies are in every account: "An AWS managed policy is a standalone policy that is
# created and administered by AWS" (IAM user guide, access_policies_managed-vs-inline), attached by ARN
# arn:aws:iam::aws:policy/<name> — e.g. AWSQuickSetupPatchPolicyDeploymentRolePolicy on a patch
# policy's local execution role (quick-setup-patch-manager) and AmazonSSMManagedInstanceCore on a
# managed node's instance profile. moto creates them only when told to: its configuration
# {"iam": {"load_aws_managed_policies": true}} (moto docs, configuration: "iam":
# {"load_aws_managed_policies": ...}; or MOTO_IAM_LOAD_MANAGED_POLICIES=true), read by
# IAMBackend.__init__ (moto.settings.load_iam_aws_managed_policies) for every account and partition.
# Without them AttachRolePolicy of any AWS managed policy fails (NoSuchEntity); AWS refuses only a
# policy it does not have. The stand-in turns that on, and has each backend build them lazily (below).
# The documents are moto 5.2.5's copy of AWS's (moto/iam/aws_managed_policies.py), the same the
# simulated nodes' roles are evaluated with (sim/fleet.py, managed_policy_document).
def _load_aws_managed_policies():
    default_user_config.setdefault("iam", {})["load_aws_managed_policies"] = True
    IAMBackend._init_aws_policies = lambda self: _PENDING
    IAMBackend._init_managed_policies = lambda self: _PENDING
    IAMBackend.aws_managed_policies = _AwsManagedPolicies("aws_managed_policies")
    IAMBackend.managed_policies = _AwsManagedPolicies("managed_policies")


# Made on first use. moto builds the ~1,600 policies (IAMBackend.__init__: _init_aws_policies,
# AWSManagedPolicy.from_data each) for every IAM backend it makes: one per partition of an account (6,
# moto.utilities.utils.PARTITION_NAMES) as soon as any request follows the first IAM use
# (moto.iam.models.get_account_id_from), and all of them again on every reset — about 0.8 s each time on
# 2 busy cores, paid by every test that registers a window task (the SSM service-linked role check)
# whether or not it reads a policy. Here a backend builds them when its aws_managed_policies or
# managed_policies is first read (GetPolicy, AttachRolePolicy, ListPolicies, CreatePolicy, ...), from
# moto's data parsed once; what IAM answers is the same.
_PENDING = object()
_BUILD_LOCK = threading.Lock()


class _AwsManagedPolicies:
    """IAMBackend.aws_managed_policies (the AWS managed policies, a list) and managed_policies (ARN →
    policy, the account's own policies added later), filled on first read."""

    def __init__(self, name):
        self.name = name

    def __get__(self, backend, owner=None):
        if backend is None:
            return self
        d = backend.__dict__
        if self.name not in d:
            raise AttributeError(self.name)
        if d[self.name] is _PENDING:
            with _BUILD_LOCK:
                if d.get("aws_managed_policies") is _PENDING:
                    d["aws_managed_policies"] = [
                        AWSManagedPolicy(name, account_id=backend.account_id, region=backend.region_name,
                                         default_version_id=version, path=path, document=document,
                                         create_date=created, update_date=updated)
                        for name, version, path, document, created, updated in _aws_managed_policy_data()]
                if d.get("managed_policies") is _PENDING:
                    d["managed_policies"] = {p.arn: p for p in d["aws_managed_policies"]}
        return d[self.name]

    def __set__(self, backend, value):
        backend.__dict__[self.name] = value


@lru_cache(maxsize=1)
def _aws_managed_policy_data():
    """moto's data, parsed once: (name, default version, path, document JSON, created, updated)."""
    return [(name, d.get("DefaultVersionId"), d.get("Path"), json.dumps(d.get("Document")),
             datetime.datetime.fromisoformat(d["CreateDate"]), datetime.datetime.fromisoformat(d["UpdateDate"]))
            for name, d in json.loads(aws_managed_policies_data).items()]


def build_app():
    _load_aws_managed_policies()
    handlers.install()
    return Middleware(DomainDispatcherApplication(create_backend_app))
