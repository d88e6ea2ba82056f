"""Vital-sign alert rules and the monitoring schedule (CLINICAL.md section 3)."""

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal as D
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clinical.errors import ClinicalError
from clinical.vitals import (
    PLAUSIBLE_RANGES,
    AlertLevel,
    MonitoringSchedule,
    Phase,
    Reading,
    RuleId,
    Thresholds,
    evaluate_overdue,
    evaluate_reading,
    next_due_at,
)

DEFAULTS = Thresholds()
PRE, INF, REC = Phase.PRE_START, Phase.INFUSING, Phase.RECOVERING


def fired(reading: Reading, phase: Phase, thresholds: Thresholds = DEFAULTS) -> list[tuple[RuleId, AlertLevel]]:
    return [(f.rule_id, f.level) for f in evaluate_reading(reading, thresholds, phase)]


# Every threshold at and beside its boundary, as written in CLINICAL.md section 3.
BOUNDARIES = [
    # reading, phase, expected findings
    (Reading(systolic_mmhg=159), PRE, []),
    (Reading(systolic_mmhg=160), PRE, [(RuleId.SBP_DO_NOT_START, AlertLevel.DO_NOT_START)]),
    (Reading(diastolic_mmhg=99), PRE, []),
    (Reading(diastolic_mmhg=100), PRE, [(RuleId.DBP_DO_NOT_START, AlertLevel.DO_NOT_START)]),
    (Reading(systolic_mmhg=179), INF, []),
    (Reading(systolic_mmhg=180), INF, [(RuleId.SBP_PAUSE, AlertLevel.PAUSE)]),
    (Reading(diastolic_mmhg=109), INF, []),
    (Reading(diastolic_mmhg=110), INF, [(RuleId.DBP_PAUSE, AlertLevel.PAUSE)]),
    (Reading(spo2_pct=92), INF, []),
    (Reading(spo2_pct=D("91.9")), INF, [(RuleId.SPO2_WARN, AlertLevel.WARN)]),
    (Reading(spo2_pct=91), INF, [(RuleId.SPO2_WARN, AlertLevel.WARN)]),
    (Reading(spo2_pct=90), INF, [(RuleId.SPO2_WARN, AlertLevel.WARN)]),
    (Reading(spo2_pct=D("89.9")), INF, [(RuleId.SPO2_STOP, AlertLevel.STOP)]),
    (Reading(spo2_pct=89), INF, [(RuleId.SPO2_STOP, AlertLevel.STOP)]),
    (Reading(heart_rate_bpm=120), INF, []),
    (Reading(heart_rate_bpm=121), INF, [(RuleId.HR_WARN, AlertLevel.WARN)]),
    (Reading(resp_rate_per_min=10), INF, []),
    (Reading(resp_rate_per_min=9), INF, [(RuleId.RR_WARN, AlertLevel.WARN)]),
]


@pytest.mark.parametrize(("reading", "phase", "expected"), BOUNDARIES)
def test_each_threshold_fires_exactly_at_its_boundary(
    reading: Reading, phase: Phase, expected: list[tuple[RuleId, AlertLevel]]
) -> None:
    assert fired(reading, phase) == expected


