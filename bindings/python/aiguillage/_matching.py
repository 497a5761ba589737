"""Matching: competence referentials, scoring configurations, offers and profiles, exact
scores and their explanations, the numeric competence index, and global assignment.

    >>> ref = aiguillage.Referential.bundled()            # data/rome-subset of the source tree
    >>> offers = aiguillage.Offers("examples/data/offers-subset.jsonl", ref)
    >>> profiles = aiguillage.Profiles("examples/data/profiles-subset.jsonl", ref)
    >>> aiguillage.score(profiles[0], offers[3])["score"]
    >>> e = aiguillage.explain(profiles[0], offers[3], offers, lang="en"); print(e.text)
"""

from __future__ import annotations

import hashlib as _hashlib
import json as _json
import os as _os
import pathlib as _pathlib
import threading as _threading
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

from . import _aiguillage
from ._errors import Error

PathLike = Union[str, "_os.PathLike[str]"]


# -- errors ------------------------------------------------------------------------------------
class MatchingError(Error):
    """Base class of the errors of matching."""


class ReferentialError(MatchingError):
    """A referential (ROME CSV files, ESCO zips) could not be found or read."""


class MatchingInputError(MatchingError, ValueError):
    """A document (offer, profile, scoring) or an array does not have the expected shape or
    values: wrong types, values out of range, arrays of inconsistent lengths."""


class InfeasibleError(MatchingError):
    """No assignment satisfies the constraints (code ``infeasible``, -451)."""


_BY_KIND = {cls.__name__: cls for cls in (
    MatchingError, ReferentialError, MatchingInputError, InfeasibleError)}


def matching_error_class(kind: str, code: int) -> type:
    """The class of a matching error raised in a context (``kind``) with a code."""
    if code == -451:
        return InfeasibleError
    if code in (-1, -452) or -199 <= code <= -100:
        return MatchingInputError if kind != "ReferentialError" else ReferentialError
    return _BY_KIND.get(kind, MatchingError)


def _input_error(message: str, pointer: str = "", code: int = -1,
                 name: str = "invalid_argument") -> MatchingInputError:
    return MatchingInputError(message, code, name, pointer)


# -- referential ----------------------------------------------------------------------------------
_BUNDLED = _pathlib.Path("data") / "rome-subset"


def data_dir() -> str:
    """The folder of the data installed with aiguillage (``share/aiguillage``: rule packs under
    ``rules/``, the ROME subset under ``data/rome-subset``, sample inputs under
    ``examples/data``): ``$AIG_DATA_DIR`` when set, else found beside the package (a wheel, a
    Debian package or a build tree)."""
    try:
        return _aiguillage.data_dir()
    except Error as e:
        raise ReferentialError(str(e), -5, "io") from None


def bundled_referential_dir() -> str:
    """The folder of the ROME subset installed with aiguillage (``data/rome-subset`` of
    :func:`data_dir`)."""
    folder = _pathlib.Path(data_dir()) / _BUNDLED
    if not folder.is_dir():
        raise ReferentialError(f"{folder}: the ROME subset is not installed", -5, "io")
    return str(folder)


_REFERENTIALS: Dict[Tuple[str, str], "Referential"] = {}
_REFERENTIALS_LOCK = _threading.Lock()


def _load_referential_cached(rome_dir: str, esco_dir: str) -> "Referential":
    """One referential per folder pair and process: what an unpickled one resolves to."""
    key = (rome_dir, esco_dir)
    with _REFERENTIALS_LOCK:
        found = _REFERENTIALS.get(key)
        if found is None:
            found = Referential.load(rome_dir, esco_dir or None)
            _REFERENTIALS[key] = found
        return found


class Referential:
    """A competence referential (ROME 4.0, optionally with ESCO) held in memory. Immutable and
    safe to share between threads; it pickles as its folders (each process loads a folder
    once)."""

    def __init__(self, native: "_aiguillage.NativeReferential", rome_dir: str, esco_dir: str):
        self._native = native
        self._dirs = (rome_dir, esco_dir)

    @classmethod
    def load(cls, rome_dir: PathLike, esco_dir: Optional[PathLike] = None) -> "Referential":
        """Loads ROME from a folder of ``unix_*_v460_utf8.csv`` files and, when ``esco_dir`` is
        given, ESCO from its two zips. Raises :class:`ReferentialError`."""
        rome = _os.path.abspath(_os.fspath(rome_dir))
        esco = _os.path.abspath(_os.fspath(esco_dir)) if esco_dir is not None else ""
        return cls(_aiguillage.NativeReferential.load(rome, esco), rome, esco)

    @classmethod
    def bundled(cls) -> "Referential":
        """The ROME subset installed with aiguillage (see :func:`bundled_referential_dir`)."""
        return _load_referential_cached(bundled_referential_dir(), "")

    def __reduce__(self):
        return (_load_referential_cached, self._dirs)

    @property
    def statistics(self) -> Dict[str, Any]:
        """What was loaded: counts of fiches, items, links, and the unknown codes cited."""
        return self._native.statistics

    @property
    def item_count(self) -> int:
        return self._native.item_count

    @property
    def occupation_count(self) -> int:
        return self._native.occupation_count

    def item(self, code: str) -> Optional[Dict[str, Any]]:
        """The item (competence, savoir, ESCO skill) with this code, or None."""
        return self._native.item(str(code))

    def occupation(self, code: str) -> Optional[Dict[str, Any]]:
        """The occupation (ROME fiche "A1101" or ESCO URI) with its items and mobility targets,
        or None."""
        return self._native.occupation(str(code))

    def items(self) -> Dict[str, list]:
        """Every item as columns (code, label, kind, category)."""
        return self._native.items_columns()

    def occupations(self) -> Dict[str, list]:
        """Every occupation as columns (code, label, kind, domaine)."""
        return self._native.occupations_columns()

    def __repr__(self) -> str:
        return (f"<aiguillage.Referential {self.item_count} items, "
                f"{self.occupation_count} occupations>")


