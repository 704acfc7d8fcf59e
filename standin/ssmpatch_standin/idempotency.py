"""Client tokens, as AWS documents them: a create retried with the same ``ClientToken`` returns the
first call's resource instead of making another ("ClientToken: User-provided idempotency token",
CreateMaintenanceWindow, RegisterTargetWithMaintenanceWindow, RegisterTaskWithMaintenanceWindow,
CreatePatchBaseline in the SSM API reference); the same token with other parameters is refused
(``IdempotentParameterMismatch``). The operations are those whose input has a member with
botocore's ``idempotencyToken`` trait. moto ignores the token; this module answers for it.

How long AWS remembers a token: the SSM API reference says only "User-provided idempotency
token" and documents no window (UNCONFIRMED); other AWS APIs document 8 hours (AWS Batch
``clientToken``: "A clientToken is valid for 8 hours") or 24 hours (EC2). A client that relied on a
token for longer than AWS keeps it would make a duplicate there and not here, so the stand-in
forgets a token ``DEFAULT_WINDOW_SECONDS`` = 3600 s after its call was answered (``Tokens(window=)``):
shorter than any documented window, and as long as the longest single call ssmpatch makes (its
operation timeout is at most 3600 s), within which the SDK re-sends the same token on each retry.
A call with the token after that is a new call.
"""

import json
import time
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


# How long a token is remembered (see the module documentation: UNCONFIRMED).
DEFAULT_WINDOW_SECONDS = 3600.0


class Tokens:
    """``(service, operation, token)`` → the parameters and the answer of the call that used it, and
    when it was answered; forgotten ``window`` seconds after that."""

    def __init__(self, window=DEFAULT_WINDOW_SECONDS):
        self.seen = {}
        self.window = float(window)

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
        if time.monotonic() - seen[2] > self.window:
            del self.seen[(service, operation, token)]   # forgotten: a new call
            return None
        if seen[0] != self._key(params, member):
            return "mismatch"
        return seen[1]

    def remember(self, service, operation, params, answer):
        member = token_member(service, operation)
        token = (params or {}).get(member) if member else None
        if token is not None and answer[0].startswith("200"):
            self.seen[(service, operation, token)] = (self._key(params, member), answer, time.monotonic())
