"""Tests for clinical.hl7.mllp: framing and incremental decoding, no sockets."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clinical.errors import ClinicalError
from clinical.hl7 import Hl7Reject, MessageTooLarge, MllpDecoder, frame, read_header

MSG_A = "MSH|^~\\&|MON|WARD|||20240506||ORU^R01|A1|P|2.6\rOBX|1|NM|x||1\r"
MSG_B = "MSH|^~\\&|MON|WARD|||20240506||ORU^R01|B2|P|2.6\r"


def _chunks(data: bytes, sizes: list[int]) -> list[bytes]:
    chunks, pos = [], 0
    for size in sizes:
        chunks.append(data[pos : pos + size])
        pos += size
    return [*chunks, data[pos:]]


def _feed_all(decoder: MllpDecoder, chunks: list[bytes]) -> list[bytes]:
    return [message for chunk in chunks for message in decoder.feed(chunk)]


def test_frame_wraps_a_message_in_vt_fs_cr() -> None:
    assert frame("MSH|x") == b"\x0bMSH|x\x1c\x0d"
    assert frame(b"MSH|\xc3\xa9") == b"\x0bMSH|\xc3\xa9\x1c\x0d"


def test_frame_refuses_a_message_containing_block_characters() -> None:
    with pytest.raises(ClinicalError):
        frame("MSH|\x1c")


def test_a_message_split_across_chunks_is_returned_once_complete() -> None:
    decoder = MllpDecoder()
    data = frame(MSG_A)
    assert decoder.feed(data[:5]) == []
    assert decoder.feed(data[5:-2]) == []
    assert decoder.pending_bytes == len(MSG_A)
    assert decoder.feed(data[-2:]) == [MSG_A.encode()]
    assert decoder.pending_bytes == 0


def test_the_closing_cr_arriving_in_its_own_chunk_is_not_counted_as_junk() -> None:
    decoder = MllpDecoder()
    assert decoder.feed(frame(MSG_A)[:-1]) == [MSG_A.encode()]
    assert decoder.feed(b"\r") == []
    assert decoder.discarded_bytes == 0


def test_several_messages_in_one_chunk_are_all_returned_in_order() -> None:
    assert MllpDecoder().feed(frame(MSG_A) + frame(MSG_B)) == [MSG_A.encode(), MSG_B.encode()]


def test_junk_between_frames_is_dropped_and_counted() -> None:
    decoder = MllpDecoder()
    data = b"\r\nnoise" + frame(MSG_A) + b"\x00\xff" + frame(MSG_B) + b"tail"
    assert decoder.feed(data) == [MSG_A.encode(), MSG_B.encode()]
    assert decoder.discarded_bytes == len(b"\r\nnoise") + 2 + 4


def test_a_missing_cr_after_the_end_block_is_tolerated() -> None:
    data = b"\x0b" + MSG_A.encode() + b"\x1c" + frame(MSG_B)
    assert MllpDecoder().feed(data) == [MSG_A.encode(), MSG_B.encode()]


def test_a_start_block_inside_a_frame_abandons_the_partial_message() -> None:
    decoder = MllpDecoder()
    data = b"\x0bMSH|partial" + frame(MSG_B)
    assert decoder.feed(data) == [MSG_B.encode()]
    assert decoder.discarded_bytes == len(b"MSH|partial")


def test_an_oversize_frame_raises_after_keeping_the_other_messages() -> None:
    decoder = MllpDecoder(max_message_bytes=100)
    big = MSG_A + "OBX|2|NM|x||" + "9" * 200 + "\r"
    with pytest.raises(MessageTooLarge) as caught:
        decoder.feed(frame(MSG_B) + frame(big) + frame(MSG_B))
    error = caught.value
    assert error.complete == (MSG_B.encode(), MSG_B.encode())
    assert read_header(error.head).control_id == "A1"
    assert isinstance(error, Hl7Reject) and error.ack_code == "AR"
    assert decoder.pending_bytes == 0


def test_decoding_continues_after_an_oversize_frame_spread_over_chunks() -> None:
    decoder = MllpDecoder(max_message_bytes=50)
    data = frame("MSH|" + "x" * 500) + frame(MSG_B)
    with pytest.raises(MessageTooLarge):
        decoder.feed(data[:100])
    assert decoder.feed(data[100:300]) == []
    assert decoder.feed(data[300:]) == [MSG_B.encode()]


def test_a_message_of_exactly_the_limit_is_accepted() -> None:
    assert MllpDecoder(max_message_bytes=len(MSG_B)).feed(frame(MSG_B)) == [MSG_B.encode()]


def test_the_size_limit_must_be_positive() -> None:
    with pytest.raises(ClinicalError):
        MllpDecoder(max_message_bytes=0)


# Printable HL7-like text: anything but the MLLP block characters.
_messages = st.lists(
    st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E) | st.sampled_from("\r\n"), min_size=1),
    min_size=1,
    max_size=5,
)


@given(messages=_messages, cuts=st.lists(st.integers(min_value=0, max_value=40), max_size=30))
def test_framing_then_decoding_any_chunking_returns_the_messages(
    messages: list[str], cuts: list[int]
) -> None:
    stream = b"".join(frame(message) for message in messages)
    decoded = _feed_all(MllpDecoder(), _chunks(stream, cuts))
    assert decoded == [message.encode() for message in messages]


@given(
    messages=_messages,
    junk=st.binary(max_size=20).filter(lambda b: b"\x0b" not in b),
    cuts=st.lists(st.integers(min_value=1, max_value=25), max_size=30),
)
def test_junk_between_frames_never_changes_the_decoded_messages(
    messages: list[str], junk: bytes, cuts: list[int]
) -> None:
    stream = junk + junk.join(frame(message) for message in messages) + junk
    assert _feed_all(MllpDecoder(), _chunks(stream, cuts)) == [m.encode() for m in messages]
