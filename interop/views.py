"""The monitor-message quarantine: the held messages, and assigning or dismissing one (ADR 0005)."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from accounts.access import ClinicRequest, allow
from accounts.pages import audit_read, page
from accounts.permissions import Perm
from infusions import queries as infusion_queries
from infusions.forms import ReasonForm
from infusions.models import InfusionSession
from toolkit.errors import ServiceError
from toolkit.scoping import get_in_clinic

from . import queries, services
from .forms import AssignForm
from .models import Hl7Message


@allow(Perm.TRIAGE_MONITOR_MESSAGES)
def quarantine(request: ClinicRequest) -> HttpResponse:
    rows = list(queries.quarantine(request.clinic))
    audit_read(request, "hl7_quarantine_view", count=len(rows))
    return render(request, "interop/quarantine.html", {"rows": rows})


@page(Perm.TRIAGE_MONITOR_MESSAGES, Hl7Message, select=("session",))
def quarantined(request: ClinicRequest, message: Hl7Message) -> HttpResponse:
    sessions = list(infusion_queries.in_progress(request.clinic))
    assign, dismiss = AssignForm(sessions=sessions), ReasonForm()
    status = 200
    if request.method == "POST":
        assign, dismiss = AssignForm(request.POST, sessions=sessions), ReasonForm(request.POST)
        try:
            _resolve(request, message, assign, dismiss)
        except ServiceError as exc:
            messages.error(request, exc.message)
            status = 400
        else:
            return redirect("interop:quarantine")
    # The held message shows a raw PID: record which patient it names (matched, or as sent).
    audit_read(request, "hl7_message_view", clinic=message.clinic, obj=message,
               patient=message.session.patient_id if message.session_id else None, patient_ref=message.patient_ref)
    context = {"message": message, "assign": assign, "dismiss": dismiss, "segments": message.raw.split("\r")}
    return render(request, "interop/quarantined.html", context, status=status)


def _resolve(request: ClinicRequest, message: Hl7Message, assign: AssignForm, dismiss: ReasonForm) -> None:
    if request.POST.get("do") == "assign":
        if not assign.is_valid():
            raise ServiceError("Choose the session in progress to file this message to.")
        session = get_in_clinic(InfusionSession, request.clinic, pk=assign.cleaned_data["session"])
        done = services.assign_hl7_message(message=message, session=session, by=request.user)
        messages.success(request, f"{done.reading_count} reading(s) filed to {session.chair} · {session.patient.full_name}.")
    elif request.POST.get("do") == "dismiss":
        dismiss.is_valid()
        services.dismiss_hl7_message(message=message, reason=dismiss.cleaned_data.get("reason", ""), by=request.user)
        messages.success(request, "Message dismissed.")
    else:
        raise ServiceError("Choose to assign or to dismiss the message.")


@page(Perm.RECORD_VITALS, Hl7Message, methods=("POST",))
def held_accept(request: ClinicRequest, message: Hl7Message) -> HttpResponse:
    """Chart a message held on its session (timed outside it) at the time it arrived (ADR 0014)."""
    try:
        done = services.accept_held_message(message=message, by=request.user)
        messages.success(request, f"{done.reading_count} held reading(s) charted at the time they arrived.")
    except ServiceError as exc:
        messages.error(request, exc.message)
    return _back_to_session(message)


@page(Perm.RECORD_VITALS, Hl7Message, methods=("POST",))
def held_reject(request: ClinicRequest, message: Hl7Message) -> HttpResponse:
    """Reject a message held on its session, with the reason; nothing is charted."""
    form = ReasonForm(request.POST)
    form.is_valid()
    try:
        services.reject_held_message(message=message, reason=form.cleaned_data.get("reason", ""), by=request.user)
        messages.success(request, "Held readings rejected; nothing was charted.")
    except ServiceError as exc:
        messages.error(request, exc.message)
    return _back_to_session(message)


def _back_to_session(message: Hl7Message) -> HttpResponse:
    if message.session_id is None:
        return redirect("interop:quarantine")
    return redirect("infusions:session", session_id=message.session_id)
