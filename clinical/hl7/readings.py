"""Turn the observations of one HL7 message into vital-sign readings, one per observation time.

Readings are validated by ``clinical.vitals`` (impossible values are refused,
never clamped). Values are kept as measured: thresholds judge them unrounded
(SpO2 89.95 % is below 90 %). Rounding to the chart's resolution is
``clinical.vitals.charted_reading`` (whole numbers for BP, HR and RR, 0.1 for
SpO2 and EtCO2, half up, once: the ADR 0003 habit), done on storing; it is
checked here too, so a message whose rounded values are impossible is refused
whole.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from clinical.hl7.codes import VitalKind
from clinical.hl7.model import DeviceObservation
from clinical.hl7.select import select_preferred
from clinical.vitals import Reading, charted_reading

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
