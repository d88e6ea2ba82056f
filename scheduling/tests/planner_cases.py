"""Small hand-made instances for the planner tests (decoded JSON, as the command reads it)."""

from __future__ import annotations

import copy
from datetime import datetime
from zoneinfo import ZoneInfo

from scheduling.planner import PlannedSession, parse_instance

NY = ZoneInfo("America/New_York")

BASE = {
    "start": "2027-01-04", "days": 21, "tz": "America/New_York", "slot_minutes": 5,
    "open": "08:00", "close": "18:00", "closed_days": [5, 6, 12, 13, 19, 20],
    "chairs": ["C1", "C2", "C3", "C4", "C5"],
    "nurses": [{"id": "N1", "shifts": [{"day": d, "start": "08:00", "end": "18:00"} for d in range(21)]},
               {"id": "N2", "shifts": [{"day": d, "start": "08:00", "end": "18:00"} for d in range(21)]}],
    "ratio": 3, "setup_minutes": 15, "discharge_minutes": 10,
    "requests": [{"id": f"R{i}", "infusions": 2, "infusion_minutes": 40, "recovery_minutes": 60,
                  "min_gap_hours": 44, "max_span_days": 21, "release_day": 0} for i in range(1, 6)],
}  # sessions are 125 minutes: 15 set-up + 40 infusion + 60 recovery + 10 discharge


def instance(**changes):
    """The base instance with top-level keys replaced."""
    raw = copy.deepcopy(BASE)
    raw.update(changes)
    return parse_instance(raw)


def with_request(**changes) -> dict:
    raw = copy.deepcopy(BASE)
    raw["requests"] = [{**raw["requests"][0], **changes}]
    return raw


def at(day: int, hhmm: str, tz: ZoneInfo = NY, month: int = 1) -> datetime:
    hours, minutes = map(int, hhmm.split(":"))
    return datetime(2027, month, 4 + day if month == 1 else day, hours, minutes, tzinfo=tz)


def session(request: str, n: int, start: datetime, chair: str = "C1", nurse: str = "N1") -> PlannedSession:
    return PlannedSession(request, n, chair, nurse, start)
