"""Chairs, booking a course's infusions, and the chair schedule of a day."""

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.access import ClinicRequest, allow
from accounts.pages import audit_read, page
from accounts.permissions import Perm
from courses.models import TreatmentCourse
from toolkit.forms import submit

from . import queries, services
from .forms import BackEntryForm, BookingForm, ChairForm
from .models import Chair


def _to_course(course_id: int) -> HttpResponse:
    return redirect("courses:detail", course_id=course_id)


@allow(Perm.MANAGE_CHAIRS)
def chairs(request: ClinicRequest) -> HttpResponse:
    form = ChairForm(request.POST or None)
    saved = submit(request, form, lambda data: services.add_chair(clinic=request.clinic, by=request.user, **data),
                   done="Chair added.", then=lambda _: redirect("scheduling:chairs"))
    return saved or render(request, "scheduling/chairs.html", {"form": form, "chairs": Chair.objects.in_clinic(request.clinic)},
                  status=400 if form.errors else 200)


@page(Perm.BOOK_SESSIONS, TreatmentCourse, read="booking_form_view")
def book(request: ClinicRequest, course: TreatmentCourse) -> HttpResponse:
    """Book the course's next infusion; a refusal shows the form again with the reason."""
    form = BookingForm(request.POST or None, clinic=request.clinic)
    saved = submit(request, form, lambda data: services.book_session(course=course, chair=data["chair"],
                                                                     starts_at=data["starts_at"], by=request.user),
                   done=lambda session: f"Infusion {session.number} booked.", then=lambda _: _to_course(course.pk))
    if saved is not None:
        return saved
    sessions = queries.course_sessions(course)
    return render(request, "scheduling/book.html", {"course": course, "form": form, "sessions": sessions,
                                                    "suggestions": queries.suggestions(course, sessions)},
                  status=400 if form.errors else 200)


@page(Perm.BACK_ENTER_SESSION, TreatmentCourse, read="back_entry_form_view")
def back_entry(request: ClinicRequest, course: TreatmentCourse) -> HttpResponse:
    """Record a session that really happened but was never booked (prescribers, with a reason)."""
    form = BackEntryForm(request.POST or None, clinic=request.clinic)
    saved = submit(request, form, lambda data: services.back_enter_session(course=course, by=request.user, **data),
                   done=lambda session: f"Infusion {session.number} entered; its chairside record can now be filled in.",
                   then=lambda _: _to_course(course.pk))
    return saved or render(request, "scheduling/back_entry.html", {"course": course, "form": form},
                  status=400 if form.errors else 200)


@allow(Perm.BOOK_SESSIONS)
def schedule(request: ClinicRequest) -> HttpResponse:
    tz = ZoneInfo(request.clinic.time_zone)
    try:
        day = date.fromisoformat(request.GET.get("day", "")[:10])
    except ValueError:
        day = timezone.localdate(timezone=tz)
    if not 1900 <= day.year <= 2999:
        return render(request, "400.html", {"message": "Choose a day between the years 1900 and 2999."}, status=400)
    by_chair = queries.day_by_chair(request.clinic, day)
    audit_read(request, "schedule_view", day=day.isoformat())
    return render(request, "scheduling/schedule.html", {"day": day, "by_chair": by_chair, "now": timezone.now(),
                                                        "prev": day - timedelta(days=1), "next": day + timedelta(days=1)})
