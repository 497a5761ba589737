"""The one input policy: every row of the table gives the same answer through every entry
point (evaluate, explain_row, evaluate_batch on a DataFrame and on numpy arrays, propose,
propose_batch, dask's orient_frame), and docs/python.md shows exactly this table."""

import re

import numpy as np
import pandas as pd
import pytest

import aiguillage
import aiguillage.dask
from conftest import ROOT
from input_policy import INPUT, ROWS, markdown_rows, policy_pack_json

DATE = "2025-03-01"
LABEL = "p-17"  # a caller's index label: errors name it


@pytest.fixture(scope="module")
def pack():
    return aiguillage.Pack.from_json(policy_pack_json())


def _cell(value):
    """A result cell as JSON would hold it."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, (pd.Timestamp, np.datetime64)):
        return None if pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d")
    if isinstance(value, np.generic):
        return value.item()
    return value


def _from_result(one: dict, name: str):
    if one["status"] == "error":
        errors = [e for e in one["errors"] if e["pointer"].endswith("/" + name)]
        assert errors, one
        return ("error", errors[0]["code"])
    value = one["outputs"]["echo_" + name]
    return ("missing",) if value is None else ("value", value)


def _from_batch(frame, name: str, kind: str, row=0):
    status = str(np.asarray(frame["status"]).astype(object)[row])
    if status == "error":
        return ("error", int(np.asarray(frame["error_code"])[row]))
    if kind == "string":  # string outputs have no column type: read back through evaluate
        return None
    value = _cell(pd.Series(frame["echo_" + name]).astype(object).iloc[row])
    return ("missing",) if value is None else ("value", value)


def _ids():
    return ["%s-%s-%s" % (k, d, v) for k, d, v, _, _ in ROWS]


@pytest.mark.parametrize("kind,dtype,text,make,expected", ROWS, ids=_ids())
def test_every_entry_point_agrees(pack, kind, dtype, text, make, expected):
    name = INPUT[kind]
    column = make()
    shown = "string[python]" if isinstance(column.dtype, pd.StringDtype) else str(column.dtype)
    assert shown == dtype
    series = pd.Series(column)
    df = pd.DataFrame({name: series.set_axis([LABEL])})
    seen = {}
    # evaluate and propose: one record (the cell as a Python or numpy scalar).
    scalar = column[0] if isinstance(column, np.ndarray) else series.iloc[0]
    seen["evaluate"] = _from_result(pack.evaluate({name: scalar}, DATE), name)
    seen["explain_row"] = _from_result(pack.explain_row(df, 0, DATE, trace=True), name)
    proposal = aiguillage.Orienter(pack).propose({name: scalar}, DATE)
    seen["propose"] = _from_result(proposal.to_dict(), name)
    # Batches: a DataFrame, the numpy (or pandas) array of the column, propose_batch, dask.
    batch = pack.evaluate_batch(df, DATE)
    assert list(batch.index) == [LABEL]
    seen["evaluate_batch"] = _from_batch(batch, name, kind)
    raw = column if isinstance(column, np.ndarray) else (
        column.to_numpy() if column.dtype == column.to_numpy().dtype else column.array)
    arrays = pack.evaluate_batch({name: raw}, DATE)
    seen["evaluate_batch(arrays)"] = _from_batch(arrays, name, kind)
    seen["propose_batch"] = _from_batch(aiguillage.Orienter(pack).propose_batch(df, DATE),
                                        name, kind)
    seen["dask.orient_frame"] = _from_batch(aiguillage.dask.orient_frame(df, pack, DATE),
                                            name, kind)
    for where, got in seen.items():
        if got is None:
            continue
        if expected[0] == "value" and isinstance(expected[1], float):
            assert got[0] == "value" and got[1] == pytest.approx(expected[1]), where
        else:
            assert got == expected, (where, got, expected)
    if expected[0] == "error":
        # The message names the caller's row label, the column and the reason.
        message = batch["error"].iloc[0]
        assert "/%s/%s" % (LABEL, name) in message, message
        assert len(message) > len("/%s/%s" % (LABEL, name)) + 10
        assert proposal.status == "error" and not proposal.evident
        assert pack.explain({name: scalar}, DATE, lang="en")


def test_docs_table_is_the_test_table():
    text = (ROOT / "docs" / "python.md").read_text(encoding="utf-8")
    start = text.index("<!-- input-policy-table -->")
    end = text.index("<!-- /input-policy-table -->")
    rows = [line.strip() for line in text[start:end].splitlines()
            if line.startswith("| ") and not line.startswith("| pack input")
            and not re.match(r"^\|[-| ]+\|$", line)]
    assert rows == markdown_rows()


def test_rows_cover_every_input_type_and_dtype_named_by_the_issue():
    kinds = {k for k, _, _, _, _ in ROWS}
    dtypes = {d for _, d, _, _, _ in ROWS}
    assert kinds == set(INPUT)
    assert {"bool", "boolean", "object", "float64", "int64", "category", "string[python]",
            "datetime64[ns]", "datetime64[ms]", "Int64", "uint64"} <= dtypes
    assert any(d.startswith("datetime64[ns, ") for d in dtypes)
