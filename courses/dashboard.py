"""Dashboard panel: active courses that still need infusions booked."""

from datetime import datetime

from django.http import HttpRequest

from toolkit.dashboard import Panel

from .queries import courses_to_book


def panels(request: HttpRequest, now: datetime) -> list[Panel]:
    to_book = courses_to_book(request.clinic)
    return [Panel("courses/_dashboard.html", 25, {"to_book": to_book})] if to_book else []
