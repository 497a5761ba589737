"""Object columns of enum fields are read through a shortcut (the code of the object or text
seen just before); every cell must still come out as the record path reads it, with the same
errors."""

import numpy as np
import pandas as pd

from conftest import DATE


class Text(str):
    """A str subclass: not an exact str, so it takes the general path."""


def test_enum_object_cells_as_records_read_them(youth):
    rqth = "rqth"
    cells = [rqth, rqth, "none", "none", "maybe", "maybe", rqth, "RQTH", None, "pending",
             "ñone", np.nan, pd.NA, Text("none"), "none", "pending", 3, "rqth"]
    df = pd.DataFrame({
        "boe_status": pd.Series(cells, dtype=object),
        "birth_date": ["2001-05-01"] * len(cells),
        "requested_structure": ["none"] * len(cells),
    })
    result = youth.evaluate_batch(df, DATE)
    status = np.asarray(result["status"]).astype(object)
    for row, cell in enumerate(cells):
        record = {"birth_date": "2001-05-01", "requested_structure": "none"}
        missing = cell is None or cell is pd.NA or (isinstance(cell, float) and np.isnan(cell))
        if not missing:
            record["boe_status"] = str(cell) if isinstance(cell, str) else cell
        one = youth.evaluate(record, DATE)
        assert status[row] == one["status"], (row, cell)
        if one["status"] == "error":
            assert result["error_code"][row] == one["errors"][0]["code"], (row, cell)
            assert ("/%d/boe_status" % row) in result["error"][row], (row, cell)
        else:
            assert result["error_code"][row] == 0, (row, cell)
            organisme = result["organisme"][row]
            assert (None if pd.isna(organisme) else organisme) == one["outputs"]["organisme"], row
    assert list(status).count("error") == 5  # maybe twice, RQTH, ñone, 3
