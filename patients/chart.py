"""What the patients app adds to the patient chart timeline."""

from typing import Any

from django.urls import reverse

from toolkit.chart import TimelineEntry


def timeline(patient: Any) -> list[TimelineEntry]:
    url = reverse("patients:screen", args=[patient.pk])
    return [TimelineEntry(at=s.screened_at, kind="screening", title=f"Eligibility: {s.get_outcome_display()}",
                          detail="signed" if s.signed else "unsigned", url=url) for s in patient.screenings.all()]
