"""The seed plan from Python: explain, calendar, override, and — against the local stand-in —
plan, apply, re-apply and destroy.

    scripts/python-dev.sh                       # build the package into .venv
    .venv/bin/python examples/python/seed.py    # offline part
    scripts/standin.sh start && eval "$(scripts/standin.sh env)" && .venv/bin/python examples/python/seed.py --live
"""

import json
import os
import sys
from pathlib import Path

import ssmpatch

ROOT = Path(__file__).resolve().parents[2]
plan = ssmpatch.Plan.load(ROOT / "examples/seed-placed.toml")

ex = plan.explain()
print(f"{ex['plan']}: backend {ex['backend']} ({ex['chosen']})")
print("placement:", ex["placement"]["summary"])
for run in plan.calendar(count=2)["runs"]:
    print(f"  {run['local']:%Y-%m-%d %H:%M %z}  {run['operation']:8} {run['baseline'][:20]}")
scan_doc = json.loads(plan.render_override("scan"))
print("scan override approves after", scan_doc[0]["ApprovalRules"]["PatchRules"][0]["ApproveAfterDays"], "days")

if "--live" in sys.argv:
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    if not endpoint or "127.0.0.1" not in endpoint:
        sys.exit("--live runs against the local stand-in only: eval \"$(scripts/standin.sh env)\" first")
    import boto3  # type: ignore  # untyped (no stubs); only the live part needs it

    s3 = boto3.client("s3", region_name="ap-northeast-1")
    try:
        s3.create_bucket(Bucket="web-patching-artifacts", CreateBucketConfiguration={"LocationConstraint": "ap-northeast-1"})
    except s3.exceptions.BucketAlreadyOwnedByYou:
        pass
    diff = plan.plan()
    print("to create:", sum(c["action"] == "create" for c in diff["changes"]))
    done = plan.apply()["report"]["done"]
    print("applied:", len(done), "resources")
    print("second apply changes:", len(plan.apply()["report"]["done"]))
    print("destroyed:", len(plan.destroy()["report"]["done"]), "resources")
