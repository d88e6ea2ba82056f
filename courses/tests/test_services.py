"""Protocols, course orders and booking through the services."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from courses import services
from courses.models import TreatmentCourse
from infusions import services as infusions
from infusions.models import InfusionSession
from ketacare.errors import ServiceError
from ketacare.testing import (
    make_chair,
    make_course,
    make_eligible_patient,
    make_patient,
    make_protocol,
    next_weekday_at,
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


def test_booking_refuses_spacing_and_chair_overlap_and_writes_nothing(world):
    course = make_course(world)
    chair = make_chair(world)
    start = next_weekday_at(timezone.now())
    infusions.book_session(course=course, chair=chair, starts_at=start, by=world.nurse)
    with pytest.raises(ServiceError, match="at least 44 h"):
        infusions.book_session(course=course, chair=chair, starts_at=start + timedelta(hours=43), by=world.nurse)
    other = make_course(world, patient=make_eligible_patient(world, mrn="E-2"))
    with pytest.raises(ServiceError):
        infusions.book_session(course=other, chair=chair, starts_at=start + timedelta(minutes=30), by=world.nurse)
    assert InfusionSession.objects.count() == 1
    second = infusions.book_session(course=other, chair=chair, starts_at=start + timedelta(minutes=100), by=world.nurse)
    assert second.number == 1


def test_a_course_books_at_most_its_number_of_infusions(world):
    course = make_course(world)
    chair = make_chair(world)
    start = next_weekday_at(timezone.now())
    for i in range(6):
        infusions.book_session(course=course, chair=chair, starts_at=start + timedelta(hours=48 * i), by=world.nurse)
    with pytest.raises(ServiceError, match="of 6 infusions booked"):
        infusions.book_session(course=course, chair=chair, starts_at=start + timedelta(hours=48 * 6), by=world.nurse)
    assert InfusionSession.objects.filter(course=course).count() == 6


def test_therapists_cannot_book(world):
    with pytest.raises(ServiceError, match="role"):
        infusions.book_session(course=make_course(world), chair=make_chair(world), starts_at=next_weekday_at(timezone.now()), by=world.therapist)
