"""A refused booking says, once, in the clinic's local time, which patient holds which chair (no internal ids)."""

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import services as accounts
from accounts.choices import Role
from ketacare.testing import book_at, make_chair, make_course, make_eligible_patient, next_weekday_at
from scheduling import services
from toolkit.errors import ServiceError

pytestmark = pytest.mark.django_db


def _clash(world):
    """Robin Sample holds Window at a 09:00 local start; Alex Doe's course wants the same chair at 09:30."""
    tz = ZoneInfo(world.a.time_zone)
    day = next_weekday_at(timezone.now()).astimezone(tz).date()
    start = datetime(day.year, day.month, day.day, 9, 0, tzinfo=tz)
    window = make_chair(world, name="Window")
    robin = make_course(world, patient=make_eligible_patient(world, mrn="R-1", given_name="Robin", family_name="Sample"))
    held = book_at(world, robin, window, start)
    alex = make_course(world, patient=make_eligible_patient(world, mrn="A-1", given_name="Alex", family_name="Doe"))
    return held, alex, window, start


def test_the_service_names_the_patient_and_chair_at_the_local_time(world):
    held, alex, window, start = _clash(world)
    with pytest.raises(ServiceError) as refused:
        services.book_session(course=alex, chair=window, starts_at=start + timedelta(minutes=30), by=world.nurse)
    message = refused.value.message
    local = start.strftime("%a %d %b %Y 09:00 %Z")
    assert message.startswith(f"Window is already booked for Robin Sample (infusion 1) from {local} to ")
    assert f"session {held.pk}" not in message and f"Chair {window.pk}" not in message
    assert message not in refused.value.field_errors.values()


def test_the_booking_page_shows_the_conflict_once(world, client_for):
    held, alex, window, start = _clash(world)
    response = client_for(Role.NURSE).post(reverse("scheduling:book", kwargs={"course_id": alex.pk}), {
        "chair": window.pk, "starts_at": (start + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M")})
    html = response.content.decode()
    assert response.status_code == 400
    assert html.count("is already booked for Robin Sample") == 1


def test_the_api_says_it_once_too(world):
    held, alex, window, start = _clash(world)
    from django.test import Client

    token = accounts.issue_token(user=world.nurse, clinic=world.a, name="t", by="test")
    response = Client(HTTP_AUTHORIZATION=f"Bearer {token}").post("/api/scheduling/bookings", content_type="application/json",
                                                                  data=json.dumps({"course_id": alex.pk, "chair_id": window.pk,
                                                                                   "starts_at": (start + timedelta(minutes=30)).isoformat()}))
    assert response.status_code == 400
    assert json.dumps(response.json()).count("Robin Sample") == 1
