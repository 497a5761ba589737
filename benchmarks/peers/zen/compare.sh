#!/usr/bin/env bash
# Same table, same records, one run: aiguillage (rules_bench) against GoRules ZEN from npm.
#
#   benchmarks/peers/zen/compare.sh [BUILD_DIR] [RECORDS]
# BUILD_DIR defaults to build-bench (configured with -DAIG_BUILD_BENCHMARKS=ON), RECORDS to
# 20000 (ZEN's side). Prints ours in ns/record (batch with and without the trace, JSON Lines
# end to end), ZEN in µs per evaluation (one `await` after another, and 1000 in flight), the
# ratios, and the ratios against ZEN's published native figure (6.7 µs per evaluation). Exits
# non-zero when ZEN's outputs and ours disagree on any record.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
build="${1:-$root/build-bench}"
records="${2:-20000}"
bench="$build/benchmarks/rules_bench"

if [[ ! -x "$bench" ]]; then
  echo "compare.sh: $bench is missing; build it first:" >&2
  echo "  cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DAIG_BUILD_TESTS=OFF -DAIG_BUILD_BENCHMARKS=ON" >&2
  echo "  cmake --build build-bench -j2 --target rules_bench" >&2
  exit 2
fi
if [[ ! -d "$here/node_modules/@gorules/zen-engine" ]]; then
  "$here/install.sh"
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

"$bench" --write-peer-data="$work" --peer-records="$records"
echo "running aiguillage (5 repetitions, medians)..."
"$bench" --benchmark_filter='BM_BatchFirstTable|BM_JsonLinesEndToEnd' \
  --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
  --benchmark_out="$work/ours.json" --benchmark_out_format=json >/dev/null
echo "running ZEN (5 runs, median)..."
echo
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%Y-%m-%dT%H:%MZ)"
cd "$here"
node bench.mjs "$work" --runs 5 --ours "$work/ours.json"
