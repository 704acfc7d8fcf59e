"""The page-size control: with `page_size` set, every paginated SSM and Quick Setup operation
answers at most that many items and a NextToken while more remain, as AWS may — so a client that
reads only the first page sees only two windows of five."""

import botocore.exceptions
import pytest

from conftest import control
from test_quicksetup import patch_policy


def _windows(ssm, n):
    for i in range(n):
        ssm.create_maintenance_window(Name=f"win-{i}", Schedule="cron(0 3 ? * SUN *)", Duration=2, Cutoff=1,
                                      AllowUnassociatedTargets=False)


def test_without_the_setting_moto_answers_everything(ssm, clean):
    _windows(ssm, 5)
    out = ssm.describe_maintenance_windows()
    assert len(out["WindowIdentities"]) == 5 and "NextToken" not in out


def test_page_size_cuts_every_answer_and_the_paginator_reads_them_all(ssm, clean):
    _windows(ssm, 5)
    control(clean, "/_ssmpatch/settings", "POST", {"page_size": 2})
    first = ssm.describe_maintenance_windows()
    assert [w["Name"] for w in first["WindowIdentities"]] == ["win-0", "win-1"]
    assert first["NextToken"]
    second = ssm.describe_maintenance_windows(NextToken=first["NextToken"])
    assert [w["Name"] for w in second["WindowIdentities"]] == ["win-2", "win-3"]
    # A larger MaxResults does not lift the page size (AWS may always answer fewer).
    assert len(ssm.describe_maintenance_windows(MaxResults=50)["WindowIdentities"]) == 2
    pages = list(ssm.get_paginator("describe_maintenance_windows").paginate())
    assert [len(p["WindowIdentities"]) for p in pages] == [2, 2, 1]
    assert sorted(w["Name"] for p in pages for w in p["WindowIdentities"]) == [f"win-{i}" for i in range(5)]
    # Each page is its own call, as on AWS.
    calls = control(clean, "/_ssmpatch/calls")
    assert [c["name"] for c in calls].count("DescribeMaintenanceWindows") == 6


def test_a_token_that_is_not_the_stand_ins_is_refused(ssm, clean):
    control(clean, "/_ssmpatch/settings", "POST", {"page_size": 2})
    with pytest.raises(botocore.exceptions.ClientError, match="InvalidNextToken"):
        ssm.describe_maintenance_windows(NextToken="made-up")


def test_reset_clears_the_page_size(ssm, clean):
    control(clean, "/_ssmpatch/settings", "POST", {"page_size": 2})
    control(clean, "/_ssmpatch/reset", "POST", {})
    _windows(ssm, 3)
    assert len(ssm.describe_maintenance_windows()["WindowIdentities"]) == 3


def test_quick_setup_lists_are_paged_too(qs, clean):
    control(clean, "/_ssmpatch/settings", "POST", {"page_size": 1})
    for name in ("a", "b"):
        qs.create_configuration_manager(Name=name, ConfigurationDefinitions=[patch_policy(PatchPolicyName=name)])
    first = qs.list_configuration_managers()
    assert len(first["ConfigurationManagersList"]) == 1 and first["NextToken"]
    pages = list(qs.get_paginator("list_configuration_managers").paginate())
    assert sum(len(p["ConfigurationManagersList"]) for p in pages) == 2


def test_a_smaller_max_results_wins(ssm, clean):
    _windows(ssm, 12)
    control(clean, "/_ssmpatch/settings", "POST", {"page_size": 50})
    out = ssm.describe_maintenance_windows(MaxResults=10)
    assert len(out["WindowIdentities"]) == 10 and out["NextToken"]
    assert len(ssm.describe_maintenance_windows(MaxResults=10, NextToken=out["NextToken"])["WindowIdentities"]) == 2
