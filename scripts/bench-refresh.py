#!/usr/bin/env python3
"""Refresh cost against the local AWS stand-in: N simulated nodes, one install window run with
BaselineOverride, then `ssmpatch refresh --strategy put-compliance-items`.

    .venv/bin/python scripts/bench-refresh.py [--nodes 10000] [--binary PATH]

`--binary` uses an already built CLI instead of building `target/release/ssmpatch`.

Prints the time of the refresh (reading every node's output, one strategy call per operation,
one PutComplianceItems per node) and the AWS calls it made. Figures, not assertions.
"""

import argparse
import collections
import json
import os
import resource
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REGION = "ap-northeast-1"


def control(url, path, method="GET", body=None):
    data = json.dumps(body).encode() if body is not None else None
    with urllib.request.urlopen(urllib.request.Request(url + path, method=method, data=data), timeout=3600) as r:
        return json.loads(r.read() or b"null")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--nodes", type=int, default=10000)
    ap.add_argument("--binary", type=Path, help="an already built ssmpatch (default: build target/release/ssmpatch)")
    args = ap.parse_args()
    binary = args.binary
    if binary is None:
        subprocess.run(["cargo", "build", "--locked", "-q", "--release", "-p", "ssmpatch-cli"], cwd=ROOT, check=True)
        binary = ROOT / "target/release/ssmpatch"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "ssmpatch_standin", "--port", str(port)],
                              env=dict(os.environ, PYTHONPATH=str(ROOT / "standin")),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(150):
            try:
                control(url, "/_ssmpatch/health")
                break
            except OSError:
                time.sleep(0.1)
        import boto3
        boto3.client("s3", endpoint_url=url, region_name=REGION, aws_access_key_id="testing",
                     aws_secret_access_key="testing").create_bucket(
            Bucket="web-patching-artifacts", CreateBucketConfiguration={"LocationConstraint": REGION})
        nodes = [{
            "InstanceId": f"i-{i:017x}", "OperatingSystem": "AMAZON_LINUX_2023", "Tags": {"Patch Group": "web"},
            "Installed": [{"Name": "openssl", "Arch": "x86_64", "Version": "3.0.7", "Release": "1.amzn2023", "Epoch": "1"}],
            "Available": [{"Name": "openssl", "Arch": "x86_64", "Version": "3.0.8", "Release": "1.amzn2023", "Epoch": "1",
                           "Classification": "Security", "Severity": "Critical", "ReleaseDate": "2026-01-01T00:00:00Z",
                           "FailInstall": True}]} for i in range(args.nodes)]
        t0 = time.perf_counter()
        for i in range(0, len(nodes), 1000):
            control(url, f"/_ssmpatch/nodes?region={REGION}", "POST", {"region": REGION, "nodes": nodes[i:i + 1000]})
        env = dict(os.environ, AWS_ENDPOINT_URL=url, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", NO_COLOR="1")
        subprocess.run([str(binary), "apply", "examples/seed-monthly.toml", "--yes"], cwd=ROOT, env=env, check=True,
                       capture_output=True)
        ssm = boto3.client("ssm", endpoint_url=url, region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing")
        window = next(w for w in ssm.describe_maintenance_windows()["WindowIdentities"] if w["Name"] == "ssmpatch-web-monthly-install")
        control(url, f"/_ssmpatch/windows/{window['WindowId']}/execute?region={REGION}", "POST", {})
        setup = time.perf_counter() - t0
        control(url, "/_ssmpatch/calls", "DELETE")
        t0 = time.perf_counter()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)  # the server is not waited for yet: not counted
        out = subprocess.run([str(binary), "refresh", "examples/seed-monthly.toml", "--strategy", "put-compliance-items",
                              "--json", "--concurrency", "16"], cwd=ROOT, env=env, capture_output=True, text=True)
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if out.returncode != 0:
            sys.exit(out.stderr)
        report = json.loads(out.stdout)
        results = collections.Counter(n["result"] for n in report["nodes"])
        calls = collections.Counter(c.get("name") or c["operation"] for c in control(url, "/_ssmpatch/calls"))
        print(f"setup (register {args.nodes} nodes, apply, run the install window): {setup:.1f} s")
        print(f"refresh of {args.nodes} nodes: {wall:.1f} s ({wall / args.nodes * 1000:.2f} ms per node); results {dict(results)}")
        print(f"  ssmpatch's own CPU: {after.ru_utime - before.ru_utime:.1f} s user, {after.ru_stime - before.ru_stime:.1f} s system "
              f"(the rest of the wall time is the stand-in answering)")
        for op, n in calls.most_common():
            print(f"  {n:6d}  {op}")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
