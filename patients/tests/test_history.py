"""History entries and the eligibility rules they feed (CLINICAL.md section 5)."""

from datetime import UTC, datetime

import pytest
from django.db import IntegrityError, transaction

from audit.models import AuditEvent
from ketacare.testing import make_patient
from patients import services
from patients.models import EligibilityScreening, PriorTreatment, TraumaEvent
from toolkit.errors import ServiceError

pytestmark = pytest.mark.django_db


def _trial(patient, by, **values):
    return services.add_prior_treatment(patient=patient, by=by, values={
        "kind": "medication", "name": "sertraline", "weeks": 12, "adequate": True, "outcome": "none", **values})


def test_a_trauma_year_must_lie_between_birth_and_today(world):
    patient = make_patient(world)  # born 1985
    for year in (1984, datetime.now(UTC).year + 1):
        with pytest.raises(ServiceError, match="between the patient's birth and today"):
            services.add_trauma_event(patient=patient, values={"kind": "accident", "year": year}, by=world.therapist)
    event = services.add_trauma_event(patient=patient, values={"kind": "accident", "year": 1985}, by=world.therapist)
    assert TraumaEvent.objects.get() == event
    assert AuditEvent.objects.filter(action="trauma_add", patient_id=patient.pk).count() == 1


@pytest.mark.parametrize("weeks", [0, -3, 521])
def test_a_trial_length_outside_1_to_520_weeks_is_refused(world, weeks):
    with pytest.raises(ServiceError, match="Weeks must be between 1 and 520"):
        _trial(make_patient(world), world.prescriber, weeks=weeks)
    assert not PriorTreatment.objects.exists()


def test_a_trial_without_a_length_is_kept(world):
    assert _trial(make_patient(world), world.prescriber, weeks=None).weeks is None


def test_only_adequate_trials_without_response_count_as_failed(world):
    patient = make_patient(world)
    _trial(patient, world.prescriber, name="a", outcome="none")
    _trial(patient, world.prescriber, name="b", outcome="partial", adequate=False)  # inadequate: does not count
    _trial(patient, world.prescriber, name="c", outcome="remission")  # responded: does not count
    result = services.evaluate_screening(patient=patient, contraindications=[], justifications={})
    assert result.failed_trials == 1 and result.outcome.value == "ineligible"


def test_without_a_confirmed_ptsd_code_the_screening_is_not_eligible(world):
    patient = make_patient(world, diagnosis_code="")
    _trial(patient, world.prescriber, name="a")
    _trial(patient, world.prescriber, name="b", kind="psychotherapy")
    result = services.evaluate_screening(patient=patient, contraindications=[], justifications={})
    assert result.outcome.value != "eligible"
    assert any(r.code.value == "diagnosis_not_confirmed" for r in result.reasons)


def test_a_saved_screening_keeps_the_policy_and_reasons_in_force(world):
    patient = make_patient(world)
    _trial(patient, world.prescriber, name="a")
    _trial(patient, world.prescriber, name="b")
    s = services.screen_patient(patient=patient, contraindications=[], justifications={"x": "  "}, sign=False,
                                by=world.nurse)
    assert s.outcome == "eligible" and not s.signed and s.justifications == {}
    assert s.failed_trials == 2 and "pregnancy" in s.policy["absolute"]
    assert {r["code"] for r in s.reasons} >= {"diagnosis_confirmed", "trials_met"}
    assert AuditEvent.objects.get(action="screening_save").detail == {"outcome": "eligible"}


def test_the_database_refuses_an_unknown_screening_outcome(world):
    patient = make_patient(world)
    s = services.screen_patient(patient=patient, contraindications=[], justifications={}, sign=False, by=world.prescriber)
    with pytest.raises(IntegrityError), transaction.atomic():
        EligibilityScreening.objects.filter(pk=s.pk).update(outcome="probably_fine")
