"""Protocols, course orders and booking through the services."""

from decimal import Decimal

import pytest

from audit.models import AuditEvent
from courses import services
from courses.models import TreatmentCourse
from ketacare.errors import ServiceError
from ketacare.testing import (
    make_eligible_patient,
    make_patient,
    make_protocol,
)

pytestmark = pytest.mark.django_db


def test_protocol_defaults_follow_feder_2021(world):
    p = make_protocol(world)
    assert (p.n_infusions, p.mg_per_kg, p.infusion_min, p.weight_basis) == (6, Decimal("0.50"), 40, "actual")
    assert p.thresholds["sbp_do_not_start"] == 160 and p.thresholds["spo2_stop_below"] == 90


@pytest.mark.parametrize(("values", "field"), [
    ({"mg_per_kg": Decimal("0.9")}, "mg_per_kg"),  # above the protocol's own max 0.75
    ({"mg_per_kg": Decimal("0")}, "mg_per_kg"),
    ({"n_infusions": 6, "min_hours_between": 72, "max_span_days": 14}, "max_span_days"),
    ({"vial_mg_per_ml": Decimal("25")}, "vial_mg_per_ml"),
])
def test_impossible_protocols_are_refused(world, values, field):
    with pytest.raises(ServiceError) as exc:
        make_protocol(world, **values)
    assert field in exc.value.field_errors


def test_a_course_is_ordered_only_for_a_signed_eligible_patient(world):
    protocol = make_protocol(world)
    with pytest.raises(ServiceError, match="signed eligible screening"):
        services.order_course(patient=make_patient(world), protocol=protocol, by=world.prescriber)
    course = services.order_course(patient=make_eligible_patient(world, mrn="E-1"), protocol=protocol, by=world.prescriber)
    assert course.protocol_snapshot["n_infusions"] == 6
    assert AuditEvent.objects.filter(action="course_order", object_id=str(course.pk)).exists()


def test_only_prescribers_order_courses(world):
    with pytest.raises(ServiceError, match="role"):
        services.order_course(patient=make_eligible_patient(world), protocol=make_protocol(world), by=world.nurse)


def test_a_dose_above_the_limit_needs_a_written_override(world):
    patient, protocol = make_eligible_patient(world), make_protocol(world)
    with pytest.raises(ServiceError, match="override"):
        services.order_course(patient=patient, protocol=protocol, mg_per_kg="0.8", by=world.prescriber)
    assert TreatmentCourse.objects.count() == 0
    course = services.order_course(patient=patient, protocol=protocol, mg_per_kg="0.8", override_reason="Partial response at 0.5", by=world.prescriber)
    assert course.override_reason == "Partial response at 0.5"


@pytest.mark.parametrize("dose", ["-0.5", "abc", "NaN", "3"])
def test_absurd_doses_are_refused(world, dose):
    with pytest.raises(ServiceError, match="dose must"):
        services.order_course(patient=make_eligible_patient(world), protocol=make_protocol(world), mg_per_kg=dose,
                              override_reason="x", by=world.prescriber)
    assert TreatmentCourse.objects.count() == 0
