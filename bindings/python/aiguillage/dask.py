"""Orientation of a dask DataFrame, and batch top-k matching of dask queries, partition by
partition.

    >>> import dask.dataframe as dd, aiguillage.dask
    >>> ddf = dd.read_csv("persons-*.csv")
    >>> result = aiguillage.dask.orient(ddf, "rules/orientation/fr-2025", date="2025-03-01")
    >>> result.compute()

The pack travels to the workers by its path (and hash): each worker process loads it once.
Results are the columns of :meth:`aiguillage.Pack.evaluate_batch` plus ``evident``, with the
partition's index, so they line up with the input.

    >>> index = aiguillage.CompetenceIndex.from_csr(indptr, items, weights, lat, lon, ...)
    >>> hits = aiguillage.dask.batch_top_k(queries_ddf, index, k=10)   # items, weights columns
    >>> hits.compute()          # one row per hit: rank, entry, score; the query's index

The index is built once and shared: with a distributed client it is scattered to every worker
once (``broadcast=True``); it travels as its arrays and their content hash, and each worker
process builds the native index once, the first time a task needs it (a per-process cache keyed
by the hash). Without a client, the tasks of the local scheduler share the caller's index.
"""

from __future__ import annotations

from typing import Any, Optional, Sequence, Union

import os

from ._core import Orienter, Pack, _date_text
from ._matching import CompetenceIndex, OfferBank, Offers, ProfileBank, Profiles


def _orient_partition(partition, pack: Pack, date: str, keep: Sequence[str], threads: int):
    return Orienter(pack).propose_batch(partition, date, threads=threads, keep=keep,
                                        ignore_unknown=True)


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


# -- batch top-k ---------------------------------------------------------------------------------
def _flatten(cells, dtype, name: str):
    import numpy as np

    parts = [np.asarray(c, dtype=dtype).ravel() if c is not None else np.zeros(0, dtype=dtype)
             for c in cells]
    lengths = np.fromiter((len(p) for p in parts), dtype=np.int64, count=len(parts))
    flat = np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)
    return lengths, flat


def _top_k_partition(partition, index: CompetenceIndex, k: int, items: str, weights: str,
                     departements: Sequence[int], keep: Sequence[str], threads: int):
    import numpy as np
    import pandas as pd

    lengths, flat_items = _flatten(partition[items], np.int64, items)
    weight_lengths, flat_weights = _flatten(partition[weights], np.float64, weights)
    if not np.array_equal(lengths, weight_lengths):
        raise ValueError(f"columns {items!r} and {weights!r} differ in length on some row")
    indptr = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    origin = None
    if "lat" in partition.columns and "lon" in partition.columns:
        origin = (partition["lat"].to_numpy(np.float64, na_value=np.nan),
                  partition["lon"].to_numpy(np.float64, na_value=np.nan))
    max_km = (partition["max_km"].to_numpy(np.float64, na_value=np.inf)
              if "max_km" in partition.columns else np.inf)
    contract_mask = (partition["contract_mask"].to_numpy(np.int64)
                     if "contract_mask" in partition.columns else 0)
    entry, score = index.batch_top_k((indptr, flat_items, flat_weights), k, origin=origin,
                                     max_km=max_km, departements=departements,
                                     contract_mask=contract_mask, threads=threads)
    hit = entry >= 0
    rows = np.repeat(np.arange(len(partition)), k).reshape(entry.shape)[hit]
    ranks = np.tile(np.arange(1, k + 1, dtype=np.int64), len(partition)).reshape(entry.shape)
    result = pd.DataFrame({"rank": ranks[hit], "entry": entry[hit], "score": score[hit]},
                          index=partition.index[rows])
    for column in reversed(list(keep)):
        result.insert(0, column, partition[column].to_numpy()[rows])
    return result


def _shared_index(index: Any, client: Any):
    """The index (or bank) as the tasks receive it: scattered once to every worker of a
    distributed client, or the object itself for the local schedulers."""
    if client is None:
        try:
            from distributed import get_client
            client = get_client()
        except (ImportError, ValueError):
            return index
    return client.scatter(index, broadcast=True, hash=False)


