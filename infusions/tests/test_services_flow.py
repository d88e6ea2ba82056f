"""Check-in, dose, and the chairside transitions through the services."""

from datetime import timedelta
from decimal import Decimal

import pytest

from accounts.choices import Role
from alerts.models import Alert
from audit.models import AuditEvent
from infusions import services
from infusions.choices import SessionState
from infusions.models import InfusionSession, SessionEvent, VitalSign
from ketacare.testing import PASSWORD
from toolkit.errors import ServiceError

from .helpers import (
    BASELINE,
    booked,
    check_in,
    checked_in,
    checkin_values,
    drawn,
    infusing,
    second_nurse,
    t0,
    verified,
    verify,
)

pytestmark = pytest.mark.django_db


def test_check_in_plans_the_dose_with_the_kernel_and_stores_the_baseline(world):
    session = checked_in(world)
    assert session.state == SessionState.CHECKED_IN
    assert session.checkin_weight_kg == Decimal("70.0")
    assert session.total_mg == Decimal("35.0") and session.rate_ml_per_h == Decimal("150.0")
    assert "0.50 mg/kg x 70.0 kg = 35.0 mg" in session.dose["steps"]
    assert session.vitals.get().systolic_mmhg == 128
    assert session.checked_in_by == world.users[Role.NURSE]
    assert AuditEvent.objects.filter(action="session_check_in", object_id=str(session.pk)).exists()


@pytest.mark.parametrize(("field", "value"), [
    ("identity_confirmed", False), ("consent_current", False), ("escort_phone", ""), ("weight_kg", "0"),
    ("weight_kg", "abc"), ("weight_kg", "70.25"), ("weight_kg", "351"), ("pregnancy_test", "not_done"),
    ("pregnancy_test", "positive"),
])
def test_check_in_refuses_an_incomplete_checklist_and_writes_nothing(world, field, value):
    session = booked(world)
    with pytest.raises(ServiceError) as err:
        check_in(world, session, **{field: value})
    assert {"escort_phone": "escort"}.get(field, field) in err.value.field_errors
    session.refresh_from_db()
    assert session.state == SessionState.SCHEDULED and not VitalSign.objects.exists()


def test_check_in_needs_the_baseline_vitals(world):
    session = booked(world)
    baseline = dict(BASELINE, spo2_pct="")
    with pytest.raises(ServiceError) as err:
        check_in(world, session, baseline=baseline)
    assert "spo2_pct" in err.value.field_errors


def test_a_male_patient_needs_no_pregnancy_test_by_default(world):
    from ketacare.testing import make_course

    course = make_course(world, sex="male", mrn="M-1")
    session = booked(world, course=course)
    assert check_in(world, session, pregnancy_test="not_applicable").state == SessionState.CHECKED_IN


def test_due_assessments_must_be_done_or_waived_with_a_reason(world, monkeypatch):
    import types

    from measures import queries as measures

    due = [types.SimpleNamespace(key="pre_infusion", label="PHQ-9")]
    monkeypatch.setattr(measures, "due_before_session", lambda session, now=None: due)
    session = booked(world)
    with pytest.raises(ServiceError) as err:
        services.check_in(session=session, by=world.users[Role.NURSE], **checkin_values())
    assert "waive_pre_infusion" in err.value.field_errors
    done = services.check_in(session=session, by=world.users[Role.NURSE],
                             **checkin_values(waivers={"pre_infusion": "Patient too distressed to answer today"}))
    assert done.checklist["assessments_waived"] == {"pre_infusion": "Patient too distressed to answer today"}


def test_check_in_is_refused_twice(world):
    session = checked_in(world)
    with pytest.raises(ServiceError, match="already checked in"):
        check_in(world, session)


def test_a_second_clinician_verifies_the_dose(world):
    session = verified(world)
    assert session.state == SessionState.DOSE_VERIFIED
    assert session.dose_verified_by == second_nurse(world)


def test_the_clinician_who_computed_the_dose_cannot_verify_it(world):
    session = checked_in(world)
    with pytest.raises(ServiceError, match="different clinician"):
        verify(world, session, "35.0", "150.0", verifier=world.users[Role.NURSE])


def _unverified(session):
    session.refresh_from_db()
    return session.state == SessionState.CHECKED_IN and session.dose_verified_by is None and not session.events.filter(
        action="verify_dose").exists() and not AuditEvent.objects.filter(action="session_verify_dose").exists()


