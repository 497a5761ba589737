"""Pack.to_dmn and Pack.to_jdm: a pack written as a DMN model (read back by Pack.from_dmn to the
same logic) or as a GoRules JDM graph."""
import json
import os

import pytest

import aiguillage

SOURCE = os.environ.get("AIG_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
YOUTH = os.path.join(SOURCE, "rules", "examples", "youth-guidance")
PERSON = {
    "birth_date": "2005-01-15",
    "rsa_beneficiary": False,
    "boe_status": "none",
    "requested_structure": "mission_locale",
    "months_since_last_activity": 3,
}


def test_to_dmn_round_trips_and_decides_the_same():
    pack = aiguillage.Pack.load(YOUTH)
    xml = pack.to_dmn()
    assert xml.startswith("<?xml")
    assert "urn:aiguillage:dmn:1" in xml
    back = aiguillage.Pack.from_dmn(xml)
    assert back.id == pack.id
    mine = pack.evaluate(PERSON, date="2025-06-01")
    theirs = back.evaluate(PERSON, date="2025-06-01")
    assert theirs["outputs"] == mine["outputs"]
    assert theirs["outputs"]["organisme"] == "mission_locale"


def test_to_dmn_from_json_text():
    with open(os.path.join(YOUTH, "pack.json"), encoding="utf-8") as f:
        text = f.read()
    assert aiguillage.Pack.from_json(text).to_dmn() == aiguillage.Pack.load(YOUTH).to_dmn()


def test_to_dmn_names_what_dmn_cannot_state():
    with open(os.path.join(YOUTH, "pack.json"), encoding="utf-8") as f:
        doc = json.load(f)
    doc["inputs"][2]["values"][2] = 'pen"ding'
    doc["inputs"][2]["value_labels"]['pen"ding'] = doc["inputs"][2]["value_labels"].pop("pending")
    for d in doc["decisions"]:
        for r in d.get("rules", []):
            r["when"] = [w.replace('"pending"', '"pen\\"ding"') for w in r["when"]]
    pack = aiguillage.Pack.from_json(json.dumps(doc))
    with pytest.raises(aiguillage.PackLoadError) as info:
        pack.to_dmn()
    assert info.value.code == -706
    assert info.value.name == "inexpressible"
    assert info.value.pointer == "/inputs/2"


def test_to_jdm_is_a_zen_graph_carrying_rule_ids_and_the_pack():
    pack = aiguillage.Pack.load(YOUTH)
    graph = json.loads(pack.to_jdm())
    kinds = [n["type"] for n in graph["nodes"]]
    assert kinds[0] == "inputNode" and kinds[-1] == "outputNode"
    assert "decisionTableNode" in kinds and "expressionNode" in kinds
    table = next(n for n in graph["nodes"] if n["name"] == "organisme_referent")
    assert [r["_id"] for r in table["content"]["rules"]] == ["O1", "O2", "O3", "O4", "O5", "O6", "O7"]
    assert table["content"]["rules"][3]["_status"] == "verified"
    assert graph["aiguillage"]["pack"]["id"] == pack.id
    with open(os.path.join(YOUTH, "pack.json"), encoding="utf-8") as f:
        assert aiguillage.Pack.from_json(f.read()).to_jdm() == pack.to_jdm()


def test_to_jdm_names_what_zen_cannot_state():
    with open(os.path.join(YOUTH, "pack.json"), encoding="utf-8") as f:
        doc = json.load(f)
    doc["decisions"][0]["hit_policy"] = "PRIORITY"
    with pytest.raises(aiguillage.PackLoadError) as info:
        aiguillage.Pack.from_json(json.dumps(doc)).to_jdm()
    assert info.value.code == -706
    assert info.value.pointer == "/decisions/0/hit_policy"
