"""The infusions API: a whole session through the same services, refusals as 400/422, other clinics' 404."""

from datetime import timedelta

import pytest

from accounts.choices import Role
from infusions.choices import SessionState
from infusions.models import InfusionSession, VitalSign
from ketacare.testing import PASSWORD, api_json
from ketacare.testing_ledger import draw_for

from .helpers import ALDRETE_READY, BASELINE, booked, infusing, second_nurse, t0, waive_all

pytestmark = pytest.mark.django_db


def api(user, clinic):
    return api_json(user, clinic, "/infusions")


def test_a_whole_session_runs_through_the_api(world):
    start = t0(3)
    session = booked(world, start)
    nurse = api(world.users[Role.NURSE], world.a)
    status, body = nurse("post", f"/sessions/{session.pk}/check-in", {
        "weight_kg": "70.0", "identity_confirmed": True, "consent_current": True, "escort_name": "Sam",
        "escort_phone": "555", "pregnancy_test": "negative", "baseline": BASELINE, "waivers": waive_all(session)})
    assert status == 200, body
    assert body["state"] == "checked_in" and body["total_mg"] == "35.00" and body["dose"]["steps"]
    proof = {"username": second_nurse(world).username, "password": PASSWORD}
    assert nurse("post", f"/sessions/{session.pk}/verify", {"total_mg": "35.0", "rate_ml_per_h": "150.0",
                                                           "verifier": proof})[0] == 200
    draw_for(InfusionSession.objects.get(pk=session.pk), by=world.users[Role.NURSE])
    assert nurse("post", f"/sessions/{session.pk}/actions", {"action": "start"})[1]["state"] == "infusing"
    status, vital = nurse("post", f"/sessions/{session.pk}/vitals", {"systolic_mmhg": 132, "diastolic_mmhg": 84})
    assert status == 201 and vital["source"] == "typed"
    assert len(nurse("get", f"/sessions/{session.pk}/vitals")[1]) == 2
    status, body = nurse("post", f"/sessions/{session.pk}/actions", {"action": "stop_infusion"})
    assert status == 400 and "before the planned time" in body["detail"] and "reason" in body["fields"]
    assert InfusionSession.objects.get(pk=session.pk).state == SessionState.INFUSING
    status, body = nurse("post", f"/sessions/{session.pk}/actions", {"action": "stop_infusion",
                                                                    "reason": "Patient asked to stop; mild nausea."})
    assert status == 200 and body["state"] == "recovering"
    assert body["infusion_stop"]["early"] is True and body["infusion_stop"]["planned_mg"] == "35.00"
    assert body["infusion_stop"]["reason"] == "Patient asked to stop; mild nausea."
    assert nurse("post", f"/sessions/{session.pk}/cadss", {"answers": [0] * 23})[1]["cadss"]["total"] == 0
    status, body = nurse("post", f"/sessions/{session.pk}/discharge", {"item_scores": ALDRETE_READY, "escort_confirmed": True})
    assert status == 400 and "Observation time" in body["detail"]
    InfusionSession.objects.filter(pk=session.pk).update(infusion_ended_at=start, started_at=start - timedelta(minutes=40))
    assert nurse("post", f"/sessions/{session.pk}/discharge", {"item_scores": ALDRETE_READY, "escort_confirmed": True})[0] == 200
    assert nurse("post", f"/sessions/{session.pk}/sign")[1]["signed_at"]
    assert InfusionSession.objects.get(pk=session.pk).state == SessionState.DISCHARGED


def test_bad_vitals_get_400_with_the_field_and_nothing_is_written(world):
    session = infusing(world)
    nurse = api(world.users[Role.NURSE], world.a)
    status, body = nurse("post", f"/sessions/{session.pk}/vitals", {"spo2_pct": 120})
    assert status == 400 and "spo2_pct" in body["fields"]
    status, body = nurse("post", f"/sessions/{session.pk}/vitals", {"spo2_pct": "lots"})
    assert status == 422
    assert not VitalSign.objects.filter(session=session, spo2_pct__gt=100).exists()


def test_a_reversed_blood_pressure_is_refused_on_the_diastolic_field(world):
    session = infusing(world)
    nurse = api(world.users[Role.NURSE], world.a)
    before = VitalSign.objects.filter(session=session).count()
    status, body = nurse("post", f"/sessions/{session.pk}/vitals", {"systolic_mmhg": 110, "diastolic_mmhg": 120})
    assert status == 400 and list(body["fields"]) == ["diastolic_mmhg"]
    assert "must be below systolic" in body["fields"]["diastolic_mmhg"]
    assert VitalSign.objects.filter(session=session).count() == before


def test_an_unknown_action_is_a_schema_error(world):
    session = infusing(world)
    assert api(world.users[Role.NURSE], world.a)("post", f"/sessions/{session.pk}/actions", {"action": "fly"})[0] == 422


def test_another_clinic_gets_404_for_sessions(world):
    session = infusing(world)
    other = api(world.b_users[Role.NURSE], world.b)
    assert other("get", f"/sessions/{session.pk}")[0] == 404
    assert other("post", f"/sessions/{session.pk}/actions", {"action": "pause", "reason": "x"})[0] == 404


def test_roles_away_from_the_chair_get_403(world):
    session = infusing(world)
    assert api(world.users[Role.FRONT_DESK], world.a)("post", f"/sessions/{session.pk}/actions",
                                                      {"action": "pause", "reason": "x"})[0] == 403


def test_a_value_is_judged_as_measured_through_the_api(world):
    session = infusing(world)
    nurse = api(world.users[Role.NURSE], world.a)
    status, vital = nurse("post", f"/sessions/{session.pk}/vitals", {"spo2_pct": "89.95", "resp_rate_per_min": "9.5"})
    assert status == 201 and vital["spo2_pct"] == "90.0"
    assert sorted(session.alerts.values_list("rule", flat=True)) == ["rr_warn", "spo2_stop"]


def test_a_weight_far_from_the_last_needs_confirming_through_the_api(world):
    session = booked(world, t0(3))
    nurse = api(world.users[Role.NURSE], world.a)
    body = {"weight_kg": "154.3", "identity_confirmed": True, "consent_current": True, "escort_name": "Sam",
            "escort_phone": "555", "pregnancy_test": "negative", "baseline": BASELINE, "waivers": waive_all(session)}
    status, answer = nurse("post", f"/sessions/{session.pk}/check-in", body)
    assert status == 400 and "pounds" in answer["fields"]["weight_confirmed"]
    assert InfusionSession.objects.get(pk=session.pk).state == SessionState.SCHEDULED
    assert not VitalSign.objects.filter(session=session).exists()
    status, answer = nurse("post", f"/sessions/{session.pk}/check-in",
                           dict(body, weight_confirmed=True, weight_reason="Weighed twice on the clinic scale"))
    assert status == 200 and answer["state"] == "checked_in"