def test_the_second_clinician_proves_who_they_are_with_their_own_password(world):
    session = checked_in(world)
    checker = second_nurse(world)
    with pytest.raises(ServiceError, match="wrong password") as refused:
        verify(world, session, verifier_password="not-my-password")
    assert refused.value.field_errors == {"verifier_password": "Wrong password."}
    assert _unverified(session)
    checker.refresh_from_db()
    assert checker.failed_logins == 1  # counts towards their lockout, like a waste witness's
    session = verify(world, session)  # signed in as the first nurse; the second types their password at her screen
    assert session.dose_verified_by == checker
    event = session.events.get(action="verify_dose")
    assert event.by == checker
    audit = AuditEvent.objects.get(action="session_verify_dose")
    assert audit.detail["verifier"] == checker.username and audit.detail["entered_by"] == world.users[Role.NURSE].username


@pytest.mark.parametrize(("who", "message", "field"), [
    ("nobody_here", "No active staff member", "verifier"),
    ("b_nurse", "No active staff member", "verifier"),  # a nurse of clinic B
    ("a_therapist", "not authorised to verify doses", "verifier"),
    ("", "username is required", "verifier"),
])
def test_a_verifier_who_is_not_a_clinician_of_this_clinic_is_refused(world, who, message, field):
    session = checked_in(world)
    with pytest.raises(ServiceError, match=message) as refused:
        services.verify_dose(session=session, total_mg="35.0", rate_ml_per_h="150.0", verifier=who,
                             verifier_password=PASSWORD, by=world.users[Role.NURSE])
    assert field in refused.value.field_errors
    assert _unverified(session)


def test_a_verifier_without_a_password_is_refused(world):
    session = checked_in(world)
    with pytest.raises(ServiceError, match="their own password") as refused:
        verify(world, session, verifier_password="")
    assert refused.value.field_errors == {"verifier_password": "Required."}
    assert _unverified(session)


@pytest.mark.parametrize(("total", "rate", "fields"), [
    ("35.1", "150.0", {"total_mg"}), ("35.0", "15.0", {"rate_ml_per_h"}), ("350", "1500", {"total_mg", "rate_ml_per_h"})])
def test_a_mismatch_stays_blind_and_writes_nothing(world, total, rate, fields):
    session = checked_in(world)
    with pytest.raises(ServiceError, match="differs from the plan") as refused:
        verify(world, session, total, rate)
    assert "35.0 mg" not in refused.value.message and "150.0 mL/h" not in refused.value.message
    assert "35.0" not in str(refused.value.field_errors) and "150" not in str(refused.value.field_errors)
    assert set(refused.value.field_errors) == fields
    assert _unverified(session)


@pytest.mark.parametrize(("total", "rate"), [("35.1", "150.0"), ("35.0", "15.0"), ("350", "150")])
def test_a_mismatched_verification_blocks_the_start(world, total, rate):
    session = checked_in(world)
    with pytest.raises(ServiceError, match="does not match"):
        verify(world, session, total, rate)
    session.refresh_from_db()
    assert session.state == SessionState.CHECKED_IN
    with pytest.raises(ServiceError, match="dose has not been verified"):
        services.start(session=session, by=world.users[Role.NURSE])


def test_numerically_equal_figures_verify(world):
    session = checked_in(world)
    verify(world, session, "35", "150")
    session.refresh_from_db()
    assert session.state == SessionState.DOSE_VERIFIED


def test_a_dose_above_the_limits_waits_for_a_prescribers_override(world):
    start = t0()
    session = booked(world, start)
    session = check_in(world, session, at=start, weight_kg="250.0", weight_confirmed=True,
                       weight_reason="Weighed twice on the clinic scale")
    assert session.total_mg is None and session.dose["exceeded_limits"]
    with pytest.raises(ServiceError, match="prescriber must override"):
        verify(world, session, "125.0", "150.0")
    with pytest.raises(ServiceError, match="does not allow"):
        services.override_dose(session=session, reason="Weight verified", by=world.users[Role.NURSE])
    with pytest.raises(ServiceError, match="required"):
        services.override_dose(session=session, reason=" ", by=world.users[Role.PRESCRIBER])
    with pytest.raises(ServiceError, match="at least 15 characters"):
        services.override_dose(session=session, reason="x", by=world.users[Role.PRESCRIBER])
    session.refresh_from_db()
    assert session.total_mg is None and not session.dose_override_reason
    session = services.override_dose(session=session, reason="Weight verified on two scales",
                                     by=world.users[Role.PRESCRIBER])
    assert session.total_mg == Decimal("125.0") and session.dose["overridden"] is True
    assert session.dose_override_by == world.users[Role.PRESCRIBER]
    verify(world, session, "125.0", "150.0")


