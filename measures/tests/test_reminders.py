"""`ketacare send-reminders` and `ketacare escalate-alerts`: cron-safe, each item or alert handled once."""

import importlib
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import IntegrityError

from accounts import services as accounts
from alerts.models import Alert
from alerts.services import acknowledge_alert
from audit.models import AuditEvent
from measures import services
from measures.choices import LinkOrigin
from measures.models import PatientLink

from .conftest import set_policy

pytestmark = pytest.mark.django_db


def run(command: str, *args: str) -> tuple[str, str, int]:
    out, err = StringIO(), StringIO()
    try:
        call_command(command, *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    return out.getvalue(), err.getvalue(), code


def test_reminders_send_each_due_item_once_however_often_cron_runs(world, patient, sessions, sms_outbox):
    out, _, code = run("send-reminders")
    # The baseline opened 72 h before the first infusion: PCL-5, PHQ-9, GAD-7 and C-SSRS are due.
    assert code == 0 and "clinic-a: 4 sent, 0 already sent" in out
    assert len(mail.outbox) == 4 and len(sms_outbox) == 4
    links = PatientLink.objects.filter(origin=LinkOrigin.REMINDER)
    assert sorted(links.values_list("instrument", flat=True)) == ["cssrs", "gad7", "pcl5", "phq9"]
    assert all(link.point_key == "baseline" and link.sent_at for link in links)
    out, _, _ = run("send-reminders")
    out_3, _, _ = run("send-reminders")
    assert "0 sent, 4 already sent" in out and "0 sent, 4 already sent" in out_3
    assert len(mail.outbox) == 4 and len(sms_outbox) == 4
    assert AuditEvent.objects.filter(action="link_send").count() == 4


def test_an_item_already_answered_gets_no_reminder(world, patient, sessions, sms_outbox):
    services.record_assessment(patient=patient, instrument="pcl5", items=[1] * 20, by=world.nurse)
    out, _, _ = run("send-reminders")
    assert "3 sent" in out
    assert not PatientLink.objects.filter(instrument="pcl5").exists()


def test_patients_without_email_or_phone_are_counted_not_sent(world, sessions, sms_outbox, course):
    from patients import services as patients

    patients.update_patient(patient=course.patient, values={"email": "", "phone": ""}, by=world.front_desk)
    out, _, _ = run("send-reminders")
    assert "0 sent, 0 already sent, 4 without email or phone" in out
    assert not mail.outbox and not PatientLink.objects.exists()


def test_the_database_refuses_a_second_reminder_for_the_same_item(world, patient, sessions):
    key = {"patient": patient, "instrument": "phq9", "point_key": "baseline", "origin": LinkOrigin.REMINDER,
           "by": "reminders"}
    services.issue_link(**key)
    with pytest.raises(IntegrityError):
        services.issue_link(**key)


# --- escalation -----------------------------------------------------------------


@pytest.fixture
def oncall(world):
    """Two prescribers with email; the second is on call."""
    a = accounts.create_staff(clinic=world.a, username="dr_a", password="x" * 12, role="prescriber",
                              email="dr.a@example.invalid", by="test")
    b = accounts.create_staff(clinic=world.a, username="dr_b", password="x" * 12, role="prescriber",
                              email="dr.b@example.invalid", by="test")
    set_policy(world, world.a, measures_oncall_prescriber="dr_b", measures_escalate_after_min=15)
    return a, b


@pytest.fixture
def risk_alert(world, patient):
    services.record_assessment(patient=patient, instrument="phq9", items=[0] * 8 + [1], by=world.nurse)
    return Alert.objects.get(kind="suicide_risk")


def test_an_unacknowledged_alert_escalates_once_to_the_oncall_prescriber(world, oncall, risk_alert):
    now = datetime.now(UTC) + timedelta(minutes=16)
    assert services.escalate_alerts(clinic=world.a, now=now) == (1, [])
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["dr.b@example.invalid"]
    assert "URGENT" in mail.outbox[0].subject and f"/measures/alerts/{risk_alert.pk}/acknowledge/" in mail.outbox[0].body
    assert risk_alert.patient.family_name not in mail.outbox[0].body  # minimum necessary
    risk_alert.refresh_from_db()
    assert risk_alert.escalated_at == now
    event = AuditEvent.objects.get(action="alert_escalate")
    assert event.detail["to"] == ["dr_b"]
    assert services.escalate_alerts(clinic=world.a, now=now + timedelta(minutes=5)) == (0, [])
    assert len(mail.outbox) == 1


def test_an_alert_younger_than_the_limit_waits(world, oncall, risk_alert):
    assert services.escalate_alerts(clinic=world.a, now=datetime.now(UTC) + timedelta(minutes=14)) == (0, [])
    assert not mail.outbox


def test_an_acknowledged_alert_never_escalates(world, oncall, risk_alert):
    acknowledge_alert(alert=risk_alert, action_note="Phoned the patient; safety plan reviewed.", by=world.prescriber)
    assert services.escalate_alerts(clinic=world.a, now=datetime.now(UTC) + timedelta(hours=2)) == (0, [])


def test_without_an_oncall_setting_every_prescriber_with_email_is_told(world, oncall, risk_alert):
    set_policy(world, world.a, measures_oncall_prescriber="")
    services.escalate_alerts(clinic=world.a, now=datetime.now(UTC) + timedelta(minutes=20))
    assert sorted(mail.outbox[0].to) == ["dr.a@example.invalid", "dr.b@example.invalid"]


def test_the_command_is_idempotent_and_reports_alerts_it_cannot_escalate(world, risk_alert, monkeypatch):
    module = importlib.import_module("measures.management.commands.escalate-alerts")
    later = datetime.now(UTC) + timedelta(hours=1)

    class Later(datetime):
        @classmethod
        def now(cls, tz=None):  # noqa: ANN001, ANN206
            return later

    monkeypatch.setattr(module, "datetime", Later)
    _, err, code = run("escalate-alerts")  # the test prescribers have no email address
    assert code == 1 and "no prescriber with an email address" in err
    risk_alert.refresh_from_db()
    assert risk_alert.escalated_at is None
    accounts.create_staff(clinic=world.a, username="dr_c", password="x" * 12, role="prescriber",
                          email="dr.c@example.invalid", by="test")
    out, _, code = run("escalate-alerts")
    assert code == 0 and "clinic-a: 1 alert(s) escalated" in out
    out, _, code = run("escalate-alerts")
    assert code == 0 and "clinic-a: 0 alert(s) escalated" in out
    assert len(mail.outbox) == 1
