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
_TYPE_MISMATCH, _INVALID_DATE, _UNKNOWN_FIELD, _INVALID_DECIMAL = -105, -111, -108, -112
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


def _reject_present(batch, k: int, name: str, col: Any, code: int, message: str) -> None:
    """Every cell that is not missing is refused (a dtype that cannot hold the input's type)."""
    _reject_rows(batch, np.flatnonzero(~_missing_mask(col)), code, name, message)


def _fill_bool(batch, k: int, name: str, col: Any) -> None:
    arr = np.asarray(col)
    if arr.dtype == bool:
        batch.set_bools(k, arr.view(np.uint8), None)
        return
    if arr.dtype.kind in "iuf":
        # 0/1 (and 0.0/1.0/NaN: how pandas holds booleans with missing cells) are lossless.
        missing = np.isnan(arr) if arr.dtype.kind == "f" else np.zeros(len(arr), dtype=bool)
        ok = missing | (arr == 0) | (arr == 1)
        good = ok & ~missing
        batch.set_bools(k, (arr == 1).astype(np.uint8), good.astype(np.uint8))
        for row in np.flatnonzero(~ok):
            batch.reject(int(row), _TYPE_MISMATCH, "%s expects true or false (or 1 or 0), not %s"
                         % (name, arr[row]), _pointer(int(row), name))
        return
    # pandas' nullable booleans: only booleans and missing cells.
    missing = _missing_mask(col)
    obj = np.asarray(col, dtype=object)
    values = np.zeros(len(obj), dtype=np.uint8)
    values[~missing] = obj[~missing].astype(bool)
    batch.set_bools(k, values, (~missing).astype(np.uint8))


def _whole_millionths(values: np.ndarray) -> np.ndarray:
    """As ObjectCells::real: a float is a decimal when it is a whole number of millionths up to
    the float's own precision (0.1 yes, 0.1234567 no)."""
    with np.errstate(invalid="ignore", over="ignore"):
        units = values * 1e6
        tolerance = np.maximum(1e-3, np.abs(units) * 4 * np.finfo(np.float64).eps)
        return ~(np.abs(units - np.rint(units)) > tolerance)


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
    if arr.dtype.kind == "f":
        values = arr.astype(np.float64, copy=False)
        if not integer:
            bad = ~_whole_millionths(values) & np.isfinite(values) & (np.abs(values) <= 9.0e12)
            if bad.any():
                values = np.where(bad, np.nan, values)
                for row in np.flatnonzero(bad):
                    batch.reject(int(row), _INVALID_DECIMAL, "%s = %r has more than 6 decimal "
                                 "places" % (name, float(arr[row])), _pointer(int(row), name))
        batch.set_doubles(k, values, None)
        return
    # pandas' nullable integers.
    col = _pd.Series(col)
    missing = col.isna().to_numpy()
    values = col.fillna(0).to_numpy(dtype=np.int64)
    batch.set_int64s(k, values, (~missing).astype(np.uint8))


def _fill_date(batch, k: int, name: str, col: Any) -> None:
    if _pd is not None and isinstance(getattr(col, "dtype", None), _pd.DatetimeTZDtype):
        # A time-zoned instant gives the calendar date on its own clock.
        col = _pd.Series(col).dt.tz_localize(None)
    arr = np.asarray(col)
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


def _fill_enum(batch, k: int, name: str, col: Any, domain: list) -> None:
    """A categorical of texts: one lookup per category."""
    lookup = {v: i for i, v in enumerate(domain)}
    col = _pd.Series(col)
    cats = list(col.cat.categories)
    codes = col.cat.codes.to_numpy()
    unknown = []
    table = np.empty(len(cats) + 1, dtype=np.int32)
    table[-1] = -1  # the missing code -1 indexes the last slot
    for i, c in enumerate(cats):
        if c in lookup:
            table[i] = lookup[c]
        else:
            table[i] = -2 - len(unknown)
            unknown.append(str(c))
    mapped = table[np.asarray(codes, dtype=np.int64)]
    batch.set_enum_codes(k, mapped.astype(np.int32), unknown)


def _objects(col: Any) -> np.ndarray:
    if _pd is not None and isinstance(col, (_pd.Series, _pd.api.extensions.ExtensionArray,
                                            _pd.Categorical)):
        return np.asarray(_pd.Series(col).astype(object), dtype=object)
    return np.asarray(col, dtype=object)