def test_start_is_refused_while_the_latest_reading_says_do_not_start(world):
    start = t0()
    session = drawn(world, start)
    services.record_vitals(session=session, values={"systolic_mmhg": 165, "diastolic_mmhg": 90},
                           at=start + timedelta(minutes=6), by=world.users[Role.NURSE])
    assert Alert.objects.filter(session=session, rule="sbp_do_not_start", threshold="160").exists()
    with pytest.raises(ServiceError, match="Do not start"):
        services.start(session=session, at=start + timedelta(minutes=7), by=world.users[Role.NURSE])
    with pytest.raises(ServiceError, match="does not allow"):
        services.start(session=session, override_reason="ok", at=start + timedelta(minutes=7), by=world.users[Role.NURSE])
    services.record_vitals(session=session, values={"systolic_mmhg": 150, "diastolic_mmhg": 90},
                           at=start + timedelta(minutes=8), by=world.users[Role.NURSE])
    session = services.start(session=session, at=start + timedelta(minutes=9), by=world.users[Role.NURSE])
    assert session.state == SessionState.INFUSING


def test_a_prescriber_may_start_over_a_do_not_start_reading_with_a_reason(world):
    session = verified(world)
    services.record_vitals(session=session, values={"systolic_mmhg": 162}, by=world.users[Role.NURSE])
    session = services.start(session=session, override_reason="Anxious; repeat BP 158 by hand",
                             by=world.users[Role.PRESCRIBER])
    assert session.events.last().reason == "Anxious; repeat BP 158 by hand"


def test_pause_needs_a_reason_and_resume_continues(world):
    session = infusing(world)
    with pytest.raises(ServiceError, match="reason is required"):
        services.pause(session=session, reason="", by=world.users[Role.NURSE])
    session = services.pause(session=session, reason="Nausea", by=world.users[Role.NURSE])
    assert session.state == SessionState.PAUSED
    with pytest.raises(ServiceError, match="paused"):
        services.stop_infusion(session=session, by=world.users[Role.NURSE])
    session = services.resume(session=session, by=world.users[Role.NURSE])
    assert session.state == SessionState.INFUSING
    assert [e.action for e in session.events.all()] == ["check_in", "verify_dose", "start", "pause", "resume"]


def test_stop_infusion_moves_to_recovery_and_records_the_end(world):
    session = infusing(world)
    session = services.stop_infusion(session=session, by=world.users[Role.NURSE])
    assert session.state == SessionState.RECOVERING and session.infusion_ended_at is not None


def test_stop_early_before_the_drug_ends_the_session(world):
    session = checked_in(world)
    session = services.stop_early(session=session, reason="BP stayed high", by=world.users[Role.NURSE])
    assert session.state == SessionState.STOPPED_EARLY and session.infusion_ended_at is None


def test_stop_early_during_the_infusion_still_needs_recovery(world):
    session = infusing(world)
    session = services.stop_early(session=session, reason="Distress", by=world.users[Role.NURSE])
    assert session.state == SessionState.RECOVERING and session.infusion_ended_at is not None


def test_transfer_ends_the_session_with_its_reason(world):
    session = infusing(world)
    session = services.transfer(session=session, reason="Chest pain", by=world.users[Role.NURSE])
    assert session.state == SessionState.TRANSFERRED
    assert SessionEvent.objects.filter(session=session, action="transfer", reason="Chest pain").exists()


@pytest.mark.parametrize("action", ["start", "pause", "resume", "stop_infusion", "stop_early", "transfer"])
def test_no_transition_is_possible_on_a_scheduled_session_but_check_in(world, action):
    session = booked(world)
    with pytest.raises(ServiceError, match="not been checked in"):
        services.apply_action(session=session, action=action, reason="x", by=world.users[Role.NURSE])


def test_an_unknown_action_is_refused(world):
    with pytest.raises(ServiceError, match="Unknown action"):
        services.apply_action(session=booked(world), action="explode", by=world.users[Role.NURSE])


@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.THERAPIST, Role.RESEARCHER])
def test_only_chairside_roles_run_a_session(world, role):
    with pytest.raises(ServiceError, match="does not allow"):
        services.check_in(session=booked(world), by=world.users[role], **checkin_values(waivers=None))


def test_a_step_before_the_previous_one_is_refused(world):
    start = t0()
    session = checked_in(world, start)
    with pytest.raises(ServiceError, match="before the previous step"):
        verify(world, session, "35.0", "150.0", at=start - timedelta(minutes=1))


