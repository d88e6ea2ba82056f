"""What the scheduling app adds to a course's page: the booking form and the infusions booked."""

from django.http import HttpRequest

from accounts.choices import Role
from courses.choices import CourseStatus
from infusions.choices import NOT_HELD
from ketacare.dashboard import Panel

from . import queries
from .forms import BookingForm
from .views import SCHEDULERS


def panels(request: HttpRequest, course):  # type: ignore[no-untyped-def]
    sessions = queries.course_sessions(course)
    live = [s for s in sessions if s.state not in NOT_HELD]
    can_book = request.role in SCHEDULERS and course.status == CourseStatus.ACTIVE  # type: ignore[attr-defined]
    found = [Panel("scheduling/_course_sessions.html", 20, {"sessions": sessions})]
    if can_book:
        found.append(Panel("scheduling/_course_booking.html", 10, {
            "course": course, "form": BookingForm(clinic=request.clinic),  # type: ignore[attr-defined]
            "suggestions": queries.suggestions(course, sessions), "booked": len(live),
            "total": int(course.protocol_snapshot["n_infusions"])}))
    if request.role == Role.PRESCRIBER and course.status == CourseStatus.ACTIVE:  # type: ignore[attr-defined]
        found.append(Panel("scheduling/_course_back_entry.html", 30, {"course": course}))
    return found
