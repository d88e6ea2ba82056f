"""The clinic's open alerts, acknowledging them, today's sessions, and the monitor-message quarantine."""

import time
from datetime import UTC, datetime

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from accounts.permissions import Perm
from ketacare.access import allow
from ketacare.errors import ServiceError
from ketacare.pages import audit_read, page
from ketacare.scoping import get_in_clinic

from . import alerts, queries, services
from .forms import AckForm, AssignForm, ReasonForm
from .models import Alert, Hl7Message, InfusionSession
from .views import POLL_AUDIT_SECONDS


@allow(Perm.VIEW_ALERTS)
def alert_list(request: HttpRequest) -> HttpResponse:
    rows = queries.clinic_alerts(request.clinic)  # type: ignore[attr-defined]
    audit_read(request, "alerts_view", count=len(rows))
    return render(request, "infusions/alerts.html", {"alerts": rows, "form": AckForm()})


@allow(Perm.VIEW_ALERTS)
def alert_panel(request: HttpRequest) -> HttpResponse:
    """The dashboard's open-alerts panel, polled by htmx; a view is audited at most every few minutes per user."""
    rows = queries.clinic_alerts(request.clinic)  # type: ignore[attr-defined]
    if time.time() - request.session.get("infusions:alerts_viewed", 0) > POLL_AUDIT_SECONDS:
        audit_read(request, "alerts_view", count=len(rows))
        request.session["infusions:alerts_viewed"] = time.time()
    return render(request, "infusions/_alerts_panel.html", {"ctx": {"alerts": rows[:20], "total": len(rows)}})


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    wanted = request.POST.get("next", "")
    if wanted and url_has_allowed_host_and_scheme(wanted, {request.get_host()}):
        return redirect(wanted)
    return redirect(fallback)


@page(Perm.ACKNOWLEDGE_ALERTS, Alert, methods=("POST",))
def acknowledge(request: HttpRequest, alert: Alert) -> HttpResponse:
    form = AckForm(request.POST)
    try:
        alerts.acknowledge_alert(alert=alert, action_note=form.data.get("action_note", ""), by=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
        rows = queries.clinic_alerts(request.clinic)  # type: ignore[attr-defined]
        return render(request, "infusions/alerts.html", {"alerts": rows, "form": form, "failed": alert.pk}, status=400)
    messages.success(request, "Alert acknowledged.")
    return _back(request, "infusions:alerts")


@allow(Perm.VIEW_PATIENTS)
def today(request: HttpRequest) -> HttpResponse:
    rows = list(queries.sessions_on(request.clinic, datetime.now(UTC)))  # type: ignore[attr-defined]
    audit_read(request, "sessions_today_view", count=len(rows))
    return render(request, "infusions/today.html", {"sessions": rows})


@allow(Perm.TRIAGE_MONITOR_MESSAGES)
def quarantine(request: HttpRequest) -> HttpResponse:
    rows = list(queries.quarantine(request.clinic))  # type: ignore[attr-defined]
    audit_read(request, "hl7_quarantine_view", count=len(rows))
    return render(request, "infusions/quarantine.html", {"rows": rows})


@page(Perm.TRIAGE_MONITOR_MESSAGES, Hl7Message, select=("session",))
def quarantined(request: HttpRequest, message: Hl7Message) -> HttpResponse:
    sessions = list(queries.in_progress(request.clinic))  # type: ignore[attr-defined]
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
            return redirect("infusions:quarantine")
    # The held message shows a raw PID: record which patient it names (matched, or as sent).
    audit_read(request, "hl7_message_view", clinic=message.clinic, obj=message,
               patient=message.session.patient_id if message.session_id else None, patient_ref=message.patient_ref)
    context = {"message": message, "assign": assign, "dismiss": dismiss, "segments": message.raw.split("\r")}
    return render(request, "infusions/quarantined.html", context, status=status)


def _resolve(request: HttpRequest, message: Hl7Message, assign: AssignForm, dismiss: ReasonForm) -> None:
    if request.POST.get("do") == "assign":
        if not assign.is_valid():
            raise ServiceError("Choose the session in progress to file this message to.")
        session = get_in_clinic(InfusionSession, request.clinic, pk=assign.cleaned_data["session"])  # type: ignore[attr-defined]
        done = services.assign_hl7_message(message=message, session=session, by=request.user)
        messages.success(request, f"{done.reading_count} reading(s) filed to {session.chair} · {session.patient.full_name}.")
    elif request.POST.get("do") == "dismiss":
        dismiss.is_valid()
        services.dismiss_hl7_message(message=message, reason=dismiss.cleaned_data.get("reason", ""), by=request.user)
        messages.success(request, "Message dismissed.")
    else:
        raise ServiceError("Choose to assign or to dismiss the message.")
