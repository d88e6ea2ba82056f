"""Chairs, booking a course's infusions, and the chair schedule of a day."""

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.choices import Role
from audit import services as audit
from courses.models import TreatmentCourse
from ketacare.access import allow
from ketacare.errors import ServiceError
from ketacare.forms import attach_service_error
from ketacare.scoping import get_in_clinic

from . import queries, services
from .forms import BackEntryForm, BookingForm, ChairForm
from .models import Chair

R = Role
SCHEDULERS = (R.PRESCRIBER, R.NURSE, R.FRONT_DESK, R.CLINIC_ADMIN)


@allow(R.CLINIC_ADMIN)
def chairs(request: HttpRequest) -> HttpResponse:
    form = ChairForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_chair(clinic=request.clinic, by=request.user, **form.cleaned_data)  # type: ignore[attr-defined]
        except ServiceError as exc:
            attach_service_error(form, exc)
        else:
            messages.success(request, "Chair added.")
            return redirect("scheduling:chairs")
    return render(request, "scheduling/chairs.html", {"form": form, "chairs": Chair.objects.in_clinic(request.clinic)},  # type: ignore[attr-defined]
                  status=400 if form.errors else 200)


@allow(*SCHEDULERS)
def book(request: HttpRequest, course_id: int) -> HttpResponse:
    """Book the course's next infusion; a refusal shows the form again with the reason."""
    course = get_in_clinic(TreatmentCourse, request.clinic, pk=course_id)  # type: ignore[attr-defined]
    form = BookingForm(request.POST or None, clinic=request.clinic)  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        try:
            session = services.book_session(course=course, chair=form.cleaned_data["chair"],
                                            starts_at=form.cleaned_data["starts_at"], by=request.user)
        except ServiceError as exc:
            attach_service_error(form, exc)
        else:
            messages.success(request, f"Infusion {session.number} booked.")
            return redirect("courses:detail", course_id=course.pk)
    elif request.method != "POST":
        with transaction.atomic():
            audit.record(action="booking_form_view", by=request.user, clinic=request.clinic, patient=course.patient_id, obj=course)  # type: ignore[attr-defined]
    sessions = queries.course_sessions(course)
    return render(request, "scheduling/book.html", {"course": course, "form": form, "sessions": sessions,
                                                    "suggestions": queries.suggestions(course, sessions)},
                  status=400 if form.errors else 200)


@allow(R.PRESCRIBER)
def back_entry(request: HttpRequest, course_id: int) -> HttpResponse:
    """Record a session that really happened but was never booked (prescribers, with a reason)."""
    course = get_in_clinic(TreatmentCourse, request.clinic, pk=course_id)  # type: ignore[attr-defined]
    form = BackEntryForm(request.POST or None, clinic=request.clinic)  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        try:
            session = services.back_enter_session(course=course, by=request.user, **form.cleaned_data)
        except ServiceError as exc:
            attach_service_error(form, exc)
        else:
            messages.success(request, f"Infusion {session.number} entered; its chairside record can now be filled in.")
            return redirect("courses:detail", course_id=course.pk)
    elif request.method != "POST":
        with transaction.atomic():
            audit.record(action="back_entry_form_view", by=request.user, clinic=request.clinic, patient=course.patient_id, obj=course)  # type: ignore[attr-defined]
    return render(request, "scheduling/back_entry.html", {"course": course, "form": form},
                  status=400 if form.errors else 200)


@allow(*SCHEDULERS)
def schedule(request: HttpRequest) -> HttpResponse:
    tz = ZoneInfo(request.clinic.time_zone)  # type: ignore[attr-defined]
    try:
        day = date.fromisoformat(request.GET.get("day", "")[:10])
    except ValueError:
        day = timezone.localdate(timezone=tz)
    if not 1900 <= day.year <= 2999:
        return render(request, "400.html", {"message": "Choose a day between the years 1900 and 2999."}, status=400)
    by_chair = queries.day_by_chair(request.clinic, day)  # type: ignore[attr-defined]
    with transaction.atomic():
        audit.record(action="schedule_view", by=request.user, clinic=request.clinic, detail={"day": day.isoformat()})  # type: ignore[attr-defined]
    return render(request, "scheduling/schedule.html", {"day": day, "by_chair": by_chair, "now": timezone.now(),
                                                        "prev": day - timedelta(days=1), "next": day + timedelta(days=1)})
