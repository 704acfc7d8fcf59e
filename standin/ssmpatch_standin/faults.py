"""Fault rules: what the stand-in does to a matching AWS call instead of answering it plainly.

``POST /_ssmpatch/faults`` takes either the first form (kept for existing tests)::

    {"throttle": 0.2, "error": 0.1, "seed": 7, "services": ["ssm"], "operations": ["CreateAssociation"]}
    {"operations": {"CreateAssociation": {"throttle": 0.5, "error": 0.1}}}

or rules, tried in order, the first that matches a call deciding::

    {"seed": 7, "rules": [{"operation": "CreateMaintenanceWindow", "kind": "applied-then-error", "times": 1}]}

A rule: ``operation`` (a model name such as ``CreateAssociation``, S3's HTTP form such as ``PUT``,
or a list; absent = every call), ``service`` (``ssm``, ``ssm-quicksetup``, ``s3``; absent = all),
``kind``, ``rate`` (probability per matching call, one seeded draw; default 1), ``times`` (how many
calls it affects before it stops matching; default unlimited), ``seconds`` (``delay``, ``never``).

Kinds — what AWS and the network do, each seen in practice:

- ``throttle``: the call is refused before it takes effect (SSM ``ThrottlingException`` 400,
  Quick Setup 429, S3 ``SlowDown`` 503);
- ``error``: a 5xx before it takes effect;
- ``applied-then-error``: the call takes effect, then the answer is a 5xx — a client that retries
  without an idempotency token makes a second resource;
- ``applied-then-drop``: the call takes effect, then the connection is closed with no answer;
- ``delay``: the answer comes after ``seconds`` (default 5);
- ``never``: no answer for ``seconds`` (default 600) or until the rule is removed or the stand-in
  reset; then the connection is closed.
"""

import random

KINDS = ("throttle", "error", "applied-then-error", "applied-then-drop", "delay", "never")
BEFORE = ("throttle", "error")
AFTER = ("applied-then-error", "applied-then-drop")


class Rule:
    def __init__(self, spec):
        kind = spec.get("kind")
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
        ops = spec.get("operation", spec.get("operations"))
        self.operations = None if ops is None else ({ops} if isinstance(ops, str) else set(ops))
        services = spec.get("service", spec.get("services"))
        self.services = None if services is None else ({services} if isinstance(services, str) else set(services))
        self.kind = kind
        self.rate = float(spec.get("rate", 1.0))
        self.times = spec.get("times")
        self.seconds = float(spec.get("seconds", 600 if kind == "never" else 5))
        self.spec = spec

    def matches(self, service, names):
        if self.times is not None and self.times <= 0:
            return False
        if self.services is not None and service not in self.services:
            return False
        return self.operations is None or any(n in self.operations for n in names)


def _legacy(config):
    """The first form as rules: one draw decides throttle, error or nothing."""
    rules = []
    ops = config.get("operations")
    per_op = ops if isinstance(ops, dict) else None
    if per_op is not None:
        for name, rates in per_op.items():
            rules.append({"operation": name, "services": config.get("services"),
                          "throttle": rates.get("throttle", 0), "error": rates.get("error", 0)})
    elif config.get("throttle") or config.get("error"):
        rules.append({"operation": ops, "services": config.get("services"),
                      "throttle": config.get("throttle", 0), "error": config.get("error", 0)})
    return rules


class Faults:
    """The rules in force and their seeded generator."""

    def __init__(self, config=None):
        config = config or {}
        self.config = config
        self.rng = random.Random(config.get("seed", 0))
        self.legacy = _legacy(config) if "rules" not in config else []
        self.rules = [Rule(r) for r in config.get("rules", [])]

    def decide(self, service, names):
        """The kind of fault for this call (and its rule), or ``(None, None)``."""
        for r in self.legacy:
            ops = r["operation"]
            if r["services"] and service not in r["services"]:
                continue
            if ops is not None and not any(n in ops for n in names):
                continue
            x = self.rng.random()
            if x < r["throttle"]:
                return "throttle", None
            if x < r["throttle"] + r["error"]:
                return "error", None
            return None, None
        for rule in self.rules:
            if not rule.matches(service, names):
                continue
            if rule.rate < 1.0 and self.rng.random() >= rule.rate:
                return None, None
            if rule.times is not None:
                rule.times -= 1
            return rule.kind, rule
        return None, None

    def active(self, rule):
        """Whether ``rule`` is still in force (a ``never`` answer stops waiting when it is not)."""
        return any(r is rule for r in self.rules)
