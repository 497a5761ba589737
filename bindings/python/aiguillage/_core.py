"""Packs, registries, orientation and audit: the Python face of the native library."""

from __future__ import annotations

import datetime as _dt
import json as _json
import os as _os
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

from . import _aiguillage
from ._errors import DecisionError, InputError

engine_version: str = _aiguillage.engine_version

DateLike = Union[str, _dt.date, None]


def _date_text(date: DateLike, what: str = "date") -> Optional[str]:
    if date is None:
        return None
    if isinstance(date, _dt.datetime):
        return date.date().isoformat()
    if isinstance(date, _dt.date):
        return date.isoformat()
    if isinstance(date, str):
        return date
    try:  # numpy.datetime64, pandas.Timestamp
        import numpy as np
        return str(np.datetime64(date, "D"))
    except Exception as exc:  # noqa: BLE001 - any failure means: not a date
        raise InputError(f"{what} must be a date, not {date!r}", -111, "invalid_date") from exc


def _json_default(value: Any) -> Any:
    if isinstance(value, (_dt.date, _dt.datetime)):
        return _date_text(value)
    try:
        import numpy as np
        if isinstance(value, np.generic):
            if isinstance(value, np.datetime64):
                return str(value.astype("datetime64[D]"))
            return value.item()
    except ImportError:  # pragma: no cover
        pass
    raise TypeError(f"{type(value).__name__} is not a JSON value")


def _record_text(record: Union[Mapping[str, Any], str]) -> str:
    if isinstance(record, str):
        return record
    if not isinstance(record, Mapping):
        raise InputError(f"a record is a dict (or JSON text), not {type(record).__name__}", -1,
                         "invalid_argument")
    try:
        return _json.dumps(record, default=_json_default, ensure_ascii=False)
    except (TypeError, ValueError) as exc:
        raise InputError(str(exc), -105, "type_mismatch") from exc


