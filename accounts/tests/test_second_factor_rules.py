"""Second factor a clinic requires: lockout ends the pending sign-in, enrolment first, recovery codes, turning off."""

import time

import pyotp
import pytest
from django.test import Client
from django.urls import reverse

from accounts import services
from accounts.models import Passkey, RecoveryCode, User
from audit.models import AuditEvent
from ketacare.testing import PASSWORD, TOTP_SECRET, enrol, totp_now

pytestmark = pytest.mark.django_db


def _wrong() -> str:
    """A 6-digit code the personas' app does not show now (nor 30 s either side)."""
    totp, now = pyotp.TOTP(TOTP_SECRET), time.time()
    right = {totp.at(now + d) for d in (-30, 0, 30)}
    return next(c for c in ("123456", "654321", "111111") if c not in right)


def _password_step(client: Client, username: str) -> None:
    response = client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302 and response.url == reverse("accounts:second_factor")


def test_a_brute_force_of_the_code_fails_after_the_lockout_even_with_the_right_code(world):
    client = Client()
    _password_step(client, "a_prescriber")
    for _ in range(4):
        assert client.post(reverse("accounts:second_factor"), {"code": _wrong()}).status_code == 400
    ended = client.post(reverse("accounts:second_factor"), {"code": _wrong()})
    assert ended.status_code == 302 and ended.url == reverse("accounts:login")
    right = client.post(reverse("accounts:second_factor"), {"code": totp_now()})  # the right code, on the same session
    assert right.status_code == 302 and right.url == reverse("accounts:login")
    assert client.get(reverse("home")).status_code == 302  # never signed in
    assert "_auth_user_id" not in client.session
    assert User.objects.get(pk=world.prescriber.pk).locked_until is not None
    assert not AuditEvent.objects.filter(action="login_second_factor", actor=world.prescriber).exists()
    again = client.post(reverse("accounts:login"), {"username": "a_prescriber", "password": PASSWORD})
    assert again.status_code == 400  # the password step is refused too while locked


def test_the_service_refuses_the_right_code_for_a_locked_account(world):
    from datetime import UTC, datetime, timedelta

    User.objects.filter(pk=world.prescriber.pk).update(locked_until=datetime.now(UTC) + timedelta(minutes=10))
    with pytest.raises(services.SignInEnded):
        services.check_second_factor(user=world.prescriber, code=totp_now())


def test_a_pending_sign_in_expires_after_five_minutes(world):
    client = Client()
    _password_step(client, "a_prescriber")
    session = client.session
    session["pending_at"] -= 5 * 60 + 1
    session.save()
    response = client.post(reverse("accounts:second_factor"), {"code": totp_now()})
    assert response.status_code == 302 and response.url == reverse("accounts:login")
    assert client.get(reverse("home")).status_code == 302


