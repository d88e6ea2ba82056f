"""The database itself refuses two live bookings of one chair at one start, whatever a bug above does."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import IntegrityError, transaction

from infusions.models import InfusionSession
from ketacare.testing import make_chair, make_course, make_eligible_patient, next_weekday_at
from scheduling import services
from scheduling.services import rules
from toolkit.errors import ServiceError

pytestmark = pytest.mark.django_db


def _row(course, chair, start, number=1, state="scheduled"):
    return InfusionSession.objects.create(clinic=course.clinic, course=course, patient=course.patient, number=number,
                                          chair=chair, scheduled_start=start, scheduled_end=start + timedelta(hours=2),
                                          state=state)


def _two_courses(world):
    return make_course(world), make_course(world, patient=make_eligible_patient(world, mrn="E-2"))


def test_a_second_live_row_on_the_same_chair_and_start_is_refused_by_the_database(world):
    (one, two), chair = _two_courses(world), make_chair(world)
    start = next_weekday_at(datetime.now(UTC))
    _row(one, chair, start)
    with pytest.raises(IntegrityError), transaction.atomic():
        _row(two, chair, start)
    assert InfusionSession.objects.count() == 1


@pytest.mark.parametrize("state", ["cancelled", "no_show"])
def test_a_booking_never_held_does_not_hold_its_start(world, state):
    (one, two), chair = _two_courses(world), make_chair(world)
    start = next_weekday_at(datetime.now(UTC))
    _row(one, chair, start, state=state)
    _row(two, chair, start)
    assert InfusionSession.objects.filter(chair=chair, scheduled_start=start).count() == 2


def test_the_service_answers_the_constraint_as_a_refusal_when_its_own_check_is_bypassed(world, monkeypatch):
    (one, two), chair = _two_courses(world), make_chair(world)
    start = next_weekday_at(datetime.now(UTC))
    services.book_session(course=one, chair=chair, starts_at=start, by=world.nurse)
    monkeypatch.setattr(rules, "check_slot", lambda **kw: None)  # a bug that skips the kernel rule
    with pytest.raises(ServiceError, match="Chair 1 already has a booking starting"):
        services.book_session(course=two, chair=chair, starts_at=start, by=world.nurse)
    assert InfusionSession.objects.filter(chair=chair).count() == 1
