"""TOTP second factor: enrolment needs a right code; sign-in then asks for one; wrong codes count towards lockout."""

import pyotp
import pytest
from django.urls import reverse

from accounts import services
from accounts.models import User
from audit.models import AuditEvent
from ketacare.testing import PASSWORD
from toolkit.errors import ServiceError

pytestmark = pytest.mark.django_db


def _enrol(user):
    secret = services.new_totp_secret()
    services.enable_totp(user=user, secret=secret, code=pyotp.TOTP(secret).now(), by=user)
    return secret


def test_enrolment_refuses_a_wrong_code_and_stores_nothing(world):
    secret = services.new_totp_secret()
    with pytest.raises(ServiceError, match="does not match"):
        services.enable_totp(user=world.nurse, secret=secret, code="000000" if pyotp.TOTP(secret).now() != "000000" else "111111", by=world.nurse)
    assert User.objects.get(pk=world.nurse.pk).totp_secret == ""


def test_sign_in_asks_for_the_code_once_enrolled(client, world):
    secret = _enrol(world.nurse)
    assert AuditEvent.objects.filter(action="totp_enable").exists()
    response = client.post(reverse("accounts:login"), {"username": "a_nurse", "password": PASSWORD})
    assert response.status_code == 302 and response.url == reverse("accounts:second_factor")
    assert client.get(reverse("home")).status_code == 302  # not signed in yet
    response = client.post(reverse("accounts:second_factor"), {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302 and response.url == reverse("home")
    assert client.get(reverse("home")).status_code == 200


def test_wrong_codes_count_towards_the_lockout(client, world):
    secret = _enrol(world.nurse)
    wrong = "123456" if pyotp.TOTP(secret).now() != "123456" else "654321"
    client.post(reverse("accounts:login"), {"username": "a_nurse", "password": PASSWORD})
    for _ in range(4):
        response = client.post(reverse("accounts:second_factor"), {"code": wrong})
        assert response.status_code == 400
    response = client.post(reverse("accounts:second_factor"), {"code": wrong})  # the fifth locks and ends the sign-in
    assert response.status_code == 302 and response.url == reverse("accounts:login")
    assert User.objects.get(pk=world.nurse.pk).locked_until is not None


def test_the_code_page_without_a_password_step_goes_back_to_sign_in(client, world):
    response = client.get(reverse("accounts:second_factor"))
    assert response.status_code == 302 and response.url == reverse("accounts:login")
