"""Staff, memberships and API tokens: one role per clinic, roles from the vocabulary, secrets kept hashed."""

import pytest
from django.db import IntegrityError, transaction

from accounts import services
from accounts.choices import Role
from accounts.models import ApiToken, Membership, User
from accounts.permissions import Perm, roles_with
from accounts.queries import role_of, staff_with_role
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_a_new_staff_member_holds_one_role_in_one_clinic(world):
    user = services.create_staff(clinic=world.a, username="newnurse", password="pw-long-enough-1", role=Role.NURSE,
                                 by=world.clinic_admin)
    assert role_of(user, world.a) == Role.NURSE and role_of(user, world.b) is None
    event = AuditEvent.objects.get(action="staff_create", object_id=str(user.memberships.get().pk))
    assert event.detail == {"role": "nurse"} and event.clinic == world.a


def test_an_unknown_role_or_a_taken_username_is_refused_and_nothing_is_written(world):
    before = (User.objects.count(), Membership.objects.count())
    with pytest.raises(services.AccountError, match="Unknown role 'surgeon'"):
        services.create_staff(clinic=world.a, username="x1", password="pw", role="surgeon", by=world.clinic_admin)
    with pytest.raises(services.AccountError, match="username 'a_nurse' is taken"):
        services.create_staff(clinic=world.a, username="a_nurse", password="pw", role=Role.NURSE, by=world.clinic_admin)
    assert (User.objects.count(), Membership.objects.count()) == before


def test_a_second_membership_gives_a_role_in_another_clinic_only(world):
    services.add_membership(user=world.nurse, clinic=world.b, role=Role.THERAPIST, by=world.clinic_admin)
    assert role_of(world.nurse, world.a) == Role.NURSE
    assert role_of(world.nurse, world.b) == Role.THERAPIST


def test_setting_a_membership_again_changes_the_role_and_reactivates_it(world):
    Membership.objects.filter(user=world.nurse, clinic=world.a).update(active=False)
    assert role_of(world.nurse, world.a) is None
    services.add_membership(user=world.nurse, clinic=world.a, role=Role.PRESCRIBER, by=world.clinic_admin)
    assert Membership.objects.filter(user=world.nurse, clinic=world.a).count() == 1
    assert role_of(world.nurse, world.a) == Role.PRESCRIBER


def test_an_unknown_role_is_refused_for_a_membership(world):
    with pytest.raises(services.AccountError, match="Unknown role"):
        services.add_membership(user=world.nurse, clinic=world.b, role="janitor", by=world.clinic_admin)
    assert role_of(world.nurse, world.b) is None


def test_the_database_refuses_two_memberships_of_one_user_in_one_clinic(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=world.nurse, clinic=world.a, role=Role.THERAPIST)


def test_the_database_refuses_a_role_outside_the_vocabulary(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.filter(user=world.nurse, clinic=world.a).update(role="surgeon")
    assert role_of(world.nurse, world.a) == Role.NURSE


def test_role_of_is_none_for_anonymous_or_missing_users(world):
    assert role_of(None, world.a) is None
    assert role_of(User(username="unsaved"), world.a) is None
    assert role_of(world.nurse, None) is None


def test_staff_with_role_lists_active_staff_of_that_clinic_only(world):
    assert [u.username for u in staff_with_role(world.a, Role.NURSE, Role.PRESCRIBER)] == ["a_nurse", "a_prescriber"]
    User.objects.filter(pk=world.nurse.pk).update(is_active=False)
    assert [u.username for u in staff_with_role(world.a, Role.NURSE)] == []


def test_the_researcher_sees_no_identified_patient_and_the_front_desk_runs_no_session():
    assert Role.RESEARCHER not in roles_with(Perm.VIEW_PATIENTS)
    assert roles_with(Perm.OPEN_SESSIONS) <= roles_with(Perm.VIEW_PATIENTS)
    assert Role.FRONT_DESK in roles_with(Perm.VIEW_PATIENTS) - roles_with(Perm.OPEN_SESSIONS)


def test_a_token_secret_is_shown_once_and_only_its_hash_is_kept(world):
    secret = services.issue_token(user=world.nurse, clinic=world.a, name="  monitor bridge  ", by=world.nurse)
    token = ApiToken.objects.get()
    assert secret.startswith("kc_") and token.prefix == secret[:8] and token.name == "monitor bridge"
    assert token.key_hash == services.hash_token(secret) and secret not in token.key_hash
    assert AuditEvent.objects.filter(action="token_issue", object_id=str(token.pk)).exists()


def test_a_token_needs_a_name(world):
    with pytest.raises(services.AccountError, match="name"):
        services.issue_token(user=world.nurse, clinic=world.a, name="   ", by=world.nurse)
    assert not ApiToken.objects.exists()


def test_revoking_a_token_dates_it_and_audits_it(world):
    services.issue_token(user=world.nurse, clinic=world.a, name="bridge", by=world.nurse)
    token = ApiToken.objects.get()
    services.revoke_token(token=token, by=world.clinic_admin)
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.get(action="token_revoke").actor == world.clinic_admin
