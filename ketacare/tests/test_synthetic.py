"""`ketacare demo --patients N`: synthetic patients in bulk, in proportion to N, with their due slots stored."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from infusions.models import InfusionSession, VitalSign
from ketacare.synthetic import VITALS_PER_SESSION, add_patients
from measures import readmodel
from measures.models import Assessment, DueSlot
from patients.models import Patient

pytestmark = pytest.mark.django_db


def test_bulk_patients_get_courses_sessions_readings_and_stored_due_slots(world):
    bar = io.StringIO()
    add_patients(world.a, world.users, 30, seed=1, stream=bar)
    assert Patient.objects.in_clinic(world.a).filter(mrn__startswith="BULK-").count() == 30
    held = InfusionSession.objects.in_clinic(world.a).filter(state="discharged").count()
    assert held >= 30 and VitalSign.objects.filter(clinic=world.a).count() == held * VITALS_PER_SESSION
    assert 30 * 5 <= Assessment.objects.in_clinic(world.a).count() <= 30 * 20
    assert DueSlot.objects.in_clinic(world.a).exists() and readmodel.check(world.a) == []
    assert "100% 30/30 patients" in bar.getvalue()
    assert not Patient.objects.in_clinic(world.b).exists()


def test_a_second_run_adds_patients_with_new_mrns_and_chairs(world):
    add_patients(world.a, world.users, 5, seed=1, stream=None)
    add_patients(world.a, world.users, 5, seed=1, stream=None)
    assert Patient.objects.in_clinic(world.a).filter(mrn__startswith="BULK-").values("mrn").distinct().count() == 10


def test_the_demo_refuses_a_patient_count_below_one_before_writing_anything(db):
    with pytest.raises(CommandError, match="above 0"):
        call_command("demo", "--patients", "0")
    assert not Patient.objects.exists()
