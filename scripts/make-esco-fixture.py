#!/usr/bin/python3
"""Writes tests/matching/data/esco-mini/: two zips in the ESCO v1.1.1 CSV layout, small enough
to ship, so that the ESCO loader (zip reading, inflate, CSV) is tested on every checkout.

    /usr/bin/python3 scripts/make-esco-fixture.py [ESCO_DIR] [OUT_DIR]

Keeps a few warehouse, retail and hospitality occupations, every skill they cite, the broader
skills and groups of those skills (one level), and the broader and skill-skill relations among
the kept concepts. Rows keep the source order; member dates are fixed so reruns are identical.
"""

import csv
import io
import os
import sys
import zipfile

OCCUPATIONS = ["warehouse worker", "forklift operator", "warehouse order picker",
               "shop assistant", "kitchen porter"]
DATE = (2022, 9, 13, 0, 0, 0)


def rows(zf, name):
    member = next(n for n in zf.namelist() if n == name or n.endswith("/" + name))
    text = zf.read(member).decode("utf-8")
    table = list(csv.reader(io.StringIO(text, newline="")))
    return table[0], table[1:]


def dump(header, table):
    out = io.StringIO(newline="")
    w = csv.writer(out, lineterminator="\n")
    w.writerow(header)
    w.writerows(table)
    return out.getvalue().encode("utf-8")


def write_zip(path, members):
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, data, compresslevel=9)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    shared = os.environ.get("AIG_SHARED_DATA", os.path.join(root, "..", "shared", "data"))
    src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(shared, "esco-v1.1.1")
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(root, "tests", "matching", "data",
                                                             "esco-mini")
    os.makedirs(out, exist_ok=True)
    cls = zipfile.ZipFile(os.path.join(src, "esco-v1.1.1-classification-en-csv.zip"))
    rel = zipfile.ZipFile(os.path.join(src, "esco-v1.1.1-relations-csv.zip"))

    oh, occ = rows(cls, "occupations_en.csv")
    label, uri = oh.index("preferredLabel"), oh.index("conceptUri")
    occ = [r for r in occ if r[label] in OCCUPATIONS]
    occ_uris = {r[uri] for r in occ}

    rh, links = rows(rel, "occupationSkillRelations.csv")
    links = [r for r in links if r[0] in occ_uris]
    skills = {r[3] for r in links}

    bh, broader = rows(rel, "broaderRelationsSkillPillar.csv")
    concepts = skills | {r[3] for r in broader if r[1] in skills}
    broader = [r for r in broader if r[1] in concepts and r[3] in concepts]

    sh, skill_rows = rows(cls, "skills_en.csv")
    skill_rows = [r for r in skill_rows if r[sh.index("conceptUri")] in concepts]
    gh, groups = rows(cls, "skillGroups_en.csv")
    groups = [r for r in groups if r[gh.index("conceptUri")] in concepts]

    kh, related = rows(rel, "skillSkillRelations.csv")
    related = [r for r in related if r[0] in concepts and r[4] in concepts]

    write_zip(os.path.join(out, "esco-mini-classification-en-csv.zip"),
              [("skills_en.csv", dump(sh, skill_rows)), ("skillGroups_en.csv", dump(gh, groups)),
               ("occupations_en.csv", dump(oh, occ))])
    write_zip(os.path.join(out, "esco-mini-relations-csv.zip"),
              [("occupationSkillRelations.csv", dump(rh, links)),
               ("broaderRelationsSkillPillar.csv", dump(bh, broader)),
               ("skillSkillRelations.csv", dump(kh, related))])
    print("occupations %d, skills %d, groups %d, links %d, broader %d, related %d"
          % (len(occ), len(skill_rows), len(groups), len(links), len(broader), len(related)))


if __name__ == "__main__":
    main()
