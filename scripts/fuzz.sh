#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each for a bounded time (seconds, default 60).
set -euo pipefail
seconds="${1:-60}"
root="$(cd "$(dirname "$0")/.." && pwd)"
build="$root/build-fuzz"
launcher=()
if command -v ccache >/dev/null; then
  export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$(dirname "$root")}"
  launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
cmake -S "$root" -B "$build" "${launcher[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang-14 \
  -DCMAKE_CXX_COMPILER=clang++-14 -DAIG_BUILD_FUZZERS=ON -DAIG_BUILD_TESTS=OFF \
  -DAIG_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build "$build" -j2 --target fuzz_pack_loader fuzz_expression fuzz_record fuzz_matching \
  fuzz_dmn_import fuzz_log fuzz_decision fuzz_test_cases fuzz_jdm_import
corpus="$build/corpus"
mkdir -p "$corpus/pack" "$corpus/expression" "$corpus/record" "$corpus/matching" "$corpus/dmn_import"
# DMN seeds are committed (and replayed by the ordinary build: DmnCorpus in interop_tests).
cp "$root"/tests/fuzz/corpus/dmn/* "$corpus/dmn_import/"

n=0
for f in $(find "$root/rules" -name 'pack.json'); do
  n=$((n + 1))
  cp "$f" "$corpus/pack/seed$n.json"
done
printf '%s' 'if age >= 18 and benefit in ["RSA","ASS"] then years_between(birth_date, date("2025-01-01")) else -1' >"$corpus/expression/a"
printf '%s' '[16..25]' >"$corpus/expression/b"
printf '%s' 'not("RSA","ASS")' >"$corpus/expression/c"
printf '%s' 'any(tags, # = "a") or len(tags) > 1' >"$corpus/expression/d"
printf '%s' '{"age": 30, "income": 1.5, "benefit": "RSA", "customer": {"birth_date": "1990-01-01"}, "tags": ["x"], "name": "Ana"}' >"$corpus/record/a"
# Matching seeds: the first byte picks the parser (0 offer, 1 profile, 2 scoring, 3 CSV, 4 zip).
m="$corpus/matching"
{ printf '\x00'; head -n 1 "$root/examples/data/offers-subset.jsonl"; } >"$m/offer"
{ printf '\x01'; head -n 1 "$root/examples/data/profiles-subset.jsonl"; } >"$m/profile"
{ printf '\x02'; cat "$root/rules/matching/scoring-default.json"; } >"$m/scoring"
{ printf '\x03'; head -n 20 "$(ls "$root"/data/rome-subset/*.csv | head -n 1)"; } >"$m/csv"
{ printf '\x04'; cat "$root/tests/matching/data/esco-mini/esco-mini-relations-csv.zip"; } >"$m/zip"
# Committed corpora (every reproduction of the hardening review) seed the runs too.
for name in log decision test_cases record pack jdm; do
  mkdir -p "$corpus/$name"
  cp "$root/tests/fuzz/corpus/$name"/* "$corpus/$name/" 2>/dev/null || true
done
for target in fuzz_pack_loader fuzz_expression fuzz_record fuzz_matching fuzz_dmn_import fuzz_log \
  fuzz_decision fuzz_test_cases fuzz_jdm_import; do
  dir="$corpus/${target#fuzz_}"
  [[ "$target" == fuzz_pack_loader ]] && dir="$corpus/pack"
  [[ "$target" == fuzz_jdm_import ]] && dir="$corpus/jdm"
  echo "fuzzing $target for ${seconds}s"
  log="$build/$target.log"
  if ! "$build/tests/fuzz/$target" -max_total_time="$seconds" -max_len=262144 -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 "$dir" >"$log" 2>&1; then
    tail -n 60 "$log"
    echo "fuzzer $target found a failure"
    exit 1
  fi
  grep -E '^stat::(number_of_executed_units|peak_rss_mb)' "$log" || true
done
echo "fuzzing done"
