"""Client tokens, as AWS documents them: a create retried with the same ``ClientToken`` returns the
first call's resource instead of making another ("ClientToken: User-provided idempotency token",
CreateMaintenanceWindow, RegisterTargetWithMaintenanceWindow, RegisterTaskWithMaintenanceWindow,
CreatePatchBaseline in the SSM API reference); the same token with other parameters is refused
(``IdempotentParameterMismatch``). The operations are those whose input has a member with
botocore's ``idempotencyToken`` trait. moto ignores the token; this module answers for it.
"""

import json
from functools import lru_cache

import botocore.session


@lru_cache(maxsize=None)
def token_member(service, operation):
    """The idempotency-token member of ``operation``'s input, or ``None``."""
    if service not in ("ssm", "ssm-quicksetup"):
        return None
    try:
        model = botocore.session.get_session().get_service_model(service)
        shape = model.operation_model(operation).input_shape
    except Exception:   # unknown operation or service
        return None
    if shape is None:
        return None
    return next((name for name, m in shape.members.items() if m.metadata.get("idempotencyToken")), None)


class Tokens:
    """``(service, operation, token)`` → the parameters and the answer of the call that used it."""

    def __init__(self):
        self.seen = {}

    @staticmethod
    def _key(params, member):
        return json.dumps({k: v for k, v in params.items() if k != member}, sort_keys=True)

    def replay(self, service, operation, params):
        """The saved answer ``(status, headers, body)`` for a retried call; ``"mismatch"`` when the
        token was used with other parameters; ``None`` when the token is new or absent."""
        member = token_member(service, operation)
        token = (params or {}).get(member) if member else None
        if token is None:
            return None
        seen = self.seen.get((service, operation, token))
        if seen is None:
            return None
        if seen[0] != self._key(params, member):
            return "mismatch"
        return seen[1]

    def remember(self, service, operation, params, answer):
        member = token_member(service, operation)
        token = (params or {}).get(member) if member else None
        if token is not None and answer[0].startswith("200"):
            self.seen[(service, operation, token)] = (self._key(params, member), answer)