class Pack:
    """A rule pack, loaded, type-checked and compiled: ``Pack("rules/orientation/fr-2025")``
    (a pack file or a folder holding ``pack.json``).

    Immutable; safe to share between threads and picklable (it reloads from its source in
    another process). ``evaluate`` one record, ``evaluate_batch`` a DataFrame, ``explain`` why,
    ``check()`` the static analysis, ``test()`` the pack's own test cases.

    Raises :class:`PackLoadError` with the JSON pointer of the offending place."""

    def __init__(self, path: Union[str, "_os.PathLike[str]"]):
        path = _os.fspath(path)
        self._native = _aiguillage.NativePack.load_file(path)
        self._source = ("file", _os.path.abspath(path))

    @classmethod
    def _wrap(cls, native: "_aiguillage.NativePack", source: tuple) -> "Pack":
        pack = cls.__new__(cls)
        pack._native = native
        pack._source = source
        return pack

    # -- loading ---------------------------------------------------------------------------
    @classmethod
    def load(cls, path: Union[str, "_os.PathLike[str]"]) -> "Pack":
        """Loads a pack from a file or a folder holding ``pack.json``.

        Raises :class:`PackLoadError` with the JSON pointer of the offending place."""
        return cls(path)

    @classmethod
    def from_json(cls, text: Union[str, Mapping[str, Any]]) -> "Pack":
        """Loads a pack from its JSON text (or the parsed document)."""
        if not isinstance(text, str):
            text = _json.dumps(text)
        return cls._wrap(_aiguillage.NativePack.load_json(text), ("json", text))

    @classmethod
    def from_dmn(cls, xml: str) -> "Pack":
        """Imports a DMN model (XML text, DMN 1.1 to 1.5) as ``aiguillage import-dmn`` does.

        Raises :class:`PackLoadError` naming the DMN element that cannot be mapped (its
        ``pointer`` is an XPath-like path)."""
        return cls.from_json(_aiguillage.import_dmn(xml))

    def to_dmn(self) -> str:
        """The pack as a DMN 1.3 model (XML text), as ``aiguillage export --to dmn`` writes it;
        :meth:`from_dmn` reads it back to a pack of the same logic (docs/interop.md).

        Raises :class:`PackLoadError` (code -706, ``inexpressible``) naming the pack element
        that DMN cannot state."""
        return _aiguillage.export_dmn(self._document())

    def to_jdm(self) -> str:
        """The pack as a GoRules JDM graph (JSON text) that the ZEN engine evaluates to the
        pack's outputs, as ``aiguillage export --to jdm`` writes it (docs/interop.md).

        Raises :class:`PackLoadError` (code -706, ``inexpressible``) naming the pack element
        that ZEN's expression language cannot state exactly."""
        return _aiguillage.export_jdm(self._document())

    def _document(self) -> str:
        kind, value = self._source
        if kind == "file":
            path = _os.path.join(value, "pack.json") if _os.path.isdir(value) else value
            with open(path, encoding="utf-8") as f:
                return f.read()
        if kind != "json":
            raise TypeError("a pack selected from a registry has no document to export: load it by path")
        return value

    def __reduce__(self):
        kind, value = self._source
        if kind not in ("file", "json"):
            raise TypeError("a pack selected from a registry cannot be pickled: load it by path")
        return (_load_cached, (kind, value, self.hash))

    # -- description -------------------------------------------------------------------------
    id = property(lambda self: self._native.id, doc="The pack's identifier.")
    version = property(lambda self: self._native.version, doc="The pack's version.")
    title = property(lambda self: self._native.title, doc="The pack's title.")
    hash = property(lambda self: self._native.hash,
                    doc='"sha256:..." of the canonical document: what decision records name.')
    valid_from = property(lambda self: self._native.valid_from)
    valid_to = property(lambda self: self._native.valid_to)

    @property
    def inputs(self) -> list:
        """The inputs (name, type, closed list of values, labels), in schema order."""
        return self._native.inputs

    @property
    def outputs(self) -> list:
        """The outputs of every decision (name, kind, closed list), in pack order."""
        return self._native.outputs

    @property
    def decisions(self) -> list:
        """The decisions (id, kind, rule ids), in pack order."""
        return self._native.decisions

    def __repr__(self) -> str:
        return f"<aiguillage.Pack {self.id} {self.version} {self.hash[:15]}...>"

    # -- checks and tests ------------------------------------------------------------------------
    def check(self) -> Dict[str, Any]:
        """The static analysis, as ``aiguillage check --json`` gives it: ``{"errors",
        "warnings", "findings": [{"kind", "severity", "decision", "pointer", "message"}],
        "statuses", "human_decision_required"}``."""
        return _json.loads(_aiguillage.check_pack(self._native))

    def test(self, tests: Union[str, "_os.PathLike[str]", None] = None) -> Dict[str, Any]:
        """Runs test cases, as ``aiguillage test --json`` does: ``{"passed", "failed",
        "rules", "failures", "uncovered"}``. ``tests`` is a test file or a pack folder (its
        ``tests/*.json``); by default the folder the pack was loaded from."""
        if tests is None:
            kind, value = self._source
            if kind != "file":
                raise InputError("this pack was not loaded from a folder: name its tests", -1,
                                 "invalid_argument")
            tests = value if _os.path.isdir(value) else _os.path.dirname(value)
        tests = _os.fspath(tests)
        files = [tests] if _os.path.isfile(tests) else _aiguillage.test_files_of(tests)
        return _json.loads(_aiguillage.test_pack(self._native, files))

    # -- evaluation ----------------------------------------------------------------------------
    def evaluate(self, record: Union[Mapping[str, Any], str], date: DateLike = None, *,
                 trace: bool = False, ignore_unknown: bool = False) -> Dict[str, Any]:
        """Evaluates one record (a dict) at ``date`` (the reference date; or the record's
        ``reference_date``). Returns ``{"status", "outputs", "fired", "missing"?, "errors"?,
        "trace"?}``. A rejected record is a result with status ``"error"`` and its errors (each
        with ``code``, ``name``, ``message``, ``pointer``), not an exception."""
        text, refused = _checked_text(self, record)
        result = _json.loads(self._native.evaluate_json(text, _date_text(date), trace,
                                                        ignore_unknown))
        if refused:
            _patch_errors(result, refused)
        return result

    def evaluate_jsonl(self, text_or_path: Union[str, bytes, "_os.PathLike[str]"],
                       date: DateLike = None, *, trace: bool = False,
                       ignore_unknown: bool = False) -> List[Dict[str, Any]]:
        """Evaluates JSON Lines (one record per line; blank lines skipped), given as text or as
        the path of a file, by blocks of records. Returns one result per record, in input
        order, each as :meth:`evaluate` gives it for that record alone; a record rejected as bad
        input is ``{"line": N, "status": "error", "errors": [...]}`` (``N`` counts the text's
        lines from 1), and any other result of status ``"error"`` carries ``"line"`` too. A text
        is a ``str`` holding a newline or starting with ``{``; any other ``str`` is a path."""
        if isinstance(text_or_path, bytes):
            text = text_or_path.decode("utf-8")
        elif isinstance(text_or_path, str) and ("\n" in text_or_path
                                                or text_or_path.lstrip().startswith("{")
                                                or not text_or_path.strip()):
            text = text_or_path
        else:
            with open(_os.fspath(text_or_path), encoding="utf-8") as f:
                text = f.read()
        lines = self._native.evaluate_jsonl(text, _date_text(date), trace, ignore_unknown)
        return [_json.loads(line) for line in lines]

    def explain(self, record: Union[Mapping[str, Any], str], date: DateLike = None, *,
                lang: str = "fr") -> str:
        """The readable explanation (``"fr"`` or ``"en"``) of the evaluation of one record: the
        data used and their sources, the rules applied, why the others did not apply, the
        questions left."""
        return self._native.explain_json(_checked_text(self, record)[0], _date_text(date), lang)

    def explain_row(self, data: Any, row: int, date: DateLike = None, *, lang: str = "fr",
                    trace: bool = False) -> Union[str, Dict[str, Any]]:
        """On demand, for one row of a batch: the explanation text (or, with ``trace=True``,
        the evaluation with its trace) of that row, exactly as :meth:`evaluate_batch` saw it
        (missing cells are absent members)."""
        # Columns the pack does not know are left out, as the batch leaves them out.
        names = {f["name"] for f in self.inputs}
        record = {k: v for k, v in _row_record(data, row).items() if k in names}
        if trace:
            return self.evaluate(record, date, trace=True, ignore_unknown=True)
        return self.explain(record, date, lang=lang)

    def evaluate_batch(self, data: Any, date: DateLike = None, *, threads: int = 0,
                       keep: Sequence[str] = (), strict: bool = False,
                       ignore_unknown: bool = False, progress: bool = False) -> Any:
        """Evaluates a pandas DataFrame or a dict of numpy arrays (one per input, named as the
        inputs), column by column, without going through JSON. Cells are read by the one input
        policy of docs/python.md.

        A DataFrame gives a DataFrame with the caller's index (a dict gives a dict of arrays):
        every output (enums as categoricals, booleans and integers as nullable arrays, dates as
        datetime64, collected enums as tuples), ``status``, ``fired.<decision>`` (first fired
        rule id), ``error_code`` and ``error`` ("name at /<row label>/<input>: message"), with
        the ``keep`` columns first. A bad cell marks its row as an error; every other row is
        still evaluated. Columns the pack does not know are listed once in a warning, or refused
        with ``strict=True`` (``ignore_unknown=True`` silences them). ``progress=True`` shows a
        tqdm progress bar."""
        from ._columns import check_unknown, evaluate_columns
        keep = list(keep)
        check_unknown(self, data, keep, strict, ignore_unknown)
        return evaluate_columns(self, data, _date_text(date), threads, keep, progress)


