"""Large-neighbourhood search around a plan: free a few requests, hold the rest as booked, re-solve with CP-SAT.

Each step solves the same CP-SAT model on a sub-instance (a handful of requests; every other planned
session is a fixed booking), so it is exact within the neighbourhood and fast; a step is kept only when the
objective (requests scheduled, then total wait) does not get worse, so the plan stays valid throughout.
"""

from __future__ import annotations

import random
import time
from dataclasses import replace

from .instance import Booked, Instance
from .kpis import first_waits_days
from .model import score_plan, solve_instance
from .plan import Plan

FREE_REQUESTS = 8  # requests re-planned together in one step
WINDOW_DAYS = 7  # they start (or are released) within a week of one another


def _day(inst: Instance, moment) -> int:
    return (moment.astimezone(inst.tz).date() - inst.start).days


def _neighbourhood(inst: Instance, plan: Plan, rng: random.Random) -> set[str]:
    """Requests to free around a random week: mostly waiting or unscheduled ones, a few others to make room."""
    waits, anchor = first_waits_days(inst, plan), rng.randrange(inst.days)
    first = {s.request: _day(inst, s.start) for s in plan.sessions if s.n == 1}
    near = [r for r in inst.requests if (anchor <= first.get(r.id, -99) < anchor + WINDOW_DAYS)
            or (r.id not in first and abs(r.release_day - anchor) < WINDOW_DAYS)]
    troubled = [r.id for r in near if r.id not in first or waits[r.id] > 0]
    others = [r.id for r in near if r.id not in troubled]
    chosen = set(rng.sample(troubled, min(len(troubled), FREE_REQUESTS * 2 // 3)))
    return chosen | set(rng.sample(others, min(len(others), FREE_REQUESTS - len(chosen))))


def _sub_instance(inst: Instance, plan: Plan, free: set[str]) -> Instance:
    """The freed requests against everything else held as booked, cut to the days they can use."""
    freed = [r for r in inst.requests if r.id in free]
    spans = [r.release_day + r.max_span_days + WINDOW_DAYS * 2 for r in freed]
    spans += [_day(inst, s.start) + 1 for s in plan.sessions if s.request in free]
    days = min(inst.days, max(spans))
    lo = min(r.release_day for r in freed) - 1
    held = tuple(Booked(s.chair, s.nurse, s.start, inst.session_minutes(inst.request(s.request)), f"{s.request}#{s.n}")
                 for s in plan.sessions if s.request not in free and lo <= _day(inst, s.start) < days)
    nurses = tuple(replace(n, shifts=tuple(sh for sh in n.shifts if sh.day < days)) for n in inst.nurses)
    return replace(inst, days=days, closed_days=frozenset(d for d in inst.closed_days if d < days), nurses=nurses,
                   requests=tuple(freed), booked=inst.booked + held)


def improve(inst: Instance, plan: Plan, *, seconds: float, step_seconds: float = 1.0, seed: int = 1) -> Plan:
    """Improve a valid plan by re-solving small neighbourhoods until `seconds` have passed."""
    began, rng, best = time.perf_counter(), random.Random(seed), plan  # noqa: S311 - search, not security
    while (left := seconds - (time.perf_counter() - began)) > 0.2:
        free = _neighbourhood(inst, best, rng)
        if not free:
            continue
        sub = _sub_instance(inst, best, free)
        part = Plan("feasible", tuple(s for s in best.sessions if s.request in free),
                    tuple(r for r in best.unscheduled if r in free))
        found = solve_instance(sub, seconds=min(step_seconds, left), workers=1, hint=part,
                               seed=rng.randrange(1 << 20))
        candidate = Plan("feasible", tuple(s for s in best.sessions if s.request not in free) + found.sessions,
                         tuple(r for r in best.unscheduled if r not in free) + found.unscheduled)
        if score_plan(inst, candidate) >= score_plan(inst, best):
            best = candidate
    return replace(best, solve_seconds=plan.solve_seconds + time.perf_counter() - began)
