"""Rules that hold the chairside steps together (issue 10, "Safety at the chair").

* ``chair_blockers``: which of a patient's alerts stop check-in and start. An
  open suicide-risk alert, or any open alert of a high level (critical, stop,
  pause), blocks until a prescriber reviews it and records the decision
  (ADR 0016). A review that holds the infusion keeps the alert open and the
  chair blocked; only "proceed" closes it.
* ``check_review``: a review names a known decision and a real reason.
* ``infused_minutes`` / ``dose_given_mg`` / ``check_stop_complete``: "Stop:
  dose complete" before the planned infusion time is an early stop that needs
  a reason; what was given is the planned dose pro-rated by the time the pump
  ran (pauses excluded), never more than planned.
* ``check_cadss_completion``: CADSS has all of its items, or is recorded as
  incomplete with a reason (CLINICAL.md section 3).
* ``futility_instruments``: the futility review prompt follows the outcome
  instruments, PCL-5 and the clinic's chosen secondary, never CADSS
  (CLINICAL.md section 2, APA consensus summary; section 4 outcome definitions).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum

from clinical.errors import ClinicalError
from clinical.instants import utc
from clinical.weights import check_reason

HIGH_LEVELS = frozenset({"critical", "stop", "pause"})  # the alert levels that block the chair while open
SUICIDE_RISK = "suicide_risk"
OUTCOME_PRIMARY = "pcl5"
SECONDARY_CHOICES = ("phq9", "madrs", "caps5")  # the secondary instruments with an outcome rule (clinical.outcomes_rules)


class ReviewDecision(Enum):
    """What the prescriber decided about an alert before the chair."""

    PROCEED = "proceed"  # infusions may go ahead; the alert closes
    HOLD = "hold"  # no infusion until a later review; the alert stays open


@dataclass(frozen=True)
class AlertFact:
    """One alert of the patient as the gate sees it."""

    id: int
    kind: str
    level: str
    is_open: bool


def blocks_chair(alert: AlertFact) -> bool:
    """Whether one alert stops check-in and start: open, and suicide risk or a high level (ADR 0016)."""
    return alert.is_open and (alert.kind == SUICIDE_RISK or alert.level in HIGH_LEVELS)


def needs_prescriber_review(kind: str, level: str) -> bool:
    """Whether only a prescriber's review may close the alert: suicide risk and every critical alert (ADR 0016)."""
    return kind == SUICIDE_RISK or level == "critical"


def chair_blockers(alerts: Sequence[AlertFact]) -> list[AlertFact]:
    """The alerts that block the chair, suicide risk first (issue 10; ADR 0016)."""
    return sorted((a for a in alerts if blocks_chair(a)), key=lambda a: (a.kind != SUICIDE_RISK, a.id))


def check_review(decision: str, reason: str | None) -> tuple[ReviewDecision, str]:
    """Return the decision and the stripped reason of a prescriber's review, else refuse."""
    try:
        chosen = ReviewDecision(decision)
    except ValueError:
        raise ClinicalError("Choose the decision: proceed with infusions, or hold them.") from None
    return chosen, check_reason(reason, "The review")


@dataclass(frozen=True)
class StopCheck:
    """Stopping an infusion as 'dose complete': how long it ran, whether that is early, what was given."""

    infused_min: Decimal
    planned_min: Decimal
    early: bool
    given_mg: Decimal
    planned_mg: Decimal


def infused_minutes(started_at: datetime, ended_at: datetime, pauses: Sequence[tuple[datetime, datetime | None]]) -> Decimal:
    """Minutes the pump ran from start to end, pauses excluded (on UTC instants); a pause still open ends at the end."""
    start, end = utc(started_at, "The start"), utc(ended_at, "The end")
    if end < start:
        raise ClinicalError("The infusion cannot end before it started.")
    paused = timedelta(0)
    for begun, resumed in pauses:
        b = max(utc(begun, "A pause"), start)
        r = min(utc(resumed, "A resume") if resumed is not None else end, end)
        if r < b:
            raise ClinicalError("A pause cannot end before it began.")
        paused += r - b
    ran = end - start - paused
    if ran < timedelta(0):
        raise ClinicalError("The pauses are longer than the infusion.")
    return (Decimal(ran // timedelta(microseconds=1)) / 60_000_000).quantize(Decimal("0.1"), ROUND_HALF_UP)


def dose_given_mg(planned_mg: Decimal, planned_min: Decimal, infused_min: Decimal) -> Decimal:
    """The planned dose pro-rated by the minutes the pump ran at the planned rate, at most the planned dose (0.1 mg)."""
    if planned_mg < 0 or planned_min <= 0 or infused_min < 0:
        raise ClinicalError("The dose, the planned time and the time infused must be positive.")
    share = min(infused_min / planned_min, Decimal(1))
    return (planned_mg * share).quantize(Decimal("0.1"), ROUND_HALF_UP)


def check_stop_complete(*, planned_mg: Decimal, planned_min: Decimal, infused_min: Decimal,
                        reason: str | None, tolerance_min: Decimal = Decimal(0)) -> StopCheck:
    """Check 'Stop: dose complete': before the planned time (less the tolerance) it needs a reason (issue 10)."""
    if tolerance_min < 0:
        raise ClinicalError("The tolerance cannot be negative.")
    early = infused_min < planned_min - tolerance_min
    found = StopCheck(infused_min, planned_min, early, dose_given_mg(planned_mg, planned_min, infused_min), planned_mg)
    if early:
        check_reason(reason, f"Stopping after {infused_min} of {planned_min} min (before the planned time)")
    return found


def check_cadss_completion(answers: Sequence[int | None], n_items: int, reason: str | None) -> str:
    """All items answered (returns ""), or an explicit incomplete record with a reason (returns the reason)."""
    if len(answers) != n_items:
        raise ClinicalError(f"The CADSS has {n_items} items; {len(answers)} were given.")
    missing = sum(1 for a in answers if a is None)
    if missing == n_items:
        raise ClinicalError("Answer the CADSS items before saving.")
    if missing == 0:
        return ""
    return check_reason(reason, f"An incomplete CADSS ({missing} of {n_items} items unanswered)")


def futility_instruments(secondary: str) -> tuple[str, ...]:
    """The instruments whose lack of response prompts the futility review: PCL-5 and the chosen secondary."""
    if secondary not in SECONDARY_CHOICES:
        raise ClinicalError(f"The secondary outcome must be one of {', '.join(SECONDARY_CHOICES)}; "
                            "CADSS measures dissociation, not outcome.")
    return (OUTCOME_PRIMARY, secondary)