def test_a_required_role_without_a_factor_is_sent_to_enrolment_before_anything_else(world):
    newbie = services.create_staff(clinic=world.a, username="new_prescriber", password=PASSWORD, role="prescriber", by="test")
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": "new_prescriber", "password": PASSWORD})
    assert response.status_code == 302 and response.url == reverse("accounts:two_factor")
    for url in (reverse("home"), reverse("accounts:tokens"), "/patients/", reverse("accounts:reauth")):
        got = client.get(url)
        assert got.status_code == 302 and got.url == reverse("accounts:two_factor"), url
    assert client.get("/api/accounts/staff").status_code == 403
    assert client.get("/api/patients/").status_code == 403
    page = client.get(reverse("accounts:two_factor"))
    assert page.status_code == 200 and b"asks your role to use two-step" in page.content
    secret = client.session["totp_pending"]
    done = client.post(reverse("accounts:two_factor"), {"action": "enable_totp", "totp-code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200 and b"recovery codes" in done.content
    assert RecoveryCode.objects.filter(user=newbie, used_at__isnull=True).count() == 10
    assert client.get(reverse("home")).status_code == 200


def test_a_token_of_a_required_role_without_a_factor_does_not_work(world):
    newbie = services.create_staff(clinic=world.a, username="new_officer", password=PASSWORD, role="inventory_officer", by="test")
    secret = services.issue_token(user=newbie, clinic=world.a, name="script", by=newbie)
    response = Client().get("/api/inventory/balances", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 401
    enrol(newbie)
    assert Client().get("/api/inventory/balances", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200


def test_a_role_the_clinic_does_not_list_is_not_sent_to_enrolment(client_for, world):
    assert client_for("nurse").get(reverse("home")).status_code == 200


def test_the_clinic_names_the_roles_that_must_use_a_second_factor(client_for, world):
    assert services.update_policy(clinic=world.a, values={"second_factor_roles": ["nurse", "prescriber"]},
                                  by=world.clinic_admin) == {}
    got = client_for("nurse").get(reverse("home"))
    assert got.status_code == 302 and got.url == reverse("accounts:two_factor")
    refused = services.update_policy(clinic=world.a, values={"second_factor_roles": ["nurse", "janitor"]}, by=world.clinic_admin)
    assert "janitor" in refused["second_factor_roles"]


def test_a_recovery_code_signs_in_once(world):
    codes = services.new_recovery_codes(user=world.prescriber, by=world.prescriber)
    client = Client()
    _password_step(client, "a_prescriber")
    assert client.post(reverse("accounts:second_factor"), {"code": codes[0]}).url == reverse("home")
    other = Client()
    _password_step(other, "a_prescriber")
    assert other.post(reverse("accounts:second_factor"), {"code": codes[0]}).status_code == 400
    assert AuditEvent.objects.filter(action="login_second_factor", detail__factor="recovery").count() == 1


def test_turning_the_app_off_on_the_page_needs_the_password_and_a_current_code(client_for, world):
    client = client_for("prescriber")
    no_code = client.post(reverse("accounts:two_factor"), {"action": "disable_totp", "off-password": PASSWORD, "off-code": _wrong()})
    assert no_code.status_code == 400
    no_password = client.post(reverse("accounts:two_factor"), {"action": "disable_totp", "off-password": "wrong-one-here",
                                                               "off-code": totp_now()})
    assert no_password.status_code == 400
    assert User.objects.get(pk=world.prescriber.pk).totp_secret == TOTP_SECRET
    done = client.post(reverse("accounts:two_factor"), {"action": "disable_totp", "off-password": PASSWORD, "off-code": totp_now()})
    assert done.status_code == 302
    assert User.objects.get(pk=world.prescriber.pk).totp_secret == ""
    assert client.get(reverse("home")).url == reverse("accounts:two_factor")  # a required role: enrol again


def test_a_clinic_admin_resets_a_lost_factor_audited_and_the_member_enrols_again(client_for, world):
    member = world.prescriber.memberships.get(clinic=world.a)
    response = client_for("clinic_admin").post(reverse("accounts:member", args=[member.pk]), {"action": "reset_second_factor"})
    assert response.status_code == 302
    assert User.objects.get(pk=world.prescriber.pk).totp_secret == ""
    event = AuditEvent.objects.get(action="second_factor_reset")
    assert event.actor == world.clinic_admin
    assert client_for("prescriber").get(reverse("home")).url == reverse("accounts:two_factor")


def test_a_clinic_admin_of_another_clinic_cannot_reset_a_factor(client_for, world):
    member = world.prescriber.memberships.get(clinic=world.a)
    other = client_for(world.b_users["clinic_admin"])
    assert other.post(reverse("accounts:member", args=[member.pk]), {"action": "reset_second_factor"}).status_code == 404
    with pytest.raises(services.AccountError):
        services.reset_second_factor(user=world.prescriber, clinic=world.b, by=world.b_users["clinic_admin"])
    assert User.objects.get(pk=world.prescriber.pk).totp_secret == TOTP_SECRET


def test_a_forged_passkey_answer_is_refused_and_counts_as_a_failure(world):
    Passkey.objects.create(user=world.nurse, name="key", credential_id=b"abc", credential_id_b64="YWJj", public_key=b"x")
    with pytest.raises(services.AccountError, match="not accepted"):
        services.check_passkey(user=world.nurse, credential='{"id": "YWJj", "rawId": "YWJj", "type": "public-key"}',
                               challenge="AAAA", origin="http://localhost", rp_id="localhost")
    assert User.objects.get(pk=world.nurse.pk).failed_logins == 1


def test_passkey_options_need_a_pending_sign_in_or_a_signed_in_user(client, world):
    assert client.post(reverse("accounts:passkey_options"), {"purpose": "sign_in"}).status_code == 400
    assert client.post(reverse("accounts:passkey_options"), {"purpose": "register"}).status_code == 400
    assert client.get(reverse("accounts:passkey_options")).status_code == 405
    _password_step(client, "a_prescriber")
    assert client.post(reverse("accounts:passkey_options"), {"purpose": "sign_in"}).status_code == 400  # no passkey yet


def test_registration_options_name_the_relying_party_and_exclude_known_keys(client_for, world):
    import json

    client = client_for("nurse")
    options = json.loads(client.post(reverse("accounts:passkey_options"), {"purpose": "register"}).content)
    assert options["rp"]["id"] == "testserver" and options["user"]["name"] == "a_nurse"
    assert client.session["webauthn_challenge"] == options["challenge"]
