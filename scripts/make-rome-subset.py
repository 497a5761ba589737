#!/usr/bin/python3
"""Writes data/rome-subset/: a small, coherent part of ROME 4.0 in the published CSV format.

    /usr/bin/python3 scripts/make-rome-subset.py [ROME_DIR] [OUT_DIR]

ROME_DIR defaults to ../shared/data/rome-v460 beside the repository (or $AIG_SHARED_DATA/
rome-v460), OUT_DIR to data/rome-subset. The same loader reads the subset and the full
referential, so the tests and the examples run on a fresh checkout.

The subset keeps the fiches listed in FICHES (logistics and warehouse, retail, care, building,
hospitality, administration, IT, cleaning, transport), and for them: their rows of every file,
every item they cite (competences, savoirs, work contexts) with the macro-competences of those
competences, their appellations, the domain tree rows and the mobility edges between two kept
fiches. Rows keep the source order and every field as published; the output is byte for byte
the same on every run (all fields quoted, LF line ends, UTF-8).
"""

import csv
import os
import sys

FICHES = [
    # logistics, warehouse, transport
    "N1101", "N1103", "N1105", "N1201", "N4101", "N4105",
    # retail
    "D1101", "D1106", "D1214", "D1502", "D1505", "D1507",
    # care and personal services
    "J1501", "J1506", "K1302", "K1303", "K1304", "K1305",
    # building
    "F1602", "F1603", "F1606", "F1701", "F1703", "F1704",
    # hospitality
    "G1501", "G1602", "G1603", "G1605", "G1703", "G1803",
    # administration
    "M1203", "M1501", "M1601", "M1602", "M1607",
    # IT
    "I1401", "M1801", "M1805", "M1810",
    # cleaning
    "K2204",
]

VERSION = "v460"


def path(directory, name):
    return os.path.join(directory, "unix_%s_%s_utf8.csv" % (name, VERSION))


def read(directory, name):
    with open(path(directory, name), newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def write(directory, name, header, rows):
    with open(path(directory, name), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, quoting=csv.QUOTE_ALL, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    shared = os.environ.get("AIG_SHARED_DATA", os.path.join(root, "..", "shared", "data"))
    src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(shared, "rome-v460")
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(root, "data", "rome-subset")
    os.makedirs(out, exist_ok=True)
    keep = set(FICHES)

    header, rows = read(src, "referentiel_code_rome")
    rows = [r for r in rows if r[0] in keep]
    missing = keep - {r[0] for r in rows}
    if missing:
        sys.exit("fiches absent from %s: %s" % (src, ", ".join(sorted(missing))))
    write(out, "referentiel_code_rome", header, rows)

    header, rows = read(src, "cr_gd_dp")
    write(out, "cr_gd_dp", header, [r for r in rows if r[0] in keep])

    header, rows = read(src, "referentiel_appellation")
    i = header.index("code_rome")
    write(out, "referentiel_appellation", header, [r for r in rows if r[i] in keep])

    header, rows = read(src, "coherence_item")
    coherence = [r for r in rows if r[0] in keep]
    write(out, "coherence_item", header, coherence)
    cited = {r[1] for r in coherence}

    header, rows = read(src, "referentiel_competence")
    code, macro = header.index("code_ogr"), header.index("code_ogr_macro_comp")
    wanted = set(cited)
    wanted |= {r[macro] for r in rows if r[code] in cited and r[macro]}
    write(out, "referentiel_competence", header, [r for r in rows if r[code] in wanted])

    header, rows = read(src, "referentiel_savoir")
    write(out, "referentiel_savoir", header, [r for r in rows if r[0] in cited])

    header, rows = read(src, "referentiel_contexte_travail")
    write(out, "referentiel_contexte_travail", header, [r for r in rows if r[0] in cited])

    header, rows = read(src, "rubrique_mobilite")
    write(out, "rubrique_mobilite", header, [r for r in rows if r[0] in keep and r[1] in keep])


if __name__ == "__main__":
    main()
