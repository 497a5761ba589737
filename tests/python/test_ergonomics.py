"""Pack(path), help and reprs, notebook renderings, progress bars."""

import pandas as pd
import pytest

import aiguillage
from conftest import DATE, FR2025, without_id


def test_pack_from_a_path_and_its_help():
    pack = aiguillage.Pack(FR2025)
    assert pack.hash == aiguillage.Pack.load(FR2025).hash
    assert repr(pack).startswith("<aiguillage.Pack fr/orientation")
    assert "Pack(\"rules/orientation/fr-2025\")" in aiguillage.Pack.__doc__
    with pytest.raises(aiguillage.PackLoadError):
        aiguillage.Pack(FR2025 / "no-such-pack.json")


def test_proposal_and_decision_render_as_html(persons):
    orienter = aiguillage.Orienter(FR2025)
    proposal = orienter.propose(without_id(persons[0]), DATE)
    html = proposal._repr_html_()
    assert "<table>" in html and proposal.status in html
    assert "Notice" in html and "trace: " in html
    assert orienter.notice(proposal, lang="en").splitlines()[0] in html
    for value in proposal.outputs.values():
        if isinstance(value, str):
            assert value in html
    decision = orienter.decide(proposal, "conseiller_france_travail", "confirm",
                               decided_at="2025-03-03T14:00:00Z")
    assert "conseiller_france_travail" in decision._repr_html_()
    bad = orienter.propose({"rsa_beneficiary": "maybe"}, DATE)
    assert "type_mismatch" in bad._repr_html_() and "/rsa_beneficiary" in bad._repr_html_()


def test_progress_bar_gives_the_same_frame(persons, capsys):
    pytest.importorskip("tqdm")
    orienter = aiguillage.Orienter(FR2025)
    big = pd.DataFrame([without_id(p) for p in persons] * 70)  # 70,000 rows: two slices
    plain = orienter.propose_batch(big, DATE, questions=False)
    shown = orienter.propose_batch(big, DATE, questions=False, progress=True)
    pd.testing.assert_frame_equal(plain, shown)
    assert "aiguillage evaluate" in capsys.readouterr().err


def test_match_explanation_renders_and_frames_a_list():
    from conftest import ROOT
    ref = aiguillage.Referential.bundled()
    offers = aiguillage.Offers(ROOT / "examples" / "data" / "offers-subset.jsonl", ref)
    profiles = aiguillage.Profiles(ROOT / "examples" / "data" / "profiles-subset.jsonl", ref)
    explanations = [aiguillage.explain(profiles[0], offers[k], offers) for k in range(3)]
    html = explanations[0]._repr_html_()
    assert "<table>" in html and explanations[0]["offer_id"] in html
    frames = [aiguillage.explanation_frame(e) for e in explanations]
    both = aiguillage.explanation_frame(explanations)
    assert len(both["offer_id"]) == sum(len(f["offer_id"]) for f in frames)
    assert pd.DataFrame(both)["offer_id"].unique().tolist() == [e["offer_id"] for e in explanations]
