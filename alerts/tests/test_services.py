"""The rules alerts own: an alert records what fired it, acknowledging needs the action and is audited,
and an alert and its outbox rows are written in one transaction with its audit event or not at all."""

from decimal import Decimal

import pytest
from django.db import transaction

from accounts.choices import Role
from alerts import services
from alerts.choices import AlertKind, AlertLevel, Channel, DeliveryStatus
from alerts.models import Alert, AlertDelivery
from audit.models import AuditEvent
from clinical.vitals import AlertLevel as KernelLevel
from clinical.vitals import Phase, Reading, Thresholds, evaluate_reading
from toolkit.errors import ServiceError

from .conftest import set_policy

pytestmark = pytest.mark.django_db


def _fail(**kwargs):
    raise RuntimeError("audit store down")


def test_every_kernel_level_is_an_alert_level_and_critical_outranks_them():
    assert {level.value for level in KernelLevel} < set(AlertLevel.values)
    assert AlertLevel.CRITICAL == "critical" and AlertLevel.WARN.label == "Warning"


@pytest.mark.parametrize(("values", "rule", "level", "value", "threshold"), [
    ({"heart_rate_bpm": 130}, "hr_warn", "warn", "130", "120"),
    ({"spo2_pct": "88"}, "spo2_stop", "stop", "88", "90"),
])
def test_a_vital_alert_records_the_rule_value_and_threshold_that_fired(world, values, rule, level, value, threshold):
    from infusions import services as infusions
    from infusions.tests.helpers import infusing

    session = infusing(world)
    _, raised = infusions.record_vitals(session=session, values=values, by=world.users[Role.NURSE])
    alert = next(a for a in raised if a.rule == rule)
    assert (alert.kind, alert.level, alert.value, alert.threshold) == (AlertKind.VITAL, level, value, threshold)
    event = AuditEvent.objects.get(action="alert_raise", object_id=str(alert.pk))
    assert (event.detail["rule"], event.detail["threshold"], event.patient_id) == (rule, threshold, session.patient_id)


def test_the_threshold_recorded_is_the_one_the_kernel_used(world):
    from infusions.tests.helpers import infusing

    session = infusing(world)
    custom = Thresholds(hr_warn_above_bpm=100)
    (finding,) = evaluate_reading(Reading(heart_rate_bpm=105), custom, Phase.INFUSING)
    with transaction.atomic():
        alert = services.raise_vital_alert(session=session, finding=finding, source=None, at=session.started_at,
                                           by=world.users[Role.NURSE])
    assert (alert.threshold, alert.value, alert.level) == ("100", "105", "warn")


@pytest.mark.django_db(transaction=True)
def test_an_alert_is_raised_only_inside_the_transaction_of_what_fired_it(world, patient):
    with pytest.raises(RuntimeError, match="inside the transaction"):
        services.raise_alert(clinic=world.a, patient=patient, kind=AlertKind.REVIEW, level=AlertLevel.WARN,
                             rule="review", message="Review", by=world.users[Role.NURSE])
    assert not Alert.objects.exists()


def test_every_alert_is_put_on_screen_with_its_outbox_row(world, vital_alert):
    (row,) = AlertDelivery.objects.filter(alert=vital_alert)
    assert (row.channel, row.status, row.clinic_id) == (Channel.SCREEN, DeliveryStatus.SENT, world.a.pk)


def test_a_failed_audit_write_leaves_no_alert_and_no_outbox_row(world, patient, monkeypatch):
    set_policy(world, world.a, alerts_oncall_phone="+12015550123")
    monkeypatch.setattr("alerts.services.audit.record", _fail)
    with pytest.raises(RuntimeError, match="audit store down"), transaction.atomic():
        services.raise_alert(clinic=world.a, patient=patient, kind=AlertKind.REVIEW, level=AlertLevel.WARN,
                             rule="review", message="Review", by=world.users[Role.NURSE])
    assert not Alert.objects.exists() and not AlertDelivery.objects.exists()


