"""Orientation of a dask DataFrame on a two-process local cluster gives exactly the
single-process result."""

import pandas as pd
import pytest

from conftest import DATE, FR2025, without_id


@pytest.mark.slow
def test_dask_two_processes_identical(persons):
    dd = pytest.importorskip("dask.dataframe")
    distributed = pytest.importorskip("distributed")
    import aiguillage.dask as ad

    frame = pd.DataFrame(persons)
    expected = ad.orient_frame(frame, FR2025, DATE, keep=["person_id"])
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster):
        ddf = dd.from_pandas(frame, npartitions=6)
        got = ad.orient(ddf, FR2025, DATE, keep=["person_id"]).compute()
    assert list(got.columns) == list(expected.columns)
    pd.testing.assert_frame_equal(got.sort_index(), expected.sort_index())
    assert set(got["status"].astype(str)) >= {"complete", "incomplete"}
