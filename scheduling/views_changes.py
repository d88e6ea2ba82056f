"""Cancel, reschedule or record a no-show, from the schedule page or the patient chart; each with a reason."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from audit import services as audit
from infusions.models import InfusionSession
from ketacare.access import allow
from ketacare.errors import ServiceError
from ketacare.forms import attach_service_error
from ketacare.scoping import get_in_clinic

from . import services
from .forms import ReasonForm, RescheduleForm
from .views import SCHEDULERS


def _session(request: HttpRequest, session_id: int) -> InfusionSession:
    return get_in_clinic(InfusionSession, request.clinic, pk=session_id)  # type: ignore[attr-defined, no-any-return]


def _back(request: HttpRequest) -> HttpResponse:
    wanted = request.POST.get("next", "")
    if wanted and url_has_allowed_host_and_scheme(wanted, {request.get_host()}, require_https=request.is_secure()):
        return redirect(wanted)
    return redirect("scheduling:schedule")


def _close(request: HttpRequest, session_id: int, service: Callable[..., Any], done: str) -> HttpResponse:
    session = _session(request, session_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"Give a reason; infusion {session.number} of {session.patient.full_name} was not changed.")
        return _back(request)
    try:
        service(session=session, reason=form.cleaned_data["reason"], by=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Infusion {session.number} of {session.patient.full_name} {done}.")
    return _back(request)


@allow(*SCHEDULERS)
def cancel(request: HttpRequest, session_id: int) -> HttpResponse:
    return _close(request, session_id, services.cancel_session, "cancelled; the chair is free")


@allow(*SCHEDULERS)
def no_show(request: HttpRequest, session_id: int) -> HttpResponse:
    return _close(request, session_id, services.record_no_show, "recorded as a no-show; the chair is free")


@allow(*SCHEDULERS)
def reschedule(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session(request, session_id)
    initial = {"chair": session.chair_id, "starts_at": session.scheduled_start}
    form = RescheduleForm(request.POST or None, clinic=request.clinic, initial=initial)  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        try:
            services.reschedule_session(session=session, by=request.user, **form.cleaned_data)
        except ServiceError as exc:
            attach_service_error(form, exc)
        else:
            messages.success(request, f"Infusion {session.number} of {session.patient.full_name} moved.")
            return redirect("courses:detail", course_id=session.course_id)
    elif request.method != "POST":
        with transaction.atomic():
            audit.record(action="reschedule_form_view", by=request.user, clinic=request.clinic,  # type: ignore[attr-defined]
                         patient=session.patient_id, obj=session)
    return render(request, "scheduling/reschedule.html", {"session": session, "form": form},
                  status=400 if form.errors else 200)