# -- scoring ----------------------------------------------------------------------------------------
class Scoring:
    """A scoring configuration (aiguillage.scoring 1.0): weights of the terms, partial-credit
    factors, policies of the hard constraints. ``Scoring()`` is the default one."""

    def __init__(self, native: Optional["_aiguillage.NativeScoring"] = None,
                 text: Optional[str] = None):
        self._native = native if native is not None else _aiguillage.NativeScoring()
        self._text = text

    @classmethod
    def load(cls, path: PathLike) -> "Scoring":
        """Reads a scoring document from a file. Raises :class:`MatchingInputError`."""
        with open(_os.fspath(path), encoding="utf-8") as f:
            return cls.from_json(f.read())

    @classmethod
    def from_json(cls, text: Union[str, Mapping[str, Any]]) -> "Scoring":
        """Reads a scoring document from its text (or the parsed document); omitted fields keep
        their defaults."""
        if not isinstance(text, str):
            text = _json.dumps(text)
        return cls(_aiguillage.NativeScoring.parse(text), text)

    @classmethod
    def default(cls) -> "Scoring":
        return cls()

    def to_dict(self) -> Dict[str, Any]:
        """id, version, intercept, weights by term, credit depth, project decay, distance."""
        return self._native.to_dict()

    id = property(lambda self: self._native.to_dict()["id"])
    version = property(lambda self: self._native.to_dict()["version"])

    def __reduce__(self):
        return (_scoring_from_text, (self._text,))

    def __repr__(self) -> str:
        return f"<aiguillage.Scoring {self.id} {self.version}>"


def _scoring_from_text(text: Optional[str]) -> Scoring:
    return Scoring() if text is None else Scoring.from_json(text)


# -- documents ------------------------------------------------------------------------------------
class _Document:
    # _origin: (collection, position) when the document was taken from a collection, so that an
    # explanation among that collection may use its bank; None for a document read on its own.
    __slots__ = ("_native", "referential", "_origin")

    def __init__(self, native, referential: Referential, origin=None):
        self._native = native
        self.referential = referential
        self._origin = origin

    @property
    def id(self) -> str:
        return self._native.id

    @property
    def competences(self) -> list:
        return self._native.competences

    @property
    def unknown(self) -> List[Tuple[str, str]]:
        """(JSON pointer, code) of every code the referential does not hold."""
        return self._native.unknown


class Offer(_Document):
    """One parsed job offer (offres d'emploi v2 or aiguillage.offer 1.0)."""

    __slots__ = ()
    title = property(lambda self: self._native.title)
    rome_code = property(lambda self: self._native.rome_code)
    contract_type = property(lambda self: self._native.contract_type)
    positions = property(lambda self: self._native.positions)
    departement = property(lambda self: self._native.departement,
                           doc='"75", "2A", "971" from the place label or postal code; "" unknown.')
    place = property(lambda self: self._native.place)

    def __repr__(self) -> str:
        return f"<aiguillage.Offer {self.id} {self.rome_code} {self.title!r}>"


class Profile(_Document):
    """One parsed profile (aiguillage.profile 1.0)."""

    __slots__ = ()
    target_rome = property(lambda self: self._native.target_rome)
    contract_types = property(lambda self: self._native.contract_types)
    max_distance_km = property(lambda self: self._native.max_distance_km)
    location = property(lambda self: self._native.location)
    departement = property(lambda self: self._native.departement,
                           doc="location.departement, else read from the postal code.")

    def __repr__(self) -> str:
        return f"<aiguillage.Profile {self.id}>"


def _document_texts(records: Iterable[Any], what: str) -> List[str]:
    texts = []
    for i, record in enumerate(records):
        if isinstance(record, str):
            texts.append(record)
        elif isinstance(record, Mapping):
            texts.append(_json.dumps(record, ensure_ascii=False))
        else:
            raise _input_error(f"{what} {i} is a dict or JSON text, not {type(record).__name__}",
                               f"/{i}")
    return texts


class _Documents:
    _native_class = None
    _element = None
    _what = "document"

    def __init__(self, source: Any, referential: Optional[Referential] = None):
        """Reads documents from a JSON Lines file (a path), JSON Lines text (a string starting
        with ``{``), or a list of dicts or JSON strings. A bad record is rejected alone: it is
        listed in :attr:`rejected` with its line (1-based position), code, pointer and
        message, and every good one is kept."""
        if referential is None:
            referential = Referential.bundled()
        self.referential = referential
        native_class = getattr(_aiguillage, self._native_class)
        if isinstance(source, _os.PathLike) or (
                isinstance(source, str) and not source.lstrip().startswith("{")):
            with open(_os.fspath(source), encoding="utf-8") as f:
                source = f.read()
        if isinstance(source, str):
            self._source: Union[str, List[str]] = source
            self._native = native_class.from_jsonl(referential._native, source)
        else:
            self._source = _document_texts(source, self._what)
            self._native = native_class.from_texts(referential._native, self._source)
        self._hash: Optional[str] = None

    @classmethod
    def _from_bank(cls, native, referential: Referential, path: str):
        """The documents a bank file holds (OfferBank.load, ProfileBank.load)."""
        docs = cls.__new__(cls)
        docs.referential = referential
        docs._native = native
        docs._source = []
        docs._hash = "bank-file:" + path
        return docs

    @property
    def hash(self) -> str:
        """SHA-256 of the input the documents were read from (what an unpickled copy is cached
        by)."""
        if self._hash is None:
            h = _hashlib.sha256()
            if isinstance(self._source, str):
                h.update(b"jsonl\0" + self._source.encode("utf-8"))
            else:
                for text in self._source:
                    h.update(b"text\0" + text.encode("utf-8") + b"\0")
            self._hash = "sha256:" + h.hexdigest()
        return self._hash

    def __reduce__(self):
        return (_documents_cached, (type(self), self._source, self.hash, self.referential))

    def __len__(self) -> int:
        return len(self._native)

    def __getitem__(self, i: int):
        n = len(self)
        if not -n <= i < n:
            raise IndexError(f"{self._what} index {i} out of range for {n}")
        return self._element(self._native.get(i % n), self.referential, (self, i % n))

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    @property
    def ids(self) -> List[str]:
        return self._native.ids

    @property
    def lines(self) -> List[int]:
        """The line (1-based position in the input) of each kept document."""
        return self._native.lines

    @property
    def rejected(self) -> List[Dict[str, Any]]:
        """One dict per refused record: line, code, name, pointer, message."""
        return self._native.rejected


