"""The patients API keeps to the clinic, to the vocabularies and to the MRN rule."""

import pytest

from ketacare.testing import api_caller, make_patient, patient_values
from patients.models import Patient

pytestmark = pytest.mark.django_db


def _body(mrn="API-1", **extra):
    return {**patient_values(mrn), **extra}


def test_a_registrar_registers_a_patient_and_reads_it_back(world):
    call = api_caller(world.front_desk, world.a)
    created = call("POST", "/patients/", _body())
    assert created.status_code == 201
    read = call("GET", f"/patients/{created.json()['id']}")
    assert read.status_code == 200 and read.json()["mrn"] == "API-1"


def test_the_list_holds_only_the_clinics_patients_and_filters_by_text(world):
    make_patient(world, mrn="L-1", family_name="Nakamura")
    make_patient(world, mrn="L-2", family_name="Osei")
    make_patient(world, world.b, mrn="L-3", family_name="Nakamura")
    call = api_caller(world.nurse, world.a)
    assert sorted(p["mrn"] for p in call("GET", "/patients/").json()) == ["L-1", "L-2"]
    assert [p["mrn"] for p in call("GET", "/patients/?q=nakamura").json()] == ["L-1"]


def test_another_clinics_patient_is_not_found(world):
    theirs = make_patient(world, world.b, mrn="B-9")
    call = api_caller(world.prescriber, world.a)
    assert call("GET", f"/patients/{theirs.pk}").status_code == 404
    assert call("PATCH", f"/patients/{theirs.pk}", {"given_name": "Changed"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.given_name == "Testy"


def test_a_duplicate_mrn_in_another_case_is_a_400_naming_the_field(world):
    make_patient(world, mrn="CASE-1")
    response = api_caller(world.front_desk, world.a)("POST", "/patients/", _body("case-1"))
    assert response.status_code == 400
    assert response.json()["detail"].endswith("already exists in this clinic: CASE-1.")
    assert "mrn" in response.json()["fields"]
    assert Patient.objects.filter(mrn__iexact="case-1").count() == 1


@pytest.mark.parametrize(("field", "value"), [("sex", "robot"), ("diagnosis_code", "F99.9")])
def test_a_value_outside_the_vocabulary_is_a_422_and_nothing_is_written(world, field, value):
    response = api_caller(world.front_desk, world.a)("POST", "/patients/", _body(**{field: value}))
    assert response.status_code == 422
    assert not Patient.objects.exists()


def test_a_therapist_may_not_register_a_patient(world):
    assert api_caller(world.therapist, world.a)("POST", "/patients/", _body()).status_code == 403
    assert not Patient.objects.exists()


def test_a_patch_changes_only_the_fields_sent(world):
    patient = make_patient(world, mrn="P-1")
    response = api_caller(world.front_desk, world.a)("PATCH", f"/patients/{patient.pk}", {"phone": "202-555-0199"})
    assert response.status_code == 200
    patient.refresh_from_db()
    assert (patient.phone, patient.mrn, patient.given_name) == ("+12025550199", "P-1", "Testy")


def test_a_prior_treatment_outside_the_vocabulary_is_refused(world):
    patient = make_patient(world)
    call = api_caller(world.prescriber, world.a)
    bad = call("POST", f"/patients/{patient.pk}/treatments", {"kind": "surgery", "name": "x", "adequate": True})
    assert bad.status_code == 422
    good = call("POST", f"/patients/{patient.pk}/treatments",
                {"kind": "medication", "name": "sertraline", "weeks": 10, "adequate": True, "outcome": "none"})
    assert good.status_code == 201 and patient.prior_treatments.get().outcome == "none"
