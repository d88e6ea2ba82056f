"""MLLP framing (HL7 v2 Minimal Lower Layer Protocol), without sockets.

A frame is <VT> message <FS><CR> (0x0b ... 0x1c 0x0d), as python-hl7's
``hl7.mllp`` streams use. The decoder is fed whatever chunks the socket gives
and returns whole messages; bytes between frames are dropped and counted.
"""

from __future__ import annotations

import enum

from clinical.errors import ClinicalError
from clinical.hl7.errors import MessageTooLarge

START_BLOCK = b"\x0b"
END_BLOCK = b"\x1c"
CARRIAGE_RETURN = b"\x0d"
DEFAULT_MAX_MESSAGE_BYTES = 1_048_576  # 1 MiB; a vitals ORU is a few kB
HEAD_BYTES = 1024  # kept from an oversize frame so an AR can echo its MSH-10


def frame(message: str | bytes, encoding: str = "utf-8") -> bytes:
    """Wrap one HL7 message in an MLLP frame."""
    body = message.encode(encoding) if isinstance(message, str) else message
    if START_BLOCK in body or END_BLOCK in body:
        raise ClinicalError("an HL7 message cannot contain MLLP block characters")
    return START_BLOCK + body + END_BLOCK + CARRIAGE_RETURN


class _State(enum.Enum):
    OUTSIDE = "outside"  # between frames: drop bytes until a start block
    INSIDE = "inside"  # collecting a message
    SKIPPING = "skipping"  # inside an oversize frame: drop until its end


def _next_marker(data: bytes, start: int) -> int:
    """Return the index of the next start or end block at or after ``start``, or -1."""
    found = [i for i in (data.find(START_BLOCK, start), data.find(END_BLOCK, start)) if i >= 0]
    return min(found) if found else -1


class MllpDecoder:
    """Incremental MLLP decoder: ``feed(chunk)`` returns the messages completed by it.

    A start block inside a frame abandons the partial message (the sender gets
    no ACK and resends). The CR after an end block is optional. A frame longer
    than ``max_message_bytes`` is dropped; ``feed`` then raises MessageTooLarge
    after reading the whole chunk, carrying the messages it completed.
    """

    def __init__(self, max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES) -> None:
        if max_message_bytes < 1:
            raise ClinicalError("max_message_bytes must be at least 1")
        self.max_message_bytes = max_message_bytes
        self.discarded_bytes = 0
        self._state = _State.OUTSIDE
        self._after_end = False  # the next byte may be the CR that closes a frame
        self._buffer = bytearray()
        self._complete: list[bytes] = []
        self._oversize_heads: list[bytes] = []

    def feed(self, data: bytes) -> list[bytes]:
        """Consume ``data``; return every message whose end block it contained."""
        pos = 0
        while pos < len(data):
            if self._state is _State.OUTSIDE:
                pos = self._seek_start(data, pos)
            else:
                pos = self._collect(data, pos)
        complete, self._complete = self._complete, []
        heads, self._oversize_heads = self._oversize_heads, []
        if heads:
            raise MessageTooLarge(
                f"{len(heads)} message(s) exceeded {self.max_message_bytes} bytes and were dropped",
                complete=tuple(complete),
                head=heads[0],
            )
        return complete

    @property
    def pending_bytes(self) -> int:
        """Return how many bytes of an unfinished message are buffered."""
        return len(self._buffer)

    def _seek_start(self, data: bytes, pos: int) -> int:
        if self._after_end:
            self._after_end = False
            if data[pos : pos + 1] == CARRIAGE_RETURN:
                return pos + 1
        start = data.find(START_BLOCK, pos)
        if start < 0:
            self.discarded_bytes += len(data) - pos
            return len(data)
        self.discarded_bytes += start - pos
        self._begin()
        return start + 1

    def _begin(self) -> None:
        self._state = _State.INSIDE
        self._buffer = bytearray()

    def _collect(self, data: bytes, pos: int) -> int:
        marker = _next_marker(data, pos)
        stop = len(data) if marker < 0 else marker
        if self._state is _State.INSIDE:
            self._buffer += data[pos:stop]
            self._check_size()
        else:
            self.discarded_bytes += stop - pos
        if marker < 0:
            return stop
        if data[marker : marker + 1] == START_BLOCK:
            self.discarded_bytes += len(self._buffer)
            self._begin()
        else:
            self._finish()
        return marker + 1

    def _check_size(self) -> None:
        if len(self._buffer) > self.max_message_bytes:
            self._oversize_heads.append(bytes(self._buffer[:HEAD_BYTES]))
            self.discarded_bytes += len(self._buffer)
            self._buffer = bytearray()
            self._state = _State.SKIPPING

    def _finish(self) -> None:
        if self._state is _State.INSIDE:
            self._complete.append(bytes(self._buffer))
        self._buffer = bytearray()
        self._state = _State.OUTSIDE
        self._after_end = True
