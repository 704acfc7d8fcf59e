#!/usr/bin/env python3
"""Refresh cost against the local AWS stand-in: N simulated nodes, one install window run with
BaselineOverride, then — alternating, several times each — `ssmpatch refresh --strategy
put-compliance-items` and a hand-written boto3 refresh doing the same work.

    .venv/bin/python scripts/bench-refresh.py [--nodes 2000] [--reps 3] [--binary PATH]

`--binary` uses an already built CLI instead of building `target/release/ssmpatch`.

The boto3 refresh is what a competent engineer would write for the same job: one boto3 session,
clients shared by a pool of 16 threads (the concurrency ssmpatch is given), botocore paginators
for every list (the plan's install window by name, its finished executions, their tasks, the
tasks' invocations, each command's invocations, the nodes' platforms), then per node one
GetObject of the step's stdout (the key ssmpatch reads: `<output-prefix>/<plan>/<operation>/
<command-id>/<node>/<plugin>/<step>/stdout`), a parse of the `[BASELINE OVERRIDE]` blocks into the
items the built-in `put-compliance-items` strategy writes (same ids, titles, severities, details
and SHA-256 content hash), and one PutComplianceItems (COMPLETE). It runs as a child process, like
ssmpatch, so each one's client CPU is user + system time of that child (RUSAGE_CHILDREN; the
stand-in is not waited for until the end, so it is not counted); interpreter and module start-up
count, as ssmpatch's own start-up does.

After every run the script checks that every node got compliance written: a PutComplianceItems
answered 200 for each node in that run's call log, each node's `Custom:ssmpatch` summary in
ListResourceComplianceSummaries (all pages), and that the boto3 refresh sent for each node exactly
the items, content hash, type and upload type ssmpatch sent. Anything else stops the script.
Figures, not assertions.
"""

import argparse
import collections
import concurrent.futures
import hashlib
import json
import os
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchlib import ROOT, control, standin, timed
REGION = "ap-northeast-1"
PLAN = "web-monthly"
OPERATION = "install"
WINDOW = f"ssmpatch-{PLAN}-{OPERATION}"
BUCKET = "web-patching-artifacts"
OUTPUT_PREFIX = "ssmpatch/output"
COMPLIANCE_TYPE = "Custom:ssmpatch"




# ---------------------------------------------------------------------------------------------
# The boto3 refresh (run as `bench-refresh.py --boto3-refresh URL` in a child process).

SEVERITIES = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "UNSPECIFIED"]
MAX_ITEMS, MAX_BYTES = 10_000, 800 * 1024
OVERRIDE_SUMMARY = "[BASELINE OVERRIDE]: Summary: "
OVERRIDE_PACKAGES = "[BASELINE OVERRIDE]: Non Compliant Packages: "
OVERRIDE_ALL_COMPLIANT = "[BASELINE OVERRIDE]: All Packages are Compliant."
COMPLIANT_DETAILS = ["InstalledCount", "InstalledOtherCount", "NotApplicableCount", "OperationType", "RebootOption"]


def parse_override_output(text):
    """The last `[BASELINE OVERRIDE]` result in one node's stdout: (summary dict, non-compliant
    packages or [] when every package is compliant), or None when it holds none."""
    decoder = json.JSONDecoder()
    at = text.rfind(OVERRIDE_SUMMARY)
    if at < 0:
        return None
    summary, end = decoder.raw_decode(text, at + len(OVERRIDE_SUMMARY))
    rest = text[end:]
    p = rest.find(OVERRIDE_PACKAGES)
    if p >= 0:
        packages, _ = decoder.raw_decode(rest, p + len(OVERRIDE_PACKAGES))
        return summary, packages
    if OVERRIDE_ALL_COMPLIANT in rest:
        return summary, []
    return None