def _esc(value: Any) -> str:
    import html
    if isinstance(value, (list, tuple)):
        value = ", ".join(map(str, value))
    return html.escape("" if value is None else str(value))


def _html_table(header: tuple, rows: list) -> str:
    head = "".join("<th>%s</th>" % _esc(h) for h in header)
    body = "".join("<tr>%s</tr>" % "".join("<td>%s</td>" % _esc(c) for c in row) for row in rows)
    return "<table><thead><tr>%s</tr></thead><tbody>%s</tbody></table>" % (head, body)


def _row_record(data: Any, row: int) -> Dict[str, Any]:
    """One row (by position) of a DataFrame or dict of arrays as a record; the values are read
    by the same policy as the batch when the record is evaluated."""
    if hasattr(data, "iloc"):
        return {str(name): value for name, value in data.iloc[row].items()}
    return {str(name): column[row] for name, column in data.items()}


# A value the batch reader refused is handed to the native reader as a stand-in it refuses with
# the same code at the same pointer; the message is then the batch reader's own.
_STAND_INS = {-114: 9223372036854775808, -111: "not a date", -112: 1e-7, -113: "\u0000"}


def _checked_text(pack: "Pack", record: Union[Mapping[str, Any], str]) -> tuple:
    """The JSON text of a record read by the one input policy, and its refused cells."""
    if isinstance(record, str):
        return record, []
    if not isinstance(record, Mapping):
        raise InputError(f"a record is a dict (or JSON text), not {type(record).__name__}", -1,
                         "invalid_argument")
    from ._columns import check_record
    checked, refused = check_record(pack, record)
    kinds = {f["name"]: f["type"] for f in pack.inputs}
    for name, code, _, _ in refused:
        stand_in = _STAND_INS.get(code, {"refused": True})
        if code == -112 and kinds[name] != "decimal":
            stand_in = {"refused": True}
        checked[name] = stand_in
    return _record_text(checked), refused


