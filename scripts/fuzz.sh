#!/usr/bin/env bash
# Run the parser fuzz target for a while (default 60 s) on the nightly toolchain.
#   scripts/fuzz.sh [SECONDS] [TARGET]
# Seeds: fuzz/seeds/<target>/ (the cron vectors); new corpus entries go to fuzz/corpus/ (ignored).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
secs="${1:-60}"
target="${2:-schedule_parse}"   # or plan_load, output_parse
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
mkdir -p "$root/fuzz/corpus/$target"
cd "$root/fuzz"
exec cargo +nightly fuzz run "$target" "corpus/$target" "seeds/$target" -- -max_total_time="$secs" -max_len=256
