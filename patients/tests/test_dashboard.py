"""The intake panel: patients of the clinic waiting for a signed screening, and eligible ones waiting for a course."""

from types import SimpleNamespace

import pytest

from ketacare.testing import make_course, make_eligible_patient, make_patient
from patients import dashboard, services

pytestmark = pytest.mark.django_db


def _panel(clinic):
    [panel] = dashboard.panels(SimpleNamespace(clinic=clinic), now=None)
    return list(panel.context["to_screen"]), list(panel.context["to_order"])


def test_a_new_patient_waits_for_screening(world):
    patient = make_patient(world)
    assert _panel(world.a) == ([patient], [])


def test_an_unsigned_screening_still_waits_for_a_signature(world):
    patient = make_patient(world)
    services.screen_patient(patient=patient, contraindications=[], justifications={}, sign=False, by=world.nurse)
    assert _panel(world.a) == ([patient], [])


def test_a_signed_eligible_patient_waits_for_a_course_until_one_is_ordered(world):
    patient = make_eligible_patient(world)
    assert _panel(world.a) == ([], [patient])
    make_course(world, patient=patient)
    assert _panel(world.a) == ([], [])


def test_the_panel_holds_only_the_clinics_own_patients(world):
    make_patient(world, world.b, mrn="B-1")
    make_eligible_patient(world, world.b, mrn="B-2")
    assert _panel(world.a) == ([], [])
    to_screen, to_order = _panel(world.b)
    assert [p.mrn for p in to_screen] == ["B-1"] and [p.mrn for p in to_order] == ["B-2"]
