"""Cancel, reschedule or record a no-show, from the schedule page or the patient chart; each with a reason."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from accounts.access import ClinicRequest, allow
from accounts.pages import audit_read
from accounts.permissions import Perm
from infusions.models import InfusionSession
from toolkit.errors import ServiceError
from toolkit.forms import show_refusal
from toolkit.scoping import get_in_clinic

from . import services
from .forms import ReasonForm, RescheduleForm


def _session(request: ClinicRequest, session_id: int) -> InfusionSession:
    return get_in_clinic(InfusionSession, request.clinic, pk=session_id)


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


@allow(Perm.BOOK_SESSIONS)
def cancel(request: HttpRequest, session_id: int) -> HttpResponse:
    return _close(request, session_id, services.cancel_session, "cancelled; the chair is free")


@allow(Perm.BOOK_SESSIONS)
def no_show(request: HttpRequest, session_id: int) -> HttpResponse:
    return _close(request, session_id, services.record_no_show, "recorded as a no-show; the chair is free")


@allow(Perm.BOOK_SESSIONS)
def reschedule(request: ClinicRequest, session_id: int) -> HttpResponse:
    session = _session(request, session_id)
    initial = {"chair": session.chair_id, "starts_at": session.scheduled_start}
    form = RescheduleForm(request.POST or None, clinic=request.clinic, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.reschedule_session(session=session, by=request.user, **form.cleaned_data)
        except ServiceError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, f"Infusion {session.number} of {session.patient.full_name} moved.")
            return redirect("courses:detail", course_id=session.course_id)
    elif request.method != "POST":
        audit_read(request, "reschedule_form_view", patient=session.patient_id, obj=session)
    return render(request, "scheduling/reschedule.html", {"session": session, "form": form},
                  status=400 if form.errors else 200)
