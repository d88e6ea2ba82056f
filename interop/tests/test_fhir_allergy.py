"""FHIR AllergyIntolerance from the allergies recorded at intake: read, search by patient, metadata, bulk export."""

import pytest
from django.test import Client

from accounts import services as accounts
from ketacare.testing import make_patient
from patients import services as patients

from .fhir_checks import assert_valid
from .test_fhir_bulk import call, kick_off, ndjson, run_worker

pytestmark = pytest.mark.django_db


@pytest.fixture
def allergic(world, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    patient, other = make_patient(world, mrn="AL-1"), make_patient(world, mrn="AL-2")
    severe = patients.add_allergy(patient=patient, values={"substance": "penicillin", "reaction": "Anaphylaxis",
                                                           "severity": "severe"}, by=world.nurse)
    mild = patients.add_allergy(patient=other, values={"substance": "codeine", "reaction": "", "severity": "mild"},
                                by=world.nurse)
    token = accounts.issue_token(user=world.nurse, clinic=world.a, name="fhir", by="test")
    return {"patient": patient, "other": other, "severe": severe, "mild": mild, "token": token, "world": world}


def get(token, url):
    return Client().get(url, HTTP_AUTHORIZATION=f"Bearer {token}")


def test_an_allergy_reads_as_a_valid_allergy_intolerance_with_its_reaction_and_severity(allergic):
    response = get(allergic["token"], f"/fhir/AllergyIntolerance/{allergic['severe'].pk}")
    assert response.status_code == 200
    resource = response.json()
    assert_valid(resource)
    assert resource["code"] == {"text": "penicillin"} and resource["criticality"] == "high"
    assert resource["patient"] == {"reference": f"Patient/{allergic['patient'].pk}"}
    assert resource["reaction"] == [{"manifestation": [{"text": "Anaphylaxis"}], "severity": "severe"}]


def test_search_by_patient_returns_only_that_patients_allergies(allergic):
    bundle = get(allergic["token"], f"/fhir/AllergyIntolerance?patient={allergic['other'].pk}").json()
    assert [e["resource"]["id"] for e in bundle["entry"]] == [str(allergic["mild"].pk)]
    for entry in bundle["entry"]:
        assert_valid(entry["resource"])


def test_another_clinic_gets_404_for_the_allergy(allergic):
    world = allergic["world"]
    theirs = accounts.issue_token(user=world.b_users["nurse"], clinic=world.b, name="fhir", by="test")
    assert get(theirs, f"/fhir/AllergyIntolerance/{allergic['severe'].pk}").status_code == 404


def test_the_capability_statement_lists_allergy_intolerance_with_read_and_patient_search(allergic):
    statement = get(allergic["token"], "/fhir/metadata").json()
    [entry] = [r for r in statement["rest"][0]["resource"] if r["type"] == "AllergyIntolerance"]
    assert {"read", "search-type"} <= {i["code"] for i in entry["interaction"]}
    assert "patient" in {p["name"] for p in entry["searchParam"]}


def test_the_bulk_export_carries_the_allergies(allergic):
    token = allergic["token"]
    status_url = kick_off(token, "/fhir/$export?_type=AllergyIntolerance,Patient")
    run_worker()
    files = ndjson(token, call(token, status_url, prefer=False).json())
    assert {a["id"] for a in files["AllergyIntolerance"]} == {str(allergic["severe"].pk), str(allergic["mild"].pk)}
    for resource in files["AllergyIntolerance"]:
        assert_valid(resource)
