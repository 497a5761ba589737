"""aiguillage report through the command line: the document against its schema, the statistics
against scipy, small cells, the persons file, a candidate pack, a damaged log, and report.json
of the demo's decision log pinned (AIG_UPDATE_GOLDEN=1 rewrites it; review the diff)."""

import csv
import json
import os
import pathlib

import pytest

from report_support import CLI, FR2025, GOLDEN, KEY, PERSONS, ROOT, run, write_demo_log

SCHEMA = ROOT / "rules" / "schemas" / "aiguillage.report.schema.json"

pytestmark = pytest.mark.skipif(not pathlib.Path(CLI).exists(), reason="the CLI is not built")


@pytest.fixture(scope="module")
def demo_log(tmp_path_factory):
    """The demo's decision log: evident cases confirmed by policy, two overrides."""
    return write_demo_log(tmp_path_factory.mktemp("demo"))


def report(log, out, *extra, check=True, env=None):
    return run("report", "--log", log, "--out", out, "--packs", ROOT / "rules" / "orientation",
               *extra, check=check, env=env)


@pytest.fixture(scope="module")
def demo_report(demo_log, tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    report(demo_log, out)
    return out


def tables(doc, prefix=""):
    return {t["id"]: t for t in doc["tables"] if t["id"].startswith(prefix)}


def test_golden_demo_report(demo_report):
    text = (demo_report / "report.json").read_text(encoding="utf-8")
    golden = GOLDEN / "demo.report.json"
    if os.environ.get("AIG_UPDATE_GOLDEN") == "1":
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_schema_and_files(demo_report):
    import jsonschema
    doc = json.loads((demo_report / "report.json").read_text(encoding="utf-8"))
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(doc, schema, format_checker=jsonschema.FormatChecker())
    assert doc["verification"]["verified"] and doc["versions"][0]["records"] > 500
    # One CSV per table, the same rows.
    for t in doc["tables"]:
        with open(demo_report / f"{t['id']}.csv", encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
        assert rows[0] == [c["label"] for c in t["columns"]]
        assert len(rows) == len(t["rows"]) + 1
    html = (demo_report / "report.html").read_text(encoding="utf-8")
    assert html.count("<table") == len(doc["tables"])
    # No identifier or pseudonym anywhere.
    for path in demo_report.iterdir():
        text = path.read_text(encoding="utf-8")
        assert "hmac-sha256" not in text and "demo-0" not in text, path.name


def test_labels_not_codes(demo_report):
    doc = json.loads((demo_report / "report.json").read_text(encoding="utf-8"))
    values = [row[0] for row in tables(doc, "outcomes_")["outcomes_organisme_referent"]["rows"]]
    assert "France Travail" in values and "france_travail" not in values


def test_small_cells_suppressed_everywhere(demo_report):
    doc = json.loads((demo_report / "report.json").read_text(encoding="utf-8"))
    threshold = doc["threshold"]
    hidden = 0
    for t in doc["tables"]:
        for row in t["rows"]:
            for cell in row:
                if isinstance(cell, dict):
                    hidden += 1
    assert hidden > 0
    for t in tables(doc, "outcomes_").values():
        for col in (1, 3):
            counts = [row[col] for row in t["rows"]]
            shown = [c for c in counts if not isinstance(c, dict)]
            assert all(c == 0 or c >= threshold for c in shown)
            assert sum(isinstance(c, dict) for c in counts) != 1, t["id"]


def test_statistics_match_scipy(demo_report):
    from scipy.stats import binomtest, chi2_contingency
    doc = json.loads((demo_report / "report.json").read_text(encoding="utf-8"))
    t = tables(doc)["disparities"]
    ids = [c["id"] for c in t["columns"]]
    col = {name: ids.index(name) for name in ids}
    checked = 0
    ps = []
    for row in t["rows"]:
        n, k = row[col["persons"]], row[col["with_outcome"]]
        if isinstance(n, dict) or isinstance(k, dict) or n == 0:
            continue
        ci = binomtest(k, n).proportion_ci(method="wilson")
        assert row[col["rate_low"]] == pytest.approx(ci.low, rel=1e-5, abs=1e-6)
        assert row[col["rate_high"]] == pytest.approx(ci.high, rel=1e-5, abs=1e-6)
        p = row[col["p_value"]]
        if isinstance(p, float) and row[col["group"]] != row[col["reference"]]:
            ps.append((p, row[col["q_value"]]))
        checked += 1
    assert checked > 50
    # The p-value is the chi-square test of the 2x2 table without continuity correction.
    _, p, _, _ = chi2_contingency([[20, 80], [10, 90]], correction=False)
    assert p == pytest.approx(0.0476705, rel=1e-5)
    # Benjamini-Hochberg over the family: q = min over j >= i of m p_(j) / j.
    ps.sort()
    m = len([r for r in t["rows"] if isinstance(r[col["p_value"]], float)])
    assert ps and all(q >= p - 1e-12 for p, q in ps)
    assert ps[0][1] <= min(1.0, m * ps[0][0]) + 1e-9


def test_english(demo_log, tmp_path):
    report(demo_log, tmp_path, "--lang", "en", "--no-territorial")
    doc = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert doc["lang"] == "en"
    assert tables(doc)["decision_mode"]["caption"].startswith("Who decided")
    assert "territorial_pairs" not in tables(doc)


def test_threshold_and_usage(demo_log, tmp_path):
    assert report(demo_log, tmp_path, "--threshold", "4", check=False).returncode == 2
    assert report(demo_log, tmp_path, "--lang", "de", check=False).returncode == 2
    report(demo_log, tmp_path, "--threshold", "5", "--no-territorial")
    doc = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert doc["threshold"] == 5


def test_damaged_log(demo_log, tmp_path):
    damaged = tmp_path / "damaged.log"
    lines = demo_log.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[9] = lines[9].replace('"policy"', '"police"', 1)
    damaged.write_text("".join(lines), encoding="utf-8")
    done = report(damaged, tmp_path / "a", check=False)
    assert done.returncode == 1 and "line 10" in done.stderr
    assert not (tmp_path / "a" / "report.json").exists()
    report(damaged, tmp_path / "b", "--unverified", "--no-territorial")
    doc = json.loads((tmp_path / "b" / "report.json").read_text(encoding="utf-8"))
    assert doc["verification"] == {"verified": False, "lines": 9, "first_bad_line": 10,
                                   "message": doc["verification"]["message"]}
    html = (tmp_path / "b" / "report.html").read_text(encoding="utf-8")
    assert html.index('class="warning"') < html.index("<h2>")


def test_persons_file_and_filters(demo_log, tmp_path):
    persons = tmp_path / "persons.jsonl"
    with open(PERSONS, encoding="utf-8") as f, open(persons, "w", encoding="utf-8") as out:
        for k, line in enumerate(f):
            p = json.loads(line)
            out.write(json.dumps({"person_id": p["person_id"],
                                  "genre": "femme" if k % 2 else "homme"}) + "\n")
    env = dict(os.environ, AIG_TEST_KEY=KEY)
    report(demo_log, tmp_path / "r", "--persons", persons, "--key-env", "AIG_TEST_KEY",
           "--group-by", "genre,territory", "--territory", "59,62,93", "--no-territorial",
           env=env)
    doc = json.loads((tmp_path / "r" / "report.json").read_text(encoding="utf-8"))
    rows = tables(doc)["disparities"]["rows"]
    assert {r[0] for r in rows} == {"genre", "département"}
    assert {r[1] for r in rows if r[0] == "genre"} == {"femme", "homme"}
    territories = {r[0] for r in tables(doc)["by_territory"]["rows"]}
    assert territories == {"59", "62", "93"}
    assert doc["records"]["outside_filters"] > 0
    assert report(demo_log, tmp_path / "x", "--group-by", "nope", check=False).returncode != 0


def test_against_a_candidate_pack(demo_log, tmp_path):
    pack = json.loads((FR2025 / "pack.json").read_text(encoding="utf-8"))
    for d in pack["decisions"]:
        if d["id"] == "convention_departementale":
            d["rules"][0]["when"][0] += ',"59"'
    pack["version"] += "-variante-59"
    candidate = tmp_path / "variant"
    candidate.mkdir()
    (candidate / "pack.json").write_text(json.dumps(pack, ensure_ascii=False), encoding="utf-8")
    report(demo_log, tmp_path / "r", "--against", candidate, "--threshold", "5",
           "--no-territorial")
    doc = json.loads((tmp_path / "r" / "report.json").read_text(encoding="utf-8"))
    impact = tables(doc, "impact_")
    assert "impact_organisme_referent" in impact and "impact_rules" in impact
    by_territory = {r[0]: r for r in impact["impact_by_territory"]["rows"]}
    assert by_territory["59"][2] != 0  # only the Nord's RSA beneficiaries move
    for name, row in by_territory.items():
        if name != "59":
            assert row[2] == 0


def test_python_report(demo_log):
    aiguillage = pytest.importorskip("aiguillage")
    pd = pytest.importorskip("pandas")
    registry = aiguillage.Registry()
    registry.load_dir(ROOT / "rules" / "orientation")
    r = aiguillage.report(demo_log, registry, territorial=False)
    assert isinstance(r.tables["decision_mode"], pd.DataFrame)
    assert r.tables["decision_mode"].attrs["caption"].startswith("Qui a décidé")
    parcours = r.tables["outcomes_parcours"]
    assert list(parcours.columns) == ["value", "proposed", "proposed_share", "decided",
                                      "decided_share"]
    assert parcours["decided"].isna().sum() + (parcours["decided"] >= 0).sum() == len(parcours)
    assert r.html.startswith("<!DOCTYPE html>") and r.headlines[0].startswith("décisions")
    with pytest.raises(aiguillage.Error) as info:
        aiguillage.report(demo_log, registry, threshold=4)
    assert info.value.name == "invalid_argument"


def test_monitored_input_is_a_group(tmp_path):
    pack = json.loads((FR2025 / "pack.json").read_text(encoding="utf-8"))
    for field in pack["inputs"]:
        if field["name"] == "aspiration":
            field["monitored"] = True
    pack["version"] += "-monitored"
    packs = tmp_path / "packs" / "monitored"
    packs.mkdir(parents=True)
    (packs / "pack.json").write_text(json.dumps(pack, ensure_ascii=False), encoding="utf-8")
    key = tmp_path / "key.txt"
    key.write_text(KEY + "\n", encoding="utf-8")
    log = tmp_path / "decisions.log"
    done = run("decide", packs, PERSONS, "--date", "2025-03-01", "--auto", "--at",
               "2025-03-01T09:00:00+01:00", "--key-file", key, "--log", log, check=False)
    assert done.returncode in (0, 1), done.stderr
    run("report", "--log", log, "--out", tmp_path / "r", "--packs", tmp_path / "packs",
        "--no-territorial")
    doc = json.loads((tmp_path / "r" / "report.json").read_text(encoding="utf-8"))
    attributes = {r[0] for r in tables(doc)["disparities"]["rows"]}
    assert "aspiration de la personne" in attributes
    # A misspelt marking is refused, as every unknown key of a pack is.
    for field in pack["inputs"]:
        field.pop("monitored", None)
    pack["inputs"][0]["monitord"] = True
    (packs / "pack.json").write_text(json.dumps(pack, ensure_ascii=False), encoding="utf-8")
    assert run("check", packs, check=False).returncode == 3
