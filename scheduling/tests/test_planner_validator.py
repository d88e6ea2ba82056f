"""The independent validator refuses every broken rule at its edge and accepts the plan just inside it."""

from datetime import timedelta

import pytest

from scheduling.planner import parse_instance, validate_plan

from .planner_cases import BASE, at, instance, session, with_request


def pair(first, second, **kw):
    return [session("R1", 1, first, **kw), session("R1", 2, second, **kw)]


def test_spacing_of_43_h_55_min_is_refused():
    # Monday 14:05 to Wednesday 10:00 is 43 h 55 min
    problems = validate_plan(instance(), pair(at(0, "14:05"), at(2, "10:00")))
    assert any("less than 1 day, 20:00:00" in p for p in problems), problems


def test_spacing_of_exactly_44_h_is_accepted():
    assert validate_plan(instance(), pair(at(0, "14:00"), at(2, "10:00"))) == []


def test_a_session_ending_one_slot_after_closing_is_refused():
    # 125 minutes from 16:00 ends 18:05, five minutes after the 18:00 close
    problems = validate_plan(instance(), pair(at(0, "09:00"), at(2, "16:00")))
    assert any("outside opening hours" in p for p in problems), problems


def test_a_session_ending_at_closing_is_accepted():
    assert validate_plan(instance(), pair(at(0, "09:00"), at(2, "15:55"))) == []


def _staggered(count: int):
    """`count` patients of one nurse on separate chairs, set-ups 15 minutes apart so only the ratio binds."""
    firsts = [session(f"R{i + 1}", 1, at(0, f"09:{15 * i:02d}"), chair=f"C{i + 1}") for i in range(count)]
    seconds = [session(f"R{i + 1}", 2, at(2, f"09:{15 * i:02d}"), chair=f"C{i + 1}") for i in range(count)]
    return firsts + seconds


def test_a_nurse_at_ratio_is_refused_a_fourth_patient():
    problems = validate_plan(instance(), _staggered(4))
    assert any("nurse N1: 4 patients at once, ratio is 3" in p for p in problems), problems


def test_a_nurse_may_watch_ratio_patients():
    assert validate_plan(instance(), _staggered(3)) == []


def test_a_set_up_overlapping_another_set_up_of_the_same_nurse_is_refused():
    plan = [session("R1", 1, at(0, "09:00"), chair="C1"), session("R1", 2, at(2, "09:00"), chair="C1"),
            session("R2", 1, at(0, "09:10"), chair="C2"), session("R2", 2, at(2, "09:15"), chair="C2")]
    problems = validate_plan(instance(), plan)
    assert any("set-up of R1#1 and set-up of R2#1 overlap" in p for p in problems), problems
    assert not any("R1#2" in p for p in problems)


def test_a_set_up_during_another_patients_discharge_is_refused():
    # R1 on day 0 ends 11:05, its discharge runs 10:55-11:05; R2's set-up starts 11:00
    plan = [session("R1", 1, at(0, "09:00"), chair="C1"), session("R1", 2, at(2, "09:00"), chair="C1"),
            session("R2", 1, at(0, "11:00"), chair="C2"), session("R2", 2, at(2, "11:05"), chair="C2")]
    problems = validate_plan(instance(), plan)
    assert any("discharge of R1#1 and set-up of R2#1 overlap" in p for p in problems), problems


def test_set_ups_of_different_nurses_may_coincide():
    plan = [session("R1", 1, at(0, "09:00")), session("R1", 2, at(2, "09:00")),
            session("R2", 1, at(0, "09:00"), chair="C2", nurse="N2"),
            session("R2", 2, at(2, "09:00"), chair="C2", nurse="N2")]
    assert validate_plan(instance(), plan) == []


def test_two_patients_on_one_chair_are_refused_and_turnover_is_kept():
    plan = [session("R1", 1, at(0, "09:00")), session("R1", 2, at(2, "09:00")),
            session("R2", 1, at(0, "11:05"), nurse="N2"), session("R2", 2, at(2, "11:15"), nurse="N2")]
    assert validate_plan(instance(), plan) == []  # back to back without turnover
    problems = validate_plan(instance(turnover_minutes=10), plan)
    assert problems == ["chair C1: R1#1 and R2#1 overlap"], problems


