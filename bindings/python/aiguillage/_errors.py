"""The exception hierarchy. Every error carries the library's pinned code (negative, grouped by
hundreds per layer, the same numbers as the C API's ``AIG_ERR_*``), its stable name, and the
JSON pointer of the offending place ("" for the root)."""

from __future__ import annotations


class Error(Exception):
    """Base class of every aiguillage error."""

    def __init__(self, message: str, code: int = -4, name: str = "internal",
                 pointer: str = "", column: int = 0):
        super().__init__(message)
        self.message = message
        self.code = code
        self.name = name
        self.pointer = pointer
        self.column = column

    def __str__(self) -> str:
        where = f" at {self.pointer}" if self.pointer else ""
        return f"{self.name}{where}: {self.message}"

    def __reduce__(self):
        return (type(self), (self.message, self.code, self.name, self.pointer, self.column))


class PackLoadError(Error):
    """A pack could not be read, parsed, type-checked or compiled."""


class InputError(Error, ValueError):
    """A record or a column does not fit the pack's inputs (type, bounds, closed lists)."""


class EvaluationError(Error):
    """The evaluation itself failed (a broken hit policy, a missing reference date...)."""


class VersionSelectionError(Error, LookupError):
    """No pack version, or more than one, is valid at the requested date."""


class DecisionError(Error, ValueError):
    """A decision was refused (no reason for an override, unknown outputs, a rejected person)."""


class HumanDecisionRequiredError(DecisionError):
    """The pack's outcomes are never decided by a deployment's policy (code -301): a human
    actor must confirm or override."""


class AuditError(Error):
    """A decision record could not be made."""


class LogError(AuditError):
    """The decision log cannot be opened, written, verified or replayed."""


# Codes added with the hardening of inputs (pinned like every code; see error.hpp).
RESOURCE_EXHAUSTED = -6
CANCELLED = -7
TOO_LONG = -109
TOO_DEEP = -116
IDENTIFIER_MISSING = -501
KEY_TOO_SHORT = -502
INVALID_TIMESTAMP = -503
INVALID_ACTOR = -504
ANCHOR_MISMATCH = -505


_BY_KIND = {cls.__name__: cls for cls in (
    Error, PackLoadError, InputError, EvaluationError, VersionSelectionError, DecisionError,
    AuditError, LogError, HumanDecisionRequiredError)}


def error_class(kind: str, code: int) -> type:
    """The class for an error raised in a context (``kind``) with a code: selection codes are
    always VersionSelectionError, input codes met during evaluation are InputError."""
    if code in (-208, -209):
        return VersionSelectionError
    if code == -301:
        return HumanDecisionRequiredError
    if kind == "EvaluationError" and -199 <= code <= -100:
        return InputError
    if kind == "Error" and -199 <= code <= -100:
        return InputError
    return _BY_KIND.get(kind, Error)
