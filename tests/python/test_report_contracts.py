"""The engagement contract's deadline: `decide` records contract_signed_at when the decisions
file gives it (decision record 1.1; records without it stay 1.0, byte for byte), and the report
gives the share signed within the pack's deadline (`date_limite_contrat`) and the time from the
decision, recomputed here from the records; "—" without any signature date."""

import datetime
import json
import pathlib

import pytest

from report_support import CLI, FR2025, KEY, PERSONS, ROOT, run

RECORD_SCHEMA = ROOT / "rules" / "schemas" / "aiguillage.decision_record.schema.json"
REPORT_SCHEMA = ROOT / "rules" / "schemas" / "aiguillage.report.schema.json"

pytestmark = pytest.mark.skipif(not pathlib.Path(CLI).exists(), reason="the CLI is not built")


def decide(tmp, decisions, log):
    key = tmp / "key.txt"
    key.write_text(KEY + "\n", encoding="utf-8")
    path = tmp / "decisions.jsonl"
    path.write_text("".join(json.dumps(d) + "\n" for d in decisions), encoding="utf-8")
    return run("decide", FR2025, PERSONS, "--date", "2025-03-01", "--auto", "--at",
               "2025-03-01T09:00:00+01:00", "--decisions", path, "--key-file", key,
               "--log", log, check=False)


def planned(n, offset):
    """Persons 1..n confirmed on 3 March, each contract signed `offset(i)` days later."""
    out = []
    for i in range(1, n + 1):
        signed = datetime.date(2025, 3, 3) + datetime.timedelta(days=offset(i))
        out.append({"person_id": f"demo-{i:04d}", "action": "confirm",
                    "actor": "conseiller_france_travail", "decided_at": "2025-03-03",
                    "contract_signed_at": signed.isoformat()})
    return out


def records(log):
    return [json.loads(l)["record"] for l in log.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def signed_log(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("contracts")
    log = tmp / "decisions.log"
    done = decide(tmp, planned(80, lambda i: i % 45), log)
    assert done.returncode in (0, 1), done.stderr
    return log


def test_records_carry_the_signature_and_follow_their_schema(signed_log):
    import jsonschema
    schema = json.loads(RECORD_SCHEMA.read_text(encoding="utf-8"))
    recs = records(signed_log)
    with_date = [r for r in recs if "contract_signed_at" in r["decision"]]
    assert len(with_date) >= 60
    for r in recs:
        jsonschema.validate(r, schema)
        assert r["schema_version"] == ("1.1" if "contract_signed_at" in r["decision"] else "1.0")
    run("log", "verify", signed_log)


def test_report_counts_signatures_within_the_deadline(signed_log, tmp_path):
    import jsonschema
    run("report", "--log", signed_log, "--out", tmp_path, "--packs", ROOT / "rules" / "orientation",
        "--no-territorial")
    doc = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    jsonschema.validate(doc, json.loads(REPORT_SCHEMA.read_text(encoding="utf-8")))
    t = next(t for t in doc["tables"] if t["id"] == "contract_deadlines")
    recs = records(signed_log)
    day = lambda text: datetime.date.fromisoformat(text[:10])
    signed = [r for r in recs if "contract_signed_at" in r["decision"]]
    with_deadline = [r for r in signed if (r["proposal"]["outputs"] or {}).get("date_limite_contrat")]
    within = [r for r in with_deadline if day(r["decision"]["contract_signed_at"])
              <= day(r["proposal"]["outputs"]["date_limite_contrat"])]
    delays = sorted((day(r["decision"]["contract_signed_at"]) - day(r["decision"]["decided_at"])).days
                    for r in signed)
    assert t["rows"][0][1:3] == [len(recs), len(signed)]
    assert t["rows"][0][3] == pytest.approx(len(signed) / len(recs), rel=1e-5)
    assert t["rows"][1][1:3] == [len(with_deadline), len(within)]
    assert 0 < len(within) < len(with_deadline)
    assert t["rows"][1][3] == pytest.approx(len(within) / len(with_deadline), rel=1e-5)
    assert t["rows"][2][1] == len(delays)
    assert t["rows"][2][3] == delays[(len(delays) - 1) // 2]
    bands = [sum(lo <= d <= hi for d in delays) for lo, hi in ((0, 7), (8, 14), (15, 30), (31, 10**6))]
    for row, expected in zip(t["rows"][3:], bands):
        assert isinstance(row[2], dict) or row[2] == expected
        assert isinstance(row[2], dict) or expected == 0 or expected >= doc["threshold"]


def test_without_signatures_the_figures_are_undefined(tmp_path):
    log = tmp_path / "decisions.log"
    done = decide(tmp_path, [], log)
    assert done.returncode in (0, 1), done.stderr
    assert all(r["schema_version"] == "1.0" for r in records(log))
    run("report", "--log", log, "--out", tmp_path / "r", "--packs", ROOT / "rules" / "orientation",
        "--no-territorial")
    doc = json.loads((tmp_path / "r" / "report.json").read_text(encoding="utf-8"))
    t = next(t for t in doc["tables"] if t["id"] == "contract_deadlines")
    assert t["rows"][0][2] == 0 and t["rows"][1][3] is None and t["rows"][2][3] is None
    html = (tmp_path / "r" / "report.html").read_text(encoding="utf-8")
    assert "Contrat d'engagement" in html


def test_bad_signature_date_names_the_line(tmp_path):
    decisions = planned(2, lambda i: 1)
    decisions[1]["contract_signed_at"] = "2025-02-30"
    done = decide(tmp_path, decisions, tmp_path / "decisions.log")
    assert done.returncode not in (0, 1)
    assert "line 2" in done.stderr and "contract_signed_at" in done.stderr
