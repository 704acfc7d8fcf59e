#!/usr/bin/env python3
"""Apply cost against the local AWS stand-in: N target groups x 2 operations.

    .venv/bin/python scripts/bench-apply.py [--groups 50] [--backend maintenance-window]

AWS's default quotas allow 50 maintenance windows and 50 custom baselines per account and Region;
50 groups x 2 operations need 100 windows, so the script raises the stand-in's quotas first, as an
account would through Service Quotas.

Generates one plan per target group (patch group ``grp-NN``, inline Amazon Linux 2023 baseline,
a scan with its own 14-day approval and an install, Patch Tuesday + 1 / + 3 days), applies every
plan with the CLI, then applies them all again (which must change nothing), and prints the AWS
calls per resource and the wall time of each round. Figures, not assertions: nothing here fails
on speed.
"""

import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchlib import ROOT, control, standin

PLAN = """version = 1
name = "bench-{i:02d}"
region = "us-east-1"
backend = "{backend}"
[targets]
tags = {{ "Patch Group" = "grp-{i:02d}" }}
[[baselines.AMAZON_LINUX_2023.approval-rules]]
approve-after-days = 7
[operations.scan]
kind = "scan"
schedule = "patch tuesday + 1 day at 01:00"
approval = {{ approve-after-days = 14 }}
[operations.install]
kind = "install"
schedule = "patch tuesday + 3 days at 02:00"
[s3]
bucket = "bench-artifacts"
"""




def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--groups", type=int, default=50)
    ap.add_argument("--backend", default="maintenance-window", choices=["maintenance-window", "association"])
    args = ap.parse_args()

    subprocess.run(["cargo", "build", "--locked", "-q", "--release", "-p", "ssmpatch-cli"], cwd=ROOT, check=True)
    binary = ROOT / "target/release/ssmpatch"
    with standin() as url:
        # AWS's default quotas (50 maintenance windows, 50 baselines per account and Region) are
        # below what 50 groups x 2 operations need; raise them as an account would.
        control(url, "/_ssmpatch/settings", "POST",
                {"quotas": {"maintenance_windows": 4 * args.groups, "patch_baselines": 2 * args.groups}})
        import boto3
        boto3.client("s3", endpoint_url=url, region_name="us-east-1",
                     aws_access_key_id="testing", aws_secret_access_key="testing").create_bucket(Bucket="bench-artifacts")
        cli_env = dict(os.environ, AWS_ENDPOINT_URL=url, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
                       AWS_EC2_METADATA_DISABLED="true", NO_COLOR="1")
        with tempfile.TemporaryDirectory() as d:
            plans = []
            for i in range(args.groups):
                p = Path(d) / f"bench-{i:02d}.toml"
                p.write_text(PLAN.format(i=i, backend=args.backend))
                plans.append(p)
            resources = 0
            for label in ("apply", "no-op apply"):
                control(url, "/_ssmpatch/calls", "DELETE")
                t0 = time.perf_counter()
                for p in plans:
                    out = subprocess.run([str(binary), "apply", str(p), "--yes", "--json"], env=cli_env,
                                         capture_output=True, text=True)
                    if out.returncode != 0:
                        sys.exit(f"apply {p.name} failed: {out.stderr}")
                    if label == "apply":
                        resources += len(json.loads(out.stdout)["diff"]["changes"])
                wall = time.perf_counter() - t0
                calls = control(url, "/_ssmpatch/calls")
                by_op = collections.Counter(c.get("name") or c["operation"] for c in calls)
                writes = sum(1 for c in calls if c.get("write", not c["operation"].startswith(
                    ("Describe", "Get", "List", "GET ", "HEAD "))))
                print(f"\n{label}: {args.groups} plans x 2 operations ({resources} resources) on {args.backend}")
                print(f"  wall time {wall:.2f} s ({wall / args.groups * 1000:.0f} ms per plan, CLI start included)")
                print(f"  AWS calls {len(calls)} ({len(calls) / resources:.2f} per resource), writes {writes}")
                for op, n in sorted(by_op.items(), key=lambda x: -x[1]):
                    print(f"    {n:5d}  {op}")
            violations = control(url, "/_ssmpatch/violations")
            print(f"\nrequests rejected by botocore's model: {len(violations)}")



if __name__ == "__main__":
    main()
