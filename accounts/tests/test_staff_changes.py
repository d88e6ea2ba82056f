"""A clinic admin deactivates staff (sessions and tokens end at once) and resets passwords, audited; step-up first."""

import time

import pytest
from django.test import Client
from django.urls import reverse

from accounts import services
from accounts.models import ApiToken, Membership, User
from audit.models import AuditEvent
from ketacare.testing import PASSWORD, api_caller, totp_now
from toolkit.errors import ServiceError

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "a-fresh-passphrase-42"


def _member(world, role="nurse"):
    return Membership.objects.get(user=world.users[role], clinic=world.a)


def test_deactivation_ends_the_members_sessions_and_tokens_at_once(client_for, world):
    nurse_browser = client_for("nurse")
    assert nurse_browser.get(reverse("home")).status_code == 200
    secret = services.issue_token(user=world.nurse, clinic=world.a, name="script", by=world.nurse)
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    assert Client().get("/api/patients/", **bearer).status_code == 200
    response = client_for("clinic_admin").post(reverse("accounts:member", args=[_member(world).pk]),
                                               {"action": "deactivate", "off-reason": "left the clinic"})
    assert response.status_code == 302
    after = nurse_browser.get(reverse("home"))
    assert after.status_code == 302 and reverse("accounts:login") in after.url
    assert Client().get("/api/patients/", **bearer).status_code == 401
    assert ApiToken.objects.get(user=world.nurse).revoked_at is not None
    event = AuditEvent.objects.get(action="staff_deactivate")
    assert event.actor == world.clinic_admin and event.detail["reason"] == "left the clinic"
    with pytest.raises(services.AccountError):
        services.sign_in(request=None, username="a_nurse", password=PASSWORD)


def test_a_deactivation_without_a_reason_changes_nothing(client_for, world):
    response = client_for("clinic_admin").post(reverse("accounts:member", args=[_member(world).pk]), {"action": "deactivate"})
    assert response.status_code == 400
    assert User.objects.get(pk=world.nurse.pk).is_active and _member(world).active
    assert not AuditEvent.objects.filter(action="staff_deactivate").exists()


def test_an_admin_cannot_deactivate_themself_nor_staff_of_another_clinic(world):
    with pytest.raises(services.AccountError, match="your own account"):
        services.deactivate_staff(user=world.clinic_admin, clinic=world.a, reason="testing myself", by=world.clinic_admin)
    with pytest.raises(services.AccountError):
        services.deactivate_staff(user=world.nurse, clinic=world.b, reason="not mine to end", by=world.b_users["clinic_admin"])
    with pytest.raises(ServiceError, match="does not allow"):
        services.deactivate_staff(user=world.therapist, clinic=world.a, reason="a nurse tries", by=world.nurse)
    assert User.objects.get(pk=world.nurse.pk).is_active


def test_a_member_of_two_clinics_keeps_the_other_clinic(world):
    services.add_membership(user=world.nurse, clinic=world.b, role="nurse", by="test")
    services.deactivate_staff(user=world.nurse, clinic=world.a, reason="moved to clinic B", by=world.clinic_admin)
    assert User.objects.get(pk=world.nurse.pk).is_active
    assert not _member(world).active and Membership.objects.get(user=world.nurse, clinic=world.b).active
    services.reactivate_staff(user=world.nurse, clinic=world.a, by=world.clinic_admin)
    assert _member(world).active and AuditEvent.objects.filter(action="staff_reactivate").exists()


def test_a_password_reset_by_an_admin_ends_sessions_revokes_tokens_and_is_audited(client_for, world):
    nurse_browser = client_for("nurse")
    services.issue_token(user=world.nurse, clinic=world.a, name="script", by=world.nurse)
    response = client_for("clinic_admin").post(reverse("accounts:member", args=[_member(world).pk]),
                                               {"action": "reset_password", "pw-password": NEW_PASSWORD})
    assert response.status_code == 302
    assert nurse_browser.get(reverse("home")).status_code == 302  # the old session ended
    assert ApiToken.objects.get(user=world.nurse).revoked_at is not None
    assert services.sign_in(request=None, username="a_nurse", password=NEW_PASSWORD) == world.nurse
    event = AuditEvent.objects.get(action="password_reset")
    assert event.actor == world.clinic_admin and NEW_PASSWORD not in str(event.detail)


def test_a_weak_reset_password_is_refused_on_the_page(client_for, world):
    response = client_for("clinic_admin").post(reverse("accounts:member", args=[_member(world).pk]),
                                               {"action": "reset_password", "pw-password": "password12"})
    assert response.status_code == 400 and b"too short" in response.content
    assert User.objects.get(pk=world.nurse.pk).check_password(PASSWORD)


def test_the_api_deactivates_and_resets_with_the_same_rules(world):
    call = api_caller(world.clinic_admin, world.a)
    member = _member(world)
    weak = call("POST", f"/accounts/staff/{member.pk}/password", {"password": "1234567890"})
    assert weak.status_code == 400 and "numeric" in weak.json()["fields"]["password"]
    assert call("POST", f"/accounts/staff/{member.pk}/password", {"password": NEW_PASSWORD}).status_code == 200
    off = call("POST", f"/accounts/staff/{member.pk}/deactivate", {"reason": "left the clinic"})
    assert off.status_code == 200 and off.json()["active"] is False
    other = Membership.objects.get(user=world.b_users["nurse"], clinic=world.b)
    assert call("POST", f"/accounts/staff/{other.pk}/deactivate", {"reason": "not mine"}).status_code == 404


def _stale(client):
    session = client.session
    session["auth_at"] = time.time() - 6 * 60
    session.save()


def test_staff_changes_ask_for_a_fresh_proof_after_five_minutes(client_for, world):
    admin = client_for("clinic_admin")
    _stale(admin)
    url = reverse("accounts:member", args=[_member(world).pk])
    response = admin.post(url, {"action": "deactivate", "off-reason": "left the clinic"})
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:reauth"))
    assert User.objects.get(pk=world.nurse.pk).is_active
    assert admin.post(response.url, {"password": PASSWORD, "code": "000000"}).status_code == 400
    confirmed = admin.post(response.url, {"password": PASSWORD, "code": totp_now()})
    assert confirmed.status_code == 302 and confirmed.url == url
    assert admin.post(url, {"action": "deactivate", "off-reason": "left the clinic"}).status_code == 302
    assert not User.objects.get(pk=world.nurse.pk).is_active


def test_ledger_destruction_and_the_browser_api_ask_for_a_fresh_proof(client_for, world):
    officer = client_for("inventory_officer")
    assert officer.get(reverse("inventory:destroy")).status_code == 200
    _stale(officer)
    page = officer.get(reverse("inventory:destroy"))
    assert page.status_code == 302 and page.url.startswith(reverse("accounts:reauth"))
    body = {"container_ids": [1], "method": "incinerated", "place": "back office", "witnesses": []}
    api = officer.post("/api/inventory/destructions", data=body, content_type="application/json")
    assert api.status_code == 403 and "step-up" in api.json()["detail"]
    admin = client_for("clinic_admin")
    _stale(admin)
    create = admin.post("/api/accounts/staff", data={"username": "newbie", "role": "nurse", "password": NEW_PASSWORD},
                        content_type="application/json")
    assert create.status_code == 403 and not User.objects.filter(username="newbie").exists()