def _patch_errors(result: Dict[str, Any], refused: list) -> None:
    from ._columns import _pointer
    errors = result.setdefault("errors", [])
    for name, code, code_name, message in refused:
        pointer = _pointer(0, name)[2:]
        entry = {"code": code, "name": code_name, "message": message, "pointer": pointer}
        for k, e in enumerate(errors):
            if e.get("pointer") == pointer:
                errors[k] = entry
                break
        else:
            errors.append(entry)


_PACK_CACHE: Dict[tuple, "Pack"] = {}


def _load_cached(kind: str, value: str, expected_hash: str) -> "Pack":
    """Unpickling: one load per process and source."""
    key = (kind, value, expected_hash)
    pack = _PACK_CACHE.get(key)
    if pack is None:
        pack = Pack.load(value) if kind == "file" else Pack.from_json(value)
        if pack.hash != expected_hash:
            raise InputError(f"the pack at {value} changed since it was sent "
                             f"({pack.hash} instead of {expected_hash})", -1, "invalid_argument")
        _PACK_CACHE[key] = pack
    return pack


class Registry:
    """Several versions of packs; evaluation at a date uses the version valid then."""

    def __init__(self, *packs: Pack):
        self._native = _aiguillage.NativeRegistry()
        for pack in packs:
            self.add(pack)

    def add(self, pack: Pack) -> None:
        """Adds a pack; the same id and version twice is an error (duplicate_name)."""
        self._native.add(pack._native)

    def load_dir(self, path: Union[str, "_os.PathLike[str]"]) -> int:
        """Loads every ``pack.json`` under ``path`` (recursively); returns how many."""
        return self._native.load_dir(_os.fspath(path))

    def select(self, pack_id: str, date: DateLike) -> Pack:
        """The version of ``pack_id`` valid at ``date``; raises VersionSelectionError."""
        native = self._native.select(pack_id, _date_text(date))
        return _wrap_selected(native)

    def __len__(self) -> int:
        return len(self._native)


def _wrap_selected(native) -> Pack:
    # A selected pack is not picklable by source; it carries no path of its own.
    return Pack._wrap(native, ("selected", native.hash))


