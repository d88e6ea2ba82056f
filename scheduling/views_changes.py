"""Cancel, reschedule or record a no-show, from the schedule page or the patient chart; each with a reason."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from accounts.access import ClinicRequest
from accounts.pages import page
from accounts.permissions import Perm
from infusions.models import InfusionSession
from toolkit.errors import ServiceError
from toolkit.forms import submit

from . import services
from .forms import ReasonForm, RescheduleForm


def _back(request: HttpRequest) -> HttpResponse:
    wanted = request.POST.get("next", "")
    if wanted and url_has_allowed_host_and_scheme(wanted, {request.get_host()}, require_https=request.is_secure()):
        return redirect(wanted)
    return redirect("scheduling:schedule")


def _close(request: HttpRequest, session: InfusionSession, service: Callable[..., Any], done: str) -> HttpResponse:
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


@page(Perm.BOOK_SESSIONS, InfusionSession, methods=("POST",))
def cancel(request: HttpRequest, session: InfusionSession) -> HttpResponse:
    return _close(request, session, services.cancel_session, "cancelled; the chair is free")


@page(Perm.BOOK_SESSIONS, InfusionSession, methods=("POST",))
def no_show(request: HttpRequest, session: InfusionSession) -> HttpResponse:
    return _close(request, session, services.record_no_show, "recorded as a no-show; the chair is free")


@page(Perm.BOOK_SESSIONS, InfusionSession, read="reschedule_form_view")
def reschedule(request: ClinicRequest, session: InfusionSession) -> HttpResponse:
    initial = {"chair": session.chair_id, "starts_at": session.scheduled_start}
    form = RescheduleForm(request.POST or None, clinic=request.clinic, initial=initial)
    saved = submit(request, form, lambda data: services.reschedule_session(session=session, by=request.user, **data),
                   done=f"Infusion {session.number} of {session.patient.full_name} moved.",
                   then=lambda _: redirect("courses:detail", course_id=session.course_id))
    return saved or render(request, "scheduling/reschedule.html", {"session": session, "form": form},
                  status=400 if form.errors else 200)
