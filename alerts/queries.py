"""Scoped reads of alert rows."""

from typing import Any

from django.db.models import QuerySet

from clinical.chair_rules import AlertFact, chair_blockers

from .choices import SEVERITY, AlertKind
from .models import Alert, AlertReview


def open_alerts(clinic: Any, patient: Any = None) -> QuerySet[Alert]:
    """Open alerts of the clinic (or one patient), newest first."""
    rows = Alert.objects.in_clinic(clinic).filter(acknowledged_at__isnull=True).select_related("patient", "session")
    if patient is not None:
        rows = rows.filter(patient=patient)
    return rows.order_by("-raised_at")


def clinic_alerts(clinic: Any) -> list[Alert]:
    """Open alerts of the clinic: suicide-risk first, then by severity, newest first."""
    rows = list(open_alerts(clinic))
    rows.sort(key=lambda a: a.raised_at, reverse=True)
    rows.sort(key=lambda a: (a.kind != AlertKind.SUICIDE_RISK, SEVERITY.get(a.level, 9)))
    return rows


def session_alerts(session: Any) -> list[Alert]:
    """Open alerts of one session, in the clinic list's order."""
    return [a for a in clinic_alerts(session.clinic) if a.session_id == session.pk]


def open_rules(session: Any) -> set[str]:
    """Rules with an open alert on the session (a rule that is already open is not raised again)."""
    return set(Alert.objects.filter(session=session, acknowledged_at__isnull=True).values_list("rule", flat=True))


def open_risk_alerts(clinic: Any, patient: Any = None) -> QuerySet[Alert]:
    """Unacknowledged suicide-risk alerts, newest first."""
    return open_alerts(clinic, patient).filter(kind=AlertKind.SUICIDE_RISK)


def source_alert(clinic: Any, source: Any) -> Alert | None:
    """The alert a stored row (an assessment, a discrepancy) raised, if any."""
    return (Alert.objects.in_clinic(clinic).filter(source_type=source._meta.label_lower, source_id=str(source.pk))
            .order_by("-raised_at").first())



def chair_blocking_alerts(clinic: Any, patient: Any) -> list[Alert]:
    """The patient's open alerts that block check-in and start until a prescriber reviews them (ADR 0016)."""
    rows = {a.pk: a for a in open_alerts(clinic, patient)}
    found = chair_blockers([AlertFact(a.pk, a.kind, a.level, a.is_open) for a in rows.values()])
    return [rows[f.id] for f in found]


def last_review(alert: Any) -> AlertReview | None:
    """The latest prescriber review of an alert (a hold keeps the alert open)."""
    return AlertReview.objects.filter(alert=alert).select_related("reviewed_by").order_by("-reviewed_at", "-pk").first()
