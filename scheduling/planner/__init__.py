"""The course planner: a pure function over a documented instance (docs/planner.md), no Django inside."""

from __future__ import annotations

import time
from dataclasses import replace

from .greedy import plan_greedy
from .instance import Instance, InstanceError, parse_instance
from .kpis import plan_kpis
from .lns import improve
from .model import solve_instance
from .plan import Plan, PlannedSession, plan_to_json
from .validator import validate_plan

__all__ = ["Instance", "InstanceError", "Plan", "PlannedSession", "parse_instance", "plan_greedy", "plan_instance",
           "plan_kpis", "plan_to_json", "solve_instance", "validate_plan"]


def plan_instance(inst: Instance, *, seconds: float = 10.0, workers: int = 8) -> Plan:
    """Plan with CP-SAT, never worse than first come, first served.

    The whole model is solved from the greedy plan for 40% of the time (at most 10 s); unless that proves optimal, the rest
    goes to large-neighbourhood search (the same model on a few freed requests at a time).
    """
    began = time.perf_counter()
    greedy = plan_greedy(inst)
    whole = solve_instance(inst, seconds=max(0.1, min(10.0, seconds * 0.4)), workers=workers, hint=greedy)
    left = seconds - (time.perf_counter() - began)
    if whole.status == "optimal" or left < 0.3:
        return replace(whole, solve_seconds=time.perf_counter() - began)
    better = improve(inst, whole, seconds=left)
    return replace(better, status="feasible", solve_seconds=time.perf_counter() - began)
