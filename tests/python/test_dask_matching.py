"""Batch top-k of dask queries on a two-process local cluster gives exactly the single-process
result, with the index scattered once and built once per worker process."""

import numpy as np
import pandas as pd
import pytest

import aiguillage


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


@pytest.mark.slow
def test_dask_two_processes_identical():
    dd = pytest.importorskip("dask.dataframe")
    distributed = pytest.importorskip("distributed")
    import aiguillage.dask as ad

    rng = np.random.default_rng(2)
    index = make_index(rng)
    frame = make_queries(rng)
    expected = ad.batch_top_k_frame(frame, index, 10, departements=[1, 2, 3, 4, 5, 6],
                                    keep=["query_id"])
    assert len(expected) > 1000
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
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