def test_a_step_in_the_future_is_refused(world):
    session = checked_in(world)
    from datetime import UTC, datetime

    with pytest.raises(ServiceError, match="future"):
        verify(world, session, "35.0", "150.0", at=datetime.now(UTC) + timedelta(hours=1))


def test_a_failed_audit_write_rolls_back_the_transition(world, monkeypatch):
    session = infusing(world)
    events_before = SessionEvent.objects.count()

    def boom(**kwargs):
        raise RuntimeError("audit down")

    monkeypatch.setattr("infusions.services.common.audit.record", boom)
    with pytest.raises(RuntimeError):
        services.stop_infusion(session=session, by=world.users[Role.NURSE])
    fresh = InfusionSession.objects.get(pk=session.pk)
    assert fresh.state == SessionState.INFUSING and fresh.infusion_ended_at is None
    assert SessionEvent.objects.count() == events_before


def test_a_failed_audit_write_rolls_back_the_check_in(world, monkeypatch):
    session = booked(world)
    monkeypatch.setattr("infusions.services.common.audit.record", lambda **kw: (_ for _ in ()).throw(RuntimeError("x")))
    with pytest.raises(RuntimeError):
        check_in(world, session)
    assert InfusionSession.objects.get(pk=session.pk).state == SessionState.SCHEDULED
    assert not VitalSign.objects.exists()


# --- today's weight against the last recorded one (issue 10) -----------------------------------------------


@pytest.mark.parametrize(("weight", "message"), [("154.3", "pounds"), ("80.0", "more than 10")])
def test_a_weight_far_from_the_last_needs_confirming_with_a_reason_and_nothing_is_written(world, weight, message):
    session = booked(world)  # the chart says 70.0 kg
    with pytest.raises(ServiceError) as err:
        check_in(world, session, weight_kg=weight)
    assert message in err.value.field_errors["weight_confirmed"]
    with pytest.raises(ServiceError) as err:
        check_in(world, session, weight_kg=weight, weight_confirmed=True, weight_reason="x")
    assert "at least 15 characters" in err.value.field_errors["weight_reason"]
    session.refresh_from_db()
    assert session.state == SessionState.SCHEDULED and not VitalSign.objects.exists()
    session = check_in(world, session, weight_kg=weight, weight_confirmed=True,
                       weight_reason="Weighed twice on the clinic scale")
    assert session.state == SessionState.CHECKED_IN
    assert session.checklist["weight_check"]["confirmed_reason"] == "Weighed twice on the clinic scale"


@pytest.mark.parametrize("weight", ["29.9", "300.1"])
def test_a_weight_outside_30_to_300_kg_is_refused_even_when_confirmed(world, weight):
    session = booked(world)
    with pytest.raises(ServiceError) as err:
        check_in(world, session, weight_kg=weight, weight_confirmed=True, weight_reason="Weighed twice on the scale")
    assert "outside 30-300 kg" in err.value.field_errors["weight_kg"]
    session.refresh_from_db()
    assert session.state == SessionState.SCHEDULED and not VitalSign.objects.exists()


def test_the_last_check_in_weight_is_the_one_compared(world):
    first = checked_in(world, t0(72), weight_kg="77.0")  # +10 % of the chart's 70.0: no question
    assert first.checklist["weight_check"]["last_weight_kg"] == "70.0"
    later = booked(world, t0(2), course=first.course, chair=first.chair)
    session = check_in(world, later, at=t0(2), weight_kg="84.0")  # +9.1 % of 77.0, though +20 % of the chart
    assert session.checklist["weight_check"]["last_weight_kg"] == "77.0"


def test_the_clinics_limit_is_used(world):
    world.a.policy = dict(world.a.policy or {}, infusion_weight_change_pct="20")
    world.a.save(update_fields=["policy"])
    session = booked(world)
    session.clinic.refresh_from_db()
    assert check_in(world, session, weight_kg="80.0").state == SessionState.CHECKED_IN


def test_an_ideal_weight_above_actual_doses_on_actual_weight_and_says_so(world):
    session = booked(world)
    type(session.course).objects.filter(pk=session.course_id).update(weight_basis="ideal")
    type(session.patient).objects.filter(pk=session.patient_id).update(height_cm=Decimal("170.0"), weight_kg=Decimal("45.0"))
    session = type(session).objects.get(pk=session.pk)
    session = check_in(world, session, weight_kg="45.0")  # ideal weight 61.4 kg
    assert session.total_mg == Decimal("22.50") and session.dose["weight_used_kg"] == "45.0"
    assert any("the dose uses the actual weight" in note for note in session.dose["notes"])
