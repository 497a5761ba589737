"""aiguillage report --matches: the exposure of groups in a matching run's top-k, from the
output of `aiguillage match` and the persons' group attributes. The figures are recomputed here
from the two files (rates, Wilson and Katz intervals, Holm and Benjamini-Hochberg); small cells
and the flags of hidden ratios are suppressed; no identifier is written; the tables of the demo
are pinned (AIG_UPDATE_GOLDEN=1 rewrites them; review the diff)."""

import collections
import json
import math
import os
import pathlib
import subprocess
import sys

import pytest

from report_support import CLI, GOLDEN, PERSONS, ROOT, run, write_demo_log

SCHEMA = ROOT / "rules" / "schemas" / "aiguillage.report.schema.json"
Z = 1.959963984540054

pytestmark = pytest.mark.skipif(not pathlib.Path(CLI).exists(), reason="the CLI is not built")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo's decision log, and a match run of the demo's persons against the example
    offers (each offer's 20 best persons)."""
    d = tmp_path_factory.mktemp("demo")
    log = write_demo_log(d)
    profiles = d / "profiles.jsonl"
    with open(profiles, "w", encoding="utf-8") as out:
        subprocess.run([sys.executable, ROOT / "scripts" / "demo_profiles.py", PERSONS],
                       stdout=out, check=True)
    matches = d / "matches.jsonl"
    done = run("match", "--referential", ROOT / "data" / "rome-subset", "--scoring",
               ROOT / "rules" / "matching" / "scoring-default.json", "--offers",
               ROOT / "examples" / "data" / "offers-subset.jsonl", "--profiles", profiles,
               "--persons", "--top", "20")
    matches.write_text(done.stdout, encoding="utf-8")
    return {"log": log, "matches": matches, "dir": d, "profiles": profiles}


def report(demo, out, *extra, check=True, profiles=True):
    more = ("--match-profiles", demo["profiles"]) if profiles else ()
    return run("report", "--log", demo["log"], "--out", out, "--packs",
               ROOT / "rules" / "orientation", "--no-territorial", "--matches", demo["matches"],
               "--match-persons", PERSONS, *more, *extra, check=check)


@pytest.fixture(scope="module")
def demo_report(demo, tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    report(demo, out)
    return json.loads((out / "report.json").read_text(encoding="utf-8")), out


def table(doc, name):
    t = next(t for t in doc["tables"] if t["id"] == name)
    ids = [c["id"] for c in t["columns"]]
    return t, {name: ids.index(name) for name in ids}


def test_golden_matching_tables(demo_report):
    doc, _ = demo_report
    pinned = {"schema_version": doc["schema_version"],
              "tables": [t for t in doc["tables"] if t["section"] == "matching"]}
    text = json.dumps(pinned, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    golden = GOLDEN / "demo-matching.tables.json"
    if os.environ.get("AIG_UPDATE_GOLDEN") == "1":
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_schema_csv_html_and_no_identifier(demo_report):
    import jsonschema
    doc, out = demo_report
    jsonschema.validate(doc, json.loads(SCHEMA.read_text(encoding="utf-8")))
    assert doc["schema_version"] == "1.2"
    assert (out / "matching_exposure.csv").exists() and (out / "matching_summary.csv").exists()
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Appariement : exposition des groupes" in html
    assert html.count("<table") == len(doc["tables"])
    for path in out.iterdir():
        text = path.read_text(encoding="utf-8")
        assert "demo-0" not in text and "hmac-sha256" not in text, path.name


def wilson(k, n):
    p = k / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z / (1 + Z * Z / n) * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def test_figures_from_the_two_files(demo, demo_report):
    doc, _ = demo_report
    listed = collections.Counter()
    scores = collections.defaultdict(float)
    k_max = 0
    for line in demo["matches"].read_text(encoding="utf-8").splitlines():
        m = json.loads(line)
        listed[m["profile_id"]] += 1
        scores[m["profile_id"]] += m["score"]
        k_max = max(k_max, m["rank"])
    persons = [json.loads(l) for l in PERSONS.read_text(encoding="utf-8").splitlines()]
    summary, sc = table(doc, "matching_summary")
    row = summary["rows"][0]
    assert row[sc["persons"]] == len(persons)
    assert row[sc["listed"]] == sum(1 for p in persons if listed[p["person_id"]])
    assert row[sc["k"]] == k_max == 20
    # The territories' figures, recomputed.
    t, c = table(doc, "matching_exposure")
    groups = collections.defaultdict(lambda: [0, 0, 0, 0.0])
    for p in persons:
        if p.get("territory") is None:
            continue
        g = groups[p["territory"]]
        g[0] += 1
        g[1] += listed[p["person_id"]] > 0
        g[2] += listed[p["person_id"]]
        g[3] += scores[p["person_id"]]
    reference = max(groups, key=lambda name: groups[name][0])
    n0, k0 = groups[reference][:2]
    rows = [r for r in t["rows"] if r[c["attribute"]] == "département"]
    assert {r[c["group"]] for r in rows} == set(groups)
    checked = 0
    for r in rows:
        n, k, places, score = groups[r[c["group"]]]
        assert r[c["reference"]] == reference
        if isinstance(r[c["listed"]], dict):
            continue
        assert (r[c["persons"]], r[c["listed"]]) == (n, k)
        low, high = wilson(k, n)
        assert r[c["rate"]] == pytest.approx(k / n, rel=1e-5)
        assert r[c["rate_low"]] == pytest.approx(low, rel=1e-5, abs=1e-6)
        assert r[c["rate_high"]] == pytest.approx(high, rel=1e-5, abs=1e-6)
        if places:
            assert r[c["mean_score"]] == pytest.approx(score / places, rel=1e-5)
        if r[c["group"]] != reference and k:
            ratio = (k / n) / (k0 / n0)
            se = math.sqrt(1 / k - 1 / n + 1 / k0 - 1 / n0)
            assert r[c["ratio"]] == pytest.approx(ratio, rel=1e-5)
            assert r[c["ratio_low"]] == pytest.approx(ratio * math.exp(-Z * se), rel=1e-5)
            assert r[c["ratio_high"]] == pytest.approx(ratio * math.exp(Z * se), rel=1e-5)
            assert r[c["outside_band"]] == ("oui" if not 0.8 <= ratio <= 1.25 else "non")
        checked += 1
    assert checked >= 5
    # Holm and Benjamini-Hochberg over every comparison of the table.
    ps = [(i, r[c["p_value"]]) for i, r in enumerate(t["rows"])
          if isinstance(r[c["p_value"]], float)]
    m = len([r for r in t["rows"] if r[c["group"]] != r[c["reference"]]])
    order = sorted(ps, key=lambda x: x[1])
    running = 0.0
    for j, (i, p) in enumerate(order):
        running = max(running, min(1.0, (m - j) * p))
        assert t["rows"][i][c["q_holm"]] == pytest.approx(running, rel=1e-5, abs=1e-300)
        assert t["rows"][i][c["q_value"]] <= t["rows"][i][c["q_holm"]] + 1e-12


def criteria(profile):
    """A profile's matching criteria in bands, as docs/report.md describes them."""
    location = profile.get("location") or {}
    code = location.get("postal_code") or ""
    departement = location.get("departement") or (
        (code[:3] if code.startswith("97") else code[:2]) if code else "?")
    rome = (profile.get("targets") or {}).get("rome") or []
    family = rome[0][:3] if rome else "?"
    n = len(profile.get("competences") or [])
    band = "0-4" if n < 5 else "5-9" if n < 10 else "10-19" if n < 20 else "20+"
    levels = [d["level"] for d in profile.get("diplomas") or [] if isinstance(d.get("level"), int)]
    return [departement, family, band, str(max(levels)) if levels else "none",
            "true" if profile.get("rqth") is True else "false"]


def test_gaps_at_equal_matching_criteria(demo, demo_report):
    """The share of each flagged territorial gap that persists among persons of the same
    ROME family, competence band, diploma level and RQTH (the département left out: it is the
    group), recomputed from the three files by Mantel-Haenszel."""
    doc, _ = demo_report
    listed = collections.Counter(json.loads(l)["profile_id"]
                                 for l in demo["matches"].read_text(encoding="utf-8").splitlines())
    persons = [json.loads(l) for l in PERSONS.read_text(encoding="utf-8").splitlines()]
    profiles = {p["id"]: criteria(p) for p in
                map(json.loads, demo["profiles"].read_text(encoding="utf-8").splitlines())}
    t, c = table(doc, "matching_exposure")
    territory = {p["person_id"]: p.get("territory") for p in persons}
    compared = 0
    for r in t["rows"]:
        flagged = r[c["outside_band"]] == "oui" and r[c["significant"]] == "oui"
        if not flagged or isinstance(r[c["ratio"]], dict):
            assert r[c["persisting"]] is None or isinstance(r[c["persisting"]], dict)
            continue
        if r[c["attribute"]] != "département":
            continue
        group, reference = r[c["group"]], r[c["reference"]]
        strata = collections.defaultdict(lambda: [0, 0, 0, 0])  # k1, n1, k0, n0
        for pid, t_code in territory.items():
            if t_code not in (group, reference) or pid not in profiles:
                continue
            s = strata[tuple(profiles[pid][1:])]
            at = 0 if t_code == group else 2
            s[at] += listed[pid] > 0
            s[at + 1] += 1
        num = sum(k1 * n0 / (n1 + n0) for k1, n1, k0, n0 in strata.values() if n1 and n0)
        den = sum(k0 * n1 / (n1 + n0) for k1, n1, k0, n0 in strata.values() if n1 and n0)
        matched = sum(n1 for k1, n1, k0, n0 in strata.values() if n1 and n0)
        assert r[c["matched"]] == pytest.approx(matched / r[c["persons"]], rel=1e-5)
        if num > 0 and den > 0:
            share = min(1.0, max(0.0, math.log(num / den) / math.log(r[c["ratio"]])))
            assert r[c["persisting"]] == pytest.approx(share, rel=1e-5, abs=1e-9)
        else:
            assert r[c["persisting"]] is None
        compared += 1
    assert compared >= 1


def test_without_profiles_no_comparison(demo, tmp_path):
    report(demo, tmp_path, profiles=False)
    doc = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    t, c = table(doc, "matching_exposure")
    for r in t["rows"]:
        assert r[c["persisting"]] is None or isinstance(r[c["persisting"]], dict)
        assert r[c["matched"]] is None or isinstance(r[c["matched"]], dict)
    done = run("report", "--log", demo["log"], "--out", tmp_path / "x", "--match-profiles",
               demo["profiles"], check=False)
    assert done.returncode == 2


def test_small_cells_and_their_flags_are_hidden(demo_report):
    doc, _ = demo_report
    t, c = table(doc, "matching_exposure")
    threshold = doc["threshold"]
    hidden = 0
    for r in t["rows"]:
        for col in ("persons", "listed"):
            assert isinstance(r[c[col]], dict) or r[c[col]] == 0 or r[c[col]] >= threshold
        if isinstance(r[c["ratio"]], dict):
            hidden += 1
            assert all(isinstance(r[c[f]], dict)
                       for f in ("outside_band", "significant_holm", "significant",
                                 "persisting", "matched"))
    assert hidden > 0
    # Within an attribute, never exactly one hidden count of a column (totals are shown).
    by_attribute = collections.defaultdict(list)
    for r in t["rows"]:
        by_attribute[r[c["attribute"]]].append(r)
    for rows in by_attribute.values():
        for col in ("persons", "listed"):
            assert sum(isinstance(r[c[col]], dict) for r in rows) != 1


def test_english_and_python(demo, tmp_path):
    report(demo, tmp_path, "--lang", "en")
    doc = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    t, _ = table(doc, "matching_exposure")
    assert t["caption"].startswith("Exposure of each group")
    aiguillage = pytest.importorskip("aiguillage")
    pytest.importorskip("pandas")
    registry = aiguillage.Registry()
    registry.load_dir(ROOT / "rules" / "orientation")
    r = aiguillage.report(demo["log"], registry, territorial=False, lang="en",
                          matches=demo["matches"], match_persons=PERSONS,
                          match_profiles=demo["profiles"])
    frame = r.tables["matching_exposure"]
    assert list(frame.columns) == [col["id"] for col in t["columns"]]
    assert len(frame) == len(t["rows"])
    assert r.tables["matching_summary"]["persons"][0] == 1000
    assert frame["persisting"].notna().any()
    with pytest.raises(TypeError):
        aiguillage.report(demo["log"], registry, matches=demo["matches"])
    with pytest.raises(TypeError):
        aiguillage.report(demo["log"], registry, match_profiles=demo["profiles"])


def test_bad_matches_file_names_its_line(demo, tmp_path):
    bad = tmp_path / "bad.jsonl"
    lines = demo["matches"].read_text(encoding="utf-8").splitlines()
    bad.write_text("\n".join(lines[:3] + ['{"profile_id": "x", "offer_id": "y"}'] + lines[3:]),
                   encoding="utf-8")
    done = run(
        "report", "--log", demo["log"], "--out", tmp_path / "out", "--packs",
        ROOT / "rules" / "orientation", "--matches", bad, "--match-persons", PERSONS, check=False)
    assert done.returncode != 0
    assert "matches file line 4" in done.stderr and "/rank" in done.stderr
    assert not (tmp_path / "out" / "report.json").exists()
    done = run("report", "--log", demo["log"], "--out", tmp_path / "out2", "--matches", bad,
               check=False)
    assert done.returncode == 2
