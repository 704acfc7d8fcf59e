"""The Python schedule API over the Rust core (issue 2)."""

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

import ssmpatch
from ssmpatch import Schedule, ScheduleError

AFTER = datetime(2026, 6, 1, tzinfo=timezone.utc)


def test_next_is_timezone_aware_in_the_requested_zone():
    runs = Schedule.parse("cron(0 2 ? * 1L *)").next(count=3, after=AFTER, tz="Asia/Tokyo")
    assert [r.isoformat() for r in runs] == [
        "2026-06-28T02:00:00+09:00",
        "2026-07-26T02:00:00+09:00",
        "2026-08-30T02:00:00+09:00",
    ]
    assert all(r.tzinfo == ZoneInfo("Asia/Tokyo") for r in runs)
    assert runs[0].astimezone(timezone.utc) == datetime(2026, 6, 27, 17, tzinfo=timezone.utc)


def test_next_defaults_to_utc_and_now():
    runs = Schedule.parse("rate(1 day)").next(count=2)
    assert len(runs) == 2
    now = datetime.now(timezone.utc)
    assert now < runs[0] <= now + timedelta(days=1, seconds=5)
    assert runs[1] - runs[0] == timedelta(days=1)
    assert runs[0].utcoffset() == timedelta(0)


def test_next_with_offset_days_shifts_by_calendar_days():
    plain = Schedule.parse("cron(0 3 ? * TUE#2 *)").next(count=1, after=AFTER, tz="Europe/Berlin")
    shifted = Schedule.parse("cron(0 3 ? * TUE#2 *)").next(count=1, after=AFTER, tz="Europe/Berlin", offset_days=3)
    assert plain[0].isoformat() == "2026-06-09T03:00:00+02:00"
    assert shifted[0].isoformat() == "2026-06-12T03:00:00+02:00"


def test_dst_gap_is_skipped_and_fold_runs_once():
    # 02:30 does not exist in New York on 2027-03-14: that day's run is skipped.
    gap = Schedule.parse("cron(30 2 * * ? *)").next(
        count=3, after=datetime(2027, 3, 13, tzinfo=timezone.utc), tz="America/New_York"
    )
    assert [r.date().isoformat() for r in gap] == ["2027-03-13", "2027-03-15", "2027-03-16"]
    # 01:30 happens twice on 2027-11-07: it runs once, at the earlier instant (EDT).
    fold = Schedule.parse("cron(30 1 * * ? *)").next(
        count=3, after=datetime(2027, 11, 6, 12, tzinfo=timezone.utc), tz="America/New_York"
    )
    assert [r.astimezone(timezone.utc).isoformat() for r in fold] == [
        "2027-11-07T05:30:00+00:00",
        "2027-11-08T06:30:00+00:00",
        "2027-11-09T06:30:00+00:00",
    ]


def test_impossible_schedule_has_no_runs():
    assert Schedule.parse("cron(0 0 30 2 ? *)").next(count=5, after=AFTER) == []


def test_naive_after_is_rejected_clearly():
    with pytest.raises(ValueError, match="timezone-aware"):
        Schedule.parse("rate(1 day)").next(after=datetime(2026, 6, 1))


def test_check_reports_reason_and_hint():
    s = Schedule.parse("cron(0 18 ? * MON-FRI *)")
    assert s.check("maintenance-window").ok
    res = s.check("association")
    assert not res.ok and not res
    assert "MON-FRI" in res.reason or "range" in res.reason
    assert res.hint
    assert res.rule == "day-of-week.one-day"
    assert res.backend == "association"


def test_check_month_and_time_zone_rules():
    s = Schedule.parse("cron(0 2 ? JAN SUN *)")
    assert s.check("maintenance-window").ok
    assert s.check("association").rule == "month.any"
    utc_only = Schedule.parse("cron(0 2 ? * SUN *)").check("patch-policy", tz="Asia/Tokyo")
    assert not utc_only.ok and utc_only.rule == "utc-only"


def test_check_unknown_backend_is_a_value_error():
    with pytest.raises(ValueError, match="unknown backend"):
        Schedule.parse("rate(1 day)").check("lambda")


def test_schedule_error_carries_field_column_and_hint():
    with pytest.raises(ScheduleError) as info:
        Schedule.parse("cron(0 2 1 * MON *)")
    e = info.value
    assert isinstance(e, ValueError)
    assert e.message == "day-of-month and day-of-week are both set"
    assert e.hint and "`?`" in e.hint
    assert e.column == 14
    with pytest.raises(ScheduleError) as info:
        Schedule.parse("cron(0 25 * * ? *)")
    e = info.value
    assert (e.field, e.column, e.hint) == ("hours", 8, "hours values are 0-23")
    assert "out of range" in str(e)


def test_bad_time_zone_and_offset():
    s = Schedule.parse("cron(0 2 ? * SUN *)")
    with pytest.raises(ScheduleError, match="unknown time zone"):
        s.next(after=AFTER, tz="Mars/Olympus")
    with pytest.raises(ScheduleError, match="out of range"):
        s.next(after=AFTER, offset_days=9)
    with pytest.raises(ScheduleError, match="cron"):
        Schedule.parse("rate(2 days)").next(after=AFTER, offset_days=2)


def test_description_and_repr():
    s = Schedule("cron(0 2 ? * 1L *)")
    assert s.description == "02:00 on the last Sunday of every month, UTC"
    assert s.describe(tz="Asia/Tokyo") == "02:00 on the last Sunday of every month, Asia/Tokyo"
    assert repr(s) == 'Schedule("cron(0 2 ? * 1L *)")'
    assert str(s) == s.expression == "cron(0 2 ? * 1L *)"
    assert s == Schedule.parse("cron(0 2 ? * 1L *)")


def test_module_surface():
    assert ssmpatch.BACKENDS == ("patch-policy", "association", "maintenance-window")
    assert ssmpatch.__version__
