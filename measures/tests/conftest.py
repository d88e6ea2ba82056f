"""Fixtures of the measures tests: a patient with a course and booked infusions."""

from datetime import UTC, datetime, timedelta

import pytest

from ketacare.testing import book_at, make_chair, make_course

DAYS = (0, 2, 4, 7, 9, 11)  # Mon/Wed/Fri x 2 (Feder 2021)


def book(world, course, first: datetime, n: int = 6):
    chair = make_chair(world, course.clinic, name=f"Chair {course.pk}")
    return [book_at(world, course, chair, first + timedelta(days=d)) for d in DAYS[:n]]


@pytest.fixture
def course(world):
    return make_course(world)


@pytest.fixture
def patient(course):
    return course.patient


@pytest.fixture
def sessions(world, course):
    """Six infusions, the first three days from now (so the baseline is due now)."""
    first = (datetime.now(UTC) + timedelta(days=2, hours=12)).replace(microsecond=0)
    return book(world, course, first)


@pytest.fixture
def sms_outbox(settings):
    from toolkit.sms import LocmemSmsBackend

    settings.KETACARE_SMS_BACKEND = "toolkit.sms.LocmemSmsBackend"
    LocmemSmsBackend.outbox.clear()
    return LocmemSmsBackend.outbox


def set_policy(world, clinic, **values):
    from accounts.services import update_policy

    errors = update_policy(clinic=clinic, values=values, by=world.clinic_admin)
    assert errors == {}, errors


@pytest.fixture
def shift_clock(monkeypatch):
    """Move the measures app's clock forward by a timedelta (links expire, alerts age)."""
    from measures import public, services

    def move(delta: timedelta) -> datetime:
        moved = datetime.now(UTC) + delta

        class Shifted(datetime):
            @classmethod
            def now(cls, tz=None):  # noqa: ANN001, ANN206
                return moved if tz is None else moved.astimezone(tz)

        monkeypatch.setattr(public, "datetime", Shifted)
        monkeypatch.setattr(services, "_now", lambda: moved)
        return moved

    return move
