"""Pack.evaluate_jsonl: JSON Lines as text or as a file, one result per record, each the one
Pack.evaluate gives for that record alone."""

import json

import pytest

import aiguillage
from conftest import DATE, PERSONS

LINES = [
    '{"birth_date": "2005-01-15", "rsa_beneficiary": false, "boe_status": "none", '
    '"requested_structure": "mission_locale", "months_since_last_activity": 3}',
    "",
    '{"birth_date": "1980-06-01", "rsa_beneficiary": true, "boe_status": "none", '
    '"requested_structure": "none"}',
    '{"birth_date": ',
    '{"boe_status": "maybe"}',
    '{"requested_structure": "cap_emploi"}',
]


def test_text_results_match_one_record_at_a_time(youth):
    results = youth.evaluate_jsonl("\n".join(LINES), DATE)
    assert len(results) == 5
    assert results[0] == youth.evaluate(LINES[0], DATE)
    assert results[1] == youth.evaluate(LINES[2], DATE)
    assert results[4] == youth.evaluate(LINES[5], DATE)
    # Rejected records name their line (counted from 1, blank lines included) and their errors.
    assert results[2]["line"] == 4 and results[2]["status"] == "error"
    assert results[2]["errors"][0]["name"] == "json_syntax"
    assert results[3]["line"] == 5
    assert results[3]["errors"][0]["pointer"] == "/boe_status"


def test_trace_and_unknown_fields(youth):
    text = LINES[0] + "\n" + '{"shoe_size": 42}'
    with_trace = youth.evaluate_jsonl(text, DATE, trace=True)
    assert with_trace[0] == youth.evaluate(LINES[0], DATE, trace=True)
    assert "trace" in with_trace[0]
    assert with_trace[1]["errors"][0]["name"] == "unknown_field"
    ignored = youth.evaluate_jsonl(text, DATE, ignore_unknown=True)
    assert ignored[1] == youth.evaluate('{"shoe_size": 42}', DATE, ignore_unknown=True)


def test_file_path_and_bytes(fr2025, tmp_path):
    path = tmp_path / "persons.jsonl"
    text = PERSONS.read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    from_path = fr2025.evaluate_jsonl(path, DATE, ignore_unknown=True)
    assert len(from_path) == 1000
    assert fr2025.evaluate_jsonl(str(path), DATE, ignore_unknown=True) == from_path
    assert fr2025.evaluate_jsonl(text.encode("utf-8"), DATE, ignore_unknown=True) == from_path
    # Every result is the per-record result (incomplete rows with their questions included).
    lines = [line for line in text.splitlines() if line.strip()]
    assert any(r["status"] == "incomplete" and r.get("missing") for r in from_path)
    for line, result in zip(lines, from_path):
        assert result == fr2025.evaluate(line, DATE, ignore_unknown=True)


def test_missing_file_and_bad_date(youth, tmp_path):
    with pytest.raises(FileNotFoundError):
        youth.evaluate_jsonl(tmp_path / "absent.jsonl", DATE)
    with pytest.raises(aiguillage.InputError):
        youth.evaluate_jsonl(LINES[0], "2025-02-30")
    assert youth.evaluate_jsonl("", DATE) == []
    assert youth.evaluate_jsonl("\n\n", DATE) == []
