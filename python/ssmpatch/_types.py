"""The shapes of ssmpatch's results, as ``TypedDict`` classes (importable from ``ssmpatch``).

Every result is a plain ``dict`` (JSON-compatible but for times) with these keys. Every instant
in every result is a timezone-aware ``datetime.datetime``: at UTC when ssmpatch reports UTC (e.g.
a calendar run's ``at``), at the offset it was written with otherwise (a run's ``local``, the
times in AWS-RunPatchBaseline's summary). Keys marked optional here are absent, not ``None``,
when they do not apply (the ``ssmpatch ... --json`` objects leave them out the same way).
"""

from datetime import datetime
from typing import Any, Dict, List, Literal, Optional, TypedDict, Union

# The closed sets of names below are unions of one-value Literals (one Literal of several values
# means the same to a type checker; this spelling is also a Union at run time, as stubtest wants).

Backend = Union[Literal["patch-policy"], Literal["association"], Literal["maintenance-window"]]
"""A backend's name (also ``ssmpatch.BACKENDS``)."""

OperationKind = Union[Literal["scan"], Literal["install"]]
"""What an operation runs: AWS-RunPatchBaseline's ``Scan`` or ``Install``."""

ResourceKind = Union[
    Literal["deployment-roles"],
    Literal["override-object"],
    Literal["patch-baseline"],
    Literal["maintenance-window"],
    Literal["window-target"],
    Literal["window-task"],
    Literal["association"],
    Literal["patch-policy"],
]
"""The kinds of resource ssmpatch creates."""

Action = Union[Literal["create"], Literal["update"], Literal["delete"], Literal["unchanged"]]
"""What ``apply`` does (or did) to a resource."""

NodeResult = Union[
    Literal["compliance-written"],
    Literal["scan-started"],
    Literal["no-action"],
    Literal["skipped"],
    Literal["rejected"],
    Literal["failed"],
    Literal["unreadable-platform"],
]
"""What ``refresh`` did for one node."""


# ---- explain ------------------------------------------------------------------------------


class _NativeFormBase(TypedDict):
    expression: str
    time_zone: str


class NativeForm(_NativeFormBase, total=False):
    """A schedule as a backend takes it: expression, time zone, and (associations) an offset."""

    offset_days: int
    apply_only_at_cron_interval: bool


class Difference(TypedDict):
    """A run where the closest native schedule differs from the plan's rule (``None``: no run)."""

    rule: Optional[datetime]
    native: Optional[datetime]


class _CompiledBase(TypedDict):
    result: Literal["exact", "fallback", "inexpressible"]


class Compiled(_CompiledBase, total=False):
    """An operation's schedule compiled for one backend. ``exact``: ``native``; ``fallback``
    (one-shot windows): ``reason``, ``closest``, ``differences``, ``windows``;
    ``inexpressible``: ``reason``, ``hint``, ``closest``, ``differences``."""

    native: NativeForm
    reason: str
    hint: str
    closest: NativeForm
    differences: List[Difference]
    windows: List[NativeForm]


class _BaselineUseBase(TypedDict):
    use: Literal["default", "override"]


class BaselineUse(_BaselineUseBase, total=False):
    """Which baseline an operation runs against: ``default`` (``baseline`` says which), or
    ``override`` (a BaselineOverride document: ``sha256``, S3 ``key`` and ``url``)."""

    baseline: str
    sha256: str
    key: str
    url: str


class OperationExplanation(TypedDict):
    """One operation of an explained plan."""

    name: str
    kind: OperationKind
    schedule: str
    description: str
    time_zone: str
    compiled: Compiled
    backends: Dict[str, Compiled]
    baseline: BaselineUse
    at_apply: str


class Rejection(TypedDict):
    """A backend that cannot run the plan, and why."""

    backend: Backend
    reasons: List[str]


class Placement(TypedDict):
    """Where the approval rules live: which operation's rules are in the real baseline."""

    rules_from: str
    summary: str
    consequence: str
    operations: Dict[str, BaselineUse]


