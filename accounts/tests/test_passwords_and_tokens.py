"""Password policy everywhere a password is set; API tokens expire, are shown once, hashed, revoked on lock."""

import io
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts import services
from accounts.models import ApiToken, User
from ketacare.testing import PASSWORD, api_caller

pytestmark = pytest.mark.django_db
WEAK = ["1234567890", "password12", "aaaaaaaaaa", "short-pw", "aaaaaaaaaaaaaaaa", "abababababababab", "a_newcomer_1"]


@pytest.mark.parametrize("password", WEAK)
def test_the_service_refuses_a_weak_password_and_creates_nobody(world, password):
    with pytest.raises(services.AccountError, match="That password is refused"):
        services.create_staff(clinic=world.a, username="a_newcomer", password=password, role="nurse", by=world.clinic_admin)
    assert not User.objects.filter(username="a_newcomer").exists()


@pytest.mark.parametrize("password", ["1234567890", "password12", "aaaaaaaaaa"])
def test_the_staff_form_refuses_a_weak_password_with_the_reasons(client_for, world, password):
    response = client_for("clinic_admin").post(reverse("accounts:staff"), {"username": "newbie", "role": "nurse", "password": password})
    assert response.status_code == 400 and b"too short" in response.content
    assert not User.objects.filter(username="newbie").exists()


@pytest.mark.parametrize("password", ["1234567890", "password12", "aaaaaaaaaa"])
def test_the_api_refuses_a_weak_password_with_the_reasons(world, password):
    call = api_caller(world.clinic_admin, world.a)
    response = call("POST", "/accounts/staff", {"username": "newbie", "role": "nurse", "password": password})
    assert response.status_code == 400 and "too short" in response.json()["fields"]["password"]
    assert not User.objects.filter(username="newbie").exists()


def test_a_password_of_one_or_two_repeated_characters_is_refused_whatever_its_length(world):
    with pytest.raises(services.AccountError, match="at least 5 different characters"):
        services.create_staff(clinic=world.a, username="n0", password="xyxyxyxyxyxyxyxyxy", role="nurse", by="test")


def test_the_numeric_and_common_rules_apply_beyond_the_length(world):
    with pytest.raises(services.AccountError, match="entirely numeric"):
        services.create_staff(clinic=world.a, username="n1", password="123456789012345", role="nurse", by="test")
    with pytest.raises(services.AccountError, match="too common"):
        services.create_staff(clinic=world.a, username="n2", password="qwerty123456", role="nurse", by="test")


@pytest.mark.parametrize("password", ["1234567890", "password12", "aaaaaaaaaa"])
def test_an_admin_reset_refuses_a_weak_password_and_keeps_the_old_one(world, password):
    with pytest.raises(services.AccountError, match="That password is refused"):
        services.reset_password(user=world.nurse, clinic=world.a, password=password, by=world.clinic_admin)
    assert User.objects.get(pk=world.nurse.pk).check_password(PASSWORD)


def test_the_cli_refuses_a_weak_password_and_adds_with_a_good_one(world, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("password12\n"))
    with pytest.raises(SystemExit):
        call_command("staff", "add", "--clinic", "clinic-a", "--username", "cli_nurse", "--role", "nurse", "--password-stdin",
                     stderr=io.StringIO())
    assert not User.objects.filter(username="cli_nurse").exists()
    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-enough-passphrase\n"))
    call_command("staff", "add", "--clinic", "clinic-a", "--username", "cli_nurse", "--role", "nurse", "--password-stdin",
                 stdout=io.StringIO())
    assert User.objects.get(username="cli_nurse").check_password("a-long-enough-passphrase")


def test_a_token_is_stored_hashed_shown_once_and_expires_after_the_clinic_setting(client_for, world):
    services.update_policy(clinic=world.a, values={"token_days": "30"}, by=world.clinic_admin)
    client = client_for("nurse")
    created = client.post(reverse("accounts:tokens"), {"name": "script"})
    token = ApiToken.objects.get(user=world.nurse)
    secret = created.content.decode().split('id="new-token">')[1].split("<")[0]
    assert token.key_hash != secret and secret not in str(list(ApiToken.objects.values()))
    assert secret not in client.get(reverse("accounts:tokens")).content.decode()  # shown once
    assert token.expires_at is not None
    days = (token.expires_at - token.created_at) / timedelta(days=1)
    assert 29.99 < days < 30.01
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    assert Client().get("/api/patients/", **bearer).status_code == 200
    assert Client().get("/fhir/Patient", **bearer).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    assert Client().get("/api/patients/", **bearer).status_code == 401
    assert Client().get("/fhir/Patient", **bearer).status_code == 401  # FHIR takes the same tokens, with the same check


def test_a_lockout_revokes_the_accounts_tokens(world):
    secret = services.issue_token(user=world.nurse, clinic=world.a, name="script", by=world.nurse)
    for _ in range(5):
        with pytest.raises(services.AccountError):
            services.sign_in(request=None, username="a_nurse", password="wrong-password")
    assert ApiToken.objects.get(user=world.nurse).revoked_at is not None
    assert Client().get("/api/patients/", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401