class Proposal:
    """An orientation proposal: outputs, whether it is evident, the reasons for a review and
    the questions that would settle it. It becomes a decision only through
    :meth:`Orienter.decide` (a human) or :meth:`Orienter.auto_decide` (the deployment)."""

    def __init__(self, native, refused: Optional[list] = None, orienter=None):
        self._native = native
        self._dict: Optional[dict] = None
        self._refused = refused or []
        self._orienter = orienter  # for the notice in notebooks

    @property
    def json(self) -> str:
        """The proposal as one line of JSON."""
        if self._refused:
            return _json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":"))
        return self._native.json

    def to_dict(self) -> dict:
        if self._dict is None:
            self._dict = _json.loads(self._native.json)
            if self._refused:
                _patch_errors(self._dict, self._refused)
        return self._dict

    evident = property(lambda self: self._native.evident)
    status = property(lambda self: self._native.status)
    outputs = property(lambda self: self.to_dict().get("outputs", {}))
    review_reasons = property(lambda self: self.to_dict().get("review_reasons", []))
    questions = property(lambda self: self.to_dict().get("questions", []))
    errors = property(lambda self: self.to_dict().get("errors", []))

    def __repr__(self) -> str:
        return f"<aiguillage.Proposal {self.status} evident={self.evident} {self.outputs}>"

    def _repr_html_(self) -> str:
        d = self.to_dict()
        parts = ["<div class='aiguillage-proposal'><p><b>Proposition / proposal</b>: %s%s</p>"
                 % (_esc(d.get("status")), " (évidente / evident)" if d.get("evident") else "")]
        parts.append(_html_table(("sortie / output", "valeur / value"),
                                 list(d.get("outputs", {}).items())))
        if d.get("review_reasons"):
            parts.append(_html_table(("motif d'examen / review reason",),
                                     [(r,) for r in d["review_reasons"]]))
        if d.get("questions"):
            parts.append(_html_table(
                ("question (fr)", "question (en)"),
                [(q.get("label", {}).get("fr", q.get("input")),
                  q.get("label", {}).get("en", q.get("input"))) for q in d["questions"]]))
        if d.get("errors"):
            parts.append(_html_table(("code", "pointer", "message"),
                                     [(e["name"], e["pointer"], e["message"])
                                      for e in d["errors"]]))
        if self._orienter is not None and self._native is not None:
            for lang, title in (("fr", "Notice"), ("en", "Notice (English)")):
                parts.append("<details><summary>%s</summary><pre>%s</pre></details>"
                             % (title, _esc(self._orienter.notice(self, lang=lang))))
        trace = d.get("trace") or {}
        for decision in trace.get("decisions", []):
            rows = [(r.get("id"), r.get("result"),
                     (r.get("rejected_by") or {}).get("cell", ""))
                    for r in decision.get("rules", [])]
            if rows:
                parts.append("<details><summary>trace: %s (%s)</summary>%s</details>" % (
                    _esc(decision.get("id")), _esc(decision.get("status")),
                    _html_table(("règle / rule", "résultat / result",
                                 "cellule qui l'écarte / rejecting cell"), rows)))
        return "".join(parts) + "</div>"


class Decision:
    """A decision taken on a proposal (by a human, or by the deployment's policy)."""

    def __init__(self, native):
        self._native = native

    @property
    def json(self) -> str:
        return self._native.json

    def to_dict(self) -> dict:
        return _json.loads(self._native.json)

    def __repr__(self) -> str:
        return f"<aiguillage.Decision {self.json}>"

    def _repr_html_(self) -> str:
        d = self.to_dict()
        rows = [(k, v) for k, v in d.items() if not isinstance(v, (dict, list))]
        rows += [("outputs." + k, v) for k, v in (d.get("outputs") or {}).items()]
        return ("<div class='aiguillage-decision'><p><b>Décision / decision</b></p>%s</div>"
                % _html_table(("champ / field", "valeur / value"), rows))


