"""The split-based fast path reads every message exactly as the python-hl7 path does.

Each case parses the same bytes twice, ``parse_oru(fast=True)`` and ``parse_oru(fast=False)``
(python-hl7 only), and requires the same readings, or the same refusal with the same code.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clinical.hl7 import Hl7Error, parse_oru
from clinical.hl7.fastseg import split_plain
from clinical.hl7.samples import SampleStyle, SampleVitals, sample_oru

TZ = timezone(timedelta(hours=-5))
AT = datetime(2026, 11, 27, 12, 0, tzinfo=TZ)


def _outcome(raw: bytes | str, fast: bool) -> object:
    try:
        return parse_oru(raw, default_tz=TZ, fast=fast)
    except Hl7Error as exc:
        return (type(exc).__name__, str(exc), exc.hl7_error_code, exc.location)


def both(raw: bytes | str) -> tuple[object, object]:
    return _outcome(raw, True), _outcome(raw, False)


VITALS = [
    SampleVitals(),
    SampleVitals(systolic_mmhg=Decimal(186), diastolic_mmhg=Decimal(104), heart_rate_per_min=Decimal("131.5")),
    SampleVitals(pulse_rate_per_min=Decimal(71), etco2_mmhg=None, spo2_pct=Decimal("88.4")),
]


@pytest.mark.parametrize("style", list(SampleStyle))
@pytest.mark.parametrize("vitals", VITALS)
def test_every_sample_style_gives_the_same_readings_on_both_paths(style, vitals):
    raw = sample_oru(style, mrn="MRN-1", chair="CHAIR1", control_id="C1", observed_at=AT, vitals=vitals)
    assert split_plain(raw) is not None  # the samples are plain: the fast path reads them
    fast, reference = both(raw.encode())
    assert fast == reference
    assert fast.observations  # type: ignore[attr-defined]


@pytest.mark.parametrize("odd", [
    "MSH|^~\\&|A\\T\\B|F|||20261127120000||ORU^R01|X1|P|2.6\rPID|||M\\S\\1\r",  # escape sequences
    "MSH#^~\\&#A#F###20261127120000##ORU^R01#X2#P#2.6\rPID###M1\r",  # another field separator
    "MSH|^~\\&#|A|F|||20261127120000||ORU^R01|X3|P|2.7\rPID|||M1\r",  # a truncation character in MSH-2
])
def test_odd_messages_fall_back_to_python_hl7_with_the_same_result(odd):
    assert split_plain(odd) is None
    fast, reference = both(odd)
    assert fast == reference


_piece = st.text(alphabet="AZaz09 .-+^&~\\\"", max_size=8)


@st.composite
def mutated(draw: st.DrawFn) -> str:
    """A sample message with a few fields (or components) replaced by arbitrary text."""
    style = draw(st.sampled_from(SampleStyle))
    text = sample_oru(style, mrn="MRN-7", chair="CHAIR2", control_id="M1", observed_at=AT)
    lines = text.strip("\r").split("\r")
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        row = draw(st.integers(min_value=1, max_value=len(lines) - 1))  # keep MSH intact
        fields = lines[row].split("|")
        col = draw(st.integers(min_value=1, max_value=len(fields) + 2))
        fields.extend([""] * (col + 1 - len(fields)))
        fields[col] = draw(_piece)
        lines[row] = "|".join(fields)
    return "\r".join(lines) + "\r"


@settings(max_examples=300, deadline=None)
@given(message=mutated())
def test_mutated_messages_read_the_same_on_both_paths(message):
    fast, reference = both(message)
    assert fast == reference


@settings(max_examples=100, deadline=None)
@given(style=st.sampled_from(SampleStyle), systolic=st.integers(40, 300), hr=st.decimals("20", "250", places=1),
       minutes=st.integers(0, 10_000))
def test_generated_vitals_give_the_same_readings_on_both_paths(style, systolic, hr, minutes):
    vitals = SampleVitals(systolic_mmhg=Decimal(systolic), heart_rate_per_min=hr)
    raw = sample_oru(style, mrn="G1", chair="C", control_id="G", observed_at=AT - timedelta(minutes=minutes),
                     vitals=vitals)
    fast, reference = both(raw)
    assert fast == reference
    assert not isinstance(fast, tuple) and fast.observations


def test_a_refusal_is_the_same_on_both_paths():
    raw = sample_oru(SampleStyle.PCD01_MDC, mrn="U", chair="C", control_id="U", observed_at=datetime(2026, 1, 1, tzinfo=UTC))
    broken = raw.replace("|NM|150021^", "|NM|150021^").replace("|128|", "|12x8|")
    fast, reference = both(broken)
    assert isinstance(fast, tuple) and fast == reference
