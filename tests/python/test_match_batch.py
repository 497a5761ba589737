"""Batches of the banks both ways: progress (the CLI's --progress on stderr, a callback and a
tqdm bar in Python) leaves the answers as they are, and the département partitioning of dask
gives exactly the single-process answer on a LocalCluster."""

import json
import pathlib
import subprocess

import numpy as np
import pandas as pd
import pytest

import aiguillage
from conftest import ROOT

OFFERS = ROOT / "examples" / "data" / "offers-subset.jsonl"
PROFILES = ROOT / "examples" / "data" / "profiles-subset.jsonl"
CLI = pathlib.Path(aiguillage.__file__).resolve().parents[2] / "aiguillage"


def _offer_lines():
    return [json.loads(line) for line in OFFERS.read_text().splitlines() if line.strip()]


def synthetic_persons(n, seed):
    """Persons near the example offers, holding some of their competences: several
    départements, some without a place, one refused document."""
    rng = np.random.default_rng(seed)
    offers = _offer_lines()
    persons = []
    for i in range(n):
        o = offers[int(rng.integers(len(offers)))]
        codes = [c["code"] for c in o.get("competences", [])]
        held = [codes[j] for j in rng.permutation(len(codes))[:int(rng.integers(0, len(codes) + 1))]]
        place = o["lieuTravail"]
        p = {"schema": "aiguillage.profile", "schema_version": "1.0", "id": f"S{i:05d}",
             "competences": [{"code": c, "evidence": str(rng.choice(
                 ["declared", "validated", "certified"]))} for c in held],
             "targets": {"rome": [o["romeCode"]] if rng.random() < 0.5 else []},
             "contract_types": [] if rng.random() < 0.5 else [str(rng.choice(["CDI", "CDD"]))],
             "max_distance_km": float(rng.choice([20, 40, 80]))}
        if rng.random() < 0.9:
            p["location"] = {"latitude": place["latitude"] + rng.normal(0, 0.2),
                             "longitude": place["longitude"] + rng.normal(0, 0.2),
                             "departement": place["libelle"].split(" - ")[0]}
        persons.append(p)
    persons[7] = {"schema": "aiguillage.profile", "schema_version": "1.0", "id": "BAD",
                  "competences": [{"code": "110036", "level": 9}]}
    return persons


@pytest.fixture(scope="module")
def ref():
    return aiguillage.Referential.load(ROOT / "data" / "rome-subset")


@pytest.mark.skipif(not CLI.exists(), reason="the aiguillage command is not built")
@pytest.mark.parametrize("way", [["--persons"], []])
def test_cli_match_progress_on_stderr_only(way):
    args = [str(CLI), "match", "--referential", str(ROOT / "data" / "rome-subset"), "--offers",
            str(OFFERS), "--profiles", str(PROFILES), "--top", "3", "--threads", "2", *way]
    quiet = subprocess.run(args, capture_output=True, timeout=300)
    shown = subprocess.run(args + ["--progress"], capture_output=True, timeout=300)
    assert shown.returncode == quiet.returncode == 0
    assert shown.stdout == quiet.stdout and quiet.stderr == b""
    queries = len(_offer_lines()) if way else len(PROFILES.read_text().splitlines())
    last = shown.stderr.decode().strip().splitlines()[-1]
    assert last.startswith(f"aiguillage match: {queries} records") and ", done" in last


@pytest.mark.parametrize("threads", [1, 2])
def test_native_progress_counts_every_query(ref, threads):
    bank = aiguillage.ProfileBank(aiguillage.Profiles(synthetic_persons(300, 1), ref))
    offers = aiguillage.Offers(OFFERS, ref)
    calls = []
    got = bank._native.top_profiles(offers._native, 5, [], [], None, threads,
                                    lambda done, total: calls.append((done, total)))
    plain = bank.top_profiles(offers, 5, threads=threads)
    for name in ("offer_id", "profile_id", "rank"):
        assert list(got[name]) == list(plain[name])
    assert calls[-1] == (len(offers), len(offers))
    assert all(a[0] <= b[0] for a, b in zip(calls, calls[1:]))