def test_a_failed_audit_write_rolls_back_the_answer_its_alert_and_the_text_to_the_oncall_phone(world, patient, monkeypatch,
                                                                                               sms_outbox):
    from measures import services as measures
    from measures.models import Assessment

    set_policy(world, world.a, alerts_oncall_phone="+12015550123")
    monkeypatch.setattr("alerts.services.audit.record", _fail)
    with pytest.raises(RuntimeError, match="audit store down"):
        measures.record_assessment(patient=patient, instrument="phq9", items=[0] * 8 + [2], by=world.users[Role.NURSE])
    assert not Assessment.objects.exists() and not Alert.objects.exists() and not AlertDelivery.objects.exists()
    assert sms_outbox == []


def test_a_suicide_risk_alert_texts_the_oncall_phone_without_clinical_detail(world, patient, sms_outbox,
                                                                             django_capture_on_commit_callbacks):
    from measures import services as measures

    set_policy(world, world.a, alerts_oncall_phone="+12015550123")
    with django_capture_on_commit_callbacks(execute=True):
        measures.record_assessment(patient=patient, instrument="phq9", items=[0] * 8 + [1], by=world.users[Role.NURSE])
    alert = Alert.objects.get(kind=AlertKind.SUICIDE_RISK)
    sms = AlertDelivery.objects.get(alert=alert, channel=Channel.SMS)
    assert (sms.status, sms.attempts, sms.recipient) == (DeliveryStatus.SENT, 1, "+12015550123")
    ((to, body),) = sms_outbox
    assert to == "+12015550123" and f"/measures/alerts/{alert.pk}/acknowledge/" in body
    assert patient.family_name not in body and "PHQ" not in body


# --- acknowledging ---------------------------------------------------------------------------------

def test_acknowledging_needs_the_action_taken_and_writes_nothing_without_it(world, vital_alert):
    nurse = world.users[Role.NURSE]
    for note in ("", "   "):
        with pytest.raises(ServiceError, match="action you took") as err:
            services.acknowledge_alert(alert=vital_alert, action_note=note, by=nurse)
        assert "action_note" in err.value.field_errors
    with pytest.raises(ServiceError, match="too long"):
        services.acknowledge_alert(alert=vital_alert, action_note="x" * 4001, by=nurse)
    vital_alert.refresh_from_db()
    assert vital_alert.is_open and not AuditEvent.objects.filter(action="alert_acknowledge").exists()


def test_acknowledging_records_who_what_and_when_with_an_audit_event(world, vital_alert):
    nurse = world.users[Role.NURSE]
    done = services.acknowledge_alert(alert=vital_alert, action_note="  Reassured; HR 98 on recheck ", by=nurse)
    assert (done.acknowledged_by, done.action_note, done.is_open) == (nurse, "Reassured; HR 98 on recheck", False)
    event = AuditEvent.objects.get(action="alert_acknowledge")
    assert (event.actor, event.object_type, event.object_id) == (nurse, "alerts.alert", str(vital_alert.pk))
    assert event.patient_id == vital_alert.patient_id


def test_an_alert_is_acknowledged_once(world, vital_alert):
    services.acknowledge_alert(alert=vital_alert, action_note="Rechecked", by=world.users[Role.NURSE])
    with pytest.raises(ServiceError, match="already acknowledged"):
        services.acknowledge_alert(alert=vital_alert, action_note="Again", by=world.users[Role.PRESCRIBER])
    assert Alert.objects.get(pk=vital_alert.pk).acknowledged_by == world.users[Role.NURSE]
    assert AuditEvent.objects.filter(action="alert_acknowledge").count() == 1


@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.INVENTORY_OFFICER, Role.CLINIC_ADMIN, Role.RESEARCHER])
def test_roles_away_from_care_cannot_acknowledge(world, vital_alert, role):
    with pytest.raises(ServiceError, match="acknowledge alerts"):
        services.acknowledge_alert(alert=vital_alert, action_note="Seen", by=world.users[role])
    assert Alert.objects.get(pk=vital_alert.pk).is_open


def test_another_clinics_nurse_cannot_acknowledge(world, vital_alert):
    with pytest.raises(ServiceError, match="acknowledge alerts"):
        services.acknowledge_alert(alert=vital_alert, action_note="Seen", by=world.b_users[Role.NURSE])


# --- serious adverse events -------------------------------------------------------------------------

AE = {"description": "Laryngospasm", "severity": "severe", "relatedness": "probable", "action_taken": "stopped",
      "outcome": "resolved", "serious": True}