def _route(kind: str, col: Any) -> str:
    """Which path reads a column: a typed array path (the same answers, vectorised) or the
    native per-object reader (ObjectCells in bind_batch.cpp)."""
    dtype = getattr(col, "dtype", None)
    if dtype is None:
        dtype = np.asarray(col).dtype
    if _pd is not None and isinstance(dtype, _pd.api.extensions.ExtensionDtype):
        if isinstance(dtype, _pd.CategoricalDtype):
            cats = dtype.categories
            texts = len(cats) == 0 or _pd.api.types.infer_dtype(cats) == "string"
            return "enum" if kind == "enum" and texts else "objects"
        if isinstance(dtype, _pd.DatetimeTZDtype):
            return "date" if kind == "date" else "reject"
        if isinstance(dtype, _pd.BooleanDtype) and kind == "bool":
            return "bool"
        if _pd.api.types.is_integer_dtype(dtype) and kind in ("integer", "decimal"):
            return "number"
        return "objects"
    dtype = np.dtype(dtype)
    if dtype.kind == "b":
        return "bool" if kind == "bool" else "objects"
    if dtype.kind in "iuf":
        if kind == "bool":
            return "bool"
        return "number" if kind in ("integer", "decimal") else "objects"
    if dtype.kind == "M":
        return "date" if kind == "date" else "reject"
    if dtype.kind in "OUS":
        return "objects"
    return "reject"  # timedelta, complex, void...


def unknown_columns(pack, columns, keep=()) -> list:
    names = {f["name"] for f in pack.inputs}
    return [c for c in columns if c not in names and c not in keep]


def fill_batch(pack, data: Any, ignore_unknown: bool = False, keep=()):
    """A native batch for ``pack`` filled from a DataFrame or a dict of arrays."""
    columns, rows = _as_columns(data)
    inputs = pack.inputs
    index = {f["name"]: i for i, f in enumerate(inputs)}
    unknown = unknown_columns(pack, columns, keep)
    if unknown and not ignore_unknown:
        raise InputError("columns the pack does not know: %s" % ", ".join(unknown), _UNKNOWN_FIELD,
                         "unknown_field", "/" + unknown[0])
    batch = _aiguillage.NativeBatch(pack._native, rows)
    for name, col in columns.items():
        if name not in index:
            continue
        k = index[name]
        fill_column(batch, k, inputs[k], col)
    return batch, rows


def fill_column(batch, k: int, field: dict, col: Any) -> None:
    kind, name = field["type"], field["name"]
    if kind == "list":
        raise InputError("input %s is a list: lists cannot come from a column" % name, -105,
                         "type_mismatch", "/" + name)
    route = _route(kind, col)
    if route == "objects":
        batch.set_objects(k, _objects(col))
    elif route == "bool":
        _fill_bool(batch, k, name, col)
    elif route == "number":
        _fill_number(batch, k, name, col, kind == "integer")
    elif route == "date":
        _fill_date(batch, k, name, col)
    elif route == "enum":
        _fill_enum(batch, k, name, col, field["values"])
    else:
        dtype = getattr(col, "dtype", None) or np.asarray(col).dtype
        _reject_present(batch, k, name, col, _TYPE_MISMATCH,
                        "%s expects %s, not a value of dtype %s" % (name, kind, dtype))


_REJECTED = object()


def check_record(pack, record) -> Tuple[Dict[str, Any], list]:
    """The same policy for one record (a dict): each value of a known input is read by the
    batch reader (one row per value), then written as the JSON value that reader accepted.
    Returns the record to evaluate and the refused cells ``[(name, code, code_name, message)]``;
    missing values (None, NaN, NA, NaT) are left out, as a batch's missing cells."""
    inputs = pack.inputs
    index = {f["name"]: i for i, f in enumerate(inputs)}
    names = [n for n in record if n in index and inputs[index[n]]["type"] != "list"]
    out = {n: v for n, v in record.items() if n not in names}
    if not names:
        return out, []
    batch = _aiguillage.NativeBatch(pack._native, len(names))
    for j, name in enumerate(names):
        cells = np.empty(len(names), dtype=object)
        cells[j] = record[name]
        batch.set_objects(index[name], cells)
    refused = []
    for j, name in enumerate(names):
        error = batch.row_error(j)
        if error is not None:
            code, code_name, message, _ = error
            refused.append((name, code, code_name, message))
            continue
        value = _json_value(inputs[index[name]]["type"], record[name])
        if value is not _MISSING:
            out[name] = value
    return out, refused


_MISSING = object()


def _json_value(kind: str, value: Any) -> Any:
    """An accepted cell as the JSON value a record holds."""
    import datetime
    import decimal
    if isinstance(value, np.generic) and not isinstance(value, np.datetime64):
        value = value.item()
    if value is None or (_pd is not None and not isinstance(value, str) and _pd.isna(value)):
        return _MISSING
    if isinstance(value, float) and value != value:
        return _MISSING
    if kind == "bool":
        return value.lower() == "true" if isinstance(value, str) else bool(value)
    if kind == "integer":
        return int(decimal.Decimal(value)) if isinstance(value, str) else int(value)
    if kind == "decimal":
        if isinstance(value, str):
            d = decimal.Decimal(value)
            return int(d) if d == d.to_integral_value() else float(d)
        return value
    if kind == "date":
        if isinstance(value, np.datetime64):
            value = value.astype("datetime64[D]").item()
        if isinstance(value, datetime.datetime):
            return value.date().isoformat()
        if isinstance(value, datetime.date):
            return value.isoformat()
        return value
    return str(value)


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