PHASE_TABLE = [
    # rule's reading, pre-start, infusing, recovering
    (Reading(systolic_mmhg=185), (RuleId.SBP_DO_NOT_START, AlertLevel.DO_NOT_START),
     (RuleId.SBP_PAUSE, AlertLevel.PAUSE), (RuleId.SBP_PAUSE, AlertLevel.WARN)),
    (Reading(diastolic_mmhg=115), (RuleId.DBP_DO_NOT_START, AlertLevel.DO_NOT_START),
     (RuleId.DBP_PAUSE, AlertLevel.PAUSE), (RuleId.DBP_PAUSE, AlertLevel.WARN)),
    (Reading(spo2_pct=85), (RuleId.SPO2_STOP, AlertLevel.DO_NOT_START),
     (RuleId.SPO2_STOP, AlertLevel.STOP), (RuleId.SPO2_STOP, AlertLevel.WARN)),
    (Reading(spo2_pct=91), (RuleId.SPO2_WARN, AlertLevel.WARN),
     (RuleId.SPO2_WARN, AlertLevel.WARN), (RuleId.SPO2_WARN, AlertLevel.WARN)),
    (Reading(heart_rate_bpm=130), (RuleId.HR_WARN, AlertLevel.WARN),
     (RuleId.HR_WARN, AlertLevel.WARN), (RuleId.HR_WARN, AlertLevel.WARN)),
    (Reading(resp_rate_per_min=8), (RuleId.RR_WARN, AlertLevel.WARN),
     (RuleId.RR_WARN, AlertLevel.WARN), (RuleId.RR_WARN, AlertLevel.WARN)),
]


@pytest.mark.parametrize(("reading", "pre", "infusing", "recovering"), PHASE_TABLE)
def test_each_rule_takes_the_level_its_phase_gives_it(
    reading: Reading, pre: tuple[RuleId, AlertLevel], infusing: tuple[RuleId, AlertLevel],
    recovering: tuple[RuleId, AlertLevel],
) -> None:
    assert [fired(reading, phase) for phase in (PRE, INF, REC)] == [[pre], [infusing], [recovering]]


@pytest.mark.parametrize("phase", [INF, REC])
def test_do_not_start_thresholds_do_not_apply_once_infusing(phase: Phase) -> None:
    assert fired(Reading(systolic_mmhg=170, diastolic_mmhg=105), phase) == []


def test_finding_records_value_threshold_and_message() -> None:
    (finding,) = evaluate_reading(Reading(systolic_mmhg=182, diastolic_mmhg=90), DEFAULTS, INF)
    assert (finding.value, finding.threshold, finding.unit) == (182, 180, "mmHg")
    assert finding.message == "Systolic BP 182 mmHg is at or above 180 mmHg: pause the infusion."


def test_reading_reports_every_measure_that_fires() -> None:
    reading = Reading(systolic_mmhg=190, diastolic_mmhg=112, heart_rate_bpm=130, spo2_pct=88,
                      resp_rate_per_min=8)
    assert {rule for rule, _ in fired(reading, INF)} == {
        RuleId.SBP_PAUSE, RuleId.DBP_PAUSE, RuleId.SPO2_STOP, RuleId.HR_WARN, RuleId.RR_WARN
    }


def test_normal_reading_raises_nothing_in_any_phase() -> None:
    reading = Reading(systolic_mmhg=128, diastolic_mmhg=82, heart_rate_bpm=76, spo2_pct=98,
                      resp_rate_per_min=14, etco2_mmhg=38)
    assert [fired(reading, phase) for phase in Phase] == [[], [], []]


def test_clinic_thresholds_replace_the_defaults_and_are_recorded() -> None:
    strict = Thresholds(sbp_do_not_start_mmhg=150)
    (finding,) = evaluate_reading(Reading(systolic_mmhg=150), strict, PRE)
    assert (finding.rule_id, finding.threshold) == (RuleId.SBP_DO_NOT_START, 150)
    assert fired(Reading(systolic_mmhg=150), PRE) == []


@pytest.mark.parametrize(
    "settings",
    [
        {"sbp_pause_mmhg": 150},  # below the 160 do-not-start threshold
        {"dbp_pause_mmhg": 95},
        {"spo2_stop_below_pct": 93},  # above the 92 warning
        {"hr_warn_above_bpm": 120.0},  # a float
        {"rr_warn_below_per_min": True},
    ],
)
def test_thresholds_refuse_inconsistent_or_non_numeric_settings(settings: dict[str, Any]) -> None:
    with pytest.raises(ClinicalError):
        Thresholds(**settings)


# --- plausibility -------------------------------------------------------------


