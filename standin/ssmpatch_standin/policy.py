"""IAM policy evaluation, pure (no AWS state): does a set of policies allow one request — an action on
one resource, with the request's condition keys — as IAM decides it for principals and resources of
one account?

The rules (IAM User Guide, "Policy evaluation logic" and the element references):

- An explicit ``Deny`` in any policy wins; otherwise an ``Allow`` is needed; otherwise the request is
  implicitly denied ("Policy evaluation logic": "an explicit deny in any of these policies overrides
  the allow").
- ``Action`` / ``NotAction``: globs with ``*`` and ``?``, matched case-insensitively ("action names
  are not case sensitive", "Policy elements: Action").
- ``Resource`` / ``NotResource``: ARN globs, case-sensitive. "You can use wildcard characters (* and
  ?) within the individual segments of an ARN (the parts separated by colons) ... If the * wildcard is
  the last character of a resource ARN segment, it can expand to match beyond the colon boundaries"
  ("Policy elements: Resource"). An action that has no resource type is requested on ``"*"``: only a
  pattern that matches the text ``*`` (that is ``"*"`` itself) covers it.
- ``Condition``: every operator block and every key must hold; the values of one key are ORed.
  Condition key names are case-insensitive, values case-sensitive (except the ``IgnoreCase`` and
  ``Bool`` operators). Operators: ``StringEquals``, ``StringNotEquals``, ``StringEqualsIgnoreCase``,
  ``StringNotEqualsIgnoreCase``, ``StringLike``, ``StringNotLike``, ``ArnEquals``, ``ArnLike``,
  ``ArnNotEquals``, ``ArnNotLike``, ``Bool``, ``Null``; the ``IfExists`` suffix and the
  ``ForAnyValue:`` / ``ForAllValues:`` prefixes.
- A key the request is KNOWN not to carry: "If the key that you specify in a policy condition is not
  present in the request context, the values do not match and the condition is false. If the policy
  condition requires that the key is not matched, such as StringNotLike or ArnNotLike, and the right
  key is not present, the condition is true." ``ForAllValues`` with no values is true,
  ``ForAnyValue`` false ("Condition operators", "Single-valued vs. multivalued context keys").

What the stand-in cannot decide is decided the strict way (STAND-IN RULE, not AWS's): an operator it
does not implement (Numeric*, Date*, IpAddress, Binary*), a condition key the stand-in does not model
for the request (it is in the request on AWS, with a value the stand-in does not know), a policy
variable it cannot resolve, ``NotPrincipal`` — makes an ``Allow`` statement NOT apply and a ``Deny``
statement APPLY. So a policy is never granted more by the stand-in than by AWS.

Resource-based policies (a bucket policy) are evaluated with the principal: ``Principal`` ``"*"`` /
``{"AWS": "*"}`` names everyone; the principal's ARN names it; an account (``"123456789012"`` or
``arn:aws:iam::123456789012:root``) names every principal of that account, but an ``Allow`` naming the
account grants nothing by itself — the account delegates to its identity policies ("Cross account
resource access in IAM" / "How IAM roles differ from resource-based policies": a resource policy
that names the account requires an identity policy too). Service principals never match a caller.
"""

import json
import re

OPERATORS = {
    # name: (matcher kind, negated)
    "StringEquals": ("eq", False), "StringNotEquals": ("eq", True),
    "StringEqualsIgnoreCase": ("eqi", False), "StringNotEqualsIgnoreCase": ("eqi", True),
    "StringLike": ("like", False), "StringNotLike": ("like", True),
    "ArnEquals": ("arn", False), "ArnLike": ("arn", False),
    "ArnNotEquals": ("arn", True), "ArnNotLike": ("arn", True),
    "Bool": ("bool", False), "Null": ("null", False),
}
ALLOW, DENY, IMPLICIT = "Allow", "ExplicitDeny", "ImplicitDeny"


class Context:
    """The condition keys of one request. ``values``: key → list of strings (present) or ``None``
    (known to be absent). ``known_prefixes``: key families the stand-in models completely (e.g.
    ``aws:principaltag/``: every tag of the principal is known, so a tag it lacks is absent). Any
    other key is UNKNOWN to the stand-in."""

    def __init__(self, values=None, known_prefixes=()):
        self.values = {}
        for k, v in (values or {}).items():
            self.values[k.lower()] = None if v is None else [str(x) for x in (v if isinstance(v, list) else [v])]
        self.known_prefixes = tuple(p.lower() for p in known_prefixes)

    def lookup(self, key):
        """``(known, values)``: known=False → the stand-in does not know; values None → absent."""
        k = key.lower()
        if k in self.values:
            return True, self.values[k]
        if any(k.startswith(p) for p in self.known_prefixes):
            return True, None
        return False, None

    def to_json(self):
        return {k: v for k, v in sorted(self.values.items())}


class Request:
    """One authorization: ``action`` (``service:Action``) on ``resource`` (an ARN or ``"*"``)."""

    def __init__(self, action, resource, context=None):
        self.action = action
        self.resource = resource
        self.context = context or Context()

    def __repr__(self):
        return f"Request({self.action!r}, {self.resource!r})"


