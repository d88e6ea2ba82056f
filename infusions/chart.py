"""What the infusions app adds to the patient chart: the sessions, and one timeline entry each."""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from accounts.access import can
from accounts.permissions import Perm
from alerts.choices import AlertKind
from alerts.queries import open_alerts
from toolkit.chart import TimelineEntry
from toolkit.dashboard import Panel

from .choices import SessionState
from .queries import patient_sessions


def panels(request: HttpRequest, patient: Any) -> list[Panel]:
    alerts = [a for a in open_alerts(patient.clinic, patient) if a.kind != AlertKind.SUICIDE_RISK]
    return [Panel("infusions/_chart_sessions.html", 30, {
        "sessions": list(patient_sessions(patient)), "alerts": alerts,
        "can_open": can(request, Perm.OPEN_SESSIONS)})]


def timeline(patient: Any) -> list[TimelineEntry]:
    entries = []
    for s in patient_sessions(patient).exclude(state=SessionState.CANCELLED):
        detail = s.get_state_display()
        if s.total_mg is not None:
            detail += f" · {s.total_mg} mg"
        if s.cadss.get("total") is not None:
            detail += f" · CADSS {s.cadss['total']}"
        entries.append(TimelineEntry(at=s.started_at or s.scheduled_start, kind="infusion", title=f"Infusion {s.number}",
                                     detail=detail, url=reverse("infusions:record", kwargs={"session_id": s.pk})))
    return entries