def compliance_items(summary, packages):
    """What `put-compliance-items` writes for one run (wasm-policies/put-compliance-items)."""
    def text(v):
        return v if isinstance(v, str) else json.dumps(v)

    def s(p, k):
        v = p.get(k)
        return v if isinstance(v, str) else ""

    if not packages:
        details = {k: text(summary[k])[:4096] for k in COMPLIANT_DETAILS if k in summary}
        title = (f"All packages compliant ({text(summary.get('InstalledCount', '?'))} installed, "
                 f"{text(summary.get('InstalledOtherCount', '?'))} installed other)")[:500]
        return [{"Id": "ssmpatch-compliant", "Title": title, "Severity": "UNSPECIFIED", "Status": "COMPLIANT",
                 "Details": details}]
    items = []
    for p in packages:
        sev = s(p, "Severity")
        items.append({
            "Id": s(p, "Id")[:100], "Title": s(p, "Title")[:500],
            "Severity": sev if sev in SEVERITIES else "UNSPECIFIED", "Status": "NON_COMPLIANT",
            "Details": {"PatchState": s(p, "PatchState"), "Classification": s(p, "Classification"),
                        "PatchSeverity": s(p, "PatchSeverity"),
                        "CVEIds": ",".join(c for c in s(p, "CVEIds").split(",") if c)[:4096],
                        "InstalledTime": s(p, "InstalledTime")}})
    items.sort(key=lambda i: (SEVERITIES.index(i["Severity"]), i["Id"]))

    def size(i):
        return sum(len(i[k].encode()) for k in ("Id", "Title", "Severity", "Status")) + 64 + sum(
            len(k.encode()) + len(v.encode()) + 8 for k, v in i["Details"].items())

    if len(items) <= MAX_ITEMS and sum(map(size, items)) <= MAX_BYTES:
        return items
    kept, left, used = [], [], 512
    for i in items:
        if left or len(kept) + 1 >= MAX_ITEMS or used + size(i) > MAX_BYTES:
            left.append(i)
            continue
        used += size(i)
        kept.append(i)
    worst = min((SEVERITIES.index(i["Severity"]) for i in left), default=len(SEVERITIES) - 1)
    kept.append({"Id": "ssmpatch-omitted", "Severity": SEVERITIES[worst], "Status": "NON_COMPLIANT",
                 "Title": f"{len(left)} more non-compliant packages (the report exceeds one PutComplianceItems call)",
                 "Details": {"OmittedCount": str(len(left))}})
    return kept


def content_hash(execution_id, items):
    h = hashlib.sha256()
    for part in [execution_id] + [v for i in items for v in (i["Id"], i["Severity"], i["Status"], *i["Details"].values())]:
        h.update(part.encode())
        h.update(b"\xff")
    return h.hexdigest()