class Decision:
    def __init__(self, effect, statement=None, source=None):
        self.effect = effect           # ALLOW, DENY (explicit) or IMPLICIT
        self.statement = statement     # the statement that decided (a Deny, or the Allow)
        self.source = source           # "identity" | "resource"

    @property
    def allowed(self):
        return self.effect == ALLOW


# --- documents --------------------------------------------------------------------------------------

def documents(policy):
    """A policy document, a JSON string of one, or a list of them → list of documents (dicts)."""
    if policy is None:
        return []
    if isinstance(policy, str):
        policy = json.loads(policy)
    if isinstance(policy, list):
        out = []
        for p in policy:
            out += documents(p)
        return out
    return [policy]


def _as_list(v):
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def statements(doc):
    st = doc.get("Statement", [])
    return st if isinstance(st, list) else [st]


def check(policy, resource_based=False):
    """Problems of a policy (empty when IAM would accept its shape): what the stand-in needs to
    evaluate it. Identity policies need Effect, Action|NotAction and Resource|NotResource ("Policy
    elements"; an identity policy without Resource is rejected by IAM)."""
    problems = []
    try:
        docs = documents(policy)
    except (ValueError, TypeError) as e:
        return [f"not a policy document: {e}"]
    if not docs:
        return ["no policy document"]
    for i, doc in enumerate(docs):
        if not isinstance(doc, dict) or "Statement" not in doc:
            problems.append(f"document {i}: needs a Statement")
            continue
        for j, s in enumerate(statements(doc)):
            where = f"document {i} statement {j}"
            if not isinstance(s, dict):
                problems.append(f"{where}: not an object")
                continue
            if s.get("Effect") not in ("Allow", "Deny"):
                problems.append(f"{where}: Effect must be Allow or Deny")
            if ("Action" in s) == ("NotAction" in s):
                problems.append(f"{where}: needs exactly one of Action, NotAction")
            if ("Resource" in s) == ("NotResource" in s):
                problems.append(f"{where}: needs exactly one of Resource, NotResource")
            if resource_based and ("Principal" in s) == ("NotPrincipal" in s):
                problems.append(f"{where}: a resource-based policy needs exactly one of Principal, NotPrincipal")
            if not resource_based and ("Principal" in s or "NotPrincipal" in s):
                problems.append(f"{where}: an identity-based policy has no Principal")
            cond = s.get("Condition", {})
            if not isinstance(cond, dict) or any(not isinstance(v, dict) for v in cond.values()):
                problems.append(f"{where}: Condition must map operators to {{key: values}}")
    return problems


# --- matching ---------------------------------------------------------------------------------------

_VAR = re.compile(r"\$\{([^}]*)\}")


def _tokens(pattern, context):
    """The pattern as tokens (literal text, ``*``, ``?``) with policy variables resolved; ``None``
    when a variable cannot be resolved (unknown or absent key, default values)."""
    out = []
    pos = 0
    for m in _VAR.finditer(pattern):
        out += _wild(pattern[pos:m.start()])
        name = m.group(1)
        if name in ("*", "?", "$"):
            out.append(("lit", name))   # ${*} ${?} ${$}: the literal character
        elif "," in name:
            return None                 # ${key, 'default'}: not simulated
        else:
            known, values = context.lookup(name.strip())
            if not known or not values or len(values) != 1:
                return None
            out.append(("lit", values[0]))
        pos = m.end()
    out += _wild(pattern[pos:])
    return out


def _wild(text):
    out = []
    for ch in text:
        out.append(("star", ch) if ch == "*" else ("one", ch) if ch == "?" else ("lit", ch))
    return out


def _regex(tokens, arn=False):
    parts = []
    for i, (kind, ch) in enumerate(tokens):
        if kind == "lit":
            parts.append(re.escape(ch))
        elif not arn:
            parts.append(".*" if kind == "star" else ".")
        elif kind == "one":
            parts.append("[^:]")
        else:
            nxt = tokens[i + 1] if i + 1 < len(tokens) else None
            # the last character of a segment may expand beyond the colon boundaries
            parts.append(".*" if nxt is None or nxt == ("lit", ":") else "[^:]*")
    return "".join(parts)


def glob(pattern, value, context=None, ignore_case=False, arn=False):
    """True / False, or None when the pattern holds a variable the context cannot resolve."""
    tokens = _tokens(str(pattern), context or Context())
    if tokens is None:
        return None
    flags = re.IGNORECASE if ignore_case else 0
    return re.fullmatch(_regex(tokens, arn=arn), value, flags) is not None


def _literal(pattern, context):
    """A condition value with variables resolved (no wildcards), or None."""
    tokens = _tokens(str(pattern), context)
    if tokens is None:
        return None
    return "".join(ch for _, ch in tokens)


def _any_match(patterns, value, context, arn=False, ignore_case=False):
    """Does ``value`` match any of the patterns: True/False/None (None: undecidable)."""
    unknown = False
    for p in patterns:
        r = glob(p, value, context, ignore_case=ignore_case, arn=arn)
        if r:
            return True
        unknown |= r is None
    return None if unknown else False


