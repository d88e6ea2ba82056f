"""Protocol templates, chairs, course orders, booking and the chair schedule."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.permissions import Perm
from clinical.errors import ClinicalError
from clinical.scheduling import suggest_schedule
from infusions import services as infusions
from infusions.models import InfusionSession
from ketacare.access import allow, can
from ketacare.errors import ServiceError
from ketacare.forms import show_refusal
from ketacare.pages import audit_read, page
from ketacare.scoping import get_in_clinic
from patients.models import Patient
from patients.services import current_eligibility

from . import services
from .forms import (
    THRESHOLD_LABELS,
    BookingForm,
    ChairForm,
    EndCourseForm,
    OrderForm,
    ProtocolForm,
    ThresholdForm,
)
from .models import Chair, Protocol, TreatmentCourse


@allow(Perm.MANAGE_PROTOCOLS)
def protocols(request: HttpRequest) -> HttpResponse:
    rows = Protocol.objects.in_clinic(request.clinic)  # type: ignore[attr-defined]
    return render(request, "courses/protocols.html", {"protocols": rows, "chairs": Chair.objects.in_clinic(request.clinic)})  # type: ignore[attr-defined]


@allow(Perm.MANAGE_PROTOCOLS)
def protocol_new(request: HttpRequest) -> HttpResponse:
    return _protocol_form(request, None)


@allow(Perm.MANAGE_PROTOCOLS)
def protocol_edit(request: HttpRequest, protocol_id: int) -> HttpResponse:
    return _protocol_form(request, get_in_clinic(Protocol, request.clinic, pk=protocol_id))  # type: ignore[attr-defined]


def _protocol_form(request: HttpRequest, protocol: Protocol | None) -> HttpResponse:
    form = ProtocolForm(request.POST or None, instance=protocol)
    thresholds = ThresholdForm(request.POST or None, initial=protocol.thresholds if protocol else Protocol._meta.get_field("thresholds").get_default())
    if request.method == "POST" and form.is_valid() and thresholds.is_valid():
        values = {f: form.cleaned_data[f] for f in ProtocolForm.Meta.fields}
        values["thresholds"] = dict(thresholds.cleaned_data)
        try:
            saved = services.save_protocol(clinic=request.clinic, values=values, by=request.user, protocol=protocol)  # type: ignore[attr-defined]
        except ServiceError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, f"Protocol {saved.name} saved.")
            return redirect("courses:protocols")
    return render(request, "courses/protocol_form.html", {"form": form, "thresholds": thresholds, "protocol": protocol},
                  status=400 if (form.errors or thresholds.errors) else 200)


@allow(Perm.MANAGE_CHAIRS)
def chairs(request: HttpRequest) -> HttpResponse:
    form = ChairForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_chair(clinic=request.clinic, by=request.user, **form.cleaned_data)  # type: ignore[attr-defined]
        except ServiceError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, "Chair added.")
            return redirect("courses:chairs")
    return render(request, "courses/chairs.html", {"form": form, "chairs": Chair.objects.in_clinic(request.clinic)},  # type: ignore[attr-defined]
                  status=400 if form.errors else 200)


@page(Perm.ORDER_COURSE, Patient)
def order(request: HttpRequest, patient: Patient) -> HttpResponse:
    form = OrderForm(request.POST or None, clinic=request.clinic)  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        try:
            course = services.order_course(patient=patient, by=request.user, **form.cleaned_data)
        except ServiceError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, "Course ordered. Book its infusions below.")
            return redirect("courses:detail", course_id=course.pk)
    elif request.method != "POST":
        audit_read(request, "order_form_view", patient=patient, obj=patient)
    return render(request, "courses/order.html", {"form": form, "patient": patient, "screening": current_eligibility(patient)},
                  status=400 if form.errors else 200)


@allow(Perm.VIEW_COURSES)
def course_detail(request: HttpRequest, course_id: int) -> HttpResponse:
    course = get_in_clinic(TreatmentCourse, request.clinic, pk=course_id)  # type: ignore[attr-defined]
    form = BookingForm(request.POST or None, clinic=request.clinic)  # type: ignore[attr-defined]
    end_form = EndCourseForm()
    if request.method == "POST" and form.is_valid():
        try:
            session = infusions.book_session(course=course, chair=form.cleaned_data["chair"], starts_at=form.cleaned_data["starts_at"], by=request.user)
        except ServiceError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, f"Infusion {session.number} booked.")
            return redirect("courses:detail", course_id=course.pk)
    elif request.method != "POST":
        audit_read(request, "course_view", patient=course.patient_id, obj=course)
    sessions = list(course.sessions.select_related("chair").order_by("scheduled_start"))
    live = [s for s in sessions if s.state != "cancelled"]
    suggestions = []
    if live and len(live) < int(course.protocol_snapshot["n_infusions"]):
        try:
            suggestions = suggest_schedule(timezone.localtime(live[0].scheduled_start), services.spacing_of(course))[len(live) - 1:]
        except ClinicalError:
            suggestions = []
    return render(request, "courses/detail.html", {
        "course": course, "sessions": sessions, "form": form, "end_form": end_form, "suggestions": suggestions[:6],
        "can_book": can(request, Perm.BOOK_SESSIONS) and course.status == "active",
        "booked": len(live), "total": int(course.protocol_snapshot["n_infusions"]),
    }, status=400 if form.errors else 200)


@allow(Perm.END_COURSE)
def course_end(request: HttpRequest, course_id: int) -> HttpResponse:
    course = get_in_clinic(TreatmentCourse, request.clinic, pk=course_id)  # type: ignore[attr-defined]
    form = EndCourseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.end_course(course=course, by=request.user, **form.cleaned_data)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Course ended.")
        return redirect("courses:detail", course_id=course.pk)
    return redirect("courses:detail", course_id=course.pk) if request.method == "GET" else render(
        request, "400.html", {"message": "Choose completed or stopped."}, status=400)


@allow(Perm.BOOK_SESSIONS)
def schedule(request: HttpRequest) -> HttpResponse:
    tz = ZoneInfo(request.clinic.time_zone)  # type: ignore[attr-defined]
    try:
        day = date.fromisoformat(request.GET.get("day", "")[:10])
    except ValueError:
        day = timezone.localdate(timezone=tz)
    if not 1900 <= day.year <= 2999:
        return render(request, "400.html", {"message": "Choose a day between the years 1900 and 2999."}, status=400)
    start = datetime.combine(day, time.min, tz)
    sessions = (InfusionSession.objects.in_clinic(request.clinic)  # type: ignore[attr-defined]
                .filter(scheduled_start__gte=start, scheduled_start__lt=start + timedelta(days=1))
                .exclude(state="cancelled").select_related("patient", "chair").order_by("scheduled_start"))
    chairs = list(Chair.objects.in_clinic(request.clinic).filter(active=True))  # type: ignore[attr-defined]
    by_chair = [{"chair": c, "sessions": [s for s in sessions if s.chair_id == c.pk]} for c in chairs]
    audit_read(request, "schedule_view", day=day.isoformat())
    return render(request, "courses/schedule.html", {"day": day, "by_chair": by_chair,
                                                     "prev": day - timedelta(days=1), "next": day + timedelta(days=1)})


__all__ = ["THRESHOLD_LABELS"]
