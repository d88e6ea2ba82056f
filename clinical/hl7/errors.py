"""Errors of the HL7 v2 feed, each naming the ACK code it earns.

Two kinds, as HL7 v2.6 section 2.9.2 (original-mode acknowledgment) uses them:

* ``Hl7Reject`` -> ACK ``AR``: the bytes cannot be read as an ORU^R01 at all
  (garbage, no MSH, wrong message type, no control id, oversize frame).
  Resending the same bytes cannot succeed.
* ``Hl7ContentError`` -> ACK ``AE``: the message is a readable ORU^R01 but
  something in it cannot be filed safely (a non-numeric value for a vital
  sign, an impossible timestamp, a unit we cannot convert).

Messages never carry patient identifiers or observed values, so they are safe
to log and to echo back to the sender in MSA-3 / ERR-8.
"""

from __future__ import annotations

from dataclasses import dataclass

from clinical.errors import ClinicalError

# HL7 table 0357 (message error condition codes) values used here.
SEGMENT_SEQUENCE_ERROR = "100"
REQUIRED_FIELD_MISSING = "101"
DATA_TYPE_ERROR = "102"
TABLE_VALUE_NOT_FOUND = "103"
UNSUPPORTED_MESSAGE_TYPE = "200"
UNSUPPORTED_EVENT_CODE = "201"
UNSUPPORTED_PROCESSING_ID = "202"
UNKNOWN_KEY_IDENTIFIER = "204"
APPLICATION_INTERNAL_ERROR = "207"

HL7_ERROR_TEXT = {
    SEGMENT_SEQUENCE_ERROR: "Segment sequence error",
    REQUIRED_FIELD_MISSING: "Required field missing",
    DATA_TYPE_ERROR: "Data type error",
    TABLE_VALUE_NOT_FOUND: "Table value not found",
    UNSUPPORTED_MESSAGE_TYPE: "Unsupported message type",
    UNSUPPORTED_EVENT_CODE: "Unsupported event code",
    UNSUPPORTED_PROCESSING_ID: "Unsupported processing id",
    UNKNOWN_KEY_IDENTIFIER: "Unknown key identifier",
    APPLICATION_INTERNAL_ERROR: "Application internal error",
}


@dataclass(frozen=True)
class ErrorLocation:
    """Where in the inbound message an error sits (HL7 ERL: segment^sequence^field)."""

    segment: str
    sequence: int
    field: int


class Hl7Error(ClinicalError):
    """An inbound HL7 message that cannot be filed; ``ack_code`` says how to answer."""

    ack_code = "AE"

    def __init__(
        self,
        message: str,
        *,
        hl7_error_code: str = APPLICATION_INTERNAL_ERROR,
        location: ErrorLocation | None = None,
    ) -> None:
        super().__init__(message)
        self.hl7_error_code = hl7_error_code
        self.location = location


class Hl7Reject(Hl7Error):
    """The bytes are not a readable ORU^R01 message: answer ACK AR."""

    ack_code = "AR"


class Hl7ContentError(Hl7Error):
    """A readable ORU^R01 whose content cannot be filed safely: answer ACK AE."""

    ack_code = "AE"


class Hl7KeyTooLong(Hl7ContentError):
    """MSH-3, MSH-4 or MSH-10 longer than the stored key: answer AE, and keep nothing (a cut key could collide)."""


class MessageTooLarge(Hl7Reject):
    """An MLLP frame grew past the size limit; it was dropped, not decoded.

    ``complete`` holds the whole messages decoded from the same ``feed`` call,
    so none is lost; ``head`` keeps the first bytes of the dropped frame so an
    AR can still echo its control id.
    """

    def __init__(self, message: str, *, complete: tuple[bytes, ...], head: bytes) -> None:
        super().__init__(message, hl7_error_code=APPLICATION_INTERNAL_ERROR)
        self.complete = complete
        self.head = head
