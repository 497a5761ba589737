#!/usr/bin/env bash
# Runs every benchmark once on small inputs: proves they work, measures nothing.
set -euo pipefail
build="${1:-build}"
export AIG_BENCH_SMOKE=1
shopt -s nullglob
for b in "$build"/benchmarks/*_bench; do
  echo "smoke: $(basename "$b")"
  "$b" --benchmark_min_time=0.01 --benchmark_repetitions=1 >/dev/null
done
