"""What every booking write checks: the start's bounds, and spacing and overlap by the kernel under the chair lock."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError

from accounts.policy import policy_value
from clinical.errors import ClinicalError
from clinical.scheduling import Booking, check_booking
from courses.defaults import snapshot_value
from courses.models import TreatmentCourse
from courses.services import spacing_of
from infusions.models import InfusionSession
from infusions.services import booked
from toolkit.errors import ServiceError
from toolkit.locking import for_update

from ..models import Chair

# A booking typed a few minutes after its start (a walk-in) is still a booking; earlier is a back-entry.
BOOKING_GRACE = timedelta(minutes=15)
# Further ahead than this is a typo in the year, not a plan.
BOOKING_HORIZON = timedelta(days=2 * 366)
SPAN_MARGIN = timedelta(days=1)  # chair bookings read around the new one (the longest hold is far shorter)


def now() -> datetime:
    return datetime.now(UTC)


def shown(clinic: Any, at: datetime) -> str:
    """A time as the clinic reads it: its local clock with the zone's abbreviation."""
    try:
        return at.astimezone(ZoneInfo(clinic.time_zone)).strftime("%a %d %b %Y %H:%M %Z")
    except OverflowError:
        return at.isoformat()


def check_start(course: TreatmentCourse, starts_at: datetime, at: datetime, *, back_entry: bool = False) -> None:
    """Refuse a start without a zone, absurdly far, before the course was ordered, or on the wrong side of now."""
    field = {"starts_at": "Choose another start."}
    if starts_at.tzinfo is None or starts_at.utcoffset() is None:
        raise ServiceError("The start time needs a time zone.", {"starts_at": "Naive time."})
    if starts_at > at + BOOKING_HORIZON:
        raise ServiceError(f"{starts_at:%Y-%m-%d} is more than two years ahead; check the year.", field)
    if starts_at < course.ordered_at:
        raise ServiceError(f"The course was ordered {shown(course.clinic, course.ordered_at)}; "
                           "an infusion cannot start before its order.", field)
    if back_entry and starts_at > at:
        raise ServiceError("A back-entry records a session that already happened; book a future one instead.", field)
    if not back_entry and starts_at < at - BOOKING_GRACE:
        raise ServiceError(f"{shown(course.clinic, starts_at)} is in the past. A session that really happened "
                           "is recorded by a prescriber as a back-entry, with a reason.", field)


def hold_until(course: TreatmentCourse, starts_at: datetime) -> datetime:
    """The chair is held for the infusion plus the clinic's minimum observation time after it."""
    minutes = int(snapshot_value(course.protocol_snapshot, "infusion_min"))
    return starts_at + timedelta(minutes=minutes + int(policy_value(course.clinic, "infusion_observation_min")))


@contextmanager
def taken_slot_refused(chair: Chair, starts_at: datetime) -> Iterator[None]:
    """Answer the database's one-live-booking-per-chair-and-start constraint as a refusal, not a 500."""
    try:
        yield
    except IntegrityError as exc:
        if "one_live_booking_per_chair_and_start" not in str(exc) and "scheduled_start" not in str(exc):
            raise
        raise ServiceError(f"{chair.name} already has a booking starting {shown(chair.clinic, starts_at)}; "
                           "choose another start or chair.", {"starts_at": "Choose another start or chair."}) from None


def lock_chairs(*chairs: Chair) -> None:
    """Lock chair rows in primary-key order (the documented lock order: chairs, then the course)."""
    for pk in sorted({c.pk for c in chairs}):
        for_update(Chair.objects.filter(pk=pk)).first()


def _as_booking(session: InfusionSession) -> Booking:
    return Booking(session_id=str(session.pk), chair_id=str(session.chair_id),
                   starts_at=session.scheduled_start, ends_at=session.scheduled_end,
                   patient=session.patient.full_name, chair_name=session.chair.name, number=session.number)


def check_slot(*, course: TreatmentCourse, chair: Chair, starts_at: datetime, ends_at: datetime,
               session_id: str = "new") -> None:
    """Run the kernel's spacing and overlap rule against the live bookings (call under the chair lock)."""
    live = InfusionSession.objects.filter(state__in=booked.LIVE_STATES).select_related("patient", "chair")
    course_rows = live.filter(course=course)
    chair_rows = live.filter(chair=chair, scheduled_start__lt=ends_at + SPAN_MARGIN,
                             scheduled_end__gt=starts_at - SPAN_MARGIN)
    new = Booking(session_id=session_id, chair_id=str(chair.pk), starts_at=starts_at, ends_at=ends_at,
                  patient=course.patient.full_name, chair_name=chair.name)
    try:
        check_booking(new, course_bookings=[_as_booking(s) for s in course_rows],
                      chair_bookings=[_as_booking(s) for s in chair_rows], spacing=spacing_of(course),
                      zone=ZoneInfo(course.clinic.time_zone))
    except ClinicalError as exc:
        raise ServiceError(str(exc), {"starts_at": "Choose another start or chair."}) from None
