"""The outbox: delivery rows written with their alert, sent later by `ketacare send-alerts` (or at once, best effort).

A row is claimed by a conditional update that bumps its attempt count and leases it for a few minutes,
so two senders racing (cron overlapping itself) never send one row twice. A failed send stays pending
with its error until MAX_ATTEMPTS, then is marked failed. An SMS never goes to an invalid number.
"""

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import phonenumbers
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F

from accounts.actors import Actor
from accounts.models import Clinic
from audit import services as audit
from toolkit import sms

from .choices import Channel, DeliveryStatus, Purpose
from .models import Alert, AlertDelivery

SCREEN_RECIPIENT = "alerts panel"
MAX_ATTEMPTS = 5
LEASE = timedelta(minutes=5)  # a claimed row is not picked up by another sender before this
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1))
SENDER = "send-alerts"
log = logging.getLogger("ketacare.alerts")


@dataclass(frozen=True)
class Notice:
    """One message to queue with an alert: a channel, an address, and text with no clinical detail."""

    channel: str
    recipient: str
    subject: str
    body: str


@dataclass
class SendRun:
    """What one pass of the sender did."""

    sent: int = 0
    failed: int = 0
    retrying: int = 0
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return f"{self.sent} sent, {self.retrying} to retry, {self.failed} failed"


class DeliveryError(RuntimeError):
    """A message could not be handed over; `permanent` ones are never retried."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


def phone_problem(number: str) -> str:
    """Why a number cannot take a text message ('' when it can), by the clinic region's numbering plan."""
    region = getattr(settings, "KETACARE_PHONE_REGION", "US")
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        return "not a phone number"
    return "" if phonenumbers.is_valid_number(parsed) else "not a valid phone number"


def enqueue(*, alert: Alert, notices: Iterable[Notice], at: datetime, purpose: str = Purpose.RAISED) -> list[AlertDelivery]:
    """Write the alert's delivery rows; call inside the transaction that writes the alert (or its escalation)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("enqueue must run inside the transaction of the alert it delivers")
    rows = []
    for notice in notices:
        row = AlertDelivery(clinic_id=alert.clinic_id, alert=alert, purpose=purpose, channel=notice.channel,
                            recipient=notice.recipient[:254], subject=notice.subject[:200], body=notice.body,
                            created_at=at, next_attempt_at=at)
        if notice.channel == Channel.SCREEN:
            row.status, row.sent_at = DeliveryStatus.SENT, at  # on the alerts panel as soon as the alert commits
        elif notice.channel == Channel.SMS and (problem := phone_problem(notice.recipient)):
            row.status, row.last_error = DeliveryStatus.FAILED, f"Not sent: {problem}."
        rows.append(row)
    return AlertDelivery.objects.bulk_create(rows)


def screen_notice() -> Notice:
    return Notice(Channel.SCREEN, SCREEN_RECIPIENT, "", "")


def _transport(row: AlertDelivery) -> None:
    """Hand one message to the mail or SMS backend; raise DeliveryError when it cannot be sent."""
    if row.channel == Channel.EMAIL:
        try:
            send_mail(row.subject, row.body, None, [row.recipient])
        except OSError as exc:  # smtplib errors are OSErrors
            raise DeliveryError(f"The email could not be sent: {exc}") from exc
    elif row.channel == Channel.SMS:
        if problem := phone_problem(row.recipient):
            raise DeliveryError(f"Not sent: {problem}.", permanent=True)
        try:
            sms.send_sms(row.recipient, row.body)
        except sms.SmsError as exc:
            raise DeliveryError(str(exc)) from exc
    else:
        raise DeliveryError(f"Nothing sends by {row.channel!r}.", permanent=True)


def _claim(row: AlertDelivery, now: datetime) -> bool:
    """Take the row for one attempt; False when another sender holds it or it is no longer due."""
    return bool(AlertDelivery.objects.filter(pk=row.pk, status=DeliveryStatus.PENDING, attempts=row.attempts,
                                             next_attempt_at__lte=now)
                .update(attempts=F("attempts") + 1, next_attempt_at=now + LEASE))


def _settle(row: AlertDelivery, error: DeliveryError | None, now: datetime, by: Actor) -> str:
    """Record the attempt's result on the row with its audit event; return the new status."""
    attempts = row.attempts + 1
    if error is None:
        fields: dict[str, Any] = {"status": DeliveryStatus.SENT, "sent_at": now, "last_error": ""}
    elif error.permanent or attempts >= MAX_ATTEMPTS:
        fields = {"status": DeliveryStatus.FAILED, "last_error": str(error)[:300]}
    else:
        fields = {"last_error": str(error)[:300], "next_attempt_at": now + BACKOFF[min(attempts, len(BACKOFF)) - 1]}
    with transaction.atomic():
        AlertDelivery.objects.filter(pk=row.pk).update(**fields)
        audit.record(action="alert_deliver", by=by, clinic=row.clinic, patient=row.alert.patient_id, obj=row,
                     detail={"alert": row.alert_id, "channel": row.channel, "attempt": attempts,
                             "status": fields.get("status", DeliveryStatus.PENDING), "error": fields["last_error"]})
    return str(fields.get("status", DeliveryStatus.PENDING))


def _send(rows: Sequence[AlertDelivery], now: datetime, by: Actor) -> SendRun:
    run = SendRun()
    for row in rows:
        if not _claim(row, now):
            continue
        error = None
        try:
            _transport(row)
        except DeliveryError as exc:
            error = exc
            run.errors.append(f"alert {row.alert_id}: {row.get_channel_display().lower()} to {row.recipient}: {exc}")
        status = _settle(row, error, now, by)
        run.sent += status == DeliveryStatus.SENT
        run.failed += status == DeliveryStatus.FAILED
        run.retrying += status == DeliveryStatus.PENDING
    return run


def pending(now: datetime, clinic: Clinic | None = None) -> Any:
    """Rows due to be sent now, oldest first."""
    rows = AlertDelivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
    if clinic is not None:
        rows = rows.filter(clinic=clinic)
    return rows.select_related("alert", "clinic").order_by("next_attempt_at", "pk")


def send_pending(*, now: datetime, clinic: Clinic | None = None, limit: int = 500, by: Actor = SENDER) -> SendRun:
    """Send every due row once (at most `limit`); safe to run from cron however often, or twice at a time."""
    return _send(list(pending(now, clinic)[:limit]), now, by)


def send_deliveries(*, deliveries: Sequence[AlertDelivery], now: datetime, by: Actor = SENDER) -> SendRun:
    """Try these rows now (just queued); what fails stays pending for `send-alerts`."""
    ids = [d.pk for d in deliveries if d.status == DeliveryStatus.PENDING]
    return _send(list(pending(now).filter(pk__in=ids)), now, by) if ids else SendRun()


def send_after_commit(deliveries: Sequence[AlertDelivery], now: datetime, by: Actor = SENDER) -> None:
    """Try just-queued rows once the transaction that wrote them commits (best effort; cron retries)."""
    if any(d.status == DeliveryStatus.PENDING for d in deliveries):
        transaction.on_commit(lambda: _send_quietly(deliveries, now, by))


def _send_quietly(deliveries: Sequence[AlertDelivery], now: datetime, by: Actor) -> None:
    try:
        send_deliveries(deliveries=deliveries, now=now, by=by)
    except Exception:  # noqa: BLE001 - a failure here must not fail the request; the rows stay pending
        log.exception("sending alert deliveries after commit failed")
