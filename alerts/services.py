"""Every write of alert rows: raise (one function per kind), acknowledge, close, escalate.

An alert is raised in the transaction of the reading, answer, event or count that fired it, together
with its outbox rows (alerts.outbox) and its audit event; delivery reads the rows separately
(healthchecks' Flip + sendalerts pattern). `infusions`, `measures` and `inventory` call these functions.
"""

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from accounts.actors import Actor
from accounts.choices import Role
from accounts.models import Clinic, User
from accounts.permissions import Perm
from accounts.policy import policy_value
from accounts.queries import require, staff_with_role
from audit import services as audit
from clinical.chair_rules import ReviewDecision as KernelDecision
from clinical.chair_rules import check_review, needs_prescriber_review
from clinical.errors import ClinicalError
from clinical.vitals import AlertFinding
from toolkit.errors import ServiceError
from toolkit.locking import for_update

from . import messages, outbox
from .choices import AlertKind, AlertLevel, DeliveryStatus, Purpose
from .models import Alert, AlertReview

ESCALATOR = "escalation"


def _require_transaction(what: str) -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(f"{what} must run inside the transaction of the data that fired it")


def _oncall_phones(clinic: Clinic) -> list[str]:
    phone = str(policy_value(clinic, "alerts_oncall_phone")).strip()
    return [phone] if phone else []


def raise_alert(
    *, clinic: Clinic, patient: Any, kind: str, level: str, rule: str, message: str, by: Actor, session: Any = None,
    value: Any = "", threshold: Any = "", source: Any = None, at: datetime | None = None,
    notices: Callable[[Alert], Sequence[outbox.Notice]] | None = None,
) -> Alert:
    """Create an open alert, its outbox rows (`notices(alert)`) and its audit event, in the caller's transaction."""
    _require_transaction("raising an alert")
    moment = at or datetime.now(UTC)
    alert = Alert.objects.create(
        clinic=clinic, patient=patient, session=session, kind=kind, level=level, rule=rule,
        value=str(value), threshold=str(threshold), message=message[:300],
        source_type=source._meta.label_lower if source is not None else "",
        source_id=str(source.pk) if source is not None else "", raised_at=moment,
    )
    written_at = datetime.now(UTC)  # the messages are due now, whatever time the alert is dated
    rows = outbox.enqueue(alert=alert, notices=[outbox.screen_notice(), *(notices(alert) if notices else [])], at=written_at)
    audit.record(action="alert_raise", by=by, clinic=clinic, patient=patient, obj=alert,
                 detail={"rule": rule, "level": level, "value": str(value), "threshold": str(threshold),
                         "deliveries": [f"{r.channel}:{r.status}" for r in rows]})
    outbox.send_after_commit(rows, written_at)
    return alert


def raise_vital_alert(*, session: Any, finding: AlertFinding, source: Any, at: datetime, by: Actor) -> Alert:
    """Record a vital-sign rule the kernel found in a reading, with the threshold that fired (CLINICAL.md s3)."""
    return raise_alert(clinic=session.clinic, patient=session.patient, session=session, kind=AlertKind.VITAL,
                  level=finding.level.value, rule=finding.rule_id.value, message=finding.message, by=by,
                  value=finding.value, threshold=finding.threshold, source=source, at=at)


def raise_overdue_alert(*, session: Any, finding: AlertFinding, at: datetime, by: Actor) -> Alert:
    """Record that the session's blood-pressure reading is late by the monitoring schedule (CLINICAL.md s3)."""
    return raise_alert(clinic=session.clinic, patient=session.patient, session=session, kind=AlertKind.OVERDUE,
                  level=finding.level.value, rule=finding.rule_id.value, message=finding.message, by=by,
                  value=finding.value, threshold=finding.threshold, at=at)


def raise_suicide_risk(*, assessment: Any, rule: str, value: str, threshold: str, message: str, by: Actor) -> Alert:
    """Record a suicide-risk answer (CLINICAL.md s4: PHQ-9 item 9 > 0, C-SSRS moderate or high) as a critical alert."""
    phones = _oncall_phones(assessment.clinic)
    return raise_alert(clinic=assessment.clinic, patient=assessment.patient, kind=AlertKind.SUICIDE_RISK,
                  level=AlertLevel.CRITICAL, rule=rule, value=value, threshold=threshold, source=assessment,
                  message=message, by=by, notices=lambda a: [messages.oncall_text(a, p) for p in phones])


