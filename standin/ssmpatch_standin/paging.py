"""Page size control: every paginated operation answers at most ``page_size`` items per call.

AWS pages its List/Describe answers (``MaxResults`` is an upper bound, never a promise: "the
response might contain fewer results ... NextToken" — e.g. DescribeMaintenanceWindows,
ListAssociations in the SSM API reference), and moto often answers everything at once, so a
client loop that ignores ``NextToken`` passes against moto and fails on AWS. With the setting
``page_size`` (``POST /_ssmpatch/settings {"page_size": 2}``; cleared by reset) the stand-in
answers every operation that botocore's paginator model lists for SSM and Quick Setup the way
AWS may: at most ``page_size`` items (or fewer when the request's limit is smaller) and a
``NextToken`` while more remain.

How: the request's token and limit are removed, moto is asked for everything (its own tokens
followed), and the answer is cut into pages whose tokens (``standin-page-<offset>``, within the models' token patterns) are ours. A
token that is not ours is refused as AWS refuses a bad one (400 ``InvalidNextToken``).
"""

import json
from functools import lru_cache
from io import BytesIO

import botocore.session

TOKEN_PREFIX = "standin-page-"
PAGED_SERVICES = ("ssm", "ssm-quicksetup")


@lru_cache(maxsize=None)
def paginators(service):
    """``{operation: {"input_token", "output_token", "limit_key", "result_keys"}}`` from botocore."""
    if service not in PAGED_SERVICES:
        return {}
    try:
        loader = botocore.session.get_session().get_component("data_loader")
        config = loader.load_service_model(service, "paginators-1").get("pagination", {})
    except Exception:   # no paginator model for the service
        return {}
    out = {}
    for op, p in config.items():
        keys = p.get("result_key")
        keys = [keys] if isinstance(keys, str) else list(keys or [])
        input_token, output_token = p.get("input_token"), p.get("output_token")
        if not keys or not isinstance(input_token, str) or not isinstance(output_token, str):
            continue   # multi-token paginators: none in SSM or Quick Setup today
        out[op] = {"input_token": input_token, "output_token": output_token,
                   "limit_key": p.get("limit_key"), "result_keys": keys}
    return out


def call(app, environ, body):
    """Runs moto with this body; its status, headers and body."""
    env = dict(environ)
    env["wsgi.input"] = BytesIO(body)
    env["CONTENT_LENGTH"] = str(len(body))
    got = {}

    def start_response(status, headers, exc_info=None):
        got["status"], got["headers"] = status, headers

    chunks = app(env, start_response)
    try:
        data = b"".join(chunks)
    finally:
        if hasattr(chunks, "close"):
            chunks.close()
    return got["status"], got["headers"], data


def respond(start_response, answer):
    """Sends a captured ``(status, headers, body)``."""
    status, headers, data = answer
    if not data and any(k.lower() == "content-length" for k, _ in headers):
        # A HEAD answer has no body and the length of the one a GET would have (S3 HeadObject's
        # ContentLength): keep it.
        start_response(status, headers)
        return [data]
    headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
    start_response(status, headers + [("Content-Length", str(len(data)))])
    return [data]


def _bad_token(service, token):
    message = f"The NextToken {token!r} is not valid."
    if service == "ssm-quicksetup":
        body = json.dumps({"message": message}).encode()
        return ("400 Bad Request", [("Content-Type", "application/json"),
                                    ("x-amzn-ErrorType", "ValidationException")], body)
    body = json.dumps({"__type": "InvalidNextToken", "message": message}).encode()
    return "400 Bad Request", [("Content-Type", "application/x-amz-json-1.1")], body


def handles(service, operation, page_size):
    return bool(page_size) and operation in paginators(service)


def page(app, environ, service, operation, params, page_size):
    """The page of ``operation``'s answer that ``params`` asks for, at most ``page_size`` items,
    as ``(status, headers, body)``."""
    p = paginators(service)[operation]
    params = dict(params or {})
    token = params.pop(p["input_token"], None)
    limit = params.pop(p["limit_key"], None) if p["limit_key"] else None
    if token is not None and not (isinstance(token, str) and token.startswith(TOKEN_PREFIX)
                                  and token[len(TOKEN_PREFIX):].isdigit()):
        return _bad_token(service, token)
    offset = int(token[len(TOKEN_PREFIX):]) if token else 0
    size = page_size if not isinstance(limit, int) or limit <= 0 else min(page_size, limit)

    # Everything moto has, following its own tokens.
    items = {k: [] for k in p["result_keys"]}
    first = None
    ask = dict(params)
    for _ in range(10_000):
        status, headers, data = call(app, environ, json.dumps(ask).encode())
        if not status.startswith("200"):
            return status, headers, data
        page = json.loads(data or b"{}")
        if first is None:
            first = (status, headers, page)
        for k in p["result_keys"]:
            items[k].extend(page.get(k) or [])
        more = page.get(p["output_token"])
        if not more:
            break
        ask[p["input_token"]] = more
    status, headers, out = first
    total = max(len(v) for v in items.values())
    for k, v in items.items():
        out[k] = v[offset:offset + size]
    if offset + size < total:
        out[p["output_token"]] = f"{TOKEN_PREFIX}{offset + size}"
    else:
        out.pop(p["output_token"], None)
    return status, headers, json.dumps(out).encode()
