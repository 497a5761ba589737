"""Packs, one-record evaluation, explanations, registries."""

import json
import pickle

import pytest

import aiguillage
from conftest import DATE, FR2025, ROOT, YOUTH

YOUNG = {"birth_date": "2005-01-15", "rsa_beneficiary": False, "boe_status": "none",
         "requested_structure": "mission_locale", "months_since_last_activity": 3}


def test_pack_metadata(youth):
    assert youth.id == "examples/youth-guidance"
    assert youth.hash.startswith("sha256:")
    names = [f["name"] for f in youth.inputs]
    assert "birth_date" in names and "reference_date" in names
    outputs = {o["name"]: o for o in youth.outputs}
    assert outputs["organisme"]["kind"] == "enum"
    assert outputs["organisme"]["values"][0] == "france_travail"
    assert [d["id"] for d in youth.decisions][:2] == ["organisme_referent", "cej_eligible"]


def test_evaluate_matches_the_pack_test_cases(youth):
    cases = json.loads((YOUTH / "tests" / "cases.json").read_text(encoding="utf-8"))["cases"]
    checked = 0
    for case in cases:
        expected = case["expected"]
        if "outputs" not in expected:
            continue
        result = youth.evaluate(case["input"], case["reference_date"])
        assert result["status"] == expected.get("status", result["status"]), case["name"]
        for name, value in expected["outputs"].items():
            assert result["outputs"][name] == value, (case["name"], name)
        checked += 1
    assert checked >= 5


def test_evaluate_trace_and_dates(youth):
    import datetime
    plain = youth.evaluate(YOUNG, DATE)
    assert plain["status"] == "complete"
    assert plain["outputs"]["organisme"] == "mission_locale"
    assert "trace" not in plain
    traced = youth.evaluate(YOUNG, datetime.date(2025, 3, 1), trace=True)
    assert "trace" in traced
    assert traced["outputs"] == plain["outputs"]


def test_rejected_record_is_a_result(youth):
    result = youth.evaluate({"boe_status": "maybe"}, DATE)
    assert result["status"] == "error"
    [error] = [e for e in result["errors"] if e["pointer"] == "/boe_status"]
    assert error["name"] == "enum_value" and error["code"] == -113


def test_unknown_fields(youth):
    assert youth.evaluate({"shoe_size": 42}, DATE)["errors"][0]["name"] == "unknown_field"
    assert "errors" not in youth.evaluate({"shoe_size": 42}, DATE, ignore_unknown=True)


def test_bad_reference_date_raises(youth):
    with pytest.raises(aiguillage.InputError) as info:
        youth.evaluate(YOUNG, "2025-02-30")
    assert info.value.code == -111 and info.value.name == "invalid_date"


def test_explain_fr_and_en(youth):
    fr = youth.explain(YOUNG, DATE)
    en = youth.explain(YOUNG, DATE, lang="en")
    assert fr.endswith("\n") and en.endswith("\n") and fr != en
    assert youth.explain(YOUNG, DATE) == fr  # deterministic


def test_pack_load_errors_carry_code_and_pointer(tmp_path):
    with pytest.raises(aiguillage.PackLoadError) as info:
        aiguillage.Pack.load(tmp_path / "missing")
    assert info.value.code == -5 and isinstance(info.value, aiguillage.Error)
    with pytest.raises(aiguillage.PackLoadError) as info:
        aiguillage.Pack.from_json({"schema": "other", "schema_version": "1.0"})
    assert info.value.code == -102 and info.value.pointer == "/schema"
    with pytest.raises(aiguillage.PackLoadError) as info:
        aiguillage.Pack.from_json("{")
    assert info.value.name == "json_syntax"
    # A type error inside a rule points at the cell.
    doc = json.loads((YOUTH / "pack.json").read_text(encoding="utf-8"))
    doc["decisions"][0]["rules"][0]["when"][0] = "< \"text\" + 1"
    with pytest.raises(aiguillage.PackLoadError) as info:
        aiguillage.Pack.from_json(doc)
    assert info.value.pointer.startswith("/decisions/0/rules/0/when/0")


def test_errors_pickle():
    e = aiguillage.InputError("bad", -113, "enum_value", "/3/boe_status")
    back = pickle.loads(pickle.dumps(e))
    assert type(back) is aiguillage.InputError and back.pointer == "/3/boe_status"
    assert str(back) == "enum_value at /3/boe_status: bad"


def test_pack_pickles_by_path(youth):
    back = pickle.loads(pickle.dumps(youth))
    assert back.hash == youth.hash
    assert back.evaluate(YOUNG, DATE) == youth.evaluate(YOUNG, DATE)


def test_registry_selects_by_date():
    registry = aiguillage.Registry()
    assert registry.load_dir(ROOT / "rules") >= 3
    pack = registry.select("examples/youth-guidance", DATE)
    assert pack.id == "examples/youth-guidance"
    with pytest.raises(aiguillage.VersionSelectionError) as info:
        registry.select("examples/youth-guidance", "1990-01-01")
    assert info.value.code == -208 and isinstance(info.value, LookupError)
    with pytest.raises(aiguillage.PackLoadError) as info:
        registry.add(aiguillage.Pack.load(YOUTH))
    assert info.value.name == "duplicate_name"
    with pytest.raises(TypeError):
        pickle.dumps(pack)
    assert len(aiguillage.Registry(aiguillage.Pack.load(FR2025))) == 1
