#!/usr/bin/env bash
# How the fixtures of tests/compat/0.1.0/ were written: by the command line of the first commit
# that wrote every kind of document (9f9525a, version 0.1.0: eval, orient, decide and its log,
# match, assign), built from that commit in a temporary folder:
#   git archive 9f9525a | tar -x -C /tmp/aig-0.1.0/src
#   cmake -S /tmp/aig-0.1.0/src -B /tmp/aig-0.1.0/build -DAIG_BUILD_TESTS=OFF -DAIG_BUILD_BENCHMARKS=OFF
#   cmake --build /tmp/aig-0.1.0/build --target aiguillage_cli
#   tests/compat/make-0.1.0.sh /tmp/aig-0.1.0/src /tmp/aig-0.1.0/build/aiguillage
# Never rerun it with a later version: the fixtures pin what 0.1.0 wrote.
set -euo pipefail
src=$1
cli=$2
out=$(cd "$(dirname "$0")" && pwd)/0.1.0
mkdir -p "$out"
date=2025-03-01
# The pack as 0.1.0 shipped it: replay finds it by its content hash.
cp "$src/rules/orientation/fr-2025/pack.json" "$out/pack.json"
# 40 persons of the sample, one with a bad date and a line that is not JSON.
{
  head -n 40 "$src/examples/data/persons-1000.jsonl"
  echo '{"person_id":"compat-bad","birth_date":"2001-02-30"}'
  echo 'not json'
} > "$out/persons.jsonl"
"$cli" eval "$out/pack.json" "$out/persons.jsonl" --date $date --allow-unknown-fields --trace \
  > "$out/results.jsonl" || true
"$cli" orient "$out/pack.json" "$out/persons.jsonl" --date $date > "$out/proposals.jsonl" || true
# Counsellors decide the first two pending persons (an override and a confirmation); the evident
# proposals are confirmed by policy.
pending=$(grep -o '"person_id":"[^"]*","status":"[a-z]*","evident":false' "$out/proposals.jsonl" |
  grep '"complete"\|"incomplete"' | head -n 2 | sed 's/"person_id":"\([^"]*\)".*/\1/')
first=$(echo "$pending" | sed -n 1p)
second=$(echo "$pending" | sed -n 2p)
cat > "$out/decisions.jsonl" <<JSON
{"person_id":"$first","action":"override","reason":"entretien : freins confirmés","outputs":{"parcours":"social"},"decided_at":"2025-03-02T10:00:00+01:00","actor":"conseiller_france_travail"}
{"person_id":"$second","action":"confirm","reason":"entretien : proposition confirmée","decided_at":"2025-03-02T11:00:00+01:00","actor":"conseiller_france_travail"}
JSON
rm -f "$out/decisions.log"
AIG_PSEUDONYM_KEY=compat-key-0123456789abcdef "$cli" decide "$out/pack.json" "$out/persons.jsonl" \
  --date $date --log "$out/decisions.log" --auto --decisions "$out/decisions.jsonl" \
  --at 2025-03-01T09:00:00+01:00 > "$out/decide.jsonl" 2>/dev/null || true
"$cli" match --offers "$src/examples/data/offers-subset.jsonl" \
  --profiles "$src/examples/data/profiles-subset.jsonl" \
  --referential "$src/data/rome-subset" --scoring "$src/rules/matching/scoring-default.json" \
  --top 3 > "$out/matches.jsonl"
"$cli" assign --offers "$src/examples/data/offers-subset.jsonl" \
  --profiles "$src/examples/data/profiles-subset.jsonl" \
  --referential "$src/data/rome-subset" --scoring "$src/rules/matching/scoring-default.json" \
  > "$out/assignment.jsonl"
"$cli" version > "$out/VERSION"
echo "written by $("$cli" version | head -n 1) into $out"
