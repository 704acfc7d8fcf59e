"""All of the stand-in's own state — what moto does not keep — behind one lock.

- ``controls``: the middleware's — violations, unparsed requests, the call log, fault rules, client
  tokens, delayed visibility, settings and quotas (``app.py``, README "Test-only control API").
- ``records(account, region)`` / ``of(backend)``: the simulated records of one account and Region —
  the fleet's nodes, associations and their executions, window executions, compliance, patch states,
  Run Command plugin results, Quick Setup configuration managers.

``LOCK`` (an ``RLock``) guards all of it: the handlers installed into moto take it for the whole call
(``locked``), the middleware and the control API take it around what they read and change.
``reset()`` clears everything (``POST /_ssmpatch/reset``); ``reset_records()`` only the records, which
is what moto's own reset (``POST /moto-api/reset``) clears as well (``handlers.install``).

Fields that moto's own records lack (a window's ``Enabled``, a baseline's ``ModifiedDate``, a
command's invocations) stay on moto's objects, so they live and die with them.
"""

import functools
import threading

from ssmpatch_standin import faults, idempotency, visibility

LOCK = threading.RLock()


def locked(fn):
    """``fn``, run while holding ``LOCK``."""
    @functools.wraps(fn)
    def run(*args, **kwargs):
        with LOCK:
            return fn(*args, **kwargs)
    return run


# --- quotas -----------------------------------------------------------------------------------
# "AWS Systems Manager endpoints and quotas" (https://docs.aws.amazon.com/general/latest/gr/ssm.html),
# default per account per Region: Maintenance windows 50, Tasks per maintenance window 20, Targets per
# maintenance window 100, Patch baselines 50 (aws-facts §7). Quotas can be raised on AWS; the control
# API can change these (POST /_ssmpatch/settings {"quotas": {...}}).
# Quotas (https://docs.aws.amazon.com/general/latest/gr/ssm.html, State Manager): "Maximum number of
# associations 2,000".
MAX_ASSOCIATIONS = 2000
DEFAULT_QUOTAS = {"maintenance_windows": 50, "tasks_per_window": 20, "targets_per_window": 100,
                  "patch_baselines": 50, "associations": MAX_ASSOCIATIONS}
DEFAULT_SETTINGS = {"reject_invalid": True}


class Controls:
    """The middleware's state (one per stand-in)."""

    def __init__(self):
        self.clear()

    def clear(self):
        self.violations = []     # requests botocore's model rejects
        self.unparsed = []       # rest requests the validator could not route or parse
        self.calls = []          # the call log
        self.faults = faults.Faults()
        self.tokens = idempotency.Tokens()
        self.visibility = visibility.Visibility()
        self.settings = dict(DEFAULT_SETTINGS)
        self.quotas = dict(DEFAULT_QUOTAS)


class Records:
    """The simulated records of one account and Region."""

    def __init__(self):
        self.nodes = {}                   # instance id -> sim.fleet.Node
        self.associations = {}            # association id -> handlers.associations.Association
        self.window_executions = {}       # window execution id -> dict (handlers.maintenance_windows)
        # {(resource_type, resource_id): {compliance_type: {"items": [...], "summary": {...}, "hash": str}}}
        self.compliance = {}
        self.patch_states = {}            # instance id -> InstancePatchState
        self.instance_patches = {}        # instance id -> [PatchComplianceData]
        self.command_plugins = {}         # command id -> {instance id: [plugin results]} (sim.commands)
        self.command_associations = {}    # command id -> {"AssociationId", "ExecutionId"} (internal link only)
        self.configuration_managers = {}  # Quick Setup manager ARN -> handlers.quicksetup.ConfigurationManager


controls = Controls()
_records = {}   # (account id, Region) -> Records

# Called with a moto SSM backend after its fleet changed (a node registered, a node's tags changed):
# State Manager and Quick Setup run on nodes that newly became targets (the handlers register here,
# so the fleet needs no import of them).
fleet_listeners = []


def fleet_changed(backend):
    with LOCK:
        for listener in fleet_listeners:
            listener(backend)


def records(account_id, region_name):
    with LOCK:
        r = _records.get((account_id, region_name))
        if r is None:
            r = _records[(account_id, region_name)] = Records()
        return r


def of(backend):
    """The records of a moto backend's account and Region."""
    return records(backend.account_id, backend.region_name)


def reset_records():
    with LOCK:
        _records.clear()


def reset():
    with LOCK:
        _records.clear()
        controls.clear()
