"""Phases, HL7 readings, dose previews and protocol thresholds (clinical/phases.py, hl7/readings.py, dose_preview.py, thresholds.py)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clinical.dose_preview import preview_dose
from clinical.dosing import DoseInputs, DoseLimits, plan_dose
from clinical.errors import ClinicalError
from clinical.hl7 import parse_oru
from clinical.hl7.codes import VitalKind
from clinical.hl7.model import DeviceObservation
from clinical.hl7.readings import readings_from_observations
from clinical.hl7.samples import SampleStyle, SampleVitals, sample_oru
from clinical.phases import phase_at, phase_of
from clinical.session_flow import SessionState
from clinical.thresholds import DEFAULT_THRESHOLDS, THRESHOLD_KEYS, thresholds_from_protocol
from clinical.vitals import Phase, Thresholds, charted_reading

AT = datetime(2026, 3, 2, 14, 30, tzinfo=UTC)


@pytest.mark.parametrize(("state", "phase"), [
    (SessionState.SCHEDULED, Phase.PRE_START),
    (SessionState.CHECKED_IN, Phase.PRE_START),
    (SessionState.DOSE_VERIFIED, Phase.PRE_START),
    (SessionState.INFUSING, Phase.INFUSING),
    (SessionState.PAUSED, Phase.INFUSING),
    (SessionState.RECOVERING, Phase.RECOVERING),
    (SessionState.DISCHARGED, None),
    (SessionState.STOPPED_EARLY, None),
    (SessionState.TRANSFERRED, None),
])
def test_each_state_has_its_monitoring_phase(state: SessionState, phase: Phase | None) -> None:
    assert phase_of(state) == phase


START, END = AT, AT + timedelta(minutes=40)


@pytest.mark.parametrize(("moment", "started", "ended", "phase"), [
    (AT - timedelta(minutes=1), None, None, Phase.PRE_START),
    (AT - timedelta(seconds=1), START, None, Phase.PRE_START),
    (AT, START, None, Phase.INFUSING),
    (END - timedelta(seconds=1), START, END, Phase.INFUSING),
    (END, START, END, Phase.RECOVERING),
    (END + timedelta(hours=1), START, END, Phase.RECOVERING),
])
def test_a_reading_belongs_to_the_phase_it_was_measured_in(
    moment: datetime, started: datetime | None, ended: datetime | None, phase: Phase
) -> None:
    assert phase_at(moment, started_at=started, infusion_ended_at=ended) == phase


def _obs(kind: VitalKind, value: str, at: datetime = AT, code: str = "MDC:0", equipment: str = "") -> DeviceObservation:
    unit = {VitalKind.SPO2: "%"}.get(kind, "mm[Hg]")
    return DeviceObservation(kind, D(value), unit, at, code, "", "F", equipment_id=equipment)


@pytest.mark.parametrize("style", list(SampleStyle))
def test_each_vendor_style_gives_one_reading_with_every_vital(style: SampleStyle) -> None:
    raw = sample_oru(style, mrn="M1", chair="C1", control_id="X1", observed_at=AT, vitals=SampleVitals())
    readings = readings_from_observations(parse_oru(raw, default_tz=UTC).observations)
    assert len(readings) == 1
    r = readings[0].reading
    assert (r.systolic_mmhg, r.diastolic_mmhg, r.heart_rate_bpm, r.spo2_pct, r.resp_rate_per_min) == (128, 82, 76, D("97.0"), 14)
    assert readings[0].at == AT


def test_the_ecg_heart_rate_wins_over_the_oximeter_pulse() -> None:
    vitals = SampleVitals(heart_rate_per_min=D("80"), pulse_rate_per_min=D("90"))
    raw = sample_oru(SampleStyle.MDC_UCUM, mrn="M1", chair="C1", control_id="X1", observed_at=AT, vitals=vitals)
    (reading,) = readings_from_observations(parse_oru(raw, default_tz=UTC).observations)
    assert reading.reading.heart_rate_bpm == 80


def test_observations_at_two_times_make_two_readings_in_time_order() -> None:
    later = AT + timedelta(minutes=5)
    readings = readings_from_observations([_obs(VitalKind.SYSTOLIC, "140", later), _obs(VitalKind.SYSTOLIC, "120")])
    assert [r.at for r in readings] == [AT, later]
    assert [r.reading.systolic_mmhg for r in readings] == [120, 140]


@pytest.mark.parametrize(("kind", "sent", "charted"), [
    (VitalKind.SYSTOLIC, "127.5", 128),
    (VitalKind.SYSTOLIC, "127.4", 127),
    (VitalKind.HEART_RATE, "75.5", 76),
    (VitalKind.SPO2, "96.45", D("96.5")),
    (VitalKind.ETCO2, "37.96", D("38.0")),
])
def test_values_are_charted_at_their_resolution_rounding_half_up(kind: VitalKind, sent: str, charted: object) -> None:
    (reading,) = readings_from_observations([_obs(kind, sent)])
    field = {VitalKind.SYSTOLIC: "systolic_mmhg", VitalKind.HEART_RATE: "heart_rate_bpm",
             VitalKind.SPO2: "spo2_pct", VitalKind.ETCO2: "etco2_mmhg"}[kind]
    assert getattr(reading.reading, field) == D(sent)  # kept as measured, for the thresholds
    assert getattr(charted_reading(reading.reading), field) == charted


def test_an_impossible_value_refuses_the_whole_message() -> None:
    with pytest.raises(ClinicalError, match="impossible"):
        readings_from_observations([_obs(VitalKind.SYSTOLIC, "120"), _obs(VitalKind.SPO2, "140")])


def test_diastolic_above_systolic_is_refused() -> None:
    with pytest.raises(ClinicalError, match="below systolic"):
        readings_from_observations([_obs(VitalKind.SYSTOLIC, "90"), _obs(VitalKind.DIASTOLIC, "95")])


def test_the_equipment_id_is_kept() -> None:
    (reading,) = readings_from_observations([_obs(VitalKind.SYSTOLIC, "120", equipment="EUI-1")])
    assert reading.equipment_id == "EUI-1"


def test_no_observations_give_no_readings() -> None:
    assert readings_from_observations([]) == ()


@given(st.integers(min_value=40, max_value=300))
def test_whole_pressures_are_charted_unchanged(value: int) -> None:
    (reading,) = readings_from_observations([_obs(VitalKind.SYSTOLIC, str(value))])
    assert reading.reading.systolic_mmhg == value


INPUTS = DoseInputs(mg_per_kg=D("0.5"), actual_weight_kg=D("250"), vial_mg_per_ml=D("10"), bag_volume_ml=D("250"))


def test_a_dose_above_the_limits_is_previewed_with_the_limits_listed_but_not_overridden() -> None:
    with pytest.raises(ClinicalError, match="Dose refused"):
        plan_dose(INPUTS, DoseLimits())
    preview = preview_dose(INPUTS, DoseLimits())
    assert preview.total_mg == D("125.0")
    assert preview.exceeded_limits and "100" in preview.exceeded_limits[0]
    assert preview.overridden is False and preview.override_reason is None


def test_a_dose_within_the_limits_previews_as_the_plan() -> None:
    inputs = DoseInputs(mg_per_kg=D("0.5"), actual_weight_kg=D("70"), vial_mg_per_ml=D("10"))
    assert preview_dose(inputs, DoseLimits()) == plan_dose(inputs, DoseLimits())


def test_the_default_protocol_table_gives_the_clinical_defaults() -> None:
    table = {"sbp_do_not_start": 160, "dbp_do_not_start": 100, "sbp_pause": 180, "dbp_pause": 110,
             "spo2_warn_below": 92, "spo2_stop_below": 90, "hr_warn_above": 120, "rr_warn_below": 10}
    assert thresholds_from_protocol(table) == Thresholds()
    assert set(table) == set(THRESHOLD_KEYS)
    assert dict(DEFAULT_THRESHOLDS) == table


def test_protocol_thresholds_may_be_strings_or_decimals() -> None:
    t = thresholds_from_protocol({"spo2_warn_below": "93.5", "hr_warn_above": "110"})
    assert t.spo2_warn_below_pct == D("93.5") and t.hr_warn_above_bpm == 110


@pytest.mark.parametrize("table", [{"sbp_pauze": 180}, {"sbp_pause": "high"}, {"sbp_pause": True},
                                   {"sbp_pause": None}, {"sbp_pause": "NaN"}])
def test_a_bad_protocol_threshold_is_refused(table: dict[str, object]) -> None:
    with pytest.raises(ClinicalError):
        thresholds_from_protocol(table)


def test_inconsistent_protocol_thresholds_are_refused_by_the_kernel() -> None:
    with pytest.raises(ClinicalError, match="pause threshold"):
        thresholds_from_protocol({"sbp_pause": 150})
