"""Orienter.decide(..., contract_signed_at=...): the decision record holds the signature date of
the engagement contract (decision record 1.1) only when it is given, a bad date is refused, and
the report measures the contract's deadline from the records written this way."""

import json

import pytest

import aiguillage
from conftest import DATE, FR2025, ROOT, without_id

KEY = b"0123456789abcdef-test-key"
NOW = "2025-03-03T10:00:00Z"
RECORD_SCHEMA = ROOT / "rules" / "schemas" / "aiguillage.decision_record.schema.json"


def record_of(orienter, person, **kw):
    proposal = orienter.propose(without_id(person), DATE)
    decision = orienter.decide(proposal, "conseiller_france_travail", "confirm",
                               decided_at=NOW, **kw)
    return aiguillage.decision_record(orienter, proposal, decision, key=KEY,
                                      person_id=person["person_id"], recorded_at=NOW,
                                      territory=person.get("territory", ""))


def test_record_holds_the_signature_only_when_given(persons):
    import jsonschema
    schema = json.loads(RECORD_SCHEMA.read_text(encoding="utf-8"))
    orienter = aiguillage.Orienter(FR2025)
    signed = json.loads(record_of(orienter, persons[0], contract_signed_at="2025-03-20"))
    plain_text = record_of(orienter, persons[0])
    plain = json.loads(plain_text)
    assert signed["decision"]["contract_signed_at"] == "2025-03-20"
    assert signed["schema_version"] == "1.1"
    assert "contract_signed_at" not in plain["decision"] and plain["schema_version"] == "1.0"
    # The same record, but for the signature and the version.
    del signed["decision"]["contract_signed_at"]
    signed["schema_version"] = "1.0"
    assert signed == plain
    # None is the same as not giving it: byte for byte.
    assert record_of(orienter, persons[0], contract_signed_at=None) == plain_text
    for doc in (signed, plain):
        jsonschema.validate(doc, schema)
    with_time = json.loads(record_of(orienter, persons[1],
                                     contract_signed_at="2025-03-20T14:30:00+01:00"))
    assert with_time["decision"]["contract_signed_at"] == "2025-03-20T14:30:00+01:00"


@pytest.mark.parametrize("bad", ["2025-02-30", "", "20/03/2025", "2025-03-20T25:00:00Z"])
def test_bad_signature_date_is_refused(persons, bad):
    orienter = aiguillage.Orienter(FR2025)
    proposal = orienter.propose(without_id(persons[0]), DATE)
    with pytest.raises(aiguillage.DecisionError) as info:
        orienter.decide(proposal, "conseiller_france_travail", "confirm", decided_at=NOW,
                        contract_signed_at=bad)
    assert info.value.name == "invalid_timestamp"
    assert "contract_signed_at" in str(info.value)


def test_signature_date_must_be_text(persons):
    orienter = aiguillage.Orienter(FR2025)
    proposal = orienter.propose(without_id(persons[0]), DATE)
    with pytest.raises(TypeError):
        orienter.decide(proposal, "conseiller_france_travail", "confirm", decided_at=NOW,
                        contract_signed_at=20250320)


def test_report_counts_the_contracts_decided_from_python(tmp_path, persons):
    pytest.importorskip("pandas")
    orienter = aiguillage.Orienter(FR2025)
    log_path = tmp_path / "decisions.log"
    signed = 30
    with aiguillage.DecisionLog(log_path) as log:
        for i, person in enumerate(persons[:45]):
            if i < signed:
                # Half signed a week after the decision, half two months after it.
                date = "2025-03-10" if i % 2 else "2025-05-15"
                log.append(record_of(orienter, person, contract_signed_at=date))
            else:
                log.append(record_of(orienter, person))
    with_deadline = within = 0
    for r in aiguillage.read_log_records(log_path):
        deadline = r["proposal"]["outputs"].get("date_limite_contrat")
        signature = r["decision"].get("contract_signed_at")
        if deadline and signature:
            with_deadline += 1
            within += signature[:10] <= deadline[:10]
    assert within >= 11 and with_deadline - within >= 11  # neither count is suppressed
    registry = aiguillage.Registry()
    registry.load_dir(ROOT / "rules")
    rep = aiguillage.report(log_path, registry, territorial=False, lang="en")
    table = rep.tables["contract_deadlines"]
    assert int(table.iloc[0]["persons"]) == 45 and int(table.iloc[0]["count"]) == signed
    assert int(table.iloc[1]["persons"]) == with_deadline and int(table.iloc[1]["count"]) == within
