"""Poison values the monitor port must answer AE, with the reason (issue 14; docs/adr/0014-monitor-port.md)."""

from __future__ import annotations

from datetime import UTC
from decimal import Decimal
from typing import Literal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clinical.hl7 import Hl7ContentError, Hl7KeyTooLong, parse_oru
from clinical.hl7.obx import NM_MAX_CHARS

HEADER = "MSH|^~\\&|MON|WARD|KETACARE|CLINIC|20240506103000+0000||ORU^R01^ORU_R01|{cid}|P|2.6"
BODY = ("PID|||MRN7^^^KETACARE^MR||DEMO^PATIENT\rPV1||O|INFUSION^^C2\r"
        "OBR|1|||182777000^monitoring of patient^SCT|||20240506102500+0000\r"
        "OBX|1|NM|150021^MDC_PRESS_BLD_NONINV_SYS^MDC||{value}|266016^MDC_DIM_MMHG^MDC|||||F\r")


def _message(value: str = "120", cid: str = "C1", app: str = "MON") -> str:
    return HEADER.format(cid=cid).replace("|MON|", f"|{app}|", 1) + "\r" + BODY.format(value=value)


def _parse(raw: str, fast: bool = True):
    return parse_oru(raw, default_tz=UTC, fast=fast)


# Worked examples (HL7 v2.6 2A.3.47 NM: optional sign, ASCII digits, optional decimal point).
@pytest.mark.parametrize(("value", "reason"), [
    ("9" * 400, "400 characters long"),
    ("1" * 17, "17 characters long"),
    ("1e3", "not a number"),
    ("NaN", "not a number"),
    ("Infinity", "not a number"),
    ("0x78", "not a number"),
    ("12.0.1", "not a number"),
    ("1_20", "not a number"),
    ("\u0661\u0662\u0660", "not a number"),  # Arabic-Indic digits, which Decimal() would accept
    ("\uff11\uff12\uff10", "not a number"),  # full-width digits
])
@pytest.mark.parametrize("fast", [True, False])
def test_a_poison_value_is_a_content_error_naming_the_field(value: str, reason: str, fast: bool) -> None:
    with pytest.raises(Hl7ContentError, match=reason) as caught:
        _parse(_message(value), fast=fast)
    assert "150021" in str(caught.value) and value not in str(caught.value)


@pytest.mark.parametrize(("field", "raw"), [
    ("MSH-10", _message(cid="C" * 200)),
    ("MSH-3", _message(app="M" * 181)),
])
def test_a_key_longer_than_its_column_is_refused_not_cut(field: str, raw: str) -> None:
    with pytest.raises(Hl7KeyTooLong, match=f"{field} is"):
        _parse(raw)


def test_a_key_exactly_at_its_limit_is_accepted() -> None:
    assert _parse(_message(cid="C" * 199)).header.control_id == "C" * 199


@given(st.decimals(min_value=40, max_value=300, places=2, allow_nan=False, allow_infinity=False))
def test_any_plain_number_up_to_the_limit_parses_to_its_value(value: Decimal) -> None:
    text = format(value, "f")
    assert len(text) <= NM_MAX_CHARS
    (observation,) = _parse(_message(text)).observations
    assert observation.value == value


DIGITS: tuple[Literal["Nd"]] = ("Nd",)


@given(st.text(alphabet=st.characters(categories=DIGITS), min_size=1, max_size=4)
       .filter(lambda t: not t.isascii()))
def test_no_digit_outside_ascii_is_read_as_a_number(text: str) -> None:
    with pytest.raises(Hl7ContentError, match="not a number"):
        _parse(_message(text))
