"""Sign-in rules in the service: failures counted per clinic policy, lockout, reset on success, TOTP codes."""

from datetime import UTC, datetime, timedelta

import pyotp
import pytest

from accounts import services
from accounts.models import User
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"


def _fail(username, times=1):
    for _ in range(times):
        with pytest.raises(services.AccountError, match="Wrong username or password"):
            services.sign_in(request=None, username=username, password="wrong")


def test_a_right_password_signs_in_resets_the_failure_count_and_is_audited(world):
    _fail("a_nurse", 2)
    assert User.objects.get(username="a_nurse").failed_logins == 2
    user = services.sign_in(request=None, username="a_nurse", password=PASSWORD)
    assert user == world.nurse and User.objects.get(pk=user.pk).failed_logins == 0
    assert AuditEvent.objects.filter(action="login", actor=world.nurse).count() == 1
    assert AuditEvent.objects.filter(action="login_failed").count() == 2


def test_the_clinics_lockout_policy_sets_the_number_of_failures(world):
    assert services.update_policy(clinic=world.a, values={"lockout_failures": "3", "lockout_minutes": "30"},
                                  by=world.clinic_admin) == {}
    _fail("a_nurse", 3)
    locked = User.objects.get(username="a_nurse")
    assert locked.locked_until is not None and locked.failed_logins == 0
    minutes = (locked.locked_until - datetime.now(UTC)) / timedelta(minutes=1)
    assert 29 < minutes <= 30
    assert AuditEvent.objects.get(action="account_locked").detail == {"minutes": 30}


def test_a_locked_account_is_refused_even_with_the_right_password_until_the_lock_ends(world):
    User.objects.filter(pk=world.nurse.pk).update(locked_until=datetime.now(UTC) + timedelta(minutes=5))
    with pytest.raises(services.AccountError, match="locked"):
        services.sign_in(request=None, username="a_nurse", password=PASSWORD)
    assert AuditEvent.objects.filter(action="login_refused_locked").count() == 1
    User.objects.filter(pk=world.nurse.pk).update(locked_until=datetime.now(UTC) - timedelta(seconds=1))
    assert services.sign_in(request=None, username="a_nurse", password=PASSWORD) == world.nurse


def test_an_unknown_username_is_refused_like_a_wrong_password_and_audited(world):
    _fail("nobody_here")
    assert AuditEvent.objects.filter(action="login_failed").count() == 1
    assert not User.objects.filter(username="nobody_here").exists()


def test_a_second_factor_is_enabled_only_with_the_current_code(world):
    secret = services.new_totp_secret()
    with pytest.raises(services.AccountError, match="does not match"):
        services.enable_totp(user=world.nurse, secret=secret, code="000000", by=world.nurse)
    assert User.objects.get(pk=world.nurse.pk).totp_secret == ""
    services.enable_totp(user=world.nurse, secret=secret, code=pyotp.TOTP(secret).now(), by=world.nurse)
    assert User.objects.get(pk=world.nurse.pk).totp_secret == secret
    assert services.totp_uri(user=world.nurse, secret=secret).startswith("otpauth://totp/KetaCare:a_nurse")


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef"])
def test_a_malformed_code_is_a_failed_sign_in(world, code):
    secret = services.new_totp_secret()
    User.objects.filter(pk=world.nurse.pk).update(totp_secret=secret)
    world.nurse.totp_secret = secret
    with pytest.raises(services.AccountError, match="Wrong or expired code"):
        services.check_second_factor(user=world.nurse, code=code)
    assert User.objects.get(pk=world.nurse.pk).failed_logins == 1


def test_a_code_with_spaces_is_accepted_and_disabling_clears_the_secret(world):
    secret = services.new_totp_secret()
    services.enable_totp(user=world.nurse, secret=secret, code=pyotp.TOTP(secret).now(), by=world.nurse)
    code = pyotp.TOTP(secret).now()
    services.check_second_factor(user=world.nurse, code=f"{code[:3]} {code[3:]}")
    assert AuditEvent.objects.filter(action="login_second_factor").count() == 1
    with pytest.raises(services.AccountError, match="Wrong password"):
        services.disable_totp(user=world.nurse, password="not-the-password", code=pyotp.TOTP(secret).now(), by=world.nurse)
    with pytest.raises(services.AccountError, match="current code"):
        services.disable_totp(user=world.nurse, password=PASSWORD, code="", by=world.nurse)
    assert User.objects.get(pk=world.nurse.pk).totp_secret == secret
    services.disable_totp(user=world.nurse, password=PASSWORD, code=pyotp.TOTP(secret).now(), by=world.nurse)
    assert User.objects.get(pk=world.nurse.pk).totp_secret == ""
