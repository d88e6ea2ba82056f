"""Build original-mode ACK messages (HL7 v2.6 section 2.9.2) for the ORU feed.

MSH swaps sending and receiving application/facility and keeps the inbound
separators, processing id and version; MSA echoes the inbound MSH-10; an ERR
(v2.5+ layout: ERR-2 location, ERR-3 table 0357 code, ERR-4 severity, ERR-8
user message) follows every AE and AR. Works from a parsed message, a header,
or raw bytes that could not be parsed (then unknown fields are left empty).
"""

from __future__ import annotations

import enum
from datetime import datetime

from clinical.errors import ClinicalError
from clinical.hl7.errors import HL7_ERROR_TEXT, ErrorLocation, Hl7Error
from clinical.hl7.header import MessageHeader, read_header
from clinical.hl7.model import OruMessage

DEFAULT_VERSION = "2.6"  # the HL7 version of IHE PCD-01
DEFAULT_PROCESSING_ID = "P"
MSA_TEXT_MAX = 80  # MSA-3 length in HL7 v2.x


class AckCode(enum.Enum):
    """MSA-1 acknowledgment codes (HL7 table 0008), original mode."""

    AA = "AA"  # accepted and committed
    AE = "AE"  # readable, but could not be filed
    AR = "AR"  # rejected: not a readable ORU^R01


Inbound = OruMessage | MessageHeader | bytes | str


def _ack_code(code: AckCode | str) -> AckCode:
    try:
        return AckCode(code)
    except ValueError:
        raise ClinicalError(f"ACK code must be AA, AE or AR, not {code!r}") from None


def _header_of(inbound: Inbound) -> MessageHeader:
    if isinstance(inbound, OruMessage):
        return inbound.header
    if isinstance(inbound, MessageHeader):
        return inbound
    return read_header(inbound)


def _escape(text: str, header: MessageHeader) -> str:
    """Escape separators in free text (HL7 v2.6 section 2.7.4) and drop line breaks."""
    chars = header.encoding_characters
    component, repetition, escape, sub = chars[0], chars[1], chars[2], chars[3]
    replacements = (
        (escape, f"{escape}E{escape}"),
        (header.field_separator, f"{escape}F{escape}"),
        (component, f"{escape}S{escape}"),
        (sub, f"{escape}T{escape}"),
        (repetition, f"{escape}R{escape}"),
    )
    cleaned = " ".join(text.split())
    for char, escaped in replacements:
        cleaned = cleaned.replace(char, escaped)
    return cleaned


def _hl7_time(now: datetime) -> str:
    if now.utcoffset() is None:
        raise ClinicalError("now must be an aware datetime")
    return now.strftime("%Y%m%d%H%M%S%z")


def _check_control_id(control_id: str, header: MessageHeader) -> None:
    reserved = set(header.field_separator + header.encoding_characters + "\r\n")
    if not control_id.strip() or reserved & set(control_id):
        raise ClinicalError("the ACK control id must be non-empty plain text")


def _msh(header: MessageHeader, now: datetime, control_id: str) -> str:
    c = header.component_separator
    event = header.message_type_parts()[1] or "R01"
    fields = (
        "MSH",
        header.encoding_characters,
        header.receiving_application,
        header.receiving_facility,
        header.sending_application,
        header.sending_facility,
        _hl7_time(now),
        "",
        f"ACK{c}{_escape(event, header)}{c}ACK",
        control_id,
        header.processing_id or DEFAULT_PROCESSING_ID,
        header.version or DEFAULT_VERSION,
    )
    return header.field_separator.join(fields)


def _err(header: MessageHeader, error_code: str, location: ErrorLocation | None, text: str) -> str:
    c = header.component_separator
    where = f"{location.segment}{c}{location.sequence}{c}{location.field}" if location else ""
    code_text = _escape(HL7_ERROR_TEXT.get(error_code, ""), header)
    fields = (
        "ERR",
        "",
        where,
        f"{error_code}{c}{code_text}{c}HL70357",
        "E",
        "",
        "",
        "",
        _escape(text, header),
    )
    return header.field_separator.join(fields)


def build_ack(
    inbound: Inbound,
    code: AckCode | str,
    text: str,
    *,
    now: datetime,
    control_id: str,
    error_code: str = "207",
    error_location: ErrorLocation | None = None,
) -> str:
    """Return the ACK for ``inbound``, segments ended by CR, ready for ``mllp.frame``.

    ``control_id`` is the ACK's own new MSH-10; MSA-2 echoes the inbound one.
    ``error_code`` (HL7 table 0357) and ``error_location`` fill the ERR segment
    sent with AE and AR. ``text`` must not contain patient data.
    """
    ack_code = _ack_code(code)
    header = _header_of(inbound)
    _check_control_id(control_id, header)
    f = header.field_separator
    msa = f.join(("MSA", ack_code.value, header.control_id, _escape(text[:MSA_TEXT_MAX], header)))
    segments = [_msh(header, now, control_id), msa]
    if ack_code is not AckCode.AA:
        segments.append(_err(header, error_code, error_location, text))
    return "\r".join(segments) + "\r"


def build_error_ack(inbound: Inbound, error: Hl7Error, *, now: datetime, control_id: str) -> str:
    """Return the AE or AR that ``error`` calls for, with its code and location."""
    return build_ack(
        inbound,
        error.ack_code,
        str(error),
        now=now,
        control_id=control_id,
        error_code=error.hl7_error_code,
        error_location=error.location,
    )
