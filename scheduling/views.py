"""Chairs, booking a course's infusions, and the chair schedule of a day."""

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.access import ClinicRequest, allow
from accounts.pages import audit_read
from accounts.permissions import Perm
from courses.models import TreatmentCourse
from toolkit.errors import ServiceError
from toolkit.forms import show_refusal
from toolkit.scoping import get_in_clinic

from . import queries, services
from .forms import BackEntryForm, BookingForm, ChairForm
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


@allow(Perm.BOOK_SESSIONS)
def book(request: ClinicRequest, course_id: int) -> HttpResponse:
    """Book the course's next infusion; a refusal shows the form again with the reason."""
    course = get_in_clinic(TreatmentCourse, request.clinic, pk=course_id)
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


@allow(Perm.BACK_ENTER_SESSION)
def back_entry(request: ClinicRequest, course_id: int) -> HttpResponse:
    """Record a session that really happened but was never booked (prescribers, with a reason)."""
    course = get_in_clinic(TreatmentCourse, request.clinic, pk=course_id)
    form = BackEntryForm(request.POST or None, clinic=request.clinic)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.back_enter_session(course=course, by=request.user, **form.cleaned_data)
        except ServiceError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, f"Infusion {session.number} entered; its chairside record can now be filled in.")
            return redirect("courses:detail", course_id=course.pk)
    elif request.method != "POST":
        audit_read(request, "back_entry_form_view", patient=course.patient_id, obj=course)
    return render(request, "scheduling/back_entry.html", {"course": course, "form": form},
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
