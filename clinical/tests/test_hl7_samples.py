"""Tests for clinical.hl7.samples and select_preferred: generated messages round-trip."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clinical.errors import ClinicalError
from clinical.hl7 import VitalKind, parse_oru, select_preferred
from clinical.hl7.samples import SampleStyle, SampleVitals, etco2_kpa, sample_oru

K = VitalKind


def _values(low: int, high: int) -> st.SearchStrategy[Decimal]:
    return st.decimals(min_value=low, max_value=high, places=1, allow_nan=False, allow_infinity=False)


_vitals = st.builds(
    SampleVitals,
    systolic_mmhg=_values(40, 300),
    diastolic_mmhg=_values(20, 200),
    mean_mmhg=_values(30, 250),
    heart_rate_per_min=_values(0, 300),
    pulse_rate_per_min=st.none() | _values(0, 300),
    spo2_pct=_values(0, 100),
    resp_rate_per_min=_values(0, 80),
    etco2_mmhg=st.none() | _values(0, 120),
)
_zones = st.integers(min_value=-12 * 60, max_value=14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
_times = st.builds(
    lambda naive, zone: naive.replace(tzinfo=zone),
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31)).map(
        lambda d: d.replace(microsecond=0)
    ),
    _zones,
)
_ids = st.text(st.characters(min_codepoint=0x30, max_codepoint=0x5A), min_size=1, max_size=12)


def _expected(style: SampleStyle, v: SampleVitals) -> dict[VitalKind, Decimal]:
    expected = {
        K.SYSTOLIC: v.systolic_mmhg,
        K.DIASTOLIC: v.diastolic_mmhg,
        K.HEART_RATE: v.heart_rate_per_min,
        K.SPO2: v.spo2_pct,
        K.RESP_RATE: v.resp_rate_per_min,
    }
    if v.etco2_mmhg is not None:
        expected[K.ETCO2] = v.etco2_mmhg
    return expected


@given(style=st.sampled_from(SampleStyle), vitals=_vitals, observed_at=_times, mrn=_ids, control_id=_ids)
def test_parsing_a_generated_sample_recovers_the_values_given(
    style: SampleStyle, vitals: SampleVitals, observed_at: datetime, mrn: str, control_id: str
) -> None:
    raw = sample_oru(
        style, mrn=mrn, chair="C1", control_id=control_id, observed_at=observed_at, vitals=vitals
    )
    message = parse_oru(raw, default_tz=observed_at.tzinfo or UTC)
    chosen = {o.kind: o for o in select_preferred(message.observations)}
    expected = _expected(style, vitals)
    assert set(chosen) == set(expected)
    for kind, value in expected.items():
        if kind is K.ETCO2 and style is SampleStyle.MDC_UCUM:
            # Sent in kPa to 0.01 (error <= 0.005 x 7.50062 mmHg), read back to 0.01 mmHg.
            assert abs(chosen[kind].value - value) <= Decimal("0.0425")
        else:
            assert chosen[kind].value == value
        assert chosen[kind].observed_at == observed_at
    assert message.control_id == control_id
    assert message.patient_ids[0].id_number == mrn


def test_the_kpa_style_writes_etco2_to_two_decimals() -> None:
    assert etco2_kpa(Decimal("38")) == Decimal("5.07")


def test_preferred_readings_take_ecg_heart_rate_and_capnography_breathing() -> None:
    raw = sample_oru(
        SampleStyle.MDC_UCUM,
        mrn="M1",
        chair="C1",
        control_id="X1",
        observed_at=datetime(2024, 5, 6, 10, 0, tzinfo=UTC),
        vitals=SampleVitals(heart_rate_per_min=Decimal("80"), pulse_rate_per_min=Decimal("78")),
    )
    chosen = {o.kind: o.source_code for o in select_preferred(parse_oru(raw, default_tz=UTC).observations)}
    assert chosen[K.HEART_RATE] == "MDC:147842"
    assert chosen[K.RESP_RATE] == "MDC:151594"


def test_readings_at_different_times_are_all_kept() -> None:
    rows = [
        "MSH|^~\\&|M|W|||20240506100000+0000||ORU^R01|C1|P|2.6",
        "OBR|1",
        "OBX|1|NM|150021^MDC_PRESS_BLD_NONINV_SYS^MDC||120|mm[Hg]|||||F|||20240506100000+0000",
        "OBX|2|NM|150021^MDC_PRESS_BLD_NONINV_SYS^MDC||130|mm[Hg]|||||F|||20240506101000+0000",
    ]
    message = parse_oru("\r".join(rows), default_tz=UTC)
    assert [o.value for o in select_preferred(message.observations)] == [120, 130]


@pytest.mark.parametrize("field", ["mrn", "chair", "control_id"])
def test_sample_identifiers_with_hl7_separators_are_refused(field: str) -> None:
    ids = {"mrn": "M1", "chair": "C1", "control_id": "X1", field: "A|B"}
    with pytest.raises(ClinicalError):
        sample_oru(
            SampleStyle.PCD01_MDC,
            mrn=ids["mrn"],
            chair=ids["chair"],
            control_id=ids["control_id"],
            observed_at=datetime(2024, 1, 1, tzinfo=UTC),
        )


def test_sample_times_must_be_aware() -> None:
    with pytest.raises(ClinicalError):
        sample_oru(
            SampleStyle.PCD01_MDC, mrn="M1", chair="C1", control_id="X1", observed_at=datetime(2024, 1, 1)
        )


def test_samples_use_only_the_synthetic_patient_name() -> None:
    for style in SampleStyle:
        raw = sample_oru(
            style, mrn="M1", chair="C1", control_id="X1", observed_at=datetime(2024, 1, 1, tzinfo=UTC)
        )
        assert "DEMO^PATIENT" in raw
