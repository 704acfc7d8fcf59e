"""The stale-then-refreshed scenarios still run from the CLI here, on the local stand-in (the core
scenario, the latest run per node, another strategy than the plan's and a command started by hand
moved to Rust: core/tests/it/refresh.rs and cli/tests/it/live.rs).

Apply the seed plan (both operations through BaselineOverride), run the install window with a
simulated node → AWS records no compliance for it (as on AWS) → `ssmpatch refresh` → compliance
items present and correct (read back with boto3); with `rescan`, the scan without override
updates the node's patch states.
"""

import json
import os
import subprocess
import urllib.request
from pathlib import Path

import boto3
import pytest

ROOT = Path(__file__).resolve().parents[2]
CLI = ROOT / "target/debug/ssmpatch"
REGION = "ap-northeast-1"
NODE = "i-0123456789abcdef0"

pytestmark = pytest.mark.skipif(not CLI.exists(), reason="needs the CLI built (cargo build -p ssmpatch-cli)")


def _run(url, *args):
    env = dict(os.environ, AWS_ENDPOINT_URL=url, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", NO_COLOR="1")
    out = subprocess.run([str(CLI), *args], cwd=ROOT, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return out


def _cli(url, *args):
    return _run(url, *args).stdout


def _control(url, path, body):
    req = urllib.request.Request(f"{url}{path}?region={REGION}", method="POST", data=json.dumps(body).encode())
    return json.loads(urllib.request.urlopen(req).read())


SEED = ROOT / "examples/seed-monthly.toml"


def _plan_with(tmp_path, strategy_lines):
    """The seed plan with another `[compliance]` table."""
    text = SEED.read_text()
    assert '[compliance]\nstrategy = "rescan"' in text
    path = tmp_path / "seed.toml"
    path.write_text(text.replace('[compliance]\nstrategy = "rescan"', "[compliance]\n" + strategy_lines))
    return path


@pytest.fixture()
def node(aws_env):
    url = aws_env
    boto3.client("s3", endpoint_url=url, region_name=REGION).create_bucket(
        Bucket="web-patching-artifacts", CreateBucketConfiguration={"LocationConstraint": REGION})
    _control(url, "/_ssmpatch/nodes", {"region": REGION, "nodes": [{
        "InstanceId": NODE, "OperatingSystem": "AMAZON_LINUX_2023", "Tags": {"Patch Group": "web"},
        "Installed": [{"Name": "openssl", "Arch": "x86_64", "Version": "3.0.7", "Release": "1.amzn2023", "Epoch": "1"}],
        "Available": [{"Name": "openssl", "Arch": "x86_64", "Version": "3.0.8", "Release": "1.amzn2023", "Epoch": "1",
                       "Classification": "Security", "Severity": "Critical", "ReleaseDate": "2026-01-01T00:00:00Z",
                       "CVEIds": ["CVE-2026-0001"], "FailInstall": True}]}]})
    return url, boto3.client("ssm", endpoint_url=url, region_name=REGION)


def _run_install_window(url, ssm):
    window = next(w for w in ssm.describe_maintenance_windows()["WindowIdentities"]
                  if w["Name"] == "ssmpatch-web-monthly-install")
    run = _control(url, f"/_ssmpatch/windows/{window['WindowId']}/execute", {})
    assert run["Tasks"], run
    return window["WindowId"], run


def _patch_items(ssm):
    items = ssm.list_compliance_items(ResourceIds=[NODE], ResourceTypes=["ManagedInstance"])["ComplianceItems"]
    return [i for i in items if i["ComplianceType"] == "Patch"]


def _stale(url, ssm, plan):
    """Apply `plan`, run the install window: as on AWS, the override run records no compliance."""
    _cli(url, "apply", str(plan), "--yes")
    _run_install_window(url, ssm)
    assert _patch_items(ssm) == []
    assert ssm.describe_instance_patch_states(InstanceIds=[NODE])["InstancePatchStates"] == []


def test_rescan_runs_in_the_install_window_after_the_install(node):
    url, ssm = node
    _cli(url, "apply", str(SEED), "--yes")  # the plan's strategy: rescan
    window_id, run = _run_install_window(url, ssm)
    # Two tasks: the install with the override at priority 1, then the scan without it at 2.
    tasks = ssm.describe_maintenance_window_tasks(WindowId=window_id)["Tasks"]
    by_name = {t["Name"]: t for t in tasks}
    assert sorted(by_name) == ["install", "install-rescan"], tasks
    assert (by_name["install"]["Priority"], by_name["install-rescan"]["Priority"]) == (1, 2)
    execution = run["WindowExecutionId"]
    order = []
    for t in ssm.describe_maintenance_window_execution_tasks(WindowExecutionId=execution)["WindowExecutionTaskIdentities"]:
        inv = ssm.describe_maintenance_window_execution_task_invocations(
            WindowExecutionId=execution, TaskId=t["TaskExecutionId"])["WindowExecutionTaskInvocationIdentities"][0]
        params = json.loads(inv["Parameters"])["parameters"]
        order.append((inv["StartTime"], params["Operation"][0], bool(params.get("BaselineOverride", [""])[0])))
    assert [(op, o) for _, op, o in sorted(order)] == [("Install", True), ("Scan", False)], order
    # The scan recorded what the install left: the report is not stale.
    states = ssm.describe_instance_patch_states(InstanceIds=[NODE])["InstancePatchStates"]
    assert len(states) == 1 and states[0]["Operation"] == "Scan", states
    assert states[0]["FailedCount"] + states[0]["MissingCount"] >= 1
    assert [i["Id"] for i in _patch_items(ssm) if i["Status"] == "NON_COMPLIANT"], _patch_items(ssm)
    # And `refresh` with rescan can scan the installed nodes again at once.
    report = json.loads(_cli(url, "refresh", str(SEED), "--json"))
    assert report["strategy"] == "rescan"
    assert [(n["operation"], n["result"]) for n in report["nodes"]] == [("install", "scan-started")], report


def test_custom_strategy_refresh(node, tmp_path):
    url, ssm = node
    subprocess.run(["cargo", "build", "-q", "--release", "--target", "wasm32-wasip2",
                    "--manifest-path", "examples/custom-strategy/Cargo.toml"], cwd=ROOT, check=True)
    module = ROOT / "examples/custom-strategy/target/wasm32-wasip2/release/critical_high_only.wasm"
    plan = _plan_with(tmp_path, f'strategy = "{module}"\nsettings = {{ ticket = "CHG-1234" }}')
    _stale(url, ssm, plan)
    report = json.loads(_cli(url, "refresh", str(plan), "--json"))
    assert [n["result"] for n in report["nodes"]] == ["compliance-written"], report
    items = ssm.list_compliance_items(ResourceIds=[NODE], ResourceTypes=["ManagedInstance"],
                                      Filters=[{"Key": "ComplianceType", "Values": ["Custom:CriticalHigh"], "Type": "EQUAL"}])["ComplianceItems"]
    assert [(i["Id"], i["Details"]["ChangeTicket"]) for i in items] == [("openssl.x86_64", "CHG-1234")]


def test_refresh_of_a_command_started_by_hand(node, tmp_path):
    url, ssm = node
    plan = _plan_with(tmp_path, 'strategy = "put-compliance-items"')
    _cli(url, "apply", str(plan), "--yes")
    install = ssm.describe_maintenance_window_tasks(WindowId=next(
        w["WindowId"] for w in ssm.describe_maintenance_windows()["WindowIdentities"]
        if w["Name"] == "ssmpatch-web-monthly-install"))["Tasks"][0]
    url_override = ssm.get_maintenance_window_task(WindowId=install["WindowId"], WindowTaskId=install["WindowTaskId"])[
        "TaskInvocationParameters"]["RunCommand"]["Parameters"]["BaselineOverride"][0]
    # An install started by hand with the plan's override, output to the plan's bucket under another prefix.
    cmd = ssm.send_command(DocumentName="AWS-RunPatchBaseline", InstanceIds=[NODE],
                           Parameters={"Operation": ["Install"], "BaselineOverride": [url_override]},
                           OutputS3BucketName="web-patching-artifacts", OutputS3KeyPrefix="by-hand")["Command"]
    assert _patch_items(ssm) == []
    report = json.loads(_cli(url, "refresh", str(plan), "--command-id", cmd["CommandId"], "--json"))
    assert [(n["operation"], n["execution_id"], n["result"]) for n in report["nodes"]] == [
        ("install", cmd["CommandId"], "compliance-written")], report
    # The same from Python.
    import ssmpatch

    again = ssmpatch.Plan.load(plan).refresh(command_id=cmd["CommandId"], endpoint_url=url)
    assert again["nodes"] == report["nodes"], again
    # A command without override is refused with the reason.
    scan = ssm.send_command(DocumentName="AWS-RunPatchBaseline", InstanceIds=[NODE], Parameters={"Operation": ["Scan"]})
    env = dict(os.environ, AWS_ENDPOINT_URL=url, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", NO_COLOR="1")
    out = subprocess.run([str(CLI), "refresh", str(plan), "--command-id", scan["Command"]["CommandId"]], cwd=ROOT,
                         env=env, capture_output=True, text=True)
    assert out.returncode != 0 and "runs without BaselineOverride" in out.stderr, out.stderr


def test_python_plan_refresh(node, tmp_path):
    url, ssm = node
    plan_path = _plan_with(tmp_path, 'strategy = "put-compliance-items"')
    _stale(url, ssm, plan_path)
    import ssmpatch

    plan = ssmpatch.Plan.load(plan_path)
    lines = []
    report = plan.refresh(endpoint_url=url, progress=lines.append)
    assert [n["result"] for n in report["nodes"]] == ["compliance-written"]
    assert report["strategy"] == "put-compliance-items"
    # The lines `ssmpatch refresh` prints on stderr.
    assert lines[0] == "1 finished run(s), 1 node output(s) to read" and lines[-1] == "compliance written 1/1", lines
    # The awaitable gives the same report (the upload is the same, so AWS ignores it: same hash).
    import asyncio

    async def again():
        return await plan.refresh_async(endpoint_url=url)

    assert asyncio.run(again()) == report


ASSOCIATION_PLAN = """version = 1
name = "web-assoc"
region = "ap-northeast-1"
backend = "association"
baseline-rules-from = "declared"

[targets]
tags = { "Patch Group" = "web" }

[[baselines.AMAZON_LINUX_2023.approval-rules]]
approve-after-days = 7
filters = { CLASSIFICATION = ["Security"] }

[operations.install]
kind = "install"
schedule = "last sunday at 18:00"
approval = { approve-after-days = 21 }

[compliance]
strategy = "STRATEGY"

[s3]
bucket = "web-patching-artifacts"
output-prefix = "ssmpatch/output"
"""


def _associations(ssm):
    out = {}
    for page in ssm.get_paginator("list_associations").paginate():
        for a in page["Associations"]:
            out[a["AssociationName"]] = ssm.describe_association(AssociationId=a["AssociationId"])["AssociationDescription"]
    return out


def test_association_runs_are_refreshed(node, tmp_path):
    url, ssm = node
    plan = tmp_path / "assoc.toml"
    plan.write_text(ASSOCIATION_PLAN.replace("STRATEGY", "put-compliance-items"))
    _cli(url, "apply", str(plan), "--yes")
    install = _associations(ssm)["ssmpatch-web-assoc-install"]
    assert "Duration" not in install, "nothing follows the install"
    run = _control(url, f"/_ssmpatch/associations/{install['AssociationId']}/run", {})
    assert _patch_items(ssm) == []
    executions = ssm.describe_association_executions(AssociationId=install["AssociationId"])["AssociationExecutions"]
    assert executions, "the run is an association execution"
    report = json.loads(_cli(url, "refresh", str(plan), "--json"))
    assert [(n["operation"], n["execution_id"], n["result"]) for n in report["nodes"]] == [
        ("install", run["CommandId"], "compliance-written")], report
    items = ssm.list_compliance_items(ResourceIds=[NODE], ResourceTypes=["ManagedInstance"],
                                      Filters=[{"Key": "ComplianceType", "Values": ["Custom:ssmpatch"], "Type": "EQUAL"}])["ComplianceItems"]
    assert [(i["Id"], i["Details"]["PatchState"]) for i in items] == [("openssl.x86_64", "Failed")], items
    # --since after the run: nothing to refresh.
    report = json.loads(_cli(url, "refresh", str(plan), "--since", "2999-01-01T00:00:00Z", "--json"))
    assert report["nodes"] == [], report


def test_rescan_on_associations_runs_when_the_installs_duration_ends(node, tmp_path):
    url, ssm = node
    plan = tmp_path / "assoc.toml"
    plan.write_text(ASSOCIATION_PLAN.replace("STRATEGY", "rescan"))
    out = _cli(url, "apply", str(plan), "--yes")
    assert "strategy rescan adds operation install-rescan" in out, out
    found = _associations(ssm)
    install, rescan = found["ssmpatch-web-assoc-install"], found["ssmpatch-web-assoc-install-rescan"]
    # The install is cancelled after 3 hours; the scan without override starts then (21:00 UTC).
    assert (install["Duration"], install["ApplyOnlyAtCronInterval"]) == (3, True), install
    assert rescan["ScheduleExpression"] == "cron(0 21 ? * SUNL *)", rescan
    assert rescan["ApplyOnlyAtCronInterval"] is True
    assert rescan["Parameters"]["Operation"] == ["Scan"] and "BaselineOverride" not in rescan["Parameters"], rescan
    assert install["Parameters"]["BaselineOverride"][0].startswith("s3://")
    _control(url, f"/_ssmpatch/associations/{install['AssociationId']}/run", {})
    assert ssm.describe_instance_patch_states(InstanceIds=[NODE])["InstancePatchStates"] == []
    _control(url, f"/_ssmpatch/associations/{rescan['AssociationId']}/run", {})
    states = ssm.describe_instance_patch_states(InstanceIds=[NODE])["InstancePatchStates"]
    assert len(states) == 1 and states[0]["Operation"] == "Scan", states
    assert states[0]["FailedCount"] + states[0]["MissingCount"] >= 1
    # A second apply changes nothing (Duration is read back).
    assert "no changes" in _cli(url, "plan", str(plan)).splitlines()


def test_a_missing_strategy_component_stops_apply_but_not_destroy(node, tmp_path):
    url, ssm = node
    plan = _plan_with(tmp_path, 'strategy = "put-compliance-items"')
    _cli(url, "apply", str(plan), "--yes")
    gone = _plan_with(tmp_path, f'strategy = "{tmp_path / "gone.wasm"}"')
    env = dict(os.environ, AWS_ENDPOINT_URL=url, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", NO_COLOR="1")
    out = subprocess.run([str(CLI), "apply", str(gone), "--yes"], cwd=ROOT, env=env, capture_output=True, text=True)
    # A strategy that cannot be loaded is invalid input on every path: exit 2.
    assert out.returncode == 2 and "neither a built-in strategy (put-compliance-items, rescan) nor a readable file" in out.stderr, out.stderr
    assert "gone.wasm" in out.stderr, out.stderr
    _cli(url, "destroy", str(gone), "--yes")
    names = [w["Name"] for w in ssm.describe_maintenance_windows()["WindowIdentities"]]
    assert [n for n in names if n.startswith("ssmpatch-web-monthly")] == [], names


def test_runs_without_override_are_refreshed_only_when_asked(node, tmp_path):
    url, ssm = node
    plan = tmp_path / "assoc.toml"
    text = ASSOCIATION_PLAN.replace("STRATEGY", "put-compliance-items").replace("approval = { approve-after-days = 21 }\n", "")
    assert "approval =" not in text
    plan.write_text(text)
    _cli(url, "apply", str(plan), "--yes")
    install = _associations(ssm)["ssmpatch-web-assoc-install"]
    assert "BaselineOverride" not in install["Parameters"]
    _control(url, f"/_ssmpatch/associations/{install['AssociationId']}/run", {})
    # AWS recorded this run's compliance itself.
    assert _patch_items(ssm), "a run without override records Patch compliance"
    report = json.loads(_cli(url, "refresh", str(plan), "--json"))
    assert report["nodes"] == [] and "no operation of the plan runs with BaselineOverride" in report["messages"][0], report
    # Asked anyway: a run without override prints no per-package result, so put-compliance-items
    # writes nothing (a COMPLETE upload of nothing would erase the node's report) and says why.
    report = json.loads(_cli(url, "refresh", str(plan), "--operation", "install", "--json"))
    assert [(n["operation"], n["result"]) for n in report["nodes"]] == [("install", "no-action")], report
    assert "holds no per-package result; compliance not written" in report["nodes"][0]["detail"], report
