"""What the scheduling app adds to a course's page: the booking form and the infusions booked."""

from typing import Any

from accounts.access import ClinicRequest, can
from accounts.permissions import Perm
from courses.choices import CourseStatus
from infusions.choices import NOT_HELD
from toolkit.dashboard import Panel

from . import queries
from .forms import BookingForm


def panels(request: ClinicRequest, course: Any) -> list[Panel]:
    sessions = queries.course_sessions(course)
    live = [s for s in sessions if s.state not in NOT_HELD]
    can_book = can(request, Perm.BOOK_SESSIONS) and course.status == CourseStatus.ACTIVE
    found = [Panel("scheduling/_course_sessions.html", 20, {"sessions": sessions})]
    if can_book:
        found.append(Panel("scheduling/_course_booking.html", 10, {
            "course": course, "form": BookingForm(clinic=request.clinic),
            "suggestions": queries.suggestions(course, sessions), "booked": len(live),
            "total": int(course.protocol_snapshot["n_infusions"])}))
    if can(request, Perm.BACK_ENTER_SESSION) and course.status == CourseStatus.ACTIVE:
        found.append(Panel("scheduling/_course_back_entry.html", 30, {"course": course}))
    return found
