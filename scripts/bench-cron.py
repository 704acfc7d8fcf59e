#!/usr/bin/env python3
"""Next-occurrence throughput of ssmpatch's cron engine beside saffron, cron and croner, in one
criterion run, with the geometric means the README quotes.

    python3 scripts/bench-cron.py [--reuse]

Runs `cargo bench -p ssmpatch --no-default-features --bench next_occurrences` (one group per
expression of core/benches/bench-expressions.json, every engine that can express it; the bench
checks each translation gives ssmpatch's runs before measuring it), then prints runs per second
per case and engine, and the geometric mean per engine over:
  - utc:    every UTC case (an engine that cannot express one is left out of the row),
  - common: the UTC cases every engine can express,
  - tz:     the time-zone cases (ssmpatch only: the others are UTC-only here).
`--reuse` reads the results of the last run instead of running. The machine's load average is
printed before and after: figures from a busy machine are lower for every engine alike.
Figures, not assertions.
"""

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENGINES = ["ssmpatch", "ssmpatch-instants", "saffron", "cron", "croner"]


def load_average():
    try:
        return Path("/proc/loadavg").read_text().split()[:3]
    except OSError:
        return ["?"] * 3


def geomean(xs):
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else float("nan")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reuse", action="store_true", help="read the last run's results instead of running the bench")
    args = ap.parse_args()
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    results = target / "criterion"
    cases = json.loads((ROOT / "core/benches/bench-expressions.json").read_text())
    count = cases["count"]
    cases = cases["cases"]
    load_before = load_average()
    if not args.reuse:
        for d in results.glob("next-1000_*"):
            shutil.rmtree(d)
        subprocess.run(["cargo", "bench", "--locked", "-q", "-p", "ssmpatch", "--no-default-features",
                        "--bench", "next_occurrences", "--", "next-1000/"], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
    load_after = load_average()

    rate = {}  # (case index, engine) -> runs per second (mean time per rep)
    for i in range(len(cases)):
        for engine in ENGINES:
            d = results / f"next-1000_{i:02d}" / engine / "new"
            if (d / "estimates.json").exists():
                ns = json.loads((d / "estimates.json").read_text())["mean"]["point_estimate"]
                runs = json.loads((d / "benchmark.json").read_text())["throughput"]["Elements"]
                rate[i, engine] = runs / (ns * 1e-9)
    if not rate:
        sys.exit(f"no results under {results}: run without --reuse")

    print(f"next {count} runs per rep (fewer where a crate stops early), expression parsed in every rep; "
          "runs/s in millions")
    print(f"load average before: {' '.join(load_before)}; after: {' '.join(load_after)}; cpus: {os.cpu_count()}")
    print()
    print(f"{'#':>2}  {'expression':<38} {'tz':<17}" + "".join(f"{e:>18}" for e in ENGINES))
    for i, c in enumerate(cases):
        cells = "".join(f"{rate[i, e] / 1e6:>18.2f}" if (i, e) in rate else f"{'-':>18}" for e in ENGINES)
        print(f"{i:>2}  {c['expr']:<38} {c['tz']:<17}{cells}")
    utc = [i for i, c in enumerate(cases) if c["tz"] == "UTC"]
    sets = {
        "utc": utc,
        "common": [i for i in utc if all((i, e) in rate for e in ENGINES)],
        "tz": [i for i, c in enumerate(cases) if c["tz"] != "UTC"],
    }
    print()
    print("geometric mean, M runs/s (n = cases in the set the engine can express)")
    for name, members in sets.items():
        cells = []
        for e in ENGINES:
            xs = [rate[i, e] for i in members if (i, e) in rate]
            cells.append(f"{geomean(xs) / 1e6:>11.2f} (n={len(xs):>2})" if xs else f"{'-':>18}")
        print(f"  {name + f' ({len(members)})':<14}" + "".join(cells))
    print("  columns: " + ", ".join(ENGINES))


if __name__ == "__main__":
    main()