def test_progress_bar_leaves_the_frame_unchanged(ref):
    bank = aiguillage.ProfileBank(aiguillage.Profiles(synthetic_persons(300, 2), ref))
    frame = pd.DataFrame({"offer": OFFERS.read_text().splitlines()},
                         index=pd.RangeIndex(100, 100 + len(_offer_lines())))
    plain = bank.top_profiles(frame, 4, threads=2)
    shown = bank.top_profiles(frame, 4, threads=2, progress=True)
    pd.testing.assert_frame_equal(plain, shown)
    assert plain.index.min() >= 100 and list(plain.columns)[:3] == [
        "offer_id", "profile_id", "profile_index"]

    def failing(done, total):
        raise RuntimeError("stop")
    with pytest.raises(RuntimeError):
        bank._native.top_profiles(aiguillage.Offers(OFFERS, ref)._native, 3, [], [], None, 2,
                                  failing)


def _reference_by_departement(offers_frame, profiles_frame, ref, k, **filters):
    """One bank of every person, each offer's département as its filter."""
    documents = aiguillage.Profiles(list(profiles_frame["profile"]), ref)
    bank = aiguillage.ProfileBank(documents)
    labels = np.asarray(profiles_frame.index)[np.asarray(documents.lines) - 1]
    parts = []
    read = aiguillage.Offers(list(offers_frame["offer"]), ref)
    departement = [""] * len(offers_frame)
    for line, doc in zip(read.lines, read):
        departement[line - 1] = doc.departement
    for d in sorted(set(departement)):
        rows = offers_frame[[x == d for x in departement]]
        got = bank.top_profiles(rows, k, departements=[d], keep=["key"], **filters)
        listed = got["profile_index"].to_numpy()
        got["profile_index"] = np.where(listed >= 0, labels[np.maximum(listed, 0)], -1)
        parts.append(got)
    return pd.concat(parts)


def _canonical(frame):
    frame = frame.copy()
    frame["reason_codes"] = [tuple(r) for r in frame["reason_codes"]]
    frame["profile_index"] = frame["profile_index"].astype(np.int64)
    frame["rank"] = frame["rank"].astype(np.int64)
    frame = frame.reset_index().rename(columns={"index": "label"})
    return frame.sort_values(["label", "rank", "profile_id"], na_position="first",
                             kind="stable").reset_index(drop=True)


@pytest.mark.parametrize("filters", [{}, {"max_km": 30.0, "contract_types": ["CDI"]}])
def test_dask_by_departement_equals_single_process(ref, filters):
    dd = pytest.importorskip("dask.dataframe")
    distributed = pytest.importorskip("distributed")
    import aiguillage.dask as adask

    lines = OFFERS.read_text().splitlines()
    lines[4] = '{"id": "BROKEN", "lieuTravail": {"latitude": 95}}'
    offers = pd.DataFrame({"key": [f"k{i}" for i in range(len(lines))], "offer": lines},
                          index=pd.RangeIndex(1000, 1000 + len(lines)))
    profiles = pd.DataFrame({"profile": [json.dumps(p) for p in synthetic_persons(600, 3)]})
    expected = _reference_by_departement(offers, profiles, ref, 5, **filters)
    assert (expected["error"].notna()).sum() == 1
    assert len(set(expected["offer_id"].dropna())) > 20
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster):
        lazy = adask.top_profiles_by_departement(
            dd.from_pandas(offers, npartitions=3), dd.from_pandas(profiles, npartitions=4), 5,
            referential=ref, keep=["key"], **filters)
        got = lazy.compute()
    pd.testing.assert_frame_equal(_canonical(got), _canonical(expected))
