"""The audit log page of the admin area: the clinic's own events only, filtered, and reading it is audited."""

import pytest
from django.db import transaction

from accounts.choices import Role
from audit import services as audit
from audit.models import AuditEvent
from ketacare.testing import make_patient

pytestmark = pytest.mark.django_db


def _event(action, clinic, patient=None):
    with transaction.atomic():
        audit.record(action=action, by="test", clinic=clinic, patient=patient)


def _actions(response):
    return [e.action for e in response.context["page"].object_list]


def test_the_log_shows_only_the_clinic_admins_own_clinic(client_for, world):
    _event("marker_a", world.a)
    _event("marker_b", world.b)
    shown = _actions(client_for(Role.CLINIC_ADMIN).get("/audit/"))
    assert "marker_a" in shown
    assert "marker_b" not in shown


def test_the_log_filters_by_action_and_by_patient(client_for, world):
    one, two = make_patient(world, mrn="AUD-1"), make_patient(world, mrn="AUD-2")
    _event("marker_one", world.a, patient=one)
    _event("marker_two", world.a, patient=two)
    client = client_for(Role.CLINIC_ADMIN)
    assert _actions(client.get("/audit/", {"action": "marker_"})) == ["marker_two", "marker_one"]
    assert _actions(client.get("/audit/", {"action": "marker_", "patient": str(one.pk)})) == ["marker_one"]
    assert _actions(client.get("/audit/", {"action": "marker_", "patient": "not-a-number"})) == ["marker_two", "marker_one"]


def test_reading_the_log_is_itself_audited_with_its_filter(client_for, world):
    client_for(Role.CLINIC_ADMIN).get("/audit/", {"action": "login", "patient": "7"})
    seen = AuditEvent.objects.filter(action="audit_log_view", clinic=world.a).get()
    assert seen.actor == world.users[Role.CLINIC_ADMIN]
    assert seen.detail == {"action": "login", "patient": "7"}


@pytest.mark.parametrize("role", [Role.NURSE, Role.PRESCRIBER, Role.FRONT_DESK])
def test_a_role_without_the_permission_cannot_open_the_log(client_for, role):
    assert client_for(role).get("/audit/").status_code == 403