def batch_top_k(queries: Any, index: CompetenceIndex, k: int, *, items: str = "items",
                weights: str = "weights", departements: Optional[Sequence[int]] = None,
                keep: Sequence[str] = (), threads: int = 1, client: Any = None):
    """A lazy dask DataFrame of the top ``k`` entries of ``index`` for every query row of the
    dask DataFrame ``queries``.

    Each row holds a query: its item ids (column ``items``, a list or array per row) and their
    weights (column ``weights``), optionally ``lat``/``lon`` (the origin of a distance filter;
    NaN for none), ``max_km`` and ``contract_mask``. ``departements`` filters every query.
    The result has one row per hit: ``rank`` (1-based), ``entry`` (the entry's index) and
    ``score``, indexed by the query's index label, with the ``keep`` columns first; it equals
    :func:`batch_top_k_frame` on the whole frame. The index is scattered once to the workers
    of ``client`` (or of the current distributed client) and built once per worker process."""
    if k < 1:
        raise ValueError("k must be at least 1")
    departements = [int(d) for d in departements or ()]
    keep = list(keep)
    meta = _top_k_partition(queries._meta, index, k, items, weights, departements, keep, 1)
    shared = _shared_index(index, client)
    return queries.map_partitions(_top_k_partition, shared, k, items, weights, departements,
                                  keep, threads, meta=meta)


def batch_top_k_frame(df: Any, index: CompetenceIndex, k: int, *, items: str = "items",
                      weights: str = "weights", departements: Optional[Sequence[int]] = None,
                      keep: Sequence[str] = (), threads: int = 1):
    """The same as :func:`batch_top_k` on one pandas DataFrame (the single-process
    reference)."""
    if k < 1:
        raise ValueError("k must be at least 1")
    return _top_k_partition(df, index, k, items, weights,
                            [int(d) for d in departements or ()], list(keep), threads)


# -- best offers of profiles -------------------------------------------------------------------
def _top_partition(partition, bank: Union[OfferBank, ProfileBank], column: str, k: int,
                   departements: Sequence[str], contract_types: Sequence[str],
                   max_km: Optional[float], keep: Sequence[str], threads: int,
                   progress: bool = False):
    """One partition's best offers of each profile (an OfferBank) or best persons of each offer
    (a ProfileBank), rows in the partition's order under its index labels, refused documents
    kept as rows with their error."""
    import numpy as np
    import pandas as pd

    by_offer = isinstance(bank, ProfileBank)
    queries_type = Offers if by_offer else Profiles
    query_id, hit_id, hit_index = (("offer_id", "profile_id", "profile_index") if by_offer else
                                   ("profile_id", "offer_id", "offer_index"))
    queries = queries_type(list(partition[column]), bank.referential)
    search = bank.top_profiles if by_offer else bank.top_offers
    hits = search(queries, k, departements=departements, contract_types=contract_types,
                  max_km=max_km, threads=threads, progress=progress)
    lines = np.asarray(queries.lines, dtype=np.int64)
    rows = lines[hits["query_index"]] - 1 if len(lines) else np.zeros(0, dtype=np.int64)
    bad = [r["line"] - 1 for r in queries.rejected]
    errors = [f"{r['name']} at {r['pointer'] or '/'}: {r['message']}" for r in queries.rejected]
    n_hits, n_bad = len(rows), len(bad)
    # One tuple per row, as objects (pandas would read a list of empty tuples as a 2-D array).
    reasons = np.empty(n_hits + n_bad, dtype=object)
    reasons[:] = [tuple(r) for r in hits["reason_codes"]] + [()] * n_bad
    frame = pd.DataFrame({
        query_id: pd.array(list(hits[query_id]) + [None] * n_bad, dtype="object"),
        hit_id: pd.array(list(hits[hit_id]) + [None] * n_bad, dtype="object"),
        hit_index: np.concatenate([hits[hit_index], np.full(n_bad, -1)]),
        "rank": np.concatenate([hits["rank"], np.zeros(n_bad, dtype=np.int64)]),
        "score": np.concatenate([hits["score"], np.full(n_bad, np.nan)]),
        "reason_codes": pd.array(reasons, dtype="object"),
        "error": pd.array([None] * n_hits + errors, dtype="object"),
    })
    all_rows = np.concatenate([rows, np.asarray(bad, dtype=np.int64)]).astype(np.int64)
    order = np.argsort(all_rows, kind="stable")
    frame = frame.iloc[order].reset_index(drop=True)
    frame.index = partition.index[all_rows[order]]
    for name in reversed(list(keep)):
        frame.insert(0, name, partition[name].to_numpy()[all_rows[order]])
    return frame