_DOCUMENTS: Dict[Tuple[str, str, int], "_Documents"] = {}
_DOCUMENTS_LOCK = _threading.Lock()


def _documents_cached(cls: type, source: Any, content_hash: str,
                      referential: Referential) -> "_Documents":
    """Documents read once per process for one input and referential (unpickling)."""
    key = (cls.__name__, content_hash, id(referential))
    with _DOCUMENTS_LOCK:
        found = _DOCUMENTS.get(key)
        if found is None or found.referential is not referential:
            found = cls(source, referential)
            _DOCUMENTS[key] = found
        return found


class Offers(_Documents):
    """Job offers parsed against a referential, with the records that were refused."""

    _native_class = "NativeOffers"
    _element = Offer
    _what = "offer"

    def __repr__(self) -> str:
        return f"<aiguillage.Offers {len(self)} offers, {len(self.rejected)} rejected>"


class Profiles(_Documents):
    """Profiles parsed against a referential, with the records that were refused."""

    _native_class = "NativeProfiles"
    _element = Profile
    _what = "profile"

    def __repr__(self) -> str:
        return f"<aiguillage.Profiles {len(self)} profiles, {len(self.rejected)} rejected>"


def _one(document: Any, kind: type, collection: type, referential: Optional[Referential]):
    if isinstance(document, kind):
        if referential is not None and document.referential is not referential:
            raise _input_error(f"this {collection._what} was read against another referential")
        return document
    docs = collection([document], referential)
    if docs.rejected:
        r = docs.rejected[0]
        raise MatchingInputError(r["message"], r["code"], r["name"], r["pointer"])
    return docs[0]


def _pair(profile: Any, offer: Any, referential: Optional[Referential]):
    if referential is None:
        for doc in (profile, offer):
            if isinstance(doc, _Document):
                referential = doc.referential
                break
    p = _one(profile, Profile, Profiles, referential)
    o = _one(offer, Offer, Offers, p.referential)
    return p, o


def score(profile: Any, offer: Any, *, referential: Optional[Referential] = None,
          scoring: Optional[Scoring] = None) -> Dict[str, Any]:
    """The exact additive score of ``offer`` for ``profile`` (documents, dicts or JSON text):
    ``{"score", "intercept", "terms": [{term, weight, feature, contribution}], "penalties",
    "reasons", "excluded", "competences", "distance_km", "mobility_steps"}``. ``score`` is
    intercept + Σ contributions + Σ penalties."""
    p, o = _pair(profile, offer, referential)
    config = (scoring or Scoring())._native
    return _aiguillage.score(p._native, o._native, p.referential._native, config)


class Explanation(dict):
    """The aiguillage.match_explanation 1.0 document of one match (a dict), with its text:
    :attr:`text` (full, for counsellors and auditors) and :attr:`summary` (what the person is
    shown first), and :attr:`json` (the exact JSON text, keys in a fixed order)."""

    def __init__(self, json_text: str, text: str, summary: str, employer: str = ""):
        super().__init__(_json.loads(json_text))
        self.json = json_text
        self.text = text
        self.summary = summary
        #: For the employer: the offer's competences the person holds, holds through a related
        #: competence (with the referential path) or lacks, in labels.
        self.employer = employer

    def __repr__(self) -> str:
        return "<aiguillage.Explanation score=%s>" % self.get("score")

    def _repr_html_(self) -> str:
        """The summary the person sees, then one row per term of the score (notebooks)."""
        import html
        rows = explanation_frame(self)
        keys = list(rows)
        head = "".join("<th>%s</th>" % html.escape(str(k)) for k in keys)
        n = len(rows[keys[0]]) if keys else 0
        body = "".join("<tr>%s</tr>" % "".join(
            "<td>%s</td>" % html.escape(str(rows[k][i])) for k in keys) for i in range(n))
        return ("<div class='aiguillage-explanation'><pre>%s</pre><table><thead><tr>%s</tr>"
                "</thead><tbody>%s</tbody></table></div>"
                % (html.escape(self.summary), head, body))


def explain(profile: Any, offer: Any, cohort: Union["Offers", "Profiles", None] = None, *,
            referential: Optional[Referential] = None, scoring: Optional[Scoring] = None,
            lang: str = "fr", top: int = 10, max_reasons: int = 4) -> Explanation:
    """Explains ``offer`` for ``profile`` among ``cohort``: the other offers scored for this
    person (:class:`Offers`) or the other persons scored for this offer (:class:`Profiles`);
    the rank and the counterfactual are computed in that cohort. ``lang`` is "fr" or "en";
    ``top`` is the N of "would enter your top N".

    When the explained document was taken from the cohort (``cohort[i]``), the rank comes from a
    bank of the cohort (built once per process and scoring) and its top-k search, not from
    scoring every document; a pair a hard constraint excludes, or a document read apart, is
    ranked by scoring the cohort."""
    p, o = _pair(profile, offer, referential)
    config = (scoring or Scoring())._native
    if cohort is not None and not isinstance(cohort, (Offers, Profiles)):
        raise _input_error(f"cohort is Offers or Profiles, not {type(cohort).__name__}")
    if cohort is not None and cohort.referential is not p.referential:
        raise _input_error("the cohort was read against another referential")
    member = p if isinstance(cohort, Profiles) else o
    origin = getattr(member, "_origin", None)
    if cohort is not None and origin is not None and origin[0] is cohort:
        bank = _bank_cached(ProfileBank if isinstance(cohort, Profiles) else OfferBank,
                            cohort, scoring or Scoring())
        found = bank._explain(o if isinstance(cohort, Profiles) else p, origin[1], lang=lang,
                              top=top, max_reasons=max_reasons)
        if found is not None:
            return found
    if isinstance(cohort, Profiles):
        texts = _aiguillage.explain_among_profiles(p._native, o._native, p.referential._native,
                                                   config, cohort._native, lang, top,
                                                   max_reasons)
    else:
        texts = _aiguillage.explain_among_offers(
            p._native, o._native, p.referential._native, config,
            None if cohort is None else cohort._native, lang, top, max_reasons)
    return Explanation(*texts)