def test_a_serious_adverse_event_queues_the_prescribers_email_in_its_transaction(world, monkeypatch):
    from accounts.models import User
    from infusions import services as infusions
    from infusions.models import AdverseEvent
    from infusions.tests.helpers import infusing

    User.objects.filter(pk=world.users[Role.PRESCRIBER].pk).update(email="prescriber@example.invalid")
    session = infusing(world)
    monkeypatch.setattr("alerts.services.audit.record", _fail)
    with pytest.raises(RuntimeError):
        infusions.record_adverse_event(session=session, values=AE, by=world.users[Role.NURSE])
    assert not AdverseEvent.objects.exists() and not AlertDelivery.objects.exists()
    monkeypatch.undo()
    event = infusions.record_adverse_event(session=session, values=AE, by=world.users[Role.NURSE])
    alert = Alert.objects.get(kind=AlertKind.ADVERSE_EVENT)
    assert (alert.level, alert.source_type, alert.source_id) == (AlertLevel.CRITICAL, "infusions.adverseevent", str(event.pk))
    email = AlertDelivery.objects.get(alert=alert, channel=Channel.EMAIL)
    assert (email.recipient, email.status) == ("prescriber@example.invalid", DeliveryStatus.PENDING)
    assert session.patient.family_name not in email.body and f"/infusions/sessions/{session.pk}/" in email.body


# --- ledger discrepancies ---------------------------------------------------------------------------

def _officer_with_email(world):
    from accounts.models import User

    User.objects.filter(pk=world.users[Role.INVENTORY_OFFICER].pk).update(email="officer@example.invalid")


def test_a_count_that_differs_from_the_ledger_raises_a_clinic_alert_and_emails_the_officer(world):
    from inventory import services as inventory
    from inventory.models import Discrepancy
    from inventory.tests.conftest import build_stock

    stock = build_stock(world)
    _officer_with_email(world)
    inventory.record_count(line=inventory.CountLine(stock.lot, stock.safe, sealed_containers=4), by=world.users[Role.NURSE])
    found = Discrepancy.objects.get()
    alert = Alert.objects.get(kind=AlertKind.LEDGER_DISCREPANCY)
    assert alert.patient_id is None and alert.clinic == world.a and alert.is_open
    assert (alert.source_type, alert.source_id) == ("inventory.discrepancy", str(found.pk))
    assert found.difference_ml == Decimal("-10.00") and alert.value == "-10.00 mL"
    assert alert.threshold == "50.00 mL expected" and "lot L1" in alert.message
    email = AlertDelivery.objects.get(alert=alert, channel=Channel.EMAIL)
    assert email.recipient == "officer@example.invalid" and "L1" not in email.body


def test_a_count_that_agrees_raises_nothing(world):
    from inventory import services as inventory
    from inventory.tests.conftest import build_stock

    stock = build_stock(world)
    inventory.record_count(line=inventory.CountLine(stock.lot, stock.safe, sealed_containers=5), by=world.users[Role.NURSE])
    assert not Alert.objects.exists()


def test_a_failed_alert_audit_leaves_no_discrepancy_and_no_alert(world, monkeypatch):
    from inventory import services as inventory
    from inventory.models import Count, Discrepancy
    from inventory.tests.conftest import build_stock

    stock = build_stock(world)
    monkeypatch.setattr("alerts.services.audit.record", _fail)
    with pytest.raises(RuntimeError):
        inventory.record_count(line=inventory.CountLine(stock.lot, stock.safe, sealed_containers=4), by=world.users[Role.NURSE])
    assert not Count.objects.exists() and not Discrepancy.objects.exists()
    assert not Alert.objects.exists() and not AlertDelivery.objects.exists()


def test_resolving_the_discrepancy_closes_its_alert(world):
    from inventory import services as inventory
    from inventory.models import Discrepancy
    from inventory.tests.conftest import build_stock

    stock = build_stock(world)
    inventory.record_count(line=inventory.CountLine(stock.lot, stock.safe, sealed_containers=4), by=world.users[Role.NURSE])
    inventory.resolve_discrepancy(discrepancy=Discrepancy.objects.get(), explanation="One vial was in the cart.",
                                  by=stock.officer)
    alert = Alert.objects.get(kind=AlertKind.LEDGER_DISCREPANCY)
    assert not alert.is_open and "One vial was in the cart." in alert.action_note
    assert AuditEvent.objects.filter(action="alert_close", object_id=str(alert.pk)).exists()
