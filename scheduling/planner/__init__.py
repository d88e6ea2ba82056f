"""The course planner: a pure function over a documented instance (docs/planner.md), no Django inside."""

from __future__ import annotations

from .greedy import plan_greedy
from .instance import Instance, InstanceError, parse_instance
from .kpis import plan_kpis
from .model import solve_instance
from .plan import Plan, PlannedSession, plan_to_json
from .validator import validate_plan

__all__ = ["Instance", "InstanceError", "Plan", "PlannedSession", "parse_instance", "plan_greedy", "plan_instance",
           "plan_kpis", "plan_to_json", "solve_instance", "validate_plan"]


def plan_instance(inst: Instance, *, seconds: float = 10.0, workers: int = 8) -> Plan:
    """Plan with CP-SAT, started from the first-come-first-served plan so it is never worse than that."""
    return solve_instance(inst, seconds=seconds, workers=workers, hint=plan_greedy(inst))
