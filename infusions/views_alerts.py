"""The clinic's open alerts, acknowledging them, and today's sessions."""

import time
from datetime import UTC, datetime

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from accounts.choices import Role
from audit import services as audit
from ketacare.access import allow
from ketacare.errors import ServiceError
from ketacare.scoping import get_in_clinic

from . import alerts, queries
from .forms import AckForm
from .models import Alert
from .views import POLL_AUDIT_SECONDS, READERS, not_post

ALL_CLINICAL = (Role.PRESCRIBER, Role.NURSE, Role.THERAPIST, Role.FRONT_DESK, Role.CLINIC_ADMIN)


def _audit(request: HttpRequest, action: str, **detail: object) -> None:
    with transaction.atomic():
        audit.record(action=action, by=request.user, clinic=request.clinic, detail=detail)  # type: ignore[attr-defined]


@allow(*READERS)
def alert_list(request: HttpRequest) -> HttpResponse:
    rows = queries.clinic_alerts(request.clinic)  # type: ignore[attr-defined]
    _audit(request, "alerts_view", count=len(rows))
    return render(request, "infusions/alerts.html", {"alerts": rows, "form": AckForm()})


@allow(*READERS)
def alert_panel(request: HttpRequest) -> HttpResponse:
    """The dashboard's open-alerts panel, polled by htmx; a view is audited at most every few minutes per user."""
    rows = queries.clinic_alerts(request.clinic)  # type: ignore[attr-defined]
    if time.time() - request.session.get("infusions:alerts_viewed", 0) > POLL_AUDIT_SECONDS:
        _audit(request, "alerts_view", count=len(rows))
        request.session["infusions:alerts_viewed"] = time.time()
    return render(request, "infusions/_alerts_panel.html", {"ctx": {"alerts": rows[:20], "total": len(rows)}})


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    wanted = request.POST.get("next", "")
    if wanted and url_has_allowed_host_and_scheme(wanted, {request.get_host()}):
        return redirect(wanted)
    return redirect(fallback)


@allow(*READERS)
def acknowledge(request: HttpRequest, alert_id: int) -> HttpResponse:
    alert = get_in_clinic(Alert, request.clinic, pk=alert_id)  # type: ignore[attr-defined]
    if (refused := not_post(request)) is not None:
        return refused
    form = AckForm(request.POST)
    try:
        alerts.acknowledge_alert(alert=alert, action_note=form.data.get("action_note", ""), by=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
        rows = queries.clinic_alerts(request.clinic)  # type: ignore[attr-defined]
        return render(request, "infusions/alerts.html", {"alerts": rows, "form": form, "failed": alert.pk}, status=400)
    messages.success(request, "Alert acknowledged.")
    return _back(request, "infusions:alerts")


@allow(*ALL_CLINICAL)
def today(request: HttpRequest) -> HttpResponse:
    rows = list(queries.sessions_on(request.clinic, datetime.now(UTC)))  # type: ignore[attr-defined]
    _audit(request, "sessions_today_view", count=len(rows))
    return render(request, "infusions/today.html", {"sessions": rows})
