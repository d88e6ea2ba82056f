"""What ``parse_oru`` returns: frozen dataclasses, no HL7 library types."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from clinical.hl7.codes import IgnoreReason, VitalKind
from clinical.hl7.header import MessageHeader

# OBX-11 values (HL7 table 0085) filed by default: F final, C corrected, and
# R "results entered - not verified", which is what GE and Mindray PCD-01
# gateways send for every periodic reading (Philips sends F). P, I, X, D, W,
# N, O, S, U, V and a blank status are ignored unless a clinic adds them.
DEFAULT_RESULT_STATUSES = frozenset({"F", "C", "R"})
# MSH-11: only production messages are filed; "T" (training) and "D"
# (debugging) traffic is refused so test data never reaches a chart.
DEFAULT_PROCESSING_IDS = frozenset({"P"})


@dataclass(frozen=True)
class Hl7ParseOptions:
    """Clinic settings for the feed (see docs/adr/0004-hl7-ack-policy.md)."""

    accepted_result_statuses: frozenset[str] = field(default=DEFAULT_RESULT_STATUSES)
    accepted_processing_ids: frozenset[str] = field(default=DEFAULT_PROCESSING_IDS)


@dataclass(frozen=True)
class PatientIdentifier:
    """One repetition of PID-3 (CX): id, assigning authority (CX-4), type (CX-5)."""

    id_number: str
    assigning_authority: str
    type_code: str = ""


@dataclass(frozen=True)
class Location:
    """PV1-3 (PL): the chair is usually the bed component."""

    point_of_care: str
    room: str
    bed: str
    facility: str = ""


@dataclass(frozen=True)
class DeviceObservation:
    """One vital-sign reading, value in ``unit`` (UCUM), time in UTC."""

    kind: VitalKind
    value: Decimal
    unit: str  # "mm[Hg]", "%" or "/min"
    observed_at: datetime
    source_code: str  # "MDC:150021", "LOINC:8480-6"
    source_unit: str  # as sent, normalised: "MDC:265987", "UCUM:kPa"
    result_status: str  # OBX-11
    sub_id: str = ""  # OBX-4, e.g. PCD-01 "1.0.1.1"
    obr_index: int = 0  # 1 for the first OBR group; 0 before any OBR
    equipment_id: str = ""  # OBX-18, inherited from the device row above it


@dataclass(frozen=True)
class IgnoredObservation:
    """An OBX row that produced no reading, and why."""

    source_code: str
    sub_id: str
    reason: IgnoreReason
    detail: str = ""


@dataclass(frozen=True)
class OruMessage:
    """A parsed ORU^R01 (IHE PCD-01 or plain HL7 v2) vital-signs message."""

    header: MessageHeader
    message_at: datetime  # MSH-7, UTC
    patient_ids: tuple[PatientIdentifier, ...]
    location: Location | None
    observations: tuple[DeviceObservation, ...]
    ignored: tuple[IgnoredObservation, ...]

    @property
    def control_id(self) -> str:
        """Return MSH-10, the key for idempotent storage."""
        return self.header.control_id

    @property
    def sending_application(self) -> str:
        """Return MSH-3 as sent."""
        return self.header.sending_application

    @property
    def sending_facility(self) -> str:
        """Return MSH-4 as sent."""
        return self.header.sending_facility

    @property
    def message_type(self) -> str:
        """Return MSH-9 as "ORU^R01"."""
        code, event = self.header.message_type_parts()
        return f"{code}^{event}"
