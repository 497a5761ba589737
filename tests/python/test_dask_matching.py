"""Batch top-k of dask queries, and the best offers of dask profiles, on a two-process local
cluster give exactly the single-process result, with the index (or bank) scattered once and
built once per worker process."""

import json

import numpy as np
import pandas as pd
import pytest

import aiguillage
from conftest import ROOT


@pytest.fixture(scope="module")
def client():
    pytest.importorskip("dask.dataframe")
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as c:
        yield c


def make_index(rng, n=3000, n_items=200):
    lengths = rng.integers(1, 12, n)
    indptr = np.concatenate([[0], np.cumsum(lengths)])
    items = np.concatenate([rng.choice(n_items, size=m, replace=False) for m in lengths])
    weights = rng.choice([0.5, 1.0], size=len(items))
    return aiguillage.CompetenceIndex.from_csr(
        indptr, items, weights, lat=rng.uniform(43, 49, n), lon=rng.uniform(-1, 6, n),
        departement=rng.integers(1, 10, n), contract_mask=1 << rng.integers(0, 4, n))


def make_queries(rng, n=1200, n_items=220):
    rows = []
    for q in range(n):
        m = int(rng.integers(0, 9))
        near = q % 3 == 0
        rows.append({
            "query_id": f"q{q:05d}",
            "items": rng.choice(n_items, size=m, replace=False),
            "weights": rng.choice([0.25, 0.5, 1.0], size=m),
            "lat": rng.uniform(44, 48) if near else np.nan,
            "lon": rng.uniform(0, 5) if near else np.nan,
            "max_km": rng.uniform(30, 200),
            "contract_mask": int(rng.integers(0, 16)),
        })
    return pd.DataFrame(rows)


def test_frame_equals_index_batch():
    rng = np.random.default_rng(1)
    index = make_index(rng, n=300)
    frame = make_queries(rng, n=50)
    from aiguillage.dask import batch_top_k_frame
    got = batch_top_k_frame(frame, index, 5, keep=["query_id"])
    assert list(got.columns) == ["query_id", "rank", "entry", "score"]
    for q in range(len(frame)):
        row = frame.iloc[q]
        origin = None if np.isnan(row["lat"]) else (row["lat"], row["lon"])
        want_i, want_s = index.top_k(row["items"], row["weights"], 5, origin=origin,
                                     max_km=row["max_km"], contract_mask=row["contract_mask"])
        mine = got.loc[got.index == q]
        assert list(mine["entry"]) == list(want_i)
        assert list(mine["score"]) == list(want_s)
        assert list(mine["rank"]) == list(range(1, len(want_i) + 1))
        assert set(mine["query_id"]) <= {row["query_id"]}


def test_local_scheduler_equals_frame():
    dd = pytest.importorskip("dask.dataframe")
    import dask
    import aiguillage.dask as ad

    rng = np.random.default_rng(3)
    index = make_index(rng, n=500)
    frame = make_queries(rng, n=200)
    expected = ad.batch_top_k_frame(frame, index, 4, keep=["query_id"])
    with dask.config.set(scheduler="threads"):
        got = ad.batch_top_k(dd.from_pandas(frame, npartitions=3), index, 4,
                             keep=["query_id"]).compute()
    pd.testing.assert_frame_equal(got, expected)


@pytest.mark.slow
def test_dask_two_processes_identical(client):
    import dask.dataframe as dd
    import aiguillage.dask as ad

    rng = np.random.default_rng(2)
    index = make_index(rng)
    frame = make_queries(rng)
    expected = ad.batch_top_k_frame(frame, index, 10, departements=[1, 2, 3, 4, 5, 6],
                                    keep=["query_id"])
    assert len(expected) > 1000
    ddf = dd.from_pandas(frame, npartitions=8)
    got = ad.batch_top_k(ddf, index, 10, departements=[1, 2, 3, 4, 5, 6],
                         keep=["query_id"]).compute()

    def builds():
        from aiguillage import _matching
        return _matching._INDEX_BUILDS[0], sorted(_matching._INDEXES)

    per_worker = client.run(builds)
    pd.testing.assert_frame_equal(got, expected)
    assert len(per_worker) == 2
    for count, hashes in per_worker.values():
        assert count == 1 and hashes == [index.hash]