def top_offers(profiles: Any, bank: OfferBank, k: int = 10, *, column: str = "profile",
               departements: Optional[Sequence[str]] = None,
               contract_types: Optional[Sequence[str]] = None, max_km: Optional[float] = None,
               keep: Sequence[str] = (), threads: int = 1, client: Any = None):
    """A lazy dask DataFrame of the ``k`` best offers of ``bank`` for every profile of the
    dask DataFrame ``profiles`` (column ``column``: a dict or JSON text per row).

    One row per listed offer (``profile_id``, ``offer_id``, ``offer_index``, ``rank``,
    ``score``, ``reason_codes``) indexed by the profile's index label, and one row per refused
    profile with ``rank`` 0 and its ``error`` ("name at pointer: message"); the good profiles of
    a partition are all matched. The bank is scattered once to the workers and rebuilt once per
    worker process (from its offers' input, the referential's folders and the scoring)."""
    if k < 1:
        raise ValueError("k must be at least 1")
    args = (column, int(k), list(departements or ()), list(contract_types or ()), max_km,
            list(keep), threads)
    meta = _top_partition(profiles._meta, bank, *args)
    shared = _shared_index(bank, client)
    return profiles.map_partitions(_top_partition, shared, *args, meta=meta)


def top_offers_frame(df: Any, bank: OfferBank, k: int = 10, *, column: str = "profile",
                     departements: Optional[Sequence[str]] = None,
                     contract_types: Optional[Sequence[str]] = None,
                     max_km: Optional[float] = None, keep: Sequence[str] = (), threads: int = 1,
                     progress: bool = False):
    """The same as :func:`top_offers` on one pandas DataFrame (the single-process reference)."""
    if k < 1:
        raise ValueError("k must be at least 1")
    return _top_partition(df, bank, column, int(k), list(departements or ()),
                          list(contract_types or ()), max_km, list(keep), threads, progress)


def top_profiles_frame(df: Any, bank: ProfileBank, k: int = 10, *, column: str = "offer",
                       departements: Optional[Sequence[str]] = None,
                       contract_types: Optional[Sequence[str]] = None,
                       max_km: Optional[float] = None, keep: Sequence[str] = (),
                       threads: int = 1, progress: bool = False):
    """The ``k`` best persons of ``bank`` for every offer of the pandas DataFrame ``df``
    (column ``column``: a dict or JSON text per row): one row per listed person
    (``offer_id``, ``profile_id``, ``profile_index``, ``rank``, ``score``, ``reason_codes``)
    under the offer's index label, the ``keep`` columns first, and one row per refused offer
    with ``rank`` 0 and its ``error``."""
    if k < 1:
        raise ValueError("k must be at least 1")
    return _top_partition(df, bank, column, int(k), list(departements or ()),
                          list(contract_types or ()), max_km, list(keep), threads, progress)


# -- best persons of offers, by département ----------------------------------------------------
_DEPARTEMENT = "_aiguillage_departement"


def _with_departement(partition, column: str, documents: type, referential):
    """The partition with the département of each row's document ("" when the document is
    refused or says none)."""
    import pandas as pd

    read = documents(list(partition[column]), referential)
    found = [""] * len(partition)
    for line, doc in zip(read.lines, read):
        found[line - 1] = doc.departement
    out = partition.copy()
    out[_DEPARTEMENT] = pd.array(found, dtype="object")
    return out


