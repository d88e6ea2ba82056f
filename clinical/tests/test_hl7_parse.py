"""Tests for clinical.hl7.parse: ORU^R01 vitals messages to readings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, cast
from zoneinfo import ZoneInfo

import pytest

from clinical.errors import ClinicalError
from clinical.hl7 import (
    DeviceObservation,
    Hl7ContentError,
    Hl7ParseOptions,
    Hl7Reject,
    IgnoreReason,
    OruMessage,
    VitalKind,
    parse_oru,
)
from clinical.hl7.samples import SampleStyle, SampleVitals, sample_oru

PLUS_ONE = timezone(timedelta(hours=1))
CHICAGO = ZoneInfo("America/Chicago")
K = VitalKind

HEADER = "MSH|^~\\&|MON|WARD|KETACARE|CLINIC|20240506103000+0100||ORU^R01^ORU_R01|C42|P|2.6"
PID = "PID|||MRN7^^^KETACARE^MR||DEMO^PATIENT"
OBR = "OBR|1|||182777000^monitoring of patient^SCT|||20240506102500+0100"


def _message(*obx: str, header: str = HEADER, obr: str = OBR) -> str:
    return "\r".join((header, PID, "PV1||O|INFUSION^^C2", obr, *obx)) + "\r"


def _obx(
    code: str,
    value: str,
    unit: str,
    *,
    status: str = "F",
    time: str = "",
    value_type: str = "NM",
    sub_id: str = "",
) -> str:
    return f"OBX|1|{value_type}|{code}|{sub_id}|{value}|{unit}|||||{status}|||{time}"


SYS = "150021^MDC_PRESS_BLD_NONINV_SYS^MDC"
MMHG = "266016^MDC_DIM_MMHG^MDC"


def _readings(message: OruMessage) -> dict[VitalKind, list[Decimal]]:
    found: dict[VitalKind, list[Decimal]] = {}
    for observation in message.observations:
        found.setdefault(observation.kind, []).append(observation.value)
    return found


def _parse(raw: str, tz: timezone | ZoneInfo = UTC, **options: frozenset[str]) -> OruMessage:
    return parse_oru(raw, default_tz=tz, options=Hl7ParseOptions(**options))


def _only(message: OruMessage) -> DeviceObservation:
    assert len(message.observations) == 1, message.ignored
    return message.observations[0]


# --- vendor styles --------------------------------------------------------------

VITALS = SampleVitals(
    systolic_mmhg=Decimal("142"),
    diastolic_mmhg=Decimal("91"),
    mean_mmhg=Decimal("108"),
    heart_rate_per_min=Decimal("88"),
    pulse_rate_per_min=Decimal("87"),
    spo2_pct=Decimal("95"),
    resp_rate_per_min=Decimal("12"),
    etco2_mmhg=Decimal("41"),
)

# (style, expected readings by kind), the values of VITALS as each style carries them.
STYLE_EXAMPLES = [
    (
        SampleStyle.PCD01_MDC,
        {
            K.SYSTOLIC: [Decimal("142")],
            K.DIASTOLIC: [Decimal("91")],
            K.HEART_RATE: [Decimal("88")],
            K.SPO2: [Decimal("95")],
            K.RESP_RATE: [Decimal("12")],
            K.ETCO2: [Decimal("41")],
        },
    ),
    (
        SampleStyle.MDC_UCUM,
        {
            K.SYSTOLIC: [Decimal("142")],
            K.DIASTOLIC: [Decimal("91")],
            K.HEART_RATE: [Decimal("87"), Decimal("88")],  # oximeter pulse, then ECG
            K.SPO2: [Decimal("95")],
            K.RESP_RATE: [Decimal("12"), Decimal("12")],
            K.ETCO2: [Decimal("41.03")],  # sent as 5.47 kPa
        },
    ),
    (
        SampleStyle.LOINC_ENGINE,
        {
            K.SYSTOLIC: [Decimal("142")],
            K.DIASTOLIC: [Decimal("91")],
            K.HEART_RATE: [Decimal("88")],
            K.SPO2: [Decimal("95")],
            K.RESP_RATE: [Decimal("12")],
            K.ETCO2: [Decimal("41")],
        },
    ),
]


@pytest.mark.parametrize(("style", "expected"), STYLE_EXAMPLES, ids=lambda x: getattr(x, "value", ""))
def test_each_vendor_style_parses_to_the_expected_readings(
    style: SampleStyle, expected: dict[VitalKind, list[Decimal]]
) -> None:
    observed_at = datetime(2024, 5, 6, 10, 30, tzinfo=CHICAGO)
    raw = sample_oru(style, mrn="MRN7", chair="C2", control_id="CTL9", observed_at=observed_at, vitals=VITALS)
    message = parse_oru(raw.encode(), default_tz=CHICAGO)
    assert _readings(message) == expected
    assert message.control_id == "CTL9"
    assert message.message_type == "ORU^R01"
    assert message.patient_ids[0].id_number == "MRN7"
    assert message.patient_ids[0].assigning_authority == "KETACARE"
    assert message.location is not None and message.location.bed == "C2"
    assert {o.observed_at for o in message.observations} == {observed_at}
    assert all(o.observed_at.utcoffset() == timedelta(0) for o in message.observations)


def test_pcd01_style_reports_mdc_source_codes_and_equipment() -> None:
    raw = sample_oru(
        SampleStyle.PCD01_MDC,
        mrn="M1",
        chair="C1",
        control_id="X1",
        observed_at=datetime(2024, 1, 2, 3, 4, tzinfo=UTC),
    )
    message = parse_oru(raw, default_tz=UTC)
    systolic = next(o for o in message.observations if o.kind is K.SYSTOLIC)
    assert (systolic.source_code, systolic.source_unit, systolic.unit) == (
        "MDC:150021",
        "MDC:266016",
        "mm[Hg]",
    )
    assert systolic.sub_id == "1.1.1.1"
    assert systolic.equipment_id == "0000000000000001"
    assert systolic.result_status == "F"


def test_loinc_style_keeps_obr_groups_apart() -> None:
    raw = sample_oru(
        SampleStyle.LOINC_ENGINE,
        mrn="M1",
        chair="C1",
        control_id="X1",
        observed_at=datetime(2024, 1, 2, 3, 4, tzinfo=UTC),
    )
    groups = {o.kind: o.obr_index for o in parse_oru(raw, default_tz=UTC).observations}
    assert groups[K.SYSTOLIC] == 1
    assert groups[K.HEART_RATE] == 2


# --- what is ignored ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("150023^MDC_PRESS_BLD_NONINV_MEAN^MDC", IgnoreReason.MEAN_PRESSURE),
        ("150303^MDC_PRESS_CUFF_MEAN^MDC", IgnoreReason.MEAN_PRESSURE),
        ("8478-0^Mean blood pressure^LN", IgnoreReason.MEAN_PRESSURE),
        ("150033^MDC_PRESS_BLD_ART_SYS^MDC", IgnoreReason.NOT_CHARTED),
        ("151716^MDC_CONC_AWAY_CO2_INSP^MDC", IgnoreReason.NOT_CHARTED),
        ("188736^MDC_TEMP^MDC", IgnoreReason.UNKNOWN_CODE),
        ("150021^LOCAL_SYS^99LOCAL", IgnoreReason.UNKNOWN_CODE),
    ],
)
def test_mean_invasive_and_unknown_codes_are_ignored_with_a_reason(code: str, reason: IgnoreReason) -> None:
    message = _parse(_message(_obx(code, "99", MMHG)))
    assert message.observations == ()
    assert [i.reason for i in message.ignored] == [reason]


@pytest.mark.parametrize("status", ["P", "I", "X", "D", "W", "N", "S", ""])
def test_a_non_final_result_status_is_ignored(status: str) -> None:
    message = _parse(_message(_obx(SYS, "120", MMHG, status=status)))
    assert message.observations == ()
    assert message.ignored[0].reason is IgnoreReason.STATUS_NOT_ACCEPTED


@pytest.mark.parametrize("status", ["F", "C", "R", "f"])
def test_final_corrected_and_unverified_device_results_are_accepted(status: str) -> None:
    observation = _only(_parse(_message(_obx(SYS, "120", MMHG, status=status))))
    assert observation.result_status == status.upper()


def test_a_clinic_can_accept_only_final_results() -> None:
    message = _parse(_message(_obx(SYS, "120", MMHG, status="R")), accepted_result_statuses=frozenset({"F"}))
    assert message.observations == ()


def test_a_status_error_is_not_raised_for_a_value_that_is_ignored() -> None:
    message = _parse(_message(_obx(SYS, "pending", MMHG, status="P")))
    assert message.ignored[0].reason is IgnoreReason.STATUS_NOT_ACCEPTED


@pytest.mark.parametrize(
    ("value", "value_type", "reason"),
    [
        ("-999", "NM", IgnoreReason.NEGATIVE_VALUE),
        ("", "NM", IgnoreReason.NO_VALUE),
        ('""', "NM", IgnoreReason.NO_VALUE),
        ("<^90", "SN", IgnoreReason.NOT_EXACT),
        ("^90^-^100", "SN", IgnoreReason.NOT_EXACT),
    ],
)
def test_values_that_are_not_a_measurement_are_ignored(
    value: str, value_type: str, reason: IgnoreReason
) -> None:
    message = _parse(_message(_obx(SYS, value, MMHG, value_type=value_type)))
    assert [i.reason for i in message.ignored] == [reason]


def test_pcd01_device_rows_without_values_are_ignored_as_device_rows() -> None:
    row = "OBX|1||69965^MDC_DEV_MON_PHYSIO_MULTI_PARAM_MDS^MDC|1.0.0.0|||||||X"
    assert _parse(_message(row)).ignored[0].reason is IgnoreReason.DEVICE_ROW


# --- codes and values ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "unit", "kind"),
    [
        ("^MDC_PRESS_BLD_NONINV_SYS^MDC", MMHG, K.SYSTOLIC),  # reference id only
        ("147842^MDC_ECG_CARD_BEAT_RATE^MDC", "bpm", K.HEART_RATE),  # Philips alias
        ("149546^MDC_PULS_RATE_NON_INV^MDC", "264864^MDC_DIM_BEAT_PER_MIN^MDC", K.HEART_RATE),
        ("151570^MDC_AWAY_RESP_RATE^MDC", "^MDC_DIM_RESP_PER_MIN^MDC", K.RESP_RATE),
        ("MDC_AWAY_CO2_ET", "mmHg", K.ETCO2),  # blank system, MDC reference id
        ("8480-6", "mm Hg", K.SYSTOLIC),  # blank system, LOINC shape
        ("2708-6^Oxygen saturation^LN", "%", K.SPO2),
        ("NIBPS^Systolic^L^8480-6^Systolic BP^LN", MMHG, K.SYSTOLIC),  # LOINC as alternate
        ("150021^MDC_PRESS_BLD_NONINV_SYS^urn:iso:std:iso:11073:10101", MMHG, K.SYSTOLIC),
    ],
)
def test_code_variants_vendors_send_are_recognised(code: str, unit: str, kind: VitalKind) -> None:
    assert _only(_parse(_message(_obx(code, "40", unit)))).kind is kind


def test_a_structured_numeric_value_without_comparator_is_read() -> None:
    assert _only(_parse(_message(_obx(SYS, "=^133", MMHG, value_type="SN")))).value == 133


def test_kpa_pressures_are_converted_to_mmhg() -> None:
    etco2 = "151708^MDC_CONC_AWAY_CO2_ET^MDC"
    observation = _only(_parse(_message(_obx(etco2, "5.3", "265987^MDC_DIM_KILO_PASCAL^MDC"))))
    assert observation.value == Decimal("39.75")  # 5.3 x 7.50062 = 39.753286
    assert (observation.unit, observation.source_unit) == ("mm[Hg]", "MDC:265987")


def test_ucum_kpa_systolic_is_converted_too() -> None:
    assert _only(_parse(_message(_obx(SYS, "16", "kPa^kPa^UCUM")))).value == Decimal("120.01")


def test_values_in_mmhg_are_kept_exactly_as_sent() -> None:
    assert str(_only(_parse(_message(_obx(SYS, "120.50", MMHG)))).value) == "120.50"


# --- time -------------------------------------------------------------------------------


def test_obx14_offset_is_honoured_and_returned_in_utc() -> None:
    row = _obx(SYS, "120", MMHG, time="20240506103000+0100")
    observed_at = _only(_parse(_message(row), tz=CHICAGO)).observed_at
    assert observed_at == datetime(2024, 5, 6, 9, 30, tzinfo=UTC)
    assert observed_at.tzinfo == UTC


def test_negative_offset_with_minutes_is_west_of_utc() -> None:
    row = _obx(SYS, "120", MMHG, time="202405061030-0330")
    assert _only(_parse(_message(row))).observed_at == datetime(2024, 5, 6, 14, 0, tzinfo=UTC)


def test_time_falls_back_to_obr7_then_msh7() -> None:
    from_obr = _only(_parse(_message(_obx(SYS, "120", MMHG))))
    assert from_obr.observed_at == datetime(2024, 5, 6, 9, 25, tzinfo=UTC)
    bare_obr = "OBR|1|||182777000^monitoring of patient^SCT"
    from_msh = _only(_parse(_message(_obx(SYS, "120", MMHG), obr=bare_obr)))
    assert from_msh.observed_at == datetime(2024, 5, 6, 9, 30, tzinfo=UTC)


def test_time_is_inherited_from_the_nearest_timed_ancestor_row() -> None:
    rows = (
        "OBX|1||69965^MDC_DEV_MON^MDC|1.0.0.0|||||||X|||20240506100000+0000",
        "OBX|2||69855^MDC_DEV_METER_PRESS_BLD_CHAN^MDC|1.1.1.0|||||||X|||20240506101500+0000",
        _obx(SYS, "120", MMHG, sub_id="1.1.1.1"),
        _obx("150456^MDC_PULS_OXIM_SAT_O2^MDC", "97", "262688^MDC_DIM_PERCENT^MDC", sub_id="1.3.1.1"),
    )
    times = [o.observed_at.strftime("%H:%M") for o in _parse(_message(*rows)).observations]
    assert times == ["10:15", "10:00"]


def test_time_without_offset_uses_the_callers_time_zone() -> None:
    row = _obx(SYS, "120", MMHG, time="20240115083000")
    observed_at = _only(_parse(_message(row), tz=CHICAGO)).observed_at
    assert observed_at == datetime(2024, 1, 15, 14, 30, tzinfo=UTC)  # CST is UTC-6


def test_fractional_seconds_are_kept() -> None:
    row = _obx(SYS, "120", MMHG, time="20240506103000.25+0000")
    assert _only(_parse(_message(row))).observed_at.microsecond == 250000


@pytest.mark.parametrize(
    "time",
    [
        "20241306103000+0000",  # month 13
        "20240230103000+0000",  # 30 February
        "20240506253000",  # hour 25
        "20240506103000+1500",  # offset beyond +14:00
        "202405061030xyz",  # trailing junk
        "20240506",  # only a date
        "20240310023000",  # Chicago clocks jump from 02:00 to 03:00 that day
    ],
)
def test_impossible_or_coarse_timestamps_are_a_content_error(time: str) -> None:
    with pytest.raises(Hl7ContentError) as caught:
        _parse(_message(_obx(SYS, "120", MMHG, time=time)), tz=CHICAGO)
    assert caught.value.ack_code == "AE"
    assert caught.value.location is not None and caught.value.location.field == 14


def test_missing_msh7_is_a_content_error() -> None:
    header = HEADER.replace("20240506103000+0100", "")
    with pytest.raises(Hl7ContentError, match="MSH-7"):
        _parse(_message(_obx(SYS, "120", MMHG), header=header))


# --- segment separators and character sets ----------------------------------------


@pytest.mark.parametrize("separator", ["\r", "\n", "\r\n"])
def test_segments_may_be_separated_by_cr_lf_or_crlf(separator: str) -> None:
    raw = _message(_obx(SYS, "120", MMHG)).replace("\r", separator)
    assert _only(_parse(raw)).value == 120


def test_latin1_declared_in_msh18_is_decoded() -> None:
    header = HEADER + "||||||8859/1"
    raw = _message(_obx(SYS, "120", MMHG), header=header).replace("DEMO^PATIENT", "DÉMO^PATIENT")
    message = parse_oru(raw.encode("latin-1"), default_tz=UTC)
    assert _only(message).value == 120


def test_bytes_that_are_not_valid_utf8_are_rejected() -> None:
    raw = _message(_obx(SYS, "120", MMHG)).encode() + b"\xff\xfe"
    with pytest.raises(Hl7Reject):
        parse_oru(raw, default_tz=UTC)


# --- rejects (AR) ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("this is not hl7", "100"),
        ("", "100"),
        ("PID|||MRN7\rOBX|1|NM|x||1", "100"),
        ("MSH|||||", "100"),  # no encoding characters
        (_message().replace("ORU^R01^ORU_R01", "ADT^A01^ADT_A01"), "200"),
        (_message().replace("ORU^R01^ORU_R01", "ORU^R30"), "201"),
        (_message().replace("|C42|", "||"), "101"),
        (_message().replace("|C42|P|", "|C42|T|"), "202"),
        (_message() + _message(), "100"),
        (_message(_obx(SYS, "120", MMHG)) + "not a segment\r", "100"),
    ],
    ids=[
        "garbage",
        "empty",
        "no-msh",
        "bad-separators",
        "adt",
        "wrong-event",
        "no-control-id",
        "training",
        "two-messages",
        "junk-segment",
    ],
)
def test_unreadable_or_unsupported_messages_are_rejected(raw: str, code: str) -> None:
    with pytest.raises(Hl7Reject) as caught:
        _parse(raw)
    assert caught.value.ack_code == "AR"
    assert caught.value.hl7_error_code == code


def test_a_clinic_can_accept_training_messages() -> None:
    raw = _message(_obx(SYS, "120", MMHG)).replace("|C42|P|", "|C42|T|")
    assert _only(_parse(raw, accepted_processing_ids=frozenset({"P", "T"}))).value == 120


# --- content errors (AE) -------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "field"),
    [
        (_obx(SYS, "one-twenty", MMHG), 5),
        (_obx(SYS, "12O", MMHG), 5),
        (_obx(SYS, "120~121", MMHG), 5),
        (_obx(SYS, "120", MMHG, value_type="CWE"), 2),
        (_obx(SYS, "120", ""), 6),
        (_obx(SYS, "120", "cmH2O^cmH2O^UCUM"), 6),
        (_obx(SYS, "120", "262688^MDC_DIM_PERCENT^MDC"), 6),  # wrong dimension
        (_obx("151708^MDC_CONC_AWAY_CO2_ET^MDC", "5", "%^%^UCUM"), 6),  # volume percent
    ],
)
def test_a_known_code_with_an_unreadable_value_or_unit_is_a_content_error(row: str, field: int) -> None:
    with pytest.raises(Hl7ContentError) as caught:
        _parse(_message(row))
    assert caught.value.ack_code == "AE"
    assert caught.value.location is not None
    assert (caught.value.location.segment, caught.value.location.field) == ("OBX", field)


def test_both_error_classes_are_clinical_errors_and_name_no_patient_data() -> None:
    with pytest.raises(ClinicalError) as caught:
        _parse(_message(_obx(SYS, "one-twenty", MMHG)))
    assert "MRN7" not in str(caught.value) and "one-twenty" not in str(caught.value)
    assert issubclass(Hl7Reject, ClinicalError)


def test_default_tz_must_be_a_time_zone() -> None:
    with pytest.raises(ClinicalError):
        parse_oru(_message(), default_tz=cast(Any, "UTC"))


# --- patient and location ----------------------------------------------------------


def test_every_pid3_identifier_is_returned_and_empty_ones_are_dropped() -> None:
    raw = _message().replace("MRN7^^^KETACARE^MR", "MRN7^^^KETACARE^MR~^^^^PI~V55^^^HOSP&1.2.3&ISO^VN")
    ids = [(p.id_number, p.assigning_authority, p.type_code) for p in _parse(raw).patient_ids]
    assert ids == [("MRN7", "KETACARE", "MR"), ("V55", "HOSP", "VN")]


def test_a_message_without_pid_or_pv1_still_parses() -> None:
    raw = "\r".join((HEADER, OBR, _obx(SYS, "120", MMHG)))
    message = _parse(raw)
    assert message.patient_ids == () and message.location is None
    assert _only(message).value == 120
