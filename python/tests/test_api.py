"""The Python API's contract (issue 17): typed results whose every instant is a datetime, one
start-time argument (`after`), pickling, AwsError's attributes and words, coroutines from the
`*_async` methods, and every public type importable from `ssmpatch`."""

import asyncio
import inspect
import json
import pickle
import re
import typing
import warnings
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

import ssmpatch
from helpers import datetimes_in, times_left_as_strings
from ssmpatch_standin.pytest_plugin import control

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.toml"))
OUTPUTS = ROOT / "core/tests/data/runpatchbaseline-output"
AFTER = datetime(2026, 12, 1, tzinfo=timezone.utc)
REGION = "ap-northeast-1"


def _parsed_outputs():
    for path in sorted(OUTPUTS.glob("*.txt")):
        try:
            yield path.name, ssmpatch.parse_output(path.read_text())
        except ValueError:
            pass  # not a run's output (an error excerpt): nothing to check


# ---- every time a datetime ------------------------------------------------------------------


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_every_time_in_explain_and_calendar_is_an_aware_datetime(example):
    plan = ssmpatch.Plan.load(example)
    for result in (plan.explain(after=AFTER), plan.calendar(count=4, after=AFTER)):
        assert times_left_as_strings(result) == []
        assert all(d.tzinfo is not None and d.utcoffset() is not None for d in datetimes_in(result))
    cal = plan.calendar(count=4, after=AFTER)
    assert cal["runs"]
    for run in cal["runs"]:
        assert run["at"].tzinfo is timezone.utc and run["at"] > AFTER
        assert run["local"] == run["at"]  # the same instant, at the operation's zone's offset


def test_calendar_times_round_trip_as_arguments():
    plan = ssmpatch.Plan.load(ROOT / "examples/seed-placed.toml")
    runs = plan.calendar(count=3, after=AFTER)["runs"]
    # A run's time (either form) given back as `after`: the calendar goes on strictly after it.
    for key in ("at", "local"):
        later = plan.calendar(count=3, after=runs[0][key])["runs"]
        assert later[0] == runs[1]
    # A datetime in a named zone (zoneinfo) is the same instant.
    from zoneinfo import ZoneInfo
    tokyo = AFTER.astimezone(ZoneInfo("Asia/Tokyo"))
    assert plan.calendar(count=3, after=tokyo) == plan.calendar(count=3, after=AFTER)
    s = ssmpatch.Schedule("cron(0 3 ? * SUN *)")
    nxt = s.next(2, after=AFTER, tz="Asia/Tokyo")
    assert nxt[0].utcoffset() == timedelta(hours=9) and s.next(1, after=nxt[0], tz="Asia/Tokyo") == nxt[1:]


def test_every_time_in_parse_output_is_a_datetime():
    checked = 0
    for name, parsed in _parsed_outputs():
        assert times_left_as_strings(parsed) == [], name
        checked += len(datetimes_in(parsed))
    assert checked >= 10
    _, r = next(iter(_parsed_outputs()))
    assert isinstance(r["summary"]["OperationStartTime"], datetime)


# ---- one start-time argument ------------------------------------------------------------------


def test_after_is_the_start_and_from_is_its_deprecated_alias():
    plan = ssmpatch.Plan.load(ROOT / "examples/seed-placed.toml")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        new = (plan.validate(AFTER), plan.explain(AFTER), plan.calendar(3, AFTER))
    for call, result in ((plan.validate, new[0]), (plan.explain, new[1])):
        with pytest.warns(DeprecationWarning, match="use `after=`"):
            assert call(from_=AFTER) == result
    with pytest.warns(DeprecationWarning):
        assert plan.calendar(3, from_=AFTER) == new[2]
    with pytest.raises(ssmpatch.InvalidArgument, match="`after` only"):
        plan.calendar(3, after=AFTER, from_=AFTER)
    for method in (plan.validate, plan.explain, plan.calendar, ssmpatch.Schedule("rate(1 day)").next):
        assert "after" in inspect.signature(method).parameters, method


