"""Classify a course's scores as response, remission, loss of response and futility.

Definitions are clinic settings, named in every report (CLINICAL.md section 4,
"Outcome definitions"); the futility prompt follows the APA consensus summary
(CLINICAL.md section 2). Clinic-level proportions carry a Wilson 95% interval
and say plainly when the sample is too small to compare (CLINICAL.md
section 1).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_DOWN, Decimal

from clinical.errors import ClinicalError

PCL5 = "pcl5"  # instrument id used by clinical.instruments
PCL5_CUTPOINT_RANGE = (31, 33)  # Policy within 31-33 (CLINICAL.md section 4)
WILSON_Z_95 = 1.959963984540054  # two-sided 95% normal quantile


@dataclass(frozen=True)
class OutcomeDefinitions:
    """Outcome definitions in force (CLINICAL.md sections 2 and 4; every value is Policy).

    ``response_pcl5_points`` None turns the points criterion off.
    """

    response_pct_reduction: int = 30
    response_pcl5_points: int | None = 10
    remission_cutpoint: int = 33
    futility_after_infusions: int = 3
    min_n_to_compare: int = 10

    def __post_init__(self) -> None:
        if not 0 < self.response_pct_reduction <= 100:
            raise ClinicalError("The response reduction must be between 1 and 100 percent.")
        if self.response_pcl5_points is not None and not 0 < self.response_pcl5_points <= 80:
            raise ClinicalError("The PCL-5 response drop must be between 1 and 80 points.")
        low, high = PCL5_CUTPOINT_RANGE
        if not low <= self.remission_cutpoint <= high:
            raise ClinicalError(f"The PCL-5 cut-point must be from {low} to {high}.")
        if self.futility_after_infusions < 1 or self.min_n_to_compare < 1:
            raise ClinicalError("Futility infusions and the minimum sample must be at least 1.")

    def describe(self) -> str:
        """Name the definitions in force in one line, to show beside every label."""
        points = (
            f" or a drop of >= {self.response_pcl5_points} PCL-5 points"
            if self.response_pcl5_points is not None else ""
        )
        return (
            f"Response: >= {self.response_pct_reduction}% reduction from course baseline{points}; "
            f"remission: PCL-5 total < {self.remission_cutpoint}; "
            "loss of response: first later assessment not meeting response; "
            f"review prompt: no response after {self.futility_after_infusions} infusions."
        )


@dataclass(frozen=True)
class ScorePoint:
    """One assessment's total; ``index`` is the caller's reference to it (e.g. its id)."""

    assessed_at: datetime
    total: Decimal | int
    index: int

    def __post_init__(self) -> None:
        _require_aware(self.assessed_at, "An assessment time")
        if isinstance(self.total, bool) or not Decimal(self.total).is_finite() or self.total < 0:
            raise ClinicalError(f"Assessment {self.index}: total must be a number >= 0.")


@dataclass(frozen=True)
class PointOutcome:
    """One assessment compared with the course baseline.

    ``change_pct`` is None when the baseline is 0; it is truncated toward zero
    at one decimal so a shown value never crosses a threshold the exact one
    does not (decisions use the exact value).
    """

    index: int
    assessed_at: datetime
    total: Decimal
    infusions_before: int
    change_points: Decimal
    change_pct: Decimal | None
    response: bool
    remission: bool | None


@dataclass(frozen=True)
class CourseOutcome:
    """The course's classification for its own chart, with the definitions it used.

    ``responder`` says some assessment met response (the chart's flag). The clinic
    report judges response and remission at the end-of-course assessment only, over
    ITT and completers (clinical/outcomes_rules.py, clinical/outcomes_report.py).
    """

    baseline: ScorePoint
    points: tuple[PointOutcome, ...]
    responder: bool
    first_response_at: datetime | None
    loss_of_response_at: datetime | None
    currently_responding: bool | None
    currently_remitted: bool | None
    review_prompt: bool
    definitions: str


def _require_aware(value: datetime, what: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ClinicalError(f"{what} must carry a time zone (got {value.isoformat()}).")


def course_baseline(points: Sequence[ScorePoint], infusion_times: Sequence[datetime]) -> ScorePoint:
    """Return the last score before the first infusion (CLINICAL.md section 4)."""
    if not infusion_times:
        raise ClinicalError("A course baseline needs the first infusion's time.")
    first = min(infusion_times)
    before = [p for p in points if p.assessed_at < first]
    if not before:
        raise ClinicalError("No assessment before the first infusion: the course has no baseline.")
    return max(before, key=lambda p: p.assessed_at)


def _is_response(baseline: Decimal, total: Decimal, defs: OutcomeDefinitions, pcl5: bool) -> bool:
    # Response: >= 30% reduction from baseline or >= 10-point PCL-5 drop (CLINICAL.md s4).
    drop = baseline - total
    by_pct = baseline > 0 and drop * 100 >= defs.response_pct_reduction * baseline
    by_points = pcl5 and defs.response_pcl5_points is not None and drop >= defs.response_pcl5_points
    return bool(by_pct or by_points)


def _change_pct(baseline: Decimal, total: Decimal) -> Decimal | None:
    if baseline == 0:
        return None
    return ((total - baseline) * 100 / baseline).quantize(Decimal("0.1"), rounding=ROUND_DOWN)


def classify_point(
    point: ScorePoint,
    baseline: ScorePoint,
    infusion_times: Sequence[datetime],
    defs: OutcomeDefinitions,
    instrument: str,
) -> PointOutcome:
    """Compare one assessment with the course baseline (CLINICAL.md section 4)."""
    base, total = Decimal(baseline.total), Decimal(point.total)
    pcl5 = instrument == PCL5
    return PointOutcome(
        index=point.index,
        assessed_at=point.assessed_at,
        total=total,
        infusions_before=sum(1 for t in infusion_times if t < point.assessed_at),
        change_points=total - base,
        change_pct=_change_pct(base, total),
        response=_is_response(base, total, defs, pcl5),
        # Remission: PCL-5 total below the cut-point, only for a baseline at or above it (CLINICAL.md s4).
        remission=(total < defs.remission_cutpoint if base >= defs.remission_cutpoint else None) if pcl5 else None,
    )


def _check_series(
    points: Sequence[ScorePoint], baseline: ScorePoint, infusion_times: Sequence[datetime]
) -> None:
    for at in infusion_times:
        _require_aware(at, "An infusion time")
    if infusion_times and baseline.assessed_at >= min(infusion_times):
        raise ClinicalError("The course baseline must be assessed before the first infusion.")
    times = [p.assessed_at for p in points]
    if len(set(times)) != len(times):
        raise ClinicalError("Two assessments of one instrument share the same time.")


def _loss_after(outcomes: Sequence[PointOutcome], first: PointOutcome | None) -> datetime | None:
    # Loss of response: first later assessment no longer meeting response (CLINICAL.md s4).
    if first is None:
        return None
    later = (o for o in outcomes if o.assessed_at > first.assessed_at and not o.response)
    return next((o.assessed_at for o in later), None)


def classify_course(
    points: Sequence[ScorePoint],
    baseline: ScorePoint,
    infusion_times: Sequence[datetime],
    defs: OutcomeDefinitions,
    instrument: str,
) -> CourseOutcome:
    """Classify every assessment after the baseline and the course as a whole.

    Points at or before the baseline are not classified. ``review_prompt`` is
    set when an assessment after ``futility_after_infusions`` infusions exists
    and no assessment has met response (APA consensus, CLINICAL.md section 2).
    """
    _check_series(points, baseline, infusion_times)
    later = sorted((p for p in points if p.assessed_at > baseline.assessed_at),
                   key=lambda p: p.assessed_at)
    outcomes = tuple(classify_point(p, baseline, infusion_times, defs, instrument) for p in later)
    first = next((o for o in outcomes if o.response), None)
    last = outcomes[-1] if outcomes else None
    futile_window = any(o.infusions_before >= defs.futility_after_infusions for o in outcomes)
    return CourseOutcome(
        baseline=baseline,
        points=outcomes,
        responder=first is not None,
        first_response_at=None if first is None else first.assessed_at,
        loss_of_response_at=_loss_after(outcomes, first),
        currently_responding=None if last is None else last.response,
        currently_remitted=None if last is None else last.remission,
        review_prompt=first is None and futile_window,
        definitions=defs.describe(),
    )


@dataclass(frozen=True)
class Proportion:
    """A proportion with its Wilson 95% confidence interval."""

    successes: int
    n: int
    estimate: float
    low: float
    high: float


def proportion_ci(successes: int, n: int) -> Proportion:
    """Return the proportion and its Wilson score 95% interval (CLINICAL.md section 1)."""
    if n < 1 or not 0 <= successes <= n:
        raise ClinicalError(f"A proportion needs 0 <= successes <= n and n >= 1 (got {successes}/{n}).")
    z2 = WILSON_Z_95**2
    centre = 2 * successes + z2
    spread = WILSON_Z_95 * math.sqrt(z2 + 4 * successes * (n - successes) / n)
    denominator = 2 * (n + z2)
    low = 0.0 if successes == 0 else (centre - spread) / denominator
    high = 1.0 if successes == n else (centre + spread) / denominator
    return Proportion(successes, n, successes / n, low, high)


@dataclass(frozen=True)
class ResponseSummary:
    """A clinic's response figure, ready to set beside the published studies."""

    responders: int
    n: int
    proportion: Proportion | None
    comparable: bool
    text: str
    definitions: str


def _pct(value: float) -> str:
    return f"{value * 100:.0f}%"


def summarize(responders: int, n: int, defs: OutcomeDefinitions) -> ResponseSummary:
    """Summarize responders out of n, saying when n is too small to compare (Policy minimum)."""
    if n == 0:
        text = "No completed courses yet: too small to compare."
        return ResponseSummary(responders, n, None, False, text, defs.describe())
    p = proportion_ci(responders, n)
    text = f"{responders} of {n} responded ({_pct(p.estimate)}, 95% CI {_pct(p.low)} to {_pct(p.high)})"
    comparable = n >= defs.min_n_to_compare
    if not comparable:
        text += f"; too small to compare (n < {defs.min_n_to_compare})"
    return ResponseSummary(responders, n, p, comparable, text + ".", defs.describe())
