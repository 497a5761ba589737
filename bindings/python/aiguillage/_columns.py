"""Columns in, columns out: numpy arrays (or a DataFrame's columns) fill a typed native batch
directly, and the native result codes become typed columns."""

from __future__ import annotations

from typing import Any, Dict, Tuple

import numpy as np

from . import _aiguillage
from ._errors import InputError

try:  # pandas is optional: without it, results are numpy arrays
    import pandas as _pd
except ImportError:  # pragma: no cover
    _pd = None

_STATUS = ("complete", "incomplete", "error")
_NULL = np.iinfo(np.int64).min
# Pinned codes used when a cell is refused here, before the native batch sees it.
_TYPE_MISMATCH, _INVALID_DATE, _UNKNOWN_FIELD = -105, -111, -108
_NUMBER_OVERFLOW = -114
# Dates the library represents: years 1 to 9999 (a day count outside would wrap in int32).
_FIRST_DAY = np.datetime64("0001-01-01", "D").astype(np.int64)
_LAST_DAY = np.datetime64("9999-12-31", "D").astype(np.int64)


def _pointer(row: int, name: str) -> str:
    return "/%d/%s" % (row, name.replace("~", "~0").replace("/", "~1"))


def _as_columns(data: Any) -> Tuple[Dict[str, Any], int]:
    if _pd is not None and isinstance(data, _pd.DataFrame):
        return {str(c): data[c] for c in data.columns}, len(data)
    if isinstance(data, dict):
        columns = dict(data)
        lengths = {len(v) for v in columns.values()}
        if len(lengths) > 1:
            raise InputError("columns of different lengths: %s" % sorted(lengths), -452,
                             "dimension_mismatch")
        return columns, (lengths.pop() if lengths else 0)
    raise InputError("a batch is a pandas DataFrame or a dict of arrays, not %s"
                     % type(data).__name__, -1, "invalid_argument")


def _missing_mask(values: Any) -> np.ndarray:
    if _pd is not None:
        return np.asarray(_pd.isna(values), dtype=bool)
    arr = np.asarray(values, dtype=object)
    return np.array([v is None or (isinstance(v, float) and v != v) for v in arr], dtype=bool)


def _reject_rows(batch, rows, code: int, name: str, message: str) -> None:
    for row in rows:
        batch.reject(int(row), code, message, _pointer(int(row), name))


def _inferred(col: Any) -> str:
    """pandas' element type of an object column, missing values skipped ("" without pandas)."""
    if _pd is None:
        return ""
    return _pd.api.types.infer_dtype(col, skipna=True)


def _fill_bool(batch, k: int, name: str, col: Any) -> None:
    arr = np.asarray(col)
    if arr.dtype == bool:
        batch.set_bools(k, arr.view(np.uint8), None)
        return
    missing = _missing_mask(col)
    obj = np.asarray(col, dtype=object)
    if _inferred(col) in ("boolean", "empty"):
        ok = np.ones(len(obj), dtype=bool)  # only booleans and missing cells: no check per cell
    else:
        ok = np.array([isinstance(v, (bool, np.bool_)) for v in obj], dtype=bool) | missing
    good = ~missing & ok
    values = np.zeros(len(obj), dtype=np.uint8)
    values[good] = obj[good].astype(bool)
    batch.set_bools(k, values, good.astype(np.uint8))
    _reject_rows(batch, np.flatnonzero(~ok), _TYPE_MISMATCH, name, "%s expects true or false" % name)


def _fill_number(batch, k: int, name: str, col: Any, integer: bool) -> None:
    arr = np.asarray(col)
    if arr.dtype.kind == "u" and arr.dtype.itemsize == 8:
        # uint64 at or above 2**63 does not fit int64: refused, never wrapped to negative.
        over = arr > np.uint64(np.iinfo(np.int64).max)
        if over.any():
            values = np.where(over, 0, arr).astype(np.int64)
            batch.set_int64s(k, values, (~over).astype(np.uint8))
            for row in np.flatnonzero(over):
                batch.reject(int(row), _NUMBER_OVERFLOW,
                             "%s = %d does not fit a 64-bit signed integer" % (name, int(arr[row])),
                             _pointer(int(row), name))
            return
    if arr.dtype.kind in "iu":
        batch.set_int64s(k, arr.astype(np.int64, copy=False), None)
        return
    if arr.dtype.kind == "b":
        _reject_rows(batch, range(len(arr)), _TYPE_MISMATCH, name, "%s expects a number" % name)
        return
    if arr.dtype.kind == "f":
        batch.set_doubles(k, arr.astype(np.float64, copy=False), None)
        return
    # Nullable pandas integers, objects: missing cells are NaN, anything else must be a number.
    if _pd is not None and isinstance(col, _pd.Series) and _pd.api.types.is_integer_dtype(col.dtype):
        missing = col.isna().to_numpy()
        values = col.fillna(0).to_numpy(dtype=np.int64)
        batch.set_int64s(k, values, (~missing).astype(np.uint8))
        return
    obj = np.asarray(col, dtype=object)
    missing = _missing_mask(col)
    if _inferred(col) in ("integer", "floating", "mixed-integer-float", "decimal", "empty"):
        ok = np.ones(len(obj), dtype=bool)
    else:
        ok = missing | np.array([isinstance(v, (int, float, np.integer, np.floating))
                                 and not isinstance(v, (bool, np.bool_)) for v in obj], dtype=bool)
    values = np.full(len(obj), np.nan)
    good = ~missing & ok
    values[good] = obj[good].astype(np.float64)
    batch.set_doubles(k, values, good.astype(np.uint8))
    _reject_rows(batch, np.flatnonzero(~ok), _TYPE_MISMATCH, name, "%s expects a number" % name)


