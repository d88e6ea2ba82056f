"""The booked-session rows that `scheduling.services` writes through (ADR 0008).

A booking is an `InfusionSession` in state "scheduled" until check-in. Scheduling owns the
rules (who, when, which chair) and the audit event; these functions only write the row and its
session event, inside the caller's transaction, with the chair row already locked by the caller.
"""

from datetime import datetime
from typing import Any

from toolkit import readmodels

from ..choices import NOT_HELD, SessionState
from ..models import InfusionSession, SessionEvent

LIVE_STATES = [s for s in SessionState.values if s not in NOT_HELD]
NOTE_PREFIX = {SessionState.CANCELLED: "Cancelled", SessionState.NO_SHOW: "No-show"}


def next_number(course: Any) -> int:
    """The number the course's next infusion gets (cancelled ones keep theirs)."""
    return max((s.number for s in InfusionSession.objects.filter(course=course)), default=0) + 1


def create_booked_session(*, course: Any, chair: Any, starts_at: datetime, ends_at: datetime) -> InfusionSession:
    """Write the row of a new booking (state "scheduled")."""
    session = InfusionSession.objects.create(
        clinic=course.clinic, course=course, patient=course.patient, number=next_number(course), chair=chair,
        scheduled_start=starts_at, scheduled_end=ends_at,
    )
    readmodels.course_changed(session.course_id, sender=create_booked_session)
    return session


def _event(session: InfusionSession, action: str, to_state: str, reason: str, at: datetime, by: Any) -> None:
    SessionEvent.objects.create(clinic_id=session.clinic_id, session=session, action=action, from_state=session.state,
                                to_state=to_state, reason=reason, at=at, by=by)


def close_booking(*, session: InfusionSession, state: str, reason: str, at: datetime, by: Any) -> InfusionSession:
    """Mark a booked row cancelled or not attended, keeping the reason in its notes and its events."""
    if state not in NOTE_PREFIX:
        raise ValueError(f"a booking closes as cancelled or no-show, not {state}")
    _event(session, str(state), state, reason, at, by)
    InfusionSession.objects.filter(pk=session.pk).update(
        state=state, notes=(session.notes + f"\n{NOTE_PREFIX[SessionState(state)]}: " + reason).strip())
    session.refresh_from_db()
    readmodels.course_changed(session.course_id, sender=close_booking)
    return session


def move_booking(*, session: InfusionSession, chair: Any, starts_at: datetime, ends_at: datetime, reason: str,
                 at: datetime, by: Any) -> InfusionSession:
    """Move a booked row to another chair or time."""
    _event(session, "reschedule", session.state, reason, at, by)
    InfusionSession.objects.filter(pk=session.pk).update(chair=chair, scheduled_start=starts_at, scheduled_end=ends_at)
    session.refresh_from_db()
    readmodels.course_changed(session.course_id, sender=move_booking)
    return session


def move_booked_session(*, session: InfusionSession, chair: Any, starts_at: datetime, ends_at: datetime) -> None:
    """Write a booked row's new chair and times (a re-plan by scheduling, which checked and audits it)."""
    InfusionSession.objects.filter(pk=session.pk, state=SessionState.SCHEDULED).update(
        chair=chair, scheduled_start=starts_at, scheduled_end=ends_at)
    readmodels.course_changed(session.course_id, sender=move_booked_session)
