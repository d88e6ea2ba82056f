"""Vital signs, the alerts they raise (with rule and threshold), and overdue readings."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction

from accounts.choices import Role
from alerts.choices import AlertKind
from alerts.models import Alert
from alerts.queries import open_alerts
from audit.models import AuditEvent
from clinical.vitals import Reading
from infusions import services
from infusions.choices import ReadingSource
from infusions.models import VitalSign
from infusions.services.vitals import TimedValues, store_readings
from toolkit.errors import ServiceError

from .helpers import booked, checked_in, infusing, recovering, t0

pytestmark = pytest.mark.django_db


def test_a_typed_reading_keeps_who_typed_it(world):
    session = infusing(world)
    vital, raised = services.record_vitals(session=session, values={"systolic_mmhg": "130", "spo2_pct": "97.5"},
                                           by=world.users[Role.NURSE])
    assert vital.source == ReadingSource.TYPED and vital.entered_by == world.users[Role.NURSE]
    assert str(vital.spo2_pct) == "97.5" and raised == []
    assert AuditEvent.objects.filter(action="vitals_record", object_id=str(vital.pk)).exists()


@pytest.mark.parametrize(("values", "field"), [
    ({"systolic_mmhg": "abc"}, "systolic_mmhg"),
    ({"systolic_mmhg": "400"}, "systolic_mmhg"),
    ({"spo2_pct": "101"}, "spo2_pct"),
    ({"heart_rate_bpm": "72.555"}, "heart_rate_bpm"),
    ({"spo2_pct": "97.255"}, "spo2_pct"),
    ({"systolic_mmhg": "-5"}, "systolic_mmhg"),
    ({"spo2_pct": "NaN"}, "spo2_pct"),
])
def test_impossible_or_malformed_values_are_refused_and_nothing_is_written(world, values, field):
    session = infusing(world)
    before = VitalSign.objects.count()
    with pytest.raises(ServiceError) as err:
        services.record_vitals(session=session, values=values, by=world.users[Role.NURSE])
    assert field in err.value.field_errors
    assert VitalSign.objects.count() == before


def test_an_empty_reading_is_refused(world):
    with pytest.raises(ServiceError, match="at least one value"):
        services.record_vitals(session=infusing(world), values={"systolic_mmhg": ""}, by=world.users[Role.NURSE])


def test_diastolic_above_systolic_is_refused(world):
    with pytest.raises(ServiceError, match="below systolic"):
        services.record_vitals(session=infusing(world), values={"systolic_mmhg": 90, "diastolic_mmhg": 95},
                               by=world.users[Role.NURSE])


def test_vitals_are_refused_before_check_in(world):
    with pytest.raises(ServiceError, match="from check-in until discharge"):
        services.record_vitals(session=booked(world), values={"systolic_mmhg": 120}, by=world.users[Role.NURSE])


@pytest.mark.parametrize(("values", "rule", "level", "threshold"), [
    ({"systolic_mmhg": 180, "diastolic_mmhg": 90}, "sbp_pause", "pause", "180"),
    ({"systolic_mmhg": 150, "diastolic_mmhg": 110}, "dbp_pause", "pause", "110"),
    ({"spo2_pct": "89.9"}, "spo2_stop", "stop", "90"),
    ({"spo2_pct": "91"}, "spo2_warn", "warn", "92"),
    ({"heart_rate_bpm": 121}, "hr_warn", "warn", "120"),
    ({"resp_rate_per_min": 9}, "rr_warn", "warn", "10"),
])
def test_a_reading_past_a_threshold_raises_an_alert_with_its_rule_and_threshold(world, values, rule, level, threshold):
    session = infusing(world)
    vital, raised = services.record_vitals(session=session, values=values, by=world.users[Role.NURSE])
    (alert,) = raised
    assert (alert.rule, alert.level, alert.threshold, alert.kind) == (rule, level, threshold, AlertKind.VITAL)
    assert alert.source_id == str(vital.pk) and alert.session == session and alert.is_open


@pytest.mark.parametrize("values", [{"systolic_mmhg": 179}, {"spo2_pct": "92"}, {"heart_rate_bpm": 120},
                                    {"resp_rate_per_min": 10}])
def test_a_reading_at_the_safe_side_of_a_threshold_raises_nothing(world, values):
    _, raised = services.record_vitals(session=infusing(world), values=values, by=world.users[Role.NURSE])
    assert raised == []


def test_the_protocols_own_thresholds_are_used(world):
    from courses.services import save_protocol

    session = infusing(world)
    protocol = session.course.protocol
    save_protocol(clinic=world.a, protocol=protocol, values={"thresholds": dict(protocol.thresholds, hr_warn_above=100)},
                  by=world.users[Role.CLINIC_ADMIN])
    # The course keeps the copy made when it was ordered.
    _, raised = services.record_vitals(session=session, values={"heart_rate_bpm": 110}, by=world.users[Role.NURSE])
    assert raised == []
    snapshot = dict(session.course.protocol_snapshot, thresholds=dict(protocol.thresholds, hr_warn_above=100))
    type(session.course).objects.filter(pk=session.course_id).update(protocol_snapshot=snapshot)
    session.refresh_from_db()
    _, raised = services.record_vitals(session=session, values={"heart_rate_bpm": 110}, by=world.users[Role.NURSE])
    assert [a.threshold for a in raised] == ["100"]


def test_a_rule_already_open_is_not_raised_again(world):
    session = infusing(world)
    services.record_vitals(session=session, values={"heart_rate_bpm": 130}, by=world.users[Role.NURSE])
    _, again = services.record_vitals(session=session, values={"heart_rate_bpm": 135}, by=world.users[Role.NURSE])
    assert again == [] and Alert.objects.filter(session=session, rule="hr_warn").count() == 1


def test_a_late_reading_is_judged_in_the_phase_it_was_measured_in(world):
    start = t0()
    session = recovering(world, start)
    during = start + timedelta(minutes=30)  # the infusion ran from +10 to +50 min
    _, raised = services.record_vitals(session=session, values={"systolic_mmhg": 185}, measured_at=during,
                                       by=world.users[Role.NURSE])
    assert [(a.rule, a.level) for a in raised] == [("sbp_pause", "pause")]


def test_a_failed_audit_write_rolls_back_the_reading_and_its_alert(world, monkeypatch):
    session = infusing(world)
    before = (VitalSign.objects.count(), Alert.objects.count())
    monkeypatch.setattr("infusions.services.vitals.audit.record", lambda **kw: (_ for _ in ()).throw(RuntimeError("x")))
    with pytest.raises(RuntimeError):
        services.record_vitals(session=session, values={"heart_rate_bpm": 150}, by=world.users[Role.NURSE])
    assert (VitalSign.objects.count(), Alert.objects.count()) == before


def test_a_batch_is_stored_at_once_with_one_audit_event(world):
    start = t0()
    session = infusing(world, start)
    rows = [(start + timedelta(minutes=10 + 5 * i), {"systolic_mmhg": 120 + i, "diastolic_mmhg": 80}) for i in range(6)]
    created, raised = services.record_vitals_batch(session=session, readings=rows, by=world.users[Role.NURSE])
    assert len(created) == 6 and raised == []
    assert AuditEvent.objects.filter(action="vitals_record_batch").count() == 1


def test_a_batch_with_one_bad_reading_stores_nothing(world):
    start = t0()
    session = infusing(world, start)
    rows = [(start, {"systolic_mmhg": 120}), (start, {"systolic_mmhg": 999})]
    before = VitalSign.objects.count()
    with pytest.raises(ServiceError):
        services.record_vitals_batch(session=session, readings=rows, by=world.users[Role.NURSE])
    assert VitalSign.objects.count() == before


def test_an_overdue_reading_raises_one_alert_however_often_the_tick_runs(world):
    start = t0()
    session = infusing(world, start)  # started at +10 min; BP every 10 min while infusing
    tick = start + timedelta(minutes=21)
    (alert,) = services.raise_overdue_alerts(clinic=world.a, at=tick)
    assert (alert.kind, alert.rule, alert.threshold, alert.value) == (AlertKind.OVERDUE, "bp_overdue", "10", "11.0")
    assert services.raise_overdue_alerts(clinic=world.a, at=tick + timedelta(minutes=5)) == []
    assert Alert.objects.filter(session=session, kind=AlertKind.OVERDUE).count() == 1


def test_a_reading_on_time_raises_no_overdue_alert(world):
    start = t0()
    infusing(world, start)
    assert services.raise_overdue_alerts(clinic=world.a, at=start + timedelta(minutes=20)) == []


def test_a_blood_pressure_reading_closes_the_overdue_alert(world):
    start = t0()
    session = infusing(world, start)
    services.raise_overdue_alerts(clinic=world.a, at=start + timedelta(minutes=25))
    services.record_vitals(session=session, values={"systolic_mmhg": 125}, measured_at=start + timedelta(minutes=26),
                           by=world.users[Role.NURSE])
    assert not open_alerts(world.a).filter(kind=AlertKind.OVERDUE).exists()
    assert AuditEvent.objects.filter(action="alert_close").exists()


def test_recovery_uses_the_recovery_interval(world):
    start = t0()
    recovering(world, start)  # infusion ended at +50 min; BP every 15 min after
    assert services.raise_overdue_alerts(clinic=world.a, at=start + timedelta(minutes=65)) == []
    (alert,) = services.raise_overdue_alerts(clinic=world.a, at=start + timedelta(minutes=66))
    assert alert.threshold == "15"


def test_sessions_not_yet_started_have_no_schedule(world):
    checked_in(world)
    assert services.raise_overdue_alerts(clinic=world.a) == []


def test_a_typed_reading_dated_before_check_in_is_refused(world):
    session = infusing(world)
    before = VitalSign.objects.count()
    with pytest.raises(ServiceError, match="before the patient checked in"):
        services.record_vitals(session=session, by=world.users[Role.NURSE], measured_at=session.checked_in_at - timedelta(hours=2),
                               values={"systolic_mmhg": "120", "diastolic_mmhg": "80"})
    assert VitalSign.objects.count() == before


@pytest.mark.parametrize(("values", "rule", "value", "charted"), [
    ({"spo2_pct": "89.95"}, "spo2_stop", "89.95", ("spo2_pct", "90.0")),
    ({"resp_rate_per_min": "9.5"}, "rr_warn", "9.5", ("resp_rate_per_min", "10")),
    ({"heart_rate_bpm": "120.4"}, "hr_warn", "120.4", ("heart_rate_bpm", "120")),
])
def test_a_value_is_judged_as_measured_and_charted_rounded(world, values, rule, value, charted):
    vital, raised = services.record_vitals(session=infusing(world), values=values, by=world.users[Role.NURSE])
    (alert,) = raised
    assert (alert.rule, alert.value) == (rule, value)
    vital.refresh_from_db()
    assert str(getattr(vital, charted[0])) == charted[1]


def test_one_reading_past_several_levels_raises_one_alert_naming_every_breach(world):
    session = infusing(world)
    _, raised = services.record_vitals(session=session, values={"systolic_mmhg": 190, "diastolic_mmhg": 115,
                                                                "spo2_pct": 85}, by=world.users[Role.NURSE])
    assert [(a.rule, a.level) for a in raised] == [("sbp_pause", "pause"), ("spo2_stop", "stop")]
    bp, spo2 = raised
    assert "Diastolic BP 115" in bp.message and "below 92 %" in spo2.message
    assert Alert.objects.filter(session=session).count() == 2
    assert bp.rule_label == "Systolic BP at the pause level"


def test_monitor_values_are_judged_as_measured(world):
    session = infusing(world)
    row = TimedValues(session.started_at + timedelta(minutes=1), Reading(spo2_pct=Decimal("89.95")))
    with transaction.atomic():
        created, raised = store_readings(session, [row], source=ReadingSource.DEVICE, by="hl7:test")
    assert [a.rule for a in raised] == ["spo2_stop"] and str(created[0].spo2_pct) == "90.0"