@pytest.mark.slow
def test_dask_top_offers_identical(client):
    import dask.dataframe as dd
    import aiguillage.dask as ad

    ref = aiguillage.Referential.bundled()
    scoring = aiguillage.Scoring.load(ROOT / "rules" / "matching" / "scoring-default.json")
    bank = aiguillage.OfferBank(
        aiguillage.Offers(ROOT / "examples" / "data" / "offers-subset.jsonl", ref),
        scoring=scoring)
    base = [json.loads(line) for line in
            (ROOT / "examples" / "data" / "profiles-subset.jsonl").read_text().splitlines()]
    rng = np.random.default_rng(4)
    texts = []
    for v in range(60):
        p = json.loads(json.dumps(base[v % len(base)]))
        p["id"] = f"V{v:03d}"
        if "latitude" in p.get("location", {}):
            p["location"]["latitude"] += float(rng.normal(0, 0.2))
        texts.append(json.dumps(p))
    texts[17] = json.dumps(dict(base[0], max_distance_km="far"))  # refused alone
    frame = pd.DataFrame({"person": [f"person-{i}" for i in range(len(texts))],
                          "profile": texts})
    expected = ad.top_offers_frame(frame, bank, 5, keep=["person"])
    got = ad.top_offers(dd.from_pandas(frame, npartitions=4), bank, 5,
                        keep=["person"]).compute()
    pd.testing.assert_frame_equal(got, expected)
    errors = expected[expected["error"].notna()]
    assert list(errors.index) == [17] and list(errors["person"]) == ["person-17"]
    assert "/max_distance_km" in errors["error"].iloc[0]
    good = aiguillage.Profiles([t for i, t in enumerate(texts) if i != 17], ref)
    direct = bank.top_offers(good, 5)
    hits = expected[expected["error"].isna()]
    assert list(hits["offer_id"]) == list(direct["offer_id"])
    assert list(hits["score"]) == list(direct["score"])

    def banks():
        from aiguillage import _matching
        return len(_matching._BANKS)

    assert list(client.run(banks).values()) == [1, 1]


def test_dataframes_in_give_dataframes_out_with_the_callers_index():
    rng = np.random.default_rng(7)
    index = make_index(rng, n=300)
    frame = make_queries(rng, n=30)
    frame.index = ["row-%d" % i for i in range(len(frame))]
    from aiguillage.dask import batch_top_k_frame
    got = index.batch_top_k(frame, 5, keep=["query_id"])
    pd.testing.assert_frame_equal(got, batch_top_k_frame(frame, index, 5, keep=["query_id"]))
    assert set(got.index) <= set(frame.index) and len(got) > 0

    ref = aiguillage.Referential.bundled()
    bank = aiguillage.OfferBank(
        aiguillage.Offers(ROOT / "examples" / "data" / "offers-subset.jsonl", ref))
    texts = (ROOT / "examples" / "data" / "profiles-subset.jsonl").read_text().splitlines()[:8]
    profiles = pd.DataFrame({"person": ["p%d" % i for i in range(len(texts))], "profile": texts},
                            index=["x%d" % i for i in range(len(texts))])
    top = bank.top_offers(profiles, 3, keep=["person"])
    assert isinstance(top, pd.DataFrame) and list(top.columns[:1]) == ["person"]
    assert set(top.index) == set(profiles.index)
    direct = bank.top_offers(aiguillage.Profiles(texts, ref), 3)
    assert list(top["offer_id"]) == list(direct["offer_id"])


def test_best_persons_of_offers_in_a_dataframe_keep_the_callers_index():
    ref = aiguillage.Referential.bundled()
    persons = aiguillage.ProfileBank(
        aiguillage.Profiles(ROOT / "examples" / "data" / "profiles-subset.jsonl", ref))
    texts = (ROOT / "examples" / "data" / "offers-subset.jsonl").read_text().splitlines()[:6]
    texts.append('{"id": "broken", "competences": 3}')
    offers = pd.DataFrame({"ref": ["o%d" % i for i in range(len(texts))], "offer": texts},
                          index=["y%d" % i for i in range(len(texts))])
    top = persons.top_profiles(offers, 4, keep=["ref"])
    assert isinstance(top, pd.DataFrame) and list(top.columns[:1]) == ["ref"]
    assert set(top.index) <= set(offers.index)  # an offer nobody passes has no row
    refused = top[top["error"].notna()]
    assert list(refused.index) == ["y6"] and list(refused["rank"]) == [0]
    good = top[top["error"].isna()]
    direct = persons.top_profiles(aiguillage.Offers(texts[:-1], ref), 4)
    assert list(good["profile_id"]) == list(direct["profile_id"])
    assert list(good["score"]) == list(direct["score"])
    assert list(good["ref"]) == ["o%d" % i for i in direct["query_index"]]
