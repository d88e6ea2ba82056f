"""What the measures app adds to the patient chart: risk alerts on top, progress and charts, the schedule."""

from datetime import UTC, datetime
from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from accounts.access import can
from accounts.permissions import Perm
from alerts.queries import open_risk_alerts
from toolkit.chart import TimelineEntry
from toolkit.dashboard import Panel

from . import progress, queries
from .choices import SUICIDE_RISK, short_name

SCHEDULE_ROWS = 12


def panels(request: HttpRequest, patient: Any) -> list[Panel]:
    found = []
    alerts = list(open_risk_alerts(patient.clinic, patient))
    if alerts:
        found.append(Panel("measures/_chart_risk.html", 0, {"alerts": alerts, "can_ack": can(request, Perm.ACKNOWLEDGE_ALERTS)}))
    if can(request, Perm.VIEW_QUESTIONNAIRES):
        found.append(Panel("measures/_chart_progress.html", 15, {
            "patient": patient, "courses": progress.patient_progress(patient), "can_enter": True}))
    found.append(_schedule_panel(patient))
    return found


def _schedule_panel(patient: Any) -> Panel:
    rows = [i for i in queries.patient_schedule(patient, datetime.now(UTC)) if i.status != "done"]
    rows = [i for i in rows if i.status != "missed"]
    return Panel("measures/_chart_due.html", 16, {"patient": patient, "rows": rows[:SCHEDULE_ROWS],
                                                    "more": len(rows) > SCHEDULE_ROWS})


def _title(a: Any) -> str:
    name = short_name(a.instrument)
    if a.total is not None:
        return f"{name} {a.total}" + (f" ({a.result['band']})" if a.result.get("band") else "")
    if a.result.get("risk_level"):
        return f"{name}: risk {a.result['risk_level']}"
    return f"{name} (incomplete)"


def timeline(patient: Any) -> list[TimelineEntry]:
    return [TimelineEntry(at=a.assessed_at, kind="assessment", title=_title(a),
                          detail="suicide-risk answer" if SUICIDE_RISK in a.result.get("flags", []) else a.get_source_display(),
                          url=reverse("measures:assessment", args=[a.pk]))
            for a in queries.assessments_of(patient)]
