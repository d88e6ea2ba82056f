"""The alert gate (ADR 0016): an open suicide-risk or high alert blocks check-in and start until a prescriber reviews it."""

from datetime import timedelta

import pytest
from django.db import transaction

from accounts.choices import Role
from alerts import services as alerts
from alerts.models import Alert, AlertReview
from audit.models import AuditEvent
from infusions import services
from infusions.choices import SessionState
from infusions.models import InfusionSession, SessionEvent, VitalSign
from ketacare.testing import PASSWORD, api_json
from measures import services as measures
from toolkit.errors import ServiceError

from .helpers import BASELINE, booked, check_in, checked_in, second_nurse, t0, verified, waive_all

pytestmark = pytest.mark.django_db


def phq9_item9(world, session, answer=2):
    """The issue's case: a PHQ-9 with item 9 answered 2, two minutes before check-in."""
    measures.record_assessment(patient=session.patient, instrument="phq9", items=[1] * 8 + [answer],
                               by=world.users[Role.NURSE])
    return Alert.objects.get(patient=session.patient, kind="suicide_risk")


def nothing_written(session):
    session.refresh_from_db()
    return (session.state == SessionState.SCHEDULED and session.checked_in_at is None and not session.dose
            and not VitalSign.objects.filter(session=session).exists() and not SessionEvent.objects.filter(session=session).exists())


def test_a_suicide_risk_answer_blocks_check_in_and_nothing_is_written(world):
    session = booked(world, t0(0.05))
    phq9_item9(world, session)
    with pytest.raises(ServiceError, match="Check-in is blocked until a prescriber reviews") as refused:
        check_in(world, session)
    assert "Suicide risk" in refused.value.message and refused.value.field_errors == {"alerts": "A prescriber's review is needed first."}
    assert nothing_written(session)


def test_a_prescribers_proceed_review_lifts_the_block_and_is_audited(world):
    session = booked(world, t0(0.05))
    alert = phq9_item9(world, session)
    prescriber = world.users[Role.PRESCRIBER]
    review = alerts.review_alert(alert=alert, decision="proceed", reason="Seen in person: no plan or intent, safety plan agreed.",
                                 by=prescriber)
    alert.refresh_from_db()
    assert not alert.is_open and alert.acknowledged_by == prescriber
    assert (review.decision, review.reviewed_by, review.patient_id) == ("proceed", prescriber, session.patient_id)
    event = AuditEvent.objects.get(action="alert_review")
    assert event.detail["decision"] == "proceed" and "safety plan" in event.detail["reason"]
    assert check_in(world, session).state == SessionState.CHECKED_IN


def test_a_hold_keeps_the_alert_open_and_the_chair_blocked_with_the_prescribers_reason(world, client_for):
    session = booked(world, t0(0.05))
    alert = phq9_item9(world, session)
    alerts.review_alert(alert=alert, decision="hold", reason="Needs a psychiatric assessment before any infusion.",
                        by=world.users[Role.PRESCRIBER])
    assert Alert.objects.get(pk=alert.pk).is_open
    with pytest.raises(ServiceError, match="Held by Test Prescriber") as refused:
        check_in(world, session)
    assert "psychiatric assessment" in refused.value.message
    assert nothing_written(session)
    from django.urls import reverse

    page = client_for(Role.NURSE).get(reverse("infusions:check_in", kwargs={"session_id": session.pk})).content.decode()
    assert "Held</span> by Test Prescriber" in page and "Needs a psychiatric assessment" in page


def test_an_alert_raised_after_check_in_blocks_the_start(world):
    session = verified(world, t0(0.2))
    phq9_item9(world, session, answer=1)
    with pytest.raises(ServiceError, match="The start is blocked until a prescriber reviews"):
        services.start(session=session, by=world.users[Role.NURSE])
    session.refresh_from_db()
    assert session.state == SessionState.DOSE_VERIFIED and session.started_at is None
    assert not session.events.filter(action="start").exists()


def test_an_open_serious_adverse_event_alert_blocks_the_next_check_in(world):
    first = checked_in(world, t0(72))
    services.record_adverse_event(session=first, by=world.users[Role.NURSE], values={
        "description": "Chest pain", "severity": "severe", "serious": True, "relatedness": "possible",
        "action_taken": "transferred", "outcome": "resolving"})
    later = booked(world, t0(0.05), course=first.course, chair=first.chair)
    with pytest.raises(ServiceError, match="Serious adverse event"):
        check_in(world, later)
    assert nothing_written(later)


def test_an_open_pause_alert_blocks_but_a_warning_does_not(world):
    session = booked(world, t0(0.05))
    with transaction.atomic():
        warn = alerts.raise_alert(clinic=world.a, patient=session.patient, kind="vital", level="warn", rule="hr_high",
                                  message="HR 125", by=world.users[Role.NURSE])
        pause = alerts.raise_alert(clinic=world.a, patient=session.patient, kind="vital", level="pause", rule="sbp_pause",
                                   message="SBP 186", by=world.users[Role.NURSE])
    with pytest.raises(ServiceError, match="SBP 186") as refused:
        check_in(world, session)
    assert "HR 125" not in refused.value.message
    alerts.acknowledge_alert(alert=pause, action_note="Rechecked after the last session: 142/88.", by=world.users[Role.NURSE])
    assert check_in(world, session).state == SessionState.CHECKED_IN
    assert Alert.objects.get(pk=warn.pk).is_open


