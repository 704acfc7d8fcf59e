"""Plan files are read up to a limit, and AWS's limits are checked offline (issue 16)."""

import os
from datetime import datetime, timezone

import pytest

from ssmpatch import Plan, PlanError, PlanNotFound

FROM = datetime(2026, 6, 1, tzinfo=timezone.utc)

PLAN = """version = 1
name = "web"
targets = { tags = { "Patch Group" = "web" } }

[operations.install]
kind = "install"
schedule = "cron(0 2 ? * SUN *)"
"""


def test_a_plan_file_larger_than_the_limit_is_refused_unread(tmp_path):
    # A valid plan padded with a 2 MiB comment: read whole before, now refused at 1 MiB.
    path = tmp_path / "big.toml"
    path.write_text(PLAN + "# " + "x" * (2 << 20) + "\n")
    with pytest.raises(PlanError) as e:
        Plan.load(path)
    assert "larger than 1 MiB" in str(e.value)
    assert e.value.errors[0]["file"] == str(path)
    # Just under the limit still loads.
    path.write_text(PLAN + "# " + "x" * ((1 << 20) - len(PLAN) - 3) + "\n")
    assert os.path.getsize(path) == 1 << 20
    assert Plan.load(path).name == "web"


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_dev_zero_is_refused_without_exhausting_memory():
    with pytest.raises(PlanError) as e:
        Plan.load("/dev/zero")
    assert "larger than" in str(e.value)


def test_unreadable_and_non_text_plans(tmp_path):
    with pytest.raises(PlanNotFound):
        Plan.load(tmp_path / "missing.toml")
    path = tmp_path / "binary.toml"
    path.write_bytes(b"version = 1\n\xff\xfe\n")
    with pytest.raises(PlanError) as e:
        Plan.load(path)
    assert "not UTF-8" in str(e.value)


def test_limits_reach_python_with_their_location(tmp_path):
    path = tmp_path / "short.toml"
    path.write_text(PLAN.replace('name = "web"', 'name = "web"\nbackend = "maintenance-window"')
                    .replace("[operations.install]", "[operations.in]"))
    plan = Plan.load(path)
    with pytest.raises(PlanError) as e:
        plan.validate(after=FROM)
    err = e.value.errors[0]
    assert err["path"] == "operations.in"
    assert (err["line"], err["column"]) == (6, 1)
    assert "RegisterTaskWithMaintenanceWindow" in err["message"]
