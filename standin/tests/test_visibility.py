"""Delayed visibility: a new resource is left out of List/Describe answers for a number of calls or
seconds (visibility.py); its own Get still finds it."""

import time

from conftest import control


def _window(ssm, name):
    return ssm.create_maintenance_window(Name=name, Schedule="cron(0 3 ? * SUN *)", Duration=2, Cutoff=1,
                                         AllowUnassociatedTargets=False)["WindowId"]


def _listed(ssm):
    return [w["WindowId"] for w in ssm.describe_maintenance_windows()["WindowIdentities"]]


def test_a_new_window_is_listed_after_two_calls(ssm, clean):
    old = _window(ssm, "old-win")
    control(clean, "/_ssmpatch/settings", "POST", {"visibility_delay": {"calls": 2}})
    new = _window(ssm, "new-win")
    assert _listed(ssm) == [old]
    assert ssm.get_maintenance_window(WindowId=new)["Name"] == "new-win"   # by id: found
    assert _listed(ssm) == [old]
    assert sorted(_listed(ssm)) == sorted([old, new])


def test_a_new_association_is_listed_after_a_delay(ssm, clean):
    control(clean, "/_ssmpatch/settings", "POST", {"visibility_delay": {"seconds": 0.5}})
    ssm.create_association(Name="AWS-RunPatchBaseline", AssociationName="late-assoc",
                           Targets=[{"Key": "tag:Patch Group", "Values": ["web"]}],
                           ScheduleExpression="cron(0 2 ? * SUN *)", Parameters={"Operation": ["Scan"]},
                           ApplyOnlyAtCronInterval=True)
    assert ssm.list_associations()["Associations"] == []
    time.sleep(0.6)
    assert [a["Name"] for a in ssm.list_associations()["Associations"]] == ["AWS-RunPatchBaseline"]


def test_reset_makes_everything_visible_again(ssm, clean):
    control(clean, "/_ssmpatch/settings", "POST", {"visibility_delay": {"calls": 5}})
    _window(ssm, "hidden-win")
    control(clean, "/_ssmpatch/reset", "POST", {})
    new = _window(ssm, "plain-win")
    assert _listed(ssm) == [new]
