"""aiguillage: orientation of job seekers by rules kept as data, with explanations.

    >>> import aiguillage
    >>> pack = aiguillage.Pack.load("rules/orientation/fr-2025")
    >>> pack.evaluate({"birth_date": "2001-04-02", ...}, date="2025-03-01")
    {'status': 'complete', 'outputs': {...}, 'fired': {...}}
    >>> result = pack.evaluate_batch(df, date="2025-03-01")   # dict of columns
    >>> pandas.DataFrame(result)

Matching (``Referential``, ``Offers``, ``Profiles``, ``score``, ``explain``, ``OfferBank``,
``CompetenceIndex``, the assignment solvers) is described in docs/python.md.

Errors are instances of :class:`aiguillage.Error` (``.code``, ``.name``, ``.pointer``).
"""

from ._errors import (
    AuditError,
    DecisionError,
    HumanDecisionRequiredError,
    Error,
    EvaluationError,
    InputError,
    LogError,
    PackLoadError,
    VersionSelectionError,
)
from ._matching import (
    CompetenceIndex,
    Explanation,
    InfeasibleError,
    MatchingError,
    MatchingInputError,
    Offer,
    OfferBank,
    Offers,
    Profile,
    ProfileBank,
    Profiles,
    Referential,
    ReferentialError,
    Scoring,
    bundled_referential_dir,
    data_dir,
    explain,
    explanation_frame,
    linear_sum_assignment,
    score,
    solve_assignment,
    solve_capacitated_assignment,
    solve_sparse_assignment,
    stable_matching,
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
from ._report import Report, report

__version__ = engine_version

__all__ = [
    "AuditError",
    "CompetenceIndex",
    "Decision",
    "DecisionError",
    "HumanDecisionRequiredError",
    "DecisionLog",
    "Error",
    "EvaluationError",
    "Explanation",
    "InfeasibleError",
    "InputError",
    "LogError",
    "MatchingError",
    "MatchingInputError",
    "Offer",
    "OfferBank",
    "Offers",
    "Orienter",
    "Pack",
    "PackLoadError",
    "Profile",
    "ProfileBank",
    "Profiles",
    "Proposal",
    "Referential",
    "ReferentialError",
    "Registry",
    "Scoring",
    "VersionSelectionError",
    "bundled_referential_dir",
    "data_dir",
    "decision_record",
    "engine_version",
    "explain",
    "explanation_frame",
    "linear_sum_assignment",
    "pseudonymise",
    "read_log_records",
    "replay_log",
    "report",
    "Report",
    "score",
    "solve_assignment",
    "solve_capacitated_assignment",
    "solve_sparse_assignment",
    "stable_matching",
    "verify_log",
]
