"""ssmpatch: schedule AWS Systems Manager Patch Manager and keep its compliance report honest.

The behaviour lives in the Rust core; this package re-exports its native bindings.

>>> from ssmpatch import Schedule
>>> Schedule.parse("cron(0 2 ? * 1L *)").description
'02:00 on the last Sunday of every month, UTC'
"""

from ssmpatch._native import BACKENDS, AwsError, CheckResult, Plan, PlanError, Schedule, ScheduleError, Strategy, StrategyError, __version__, parse_output

__all__ = ["BACKENDS", "AwsError", "CheckResult", "Plan", "PlanError", "Schedule", "ScheduleError", "Strategy", "StrategyError", "__version__", "parse_output"]
