"""ssmpatch: schedule AWS Systems Manager Patch Manager and keep its compliance report honest.

The behaviour lives in the Rust core; this package re-exports its native bindings and defines
the exceptions they raise:

- ``SsmpatchError``: the base of every ssmpatch exception.
  - ``PlanNotFound`` (also ``FileNotFoundError``): the plan file cannot be read.
  - ``InvalidArgument`` (also ``ValueError``): a caller's mistake, e.g. an unknown operation or a
    naive datetime.
  - ``PlanError`` (also ``ValueError``): the plan is invalid (``file``, ``line``, ``column``,
    ``path``, ``message``, ``hint``, ``errors``).
  - ``ScheduleError`` (also ``ValueError``): a schedule expression, time zone or option
    (``message``, ``field``, ``column``, ``hint``).
  - ``StrategyError`` (also ``ValueError``): a strategy cannot be loaded, traps, exceeds a limit or
    returns what the host refuses.
  - ``AwsError`` (also ``RuntimeError``): an AWS call failed, or an apply stopped part way
    (``report`` then says what was done; applying again converges). Always has ``service``,
    ``operation``, ``code``, ``request_id``, ``hint`` and ``report`` (each possibly ``None``).
    - ``LockedError``: another apply or destroy of the same plan holds its lease; nothing was
      read or changed (``holder``, ``age``, ``expires``, ``parameter``).

The shapes of the results are ``TypedDict`` classes (``Explanation``, ``Calendar``, ``Run``,
``Diff``, ``ApplyResult``, ``RefreshReport``, ``ParsedOutput``…), importable from here; every
instant in them is a timezone-aware ``datetime``. The guide is python/README.md.

>>> from ssmpatch import Schedule
>>> Schedule.parse("cron(0 2 ? * 1L *)").description
'02:00 on the last Sunday of every month, UTC'
"""

from datetime import datetime
from typing import List, Optional

from ssmpatch._types import (
    Action,
    Addition,
    AdditionPlacement,
    Additions,
    Agent,
    ApplyResult,
    Backend,
    BaselineUse,
    Calendar,
    Change,
    Compiled,
    Diff,
    Difference,
    Done,
    Evidence,
    Explanation,
    FieldChange,
    FleetSummary,
    ForeignScan,
    HostDecisions,
    NativeForm,
    NodeOutcome,
    NodeResult,
    NodeStatus,
    Observed,
    OldestStale,
    OperationExplanation,
    OperationKind,
    OperationStatus,
    OutputValue,
    ParsedOutput,
    PatchCounts,
    PatchPolicyExplanation,
    PatchStateEvidence,
    Placement,
    PlanErrorItem,
    PolicyBaseline,
    RefreshReport,
    Rejection,
    Report,
    ReportEvidence,
    ReportKind,
    ResourceKey,
    ResourceKind,
    ResourceRef,
    Run,
    RunEvidence,
    RunSource,
    RunSummary,
    StatusReport,
    StrategyTestResult,
    Verdict,
    VerdictCounts,
    WrittenBy,
)


class SsmpatchError(Exception):
    """The base of every exception ssmpatch raises. ``hint``: what to do, when there is a hint."""

    hint: Optional[str] = None


class PlanNotFound(SsmpatchError, FileNotFoundError):
    """The plan file cannot be read."""


class InvalidArgument(SsmpatchError, ValueError):
    """A caller's mistake: an unknown operation, a naive datetime, a value out of range."""


class PlanError(SsmpatchError, ValueError):
    """A plan ssmpatch cannot accept; the attributes describe the first problem, ``errors`` all."""

    errors: List[PlanErrorItem] = []
    file: Optional[str] = None
    line: Optional[int] = None
    column: Optional[int] = None
    path: Optional[str] = None
    message: Optional[str] = None


class ScheduleError(SsmpatchError, ValueError):
    """A schedule expression, time zone or option ssmpatch cannot accept."""

    message: Optional[str] = None
    field: Optional[str] = None
    column: Optional[int] = None


class StrategyError(SsmpatchError, ValueError):
    """A strategy could not be loaded, trapped, exceeded a limit, or returned what the host refuses."""


class AwsError(SsmpatchError, RuntimeError):
    """An AWS call failed, or an apply stopped part way.

    ``service`` (e.g. ``ssm``) and ``operation`` (e.g. ``CreateMaintenanceWindow``): the AWS call
    that failed; ``code``: AWS's error code (``None`` when no answer came: unreachable endpoint,
    timeout, no credentials); ``request_id``: for AWS support; ``hint``: what to do; ``report``:
    when an apply or destroy stopped part way, ``{"diff": ..., "report": ...}`` of what it did
    (applying again converges), else ``None``. Every attribute is always present."""

    service: Optional[str] = None
    operation: Optional[str] = None
    code: Optional[str] = None
    request_id: Optional[str] = None
    report: Optional[ApplyResult] = None


class LockedError(AwsError):
    """Another apply or destroy of the same plan holds its lease (a Parameter Store parameter); nothing
    was read or changed. Wait for it to end; a killed holder's lease expires (``expires``) and is then
    taken over by the next apply.

    ``holder``: user, host, process id and command; ``age``: seconds since it took the lease;
    ``acquired``/``expires``: timezone-aware datetimes (UTC); ``parameter``: the parameter's name; ``plan``;
    ``race``: another apply took over the expired lease at the same moment."""

    plan: Optional[str] = None
    parameter: Optional[str] = None
    holder: Optional[str] = None
    acquired: Optional[datetime] = None
    expires: Optional[datetime] = None
    age: Optional[float] = None
    race: bool = False


from ssmpatch._native import (  # noqa: E402
    BACKENDS,
    CheckResult,
    Plan,
    Schedule,
    Session,
    Strategy,
    __version__,
    parse_output,
)

__all__ = [
    "Action",
    "Addition",
    "AdditionPlacement",
    "Additions",
    "Agent",
    "ApplyResult",
    "AwsError",
    "BACKENDS",
    "Backend",
    "BaselineUse",
    "Calendar",
    "Change",
    "CheckResult",
    "Compiled",
    "Diff",
    "Difference",
    "Done",
    "Evidence",
    "Explanation",
    "FieldChange",
    "FleetSummary",
    "ForeignScan",
    "HostDecisions",
    "InvalidArgument",
    "LockedError",
    "NativeForm",
    "NodeOutcome",
    "NodeResult",
    "NodeStatus",
    "Observed",
    "OldestStale",
    "OperationExplanation",
    "OperationKind",
    "OperationStatus",
    "OutputValue",
    "ParsedOutput",
    "PatchCounts",
    "PatchPolicyExplanation",
    "PatchStateEvidence",
    "Placement",
    "Plan",
    "PlanError",
    "PlanErrorItem",
    "PlanNotFound",
    "PolicyBaseline",
    "RefreshReport",
    "Rejection",
    "Report",
    "ReportEvidence",
    "ReportKind",
    "ResourceKey",
    "ResourceKind",
    "ResourceRef",
    "Run",
    "RunEvidence",
    "RunSource",
    "RunSummary",
    "Schedule",
    "ScheduleError",
    "Session",
    "SsmpatchError",
    "StatusReport",
    "Strategy",
    "StrategyError",
    "StrategyTestResult",
    "Verdict",
    "VerdictCounts",
    "WrittenBy",
    "__version__",
    "parse_output",
]