_FRAME_COLUMNS = ("profile_id", "offer_id", "kind", "name", "label", "requirement", "weight",
                  "feature", "credit", "evidence", "value", "contribution", "held", "path")


def _path_text(path: Sequence[Mapping[str, Any]]) -> Optional[str]:
    if not path:
        return None
    return " ; ".join(f"{s['edge']} {s['from']} -> {s['to']} x{s['factor']:g}" for s in path)


def explanation_frame(explanation: Mapping[str, Any]) -> Dict[str, list]:
    """The explanation in long format, ready for ``pandas.DataFrame``: one row per term
    (``kind`` "term"), per penalty ("penalty") and per competence of the offer with its credit
    ("competence"), with the held competence and the referential path of every partial
    credit. A list of explanations gives their rows one after the other."""
    if isinstance(explanation, (list, tuple)):
        parts = [explanation_frame(e) for e in explanation]
        keys = list(dict.fromkeys(k for part in parts for k in part))
        return {k: [v for part in parts
                    for v in part.get(k, [None] * len(next(iter(part.values()), [])))]
                for k in keys}
    rows: List[Dict[str, Any]] = []
    base = {"profile_id": explanation["profile_id"], "offer_id": explanation["offer_id"]}
    for t in explanation["terms"]:
        rows.append({**base, "kind": "term", "name": t["term"], "weight": t["weight"],
                     "feature": t["feature"], "contribution": t["contribution"]})
    for p in explanation["penalties"]:
        rows.append({**base, "kind": "penalty", "name": p["reason"],
                     "contribution": p["contribution"]})
    for c in explanation["competences"]:
        rows.append({**base, "kind": "competence", "name": c["code"], "label": c["label"],
                     "requirement": c["requirement"], "credit": c["credit"],
                     "evidence": c["evidence"], "value": c["value"], "held": c.get("held"),
                     "path": _path_text(c.get("path", ()))})
    return {column: [row.get(column) for row in rows] for column in _FRAME_COLUMNS}


# -- banks ----------------------------------------------------------------------------------------
def _query_documents(queries: Any, kind: type, collection: type, referential: Referential):
    """(native argument, single) for a bank query: a collection read in place, one document,
    or a list of documents (dicts and JSON text parsed; a bad one raises)."""
    if isinstance(queries, collection):
        if queries.referential is not referential:
            raise _input_error(f"these {collection._what}s were read against another referential")
        return queries._native, False
    if isinstance(queries, (kind, str, Mapping)):
        return [_one(queries, kind, collection, referential)._native], True
    return [_one(q, kind, collection, referential)._native for q in queries], False


def _filters(departements, contract_types, max_km):
    if isinstance(departements, str) or isinstance(contract_types, str):
        raise _input_error("departements and contract_types are lists of strings")
    return ([str(d) for d in departements or ()], [str(c) for c in contract_types or ()],
            None if max_km is None else float(max_km))


class _batch_progress:
    """A tqdm bar of a bank's batch (``progress=True`` and tqdm installed): yields the callback
    the native batch calls with (queries done, total) on the calling thread, or None."""

    def __init__(self, progress: bool, what: str):
        self._progress, self._what, self._bar = progress, what, None

    def __enter__(self):
        if not self._progress:
            return None
        from ._columns import _progress_bar

        def report(done: int, total: int) -> None:
            if self._bar is None:
                self._bar = _progress_bar(self._progress, total, self._what)
                self._progress = False  # a missing tqdm is said once
                if self._bar is None:
                    return
            self._bar.update(done - self._bar.n)
        return report

    def __exit__(self, *exc):
        if self._bar is not None:
            self._bar.close()
        return False


_BANKS: Dict[Tuple[str, str, str], Any] = {}
_BANKS_LOCK = _threading.Lock()


def _bank_loaded(cls: type, path: str, referential: Referential) -> Any:
    """A bank read from its file again (unpickling a loaded bank)."""
    return cls.load(path, referential)


def _bank_cached(cls: type, documents: "_Documents", scoring: Scoring) -> Any:
    """One bank per process for the same documents and scoring (unpickling)."""
    key = (cls.__name__, documents.hash, _json.dumps(scoring.to_dict(), sort_keys=True))
    with _BANKS_LOCK:
        found = _BANKS.get(key)
        if found is None or found.documents is not documents:
            found = cls(documents, scoring=scoring)
            _BANKS[key] = found
        return found


