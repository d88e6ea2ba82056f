"""HL7 v2 bedside-monitor feed (IHE PCD-01 ORU^R01): parsing, ACKs, MLLP framing.

Pure code: no sockets, no clock, no database. The listener frames and
unframes with ``mllp``, calls ``parse_oru``, files the readings through a
service, then answers with ``build_ack`` (policy: docs/adr/0004-hl7-ack-policy.md).
"""

from clinical.hl7.ack import AckCode, build_ack, build_error_ack
from clinical.hl7.codes import IgnoreReason, VitalKind
from clinical.hl7.errors import (
    ErrorLocation,
    Hl7ContentError,
    Hl7Error,
    Hl7KeyTooLong,
    Hl7Reject,
    MessageTooLarge,
)
from clinical.hl7.header import MessageHeader, read_header
from clinical.hl7.mllp import MllpDecoder, frame
from clinical.hl7.model import (
    DeviceObservation,
    Hl7ParseOptions,
    IgnoredObservation,
    Location,
    OruMessage,
    PatientIdentifier,
)
from clinical.hl7.parse import parse_oru
from clinical.hl7.select import select_preferred

__all__ = [
    "AckCode",
    "DeviceObservation",
    "ErrorLocation",
    "Hl7ContentError",
    "Hl7KeyTooLong",
    "Hl7Error",
    "Hl7ParseOptions",
    "Hl7Reject",
    "IgnoreReason",
    "IgnoredObservation",
    "Location",
    "MessageHeader",
    "MessageTooLarge",
    "MllpDecoder",
    "OruMessage",
    "PatientIdentifier",
    "VitalKind",
    "build_ack",
    "build_error_ack",
    "frame",
    "parse_oru",
    "read_header",
    "select_preferred",
]