def action_matches(stmt, action):
    if "Action" in stmt:
        return any(glob(p, action, ignore_case=True) for p in _as_list(stmt["Action"]))
    return not any(glob(p, action, ignore_case=True) for p in _as_list(stmt.get("NotAction")))


def resource_matches(stmt, resource, context):
    if "Resource" in stmt:
        return _any_match(_as_list(stmt["Resource"]), resource, context, arn=True)
    r = _any_match(_as_list(stmt.get("NotResource")), resource, context, arn=True)
    return None if r is None else not r


def _value_matches(kind, policy_value, value, context):
    if kind == "bool":
        return str(policy_value).lower() == value.lower()
    if kind == "like":
        return glob(policy_value, value, context)
    if kind == "arn":
        return glob(policy_value, value, context, arn=True)
    lit = _literal(policy_value, context)
    if lit is None:
        return None
    return lit.lower() == value.lower() if kind == "eqi" else lit == value


def _one_value(kind, policy_values, value, context):
    unknown = False
    for pv in policy_values:
        r = _value_matches(kind, pv, value, context)
        if r:
            return True
        unknown |= r is None
    return None if unknown else False


def _norm(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def condition_holds(operator, key, policy_values, context):
    """One operator/key pair: True, False or None (the stand-in cannot decide)."""
    op = operator
    qualifier = None
    for q in ("ForAnyValue:", "ForAllValues:"):
        if op.startswith(q):
            qualifier, op = q[:-1], op[len(q):]
    if_exists = op.endswith("IfExists") and op != "IfExists"
    if if_exists:
        op = op[:-len("IfExists")]
    if op not in OPERATORS:
        return None
    kind, negated = OPERATORS[op]
    pvalues = [_norm(v) for v in _as_list(policy_values)]
    known, values = context.lookup(key)
    if not known:
        return None
    if kind == "null":
        # Null: "true" → the key must be absent, "false" → present.
        want_absent = any(v.lower() == "true" for v in pvalues)
        return (values is None) == want_absent
    if values is None or values == []:
        if if_exists:
            return True
        if qualifier == "ForAllValues":
            return True
        if qualifier == "ForAnyValue":
            return False
        return negated
    results = [_one_value(kind, pvalues, v, context) for v in values]
    if negated:
        results = [None if r is None else not r for r in results]
    if qualifier == "ForAllValues":
        return False if False in results else (None if None in results else True)
    # ForAnyValue, or a plain operator: any request value (a single-valued key has one).
    if not negated or qualifier == "ForAnyValue":
        return True if True in results else (None if None in results else False)
    # A plain negated operator: no request value may match.
    return False if False in results else (None if None in results else True)


def conditions_hold(stmt, context):
    result = True
    for operator, block in (stmt.get("Condition") or {}).items():
        for key, pvalues in block.items():
            r = condition_holds(operator, key, pvalues, context)
            if r is False:
                return False
            if r is None:
                result = None
    return result


def _principal_matches(stmt, principal_arn, principal_account):
    """For resource-based statements: 'grants' (names the principal), 'account' (names its account:
    a Deny applies, an Allow only delegates), False, or None (NotPrincipal: undecidable)."""
    if "NotPrincipal" in stmt:
        return None
    p = stmt.get("Principal")
    if p == "*":
        return "grants"
    if not isinstance(p, dict):
        return False
    best = False
    for v in _as_list(p.get("AWS")):
        if v == "*":
            return "grants"
        if principal_arn and v == principal_arn:
            return "grants"
        if principal_account and v in (principal_account, f"arn:aws:iam::{principal_account}:root"):
            best = "account"
    return best


def _applies(stmt, request, principal=None, resource_based=False):
    """True / False / None for one statement (None: the stand-in cannot decide)."""
    if not action_matches(stmt, request.action):
        return False, None
    r = resource_matches(stmt, request.resource, request.context)
    if r is False:
        return False, None
    c = conditions_hold(stmt, request.context)
    if c is False:
        return False, None
    who = "identity"
    if resource_based:
        arn, account = principal or (None, None)
        who = _principal_matches(stmt, arn, account)
        if who is False:
            return False, None
    return (None if r is None or c is None or who is None else True), who


def decide(request, identity=(), resource=(), principal=None):
    """The decision for one request. ``identity``: identity-based policy documents of the principal;
    ``resource``: resource-based policy documents of the resource (same account); ``principal``:
    ``(principal ARN, account id)`` for the resource policies."""
    allow = None
    for source, docs in (("identity", identity), ("resource", resource)):
        for doc in docs:
            for stmt in statements(doc):
                applies, who = _applies(stmt, request, principal, source == "resource")
                if stmt.get("Effect") == "Deny":
                    if applies is not False:      # True, or undecidable: the strict way
                        return Decision(DENY, stmt, source)
                elif applies is True and allow is None and (source == "identity" or who == "grants"):
                    allow = Decision(ALLOW, stmt, source)
    return allow or Decision(IMPLICIT)
