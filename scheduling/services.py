"""Every write of the scheduling app: chairs and bookings (the booked row is an infusions session, ADR 0008)."""

from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction

from accounts.choices import Role
from accounts.policy import policy_value
from accounts.queries import require_role
from audit import services as audit
from clinical.errors import ClinicalError
from clinical.scheduling import Booking, check_booking
from courses.choices import CourseStatus
from courses.defaults import snapshot_value
from courses.models import TreatmentCourse
from courses.services import spacing_of
from infusions.choices import SessionState
from infusions.models import InfusionSession
from infusions.services import booked
from ketacare.errors import ServiceError

from .models import Chair

BOOKING_ROLES = (Role.PRESCRIBER, Role.NURSE, Role.FRONT_DESK, Role.CLINIC_ADMIN)
LIVE_STATES = booked.LIVE_STATES


def add_chair(*, clinic: Any, name: str, location_code: str = "", by: Any) -> Chair:
    """Add an infusion chair to the clinic."""
    if not name.strip():
        raise ServiceError("A chair needs a name.", {"name": "Required."})
    if Chair.objects.filter(clinic=clinic, name=name.strip()).exists():
        raise ServiceError("A chair with this name exists.", {"name": "Taken."})
    try:
        with transaction.atomic():
            chair = Chair.objects.create(clinic=clinic, name=name.strip(), location_code=location_code.strip())
            audit.record(action="chair_create", by=by, clinic=clinic, obj=chair)
    except IntegrityError:
        raise ServiceError("A chair with this name exists.", {"name": "Taken."}) from None
    return chair


def _as_booking(session: InfusionSession) -> Booking:
    return Booking(session_id=str(session.pk), chair_id=str(session.chair_id),
                   starts_at=session.scheduled_start, ends_at=session.scheduled_end)


def book_session(*, course: TreatmentCourse, chair: Chair, starts_at: datetime, by: Any) -> InfusionSession:
    """Book the course's next infusion on a chair; the kernel checks spacing and overlaps."""
    require_role(by, course.clinic, *BOOKING_ROLES, to="book infusions")
    if course.status != CourseStatus.ACTIVE:
        raise ServiceError("Only an active course can be booked.")
    if chair.clinic_id != course.clinic_id or not chair.active:
        raise ServiceError("Choose an active chair of this clinic.", {"chair": "Not available."})
    if starts_at.tzinfo is None:
        raise ServiceError("The start time needs a time zone.", {"starts_at": "Naive time."})
    minutes = int(snapshot_value(course.protocol_snapshot, "infusion_min"))
    # The chair is held for the infusion plus the clinic's minimum observation time after it.
    ends_at = starts_at + timedelta(minutes=minutes + int(policy_value(course.clinic, "infusion_observation_min")))
    with transaction.atomic():
        # Lock the chair and the course so two bookings cannot slip past each other.
        Chair.objects.select_for_update().filter(pk=chair.pk).first()
        TreatmentCourse.objects.select_for_update().filter(pk=course.pk).first()
        course_rows = list(InfusionSession.objects.filter(course=course, state__in=LIVE_STATES))
        chair_rows = list(InfusionSession.objects.filter(chair=chair, state__in=LIVE_STATES,
                                                         scheduled_start__lt=ends_at + timedelta(days=1),
                                                         scheduled_end__gt=starts_at - timedelta(days=1)))
        new = Booking(session_id="new", chair_id=str(chair.pk), starts_at=starts_at, ends_at=ends_at)
        try:
            check_booking(new, course_bookings=[_as_booking(s) for s in course_rows],
                          chair_bookings=[_as_booking(s) for s in chair_rows], spacing=spacing_of(course))
        except ClinicalError as exc:
            raise ServiceError(str(exc), {"starts_at": str(exc)}) from None
        session = booked.create_booked_session(course=course, chair=chair, starts_at=starts_at, ends_at=ends_at)
        audit.record(action="session_book", by=by, clinic=course.clinic, patient=course.patient_id, obj=session,
                     detail={"chair": chair.name, "starts_at": starts_at.isoformat()})
    return session


def cancel_session(*, session: InfusionSession, reason: str, by: Any) -> InfusionSession:
    """Cancel a booked session that has not started."""
    require_role(by, session.clinic, *BOOKING_ROLES, to="cancel infusions")
    if session.state != SessionState.SCHEDULED:
        raise ServiceError("Only a session that has not been checked in can be cancelled.")
    if not reason.strip():
        raise ServiceError("Give a reason for cancelling.", {"reason": "Required."})
    with transaction.atomic():
        session = booked.cancel_booked_session(session=session, reason=reason)
        audit.record(action="session_cancel", by=by, clinic=session.clinic, patient=session.patient_id, obj=session,
                     detail={"reason": reason})
    return session


def now() -> datetime:
    return datetime.now(UTC)
