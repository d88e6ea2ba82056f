"""Dashboard panel: the clinic's open alerts (order 0, suicide-risk first)."""

from datetime import datetime

from django.http import HttpRequest

from accounts.choices import Role
from ketacare.dashboard import Panel

from .queries import clinic_alerts

ALERT_ROLES = (Role.PRESCRIBER, Role.NURSE, Role.THERAPIST)


def panels(request: HttpRequest, now: datetime) -> list[Panel]:
    clinic, role = getattr(request, "clinic", None), getattr(request, "role", None)
    if clinic is None or role not in ALERT_ROLES:
        return []
    rows = clinic_alerts(clinic)
    return [Panel("alerts/_panel.html", 0, {"alerts": rows[:20], "total": len(rows)})]
