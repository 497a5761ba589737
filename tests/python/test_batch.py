"""Columnar batches: every row gives what the same record gives alone; bad cells mark only
their rows; numpy and pandas inputs of every dtype."""

import datetime

import numpy as np
import pandas as pd
import pytest

import aiguillage
from conftest import DATE, without_id


def _as_python(value):
    """A result cell as the JSON evaluation writes it."""
    if value is None or value is pd.NA or value is pd.NaT or (
            isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, np.datetime64):
        return None if np.isnat(value) else str(value.astype("datetime64[D]"))
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


@pytest.fixture(scope="module")
def frame(persons):
    return pd.DataFrame([without_id(p) for p in persons])


def test_batch_equals_one_by_one(fr2025, persons, frame):
    result = pd.DataFrame(fr2025.evaluate_batch(frame, DATE))
    assert len(result) == len(persons)
    outputs = [o["name"] for o in fr2025.outputs]
    tables = [d["id"] for d in fr2025.decisions if d["kind"] == "table"]
    for row, person in enumerate(persons):
        one = fr2025.evaluate(without_id(person), DATE)
        assert result["status"][row] == one["status"], row
        for name in outputs:
            assert _as_python(result[name][row]) == one["outputs"][name], (row, name)
        for decision in tables:
            fired = one["fired"][decision]
            got = result["fired." + decision][row]
            assert (None if pd.isna(got) else got) == (fired[0] if fired else None), (row, decision)
    assert set(result["status"].unique()) >= {"complete", "incomplete"}


def test_threads_give_the_same_columns(fr2025, frame):
    big = pd.concat([frame] * 10, ignore_index=True)
    one = pd.DataFrame(fr2025.evaluate_batch(big, DATE, threads=1))
    two = pd.DataFrame(fr2025.evaluate_batch(big, DATE, threads=2))
    pd.testing.assert_frame_equal(one, two)


def test_result_dtypes(fr2025, frame):
    result = pd.DataFrame(fr2025.evaluate_batch(frame.head(50), DATE))
    assert isinstance(result["parcours"].dtype, pd.CategoricalDtype)
    assert str(result["cej_age_condition"].dtype) == "boolean"
    assert result["date_limite_contrat"].dtype.kind == "M"
    assert isinstance(result["review_reasons"][0], tuple)
    assert result["error_code"].dtype == np.int32
    assert result["error"].isna().all()


def test_bad_cells_mark_only_their_rows(fr2025, frame):
    df = frame.head(20).copy()
    df["boe_status"] = df["boe_status"].astype(object)
    df.loc[3, "boe_status"] = "maybe"
    df.loc[5, "birth_date"] = "1999-02-30"
    df["months_since_last_activity"] = df["months_since_last_activity"].astype(object)
    df.loc[7, "months_since_last_activity"] = "many"
    df.loc[9, "months_since_last_activity"] = 10_000
    result = fr2025.evaluate_batch(df, DATE)
    status = np.asarray(result["status"]).astype(object)
    bad = {3: -113, 5: -111, 7: -112, 9: -106}
    for row, code in bad.items():
        assert status[row] == "error" and result["error_code"][row] == code, row
    assert "/3/boe_status" in result["error"][3] and "maybe" in result["error"][3]
    assert "/5/birth_date" in result["error"][5]
    good = [r for r in range(20) if r not in bad]
    clean = fr2025.evaluate_batch(frame.head(20), DATE)
    for r in good:
        assert status[r] == np.asarray(clean["status"]).astype(object)[r]
        assert _as_python(result["parcours"][r]) == _as_python(clean["parcours"][r])


