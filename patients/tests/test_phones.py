"""Phone numbers are checked and stored as E.164 (issue 10), on the form, the API, the demo and old rows."""

import importlib
import io

import pytest
from django.apps import apps
from django.core.management import call_command

from audit.models import AuditEvent
from ketacare.testing import api_caller, make_patient, patient_values
from patients import services
from patients.models import Patient
from toolkit.errors import ServiceError
from toolkit.phones import to_e164

pytestmark = pytest.mark.django_db
migration = importlib.import_module("patients.migrations.0003_phones_to_e164")


@pytest.mark.parametrize(("typed", "stored"), [
    ("202-555-0143", "+12025550143"), ("(202) 555 0143", "+12025550143"), ("+1 202 555 0143", "+12025550143"),
    ("+44 20 7946 0958", "+442079460958"), ("", ""),
])
def test_a_valid_number_is_stored_as_e164(typed, stored):
    assert to_e164(typed) == stored


@pytest.mark.parametrize("typed", ["555-0100", "12", "not a number", "+1 202 555 01430000"])
def test_a_number_that_is_not_valid_is_refused_with_a_message(typed):
    with pytest.raises(ValueError, match="phone number"):
        to_e164(typed)


def test_registration_stores_both_numbers_as_e164(world):
    patient = make_patient(world)
    assert (patient.phone, patient.escort_phone) == ("+12025550100", "+12025550101")


def test_an_invalid_phone_and_an_out_of_range_weight_are_refused_together_and_nothing_is_written(world):
    with pytest.raises(ServiceError) as exc:
        services.register_patient(clinic=world.a, values=patient_values(phone="555-0100", weight_kg=900), by=world.front_desk)
    assert set(exc.value.field_errors) == {"phone", "weight_kg"}
    assert not Patient.objects.exists() and not AuditEvent.objects.filter(action="patient_create").exists()


def test_the_registration_form_shows_the_phone_problem_beside_the_field(client_for, world):
    form = {**patient_values(), "date_of_birth": "1985-05-17", "escort_phone": "12"}
    response = client_for("front_desk").post("/patients/new/", form)
    assert response.status_code == 400 and "is not a valid phone number" in response.content.decode()
    assert not Patient.objects.exists()


def test_the_api_stores_e164_and_refuses_an_invalid_number(world):
    call = api_caller(world.front_desk, world.a)
    body = {k: str(v) for k, v in patient_values().items()}
    assert call("POST", "/patients/", {**body, "phone": "202 555 0177"}).status_code == 201
    assert Patient.objects.get().phone == "+12025550177"
    refused = call("PATCH", f"/patients/{Patient.objects.get().pk}", {"phone": "555-01"})
    assert refused.status_code in (400, 422) and "phone" in refused.json()["fields"]
    assert Patient.objects.get().phone == "+12025550177"


def test_the_data_migration_rewrites_readable_numbers_and_reports_the_others(world, capsys):
    patient = make_patient(world)
    Patient.objects.filter(pk=patient.pk).update(phone="(202) 555-0188", escort_phone="555-0101")  # as older releases kept
    migration.to_e164(apps, None)
    patient.refresh_from_db()
    assert (patient.phone, patient.escort_phone) == ("+12025550188", "555-0101")
    out = capsys.readouterr().out
    assert "1 rewritten as E.164, 1 could not be read" in out and f"patient {patient.mrn} escort_phone: '555-0101'" in out


def test_the_phone_report_lists_numbers_still_to_correct_and_exits_1(world):
    patient = make_patient(world)
    Patient.objects.filter(pk=patient.pk).update(escort_phone="555-0101")
    out = io.StringIO()
    with pytest.raises(SystemExit) as stop:
        call_command("patient-phones", stdout=out, stderr=io.StringIO())
    assert stop.value.code == 1 and out.getvalue() == f"clinic-a\t{patient.mrn}\tescort_phone\t555-0101\n"
