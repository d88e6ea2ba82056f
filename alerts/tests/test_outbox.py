"""`ketacare send-alerts`: each pending delivery is sent once however often cron runs; failures are recorded."""

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction

from accounts.choices import Role
from alerts import outbox
from alerts.choices import Channel, DeliveryStatus
from alerts.models import AlertDelivery
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db

VALID_PHONE = "+12015550123"  # the numbering plan's example number (synthetic)


def run(*args: str) -> tuple[str, str, int]:
    out, err = StringIO(), StringIO()
    try:
        call_command("send-alerts", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    return out.getvalue(), err.getvalue(), code


def queue(alert, *notices, at=None):
    with transaction.atomic():
        return outbox.enqueue(alert=alert, notices=notices, at=at or datetime.now(UTC))


def email(to="dr@example.invalid"):
    return outbox.Notice(Channel.EMAIL, to, "KetaCare: alert", "Open KetaCare to see it.")


def test_send_alerts_sends_each_pending_row_once_however_often_it_runs(world, vital_alert):
    (row,) = queue(vital_alert, email())
    out, _, code = run()
    assert code == 0 and "send-alerts: 1 sent, 0 to retry, 0 failed" in out
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["dr@example.invalid"]
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (DeliveryStatus.SENT, 1, "") and row.sent_at is not None
    out, _, code = run()
    assert code == 0 and "send-alerts: 0 sent, 0 to retry, 0 failed" in out and len(mail.outbox) == 1
    event = AuditEvent.objects.get(action="alert_deliver")
    assert (event.detail["status"], event.detail["channel"], event.object_id) == ("sent", "email", str(row.pk))


def test_a_row_another_sender_holds_is_not_sent_twice(world, vital_alert):
    (row,) = queue(vital_alert, email())
    now = datetime.now(UTC)
    assert outbox._claim(row, now)  # a first sender took it and is still sending
    assert outbox.send_pending(now=now).sent == 0 and mail.outbox == []
    assert not outbox._claim(row, now)  # the same attempt cannot be claimed twice


def test_a_failed_email_is_recorded_retried_later_then_marked_failed(world, vital_alert, settings):
    settings.EMAIL_BACKEND = "alerts.tests.conftest.FailingEmailBackend"
    (row,) = queue(vital_alert, email())
    out, err, code = run()
    assert code == 0 and "0 sent, 1 to retry, 0 failed" in out and "mail server down" in err
    row.refresh_from_db()
    assert (row.status, row.attempts) == (DeliveryStatus.PENDING, 1) and "mail server down" in row.last_error
    assert row.next_attempt_at > datetime.now(UTC)  # backed off: the next run right away does not retry it
    assert outbox.send_pending(now=datetime.now(UTC)).retrying == 0
    moment = datetime.now(UTC)
    for _ in range(outbox.MAX_ATTEMPTS - 1):
        moment += timedelta(hours=2)
        outbox.send_pending(now=moment)
    row.refresh_from_db()
    assert (row.status, row.attempts) == (DeliveryStatus.FAILED, outbox.MAX_ATTEMPTS) and row.sent_at is None
    assert outbox.send_pending(now=moment + timedelta(days=1)).failed == 0  # a failed row is never tried again


def test_the_command_exits_1_when_a_row_fails_for_good(world, vital_alert, sms_outbox):
    with transaction.atomic():
        row = AlertDelivery.objects.create(clinic=world.a, alert=vital_alert, channel=Channel.SMS, recipient="555-0100",
                                           body="x", created_at=datetime.now(UTC), next_attempt_at=datetime.now(UTC))
    out, err, code = run()  # a row written before the number check (or with a number gone bad) is refused at send
    assert code == 1 and "0 sent, 0 to retry, 1 failed" in out and "not a valid phone number" in err
    assert sms_outbox == []
    row.refresh_from_db()
    assert row.status == DeliveryStatus.FAILED


@pytest.mark.parametrize("number", ["555-0100", "12", "call me", "+1 000 000 0000"])
def test_an_sms_never_goes_to_an_invalid_number(world, vital_alert, sms_outbox, number):
    (row,) = queue(vital_alert, outbox.Notice(Channel.SMS, number, "", "KetaCare: alert"))
    assert row.status == DeliveryStatus.FAILED and row.last_error.startswith("Not sent:")
    run()
    assert sms_outbox == []


def test_an_sms_to_a_valid_number_goes_through_the_sms_backend(world, vital_alert, sms_outbox):
    (row,) = queue(vital_alert, outbox.Notice(Channel.SMS, VALID_PHONE, "", "KetaCare: alert 1"))
    out, _, _ = run()
    assert "1 sent" in out and sms_outbox == [(VALID_PHONE, "KetaCare: alert 1")]


def test_a_row_queued_for_later_waits(world, vital_alert):
    queue(vital_alert, email(), at=datetime.now(UTC) + timedelta(minutes=10))
    assert outbox.send_pending(now=datetime.now(UTC)).sent == 0 and mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_enqueue_runs_only_inside_the_alerts_transaction(world, vital_alert):
    with pytest.raises(RuntimeError, match="inside the transaction"):
        outbox.enqueue(alert=vital_alert, notices=[email()], at=datetime.now(UTC))


def test_the_limit_must_be_positive(world):
    _, err, code = run("--limit", "0")
    assert code == 2 and "--limit" in err


def test_a_serious_adverse_event_email_is_sent_after_commit(world, django_capture_on_commit_callbacks):
    from accounts.models import User
    from infusions import services as infusions
    from infusions.tests.helpers import infusing

    User.objects.filter(pk=world.users[Role.PRESCRIBER].pk).update(email="prescriber@example.invalid")
    session = infusing(world)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        infusions.record_adverse_event(session=session, by=world.users[Role.NURSE], values={
            "description": "Laryngospasm", "severity": "severe", "relatedness": "probable", "action_taken": "stopped",
            "outcome": "resolved", "serious": True})
    assert mail.outbox == []  # nothing leaves before the event is stored
    for callback in callbacks:
        callback()
    (message,) = mail.outbox
    assert message.to == ["prescriber@example.invalid"] and message.subject == "KetaCare: serious adverse event"
    out, _, _ = run()
    assert "0 sent" in out and len(mail.outbox) == 1
