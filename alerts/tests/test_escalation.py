"""`ketacare escalate-alerts`: an unacknowledged suicide-risk alert is escalated once, through the outbox."""

import importlib
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from accounts import services as accounts
from accounts.choices import Role
from alerts import outbox, services
from alerts.choices import Channel, DeliveryStatus, Purpose
from alerts.models import AlertDelivery
from audit.models import AuditEvent

from .conftest import later, set_policy

pytestmark = pytest.mark.django_db


def run(command: str, *args: str) -> tuple[str, str, int]:
    out, err = StringIO(), StringIO()
    try:
        call_command(command, *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    return out.getvalue(), err.getvalue(), code


@pytest.fixture
def oncall(world):
    """Two prescribers with email; the second is on call."""
    a = accounts.create_staff(clinic=world.a, username="dr_a", password="synthetic-staff-pw", role="prescriber",
                              email="dr.a@example.invalid", by="test")
    b = accounts.create_staff(clinic=world.a, username="dr_b", password="synthetic-staff-pw", role="prescriber",
                              email="dr.b@example.invalid", by="test")
    set_policy(world, world.a, measures_oncall_prescriber="dr_b", measures_escalate_after_min=15)
    return a, b


def test_an_unacknowledged_alert_escalates_once_to_the_oncall_prescriber(world, oncall, risk_alert):
    now = later(16)
    assert services.escalate_alerts(clinic=world.a, now=now) == (1, [])
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["dr.b@example.invalid"]
    assert "URGENT" in mail.outbox[0].subject and f"/measures/alerts/{risk_alert.pk}/acknowledge/" in mail.outbox[0].body
    assert risk_alert.patient.family_name not in mail.outbox[0].body  # minimum necessary
    risk_alert.refresh_from_db()
    assert risk_alert.escalated_at == now
    event = AuditEvent.objects.get(action="alert_escalate")
    assert event.detail["to"] == ["dr_b"]
    row = AlertDelivery.objects.get(alert=risk_alert, purpose=Purpose.ESCALATION)
    assert (row.channel, row.status, row.recipient) == (Channel.EMAIL, DeliveryStatus.SENT, "dr.b@example.invalid")
    assert services.escalate_alerts(clinic=world.a, now=now + timedelta(minutes=5)) == (0, [])
    assert len(mail.outbox) == 1 and AuditEvent.objects.filter(action="alert_escalate").count() == 1


def test_an_alert_younger_than_the_limit_waits(world, oncall, risk_alert):
    assert services.escalate_alerts(clinic=world.a, now=later(14)) == (0, [])
    assert not mail.outbox and not AlertDelivery.objects.filter(purpose=Purpose.ESCALATION).exists()


def test_a_reviewed_alert_never_escalates(world, oncall, risk_alert):
    services.review_alert(alert=risk_alert, decision="proceed", reason="Phoned the patient; safety plan reviewed.",
                          by=world.prescriber)
    assert services.escalate_alerts(clinic=world.a, now=datetime.now(UTC) + timedelta(hours=2)) == (0, [])
    assert not mail.outbox


def test_without_an_oncall_setting_every_prescriber_with_email_is_told(world, oncall, risk_alert):
    set_policy(world, world.a, measures_oncall_prescriber="")
    services.escalate_alerts(clinic=world.a, now=later(20))
    assert sorted(to for m in mail.outbox for to in m.to) == ["dr.a@example.invalid", "dr.b@example.invalid"]


def test_an_escalation_that_cannot_be_sent_is_claimed_reported_and_left_for_send_alerts(world, oncall, risk_alert, settings):
    settings.EMAIL_BACKEND = "alerts.tests.conftest.FailingEmailBackend"
    now = later(16)
    escalated, problems = services.escalate_alerts(clinic=world.a, now=now)
    assert escalated == 1 and "mail server down" in problems[0]
    assert services.escalate_alerts(clinic=world.a, now=now + timedelta(minutes=1)) == (0, [])  # not queued twice
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    run_ = outbox.send_pending(now=now + timedelta(minutes=10))
    assert run_.sent == 1 and mail.outbox[0].to == ["dr.b@example.invalid"]


def test_an_escalation_also_texts_the_oncall_phone_when_one_is_set(world, oncall, risk_alert, sms_outbox):
    set_policy(world, world.a, alerts_oncall_phone="+12015550123")
    services.escalate_alerts(clinic=world.a, now=later(16))
    assert [to for to, _ in sms_outbox] == ["+12015550123"]
    assert "Unacknowledged" in sms_outbox[0][1] and risk_alert.patient.family_name not in sms_outbox[0][1]


def test_the_command_is_idempotent_and_reports_alerts_it_cannot_escalate(world, risk_alert, monkeypatch):
    module = importlib.import_module("alerts.management.commands.escalate-alerts")
    when = later(60)

    class Later(datetime):
        @classmethod
        def now(cls, tz=None):  # noqa: ANN001, ANN206
            return when

    monkeypatch.setattr(module, "datetime", Later)
    _, err, code = run("escalate-alerts")  # the test prescribers have no email address
    assert code == 1 and "no prescriber with an email address" in err
    risk_alert.refresh_from_db()
    assert risk_alert.escalated_at is None
    accounts.create_staff(clinic=world.a, username="dr_c", password="synthetic-staff-pw", role=Role.PRESCRIBER,
                          email="dr.c@example.invalid", by="test")
    out, _, code = run("escalate-alerts")
    assert code == 0 and "clinic-a: 1 alert(s) escalated" in out
    out, _, code = run("escalate-alerts")
    assert code == 0 and "clinic-a: 0 alert(s) escalated" in out
    assert len(mail.outbox) == 1