def test_dict_of_numpy_arrays_and_typed_columns(youth):
    n = 6
    data = {
        "birth_date": np.array(["2005-01-15", "1980-06-01", "2001-09-20", "NaT", "1995-03-03",
                                "2004-12-31"], dtype="datetime64[D]"),
        "rsa_beneficiary": np.array([False, True, False, False, True, False]),
        "boe_status": pd.Categorical(["none", "rqth", "none", None, "pending", "none"]),
        "requested_structure": np.array(["mission_locale", "none", "none", "none", "cap_emploi",
                                         "none"], dtype=object),
        "months_since_last_activity": np.array([3, np.nan, 18, 2, 60, 0], dtype=float),
    }
    result = youth.evaluate_batch(data, DATE)
    assert len(result["status"]) == n
    for row in range(n):
        record = {}
        if not np.isnat(data["birth_date"][row]):
            record["birth_date"] = str(data["birth_date"][row])
        record["rsa_beneficiary"] = bool(data["rsa_beneficiary"][row])
        if not pd.isna(data["boe_status"][row]):
            record["boe_status"] = data["boe_status"][row]
        record["requested_structure"] = data["requested_structure"][row]
        if not np.isnan(data["months_since_last_activity"][row]):
            record["months_since_last_activity"] = int(data["months_since_last_activity"][row])
        one = youth.evaluate(record, DATE)
        assert np.asarray(result["status"]).astype(object)[row] == one["status"], row
        assert _as_python(result["organisme"][row]) == one["outputs"]["organisme"], row


def test_python_objects_in_columns(youth):
    df = pd.DataFrame({
        "birth_date": [datetime.date(2005, 1, 15), "2005-01-15", None, 17],
        "rsa_beneficiary": [False, False, None, "yes"],
        "requested_structure": ["mission_locale"] * 4,
    })
    result = youth.evaluate_batch(df, DATE)
    status = list(np.asarray(result["status"]).astype(object))
    assert status[0] == status[1] != "error"
    assert result["organisme"][0] == result["organisme"][1]
    assert status[3] == "error" and result["error_code"][3] == -105
    assert "/3/" in result["error"][3]


def test_fractional_integer_is_refused(youth):
    df = pd.DataFrame({"months_since_last_activity": [1.0, 1.5, np.nan]})
    result = youth.evaluate_batch(df, DATE)
    assert list(result["error_code"]) == [0, -105, 0]


def test_shape_errors_raise(youth):
    with pytest.raises(aiguillage.InputError) as info:
        youth.evaluate_batch({"birth_date": ["2005-01-15"], "boe_status": ["none", "rqth"]}, DATE)
    assert info.value.code == -452
    with pytest.raises(aiguillage.InputError) as info:
        youth.evaluate_batch({"shoe_size": [42]}, DATE, strict=True)
    assert info.value.code == -108
    with pytest.warns(UserWarning, match="shoe_size"):
        youth.evaluate_batch({"shoe_size": [42]}, DATE)
    result = youth.evaluate_batch({"shoe_size": [42]}, DATE, ignore_unknown=True)
    assert len(result["status"]) == 1
    with pytest.raises(aiguillage.InputError):
        youth.evaluate_batch([1, 2, 3], DATE)


def test_empty_batch(youth):
    result = youth.evaluate_batch(pd.DataFrame({"birth_date": pd.Series([], dtype=object)}), DATE)
    frame = pd.DataFrame(result)
    assert len(frame) == 0 and "organisme" in frame.columns


def test_missing_reference_date_marks_rows(youth):
    result = youth.evaluate_batch({"boe_status": np.array(["none"], dtype=object)})
    assert result["error_code"][0] == -213


def test_missing_cells_like_absent_members(fr2025, persons):
    """Property: blanking random cells (None, NaN, pd.NA) in a batch gives, row by row, what
    the record without those members gives."""
    rng = np.random.default_rng(20251127)
    records = [without_id(p) for p in persons[:400]]
    frame = pd.DataFrame(records).astype(object)
    blanks = [None, np.nan, pd.NA]
    for row in range(len(frame)):
        for col in rng.choice(frame.columns, size=rng.integers(0, 6), replace=False):
            frame.at[row, col] = blanks[rng.integers(0, 3)]
            records[row].pop(col, None)
    result = fr2025.evaluate_batch(frame, DATE)
    status = np.asarray(result["status"]).astype(object)
    for row, record in enumerate(records):
        one = fr2025.evaluate(record, DATE)
        assert status[row] == one["status"], row
        for name, value in one["outputs"].items():
            assert _as_python(result[name][row]) == value, (row, name)


def test_explain_row_on_demand(fr2025, persons, frame):
    row = 17
    text = fr2025.explain_row(frame, row, DATE, lang="en")
    assert text == fr2025.explain(without_id(persons[row]), DATE, lang="en")
    traced = fr2025.explain_row(frame, row, DATE, trace=True)
    assert "trace" in traced
    batch = fr2025.evaluate_batch(frame, DATE)
    assert _as_python(batch["parcours"][row]) == traced["outputs"]["parcours"]
