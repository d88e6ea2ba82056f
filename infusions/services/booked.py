"""The booked-session rows that `scheduling.services` writes through (ADR 0008).

A booking is an `InfusionSession` in state "scheduled" until check-in. Scheduling owns the
rules (who, when, which chair) and the audit event; these functions only write the row, inside
the caller's transaction, with the chair row already locked by the caller.
"""

from datetime import datetime
from typing import Any

from ..choices import SessionState
from ..models import InfusionSession

LIVE_STATES = [s for s in SessionState.values if s != SessionState.CANCELLED]


def next_number(course: Any) -> int:
    """The number the course's next infusion gets (cancelled ones keep theirs)."""
    return max((s.number for s in InfusionSession.objects.filter(course=course)), default=0) + 1


def create_booked_session(*, course: Any, chair: Any, starts_at: datetime, ends_at: datetime) -> InfusionSession:
    """Write the row of a new booking (state "scheduled")."""
    return InfusionSession.objects.create(
        clinic=course.clinic, course=course, patient=course.patient, number=next_number(course), chair=chair,
        scheduled_start=starts_at, scheduled_end=ends_at,
    )


def cancel_booked_session(*, session: InfusionSession, reason: str) -> InfusionSession:
    """Mark a booked row cancelled, keeping the reason in its notes."""
    InfusionSession.objects.filter(pk=session.pk).update(
        state=SessionState.CANCELLED, notes=(session.notes + "\nCancelled: " + reason).strip())
    session.refresh_from_db()
    return session
