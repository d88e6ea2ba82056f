"""The referral transaction: creates or updates the patient at intake, all or nothing, every problem named."""

import json

import pytest
from django.test import Client

from accounts import services as accounts
from audit.models import AuditEvent
from interop.fhir.codes import mrn_system
from patients.models import CurrentMedication, Patient

from .fhir_checks import assert_valid

pytestmark = pytest.mark.django_db


def referral(slug, mrn="R-100", **patient_extra):
    patient = {"resourceType": "Patient", "identifier": [{"system": mrn_system(slug), "value": mrn}],
               "name": [{"family": "Referred", "given": ["Robin"]}], "gender": "female", "birthDate": "1979-03-04",
               "telecom": [{"system": "phone", "value": "202-555-0199"}], **patient_extra}
    subject = {"reference": "urn:uuid:6f1c1bde-7e39-4c7b-a1d5-1d7c6a3f0001"}
    return {"resourceType": "Bundle", "type": "transaction", "entry": [
        {"fullUrl": subject["reference"], "resource": patient,
         "request": {"method": "PUT", "url": f"Patient?identifier={mrn_system(slug)}|{mrn}"}},
        {"resource": {"resourceType": "Condition", "subject": subject, "code": {"coding": [
            {"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "F43.12"},
            {"system": "http://snomed.info/sct", "code": "47505003"}]}}, "request": {"method": "POST", "url": "Condition"}},
        {"resource": {"resourceType": "MedicationStatement", "status": "active", "subject": subject,
                      "medicationCodeableConcept": {"text": "sertraline"}, "dosage": [{"text": "100 mg daily"}]},
         "request": {"method": "POST", "url": "MedicationStatement"}},
        {"resource": {"resourceType": "AllergyIntolerance", "patient": subject, "code": {"text": "penicillin"},
                      "reaction": [{"manifestation": [{"text": "rash"}], "severity": "moderate"}]},
         "request": {"method": "POST", "url": "AllergyIntolerance"}},
    ]}


@pytest.fixture
def desk(world):
    return accounts.issue_token(user=world.users["front_desk"], clinic=world.a, name="referrals", by="test")


def post(token, bundle):
    return Client().post("/fhir/", json.dumps(bundle), content_type="application/fhir+json",
                         HTTP_AUTHORIZATION=f"Bearer {token}")


def test_a_referral_creates_the_patient_then_updates_it_by_mrn(world, desk):
    response = post(desk, referral(world.a.slug))
    assert response.status_code == 200, response.content
    answer = response.json()
    assert answer["type"] == "transaction-response" and answer["entry"][0]["response"]["status"] == "201 Created"
    patient = Patient.objects.get(clinic=world.a, mrn="R-100")
    assert (patient.family_name, patient.diagnosis_code, patient.phone) == ("Referred", "F43.12", "+12025550199")
    assert [(m.name, m.dose) for m in patient.current_medications.all()] == [("sertraline", "100 mg daily")]
    assert [(a.substance, a.reaction, a.severity) for a in patient.allergies.all()] == [("penicillin", "rash", "moderate")]
    assert AuditEvent.objects.filter(patient_id=patient.pk, action="patient_create").count() == 1
    again = referral(world.a.slug)
    again["entry"][0]["resource"]["name"] = [{"family": "Referred-Smith", "given": ["Robin"]}]
    response = post(desk, again)
    assert response.json()["entry"][0]["response"]["status"] == "200 OK"
    patient.refresh_from_db()
    assert patient.family_name == "Referred-Smith"
    assert patient.current_medications.count() == 1 and patient.allergies.count() == 1
    read = Client().get(f"/fhir/Patient/{patient.pk}", HTTP_AUTHORIZATION=f"Bearer {desk}").json()
    assert_valid(read)


def test_every_problem_is_named_and_nothing_is_written(world, desk):
    bundle = referral(world.a.slug, birthDate="2999-01-01", gender="robot")
    bundle["entry"][1]["resource"]["code"]["coding"][0]["code"] = "F32.9"
    bundle["entry"][2]["resource"]["medicationCodeableConcept"] = {"text": ""}
    bundle["entry"].append({"resource": {"resourceType": "Observation", "status": "final", "code": {"text": "x"}}})
    response = post(desk, bundle)
    assert response.status_code == 422
    outcome = response.json()
    assert_valid(outcome)
    texts = " | ".join(i["diagnostics"] for i in outcome["issue"])
    for expected in ("gender", "ICD-10-CM", "medicationCodeableConcept", "Observation"):
        assert expected in texts, texts
    assert not Patient.objects.filter(mrn="R-100").exists() and not CurrentMedication.objects.exists()


def test_a_failure_in_the_middle_rolls_everything_back(world, desk, monkeypatch):
    from patients import services

    def broken(**kwargs):
        raise services.ServiceError("The medication list is locked.")

    monkeypatch.setattr(services, "add_current_medication", broken)
    response = post(desk, referral(world.a.slug))
    assert response.status_code == 422 and "locked" in response.json()["issue"][0]["diagnostics"]
    assert not Patient.objects.filter(mrn="R-100").exists()


def test_wrong_mrn_system_bad_json_and_roles(world, desk):
    bundle = referral(world.a.slug)
    bundle["entry"][0]["resource"]["identifier"][0]["system"] = "http://elsewhere.example/mrn"
    assert post(desk, bundle).status_code == 422
    bad = Client().post("/fhir/", "{not json", content_type="application/fhir+json", HTTP_AUTHORIZATION=f"Bearer {desk}")
    assert bad.status_code == 400
    nurse = accounts.issue_token(user=world.users["nurse"], clinic=world.a, name="n", by="test")
    assert post(nurse, referral(world.a.slug)).status_code == 403
    assert Client().post("/fhir/", "{}", content_type="application/fhir+json").status_code == 401
    assert not Patient.objects.filter(mrn="R-100").exists()


def test_the_same_mrn_in_another_clinic_is_another_patient(world, desk):
    from ketacare.testing import make_patient

    theirs = make_patient(world, world.b, mrn="R-100")
    assert post(desk, referral(world.a.slug)).json()["entry"][0]["response"]["status"] == "201 Created"
    theirs.refresh_from_db()
    assert theirs.family_name == "Synthetic"
