"""What the courses app adds to the patient chart."""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from toolkit.chart import TimelineEntry
from toolkit.dashboard import Panel


def panels(request: HttpRequest, patient: Any) -> list[Panel]:
    courses = list(patient.courses.select_related("protocol").order_by("-ordered_at"))
    return [Panel("courses/_chart_courses.html", 5, {"courses": courses, "patient": patient})]


def timeline(patient: Any) -> list[TimelineEntry]:
    return [TimelineEntry(at=c.ordered_at, kind="course", title=f"Course ordered: {c.protocol.name}",
                          detail=f"{c.mg_per_kg} mg/kg · {c.get_status_display()}", url=reverse("courses:detail", args=[c.pk]))
            for c in patient.courses.select_related("protocol")]
