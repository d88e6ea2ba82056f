"""Dashboard panel: what the ledger needs from people who read it (open discrepancies, sessions, inventory due)."""

from datetime import datetime

from django.http import HttpRequest

from accounts.permissions import Perm
from ketacare.access import can
from ketacare.dashboard import Panel

from .reconciliation import summary
from .views import inventory_status


def panels(request: HttpRequest, now: datetime) -> list[Panel]:
    clinic = getattr(request, "clinic", None)
    if clinic is None or not can(request, Perm.VIEW_LEDGER):
        return []
    rec = summary(clinic)
    status = inventory_status(clinic)
    overdue = status["due"] is not None and status["due"].overdue
    if not (rec.failing or rec.open_discrepancies or overdue):
        return []
    return [Panel("inventory/_dashboard_panel.html", 30, {
        "failing": rec.failing, "discrepancies": len(rec.open_discrepancies), "due": status["due"], "overdue": overdue})]