# ---- pickling ------------------------------------------------------------------------------


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_plans_pickle(example):
    plan = ssmpatch.Plan.load(example)
    for protocol in (2, pickle.HIGHEST_PROTOCOL):
        back = pickle.loads(pickle.dumps(plan, protocol=protocol))
        assert isinstance(back, ssmpatch.Plan) and back is not plan
        assert (back.name, back.operations) == (plan.name, plan.operations)
        assert pickle.dumps(back, protocol=protocol) == pickle.dumps(plan, protocol=protocol)
    assert back.explain(AFTER) == plan.explain(AFTER)


def test_a_plan_from_a_dict_pickles():
    d = {"version": 1, "name": "web-p", "targets": {"tags": {"Patch Group": "web"}},
         "operations": {"install": {"kind": "install", "schedule": "cron(0 3 ? * SUN *)"}}}
    plan = ssmpatch.Plan.from_dict(d)
    back = pickle.loads(pickle.dumps(plan))
    assert back.calendar(2, AFTER) == plan.calendar(2, AFTER)


def test_schedules_pickle():
    for text in ("cron(0 2 ? * 1L *)", "rate(5 hours)", "at(2027-01-01T00:00:00)"):
        s = ssmpatch.Schedule(text)
        back = pickle.loads(pickle.dumps(s))
        assert back == s and back.expression == s.expression
        assert back.next(3, after=AFTER) == s.next(3, after=AFTER)


# ---- public names and result shapes -------------------------------------------------------------


def test_every_public_name_is_importable_from_ssmpatch():
    for name in ssmpatch.__all__:
        assert hasattr(ssmpatch, name), name
    for name in ("Calendar", "Run", "Backend", "Explanation", "Diff", "ApplyResult", "Report", "RefreshReport",
                 "ParsedOutput", "Session", "Plan", "Schedule", "Strategy", "CheckResult", "AwsError",
                 "LockedError", "PlanError", "ScheduleError", "StrategyError", "InvalidArgument", "PlanNotFound"):
        assert name in ssmpatch.__all__, name
    from ssmpatch import Calendar, Run  # noqa: F401  (the TypedDicts are real runtime classes)
    assert {typing.get_args(one)[0] for one in typing.get_args(ssmpatch.Backend)} == set(ssmpatch.BACKENDS)


