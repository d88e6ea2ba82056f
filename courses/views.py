"""Protocol templates and course orders (booking and chairs are in scheduling, ADR 0008)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts.access import ClinicRequest, allow
from accounts.pages import audit_read, page
from accounts.permissions import Perm
from patients.models import Patient
from patients.services import current_eligibility
from toolkit import course_page
from toolkit.errors import ServiceError
from toolkit.forms import passed_values, show_problems, show_refusal, submit

from . import queries, services
from .choices import NOT_HELD_STATES
from .forms import (
    THRESHOLD_LABELS,
    EndCourseForm,
    OrderForm,
    ProtocolForm,
    ThresholdForm,
)
from .models import Protocol, TreatmentCourse


@allow(Perm.MANAGE_PROTOCOLS)
def protocols(request: ClinicRequest) -> HttpResponse:
    rows = queries.protocols_of(request.clinic)
    return render(request, "courses/protocols.html", {"protocols": rows})


@allow(Perm.MANAGE_PROTOCOLS)
def protocol_new(request: HttpRequest) -> HttpResponse:
    return _protocol_form(request, None)


@page(Perm.MANAGE_PROTOCOLS, Protocol)
def protocol_edit(request: ClinicRequest, protocol: Protocol) -> HttpResponse:
    return _protocol_form(request, protocol)


def _protocol_form(request: ClinicRequest, protocol: Protocol | None) -> HttpResponse:
    form = ProtocolForm(request.POST or None, instance=protocol)
    thresholds = ThresholdForm(request.POST or None, initial=protocol.thresholds if protocol else Protocol._meta.get_field("thresholds").get_default())
    valid = [form.is_valid(), thresholds.is_valid()] if request.method == "POST" else [False]  # both, so every problem shows
    if request.method == "POST" and not all(valid):
        values = {**passed_values(form), "thresholds": passed_values(thresholds)}
        show_problems(form, services.protocol_problems(clinic=request.clinic, values=values), thresholds)
    elif all(valid):
        values = {f: form.cleaned_data[f] for f in ProtocolForm.Meta.fields}
        values["thresholds"] = dict(thresholds.cleaned_data)
        try:
            saved = services.save_protocol(clinic=request.clinic, values=values, by=request.user, protocol=protocol)
        except ServiceError as exc:
            show_refusal(form, exc, thresholds)
        else:
            messages.success(request, f"Protocol {saved.name} saved.")
            return redirect("courses:protocols")
    return render(request, "courses/protocol_form.html", {"form": form, "thresholds": thresholds, "protocol": protocol},
                  status=400 if (form.errors or thresholds.errors) else 200)


@page(Perm.ORDER_COURSE, Patient, read="order_form_view")
def order(request: ClinicRequest, patient: Patient) -> HttpResponse:
    form = OrderForm(request.POST or None, clinic=request.clinic)
    saved = submit(request, form, lambda data: services.order_course(patient=patient, by=request.user, **data),
                   done="Course ordered. Book its infusions below.",
                   then=lambda course: redirect("courses:detail", course_id=course.pk))
    return saved or render(request, "courses/order.html", {"form": form, "patient": patient, "screening": current_eligibility(patient)},
                  status=400 if form.errors else 200)


@page(Perm.VIEW_COURSES, TreatmentCourse)
def course_detail(request: HttpRequest, course: TreatmentCourse) -> HttpResponse:
    audit_read(request, "course_view", patient=course.patient_id, obj=course)
    found = course_page.panels(request, course)
    return render(request, "courses/detail.html", {
        "course": course, "end_form": EndCourseForm(),
        "side_panels": [p for p in found if p.order < 20], "panels": [p for p in found if p.order >= 20],
        "booked": course.sessions.exclude(state__in=NOT_HELD_STATES).count(), "total": int(course.protocol_snapshot["n_infusions"]),
    })


@page(Perm.END_COURSE, TreatmentCourse)
def course_end(request: ClinicRequest, course: TreatmentCourse) -> HttpResponse:
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
