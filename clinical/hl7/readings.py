"""Turn the observations of one HL7 message into vital-sign readings, one per observation time.

Readings are validated by ``clinical.vitals`` (impossible values are refused,
never clamped). Decision made here: blood pressure, heart rate and
respiratory rate are charted as whole numbers and SpO2 and EtCO2 to 0.1, each
rounded once, half up (the ADR 0003 habit); monitors report these to that
resolution.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from clinical.hl7.codes import VitalKind
from clinical.hl7.model import DeviceObservation
from clinical.hl7.select import select_preferred
from clinical.vitals import Reading

# Which Reading field each HL7 vital kind fills, and the quantum it is charted to.
_FIELDS: Mapping[VitalKind, tuple[str, Decimal]] = {
    VitalKind.SYSTOLIC: ("systolic_mmhg", Decimal("1")),
    VitalKind.DIASTOLIC: ("diastolic_mmhg", Decimal("1")),
    VitalKind.HEART_RATE: ("heart_rate_bpm", Decimal("1")),
    VitalKind.SPO2: ("spo2_pct", Decimal("0.1")),
    VitalKind.RESP_RATE: ("resp_rate_per_min", Decimal("1")),
    VitalKind.ETCO2: ("etco2_mmhg", Decimal("0.1")),
}


@dataclass(frozen=True)
class TimedReading:
    """A validated reading at one time, with the device that measured it."""

    at: datetime
    reading: Reading
    equipment_id: str
    source_codes: tuple[str, ...]


def _charted(kind: VitalKind, value: Decimal) -> Decimal | int:
    name, quantum = _FIELDS[kind]
    rounded = value.quantize(quantum, rounding=ROUND_HALF_UP)
    return int(rounded) if quantum == 1 else rounded


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
        values = {_FIELDS[o.kind][0]: _charted(o.kind, o.value) for o in rows}
        equipment = next((o.equipment_id for o in rows if o.equipment_id), "")
        found.append(TimedReading(at, Reading(**values), equipment, tuple(o.source_code for o in rows)))
    return tuple(found)