def conforms(value, tp, path="$"):
    """Problems of `value` against the type `tp` (TypedDicts checked key by key)."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if tp is typing.Any:
        return []
    if isinstance(tp, type) and issubclass(tp, dict) and hasattr(tp, "__required_keys__"):  # a TypedDict (3.9 too)
        if not isinstance(value, dict):
            return [f"{path}: {type(value).__name__}, not a dict"]
        hints = typing.get_type_hints(tp)
        problems = [f"{path}: lacks {k}" for k in tp.__required_keys__ if k not in value]
        problems += [f"{path}: unexpected key {k}" for k in value if k not in hints]
        for k, v in value.items():
            if k in hints:
                problems += conforms(v, hints[k], f"{path}.{k}")
        return problems
    if origin is typing.Union:
        options = [conforms(value, a, path) for a in args]
        return [] if any(not o for o in options) else min(options, key=len)
    if origin is typing.Literal:
        return [] if value in args else [f"{path}: {value!r} not in {args}"]
    if origin in (list, typing.List):
        return [p for i, v in enumerate(value) for p in conforms(v, args[0], f"{path}[{i}]")] \
            if isinstance(value, list) else [f"{path}: not a list"]
    if origin in (dict, typing.Dict):
        return [p for k, v in value.items() for p in conforms(v, args[1], f"{path}.{k}")] \
            if isinstance(value, dict) else [f"{path}: not a dict"]
    if tp is type(None):
        return [] if value is None else [f"{path}: {value!r} is not None"]
    return [] if isinstance(value, tp) else [f"{path}: {type(value).__name__}, not {tp.__name__}"]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_offline_results_have_their_declared_shapes(example):
    plan = ssmpatch.Plan.load(example)
    assert conforms(plan.explain(after=AFTER), ssmpatch.Explanation) == []
    assert conforms(plan.calendar(after=AFTER), ssmpatch.Calendar) == []


def test_parse_output_has_its_declared_shape():
    for name, parsed in _parsed_outputs():
        assert conforms(parsed, ssmpatch.ParsedOutput) == [], name


def test_the_shape_checker_finds_what_is_wrong():
    run = {"operation": "scan", "kind": "scan", "at": "2026-12-01T00:00:00Z", "local": AFTER, "baseline": "default"}
    assert conforms(run, ssmpatch.Run) == ["$.at: str, not datetime"]
    del run["baseline"]
    run["extra"] = 1
    assert set(conforms(run, ssmpatch.Run)) == {"$.at: str, not datetime", "$: lacks baseline",
                                                 "$: unexpected key extra"}


# ---- AwsError ---------------------------------------------------------------------------------

# What Rust's Debug output looks like: `Some(..)`, `None,`, `Struct { field: .. }`, `Variant(..)`.
DEBUG_TEXT = re.compile(r"Some\(|Ok\(|Err\(|\bNone\b[,)]|[A-Z]\w* \{|\{ *\w+:|[{}]|\b[A-Z]\w*Error\(|dispatch failure")


def _check_aws_error(e, code=None, operation=None):
    for attr in ("service", "operation", "code", "request_id", "hint", "report"):
        assert hasattr(e, attr), attr
    text = str(e)
    assert not DEBUG_TEXT.search(text), text
    if code is not None:
        assert e.code == code and code in text
    if operation is not None:
        assert e.operation == operation and operation in text


def test_aws_error_attributes_are_always_there():
    e = ssmpatch.AwsError("x")
    assert (e.service, e.operation, e.code, e.request_id, e.hint, e.report) == (None,) * 6
    locked = ssmpatch.LockedError("x")
    assert (locked.code, locked.report, locked.holder) == (None, None, None)


def test_aws_error_without_an_answer_names_the_call(aws_env):
    plan = ssmpatch.Plan.load(ROOT / "examples/seed-placed.toml")
    with pytest.raises(ssmpatch.AwsError) as info:
        plan.plan(endpoint_url="http://127.0.0.1:9", region=REGION, connect_timeout=2, operation_timeout=5)
    e = info.value
    _check_aws_error(e)
    assert e.code is None and e.request_id is None and e.report is None
    assert e.service and e.operation and e.operation in str(e)
    assert e.hint and e.hint in str(e)


def test_aws_error_of_a_failed_read_names_the_call_and_code(aws_env):
    # No S3 bucket: reading the override objects fails (NoSuchBucket) before anything is done.
    plan = ssmpatch.Plan.load(ROOT / "examples/seed-placed.toml")
    with pytest.raises(ssmpatch.AwsError) as info:
        plan.apply(endpoint_url=aws_env, region=REGION)
    e = info.value
    _check_aws_error(e, code="NoSuchBucket", operation="ListObjectsV2")
    assert e.service == "s3" and e.report is None


def _bucket(url):
    import boto3  # the live tests only: the offline ones run where only ssmpatch and pytest are installed

    boto3.client("s3", endpoint_url=url, region_name=REGION).create_bucket(
        Bucket="web-patching-artifacts", CreateBucketConfiguration={"LocationConstraint": REGION})


def _failing(url, operation):
    """The stand-in answers every `operation` call with a 500 (after the SDK's retries too)."""
    control(url, "/_ssmpatch/faults", "POST", {"rules": [{"operation": operation, "kind": "error"}]})


def test_aws_error_of_an_apply_that_stopped_carries_the_call_and_report(aws_env):
    _bucket(aws_env)
    _failing(aws_env, "CreateMaintenanceWindow")
    plan = ssmpatch.Plan.load(ROOT / "examples/seed-placed.toml")
    with pytest.raises(ssmpatch.AwsError) as info:
        plan.apply(endpoint_url=aws_env, region=REGION, attempt_timeout=5)
    e = info.value
    _check_aws_error(e, code="InternalServerError", operation="CreateMaintenanceWindow")
    assert e.service == "ssm" and (e.request_id is None or e.request_id in str(e))  # the stand-in sends none here
    assert e.report is not None and e.report["report"]["error"] in str(e)
    assert e.hint == e.report["report"].get("hint") and e.report["report"]["retry_may_help"] is True
    assert conforms(e.report, ssmpatch.ApplyResult) == []
    assert any(d["kind"] == "override-object" for d in e.report["report"]["done"])


def test_locked_error_is_an_aws_error_with_its_attributes(aws_env):
    import boto3

    ssm = boto3.client("ssm", endpoint_url=aws_env, region_name=REGION)
    holder = {"owner": "alice", "host": "build-7", "pid": 4242, "command": "apply",
              "acquired": "2026-01-01T00:00:00Z", "expires": "2999-01-01T00:00:00Z",
              "token": "0123456789abcdef0123456789abcdef"}
    ssm.put_parameter(Name="/lease/ssmpatch/web-monthly-placed", Value=json.dumps(holder), Type="String")
    session = ssmpatch.Session(ssmpatch.Plan.load(ROOT / "examples/seed-placed.toml"), endpoint_url=aws_env)
    with pytest.raises(ssmpatch.LockedError) as info:
        session.apply()
    _check_aws_error(info.value)
    assert info.value.expires == datetime(2999, 1, 1, tzinfo=timezone.utc)


# ---- *_async: coroutines ------------------------------------------------------------------------


def test_async_methods_return_coroutines_that_run_only_when_awaited(aws_env):
    import boto3

    _bucket(aws_env)
    ssm = boto3.client("ssm", endpoint_url=aws_env, region_name=REGION)
    plan = ssmpatch.Plan.load(ROOT / "examples/seed-placed.toml")
    session = ssmpatch.Session(plan, endpoint_url=aws_env)
    # Made outside any event loop, never awaited: a coroutine that did nothing.
    co = plan.apply_async(endpoint_url=aws_env)
    assert inspect.iscoroutine(co)
    co.close()
    assert ssm.describe_maintenance_windows()["WindowIdentities"] == []
    # Bad arguments are refused when called, before any await.
    with pytest.raises(ssmpatch.InvalidArgument):
        plan.plan_async(endpoint_url=aws_env, operation_timeout=-1)

    # asyncio.run takes the coroutine itself; gather and create_task take them too.
    diff = asyncio.run(session.plan_async())
    assert {c["action"] for c in diff["changes"]} == {"create"}

    async def flow():
        applied = await asyncio.create_task(session.apply_async())
        again, refreshed = await asyncio.gather(plan.plan_async(endpoint_url=aws_env), session.refresh_async())
        return applied, again, refreshed

    applied, again, refreshed = asyncio.run(flow())
    assert len(applied["report"]["done"]) == len(diff["changes"])
    assert {c["action"] for c in again["changes"]} == {"unchanged"}
    assert refreshed["plan"] == "web-monthly-placed" and refreshed["nodes"] == []
    gone = asyncio.run(session.destroy_async())
    assert {d["action"] for d in gone["report"]["done"]} == {"delete"}


def test_an_async_error_is_raised_by_the_await(aws_env):
    plan = ssmpatch.Plan.load(ROOT / "examples/seed-placed.toml")
    _bucket(aws_env)
    _failing(aws_env, "CreateMaintenanceWindow")
    co = plan.apply_async(endpoint_url=aws_env, region=REGION)
    with pytest.raises(ssmpatch.AwsError) as info:
        asyncio.run(co)
    assert info.value.code == "InternalServerError" and info.value.report is not None


def test_an_awaited_call_can_be_cancelled_without_blocking_the_loop(aws_env):
    # The stand-in never answers the first read: the loop goes on, and the timeout cancels the await.
    control(aws_env, "/_ssmpatch/faults", "POST", {"rules": [{"operation": "DescribeMaintenanceWindows",
                                                              "kind": "never", "seconds": 60}]})
    session = ssmpatch.Session(ssmpatch.Plan.load(ROOT / "examples/patch-tuesday.toml"), endpoint_url=aws_env)

    async def run():
        ticks = 0

        async def tick():
            nonlocal ticks
            while True:
                await asyncio.sleep(0.05)
                ticks += 1

        ticker = asyncio.create_task(tick())
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(session.plan_async(), timeout=1.0)
        ticker.cancel()
        return ticks

    assert asyncio.run(run()) >= 5  # the event loop ran while the call waited
    control(aws_env, "/_ssmpatch/faults", "DELETE")
