"""`ketacare schedule solve INSTANCE.json --json` prints the issue's shape, and refuses bad files clearly."""

import json
from datetime import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from scheduling.planner import parse_instance, validate_plan
from scheduling.planner.plan import PlannedSession

from .planner_cases import BASE, with_request


def _solve(tmp_path, raw, *extra):
    path = tmp_path / "instance.json"
    path.write_text(json.dumps(raw))
    out = StringIO()
    call_command("schedule", "solve", str(path), "--seconds", "2", *extra, stdout=out)
    return out.getvalue()


def test_solve_prints_the_documented_json(tmp_path):
    raw = with_request(infusions=6)
    out = json.loads(_solve(tmp_path, raw, "--json"))
    assert set(out) == {"status", "sessions", "unscheduled", "kpis"}
    assert out["status"] in {"optimal", "feasible"}
    assert set(out["kpis"]) == {"scheduled", "mean_first_wait_days", "chair_utilisation"}
    assert out["kpis"]["scheduled"] == 1 and out["unscheduled"] == []
    first = out["sessions"][0]
    assert set(first) == {"request", "n", "chair", "nurse", "start"}
    assert first == {"request": "R1", "n": 1, "chair": first["chair"], "nurse": first["nurse"],
                     "start": "2027-01-04T08:00"}
    inst = parse_instance(raw)

    plan = [PlannedSession(s["request"], s["n"], s["chair"], s["nurse"],
                           datetime.fromisoformat(s["start"]).replace(tzinfo=inst.tz)) for s in out["sessions"]]
    assert len(plan) == 6 and validate_plan(inst, plan) == []


def test_solve_without_json_prints_a_readable_plan(tmp_path):
    out = _solve(tmp_path, BASE)
    assert out.startswith("status ") and "R1 #1" in out


def test_a_bad_instance_is_refused_with_the_field_named(tmp_path):
    with pytest.raises(CommandError, match=r"requests\[0\]\.infusions: 0 is outside"):
        _solve(tmp_path, with_request(infusions=0), "--json")


def test_a_file_that_is_not_json_is_refused(tmp_path):
    path = tmp_path / "x.json"
    path.write_text("{nope")
    with pytest.raises(CommandError, match="is not JSON"):
        call_command("schedule", "solve", str(path))


def test_a_bad_time_limit_is_refused(tmp_path):
    with pytest.raises(CommandError, match="--seconds"):
        _solve(tmp_path, BASE, "--seconds", "-1")


@pytest.mark.django_db
def test_optimise_prints_the_kpis_before_and_after(world):
    from datetime import time

    from accounts.choices import Role
    from ketacare.testing import make_chair
    from scheduling import services

    for weekday in range(7):
        services.add_nurse_shift(clinic=world.a, nurse=world.users[Role.NURSE], weekday=weekday, starts=time(8),
                                 ends=time(18), by=world.users[Role.CLINIC_ADMIN])
    make_chair(world)
    out = StringIO()
    call_command("schedule", "optimise", "--days", "7", "--seconds", "1", "--clinic", "clinic-a", stdout=out)
    assert "clinic-a: nothing to re-plan" in out.getvalue()
    assert "before" in out.getvalue() and "after" in out.getvalue()
    with pytest.raises(CommandError, match="--days"):
        call_command("schedule", "optimise", "--days", "0")
