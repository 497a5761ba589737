#!/usr/bin/env bash
# The main job on the bundled data: check and test the example pack, evaluate the sample of
# synthetic persons, summarise the results and explain two of them.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build}"
[[ "$build" = /* ]] || build="$root/$build"
cli="$build/aiguillage"
pack="$root/rules/examples/youth-guidance"
persons="$root/examples/data/youth-persons.jsonl"
out="$root/out/demo"
date=2025-03-01
mkdir -p "$out"

echo "== pack"
"$cli" hash "$pack"
echo
echo "== static checks (aiguillage check)"
"$cli" check "$pack"
echo
echo "== test cases (aiguillage test)"
"$cli" test "$pack"
echo
echo "== evaluation of $(wc -l <"$persons") persons at $date (aiguillage eval)"
status=0
"$cli" eval "$pack" "$persons" --date "$date" --trace >"$out/results.jsonl" || status=$?
# Exit code 1 means some records were rejected: they are reported, the others kept.
[[ $status -le 1 ]] || exit $status
/usr/bin/python3 - "$out/results.jsonl" <<'PY'
import collections, json, sys
rows = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
status = collections.Counter(r["status"] for r in rows)
organisme = collections.Counter(r["outputs"].get("organisme") for r in rows if r["status"] != "error")
questions = collections.Counter(m["input"] for r in rows for m in r.get("missing", []))
print(f"{len(rows)} results: " + ", ".join(f"{n} {s}" for s, n in sorted(status.items())))
print("organisme référent (complete and provisional):")
for name, n in organisme.most_common():
    print(f"  {name:24} {n}")
print("questions to ask for incomplete results:")
for name, n in questions.most_common():
    print(f"  {name:28} {n}")
for r in rows:
    if r["status"] == "error":
        e = r["errors"][0]
        print(f"  line {r['line']}: {e['name']} at {e['pointer']}: {e['message']}")
PY
echo "results with traces: $out/results.jsonl"
echo
echo "== explanation of the first person (aiguillage explain --lang fr)"
head -n 1 "$persons" | "$cli" explain "$pack" --date "$date" --lang fr | tee "$out/explanation-1.fr.txt"
echo
echo "== explanation of an incomplete registration (--lang en)"
sed -n 2p "$persons" | "$cli" explain "$pack" --date "$date" --lang en | tee "$out/explanation-2.en.txt"
