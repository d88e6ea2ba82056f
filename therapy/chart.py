"""What the therapy app adds to the patient chart."""

from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django.http import HttpRequest
from django.urls import reverse

from toolkit.chart import TimelineEntry
from toolkit.dashboard import Panel

from . import queries


def panels(request: HttpRequest, patient: Any) -> list[Panel]:
    rows = list(queries.sessions_of(patient).select_related("therapist")[:10])
    return [Panel("therapy/_chart.html", 40, {"sessions": rows, "patient": patient})]


def timeline(patient: Any) -> list[TimelineEntry]:
    tz = ZoneInfo(patient.clinic.time_zone)
    return [TimelineEntry(at=datetime.combine(s.held_on, time(12), tz), kind="therapy", title=f"Therapy: {s.get_modality_display()}",
                          detail=s.get_timing_display(), url=reverse("therapy:detail", args=[s.pk]))
            for s in patient.therapy_sessions.all()]
