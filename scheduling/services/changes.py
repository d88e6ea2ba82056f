"""Changing a booking: cancel, reschedule, or record that the patient did not attend; each with a reason, audited."""

from datetime import datetime
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

from ..models import Chair
from . import rules


def _reason(reason: str, purpose: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise ServiceError(f"Give a reason {purpose}.", {"reason": "Required."})
    if len(text) > 2000:
        raise ServiceError("Keep the reason under 2000 characters.", {"reason": "Too long."})
    return text


def _locked_booking(session: InfusionSession, to: str) -> InfusionSession:
    """The session row locked after its chair; refuse once it is no longer a booking."""
    rules.lock_chairs(session.chair)
    fresh = for_update(InfusionSession.objects.select_related("clinic", "chair", "patient")).get(pk=session.pk)  # its row only
    if fresh.state != SessionState.SCHEDULED:
        raise ServiceError(f"Only a booking that has not been checked in can be {to}; "
                           f"this one is {fresh.get_state_display().lower()}.")
    return fresh


def cancel_session(*, session: InfusionSession, reason: str, by: Any) -> InfusionSession:
    """Cancel a booked session that has not started; its chair and its place in the course are free again."""
    require(Perm.BOOK_SESSIONS, by, session.clinic, to="cancel infusions")
    text = _reason(reason, "for cancelling")
    with transaction.atomic():
        fresh = _locked_booking(session, "cancelled")
        done = booked.close_booking(session=fresh, state=SessionState.CANCELLED, reason=text, at=rules.now(), by=by)
        audit.record(action="session_cancel", by=by, clinic=done.clinic, patient=done.patient_id, obj=done,
                     detail={"reason": text, "starts_at": done.scheduled_start.isoformat()})
    return done


def record_no_show(*, session: InfusionSession, reason: str, by: Any) -> InfusionSession:
    """Record that the patient did not come to a booking whose time has come; the chair and slot are free again."""
    require(Perm.BOOK_SESSIONS, by, session.clinic, to="record a no-show")
    text = _reason(reason, "for the no-show (what was tried, what the patient said)")
    at = rules.now()
    with transaction.atomic():
        fresh = _locked_booking(session, "marked as a no-show")
        if fresh.scheduled_start > at:
            raise ServiceError(f"The booking starts {rules.shown(fresh.clinic, fresh.scheduled_start)}; "
                               "a no-show can be recorded once that time has come. Cancel it instead.")
        done = booked.close_booking(session=fresh, state=SessionState.NO_SHOW, reason=text, at=at, by=by)
        audit.record(action="session_no_show", by=by, clinic=done.clinic, patient=done.patient_id, obj=done,
                     detail={"reason": text, "starts_at": done.scheduled_start.isoformat()})
    return done


def reschedule_session(*, session: InfusionSession, chair: Chair, starts_at: datetime, reason: str,
                       by: Any) -> InfusionSession:
    """Move a booking to another time or chair, by the same rules as a new booking."""
    require(Perm.BOOK_SESSIONS, by, session.clinic, to="reschedule infusions")
    text = _reason(reason, "for moving the booking")
    course = TreatmentCourse.objects.get(pk=session.course_id)
    if chair.clinic_id != session.clinic_id or not chair.active:
        raise ServiceError("Choose an active chair of this clinic.", {"chair": "Not available."})
    rules.check_start(course, starts_at, rules.now())
    ends_at = rules.hold_until(course, starts_at)
    with rules.taken_slot_refused(chair, starts_at), transaction.atomic():
        rules.lock_chairs(session.chair, chair)
        fresh = _locked_booking(session, "rescheduled")
        rules.check_slot(course=course, chair=chair, starts_at=starts_at, ends_at=ends_at, session_id=str(fresh.pk))
        before = {"chair": fresh.chair.name, "starts_at": fresh.scheduled_start.isoformat()}
        done = booked.move_booking(session=fresh, chair=chair, starts_at=starts_at, ends_at=ends_at, reason=text,
                                   at=rules.now(), by=by)
        audit.record(action="session_reschedule", by=by, clinic=done.clinic, patient=done.patient_id, obj=done,
                     detail={"reason": text, "from": before, "to": {"chair": chair.name, "starts_at": starts_at.isoformat()}})
    return done