class OfferBank:
    """Offers indexed for persons' queries: the exact top-k by the full score (the same as
    scoring every offer and sorting, excluded offers never listed), without scoring every
    offer. Immutable; safe to query from several threads; pickles as its offers' input and
    scoring (rebuilt once per process)."""

    def __init__(self, offers: "Offers", referential: Optional[Referential] = None,
                 scoring: Optional[Scoring] = None, *, threads: int = 1):
        if not isinstance(offers, Offers):
            offers = Offers(offers, referential)
        elif referential is not None and offers.referential is not referential:
            raise _input_error("the offers were read against another referential")
        self.documents = offers
        self.referential = offers.referential
        self.scoring = scoring or Scoring()
        self._native = _aiguillage.NativeOfferBank(offers._native, self.scoring._native,
                                                   max(int(threads), 1))

    offers = property(lambda self: self.documents, doc="The indexed offers.")

    def __len__(self) -> int:
        return len(self._native)


    def save(self, path: PathLike) -> None:
        """Writes the bank to a file: its documents, index and scoring, the referential's
        fingerprint and a SHA-256 checksum (docs/matching.md, "Bank files")."""
        self._native.save(_os.fspath(path))

    @classmethod
    def load(cls, path: PathLike, referential: Optional[Referential] = None, *,
             threads: int = 1) -> "OfferBank":
        """Reads a bank written by :meth:`save`, with the referential it was built with (by
        default the bundled one). A file of another format version, referential or kind of
        bank raises :class:`MatchingInputError` with code -402 (``cache_stale``); a truncated
        or damaged file, code -410 (``bank_file_corrupt``)."""
        if referential is None:
            referential = Referential.bundled()
        path = _os.fspath(path)
        native = _aiguillage.NativeOfferBank.load(referential._native, path, max(int(threads), 1))
        bank = cls.__new__(cls)
        bank.documents = Offers._from_bank(native.documents(), referential, path)
        bank.referential = referential
        bank.scoring = Scoring(native.scoring())
        bank._native = native
        bank._path = path
        return bank

    def __reduce__(self):
        if getattr(self, "_path", None) is not None:
            return (_bank_loaded, (OfferBank, self._path, self.referential))
        return (_bank_cached, (OfferBank, self.documents, self.scoring))

    def top_offers(self, profiles: Any, k: int = 10, *,
                   departements: Optional[Sequence[str]] = None,
                   contract_types: Optional[Sequence[str]] = None,
                   max_km: Optional[float] = None, threads: int = 1,
                   column: str = "profile", keep: Sequence[str] = (),
                   progress: bool = False) -> Any:
        """The ``k`` best offers for one profile or each of several (:class:`Profiles`, a
        list), passing the filters: the offer's ``departements`` ("75", "2A", "971"), its
        ``contract_types`` ("CDI", "CDD", "MIS", ...), at most ``max_km`` from the person.
        Returns columns, one row per listed offer: ``profile_id``, ``offer_id``,
        ``query_index``, ``offer_index``, ``rank`` (1-based), ``score``, ``reason_codes``.

        A pandas DataFrame (a profile, dict or JSON text, per row in ``column``) gives a
        DataFrame indexed by the caller's labels, the ``keep`` columns first, and one row per
        refused profile with its ``error``: :func:`aiguillage.dask.top_offers_frame`.
        ``progress=True`` shows a tqdm bar of the queries answered (when tqdm is installed)."""
        if _is_frame(profiles):
            from .dask import top_offers_frame
            return top_offers_frame(profiles, self, k, column=column, departements=departements,
                                    contract_types=contract_types, max_km=max_km, keep=keep,
                                    threads=threads, progress=progress)
        native, _ = _query_documents(profiles, Profile, Profiles, self.referential)
        with _batch_progress(progress, "top_offers") as report:
            return self._native.top_offers(native, int(k), *_filters(departements,
                                                                      contract_types, max_km),
                                           max(int(threads), 1), report)

    def _explain(self, profile: "Profile", index: int, *, lang: str, top: int,
                 max_reasons: int, departements=None, contract_types=None,
                 max_km=None) -> Optional[Explanation]:
        texts = _aiguillage.explain_in_offer_bank(
            self._native, profile._native, int(index),
            *_filters(departements, contract_types, max_km), lang, top, max_reasons)
        return None if texts is None else Explanation(*texts)

    def explain(self, profile: Any, offer: Union[int, str], *, lang: str = "fr", top: int = 10,
                max_reasons: int = 4, departements: Optional[Sequence[str]] = None,
                contract_types: Optional[Sequence[str]] = None,
                max_km: Optional[float] = None) -> Optional[Explanation]:
        """The explanation of the bank's offer (its index, or its id) for ``profile``, ranked
        among the offers passing the filters by the bank's own search: no other offer is
        scored. None when the bank never lists the pair (a hard constraint excludes it, or the
        filters)."""
        p = _one(profile, Profile, Profiles, self.referential)
        index = self.documents.ids.index(offer) if isinstance(offer, str) else int(offer)
        return self._explain(p, index, lang=lang, top=top, max_reasons=max_reasons,
                             departements=departements, contract_types=contract_types,
                             max_km=max_km)

    def __repr__(self) -> str:
        return f"<aiguillage.OfferBank {len(self)} offers>"


