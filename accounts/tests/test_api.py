"""The accounts API: the clinic admin reads and changes the clinic's settings and staff, nobody else does."""

import pytest

from accounts.models import Clinic, User
from accounts.queries import role_of
from ketacare.testing import api_caller, enrol

pytestmark = pytest.mark.django_db


def test_the_policy_lists_every_setting_with_its_default(world):
    body = api_caller(world.clinic_admin, world.a)("GET", "/accounts/policy").json()
    assert body["lockout_failures"] == 5 and body["min_failed_trials"] == 2


def test_a_refused_setting_is_a_400_naming_it_and_nothing_is_stored(world):
    response = api_caller(world.clinic_admin, world.a)("PATCH", "/accounts/policy",
                                                      {"lockout_failures": "2", "idle_timeout_min": "30"})
    assert response.status_code == 400
    assert response.json()["fields"] == {"lockout_failures": "Failed sign-ins before lockout must be at least 3."}
    assert Clinic.objects.get(pk=world.a.pk).policy == {}


def test_an_accepted_change_returns_the_new_values(world):
    response = api_caller(world.clinic_admin, world.a)("PATCH", "/accounts/policy", {"idle_timeout_min": "30"})
    assert response.status_code == 200 and response.json()["idle_timeout_min"] == 30


@pytest.mark.parametrize("role", ["prescriber", "nurse", "front_desk", "researcher"])
def test_only_the_clinic_admin_reads_the_policy(world, role):
    assert api_caller(world.users[role], world.a)("GET", "/accounts/policy").status_code == 403


def test_the_staff_list_holds_the_clinics_members_only(world):
    rows = api_caller(world.clinic_admin, world.a)("GET", "/accounts/staff").json()
    assert {r["username"] for r in rows} == {u.username for u in world.users.values()}
    assert {r["role"] for r in rows} == set(world.users)


def test_staff_are_created_with_a_role_from_the_vocabulary_only(world):
    call = api_caller(world.clinic_admin, world.a)
    body = {"username": "newbie", "password": "long-enough-pass-1", "first_name": "New", "last_name": "Bie"}
    assert call("POST", "/accounts/staff", {**body, "role": "surgeon"}).status_code == 422
    assert not User.objects.filter(username="newbie").exists()
    created = call("POST", "/accounts/staff", {**body, "role": "therapist"})
    assert created.status_code == 201 and created.json()["role"] == "therapist"
    assert role_of(User.objects.get(username="newbie"), world.a) == "therapist"


def test_a_token_acts_in_its_own_clinic_with_the_role_held_there(world):
    from accounts import services

    services.add_membership(user=world.nurse, clinic=world.b, role="clinic_admin", by=world.clinic_admin)
    enrol(world.nurse)  # a clinic admin of B must have a second factor there (B's default policy)
    assert api_caller(world.nurse, world.a)("GET", "/accounts/policy").status_code == 403
    services.update_policy(clinic=world.b, values={"lockout_minutes": "45"}, by=world.b_users["clinic_admin"])
    in_b = api_caller(world.nurse, world.b)("GET", "/accounts/policy")
    assert in_b.status_code == 200 and in_b.json()["lockout_minutes"] == 45
