"""An actor is a staff user or a named system process; only a saved user is a user."""

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.actors import user_of
from accounts.choices import Role
from accounts.models import User
from accounts.queries import role_of

pytestmark = pytest.mark.django_db


def test_a_saved_staff_user_is_the_user(world):
    nurse = world.users[Role.NURSE]
    assert user_of(nurse) is nurse


@pytest.mark.parametrize("process", ["hl7:MONITOR-3", "reminders", "escalation", "demo", ""])
def test_a_process_name_is_no_user(process):
    assert user_of(process) is None


def test_an_anonymous_visitor_or_an_unsaved_user_is_no_user():
    assert user_of(AnonymousUser()) is None
    assert user_of(User(username="not-saved")) is None
    assert user_of(None) is None


def test_a_process_holds_no_role_in_any_clinic(world):
    assert role_of("hl7:MONITOR-3", world.a) is None
    assert role_of(world.users[Role.NURSE], world.a) == Role.NURSE
    assert role_of(world.users[Role.NURSE], world.b) is None
