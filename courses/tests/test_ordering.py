"""Course ordering rules: the protocol copied at order time, one active course, override reasons, ending."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from audit.models import AuditEvent
from courses import services
from courses.models import TreatmentCourse
from ketacare.testing import make_eligible_patient, make_protocol
from patients import services as patients
from toolkit.errors import ServiceError

pytestmark = pytest.mark.django_db


def _order(world, patient=None, protocol=None, **extra):
    return services.order_course(patient=patient or make_eligible_patient(world),
                                 protocol=protocol or make_protocol(world), by=world.prescriber, **extra)


def test_the_course_keeps_the_protocol_as_it_was_when_ordered(world):
    protocol = make_protocol(world)
    course = _order(world, protocol=protocol)
    services.save_protocol(clinic=world.a, protocol=protocol, values={"n_infusions": 4}, by=world.clinic_admin)
    course.refresh_from_db()
    assert course.protocol_snapshot["n_infusions"] == 6 and protocol.n_infusions == 4
    assert course.protocol_snapshot["mg_per_kg"] == "0.50"  # decimals are kept as exact strings
    assert services.spacing_of(course).n_infusions == 6


def test_the_dose_and_weight_basis_default_to_the_protocols(world):
    course = _order(world, protocol=make_protocol(world, weight_basis="ideal", mg_per_kg=Decimal("0.40")))
    assert (course.mg_per_kg, course.weight_basis, course.override_reason) == (Decimal("0.40"), "ideal", "")


def test_a_dose_at_the_limit_needs_no_override_and_keeps_none(world):
    course = _order(world, mg_per_kg="0.75", override_reason="not needed")
    assert course.override_reason == ""
    event = AuditEvent.objects.get(action="course_order")
    assert event.detail == {"mg_per_kg": "0.75", "override": False}


def test_an_override_reason_of_only_spaces_is_no_reason(world):
    with pytest.raises(ServiceError) as exc:
        _order(world, mg_per_kg="0.9", override_reason="   ")
    assert "override_reason" in exc.value.field_errors and "0.75" in exc.value.message
    assert not TreatmentCourse.objects.exists()


def test_an_overridden_order_is_audited_as_an_override(world):
    _order(world, mg_per_kg="0.9", override_reason="Partial response at 0.75 mg/kg")
    assert AuditEvent.objects.get(action="course_order").detail["override"] is True


def test_a_second_active_course_is_refused_until_the_first_ends(world):
    patient, protocol = make_eligible_patient(world), make_protocol(world)
    first = _order(world, patient, protocol)
    with pytest.raises(ServiceError, match="already has an active course"):
        _order(world, patient, protocol)
    services.end_course(course=first, status="completed", by=world.prescriber)
    assert _order(world, patient, protocol).status == "active"


def test_an_unsigned_screening_does_not_allow_an_order(world):
    patient = make_eligible_patient(world)
    patient.screenings.update(signed_at=None, signed_by=None)
    with pytest.raises(ServiceError, match="signed eligible screening"):
        _order(world, patient)


def test_the_latest_signed_screening_decides(world):
    patient = make_eligible_patient(world)
    later = patients.screen_patient(patient=patient, contraindications=["pregnancy"], justifications={},
                                    sign=False, by=world.prescriber)
    assert later.outcome == "ineligible"  # unsigned: the signed eligible one still stands
    assert _order(world, patient).screening.outcome == "eligible"


def test_a_protocol_of_another_clinic_or_an_inactive_one_is_refused(world):
    patient = make_eligible_patient(world)
    for protocol in (make_protocol(world, world.b), make_protocol(world, active=False)):
        with pytest.raises(ServiceError, match="active protocol of this clinic"):
            _order(world, patient, protocol)


def test_the_order_time_may_be_given(world):
    at = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    assert _order(world, at=at).ordered_at == at


def test_stopping_a_course_needs_a_reason_and_keeps_it_in_the_notes(world):
    course = _order(world, notes="Induction")
    with pytest.raises(ServiceError, match="reason for stopping"):
        services.end_course(course=course, status="stopped", reason=" ", by=world.prescriber)
    services.end_course(course=course, status="stopped", reason="Patient moved away", by=world.prescriber)
    assert course.status == "stopped" and course.ended_at is not None
    assert course.notes == "Induction\nPatient moved away"
    assert AuditEvent.objects.get(action="course_end").detail == {"status": "stopped", "reason": "Patient moved away"}


def test_a_course_ends_once_and_only_as_completed_or_stopped(world):
    course = _order(world)
    with pytest.raises(ServiceError, match="completed or stopped"):
        services.end_course(course=course, status="active", by=world.prescriber)
    services.end_course(course=course, status="completed", by=world.prescriber)
    with pytest.raises(ServiceError, match="already ended"):
        services.end_course(course=course, status="stopped", reason="x", by=world.prescriber)


def test_only_a_prescriber_ends_a_course(world):
    course = _order(world)
    with pytest.raises(ServiceError, match="role"):
        services.end_course(course=course, status="completed", by=world.nurse)
    course.refresh_from_db()
    assert course.status == "active"
