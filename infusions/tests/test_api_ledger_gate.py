"""The API refuses what the services refuse for the inspector's loop (issue 10), and writes nothing."""

from decimal import Decimal

import pytest

from accounts.choices import Role
from infusions.choices import SessionState
from infusions.models import InfusionSession, SessionEvent
from ketacare.testing import api_json
from ketacare.testing_ledger import draw_for

from .helpers import infusing, verified

pytestmark = pytest.mark.django_db


def api(user, clinic):
    return api_json(user, clinic, "/infusions")


def test_the_api_refuses_a_start_with_nothing_drawn_and_writes_nothing(world):
    session = verified(world)
    status, body = api(world.users[Role.NURSE], world.a)("post", f"/sessions/{session.pk}/actions", {"action": "start"})
    assert status == 400 and "No ketamine is drawn for this session" in body["detail"]
    assert "override_reason" in body["fields"]
    assert InfusionSession.objects.get(pk=session.pk).state == SessionState.DOSE_VERIFIED
    assert not SessionEvent.objects.filter(session=session, action="start").exists()


def test_the_api_refuses_a_short_draw_and_starts_once_the_dose_is_drawn(world):
    session = verified(world)
    nurse = api(world.users[Role.NURSE], world.a)
    draw_for(session, mg=Decimal("10"), by=world.users[Role.NURSE])
    status, body = nurse("post", f"/sessions/{session.pk}/actions", {"action": "start"})
    assert status == 400 and "short by 25.00 mg" in body["detail"]
    draw_for(session, mg=Decimal("25"), by=world.users[Role.NURSE])
    status, body = nurse("post", f"/sessions/{session.pk}/actions", {"action": "start"})
    assert status == 200 and body["state"] == "infusing"


def test_the_api_refuses_the_no_draw_exception_from_a_nurse_and_takes_it_from_a_prescriber(world):
    session = verified(world)
    body = {"action": "start", "reason": "Vial drawn during the outage, entered later"}
    status, refused = api(world.users[Role.NURSE], world.a)("post", f"/sessions/{session.pk}/actions", body)
    assert status == 400 and "does not allow you to start an infusion without ketamine drawn" in refused["detail"]
    status, started = api(world.users[Role.PRESCRIBER], world.a)("post", f"/sessions/{session.pk}/actions", body)
    assert status == 200 and started["state"] == "infusing"


def test_the_api_stop_takes_the_pump_volume_and_shows_planned_and_given(world):
    session = infusing(world)
    nurse = api(world.users[Role.NURSE], world.a)
    status, body = nurse("post", f"/sessions/{session.pk}/actions", {"action": "stop_infusion", "pump_volume_ml": "80"})
    assert status == 200
    assert (body["total_mg"], body["given_mg"], body["given_source"]) == ("35.00", "28.00", "pump_volume")
    assert session.ledger_entries.get(kind="administration").quantity_mg == Decimal("28.00")


def test_the_api_refuses_a_pump_volume_above_the_bag_and_writes_nothing(world):
    session = infusing(world)
    status, body = api(world.users[Role.NURSE], world.a)(
        "post", f"/sessions/{session.pk}/actions", {"action": "stop_infusion", "pump_volume_ml": "150"})
    assert status == 400 and "more than the bag's 100.0 mL" in body["detail"] and "pump_volume_ml" in body["fields"]
    fresh = InfusionSession.objects.get(pk=session.pk)
    assert fresh.state == SessionState.INFUSING and fresh.given_mg is None
    assert not session.ledger_entries.filter(kind="administration").exists()
    assert not SessionEvent.objects.filter(session=session, action="stop_infusion").exists()
