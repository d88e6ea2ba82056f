"""The waiting list's offer: which waiting courses could take a freed slot (spacing, chair, patient window)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from accounts.policy import policy_value
from clinical.errors import ClinicalError
from clinical.scheduling import Booking, check_booking
from courses.choices import CourseStatus
from courses.defaults import snapshot_value
from courses.services import spacing_of
from infusions.choices import SessionState
from infusions.models import InfusionSession

from .models import PatientAvailability, WaitingListEntry


def _as_booking(s: InfusionSession) -> Booking:
    return Booking(session_id=str(s.pk), chair_id=str(s.chair_id), starts_at=s.scheduled_start, ends_at=s.scheduled_end)


def _in_window(patient_id: int, starts_at: datetime, ends_at: datetime, tz: ZoneInfo) -> bool:
    windows = list(PatientAvailability.objects.filter(patient_id=patient_id))
    if not windows:
        return True
    lo, hi = starts_at.astimezone(tz), ends_at.astimezone(tz)
    return any(w.weekday == lo.weekday() and w.starts <= lo.time() and hi.time() <= w.ends for w in windows)


def fits_slot(course: Any, chair: Any, starts_at: datetime) -> bool:
    """Whether the course's next infusion could be booked on the chair at starts_at."""
    if course.status != CourseStatus.ACTIVE:
        return False
    minutes = int(snapshot_value(course.protocol_snapshot, "infusion_min"))
    ends_at = starts_at + timedelta(minutes=minutes + int(policy_value(course.clinic, "infusion_observation_min")))
    live = InfusionSession.objects.exclude(state=SessionState.CANCELLED)
    chair_rows = live.filter(chair=chair, scheduled_start__lt=ends_at, scheduled_end__gt=starts_at)
    try:
        check_booking(Booking(session_id="new", chair_id=str(chair.pk), starts_at=starts_at, ends_at=ends_at),
                      course_bookings=[_as_booking(s) for s in live.filter(course=course)],
                      chair_bookings=[_as_booking(s) for s in chair_rows], spacing=spacing_of(course))
    except ClinicalError:
        return False
    return _in_window(course.patient_id, starts_at, ends_at, ZoneInfo(course.clinic.time_zone))


def waiting_for_slot(clinic: Any, chair: Any, starts_at: datetime) -> list[Any]:
    """Waiting courses, longest waiting first, that the slot fits."""
    entries = (WaitingListEntry.objects.in_clinic(clinic).filter(removed_at__isnull=True)
               .select_related("course__patient", "course__clinic"))
    return [e.course for e in entries if fits_slot(e.course, chair, starts_at)]
