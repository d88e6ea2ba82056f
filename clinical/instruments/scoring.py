"""Score answers to any instrument from its definition (CLINICAL.md s4)."""

from collections.abc import Sequence
from statistics import fmean

from clinical.errors import ClinicalError
from clinical.instruments.model import (
    Aggregate,
    Flag,
    Instrument,
    Output,
    RiskLevel,
    Subscale,
    TotalRule,
)
from clinical.instruments.registry import get_instrument
from clinical.instruments.result import ProvisionalDiagnosis, ScoreResult, SubscaleValue
from clinical.instruments.rules import bounded, fill_missing, meets_cluster_rule, risk_level
from clinical.instruments.validation import Answers, is_enabled, validate_answers

# PCL-5 cut-point: Policy within 31-33, default 33 (CLINICAL.md s4).
DEFAULT_PCL5_CUTPOINT = 33
PCL5_CUTPOINT_RANGE = (31, 33)


def score(
    instrument_id: str,
    values: Sequence[int | None],
    *,
    cutpoint: int = DEFAULT_PCL5_CUTPOINT,
) -> ScoreResult:
    """Score answers (None = missing) for a registered instrument; raise ClinicalError."""
    return score_instrument(get_instrument(instrument_id), values, cutpoint=cutpoint)


def score_instrument(
    instrument: Instrument,
    values: Sequence[int | None],
    *,
    cutpoint: int = DEFAULT_PCL5_CUTPOINT,
) -> ScoreResult:
    """Score answers against an instrument definition; never prorate, never clamp."""
    _check_cutpoint(cutpoint)
    answers = validate_answers(instrument, values)
    total = _total(instrument, answers)
    missing = _missing(instrument, answers)
    return ScoreResult(
        instrument=instrument.id,
        complete=not missing,
        total=total,
        total_mean=_total_mean(instrument, answers),
        subscales={s.id: _subscale(instrument, s, answers) for s in instrument.subscales},
        band=_band(instrument, total),
        flags=_flags(instrument, answers),
        answers=answers,
        missing=missing,
        outputs=instrument.outputs,
        provisional_diagnosis=_provisional(instrument, answers, cutpoint),
        diagnosis=_diagnosis(instrument, answers),
        risk_level=_risk(instrument, answers),
    )


def _check_cutpoint(cutpoint: int) -> None:
    low, high = PCL5_CUTPOINT_RANGE
    if isinstance(cutpoint, bool) or not isinstance(cutpoint, int) or not low <= cutpoint <= high:
        raise ClinicalError(f"PCL-5 cut-point must be a whole number from {low} to {high}, got {cutpoint!r}.")


def _missing(instrument: Instrument, answers: Answers) -> tuple[str, ...]:
    """Return required items that were asked (per skip logic) but left blank."""
    return tuple(
        item.id
        for item, value in zip(instrument.items, answers, strict=True)
        if value is None and item.required and is_enabled(instrument, item, answers)
    )


def _scored_values(instrument: Instrument, answers: Answers) -> list[int | None]:
    return [v for item, v in zip(instrument.items, answers, strict=True) if item.scored]


def _total(instrument: Instrument, answers: Answers) -> int | None:
    """Sum the scored items; None if any is blank (no prorating, CLINICAL.md s4)."""
    values = _scored_values(instrument, answers)
    if instrument.total_rule is TotalRule.NONE or None in values:
        return None
    return sum(v for v in values if v is not None)


def _total_mean(instrument: Instrument, answers: Answers) -> float | None:
    """Return the mean of the answered scored items, None if none (CLINICAL.md s4, IES-R)."""
    if instrument.total_rule is TotalRule.NONE:
        return None
    return _mean(_scored_values(instrument, answers))


def _subscale(instrument: Instrument, sub: Subscale, answers: Answers) -> SubscaleValue:
    """Sum (None if any blank) or mean of answered items (CLINICAL.md s4)."""
    values = [answers[instrument.position(i)] for i in sub.item_ids]
    if sub.aggregate is Aggregate.MEAN:
        return _mean(values)
    return None if None in values else sum(v for v in values if v is not None)


def _mean(values: list[int | None]) -> float | None:
    answered = [v for v in values if v is not None]
    return fmean(answered) if answered else None


def _band(instrument: Instrument, total: int | None) -> str | None:
    if total is None:
        return None
    return next((b.label for b in instrument.bands if b.low <= total <= b.high), None)


def _flags(instrument: Instrument, answers: Answers) -> tuple[Flag, ...]:
    """Raise item flags whatever the total, and the risk flag at the lowest possible level."""
    raised = [
        f.flag
        for f in instrument.item_flags
        if (v := answers[instrument.position(f.item_id)]) is not None and v >= f.at_least
    ]
    rule = instrument.risk_rule
    if rule is not None:
        # Blanks at their lowest: a level the answers already prove (CLINICAL.md s4, C-SSRS).
        floor = risk_level(instrument, rule, fill_missing(instrument, answers, highest=False))
        if floor >= rule.flag_at:
            raised.append(rule.flag)
    return tuple(dict.fromkeys(raised))


def _provisional(instrument: Instrument, answers: Answers, cutpoint: int) -> ProvisionalDiagnosis | None:
    """PCL-5: DSM rule and cut-point (total >= cutpoint), reported apart (CLINICAL.md s4)."""
    if Output.PROVISIONAL_DIAGNOSIS not in instrument.outputs:
        return None
    rule = instrument.cluster_rule
    dsm = (
        None
        if rule is None
        else bounded(instrument, answers, lambda a: meets_cluster_rule(instrument, rule, a))
    )
    by_cut = bounded(instrument, answers, lambda a: _sum_scored(instrument, a) >= cutpoint)
    return ProvisionalDiagnosis(dsm_rule=dsm, cutpoint=by_cut, cutpoint_used=cutpoint)


def _diagnosis(instrument: Instrument, answers: Answers) -> bool | None:
    """CAPS-5: DSM cluster rule and criteria F and G all met (CLINICAL.md s4)."""
    rule = instrument.cluster_rule
    if Output.DIAGNOSIS not in instrument.outputs or rule is None:
        return None
    return bounded(instrument, answers, lambda a: meets_cluster_rule(instrument, rule, a))


def _risk(instrument: Instrument, answers: Answers) -> RiskLevel | None:
    """C-SSRS risk level, None while blanks could still change it (CLINICAL.md s4)."""
    rule = instrument.risk_rule
    if rule is None:
        return None
    return bounded(instrument, answers, lambda a: risk_level(instrument, rule, a))


def _sum_scored(instrument: Instrument, answers: Answers) -> int:
    return sum(v for v in _scored_values(instrument, answers) if v is not None)