def raise_serious_adverse_event(*, event: Any, prescriber: Any, by: Actor) -> Alert:
    """Record a serious adverse event as a critical alert; email the course's prescriber (and text on call)."""
    phones = _oncall_phones(event.clinic)
    email = get_user_model().objects.filter(pk=prescriber.pk).values_list("email", flat=True).first()  # fresh, not cached

    def notices(alert: Alert) -> list[outbox.Notice]:
        emails = [messages.adverse_event_email(alert, email)] if email else []
        return emails + [messages.oncall_text(alert, p) for p in phones]

    return raise_alert(clinic=event.clinic, patient=event.patient, session=event.session, kind=AlertKind.ADVERSE_EVENT,
                  level=AlertLevel.CRITICAL, rule="serious_adverse_event", source=event, at=event.onset_at,
                  message=f"Serious adverse event: {event.description}", by=by, notices=notices)


def raise_ledger_discrepancy(*, discrepancy: Any, message: str, value: Any, threshold: Any, by: Actor) -> Alert:
    """Record a count that differs from the ledger; email the clinic's inventory officers."""
    officers = [u.email for u in staff_with_role(discrepancy.clinic, Role.INVENTORY_OFFICER) if u.email]
    return raise_alert(clinic=discrepancy.clinic, patient=None, kind=AlertKind.LEDGER_DISCREPANCY, level=AlertLevel.WARN,
                  rule="ledger_count_differs", value=value, threshold=threshold, source=discrepancy,
                  message=message, by=by, at=discrepancy.opened_at,
                  notices=lambda a: [messages.discrepancy_email(a, to) for to in officers])


def acknowledge_alert(*, alert: Alert, action_note: str, by: User, at: datetime | None = None) -> Alert:
    """Close an alert with the action the clinician took (`at` back-fills the demo's past sessions)."""
    require(Perm.ACKNOWLEDGE_ALERTS, by, alert.clinic, to="acknowledge alerts")
    if needs_prescriber_review(alert.kind, alert.level):
        raise ServiceError("A prescriber reviews this alert and records the decision (proceed or hold) with a reason; "
                           "until then it stays open and blocks check-in and the start of an infusion.",
                           {"action_note": "A prescriber's review closes this alert."})
    if not action_note.strip():
        raise ServiceError("Write the action you took before acknowledging.", {"action_note": "Required."})
    if len(action_note) > 4000:
        raise ServiceError("The action note is too long (4000 characters at most).", {"action_note": "Too long."})
    with transaction.atomic():
        locked = for_update(Alert.objects).get(pk=alert.pk)
        if locked.acknowledged_at is not None:
            raise ServiceError("This alert was already acknowledged.")
        locked.acknowledged_at, locked.acknowledged_by, locked.action_note = at or datetime.now(UTC), by, action_note.strip()
        locked.save(update_fields=["acknowledged_at", "acknowledged_by", "action_note"])
        audit.record(action="alert_acknowledge", by=by, clinic=alert.clinic, patient=alert.patient_id, obj=alert)
    return locked


def review_alert(*, alert: Alert, decision: str, reason: str, at: datetime | None = None, by: User) -> AlertReview:
    """Record a prescriber's review of an alert that blocks the chair (ADR 0016): "proceed" closes it, "hold" keeps it open."""
    require(Perm.REVIEW_ALERTS, by, alert.clinic, to="review alerts before an infusion")
    try:
        chosen, cleaned = check_review(decision, reason if isinstance(reason, str) else "")
    except ClinicalError as exc:
        field = "reason" if "reason" in str(exc) else "decision"
        raise ServiceError(f"{exc} Nothing was recorded.", {field: str(exc)}) from None
    if len(cleaned) > 4000:
        raise ServiceError("The reason is too long (4000 characters at most).", {"reason": "Too long."})
    moment = at or datetime.now(UTC)
    with transaction.atomic():
        locked = for_update(Alert.objects).get(pk=alert.pk)
        if locked.acknowledged_at is not None:
            raise ServiceError("This alert is already closed; nothing was recorded.")
        if locked.patient_id is None:
            raise ServiceError("Only a patient's alert is reviewed before the chair.")
        review = AlertReview.objects.create(clinic=locked.clinic, alert=locked, patient_id=locked.patient_id,
                                            decision=chosen.value, reason=cleaned, reviewed_by=by, reviewed_at=moment)
        if chosen is KernelDecision.PROCEED:
            locked.acknowledged_at, locked.acknowledged_by = moment, by
            locked.action_note = f"Prescriber review: proceed. {cleaned}"[:4000]
            locked.save(update_fields=["acknowledged_at", "acknowledged_by", "action_note"])
        audit.record(action="alert_review", by=by, clinic=locked.clinic, patient=locked.patient_id, obj=locked,
                     detail={"review": review.pk, "decision": chosen.value, "reason": cleaned,
                             "at": moment.isoformat(), "kind": locked.kind, "rule": locked.rule})
    return review


