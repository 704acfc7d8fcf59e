#!/usr/bin/env bash
# Run the parser fuzz target for a while (default 60 s) on the nightly toolchain.
#   scripts/fuzz.sh [SECONDS] [TARGET]
# Seeds: fuzz/seeds/<target>/ (the cron vectors, the examples, the output samples, and huge or hostile
# values: huge-*, hostile-*); dictionaries: fuzz/dicts/; new corpus entries go to fuzz/corpus/ (ignored).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
secs="${1:-60}"
target="${2:-schedule_parse}"   # or plan_load, output_parse
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
# Inputs as long as the target's seeds (a plan or a node's output is longer than an expression;
# expressions run past AWS's 256 characters), with a dictionary of huge values where there is one.
case "$target" in
    plan_load) max_len=4096 ;;
    output_parse) max_len=16384 ;;
    *) max_len=300 ;;
esac
dict=()
[[ -f "$root/fuzz/dicts/$target.dict" ]] && dict=(-dict="$root/fuzz/dicts/$target.dict")
mkdir -p "$root/fuzz/corpus/$target"
cd "$root/fuzz"
exec cargo +nightly fuzz run "$target" "corpus/$target" "seeds/$target" -- -max_total_time="$secs" -max_len="$max_len" "${dict[@]}"
