"""Plan the course: propose all remaining sessions of a course order at once (chair, nurse, start)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from infusions.choices import SessionState
from infusions.models import InfusionSession
from toolkit.errors import ServiceError

from .planner import PlannedSession, plan_instance, validate_plan
from .planning import SLOT_MIN, InstanceBuilder, PlannedBooking

PROPOSAL_SECONDS = 0.8  # the interactive answer stays within a second


@dataclass(frozen=True)
class Proposal:
    bookings: tuple[PlannedBooking, ...]
    message: str = ""
    problems: tuple[str, ...] = field(default=())


def live_sessions(course: Any) -> list[InfusionSession]:
    return list(InfusionSession.objects.filter(course=course).exclude(state=SessionState.CANCELLED)
                .order_by("scheduled_start"))


def _round_up(moment: datetime) -> datetime:
    moment = moment.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return moment + timedelta(minutes=-moment.minute % SLOT_MIN)


def course_builder(course: Any, *, now: datetime, after: datetime | None = None) -> tuple[InstanceBuilder, str]:
    """The clinic's calendar from today with this course's remaining sessions as the one request."""
    snap, live = course.protocol_snapshot, live_sessions(course)
    remaining = int(snap["n_infusions"]) - len(live)
    if remaining <= 0:
        raise ServiceError("Every infusion of this course is booked.")
    tz = ZoneInfo(course.clinic.time_zone)
    first_on = now.astimezone(tz).date()
    builder = InstanceBuilder(course.clinic, first_on, min(90, int(snap["max_span_days"]) + 28))
    earliest = _round_up(now.astimezone(tz))
    if live:
        gap_after_last = live[-1].scheduled_start + timedelta(hours=int(snap["min_hours_between"]))
        earliest = max(earliest, builder.planner_start(gap_after_last).astimezone(tz))
    if after is not None:  # the next proposal starts on a later day than the one shown
        earliest = max(earliest, datetime.combine(after.astimezone(tz).date() + timedelta(days=1), time.min, tz))
    builder.hold_existing()
    request_id = builder.add_course(course, infusions=remaining, earliest=_round_up(earliest - timedelta(minutes=1)),
                                    span_from=live[0].scheduled_start if live else None)
    return builder, request_id


def propose_course(course: Any, *, now: datetime, after: datetime | None = None,
                   seconds: float = PROPOSAL_SECONDS) -> Proposal:
    """The earliest plan of the course's remaining sessions that fits every chair, nurse and window rule."""
    builder, request_id = course_builder(course, now=now, after=after)
    inst = builder.instance()
    plan = plan_instance(inst, seconds=seconds, workers=2)
    bookings = builder.bookings(list(plan.sessions), request_id)
    if not bookings:
        return Proposal((), "No plan fits the protocol, the chairs, the nurse shifts and the patient's windows "
                            f"in the next {builder.days} days.")
    return Proposal(tuple(bookings))


def check_proposal(course: Any, bookings: list[PlannedBooking], *, now: datetime) -> list[str]:
    """Problems of a proposal against the calendar as it is now (another booking may have taken a slot)."""
    builder, request_id = course_builder(course, now=now)
    inst = builder.instance()
    nurse_ids = {k for k in builder.shifts}
    sessions = []
    for i, b in enumerate(bookings, start=1):
        if str(b.chair.pk) not in builder.chairs or str(getattr(b.nurse, "pk", "")) not in nurse_ids:
            return ["The chair or the nurse of the proposal is no longer available."]
        sessions.append(PlannedSession(request_id, i, str(b.chair.pk), str(b.nurse.pk),
                                       builder.planner_start(b.starts_at).astimezone(inst.tz)))
    return validate_plan(inst, sessions)


def adjusted_problems(course: Any, bookings: list[PlannedBooking], *, now: datetime) -> list[str]:
    """What an adjusted proposal breaks: each start's own rules, then the calendar's (what accepting checks)."""
    from .services.rules import check_start

    try:
        for b in bookings:
            check_start(course, b.starts_at, now)
    except ServiceError as exc:
        return [exc.message]
    return check_proposal(course, bookings, now=now)