def test_another_patients_alert_does_not_block(world):
    session = booked(world, t0(0.05))
    from ketacare.testing import make_chair, make_course

    other = booked(world, t0(30), course=make_course(world, mrn="T-0002"), chair=make_chair(world, name="Chair 2"))
    phq9_item9(world, other)
    assert check_in(world, session).state == SessionState.CHECKED_IN


def test_a_nurse_cannot_close_a_suicide_risk_alert_by_acknowledging_it(world):
    session = booked(world, t0(0.05))
    alert = phq9_item9(world, session)
    for role in (Role.NURSE, Role.THERAPIST, Role.PRESCRIBER):
        with pytest.raises(ServiceError, match="A prescriber reviews this alert"):
            alerts.acknowledge_alert(alert=alert, action_note="Called the patient.", by=world.users[role])
    assert Alert.objects.get(pk=alert.pk).is_open


@pytest.mark.parametrize(("role", "decision", "reason", "match"), [
    (Role.NURSE, "proceed", "Seen in person, no intent today.", "does not allow you to review alerts"),
    (Role.THERAPIST, "proceed", "Seen in person, no intent today.", "does not allow you to review alerts"),
    (Role.PRESCRIBER, "maybe", "Seen in person, no intent today.", "Choose the decision"),
    (Role.PRESCRIBER, "proceed", "ok", "at least 15 characters"),
    (Role.PRESCRIBER, "proceed", "", "at least 15 characters"),
])
def test_a_review_is_refused_without_a_prescriber_a_decision_or_a_reason_and_nothing_is_written(world, role, decision,
                                                                                                 reason, match):
    session = booked(world, t0(0.05))
    alert = phq9_item9(world, session)
    with pytest.raises(ServiceError, match=match):
        alerts.review_alert(alert=alert, decision=decision, reason=reason, by=world.users[role])
    assert Alert.objects.get(pk=alert.pk).is_open and not AlertReview.objects.exists()
    assert not AuditEvent.objects.filter(action="alert_review").exists()


def test_a_failed_audit_write_rolls_the_review_back(world, monkeypatch):
    session = booked(world, t0(0.05))
    alert = phq9_item9(world, session)

    def broken(**kwargs):
        if kwargs.get("action") == "alert_review":
            raise RuntimeError("audit down")

    from audit import services as audit

    monkeypatch.setattr(audit, "record", broken)
    with pytest.raises(RuntimeError):
        alerts.review_alert(alert=alert, decision="proceed", reason="Seen in person: no plan or intent.",
                            by=world.users[Role.PRESCRIBER])
    assert Alert.objects.get(pk=alert.pk).is_open and not AlertReview.objects.exists()


def test_the_database_refuses_a_review_without_a_reason_or_a_second_proceed(world):
    from django.db import IntegrityError

    session = booked(world, t0(0.05))
    alert = phq9_item9(world, session)
    base = {"clinic": world.a, "alert": alert, "patient_id": session.patient_id, "reviewed_by": world.users[Role.PRESCRIBER],
            "reviewed_at": alert.raised_at}
    for bad in ({"decision": "proceed", "reason": ""}, {"decision": "perhaps", "reason": "A real reason here."}):
        with pytest.raises(IntegrityError), transaction.atomic():
            AlertReview.objects.create(**base, **bad)
    AlertReview.objects.create(**base, decision="proceed", reason="A real reason here.")
    with pytest.raises(IntegrityError), transaction.atomic():
        AlertReview.objects.create(**base, decision="proceed", reason="And a second one.")


# The same refusals through the API.

def api(user, clinic, prefix="/infusions"):
    return api_json(user, clinic, prefix)


def checkin_body(session):
    return {"weight_kg": "70.0", "identity_confirmed": True, "consent_current": True, "escort_name": "Sam",
            "escort_phone": "555", "pregnancy_test": "negative", "baseline": BASELINE, "waivers": waive_all(session)}