class PolicyBaseline(TypedDict):
    """A patch policy's baseline for one operating system."""

    operating_system: str
    source: str
    baseline: str


class PatchPolicyExplanation(TypedDict):
    """The patch policy's settings (patch-policy backend only)."""

    administration_role: str
    execution_role: str
    create_deployment_roles: bool
    attach_node_policies: bool
    undeclared_os: str
    node_roles: str
    deployment_roles: str
    baselines: List[PolicyBaseline]


class _AdditionPlacementBase(TypedDict):
    type: Literal["window-task", "association"]


class AdditionPlacement(_AdditionPlacementBase, total=False):
    """Where an added operation runs: a ``window-task`` (``priority``) or an ``association``
    (``native``, ``after_hours``)."""

    priority: int
    native: NativeForm
    after_hours: int


class Addition(TypedDict):
    """An operation the strategy adds after one of the plan's."""

    name: str
    kind: OperationKind
    after: str
    uses_override: bool
    placement: AdditionPlacement


class Additions(TypedDict):
    """What the plan's strategy adds (``strategy`` is empty when the plan has none)."""

    strategy: str
    operations: List[Addition]
    notes: List[str]


class _ExplanationBase(TypedDict):
    plan: str
    backend: Backend
    chosen: Literal["auto", "explicit"]
    rejected: List[Rejection]
    placement: Placement
    operations: List[OperationExplanation]
    warnings: List[str]
    additions: Additions


class Explanation(_ExplanationBase, total=False):
    """``Plan.explain()``: the ``ssmpatch explain --json`` object."""

    patch_policy: PatchPolicyExplanation


# ---- calendar -----------------------------------------------------------------------------


class Run(TypedDict):
    """One scheduled run: ``at`` in UTC, ``local`` the same instant at the operation's time
    zone's offset; ``baseline`` is ``default`` or ``override:<sha256>``."""

    operation: str
    kind: OperationKind
    at: datetime
    local: datetime
    baseline: str


class Calendar(TypedDict):
    """``Plan.calendar()``: the ``ssmpatch calendar --json`` object, runs sorted by time."""

    plan: str
    backend: Backend
    runs: List[Run]


# ---- plan, apply, destroy ----------------------------------------------------------------------

FieldChange = TypedDict("FieldChange", {"field": str, "from": Any, "to": Any})
"""One field an update changes: its old (``from``) and new (``to``) values."""


class _ResourceBase(TypedDict):
    kind: ResourceKind
    name: str


class ResourceKey(_ResourceBase, total=False):
    """A resource's identity (``parent``: the window of a window target or task)."""

    parent: str


class _ChangeBase(_ResourceBase):
    action: Action


class Change(_ChangeBase, total=False):
    """One resource in a diff: what ``apply`` would do to it (``id``: its AWS id when it
    exists; ``fields``: what an update changes; ``note``: why, when there is more to say)."""

    parent: str
    id: str
    fields: List[FieldChange]
    note: str


class _ObservedBase(TypedDict):
    key: ResourceKey
    id: str
    spec: Dict[str, Any]
    owned: bool


class Observed(_ObservedBase, total=False):
    """A live resource that carries the plan's name but that ssmpatch did not create."""

    parent_id: str


class Diff(TypedDict):
    """``plan()``: the ``ssmpatch plan --json`` object (``foreign``: resources in the way)."""

    plan: str
    backend: Backend
    changes: List[Change]
    foreign: List[Observed]


class _DoneBase(_ResourceBase):
    action: Action
    id: str


class Done(_DoneBase, total=False):
    """What ``apply`` or ``destroy`` did to one resource."""

    parent: str


class _ReportBase(TypedDict):
    plan: str
    backend: Backend
    done: List[Done]


class Report(_ReportBase, total=False):
    """What ``apply`` or ``destroy`` did, in order; ``error``, ``hint`` and ``retry_may_help``
    only when it stopped part way (then ``AwsError`` is raised with it as ``report``)."""

    error: str
    hint: str
    retry_may_help: bool


