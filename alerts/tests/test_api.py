"""The alerts API: list the clinic's open alerts and acknowledge one; refusals as 400, other clinics' 404."""

import pytest

from accounts.choices import Role
from ketacare.testing import api_json

pytestmark = pytest.mark.django_db


def api(user, clinic):
    return api_json(user, clinic, "/alerts")


def test_alerts_are_listed_and_acknowledged(world):
    from infusions.tests.helpers import infusing

    session = infusing(world)
    nurse = api(world.users[Role.NURSE], world.a)
    from infusions.tests.test_api import api as infusions_api

    infusions_api(world.users[Role.NURSE], world.a)("post", f"/sessions/{session.pk}/vitals", {"heart_rate_bpm": 140})
    status, rows = nurse("get", "/")
    assert status == 200 and rows[0]["rule"] == "hr_warn" and rows[0]["threshold"] == "120"
    assert rows[0]["patient_id"] == session.patient_id and rows[0]["session_id"] == session.pk
    status, refused = nurse("post", f"/{rows[0]['id']}/acknowledge", {"action_note": ""})
    assert status == 400 and "action_note" in refused["fields"]
    status, done = nurse("post", f"/{rows[0]['id']}/acknowledge", {"action_note": "Rechecked: 104"})
    assert status == 200 and done["acknowledged_at"] and done["action_note"] == "Rechecked: 104"
    assert nurse("get", "/")[1] == []


def test_another_clinic_gets_404_and_an_empty_list(world, vital_alert):
    other = api(world.b_users[Role.NURSE], world.b)
    assert other("post", f"/{vital_alert.pk}/acknowledge", {"action_note": "x"})[0] == 404
    assert other("get", "/")[1] == []


def test_a_role_away_from_care_gets_403(world, vital_alert):
    desk = api(world.users[Role.FRONT_DESK], world.a)
    assert desk("get", "/")[0] == 403
    assert desk("post", f"/{vital_alert.pk}/acknowledge", {"action_note": "x"})[0] == 403
