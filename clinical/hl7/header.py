"""Best-effort reading of an MSH segment, even from bytes that fail to parse.

The ACK for a rejected message still has to echo MSH-10 and swap the sending
and receiving application (HL7 v2.6 section 2.9.2), so this reader never
raises: whatever it cannot find comes back empty.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DEFAULT_FIELD_SEPARATOR = "|"
DEFAULT_ENCODING_CHARACTERS = "^~\\&"

# Leading bytes tolerated before "MSH": whitespace and an MLLP start block.
_LEADING = " \t\r\n\x0b"
_SEGMENT_END = re.compile(r"[\r\n]")


@dataclass(frozen=True)
class MessageHeader:
    """The MSH fields the feed needs, as raw text (components still joined)."""

    field_separator: str = DEFAULT_FIELD_SEPARATOR
    encoding_characters: str = DEFAULT_ENCODING_CHARACTERS
    sending_application: str = ""  # MSH-3
    sending_facility: str = ""  # MSH-4
    receiving_application: str = ""  # MSH-5
    receiving_facility: str = ""  # MSH-6
    message_time: str = ""  # MSH-7
    message_type: str = ""  # MSH-9, e.g. "ORU^R01^ORU_R01"
    control_id: str = ""  # MSH-10
    processing_id: str = ""  # MSH-11
    version: str = ""  # MSH-12
    charset: str = ""  # MSH-18
    found: bool = False  # an MSH segment with usable separators was seen

    @property
    def component_separator(self) -> str:
        """Return the component separator (first encoding character)."""
        return self.encoding_characters[0]

    def message_type_parts(self) -> tuple[str, str]:
        """Return (message code, trigger event) from MSH-9."""
        parts = self.message_type.split(self.component_separator)
        code = parts[0].strip()
        event = parts[1].strip() if len(parts) > 1 else ""
        return code, event


def _usable_separators(field_sep: str, encoding: str) -> bool:
    chars = field_sep + encoding[:4]
    if len(encoding) < 4 or len(set(chars)) != len(chars):
        return False
    return not any(c.isalnum() or c.isspace() for c in chars)


def read_header(raw: bytes | str) -> MessageHeader:
    """Read the MSH segment of ``raw``; return an empty header when there is none."""
    text = raw.decode("latin-1") if isinstance(raw, bytes) else raw
    text = text.lstrip(_LEADING)
    if not text.startswith("MSH") or len(text) < 8:
        return MessageHeader()
    first_segment = _SEGMENT_END.split(text, maxsplit=1)[0]
    field_sep = first_segment[3]
    parts = first_segment.split(field_sep)
    encoding = parts[1] if len(parts) > 1 else ""
    if not _usable_separators(field_sep, encoding):
        return MessageHeader()

    def msh(n: int) -> str:
        # parts[0] is "MSH" and MSH-1 is the separator itself, so MSH-n is parts[n - 1].
        return parts[n - 1].strip() if n - 1 < len(parts) else ""

    return MessageHeader(
        field_separator=field_sep,
        encoding_characters=encoding[:4],
        sending_application=msh(3),
        sending_facility=msh(4),
        receiving_application=msh(5),
        receiving_facility=msh(6),
        message_time=msh(7),
        message_type=msh(9),
        control_id=msh(10),
        processing_id=msh(11).split(encoding[0])[0],
        version=msh(12).split(encoding[0])[0],
        charset=msh(18),
        found=True,
    )
