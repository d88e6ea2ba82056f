"""Time rules across both daylight-saving changes of America/New_York in 2026 (issue 10).

Spring forward 2026-03-08: 02:00 EST becomes 03:00 EDT (06:55Z is 01:55 EST, 07:06Z is 03:06 EDT).
Fall back 2026-11-01: 02:00 EDT becomes 01:00 EST (05:30Z is 01:30 EDT, 06:10Z is 01:10 EST, fold=1).
Every case is given in local clock times of one ZoneInfo, the way Python does wall-clock arithmetic.
"""

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest

from clinical.assessment_schedule import Done, Infusion
from clinical.discharge import ScoreKind, evaluate_discharge
from clinical.instants import utc
from clinical.phases import phase_at
from clinical.vitals import MonitoringSchedule, Phase, evaluate_overdue, next_due_at

NY = ZoneInfo("America/New_York")
READY = {"activity": 2, "respiration": 2, "circulation": 2, "consciousness": 2, "spo2": 2}


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0, *, fold: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=NY, fold=fold)


SPRING_END, SPRING_NOW = local(2026, 3, 8, 1, 30), local(2026, 3, 8, 3, 10)        # 06:30Z -> 07:10Z: 40 min
FALL_END, FALL_NOW = local(2026, 11, 1, 1, 30), local(2026, 11, 1, 1, 10, fold=1)  # 05:30Z -> 06:10Z: 40 min


def test_the_worked_examples_are_40_real_minutes() -> None:
    assert utc(SPRING_NOW) - utc(SPRING_END) == timedelta(minutes=40)
    assert utc(FALL_NOW) - utc(FALL_END) == timedelta(minutes=40)


@pytest.mark.parametrize(("ended", "now"), [(SPRING_END, SPRING_NOW), (FALL_END, FALL_NOW)])
def test_40_minutes_of_observation_never_pass_as_60(ended: datetime, now: datetime) -> None:
    decision = evaluate_discharge(ScoreKind.ALDRETE, READY, escort_confirmed=True, infusion_ended_at=ended, now=now)
    assert decision.observation_remaining_min == 20 and not decision.allowed


@pytest.mark.parametrize(("ended", "now"), [
    (local(2026, 3, 8, 1, 30), local(2026, 3, 8, 3, 30)),             # 60 real minutes across spring forward
    (local(2026, 11, 1, 1, 30), local(2026, 11, 1, 1, 30, fold=1)),   # 60 real minutes across fall back
])
def test_60_real_minutes_pass(ended: datetime, now: datetime) -> None:
    decision = evaluate_discharge(ScoreKind.ALDRETE, READY, escort_confirmed=True, infusion_ended_at=ended, now=now)
    assert decision.observation_remaining_min == 0 and decision.allowed


def test_an_11_minute_gap_across_spring_forward_is_not_overdue_for_a_15_minute_rule() -> None:
    last, now = local(2026, 3, 8, 1, 55), local(2026, 3, 8, 3, 6)  # 06:55Z -> 07:06Z
    started = local(2026, 3, 8, 1, 0)
    assert evaluate_overdue(MonitoringSchedule(), Phase.RECOVERING, started, last, now) is None
    assert next_due_at(MonitoringSchedule(), Phase.RECOVERING, started, last) == datetime(2026, 3, 8, 7, 10, tzinfo=UTC)


def test_an_11_minute_gap_across_spring_forward_is_overdue_by_11_minutes_for_a_10_minute_rule() -> None:
    last, now = local(2026, 3, 8, 1, 55), local(2026, 3, 8, 3, 6)
    finding = evaluate_overdue(MonitoringSchedule(), Phase.INFUSING, local(2026, 3, 8, 1, 0), last, now)
    assert finding is not None and finding.value == D("11.0")


def test_a_15_minute_gap_across_fall_back_is_overdue_for_a_10_minute_rule() -> None:
    last, now = local(2026, 11, 1, 1, 50), local(2026, 11, 1, 1, 5, fold=1)  # 05:50Z -> 06:05Z
    finding = evaluate_overdue(MonitoringSchedule(), Phase.INFUSING, local(2026, 11, 1, 1, 0), last, now)
    assert finding is not None and finding.value == D("15.0")


def test_a_reading_in_the_repeated_hour_is_placed_in_the_right_phase() -> None:
    started, ended = local(2026, 11, 1, 1, 10), local(2026, 11, 1, 1, 50)  # 05:10Z to 05:50Z (EDT)
    assert phase_at(local(2026, 11, 1, 1, 20, fold=1), started_at=started, infusion_ended_at=ended) is Phase.RECOVERING
    assert phase_at(local(2026, 11, 1, 1, 20), started_at=started, infusion_ended_at=ended) is Phase.INFUSING


def test_schedule_inputs_are_kept_as_utc_instants() -> None:
    infusion = Infusion(1, local(2026, 11, 1, 1, 30, fold=1))
    assert infusion.scheduled_at == datetime(2026, 11, 1, 6, 30, tzinfo=UTC)
    assert Done("pcl5", local(2026, 3, 8, 3, 0)).assessed_at == datetime(2026, 3, 8, 7, 0, tzinfo=UTC)
