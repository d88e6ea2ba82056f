"""Account pages: choosing a clinic among one's memberships, the settings form, tokens only their owner revokes."""

import pytest
from django.test import Client

from accounts import services
from accounts.choices import Role
from accounts.models import ApiToken, Clinic

pytestmark = pytest.mark.django_db


def test_a_user_may_choose_only_a_clinic_they_belong_to(client_for, world):
    services.add_membership(user=world.nurse, clinic=world.b, role=Role.THERAPIST, by=world.clinic_admin)
    other = services.create_clinic(name="Clinic C", slug="clinic-c", by="test")
    client = client_for("nurse")
    refused = client.post("/accounts/clinic/", {"clinic_id": str(other.pk)}, follow=True)
    assert "not a member of that clinic" in refused.content.decode()
    assert client.session.get("clinic_id") != other.pk
    chosen = client.post("/accounts/clinic/", {"clinic_id": str(world.b.pk)})
    assert chosen.status_code == 302 and client.session["clinic_id"] == world.b.pk


def test_the_settings_page_saves_nothing_when_one_value_is_refused(client_for, world):
    response = client_for("clinic_admin").post("/accounts/settings/", {"lockout_failures": "99", "idle_timeout_min": "20"})
    assert response.status_code == 400 and "at most 20" in response.content.decode()
    assert Clinic.objects.get(pk=world.a.pk).policy == {}


def test_the_settings_page_stores_list_settings_one_per_line(client_for, world):
    response = client_for("clinic_admin").post("/accounts/settings/", {
        "relative_contraindications": ["sud: Substance use disorder", "htn: Hypertension"]})
    assert response.status_code == 302
    stored = Clinic.objects.get(pk=world.a.pk).policy["relative_contraindications"]
    assert stored == ["sud: Substance use disorder", "htn: Hypertension"]


def test_a_taken_username_is_shown_on_the_staff_form(client_for, world):
    response = client_for("clinic_admin").post("/accounts/staff/", {
        "username": "a_nurse", "password": "long-enough-pass-1", "role": "nurse"})
    assert response.status_code == 400 and "is taken" in response.content.decode()


def test_a_token_is_revoked_only_by_its_owner_and_only_by_post(client_for, world):
    services.issue_token(user=world.nurse, clinic=world.a, name="bridge", by=world.nurse)
    token = ApiToken.objects.get()
    assert client_for("prescriber").post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 404
    owner = client_for("nurse")
    assert owner.get(f"/accounts/tokens/{token.pk}/revoke/").status_code == 405
    assert owner.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_a_revoked_token_no_longer_signs_in(world):
    secret = services.issue_token(user=world.clinic_admin, clinic=world.a, name="script", by=world.clinic_admin)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert client.get("/api/accounts/policy").status_code == 200
    services.revoke_token(token=ApiToken.objects.get(), by=world.clinic_admin)
    assert client.get("/api/accounts/policy").status_code == 401
