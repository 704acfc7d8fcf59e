#!/usr/bin/env python3
"""`ssmpatch status` at fleet scale against the local AWS stand-in: N simulated nodes (10,000 by
default) targeted by the seed plan (`examples/seed-monthly.toml`, maintenance windows, the `rescan`
strategy), its scan and install windows run, then `ssmpatch status --json` run several times.

    .venv/bin/python scripts/bench-status.py [--nodes 10000] [--reps 3] [--concurrency 16] [--binary PATH]

`--binary` uses an already built CLI instead of building `target/release/ssmpatch`.

The fleet has nodes in every verdict, one in a hundred each: an agent offline before the runs
(unreachable), left out of the install window's run (missed), an install that fails (failed), left
out of the install's rescan (stale), scanned afterwards by someone else without the override
(overwritten); the rest are current. Every run's verdicts are checked against that design: a wrong
verdict stops the script.

For each run it prints the wall time, the client CPU (user + system of the child, RUSAGE_CHILDREN),
the AWS calls it made (in all, per node, and per operation, from the stand-in's call log) and "the
time the reads take": the time the stand-in was serving at least one of status's calls (the union
of the calls' [started, started + seconds] intervals of the call log). Status's wall time minus that
is the time no read was in flight: the client's own share. Figures, not assertions.
"""

import argparse
import collections
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchlib import ROOT, control, standin, timed
REGION = "ap-northeast-1"
SEED = "examples/seed-monthly.toml"
BUCKET = "web-patching-artifacts"
# Before November's scan (one week before the last Sunday, 2026-11-22 03:00 Tokyo): apply makes its
# one-shot window, as the CLI's status test does.
FROM = "2026-11-20T00:00:00Z"

# One node in a hundred in each class; the rest are current.
CLASSES = {1: "unreachable", 2: "missed", 3: "failed", 4: "stale", 5: "overwritten"}




def design(i):
    """The install verdict node `i` is built for."""
    return CLASSES.get(i % 100, "current")


def node(i):
    released = "2026-10-01T00:00:00Z"
    return {
        "InstanceId": f"i-{i:017x}", "OperatingSystem": "AMAZON_LINUX_2023", "Tags": {"Patch Group": "web"},
        "PingStatus": "ConnectionLost" if design(i) == "unreachable" else "Online",
        "Installed": [{"Name": "openssl", "Arch": "x86_64", "Version": "3.0.7", "Release": "1.amzn2023", "Epoch": "1"}],
        "Available": [{"Name": "openssl", "Arch": "x86_64", "Version": "3.0.8", "Release": "1.amzn2023", "Epoch": "1",
                       "Classification": "Security", "Severity": "Critical", "ReleaseDate": released,
                       "FailInstall": design(i) == "failed"}]}


def boto3_client(service, url, key="testing"):
    import boto3
    return boto3.client(service, endpoint_url=url, region_name=REGION, aws_access_key_id=key,
                        aws_secret_access_key="testing")


