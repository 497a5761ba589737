"""Orientation of a dask DataFrame, partition by partition.

    >>> import dask.dataframe as dd, aiguillage.dask
    >>> ddf = dd.read_csv("persons-*.csv")
    >>> result = aiguillage.dask.orient(ddf, "rules/orientation/fr-2025", date="2025-03-01")
    >>> result.compute()

The pack travels to the workers by its path (and hash): each worker process loads it once.
Results are the columns of :meth:`aiguillage.Pack.evaluate_batch` plus ``evident``, with the
partition's index, so they line up with the input.
"""

from __future__ import annotations

from typing import Any, Optional, Sequence, Union

import os

from ._core import Orienter, Pack, _date_text


def _orient_partition(partition, pack: Pack, date: str, keep: Sequence[str], threads: int):
    import pandas as pd

    orienter = Orienter(pack)
    inputs = {f["name"] for f in pack.inputs}
    data = partition[[c for c in partition.columns if c in inputs]]
    result = pd.DataFrame(orienter.propose_batch(data, date, threads=threads),
                          index=partition.index)
    for column in keep:
        result.insert(0, column, partition[column].to_numpy())
    return result


def orient(ddf: Any, pack: Union[Pack, str, "os.PathLike[str]"], date: Any, *,
           keep: Sequence[str] = (), threads: int = 1):
    """A lazy dask DataFrame of orientation results for every row of ``ddf``.

    Columns of ``ddf`` that are no input of the pack are ignored, except those named in
    ``keep`` (an identifier, say), which are carried into the result first. ``threads`` is per
    partition (dask already runs partitions in parallel)."""
    if not isinstance(pack, Pack):
        pack = Pack.load(pack)
    date_text = _date_text(date)
    if date_text is None:
        raise ValueError("date is required: nothing reads the clock")
    keep = list(keep)
    # The meta: the same function on an empty partition gives every column and its dtype.
    meta = _orient_partition(ddf._meta, pack, date_text, keep, threads)
    return ddf.map_partitions(_orient_partition, pack, date_text, keep, threads, meta=meta)


def orient_frame(df: Any, pack: Union[Pack, str, "os.PathLike[str]"], date: Any, *,
                 keep: Sequence[str] = (), threads: int = 0):
    """The same as :func:`orient` on one pandas DataFrame (the single-process reference)."""
    if not isinstance(pack, Pack):
        pack = Pack.load(pack)
    return _orient_partition(df, pack, _date_text(date), list(keep), threads)
