"""Chairs, booking a course's infusions, and the chair schedule of a day."""

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.permissions import Perm
from courses.models import TreatmentCourse
from ketacare.access import ClinicRequest, allow
from ketacare.errors import ServiceError
from ketacare.forms import show_refusal
from ketacare.pages import audit_read, page

from . import queries, services
from .forms import BookingForm, ChairForm
from .models import Chair


@allow(Perm.MANAGE_CHAIRS)
def chairs(request: ClinicRequest) -> HttpResponse:
    form = ChairForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_chair(clinic=request.clinic, by=request.user, **form.cleaned_data)
        except ServiceError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, "Chair added.")
            return redirect("scheduling:chairs")
    return render(request, "scheduling/chairs.html", {"form": form, "chairs": Chair.objects.in_clinic(request.clinic)},
                  status=400 if form.errors else 200)


@page(Perm.BOOK_SESSIONS, TreatmentCourse)
def book(request: ClinicRequest, course: TreatmentCourse) -> HttpResponse:
    """Book the course's next infusion; a refusal shows the form again with the reason."""
    form = BookingForm(request.POST or None, clinic=request.clinic)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.book_session(course=course, chair=form.cleaned_data["chair"],
                                            starts_at=form.cleaned_data["starts_at"], by=request.user)
        except ServiceError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, f"Infusion {session.number} booked.")
            return redirect("courses:detail", course_id=course.pk)
    elif request.method != "POST":
        audit_read(request, "booking_form_view", patient=course.patient_id, obj=course)
    sessions = queries.course_sessions(course)
    return render(request, "scheduling/book.html", {"course": course, "form": form, "sessions": sessions,
                                                    "suggestions": queries.suggestions(course, sessions)},
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
    return render(request, "scheduling/schedule.html", {"day": day, "by_chair": by_chair,
                                                        "prev": day - timedelta(days=1), "next": day + timedelta(days=1)})
