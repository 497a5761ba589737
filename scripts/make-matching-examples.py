#!/usr/bin/python3
"""Writes example offers and profiles built on the shipped ROME subset (data/rome-subset/):

    examples/data/offers-subset.jsonl     50 offers, France Travail offres-v2 shape
    examples/data/profiles-subset.jsonl   6 profiles, aiguillage.profile 1.0

    /usr/bin/python3 scripts/make-matching-examples.py

Seeded, standard library only: reruns give the same bytes. Nobody and no offer in them exists;
competence codes, ROME codes and labels are real (ROME 4.0). Most offers are bare offres-v2
objects as the API returns them (with some of its other fields, which the loader ignores), a
few are wrapped as aiguillage.offer 1.0 documents, and one cites a competence code that the
referential does not hold, as offers written against an older ROME do.
"""

import csv
import json
import os
import random

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SUBSET = os.path.join(ROOT, "data", "rome-subset")
OUT = os.path.join(ROOT, "examples", "data")

# (label, postal code, INSEE commune, latitude, longitude)
PLACES = [
    ("59 - Lille", "59000", "59350", 50.6292, 3.0573),
    ("59 - Roubaix", "59100", "59512", 50.6942, 3.1746),
    ("62 - Lens", "62300", "62498", 50.4322, 2.8333),
    ("62 - Arras", "62000", "62041", 50.2910, 2.7775),
    ("80 - Amiens", "80000", "80021", 49.8941, 2.2958),
    ("02 - Saint-Quentin", "02100", "02691", 49.8465, 3.2876),
    ("59 - Valenciennes", "59300", "59606", 50.3570, 3.5235),
    ("60 - Beauvais", "60000", "60057", 49.4295, 2.0807),
]
CONTRACTS = ["CDI", "CDI", "CDD", "CDD", "MIS", "SAI"]
LEVELS = ["CAP, BEP et équivalents", "Bac ou équivalent", "Bac+2 ou équivalents",
          "Bac+3, Bac+4 ou équivalents", "Bac+5 et plus ou équivalents"]
LICENCES = ["B - Véhicule léger", "C - Poids lourd", "CE - PL + remorque"]
LANGUAGES = ["Anglais", "Espagnol", "Allemand"]


def read(name):
    with open(os.path.join(SUBSET, "unix_%s_v460_utf8.csv" % name), newline="",
              encoding="utf-8") as f:
        return list(csv.DictReader(f))


