"""Turn the clinic's calendar into a planner instance, and planner sessions back into bookings (reads only).

A booking's chair time is [scheduled_start, scheduled_end) (infusion plus observation); the planner's session
also holds the nurse's set-up before it and discharge after it, so a planner start is the booking's start
minus the set-up minutes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from accounts.choices import Role
from accounts.policy import policy_value
from accounts.queries import staff_with_role
from infusions.choices import SessionState
from infusions.models import InfusionSession
from toolkit.errors import ServiceError

from .models import Chair, NurseShift, PatientAvailability, SessionPlan, ShiftException
from .planner import Instance, InstanceError, parse_instance
from .policy import WEEKDAYS

SLOT_MIN = 5


@dataclass(frozen=True)
class PlannedBooking:
    """One proposed or re-planned booking in database terms."""

    n: int
    chair: Chair
    nurse: Any
    starts_at: datetime  # the booking's start (after set-up), aware
    session_id: int | None = None  # set when an existing booking moves


def _hhmm(value: time) -> str:
    return "24:00" if value == time.max else value.strftime("%H:%M")


def closed_weekdays(clinic: Any) -> set[int]:
    names = [str(n).strip().lower() for n in policy_value(clinic, "schedule_closed_weekdays")]
    unknown = [n for n in names if n not in WEEKDAYS]
    if unknown:
        raise ServiceError(f"The clinic's closed weekdays name unknown days: {', '.join(unknown)}.")
    return {WEEKDAYS.index(n) for n in names}


def nurse_shifts(clinic: Any, first_on: date, days: int) -> dict[Any, list[dict[str, Any]]]:
    """Each nurse's shifts per day of the range: the weekly pattern, replaced on a date by its exception."""
    weekly = list(NurseShift.objects.in_clinic(clinic).filter(active=True))
    exceptions = {(e.nurse_id, e.on): e for e in ShiftException.objects.in_clinic(clinic)
                  .filter(on__gte=first_on, on__lt=first_on + timedelta(days=days))}
    table: dict[Any, list[dict[str, Any]]] = {}
    for nurse in staff_with_role(clinic, Role.NURSE):
        rows = []
        for day in range(days):
            on = first_on + timedelta(days=day)
            if (exc := exceptions.get((nurse.pk, on))) is not None:
                spans = [(exc.starts, exc.ends)] if exc.starts and exc.ends else []
            else:
                spans = [(s.starts, s.ends) for s in weekly if s.nurse_id == nurse.pk and s.weekday == on.weekday()]
            rows += [{"day": day, "start": _hhmm(a), "end": _hhmm(b)} for a, b in spans]
        table[nurse] = rows
    return table


def _availability(patient_id: int) -> list[dict[str, Any]] | None:
    rows = PatientAvailability.objects.filter(patient_id=patient_id)
    return [{"weekday": r.weekday, "start": _hhmm(r.starts), "end": _hhmm(r.ends)} for r in rows] or None


class InstanceBuilder:
    """Collects the clinic's calendar for [first_on, first_on + days) as the planner's JSON instance."""

    def __init__(self, clinic: Any, first_on: date, days: int) -> None:
        self.clinic, self.first_on, self.days = clinic, first_on, days
        self.tz = ZoneInfo(clinic.time_zone)
        self.setup_min = int(policy_value(clinic, "schedule_setup_min"))
        self.discharge_min = int(policy_value(clinic, "schedule_discharge_min"))
        self.chairs = {str(c.pk): c for c in Chair.objects.in_clinic(clinic).filter(active=True)}
        self.shifts = {str(n.pk): (n, rows) for n, rows in nurse_shifts(clinic, first_on, days).items() if rows}
        self.requests: list[dict[str, Any]] = []
        self.booked: list[dict[str, Any]] = []

    def local(self, moment: datetime) -> str:
        return moment.astimezone(self.tz).strftime("%Y-%m-%dT%H:%M")

    def planner_start(self, starts_at: datetime) -> datetime:
        return starts_at - timedelta(minutes=self.setup_min)

    def hold_existing(self, *, leave_out: set[int] | frozenset[int] = frozenset()) -> None:
        """Every live booking in the range holds its chair (and its planned nurse) as a fixed session."""
        start = datetime.combine(self.first_on, time.min, self.tz)
        rows = (InfusionSession.objects.in_clinic(self.clinic).exclude(state=SessionState.CANCELLED)
                .filter(scheduled_start__gte=start - timedelta(days=1),
                        scheduled_start__lt=start + timedelta(days=self.days)).exclude(pk__in=leave_out))
        nurses = dict(SessionPlan.objects.filter(session__in=rows).values_list("session_id", "nurse_id"))
        for s in rows:
            if str(s.chair_id) not in self.chairs:
                continue
            nurse = str(nurses.get(s.pk) or "")
            minutes = self.setup_min + int((s.scheduled_end - s.scheduled_start).total_seconds() // 60) \
                + self.discharge_min
            self.booked.append({"chair": str(s.chair_id), "nurse": nurse if nurse in self.shifts else None,
                                "start": self.local(self.planner_start(s.scheduled_start)), "minutes": minutes,
                                "label": f"session {s.pk}"})

    def add_course(self, course: Any, *, infusions: int, earliest: datetime | None,
                   span_from: datetime | None, release_day: int = 0) -> str:
        snap = course.protocol_snapshot
        request = {"id": f"course-{course.pk}", "infusions": infusions, "infusion_minutes": int(snap["infusion_min"]),
                   "recovery_minutes": int(policy_value(course.clinic, "infusion_observation_min")),
                   "min_gap_hours": int(snap["min_hours_between"]), "max_span_days": int(snap["max_span_days"]),
                   "release_day": release_day}
        if (windows := _availability(course.patient_id)) is not None:
            request["availability"] = windows
        if earliest is not None:
            request["earliest_start"] = self.local(earliest)
        if span_from is not None:
            request["span_from"] = self.local(self.planner_start(span_from))
        self.requests.append(request)
        return str(request["id"])

    def instance(self) -> Instance:
        if not self.chairs:
            raise ServiceError("Add a chair before planning.")
        if not self.shifts:
            raise ServiceError("Record nurse shifts before planning.")
        closed = closed_weekdays(self.clinic)
        raw = {"start": self.first_on.isoformat(), "days": self.days, "tz": self.clinic.time_zone,
               "slot_minutes": SLOT_MIN, "open": policy_value(self.clinic, "schedule_open"),
               "close": policy_value(self.clinic, "schedule_close"),
               "closed_days": [d for d in range(self.days) if (self.first_on + timedelta(days=d)).weekday() in closed],
               "chairs": list(self.chairs), "nurses": [{"id": k, "shifts": rows} for k, (_, rows) in self.shifts.items()],
               "ratio": int(policy_value(self.clinic, "schedule_nurse_ratio")), "setup_minutes": self.setup_min,
               "discharge_minutes": self.discharge_min,
               "turnover_minutes": int(policy_value(self.clinic, "schedule_turnover_min")),
               "requests": self.requests, "booked": self.booked}
        try:
            return parse_instance(raw)
        except InstanceError as exc:
            raise ServiceError(f"The clinic's calendar cannot be planned: {exc}") from None

    def bookings(self, sessions: list, request_id: str) -> list[PlannedBooking]:
        """The planner's sessions of one request as bookings (chair, nurse, start after set-up)."""
        return [PlannedBooking(n=s.n, chair=self.chairs[s.chair], nurse=self.shifts[s.nurse][0],
                               starts_at=s.start + timedelta(minutes=self.setup_min))
                for s in sorted(sessions, key=lambda s: s.n) if s.request == request_id]
