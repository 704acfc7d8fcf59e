from datetime import datetime
from os import PathLike
from typing import Any, Callable, Coroutine, List, Optional, Tuple, Union, final

from ssmpatch._types import (
    ApplyResult,
    Backend,
    Calendar,
    Diff,
    Explanation,
    ParsedOutput,
    RefreshReport,
    StatusReport,
    StrategyTestResult,
)

__all__ = ["Schedule", "CheckResult", "Plan", "Session", "parse_output", "Strategy", "BACKENDS", "__version__"]

BACKENDS: Tuple[str, ...]
__version__: str

@final
class CheckResult:
    """Whether a backend accepts a schedule; when not, why and what to do instead."""

    @property
    def backend(self) -> str: ...
    @property
    def ok(self) -> bool: ...
    @property
    def reason(self) -> Optional[str]: ...
    @property
    def hint(self) -> Optional[str]: ...
    @property
    def rule(self) -> Optional[str]: ...
    @property
    def documented(self) -> Optional[bool]: ...
    def __bool__(self) -> bool: ...

@final
class Schedule:
    """An AWS schedule expression (`cron(...)`, `rate(...)`, `at(...)`), parsed and compiled."""

    def __new__(cls, expression: str) -> Schedule: ...
    @staticmethod
    def parse(expression: str) -> Schedule: ...
    @property
    def expression(self) -> str: ...
    @property
    def description(self) -> str: ...
    def describe(self, tz: str = "UTC", offset_days: Optional[int] = None) -> str: ...
    def next(
        self,
        count: int = 5,
        after: Optional[datetime] = None,
        tz: str = "UTC",
        offset_days: Optional[int] = None,
    ) -> List[datetime]: ...
    def check(self, backend: Backend, tz: str = "UTC", offset_days: Optional[int] = None) -> CheckResult: ...
    def __reduce__(self) -> Tuple[Any, Tuple[str]]: ...

@final
class Plan:
    """A validated plan: targets, baselines, per-operation approval and schedules."""

    @staticmethod
    def load(path: Union[str, PathLike[str]]) -> Plan: ...
    @staticmethod
    def from_dict(d: Any) -> Plan: ...
    @property
    def name(self) -> str: ...
    @property
    def operations(self) -> List[str]: ...
    def validate(self, after: Optional[datetime] = None, *, from_: Optional[datetime] = None) -> List[str]: ...
    def explain(self, after: Optional[datetime] = None, *, from_: Optional[datetime] = None) -> Explanation: ...
    def calendar(
        self, count: int = 6, after: Optional[datetime] = None, *, from_: Optional[datetime] = None
    ) -> Calendar: ...
    def render_override(self, operation: str) -> str: ...
    def plan(
        self,
        region: Optional[str] = None,
        profile: Optional[str] = None,
        endpoint_url: Optional[str] = None,
        *,
        connect_timeout: Optional[float] = None,
        attempt_timeout: Optional[float] = None,
        operation_timeout: Optional[float] = None,
    ) -> Diff: ...
    def apply(
        self,
        region: Optional[str] = None,
        profile: Optional[str] = None,
        endpoint_url: Optional[str] = None,
        concurrency: int = 8,
        force: bool = False,
        *,
        connect_timeout: Optional[float] = None,
        attempt_timeout: Optional[float] = None,
        operation_timeout: Optional[float] = None,
    ) -> ApplyResult: ...
    def destroy(
        self,
        region: Optional[str] = None,
        profile: Optional[str] = None,
        endpoint_url: Optional[str] = None,
        concurrency: int = 8,
        force: bool = False,
        *,
        connect_timeout: Optional[float] = None,
        attempt_timeout: Optional[float] = None,
        operation_timeout: Optional[float] = None,
    ) -> ApplyResult: ...
    def refresh(
        self,
        operation: Optional[str] = None,
        since: Optional[datetime] = None,
        strategy: Optional[str] = None,
        region: Optional[str] = None,
        profile: Optional[str] = None,
        endpoint_url: Optional[str] = None,
        command_id: Optional[str] = None,
        progress: Optional[Callable[[str], object]] = None,
        *,
        connect_timeout: Optional[float] = None,
        attempt_timeout: Optional[float] = None,
        operation_timeout: Optional[float] = None,
    ) -> RefreshReport: ...
    def plan_async(
        self,
        region: Optional[str] = None,
        profile: Optional[str] = None,
        endpoint_url: Optional[str] = None,
        *,
        connect_timeout: Optional[float] = None,
        attempt_timeout: Optional[float] = None,
        operation_timeout: Optional[float] = None,
    ) -> Coroutine[Any, Any, Diff]: ...
    def apply_async(
        self,
        region: Optional[str] = None,
        profile: Optional[str] = None,
        endpoint_url: Optional[str] = None,
        concurrency: int = 8,
        force: bool = False,
        *,
        connect_timeout: Optional[float] = None,
        attempt_timeout: Optional[float] = None,
        operation_timeout: Optional[float] = None,
    ) -> Coroutine[Any, Any, ApplyResult]: ...
    def destroy_async(
        self,
        region: Optional[str] = None,
        profile: Optional[str] = None,
        endpoint_url: Optional[str] = None,
        concurrency: int = 8,
        force: bool = False,
        *,
        connect_timeout: Optional[float] = None,
        attempt_timeout: Optional[float] = None,
        operation_timeout: Optional[float] = None,
    ) -> Coroutine[Any, Any, ApplyResult]: ...
    def refresh_async(
        self,
        operation: Optional[str] = None,
        since: Optional[datetime] = None,
        strategy: Optional[str] = None,
        region: Optional[str] = None,
        profile: Optional[str] = None,
        endpoint_url: Optional[str] = None,
        command_id: Optional[str] = None,
        progress: Optional[Callable[[str], object]] = None,
        *,
        connect_timeout: Optional[float] = None,
        attempt_timeout: Optional[float] = None,
        operation_timeout: Optional[float] = None,
    ) -> Coroutine[Any, Any, RefreshReport]: ...
    def __reduce__(self) -> Tuple[Any, Tuple[Optional[str], str]]: ...

