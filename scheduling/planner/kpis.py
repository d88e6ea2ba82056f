"""Figures of a plan: requests scheduled, mean wait to the first infusion, chair utilisation."""

from __future__ import annotations

from .instance import Instance
from .plan import Plan


def first_waits_days(inst: Instance, plan: Plan) -> dict[str, int]:
    """Per scheduled request, local days from its release day to its first infusion."""
    firsts = {s.request: s.start for s in plan.sessions if s.n == 1}
    release = {r.id: r.release_day for r in inst.requests}
    return {rid: (start.astimezone(inst.tz).date() - inst.start).days - release[rid] for rid, start in firsts.items()}


def plan_kpis(inst: Instance, plan: Plan) -> dict:
    waits = first_waits_days(inst, plan)
    minutes = {r.id: inst.session_minutes(r) for r in inst.requests}
    used = sum(minutes[s.request] for s in plan.sessions) + sum(b.minutes for b in inst.booked)
    open_days = inst.days - len(inst.closed_days)
    capacity = len(inst.chairs) * open_days * (inst.close_min - inst.open_min)
    return {
        "scheduled": len(waits),
        "mean_first_wait_days": round(sum(waits.values()) / len(waits), 2) if waits else None,
        "chair_utilisation": round(used / capacity, 3) if capacity else 0.0,
    }