def _labels(data: Any, rows: int) -> list:
    """Row labels for messages: the DataFrame's index, else positions."""
    if _pd is not None and isinstance(data, _pd.DataFrame):
        return list(data.index)
    return list(range(rows))


def _relabel(pointer: str, label: Any) -> str:
    """"/<position>/<field>" with the caller's row label instead of the position."""
    if not pointer.startswith("/"):
        return pointer
    rest = pointer[1:].split("/", 1)
    token = str(label).replace("~", "~0").replace("/", "~1")
    return "/" + token + ("/" + rest[1] if len(rest) > 1 else "")


def check_unknown(pack, data: Any, keep, strict: bool, ignore_unknown: bool) -> None:
    _as_columns(data)  # the shape first: a list or ragged columns raise here
    columns = list(data.columns) if hasattr(data, "columns") else list(data)
    missing_keep = [c for c in keep if c not in columns]
    if missing_keep:
        raise InputError("keep names columns the data does not have: %s"
                         % ", ".join(map(str, missing_keep)), -1, "invalid_argument")
    unknown = unknown_columns(pack, [str(c) for c in columns], keep)
    if not unknown or ignore_unknown:
        return
    if strict:
        raise InputError("columns the pack does not know: %s" % ", ".join(unknown),
                         _UNKNOWN_FIELD, "unknown_field", "/" + unknown[0])
    import warnings
    warnings.warn("aiguillage: columns the pack %s does not know are ignored: %s (keep=[...] "
                  "carries columns into the result; strict=True refuses them)"
                  % (pack.id, ", ".join(unknown)), UserWarning, stacklevel=4)


def evaluate_columns(pack, data: Any, date, threads: int, keep=(), progress=False
                     ) -> Dict[str, Any]:
    """Evaluates a batch (unknown columns already checked), in slices when a progress bar is
    shown; a DataFrame gives a DataFrame with its index and the ``keep`` columns first."""
    columns, rows = _as_columns(data)
    frame = _pd is not None and isinstance(data, _pd.DataFrame)
    labels = _labels(data, rows)
    bar = _progress_bar(progress, rows, "evaluate")
    if bar is None:
        result = _evaluate_slice(pack, columns, rows, date, threads, labels)
    else:
        parts = []
        for start in range(0, rows, _SLICE):
            stop = min(rows, start + _SLICE)
            part = {n: _slice(c, start, stop) for n, c in columns.items()}
            parts.append(_evaluate_slice(pack, part, stop - start, date, threads,
                                         labels[start:stop]))
            bar.update(stop - start)
        bar.close()
        result = _concat(parts) if parts else _evaluate_slice(pack, columns, 0, date, threads, [])
    if not frame or _pd is None:
        for name in keep:
            result[name] = np.asarray(columns[name])
        return result
    out = _pd.DataFrame(result, index=data.index, copy=False)
    for name in reversed(list(keep)):
        out.insert(0, name, data[name].to_numpy())
    return out


_SLICE = 1 << 16


def _slice(col: Any, start: int, stop: int) -> Any:
    if _pd is not None and isinstance(col, _pd.Series):
        return col.iloc[start:stop]
    return col[start:stop]


def _concat(parts: list) -> Dict[str, Any]:
    out = {}
    for name in parts[0]:
        first = parts[0][name]
        if _pd is not None and isinstance(first, _pd.api.extensions.ExtensionArray):
            out[name] = type(first)._concat_same_type([p[name] for p in parts])
        else:
            out[name] = np.concatenate([p[name] for p in parts])
    return out


def _progress_bar(progress: bool, total: int, what: str):
    """A tqdm bar when asked for and tqdm is installed (an optional dependency)."""
    if not progress:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:  # pragma: no cover - tqdm is optional
        import warnings
        warnings.warn("progress=True needs tqdm (Debian: python3-tqdm)", UserWarning,
                      stacklevel=4)
        return None
    return tqdm(total=total, desc="aiguillage " + what, unit="row")


def _evaluate_slice(pack, columns: Dict[str, Any], rows: int, date, threads: int,
                    labels: list) -> Dict[str, Any]:
    batch = _aiguillage.NativeBatch(pack._native, rows)
    inputs = pack.inputs
    index = {f["name"]: i for i, f in enumerate(inputs)}
    for name, col in columns.items():
        if name in index:
            fill_column(batch, index[name], inputs[index[name]], col)
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
            pointer = _relabel(pointer, labels[row]) if pointer else pointer
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
