"""A typed view of python-hl7 segments: missing fields read as empty text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

import hl7

from clinical.hl7.errors import SEGMENT_SEQUENCE_ERROR, ErrorLocation, Hl7Reject

SEGMENT_ID = re.compile(r"[A-Z][A-Z0-9]{2}")


class _Hl7Segment(Protocol):
    def extract_field(
        self,
        segment_num: int,
        field_num: int,
        repeat_num: int,
        component_num: int,
        subcomponent_num: int,
    ) -> str: ...

    def __len__(self) -> int: ...

    def __getitem__(self, index: int) -> _Sized: ...


class _Sized(Protocol):
    def __len__(self) -> int: ...


class SegmentView(Protocol):
    """What the ORU reader needs of a segment (``Seg`` over python-hl7, or ``fastseg.PlainSeg``)."""

    @property
    def segment_id(self) -> str: ...

    @property
    def sequence(self) -> int: ...

    def get(self, field: int, component: int = 1, repetition: int = 1) -> str: ...

    def text(self, field: int) -> str: ...

    def repetitions(self, field: int) -> int: ...

    def loc(self, field: int) -> ErrorLocation: ...


@dataclass(frozen=True)
class Seg:
    """One segment, with its id and 1-based position among segments of that id."""

    segment_id: str
    sequence: int
    raw: _Hl7Segment

    def get(self, field: int, component: int = 1, repetition: int = 1) -> str:
        """Return one component (unescaped), or "" when it is absent."""
        try:
            return str(self.raw.extract_field(1, field, repetition, component, 1)).strip()
        except IndexError:
            return ""

    def text(self, field: int) -> str:
        """Return a whole field as sent (separators kept, not unescaped)."""
        return str(self.raw[field]).strip() if field < len(self.raw) else ""

    def repetitions(self, field: int) -> int:
        """Return how many repetitions ``field`` has (0 when absent)."""
        return len(self.raw[field]) if field < len(self.raw) else 0

    def loc(self, field: int) -> ErrorLocation:
        """Return the ERR-2 location of ``field`` in this segment."""
        return ErrorLocation(self.segment_id, self.sequence, field)


def split_segments(text: str) -> list[Seg]:
    """Parse normalised message text with python-hl7 into typed segments."""
    try:
        message = hl7.parse(text)
    except (hl7.ParseException, IndexError, ValueError) as exc:
        raise Hl7Reject(
            "the message cannot be split into HL7 segments",
            hl7_error_code=SEGMENT_SEQUENCE_ERROR,
        ) from exc
    counts: dict[str, int] = {}
    segments: list[Seg] = []
    for raw in message:
        segment_id = str(raw[0]).strip()
        if not SEGMENT_ID.fullmatch(segment_id):
            raise Hl7Reject(
                f"segment {len(segments) + 1} has no valid segment id",
                hl7_error_code=SEGMENT_SEQUENCE_ERROR,
            )
        counts[segment_id] = counts.get(segment_id, 0) + 1
        segments.append(Seg(segment_id, counts[segment_id], raw))
    return segments
