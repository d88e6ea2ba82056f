"""Units of OBX-6, normalised to the UCUM unit each vital sign is charted in.

MDC dimension codes are ISO/IEEE 11073-10101 partition 4 (code = 4 * 65536 +
term code): MDC_DIM_PERCENT 544, MDC_DIM_BEAT_PER_MIN 2720,
MDC_DIM_RESP_PER_MIN 2784, MDC_DIM_KILO_PASCAL 3843, MDC_DIM_MMHG 3872.
Pressures (blood pressure, EtCO2) may arrive in kPa: 1 kPa = 7.50062 mmHg.
EtCO2 in volume percent is refused: converting it needs the barometric pressure.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from clinical.hl7.codes import CodedValue, VitalKind

MMHG_PER_KPA = Decimal("7.50062")
# Converted values keep 0.01 mmHg, rounded half-even; unconverted values keep what was sent.
CONVERTED_QUANTUM = Decimal("0.01")


class Dimension(enum.Enum):
    """What a unit measures."""

    PRESSURE = "pressure"
    PERCENT = "percent"
    PER_MINUTE = "per_minute"


@dataclass(frozen=True)
class UnitSpec:
    """A recognised unit and its factor to the canonical unit of its dimension."""

    label: str  # normalised name, e.g. "MDC:265987" or "UCUM:kPa"
    dimension: Dimension
    factor: Decimal = Decimal(1)


CANONICAL_UNIT = {
    Dimension.PRESSURE: "mm[Hg]",
    Dimension.PERCENT: "%",
    Dimension.PER_MINUTE: "/min",
}

KIND_DIMENSION = {
    VitalKind.SYSTOLIC: Dimension.PRESSURE,
    VitalKind.DIASTOLIC: Dimension.PRESSURE,
    VitalKind.ETCO2: Dimension.PRESSURE,
    VitalKind.SPO2: Dimension.PERCENT,
    VitalKind.HEART_RATE: Dimension.PER_MINUTE,
    VitalKind.RESP_RATE: Dimension.PER_MINUTE,
}

MDC_UNITS = {
    "266016": UnitSpec("MDC:266016", Dimension.PRESSURE),
    "265987": UnitSpec("MDC:265987", Dimension.PRESSURE, MMHG_PER_KPA),
    "262688": UnitSpec("MDC:262688", Dimension.PERCENT),
    "264864": UnitSpec("MDC:264864", Dimension.PER_MINUTE),
    "264928": UnitSpec("MDC:264928", Dimension.PER_MINUTE),
}
MDC_UNIT_NAMES = {
    "MDC_DIM_MMHG": "266016",
    "MDC_DIM_KILO_PASCAL": "265987",
    "MDC_DIM_PERCENT": "262688",
    "MDC_DIM_BEAT_PER_MIN": "264864",
    "MDC_DIM_RESP_PER_MIN": "264928",
}

# UCUM codes and the common spellings interface engines send, matched without case.
_PLAIN_UNITS: dict[str, tuple[str, Dimension, Decimal]] = {
    "mm[hg]": ("mm[Hg]", Dimension.PRESSURE, Decimal(1)),
    "mmhg": ("mm[Hg]", Dimension.PRESSURE, Decimal(1)),
    "mm hg": ("mm[Hg]", Dimension.PRESSURE, Decimal(1)),
    "kpa": ("kPa", Dimension.PRESSURE, MMHG_PER_KPA),
    "%": ("%", Dimension.PERCENT, Decimal(1)),
}
for _spelling in (
    "/min",
    "1/min",
    "{beats}/min",
    "{beat}/min",
    "{breaths}/min",
    "{breath}/min",
    "{resp}/min",
    "bpm",
    "beats/min",
    "rpm",
    "br/min",
    "breaths/min",
    "/minute",
):
    _PLAIN_UNITS[_spelling] = (_spelling, Dimension.PER_MINUTE, Decimal(1))


def _mdc_unit(coded: CodedValue) -> UnitSpec | None:
    code = MDC_UNIT_NAMES.get(coded.identifier) or MDC_UNIT_NAMES.get(coded.text)
    return MDC_UNITS.get(coded.identifier) or (MDC_UNITS[code] if code else None)


def _plain_unit(text: str) -> UnitSpec | None:
    found = _PLAIN_UNITS.get(text.strip().lower())
    if found is None:
        return None
    label, dimension, factor = found
    return UnitSpec(f"UCUM:{label}", dimension, factor)


def lookup_unit(coded: CodedValue) -> UnitSpec | None:
    """Return the unit named by an OBX-6 triple, or None when it is not recognised."""
    system = coded.system.strip().upper()
    if system == "MDC" or coded.identifier.startswith("MDC_") or coded.identifier in MDC_UNITS:
        return _mdc_unit(coded)
    return _plain_unit(coded.identifier) or _plain_unit(coded.text)


def to_canonical(value: Decimal, unit: UnitSpec) -> Decimal:
    """Convert ``value`` to the canonical unit of its dimension."""
    if unit.factor == 1:
        return value
    return (value * unit.factor).quantize(CONVERTED_QUANTUM, rounding=ROUND_HALF_EVEN)
