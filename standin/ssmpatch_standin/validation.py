"""Validate request bodies against botocore's service model, as AWS does before acting.

``ParamValidator`` (botocore) checks required members, types and minimums; AWS also enforces
maximums, enums and patterns (the "1 validation error detected: Value ... failed to satisfy
constraint" answers), so ``_Strict`` adds those. JSON-protocol requests (SSM) are validated from
their body; rest-json (ssm-quicksetup) and rest-xml (S3) requests are first turned into operation
parameters with moto's own router and protocol parsers (URI labels, query string, headers, body).
"""

import json
import re
from functools import lru_cache

import botocore.session
from botocore.validate import ParamValidator

from ssmpatch_standin import limits


@lru_cache(maxsize=None)
def _model(service):
    return botocore.session.get_session().get_service_model(service)


@lru_cache(maxsize=None)
def _pattern(p):
    try:
        return re.compile(p)
    except re.error:
        return None   # Java-only syntax (e.g. \p{L}); not checked


class _Strict:
    """max length / max value / max items, enum and pattern — what botocore's client-side validator
    leaves to the service."""

    def __init__(self):
        self.errors = []

    def check(self, value, shape, path):
        t = shape.type_name
        meta = shape.metadata
        if value is None:
            return
        if t == "structure" and isinstance(value, dict):
            for k, v in value.items():
                if k in shape.members:
                    self.check(v, shape.members[k], f"{path}.{k}" if path else k)
        elif t == "list" and isinstance(value, list):
            if "max" in meta and len(value) > meta["max"]:
                self.errors.append(f"{path}: {len(value)} items, at most {meta['max']} allowed")
            for i, v in enumerate(value):
                self.check(v, shape.member, f"{path}[{i}]")
        elif t == "map" and isinstance(value, dict):
            if "max" in meta and len(value) > meta["max"]:
                self.errors.append(f"{path}: {len(value)} entries, at most {meta['max']} allowed")
            for k, v in value.items():
                self.check(k, shape.key, f"{path} key {k!r}")
                self.check(v, shape.value, f"{path}.{k}")
        elif t == "string" and isinstance(value, str):
            if "max" in meta and len(value) > meta["max"]:
                self.errors.append(f"{path}: length {len(value)}, at most {meta['max']} allowed")
            if shape.enum and value not in shape.enum:
                self.errors.append(f"{path}: {value!r} is not one of {shape.enum}")
            pat = meta.get("pattern")
            if pat:
                rx = _pattern(pat)
                if rx is not None and not rx.search(value):
                    self.errors.append(f"{path}: {value!r} does not match pattern {pat}")
        elif t in ("integer", "long") and isinstance(value, int) and not isinstance(value, bool):
            if "max" in meta and value > meta["max"]:
                self.errors.append(f"{path}: {value} is greater than the maximum {meta['max']}")


def validate_params(service, operation, params):
    """Problems (empty when ``params`` is a valid input of ``service``'s ``operation``)."""
    try:
        op = _model(service).operation_model(operation)
    except Exception:
        return [f"unknown operation {operation}"]
    if op.input_shape is None:
        return []
    problems = []
    report = ParamValidator().validate(params, op.input_shape)
    if report.has_errors():
        problems += [line.strip() for line in report.generate_report().splitlines()
                     if line.strip() and not line.startswith("Parameter validation failed")]
    strict = _Strict()
    strict.check(params, op.input_shape, "")
    # What AWS enforces beyond the model's checkable constraints (tag patterns, tags per resource).
    return problems + strict.errors + limits.problems(service, operation, params)


def validate(service, operation, body):
    """JSON protocol: validate the raw body."""
    try:
        params = json.loads(body or b"{}")
    except ValueError as e:
        return [f"body is not JSON: {e}"]
    return validate_params(service, operation, params)


def parse_rest(service, environ):
    """(operation name, params) of a rest-json / rest-xml request, using moto's router and parser."""
    from moto.core.parse import PROTOCOL_PARSERS
    from moto.core.request import Request
    from moto.core.routing import get_service_router

    req = Request(dict(environ))
    op, uri_params = get_service_router(service).match(req)
    protocol = _model(service).protocol
    parser = PROTOCOL_PARSERS[protocol](op)
    parsed = parser.parse({"method": req.method, "values": req.values, "headers": req.headers,
                           "body": req.get_data(), "url_path": req.path, "url_params": uri_params})
    params = _plain(parsed)
    # Streaming blobs (S3 PutObject Body) are not part of what the model constrains.
    if op.input_shape is not None:
        for name, member in op.input_shape.members.items():
            if member.type_name == "blob" and name in params:
                params[name] = b""
    return op.name, params


def _plain(v):
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_plain(x) for x in v]
    return v


# The limits that need a resource's state (tags already on it, S3 bucket names) live in moto's
# backends; the stand-in's app imports this module before serving, so they are in place first.
limits.install()