def main():
    rng = random.Random(20250901)
    fiches = read("referentiel_code_rome")
    competences = {r["code_ogr"]: r for r in read("referentiel_competence")
                   if r["nature"] == "Compétence"}
    appellations = {}
    for r in read("referentiel_appellation"):
        appellations.setdefault(r["code_rome"], []).append(r)
    core, listed = {}, {}
    for r in read("coherence_item"):
        if r["code_ogr"] not in competences:
            continue
        (core if r["coeur_metier"] else listed).setdefault(r["code_rome"], []).append(r["code_ogr"])

    offers = []
    for n in range(50):
        fiche = fiches[n % len(fiches)] if n < 40 else fiches[rng.randrange(len(fiches))]
        code = fiche["code_rome"]
        app = rng.choice(appellations[code])
        required = rng.sample(core.get(code, []), min(3, len(core.get(code, []))))
        desired = rng.sample(listed.get(code, []), min(2, len(listed.get(code, []))))
        comps = [{"code": c, "libelle": competences[c]["libelle_competence"], "exigence": "E"}
                 for c in required]
        comps += [{"code": c, "libelle": competences[c]["libelle_competence"], "exigence": "S"}
                  for c in desired]
        if n == 17:
            comps.append({"code": "999001", "libelle": "Compétence d'une version antérieure",
                          "exigence": "S"})
        place = PLACES[rng.randrange(len(PLACES))]
        exp = rng.choice(["D", "D", "S", "E"])
        offer = {
            "id": "EX%05d" % (n + 1),
            "intitule": app["libelle_appellation_court"],
            "dateCreation": "2025-09-%02dT08:00:00.000Z" % (1 + n % 28),
            "romeCode": code,
            "romeLibelle": fiche["libelle_rome"],
            "appellationlibelle": app["libelle_appellation_long"],
            "lieuTravail": {"libelle": place[0], "latitude": place[3], "longitude": place[4],
                            "codePostal": place[1], "commune": place[2]},
            "typeContrat": rng.choice(CONTRACTS),
            "experienceExige": exp,
            "experienceLibelle": {"D": "Débutant accepté", "S": "1 An(s)",
                                  "E": "%d An(s)" % rng.choice([1, 2, 3])}[exp],
            "competences": comps,
            "dureeTravailLibelle": rng.choice(["35H Travail en journée", "24H Horaires normaux",
                                               "39H Travail en équipe"]),
            "accessibleTH": rng.random() < 0.3,
            "alternance": rng.random() < 0.1,
            "nombrePostes": rng.choice([1, 1, 1, 2, 3]),
            "entreprise": {"nom": "Entreprise exemple %d" % (n % 9)},
            "origineOffre": {"origine": "1"},
        }
        offer["dureeTravailLibelleConverti"] = (
            "Temps partiel" if offer["dureeTravailLibelle"].startswith("24H") else "Temps plein")
        if rng.random() < 0.5:
            offer["formations"] = [{"codeFormation": "31%03d" % rng.randrange(1000),
                                    "domaineLibelle": "Formation du domaine",
                                    "niveauLibelle": rng.choice(LEVELS),
                                    "exigence": rng.choice(["E", "S"])}]
        if code.startswith("N4") or rng.random() < 0.2:
            offer["permis"] = [{"libelle": "C - Poids lourd" if code == "N4101" else
                                LICENCES[0], "exigence": "E"}]
        if rng.random() < 0.15:
            offer["langues"] = [{"libelle": rng.choice(LANGUAGES), "exigence": "S"}]
        if n % 10 == 9:  # a few as aiguillage.offer documents (known fields only)
            offer = {"schema": "aiguillage.offer", "schema_version": "1.0",
                     **{k: v for k, v in offer.items()
                        if k not in ("dateCreation", "entreprise", "origineOffre")}}
        offers.append(offer)

    profiles = []
    targets = ["N1103", "D1505", "J1501", "F1703", "G1602", "M1805"]
    for n, target in enumerate(targets):
        place = PLACES[n % len(PLACES)]
        own = core.get(target, [])
        neighbour = listed.get(target, [])
        comps = [{"code": c, "evidence": rng.choice(["declared", "validated", "certified"]),
                  "level": rng.choice([2, 3])} for c in rng.sample(own, min(4, len(own)))]
        comps += [{"code": c, "evidence": "declared"}
                  for c in rng.sample(neighbour, min(2, len(neighbour)))]
        profile = {
            "schema": "aiguillage.profile", "schema_version": "1.0",
            "id": "P%04d" % (n + 1),
            "competences": comps,
            "targets": {"rome": [target],
                        "appellations": [appellations[target][0]["code_ogr"]]},
            "experience": [{"rome": target, "months": rng.choice([0, 6, 18, 36])}],
            "diplomas": [{"label": "Diplôme de niveau %d" % (3 + n % 3), "level": 3 + n % 3}],
            "languages": [{"label": "Français", "level": "C2"}],
            "licences": ["B - Véhicule léger"] if n % 2 == 0 else [],
            "location": {"latitude": place[3], "longitude": place[4], "postal_code": place[1],
                         "departement": place[1][:2]},
            "max_distance_km": rng.choice([15, 25, 40]),
            "contract_types": ["CDI", "CDD"] if n % 3 else [],
            "working_times": ["full_time"] if n % 2 else ["full_time", "part_time"],
            "available_from": "2025-10-%02d" % (1 + n),
            "rqth": n == 2,
        }
        profiles.append(profile)

    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "offers-subset.jsonl"), "w", encoding="utf-8") as f:
        for o in offers:
            f.write(json.dumps(o, ensure_ascii=False, sort_keys=False) + "\n")
    with open(os.path.join(OUT, "profiles-subset.jsonl"), "w", encoding="utf-8") as f:
        for p in profiles:
            f.write(json.dumps(p, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
