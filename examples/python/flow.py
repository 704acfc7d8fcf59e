"""The whole flow from Python, typed: load a plan, validate, explain, calendar, plan, apply,
apply again, refresh, status, parse a node's output, destroy — against the local AWS stand-in.

    scripts/python-dev.sh                                  # build ssmpatch into .venv
    scripts/standin.sh start && eval "$(scripts/standin.sh env)"
    .venv/bin/python examples/python/flow.py               # [PLAN] (default: examples/patch-tuesday.toml)

It changes AWS (apply, then destroy), so it runs only where AWS_ENDPOINT_URL points at this machine
(the stand-in); the region is AWS_REGION or AWS_DEFAULT_REGION, else the plan's. The test suite runs
it (python/tests/test_typing.py) and `mypy --strict` checks it.
"""

import asyncio
import os
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional
from urllib.parse import urlparse

import ssmpatch
from ssmpatch import ApplyResult, Calendar, Diff, Explanation, ParsedOutput, RefreshReport, StatusReport

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "core/tests/data/runpatchbaseline-output/synth-override-scan-noncompliant.txt"


def local_endpoint() -> str:
    """AWS_ENDPOINT_URL, when it is on this machine; otherwise the script stops."""
    url = os.environ.get("AWS_ENDPOINT_URL", "")
    if urlparse(url).hostname not in ("127.0.0.1", "localhost", "::1"):
        sys.exit('flow.py changes AWS: run it against the local stand-in (eval "$(scripts/standin.sh env)")')
    return url


def main(plan_path: Path) -> int:
    started = time.monotonic()
    endpoint = local_endpoint()
    region: Optional[str] = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")

    plan = ssmpatch.Plan.load(plan_path)
    warnings = plan.validate()
    print(f"{plan.name}: valid, {len(warnings)} warning(s); operations {', '.join(plan.operations)}")

    after = datetime(2027, 1, 1, tzinfo=timezone.utc)
    ex: Explanation = plan.explain(after=after)
    print(f"backend {ex['backend']} ({ex['chosen']}); rejected: {[r['backend'] for r in ex['rejected']]}")
    for op in ex["operations"]:
        print(f"  {op['name']:8} {op['description']}  ->  {op['compiled']['result']}")

    cal: Calendar = plan.calendar(count=2, after=after)
    for run in cal["runs"]:
        # `at` (UTC) and `local` (the operation's offset) are the same instant, as datetimes.
        print(f"  {run['local']:%Y-%m-%d %H:%M %z}  {run['operation']:8} ({(run['at'] - after).days} days after)")

    session = ssmpatch.Session(plan, region=region, endpoint_url=endpoint)
    diff: Diff = session.plan()
    print("plan:", {a: sum(c["action"] == a for c in diff["changes"]) for a in ("create", "update", "delete")})
    try:
        applied: ApplyResult = session.apply()
    except ssmpatch.AwsError as e:
        # The AWS call, its code and request id as data; `report` says what was done before it stopped.
        print(f"apply stopped at {e.service} {e.operation} ({e.code}): {e}", file=sys.stderr)
        return 1
    print("applied:", [f"{d['action']} {d['kind']} {d['name']}" for d in applied["report"]["done"]])
    again: Diff = asyncio.run(session.plan_async())  # a coroutine, like an `async def`
    print("changes left:", sum(c["action"] != "unchanged" for c in again["changes"]))

    refreshed: RefreshReport = session.refresh(
        strategy="put-compliance-items", since=after.replace(year=2026), progress=lambda line: print("  |", line))
    print(f"refresh ({refreshed['strategy']}): {len(refreshed['nodes'])} node(s)")

    status: StatusReport = session.status()
    counts = {v: n for v, n in status["summary"]["verdicts"].items() if n}
    print(f"status at {status['at']:%Y-%m-%d %H:%M %Z}: {status['summary']['nodes']} node(s) {counts}")
    for node in status["nodes"][:5]:
        print(f"  {node['instance_id']}  {node['operation']:8} {node['verdict']:11} {node['reason']}")

    parsed: ParsedOutput = ssmpatch.parse_output(SAMPLE.read_text())
    missing = [p["Id"] for p in parsed["non_compliant"]]
    print(f"output of {parsed['instance_id']}: {parsed['operation']} at {parsed['summary']['OperationStartTime']}, "
          f"non-compliant: {missing}")

    gone: ApplyResult = session.destroy()
    print("destroyed:", len(gone["report"]["done"]), "resource(s)")
    print(f"flow done in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "examples/patch-tuesday.toml"))
