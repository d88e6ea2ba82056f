"""Reads of patients stay inside the clinic: search, lookups by id, and the stage shown in lists."""

import pytest
from django.http import Http404

from ketacare.testing import make_course, make_eligible_patient, make_patient
from patients import queries, services
from patients.models import EligibilityScreening, Patient
from toolkit.scoping import get_in_clinic

pytestmark = pytest.mark.django_db


def test_search_finds_only_the_clinics_own_patients(world):
    mine = make_patient(world, mrn="S-1", family_name="Okafor")
    make_patient(world, world.b, mrn="S-1", family_name="Okafor")
    assert list(queries.search(world.a, "okafor")) == [mine]


def test_search_matches_every_word_in_mrn_or_names_ignoring_case(world):
    ada = make_patient(world, mrn="Q-100", given_name="Ada", family_name="Lovelace")
    make_patient(world, mrn="Q-200", given_name="Ada", family_name="Byron")
    assert list(queries.search(world.a, "ADA love")) == [ada]
    assert list(queries.search(world.a, "q-1")) == [ada]
    assert queries.search(world.a, "nobody").count() == 0


def test_search_orders_by_family_then_given_name(world):
    make_patient(world, mrn="O-1", given_name="Zed", family_name="Adams")
    make_patient(world, mrn="O-2", given_name="Amy", family_name="Adams")
    make_patient(world, mrn="O-3", given_name="Bea", family_name="Brown")
    assert [p.mrn for p in queries.search(world.a)] == ["O-2", "O-1", "O-3"]


def test_no_clinic_sees_no_patients(world):
    make_patient(world)
    assert Patient.objects.in_clinic(None).count() == 0
    assert queries.search(None, "").count() == 0


def test_a_patient_of_another_clinic_is_a_404_not_a_leak(world):
    theirs = make_patient(world, world.b, mrn="B-1")
    with pytest.raises(Http404):
        get_in_clinic(Patient, world.a, pk=theirs.pk)
    assert get_in_clinic(Patient, world.b, pk=theirs.pk) == theirs


@pytest.mark.parametrize("bad_id", ["abc", None, 10**9])
def test_a_malformed_or_unknown_patient_id_is_a_404(world, bad_id):
    with pytest.raises(Http404):
        get_in_clinic(Patient, world.a, pk=bad_id)


def test_the_stage_follows_screening_then_course(world):
    patient = make_patient(world)
    assert queries.stage_of(patient) == "screening"
    services.screen_patient(patient=patient, contraindications=[], justifications={}, sign=False, by=world.prescriber)
    assert queries.stage_of(patient) == "ineligible"  # no failed trials recorded yet
    eligible = make_eligible_patient(world, mrn="E-2")
    assert queries.stage_of(eligible) == "eligible"
    course = make_course(world, patient=eligible)
    assert queries.stage_of(eligible) == "in course"
    course.status = "completed"
    course.save(update_fields=["status"])
    assert queries.stage_of(eligible) == "finished"


def test_the_current_eligibility_is_the_latest_signed_screening(world):
    patient = make_eligible_patient(world)
    signed = services.current_eligibility(patient)
    services.screen_patient(patient=patient, contraindications=[], justifications={}, sign=False, by=world.prescriber)
    assert services.current_eligibility(patient) == signed
    assert EligibilityScreening.objects.filter(patient=patient).count() == 2
