"""Bad input on forms and API routes gets a clear message and writes nothing; never a 500."""

import json
from decimal import Decimal

import pytest

from accounts import services as accounts
from audit.models import AuditEvent
from ketacare.testing import make_eligible_patient, make_patient
from patients.models import Patient
from therapy.models import IntegrationSession

pytestmark = pytest.mark.django_db

GOOD = {"mrn": "API-1", "given_name": "Api", "family_name": "Patient", "date_of_birth": "1980-01-01", "sex": "male",
        "weight_kg": "80.0", "height_cm": "180.0"}


@pytest.fixture
def api(client, world):
    token = accounts.issue_token(user=world.front_desk, clinic=world.a, name="t", by="test")

    def call(method, path, body=None, raw=None, token_for=None):
        auth = token_for or token
        data = raw if raw is not None else json.dumps(body or {})
        return client.generic(method, path, data=data, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {auth}")

    return call


def test_api_creates_a_patient_with_good_input(api):
    r = api("POST", "/api/patients/", GOOD)
    assert r.status_code == 201, r.content
    assert r.json()["mrn"] == "API-1"


@pytest.mark.parametrize(("change", "status"), [
    ({"weight_kg": "900"}, 400), ({"weight_kg": "-5"}, 400), ({"weight_kg": "eighty"}, 422),
    ({"date_of_birth": "1980-13-45"}, 422), ({"sex": "robot"}, 422), ({"mrn": ""}, 422),
    ({"diagnosis_code": "F99"}, 422), ({"date_of_birth": "2999-01-01"}, 400), ({"given_name": 12}, 422),
])
def test_api_refuses_bad_patient_input_and_writes_nothing(api, change, status):
    before = (Patient.objects.count(), AuditEvent.objects.count())
    r = api("POST", "/api/patients/", {**GOOD, **change})
    assert r.status_code == status, r.content
    assert r.json()["detail"]
    assert (Patient.objects.count(), AuditEvent.objects.count()) == before


def test_api_refuses_a_body_that_is_not_json(api):
    r = api("POST", "/api/patients/", raw="{not json")
    assert r.status_code in (400, 422)
    assert Patient.objects.count() == 0


def test_oversized_bodies_are_refused_before_reading(api):
    r = api("POST", "/api/patients/", raw="x" * 1_500_000)
    assert r.status_code == 413
    assert "limit" in r.json()["detail"]


def test_unknown_ids_get_404_not_500(api, world):
    assert api("GET", "/api/patients/999999").status_code == 404
    assert api("GET", "/api/patients/abc").status_code == 404


def test_form_with_out_of_range_weight_rerenders_with_the_message(client_for, world):
    c = client_for("front_desk")
    r = c.post("/patients/new/", {**GOOD, "weight_kg": "400"})
    assert r.status_code == 400
    assert b"Weight must be between 30 and 350 kg." in r.content
    assert Patient.objects.count() == 0


def test_therapy_session_in_the_future_is_refused(client_for, world):
    patient = make_patient(world)
    r = client_for("therapist").post(f"/therapy/record/{patient.pk}/", {
        "held_on": "2999-01-01", "duration_min": "50", "modality": "individual", "timing": "integration"})
    assert r.status_code == 400
    assert IntegrationSession.objects.count() == 0


def test_therapy_cannot_link_another_patients_infusion(client_for, world):
    from datetime import timedelta

    from django.utils import timezone

    from ketacare.testing import make_session

    session = make_session(world, timezone.now() + timedelta(days=2))
    other = make_eligible_patient(world, mrn="OTHER-9")
    r = client_for("therapist").post(f"/therapy/record/{other.pk}/", {
        "held_on": timezone.localdate().isoformat(), "duration_min": "50", "modality": "individual",
        "timing": "integration", "infusions": [str(session.pk)]})
    assert r.status_code == 400
    assert IntegrationSession.objects.count() == 0


def test_clinic_settings_refuse_out_of_range_values_and_save_nothing(client_for, world):
    r = client_for("clinic_admin").post("/accounts/settings/", {"idle_timeout_min": "0", "min_failed_trials": "2"})
    assert r.status_code == 400
    world.a.refresh_from_db()
    assert world.a.policy == {}


def test_api_covers_intake_history_and_edits(api, world):
    pid = api("POST", "/api/patients/", GOOD).json()["id"]
    assert api("POST", f"/api/patients/{pid}/trauma", {"kind": "combat", "year": 2010}).status_code == 201
    assert api("POST", f"/api/patients/{pid}/medications", {"name": "sertraline", "dose": "100 mg"}).status_code == 201
    r = api("PATCH", f"/api/patients/{pid}", {"weight_kg": "82.5"})
    assert r.status_code == 200 and r.json()["weight_kg"] == "82.5"
    assert api("PATCH", f"/api/patients/{pid}", {"weight_kg": "8.5"}).status_code == 400
    assert Patient.objects.get(pk=pid).weight_kg == Decimal("82.5")


def test_clinic_admin_changes_policy_through_the_api_all_or_nothing(client, world):
    token = accounts.issue_token(user=world.clinic_admin, clinic=world.a, name="t", by="test")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    r = client.patch("/api/accounts/policy", data=json.dumps({"idle_timeout_min": 20, "min_failed_trials": 99}),
                     content_type="application/json", **auth)
    assert r.status_code == 400 and "min_failed_trials" in r.json()["fields"]
    world.a.refresh_from_db()
    assert world.a.policy == {}
    r = client.patch("/api/accounts/policy", data=json.dumps({"idle_timeout_min": 20}), content_type="application/json", **auth)
    assert r.status_code == 200 and r.json()["idle_timeout_min"] == 20
