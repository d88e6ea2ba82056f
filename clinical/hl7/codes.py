"""Observation codes that bedside monitors and interface engines send, as data.

MDC codes are ISO/IEEE 11073-10101 32-bit codes (partition 2 = SCADA, so
code = 2 * 65536 + term code) as IHE PCD-01 puts them in OBX-3; each was
checked against published device messages or nomenclature tables
(GE B40 and Mindray eGateway PCD-01 samples, the MII ICU value sets).
LOINC codes are those of CLINICAL.md section 5 (FHIR vital-signs profile).

``rank`` orders variant sources of one vital sign (lower is preferred) for
``select_preferred``: the project's choice, not a clinical source.
Heart rate: ECG before oximeter pulse before cuff pulse. Respiratory rate:
capnography (airway CO2) before airway flow before impedance and pleth,
because thoracic impedance miscounts motion as breaths.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass


class VitalKind(enum.Enum):
    """The vital signs charted in a session (CLINICAL.md section 3)."""

    SYSTOLIC = "systolic"
    DIASTOLIC = "diastolic"
    HEART_RATE = "heart_rate"
    SPO2 = "spo2"
    RESP_RATE = "resp_rate"
    ETCO2 = "etco2"


class IgnoreReason(enum.Enum):
    """Why an OBX row produced no reading."""

    DEVICE_ROW = "device_row"  # PCD-01 MDS/VMD/channel row, no value
    MEAN_PRESSURE = "mean_pressure"
    NOT_CHARTED = "not_charted"  # a known code the clinic does not chart
    UNKNOWN_CODE = "unknown_code"
    STATUS_NOT_ACCEPTED = "status_not_accepted"
    NO_VALUE = "no_value"
    NOT_EXACT = "not_exact"  # SN with a comparator such as "<5"
    NEGATIVE_VALUE = "negative_value"  # vendors send -999 for "no measurement"


@dataclass(frozen=True)
class CodeEntry:
    """What one observation code means for the feed."""

    source_code: str  # "MDC:150021" or "LOINC:8480-6"
    name: str  # MDC reference id or LOINC short name
    kind: VitalKind | None  # None: recognised but not charted
    rank: int = 1
    ignore_reason: IgnoreReason | None = None
    note: str = ""


def _mdc(code: int, name: str, kind: VitalKind, rank: int = 1) -> CodeEntry:
    return CodeEntry(f"MDC:{code}", name, kind, rank)


def _mdc_ignored(code: int, name: str, reason: IgnoreReason, note: str) -> CodeEntry:
    return CodeEntry(f"MDC:{code}", name, None, ignore_reason=reason, note=note)


_K = VitalKind
_MEAN = IgnoreReason.MEAN_PRESSURE
_NOT_CHARTED = IgnoreReason.NOT_CHARTED

MDC_ENTRIES: tuple[CodeEntry, ...] = (
    _mdc(150021, "MDC_PRESS_BLD_NONINV_SYS", _K.SYSTOLIC),
    _mdc(150022, "MDC_PRESS_BLD_NONINV_DIA", _K.DIASTOLIC),
    _mdc_ignored(150023, "MDC_PRESS_BLD_NONINV_MEAN", _MEAN, "mean pressure is not charted"),
    _mdc(150301, "MDC_PRESS_CUFF_SYS", _K.SYSTOLIC),
    _mdc(150302, "MDC_PRESS_CUFF_DIA", _K.DIASTOLIC),
    _mdc_ignored(150303, "MDC_PRESS_CUFF_MEAN", _MEAN, "mean pressure is not charted"),
    _mdc_ignored(150033, "MDC_PRESS_BLD_ART_SYS", _NOT_CHARTED, "invasive arterial pressure"),
    _mdc_ignored(150034, "MDC_PRESS_BLD_ART_DIA", _NOT_CHARTED, "invasive arterial pressure"),
    _mdc_ignored(150035, "MDC_PRESS_BLD_ART_MEAN", _MEAN, "mean pressure is not charted"),
    _mdc(147842, "MDC_ECG_HEART_RATE", _K.HEART_RATE, rank=1),
    _mdc(149530, "MDC_PULS_OXIM_PULS_RATE", _K.HEART_RATE, rank=2),
    _mdc(149546, "MDC_PULS_RATE_NON_INV", _K.HEART_RATE, rank=3),
    _mdc(149514, "MDC_PULS_RATE", _K.HEART_RATE, rank=4),
    _mdc(149522, "MDC_BLD_PULS_RATE_INV", _K.HEART_RATE, rank=5),
    _mdc(150456, "MDC_PULS_OXIM_SAT_O2", _K.SPO2),
    _mdc(151594, "MDC_CO2_RESP_RATE", _K.RESP_RATE, rank=1),
    _mdc(151570, "MDC_AWAY_RESP_RATE", _K.RESP_RATE, rank=2),
    _mdc(151562, "MDC_RESP_RATE", _K.RESP_RATE, rank=3),
    _mdc(151578, "MDC_TTHOR_RESP_RATE", _K.RESP_RATE, rank=4),
    _mdc(151658, "MDC_PULS_OXIM_PLETH_RESP_RATE", _K.RESP_RATE, rank=5),
    _mdc(151708, "MDC_CONC_AWAY_CO2_ET", _K.ETCO2),
    _mdc_ignored(151716, "MDC_CONC_AWAY_CO2_INSP", _NOT_CHARTED, "inspired CO2, not end-tidal"),
)

# Reference ids some vendors send instead of (or beside) the preferred one.
MDC_REFID_ALIASES = {
    "MDC_ECG_CARD_BEAT_RATE": 147842,  # Philips IntelliVue PCD-01
    "MDC_AWAY_CO2_ET": 151708,  # OpenICE name for end-tidal CO2
}

LOINC_ENTRIES: tuple[CodeEntry, ...] = (
    CodeEntry("LOINC:8480-6", "Systolic blood pressure", _K.SYSTOLIC),
    CodeEntry("LOINC:8462-4", "Diastolic blood pressure", _K.DIASTOLIC),
    CodeEntry(
        "LOINC:8478-0", "Mean blood pressure", None, ignore_reason=_MEAN, note="mean pressure is not charted"
    ),
    CodeEntry("LOINC:8867-4", "Heart rate", _K.HEART_RATE),
    CodeEntry("LOINC:9279-1", "Respiratory rate", _K.RESP_RATE),
    CodeEntry("LOINC:59408-5", "SpO2 by pulse oximetry", _K.SPO2, rank=1),
    CodeEntry("LOINC:2708-6", "Oxygen saturation", _K.SPO2, rank=2),
    CodeEntry("LOINC:19891-1", "End-tidal CO2", _K.ETCO2),
)

_BY_SOURCE = {entry.source_code: entry for entry in MDC_ENTRIES + LOINC_ENTRIES}
_MDC_BY_NAME = {entry.name: entry for entry in MDC_ENTRIES} | {
    alias: _BY_SOURCE[f"MDC:{code}"] for alias, code in MDC_REFID_ALIASES.items()
}

MDC_SYSTEMS = frozenset({"MDC", "ISO11073", "URN:ISO:STD:ISO:11073:10101"})
LOINC_SYSTEMS = frozenset({"LN", "LOINC", "HTTP://LOINC.ORG"})
_LOINC_SHAPE = re.compile(r"\d{1,7}-\d")


@dataclass(frozen=True)
class CodedValue:
    """One identifier^text^coding-system triple of a CWE/CE field."""

    identifier: str
    text: str
    system: str


def entry_for_source(source_code: str) -> CodeEntry | None:
    """Return the table entry for a normalised source code such as "MDC:150021"."""
    return _BY_SOURCE.get(source_code)


def _mdc_entry(coded: CodedValue) -> CodeEntry | None:
    found = _BY_SOURCE.get(f"MDC:{coded.identifier}")
    return found or _MDC_BY_NAME.get(coded.identifier) or _MDC_BY_NAME.get(coded.text)


def lookup_code(coded: CodedValue) -> CodeEntry | None:
    """Return the entry for one coded triple, or None when it is not in the tables.

    A blank coding system is read as MDC only when a reference id ("MDC_...")
    is given, and as LOINC only when the identifier has the LOINC shape.
    """
    system = coded.system.strip().upper()
    if system in MDC_SYSTEMS:
        return _mdc_entry(coded)
    if system in LOINC_SYSTEMS:
        return _BY_SOURCE.get(f"LOINC:{coded.identifier}")
    if system:
        return None
    if coded.identifier.startswith("MDC_") or coded.text.startswith("MDC_"):
        return _MDC_BY_NAME.get(coded.identifier) or _MDC_BY_NAME.get(coded.text)
    if _LOINC_SHAPE.fullmatch(coded.identifier):
        return _BY_SOURCE.get(f"LOINC:{coded.identifier}")
    return None


def describe_code(coded: CodedValue) -> str:
    """Return a short "SYSTEM:identifier" label for an unrecognised code."""
    system = coded.system.strip() or "?"
    return f"{system}:{coded.identifier or coded.text}"
