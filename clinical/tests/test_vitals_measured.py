"""Thresholds judge the value as measured; one alert per sign names every breach (issue 10, safety at the chair)."""

from datetime import UTC, datetime
from decimal import Decimal as D

import pytest

from clinical.hl7.codes import VitalKind
from clinical.hl7.model import DeviceObservation
from clinical.hl7.readings import readings_from_observations
from clinical.vitals import (
    AlertLevel,
    Phase,
    Reading,
    RuleId,
    Thresholds,
    charted_reading,
    evaluate_signs,
    rule_label,
)

DEFAULTS = Thresholds()
PRE, INF, REC = Phase.PRE_START, Phase.INFUSING, Phase.RECOVERING


@pytest.mark.parametrize(("reading", "rule", "level"), [
    # Worked examples from the issue: each would pass unnoticed after rounding half up.
    (Reading(spo2_pct=D("89.95")), RuleId.SPO2_STOP, AlertLevel.STOP),   # rounds to 90.0, not below 90
    (Reading(resp_rate_per_min=D("9.5")), RuleId.RR_WARN, AlertLevel.WARN),  # rounds to 10, not below 10
    (Reading(heart_rate_bpm=D("120.4")), RuleId.HR_WARN, AlertLevel.WARN),   # rounds to 120, not above 120
    (Reading(systolic_mmhg=D("179.6")), None, None),                     # below 180 as measured: no pause
])
def test_thresholds_apply_to_the_value_as_measured(reading, rule, level) -> None:
    found = [(f.rule_id, f.level) for f in evaluate_signs(reading, DEFAULTS, INF)]
    assert found == ([] if rule is None else [(rule, level)])
    if rule is not None:
        (finding,) = evaluate_signs(reading, DEFAULTS, INF)
        assert finding.value == next(v for v in vars(reading).values() if v is not None)  # the measured value


def test_the_chart_rounds_once_half_up_but_judging_does_not() -> None:
    reading = Reading(spo2_pct=D("89.95"), resp_rate_per_min=D("9.5"), heart_rate_bpm=D("120.4"), etco2_mmhg=D("37.96"))
    charted = charted_reading(reading)
    assert (charted.spo2_pct, charted.resp_rate_per_min, charted.heart_rate_bpm, charted.etco2_mmhg) == (
        D("90.0"), 10, 120, D("38.0"))
    # The rounded chart would have hidden the stop and both warnings (90.0 % only warns).
    assert [(f.rule_id, f.level) for f in evaluate_signs(charted, DEFAULTS, INF)] == [(RuleId.SPO2_WARN, AlertLevel.WARN)]
    assert {f.rule_id for f in evaluate_signs(reading, DEFAULTS, INF)} == {RuleId.SPO2_STOP, RuleId.RR_WARN, RuleId.HR_WARN}


def test_monitor_values_are_kept_as_measured() -> None:
    obs = DeviceObservation(kind=VitalKind.SPO2, value=D("89.95"), unit="%", observed_at=datetime(2026, 3, 8, 7, tzinfo=UTC),
                            source_code="MDC:150456", source_unit="MDC:262688", result_status="F")
    (timed,) = readings_from_observations([obs])
    assert timed.reading.spo2_pct == D("89.95")
    assert [f.rule_id for f in evaluate_signs(timed.reading, DEFAULTS, INF)] == [RuleId.SPO2_STOP]


def test_one_blood_pressure_reading_raises_one_alert_at_the_worst_level_naming_every_breach() -> None:
    (finding,) = evaluate_signs(Reading(systolic_mmhg=190, diastolic_mmhg=115), DEFAULTS, INF)
    assert (finding.rule_id, finding.level, finding.value, finding.threshold) == (RuleId.SBP_PAUSE, AlertLevel.PAUSE, 190, 180)
    assert finding.breaches == ("Systolic BP 190 mmHg is at or above 180 mmHg: pause the infusion.",
                                "Diastolic BP 115 mmHg is at or above 110 mmHg: pause the infusion.")
    assert "Diastolic BP 115" in finding.message and "Systolic BP 190" in finding.message


def test_spo2_below_both_levels_is_one_stop_alert_that_names_the_warning_level_too() -> None:
    (finding,) = evaluate_signs(Reading(spo2_pct=85), DEFAULTS, INF)
    assert (finding.rule_id, finding.level, finding.threshold) == (RuleId.SPO2_STOP, AlertLevel.STOP, 90)
    assert len(finding.breaches) == 2 and "below 92 %" in finding.breaches[1]


def test_each_sign_gives_at_most_one_finding() -> None:
    reading = Reading(systolic_mmhg=190, diastolic_mmhg=112, heart_rate_bpm=130, spo2_pct=88, resp_rate_per_min=8)
    found = evaluate_signs(reading, DEFAULTS, INF)
    assert [f.rule_id for f in found] == [RuleId.SBP_PAUSE, RuleId.SPO2_STOP, RuleId.HR_WARN, RuleId.RR_WARN]
    assert [f.level for f in evaluate_signs(reading, DEFAULTS, PRE)][:2] == [AlertLevel.DO_NOT_START, AlertLevel.DO_NOT_START]


def test_a_single_breach_keeps_its_own_message() -> None:
    (finding,) = evaluate_signs(Reading(diastolic_mmhg=112, systolic_mmhg=150), DEFAULTS, REC)
    assert finding.message == "Diastolic BP 112 mmHg is at or above 110 mmHg after the infusion: assess and treat."
    assert finding.breaches == (finding.message,)


@pytest.mark.parametrize("rule", [r.value for r in RuleId] + ["phq9_item9", "cssrs_risk_level"])
def test_every_rule_reads_in_words(rule: str) -> None:
    label = rule_label(rule)
    assert "_" not in label and label[0].isupper() and label != rule


def test_an_unknown_rule_still_reads_without_underscores() -> None:
    assert rule_label("some_new_rule") == "Some new rule"
