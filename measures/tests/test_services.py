"""record_assessment: kernel scoring, audit, rollback, and the suicide-risk alert in the same transaction."""

from datetime import UTC, datetime, timedelta

import pytest

from accounts.services import update_policy
from alerts.models import Alert
from audit.models import AuditEvent
from ketacare.testing import make_course
from measures import services
from measures.models import Assessment
from toolkit.errors import ServiceError

pytestmark = pytest.mark.django_db
PHQ9_ITEM9 = [1, 1, 1, 1, 0, 0, 0, 0, 1]


def record(patient, by, instrument="phq9", items=(0,) * 9, **extra):
    return services.record_assessment(patient=patient, instrument=instrument, items=list(items), by=by, **extra)


def test_recording_stores_the_kernel_score_and_an_audit_event(world, patient):
    a = record(patient, world.nurse, items=[2, 2, 2, 2, 2, 0, 0, 0, 0, 1])
    assert (a.total, a.complete, a.result["band"], a.items[-1]) == (10, True, "moderate", 1)
    assert a.course == patient.courses.get() and a.source == "staff" and a.entered_by == world.nurse
    event = AuditEvent.objects.get(action="assessment_record", object_id=str(a.pk))
    assert event.patient_id == patient.pk and event.detail["total"] == 10


def test_a_failed_audit_write_leaves_no_assessment(world, patient, monkeypatch):
    def fail(**kwargs):
        raise RuntimeError("audit store down")

    monkeypatch.setattr(services.audit, "record", fail)
    with pytest.raises(RuntimeError):
        record(patient, world.nurse, items=PHQ9_ITEM9)
    assert not Assessment.objects.exists()
    assert not Alert.objects.exists()


def test_phq9_item9_above_0_raises_a_critical_suicide_risk_alert(world, patient):
    a = record(patient, world.nurse, items=PHQ9_ITEM9)
    alert = Alert.objects.get()
    assert (alert.kind, alert.level, alert.rule, alert.value) == ("suicide_risk", "critical", "phq9_item9", "1")
    assert (alert.patient, alert.source_type, alert.source_id) == (patient, "measures.assessment", str(a.pk))
    assert alert.acknowledged_at is None
    assert AuditEvent.objects.filter(action="alert_raise", object_id=str(alert.pk)).exists()


def test_the_alert_and_the_answer_are_one_transaction(world, patient, monkeypatch):
    def fail(**kwargs):
        raise RuntimeError("alert table locked")

    monkeypatch.setattr(services.alerts, "raise_suicide_risk", fail)
    with pytest.raises(RuntimeError):
        record(patient, world.nurse, items=PHQ9_ITEM9)
    assert not Assessment.objects.exists()
    assert not AuditEvent.objects.filter(action="assessment_record").exists()


@pytest.mark.parametrize(("items", "alerts"), [
    ([1, 0, None, None, None, 0, None], 0),  # low: no alert
    ([0, 1, 1, 0, 0, 0, None], 1),  # moderate
    ([0, 0, None, None, None, 1, 1], 1),  # high: behaviour within 3 months
])
def test_cssrs_moderate_or_high_raises_an_alert(world, patient, items, alerts):
    record(patient, world.prescriber, instrument="cssrs", items=items)
    assert Alert.objects.filter(kind="suicide_risk", rule="cssrs_risk_level").count() == alerts


def test_phq9_item9_of_0_raises_nothing_even_with_a_high_total(world, patient):
    record(patient, world.nurse, items=[3, 3, 3, 3, 3, 3, 3, 3, 0])
    assert not Alert.objects.exists()


def test_an_incomplete_questionnaire_is_stored_without_a_total(world, patient):
    a = record(patient, world.therapist, instrument="pcl5", items=[2] * 19 + [None])
    assert (a.complete, a.total, a.result["total_mean"], a.result["missing"]) == (False, None, 2.0, ["pcl5-20"])
    assert a.items[-1] is None


@pytest.mark.parametrize(("instrument", "items", "message"), [
    ("phq9", [1] * 8, "expected 9 or 10 answers, got 8"),
    ("pcl5", [5] + [0] * 19, "must be between 0 and 4, got 5"),
    ("cssrs", [0, 0, 1, None, None, 0, None], "must be blank"),
    ("bdi", [1], "Unknown instrument 'bdi'"),
])
def test_invalid_answers_are_refused_with_the_kernel_message(world, patient, instrument, items, message):
    with pytest.raises(ServiceError, match=message):
        record(patient, world.nurse, instrument=instrument, items=items)
    assert not Assessment.objects.exists()
    assert not AuditEvent.objects.filter(action="assessment_record").exists()


def test_front_desk_cannot_record_scores(world, patient):
    with pytest.raises(ServiceError, match="role does not allow"):
        record(patient, world.front_desk)


def test_another_clinics_user_cannot_record(world, patient):
    with pytest.raises(ServiceError, match="role does not allow"):
        record(patient, world.b_users["nurse"])


def test_a_time_in_the_future_is_refused(world, patient):
    with pytest.raises(ServiceError, match="future"):
        record(patient, world.nurse, assessed_at=datetime.now(UTC) + timedelta(hours=1))


@pytest.mark.parametrize(("point", "occurrence", "instrument", "message"), [
    ("nowhere", 0, "phq9", "no assessment point 'nowhere'"),
    ("post_first_24h", 0, "phq9", "does not include phq9"),
    ("pre_infusion", 0, "phq9", "infusion number"),
    ("pre_infusion", 7, "phq9", "infusion number"),
    ("baseline", 2, "phq9", "not counted per infusion"),
    ("", 2, "phq9", "needs an assessment point"),
])
def test_points_the_course_does_not_have_are_refused(world, patient, point, occurrence, instrument, message):
    with pytest.raises(ServiceError, match=message):
        record(patient, world.nurse, instrument=instrument, point_key=point, occurrence=occurrence)


def test_a_point_of_the_course_is_recorded_with_its_infusion_number(world, patient):
    a = record(patient, world.nurse, point_key="pre_infusion", occurrence=3)
    assert (a.point_key, a.occurrence) == ("pre_infusion", 3)


def test_a_course_of_another_patient_is_refused(world, patient):
    other = make_course(world, mrn="T-0002")
    with pytest.raises(ServiceError, match="another patient"):
        record(patient, world.nurse, course=other)


def test_the_clinic_cutpoint_drives_the_provisional_diagnosis(world, patient):
    assert update_policy(clinic=patient.clinic, values={"measures_pcl5_cutpoint": 31}, by=world.clinic_admin) == {}
    a = record(patient, world.nurse, instrument="pcl5", items=[2] * 15 + [1, 0, 0, 0, 0])
    assert a.total == 31 and a.result["provisional_diagnosis"]["cutpoint"] is True
