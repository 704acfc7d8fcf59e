"""The stale-then-refreshed scenario, from the CLI, on the local stand-in.

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


def _cli(url, *args):
    env = dict(os.environ, AWS_ENDPOINT_URL=url, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", NO_COLOR="1")
    out = subprocess.run([str(CLI), *args], cwd=ROOT, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return out.stdout


def _control(url, path, body):
    req = urllib.request.Request(f"{url}{path}?region={REGION}", method="POST", data=json.dumps(body).encode())
    return json.loads(urllib.request.urlopen(req).read())


@pytest.fixture()
def applied(aws_env):
    url = aws_env
    boto3.client("s3", endpoint_url=url, region_name=REGION).create_bucket(
        Bucket="web-patching-artifacts", CreateBucketConfiguration={"LocationConstraint": REGION})
    _control(url, "/_ssmpatch/nodes", {"region": REGION, "nodes": [{
        "InstanceId": NODE, "OperatingSystem": "AMAZON_LINUX_2023", "Tags": {"Patch Group": "web"},
        "Installed": [{"Name": "openssl", "Arch": "x86_64", "Version": "3.0.7", "Release": "1.amzn2023", "Epoch": "1"}],
        "Available": [{"Name": "openssl", "Arch": "x86_64", "Version": "3.0.8", "Release": "1.amzn2023", "Epoch": "1",
                       "Classification": "Security", "Severity": "Critical", "ReleaseDate": "2026-01-01T00:00:00Z",
                       "CVEIds": ["CVE-2026-0001"], "FailInstall": True}]}]})
    _cli(url, "apply", "examples/seed-monthly.toml", "--yes")
    ssm = boto3.client("ssm", endpoint_url=url, region_name=REGION)
    window = next(w for w in ssm.describe_maintenance_windows()["WindowIdentities"] if w["Name"] == "ssmpatch-web-monthly-install")
    run = _control(url, f"/_ssmpatch/windows/{window['WindowId']}/execute", {})
    assert run["Tasks"], run
    # As on AWS: an override run records no compliance.
    items = ssm.list_compliance_items(ResourceIds=[NODE], ResourceTypes=["ManagedInstance"])["ComplianceItems"]
    assert [i for i in items if i["ComplianceType"] == "Patch"] == []
    return url, ssm


def test_put_compliance_items_refresh(applied):
    url, ssm = applied
    report = json.loads(_cli(url, "refresh", "examples/seed-monthly.toml", "--strategy", "put-compliance-items", "--json"))
    assert [n["result"] for n in report["nodes"]] == ["compliance-written"], report
    items = ssm.list_compliance_items(ResourceIds=[NODE], ResourceTypes=["ManagedInstance"],
                                      Filters=[{"Key": "ComplianceType", "Values": ["Custom:ssmpatch"], "Type": "EQUAL"}])["ComplianceItems"]
    assert [i["Id"] for i in items] == ["openssl.x86_64"], items
    item = items[0]
    assert item["Status"] == "NON_COMPLIANT"
    assert item["Details"]["PatchState"] == "Failed"
    assert item["Details"]["CVEIds"] == "CVE-2026-0001"
    assert item["ExecutionSummary"]["ExecutionType"] == "Command"


def test_rescan_refresh_updates_patch_states(applied):
    url, ssm = applied
    before = ssm.describe_instance_patch_states(InstanceIds=[NODE])["InstancePatchStates"]
    report = json.loads(_cli(url, "refresh", "examples/seed-monthly.toml", "--json"))  # the plan's strategy: rescan
    assert report["strategy"] == "rescan"
    assert [n["result"] for n in report["nodes"]] == ["scan-started"], report
    after = ssm.describe_instance_patch_states(InstanceIds=[NODE])["InstancePatchStates"]
    assert before == [] and len(after) == 1, (before, after)
    assert after[0]["Operation"] == "Scan"
    assert after[0]["FailedCount"] + after[0]["MissingCount"] >= 1


def test_custom_strategy_refresh(applied, tmp_path):
    url, ssm = applied
    subprocess.run(["cargo", "build", "-q", "--release", "--target", "wasm32-unknown-unknown",
                    "--manifest-path", "examples/custom-strategy/Cargo.toml"], cwd=ROOT, check=True)
    module = ROOT / "examples/custom-strategy/target/wasm32-unknown-unknown/release/critical_high_only.wasm"
    plan = (ROOT / "examples/seed-monthly.toml").read_text().replace(
        '[compliance]\nstrategy = "rescan"',
        f'[compliance]\nstrategy = "{module}"\nsettings = {{ ticket = "CHG-1234" }}')
    assert str(module) in plan
    path = tmp_path / "seed-custom.toml"
    path.write_text(plan)
    report = json.loads(_cli(url, "refresh", str(path), "--json"))
    assert [n["result"] for n in report["nodes"]] == ["compliance-written"], report
    items = ssm.list_compliance_items(ResourceIds=[NODE], ResourceTypes=["ManagedInstance"],
                                      Filters=[{"Key": "ComplianceType", "Values": ["Custom:CriticalHigh"], "Type": "EQUAL"}])["ComplianceItems"]
    assert [(i["Id"], i["Details"]["ChangeTicket"]) for i in items] == [("openssl.x86_64", "CHG-1234")]


def test_python_plan_refresh(applied):
    url, ssm = applied
    import ssmpatch

    plan = ssmpatch.Plan.load(ROOT / "examples/seed-monthly.toml")
    report = plan.refresh(strategy="put-compliance-items", endpoint_url=url)
    assert [n["result"] for n in report["nodes"]] == ["compliance-written"]
    assert report["strategy"] == "put-compliance-items"
