"""Booking a course's infusions on a chair, and cancelling them, through the scheduling services."""

from datetime import timedelta

import pytest
from django.utils import timezone

from infusions.models import InfusionSession
from ketacare.testing import make_chair, make_course, make_eligible_patient, next_weekday_at
from scheduling import services
from toolkit.errors import ServiceError

pytestmark = pytest.mark.django_db


def test_booking_refuses_spacing_and_chair_overlap_and_writes_nothing(world):
    course = make_course(world)
    chair = make_chair(world)
    start = next_weekday_at(timezone.now())
    services.book_session(course=course, chair=chair, starts_at=start, by=world.nurse)
    with pytest.raises(ServiceError, match="at least 44 h"):
        services.book_session(course=course, chair=chair, starts_at=start + timedelta(hours=43), by=world.nurse)
    other = make_course(world, patient=make_eligible_patient(world, mrn="E-2"))
    with pytest.raises(ServiceError):
        services.book_session(course=other, chair=chair, starts_at=start + timedelta(minutes=30), by=world.nurse)
    assert InfusionSession.objects.count() == 1
    second = services.book_session(course=other, chair=chair, starts_at=start + timedelta(minutes=100), by=world.nurse)
    assert second.number == 1


def test_a_course_books_at_most_its_number_of_infusions(world):
    course = make_course(world)
    chair = make_chair(world)
    start = next_weekday_at(timezone.now())
    for i in range(6):
        services.book_session(course=course, chair=chair, starts_at=start + timedelta(hours=48 * i), by=world.nurse)
    with pytest.raises(ServiceError, match="of 6 infusions booked"):
        services.book_session(course=course, chair=chair, starts_at=start + timedelta(hours=48 * 6), by=world.nurse)
    assert InfusionSession.objects.filter(course=course).count() == 6


def test_therapists_cannot_book(world):
    with pytest.raises(ServiceError, match="role"):
        services.book_session(course=make_course(world), chair=make_chair(world), starts_at=next_weekday_at(timezone.now()), by=world.therapist)


def test_booking_and_cancelling_are_audited_and_cancelling_frees_the_chair(world):
    from audit.models import AuditEvent

    course, chair = make_course(world), make_chair(world)
    start = next_weekday_at(timezone.now())
    session = services.book_session(course=course, chair=chair, starts_at=start, by=world.nurse)
    services.cancel_session(session=session, reason="Patient unwell", by=world.nurse)
    other = make_course(world, patient=make_eligible_patient(world, mrn="E-3"))
    services.book_session(course=other, chair=chair, starts_at=start, by=world.nurse)
    actions = AuditEvent.objects.filter(object_id=str(session.pk), action__startswith="session_").order_by("pk")
    assert list(actions.values_list("action", flat=True)) == ["session_book", "session_cancel"]
    assert InfusionSession.objects.get(pk=session.pk).notes == "Cancelled: Patient unwell"


def test_a_cancellation_needs_a_reason_and_writes_nothing_without_one(world):
    session = services.book_session(course=make_course(world), chair=make_chair(world),
                                    starts_at=next_weekday_at(timezone.now()), by=world.nurse)
    with pytest.raises(ServiceError, match="reason"):
        services.cancel_session(session=session, reason="  ", by=world.nurse)
    assert InfusionSession.objects.get(pk=session.pk).state == "scheduled"