class ApplyResult(TypedDict):
    """``apply()`` and ``destroy()``: the diff they carried out and what was done."""

    diff: Diff
    report: Report


# ---- refresh ------------------------------------------------------------------------------


class NodeOutcome(TypedDict):
    """What ``refresh`` did for one node after one run (``execution_id``: the command id)."""

    instance_id: str
    operation: str
    execution_id: str
    result: NodeResult
    detail: str


class RefreshReport(TypedDict):
    """``refresh()``: the ``ssmpatch refresh --json`` object."""

    plan: str
    strategy: str
    nodes: List[NodeOutcome]
    messages: List[str]


# ---- status -------------------------------------------------------------------------------

Verdict = Union[
    Literal["failed"],
    Literal["unreachable"],
    Literal["missed"],
    Literal["overwritten"],
    Literal["stale"],
    Literal["unknown"],
    Literal["current"],
]
"""Whether a node's report tells the truth about its last run (most in need of attention first)."""

ReportKind = Union[
    Literal["recorded"], Literal["rescanned"], Literal["written"], Literal["not-reported"], Literal["policy"]
]
"""Where an operation's result should show: AWS records it, a rescan records it, refresh writes
it, nothing reports it by design, or a patch policy records it."""

RunSource = Union[Literal["maintenance-window"], Literal["association"], Literal["command"]]
WrittenBy = Union[Literal["ssmpatch"], Literal["ssmpatch-run"], Literal["other"]]

VerdictCounts = TypedDict(
    "VerdictCounts",
    {
        "failed": int,
        "unreachable": int,
        "missed": int,
        "overwritten": int,
        "stale": int,
        "unknown": int,
        "current": int,
    },
)
"""A count per verdict; every key is always present."""


class OldestStale(TypedDict):
    """The node whose result has gone unwritten longest."""

    instance_id: str
    operation: str
    since: datetime


class _FleetSummaryBase(TypedDict):
    nodes: int
    verdicts: VerdictCounts
    by_operation: Dict[str, VerdictCounts]


class FleetSummary(_FleetSummaryBase, total=False):
    """Counts: ``verdicts`` each node once under its worst verdict; ``by_operation`` each node
    under its verdict for that operation."""

    oldest_stale: OldestStale


class ResourceRef(TypedDict):
    """A window or association that runs an operation of the plan."""

    kind: Backend
    id: str
    name: str
    operation: str


class _RunSummaryBase(TypedDict):
    operation: str
    source: RunSource
    id: str
    status: str
    nodes: int


class RunSummary(_RunSummaryBase, total=False):
    """One execution of the operation (or of one of its additions) read from AWS."""

    planned: datetime
    started: datetime
    ended: datetime


class _OperationStatusBase(TypedDict):
    name: str
    kind: OperationKind
    report: ReportKind
    compliance_type: str
    planned: List[datetime]
    resources: List[ResourceRef]
    runs: List[RunSummary]


class OperationStatus(_OperationStatusBase, total=False):
    """An operation: its last expected run, its next, and the runs read."""

    expected: datetime
    next: datetime


class _AgentBase(TypedDict):
    ping_status: str


class Agent(_AgentBase, total=False):
    """The node's SSM Agent as DescribeInstanceInformation reports it."""

    last_ping: datetime
    platform: str


class _RunEvidenceBase(TypedDict):
    operation: str
    source: RunSource
    status: str


class RunEvidence(_RunEvidenceBase, total=False):
    """The node's invocation in a run (the operation's, or the scan that should report it)."""

    execution_id: str
    task_execution_id: str
    command_id: str
    status_details: str
    response_code: int
    started: datetime
    ended: datetime
    snapshot_id: str


class PatchCounts(TypedDict):
    """The patch state's counts."""

    installed: int
    installed_other: int
    installed_pending_reboot: int
    installed_rejected: int
    missing: int
    failed: int
    not_applicable: int


