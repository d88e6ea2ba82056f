"""The dashboard's list of due and overdue questionnaires (order 20)."""

from datetime import datetime
from typing import Any

from accounts.access import ClinicRequest, can
from accounts.permissions import Perm
from toolkit.dashboard import Panel

from . import queries

ROWS = 15


def panels(request: ClinicRequest, now: datetime) -> list[Panel]:
    if not can(request, Perm.VIEW_PATIENTS):
        return []
    total, overdue = queries.due_counts(request.clinic, now)
    context: dict[str, Any] = {"items": queries.due_items(request.clinic, now, limit=ROWS), "total": total,
                               "overdue": overdue}
    return [Panel("measures/_panel_due.html", 20, context)]