def _fill_date(batch, k: int, name: str, col: Any) -> None:
    arr = np.asarray(col)
    if arr.dtype.kind == "M":
        days = arr.astype("datetime64[D]")
        missing = np.isnat(days)
        count = days.astype(np.int64)
        # Outside years 1..9999 the day count would wrap in int32 to another date: refused.
        out = ~missing & ((count < _FIRST_DAY) | (count > _LAST_DAY))
        good = ~missing & ~out
        values = np.where(good, count, 0).astype(np.int32)
        batch.set_dates(k, values, good.astype(np.uint8))
        for row in np.flatnonzero(out):
            batch.reject(int(row), _INVALID_DATE,
                         "%s = %s is outside the years 1 to 9999" % (name, days[row]),
                         _pointer(int(row), name))
        return
    missing = _missing_mask(col)
    obj = np.asarray(col, dtype=object)
    if _pd is not None:
        parsed = _pd.to_datetime(_pd.Series(obj), format="%Y-%m-%d", errors="coerce")
        days_arr = parsed.to_numpy(dtype="datetime64[D]")
    else:  # pragma: no cover
        days_arr = np.array([np.datetime64(v, "D") if isinstance(v, str) else np.datetime64("NaT")
                             for v in obj])
    # Strict "YYYY-MM-DD": a text the parser read differently is refused, not coerced.
    if _pd is not None:
        strict = (_pd.Series(obj).str.len() == 10).to_numpy()  # non-strings give NaN: False
    else:  # pragma: no cover
        strict = np.array([isinstance(v, str) and len(v) == 10 for v in obj], dtype=bool)
    bad = ~missing & (np.isnat(days_arr) | ~strict)
    good = ~missing & ~bad
    count = days_arr.astype(np.int64)
    values = np.where(good & (count >= _FIRST_DAY) & (count <= _LAST_DAY), count, 0).astype(np.int32)
    batch.set_dates(k, values, good.astype(np.uint8))
    for row in np.flatnonzero(bad):
        batch.reject(int(row), _INVALID_DATE, "not a date YYYY-MM-DD: %r" % (obj[row],),
                     _pointer(int(row), name))


def _fill_enum(batch, k: int, name: str, col: Any, domain: list) -> None:
    lookup = {v: i for i, v in enumerate(domain)}
    if _pd is not None and isinstance(col, _pd.Series) and isinstance(col.dtype, _pd.CategoricalDtype):
        cats = list(col.cat.categories)
        codes = col.cat.codes.to_numpy()
    elif _pd is not None:
        codes, uniques = _pd.factorize(np.asarray(col, dtype=object), use_na_sentinel=True)
        cats = list(uniques)
    else:  # pragma: no cover
        obj = np.asarray(col, dtype=object)
        missing = _missing_mask(obj)
        cats, inv = np.unique(obj[~missing].astype(str), return_inverse=True)
        cats = list(cats)
        codes = np.full(len(obj), -1)
        codes[~missing] = inv
    unknown = []
    table = np.empty(len(cats) + 1, dtype=np.int32)
    table[-1] = -1  # factorize's missing sentinel indexes the last slot
    for i, c in enumerate(cats):
        if isinstance(c, str) and c in lookup:
            table[i] = lookup[c]
        else:
            table[i] = -2 - len(unknown)
            unknown.append(str(c))
    mapped = table[np.asarray(codes, dtype=np.int64)]
    batch.set_enum_codes(k, mapped.astype(np.int32), unknown)


def _fill_text(batch, k: int, name: str, col: Any) -> None:
    missing = _missing_mask(col)
    obj = np.asarray(col, dtype=object)
    for row in range(len(obj)):
        if missing[row]:
            continue
        v = obj[row]
        if not isinstance(v, str):
            batch.reject(row, _TYPE_MISMATCH, "%s expects a string" % name, _pointer(row, name))
            continue
        batch.set_text(k, row, v)


