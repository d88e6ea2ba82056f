"""Sign-in checks Argon2 passwords, locks after repeated failures, and logs off idle users."""

import pytest
from django.urls import reverse

from accounts.models import User
from audit.models import AuditEvent
from ketacare.testing import PASSWORD, totp_now

pytestmark = pytest.mark.django_db


def _both_steps(client, username):
    response = client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302 and response.url == reverse("accounts:second_factor")
    return client.post(reverse("accounts:second_factor"), {"code": totp_now()})


def test_prescriber_signs_in_and_lands_on_the_dashboard(client, world):
    response = _both_steps(client, "a_prescriber")
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert AuditEvent.objects.filter(action="login", actor=world.prescriber).exists()


def test_inventory_officer_lands_on_the_ledger(client, world):
    response = _both_steps(client, "a_inventory_officer")
    from accounts.views import landing_url

    assert response.status_code == 302
    assert response.url == landing_url("inventory_officer")


def test_wrong_password_is_refused_with_a_message(client, world):
    response = client.post(reverse("accounts:login"), {"username": "a_nurse", "password": "nope-nope-nope"})
    assert response.status_code == 400
    assert b"Wrong username or password" in response.content


def test_account_locks_after_five_failures_even_with_the_right_password(client, world):
    for _ in range(5):
        client.post(reverse("accounts:login"), {"username": "a_nurse", "password": "wrong-password"})
    assert User.objects.get(username="a_nurse").locked_until is not None
    response = client.post(reverse("accounts:login"), {"username": "a_nurse", "password": PASSWORD})
    assert response.status_code == 400
    assert b"locked" in response.content
    assert AuditEvent.objects.filter(action="account_locked").exists()


def test_idle_session_is_signed_out(client, world):
    client.force_login(world.nurse)
    assert client.get(reverse("home")).status_code == 200
    session = client.session
    session["last_seen"] = session["last_seen"] - 16 * 60
    session.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response.url


def test_argon2_is_the_production_hasher(settings):
    from ketacare import settings as project

    production = [h for h in project.PASSWORD_HASHERS if "MD5" not in h]
    assert production[0].endswith("Argon2PasswordHasher")