class ProfileBank:
    """Persons indexed for an offer's query; the same guarantees as :class:`OfferBank`."""

    def __init__(self, profiles: "Profiles", referential: Optional[Referential] = None,
                 scoring: Optional[Scoring] = None, *, threads: int = 1):
        if not isinstance(profiles, Profiles):
            profiles = Profiles(profiles, referential)
        elif referential is not None and profiles.referential is not referential:
            raise _input_error("the profiles were read against another referential")
        self.documents = profiles
        self.referential = profiles.referential
        self.scoring = scoring or Scoring()
        self._native = _aiguillage.NativeProfileBank(profiles._native, self.scoring._native,
                                                     max(int(threads), 1))

    profiles = property(lambda self: self.documents, doc="The indexed profiles.")

    def __len__(self) -> int:
        return len(self._native)


    def save(self, path: PathLike) -> None:
        """Writes the bank to a file: its documents, index and scoring, the referential's
        fingerprint and a SHA-256 checksum (docs/matching.md, "Bank files")."""
        self._native.save(_os.fspath(path))

    @classmethod
    def load(cls, path: PathLike, referential: Optional[Referential] = None, *,
             threads: int = 1) -> "ProfileBank":
        """Reads a bank written by :meth:`save`, with the referential it was built with (by
        default the bundled one). A file of another format version, referential or kind of
        bank raises :class:`MatchingInputError` with code -402 (``cache_stale``); a truncated
        or damaged file, code -410 (``bank_file_corrupt``)."""
        if referential is None:
            referential = Referential.bundled()
        path = _os.fspath(path)
        native = _aiguillage.NativeProfileBank.load(referential._native, path, max(int(threads), 1))
        bank = cls.__new__(cls)
        bank.documents = Profiles._from_bank(native.documents(), referential, path)
        bank.referential = referential
        bank.scoring = Scoring(native.scoring())
        bank._native = native
        bank._path = path
        return bank

    def __reduce__(self):
        if getattr(self, "_path", None) is not None:
            return (_bank_loaded, (ProfileBank, self._path, self.referential))
        return (_bank_cached, (ProfileBank, self.documents, self.scoring))

    def top_profiles(self, offers: Any, k: int = 10, *,
                     departements: Optional[Sequence[str]] = None,
                     contract_types: Optional[Sequence[str]] = None,
                     max_km: Optional[float] = None, threads: int = 1,
                     column: str = "offer", keep: Sequence[str] = (),
                     progress: bool = False) -> Any:
        """The ``k`` best persons for one offer or each of several, passing the filters (the
        person's département; a person accepting one of ``contract_types``, or stating none;
        at most ``max_km`` from the offer). Columns: ``offer_id``, ``profile_id``,
        ``query_index``, ``profile_index``, ``rank``, ``score``, ``reason_codes``.

        A pandas DataFrame (an offer, dict or JSON text, per row in ``column``) gives a
        DataFrame indexed by the caller's labels, the ``keep`` columns first, and one row per
        refused offer with its ``error``: :func:`aiguillage.dask.top_profiles_frame`.
        ``progress=True`` shows a tqdm bar of the queries answered (when tqdm is installed)."""
        if _is_frame(offers):
            from .dask import top_profiles_frame
            return top_profiles_frame(offers, self, k, column=column, departements=departements,
                                      contract_types=contract_types, max_km=max_km, keep=keep,
                                      threads=threads, progress=progress)
        native, _ = _query_documents(offers, Offer, Offers, self.referential)
        with _batch_progress(progress, "top_profiles") as report:
            return self._native.top_profiles(native, int(k), *_filters(departements,
                                                                        contract_types, max_km),
                                             max(int(threads), 1), report)

    def _explain(self, offer: "Offer", index: int, *, lang: str, top: int, max_reasons: int,
                 departements=None, contract_types=None, max_km=None) -> Optional[Explanation]:
        texts = _aiguillage.explain_in_profile_bank(
            self._native, offer._native, int(index),
            *_filters(departements, contract_types, max_km), lang, top, max_reasons)
        return None if texts is None else Explanation(*texts)

    def explain(self, offer: Any, profile: Union[int, str], *, lang: str = "fr", top: int = 10,
                max_reasons: int = 4, departements: Optional[Sequence[str]] = None,
                contract_types: Optional[Sequence[str]] = None,
                max_km: Optional[float] = None) -> Optional[Explanation]:
        """The explanation of the bank's person (their index, or their id) for ``offer``,
        ranked among the persons passing the filters by the bank's own search: no other person
        is scored. ``explanation.employer`` is the text for the employer. None when the bank
        never lists the pair (a hard constraint excludes it, or the filters)."""
        o = _one(offer, Offer, Offers, self.referential)
        index = self.documents.ids.index(profile) if isinstance(profile, str) else int(profile)
        return self._explain(o, index, lang=lang, top=top, max_reasons=max_reasons,
                             departements=departements, contract_types=contract_types,
                             max_km=max_km)

    def __repr__(self) -> str:
        return f"<aiguillage.ProfileBank {len(self)} profiles>"


# -- numeric arrays ----------------------------------------------------------------------------------
def _is_frame(value: Any) -> bool:
    try:
        import pandas
    except ImportError:  # pragma: no cover - pandas is optional
        return False
    return isinstance(value, pandas.DataFrame)


def _np():
    import numpy
    return numpy


def _ints(values: Any, dtype: str, name: str):
    """A 1-D contiguous integer array of `dtype`; refuses floats and out-of-range values rather
    than casting them."""
    np = _np()
    a = np.asarray(values)
    if a.ndim != 1:
        raise _input_error(f"{name} must be 1-D", f"/{name}", -452, "dimension_mismatch")
    if a.size == 0:
        return np.zeros(0, dtype=dtype)
    if a.dtype.kind == "b" or a.dtype.kind not in "iu":
        raise _input_error(f"{name} must hold integers, not {a.dtype}", f"/{name}")
    info = np.iinfo(dtype)
    low, high = int(a.min()), int(a.max())
    if low < info.min or high > info.max:
        bad = int(np.argmax((a < info.min) | (a > info.max)))
        raise _input_error(f"{name} value {a[bad]} is out of range for {dtype}", f"/{name}/{bad}",
                           -106, "out_of_bounds")
    return np.ascontiguousarray(a, dtype=dtype)


def _floats(values: Any, name: str, n: Optional[int] = None, default: float = 0.0):
    np = _np()
    if values is None:
        return np.full(n or 0, default, dtype=np.float64)
    a = np.asarray(values)
    if a.ndim == 0 and n is not None:
        a = np.full(n, a, dtype=np.float64)
    if a.dtype.kind not in "iuf":
        raise _input_error(f"{name} must hold numbers, not {a.dtype}", f"/{name}")
    return np.ascontiguousarray(a, dtype=np.float64)


def _per_row_ints(values: Any, dtype: str, name: str, n: int, default: int = 0):
    np = _np()
    if values is None:
        return np.full(n, default, dtype=dtype)
    if np.ndim(values) == 0:
        return _ints(np.full(n, values), dtype, name)
    return _ints(values, dtype, name)


