"""Patient registration, history and eligibility screening through the services."""

from datetime import date
from decimal import Decimal

import pytest

from audit import services as audit_services
from audit.models import AuditEvent
from ketacare.testing import make_patient, patient_values
from patients import services
from patients.models import EligibilityScreening, Patient
from toolkit.errors import ServiceError

pytestmark = pytest.mark.django_db


def test_registering_a_patient_writes_an_audit_event(world):
    patient = make_patient(world)
    event = AuditEvent.objects.get(action="patient_create")
    assert event.patient_id == patient.pk and event.clinic == world.a and event.actor == world.front_desk


def test_mrn_is_unique_per_clinic_but_may_repeat_across_clinics(world):
    make_patient(world, mrn="X-1")
    with pytest.raises(ServiceError, match="MRN already exists"):
        make_patient(world, mrn="X-1")
    assert make_patient(world, world.b, mrn="X-1").clinic == world.b


@pytest.mark.parametrize(("field", "value", "message"), [
    ("weight_kg", Decimal("29.9"), "Weight"), ("weight_kg", Decimal("351"), "Weight"),
    ("height_cm", Decimal("99"), "Height"), ("date_of_birth", date(2999, 1, 1), "Date of birth"),
    ("date_of_birth", date(1880, 1, 1), "Date of birth"),
])
def test_out_of_range_details_are_refused_and_nothing_is_written(world, field, value, message):
    before = (Patient.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ServiceError) as exc:
        make_patient(world, **{field: value})
    assert message in exc.value.field_errors[field]
    assert (Patient.objects.count(), AuditEvent.objects.count()) == before


def test_a_failing_audit_write_leaves_no_patient(world, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("audit store down")

    monkeypatch.setattr(audit_services, "record", broken)
    with pytest.raises(RuntimeError):
        services.register_patient(clinic=world.a, values=patient_values("ROLLBACK-1"), by=world.front_desk)
    assert not Patient.objects.filter(mrn="ROLLBACK-1").exists()


def _with_trials(world, outcomes=("none", "partial")):
    patient = make_patient(world)
    for i, outcome in enumerate(outcomes):
        services.add_prior_treatment(patient=patient, by=world.prescriber, values={
            "kind": "medication", "name": f"drug{i}", "weeks": 12, "adequate": True, "outcome": outcome})
    return patient


def test_screening_with_two_failed_trials_and_no_contraindication_is_eligible(world):
    s = services.screen_patient(patient=_with_trials(world), contraindications=[], justifications={}, sign=True, by=world.prescriber)
    assert s.outcome == "eligible" and s.signed
    assert s.policy["min_failed_trials"] == 2


def test_one_failed_trial_is_ineligible_and_cannot_be_signed(world):
    patient = _with_trials(world, outcomes=("none", "response"))
    with pytest.raises(ServiceError, match="ineligible"):
        services.screen_patient(patient=patient, contraindications=[], justifications={}, sign=True, by=world.prescriber)
    s = services.screen_patient(patient=patient, contraindications=[], justifications={}, sign=False, by=world.prescriber)
    assert s.outcome == "ineligible" and not s.signed
    assert any("trial" in r["text"].lower() for r in s.reasons)


def test_relative_contraindication_needs_a_written_justification_to_sign(world):
    patient = _with_trials(world)
    with pytest.raises(ServiceError) as exc:
        services.screen_patient(patient=patient, contraindications=["active_sud"], justifications={}, sign=True, by=world.prescriber)
    assert "justify_active_sud" in exc.value.field_errors
    s = services.screen_patient(patient=patient, contraindications=["active_sud"],
                                justifications={"active_sud": "In sustained remission 2 years; monitored."}, sign=True, by=world.prescriber)
    assert s.outcome == "eligible" and s.justifications["active_sud"].startswith("In sustained")


def test_absolute_contraindication_makes_the_patient_ineligible(world):
    s = services.screen_patient(patient=_with_trials(world), contraindications=["pregnancy"], justifications={}, sign=False, by=world.prescriber)
    assert s.outcome == "ineligible"


def test_unknown_contraindication_code_is_refused(world):
    with pytest.raises(ServiceError, match="Unknown contraindication"):
        services.screen_patient(patient=_with_trials(world), contraindications=["made_up"], justifications={}, sign=False, by=world.prescriber)
    assert EligibilityScreening.objects.count() == 0


def test_only_a_prescriber_may_sign(world):
    with pytest.raises(ServiceError, match="role"):
        services.screen_patient(patient=_with_trials(world), contraindications=[], justifications={}, sign=True, by=world.nurse)


def test_clinic_setting_changes_the_number_of_trials_needed(world):
    from accounts.services import update_policy

    assert update_policy(clinic=world.a, values={"min_failed_trials": "3"}, by=world.clinic_admin) == {}
    world.a.refresh_from_db()
    patient = _with_trials(world)
    s = services.screen_patient(patient=patient, contraindications=[], justifications={}, sign=False, by=world.prescriber)
    assert s.outcome == "ineligible" and s.policy["min_failed_trials"] == 3


def test_an_unknown_field_or_a_bad_email_is_refused_on_update(world):
    patient = make_patient(world, mrn="U-1")
    with pytest.raises(ServiceError, match="Unknown fields: shoe_size"):
        services.update_patient(patient=patient, values={"shoe_size": 42}, by=world.front_desk)
    with pytest.raises(ServiceError) as exc:
        services.update_patient(patient=patient, values={"email": "not-an-address"}, by=world.front_desk)
    assert "valid email" in exc.value.field_errors["email"]
    patient.refresh_from_db()
    assert patient.email == "testy@example.invalid"


def test_an_update_audits_the_names_of_the_fields_that_changed(world):
    patient = make_patient(world, mrn="U-2")
    services.update_patient(patient=patient, values={"phone": "202-555-0199", "given_name": "Testy"}, by=world.front_desk)
    assert AuditEvent.objects.get(action="patient_update").detail == {"fields": ["phone"]}