def boto3_refresh(url, threads):
    import boto3
    from botocore.config import Config
    config = Config(region_name=REGION, max_pool_connections=threads,
                    retries={"mode": "standard", "max_attempts": 5})
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing")
    ssm = session.client("ssm", endpoint_url=url, config=config)
    s3 = session.client("s3", endpoint_url=url, config=config.merge(Config(s3={"addressing_style": "path"})))

    def items(op, key, **kw):
        return [x for page in ssm.get_paginator(op).paginate(**kw) for x in page[key]]

    windows = items("describe_maintenance_windows", "WindowIdentities", Filters=[{"Key": "Name", "Values": [WINDOW]}])
    runs = []  # (command id, end time) of the window's install task with an override
    for w in windows:
        for ex in items("describe_maintenance_window_executions", "WindowExecutions", WindowId=w["WindowId"]):
            if ex["Status"] not in ("SUCCESS", "FAILED"):
                continue
            for t in ssm.describe_maintenance_window_execution_tasks(
                    WindowExecutionId=ex["WindowExecutionId"])["WindowExecutionTaskIdentities"]:
                invocations = items("describe_maintenance_window_execution_task_invocations",
                                    "WindowExecutionTaskInvocationIdentities",
                                    WindowExecutionId=ex["WindowExecutionId"], TaskId=t["TaskExecutionId"])
                for inv in invocations:
                    params = json.loads(inv.get("Parameters") or "{}").get("parameters", {})
                    if params.get("Operation") == ["Install"] and any(params.get("BaselineOverride") or []):
                        runs.append((inv["ExecutionId"], t.get("EndTime") or ex.get("EndTime")))
    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        def nodes_of(run):
            return [(i["InstanceId"], run) for i in items("list_command_invocations", "CommandInvocations",
                                                          CommandId=run[0])]
        latest = {}  # a node's latest run is its report
        for pairs in pool.map(nodes_of, sorted(set(runs))):
            for node, run in pairs:
                if node not in latest or (run[1], run[0]) > (latest[node][1], latest[node][0]):
                    latest[node] = run
        ids = sorted(latest)

        def platforms(chunk):
            return [(i["InstanceId"], i.get("PlatformType")) for i in items(
                "describe_instance_information", "InstanceInformationList",
                Filters=[{"Key": "InstanceIds", "Values": chunk}])]
        platform = dict(p for ps in pool.map(platforms, [ids[i:i + 50] for i in range(0, len(ids), 50)]) for p in ps)

        def refresh(node):
            command, end = latest[node]
            if platform.get(node, "Linux") != "Linux":
                return "skipped"
            key = f"{OUTPUT_PREFIX}/{PLAN}/{OPERATION}/{command}/{node}/awsrunShellScript/PatchLinux/stdout"
            text = s3.get_object(Bucket=BUCKET, Key=key)["Body"].read().decode("utf-8", "replace")
            report = parse_override_output(text)
            if report is None:
                return "skipped"
            found = compliance_items(*report)
            ssm.put_compliance_items(
                ResourceId=node, ResourceType="ManagedInstance", ComplianceType=COMPLIANCE_TYPE,
                ExecutionSummary={"ExecutionTime": end, "ExecutionId": command, "ExecutionType": "Command"},
                Items=found, ItemContentHash=content_hash(command, found), UploadType="COMPLETE")
            return "compliance-written"
        results = collections.Counter(pool.map(refresh, ids))
    print(json.dumps({"nodes": len(ids), "results": dict(results)}))


# ---------------------------------------------------------------------------------------------
# The comparison.

