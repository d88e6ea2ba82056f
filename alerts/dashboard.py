"""Dashboard panel: the clinic's open alerts (order 0, suicide-risk first)."""

from datetime import datetime

from django.http import HttpRequest

from accounts.access import can
from accounts.permissions import Perm
from toolkit.dashboard import Panel

from .queries import clinic_alerts


def panels(request: HttpRequest, now: datetime) -> list[Panel]:
    clinic = getattr(request, "clinic", None)
    if clinic is None or not can(request, Perm.VIEW_ALERTS):
        return []
    rows = clinic_alerts(clinic)
    return [Panel("alerts/_panel.html", 0, {"alerts": rows[:20], "total": len(rows)})]
