"""Runs in progress, which a delete must not destroy: the control API can leave a window execution
IN_PROGRESS or an association execution InProgress, and deleting a window takes its execution
history with it (AWS names no error that stops the delete of a running window)."""

import botocore.exceptions
import pytest

from conftest import control


def window(ssm):
    return ssm.create_maintenance_window(Name="running", Schedule="cron(0 3 ? * SUN *)", Duration=3, Cutoff=1,
                                         AllowUnassociatedTargets=False)["WindowId"]


def test_a_window_execution_left_in_progress_and_lost_with_its_window(ssm, clean):
    wid = window(ssm)
    run = control(clean, f"/_ssmpatch/windows/{wid}/execute", "POST", {"in_progress": True})
    [ex] = ssm.describe_maintenance_window_executions(WindowId=wid)["WindowExecutions"]
    assert (ex["WindowExecutionId"], ex["Status"]) == (run["WindowExecutionId"], "IN_PROGRESS")
    assert "EndTime" not in ex
    ssm.delete_maintenance_window(WindowId=wid)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ssm.describe_maintenance_window_executions(WindowId=wid)
    assert e.value.response["Error"]["Code"] == "DoesNotExistException"
    with pytest.raises(botocore.exceptions.ClientError):
        ssm.get_maintenance_window_execution(WindowExecutionId=run["WindowExecutionId"])


def test_an_association_execution_left_in_progress(ssm, clean):
    aid = ssm.create_association(Name="AWS-RunPatchBaseline", AssociationName="running",
                                 ScheduleExpression="cron(0 3 ? * SUN *)", ApplyOnlyAtCronInterval=True,
                                 Targets=[{"Key": "tag:PatchGroup", "Values": ["web"]}],
                                 Parameters={"Operation": ["Install"]})["AssociationDescription"]["AssociationId"]
    run = control(clean, f"/_ssmpatch/associations/{aid}/run", "POST", {"in_progress": True})
    [ex] = ssm.describe_association_executions(AssociationId=aid)["AssociationExecutions"]
    assert (ex["ExecutionId"], ex["Status"]) == (run["ExecutionId"], "InProgress")
    assert ssm.describe_association_executions(
        AssociationId=aid, Filters=[{"Key": "Status", "Value": "InProgress", "Type": "EQUAL"}])["AssociationExecutions"]
