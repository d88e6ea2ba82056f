"""Book an accepted course plan, confirm a booking, and apply a re-plan (issue 12)."""

from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import transaction

from accounts.permissions import Perm
from accounts.queries import require
from audit import services as audit
from courses.models import TreatmentCourse
from infusions.choices import SessionState
from infusions.models import InfusionSession
from infusions.services import booked
from toolkit.errors import ServiceError
from toolkit.locking import for_update

from ..models import Chair, SessionPlan
from .booking import book_session

PARKED = timedelta(days=36600)  # where a re-planned booking waits while the others move (unique chair and start)


def accept_course_plan(*, course: TreatmentCourse, bookings: list, by: Any, now: datetime | None = None) -> list:
    """Book every session of an accepted proposal, each with its planned nurse, or none of them."""
    from ..proposals import check_proposal

    require(Perm.BOOK_SESSIONS, by, course.clinic, to="book infusions")
    if not bookings:
        raise ServiceError("The proposal is empty.")
    now = now or datetime.now(UTC)
    with transaction.atomic():
        # The documented lock order: chairs in primary-key order, then the course.
        list(for_update(Chair.objects.filter(pk__in={b.chair.pk for b in bookings})).order_by("pk"))
        for_update(TreatmentCourse.objects.filter(pk=course.pk)).first()
        problems = check_proposal(course, bookings, now=now)
        if problems:
            raise ServiceError("The proposal no longer fits: " + "; ".join(problems[:3]))
        sessions = []
        for b in bookings:
            session = book_session(course=course, chair=b.chair, starts_at=b.starts_at, by=by)
            SessionPlan.objects.create(clinic=course.clinic, session=session, nurse=b.nurse, planned_at=now)
            sessions.append(session)
        audit.record(action="course_plan_accept", by=by, clinic=course.clinic, patient=course.patient_id, obj=course,
                     detail={"sessions": [s.pk for s in sessions]})
    return sessions


def confirm_session(*, session: InfusionSession, by: Any, now: datetime | None = None) -> None:
    """Mark a booking confirmed with the patient: a re-plan keeps it where it is."""
    require(Perm.BOOK_SESSIONS, by, session.clinic, to="confirm bookings")
    with transaction.atomic():
        SessionPlan.objects.update_or_create(session=session, defaults={
            "clinic": session.clinic, "confirmed": True, "planned_at": now or datetime.now(UTC)})
        audit.record(action="session_confirm", by=by, clinic=session.clinic, patient=session.patient_id, obj=session)


def apply_replan(*, clinic: Any, moves: list, by: Any, now: datetime | None = None) -> int:
    """Move unconfirmed bookings to their re-planned chair, nurse and start, all in one transaction."""
    if getattr(by, "pk", None) is not None:
        require(Perm.REPLAN_CALENDAR, by, clinic, to="re-plan the calendar")
    now = now or datetime.now(UTC)
    with transaction.atomic():
        list(for_update(Chair.objects.filter(pk__in={m.chair.pk for m in moves})).order_by("pk"))
        # then the sessions, in primary-key order (ketacare/locking.py)
        list(for_update(InfusionSession.objects.filter(pk__in={m.session_id for m in moves}, clinic=clinic)).order_by("pk"))
        rows = []
        for move in moves:
            session = for_update(InfusionSession.objects).get(pk=move.session_id, clinic=clinic)
            if session.state != SessionState.SCHEDULED:
                raise ServiceError(f"Session {session.pk} was checked in meanwhile; re-plan again.")
            if SessionPlan.objects.filter(session=session, confirmed=True).exists():
                raise ServiceError(f"Session {session.pk} was confirmed meanwhile; re-plan again.")
            rows.append((session, move))
        for i, (session, _) in enumerate(rows):  # park first, so swapped slots never meet
            booked.move_booked_session(session=session, chair=session.chair, starts_at=session.scheduled_start + PARKED
                                       + timedelta(minutes=i), ends_at=session.scheduled_end + PARKED + timedelta(minutes=i))
        for session, move in rows:
            length = session.scheduled_end - session.scheduled_start
            booked.move_booking(session=session, chair=move.chair, starts_at=move.starts_at,
                                ends_at=move.starts_at + length, reason="re-planned", at=now,
                                by=by if getattr(by, "pk", None) else None)
            SessionPlan.objects.update_or_create(session=session, defaults={
                "clinic": clinic, "nurse": move.nurse, "planned_at": now})
            audit.record(action="session_replan", by=by, clinic=clinic, patient=session.patient_id, obj=session,
                         detail={"chair": move.chair.name, "starts_at": move.starts_at.isoformat()})
    return len(moves)
