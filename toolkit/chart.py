"""The patient chart is assembled from what each app offers in its own `chart.py`.

An app module may define:
  `panels(request, patient) -> list[Panel]`     sections of the chart page (toolkit.dashboard.Panel)
  `timeline(patient) -> list[TimelineEntry]`    dated entries for the one timeline
"""

from dataclasses import dataclass
from datetime import datetime
from types import ModuleType
from typing import Any

from django.http import HttpRequest

from .dashboard import Panel

APPS = ["infusions", "measures", "courses", "scheduling", "patients", "therapy", "inventory", "outcomes"]


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str  # css class: infusion | assessment | therapy | screening | course | alert
    title: str
    detail: str = ""
    url: str = ""


def _modules() -> list[ModuleType]:
    from .hooks import app_modules

    return [module for _, module in app_modules("chart", APPS)]


def panels(request: HttpRequest, patient: Any) -> list[Panel]:
    found: list[Panel] = []
    for module in _modules():
        if hasattr(module, "panels"):
            found.extend(module.panels(request, patient))
    return sorted(found, key=lambda p: p.order)


def timeline(patient: Any) -> list[TimelineEntry]:
    entries: list[TimelineEntry] = []
    for module in _modules():
        if hasattr(module, "timeline"):
            entries.extend(module.timeline(patient))
    return sorted(entries, key=lambda e: e.at, reverse=True)
