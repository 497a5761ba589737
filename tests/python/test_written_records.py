"""Decision records as the command line writes them, against their JSON Schema: the evident
cases confirmed by policy, counsellors' overrides, and a sanction decided by a human after the
person's observations."""

import json
import os
import pathlib
import subprocess

import pytest

jsonschema = pytest.importorskip("jsonschema")

ROOT = pathlib.Path(os.environ.get("AIG_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))
CLI = os.environ.get("AIG_CLI", str(ROOT / "build" / "aiguillage"))
SCHEMA = ROOT / "rules" / "schemas" / "aiguillage.decision_record.schema.json"
KEY = "records-test-key-0123456789"

pytestmark = pytest.mark.skipif(not pathlib.Path(CLI).exists(), reason="the CLI is not built")


def decide(tmp_path, pack, persons, date, *extra):
    log = tmp_path / "decisions.log"
    env = dict(os.environ, AIG_PSEUDONYM_KEY=KEY)
    done = subprocess.run([CLI, "decide", str(pack), str(persons), "--date", date, "--log", str(log),
                           "--at", f"{date}T09:00:00+01:00", *map(str, extra)],
                          capture_output=True, text=True, env=env)
    assert done.returncode in (0, 1), done.stderr
    with open(log, encoding="utf-8") as f:
        return [json.loads(line)["record"] for line in f]


def validate_all(records):
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    for k, record in enumerate(records):
        errors = sorted(validator.iter_errors(record), key=lambda e: list(e.path))
        assert not errors, f"record {k + 1}: {errors[0].message} at {list(errors[0].path)}"


def test_orientation_records_follow_their_schema(tmp_path):
    records = decide(tmp_path, ROOT / "rules" / "orientation" / "fr-2025",
                     ROOT / "examples" / "data" / "persons-1000.jsonl", "2025-03-01", "--auto",
                     "--decisions", ROOT / "tests" / "golden" / "report" / "counsellor-decisions.jsonl")
    assert len(records) > 100
    assert {r["decision"]["decided_by"] for r in records} == {"policy", "human"}
    validate_all(records)


def test_a_sanction_record_keeps_the_hearing_and_follows_the_schema(tmp_path):
    case = json.loads((ROOT / "rules" / "sanctions" / "fr-2025" / "tests" / "cases.json")
                      .read_text(encoding="utf-8"))["cases"][0]
    person = dict(case["input"], person_id="S-1")
    persons = tmp_path / "persons.jsonl"
    persons.write_text(json.dumps(person) + "\n", encoding="utf-8")
    decisions = tmp_path / "decisions.jsonl"
    decisions.write_text(json.dumps({
        "person_id": "S-1", "action": "confirm", "actor": "directeur_regional_france_travail",
        "decided_at": "2025-07-20T09:00:00+02:00",
        "observations": "aucune observation reçue dans le délai",
        "legitimate_reason": "aucun motif invoqué"}) + "\n", encoding="utf-8")
    records = decide(tmp_path, ROOT / "rules" / "sanctions" / "fr-2025", persons,
                     case.get("reference_date", "2025-07-03"), "--decisions", decisions)
    assert len(records) == 1
    assert records[0]["decision"]["hearing"]["legitimate_reason"] == "aucun motif invoqué"
    validate_all(records)
