"""The Python plan API over the Rust core (issue 3)."""

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

import ssmpatch
from ssmpatch import Plan, PlanError

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
FROM = datetime(2026, 6, 1, tzinfo=timezone.utc)


def test_load_explain_and_calendar_of_the_seed():
    plan = Plan.load(EXAMPLES / "seed-monthly.toml")
    assert plan.name == "web-monthly"
    assert plan.operations == ["install", "scan"]
    ex = plan.explain(after=FROM)
    assert ex["backend"] == "maintenance-window"
    assert [r["backend"] for r in ex["rejected"]] == ["patch-policy", "association"]
    # Like `ssmpatch explain --json`: what the strategy adds (rescan: a later task in the window).
    assert ex["additions"]["strategy"] == "rescan"
    assert [(a["name"], a["after"], a["placement"]) for a in ex["additions"]["operations"]] == [
        ("install-rescan", "install", {"type": "window-task", "priority": 2})]
    cal = plan.calendar(count=24, after=FROM)
    installs = [r["local"] for r in cal["runs"] if r["kind"] == "install"]
    scans = [r["local"] for r in cal["runs"] if r["kind"] == "scan"]
    assert len(installs) >= 24 and len(scans) >= 24
    for i in installs:
        assert i.weekday() == 6 and (i + timedelta(days=7)).month != i.month
    for s in scans:
        assert s + timedelta(days=7) in installs


def test_render_override_is_the_exact_document():
    plan = Plan.load(EXAMPLES / "seed-placed.toml")
    doc = plan.render_override("scan")
    parsed = json.loads(doc)
    assert parsed[0]["ApprovalRules"]["PatchRules"][0]["ApproveAfterDays"] == 14
    # Byte-for-byte what AWS's own generator writes.
    assert json.dumps(parsed, indent=4, sort_keys=True) == doc


def test_from_dict_and_validate():
    plan = Plan.from_dict(
        {
            "version": 1,
            "name": "dict-plan",
            "time-zone": "Asia/Tokyo",
            "targets": {"tags": {"Patch Group": "web"}},
            "baselines": {"AMAZON_LINUX_2023": {"approval-rules": [{"approve-after-days": 7}]}},
            "operations": {"install": {"kind": "install", "schedule": "every sunday at 02:00"}},
            # Without these, a patch policy warns: node roles prepared by hand, undeclared systems fail.
            "patch-policy": {"attach-node-policies": True, "undeclared-os": "aws-default"},
        }
    )
    assert plan.validate(after=FROM) == []
    ex = plan.explain(after=FROM)
    assert ex["backend"] == "patch-policy"
    assert ex["patch_policy"]["attach_node_policies"] is True
    assert {"operating_system": "WINDOWS", "source": "aws-default", "baseline": "AWS-DefaultPatchBaseline"} in ex[
        "patch_policy"
    ]["baselines"]


def test_plan_error_carries_location(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(
        'version = 1\nname = "bad-plan"\ntargets = { tags = { "Patch Group" = "web" } }\n'
        '[operations.install]\nkind = "install"\nschedule = "cron(0 25 * * ? *)"\n'
    )
    with pytest.raises(PlanError) as info:
        Plan.load(bad)
    e = info.value
    assert isinstance(e, ValueError)
    assert (e.file, e.line, e.column, e.path) == (str(bad), 6, 20, "operations.install.schedule")
    assert e.hint == "hours values are 0-23"
    assert len(e.errors) == 1 and e.errors[0]["message"].startswith("hours value 25 is out of range")


def test_plan_error_lists_every_problem():
    with pytest.raises(PlanError) as info:
        Plan.from_dict(
            {
                "version": 2,
                "name": "x",
                "targets": {},
                "operations": {"a": {"kind": "scan", "schedule": "3 days before a"}},
            }
        )
    paths = [e["path"] for e in info.value.errors]
    assert paths == ["version", "name", "targets", "operations.a.schedule"]


def test_unknown_operation_and_naive_from():
    plan = Plan.load(EXAMPLES / "seed-placed.toml")
    # A caller's mistake, not a problem of the plan: InvalidArgument (a ValueError).
    with pytest.raises(ssmpatch.InvalidArgument, match="no operation named `nope`") as info:
        plan.render_override("nope")
    assert info.value.hint == "the plan's operations: install, scan"
    with pytest.raises(ssmpatch.InvalidArgument, match="timezone-aware"):
        plan.calendar(after=datetime(2026, 6, 1))
    assert isinstance(ssmpatch.PlanError("x"), ValueError)
    assert isinstance(ssmpatch.InvalidArgument("x"), ValueError)


def test_exceptions_form_one_tree():
    for cls in (ssmpatch.PlanNotFound, ssmpatch.InvalidArgument, ssmpatch.PlanError, ssmpatch.ScheduleError,
                ssmpatch.StrategyError, ssmpatch.AwsError):
        assert issubclass(cls, ssmpatch.SsmpatchError), cls
    assert issubclass(ssmpatch.PlanNotFound, FileNotFoundError)
    with pytest.raises(ssmpatch.PlanNotFound, match="cannot read plan") as info:
        Plan.load(EXAMPLES / "missing.toml")
    assert info.value.filename.endswith("missing.toml")
