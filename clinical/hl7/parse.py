"""Parse an ORU^R01 vitals message (IHE PCD-01 or plain HL7 v2) into readings.

A pure function: bytes in, frozen dataclasses out, no clock and no I/O.
``Hl7Reject`` means answer AR, ``Hl7ContentError`` means answer AE
(see clinical/hl7/errors.py and docs/adr/0004-hl7-ack-policy.md).
"""

from __future__ import annotations

import re
from datetime import tzinfo

from clinical.hl7.errors import (
    APPLICATION_INTERNAL_ERROR,
    DATA_TYPE_ERROR,
    REQUIRED_FIELD_MISSING,
    SEGMENT_SEQUENCE_ERROR,
    UNSUPPORTED_EVENT_CODE,
    UNSUPPORTED_MESSAGE_TYPE,
    UNSUPPORTED_PROCESSING_ID,
    ErrorLocation,
    Hl7ContentError,
    Hl7KeyTooLong,
    Hl7Reject,
)
from clinical.hl7.fastseg import split_plain
from clinical.hl7.header import MessageHeader, read_header
from clinical.hl7.model import (
    DeviceObservation,
    Hl7ParseOptions,
    IgnoredObservation,
    Location,
    OruMessage,
    PatientIdentifier,
)
from clinical.hl7.obx import ObservationReader
from clinical.hl7.segments import SegmentView as Seg
from clinical.hl7.segments import split_segments
from clinical.hl7.timestamps import check_default_tz, parse_hl7_time

# MSH-18 character sets (HL7 table 0211) this feed decodes; blank means UTF-8.
_CODECS = {"": "utf-8", "UNICODE UTF-8": "utf-8", "8859/1": "latin-1", "ASCII": "ascii"}
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_MSH_10 = ErrorLocation("MSH", 1, 10)


def _decode(raw: bytes | str, header: MessageHeader) -> str:
    if isinstance(raw, str):
        return raw
    codec = _CODECS.get(header.charset.strip().upper(), "utf-8")
    try:
        return raw.decode(codec)
    except UnicodeDecodeError as exc:
        raise Hl7Reject(
            f"the message bytes are not valid {codec}",
            hl7_error_code=APPLICATION_INTERNAL_ERROR,
        ) from exc


def _normalise(text: str) -> str:
    """Accept CR, LF or CRLF between segments; HL7 itself uses CR (v2.6 2.5.1)."""
    lines = (line.strip("\x0b\x1c \t") for line in _LINE_BREAK.split(text))
    return "\r".join(line for line in lines if line)


KEY_MAX_CHARS = {"MSH-3": 180, "MSH-4": 180, "MSH-10": 199}  # the stored key's columns; longer cannot be a key


def _check_key_lengths(header: MessageHeader) -> None:
    """Refuse a sender or control id longer than the key can hold: cut, two messages would share a key."""
    for name, value in (("MSH-3", header.sending_application), ("MSH-4", header.sending_facility),
                        ("MSH-10", header.control_id)):
        if len(value) > KEY_MAX_CHARS[name]:
            raise Hl7KeyTooLong(
                f"{name} is {len(value)} characters long; at most {KEY_MAX_CHARS[name]} are accepted",
                hl7_error_code=DATA_TYPE_ERROR,
                location=ErrorLocation("MSH", 1, int(name.split("-")[1])),
            )


