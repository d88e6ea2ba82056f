"""One MRN per clinic whatever its case: the service refuses it clearly, the database refuses it anyway."""

import pytest
from django.db import IntegrityError, transaction

from audit.models import AuditEvent
from ketacare.testing import make_patient, patient_values
from patients import services
from patients.models import Patient
from toolkit.errors import ServiceError

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("again", ["mrn-7", "MRN-7", "Mrn-7", " mrn-7 "])
def test_an_mrn_differing_only_in_case_is_refused_with_the_existing_number(world, again):
    make_patient(world, mrn="MRN-7")
    before = (Patient.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ServiceError, match="MRN already exists in this clinic: MRN-7") as exc:
        services.register_patient(clinic=world.a, values=patient_values(again), by=world.front_desk)
    assert "without regard to case" in exc.value.field_errors["mrn"]
    assert (Patient.objects.count(), AuditEvent.objects.count()) == before


def test_the_same_mrn_in_another_case_is_allowed_in_another_clinic(world):
    make_patient(world, mrn="MRN-7")
    assert make_patient(world, world.b, mrn="mrn-7").clinic == world.b


def test_changing_an_mrn_to_another_patients_in_another_case_is_refused(world):
    make_patient(world, mrn="A-1")
    second = make_patient(world, mrn="B-2")
    with pytest.raises(ServiceError, match="already exists in this clinic: A-1"):
        services.update_patient(patient=second, values={"mrn": "a-1"}, by=world.front_desk)
    second.refresh_from_db()
    assert second.mrn == "B-2"


def test_a_patient_may_change_the_case_of_their_own_mrn(world):
    patient = make_patient(world, mrn="abc-9")
    services.update_patient(patient=patient, values={"mrn": "ABC-9"}, by=world.front_desk)
    assert patient.mrn == "ABC-9"


def test_the_database_refuses_a_second_mrn_in_another_case_even_past_the_service(world):
    make_patient(world, mrn="DB-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        Patient.objects.create(clinic=world.a, **patient_values("db-1"))


def test_the_database_refuses_an_update_that_collides_in_another_case(world):
    make_patient(world, mrn="DB-1")
    other = make_patient(world, mrn="DB-2")
    with pytest.raises(IntegrityError), transaction.atomic():
        Patient.objects.filter(pk=other.pk).update(mrn="dB-1")


@pytest.mark.parametrize(("field", "value"), [("weight_kg", -70), ("weight_kg", 0), ("height_cm", -1),
                                              ("sex", "robot"), ("diagnosis_code", "F99.9")])
def test_the_database_refuses_impossible_patient_details(world, field, value):
    patient = make_patient(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        Patient.objects.filter(pk=patient.pk).update(**{field: value})
