"""Questionnaire instruments as data, and their scoring (CLINICAL.md s4, s5).

    >>> from clinical.instruments import score
    >>> score("phq9", [1] * 9).band
    'mild'

Public API: `score`, `ScoreResult` (with `as_dict()`), `INSTRUMENTS`,
`get_instrument`, `parse_items`, `wording_from_questionnaire`, and the
definition dataclasses in `clinical.instruments.model`.
"""

from clinical.instruments.model import Flag, Instrument, Output, RiskLevel
from clinical.instruments.parsing import parse_items
from clinical.instruments.registry import INSTRUMENTS, get_instrument
from clinical.instruments.result import JsonValue, ProvisionalDiagnosis, ScoreResult
from clinical.instruments.scoring import (
    DEFAULT_PCL5_CUTPOINT,
    PCL5_CUTPOINT_RANGE,
    score,
    score_instrument,
)
from clinical.instruments.wording import wording_from_questionnaire

__all__ = [
    "DEFAULT_PCL5_CUTPOINT",
    "INSTRUMENTS",
    "PCL5_CUTPOINT_RANGE",
    "Flag",
    "Instrument",
    "JsonValue",
    "Output",
    "ProvisionalDiagnosis",
    "RiskLevel",
    "ScoreResult",
    "get_instrument",
    "parse_items",
    "score",
    "score_instrument",
    "wording_from_questionnaire",
]
