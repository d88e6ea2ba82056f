"""Split-based field access for plain ORU^R01 messages, the fast path beside python-hl7.

python-hl7 builds a tree of containers for every message; for the shapes the bedside feed
sends (default separators ``|^~\\&`` and no escape sequences) plain ``str.split`` gives the
same components. ``split_plain`` returns None for anything else (other separators, an
escape character in the data, a truncation character in MSH-2), and the caller falls back
to python-hl7 (``clinical.hl7.segments.split_segments``). The tests parse every sample and
hypothesis-generated messages both ways and require the same result.
"""

from __future__ import annotations

from clinical.hl7.errors import SEGMENT_SEQUENCE_ERROR, ErrorLocation, Hl7Reject
from clinical.hl7.segments import SEGMENT_ID

PLAIN_MSH = "MSH|^~\\&|"


class PlainSeg:
    """One segment read with str.split; the same reads as ``segments.Seg`` (missing parts are "")."""

    __slots__ = ("_parts", "fields", "segment_id", "sequence")

    def __init__(self, segment_id: str, sequence: int, fields: list[str]) -> None:
        self.segment_id, self.sequence = segment_id, sequence
        self.fields = fields  # fields[n] is field n (for MSH, fields[1] is "|" and fields[2] the encoding characters)
        self._parts: dict[int, list[list[str]]] = {}

    def _split(self, field: int) -> list[list[str]]:
        value = self.fields[field]
        if self.segment_id == "MSH" and field in (1, 2):
            parts = [[value.strip()]]
        else:
            parts = [[c.split("&", 1)[0].strip() for c in rep.split("^")] for rep in value.split("~")]
        self._parts[field] = parts
        return parts

    def get(self, field: int, component: int = 1, repetition: int = 1) -> str:
        """Return one component (first subcomponent), or "" when it is absent."""
        parts = self._parts.get(field)
        if parts is None:
            if field >= len(self.fields) or field < 1:
                return ""
            parts = self._split(field)
        if repetition > len(parts):
            return ""
        components = parts[repetition - 1]
        return components[component - 1] if component <= len(components) else ""

    def text(self, field: int) -> str:
        """Return a whole field as sent (separators kept)."""
        return self.fields[field].strip() if field < len(self.fields) else ""

    def repetitions(self, field: int) -> int:
        """Return how many repetitions ``field`` has (0 when absent)."""
        if field >= len(self.fields):
            return 0
        if self.segment_id == "MSH" and field in (1, 2):
            return 1
        return self.fields[field].count("~") + 1

    def loc(self, field: int) -> ErrorLocation:
        """Return the ERR-2 location of ``field`` in this segment."""
        return ErrorLocation(self.segment_id, self.sequence, field)


def is_plain(text: str) -> bool:
    """True when the message uses the default separators and no escape sequence (the fast path applies)."""
    return text.startswith(PLAIN_MSH) and text.count("\\") == 1


def split_plain(text: str) -> list[PlainSeg] | None:
    """Split normalised message text into segments, or None when python-hl7 must read it."""
    text = text.strip()
    if not is_plain(text):
        return None
    counts: dict[str, int] = {}
    segments: list[PlainSeg] = []
    for line in text.split("\r"):
        fields = line.split("|")
        segment_id = fields[0].strip()
        if not SEGMENT_ID.fullmatch(segment_id):
            raise Hl7Reject(f"segment {len(segments) + 1} has no valid segment id", hl7_error_code=SEGMENT_SEQUENCE_ERROR)
        if segment_id == "MSH":
            fields = ["MSH", "|", *fields[1:]]
        counts[segment_id] = counts.get(segment_id, 0) + 1
        segments.append(PlainSeg(segment_id, counts[segment_id], fields))
    return segments
