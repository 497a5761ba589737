"""aiguillage: orientation of job seekers by rules kept as data, with explanations.

    >>> import aiguillage
    >>> pack = aiguillage.Pack.load("rules/orientation/fr-2025")
    >>> pack.evaluate({"birth_date": "2001-04-02", ...}, date="2025-03-01")
    {'status': 'complete', 'outputs': {...}, 'fired': {...}}
    >>> result = pack.evaluate_batch(df, date="2025-03-01")   # dict of columns
    >>> pandas.DataFrame(result)

Errors are instances of :class:`aiguillage.Error` (``.code``, ``.name``, ``.pointer``).
"""

from ._errors import (
    AuditError,
    DecisionError,
    Error,
    EvaluationError,
    InputError,
    LogError,
    PackLoadError,
    VersionSelectionError,
)
from ._core import (
    Decision,
    DecisionLog,
    Orienter,
    Pack,
    Proposal,
    Registry,
    decision_record,
    engine_version,
    pseudonymise,
    read_log_records,
    replay_log,
    verify_log,
)

__version__ = engine_version

__all__ = [
    "AuditError",
    "Decision",
    "DecisionError",
    "DecisionLog",
    "Error",
    "EvaluationError",
    "InputError",
    "LogError",
    "Orienter",
    "Pack",
    "PackLoadError",
    "Proposal",
    "Registry",
    "VersionSelectionError",
    "decision_record",
    "engine_version",
    "pseudonymise",
    "read_log_records",
    "replay_log",
    "verify_log",
]
