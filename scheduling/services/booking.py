"""Chairs, booking a course's next infusion, and a prescriber's back-entry of a session that happened."""

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction

from accounts.permissions import Perm
from accounts.queries import require
from audit import services as audit
from courses.choices import CourseStatus
from courses.models import TreatmentCourse
from infusions.models import InfusionSession
from infusions.services import booked
from toolkit.errors import ServiceError
from toolkit.locking import for_update

from ..models import Chair
from . import rules

LIVE_STATES = booked.LIVE_STATES
MIN_REASON_CHARS = 10


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


def _check_bookable(course: TreatmentCourse, chair: Chair) -> None:
    if course.status != CourseStatus.ACTIVE:
        raise ServiceError("Only an active course can be booked.")
    if chair.clinic_id != course.clinic_id or not chair.active:
        raise ServiceError("Choose an active chair of this clinic.", {"chair": "Not available."})


def _create(course: TreatmentCourse, chair: Chair, starts_at: datetime) -> InfusionSession:
    ends_at = rules.hold_until(course, starts_at)
    # Lock the chair and the course so two bookings cannot slip past each other.
    rules.lock_chairs(chair)
    for_update(TreatmentCourse.objects.filter(pk=course.pk)).first()
    rules.check_slot(course=course, chair=chair, starts_at=starts_at, ends_at=ends_at)
    return booked.create_booked_session(course=course, chair=chair, starts_at=starts_at, ends_at=ends_at)


def book_session(*, course: TreatmentCourse, chair: Chair, starts_at: datetime, by: Any) -> InfusionSession:
    """Book the course's next infusion on a chair, from now on; the kernel checks spacing and overlaps."""
    require(Perm.BOOK_SESSIONS, by, course.clinic, to="book infusions")
    _check_bookable(course, chair)
    rules.check_start(course, starts_at, rules.now())
    with rules.taken_slot_refused(chair, starts_at), transaction.atomic():
        session = _create(course, chair, starts_at)
        audit.record(action="session_book", by=by, clinic=course.clinic, patient=course.patient_id, obj=session,
                     detail={"chair": chair.name, "starts_at": starts_at.isoformat()})
    return session


def back_enter_session(*, course: TreatmentCourse, chair: Chair, starts_at: datetime, reason: str,
                       by: Any) -> InfusionSession:
    """Record a session that really happened but was never booked (prescribers only, with a reason)."""
    require(Perm.BACK_ENTER_SESSION, by, course.clinic, to="record a past session")
    if len(reason.strip()) < MIN_REASON_CHARS:
        raise ServiceError(f"Say why the session is entered afterwards (at least {MIN_REASON_CHARS} characters).",
                           {"reason": "Required."})
    _check_bookable(course, chair)
    rules.check_start(course, starts_at, rules.now(), back_entry=True)
    with rules.taken_slot_refused(chair, starts_at), transaction.atomic():
        session = _create(course, chair, starts_at)
        audit.record(action="session_back_entry", by=by, clinic=course.clinic, patient=course.patient_id, obj=session,
                     detail={"chair": chair.name, "starts_at": starts_at.isoformat(), "reason": reason.strip()})
    return session
