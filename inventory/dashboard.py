"""Dashboard panel: what the ledger needs from people who read it (open discrepancies, sessions, inventory due)."""

from datetime import datetime

from django.http import HttpRequest

from accounts.access import can
from accounts.permissions import Perm
from toolkit.dashboard import Panel

from .reconciliation import summary
from .views import inventory_status


def panels(request: HttpRequest, now: datetime) -> list[Panel]:
    clinic = getattr(request, "clinic", None)
    if clinic is None or not can(request, Perm.VIEW_LEDGER):
        return []
    rec = summary(clinic)
    status = inventory_status(clinic)
    overdue = status["due"] is not None and status["due"].overdue
    if not (rec.failing or rec.no_draw or rec.open_draws or rec.open_discrepancies or overdue):
        return []
    no_draw = rec.no_draw
    return [Panel("inventory/_dashboard_panel.html", 30, {
        "failing": rec.failing, "no_draw": no_draw, "open_draws": rec.open_draws,
        "discrepancies": len(rec.open_discrepancies), "due": status["due"], "overdue": overdue})]
