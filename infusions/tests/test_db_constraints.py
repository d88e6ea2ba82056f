"""The database itself refuses impossible sessions and readings, even when a write bypasses the services."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from infusions.models import InfusionSession, SessionEvent, VitalSign
from ketacare.testing import make_session, next_weekday_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def booked(world):
    return make_session(world, next_weekday_at(datetime.now(UTC)))


def _copy(session, **changes):
    values = {"clinic": session.clinic, "course": session.course, "patient": session.patient, "number": 2,
              "chair": session.chair, "scheduled_start": session.scheduled_start + timedelta(days=2),
              "scheduled_end": session.scheduled_end + timedelta(days=2), **changes}
    return InfusionSession.objects.create(**values)


def test_a_second_active_session_on_the_same_chair_and_start_is_refused(booked):
    with pytest.raises(IntegrityError), transaction.atomic():
        _copy(booked, scheduled_start=booked.scheduled_start, scheduled_end=booked.scheduled_end)


def test_a_cancelled_booking_frees_its_chair_and_start(booked):
    InfusionSession.objects.filter(pk=booked.pk).update(state="cancelled")
    again = _copy(booked, scheduled_start=booked.scheduled_start, scheduled_end=booked.scheduled_end)
    assert again.state == "scheduled"


@pytest.mark.parametrize("changes", [
    {"state": "daydreaming"}, {"number": 0}, {"checkin_weight_kg": Decimal("0")}, {"total_mg": Decimal("-1")},
    {"rate_ml_per_h": Decimal("-60")},
])
def test_the_database_refuses_an_impossible_session(booked, changes):
    with pytest.raises(IntegrityError), transaction.atomic():
        InfusionSession.objects.filter(pk=booked.pk).update(**changes)


def test_a_session_must_end_after_it_starts(booked):
    with pytest.raises(IntegrityError), transaction.atomic():
        _copy(booked, scheduled_end=booked.scheduled_start + timedelta(days=2))


def test_the_database_refuses_a_negative_reading_or_unknown_source(booked):
    base = {"clinic": booked.clinic, "session": booked, "measured_at": booked.scheduled_start}
    for bad in ({"spo2_pct": Decimal("-1")}, {"etco2_mmhg": Decimal("-0.5")}, {"source": "guess"}):
        with pytest.raises(IntegrityError), transaction.atomic():
            VitalSign.objects.create(**base, **bad)


def test_the_database_refuses_an_event_into_an_unknown_state(booked):
    with pytest.raises(IntegrityError), transaction.atomic():
        SessionEvent.objects.create(clinic=booked.clinic, session=booked, action="teleport", from_state="scheduled",
                                    to_state="elsewhere", at=booked.scheduled_start)