def _check_header(header: MessageHeader, text: str, options: Hl7ParseOptions) -> None:
    if not header.found or not text.startswith("MSH"):
        raise Hl7Reject(
            "no MSH segment with valid separators at the start",
            hl7_error_code=SEGMENT_SEQUENCE_ERROR,
        )
    if "\rMSH" in text:
        raise Hl7Reject("more than one message in one frame", hl7_error_code=SEGMENT_SEQUENCE_ERROR)
    if not header.control_id:
        raise Hl7Reject(
            "MSH-10 (message control id) is empty",
            hl7_error_code=REQUIRED_FIELD_MISSING,
            location=_MSH_10,
        )
    code, event = header.message_type_parts()
    if code != "ORU":
        raise Hl7Reject(
            f"message type {code or 'blank'} is not accepted; only ORU^R01 is",
            hl7_error_code=UNSUPPORTED_MESSAGE_TYPE,
            location=ErrorLocation("MSH", 1, 9),
        )
    if event != "R01":
        raise Hl7Reject(
            f"trigger event {event or 'blank'} is not accepted; only ORU^R01 is",
            hl7_error_code=UNSUPPORTED_EVENT_CODE,
            location=ErrorLocation("MSH", 1, 9),
        )
    if header.processing_id not in options.accepted_processing_ids:
        raise Hl7Reject(
            f"processing id {header.processing_id or 'blank'} is not accepted here",
            hl7_error_code=UNSUPPORTED_PROCESSING_ID,
            location=ErrorLocation("MSH", 1, 11),
        )


def _patient_ids(pid: Seg | None) -> tuple[PatientIdentifier, ...]:
    if pid is None:
        return ()
    found = (
        PatientIdentifier(pid.get(3, 1, rep), pid.get(3, 4, rep), pid.get(3, 5, rep))
        for rep in range(1, pid.repetitions(3) + 1)
    )
    return tuple(identifier for identifier in found if identifier.id_number)


def _location(pv1: Seg | None) -> Location | None:
    if pv1 is None:
        return None
    location = Location(pv1.get(3, 1), pv1.get(3, 2), pv1.get(3, 3), pv1.get(3, 4))
    return location if any((location.point_of_care, location.room, location.bed)) else None


def _first(segments: list[Seg], segment_id: str) -> Seg | None:
    return next((seg for seg in segments if seg.segment_id == segment_id), None)


def parse_oru(
    raw: bytes | str,
    *,
    default_tz: tzinfo,
    options: Hl7ParseOptions | None = None,
    fast: bool = True,
) -> OruMessage:
    """Parse one ORU^R01 message; times without a UTC offset are read in ``default_tz``.

    ``fast`` reads plain messages with str.split (``fastseg``) and the rest with python-hl7;
    ``fast=False`` always uses python-hl7 (the reference the tests compare against).

    Raises Hl7Reject (answer AR) when the input is not a readable ORU^R01 and
    Hl7ContentError (answer AE) when it is readable but cannot be filed.
    """
    check_default_tz(default_tz)
    options = options or Hl7ParseOptions()
    header = read_header(raw)
    text = _normalise(_decode(raw, header))
    _check_header(header, text, options)
    _check_key_lengths(header)
    plain = split_plain(text) if fast else None
    segments: list[Seg] = list(plain) if plain is not None else list(split_segments(text))
    if not header.message_time:
        raise Hl7ContentError(
            "MSH-7 (message date/time) is empty",
            hl7_error_code=REQUIRED_FIELD_MISSING,
            location=ErrorLocation("MSH", 1, 7),
        )
    message_at = parse_hl7_time(
        header.message_time,
        default_tz=default_tz,
        what="MSH-7",
        location=ErrorLocation("MSH", 1, 7),
    )
    reader = ObservationReader(message_at=message_at, default_tz=default_tz, options=options)
    observations: list[DeviceObservation] = []
    ignored: list[IgnoredObservation] = []
    for seg in segments:
        if seg.segment_id == "OBR":
            reader.start_group(seg)
        elif seg.segment_id == "OBX":
            outcome = reader.read(seg)
            if isinstance(outcome, DeviceObservation):
                observations.append(outcome)
            else:
                ignored.append(outcome)
    return OruMessage(
        header=header,
        message_at=message_at,
        patient_ids=_patient_ids(_first(segments, "PID")),
        location=_location(_first(segments, "PV1")),
        observations=tuple(observations),
        ignored=tuple(ignored),
    )