def _answer_departement(departement: str, offers, profiles, referential, scoring, column: str,
                        profile_column: str, k: int, contract_types: Sequence[str],
                        max_km: Optional[float], keep: Sequence[str], threads: int):
    """The offers of one département against a bank of the persons of that département; the
    persons' indices are their row labels in the caller's frame."""
    import numpy as np
    import pandas as pd

    offers = pd.concat(offers) if isinstance(offers, list) else offers
    if isinstance(profiles, list):
        profiles = pd.concat(profiles) if profiles else \
            pd.DataFrame({profile_column: [], _DEPARTEMENT: []}, dtype=object)
    offers = offers.drop(columns=[_DEPARTEMENT])
    profiles = profiles[profiles[_DEPARTEMENT] == departement] if departement else profiles[:0]
    documents = Profiles(list(profiles[profile_column]), referential)
    labels = np.asarray(profiles.index)[np.asarray(documents.lines, dtype=np.int64) - 1] \
        if len(documents) else np.zeros(0, dtype=np.int64)
    bank = ProfileBank(documents, scoring=scoring)
    frame = _top_partition(offers, bank, column, k, [departement], list(contract_types), max_km,
                           list(keep), threads)
    listed = frame["profile_index"].to_numpy()
    frame["profile_index"] = np.where(listed >= 0, labels[np.maximum(listed, 0)]
                                      if len(labels) else listed, -1).astype(np.int64)
    return frame


def top_profiles_by_departement(offers: Any, profiles: Any, k: int = 10, *,
                                referential: Any, scoring: Any = None, column: str = "offer",
                                profile_column: str = "profile",
                                contract_types: Optional[Sequence[str]] = None,
                                max_km: Optional[float] = None, keep: Sequence[str] = (),
                                threads: int = 1):
    """The ``k`` best persons of each offer among the persons of the offer's département, for
    registers too large for one bank: ``offers`` and ``profiles`` are dask DataFrames with a
    document per row (columns ``column`` and ``profile_column``: a dict or JSON text). Each
    département's persons form one bank, built in the task that answers that département's
    offers, so no process holds the whole register.

    The answer equals ``ProfileBank(all persons).top_profiles(offers of d, departements=[d])``
    for every département ``d`` (same columns as :func:`top_profiles_frame`, ``profile_index``
    being the person's row label in ``profiles``), one row per refused offer with its
    ``error``; an offer whose département is unknown lists nobody. The départements are
    computed first (one pass over both frames), then one task per département of the offers."""
    import dask
    import dask.dataframe as dd

    if k < 1:
        raise ValueError("k must be at least 1")
    from ._matching import Offers as _Offers, Scoring
    scoring = scoring or Scoring()
    offers_d = offers.map_partitions(_with_departement, column, _Offers, referential)
    profiles_d = profiles.map_partitions(_with_departement, profile_column, Profiles,
                                         referential)
    found = dask.compute(*[dask.delayed(set)(part)
                           for part in offers_d[_DEPARTEMENT].to_delayed()])
    departements = sorted(set().union(*found))
    meta = _top_partition(offers._meta, ProfileBank(Profiles([], referential), scoring=scoring),
                          column, int(k), [], list(contract_types or ()), max_km, list(keep),
                          threads)
    parts = []
    for d in departements:
        o = dask.delayed(list)(offers_d[offers_d[_DEPARTEMENT] == d].to_delayed())
        p = dask.delayed(list)(profiles_d[profiles_d[_DEPARTEMENT] == d].to_delayed()) if d \
            else []
        parts.append(dask.delayed(_answer_departement)(
            d, o, p, referential, scoring, column, profile_column, int(k),
            list(contract_types or ()), max_km, list(keep), threads))
    if not parts:
        return dd.from_pandas(meta, npartitions=1)
    return dd.from_delayed(parts, meta=meta, verify_meta=False)
