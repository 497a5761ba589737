#!/usr/bin/python3
"""Writes the bundled sample of synthetic registered job seekers for the fr-2025 orientation pack.

Seeded, standard library only, so the file is reproducible byte for byte:

    /usr/bin/python3 scripts/make-persons.py                  # examples/data/persons-1000.jsonl
    /usr/bin/python3 scripts/make-persons.py --count 50 -     # 50 persons on standard output

Nobody in the file exists. The distributions are plausible orders of magnitude for people
registering with France Travail (ages skewed young, about one in five receiving the RSA, one in
twelve with a disabled-worker status, most without barriers but some with several, a few
answers not known, some fields not filled in), not statistics: the sample is for trying the
rules, not for drawing conclusions.
"""

import argparse
import datetime
import json
import os
import random
import sys

REFERENCE = datetime.date(2025, 3, 1)

# (first age, last age, weight): registrations are younger than the working population.
AGE_BANDS = [(16, 17, 3), (18, 21, 12), (22, 25, 13), (26, 29, 11), (30, 39, 24), (40, 49, 19),
             (50, 57, 12), (58, 64, 6)]

QUALIFICATIONS = [("none", 14), ("cap_bep", 24), ("bac", 25), ("bac_plus_2", 14),
                  ("bac_plus_3", 11), ("bac_plus_5_or_more", 12)]

# A dozen départements, weighted roughly by the number of registrations.
TERRITORIES = [("75", 10), ("93", 12), ("13", 11), ("69", 9), ("59", 12), ("33", 7), ("31", 6),
               ("44", 6), ("67", 5), ("62", 8), ("34", 6), ("2A", 2), ("974", 6)]

# Relative frequency of a barrier in each domain.
FREINS = [("frein_sante", 1.2), ("frein_logement", 1.0), ("frein_mobilite", 1.4),
          ("frein_garde_enfant", 0.8), ("frein_proche_aidant", 0.4), ("frein_financier", 1.5),
          ("frein_administratif_juridique", 0.8), ("frein_langue_savoirs_de_base", 0.6),
          ("frein_numerique", 1.0), ("frein_autre", 0.3)]

# Fields a registration form may leave empty (the pack then asks for them).
OPTIONAL = ["rsa_beneficiary", "boe_status", "in_employment", "months_since_last_activity",
            "qualification_level", "has_certified_qualification", "aspiration", "frein_sante",
            "frein_logement", "frein_mobilite", "frein_numerique", "requested_structure",
            "last_job_is_cadre", "emergency", "territory", "registration_date"]


def weighted(rng, pairs):
    total = sum(w for _, w in pairs)
    x = rng.uniform(0, total)
    for value, w in pairs:
        x -= w
        if x <= 0:
            return value
    return pairs[-1][0]


def birth_date(rng, age):
    # Born between (age + 1) years and age years before the reference date, so that the age at
    # the reference date is exactly `age`; one person in a hundred has a birthday on that day.
    if rng.random() < 0.01:
        return REFERENCE.replace(year=REFERENCE.year - age)
    latest = REFERENCE.replace(year=REFERENCE.year - age)
    earliest = REFERENCE.replace(year=REFERENCE.year - age - 1) + datetime.timedelta(days=1)
    return earliest + datetime.timedelta(days=rng.randrange((latest - earliest).days + 1))


def frein(rng, fragility, weight):
    x = rng.random()
    strong = (0.002 + 0.016 * fragility) * weight
    medium = (0.008 + 0.04 * fragility) * weight
    unknown = 0.003
    if x < strong:
        return "strong"
    if x < strong + medium:
        return "medium"
    if x < strong + medium + unknown:
        return "unknown"
    return "none"


def person(rng, k):
    lo, hi = weighted(rng, [((a, b), w) for a, b, w in AGE_BANDS])
    age = rng.randint(lo, hi)
    young = age <= 25
    rsa = rng.random() < (0.03 if young else 0.25)
    x = rng.random()
    boe_odds = 0.04 + 0.003 * max(0, age - 30)
    boe = ("rqth" if x < boe_odds else "other_boeth" if x < boe_odds + 0.015
           else "pending" if x < boe_odds + 0.035 else "none")

    in_employment = rng.random() < 0.07
    never = 0.35 if age < 22 else 0.15 if young else 0.04
    if in_employment:
        months = 0
    elif rng.random() < never:
        months = None  # never worked
    else:
        y = rng.random()
        months = (rng.randint(0, 12) if y < 0.55 else rng.randint(13, 24) if y < 0.8
                  else rng.randint(25, 120))
        if rsa and rng.random() < 0.4:
            months = rng.randint(25, 180)
        # No activity before the age of 14 (the pack's input constraint activite-apres-14-ans).
        months = min(months, max(0, (age - 14) * 12))

    qualification = weighted(rng, QUALIFICATIONS)
    if age < 18:
        qualification = rng.choice(["none", "none", "cap_bep"])
    elif age < 21 and qualification in ("bac_plus_3", "bac_plus_5_or_more"):
        qualification = "bac"
    certified = rng.random() < (0.85 if qualification != "none" else 0.2)

    # Barriers cluster: a few people carry several, most carry none.
    fragility = weighted(rng, [(0.0, 60), (1.0, 30), (2.5, 10)]) + (1.5 if rsa else 0.0)
    freins = {name: frein(rng, fragility, w) for name, w in FREINS}

    x = rng.random()
    cannot = 0.02 + 0.05 * fragility
    aspiration = ("unknown" if x < 0.03 else "cannot_project_now" if x < 0.03 + cannot
                  else "project_to_build" if x < 0.33 + cannot else "rapid_return")

    x = rng.random()
    if young and x < 0.15:
        requested = "mission_locale"
    elif boe in ("rqth", "other_boeth", "pending") and x < 0.3:
        requested = "cap_emploi"
    elif x < 0.005:
        requested = "mission_locale"  # an adult asking a structure for the young
    else:
        requested = "none"

    cadre_odds = {"bac_plus_3": 0.3, "bac_plus_5_or_more": 0.4, "bac_plus_2": 0.08}
    cadre = months is not None and rng.random() < cadre_odds.get(qualification, 0.01)

    p = {
        "person_id": "demo-%04d" % k,
        "birth_date": birth_date(rng, age).isoformat(),
        "rsa_beneficiary": rsa,
        "boe_status": boe,
        "in_employment": in_employment,
        "months_since_last_activity": months,
        "qualification_level": qualification,
        "has_certified_qualification": certified,
        "aspiration": aspiration,
        **freins,
        "requested_structure": requested,
        "last_job_is_cadre": cadre,
        "emergency": rng.random() < 0.02,
        "territory": weighted(rng, TERRITORIES),
        "registration_date": (REFERENCE - datetime.timedelta(days=rng.randint(0, 40))).isoformat(),
    }
    # One registration in eight leaves a field or two empty.
    if rng.random() < 0.12:
        for name in rng.sample(OPTIONAL, rng.choice([1, 1, 2])):
            del p[name]
    return p


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser.add_argument("output", nargs="?",
                        default=os.path.join(root, "examples", "data", "persons-1000.jsonl"),
                        help="output file, '-' for standard output")
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    lines = [json.dumps(person(rng, k), ensure_ascii=False, separators=(", ", ": "))
             for k in range(1, args.count + 1)]
    text = "\n".join(lines) + "\n"
    if args.output == "-":
        sys.stdout.write(text)
    else:
        with open(args.output, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)


if __name__ == "__main__":
    main()