def _csr_parts(queries: Any, name: str):
    """(indptr int64, items uint32, weights float64) of a scipy.sparse matrix or a tuple."""
    np = _np()
    if hasattr(queries, "tocsr"):
        m = queries.tocsr()
        return (np.ascontiguousarray(m.indptr, dtype=np.int64),
                _ints(m.indices, "uint32", "items"), _floats(m.data, "weights"))
    if isinstance(queries, tuple) and len(queries) == 3:
        indptr, items, weights = queries
        return (_ints(indptr, "int64", "indptr"), _ints(items, "uint32", "items"),
                _floats(weights, "weights"))
    raise _input_error(f"{name} is a scipy.sparse matrix or a tuple (indptr, items, weights)")


def _content_hash(arrays: Mapping[str, Any]) -> str:
    h = _hashlib.sha256()
    for key in sorted(arrays):
        a = arrays[key]
        h.update(key.encode())
        h.update(str(a.dtype).encode())
        h.update(str(a.shape).encode())
        h.update(a.tobytes())
    return "sha256:" + h.hexdigest()


def _check_k(k: int) -> None:
    if int(k) < 1:
        raise _input_error(f"k must be at least 1, not {k}", "/k")


_INDEXES: Dict[str, "CompetenceIndex"] = {}
_INDEXES_LOCK = _threading.Lock()
_INDEX_BUILDS = [0]  # native indexes built from unpickled arrays in this process


def _index_cached(arrays: Mapping[str, Any], content_hash: str) -> "CompetenceIndex":
    """The index for these arrays, built once per process (keyed by their content hash)."""
    with _INDEXES_LOCK:
        found = _INDEXES.get(content_hash)
        if found is None:
            found = CompetenceIndex._from_arrays(dict(arrays), content_hash)
            _INDEX_BUILDS[0] += 1
            _INDEXES[content_hash] = found
        return found


class CompetenceIndex:
    """Exact top-k retrieval by competence overlap over numeric entries (offers, or profiles for
    the other direction). Immutable and safe to query from several threads; it pickles as its
    arrays and, in another process, is rebuilt once per content hash."""

    def __init__(self, native, arrays: Dict[str, Any], content_hash: str):
        self._native = native
        self._arrays = arrays
        self.hash = content_hash

    @classmethod
    def from_csr(cls, indptr: Any, items: Any, weights: Any, lat: Any = None, lon: Any = None,
                 departement: Any = None, contract_mask: Any = None,
                 max_km: Any = None) -> "CompetenceIndex":
        """Entry ``e`` holds ``items[indptr[e]:indptr[e+1]]`` (distinct ids) with their
        positive weights, a location (``lat``, ``lon`` in degrees; 0 when omitted), a
        ``departement`` code, a ``contract_mask`` (bit c for contract type c) and its own
        ``max_km`` (infinite when omitted). Raises :class:`MatchingInputError` with the pointer
        of the first bad value."""
        np = _np()
        indptr = _ints(indptr, "int64", "indptr")
        n = max(len(indptr) - 1, 0)
        arrays = {
            "indptr": indptr,
            "items": _ints(items, "uint32", "items"),
            "weights": _floats(weights, "weights"),
            "lat": _floats(lat, "lat", n),
            "lon": _floats(lon, "lon", n),
            "departement": _per_row_ints(departement, "uint32", "departement", n),
            "contract_mask": _per_row_ints(contract_mask, "uint32", "contract_mask", n),
            "max_km": _floats(max_km, "max_km", n, np.inf),
        }
        return cls._from_arrays(arrays, _content_hash(arrays))

    @classmethod
    def _from_arrays(cls, arrays: Dict[str, Any], content_hash: str) -> "CompetenceIndex":
        native = _aiguillage.NativeCompetenceIndex(**arrays)
        return cls(native, arrays, content_hash)

    def __reduce__(self):
        return (_index_cached, (self._arrays, self.hash))

    def __len__(self) -> int:
        return len(self._native)

    @property
    def arrays(self) -> Dict[str, Any]:
        """The arrays the index was built from (read-only use)."""
        return self._arrays

    @property
    def item_count(self) -> int:
        return self._native.item_count

    @property
    def nonzeros(self) -> int:
        return self._native.nonzeros

    def top_k(self, items: Any, weights: Any, k: int, *, origin: Optional[Tuple[float, float]] = None,
              max_km: float = float("inf"), departements: Optional[Sequence[int]] = None,
              contract_mask: int = 0):
        """The ``k`` entries of highest score Σ q_i x_{e,i} sharing an item with the query and
        passing the filters (distance from ``origin`` within ``max_km`` and the entry's own
        maximum; ``departements``; a common bit with ``contract_mask``), by descending score
        then ascending index. Returns ``(indices int64, scores float64)``."""
        _check_k(k)
        if origin is not None:
            origin = (float(origin[0]), float(origin[1]))
        return self._native.top_k(_ints(items, "uint32", "items"), _floats(weights, "weights"),
                                  int(k), origin, float(max_km),
                                  list(departements or ()), int(contract_mask))

    def batch_top_k(self, queries: Any, k: int, *, origin: Optional[Tuple[Any, Any]] = None,
                    max_km: Any = float("inf"), departements: Optional[Sequence[int]] = None,
                    contract_mask: Any = 0, threads: int = 1, keep: Sequence[str] = ()):
        """:meth:`top_k` for every row of ``queries`` (a scipy.sparse CSR matrix, columns =
        item ids, or a tuple ``(indptr, items, weights)``), on ``threads`` threads with the GIL
        released. ``origin`` is ``(lat array, lon array)`` (NaN: no origin for that row),
        ``max_km`` and ``contract_mask`` a scalar or one value per row. Returns two ``(n, k)``
        arrays: entry indices (int64, -1 where a row has fewer hits) and scores (NaN there).

        A pandas DataFrame (``items`` and ``weights`` per row, optionally ``lat``, ``lon``,
        ``max_km``, ``contract_mask`` columns) gives one row per hit (``rank``, ``entry``,
        ``score``) indexed by the query's label: :func:`aiguillage.dask.batch_top_k_frame`."""
        if _is_frame(queries):
            from .dask import batch_top_k_frame
            return batch_top_k_frame(queries, self, k, departements=departements, keep=keep,
                                     threads=threads)
        np = _np()
        _check_k(k)
        indptr, items, weights = _csr_parts(queries, "queries")
        n = max(len(indptr) - 1, 0)
        if origin is None:
            lat = np.full(n, np.nan)
            lon = np.full(n, np.nan)
        else:
            lat = _floats(origin[0], "origin_lat", n)
            lon = _floats(origin[1], "origin_lon", n)
        return self._native.batch_top_k(
            indptr, items, weights, int(k), lat, lon, _floats(max_km, "max_km", n),
            _per_row_ints(contract_mask, "uint32", "contract_mask", n),
            list(departements or ()), max(int(threads), 1))

    def __repr__(self) -> str:
        return f"<aiguillage.CompetenceIndex {len(self)} entries, {self.nonzeros} weights>"


