"""Patient pages: the register form shows the MRN refusal on its field; other clinics' charts are 404."""

import pytest

from clinical.eligibility import DEFAULT_ABSOLUTE, DEFAULT_RELATIVE
from ketacare.testing import make_patient, patient_values
from patients.models import Patient
from patients.policy import eligibility_policy

pytestmark = pytest.mark.django_db


def _form(mrn, **extra):
    values = patient_values(mrn, **extra)
    return {k: ("" if v is None else str(v)) for k, v in values.items()}


def test_registering_through_the_page_goes_on_to_the_intake(client_for, world):
    response = client_for("front_desk").post("/patients/new/", _form("PAGE-1"))
    patient = Patient.objects.get(mrn="PAGE-1")
    assert response.status_code == 302 and response["Location"].endswith(f"/patients/{patient.pk}/intake/")


def test_a_duplicate_mrn_in_another_case_is_shown_on_the_form_and_nothing_is_saved(client_for, world):
    make_patient(world, mrn="PAGE-1")
    response = client_for("front_desk").post("/patients/new/", _form("page-1", given_name="Other"))
    assert response.status_code == 400
    assert "without regard to case" in response.content.decode()
    assert not Patient.objects.filter(given_name="Other").exists()


def test_another_clinics_patient_chart_and_edit_page_are_404(client_for, world):
    theirs = make_patient(world, world.b, mrn="B-1")
    client = client_for("prescriber")
    for url in (f"/patients/{theirs.pk}/", f"/patients/{theirs.pk}/edit/", f"/patients/{theirs.pk}/screening/"):
        assert client.get(url).status_code == 404, url


def test_the_list_page_shows_only_the_clinics_patients(client_for, world):
    make_patient(world, mrn="MINE-1", family_name="Mine")
    make_patient(world, world.b, mrn="THEIRS-1", family_name="Theirs")
    page = client_for("nurse").get("/patients/").content.decode()
    assert "MINE-1" in page and "THEIRS-1" not in page


def test_the_researcher_does_not_see_identified_patients(client_for, world):
    make_patient(world)
    assert client_for("researcher").get("/patients/").status_code == 403


def test_the_default_eligibility_policy_is_the_kernels(world):
    policy = eligibility_policy(world.a)
    assert policy.min_failed_trials == 2
    assert policy.absolute == DEFAULT_ABSOLUTE and policy.relative == DEFAULT_RELATIVE


def test_a_clinics_contraindication_lines_become_codes_and_labels(world):
    from accounts.services import update_policy

    assert update_policy(clinic=world.a, by=world.clinic_admin, values={
        "absolute_contraindications": "psychosis: Active psychosis\nallergy",
        "relative_contraindications": "",
    }) == {}
    policy = eligibility_policy(world.a)
    assert [(c.code, c.label) for c in policy.absolute] == [("psychosis", "Active psychosis"), ("allergy", "allergy")]
    assert policy.relative == ()