def test_a_closed_day_is_refused():
    problems = validate_plan(instance(), pair(at(0, "09:00"), at(5, "09:00")))
    assert any("closed on day 5" in p for p in problems), problems


def test_a_session_outside_every_shift_of_its_nurse_is_refused():
    raw = {**BASE, "nurses": [{"id": "N1", "shifts": [{"day": 0, "start": "08:00", "end": "12:00"},
                                                      {"day": 2, "start": "12:00", "end": "18:00"}]}]}
    inst = parse_instance(raw)
    assert validate_plan(inst, pair(at(0, "09:55"), at(2, "12:00"))) == []
    problems = validate_plan(inst, pair(at(0, "10:00"), at(2, "11:55")))
    assert sum("not inside one shift of nurse N1" in p for p in problems) == 2, problems


def test_a_session_outside_the_patients_windows_is_refused():
    raw = with_request(availability=[{"weekday": 0, "start": "09:00", "end": "12:00"},
                                     {"weekday": 2, "start": "09:00", "end": "12:00"}])
    inst = parse_instance(raw)
    assert validate_plan(inst, pair(at(0, "09:00"), at(2, "09:55"))) == []
    problems = validate_plan(inst, pair(at(0, "09:00"), at(2, "10:00")))
    assert any("outside the patient's availability windows" in p for p in problems), problems


def test_a_first_infusion_before_the_release_day_is_refused():
    inst = parse_instance(with_request(release_day=1))
    problems = validate_plan(inst, pair(at(0, "09:00"), at(2, "09:00")))
    assert any("before the request's release day 1" in p for p in problems), problems


def test_half_a_course_is_refused():
    problems = validate_plan(instance(), [session("R1", 1, at(0, "09:00"))])
    assert any("whole request or nothing" in p for p in problems), problems


def test_a_span_longer_than_allowed_is_refused():
    inst = parse_instance(with_request(max_span_days=7))
    assert validate_plan(inst, pair(at(0, "09:00"), at(7, "09:00"))) == []
    problems = validate_plan(inst, pair(at(0, "09:00"), at(7, "09:05")))
    assert any("more than 7 days" in p for p in problems), problems


def test_a_start_off_the_slot_grid_is_refused():
    problems = validate_plan(instance(), pair(at(0, "09:03"), at(2, "10:00")))
    assert any("not on the 5-minute grid" in p for p in problems), problems


def test_spacing_across_the_spring_clock_change_counts_elapsed_hours():
    # 2027-03-14 02:00 America/New_York skips an hour: Friday 14:00 EST to Sunday 10:00 EDT is 43 h
    inst = instance(start="2027-03-12", closed_days=[])
    problems = validate_plan(inst, pair(at(12, "14:00", month=3), at(14, "10:00", month=3)))
    assert any("less than 1 day, 20:00:00" in p for p in problems), problems
    assert validate_plan(inst, pair(at(12, "14:00", month=3), at(14, "11:00", month=3))) == []


def test_booked_sessions_hold_their_chair_and_nurse():
    raw = {**BASE, "booked": [{"chair": "C1", "nurse": "N1", "start": "2027-01-04T09:00", "minutes": 125}]}
    inst = parse_instance(raw)
    problems = validate_plan(inst, pair(at(0, "09:30"), at(2, "09:30")))
    assert any("chair C1: booked" in p for p in problems), problems


@pytest.mark.parametrize("minutes", [0, 5])
def test_shifting_a_valid_plan_by_whole_slots_keeps_it_valid(minutes):
    shift = timedelta(minutes=minutes)
    assert validate_plan(instance(), pair(at(0, "09:00") + shift, at(2, "09:00") + shift)) == []


def test_old_double_bookings_are_not_the_plans_problem_but_still_block_it():
    double = [{"chair": "C1", "nurse": "N1", "start": "2027-01-04T09:00", "minutes": 125},
              {"chair": "C1", "nurse": "N1", "start": "2027-01-04T09:05", "minutes": 125}]
    inst = parse_instance({**BASE, "booked": double})
    assert validate_plan(inst, pair(at(1, "09:00"), at(3, "09:00"))) == []
    problems = validate_plan(inst, pair(at(0, "11:00"), at(2, "11:00")))
    assert any("chair C1: booked 1 and R1#1 overlap" in p for p in problems), problems