def setup_fleet(url, binary, n, env):
    s3 = boto3_client("s3", url)
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    nodes = [node(i) for i in range(n)]
    for i in range(0, n, 1000):
        control(url, f"/_ssmpatch/nodes?region={REGION}", "POST", {"region": REGION, "nodes": nodes[i:i + 1000]})
    subprocess.run([str(binary), "apply", SEED, "--yes", "--from", FROM], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    # The nodes' role from `iam-policy --node`: they may read the override and upload their output.
    policy = subprocess.run([str(binary), "iam-policy", SEED, "--node"], cwd=ROOT, env=env, check=True,
                            capture_output=True, text=True).stdout
    control(url, "/_ssmpatch/node-roles", "POST", {"policy": json.loads(policy), "region": REGION})
    ssm = boto3_client("ssm", url)
    windows = [(w["Name"], w["WindowId"]) for p in ssm.get_paginator("describe_maintenance_windows").paginate()
               for w in p["WindowIdentities"]]
    scan = sorted(w for w in windows if "-scan-at-2026112" in w[0])[0][1]
    install = next(wid for name, wid in windows if name.endswith("-install"))
    rescan = next(t["WindowTaskId"] for p in ssm.get_paginator("describe_maintenance_window_tasks").paginate(
        WindowId=install) for t in p["Tasks"] if "rescan" in t.get("Name", ""))
    ids = {i: x["InstanceId"] for i, x in enumerate(nodes)}
    of = lambda cls: [ids[i] for i in range(n) if design(i) == cls]  # noqa: E731
    control(url, f"/_ssmpatch/windows/{scan}/execute?region={REGION}", "POST", {})
    control(url, f"/_ssmpatch/windows/{install}/execute?region={REGION}", "POST",
            {"exclude": of("missed"), "exclude_tasks": {rescan: of("stale")}})
    # After the runs, someone else (another access key) scans without the override.
    other = boto3_client("ssm", url, key="other")
    foreign = of("overwritten")
    for k in range(0, len(foreign), 50):
        other.send_command(DocumentName="AWS-RunPatchBaseline", InstanceIds=foreign[k:k + 50],
                           Parameters={"Operation": ["Scan"]}, Comment="nightly scan")
    return {x["InstanceId"]: design(i) for i, x in enumerate(nodes)}




def busy(calls):
    """The time at least one call was being served: the union of the calls' intervals."""
    spans = sorted((c["started"], c["started"] + c["seconds"]) for c in calls if c.get("seconds") is not None)
    total, end = 0.0, None
    for a, b in spans:
        if end is None or a > end:
            total += b - a
            end = b
        elif b > end:
            total += b - end
            end = b
    return total


def check(report, designed):
    """Every node's install verdict is the one it was built for; the scan's verdicts, counted."""
    got = {(x["instance_id"], x["operation"]): x["verdict"] for x in report["nodes"]}
    wrong = [(n, v, got.get((n, "install"))) for n, v in designed.items() if got.get((n, "install")) != v]
    if wrong:
        sys.exit(f"{len(wrong)} node(s) with another install verdict than designed, e.g. "
                 f"{', '.join(f'{n}: {g} (built for {v})' for n, v, g in wrong[:5])}")
    if len(got) != 2 * len(designed):
        sys.exit(f"the report has {len(got)} (node, operation) rows, not {2 * len(designed)}")
    return collections.Counter(v for (_, op), v in got.items() if op == "scan")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--nodes", type=int, default=10_000)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--concurrency", type=int, default=16, help="ssmpatch status --concurrency")
    ap.add_argument("--binary", type=Path, help="an already built ssmpatch (default: build target/release/ssmpatch)")
    args = ap.parse_args()
    binary = args.binary
    if binary is None:
        subprocess.run(["cargo", "build", "--locked", "-q", "--release", "-p", "ssmpatch-cli"], cwd=ROOT, check=True)
        binary = Path(os.environ.get("CARGO_TARGET_DIR") or ROOT / "target") / "release/ssmpatch"
    with standin() as url:
        env = dict(os.environ, AWS_ENDPOINT_URL=url, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
                   AWS_REGION=REGION, NO_COLOR="1")
        t0 = time.perf_counter()
        designed = setup_fleet(url, binary, args.nodes, env)
        print(f"setup (register {args.nodes} nodes, apply, run the scan and install windows, foreign scans): "
              f"{time.perf_counter() - t0:.1f} s")
        control(url, "/_ssmpatch/calls", "DELETE")
        cmd = [str(binary), "status", SEED, "--json", "--concurrency", str(args.concurrency)]
        runs = []
        for rep in range(args.reps):
            done, wall, user, system = timed(cmd, env)
            if done.returncode not in (0, 6):   # 6: some node is not current, as designed
                sys.exit(f"ssmpatch status failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
            out, cpu = done.stdout, user + system
            calls = control(url, "/_ssmpatch/calls", "DELETE")
            bad = [c for c in calls if str(c["outcome"]) != "200"]
            if bad:
                sys.exit(f"{len(bad)} call(s) not answered 200, e.g. {bad[0]['name']}: {bad[0]['outcome']}")
            report = json.loads(out)
            scan = check(report, designed)
            reads = busy(calls)
            runs.append((wall, cpu, reads, calls))
            print(f"  rep {rep + 1}: wall {wall:6.2f} s, client CPU {cpu:5.2f} s, {len(calls)} calls "
                  f"({len(calls) / args.nodes:.3f} per node), the stand-in serving them {reads:6.2f} s "
                  f"(wall minus that {wall - reads:5.2f} s)")
        install = collections.Counter(designed.values())
        print(f"status of {args.nodes} nodes x 2 operations, {args.reps} runs, concurrency {args.concurrency}; "
              f"every install verdict as designed ({', '.join(f'{v} {n}' for v, n in install.most_common())}); "
              f"scan: {', '.join(f'{v} {n}' for v, n in scan.most_common())}")
        walls = [r[0] for r in runs]
        print(f"  wall median {statistics.median(walls):.2f} s (min {min(walls):.2f}, max {max(walls):.2f}); "
              f"client CPU median {statistics.median(r[1] for r in runs):.2f} s; "
              f"the reads (stand-in busy) median {statistics.median(r[2] for r in runs):.2f} s; "
              f"wall / reads median {statistics.median(r[0] / r[2] for r in runs):.3f}")
        calls = runs[-1][3]
        by_op = collections.Counter(c["name"] for c in calls)
        secs = collections.defaultdict(float)
        for c in calls:
            secs[c["name"]] += c["seconds"] or 0
        print(f"  AWS calls per run: {len(calls)} ({len(calls) / args.nodes:.4f} per node):")
        for op, k in by_op.most_common():
            print(f"    {op:48s} {k:6d}  {k / args.nodes:.4f}/node  stand-in {secs[op]:6.2f} s")
        print(f"  load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
