"""Alert rows: raised in the transaction of the reading or answer that fired them; acknowledged by a clinician.

Delivery (screen, email) reads the rows separately (healthchecks' Flip + sendalerts pattern).
"""

from datetime import UTC, datetime
from typing import Any

from django.db import transaction

from accounts.permissions import Perm
from accounts.queries import require
from audit import services as audit
from ketacare.errors import ServiceError

from .models import Alert


def raise_alert(
    *, clinic: Any, patient: Any, kind: str, level: str, rule: str, message: str, by: Any,
    session: Any = None, value: Any = "", threshold: Any = "", source: Any = None, at: datetime | None = None,
) -> Alert:
    """Create an open alert; call inside the transaction that stores what fired it."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("raise_alert must run inside the transaction of the data that fired it")
    alert = Alert.objects.create(
        clinic=clinic, patient=patient, session=session, kind=kind, level=level, rule=rule,
        value=str(value), threshold=str(threshold), message=message[:300],
        source_type=source._meta.label_lower if source is not None else "",
        source_id=str(source.pk) if source is not None else "", raised_at=at or datetime.now(UTC),
    )
    audit.record(action="alert_raise", by=by, clinic=clinic, patient=patient, obj=alert,
                 detail={"rule": rule, "level": level, "value": str(value), "threshold": str(threshold)})
    return alert


def acknowledge_alert(*, alert: Alert, action_note: str, by: Any, at: datetime | None = None) -> Alert:
    """Close an alert with the action the clinician took (`at` back-fills the demo's past sessions)."""
    require(Perm.ACKNOWLEDGE_ALERTS, by, alert.clinic, to="acknowledge alerts")
    if not action_note.strip():
        raise ServiceError("Write the action you took before acknowledging.", {"action_note": "Required."})
    if len(action_note) > 4000:
        raise ServiceError("The action note is too long (4000 characters at most).", {"action_note": "Too long."})
    with transaction.atomic():
        locked = Alert.objects.select_for_update().get(pk=alert.pk)
        if locked.acknowledged_at is not None:
            raise ServiceError("This alert was already acknowledged.")
        locked.acknowledged_at, locked.acknowledged_by, locked.action_note = at or datetime.now(UTC), by, action_note.strip()
        locked.save(update_fields=["acknowledged_at", "acknowledged_by", "action_note"])
        audit.record(action="alert_acknowledge", by=by, clinic=alert.clinic, patient=alert.patient_id, obj=alert)
    return locked


def open_alerts(clinic: Any, patient: Any = None) -> Any:
    """Open alerts of the clinic (or one patient), most severe kinds first, newest first."""
    rows = Alert.objects.in_clinic(clinic).filter(acknowledged_at__isnull=True).select_related("patient", "session")
    if patient is not None:
        rows = rows.filter(patient=patient)
    return rows.order_by("-raised_at")


def open_rules(session: Any) -> set[str]:
    """Rules with an open alert on the session (a rule that is already open is not raised again)."""
    return set(Alert.objects.filter(session=session, acknowledged_at__isnull=True).values_list("rule", flat=True))


def close_alerts(*, session: Any, kind: str, note: str, at: datetime, by: Any) -> int:
    """Close the session's open alerts of one kind that a later event settled (e.g. an overdue BP now taken)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("close_alerts must run inside the transaction of the data that settled them")
    rows = list(Alert.objects.filter(session=session, kind=kind, acknowledged_at__isnull=True))
    for alert in rows:
        Alert.objects.filter(pk=alert.pk).update(acknowledged_at=at, action_note=note)
        audit.record(action="alert_close", by=by, clinic=alert.clinic, patient=alert.patient_id, obj=alert,
                     detail={"rule": alert.rule, "note": note})
    return len(rows)


def claim_escalation(*, alert: Alert, at: datetime) -> bool:
    """Mark an open alert as escalated once; False when it was acknowledged or escalated meanwhile.

    Call inside the transaction that sends the escalation and writes its audit event, so a failed
    send leaves the alert unclaimed for the next run.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("claim_escalation must run inside the transaction that sends the escalation")
    claimed = Alert.objects.filter(pk=alert.pk, escalated_at__isnull=True, acknowledged_at__isnull=True).update(escalated_at=at)
    return bool(claimed)
