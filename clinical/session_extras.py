"""Chairside rules the infusions app needs beside dosing, vitals and session_flow.

* ``phase_of``: which vital-sign phase (CLINICAL.md section 3) a session state
  is in. Decision made here: a paused infusion is still the infusing phase
  (the drug has run and BP stays due every 10 min); a session that has ended
  has no phase. ``phase_at`` places a reading in time instead: before the
  start, during the infusion, or after it, so a late reading (a monitor's
  resend) is judged by the rules of the phase it was measured in.
* ``readings_from_observations``: turn the observations of one HL7 message
  into vital-sign readings, one per observation time, validated by
  ``clinical.vitals`` (impossible values are refused, never clamped).
  Values are kept as measured: thresholds judge them unrounded (SpO2 89.95 %
  is below 90 %). Rounding to the chart's resolution is
  ``clinical.vitals.charted_reading`` (whole numbers for BP, HR and RR, 0.1
  for SpO2 and EtCO2, half up, once: the ADR 0003 habit), done on storing; it
  is checked here too, so a message whose rounded values are impossible is
  refused whole.
* ``preview_dose``: plan a dose as if overridden, only to show which protocol
  limits a prescriber would be overriding (CLINICAL.md section 2).
* ``thresholds_from_protocol``: read a protocol's threshold table into the
  kernel's ``Thresholds`` (CLINICAL.md section 3, Policy).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from clinical.dosing import DoseInputs, DoseLimits, DosePlan, plan_dose
from clinical.errors import ClinicalError
from clinical.hl7.codes import VitalKind
from clinical.hl7.model import DeviceObservation
from clinical.hl7.select import select_preferred
from clinical.instants import utc, utc_or_none
from clinical.session_flow import SessionState
from clinical.vitals import Phase, Reading, Thresholds, charted_reading

_PHASES = {
    SessionState.SCHEDULED: Phase.PRE_START,
    SessionState.CHECKED_IN: Phase.PRE_START,
    SessionState.DOSE_VERIFIED: Phase.PRE_START,
    SessionState.INFUSING: Phase.INFUSING,
    SessionState.PAUSED: Phase.INFUSING,
    SessionState.RECOVERING: Phase.RECOVERING,
}


def phase_of(state: SessionState) -> Phase | None:
    """Return the monitoring phase of a session state, or None once the session has ended."""
    return _PHASES.get(state)


def phase_at(moment: datetime, *, started_at: datetime | None, infusion_ended_at: datetime | None) -> Phase:
    """Return the phase a reading measured at ``moment`` belongs to (CLINICAL.md section 3)."""
    moment, started_at, infusion_ended_at = utc(moment), utc_or_none(started_at), utc_or_none(infusion_ended_at)
    if started_at is None or moment < started_at:
        return Phase.PRE_START
    if infusion_ended_at is None or moment < infusion_ended_at:
        return Phase.INFUSING
    return Phase.RECOVERING


# Which Reading field each HL7 vital kind fills.
_FIELDS: Mapping[VitalKind, str] = {
    VitalKind.SYSTOLIC: "systolic_mmhg",
    VitalKind.DIASTOLIC: "diastolic_mmhg",
    VitalKind.HEART_RATE: "heart_rate_bpm",
    VitalKind.SPO2: "spo2_pct",
    VitalKind.RESP_RATE: "resp_rate_per_min",
    VitalKind.ETCO2: "etco2_mmhg",
}


@dataclass(frozen=True)
class TimedReading:
    """A validated reading at one time, with the device that measured it."""

    at: datetime
    reading: Reading
    equipment_id: str
    source_codes: tuple[str, ...]


def _measured(value: Decimal) -> Decimal | int:
    """The value as sent; a whole number stays an int."""
    return int(value) if value == value.to_integral_value() else value


def readings_from_observations(observations: Iterable[DeviceObservation]) -> tuple[TimedReading, ...]:
    """Group a message's observations by time into validated readings, earliest first.

    Variant sources of one vital sign at one time are reduced to the preferred
    one first (``select_preferred``). A value outside the plausible range
    raises ClinicalError naming the measure, so the whole message is refused.
    """
    grouped: dict[datetime, list[DeviceObservation]] = {}
    for observation in select_preferred(observations):
        grouped.setdefault(observation.observed_at, []).append(observation)
    found = []
    for at in sorted(grouped):
        rows = grouped[at]
        values = {_FIELDS[o.kind]: _measured(o.value) for o in rows}
        equipment = next((o.equipment_id for o in rows if o.equipment_id), "")
        reading = Reading(**values)
        charted_reading(reading)  # the stored (rounded) values must be possible too
        found.append(TimedReading(at, reading, equipment, tuple(o.source_code for o in rows)))
    return tuple(found)


# Stands in for a reason only inside preview_dose; never stored or shown as one.
_PREVIEW = "preview: not an override"


def preview_dose(inputs: DoseInputs, limits: DoseLimits) -> DosePlan:
    """Plan a dose even above the limits, so the limits passed can be shown; never give it as an order.

    The plan's ``exceeded_limits`` lists what a prescriber would override
    (CLINICAL.md section 2); ``overridden`` and ``override_reason`` are
    cleared so the preview cannot pass for an overridden order.
    """
    plan = plan_dose(inputs, limits, override_reason=_PREVIEW)
    notes = tuple(n for n in plan.notes if "override reason was given" not in n)
    return replace(plan, overridden=False, override_reason=None, notes=notes)


# Protocol table keys (courses.choices.DEFAULT_THRESHOLDS) -> Thresholds fields.
THRESHOLD_KEYS: Mapping[str, str] = {
    "sbp_do_not_start": "sbp_do_not_start_mmhg",
    "dbp_do_not_start": "dbp_do_not_start_mmhg",
    "sbp_pause": "sbp_pause_mmhg",
    "dbp_pause": "dbp_pause_mmhg",
    "spo2_warn_below": "spo2_warn_below_pct",
    "spo2_stop_below": "spo2_stop_below_pct",
    "hr_warn_above": "hr_warn_above_bpm",
    "rr_warn_below": "rr_warn_below_per_min",
}


def _measure(key: str, raw: object) -> Decimal | int:
    if isinstance(raw, bool) or not isinstance(raw, int | str | Decimal):
        raise ClinicalError(f"Threshold {key} must be a number, not {raw!r}.")
    if isinstance(raw, int):
        return raw
    try:
        value = Decimal(str(raw).strip())
    except ArithmeticError:
        raise ClinicalError(f"Threshold {key} must be a number, not {raw!r}.") from None
    if not value.is_finite():
        raise ClinicalError(f"Threshold {key} must be a number, not {raw!r}.")
    return int(value) if value == value.to_integral_value() else value


def thresholds_from_protocol(table: Mapping[str, object]) -> Thresholds:
    """Build Thresholds from a protocol's table; keys left out keep the CLINICAL.md defaults."""
    unknown = sorted(set(table) - set(THRESHOLD_KEYS))
    if unknown:
        raise ClinicalError(f"Unknown threshold keys: {', '.join(unknown)}.")
    values = {THRESHOLD_KEYS[key]: _measure(key, raw) for key, raw in table.items()}
    return Thresholds(**values)
