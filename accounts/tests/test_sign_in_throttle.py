"""One answer for every refused sign-in; lockout by account and by client address, with backoff for the address."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts import services
from accounts.models import AddressThrottle, User
from ketacare.testing import PASSWORD

pytestmark = pytest.mark.django_db
OUTSIDER, CLINIC_PC = "203.0.113.66", "198.51.100.7"


def _page(username: str, password: str, address: str = "192.0.2.1") -> tuple[int, str]:
    response = Client(REMOTE_ADDR=address).post(reverse("accounts:login"), {"username": username, "password": password})
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())  # a fresh token each time
    body = re.sub(r'"X-CSRFToken": "[^"]+"', "", body)
    return response.status_code, body.replace(username, "USER")


def test_an_unknown_user_a_wrong_password_and_a_locked_account_get_the_same_answer(world):
    unknown = _page("nobody_at_all", "wrong-password-1")
    wrong = _page("a_nurse", "wrong-password-1")
    User.objects.filter(pk=world.therapist.pk).update(locked_until=datetime.now(UTC) + timedelta(minutes=10))
    locked = _page("a_therapist", PASSWORD)
    assert unknown == wrong == locked
    assert unknown[0] == 400


def _attempt(address: str, username: str, password: str) -> str | None:
    request = RequestFactory().post("/accounts/sign-in/", REMOTE_ADDR=address)
    try:
        services.sign_in(request=request, username=username, password=password)
    except services.AccountError as exc:
        return exc.message
    return None


def test_an_address_locks_after_its_failures_whatever_the_usernames_and_others_are_not_affected(world, settings):
    settings.KETACARE_ADDRESS_LOCKOUT_FAILURES = 6
    for n in range(6):
        _attempt(OUTSIDER, f"guess_{n}", "wrong-password")
    assert "this network address" in (_attempt(OUTSIDER, "a_nurse", PASSWORD) or "")
    assert _attempt(CLINIC_PC, "a_nurse", PASSWORD) is None


def test_an_outsider_cannot_keep_a_clinician_locked_out(world, settings):
    settings.KETACARE_ADDRESS_LOCKOUT_FAILURES = 5
    for _ in range(5):
        _attempt(OUTSIDER, "a_nurse", "wrong-password")
    nurse = User.objects.get(pk=world.nurse.pk)
    assert nurse.locked_until is not None  # the account lock: fixed length
    account_lock = nurse.locked_until
    outsider = AddressThrottle.objects.get(address=OUTSIDER)
    assert outsider.locked_until is not None and outsider.locked_until >= account_lock
    for _ in range(50):  # the outsider keeps trying: refused at the address, never counted against the account
        _attempt(OUTSIDER, "a_nurse", "wrong-password")
    assert User.objects.get(pk=world.nurse.pk).locked_until == account_lock
    assert User.objects.get(pk=world.nurse.pk).failed_logins == 0
    # The account lock ends; the clinician signs in from the clinic while the outsider is still locked out.
    User.objects.filter(pk=world.nurse.pk).update(locked_until=datetime.now(UTC) - timedelta(seconds=1))
    assert _attempt(CLINIC_PC, "a_nurse", PASSWORD) is None
    assert "this network address" in (_attempt(OUTSIDER, "a_nurse", PASSWORD) or "")


def test_each_repeated_lockout_of_an_address_doubles_its_length(world, settings):
    settings.KETACARE_ADDRESS_LOCKOUT_FAILURES = 3
    lengths = []
    for _ in range(3):
        for _ in range(3):
            _attempt(OUTSIDER, "nobody", "wrong-password")
        throttle = AddressThrottle.objects.get(address=OUTSIDER)
        assert throttle.locked_until is not None and throttle.last_failure_at is not None
        lengths.append(round((throttle.locked_until - throttle.last_failure_at) / timedelta(minutes=1)))
        AddressThrottle.objects.filter(pk=throttle.pk).update(locked_until=datetime.now(UTC) - timedelta(seconds=1))
    assert lengths == [15, 30, 60]
