"""Assessment points anchored to the course: windows, statuses and done-matching."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clinical.assessment_schedule import (
    Anchor,
    AssessmentPoint,
    Done,
    Infusion,
    ScheduleWindows,
    Slot,
    SlotStatus,
    open_slots,
    plan_slots,
    points_from_json,
)
from clinical.errors import ClinicalError

H = timedelta(hours=1)
DAY = timedelta(days=1)
T1 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # Monday 09:00, first infusion
# Mon/Wed/Fri x 2 (Feder 2021, CLINICAL.md s2).
BOOKED = [T1 + d * DAY for d in (0, 2, 4, 7, 9, 11)]

# The issue 3 defaults, as courses.choices.DEFAULT_ASSESSMENT_POINTS stores them.
DEFAULT_JSON = [
    {"key": "baseline", "label": "Baseline", "anchor": "first_infusion", "offset_hours": -72,
     "instruments": ["pcl5", "phq9", "gad7", "cssrs"]},
    {"key": "pre_infusion", "label": "Before each infusion", "anchor": "each_infusion", "offset_hours": -24,
     "instruments": ["phq9"]},
    {"key": "post_first_24h", "label": "24 h after the first infusion", "anchor": "first_infusion",
     "offset_hours": 24, "instruments": ["pcl5"]},
    {"key": "end_of_course", "label": "End of course", "anchor": "last_infusion", "offset_hours": 24,
     "instruments": ["pcl5", "phq9", "gad7"]},
    {"key": "follow_1w", "label": "1 week after", "anchor": "last_infusion", "offset_hours": 168,
     "instruments": ["pcl5", "phq9"]},
    {"key": "follow_1m", "label": "1 month after", "anchor": "last_infusion", "offset_hours": 720,
     "instruments": ["pcl5", "phq9"]},
    {"key": "follow_3m", "label": "3 months after", "anchor": "last_infusion", "offset_hours": 2160,
     "instruments": ["pcl5", "phq9", "gad7"]},
]
POINTS = points_from_json(DEFAULT_JSON)


def infusions(n: int = 6, started: int = 0) -> list[Infusion]:
    return [Infusion(k + 1, at, at + timedelta(minutes=5) if k < started else None)
            for k, at in enumerate(BOOKED[:n])]


def plan(now: datetime, *, n: int = 6, started: int = 0, done: tuple[Done, ...] = (),
         final: bool = False) -> tuple[Slot, ...]:
    return plan_slots(POINTS, infusions(n, started), n_infusions=6, final=final, done=done, now=now)


def find(slots: tuple[Slot, ...], key: str, instrument: str, occurrence: int = 0) -> Slot:
    return next(s for s in slots if (s.point_key, s.instrument, s.occurrence) == (key, instrument, occurrence))


def test_defaults_give_every_item_once_all_six_infusions_are_booked() -> None:
    slots = plan(T1 - 10 * DAY)
    # baseline 4 + pre-infusion 6 + post-first 1 + end 3 + 1w 2 + 1m 2 + 3m 3
    assert len(slots) == 21
    assert all(s.status is SlotStatus.UPCOMING for s in slots)


def test_last_infusion_points_wait_until_the_last_infusion_is_booked() -> None:
    slots = plan(T1 - 10 * DAY, n=3)
    keys = {s.point_key for s in slots}
    assert "end_of_course" not in keys and "follow_3m" not in keys
    assert [s.occurrence for s in slots if s.point_key == "pre_infusion"] == [1, 2, 3]


def test_an_ended_course_anchors_follow_ups_on_its_last_booked_infusion() -> None:
    slots = plan(T1 + 30 * DAY, n=3, started=3, final=True)
    end = find(slots, "end_of_course", "pcl5")
    assert end.opens_at == BOOKED[2] + timedelta(minutes=5) + 24 * H


def test_the_first_and_last_infusions_are_the_earliest_and_latest_booked_whatever_their_numbers() -> None:
    # Infusion 1 was cancelled and rebooked as number 7 after the others; number 2 is now the first.
    rebooked = [Infusion(n, at) for n, at in zip((2, 3, 4, 5, 6, 7), BOOKED, strict=True)]
    slots = plan_slots(POINTS, list(reversed(rebooked)), n_infusions=6, final=False, done=(), now=T1 - 10 * DAY)
    assert find(slots, "baseline", "pcl5").due_by == BOOKED[0]
    assert find(slots, "post_first_24h", "pcl5").opens_at == BOOKED[0] + 24 * H
    assert find(slots, "end_of_course", "pcl5").opens_at == BOOKED[5] + 24 * H
    assert [s.occurrence for s in slots if s.point_key == "pre_infusion"] == [2, 3, 4, 5, 6, 7]


def test_no_infusion_booked_means_no_item_yet() -> None:
    assert plan_slots(POINTS, [], n_infusions=6, final=False, done=(), now=T1) == ()


# Worked examples: the baseline window is [first - 72 h, first booked time], overdue until it starts.
@pytest.mark.parametrize(
    ("now", "started", "status"),
    [
        (T1 - 73 * H, 0, SlotStatus.UPCOMING),
        (T1 - 72 * H, 0, SlotStatus.DUE),  # window opens, inclusive
        (T1, 0, SlotStatus.DUE),  # due by the booked time, inclusive
        (T1 + 1 * H, 0, SlotStatus.OVERDUE),  # late but the infusion has not started
        (T1 + 1 * H, 1, SlotStatus.MISSED),  # started at 09:05: a baseline can no longer be taken
        (T1 + 168 * H, 0, SlotStatus.OVERDUE),  # never started: overdue for 168 h
        (T1 + 169 * H, 0, SlotStatus.MISSED),
    ],
)
def test_baseline_status_around_the_first_infusion(now: datetime, started: int, status: SlotStatus) -> None:
    assert find(plan(now, started=started), "baseline", "pcl5").status is status


# Worked examples: a point after its anchor opens at start + offset, due 48 h, overdue 168 h more.
@pytest.mark.parametrize(
    ("hours_after_start", "status"),
    [(23, SlotStatus.UPCOMING), (24, SlotStatus.DUE), (72, SlotStatus.DUE),
     (73, SlotStatus.OVERDUE), (240, SlotStatus.OVERDUE), (241, SlotStatus.MISSED)],
)
def test_post_first_infusion_window(hours_after_start: int, status: SlotStatus) -> None:
    start = BOOKED[0] + timedelta(minutes=5)
    slot = find(plan(start + hours_after_start * H, started=1), "post_first_24h", "pcl5")
    assert slot.opens_at == start + 24 * H
    assert slot.status is status


def test_after_anchor_points_count_from_the_actual_start_not_the_booking() -> None:
    late = Infusion(1, T1, T1 + 3 * H)
    slots = plan_slots(POINTS, [late], n_infusions=6, final=False, done=(), now=T1)
    assert find(slots, "post_first_24h", "pcl5").opens_at == T1 + 27 * H
    assert find(slots, "baseline", "pcl5").due_by == T1  # before-points count from the booking


def test_windows_are_policy_parameters() -> None:
    w = ScheduleWindows(due_window_hours=12, overdue_hours=24)
    start = BOOKED[0]
    slots = plan_slots(POINTS, [Infusion(1, start, start)], n_infusions=6, final=False, done=(),
                       now=start + 37 * H, windows=w)
    assert find(slots, "post_first_24h", "pcl5").status is SlotStatus.OVERDUE


def test_pre_infusion_items_exist_per_infusion_with_their_number() -> None:
    slots = plan(T1 + 2 * DAY - 2 * H, started=1)
    second = find(slots, "pre_infusion", "phq9", 2)
    assert (second.opens_at, second.due_by, second.status) == (BOOKED[1] - 24 * H, BOOKED[1], SlotStatus.DUE)
    assert second.display_label == "Before each infusion (infusion 2)"


def test_an_explicitly_labelled_assessment_completes_its_item_even_outside_the_window() -> None:
    late = Done("phq9", T1 + 10 * DAY, point_key="pre_infusion", occurrence=2)
    slot = find(plan(T1 + 11 * DAY, started=6, done=(late,)), "pre_infusion", "phq9", 2)
    assert slot.status is SlotStatus.DONE and slot.done_at == late.assessed_at


def test_an_unlabelled_assessment_inside_the_window_completes_the_item() -> None:
    done = (Done("phq9", T1 - 20 * H),)
    slots = plan(T1 - 10 * H, done=done)
    # One PHQ-9 20 h before the first infusion serves the baseline and pre-infusion 1.
    assert find(slots, "baseline", "phq9").status is SlotStatus.DONE
    assert find(slots, "pre_infusion", "phq9", 1).status is SlotStatus.DONE
    assert find(slots, "baseline", "pcl5").status is SlotStatus.DUE


def test_an_assessment_of_another_instrument_does_not_count() -> None:
    slots = plan(T1 - 10 * H, done=(Done("gad7", T1 - 20 * H, point_key="baseline"),))
    assert find(slots, "baseline", "phq9").status is SlotStatus.DUE


def test_an_assessment_outside_the_window_does_not_count() -> None:
    slots = plan(T1 - 10 * H, done=(Done("pcl5", T1 - 80 * H),))
    assert find(slots, "baseline", "pcl5").status is SlotStatus.DUE


def test_open_slots_lists_overdue_first_then_by_deadline() -> None:
    slots = plan(T1 + 2 * DAY - 2 * H, started=1)
    listed = open_slots(slots)
    assert [s.status for s in listed][:1] == [SlotStatus.DUE]
    assert all(s.is_open for s in listed)
    assert [(s.point_key, s.occurrence) for s in listed] == [("pre_infusion", 2), ("post_first_24h", 0)]
    overdue = open_slots(plan(T1 + 2 * H))
    assert overdue[0].status is SlotStatus.OVERDUE


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("nope", "must be a list"),
        ([{"key": "x"}], "lacks label, anchor, offset_hours, instruments"),
        ([{**DEFAULT_JSON[0], "anchor": "second_infusion"}], "anchor must be one of"),
        ([{**DEFAULT_JSON[0], "instruments": ["bdi"]}], "unknown instrument 'bdi'"),
        ([{**DEFAULT_JSON[0], "instruments": []}], "names no instrument"),
        ([{**DEFAULT_JSON[0], "instruments": ["pcl5", "pcl5"]}], "lists an instrument twice"),
        ([{**DEFAULT_JSON[0], "offset_hours": 1.5}], "whole number"),
        ([{**DEFAULT_JSON[0], "offset_hours": 10**6}], "within"),
        ([{**DEFAULT_JSON[0], "key": "Base line"}], "lower-case"),
        ([{**DEFAULT_JSON[0], "label": " "}], "needs a label"),
        ([DEFAULT_JSON[0], DEFAULT_JSON[0]], "used twice"),
        (["x"], "must be an object"),
    ],
)
def test_protocol_points_that_do_not_fit_are_refused(raw: object, message: str) -> None:
    with pytest.raises(ClinicalError, match=message):
        points_from_json(raw)


def test_naive_times_and_bad_numbers_are_refused() -> None:
    with pytest.raises(ClinicalError, match="time zone"):
        Infusion(1, datetime(2026, 3, 2, 9))  # noqa: DTZ001 - the naive time under test
    with pytest.raises(ClinicalError, match="from 1"):
        Infusion(0, T1)
    with pytest.raises(ClinicalError, match="share a number"):
        plan_slots(POINTS, [Infusion(1, T1), Infusion(1, T1 + DAY)], n_infusions=6, final=False, done=(), now=T1)
    with pytest.raises(ClinicalError, match="at least one"):
        plan_slots(POINTS, [], n_infusions=0, final=False, done=(), now=T1)
    with pytest.raises(ClinicalError, match="hours from 1"):
        ScheduleWindows(due_window_hours=0)


def test_anchor_values_match_the_protocol_json() -> None:
    assert [a.value for a in Anchor] == ["first_infusion", "each_infusion", "last_infusion"]
    assert AssessmentPoint("x", "X", Anchor.EACH_INFUSION, -1, ("phq9",)).before_anchor


@given(
    offsets=st.lists(st.integers(0, 24 * 10), min_size=1, max_size=5),
    started=st.integers(0, 6),
    now_hours=st.integers(-24 * 20, 24 * 120),
)
def test_every_item_has_exactly_one_status_and_ordered_window(
    offsets: list[int], started: int, now_hours: int
) -> None:
    points = [AssessmentPoint(f"p{i}", "P", Anchor.LAST_INFUSION, off, ("phq9",)) for i, off in enumerate(offsets)]
    now = T1 + now_hours * H
    slots = plan_slots(points, infusions(6, started), n_infusions=6, final=False, done=(), now=now)
    assert len(slots) == len(offsets)
    for s in slots:
        assert s.opens_at <= s.due_by <= s.closes_at
        assert (s.status is SlotStatus.UPCOMING) == (now < s.opens_at)
        assert (s.status is SlotStatus.MISSED) == (now > s.closes_at)


@given(done_hours=st.lists(st.integers(-24 * 5, 24 * 40), max_size=6), now_hours=st.integers(-24 * 5, 24 * 60))
def test_recording_more_assessments_never_undoes_an_item(done_hours: list[int], now_hours: int) -> None:
    now = T1 + now_hours * H
    done = tuple(Done("phq9", T1 + h * H) for h in done_hours)
    before = plan(now, started=6, done=done[:-1] if done else ())
    after = plan(now, started=6, done=done)
    for a, b in zip(before, after, strict=True):
        if a.status is SlotStatus.DONE:
            assert b.status is SlotStatus.DONE
