"""`ketacare send-reminders`: cron-safe, each due item handled once (escalations: alerts/tests/test_escalation.py)."""

from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import IntegrityError

from audit.models import AuditEvent
from measures import services
from measures.choices import LinkOrigin
from measures.models import PatientLink

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
