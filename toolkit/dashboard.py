"""The dashboard is built from panels each app offers in its own `dashboard.py`.

An app module defines `panels(request, now) -> list[Panel]`; lower `order` shows first
(open alerts at 0, today's chairs at 10, due items at 20, the rest after).
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.http import HttpRequest

APPS = ["alerts", "infusions", "measures", "courses", "patients", "therapy", "inventory", "outcomes"]


@dataclass
class Panel:
    template: str
    order: int
    context: dict[str, Any] = field(default_factory=dict)


def collect(request: HttpRequest, now: datetime) -> list[Panel]:
    from .hooks import app_modules

    found: list[Panel] = []
    for _, module in app_modules("dashboard", APPS):
        found.extend(module.panels(request, now))
    return sorted(found, key=lambda p: p.order)