class Orienter:
    """Proposes an orientation for a person, records a human decision, writes the notice."""

    def __init__(self, pack: Union[Pack, str, "_os.PathLike[str]"], *,
                 auto_confirm_evident: bool = False):
        self.pack = pack if isinstance(pack, Pack) else Pack.load(pack)
        self._native = _aiguillage.NativeOrienter(self.pack._native, auto_confirm_evident)

    def propose(self, person: Union[Mapping[str, Any], str], date: DateLike, *,
                trace: bool = True) -> Proposal:
        """Evaluates one person (a dict) at the reference date. A rejected person gives a
        proposal with status "error" and its errors, not an exception."""
        if date is None:
            raise InputError("date is required: nothing reads the clock", -1, "invalid_argument")
        text, refused = _checked_text(self.pack, person)
        return Proposal(self._native.propose(text, _date_text(date), trace), refused, self)

    def propose_batch(self, data: Any, date: DateLike, *, threads: int = 0,
                      keep: Sequence[str] = (), strict: bool = False,
                      ignore_unknown: bool = False, questions: bool = True,
                      progress: bool = False) -> Any:
        """Orients a whole DataFrame (or dict of arrays) column by column: the columns of
        :meth:`Pack.evaluate_batch` (the caller's index, ``keep`` columns first), plus
        ``evident`` (complete, without review reasons) and ``questions`` (the inputs to ask
        about, as a tuple, for the rows that are not complete; ``questions=False`` skips them).
        """
        if date is None:
            raise InputError("date is required: nothing reads the clock", -1, "invalid_argument")
        result = self.pack.evaluate_batch(data, date, threads=threads, keep=keep, strict=strict,
                                          ignore_unknown=ignore_unknown, progress=progress)
        from ._columns import add_evident
        add_evident(result)
        if questions:
            result["questions"] = self._questions(data, result, date)
        return result

    def _questions(self, data: Any, result: Any, date: DateLike) -> Any:
        """The questions of the incomplete rows: each such row (already read and accepted by
        the batch) is proposed alone, its cells written as the JSON values the batch read."""
        import numpy as np
        from ._columns import _MISSING, _json_value
        status = np.asarray(result["status"]).astype(object)
        asked = np.empty(len(status), dtype=object)
        asked[:] = [()] * len(status)
        rows = np.flatnonzero(status == "incomplete")
        if len(rows) == 0:
            return asked
        kinds = {f["name"]: f["type"] for f in self.pack.inputs if f["type"] != "list"}
        if hasattr(data, "iloc"):
            names = [c for c in data.columns if str(c) in kinds]
            records = data.iloc[rows][names].to_dict("records")
        else:
            names = [c for c in data if str(c) in kinds]
            records = [{c: data[c][r] for c in names} for r in rows]
        date_text = _date_text(date)
        seen: Dict[str, tuple] = {}  # the same record gives the same questions
        for row, record in zip(rows, records):
            values = {}
            for name, value in record.items():
                value = _json_value(kinds[str(name)], value)
                if value is not _MISSING:
                    values[str(name)] = value
            text = _json.dumps(values, ensure_ascii=False, separators=(",", ":"))
            questions = seen.get(text)
            if questions is None:
                proposal = _json.loads(self._native.propose(text, date_text, False).json)
                questions = seen[text] = tuple(q["input"] for q in proposal["questions"])
            asked[row] = questions
        return asked

    def decide(self, proposal: Proposal, actor_role: str, action: str = "confirm", *,
               reason: str = "", decided_at: str, outputs: Optional[Mapping[str, Any]] = None,
               observations: str = "", legitimate_reason: str = "",
               contract_signed_at: Optional[str] = None) -> Decision:
        """A human decision: ``"confirm"``, ``"override"`` (with ``outputs``) or
        ``"reorient"``; override and reorient need a ``reason``. ``decided_at`` is the
        caller's timestamp. A pack that is never decided by policy (``human_decision_required``)
        also needs the person's ``observations`` and the assessment of a
        ``legitimate_reason``, kept in the decision. ``contract_signed_at`` (an ISO 8601 date
        or timestamp) is when the engagement contract was signed, when it is known as the
        decision is recorded: the record then holds it (decision record 1.1) and the report
        measures the contract's deadline from it. Raises :class:`DecisionError` when
        refused (:class:`HumanDecisionRequiredError` for a policy on such a pack)."""
        outputs_text = "" if outputs is None else _json.dumps(outputs, default=_json_default)
        if contract_signed_at is not None and not isinstance(contract_signed_at, str):
            raise TypeError("contract_signed_at must be a string (ISO 8601 date or timestamp)")
        return Decision(self._native.decide(proposal._native, actor_role, action, reason,
                                            decided_at, outputs_text, observations,
                                            legitimate_reason, contract_signed_at))

    def auto_decide(self, proposal: Proposal, decided_at: str) -> Optional[Decision]:
        """The deployment's decision for an evident proposal when it allows it, else None."""
        native = self._native.auto_decide(proposal._native, decided_at)
        return None if native is None else Decision(native)

    def notice(self, proposal: Proposal, decision: Optional[Decision] = None, *,
               lang: str = "fr") -> str:
        """The notice given to the person (articles L. 311-3-1 and R. 311-3-1-2 CRPA)."""
        return self._native.notice(proposal._native,
                                   None if decision is None else decision._native, lang)


