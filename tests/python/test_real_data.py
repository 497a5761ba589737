"""Real data, unchanged: the sample read by pandas' own readers (JSON Lines and its CSV twin)
goes straight into evaluate_batch and propose_batch with no error, gives what the records give
one by one, and the same through dask on a two-worker LocalCluster. Random frames of every
dtype never crash an entry point, and each bad cell names its row label, column and reason."""

import warnings

import numpy as np
import pandas as pd
import pytest

import aiguillage
import aiguillage.dask
from conftest import DATE, FR2025, PERSONS, ROOT, without_id

CSV = ROOT / "examples" / "data" / "persons-1000.csv"


def _reference(persons):
    orienter = aiguillage.Orienter(FR2025)
    frame = pd.DataFrame([without_id(p) for p in persons])
    return orienter, frame


@pytest.fixture(scope="module")
def orienter():
    return aiguillage.Orienter(FR2025)


def _readers():
    return {
        "read_json": lambda: pd.read_json(PERSONS, lines=True),
        "read_csv": lambda: pd.read_csv(CSV),
        "read_csv_str": lambda: pd.read_csv(CSV, dtype=str),
    }


@pytest.mark.parametrize("reader", sorted(_readers()))
def test_pandas_readers_straight_in(reader, orienter, persons):
    df = _readers()[reader]()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # person_id is kept, so nothing is unknown
        out = orienter.propose_batch(df, DATE, keep=["person_id"])
    assert (out["error_code"] == 0).all(), out.loc[out["error_code"] != 0, "error"].head()
    assert list(out.index) == list(df.index) and list(out.columns[:1]) == ["person_id"]
    assert list(out["person_id"]) == [p["person_id"] for p in persons]
    for row in range(0, len(persons), 97):
        one = orienter.propose(without_id(persons[row]), DATE)
        assert out["status"].iloc[row] == one.status
        got = out["parcours"].iloc[row]
        assert (None if pd.isna(got) else got) == one.outputs["parcours"]
        assert bool(out["evident"].iloc[row]) == one.evident
        assert out["questions"].iloc[row] == tuple(q["input"] for q in one.questions)
    assert out["questions"].map(len).sum() > 0
    batch = orienter.pack.evaluate_batch(df, DATE, keep=["person_id"])
    assert (batch["error_code"] == 0).all()


def test_the_three_readers_give_one_result(orienter):
    frames = [orienter.propose_batch(read(), DATE, keep=["person_id"], questions=False)
              for read in _readers().values()]
    for other in frames[1:]:
        pd.testing.assert_frame_equal(frames[0], other)


@pytest.mark.slow
def test_dask_read_json_and_read_csv_on_two_workers(orienter, tmp_path):
    dd = pytest.importorskip("dask.dataframe")
    distributed = pytest.importorskip("distributed")
    expected = aiguillage.dask.orient_frame(pd.read_json(PERSONS, lines=True), FR2025, DATE,
                                            keep=["person_id"])
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster):
        # dask checks every block against the first one's dtypes: a block without a missing
        # cell reads booleans as bool, another as float64, and dask itself refuses that; the
        # file is read whole, then split.
        for ddf in (dd.read_json(str(PERSONS), lines=True).repartition(npartitions=4),
                    dd.read_csv(str(CSV), dtype=str, blocksize=2**16)):
            assert ddf.npartitions > 1
            got = aiguillage.dask.orient(ddf, FR2025, DATE, keep=["person_id"]).compute()
            got = got.set_index("person_id", drop=False).rename_axis(None)
            want = expected.set_index("person_id", drop=False).rename_axis(None)
            assert (got["error_code"] == 0).all()
            pd.testing.assert_frame_equal(got.loc[want.index], want, check_categorical=False)


def _odd_values(rng, n):
    pool = [None, np.nan, pd.NA, pd.NaT, True, False, 0, 1, -1, 2**63, 2**70, -2**70, 1.5,
            np.inf, -np.inf, 1e300, "", "true", "False", "1", "none", "bac", "1999-02-30",
            "2001-04-02", "\udcff", "x" * 5000, b"bytes", [1, 2], {"a": 1}, (1,), object(),
            np.int64(3), np.uint64(2**64 - 1), np.float32(0.5), np.bool_(True),
            np.datetime64("2001-04-02"), np.datetime64("NaT"), pd.Timestamp("2001-04-02"),
            pd.Timestamp("2001-04-02", tz="Asia/Tokyo"), complex(1, 2), np.timedelta64(3, "D")]
    return [pool[i] for i in rng.integers(0, len(pool), size=n)]


def _random_column(rng, n):
    choice = rng.integers(0, 9)
    if choice == 0:
        return pd.Series(_odd_values(rng, n), dtype=object)
    if choice == 1:
        return pd.Series(rng.normal(size=n) * 10 ** rng.integers(0, 20))
    if choice == 2:
        return pd.Series(rng.integers(-2**62, 2**62, size=n))
    if choice == 3:
        return pd.Series(rng.integers(0, 2**64 - 1, size=n, dtype=np.uint64))
    if choice == 4:
        return pd.Series(rng.integers(-10**5, 10**5, size=n).astype("datetime64[D]"))
    if choice == 5:
        return pd.Series(rng.choice(["none", "bac", "true", "x", None], size=n), dtype="category")
    if choice == 6:
        return pd.Series(rng.choice(["2001-04-02", "false", None, "7"], size=n), dtype="string")
    if choice == 7:
        return pd.Series(rng.random(size=n) < 0.5)
    return pd.Series(rng.integers(0, 3, size=n), dtype="Int64").where(rng.random(n) < 0.8)


@pytest.mark.parametrize("seed", range(6))
def test_random_frames_never_crash_and_name_every_bad_cell(orienter, seed):
    rng = np.random.default_rng(seed)
    pack = orienter.pack
    n = 40
    names = [f["name"] for f in pack.inputs if f["type"] != "list"]
    columns = rng.choice(names, size=8, replace=False)
    labels = ["r%d" % i for i in range(n)]
    df = pd.DataFrame({c: _random_column(rng, n).set_axis(labels) for c in columns})
    out = orienter.propose_batch(df, DATE)
    assert list(out.index) == labels
    bad = out[out["error_code"] != 0]
    for label, message in bad["error"].items():
        assert message.split(" at ")[1].startswith("/%s/" % label), message
        assert any("/%s/%s" % (label, c) in message for c in columns) or "constraint" in message
        assert len(message) < 600
    # Each row alone, through every other entry point: the same status, never a crash.
    for row in range(0, n, 7):
        record = {c: df[c].iloc[row] for c in columns}
        one = pack.evaluate(record, DATE)
        assert one["status"] == out["status"].iloc[row], (row, record, one, out["error"].iloc[row])
        assert orienter.propose(record, DATE).status == one["status"]
        assert pack.explain_row(df, row, DATE)
    # A bad row never loses the good ones.
    good = out.index[out["error_code"] == 0]
    if len(good):
        alone = orienter.propose_batch(df.loc[good], DATE)
        pd.testing.assert_series_equal(alone["status"], out.loc[good, "status"])
