"""Check today's weight before it drives a dose (CLINICAL.md section 2).

* A weight outside 30-300 kg is refused: no adult on this protocol weighs
  that, so it is an entry error (typed grams, a missing digit), never clamped.
* Compared with the last recorded weight, a change of more than the clinic's
  limit (Policy, default 10 %) needs explicit confirmation with a reason.
* A ratio near 2.2 either way (today / last or last / today within 5 % of
  2.2046, the pounds in a kilogram) is named as pounds typed as kilograms (or
  the reverse) and needs the same confirmation, whatever the change limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from clinical.errors import ClinicalError

MIN_PLAUSIBLE_KG = Decimal("30")
MAX_PLAUSIBLE_KG = Decimal("300")
LB_PER_KG = Decimal("2.20462")
LB_RATIO_TOLERANCE = Decimal("0.05")  # a ratio within 5 % of 2.2046 reads as a unit mix-up
MIN_REASON_CHARS = 15


@dataclass(frozen=True, kw_only=True)
class WeightPolicy:
    """How far today's weight may move from the last one before a person confirms it (Policy)."""

    max_change_pct: Decimal = Decimal("10")

    def __post_init__(self) -> None:
        if not isinstance(self.max_change_pct, Decimal | int) or isinstance(self.max_change_pct, bool):
            raise ClinicalError("max_change_pct must be a number.")
        if not 0 < Decimal(self.max_change_pct) <= 100:
            raise ClinicalError("max_change_pct must be above 0 and at most 100.")


@dataclass(frozen=True)
class WeightCheck:
    """What the comparison found: the change, and the reasons a person must confirm, if any."""

    weight_kg: Decimal
    last_weight_kg: Decimal | None
    change_pct: Decimal | None  # signed, today against the last, unrounded
    concerns: tuple[str, ...]

    @property
    def needs_confirmation(self) -> bool:
        return bool(self.concerns)


def _near_lb_ratio(ratio: Decimal) -> bool:
    return abs(ratio - LB_PER_KG) <= LB_PER_KG * LB_RATIO_TOLERANCE


def check_weight(weight_kg: Decimal, last_weight_kg: Decimal | None, policy: WeightPolicy) -> WeightCheck:
    """Refuse an implausible weight; list what needs confirming against the last recorded one."""
    for name, value in (("weight_kg", weight_kg), ("last_weight_kg", last_weight_kg)):
        if value is not None and (not isinstance(value, Decimal) or not value.is_finite()):
            raise ClinicalError(f"{name} must be a finite Decimal.")
    if not MIN_PLAUSIBLE_KG <= weight_kg <= MAX_PLAUSIBLE_KG:
        raise ClinicalError(f"A weight of {weight_kg} kg is outside {MIN_PLAUSIBLE_KG}-{MAX_PLAUSIBLE_KG} kg: "
                            "check the scale and the unit, and weigh again.")
    if last_weight_kg is None or last_weight_kg <= 0:
        return WeightCheck(weight_kg, None, None, ())
    change_pct = (weight_kg - last_weight_kg) / last_weight_kg * 100
    concerns = []
    if _near_lb_ratio(weight_kg / last_weight_kg):
        concerns.append(f"{weight_kg} kg is about 2.2 times the last weight ({last_weight_kg} kg): "
                        "was it typed in pounds?")
    elif _near_lb_ratio(last_weight_kg / weight_kg):
        concerns.append(f"{weight_kg} kg is about the last weight ({last_weight_kg} kg) divided by 2.2: "
                        "was the last one recorded in pounds?")
    if abs(change_pct) > policy.max_change_pct:
        shown = change_pct.quantize(Decimal("0.1"))
        concerns.append(f"{weight_kg} kg differs from the last weight ({last_weight_kg} kg) by {shown} %, "
                        f"more than {policy.max_change_pct} %.")
    return WeightCheck(weight_kg, last_weight_kg, change_pct, tuple(concerns))


def check_reason(reason: str | None, what: str) -> str:
    """Return a stripped reason of at least MIN_REASON_CHARS characters (a real sentence), else refuse."""
    text = (reason or "").strip()
    if len(text) < MIN_REASON_CHARS:
        raise ClinicalError(f"{what} needs a reason of at least {MIN_REASON_CHARS} characters (a real sentence).")
    return text