def pseudonymise(key: bytes, person_id: str) -> str:
    """HMAC-SHA256 of the person's identifier under the deployment's key."""
    return _aiguillage.pseudonymise(key, person_id)


def decision_record(orienter: Orienter, proposal: Proposal, decision: Decision, *, key: bytes,
                    person_id: str, recorded_at: str, territory: str = "") -> str:
    """The decision record (canonical JSON, one line), the person pseudonymised under ``key``
    (at least 16 bytes)."""
    if not isinstance(key, (bytes, bytearray)):
        raise DecisionError("the pseudonymisation key must be bytes", -1, "invalid_argument")
    if len(key) < 16:
        raise DecisionError("the pseudonymisation key must have at least 16 bytes", -502,
                            "key_too_short")
    if not person_id:
        raise DecisionError("person_id is empty", -501, "identifier_missing")
    pseudonym = _aiguillage.pseudonymise(bytes(key), str(person_id))
    return _aiguillage.decision_record(orienter.pack._native, proposal._native,
                                       decision._native, pseudonym, territory, recorded_at)


class DecisionLog:
    """The append-only decision log, each line chained to the previous by SHA-256 and synced
    to disk. A damaged log is refused (:class:`LogError`) until an operator repairs it."""

    def __init__(self, path: Union[str, "_os.PathLike[str]"]):
        self.path = _os.fspath(path)
        self._native = _aiguillage.NativeDecisionLog(self.path)

    def append(self, record: Union[str, Mapping[str, Any]]) -> str:
        """Appends a record (JSON text or dict); returns the line's hash."""
        if not isinstance(record, str):
            record = _json.dumps(record, default=_json_default)
        return self._native.append(record)

    def __len__(self) -> int:
        return len(self._native)

    @property
    def last_hash(self) -> str:
        return self._native.last_hash

    def close(self) -> None:
        self._native = None

    def __enter__(self) -> "DecisionLog":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def verify_log(path: Union[str, "_os.PathLike[str]"], head: Optional[str] = None,
               lines: Optional[int] = None) -> Dict[str, Any]:
    """Verifies the chain of a log: ``{"ok", "lines", "first_bad", "torn_tail", "message",
    "last_hash"}``. A broken log is a result, not an exception. With ``head`` (a line hash kept
    outside the log, and optionally that line's number ``lines``) the log must still hold that
    line unchanged: truncation and a rewritten tail are detected."""
    return _aiguillage.verify_log(_os.fspath(path), head=head, lines=lines)


def read_log_records(path: Union[str, "_os.PathLike[str]"]) -> list:
    """The records of a verified log, as dicts (raises LogError when verification fails)."""
    return [_json.loads(r) for r in _aiguillage.read_log_records(_os.fspath(path))]


def replay_log(path: Union[str, "_os.PathLike[str]"], packs: Union[Registry, Pack]
               ) -> Dict[str, Any]:
    """Re-evaluates every logged decision: with the pack of the same hash from a registry
    (``identical`` / ``different`` / ``pack_missing``), or under another pack version, to show
    whom a rule change would move."""
    path = _os.fspath(path)
    if isinstance(packs, Pack):
        return _json.loads(_aiguillage.replay_log_against(path, packs._native))
    return _json.loads(_aiguillage.replay_log(path, packs._native))
