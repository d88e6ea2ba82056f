"""The infusion session screen shows what other apps offer in their own `session_screen.py`.

An app module defines `panels(request, session) -> list[Panel]`: sections shown on the session
screen (interop offers the monitor messages held on the session for a nurse), so `infusions`
imports no app above it.
"""

from typing import Any

from django.http import HttpRequest

from .dashboard import Panel

APPS = ["interop"]


def panels(request: HttpRequest, session: Any) -> list[Panel]:
    from .hooks import app_modules

    found: list[Panel] = []
    for _, module in app_modules("session_screen", APPS):
        found.extend(module.panels(request, session))
    return sorted(found, key=lambda p: p.order)
