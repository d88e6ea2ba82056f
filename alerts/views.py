"""The clinic's open alerts (page and polled dashboard panel) and acknowledging one with the action taken."""


from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from accounts.choices import Role
from audit import services as audit
from ketacare.access import allow
from ketacare.errors import ServiceError
from ketacare.polling import audit_poll, polled
from ketacare.scoping import get_in_clinic

from . import services
from .forms import AckForm
from .models import Alert
from .queries import clinic_alerts

READERS = (Role.PRESCRIBER, Role.NURSE, Role.THERAPIST)


def _audit(request: HttpRequest, action: str, **detail: object) -> None:
    with transaction.atomic():
        audit.record(action=action, by=request.user, clinic=request.clinic, detail=detail)  # type: ignore[attr-defined]


@allow(*READERS)
def alert_list(request: HttpRequest) -> HttpResponse:
    rows = clinic_alerts(request.clinic)  # type: ignore[attr-defined]
    _audit(request, "alerts_view", count=len(rows))
    return render(request, "alerts/list.html", {"alerts": rows, "form": AckForm()})


@allow(*READERS)
@polled
def alert_panel(request: HttpRequest) -> HttpResponse:
    """The dashboard's open-alerts panel, polled by htmx; audited when it shows new alerts (ketacare/polling.py)."""
    rows = clinic_alerts(request.clinic)  # type: ignore[attr-defined]
    audit_poll(request, "alerts_panel", [a.pk for a in rows], lambda: _audit(request, "alerts_view", count=len(rows)))
    return render(request, "alerts/_panel.html", {"ctx": {"alerts": rows[:20], "total": len(rows)}})


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    wanted = request.POST.get("next", "")
    if wanted and url_has_allowed_host_and_scheme(wanted, {request.get_host()}):
        return redirect(wanted)
    return redirect(fallback)


@allow(*READERS)
def acknowledge(request: HttpRequest, alert_id: int) -> HttpResponse:
    alert = get_in_clinic(Alert, request.clinic, pk=alert_id)  # type: ignore[attr-defined]
    if request.method != "POST":  # answered after the lookup so other clinics still get 404
        return HttpResponseNotAllowed(["POST"])
    form = AckForm(request.POST)
    try:
        services.acknowledge_alert(alert=alert, action_note=form.data.get("action_note", ""), by=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
        rows = clinic_alerts(request.clinic)  # type: ignore[attr-defined]
        return render(request, "alerts/list.html", {"alerts": rows, "form": form, "failed": alert.pk}, status=400)
    messages.success(request, "Alert acknowledged.")
    return _back(request, "alerts:list")