def test_the_api_refuses_check_in_and_start_while_the_alert_is_open_then_a_prescriber_reviews_it(world):
    session = booked(world, t0(0.05))
    alert = phq9_item9(world, session)
    nurse = api(world.users[Role.NURSE], world.a)
    status, body = nurse("post", f"/sessions/{session.pk}/check-in", checkin_body(session))
    assert status == 400 and "prescriber reviews" in body["detail"] and "alerts" in body["fields"]
    assert nothing_written(session)
    status, body = api(world.users[Role.NURSE], world.a, "/alerts")("post", f"/{alert.pk}/review",
                                                                    {"decision": "proceed", "reason": "Seen by me today."})
    assert status == 403
    prescriber = api(world.users[Role.PRESCRIBER], world.a, "/alerts")
    status, body = prescriber("post", f"/{alert.pk}/review", {"decision": "proceed", "reason": "short"})
    assert status == 400 and "reason" in body["fields"] and not AlertReview.objects.exists()
    status, body = prescriber("post", f"/{alert.pk}/review", {"decision": "proceed",
                                                              "reason": "Seen in person: no plan or intent, safety plan agreed."})
    assert status == 200 and body["decision"] == "proceed" and body["reviewed_by"] == "a_prescriber"
    status, body = nurse("post", f"/sessions/{session.pk}/check-in", checkin_body(session))
    assert status == 200 and body["state"] == "checked_in"
    # A new answer after check-in blocks the start through the API too.
    phq9_again = measures.record_assessment(patient=session.patient, instrument="phq9", items=[0] * 8 + [1],
                                            by=world.users[Role.NURSE])
    assert phq9_again.pk
    proof = {"username": second_nurse(world).username, "password": PASSWORD}
    assert nurse("post", f"/sessions/{session.pk}/verify", {"total_mg": "35.0", "rate_ml_per_h": "150.0",
                                                           "verifier": proof})[0] == 200
    status, body = nurse("post", f"/sessions/{session.pk}/actions", {"action": "start"})
    assert status == 400 and "The start is blocked" in body["detail"]
    assert InfusionSession.objects.get(pk=session.pk).state == SessionState.DOSE_VERIFIED


def test_another_clinic_cannot_review_the_alert(world):
    session = booked(world, t0(0.05))
    alert = phq9_item9(world, session)
    other = api(world.b_users[Role.PRESCRIBER], world.b, "/alerts")
    assert other("post", f"/{alert.pk}/review", {"decision": "proceed", "reason": "Not my patient at all."})[0] == 404
    assert Alert.objects.get(pk=alert.pk).is_open


def test_the_check_in_page_shows_the_alert_and_the_review_form_to_a_prescriber_only(world, client_for):
    from django.urls import reverse

    session = booked(world, t0(0.05))
    alert = phq9_item9(world, session)
    page_url = reverse("infusions:check_in", kwargs={"session_id": session.pk})
    nurse_page = client_for(Role.NURSE).get(page_url).content.decode()
    assert "Check-in is blocked: a prescriber reviews these alerts first" in nurse_page
    assert "Suicide risk" in nurse_page and "Record the review" not in nurse_page and "disabled" in nurse_page
    prescriber = client_for(Role.PRESCRIBER)
    assert "Record the review" in prescriber.get(page_url).content.decode()
    done = prescriber.post(reverse("alerts:review", kwargs={"alert_id": alert.pk}),
                           {"decision": "proceed", "reason": "Seen in person: no plan or intent.", "next": page_url})
    assert done.status_code == 302 and done.url == page_url
    assert "Check-in is blocked" not in client_for(Role.NURSE).get(page_url).content.decode()
    refused = prescriber.post(reverse("alerts:review", kwargs={"alert_id": alert.pk}), {"decision": "proceed", "reason": ""})
    assert refused.status_code == 400


def test_the_demo_style_back_filled_check_in_is_also_gated(world):
    start = t0(2)
    session = booked(world, start)
    phq9_item9(world, session)
    with pytest.raises(ServiceError, match="blocked"):
        check_in(world, session, at=start + timedelta(minutes=1))


def test_the_api_verify_refusals_stay_blind_and_write_nothing(world):
    session = checked_in(world)
    nurse = api(world.users[Role.NURSE], world.a)
    checker = second_nurse(world).username
    cases = [
        ({"total_mg": "36.0", "rate_ml_per_h": "15.0", "verifier": {"username": checker, "password": PASSWORD}},
         "differs from the plan", {"total_mg", "rate_ml_per_h"}),
        ({"total_mg": "35.0", "rate_ml_per_h": "150.0", "verifier": {"username": checker, "password": "guess-again"}},
         "wrong password", {"verifier_password"}),
        ({"total_mg": "35.0", "rate_ml_per_h": "150.0", "verifier": {"username": "a_nurse", "password": PASSWORD}},
         "different clinician", {"verifier"}),
        ({"total_mg": "35.0", "rate_ml_per_h": "150.0", "verifier": {"username": "b_nurse", "password": PASSWORD}},
         "No active staff member", {"verifier"}),
    ]
    for body, message, fields in cases:
        status, answer = nurse("post", f"/sessions/{session.pk}/verify", body)
        assert status == 400 and message in answer["detail"], answer
        assert set(answer["fields"]) == fields
        assert "35.0 mg" not in str(answer) and "150.0 mL/h" not in str(answer)
    status, answer = nurse("post", f"/sessions/{session.pk}/verify", {"total_mg": "35.0", "rate_ml_per_h": "150.0"})
    assert status == 422  # no proof at all: a schema error
    fresh = InfusionSession.objects.get(pk=session.pk)
    assert fresh.state == SessionState.CHECKED_IN and fresh.dose_verified_by is None