class _PatchStateEvidenceBase(TypedDict):
    operation: str
    baseline_id: str
    operation_start: datetime
    operation_end: datetime
    counts: PatchCounts


class PatchStateEvidence(_PatchStateEvidenceBase, total=False):
    """DescribeInstancePatchStates for the node: its last scan or install without override."""

    patch_group: str
    snapshot_id: str
    critical_non_compliant: int
    security_non_compliant: int
    other_non_compliant: int


class _ReportEvidenceBase(TypedDict):
    compliance_type: str
    status: str
    execution_time: datetime
    compliant: int
    non_compliant: int
    written_by: WrittenBy


class ReportEvidence(_ReportEvidenceBase, total=False):
    """A compliance summary of the node (``Patch`` or the plan's ``Custom:`` type)."""

    execution_id: str
    execution_type: str
    overall_severity: str


class ForeignScan(TypedDict, total=False):
    """A later scan that is not the plan's, named as far as AWS says."""

    recorded: datetime
    execution_id: str
    execution_type: str
    command_id: str
    document: str
    operation: str
    baseline_override: bool
    comment: str
    requested: datetime


class _EvidenceBase(TypedDict):
    reports: List[ReportEvidence]


class Evidence(_EvidenceBase, total=False):
    """What a verdict rests on; a part AWS did not give is absent."""

    agent: Agent
    run: RunEvidence
    report_run: RunEvidence
    patch_state: PatchStateEvidence
    later_scan: ForeignScan


class NodeStatus(TypedDict):
    """One node and operation: the verdict, why, and the evidence."""

    instance_id: str
    operation: str
    verdict: Verdict
    reason: str
    warnings: List[str]
    evidence: Evidence


class StatusReport(TypedDict):
    """``status()``: the ``ssmpatch status --json`` object (nodes most in need of attention first)."""

    plan: str
    backend: Backend
    at: datetime
    summary: FleetSummary
    operations: List[OperationStatus]
    nodes: List[NodeStatus]
    messages: List[str]


# ---- parse_output -------------------------------------------------------------------------

OutputValue = Union[str, datetime]
"""A value AWS-RunPatchBaseline printed: text as printed (counts too, e.g. ``"2"``), or a
datetime for an instant (``OperationStartTime``…; an empty ``InstalledTime`` stays ``""``)."""


class ParsedOutput(TypedDict):
    """``parse_output()``: the ``ssmpatch output parse --json`` object. ``summary`` is the
    run's summary (``MissingCount``, ``OperationEndTime``…), ``non_compliant`` one dict per
    package that is not compliant (``Id``, ``Title``, ``PatchState``, ``PatchSeverity``…)."""

    instance_id: Optional[str]
    operation: Optional[Literal["Scan", "Install"]]
    summary: Dict[str, OutputValue]
    non_compliant: List[Dict[str, OutputValue]]
    all_compliant: bool
    truncated: bool


# ---- errors --------------------------------------------------------------------------------


class PlanErrorItem(TypedDict):
    """One problem of a plan (``PlanError.errors``)."""

    file: Optional[str]
    line: Optional[int]
    column: Optional[int]
    path: str
    message: str
    hint: Optional[str]


class HostDecisions(TypedDict):
    """What the host would do with a strategy's actions (``StrategyTestResult["host"]``)."""

    nodes: List[NodeOutcome]
    """Per node, as in a refresh report: ``compliance-written``/``scan-started`` for what would be
    sent, ``skipped``, ``rejected``, ``no-action`` with the reason in ``detail``."""
    messages: List[str]
    notes: List[str]
    """What refresh decides on AWS besides (these are not simulated)."""


class StrategyTestResult(TypedDict):
    """``Strategy.test()``: the operations the strategy adds, its actions after the runs, and what
    the host would do with them (``ssmpatch strategy test --json``)."""

    strategy: str
    added_operations: List[Dict[str, Any]]
    actions: List[Dict[str, Any]]
    host: HostDecisions
