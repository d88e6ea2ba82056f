"""In Chromium with a virtual authenticator (CDP WebAuthn domain): enrol a passkey when the clinic requires it, sign in with it."""

import pytest
from django.urls import reverse

from accounts import services
from accounts.models import Passkey
from audit.models import AuditEvent
from ketacare.testing import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _virtual_authenticator(page):
    """A software security key in this page's browser context (user presence and verification succeed)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    found = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "usb", "hasResidentKey": True, "hasUserVerification": True,
        "isUserVerified": True, "automaticPresenceSimulation": True}})
    return cdp, found["authenticatorId"]


def _password_step(page, username):
    page.goto("/accounts/sign-in/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")


def test_a_required_role_enrols_a_passkey_and_signs_in_with_it(world, page, live_server):
    user = services.create_staff(clinic=world.a, username="keyholder", password=PASSWORD, role="prescriber",
                                 first_name="Kim", last_name="Keys", by="test")
    cdp, authenticator = _virtual_authenticator(page)
    _password_step(page, "keyholder")
    assert page.url.endswith(reverse("accounts:two_factor"))  # enrolment before anything else
    page.goto("/")
    assert page.url.endswith(reverse("accounts:two_factor"))
    page.fill("#id_passkey-name", "blue security key")
    with page.expect_navigation():
        page.get_by_role("button", name="Add a passkey or security key").click()
    assert page.locator("#recovery-codes code").count() == 10
    assert Passkey.objects.filter(user=user, name="blue security key").count() == 1
    assert len(cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]) == 1
    page.goto("/")
    assert page.url == live_server.url + reverse("home")  # enrolled: the pages open
    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()

    _password_step(page, "keyholder")
    assert page.url.endswith(reverse("accounts:second_factor"))
    with page.expect_navigation():
        page.get_by_role("button", name="Use passkey or security key").click()
    assert page.url.endswith(reverse("home"))
    assert page.get_by_role("button", name="Sign out").is_visible()
    assert AuditEvent.objects.filter(action="login_second_factor", actor=user, detail__factor="passkey").exists()
    assert Passkey.objects.get(user=user).last_used_at is not None

