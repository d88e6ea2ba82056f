"""A plan: sessions placed on chairs and nurses, and the requests left out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class PlannedSession:
    request: str
    n: int  # 1-based infusion number within the request
    chair: str
    nurse: str
    start: datetime  # aware, in the instance's time zone


@dataclass(frozen=True)
class Plan:
    status: str  # optimal | feasible | infeasible
    sessions: tuple[PlannedSession, ...]
    unscheduled: tuple[str, ...]
    solve_seconds: float = 0.0
    notes: tuple[str, ...] = field(default=())

    def scheduled_ids(self) -> set[str]:
        return {s.request for s in self.sessions}


def local_iso(moment: datetime) -> str:
    """A local start as the issue prints it: YYYY-MM-DDTHH:MM."""
    return moment.strftime("%Y-%m-%dT%H:%M")


def plan_to_json(plan: Plan, kpis: dict) -> dict:
    return {
        "status": plan.status,
        "sessions": [{"request": s.request, "n": s.n, "chair": s.chair, "nurse": s.nurse, "start": local_iso(s.start)}
                     for s in sorted(plan.sessions, key=lambda s: (s.start, s.chair))],
        "unscheduled": sorted(plan.unscheduled),
        "kpis": kpis,
    }
