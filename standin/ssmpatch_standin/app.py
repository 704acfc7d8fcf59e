"""The WSGI application: moto's dispatcher, wrapped with request validation, fault injection
and a small test-only control API under ``/_ssmpatch/``.

Control API (JSON over HTTP, test-only):

- ``GET  /_ssmpatch/health``        → ``{"ok": true}``
- ``GET  /_ssmpatch/violations``    → requests that failed botocore validation
- ``DELETE /_ssmpatch/violations``  → clear them
- ``GET  /_ssmpatch/calls``         → ``[{"service", "operation"}]`` of every AWS call received
- ``DELETE /_ssmpatch/calls``       → clear the call log
- ``POST /_ssmpatch/faults``        → ``{"throttle": 0.2, "error": 0.1, "seed": 7, "operations": ["CreateMaintenanceWindow"]}``;
  the given fraction of matching calls is answered ``ThrottlingException`` (400) or
  ``InternalServerError`` (500). ``{}`` turns faults off.
- ``POST /moto-api/reset``          → moto's own reset of every backend.
"""

import json
import random
import threading
from io import BytesIO

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

from ssmpatch_standin import quicksetup, ssm_ext, validation

_lock = threading.Lock()


class State:
    def __init__(self):
        self.violations = []
        self.calls = []
        self.faults = {}
        self.rng = random.Random(0)


def _json(start_response, status, obj, headers=()):
    body = json.dumps(obj).encode()
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


class Middleware:
    def __init__(self, app):
        self.app = app
        self.state = State()

    def control(self, environ, start_response, path, method, body):
        s = self.state
        if path == "/_ssmpatch/health":
            return _json(start_response, "200 OK", {"ok": True})
        if path == "/_ssmpatch/violations":
            with _lock:
                if method == "DELETE":
                    s.violations.clear()
                return _json(start_response, "200 OK", list(s.violations))
        if path == "/_ssmpatch/calls":
            with _lock:
                if method == "DELETE":
                    s.calls.clear()
                return _json(start_response, "200 OK", list(s.calls))
        if path == "/_ssmpatch/faults" and method == "POST":
            cfg = json.loads(body or b"{}")
            with _lock:
                s.faults = cfg
                s.rng = random.Random(cfg.get("seed", 0))
            return _json(start_response, "200 OK", cfg)
        return _json(start_response, "404 Not Found", {"message": f"no control endpoint {method} {path}"})

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = BytesIO(body)
        if path.startswith("/_ssmpatch/"):
            return self.control(environ, start_response, path, method, body)

        service = _service_of(environ)
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        operation = target.split(".", 1)[1] if "." in target else f"{method} {path.split('?')[0]}"
        if service:
            with _lock:
                self.state.calls.append({"service": service, "operation": operation})
            if service == "ssm" and target:
                problems = validation.validate("ssm", operation, body)
                if problems:
                    with _lock:
                        self.state.violations.append({"service": service, "operation": operation, "problems": problems})
            fault = self._fault(operation)
            if fault == "throttle":
                return _json(start_response, "400 Bad Request",
                             {"__type": "ThrottlingException", "message": "Rate exceeded (injected by the stand-in)"},
                             [("x-amzn-ErrorType", "ThrottlingException")])
            if fault == "error":
                return _json(start_response, "500 Internal Server Error",
                             {"__type": "InternalServerError", "message": "injected by the stand-in"},
                             [("x-amzn-ErrorType", "InternalServerError")])
        return self.app(environ, start_response)

    def _fault(self, operation):
        f = self.state.faults
        if not f:
            return None
        ops = f.get("operations")
        if ops and operation not in ops:
            return None
        with _lock:
            x = self.state.rng.random()
        if x < f.get("throttle", 0):
            return "throttle"
        if x < f.get("throttle", 0) + f.get("error", 0):
            return "error"
        return None


def build_app():
    ssm_ext.install()
    quicksetup.install()
    return Middleware(DomainDispatcherApplication(create_backend_app))