def close_alerts(*, kind: str, note: str, at: datetime, by: Actor, session: Any = None, source: Any = None) -> int:
    """Close the open alerts of one kind that a later event settled (an overdue BP now taken, a resolved count)."""
    _require_transaction("closing alerts")
    rows = Alert.objects.filter(kind=kind, acknowledged_at__isnull=True)
    if session is not None:
        rows = rows.filter(session=session)
    if source is not None:
        rows = rows.filter(source_type=source._meta.label_lower, source_id=str(source.pk))
    closed = list(rows)
    for alert in closed:
        Alert.objects.filter(pk=alert.pk).update(acknowledged_at=at, action_note=note)
        audit.record(action="alert_close", by=by, clinic=alert.clinic, patient=alert.patient_id, obj=alert,
                     detail={"rule": alert.rule, "note": note})
    return len(closed)


def escalation_recipients(clinic: Clinic) -> list[Any]:
    """The on-call prescriber named in the clinic's settings, else every active prescriber; with an email."""
    prescribers = staff_with_role(clinic, Role.PRESCRIBER)
    oncall = str(policy_value(clinic, "measures_oncall_prescriber")).strip()
    chosen = [u for u in prescribers if u.username == oncall] or prescribers
    return [u for u in chosen if u.email]


def _claim_escalation(alert: Alert, at: datetime) -> bool:
    """Mark an open alert as escalated once; False when it was acknowledged or escalated meanwhile."""
    return bool(Alert.objects.filter(pk=alert.pk, escalated_at__isnull=True, acknowledged_at__isnull=True)
                .update(escalated_at=at))


def _escalate(alert: Alert, recipients: Sequence[Any], minutes: int, now: datetime, by: Actor) -> list[Any]:
    """Claim the alert and queue its escalation messages with the audit event, in one transaction."""
    with transaction.atomic():
        # The conditional update claims the alert: a second run (or a racing one) finds nothing to do.
        if not _claim_escalation(alert, now):
            return []
        notices = [messages.escalation_email(alert, u.email, minutes) for u in recipients]
        notices += [messages.oncall_text(alert, p, escalation=True) for p in _oncall_phones(alert.clinic)]
        rows = outbox.enqueue(alert=alert, notices=notices, at=now, purpose=Purpose.ESCALATION)
        audit.record(action="alert_escalate", by=by, clinic=alert.clinic, patient=alert.patient_id, obj=alert,
                     detail={"to": [u.username for u in recipients], "after_min": minutes})
    return rows


def escalate_alerts(*, clinic: Clinic, now: datetime, by: Actor = ESCALATOR) -> tuple[int, list[str]]:
    """Escalate suicide-risk alerts left unacknowledged too long to the on-call prescriber, once each; send at once.

    A message that cannot be sent now stays in the outbox for `ketacare send-alerts` and is reported.
    """
    minutes = int(policy_value(clinic, "measures_escalate_after_min"))
    due = (Alert.objects.in_clinic(clinic)
           .filter(kind=AlertKind.SUICIDE_RISK, acknowledged_at__isnull=True, escalated_at__isnull=True,
                   raised_at__lte=now - timedelta(minutes=minutes)).select_related("clinic").order_by("raised_at"))
    escalated, problems = 0, []
    for alert in due:
        recipients = escalation_recipients(clinic)
        if not recipients:
            problems.append(f"alert {alert.pk}: no prescriber with an email address to escalate to")
            continue
        rows = _escalate(alert, recipients, minutes, now, by)
        if not rows:
            continue
        escalated += 1
        problems += [f"alert {alert.pk}: text to {r.recipient}: {r.last_error}" for r in rows if r.status == DeliveryStatus.FAILED]
        problems += outbox.send_deliveries(deliveries=rows, now=now, by=by).errors
    return escalated, problems
