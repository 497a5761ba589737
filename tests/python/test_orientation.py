"""Orientation: proposals, human decisions, the deployment's policy, notices."""

import pandas as pd
import pytest

import aiguillage
from conftest import DATE, FR2025, without_id

NOW = "2025-03-01T10:00:00Z"


@pytest.fixture(scope="module")
def orienter(fr2025):
    return aiguillage.Orienter(fr2025)


def test_propose_confirm_notice(orienter, persons):
    proposal = orienter.propose(without_id(persons[0]), DATE)
    assert proposal.status in ("complete", "incomplete")
    assert "organisme_referent" in proposal.outputs
    decision = orienter.decide(proposal, "conseiller_france_travail", "confirm", decided_at=NOW)
    assert decision.to_dict()["action"] == "confirm"
    notice = orienter.notice(proposal, decision)
    assert "L. 311-3-1" in notice
    assert orienter.notice(proposal, lang="en") != notice


def test_override_needs_a_reason(orienter, persons):
    proposal = orienter.propose(without_id(persons[1]), DATE)
    with pytest.raises(aiguillage.DecisionError) as info:
        orienter.decide(proposal, "conseiller_france_travail", "override", decided_at=NOW,
                        outputs={"organisme_referent": "mission_locale"})
    assert info.value.code == -1
    decision = orienter.decide(proposal, "conseiller_france_travail", "override",
                               reason="la personne suit déjà un accompagnement", decided_at=NOW,
                               outputs={"organisme_referent": "mission_locale"})
    assert decision.to_dict()["outputs"]["organisme_referent"] == "mission_locale"
    with pytest.raises(aiguillage.DecisionError):
        orienter.decide(proposal, "conseiller_france_travail", "approve", decided_at=NOW)
    with pytest.raises(aiguillage.DecisionError):
        orienter.decide(proposal, "conseiller_france_travail", "override", reason="x",
                        decided_at=NOW, outputs={"no_such_output": 1})


def test_auto_decide_only_when_allowed(fr2025, persons):
    strict = aiguillage.Orienter(fr2025)
    lenient = aiguillage.Orienter(fr2025, auto_confirm_evident=True)
    evident = None
    for person in persons[:200]:
        p = strict.propose(without_id(person), DATE)
        if p.evident:
            evident = without_id(person)
            break
    assert evident is not None
    assert strict.auto_decide(strict.propose(evident, DATE), NOW) is None
    decision = lenient.auto_decide(lenient.propose(evident, DATE), NOW)
    assert decision is not None and decision.to_dict()["decided_by"] == "policy"


def test_rejected_person(orienter):
    proposal = orienter.propose({"birth_date": 12}, DATE)
    assert proposal.status == "error" and proposal.errors
    with pytest.raises(aiguillage.DecisionError):
        orienter.decide(proposal, "conseiller_france_travail", "confirm", decided_at=NOW)


def test_propose_needs_a_date(orienter):
    with pytest.raises(aiguillage.InputError):
        orienter.propose({}, None)


def test_propose_batch_agrees_with_propose(persons):
    orienter = aiguillage.Orienter(FR2025)
    frame = pd.DataFrame([without_id(p) for p in persons[:300]])
    result = orienter.propose_batch(frame, DATE)
    for row in range(300):
        p = orienter.propose(without_id(persons[row]), DATE, trace=False)
        assert bool(result["evident"][row]) == p.evident, row
        assert result["organisme_referent"][row] == p.outputs["organisme_referent"] or (
            pd.isna(result["organisme_referent"][row]) and p.outputs["organisme_referent"] is None)
