"""Explanations of one pair through a bank (no cohort scoring) from Python: the rank and score
of an independent sort of every pair, the counterfactual's new rank, the employer's text."""

import json

import pytest

import aiguillage
from conftest import ROOT

OFFERS = ROOT / "examples" / "data" / "offers-subset.jsonl"
PROFILES = ROOT / "examples" / "data" / "profiles-subset.jsonl"
SCORING = ROOT / "rules" / "matching" / "scoring-default.json"


@pytest.fixture(scope="module")
def ref():
    return aiguillage.Referential.bundled()


@pytest.fixture(scope="module")
def scoring():
    return aiguillage.Scoring.load(SCORING)


@pytest.fixture(scope="module")
def offers(ref):
    return aiguillage.Offers(OFFERS, ref)


@pytest.fixture(scope="module")
def profiles(ref):
    return aiguillage.Profiles(PROFILES, ref)


def order_of(scores):
    """(id, excluded, score) sorted: passing first, score desc, id asc."""
    return sorted(scores, key=lambda x: (x[1], -x[2], x[0]))


def test_profile_bank_explains_ranks_and_counterfactuals(profiles, offers, scoring):
    bank = aiguillage.ProfileBank(profiles, scoring=scoring)
    explained = 0
    for o in list(offers)[::5]:
        scores = {p.id: aiguillage.score(p, o, scoring=scoring) for p in profiles}
        order = order_of([(i, s["excluded"], s["score"]) for i, s in scores.items()])
        for rank, (pid, excluded, score) in enumerate(order, start=1):
            e = bank.explain(o, pid, lang="en")
            if excluded:
                assert e is None
                continue
            explained += 1
            assert e["score"] == score
            assert e["cohort"] == {"kind": "profiles_for_offer", "rank": rank,
                                   "size": len(profiles)}
            c = e["counterfactual"]
            if c is not None:
                # The others' scores do not move: the new rank counts those still ahead.
                ahead = sum(1 for (i, x, s) in order
                            if i != pid and not x and (s > c["score_after"]
                                                       or (s == c["score_after"] and i < pid)))
                assert c["rank_after"] == ahead + 1
            assert e.employer.startswith("Offer ")
            for comp in e["competences"]:
                assert comp["coverage"] in ("held", "related", "missing", "unknown_code")
                if comp["coverage"] == "related":
                    assert comp["path"] and comp["held_label"]
            # explain() with the cohort gives the same document.
            p = next(x for x in profiles if x.id == pid)
            same = aiguillage.explain(p, o, profiles, scoring=scoring, lang="en")
            assert same.json == e.json and same.employer == e.employer
    assert explained > 10


def test_offer_bank_explain_equals_the_cohort(profiles, offers, scoring):
    bank = aiguillage.OfferBank(offers, scoring=scoring)
    for p in profiles:
        scores = [(o.id, *(lambda s: (s["excluded"], s["score"]))(
            aiguillage.score(p, o, scoring=scoring))) for o in offers]
        order = order_of(scores)
        for rank, (oid, excluded, score) in list(enumerate(order, start=1))[::9]:
            e = bank.explain(p, oid, lang="fr")
            if excluded:
                assert e is None
                continue
            assert e["cohort"]["rank"] == rank and e["score"] == score
            assert json.loads(e.json)["schema_version"] == "1.1"


def test_bank_explain_arguments(profiles, offers):
    bank = aiguillage.ProfileBank(profiles)
    with pytest.raises(IndexError):
        bank.explain(offers[0], len(profiles))
    with pytest.raises(ValueError):
        bank.explain(offers[0], "NOBODY")
    with pytest.raises(aiguillage.MatchingInputError):
        bank.explain(offers[0], 0, lang="de")
    filtered = bank.explain(offers[0], 0, departements=["nowhere"])
    assert filtered is None


def test_a_document_read_apart_is_explained_as_given(profiles, offers, scoring):
    """A profile with the id of a cohort member but other competences: its own explanation,
    ranked by scoring the cohort, never the member's."""
    record = json.loads(PROFILES.read_text(encoding="utf-8").splitlines()[0])
    record["competences"] = []
    changed = aiguillage.Profiles([record], profiles.referential)[0]  # another collection
    o = offers[3]
    e = aiguillage.explain(changed, o, profiles, scoring=scoring)
    assert e["score"] == aiguillage.score(changed, o, scoring=scoring)["score"]
    member = aiguillage.explain(profiles[0], o, profiles, scoring=scoring)
    assert member["score"] == aiguillage.score(profiles[0], o, scoring=scoring)["score"]
    assert e["score"] != member["score"]
