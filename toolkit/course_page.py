"""The course page is assembled from what each app offers in its own `course_page.py`.

An app module defines `panels(request, course) -> list[Panel]`: sections shown under the order
(scheduling offers the booking form and the infusions booked), so `courses` imports no app above it.
"""

from typing import Any

from django.http import HttpRequest

from .dashboard import Panel

APPS = ["scheduling"]


def panels(request: HttpRequest, course: Any) -> list[Panel]:
    from .hooks import app_modules

    found: list[Panel] = []
    for _, module in app_modules("course_page", APPS):
        found.extend(module.panels(request, course))
    return sorted(found, key=lambda p: p.order)
