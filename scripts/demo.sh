#!/usr/bin/env bash
# The main job on the bundled data: orientation of about 1,000 synthetic registered job seekers
# under the 2025 criteria (rules/orientation/fr-2025) — proposals, a summary, three notices, a
# decision log (evident cases confirmed by the deployment's policy, two overrides by a
# counsellor), then the auditor's side: the log verified and every decision replayed.
#
# Usage: scripts/demo.sh [BUILD_DIR]   (default: build; `make demo` passes it)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build}"
[[ "$build" = /* ]] || build="$root/$build"
cli="$build/aiguillage"
pack="$root/rules/orientation/fr-2025"
persons="$root/examples/data/persons-1000.jsonl"
out="$root/out/demo"
date=2025-03-01
# Timestamps are supplied by the caller: nothing in aiguillage reads the clock.
at="${date}T09:00:00+01:00"
py=/usr/bin/python3

rm -rf "$out"
mkdir -p "$out/notices"

# A fixed key so that the demo is reproducible; a deployment keeps its own secret key.
key="$out/pseudonym-key.txt"
printf '%s\n' "demo-key-not-a-secret-use-your-own" >"$key"

echo "== pack rules/orientation/fr-2025"
echo "hash: $("$cli" hash "$pack")"
echo "aiguillage check: $({ "$cli" check "$pack" || true; } | tail -n 1)"
echo "aiguillage test: $({ "$cli" test "$pack" || true; } | tail -n 1)"
echo

echo "== orientation of $(wc -l <"$persons") persons at $date (aiguillage orient)"
status=0
"$cli" orient "$pack" "$persons" --date "$date" >"$out/proposals.jsonl" || status=$?
# Exit code 1 means some persons were rejected: they are reported, the others kept.
[[ $status -le 1 ]] || exit $status

# The summary, and the choice of the three cases the notices and the overrides are about.
"$py" - "$persons" "$out/proposals.jsonl" "$out" <<'PY'
import collections, json, sys

persons_path, proposals_path, out = sys.argv[1:4]
persons = [json.loads(l) for l in open(persons_path, encoding="utf-8") if l.strip()]
rows = [json.loads(l) for l in open(proposals_path, encoding="utf-8")]
by_id = {p["person_id"]: p for p in persons}
ok = [r for r in rows if not r["errors"]]
n = len(ok)

def pct(k):
    return f"{100.0 * k / n:5.1f} %" if n else "-"

def table(title, counter, width=40):
    print(title)
    for name, k in counter.most_common():
        label = "(to be settled in review)" if name is None else name
        print(f"  {label:{width}} {k:5}  {pct(k)}")

print(f"{len(rows)} proposals, {len(rows) - n} rejected persons")
table("parcours:", collections.Counter(r["outputs"].get("parcours") for r in ok))
table("organisme référent:", collections.Counter(r["outputs"].get("organisme_referent") for r in ok))
table("décideur:", collections.Counter(r["outputs"].get("decideur") for r in ok))
evident = sum(r["evident"] for r in ok)
print(f"review rate: {n - evident} of {n} proposals need a counsellor ({pct(n - evident).strip()}); "
      f"{evident} are evident")
table("top review reasons:", collections.Counter(c for r in ok for c in r["review_reasons"]))
questions = collections.Counter(q["input"] for r in ok for q in r["questions"])
table("questions most asked (missing inputs that could change the outcome):",
      collections.Counter(dict(questions.most_common(8))))
for r in rows:
    if r["errors"]:
        e = r["errors"][0]
        print(f"  line {r['line']}: {e['name']} at {e['pointer']}: {e['message']}")

# An evident case, a case for review, and two overrides by a counsellor after the interview.
def first(pred, exclude=()):
    for r in ok:
        if r.get("person_id") not in exclude and pred(r):
            return r
    raise SystemExit("demo: no person fits a case; regenerate the sample")

evident_case = first(lambda r: r["evident"] and r["outputs"].get("parcours") == "emploi")
review_case = first(lambda r: "frein_ou_aspiration_inconnu" in r["review_reasons"])
asked = first(lambda r: r["review_reasons"] == ["structure_demandee_differente"]
              and r["outputs"].get("parcours") in ("emploi", "socio_professionnel"),
              {review_case["person_id"]})
requested = by_id[asked["person_id"]]["requested_structure"]
undecided = first(lambda r: r["outputs"].get("parcours") is None
                  and not by_id[r["person_id"]].get("rsa_beneficiary")
                  and by_id[r["person_id"]].get("requested_structure", "none") == "none",
                  {review_case["person_id"], asked["person_id"]})
decisions = [
    {"person_id": asked["person_id"], "action": "override",
     "outputs": {"organisme_referent": requested, "decideur": requested},
     "reason": "La personne s'est adressée à la structure qu'elle a choisie, qui décide de son "
               "orientation (art. L5411-5-1 du code du travail).",
     "actor": "conseiller_" + requested, "decided_at": "2025-03-03T10:30:00+01:00"},
    {"person_id": undecided["person_id"], "action": "override",
     "outputs": {"parcours": "socio_professionnel", "organisme_referent": "france_travail",
                 "decideur": "france_travail"},
     "reason": "Entretien d'orientation : freins confirmés avec la personne ; parcours "
               "socio-professionnel accompagné par France Travail.",
     "actor": "conseiller_france_travail", "decided_at": "2025-03-04T14:00:00+01:00"},
]
with open(f"{out}/counsellor-decisions.jsonl", "w", encoding="utf-8") as f:
    for d in decisions:
        f.write(json.dumps(d, ensure_ascii=False) + "\n")
with open(f"{out}/cases.txt", "w", encoding="utf-8") as f:
    f.write(f"{evident_case['person_id']} {review_case['person_id']} {asked['person_id']}\n")
PY
echo "proposals: $out/proposals.jsonl"
echo

read -r evident_id review_id override_id <"$out/cases.txt"
rm -f "$out/cases.txt"
person() { grep -F "\"person_id\": \"$1\"" "$persons"; }

echo "== three notices (aiguillage notice)"
person "$evident_id" | "$cli" notice "$pack" - --date "$date" --auto --at "$at" \
  >"$out/notices/1-evident-$evident_id.fr.txt"
person "$review_id" | "$cli" notice "$pack" - --date "$date" \
  >"$out/notices/2-review-$review_id.fr.txt"
person "$override_id" | "$cli" notice "$pack" - --date "$date" \
  --decisions "$out/counsellor-decisions.jsonl" >"$out/notices/3-override-$override_id.fr.txt"
ls "$out/notices" | sed "s|^|  $out/notices/|"
echo
echo "-- the notice of the override ($override_id), first lines:"
head -n 24 "$out/notices/3-override-$override_id.fr.txt"
echo "  [...]"
echo

echo "== decisions (aiguillage decide --auto, two overrides by counsellors)"
status=0
"$cli" decide "$pack" "$persons" --date "$date" --auto --at "$at" \
  --decisions "$out/counsellor-decisions.jsonl" --key-file "$key" \
  --log "$out/decisions.log" >"$out/decisions.jsonl" || status=$?
[[ $status -le 1 ]] || exit $status
echo "decision log: $out/decisions.log; pending cases wait for a counsellor ($out/decisions.jsonl)"
echo

echo "== the auditor: aiguillage log verify"
"$cli" log verify "$out/decisions.log"
echo
echo "== the auditor: aiguillage replay --packs rules/orientation"
"$cli" replay "$out/decisions.log" --packs "$root/rules/orientation"
echo

echo
echo "== the committees' view: aiguillage report (indicators, disparities, territories, matching)"
# The exposure of the persons in the offers' top 20: one profile per person, ranked per offer.
"$py" "$root/scripts/demo_profiles.py" "$persons" >"$out/persons-profiles.jsonl"
"$cli" match --referential "$root/data/rome-subset" \
  --scoring "$root/rules/matching/scoring-default.json" \
  --offers "$root/examples/data/offers-subset.jsonl" --profiles "$out/persons-profiles.jsonl" \
  --persons --top 20 >"$out/persons-matches.jsonl"
"$cli" report --log "$out/decisions.log" --out "$out/report" --packs "$root/rules/orientation" \
  --matches "$out/persons-matches.jsonl" --match-persons "$persons" \
  --match-profiles "$out/persons-profiles.jsonl" \
  | sed '1s/^/report: /'
echo

# A territorial parameter changed (the Nord's convention now sends socio-professional RSA
# beneficiaries to the département): replaying the log under that variant shows whom it moves.
variant="$out/variant-59"
if "$py" - "$pack/pack.json" "$variant" <<'PY'
import json, os, sys
doc = json.load(open(sys.argv[1], encoding="utf-8"))
for d in doc["decisions"]:
    if d["id"] == "convention_departementale":
        rule = d["rules"][0]
        rule["when"][0] += ',"59"'
        break
else:
    sys.exit(1)
doc["version"] += "-variante-59"
os.makedirs(sys.argv[2], exist_ok=True)
with open(os.path.join(sys.argv[2], "pack.json"), "w", encoding="utf-8") as f:
    json.dump(doc, f, ensure_ascii=False, indent=1)
PY
then
  echo "== impact of a territorial parameter: replay --against (convention of the Nord, 59)"
  "$cli" replay "$out/decisions.log" --against "$variant" >"$out/replay-variant-59.txt"
  grep -m 3 ' different ' "$out/replay-variant-59.txt" || true
  echo "  [...]"
  tail -n 1 "$out/replay-variant-59.txt"
fi

# Matching on the bundled ROME subset: the best offers of two example persons, each with its
# principal reasons and the one change the person could make that would raise the score most.
echo
echo "== matching: top 3 offers for two persons (aiguillage match --explain, data/rome-subset)"
head -n 2 "$root/examples/data/profiles-subset.jsonl" >"$out/match-profiles.jsonl"
"$cli" match --referential "$root/data/rome-subset" \
  --scoring "$root/rules/matching/scoring-default.json" \
  --offers "$root/examples/data/offers-subset.jsonl" --profiles "$out/match-profiles.jsonl" \
  --top 3 --lang fr --explain >"$out/matches.jsonl"
"$py" - "$out/matches.jsonl" <<'PY'
import json, sys

for line in open(sys.argv[1], encoding="utf-8"):
    m = json.loads(line)
    e = m["explanation"]
    score = format(m["score"], ".2f").replace(".", ",")
    print(f"{m['profile_id']}, {m['rank']}/{m['cohort_size']} : offre {m['offer_id']} "
          f"« {e['offer_title']} » ({e['offer_rome']}), score {score}")
    for k, r in enumerate(m["reasons"], 1):
        print(f"    {k}. {r['text']}")
    cf = e["counterfactual"]
    print("    " + (cf["text"] if cf else "Aucun changement à votre portée n'élèverait ce score."))
PY

# The whole population at once: each of the six example persons gets one offer, the most pairs
# first, then the highest total score (min-cost flow over each person's 10 best offers).
echo
echo "== matching: one offer per person over the population (aiguillage assign)"
"$cli" assign --referential "$root/data/rome-subset" \
  --scoring "$root/rules/matching/scoring-default.json" \
  --offers "$root/examples/data/offers-subset.jsonl" \
  --profiles "$root/examples/data/profiles-subset.jsonl" --candidates 10 >"$out/assignment.jsonl"
"$py" - "$out/assignment.jsonl" <<'PY'
import json, sys

for line in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(line)
    if "summary" in r:
        s = r["summary"]
        total = format(s["total_score"], ".2f").replace(".", ",")
        print(f"{s['pairs']} personnes placées sur {s['persons']}, score total {total}")
    else:
        score = format(r["score"], ".2f").replace(".", ",")
        rank = r["rank_for_person"]
        nth = "1re" if rank == 1 else f"{rank}e"
        print(f"  {r['profile_id']} → {r['offer_id']} (score {score}, {nth} de ses offres)")
PY

# What a user does next, with the paths of this run.
rel() { local p="${1#"$root"/}"; echo "${p}"; }
echo
echo "== what next"
echo "outputs:        $(rel "$out")/ (proposals.jsonl, notices/, decisions.log, matches.jsonl, assignment.jsonl)"
echo "the report:     $(rel "$out")/report/report.html (open it in a browser; report.json and CSVs beside it, docs/report.md)"
echo "one person:     $(rel "$cli") explain $(rel "$pack") examples/data/person.json --date $date --lang fr"
echo "their notice:   $(rel "$cli") notice $(rel "$pack") examples/data/person.json --date $date --lang fr"
echo "one match:      $(rel "$cli") explain-match --offers examples/data/offers-subset.jsonl --profiles examples/data/profiles-subset.jsonl --offer-id ID --profile-id ID"
echo "the packs:      $(rel "$cli") packs"
echo "from Python:    make python-install (or PYTHONPATH=$(rel "$build")/python), then: import aiguillage; aiguillage.Pack.load(...) (docs/python.md)"
echo "from C:         cmake --install $(rel "$build") --prefix PREFIX, then cc app.c \$(pkg-config --cflags --libs aiguillage) (docs/install.md, docs/c_api.md)"
echo "the service:    $(rel "$cli") keys add --file keys.json --role admin   # prints the key once"
echo "                AIG_PSEUDONYM_KEY=change-me-0123456789 $(rel "$cli") serve --packs rules --default-pack fr/orientation --keys keys.json --log decisions.jsonl --port 8080   # docs/service.md"
