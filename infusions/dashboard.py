"""Dashboard panel: today's sessions by chair (order 10; the open alerts panel is the alerts app's)."""

from datetime import datetime
from itertools import groupby
from typing import Any

from django.http import HttpRequest

from accounts.access import can
from accounts.permissions import Perm
from toolkit.dashboard import Panel

from . import queries


def panels(request: HttpRequest, now: datetime) -> list[Panel]:
    clinic = getattr(request, "clinic", None)
    if clinic is None:
        return []
    found = []
    sessions = list(queries.sessions_on(clinic, now))
    chairs: list[tuple[Any, list[Any]]] = [(chair, list(rows)) for chair, rows in groupby(sessions, key=lambda s: s.chair)]
    found.append(Panel("infusions/_today_panel.html", 10, {"chairs": chairs, "can_open": can(request, Perm.OPEN_SESSIONS)}))
    return found
