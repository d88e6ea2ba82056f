"""Scoped reads of the scheduling app: chairs, a day's bookings, a course's bookings."""

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import QuerySet

from clinical.errors import ClinicalError
from clinical.scheduling import suggest_schedule
from courses.services import spacing_of
from infusions.choices import NOT_HELD
from infusions.models import InfusionSession

from .models import Chair


def active_chairs(clinic: Any) -> QuerySet[Chair]:
    return Chair.objects.in_clinic(clinic).filter(active=True)  # type: ignore[attr-defined, no-any-return]


def day_by_chair(clinic: Any, day: date) -> list[dict[str, Any]]:
    """The clinic's active chairs with their bookings of the local `day` (cancelled ones left out)."""
    start = datetime.combine(day, time.min, ZoneInfo(clinic.time_zone))
    sessions = list(InfusionSession.objects.in_clinic(clinic)  # type: ignore[attr-defined]
                    .filter(scheduled_start__gte=start, scheduled_start__lt=start + timedelta(days=1))
                    .exclude(state__in=NOT_HELD).select_related("patient", "chair").order_by("scheduled_start"))
    return [{"chair": c, "sessions": [s for s in sessions if s.chair_id == c.pk]} for c in active_chairs(clinic)]


def course_sessions(course: Any) -> list[InfusionSession]:
    return list(InfusionSession.objects.filter(course=course).select_related("chair").order_by("scheduled_start"))


def suggestions(course: Any, sessions: list[InfusionSession], limit: int = 6, now: datetime | None = None) -> list[datetime]:
    """The next starts the protocol's spacing suggests after the first live booking, never in the past."""
    live = [s for s in sessions if s.state not in NOT_HELD]
    if not live or len(live) >= int(course.protocol_snapshot["n_infusions"]):
        return []
    tz = ZoneInfo(course.clinic.time_zone)
    try:
        found = suggest_schedule(live[0].scheduled_start.astimezone(tz), spacing_of(course))[len(live) - 1:]
    except ClinicalError:
        return []
    now = now or datetime.now(UTC)
    return [s for s in found if s > now][:limit]
