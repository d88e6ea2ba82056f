"""Course spacing and chair booking: worked examples and properties (synthetic data)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clinical.errors import ClinicalError
from clinical.scheduling import (
    Booking,
    CourseSpacing,
    booking_problems,
    check_booking,
    suggest_schedule,
)

NY = ZoneInfo("America/New_York")
MON = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
SPACING = CourseSpacing()
H = timedelta(hours=1)
MIN = timedelta(minutes=1)


def booking(sid: str, start: datetime, *, chair: str = "A", minutes: int = 90) -> Booking:
    return Booking(sid, chair, start, start + timedelta(minutes=minutes))


def check(new: Booking, course: list[Booking] = [], chair: list[Booking] = []) -> None:  # noqa: B006
    check_booking(new, course_bookings=course, chair_bookings=chair, spacing=SPACING)


def test_course_spacing_defaults_follow_feder_2021_six_in_two_weeks() -> None:
    assert (SPACING.n_infusions, SPACING.min_hours_between, SPACING.max_span_days) == (6, 44, 14)


# --- spacing ----------------------------------------------------------------

@pytest.mark.parametrize(
    ("gap", "allowed"),
    [(44 * H, True), (44 * H - MIN, False), (48 * H, True), (24 * H, False), (0 * H, False)],
)
def test_spacing_allows_exactly_min_hours_and_refuses_one_minute_less(
    gap: timedelta, allowed: bool
) -> None:
    first = booking("s1", MON, chair="A")
    new = booking("s2", MON + gap, chair="B")
    assert (not booking_problems(new, course_bookings=[first], chair_bookings=[],
                                 spacing=SPACING)) is allowed


def test_spacing_applies_before_an_existing_booking_too() -> None:
    later = booking("s1", MON + 48 * H)
    with pytest.raises(ClinicalError, match="at least 44 h apart"):
        check(booking("s2", MON + 5 * H), course=[later])


def test_spacing_message_names_the_gap_and_the_session() -> None:
    with pytest.raises(ClinicalError, match=r"Starts 43 h 59 min from session s1"):
        check(booking("s2", MON + 44 * H - MIN), course=[booking("s1", MON)])


def test_spacing_is_measured_in_real_hours_across_a_dst_change() -> None:
    # New York springs forward on 2026-03-08: Sat 09:00 EST to Mon 06:00 EDT is 45 h of wall
    # clock but 44 h of real time; one minute earlier is 44 h 59 min of wall clock, refused.
    sat = datetime(2026, 3, 7, 9, 0, tzinfo=NY)
    ok = booking("s2", datetime(2026, 3, 9, 6, 0, tzinfo=NY))  # 44 h real
    short = booking("s3", datetime(2026, 3, 9, 5, 59, tzinfo=NY))  # 44 h 59 min wall, 43 h 59 real
    check(ok, course=[booking("s1", sat)])
    with pytest.raises(ClinicalError, match="43 h 59 min"):
        check(short, course=[booking("s1", sat)])


# --- course size and span ---------------------------------------------------------

def mwf_course(n: int) -> list[Booking]:
    return [booking(f"s{i}", start) for i, start in enumerate([MON, *suggest_schedule(MON, SPACING)][:n])]


def test_sixth_infusion_is_allowed_and_seventh_refused() -> None:
    five = mwf_course(5)
    sixth = booking("s5", MON + timedelta(days=11))
    check(sixth, course=five)
    with pytest.raises(ClinicalError, match="already has 6 of 6 infusions booked"):
        check(booking("s6", MON + timedelta(days=13)), course=[*five, sixth])


@pytest.mark.parametrize(("offset", "allowed"), [
    (timedelta(days=14), True),
    (timedelta(days=14) + MIN, False),
])
def test_course_span_boundary_is_max_span_days_inclusive(offset: timedelta, allowed: bool) -> None:
    new = booking("s2", MON + offset)
    problems = booking_problems(new, course_bookings=[booking("s1", MON)], chair_bookings=[],
                                spacing=SPACING)
    assert (not problems) is allowed


def test_span_counts_from_the_earliest_booking_when_the_new_one_is_first() -> None:
    last = booking("s1", MON + timedelta(days=14))
    with pytest.raises(ClinicalError, match="the limit is 14 days"):
        check(booking("s2", MON - MIN), course=[last])


def test_moving_a_session_does_not_clash_with_its_old_slot() -> None:
    old = booking("s1", MON)
    check(booking("s1", MON + H), course=[old], chair=[old])


# --- chair ------------------------------------------------------------------

@pytest.mark.parametrize(
    ("start", "allowed"),
    [
        (MON + timedelta(minutes=90), True),  # starts exactly when the other ends
        (MON - timedelta(minutes=90), True),  # ends exactly when the other starts
        (MON + timedelta(minutes=89), False),
        (MON - timedelta(minutes=89), False),
        (MON + timedelta(minutes=30), False),
        (MON, False),
    ],
)
def test_chair_overlap_uses_half_open_intervals(start: datetime, allowed: bool) -> None:
    other_patient = booking("x1", MON, chair="A")
    new = booking("s1", start, chair="A")
    problems = booking_problems(new, course_bookings=[], chair_bookings=[other_patient],
                                spacing=SPACING)
    assert (not problems) is allowed


def test_bookings_on_other_chairs_are_ignored() -> None:
    check(booking("s1", MON, chair="A"), chair=[booking("x1", MON, chair="B")])


def test_chair_clash_message_names_the_patient_and_chair_in_the_clinics_local_time() -> None:
    # 14:00 UTC on 2 March 2026 is 09:00 EST in New York.
    other = Booking("x1", "7", MON + 5 * H, MON + 5 * H + 100 * MIN, patient="Robin Sample", chair_name="Window", number=3)
    new = Booking("s1", "7", MON + 5 * H + 30 * MIN, MON + 7 * H, patient="Alex Doe", chair_name="Window", number=1)
    problems = booking_problems(new, course_bookings=[], chair_bookings=[other], spacing=SPACING, zone=NY)
    assert problems == ("Window is already booked for Robin Sample (infusion 3) from Mon 02 Mar 2026 09:00 EST to 10:40.",)
    assert "x1" not in problems[0] and "7" not in problems[0].replace("2026", "")


def test_a_clash_that_runs_past_local_midnight_names_the_end_day() -> None:
    late = Booking("x1", "A", datetime(2026, 3, 2, 23, 30, tzinfo=NY), datetime(2026, 3, 3, 1, 0, tzinfo=NY),
                   patient="Robin Sample", chair_name="Chair 1", number=2)
    new = booking("s1", datetime(2026, 3, 3, 0, 30, tzinfo=NY))
    (problem,) = booking_problems(new, course_bookings=[], chair_bookings=[late], spacing=SPACING, zone=NY)
    assert problem.endswith("from Mon 02 Mar 2026 23:30 EST to Tue 03 Mar 2026 01:00 EST.")


def test_a_booking_of_the_same_course_that_is_too_close_is_named_once() -> None:
    first = Booking("s1", "A", MON, MON + 90 * MIN, patient="Alex Doe", chair_name="Chair 1", number=1)
    problems = booking_problems(booking("s2", MON + 30 * MIN), course_bookings=[first], chair_bookings=[first],
                                spacing=SPACING, zone=NY)
    assert len(problems) == 1 and problems[0].startswith("Starts 0 h 30 min from infusion 1 (Mon 02 Mar 2026 04:00 EST)")


def test_all_problems_are_reported_together() -> None:
    first = Booking("s1", "B", MON, MON + 90 * MIN, number=1)
    other = Booking("x1", "A", MON, MON + 90 * MIN, patient="Robin Sample", number=4)
    with pytest.raises(ClinicalError, match=r"44 h apart.*Chair A is already booked for Robin Sample \(infusion 4\)"):
        check(booking("s2", MON + 30 * MIN), course=[first], chair=[first, other])


# --- booking validity ---------------------------------------------------------

@pytest.mark.parametrize("minutes", [0, -10])
def test_booking_refuses_end_not_after_start(minutes: int) -> None:
    with pytest.raises(ClinicalError, match="must be after the start"):
        booking("s1", MON, minutes=minutes)


def test_booking_refuses_naive_datetimes() -> None:
    naive = datetime(2026, 3, 2, 9, 0)
    with pytest.raises(ClinicalError, match="time zone"):
        Booking("s1", "A", naive, naive + H)


@pytest.mark.parametrize("kwargs", [
    {"n_infusions": 0},
    {"min_hours_between": -1},
    {"n_infusions": 6, "min_hours_between": 72, "max_span_days": 14},
])
def test_course_spacing_refuses_impossible_settings(kwargs: dict[str, int]) -> None:
    with pytest.raises(ClinicalError):
        CourseSpacing(**kwargs)


# --- suggestions ------------------------------------------------------------

def test_suggest_schedule_proposes_mon_wed_fri_for_two_weeks() -> None:
    days = [d.strftime("%a %d") for d in suggest_schedule(MON, SPACING)]
    assert days == ["Wed 04", "Fri 06", "Mon 09", "Wed 11", "Fri 13"]


def test_suggest_schedule_skips_a_weekday_too_close_to_the_first() -> None:
    tuesday = MON + timedelta(days=1)
    days = [d.strftime("%a %d") for d in suggest_schedule(tuesday, SPACING)]
    assert days == ["Fri 06", "Mon 09", "Wed 11", "Fri 13", "Mon 16"]


def test_suggest_schedule_keeps_local_clock_time_across_dst() -> None:
    first = datetime(2026, 3, 6, 9, 0, tzinfo=NY)  # Friday before the change
    proposals = suggest_schedule(first, SPACING)
    assert {(p.hour, p.minute) for p in proposals} == {(9, 0)}


def test_suggest_schedule_for_abdallah_twice_weekly_template() -> None:
    spacing = CourseSpacing(n_infusions=8, min_hours_between=72, max_span_days=28)
    days = [d.strftime("%a %d") for d in suggest_schedule(MON, spacing, weekdays=(0, 3))]
    assert days == ["Thu 05", "Mon 09", "Thu 12", "Mon 16", "Thu 19", "Mon 23", "Thu 26"]


def test_suggest_schedule_refuses_when_the_course_cannot_fit() -> None:
    with pytest.raises(ClinicalError, match="do not fit in 14 days"):
        suggest_schedule(MON, SPACING, weekdays=(0,))


@pytest.mark.parametrize("weekdays", [(), (7,), (-1, 2)])
def test_suggest_schedule_refuses_bad_weekdays(weekdays: tuple[int, ...]) -> None:
    with pytest.raises(ClinicalError, match="Weekdays"):
        suggest_schedule(MON, SPACING, weekdays=weekdays)


def test_suggested_schedule_passes_check_booking() -> None:
    course: list[Booking] = [booking("s0", MON)]
    for i, start in enumerate(suggest_schedule(MON, SPACING), start=1):
        new = booking(f"s{i}", start)
        check(new, course=course, chair=course)
        course.append(new)
    assert len(course) == 6


# --- properties -------------------------------------------------------------

minutes_st = st.integers(min_value=-10_000, max_value=10_000)
length_st = st.integers(min_value=1, max_value=600)


@given(a_start=minutes_st, a_len=length_st, b_start=minutes_st, b_len=length_st)
def test_chair_overlap_is_symmetric(a_start: int, a_len: int, b_start: int, b_len: int) -> None:
    a = booking("a", MON + a_start * MIN, minutes=a_len)
    b = booking("b", MON + b_start * MIN, minutes=b_len)

    def clash(new: Booking, other: Booking) -> bool:
        return bool(booking_problems(new, course_bookings=[], chair_bookings=[other], spacing=SPACING))

    assert clash(a, b) == clash(b, a)
    assert clash(a, b) == (a_start < b_start + b_len and b_start < a_start + a_len)


datetimes_ny = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1),
                            timezones=st.just(NY))


@given(first=datetimes_ny, weekdays=st.sets(st.integers(0, 6), min_size=1).map(lambda s: tuple(sorted(s))))
def test_suggestions_keep_spacing_and_span_or_are_refused(
    first: datetime, weekdays: tuple[int, ...]
) -> None:
    try:
        proposals = suggest_schedule(first, SPACING, weekdays)
    except ClinicalError as refusal:
        assert "do not fit" in str(refusal)
        return
    starts = [first.astimezone(UTC), *(p.astimezone(UTC) for p in proposals)]
    assert len(starts) == SPACING.n_infusions
    assert all(b - a >= SPACING.min_gap for a, b in zip(starts, starts[1:], strict=False))
    assert starts[-1] - starts[0] <= SPACING.max_span
    assert all(p.weekday() in weekdays for p in proposals)


@given(first=datetimes_ny.filter(lambda d: d.weekday() in (0, 2, 4)))
def test_mon_wed_fri_always_fits_when_starting_on_one_of_them(first: datetime) -> None:
    assert len(suggest_schedule(first, SPACING)) == SPACING.n_infusions - 1
