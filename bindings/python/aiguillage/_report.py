"""The committees' and the auditor's report of a decision log, as DataFrames (docs/report.md)."""

import json as _json
import os as _os
from typing import Any, Dict, Iterable, Optional, Union

from . import _aiguillage
from ._core import Pack, Registry


class Report:
    """A report: ``tables`` maps each table id to a DataFrame (one per table, suppressed cells
    as ``pandas.NA``, undefined figures as NaN), ``document`` is report.json as a dict and
    ``html`` the self-contained page."""

    def __init__(self, document: Dict[str, Any], html: str):
        import pandas as pd
        self.document = document
        self.html = html
        self.tables: Dict[str, Any] = {}
        for t in document["tables"]:
            key = t["id"] if t["version"] == 0 else f"{t['id']}-v{t['version']}"
            rows = [[pd.NA if isinstance(c, dict) else c for c in row] for row in t["rows"]]
            frame = pd.DataFrame(rows, columns=[c["id"] for c in t["columns"]])
            frame.attrs["caption"] = t["caption"]
            frame.attrs["labels"] = {c["id"]: c["label"] for c in t["columns"]}
            self.tables[key] = frame

    @property
    def headlines(self):
        return [h for v in self.document["versions"] for h in v["headlines"]]

    def to_html(self, path: Optional[Union[str, "_os.PathLike[str]"]] = None) -> str:
        if path is not None:
            with open(path, "w", encoding="utf-8") as f:
                f.write(self.html)
        return self.html

    def _repr_html_(self) -> str:
        items = "".join(f"<li>{h}</li>" for h in self.headlines)
        return f"<ul>{items}</ul><p>{len(self.tables)} tables</p>"


def report(log: Optional[Union[str, "_os.PathLike[str]"]] = None,
           packs: Optional[Registry] = None, *, db: Optional[str] = None,
           against: Optional[Pack] = None, lang: str = "fr", threshold: int = 11,
           date_from: Optional[str] = None, date_to: Optional[str] = None,
           territories: Iterable[str] = (), group_by: Iterable[str] = (),
           unverified: bool = False, territorial: bool = True, threads: int = 2,
           matches: Optional[Union[str, "_os.PathLike[str]"]] = None,
           match_persons: Optional[Union[str, "_os.PathLike[str]"]] = None,
           match_profiles: Optional[Union[str, "_os.PathLike[str]"]] = None) -> Report:
    """The report of a decision log (``aiguillage report``): the log as a file (``log``) or the
    PostgreSQL log (``db``, a libpq connection string or ``postgresql://`` URL, as ``--db``
    takes), packs the records name, optional candidate pack, language, suppression threshold
    (at least 5) and filters; ``matches`` (``aiguillage match`` output) with ``match_persons``
    (JSON Lines with person_id, the profile's id, and group attributes) adds the exposure of
    each group in the run's top-k (tables ``matching_summary`` and ``matching_exposure``);
    ``match_profiles`` (the profiles given to the match run) adds, for each flagged gap, the
    share of it that persists at equal matching criteria."""
    if (matches is None) != (match_persons is None):
        raise TypeError("report() takes matches and match_persons together")
    if match_profiles is not None and matches is None:
        raise TypeError("report() takes match_profiles with matches and match_persons")
    if (log is None) == (db is None):
        raise TypeError("report() takes either log (a file) or db (a PostgreSQL URL)")
    if packs is None:
        raise TypeError("report() needs packs (a Registry)")
    text, html = _aiguillage.report(
        _os.fspath(log) if log is not None else "", db or "", packs._native, against._native if against is not None else None,
        lang, int(threshold), date_from or "", date_to or "", list(territories), list(group_by),
        bool(unverified), bool(territorial), int(threads),
        _os.fspath(matches) if matches is not None else "",
        _os.fspath(match_persons) if match_persons is not None else "",
        _os.fspath(match_profiles) if match_profiles is not None else "")
    return Report(_json.loads(text), html)
