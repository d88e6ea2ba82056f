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


def _neighbourhood(inst: Instance, plan: Plan, rng: random.Random) -> set[str]:
    """Requests to free: mostly waiting or unscheduled ones, and a few scheduled ones to make room."""
    waits = first_waits_days(inst, plan)
    troubled = [r for r in plan.unscheduled] + [r for r, w in waits.items() if w > 0]
    others = [r.id for r in inst.requests if r.id not in troubled]
    chosen = set(rng.sample(troubled, min(len(troubled), FREE_REQUESTS * 2 // 3)))
    chosen |= set(rng.sample(others, min(len(others), FREE_REQUESTS - len(chosen))))
    return chosen


def _sub_instance(inst: Instance, plan: Plan, free: set[str]) -> Instance:
    held = tuple(Booked(s.chair, s.nurse, s.start, inst.session_minutes(inst.request(s.request)), f"{s.request}#{s.n}")
                 for s in plan.sessions if s.request not in free)
    return replace(inst, requests=tuple(r for r in inst.requests if r.id in free), booked=inst.booked + held)


def improve(inst: Instance, plan: Plan, *, seconds: float, step_seconds: float = 1.0, seed: int = 1) -> Plan:
    """Improve a valid plan by re-solving small neighbourhoods until `seconds` have passed."""
    began, rng, best = time.perf_counter(), random.Random(seed), plan  # noqa: S311 - search, not security
    while (left := seconds - (time.perf_counter() - began)) > 0.2:
        free = _neighbourhood(inst, best, rng)
        if not free:
            break
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