@pytest.mark.parametrize(("name", "bounds"), sorted(PLAUSIBLE_RANGES.items()))
def test_reading_accepts_values_at_the_plausible_bounds_and_refuses_beyond(
    name: str, bounds: tuple[int, int, str]
) -> None:
    low, high, _ = bounds
    extra = {"systolic_mmhg": 300} if name == "diastolic_mmhg" else {}
    for value in (low, high):
        Reading(**{name: value, **extra})
    for value in (low - 1, high + 1):
        with pytest.raises(ClinicalError, match=f"{name} {value} .* is impossible"):
            Reading(**{name: value, **extra})


@pytest.mark.parametrize(("sbp", "dbp"), [(120, 120), (110, 130)])
def test_reading_refuses_diastolic_not_below_systolic(sbp: int, dbp: int) -> None:
    with pytest.raises(ClinicalError, match="must be below systolic"):
        Reading(systolic_mmhg=sbp, diastolic_mmhg=dbp)


def test_reading_refuses_an_empty_set_of_values() -> None:
    with pytest.raises(ClinicalError, match="at least one value"):
        Reading()


@pytest.mark.parametrize("value", [97.0, True, "97", D("NaN")])
def test_reading_refuses_values_that_are_not_whole_numbers_or_decimals(value: Any) -> None:
    with pytest.raises(ClinicalError):
        Reading(spo2_pct=value)


# --- monitoring schedule ------------------------------------------------------

START = datetime(2024, 3, 4, 10, 0, tzinfo=UTC)
SCHEDULE = MonitoringSchedule()


def at(minutes: float) -> datetime:
    return START + timedelta(minutes=minutes)


@pytest.mark.parametrize(
    ("phase", "last_reading", "due"),
    [
        (INF, None, at(10)),  # every 10 min while infusing, from the start
        (REC, None, at(15)),  # every 15 min in recovery
        (INF, at(8), at(18)),
        (REC, at(7), at(22)),
        (INF, at(-5), at(10)),  # a pre-start reading does not make the first one due early
    ],
)
def test_next_bp_is_due_one_interval_after_the_later_of_phase_start_and_last_reading(
    phase: Phase, last_reading: datetime | None, due: datetime
) -> None:
    assert next_due_at(SCHEDULE, phase, START, last_reading) == due


def test_nothing_is_due_before_the_infusion_starts() -> None:
    assert next_due_at(SCHEDULE, PRE, START, None) is None
    assert evaluate_overdue(SCHEDULE, PRE, START, None, at(600)) is None


@pytest.mark.parametrize(
    ("phase", "last_reading", "now", "overdue"),
    [
        (INF, None, at(10), False),  # exactly at due: not yet overdue
        (INF, None, at(11), True),  # one minute past
        (INF, at(10), at(20), False),
        (INF, at(10), at(21), True),
        (REC, None, at(15), False),
        (REC, None, at(16), True),
        (REC, at(15), at(30), False),
        (REC, at(15), at(31), True),
    ],
)
def test_reading_is_overdue_only_after_it_was_due(
    phase: Phase, last_reading: datetime | None, now: datetime, overdue: bool
) -> None:
    finding = evaluate_overdue(SCHEDULE, phase, START, last_reading, now)
    assert (finding is not None) == overdue


def test_overdue_finding_records_elapsed_minutes_and_the_interval() -> None:
    finding = evaluate_overdue(SCHEDULE, INF, START, at(10), at(21))
    assert finding is not None
    assert (finding.rule_id, finding.level, finding.value, finding.threshold) == (
        RuleId.BP_OVERDUE, AlertLevel.WARN, D("11.0"), 10
    )
    assert finding.message == "BP reading overdue: due every 10 min, none for 11.0 min."


def test_one_second_overdue_shows_more_than_the_interval() -> None:
    finding = evaluate_overdue(SCHEDULE, INF, START, None, START + timedelta(minutes=10, seconds=1))
    assert finding is not None and finding.value == D("10.1")


