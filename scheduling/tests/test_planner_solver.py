"""The CP-SAT plan and the greedy baseline obey every rule (checked by the validator) and the objective."""

import copy

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduling.planner import (
    parse_instance,
    plan_greedy,
    plan_instance,
    plan_kpis,
    solve_instance,
    validate_plan,
)
from scheduling.planner.lns import improve
from scheduling.planner.model import score_plan
from scheduling.planner.plan import local_iso
from scheduling.planner.synthetic import synthetic_instance

from .planner_cases import BASE, with_request

SECONDS = 3.0


def _solve(raw):
    inst = parse_instance(raw)
    plan = plan_instance(inst, seconds=SECONDS, workers=2)
    assert validate_plan(inst, plan.sessions) == []
    return inst, plan


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), chairs=st.integers(1, 3), nurses=st.integers(1, 2),
       requests=st.integers(1, 7), turnover=st.sampled_from([0, 10]))
def test_every_cp_sat_plan_on_generated_instances_passes_the_validator(seed, chairs, nurses, requests, turnover):
    raw = synthetic_instance(seed=seed, chairs=chairs, nurses=nurses, requests=requests, days=21, release_days=5)
    raw["turnover_minutes"] = turnover
    inst = parse_instance(raw)
    greedy = plan_greedy(inst)
    plan = solve_instance(inst, seconds=1.5, workers=2, hint=greedy)
    assert validate_plan(inst, greedy.sessions) == []
    assert validate_plan(inst, plan.sessions) == []
    assert plan.status in {"optimal", "feasible"}
    assert len(plan.scheduled_ids()) >= len(greedy.scheduled_ids())
    assert plan.scheduled_ids() | set(plan.unscheduled) == {r.id for r in inst.requests}
    searched = improve(inst, plan, seconds=1.0, step_seconds=0.3, seed=seed)
    assert validate_plan(inst, searched.sessions) == []
    assert score_plan(inst, searched) >= score_plan(inst, plan)


def test_no_session_is_planned_on_a_closed_day():
    raw = with_request(infusions=6)
    raw["closed_days"] = [0, 1, 5, 6, 12, 13, 19, 20]
    inst, plan = _solve(raw)
    days = {(s.start.date() - inst.start).days for s in plan.sessions}
    assert len(plan.sessions) == 6 and not days & set(raw["closed_days"])
    assert min(days) == 2  # the first open day


def test_sessions_stay_inside_the_patients_windows():
    windows = [{"weekday": w, "start": "13:00", "end": "17:00"} for w in (0, 2, 4)]
    inst, plan = _solve(with_request(infusions=6, availability=windows))
    assert len(plan.sessions) == 6
    for s in plan.sessions:
        assert s.start.weekday() in (0, 2, 4) and s.start.hour >= 13
    assert local_iso(min(s.start for s in plan.sessions)) == "2027-01-04T13:00"  # as early as possible


def test_the_first_infusion_is_on_the_release_day_when_it_is_free():
    inst, plan = _solve(with_request(release_day=3))
    first = min(plan.sessions, key=lambda s: s.n)
    assert (first.start.date() - inst.start).days == 3
    assert plan_kpis(inst, plan)["mean_first_wait_days"] == 0


def test_an_impossible_course_is_left_out_whole():
    # six infusions 44 h apart cannot fit within 5 days
    inst, plan = _solve(with_request(infusions=6, max_span_days=5))
    assert plan.sessions == () and plan.unscheduled == ("R1",)


def test_local_times_hold_across_the_spring_clock_change():
    raw = with_request(infusions=3, min_gap_hours=44)
    raw.update(start="2027-03-12", days=10, closed_days=[])
    raw["nurses"] = [{"id": "N1", "shifts": [{"day": d, "start": "08:00", "end": "18:00"} for d in range(10)]}]
    raw["requests"][0]["availability"] = [{"weekday": w, "start": "08:00", "end": "12:00"} for w in range(7)]
    inst, plan = _solve(raw)
    starts = [local_iso(s.start) for s in sorted(plan.sessions, key=lambda s: s.n)]
    # Fri 08:00 EST, then 44 h later is Sun 05:00 EDT (the clock jumped), so the next opening is Sun 08:00
    assert starts == ["2027-03-12T08:00", "2027-03-14T08:00", "2027-03-16T08:00"]


def test_more_patients_than_a_nurse_can_watch_are_spread_or_left_out():
    raw = copy.deepcopy(BASE)
    raw["nurses"] = [{"id": "N1", "shifts": [{"day": 0, "start": "08:00", "end": "10:30"},
                                             {"day": 2, "start": "08:00", "end": "10:30"}]}]
    raw["requests"] = [{**r, "availability": [{"weekday": w, "start": "08:00", "end": "10:30"} for w in (0, 2)]}
                       for r in raw["requests"]]
    inst, plan = _solve(raw)
    # a 125-minute session in a 150-minute shift starts 08:00-08:25: set-ups 15 min apart allow two
    assert len(plan.scheduled_ids()) == 2


def test_the_solver_fills_chairs_the_greedy_plan_wastes():
    raw = synthetic_instance(seed=3, chairs=2, nurses=2, requests=16, days=28, release_days=5)
    inst = parse_instance(raw)
    greedy = plan_greedy(inst)
    plan = solve_instance(inst, seconds=SECONDS, workers=2, hint=greedy)
    assert validate_plan(inst, plan.sessions) == []
    assert len(plan.scheduled_ids()) >= len(greedy.scheduled_ids())


def test_old_double_bookings_do_not_make_the_model_infeasible():
    raw = with_request(infusions=2)
    raw["chairs"] = ["C1"]
    raw["booked"] = [{"chair": "C1", "nurse": "N1", "start": "2027-01-04T08:00", "minutes": 125},
                     {"chair": "C1", "nurse": "N1", "start": "2027-01-04T08:05", "minutes": 125},
                     {"chair": "C1", "nurse": "N1", "start": "2027-01-04T08:10", "minutes": 125},
                     {"chair": "C1", "nurse": "N1", "start": "2027-01-04T08:15", "minutes": 125}]
    inst = parse_instance(raw)
    plan = solve_instance(inst, seconds=SECONDS, workers=2)
    assert plan.status == "optimal" and len(plan.sessions) == 2
    assert validate_plan(inst, plan.sessions) == []
    assert local_iso(min(s.start for s in plan.sessions)) == "2027-01-04T10:20"  # when the last booking ends