def _is_object(col: Any) -> bool:
    dtype = getattr(col, "dtype", None)
    if dtype is None:
        return np.asarray(col).dtype.kind in "OUS"
    return np.dtype(dtype).kind in "OUS" if not _is_extension(dtype) else \
        str(dtype) in ("string", "object")


def _is_extension(dtype: Any) -> bool:
    return _pd is not None and isinstance(dtype, _pd.api.extensions.ExtensionDtype)


def fill_batch(pack, data: Any, ignore_unknown: bool = False):
    """A native batch for ``pack`` filled from a DataFrame or a dict of arrays."""
    columns, rows = _as_columns(data)
    inputs = pack.inputs
    index = {f["name"]: i for i, f in enumerate(inputs)}
    unknown = [c for c in columns if c not in index]
    if unknown and not ignore_unknown:
        raise InputError("columns the pack does not know: %s" % ", ".join(unknown), _UNKNOWN_FIELD,
                         "unknown_field", "/" + unknown[0])
    batch = _aiguillage.NativeBatch(pack._native, rows)
    for name, col in columns.items():
        if name not in index:
            continue
        k = index[name]
        kind = inputs[k]["type"]
        if kind != "list" and _is_object(col):
            # Strings, Python objects, missing cells: read natively, one pass, exact checks.
            batch.set_objects(k, np.asarray(col, dtype=object))
        elif kind == "bool":
            _fill_bool(batch, k, name, col)
        elif kind in ("integer", "decimal"):
            _fill_number(batch, k, name, col, kind == "integer")
        elif kind == "date":
            _fill_date(batch, k, name, col)
        elif kind == "enum":
            _fill_enum(batch, k, name, col, inputs[k]["values"])
        elif kind == "string":
            _fill_text(batch, k, name, col)
        else:
            raise InputError("input %s is a list: lists cannot come from a column" % name, -105,
                             "type_mismatch", "/" + name)
    return batch, rows


def _categorical(codes: np.ndarray, categories) -> Any:
    codes = np.where(codes == _NULL, -1, codes).astype(np.int64)
    if _pd is not None:
        return _pd.Categorical.from_codes(codes, categories=list(categories))
    table = np.array(list(categories) + [None], dtype=object)
    return table[codes]


def _output_column(kind: str, codes: np.ndarray, values: list) -> Any:
    null = codes == _NULL
    if kind == "enum":
        return _categorical(codes, values)
    if kind == "bool":
        if _pd is not None:
            return _pd.arrays.BooleanArray(codes == 1, null)
        return np.where(null, None, codes == 1)
    if kind == "integer":
        if _pd is not None:
            return _pd.arrays.IntegerArray(np.where(null, 0, codes), null)
        return np.where(null, None, codes)
    if kind == "decimal":
        return np.where(null, np.nan, codes / 1e6)
    if kind == "date":
        out = np.where(null, 0, codes).astype("datetime64[D]")
        out[null] = np.datetime64("NaT")
        return out.astype("datetime64[ns]")
    if kind == "enum_list":
        # Few distinct sets: build each tuple once.
        uniq, inverse = np.unique(codes, return_inverse=True)
        tuples = np.empty(len(uniq), dtype=object)
        for i, mask in enumerate(uniq):
            tuples[i] = None if mask == _NULL else tuple(
                v for b, v in enumerate(values) if int(mask) >> b & 1)
        return tuples[inverse]
    return np.full(len(codes), None, dtype=object)


def evaluate_columns(pack, data: Any, date, threads: int, ignore_unknown: bool) -> Dict[str, Any]:
    batch, rows = fill_batch(pack, data, ignore_unknown)
    raw = batch.evaluate(pack._native, date, int(threads))
    result: Dict[str, Any] = {}
    for k, spec in enumerate(pack.outputs):
        result[spec["name"]] = _output_column(spec["kind"], raw["outputs"][k], spec["values"])
    result["status"] = _categorical(raw["status"].astype(np.int64), _STATUS)
    for k, decision in enumerate(pack.decisions):
        if decision["kind"] != "table":
            continue
        result["fired." + decision["id"]] = _categorical(
            raw["fired"][k].astype(np.int64), decision["rules"])
    result["error_code"] = raw["first_error"]
    messages = np.full(rows, None, dtype=object)
    for row, code, name, message, pointer in raw["errors"]:
        if messages[row] is None:
            messages[row] = "%s at %s: %s" % (name, pointer, message) if pointer else \
                "%s: %s" % (name, message)
    result["error"] = messages
    return result


def add_evident(result: Dict[str, Any]) -> None:
    """evident: complete and nothing calls for a review."""
    status = np.asarray(result["status"]).astype(object)
    evident = status == "complete"
    reasons = result.get("review_reasons")
    if reasons is not None:
        evident &= np.array([not r for r in reasons], dtype=bool)
    result["evident"] = evident
