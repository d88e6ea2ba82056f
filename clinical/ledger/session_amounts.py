"""What a session drew, what it gave and what it may waste (CLINICAL.md sections 2 and 6; ADR 0015).

Three rules tie the chair to the safe:

- **Draw before start.** A session starts only when what was drawn for it covers
  the verified dose, give or take the clinic's reconciliation tolerance (Policy,
  default 0.5 mg: a dose of 40.7 mg at 50 mg/mL is drawn as 0.81 mL = 40.5 mg,
  the nearest 0.01 mL a syringe can measure).
- **What was given.** The pump runs the bag at the set rate only while the
  infusion runs: given volume = rate x infusing time, where infusing time is
  start to stop minus every pause; or the volume the pump shows, which the
  nurse confirms. The bag holds the whole dose (bag concentration = total mg /
  bag volume, CLINICAL.md section 2), so given mg = total mg x given volume /
  bag volume, never more than the bag. Rounded once, half-up to 0.01 mg (the
  ledger's quantum, clinical.ledger.quantities).
- **Waste bound.** Leftover is what was drawn and not given: a waste may be at
  most drawn - administered - already wasted (21 CFR 1304.22(c) records every
  disposal; 79 FR 53519 wastage). A larger one is refused with the figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from clinical.errors import ClinicalError
from clinical.ledger.quantities import MG_QUANTUM, ML_QUANTUM, ZERO

Pause = tuple[datetime, datetime | None]
"""(paused at, resumed at); None = still paused when the infusion stopped."""


@dataclass(frozen=True)
class GivenAmount:
    """What the patient received, how it was worked out, and the sums shown."""

    mg: Decimal
    volume_ml: Decimal
    infusing_min: Decimal | None
    """Start to stop minus pauses (None when the nurse confirmed the pump's volume)."""
    source: str
    """'rate_time' or 'pump_volume'."""
    steps: tuple[str, ...]


def _aware(value: datetime, what: str) -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise ClinicalError(f"{what} must be a time with a time zone, got {value!r}.")
    return value.astimezone(UTC)  # an instant: same-zone subtraction would follow the wall clock across DST


def infusing_minutes(started_at: datetime, ended_at: datetime, pauses: Sequence[Pause] = ()) -> Decimal:
    """Minutes the pump ran: start to stop, on UTC instants, minus every pause (an open pause runs to the stop)."""
    start, end = _aware(started_at, "The start"), _aware(ended_at, "The stop")
    if end < start:
        raise ClinicalError(f"The stop ({end.isoformat()}) is before the start ({start.isoformat()}).")
    paused = timedelta(0)
    previous = start
    for number, (paused_at, resumed_at) in enumerate(pauses, start=1):
        p = _aware(paused_at, f"Pause {number}")
        r = end if resumed_at is None else _aware(resumed_at, f"Resume {number}")
        if p < previous or r < p or r > end:
            raise ClinicalError(f"Pause {number} ({p.isoformat()} to {r.isoformat()}) is not within the infusion "
                                "after the pause before it.")
        paused += r - p
        previous = r
    return Decimal((end - start - paused) // timedelta(microseconds=1)) / Decimal(60_000_000)


def _positive(value: Decimal, what: str) -> Decimal:
    if not isinstance(value, Decimal) or not value.is_finite() or value <= 0:
        raise ClinicalError(f"{what} must be a positive number, got {value!r}.")
    return value


def _mg_of_volume(volume_ml: Decimal, total_mg: Decimal, bag_volume_ml: Decimal) -> Decimal:
    return (total_mg * volume_ml / bag_volume_ml).quantize(MG_QUANTUM, rounding=ROUND_HALF_UP)


def given_by_rate(*, rate_ml_per_h: Decimal, total_mg: Decimal, bag_volume_ml: Decimal, started_at: datetime,
                  ended_at: datetime, pauses: Sequence[Pause] = ()) -> GivenAmount:
    """Return the mg given: rate x infusing time (pauses excluded), at most the whole bag."""
    rate = _positive(rate_ml_per_h, "The pump rate")
    total, bag = _positive(total_mg, "The total dose"), _positive(bag_volume_ml, "The bag volume")
    minutes = infusing_minutes(started_at, ended_at, pauses)
    run = rate * minutes / Decimal(60)
    volume = min(run, bag)
    mg = _mg_of_volume(volume, total, bag)
    shown = volume.quantize(ML_QUANTUM, rounding=ROUND_HALF_UP)
    steps = (f"infusing time = {minutes.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)} min (pauses excluded)",
             f"volume = {rate} mL/h x {minutes.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)} min / 60"
             + (f" = {run.quantize(ML_QUANTUM, rounding=ROUND_HALF_UP)} mL, at most the bag's {bag} mL"
                if run > bag else "") + f" = {shown} mL",
             f"given = {total} mg x {shown} mL / {bag} mL = {mg} mg")
    return GivenAmount(mg=mg, volume_ml=shown, infusing_min=minutes, source="rate_time", steps=steps)


def given_by_pump_volume(*, pump_volume_ml: Decimal, total_mg: Decimal, bag_volume_ml: Decimal) -> GivenAmount:
    """Return the mg given from the volume the pump shows as infused (refused above the bag, never clamped)."""
    total, bag = _positive(total_mg, "The total dose"), _positive(bag_volume_ml, "The bag volume")
    if not isinstance(pump_volume_ml, Decimal) or not pump_volume_ml.is_finite() or pump_volume_ml < 0:
        raise ClinicalError(f"The pump's volume infused must be 0 mL or more, got {pump_volume_ml!r}.")
    if pump_volume_ml != pump_volume_ml.quantize(ML_QUANTUM):
        raise ClinicalError(f"The pump's volume infused is read to 0.01 mL, got {pump_volume_ml} mL.")
    if pump_volume_ml > bag:
        raise ClinicalError(f"The pump shows {pump_volume_ml} mL infused, more than the bag's {bag} mL; "
                            "check the pump's reading.")
    mg = _mg_of_volume(pump_volume_ml, total, bag)
    return GivenAmount(mg=mg, volume_ml=pump_volume_ml, infusing_min=None, source="pump_volume",
                       steps=(f"given = {total} mg x {pump_volume_ml} mL (pump) / {bag} mL = {mg} mg",))


def draw_shortfall(*, drawn_mg: Decimal, planned_mg: Decimal, tolerance_mg: Decimal) -> str | None:
    """Say why the draws do not cover the verified dose, or None when they do (within the tolerance)."""
    if not isinstance(drawn_mg, Decimal) or not drawn_mg.is_finite() or drawn_mg < 0:
        raise ClinicalError(f"The mg drawn must be 0 or more, got {drawn_mg!r}.")
    planned = _positive(planned_mg, "The verified dose")
    if not isinstance(tolerance_mg, Decimal) or not tolerance_mg.is_finite() or tolerance_mg < 0:
        raise ClinicalError(f"The tolerance must be 0 mg or more, got {tolerance_mg!r}.")
    if drawn_mg == 0:
        return f"No ketamine is drawn for this session; the verified dose is {planned} mg."
    if drawn_mg + tolerance_mg < planned:
        return (f"{drawn_mg} mg is drawn for this session, less than the verified dose of {planned} mg "
                f"(short by {planned - drawn_mg} mg; tolerance {tolerance_mg} mg).")
    return None


def waste_allowed_mg(*, drawn_mg: Decimal, administered_mg: Decimal, wasted_mg: Decimal = ZERO) -> Decimal:
    """Return the most that may still be wasted: drawn - administered - already wasted (never below 0)."""
    for value, what in ((drawn_mg, "drawn"), (administered_mg, "administered"), (wasted_mg, "already wasted")):
        if not isinstance(value, Decimal) or not value.is_finite() or value < 0:
            raise ClinicalError(f"The mg {what} must be 0 or more, got {value!r}.")
    return max(drawn_mg - administered_mg - wasted_mg, ZERO)


def check_waste(*, waste_mg: Decimal, drawn_mg: Decimal, administered_mg: Decimal, wasted_mg: Decimal = ZERO) -> Decimal:
    """Refuse a waste above what is left of the session's draws, naming the figures; return the waste."""
    waste = _positive(waste_mg, "The waste")
    left = waste_allowed_mg(drawn_mg=drawn_mg, administered_mg=administered_mg, wasted_mg=wasted_mg)
    if waste > left:
        raise ClinicalError(
            f"A waste of {waste} mg is more than is left of this session's draws: drawn {drawn_mg} mg - "
            f"administered {administered_mg} mg - already wasted {wasted_mg} mg = {left} mg.")
    return waste
