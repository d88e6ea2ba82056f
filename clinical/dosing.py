"""Plan a weight-based ketamine dose and the pump settings that deliver it.

Rules, each from CLINICAL.md section 2:

* total mg = mg/kg x kg; volume drawn = total mg / vial strength; bag
  concentration = total mg / final bag volume; rate mL/h = bag volume /
  duration h.
* Weight basis (actual, ideal, adjusted) is Policy; ideal body weight is
  Devine's (men 50 kg, women 45.5 kg, + 2.3 kg per inch over 5 ft) and
  adjusted = ideal + 0.4 x (actual - ideal).
* Protocol limits are Policy; an order above them is refused unless the
  prescriber overrides with a written reason. A duration shorter than the
  protocol's minimum counts as passing a limit (decision made here).
* The 100 mg/mL strength must be diluted before IV use (product label).
* Above the protocol limits stands a hard ceiling (Policy, a clinic admin
  setting, default 1.0 mg/kg) that no override passes, checked against the
  ordered mg/kg and the dose per kg of actual weight. An override reason is a
  real sentence: at least 15 characters (``MIN_REASON_CHARS``).

Decisions made here (documented for the reader, tested):

* Devine is not defined below 5 ft (152.4 cm): IDEAL and ADJUSTED are refused
  for shorter patients rather than silently using the base weight.
* When the ideal or adjusted weight is above the actual weight (short, light
  patients), the dose uses the actual weight and the plan says so, in its
  steps and notes (CLINICAL.md section 2). The mg/kg limits are still checked
  against the dose per kg of actual weight as well.
* The 100 mg/mL strength is diluted with at least an equal volume (the label's
  dilution), so its bag may hold at most half the vial strength.

Rounding follows one rule, docs/adr/0003-dose-rounding.md: every quantity is
computed from unrounded values and rounded once, ROUND_HALF_UP, to the quantum
named below.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal, localcontext
from enum import Enum

from clinical.errors import ClinicalError


class WeightBasis(Enum):
    """Which body weight the mg/kg dose is multiplied by (Policy, CLINICAL.md section 2)."""

    ACTUAL = "actual"
    IDEAL = "ideal"
    ADJUSTED = "adjusted"


class Sex(Enum):
    """Sex as recorded; the Devine formula is defined for male and female only."""

    MALE = "male"
    FEMALE = "female"
    OTHER = "other"
    UNKNOWN = "unknown"


# Devine ideal body weight (CLINICAL.md section 2).
DEVINE_BASE_KG = {Sex.MALE: Decimal("50"), Sex.FEMALE: Decimal("45.5")}
DEVINE_KG_PER_INCH = Decimal("2.3")
DEVINE_BASE_HEIGHT_IN = Decimal("60")
CM_PER_INCH = Decimal("2.54")
# Adjusted body weight factor (CLINICAL.md section 2).
ADJUSTED_FACTOR = Decimal("0.4")
# Strengths at or above this must be diluted before IV use (CLINICAL.md section 2, product label).
MUST_DILUTE_MG_PER_ML = Decimal("100")

# Plausibility guards, not Policy: a value beyond them is a typo and is refused.
MAX_WEIGHT_KG = Decimal("350")
MAX_HEIGHT_CM = Decimal("250")
MAX_BAG_VOLUME_ML = Decimal("1000")
MAX_DURATION_MIN = Decimal("480")

# The rounding rule (docs/adr/0003-dose-rounding.md): quantum per quantity, ROUND_HALF_UP.
WEIGHT_QUANTUM = Decimal("0.1")  # kg
DOSE_QUANTUM = Decimal("0.1")  # mg
VOLUME_QUANTUM = Decimal("0.01")  # mL
CONCENTRATION_QUANTUM = Decimal("0.001")  # mg/mL
RATE_QUANTUM = Decimal("0.1")  # mL/h

# Fixed arithmetic context, so a caller's global decimal settings cannot change a dose.
_CONTEXT = Context(prec=28, rounding=ROUND_HALF_EVEN)


def round_half_up(value: Decimal, quantum: Decimal) -> Decimal:
    """Round a value to a quantum, halves away from zero (the ADR 0003 rule)."""
    return value.quantize(quantum, rounding=ROUND_HALF_UP)


def _require_decimal(name: str, value: object) -> Decimal:
    if not isinstance(value, Decimal):
        raise ClinicalError(f"{name} must be a Decimal, not {type(value).__name__}.")
    if not value.is_finite():
        raise ClinicalError(f"{name} must be a number, not {value}.")
    return value


def _require_range(name: str, value: object, high: Decimal, unit: str) -> None:
    number = _require_decimal(name, value)
    if number <= 0 or number > high:
        raise ClinicalError(f"{name} must be above 0 and at most {high} {unit}; got {number} {unit}.")


# The hard ceiling's default (CLINICAL.md section 2: the label's anaesthetic induction dose starts at 1 mg/kg).
DEFAULT_CEILING_MG_PER_KG = Decimal("1.0")
MIN_REASON_CHARS = 15  # an override reason is a real sentence, not "x"


def check_override_reason(reason: str | None) -> str:
    """Return the stripped reason, refusing one shorter than MIN_REASON_CHARS characters."""
    text = (reason or "").strip()
    if len(text) < MIN_REASON_CHARS:
        raise ClinicalError(f"An override reason must be a real sentence of at least {MIN_REASON_CHARS} characters; "
                            f"got {len(text)}.")
    return text


@dataclass(frozen=True, kw_only=True)
class DoseLimits:
    """Protocol limits for an order (Policy, per protocol template: CLINICAL.md section 2).

    Defaults: 0.75 mg/kg is the top of the range in the depression literature
    (Andrade 2017, CLINICAL.md section 2); 100 mg total has no source and is a
    placeholder a clinic is expected to set; 40 min is the standard duration
    (Feder 2014/2021), and a faster infusion is treated as a limit passed,
    refused unless overridden, because a mistyped duration speeds up the
    whole dose. The vial strengths are the
    clinic's formulary (default: the label's 10, 50 and 100 mg/mL); an unknown
    strength is refused, since a mistyped strength misstates the volume drawn.
    """

    max_mg_per_kg: Decimal = Decimal("0.75")
    max_total_mg: Decimal = Decimal("100")
    min_duration_min: Decimal = Decimal("40")
    vial_strengths_mg_per_ml: tuple[Decimal, ...] = (Decimal("10"), Decimal("50"), Decimal("100"))
    ceiling_mg_per_kg: Decimal = DEFAULT_CEILING_MG_PER_KG  # hard: no override passes it

    def __post_init__(self) -> None:
        for name in ("max_mg_per_kg", "max_total_mg", "min_duration_min", "ceiling_mg_per_kg"):
            if _require_decimal(name, getattr(self, name)) <= 0:
                raise ClinicalError(f"{name} must be above 0.")
        if not self.vial_strengths_mg_per_ml:
            raise ClinicalError("The formulary needs at least one vial strength.")
        for strength in self.vial_strengths_mg_per_ml:
            if _require_decimal("vial strength", strength) <= 0:
                raise ClinicalError("A vial strength must be above 0 mg/mL.")


@dataclass(frozen=True, kw_only=True)
class DoseInputs:
    """What the prescriber ordered and the patient's measurements.

    ``height_cm`` and ``sex`` are needed only for the IDEAL and ADJUSTED bases.
    """

    mg_per_kg: Decimal
    actual_weight_kg: Decimal
    vial_mg_per_ml: Decimal
    basis: WeightBasis = WeightBasis.ACTUAL
    height_cm: Decimal | None = None
    sex: Sex | None = None
    bag_volume_ml: Decimal = Decimal("100")
    duration_min: Decimal = Decimal("40")

    def __post_init__(self) -> None:
        if _require_decimal("mg_per_kg", self.mg_per_kg) <= 0:
            raise ClinicalError(f"mg_per_kg must be above 0; got {self.mg_per_kg}.")
        _require_range("actual_weight_kg", self.actual_weight_kg, MAX_WEIGHT_KG, "kg")
        if _require_decimal("vial_mg_per_ml", self.vial_mg_per_ml) <= 0:
            raise ClinicalError(f"vial_mg_per_ml must be above 0; got {self.vial_mg_per_ml}.")
        if self.height_cm is not None:
            _require_range("height_cm", self.height_cm, MAX_HEIGHT_CM, "cm")
        _require_range("bag_volume_ml", self.bag_volume_ml, MAX_BAG_VOLUME_ML, "mL")
        _require_range("duration_min", self.duration_min, MAX_DURATION_MIN, "min")


@dataclass(frozen=True, kw_only=True)
class DosePlan:
    """A dose, how it is drawn and run, the arithmetic shown, and any override.

    Quantities are rounded by the ADR 0003 rule; ``steps`` shows the sums a
    second clinician can redo by hand.
    """

    inputs: DoseInputs
    limits: DoseLimits
    weight_used_kg: Decimal
    ideal_weight_kg: Decimal | None
    total_mg: Decimal
    volume_drawn_ml: Decimal
    bag_mg_per_ml: Decimal
    rate_ml_per_h: Decimal
    steps: tuple[str, ...]
    notes: tuple[str, ...]
    exceeded_limits: tuple[str, ...]
    overridden: bool
    override_reason: str | None


def ideal_body_weight_kg(height_cm: Decimal, sex: Sex) -> Decimal:
    """Return Devine ideal body weight, unrounded (CLINICAL.md section 2).

    Refuses heights under 5 ft (152.4 cm), where the formula is not defined,
    and any sex other than male or female.
    """
    base_kg = DEVINE_BASE_KG.get(sex)
    if base_kg is None:
        raise ClinicalError(
            f"Ideal body weight (Devine) is defined for male or female only (sex: {sex.value}). "
            "Use actual body weight, or record which Devine formula applies."
        )
    with localcontext(_CONTEXT):
        inches_over = height_cm / CM_PER_INCH - DEVINE_BASE_HEIGHT_IN
        if inches_over < 0:
            raise ClinicalError(
                f"Ideal body weight (Devine) is not defined under 5 ft (152.4 cm); height is "
                f"{height_cm} cm. Use actual body weight."
            )
        return base_kg + DEVINE_KG_PER_INCH * inches_over


def adjusted_body_weight_kg(actual_kg: Decimal, ideal_kg: Decimal) -> Decimal:
    """Return adjusted body weight = ideal + 0.4 x (actual - ideal), unrounded (CLINICAL.md section 2)."""
    with localcontext(_CONTEXT):
        return ideal_kg + ADJUSTED_FACTOR * (actual_kg - ideal_kg)


def _weight_steps(inputs: DoseInputs) -> tuple[Decimal, Decimal | None, list[str]]:
    """Return the weight used (unrounded), the ideal weight if used, and the steps shown."""
    actual = inputs.actual_weight_kg
    if inputs.basis is WeightBasis.ACTUAL:
        return actual, None, [f"Weight basis actual: {round_half_up(actual, WEIGHT_QUANTUM)} kg"]
    height, sex = inputs.height_cm, inputs.sex
    if height is None or sex is None:
        raise ClinicalError(f"The {inputs.basis.value} weight basis needs the patient's height and sex.")
    ideal = ideal_body_weight_kg(height, sex)
    with localcontext(_CONTEXT):
        inches = round_half_up(height / CM_PER_INCH, Decimal("0.01"))
    ideal_shown, actual_shown = round_half_up(ideal, WEIGHT_QUANTUM), round_half_up(actual, WEIGHT_QUANTUM)
    steps = [
        f"Height {height} cm / 2.54 = {inches} in",
        f"Ideal body weight ({sex.value}) = {DEVINE_BASE_KG[sex]} kg + 2.3 kg x ({inches} in - 60 in) "
        f"= {ideal_shown} kg",
    ]
    if inputs.basis is WeightBasis.IDEAL:
        return ideal, ideal, steps
    adjusted = adjusted_body_weight_kg(actual, ideal)
    steps.append(
        f"Adjusted body weight = {ideal_shown} kg + 0.4 x ({actual_shown} kg - {ideal_shown} kg) "
        f"= {round_half_up(adjusted, WEIGHT_QUANTUM)} kg"
    )
    return adjusted, ideal, steps


def _exceeded_limits(inputs: DoseInputs, limits: DoseLimits, total_mg: Decimal) -> list[str]:
    """List every protocol limit the order passes (CLINICAL.md section 2)."""
    found = []
    if inputs.mg_per_kg > limits.max_mg_per_kg:
        found.append(f"{inputs.mg_per_kg} mg/kg is above the protocol maximum of {limits.max_mg_per_kg} mg/kg")
    with localcontext(_CONTEXT):
        per_actual_kg = total_mg / inputs.actual_weight_kg
    if per_actual_kg > limits.max_mg_per_kg and inputs.mg_per_kg <= limits.max_mg_per_kg:
        shown = per_actual_kg.quantize(Decimal("0.001"), rounding=ROUND_CEILING)
        found.append(
            f"the dose is {shown} mg per kg of actual body weight, above the protocol maximum of "
            f"{limits.max_mg_per_kg} mg/kg"
        )
    rounded_total = round_half_up(total_mg, DOSE_QUANTUM)
    if max(total_mg, rounded_total) > limits.max_total_mg:
        found.append(f"{rounded_total} mg is above the protocol maximum of {limits.max_total_mg} mg")
    if inputs.duration_min < limits.min_duration_min:
        found.append(
            f"{inputs.duration_min} min is shorter than the protocol minimum of {limits.min_duration_min} min"
        )
    return found


def _check_ceiling(inputs: DoseInputs, limits: DoseLimits, total_mg: Decimal) -> None:
    """Refuse, whatever the override, a dose above the hard ceiling (CLINICAL.md section 2)."""
    with localcontext(_CONTEXT):
        per_actual_kg = total_mg / inputs.actual_weight_kg
    worst = max(inputs.mg_per_kg, per_actual_kg)
    if worst > limits.ceiling_mg_per_kg:
        shown = worst.quantize(Decimal("0.001"), rounding=ROUND_CEILING)
        raise ClinicalError(
            f"Dose refused: {shown} mg/kg is above the clinic's hard ceiling of {limits.ceiling_mg_per_kg} mg/kg, "
            "which no override passes."
        )


def _check_dilution(inputs: DoseInputs, volume_drawn_ml: Decimal) -> None:
    """Refuse a bag the drawn volume cannot fit, or an undiluted concentrate (CLINICAL.md section 2)."""
    drawn = round_half_up(volume_drawn_ml, VOLUME_QUANTUM)
    if volume_drawn_ml > inputs.bag_volume_ml:
        raise ClinicalError(
            f"The volume drawn ({drawn} mL) is more than the final bag volume ({inputs.bag_volume_ml} mL). "
            "Use a larger bag."
        )
    if inputs.vial_mg_per_ml >= MUST_DILUTE_MG_PER_ML and 2 * volume_drawn_ml > inputs.bag_volume_ml:
        raise ClinicalError(
            f"The {inputs.vial_mg_per_ml} mg/mL strength must be diluted with at least an equal volume "
            f"before IV use (product label): {drawn} mL drawn needs a final bag volume of at least "
            f"{round_half_up(2 * volume_drawn_ml, VOLUME_QUANTUM)} mL."
        )


def _notes(inputs: DoseInputs, weight_used: Decimal, total_mg: Decimal, bag_mg_per_ml: Decimal) -> list[str]:
    notes = []
    if inputs.vial_mg_per_ml >= MUST_DILUTE_MG_PER_ML:
        notes.append(
            f"The {inputs.vial_mg_per_ml} mg/mL strength must be diluted before IV use (product label); "
            f"this bag dilutes it to {round_half_up(bag_mg_per_ml, CONCENTRATION_QUANTUM)} mg/mL."
        )
    return notes


def _cap_at_actual(inputs: DoseInputs, basis_weight: Decimal) -> tuple[Decimal, str | None]:
    """Dose on actual weight when the ideal or adjusted weight is above it, and say so (CLINICAL.md section 2)."""
    actual = inputs.actual_weight_kg
    if basis_weight <= actual:
        return basis_weight, None
    return actual, (
        f"The {inputs.basis.value} body weight ({round_half_up(basis_weight, WEIGHT_QUANTUM)} kg) is above the "
        f"actual weight ({round_half_up(actual, WEIGHT_QUANTUM)} kg): the dose uses the actual weight, "
        f"{round_half_up(actual, WEIGHT_QUANTUM)} kg (the other bases exist to avoid overdosing, never to raise a dose)."
    )


def plan_dose(inputs: DoseInputs, limits: DoseLimits, override_reason: str | None = None) -> DosePlan:
    """Compute the dose and pump settings, refusing orders above the protocol limits.

    Pump arithmetic and limits: CLINICAL.md section 2. An order above a limit
    is refused unless ``override_reason`` holds a written (non-blank) reason;
    the plan then records ``overridden=True`` and the reason.
    """
    if inputs.vial_mg_per_ml not in limits.vial_strengths_mg_per_ml:
        strengths = ", ".join(str(s) for s in limits.vial_strengths_mg_per_ml)
        raise ClinicalError(
            f"Vial strength {inputs.vial_mg_per_ml} mg/mL is not in the clinic's formulary ({strengths} mg/mL)."
        )
    basis_weight, ideal, weight_steps = _weight_steps(inputs)
    weight_used, capped = _cap_at_actual(inputs, basis_weight)
    if capped:
        weight_steps.append(capped)
    with localcontext(_CONTEXT):
        total_mg = inputs.mg_per_kg * weight_used
        volume_drawn_ml = total_mg / inputs.vial_mg_per_ml
        bag_mg_per_ml = total_mg / inputs.bag_volume_ml
        rate_ml_per_h = inputs.bag_volume_ml * 60 / inputs.duration_min
    _check_dilution(inputs, volume_drawn_ml)
    _check_ceiling(inputs, limits, total_mg)
    exceeded = _exceeded_limits(inputs, limits, total_mg)
    reason = override_reason.strip() if override_reason else ""
    if exceeded and not reason:
        raise ClinicalError(
            f"Dose refused: {'; '.join(exceeded)}. A prescriber may override with a written reason."
        )
    if exceeded:
        reason = check_override_reason(reason)
    notes = _notes(inputs, weight_used, total_mg, bag_mg_per_ml) + ([capped] if capped else [])
    if reason and not exceeded:
        notes.append("An override reason was given but no protocol limit was exceeded; it was not used.")
    shown = _Rounded(
        weight_kg=round_half_up(weight_used, WEIGHT_QUANTUM),
        total_mg=round_half_up(total_mg, DOSE_QUANTUM),
        volume_drawn_ml=round_half_up(volume_drawn_ml, VOLUME_QUANTUM),
        bag_mg_per_ml=round_half_up(bag_mg_per_ml, CONCENTRATION_QUANTUM),
        rate_ml_per_h=round_half_up(rate_ml_per_h, RATE_QUANTUM),
    )
    return DosePlan(
        inputs=inputs,
        limits=limits,
        weight_used_kg=shown.weight_kg,
        ideal_weight_kg=None if ideal is None else round_half_up(ideal, WEIGHT_QUANTUM),
        total_mg=shown.total_mg,
        volume_drawn_ml=shown.volume_drawn_ml,
        bag_mg_per_ml=shown.bag_mg_per_ml,
        rate_ml_per_h=shown.rate_ml_per_h,
        steps=(*weight_steps, *_pump_steps(inputs, shown)),
        notes=tuple(notes),
        exceeded_limits=tuple(exceeded),
        overridden=bool(exceeded),
        override_reason=reason if exceeded else None,
    )


@dataclass(frozen=True, kw_only=True)
class _Rounded:
    weight_kg: Decimal
    total_mg: Decimal
    volume_drawn_ml: Decimal
    bag_mg_per_ml: Decimal
    rate_ml_per_h: Decimal


def _pump_steps(i: DoseInputs, shown: _Rounded) -> list[str]:
    """Write out the arithmetic from weight to pump rate, in rounded figures."""
    return [
        f"{i.mg_per_kg} mg/kg x {shown.weight_kg} kg = {shown.total_mg} mg",
        f"{shown.total_mg} mg / {i.vial_mg_per_ml} mg/mL = {shown.volume_drawn_ml} mL drawn from the vial",
        f"{shown.total_mg} mg / {i.bag_volume_ml} mL bag = {shown.bag_mg_per_ml} mg/mL",
        f"{i.bag_volume_ml} mL / ({i.duration_min} min / 60) = {shown.rate_ml_per_h} mL/h",
    ]


def check_independent_verification(
    plan: DosePlan, typed_total_mg: Decimal, typed_rate_ml_per_h: Decimal
) -> list[str]:
    """List where a second clinician's own figures differ from the plan; any mismatch blocks the start.

    The typed values must equal the plan's rounded values (40 and 40.0 are
    equal; 40.05 is not 40.1). The check stays blind: a message says which
    figure differs and never the plan's figure, so the checker works it out
    again rather than copying it (issue 10). Source: CLINICAL.md section 2 and
    the independent double-check of the infusions issue.
    """
    typed_total = _require_decimal("typed total mg", typed_total_mg)
    typed_rate = _require_decimal("typed rate mL/h", typed_rate_ml_per_h)
    mismatches = []
    if typed_total != plan.total_mg:
        mismatches.append(f"Total dose: your {typed_total} mg differs from the plan.")
    if typed_rate != plan.rate_ml_per_h:
        mismatches.append(f"Pump rate: your {typed_rate} mL/h differs from the plan.")
    return mismatches
