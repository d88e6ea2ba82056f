"""Validation reports every problem of a form at once, not one kind per submit (issue 10 "Words a person reads")."""

import pytest

from courses.models import Protocol
from courses.tests.test_protocol_whole import FORM as PROTOCOL_FORM
from ketacare.testing import make_patient, patient_values
from patients.models import Patient, TraumaEvent

pytestmark = pytest.mark.django_db


def test_the_registration_form_names_a_bad_email_a_bad_phone_and_a_future_birth_date_together(client_for, world):
    form = {**patient_values(), "email": "not-an-email", "phone": "555-01", "date_of_birth": "2999-01-01"}
    page = client_for("front_desk").post("/patients/new/", form).content.decode()
    assert "valid email" in page and "not a valid phone number" in page and "must be in the past" in page
    assert not Patient.objects.exists()


def test_the_intake_form_names_a_missing_kind_and_a_year_before_birth_together(client_for, world):
    patient = make_patient(world)
    response = client_for("therapist").post(f"/patients/{patient.pk}/intake/", {
        "form": "trauma", "trauma-kind": "", "trauma-year": "1950"})
    page = response.content.decode()
    assert response.status_code == 400 and "This field is required" in page and "between the patient" in page
    assert not TraumaEvent.objects.exists()


def test_the_protocol_form_names_a_blank_name_and_a_negative_limit_together(client_for, world):
    page = client_for("clinic_admin").post("/courses/protocols/new/", {**PROTOCOL_FORM, "name": "",
                                                                       "max_total_mg": "-1"}).content.decode()
    assert "This field is required" in page and "Must be above 0" in page
    assert not Protocol.objects.exists()
