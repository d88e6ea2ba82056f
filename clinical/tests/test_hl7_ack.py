"""Tests for clinical.hl7.ack: original-mode ACKs for AA, AE and AR."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import hl7
import pytest

from clinical.errors import ClinicalError
from clinical.hl7 import (
    AckCode,
    ErrorLocation,
    Hl7ContentError,
    Hl7Error,
    Hl7Reject,
    build_ack,
    build_error_ack,
    parse_oru,
    read_header,
)
from clinical.hl7.samples import SampleStyle, sample_oru

NOW = datetime(2024, 5, 6, 9, 30, 5, tzinfo=UTC)
INBOUND = sample_oru(
    SampleStyle.PCD01_MDC,
    mrn="MRN7",
    chair="C2",
    control_id="MSG0001",
    observed_at=datetime(2024, 5, 6, 9, 29, tzinfo=UTC),
)


def _fields(ack: str) -> dict[str, list[str]]:
    segments = [segment for segment in ack.split("\r") if segment]
    return {segment[:3]: segment.split("|") for segment in segments}


def _error_for(raw: str) -> Hl7Error:
    with pytest.raises(Hl7Error) as caught:
        parse_oru(raw, default_tz=UTC)
    return caught.value


def test_an_aa_ack_swaps_applications_and_echoes_the_control_id() -> None:
    message = parse_oru(INBOUND, default_tz=UTC)
    ack = build_ack(message, AckCode.AA, "stored", now=NOW, control_id="ACK0001")
    msh, msa = _fields(ack)["MSH"], _fields(ack)["MSA"]
    assert msh[2:6] == ["KETACARE", "DEMO_CLINIC", "KETACARE_SIM^0000000000000001^EUI-64", "DEMO_CLINIC"]
    assert msh[6] == "20240506093005+0000"
    assert msh[8:12] == ["ACK^R01^ACK", "ACK0001", "P", "2.6"]
    assert msa == ["MSA", "AA", "MSG0001", "stored"]
    assert "ERR" not in _fields(ack)
    assert ack.endswith("\r") and "\n" not in ack


def test_an_ack_is_valid_hl7_that_python_hl7_reads_back() -> None:
    ack = hl7.parse(build_ack(INBOUND, "AA", "ok", now=NOW, control_id="ACK2"))
    assert str(ack.segment("MSA")[2]) == "MSG0001"
    assert str(ack.segment("MSH")[9]) == "ACK^R01^ACK"


@pytest.mark.parametrize(
    ("code", "kind"),
    [("AE", Hl7ContentError), ("AR", Hl7Reject)],
)
def test_ae_and_ar_acks_carry_an_err_segment(code: str, kind: type[Hl7Error]) -> None:
    ack = build_ack(
        INBOUND,
        code,
        "bad value",
        now=NOW,
        control_id="ACK3",
        error_code="102",
        error_location=ErrorLocation("OBX", 4, 5),
    )
    fields = _fields(ack)
    assert fields["MSA"][1:3] == [code, "MSG0001"]
    assert fields["ERR"][2] == "OBX^4^5"
    assert fields["ERR"][3] == "102^Data type error^HL70357"
    assert fields["ERR"][4] == "E"
    assert fields["ERR"][8] == "bad value"
    assert kind.ack_code == code


def test_a_content_error_becomes_an_ae_naming_the_field() -> None:
    raw = INBOUND.replace("|128|", "|12B|")
    error = _error_for(raw)
    fields = _fields(build_error_ack(raw, error, now=NOW, control_id="ACK4"))
    assert fields["MSA"][1:3] == ["AE", "MSG0001"]
    assert fields["ERR"][2] == "OBX^4^5"
    assert fields["ERR"][3].startswith("102^")


def test_a_wrong_message_type_becomes_an_ar_echoing_its_control_id() -> None:
    raw = INBOUND.replace("ORU^R01^ORU_R01", "ADT^A01^ADT_A01")
    fields = _fields(build_error_ack(raw, _error_for(raw), now=NOW, control_id="ACK5"))
    assert fields["MSA"][1:3] == ["AR", "MSG0001"]
    assert fields["MSH"][8] == "ACK^A01^ACK"
    assert fields["ERR"][3].startswith("200^")


def test_garbage_gets_an_ar_with_an_empty_control_id_and_defaults() -> None:
    raw = b"\x00\x01 definitely not hl7"
    fields = _fields(build_error_ack(raw, _error_for(raw.decode()), now=NOW, control_id="ACK6"))
    assert fields["MSA"][1:3] == ["AR", ""]
    assert fields["MSH"][8:12] == ["ACK^R01^ACK", "ACK6", "P", "2.6"]
    assert fields["MSH"][2:6] == ["", "", "", ""]


def test_a_truncated_message_still_gets_its_control_id_echoed() -> None:
    raw = "MSH|^~\\&|MON|WARD|||20240506||ORU^R01|CUT77|P|2.6"
    fields = _fields(build_ack(raw.encode(), "AR", "cut short", now=NOW, control_id="ACK7"))
    assert fields["MSA"][2] == "CUT77"
    assert fields["MSH"][4:6] == ["MON", "WARD"]


def test_free_text_is_escaped_and_kept_on_one_line() -> None:
    ack = build_ack(INBOUND, "AE", "a|b^c&d~e\\f\r\ng", now=NOW, control_id="ACK8")
    err = _fields(ack)["ERR"]
    assert err[8] == "a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f g"
    assert len(ack.split("\r")) == 4  # MSH, MSA, ERR and the final CR


def test_msa3_is_cut_to_80_characters_but_err8_keeps_the_whole_text() -> None:
    text = "x" * 120
    fields = _fields(build_ack(INBOUND, "AE", text, now=NOW, control_id="ACK9"))
    assert len(fields["MSA"][3]) == 80
    assert fields["ERR"][8] == text


def test_the_inbound_separators_are_kept() -> None:
    raw = "MSH#*~\\&#MON#WARD#KC#CL#20240506093000##ORU*R01#C9#P#2.6\r"
    ack = build_ack(raw, "AA", "ok", now=NOW, control_id="A10")
    assert ack.startswith("MSH#*~\\&#KC#CL#MON#WARD#")
    assert "#ACK*R01*ACK#A10#" in ack
    assert read_header(ack).control_id == "A10"


def test_the_time_is_written_with_its_offset() -> None:
    later = datetime(2024, 5, 6, 11, 30, tzinfo=timezone(timedelta(hours=2)))
    assert _fields(build_ack(INBOUND, "AA", "", now=later, control_id="A11"))["MSH"][6] == (
        "20240506113000+0200"
    )


@pytest.mark.parametrize(
    "kwargs",
    [
        {"now": datetime(2024, 5, 6, 9, 30), "control_id": "A12"},  # naive clock
        {"now": NOW, "control_id": ""},
        {"now": NOW, "control_id": "A|13"},
    ],
)
def test_a_naive_clock_or_unusable_control_id_is_refused(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ClinicalError):
        build_ack(INBOUND, "AA", "ok", **kwargs)


def test_an_unknown_ack_code_is_refused() -> None:
    with pytest.raises(ClinicalError, match="AA, AE or AR"):
        build_ack(INBOUND, "CA", "ok", now=NOW, control_id="A14")
