from datetime import datetime
from typing import Literal, Optional, Tuple

Backend = Literal["patch-policy", "association", "maintenance-window"]

BACKENDS: Tuple[str, ...]
__version__: str

class ScheduleError(ValueError):
    """A schedule expression, time zone or option ssmpatch cannot accept."""

    message: str
    field: Optional[str]
    column: Optional[int]
    hint: Optional[str]

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

class Schedule:
    """An AWS schedule expression (`cron(...)`, `rate(...)`, `at(...)`), parsed and compiled."""

    def __init__(self, expression: str) -> None: ...
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
    ) -> list[datetime]: ...
    def check(self, backend: Backend, tz: str = "UTC", offset_days: Optional[int] = None) -> CheckResult: ...
