"""Protocol templates and course orders (booking and chairs are in scheduling, ADR 0008)."""

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts.choices import Role
from audit import services as audit
from ketacare import course_page
from ketacare.access import allow
from ketacare.errors import ServiceError
from ketacare.forms import attach_service_error
from ketacare.scoping import get_in_clinic
from patients.models import Patient
from patients.services import current_eligibility

from . import services
from .choices import NOT_HELD_STATES
from .forms import (
    THRESHOLD_LABELS,
    EndCourseForm,
    OrderForm,
    ProtocolForm,
    ThresholdForm,
)
from .models import Protocol, TreatmentCourse

R = Role
COURSE_READERS = (R.PRESCRIBER, R.NURSE, R.THERAPIST, R.FRONT_DESK, R.CLINIC_ADMIN)



@allow(R.PRESCRIBER, R.CLINIC_ADMIN)
def protocols(request: HttpRequest) -> HttpResponse:
    rows = Protocol.objects.in_clinic(request.clinic)  # type: ignore[attr-defined]
    return render(request, "courses/protocols.html", {"protocols": rows})


@allow(R.PRESCRIBER, R.CLINIC_ADMIN)
def protocol_new(request: HttpRequest) -> HttpResponse:
    return _protocol_form(request, None)


@allow(R.PRESCRIBER, R.CLINIC_ADMIN)
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
            attach_service_error(form, exc)
        else:
            messages.success(request, f"Protocol {saved.name} saved.")
            return redirect("courses:protocols")
    return render(request, "courses/protocol_form.html", {"form": form, "thresholds": thresholds, "protocol": protocol},
                  status=400 if (form.errors or thresholds.errors) else 200)


@allow(R.PRESCRIBER)
def order(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_in_clinic(Patient, request.clinic, pk=patient_id)  # type: ignore[attr-defined]
    form = OrderForm(request.POST or None, clinic=request.clinic)  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        try:
            course = services.order_course(patient=patient, by=request.user, **form.cleaned_data)
        except ServiceError as exc:
            attach_service_error(form, exc)
        else:
            messages.success(request, "Course ordered. Book its infusions below.")
            return redirect("courses:detail", course_id=course.pk)
    elif request.method != "POST":
        with transaction.atomic():
            audit.record(action="order_form_view", by=request.user, clinic=request.clinic, patient=patient, obj=patient)  # type: ignore[attr-defined]
    return render(request, "courses/order.html", {"form": form, "patient": patient, "screening": current_eligibility(patient)},
                  status=400 if form.errors else 200)


@allow(*COURSE_READERS)
def course_detail(request: HttpRequest, course_id: int) -> HttpResponse:
    course = get_in_clinic(TreatmentCourse, request.clinic, pk=course_id)  # type: ignore[attr-defined]
    with transaction.atomic():
        audit.record(action="course_view", by=request.user, clinic=request.clinic, patient=course.patient_id, obj=course)  # type: ignore[attr-defined]
    found = course_page.panels(request, course)
    return render(request, "courses/detail.html", {
        "course": course, "end_form": EndCourseForm(),
        "side_panels": [p for p in found if p.order < 20], "panels": [p for p in found if p.order >= 20],
        "booked": course.sessions.exclude(state__in=NOT_HELD_STATES).count(), "total": int(course.protocol_snapshot["n_infusions"]),
    })


@allow(R.PRESCRIBER)
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


__all__ = ["THRESHOLD_LABELS"]
