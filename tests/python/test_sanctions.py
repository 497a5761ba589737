"""The sanctions pack is never decided by policy: automatic confirmation and policy decisions
raise HumanDecisionRequiredError (code -301); a human decision needs the person's observations
and the assessment of a legitimate reason, kept in the decision and its record."""

import json

import pytest

from conftest import ROOT

SANCTIONS = ROOT / "rules" / "sanctions" / "fr-2025"
PERSON = {"manquement": "obligations_contrat_engagement", "antecedent": "aucun",
          "motif_legitime": "non_invoque", "allocation": "are",
          "organisme_referent": "france_travail", "foyer_plusieurs_personnes": False,
          "majoration_parent_isole": False, "mineur_ou_protege": False,
          "date_reception_notification": "2025-07-01"}
AT = "2025-07-20T09:00:00+02:00"


def test_auto_confirm_refused_with_pinned_code():
    import aiguillage
    with pytest.raises(aiguillage.HumanDecisionRequiredError) as info:
        aiguillage.Orienter(SANCTIONS, auto_confirm_evident=True)
    assert info.value.code == -301 and info.value.name == "human_decision_required"
    assert isinstance(info.value, aiguillage.DecisionError)


def test_auto_decide_and_policy_actor_refused():
    import aiguillage
    orienter = aiguillage.Orienter(SANCTIONS)
    proposal = orienter.propose(PERSON, "2025-07-03")
    with pytest.raises(aiguillage.HumanDecisionRequiredError):
        orienter.auto_decide(proposal, AT)
    with pytest.raises(aiguillage.HumanDecisionRequiredError):
        orienter.decide(proposal, "policy", decided_at=AT, observations="aucune",
                        legitimate_reason="aucun motif invoqué")


def test_human_decision_keeps_the_hearing():
    import aiguillage
    orienter = aiguillage.Orienter(SANCTIONS)
    proposal = orienter.propose(PERSON, "2025-07-03")
    with pytest.raises(aiguillage.DecisionError) as info:
        orienter.decide(proposal, "directeur_regional_france_travail", decided_at=AT)
    assert info.value.pointer == "/hearing/observations"
    decision = orienter.decide(proposal, "directeur_regional_france_travail", decided_at=AT,
                               observations="observations écrites reçues le 8 juillet 2025",
                               legitimate_reason="motif de garde d'enfant non retenu")
    text = decision.to_dict()
    assert text["decided_by"] == "human"
    assert text["hearing"] == {"observations": "observations écrites reçues le 8 juillet 2025",
                               "legitimate_reason": "motif de garde d'enfant non retenu"}


def test_orientation_pack_unchanged_by_hearing_fields(fr2025, persons):
    import aiguillage
    from conftest import without_id
    orienter = aiguillage.Orienter(fr2025, auto_confirm_evident=True)
    for person in persons[:50]:
        proposal = orienter.propose(without_id(person), "2025-03-01")
        decision = orienter.auto_decide(proposal, AT)
        if decision is not None:
            assert "hearing" not in decision.to_dict()
            return
    pytest.fail("no evident proposal among the first 50 example persons")
