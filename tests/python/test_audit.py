"""Decision records, the chained log, verification and replay."""

import pytest

import aiguillage
from conftest import DATE, FR2025, ROOT, without_id

KEY = b"0123456789abcdef-test-key"
NOW = "2025-03-01T10:00:00Z"


def _log_some(path, persons, n=5):
    orienter = aiguillage.Orienter(FR2025)
    with aiguillage.DecisionLog(path) as log:
        for person in persons[:n]:
            proposal = orienter.propose(without_id(person), DATE)
            decision = orienter.decide(proposal, "conseiller_france_travail", "confirm",
                                       decided_at=NOW)
            record = aiguillage.decision_record(orienter, proposal, decision, key=KEY,
                                                person_id=person["person_id"], recorded_at=NOW,
                                                territory=person.get("territory", ""))
            assert person["person_id"] not in record
            assert log.append(record).startswith("sha256:")
        assert len(log) == n


def test_record_log_verify_replay(tmp_path, persons):
    path = tmp_path / "decisions.log"
    _log_some(path, persons)
    report = aiguillage.verify_log(path)
    assert report["ok"] and report["lines"] == 5 and report["first_bad"] == 0
    records = aiguillage.read_log_records(path)
    assert len(records) == 5 and records[0]["pack"]["hash"] == aiguillage.Pack.load(FR2025).hash
    registry = aiguillage.Registry()
    registry.load_dir(ROOT / "rules")
    replay = aiguillage.replay_log(path, registry)
    assert replay["identical"] == 5 and replay["different"] == 0
    against = aiguillage.replay_log(path, aiguillage.Pack.load(FR2025))
    assert against["identical"] == 5


def test_pack_missing_in_replay(tmp_path, persons):
    path = tmp_path / "decisions.log"
    _log_some(path, persons, 2)
    replay = aiguillage.replay_log(path, aiguillage.Registry())
    assert replay["pack_missing"] == 2


def test_damaged_log(tmp_path, persons):
    path = tmp_path / "decisions.log"
    _log_some(path, persons, 3)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[1] = lines[1].replace("conseiller_france_travail", "conseiller_france_travaiL")
    path.write_text("".join(lines), encoding="utf-8")
    report = aiguillage.verify_log(path)
    assert not report["ok"] and report["first_bad"] == 2
    with pytest.raises(aiguillage.LogError) as info:
        aiguillage.DecisionLog(path)
    assert info.value.name == "invalid_document"
    with pytest.raises(aiguillage.LogError):
        aiguillage.read_log_records(path)


def test_short_key_is_refused(persons):
    orienter = aiguillage.Orienter(FR2025)
    proposal = orienter.propose(without_id(persons[0]), DATE)
    decision = orienter.decide(proposal, "conseiller_france_travail", "confirm", decided_at=NOW)
    with pytest.raises(aiguillage.DecisionError):
        aiguillage.decision_record(orienter, proposal, decision, key=b"short",
                                   person_id="p1", recorded_at=NOW)
    assert aiguillage.pseudonymise(KEY, "p1") == aiguillage.pseudonymise(KEY, "p1")
    assert aiguillage.pseudonymise(KEY, "p1") != aiguillage.pseudonymise(KEY, "p2")
