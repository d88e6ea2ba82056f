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
    items = queries.due_items(request.clinic, now)
    context: dict[str, Any] = {"items": items[:ROWS], "total": len(items), "overdue": sum(i.overdue for i in items)}
    return [Panel("measures/_panel_due.html", 20, context)]
