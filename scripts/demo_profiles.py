#!/usr/bin/env python3
"""Matching profiles for the demo's persons: one profile per line of a persons file (JSON Lines
with person_id), its id the person_id, so that a match run can be joined back to the persons'
group attributes (aiguillage report --matches ... --match-persons ...; docs/report.md).

Competences, targets and preferences are taken in turn from the six example profiles
(examples/data/profiles-subset.jsonl); the location is the prefecture of the person's
département, the diploma level follows the qualification level and the RQTH the BOE status.
Deterministic: the same persons file gives the same profiles.

Usage: scripts/demo_profiles.py PERSONS.jsonl > PROFILES.jsonl
"""

import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "examples" / "data" / "profiles-subset.jsonl"

# Prefectures (latitude, longitude, postal code) of the départements of the demo's persons.
PLACES = {
    "02": (49.5641, 3.6199, "02000"), "13": (43.2965, 5.3698, "13001"),
    "2A": (41.9192, 8.7386, "20000"), "31": (43.6047, 1.4442, "31000"),
    "33": (44.8378, -0.5792, "33000"), "34": (43.6108, 3.8767, "34000"),
    "44": (47.2184, -1.5536, "44000"), "59": (50.6292, 3.0573, "59000"),
    "60": (49.4300, 2.0800, "60000"), "62": (50.2910, 2.7775, "62000"),
    "67": (48.5734, 7.7521, "67000"), "69": (45.7640, 4.8357, "69001"),
    "75": (48.8566, 2.3522, "75001"), "80": (49.8941, 2.2958, "80000"),
    "93": (48.9101, 2.4412, "93000"), "974": (-20.8789, 55.4481, "97400"),
}
LEVELS = {"none": 3, "cap_bep": 3, "bac": 4, "bac_plus_2": 5, "bac_plus_3": 6,
          "bac_plus_5_or_more": 7}


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    templates = [json.loads(l) for l in TEMPLATES.read_text(encoding="utf-8").splitlines() if l]
    with open(sys.argv[1], encoding="utf-8") as persons:
        for n, line in enumerate(l for l in persons if l.strip()):
            person = json.loads(line)
            profile = dict(templates[n % len(templates)])
            profile["id"] = person["person_id"]
            territory = person.get("territory")
            if territory in PLACES:
                lat, lon, postal = PLACES[territory]
                profile["location"] = {"latitude": lat, "longitude": lon, "postal_code": postal,
                                       "departement": territory}
            level = LEVELS.get(person.get("qualification_level"))
            profile["diplomas"] = ([{"label": f"Diplôme de niveau {level}", "level": level}]
                                   if level else [])
            profile["rqth"] = person.get("boe_status", "none") not in ("none", None)
            sys.stdout.write(json.dumps(profile, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
