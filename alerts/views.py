"""The clinic's open alerts (page and polled dashboard panel) and acknowledging one with the action taken."""


from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from accounts.access import ClinicRequest, allow
from accounts.pages import audit_read, page
from accounts.permissions import Perm
from toolkit.errors import ServiceError
from toolkit.polling import audit_poll, polled

from . import services
from .forms import AckForm, ReviewForm
from .models import Alert
from .queries import clinic_alerts


@allow(Perm.VIEW_ALERTS)
def alert_list(request: ClinicRequest) -> HttpResponse:
    rows = clinic_alerts(request.clinic)
    audit_read(request, "alerts_view", count=len(rows))
    return render(request, "alerts/list.html", {"alerts": rows, "form": AckForm()})


@allow(Perm.VIEW_ALERTS)
@polled
def alert_panel(request: ClinicRequest) -> HttpResponse:
    """The dashboard's open-alerts panel, polled by htmx; audited when it shows new alerts (ketacare/polling.py)."""
    rows = clinic_alerts(request.clinic)
    audit_poll(request, "alerts_panel", [a.pk for a in rows], lambda: audit_read(request, "alerts_view", count=len(rows)))
    return render(request, "alerts/_panel.html", {"ctx": {"alerts": rows[:20], "total": len(rows)}})


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    wanted = request.POST.get("next", "")
    if wanted and url_has_allowed_host_and_scheme(wanted, {request.get_host()}):
        return redirect(wanted)
    return redirect(fallback)


@page(Perm.ACKNOWLEDGE_ALERTS, Alert, methods=("POST",))
def acknowledge(request: ClinicRequest, alert: Alert) -> HttpResponse:
    form = AckForm(request.POST)
    try:
        services.acknowledge_alert(alert=alert, action_note=form.data.get("action_note", ""), by=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
        rows = clinic_alerts(request.clinic)
        return render(request, "alerts/list.html", {"alerts": rows, "form": form, "failed": alert.pk}, status=400)
    messages.success(request, "Alert acknowledged.")
    return _back(request, "alerts:list")


@page(Perm.REVIEW_ALERTS, Alert, methods=("POST",))
def review(request: ClinicRequest, alert: Alert) -> HttpResponse:
    """A prescriber's decision on an alert that blocks the chair (ADR 0016); back to where it was asked."""
    form = ReviewForm(request.POST)
    try:
        if not form.is_valid():
            raise ServiceError(" ".join(str(e) for errors in form.errors.values() for e in errors) + " Nothing was recorded.")
        done = services.review_alert(alert=alert, decision=form.cleaned_data["decision"],
                                     reason=form.cleaned_data["reason"], by=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
        rows = clinic_alerts(request.clinic)
        return render(request, "alerts/list.html", {"alerts": rows, "form": AckForm(), "failed": alert.pk}, status=400)
    messages.success(request, "Review recorded: " + done.get_decision_display() + ".")
    return _back(request, "alerts:list")
