"""Intake and screening pages: each history form saves through its service; signing follows the kernel's verdict."""

import pytest

from ketacare.testing import make_patient
from patients.models import EligibilityScreening, PriorTreatment, TraumaEvent

pytestmark = pytest.mark.django_db


def _treatment(name, outcome="none"):
    return {"form": "treatment", "treatment-kind": "medication", "treatment-name": name, "treatment-weeks": "12",
            "treatment-adequate": "on", "treatment-outcome": outcome}


def test_each_intake_form_saves_its_history_row(client_for, world):
    patient = make_patient(world)
    client = client_for("therapist")
    url = f"/patients/{patient.pk}/intake/"
    assert client.post(url, {"form": "trauma", "trauma-kind": "accident", "trauma-year": "2001"}).status_code == 302
    assert client.post(url, _treatment("sertraline")).status_code == 302
    assert TraumaEvent.objects.get(patient=patient).year == 2001
    assert PriorTreatment.objects.get(patient=patient).adequate is True


def test_an_unknown_intake_form_or_a_bad_year_saves_nothing(client_for, world):
    patient = make_patient(world)
    client = client_for("nurse")
    url = f"/patients/{patient.pk}/intake/"
    assert client.post(url, {"form": "surgery"}).status_code == 400
    bad_year = client.post(url, {"form": "trauma", "trauma-kind": "accident", "trauma-year": "1950"})
    assert bad_year.status_code == 400 and "between the patient&#x27;s birth and today" in bad_year.content.decode()
    assert not TraumaEvent.objects.exists()


def test_a_prescriber_signs_an_eligible_screening_from_the_page(client_for, world):
    patient = make_patient(world)
    client = client_for("prescriber")
    for name in ("sertraline", "venlafaxine"):
        client.post(f"/patients/{patient.pk}/intake/", _treatment(name))
    response = client.post(f"/patients/{patient.pk}/screening/", {"action": "sign"})
    assert response.status_code == 302
    screening = EligibilityScreening.objects.get(patient=patient)
    assert screening.outcome == "eligible" and screening.signed_by == world.prescriber


def test_a_relative_contraindication_without_a_justification_is_not_signed(client_for, world):
    patient = make_patient(world)
    client = client_for("prescriber")
    for name in ("sertraline", "venlafaxine"):
        client.post(f"/patients/{patient.pk}/intake/", _treatment(name))
    response = client.post(f"/patients/{patient.pk}/screening/", {"action": "sign", "contraindication": ["active_sud"]})
    assert response.status_code == 400 and "written justification" in response.content.decode()
    assert not EligibilityScreening.objects.exists()


def test_a_nurse_saves_a_screening_but_may_not_sign_it(client_for, world):
    patient = make_patient(world)
    client = client_for("nurse")
    assert client.post(f"/patients/{patient.pk}/screening/", {"action": "sign"}).status_code == 400
    assert client.post(f"/patients/{patient.pk}/screening/", {"action": "save"}).status_code == 302
    saved = EligibilityScreening.objects.get()
    assert saved.signed_at is None and saved.outcome == "ineligible"


def test_the_front_desk_may_not_open_the_screening_page(client_for, world):
    patient = make_patient(world)
    assert client_for("front_desk").get(f"/patients/{patient.pk}/screening/").status_code == 403
