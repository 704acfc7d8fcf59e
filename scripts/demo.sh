#!/usr/bin/env bash
# The main job, end to end, on a fresh machine:
#   scripts/demo.sh
# Today (offline): checks the seed case's schedules against every backend, explains the seed
# plan (backend choice, compiled forms, baseline placement), previews its calendar and renders
# its BaselineOverride. Apply against the local AWS stand-in and compliance refresh extend this
# script as they land (see README "Status").
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
scripts/setup.sh >/dev/null 2>&1 || scripts/setup.sh
cargo build --locked -q -p ssmpatch-cli
bin="$root/target/debug/ssmpatch"
say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

say "ssmpatch schedule check 'cron(0 3 ? * 1L *)' --tz Asia/Tokyo   # install: last Sunday, 03:00 Tokyo"
"$bin" schedule check 'cron(0 3 ? * 1L *)' --tz Asia/Tokyo || true
say "ssmpatch schedule next 'cron(0 3 ? * 1L *)' --tz Asia/Tokyo --count 4"
"$bin" schedule next 'cron(0 3 ? * 1L *)' --tz Asia/Tokyo --count 4
say "ssmpatch schedule check 'cron(0 18 ? * SUN#4 *)' --offset 6   # ScheduleOffset 1-6 days"
"$bin" schedule check 'cron(0 18 ? * SUN#4 *)' --offset 6 || true
say "ssmpatch explain examples/seed-placed.toml"
"$bin" explain examples/seed-placed.toml
say "ssmpatch calendar examples/seed-monthly.toml --count 3"
"$bin" calendar examples/seed-monthly.toml --count 3
say "ssmpatch override render examples/seed-placed.toml --operation scan | head -12"
"$bin" override render examples/seed-placed.toml --operation scan | head -12
echo
say "python: Schedule.parse(...).next(tz='Asia/Tokyo')"
"${SSMPATCH_VENV:-.venv}/bin/python" - <<'PY'
from datetime import datetime, timezone
from ssmpatch import Schedule
s = Schedule.parse("cron(0 3 ? * 1L *)")
print(s.describe(tz="Asia/Tokyo"))
for run in s.next(count=3, after=datetime.now(timezone.utc), tz="Asia/Tokyo"):
    print(" ", run.isoformat())
print(s.check("association", tz="Asia/Tokyo"))
PY