# -- assignment ---------------------------------------------------------------------------------------
def solve_assignment(costs: Any, *, maximize: bool = False) -> Dict[str, Any]:
    """One-to-one assignment on a dense cost matrix (rectangular allowed, no padding):
    ``{"col_of_row", "row_of_col", "total_cost"}``, -1 for an unassigned row or column. A
    forbidden pair is +inf (-inf when maximising). Raises :class:`InfeasibleError` when the
    allowed pairs admit no assignment of size min(rows, cols)."""
    np = _np()
    a = np.asarray(costs)
    if a.ndim != 2:
        raise _input_error("the cost matrix must be 2-D", "/costs", -452, "dimension_mismatch")
    col_of_row, row_of_col, total = _aiguillage.dense_assignment(_floats(a, "costs"), maximize)
    return {"col_of_row": col_of_row, "row_of_col": row_of_col, "total_cost": total}


def linear_sum_assignment(costs: Any, maximize: bool = False):
    """The same answer shape as ``scipy.optimize.linear_sum_assignment``: ``(row_ind,
    col_ind)``, rows ascending."""
    np = _np()
    result = solve_assignment(costs, maximize=maximize)
    rows = np.flatnonzero(result["col_of_row"] >= 0)
    return rows, result["col_of_row"][rows]


def solve_sparse_assignment(costs: Any, *, maximize: bool = False,
                            shape: Optional[Tuple[int, int]] = None) -> Dict[str, Any]:
    """One-to-one assignment over the stored entries of a sparse matrix only (a
    scipy.sparse matrix, or ``(indptr, indices, values)`` with ``shape``); absent entries are
    forbidden, an explicit 0 is an allowed pair of cost 0. Same result as
    :func:`solve_assignment`."""
    if hasattr(costs, "tocsr"):
        m = costs.tocsr()
        indptr, indices, values = m.indptr, m.indices, m.data
        shape = m.shape
    elif isinstance(costs, tuple) and len(costs) == 3 and shape is not None:
        indptr, indices, values = costs
    else:
        raise _input_error("costs is a scipy.sparse matrix or (indptr, indices, values) with "
                           "shape=(rows, cols)")
    n_rows, n_cols = int(shape[0]), int(shape[1])
    col_of_row, row_of_col, total = _aiguillage.sparse_assignment(
        n_rows, n_cols, _ints(indptr, "int64", "indptr"), _ints(indices, "int32", "indices"),
        _floats(values, "values"), maximize)
    return {"col_of_row": col_of_row, "row_of_col": row_of_col, "total_cost": total}


def solve_capacitated_assignment(n_persons: int, positions: Any, persons: Any, offers: Any,
                                 costs: Any = None, *, max_per_person: int = 1,
                                 maximize: bool = False) -> Dict[str, Any]:
    """Offers with ``positions[o]`` places, persons taking at most ``max_per_person`` each,
    over the candidate edges ``(persons[e], offers[e], costs[e])``. The largest number of
    pairs first, then the smallest total cost (largest with ``maximize``). Returns the chosen
    edges as columns ``person``, ``offer``, ``cost`` sorted by (person, offer), and
    ``total_cost``."""
    np = _np()
    persons = _ints(persons, "uint32", "persons")
    costs = np.zeros(len(persons)) if costs is None else _floats(costs, "costs")
    person, offer, cost, total = _aiguillage.capacitated_assignment(
        int(n_persons), _ints(positions, "uint32", "positions"), int(max_per_person), persons,
        _ints(offers, "uint32", "offers"), costs, maximize)
    return {"person": person, "offer": offer, "cost": cost, "total_cost": total}


def stable_matching(person_prefs: Sequence[Sequence[int]], offer_prefs: Sequence[Sequence[int]],
                    capacity: Any = None, *, proposing: str = "persons") -> Dict[str, Any]:
    """Deferred acceptance (Gale-Shapley) with capacities on the offer side. Preference lists
    are best first and truncated (a pair is acceptable only when each lists the other).
    Returns ``offer_of_person`` (int64, -1 unmatched) and ``persons_of_offer`` (a list of
    sorted arrays): stable, and optimal for the proposing side ("persons" or "offers")."""
    np = _np()
    if proposing not in ("persons", "offers"):
        raise _input_error(f'proposing is "persons" or "offers", not {proposing!r}', "/proposing")
    if capacity is None:
        capacity = np.ones(len(offer_prefs), dtype=np.uint32)
    person_lists = [[int(x) for x in _ints(p, "uint32", f"person_prefs/{i}")]
                    for i, p in enumerate(person_prefs)]
    offer_lists = [[int(x) for x in _ints(o, "uint32", f"offer_prefs/{i}")]
                   for i, o in enumerate(offer_prefs)]
    offer_of_person, persons_of_offer = _aiguillage.stable_matching(
        person_lists, offer_lists, _ints(capacity, "uint32", "capacity"),
        proposing == "offers")
    return {"offer_of_person": offer_of_person, "persons_of_offer": persons_of_offer}
