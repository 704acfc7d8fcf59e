"""Validate request bodies against botocore's service model, as AWS does before acting."""

import json
from functools import lru_cache

import botocore.session
from botocore.validate import ParamValidator


@lru_cache(maxsize=None)
def _model(service):
    return botocore.session.get_session().get_service_model(service)


def validate(service, operation, body):
    """Return a list of problems (empty when the request matches the model)."""
    try:
        op = _model(service).operation_model(operation)
    except Exception:  # unknown operation
        return [f"unknown operation {operation}"]
    try:
        params = json.loads(body or b"{}")
    except ValueError as e:
        return [f"body is not JSON: {e}"]
    if op.input_shape is None:
        return []
    report = ParamValidator().validate(params, op.input_shape)
    if report.has_errors():
        return report.generate_report().splitlines()
    return []