def test_clinic_schedule_replaces_the_default_intervals() -> None:
    every_5 = MonitoringSchedule(bp_every_min_infusing=5)
    assert evaluate_overdue(every_5, INF, START, None, at(6)) is not None
    assert evaluate_overdue(SCHEDULE, INF, START, None, at(6)) is None


def test_times_in_other_zones_compare_as_instants() -> None:
    new_york = timezone(timedelta(hours=-5))
    assert evaluate_overdue(SCHEDULE, INF, START, None, datetime(2024, 3, 4, 5, 10, tzinfo=new_york)) is None
    assert evaluate_overdue(SCHEDULE, INF, START, None, datetime(2024, 3, 4, 5, 11, tzinfo=new_york)) is not None


@pytest.mark.parametrize("naive", ["phase_started_at", "last_reading_at", "now"])
def test_naive_datetimes_are_refused(naive: str) -> None:
    moments = {"phase_started_at": START, "last_reading_at": at(5), "now": at(30)}
    moments[naive] = moments[naive].replace(tzinfo=None)
    with pytest.raises(ClinicalError, match=f"{naive} must be a timezone-aware datetime"):
        evaluate_overdue(SCHEDULE, INF, **moments)


@pytest.mark.parametrize(("last_reading", "now"), [(at(31), at(30)), (None, at(-1))])
def test_times_after_now_are_refused(last_reading: datetime | None, now: datetime) -> None:
    with pytest.raises(ClinicalError, match="is after now"):
        evaluate_overdue(SCHEDULE, INF, START, last_reading, now)


@pytest.mark.parametrize("settings", [{"bp_every_min_infusing": 0}, {"bp_every_min_recovering": -15}])
def test_schedule_refuses_non_positive_intervals(settings: dict[str, int]) -> None:
    with pytest.raises(ClinicalError):
        MonitoringSchedule(**settings)


# --- properties ---------------------------------------------------------------

readings = st.builds(
    Reading,
    systolic_mmhg=st.integers(min_value=130, max_value=300),
    diastolic_mmhg=st.integers(min_value=20, max_value=129),
    heart_rate_bpm=st.integers(min_value=20, max_value=250),
    spo2_pct=st.decimals(min_value=50, max_value=100, places=1),
    resp_rate_per_min=st.integers(min_value=0, max_value=60),
)


@given(reading=readings, phase=st.sampled_from(list(Phase)))
def test_every_finding_really_passes_the_threshold_it_names(reading: Reading, phase: Phase) -> None:
    for finding in evaluate_reading(reading, DEFAULTS, phase):
        at_or_above = {RuleId.SBP_DO_NOT_START, RuleId.DBP_DO_NOT_START, RuleId.SBP_PAUSE, RuleId.DBP_PAUSE}
        if finding.rule_id in at_or_above:
            assert finding.value >= finding.threshold
        elif finding.rule_id is RuleId.HR_WARN:
            assert finding.value > finding.threshold
        else:
            assert finding.value < finding.threshold


@given(reading=readings, phase=st.sampled_from(list(Phase)))
def test_levels_match_the_phase(reading: Reading, phase: Phase) -> None:
    levels = {finding.level for finding in evaluate_reading(reading, DEFAULTS, phase)}
    allowed = {
        PRE: {AlertLevel.DO_NOT_START, AlertLevel.WARN},
        INF: {AlertLevel.PAUSE, AlertLevel.STOP, AlertLevel.WARN},
        REC: {AlertLevel.WARN},
    }[phase]
    assert levels <= allowed


@given(reading=readings)
def test_any_pre_start_pressure_at_or_above_the_limits_blocks_the_start(reading: Reading) -> None:
    assert reading.systolic_mmhg is not None and reading.diastolic_mmhg is not None
    high = reading.systolic_mmhg >= 160 or reading.diastolic_mmhg >= 100
    blocked = any(f.level is AlertLevel.DO_NOT_START for f in evaluate_reading(reading, DEFAULTS, PRE))
    assert blocked == (high or reading.spo2_pct is not None and reading.spo2_pct < 90)