def setup_fleet(url, binary, n, env):
    import boto3
    boto3.client("s3", endpoint_url=url, region_name=REGION, aws_access_key_id="testing",
                 aws_secret_access_key="testing").create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    # The nodes' role may read the override and upload their output (by default a node may do
    # neither: the stand-in's "Node instance profiles").
    profile = {"RoleName": "web-role", "ManagedPolicies": ["AmazonSSMManagedInstanceCore"], "Policy": {
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{BUCKET}/ssmpatch/overrides/*"},
            {"Effect": "Allow", "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{BUCKET}/{OUTPUT_PREFIX}/*"},
            {"Effect": "Allow", "Action": "s3:GetEncryptionConfiguration", "Resource": f"arn:aws:s3:::{BUCKET}"}]}}
    nodes = [{
        "InstanceId": f"i-{i:017x}", "OperatingSystem": "AMAZON_LINUX_2023", "Tags": {"Patch Group": "web"},
        "InstanceProfile": profile,
        "Installed": [{"Name": "openssl", "Arch": "x86_64", "Version": "3.0.7", "Release": "1.amzn2023", "Epoch": "1"}],
        "Available": [{"Name": "openssl", "Arch": "x86_64", "Version": "3.0.8", "Release": "1.amzn2023", "Epoch": "1",
                       "Classification": "Security", "Severity": "Critical", "ReleaseDate": "2026-01-01T00:00:00Z",
                       "FailInstall": True}]} for i in range(n)]
    for i in range(0, len(nodes), 1000):
        control(url, f"/_ssmpatch/nodes?region={REGION}", "POST", {"region": REGION, "nodes": nodes[i:i + 1000]})
    subprocess.run([str(binary), "apply", "examples/seed-monthly.toml", "--yes"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    ssm = boto3.client("ssm", endpoint_url=url, region_name=REGION, aws_access_key_id="testing",
                       aws_secret_access_key="testing")
    window = next(w for w in ssm.describe_maintenance_windows()["WindowIdentities"] if w["Name"] == WINDOW)
    control(url, f"/_ssmpatch/windows/{window['WindowId']}/execute?region={REGION}", "POST", {})
    return [x["InstanceId"] for x in nodes], ssm




def verify(url, ssm, node_ids, who):
    """Every node got a PutComplianceItems answered 200 in this run and has its compliance; the
    writes of the run, by node."""
    calls = control(url, "/_ssmpatch/calls", "DELETE")
    puts = {}
    for c in calls:
        if c["name"] == "PutComplianceItems":
            if c["outcome"] != 200 and c["outcome"] != "200":
                sys.exit(f"{who}: PutComplianceItems for {c['params'].get('ResourceId')} answered {c['outcome']}")
            puts[c["params"]["ResourceId"]] = c["params"]
    missing = sorted(set(node_ids) - set(puts))
    if missing:
        sys.exit(f"{who}: no compliance written for {len(missing)} node(s), e.g. {missing[:3]}")
    with_compliance = set()
    for page in ssm.get_paginator("list_resource_compliance_summaries").paginate(
            Filters=[{"Key": "ComplianceType", "Values": [COMPLIANCE_TYPE]}]):
        with_compliance.update(s["ResourceId"] for s in page["ResourceComplianceSummaryItems"]
                               if s["ComplianceType"] == COMPLIANCE_TYPE)
    control(url, "/_ssmpatch/calls", "DELETE")  # the check's own calls
    missing = sorted(set(node_ids) - with_compliance)
    if missing:
        sys.exit(f"{who}: {len(missing)} node(s) have no {COMPLIANCE_TYPE} compliance, e.g. {missing[:3]}")
    counts = collections.Counter(call_name(c["name"]) for c in calls)
    return puts, counts


def call_name(name):
    """The call log's name of a call, with an S3 call's path reduced to what it is (the bucket or
    one of its objects), so that 2,000 GetObjects count as one kind of call."""
    m = re.fullmatch(r"(GET|HEAD|PUT|POST|DELETE) /[^/?]+/?(\S*)", name)
    if not m:
        return name
    return f"S3 {m.group(1)} {'object' if m.group(2) else 'bucket'}"


def same_writes(mine, theirs):
    """The boto3 refresh sent what ssmpatch sent, node by node (items, hash, type, upload type)."""
    def key(p):
        items = sorted(((i["Id"], i["Title"], i["Severity"], i["Status"], tuple(sorted((i.get("Details") or {}).items())))
                        for i in p["Items"]))
        return (p["ComplianceType"], p["UploadType"], p["ItemContentHash"], p["ExecutionSummary"]["ExecutionId"],
                p["ExecutionSummary"]["ExecutionType"], items)
    bad = [n for n in mine if key(mine[n]) != key(theirs.get(n, mine[n] | {"ItemContentHash": None}))]
    if bad:
        n = bad[0]
        sys.exit(f"the boto3 refresh wrote other compliance than ssmpatch for {len(bad)} node(s), e.g. {n}:\n"
                 f"  ssmpatch: {json.dumps(mine[n], default=str)[:1500]}\n  boto3:    {json.dumps(theirs.get(n), default=str)[:1500]}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--nodes", type=int, default=2000)
    ap.add_argument("--reps", type=int, default=3, help="runs of each refresh, alternating")
    ap.add_argument("--concurrency", type=int, default=16, help="ssmpatch's --concurrency and boto3's threads")
    ap.add_argument("--binary", type=Path, help="an already built ssmpatch (default: build target/release/ssmpatch)")
    ap.add_argument("--wrap", help="a command to run ssmpatch under, e.g. 'perf record -g -o refresh.perf' "
                    "(its CPU is then counted with ssmpatch's: for profiles, not figures)")
    ap.add_argument("--boto3-refresh", metavar="URL", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.boto3_refresh:
        return boto3_refresh(args.boto3_refresh, args.concurrency)
    binary = args.binary
    if binary is None:
        subprocess.run(["cargo", "build", "--locked", "-q", "--release", "-p", "ssmpatch-cli"], cwd=ROOT, check=True)
        target = Path(os.environ.get("CARGO_TARGET_DIR") or ROOT / "target")
        binary = target / "release/ssmpatch"
    with standin() as url:
        env = dict(os.environ, AWS_ENDPOINT_URL=url, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
                   AWS_REGION=REGION, NO_COLOR="1")
        t0 = time.perf_counter()
        node_ids, ssm = setup_fleet(url, binary, args.nodes, dict(env, SSMPATCH_WASM_CACHE="off"))
        # ssmpatch keeps compiled strategies on disk (SSMPATCH_WASM_CACHE), as Python keeps .pyc
        # files: its first refresh here starts from an empty cache and compiles the strategy, the
        # later ones load it. The figures of that first run are marked.
        cache = tempfile.TemporaryDirectory(prefix="bench-refresh-wasm-")
        env["SSMPATCH_WASM_CACHE"] = cache.name
        print(f"setup (register {args.nodes} nodes, apply, run the install window): {time.perf_counter() - t0:.1f} s")
        control(url, "/_ssmpatch/calls", "DELETE")
        ssmpatch_cmd = shlex.split(args.wrap or "") + [str(binary), "refresh", "examples/seed-monthly.toml", "--strategy", "put-compliance-items",
                        "--json", "--concurrency", str(args.concurrency)]
        boto3_cmd = [sys.executable, str(Path(__file__).resolve()), "--boto3-refresh", url,
                     "--concurrency", str(args.concurrency)]
        figures = {"ssmpatch": [], "boto3": []}
        writes, counts = {}, {}
        for rep in range(args.reps):
            # Alternating, and each one first in every other rep.
            order = ["ssmpatch", "boto3"] if rep % 2 == 0 else ["boto3", "ssmpatch"]
            for who in order:
                cmd = ssmpatch_cmd if who == "ssmpatch" else boto3_cmd
                done, wall, user, system = timed(cmd, env)
                if done.returncode != 0:
                    sys.exit(f"{cmd[-1] if cmd[0] == sys.executable else cmd[0]} failed ({done.returncode}):\n"
                             f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
                out = done.stdout
                if who == "ssmpatch":
                    report = json.loads(out)
                    results = collections.Counter(n["result"] for n in report["nodes"])
                else:
                    results = collections.Counter(json.loads(out)["results"])
                if results != {"compliance-written": args.nodes}:
                    sys.exit(f"{who}: results {dict(results)}, not compliance-written for all {args.nodes} nodes")
                puts, counts[who] = verify(url, ssm, node_ids, who)
                writes.setdefault(who, puts)
                figures[who].append((wall, user, system))
                cold = " (empty strategy cache: compiles it)" if who == "ssmpatch" and len(figures[who]) == 1 else ""
                print(f"  rep {rep + 1} {who:8s}: CPU {user + system:6.2f} s ({user:.2f} user, {system:.2f} system), "
                      f"wall {wall:6.1f} s; every node's compliance written{cold}")
        same_writes(writes["ssmpatch"], writes["boto3"])
        print(f"refresh of {args.nodes} nodes after one install window run, {args.reps} alternating runs each, "
              f"concurrency {args.concurrency}; the boto3 refresh wrote the same items and hashes as ssmpatch:")
        cpu = {w: [u + s for _, u, s in f] for w, f in figures.items()}
        for who, f in figures.items():
            walls = [w for w, _, _ in f]
            print(f"  {who:8s}: client CPU median {statistics.median(cpu[who]):6.2f} s (min {min(cpu[who]):.2f}, "
                  f"max {max(cpu[who]):.2f}; {statistics.median(cpu[who]) / args.nodes * 1000:.3f} ms per node), "
                  f"wall median {statistics.median(walls):.1f} s (min {min(walls):.1f}, max {max(walls):.1f})")
        print(f"  ssmpatch / boto3 client CPU: median {statistics.median(cpu['ssmpatch']) / statistics.median(cpu['boto3']):.3f} "
              f"(worst pairing {max(cpu['ssmpatch']) / min(cpu['boto3']):.3f}, best {min(cpu['ssmpatch']) / max(cpu['boto3']):.3f})")
        for who in ("ssmpatch", "boto3"):
            print(f"  AWS calls per {who} run: " + ", ".join(f"{op} {n}" for op, n in counts[who].most_common()))
        print(f"  load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")



if __name__ == "__main__":
    main()
