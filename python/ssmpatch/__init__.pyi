from ssmpatch._native import BACKENDS as BACKENDS
from ssmpatch._native import AwsError as AwsError
from ssmpatch._native import CheckResult as CheckResult
from ssmpatch._native import Plan as Plan
from ssmpatch._native import PlanError as PlanError
from ssmpatch._native import Schedule as Schedule
from ssmpatch._native import ScheduleError as ScheduleError
from ssmpatch._native import Strategy as Strategy
from ssmpatch._native import StrategyError as StrategyError
from ssmpatch._native import __version__ as __version__
from ssmpatch._native import parse_output as parse_output

__all__ = ["BACKENDS", "AwsError", "CheckResult", "Plan", "PlanError", "Schedule", "ScheduleError", "Strategy", "StrategyError", "__version__", "parse_output"]
