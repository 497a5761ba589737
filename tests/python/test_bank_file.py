"""Bank files from Python: OfferBank.save/load and ProfileBank.save/load answer as the banks
saved; a damaged file and a file of the other kind raise their pinned codes."""
import pickle

import pytest

import aiguillage
from conftest import ROOT

OFFERS = ROOT / "examples" / "data" / "offers-subset.jsonl"
PROFILES = ROOT / "examples" / "data" / "profiles-subset.jsonl"


@pytest.fixture(scope="module")
def ref():
    return aiguillage.Referential.bundled()


def columns(frame):
    return {k: list(v) for k, v in dict(frame).items()}


def test_offer_bank_round_trip(ref, tmp_path):
    offers = aiguillage.Offers(OFFERS, ref)
    profiles = aiguillage.Profiles(PROFILES, ref)
    bank = aiguillage.OfferBank(offers)
    path = tmp_path / "offers.aigbank"
    bank.save(path)
    loaded = aiguillage.OfferBank.load(path, ref, threads=2)
    assert len(loaded) == len(bank)
    assert [o.id for o in loaded.offers] == [o.id for o in offers]
    assert columns(loaded.top_offers(profiles, 5)) == columns(bank.top_offers(profiles, 5))
    assert columns(loaded.top_offers(profiles, 3, max_km=30.0)) == columns(
        bank.top_offers(profiles, 3, max_km=30.0))
    again = pickle.loads(pickle.dumps(loaded))
    assert columns(again.top_offers(profiles, 5)) == columns(bank.top_offers(profiles, 5))


def test_profile_bank_round_trip(ref, tmp_path):
    offers = aiguillage.Offers(OFFERS, ref)
    profiles = aiguillage.Profiles(PROFILES, ref)
    bank = aiguillage.ProfileBank(profiles)
    path = tmp_path / "persons.aigbank"
    bank.save(str(path))
    loaded = aiguillage.ProfileBank.load(str(path), ref)
    assert columns(loaded.top_profiles(offers, 3)) == columns(bank.top_profiles(offers, 3))
    assert loaded.scoring.to_dict() == bank.scoring.to_dict()


def test_bad_bank_files(ref, tmp_path):
    path = tmp_path / "offers.aigbank"
    aiguillage.OfferBank(aiguillage.Offers(OFFERS, ref)).save(path)
    data = path.read_bytes()
    cut = tmp_path / "cut.aigbank"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(aiguillage.MatchingInputError) as info:
        aiguillage.OfferBank.load(cut, ref)
    assert info.value.code == -410 and "truncated" in str(info.value)
    flipped = bytearray(data)
    flipped[-100] ^= 1
    cut.write_bytes(bytes(flipped))
    with pytest.raises(aiguillage.MatchingInputError) as info:
        aiguillage.OfferBank.load(cut, ref)
    assert info.value.code == -410 and "checksum" in str(info.value)
    with pytest.raises(aiguillage.MatchingInputError) as info:
        aiguillage.ProfileBank.load(path, ref)
    assert info.value.code == -402
    with pytest.raises(aiguillage.MatchingInputError) as info:
        aiguillage.OfferBank.load(tmp_path / "absent.aigbank", ref)
    assert info.value.code == -5