@final
class Session:
    """A plan and the AWS settings, given once; the plan is compiled when the session is first used.

    Every AWS call has time limits, in seconds (each more than 0 and at most 3600; ``None`` is the
    default): ``connect_timeout`` (10) to connect to an endpoint, ``attempt_timeout`` (60) for one
    attempt's answer before it is retried, ``operation_timeout`` (180) for a whole call with its
    retries. A call that runs out raises ``AwsError`` naming the operation and the limit. Blocking
    methods release the GIL and raise ``KeyboardInterrupt`` on Ctrl-C.

    ``apply`` and ``destroy`` hold the plan's lease (one at a time per plan, in Parameter Store) while
    they run; another holder makes them raise ``LockedError``. ``lease_ttl`` (seconds, 5 to 86400;
    default 600) is how long a killed holder keeps others out.
    """

    def __new__(
        cls,
        plan: Plan,
        *,
        region: Optional[str] = None,
        profile: Optional[str] = None,
        endpoint_url: Optional[str] = None,
        concurrency: int = 8,
        force: bool = False,
        connect_timeout: Optional[float] = None,
        attempt_timeout: Optional[float] = None,
        operation_timeout: Optional[float] = None,
        lease_ttl: Optional[float] = None,
    ) -> Session: ...
    @property
    def plan_name(self) -> str: ...
    def plan(self) -> Diff: ...
    def apply(self) -> ApplyResult: ...
    def destroy(self) -> ApplyResult: ...
    def refresh(
        self,
        operation: Optional[str] = None,
        since: Optional[datetime] = None,
        strategy: Optional[str] = None,
        command_id: Optional[str] = None,
        progress: Optional[Callable[[str], object]] = None,
    ) -> RefreshReport: ...
    def plan_async(self) -> Coroutine[Any, Any, Diff]: ...
    def apply_async(self) -> Coroutine[Any, Any, ApplyResult]: ...
    def destroy_async(self) -> Coroutine[Any, Any, ApplyResult]: ...
    def refresh_async(
        self,
        operation: Optional[str] = None,
        since: Optional[datetime] = None,
        strategy: Optional[str] = None,
        command_id: Optional[str] = None,
        progress: Optional[Callable[[str], object]] = None,
    ) -> Coroutine[Any, Any, RefreshReport]: ...
    def status(
        self,
        operation: Optional[str] = None,
        at: Optional[datetime] = None,
        progress: Optional[Callable[[str], object]] = None,
    ) -> StatusReport: ...
    def status_async(
        self,
        operation: Optional[str] = None,
        at: Optional[datetime] = None,
        progress: Optional[Callable[[str], object]] = None,
    ) -> Coroutine[Any, Any, StatusReport]: ...

def parse_output(text: str, from_invocation: bool = False) -> ParsedOutput:
    """Parse one node's AWS-RunPatchBaseline stdout (the `ssmpatch output parse --json` object)."""
    ...

@final
class Strategy:
    """A compliance strategy component (built in or a `.wasm` file), run in the sandbox."""

    @staticmethod
    def load(
        name_or_path: str,
        *,
        fuel: Optional[int] = None,
        timeout_seconds: Optional[int] = None,
        memory_mib: Optional[int] = None,
    ) -> Strategy: ...
    def test(self, run: Any) -> StrategyTestResult: ...
