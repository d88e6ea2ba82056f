"""CADSS, side effects, adverse events, discharge, notes and signatures."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from accounts.choices import Role
from alerts.choices import AlertKind
from alerts.models import Alert
from audit.models import AuditEvent
from infusions import services
from infusions.choices import SessionState
from infusions.models import AdverseEvent, InfusionSession
from toolkit.errors import ServiceError

from .helpers import ALDRETE_READY, checked_in, infusing, recovering, t0

pytestmark = pytest.mark.django_db
NY = ZoneInfo("America/New_York")

AE = {"description": "Vomited twice", "severity": "moderate", "serious": False, "relatedness": "probable",
      "action_taken": "medication", "outcome": "resolved"}


def test_cadss_is_scored_by_the_kernel_after_the_infusion(world):
    session = recovering(world)
    session = services.record_cadss(session=session, answers=[1] * 10 + [0] * 13, by=world.users[Role.NURSE])
    assert session.cadss["total"] == 10 and session.cadss["complete"] is True


def test_cadss_is_refused_during_the_infusion_and_with_answers_out_of_range(world):
    with pytest.raises(ServiceError, match="after the infusion"):
        services.record_cadss(session=infusing(world), answers=[0] * 23, by=world.users[Role.NURSE])
    session = InfusionSession.objects.get()
    services.stop_infusion(session=session, by=world.users[Role.NURSE])
    with pytest.raises(ServiceError, match="not valid"):
        services.record_cadss(session=session, answers=[5] * 23, by=world.users[Role.NURSE])


def test_the_side_effect_checklist_is_kept_and_other_needs_a_note(world):
    session = infusing(world)
    with pytest.raises(ServiceError, match="Unknown"):
        services.record_side_effects(session=session, items=["hiccups"], by=world.users[Role.NURSE])
    with pytest.raises(ServiceError, match="other side effect"):
        services.record_side_effects(session=session, items=["other"], by=world.users[Role.NURSE])
    session = services.record_side_effects(session=session, items=["nausea", "dizziness"], by=world.users[Role.NURSE])
    assert session.side_effects["items"] == ["dizziness", "nausea"]


def test_an_adverse_event_is_recorded_with_its_classification(world):
    session = infusing(world)
    event = services.record_adverse_event(session=session, values=AE, by=world.users[Role.NURSE])
    assert (event.severity, event.relatedness, event.action_taken, event.outcome) == ("moderate", "probable", "medication", "resolved")
    assert not Alert.objects.filter(kind=AlertKind.ADVERSE_EVENT).exists() and mail.outbox == []


@pytest.mark.parametrize(("field", "value"), [("severity", "apocalyptic"), ("serious", "maybe"), ("description", ""),
                                              ("outcome", None)])
def test_an_incomplete_adverse_event_is_refused(world, field, value):
    with pytest.raises(ServiceError) as err:
        services.record_adverse_event(session=infusing(world), values=dict(AE, **{field: value}), by=world.users[Role.NURSE])
    assert field in err.value.field_errors
    assert not AdverseEvent.objects.exists()


def test_a_serious_adverse_event_raises_an_alert_and_emails_the_prescriber(world, django_capture_on_commit_callbacks):
    from accounts.models import User

    User.objects.filter(pk=world.users[Role.PRESCRIBER].pk).update(email="prescriber@example.invalid")
    session = infusing(world)
    with django_capture_on_commit_callbacks(execute=True):
        event = services.record_adverse_event(session=session, values=dict(AE, serious=True, severity="severe"),
                                              by=world.users[Role.NURSE])
    alert = Alert.objects.get(kind=AlertKind.ADVERSE_EVENT)
    assert alert.level == "critical" and alert.source_id == str(event.pk)
    (message,) = mail.outbox
    assert message.to == ["prescriber@example.invalid"]
    assert f"/infusions/sessions/{session.pk}/" in message.body
    assert session.patient.family_name not in message.body and session.patient.mrn not in message.body


def test_a_failed_audit_write_rolls_back_the_adverse_event_and_sends_nothing(world, monkeypatch, django_capture_on_commit_callbacks):
    session = infusing(world)
    monkeypatch.setattr("infusions.services.after.audit.record", lambda **kw: (_ for _ in ()).throw(RuntimeError("x")))
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        services.record_adverse_event(session=session, values=dict(AE, serious=True), by=world.users[Role.NURSE])
    assert not AdverseEvent.objects.exists() and not Alert.objects.exists() and mail.outbox == []


def _discharge(world, session, at, by_role=Role.NURSE, **kw):
    values = {"item_scores": ALDRETE_READY, "escort_confirmed": True} | kw
    return services.discharge_patient(session=session, at=at, by=world.users[by_role], **values)


def test_discharge_after_the_observation_time_with_a_ready_score(world):
    start = t0()
    session = recovering(world, start)  # infusion ended at +50 min
    session = _discharge(world, session, start + timedelta(minutes=110))
    assert session.state == SessionState.DISCHARGED
    assert session.discharge["total"] == 10 and session.discharge["overridden"] is False


@pytest.mark.parametrize(("minutes", "kw", "reason"), [
    (109, {}, "Observation time not yet elapsed: 1 min remaining"),
    (120, {"item_scores": dict(ALDRETE_READY, activity=0)}, "score is 8, below the discharge threshold of 9"),
    (120, {"escort_confirmed": False}, "No responsible adult escort"),
])
def test_discharge_is_refused_below_threshold_without_escort_or_too_early(world, minutes, kw, reason):
    start = t0()
    session = recovering(world, start)
    with pytest.raises(ServiceError, match=reason):
        _discharge(world, session, start + timedelta(minutes=minutes), **kw)
    assert InfusionSession.objects.get(pk=session.pk).state == SessionState.RECOVERING


def test_an_aldrete_score_of_nine_is_enough(world):
    start = t0()
    session = _discharge(world, recovering(world, start), start + timedelta(minutes=120),
                         item_scores=dict(ALDRETE_READY, activity=1))
    assert session.discharge["total"] == 9


def test_only_a_prescriber_overrides_the_discharge_criteria_with_a_reason(world):
    start = t0()
    session = recovering(world, start)
    early = start + timedelta(minutes=80)
    with pytest.raises(ServiceError, match="does not allow"):
        _discharge(world, session, early, override_reason="Fine")
    session = _discharge(world, session, early, by_role=Role.PRESCRIBER, override_reason="Alert and walking; ride waiting")
    assert session.discharge["overridden"] is True and "Observation" in session.discharge["unmet"][0]
    assert AuditEvent.objects.filter(action="session_discharge", detail__overridden=True).exists()


def test_discharge_scores_out_of_range_are_refused(world):
    start = t0()
    with pytest.raises(ServiceError, match="scored 0 to 2"):
        _discharge(world, recovering(world, start), start + timedelta(minutes=120), item_scores=dict(ALDRETE_READY, spo2=3))


def test_padss_is_used_when_the_clinic_chooses_it(world):
    from accounts.services import update_policy

    update_policy(clinic=world.a, values={"infusion_discharge_score": "padss"}, by=world.users[Role.CLINIC_ADMIN])
    start = t0()
    session = recovering(world, start)
    padss = {"vital_signs": 2, "ambulation": 2, "nausea_vomiting": 2, "pain": 2, "surgical_bleeding": 2}
    session = _discharge(world, session, start + timedelta(minutes=120), item_scores=padss)
    assert session.discharge["score_kind"] == "padss"


def test_discharge_is_refused_before_recovery(world):
    with pytest.raises(ServiceError, match="Cannot discharge"):
        _discharge(world, checked_in(world), None)


def test_the_nurse_signs_and_the_prescriber_cosigns_an_ended_session(world):
    start = t0()
    session = recovering(world, start)
    with pytest.raises(ServiceError, match="once the session has ended"):
        services.sign_session(session=session, by=world.users[Role.NURSE])
    with pytest.raises(ServiceError, match="nurse signs the record first"):
        services.cosign_session(session=session, by=world.users[Role.PRESCRIBER])
    session = _discharge(world, session, start + timedelta(minutes=120))
    with pytest.raises(ServiceError, match="does not allow"):
        services.sign_session(session=session, by=world.users[Role.PRESCRIBER])
    session = services.sign_session(session=session, by=world.users[Role.NURSE])
    with pytest.raises(ServiceError, match="already signed"):
        services.sign_session(session=session, by=world.users[Role.NURSE])
    session = services.cosign_session(session=session, by=world.users[Role.PRESCRIBER])
    assert session.signed_by == world.users[Role.NURSE] and session.cosigned_by == world.users[Role.PRESCRIBER]
    with pytest.raises(ServiceError, match="signed"):
        services.add_note(session=session, note="late", by=world.users[Role.NURSE])


def test_notes_are_appended_with_time_and_author(world):
    session = infusing(world)
    session = services.add_note(session=session, note="Music requested", by=world.users[Role.NURSE])
    session = services.add_note(session=session, note="Eyes closed, calm", by=world.users[Role.NURSE])
    assert session.notes.count("a_nurse") == 2 and session.notes.endswith("Eyes closed, calm")



@pytest.mark.parametrize(("start", "early"), [
    # Infusion from +10 to +50 min; "early" is 40 real minutes after its end, in the clinic's local clock.
    (datetime(2026, 3, 8, 5, 40, tzinfo=UTC), datetime(2026, 3, 8, 3, 10, tzinfo=NY)),          # spring forward
    (datetime(2026, 11, 1, 4, 40, tzinfo=UTC), datetime(2026, 11, 1, 1, 10, fold=1, tzinfo=NY)),  # fall back
])
def test_40_minutes_of_observation_do_not_pass_as_60_across_a_clock_change(world, start, early):
    session = recovering(world, start.astimezone(NY))  # every step given in the clinic's local time
    with pytest.raises(ServiceError, match="20 min remaining"):
        _discharge(world, session, early)
    assert InfusionSession.objects.get(pk=session.pk).state == SessionState.RECOVERING
    session = _discharge(world, InfusionSession.objects.get(pk=session.pk), early.astimezone(UTC) + timedelta(minutes=20))
    assert session.state == SessionState.DISCHARGED
