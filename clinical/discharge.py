"""Decide whether a patient may leave after an infusion.

Rules from CLINICAL.md section 3: a modified Aldrete score (5 items x 0-2)
ready at >= 9, or PADSS >= 9 as the alternative; a responsible adult escort
(product label); and a minimum observation time after the infusion ends
(Policy, default 60 min). Every unmet condition is listed; a prescriber may
override with a written reason, which the decision records.

The scales are data (items and their range), in the project's own short
labels. PADSS's surgical-bleeding item is scored like any other: after an
infusion with no procedure it is normally 2, but the clinician records it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from clinical.errors import ClinicalError
from clinical.instants import utc


class ScoreKind(Enum):
    """Which discharge score was used."""

    ALDRETE = "aldrete"
    PADSS = "padss"


@dataclass(frozen=True)
class ScoreItem:
    """One item of a discharge score: a key, a short label, its maximum."""

    key: str
    label: str
    max_score: int = 2


@dataclass(frozen=True)
class DischargeScale:
    """A discharge score's items (CLINICAL.md section 3)."""

    kind: ScoreKind
    items: tuple[ScoreItem, ...]

    @property
    def max_total(self) -> int:
        return sum(item.max_score for item in self.items)


# Modified Aldrete: 5 items x 0-2 (CLINICAL.md section 3).
ALDRETE = DischargeScale(
    ScoreKind.ALDRETE,
    (
        ScoreItem("activity", "Activity"),
        ScoreItem("respiration", "Respiration"),
        ScoreItem("circulation", "Circulation"),
        ScoreItem("consciousness", "Consciousness"),
        ScoreItem("spo2", "Oxygen saturation"),
    ),
)
# PADSS: 5 criteria x 0-2, total 0-10 (CLINICAL.md section 3).
PADSS = DischargeScale(
    ScoreKind.PADSS,
    (
        ScoreItem("vital_signs", "Vital signs"),
        ScoreItem("ambulation", "Activity and walking"),
        ScoreItem("nausea_vomiting", "Nausea and vomiting"),
        ScoreItem("pain", "Pain"),
        ScoreItem("surgical_bleeding", "Bleeding (2 when there was no procedure)"),
    ),
)
SCALES: Mapping[ScoreKind, DischargeScale] = {ScoreKind.ALDRETE: ALDRETE, ScoreKind.PADSS: PADSS}


@dataclass(frozen=True, kw_only=True)
class DischargePolicy:
    """Clinic settings for discharge (CLINICAL.md section 3; defaults shown).

    The 60 min observation is Policy; "ready at >= 9" is the published
    cut-off of both scores, kept editable like every threshold.
    """

    min_observation_min: int = 60
    aldrete_ready_at: int = 9
    padss_ready_at: int = 9

    def __post_init__(self) -> None:
        for name in ("min_observation_min", "aldrete_ready_at", "padss_ready_at"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise ClinicalError(f"{name} must be a whole number, not {type(value).__name__}.")
        if self.min_observation_min < 0:
            raise ClinicalError("The minimum observation time cannot be negative.")
        for kind, ready_at in ((ScoreKind.ALDRETE, self.aldrete_ready_at), (ScoreKind.PADSS, self.padss_ready_at)):
            if not 0 < ready_at <= SCALES[kind].max_total:
                raise ClinicalError(
                    f"The {kind.value} threshold must be between 1 and {SCALES[kind].max_total}; got {ready_at}."
                )

    def ready_at(self, kind: ScoreKind) -> int:
        """Return the threshold for a score kind."""
        return self.aldrete_ready_at if kind is ScoreKind.ALDRETE else self.padss_ready_at


DEFAULT_POLICY = DischargePolicy()


@dataclass(frozen=True, kw_only=True)
class DischargeDecision:
    """Whether the patient may leave, every unmet condition, and any override."""

    allowed: bool
    score_kind: ScoreKind
    total_score: int
    ready_at: int
    reasons: tuple[str, ...]
    observation_remaining_min: int
    overridden: bool
    override_reason: str | None
    policy: DischargePolicy


def score_total(kind: ScoreKind, item_scores: Mapping[str, int]) -> int:
    """Return the total of a discharge score, refusing missing, unknown or out-of-range items."""
    scale = SCALES[kind]
    keys = {item.key for item in scale.items}
    missing = sorted(keys - item_scores.keys())
    unknown = sorted(item_scores.keys() - keys)
    if missing or unknown:
        raise ClinicalError(
            f"The {kind.value} score needs exactly its {len(keys)} items; "
            f"missing: {', '.join(missing) or 'none'}; unknown: {', '.join(unknown) or 'none'}."
        )
    for item in scale.items:
        value = item_scores[item.key]
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= item.max_score:
            raise ClinicalError(f"{item.label} must be scored 0 to {item.max_score}; got {value!r}.")
    return sum(item_scores[item.key] for item in scale.items)


def _require_aware(name: str, value: datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ClinicalError(f"{name} must be a timezone-aware datetime.")


def _observation_remaining_min(infusion_ended_at: datetime, now: datetime, min_observation_min: int) -> int:
    """Return whole minutes of observation still owed, rounded up (0 once the time has passed)."""
    _require_aware("infusion_ended_at", infusion_ended_at)
    _require_aware("now", now)
    # On instants: 40 real minutes across a daylight-saving change are 40, not 100 or -20 (clinical.instants).
    infusion_ended_at, now = utc(infusion_ended_at), utc(now)
    if infusion_ended_at > now:
        raise ClinicalError(
            f"The infusion end ({infusion_ended_at.isoformat()}) is after now ({now.isoformat()})."
        )
    remaining = infusion_ended_at + timedelta(minutes=min_observation_min) - now
    if remaining <= timedelta(0):
        return 0
    return -(-remaining // timedelta(minutes=1))


def evaluate_discharge(
    score_kind: ScoreKind,
    item_scores: Mapping[str, int],
    *,
    escort_confirmed: bool,
    infusion_ended_at: datetime,
    now: datetime,
    policy: DischargePolicy = DEFAULT_POLICY,
    override_reason: str | None = None,
) -> DischargeDecision:
    """Decide discharge: score at threshold, escort, observation time (CLINICAL.md section 3).

    Allowed when nothing is unmet, or when a prescriber gives a written
    (non-blank) override reason; the decision then records the override and
    still lists what was unmet.
    """
    if not isinstance(escort_confirmed, bool):
        raise ClinicalError("escort_confirmed must be True or False.")
    total = score_total(score_kind, item_scores)
    ready_at = policy.ready_at(score_kind)
    remaining = _observation_remaining_min(infusion_ended_at, now, policy.min_observation_min)
    reasons = []
    if total < ready_at:
        reasons.append(f"The {score_kind.value} score is {total}, below the discharge threshold of {ready_at}.")
    if not escort_confirmed:
        reasons.append("No responsible adult escort is confirmed.")
    if remaining:
        reasons.append(
            f"Observation time not yet elapsed: {remaining} min remaining of the "
            f"{policy.min_observation_min} min minimum after the infusion ended."
        )
    reason = override_reason.strip() if override_reason else ""
    overridden = bool(reasons) and bool(reason)
    return DischargeDecision(
        allowed=not reasons or overridden,
        score_kind=score_kind,
        total_score=total,
        ready_at=ready_at,
        reasons=tuple(reasons),
        observation_remaining_min=remaining,
        overridden=overridden,
        override_reason=reason if overridden else None,
        policy=policy,
    )
